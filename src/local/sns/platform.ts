/**
 * Platform applications and endpoints (mobile push): CreatePlatformApplication, Get/Set
 * PlatformApplicationAttributes, ListPlatformApplications, DeletePlatformApplication,
 * CreatePlatformEndpoint, Get/SetEndpointAttributes, ListEndpointsByPlatformApplication, DeleteEndpoint,
 * and Publish to an endpoint ARN. Validated and stored in SQLite with AWS's texts (LocalStack snapshots
 * recorded against AWS); credentials are never checked against Apple/Google/Amazon and nothing is sent:
 * a publish to an endpoint is logged (`SNS -> endpoint/GCM/app/… (not sent)`) and answers a MessageId.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import { AwsError } from '../../domain/aws-error.js';
import * as E from './errors.js';
import type { SnsContext, SnsService } from './service.js';
import { arnParts, optString, page, reqAttributes, stringMap, type Input, type Output } from './ops-common.js';
import { MAX_MESSAGE_BYTES, PAGE_SIZE, type PLATFORM_OPERATIONS } from './constants.js';

/** The platforms CreatePlatformApplication accepts (API reference, CreatePlatformApplication). */
const PLATFORMS = new Set(['ADM', 'APNS', 'APNS_SANDBOX', 'GCM', 'BAIDU', 'MPNS', 'WNS']);
/** Attributes never returned by GetPlatformApplicationAttributes (AWS-recorded: only Enabled after a create with both). */
const SECRET_ATTRIBUTES = new Set(['PlatformCredential', 'PlatformPrincipal']);
const ENDPOINT_ATTRIBUTES = new Set(['CustomUserData', 'Enabled', 'Token']);
const MAX_CUSTOM_USER_DATA = 2048;

interface App {
  arn: string;
  name: string;
  platform: string;
  attrs: Record<string, string>;
}
interface Endpoint {
  arn: string;
  appArn: string;
  token: string;
  attrs: Record<string, string>;
}

const notFoundApp = () => E.notFound('PlatformApplication does not exist');
const notFoundEndpoint = () => E.notFound('Endpoint does not exist');

export class SnsPlatform {
  private readonly s;

  constructor(
    private readonly sns: SnsService,
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.s = {
      app: db.prepare(`SELECT * FROM sns_platform_apps WHERE arn = ?`),
      apps: db.prepare(`SELECT * FROM sns_platform_apps ORDER BY created_ms, rowid`),
      putApp: db.prepare(`INSERT INTO sns_platform_apps (arn, name, platform, attributes, created_ms) VALUES (?, ?, ?, ?, ?)`),
      appAttrs: db.prepare(`UPDATE sns_platform_apps SET attributes = ? WHERE arn = ?`),
      deleteApp: db.prepare(`DELETE FROM sns_platform_apps WHERE arn = ?`),
      endpoint: db.prepare(`SELECT * FROM sns_platform_endpoints WHERE arn = ?`),
      endpoints: db.prepare(`SELECT * FROM sns_platform_endpoints WHERE app_arn = ? ORDER BY created_ms, rowid`),
      byToken: db.prepare(`SELECT * FROM sns_platform_endpoints WHERE app_arn = ? AND token = ?`),
      putEndpoint: db.prepare(`INSERT INTO sns_platform_endpoints (arn, app_arn, token, attributes, created_ms) VALUES (?, ?, ?, ?, ?)`),
      endpointAttrs: db.prepare(`UPDATE sns_platform_endpoints SET token = ?, attributes = ? WHERE arn = ?`),
      deleteEndpoint: db.prepare(`DELETE FROM sns_platform_endpoints WHERE arn = ?`),
      deleteEndpoints: db.prepare(`DELETE FROM sns_platform_endpoints WHERE app_arn = ?`),
    };
  }

  get ops(): Record<(typeof PLATFORM_OPERATIONS)[number], (i: Input, c: SnsContext) => Output> {
    return {
      CreatePlatformApplication: (i) => this.createApp(i),
      GetPlatformApplicationAttributes: (i) => ({ Attributes: visible(this.appFrom(i).attrs) }),
      SetPlatformApplicationAttributes: (i) => this.setAppAttributes(i),
      ListPlatformApplications: (i) => this.listApps(i),
      DeletePlatformApplication: (i) => this.deleteApp(i),
      CreatePlatformEndpoint: (i) => this.createEndpoint(i),
      GetEndpointAttributes: (i) => ({ Attributes: { ...this.endpointFrom(i).attrs } }),
      SetEndpointAttributes: (i) => this.setEndpointAttributes(i),
      ListEndpointsByPlatformApplication: (i) => this.listEndpoints(i),
      DeleteEndpoint: (i) => this.deleteEndpoint(i),
    };
  }

  private rowApp(r: { arn: string; name: string; platform: string; attributes: string } | undefined): App | undefined {
    return r && { arn: r.arn, name: r.name, platform: r.platform, attrs: JSON.parse(r.attributes) as Record<string, string> };
  }

  private rowEndpoint(r: { arn: string; app_arn: string; token: string; attributes: string } | undefined): Endpoint | undefined {
    return r && { arn: r.arn, appArn: r.app_arn, token: r.token, attrs: JSON.parse(r.attributes) as Record<string, string> };
  }

  /** The PlatformApplicationArn parameter (AWS-recorded texts for a malformed ARN and an unknown application). */
  private appFrom(input: Input): App {
    const arn = optString(input, 'PlatformApplicationArn') ?? '';
    arnParts(arn, 'PlatformApplicationArn');
    const app = this.rowApp(this.s.app.get(arn) as never);
    if (!app) throw notFoundApp();
    return app;
  }

  /** The EndpointArn parameter (AWS-recorded: the resource must be `endpoint/<platform>/<app>/<id>`). */
  private endpointArnParam(input: Input): string {
    const arn = optString(input, 'EndpointArn') ?? '';
    const parts = arnParts(arn, 'EndpointArn');
    if (parts.slice(5).join(':').split('/').length !== 4) {
      throw E.invalidParameter('EndpointArn Reason: Wrong number of slashes in relative portion of the ARN.');
    }
    return arn;
  }

  private endpointFrom(input: Input): Endpoint {
    const e = this.rowEndpoint(this.s.endpoint.get(this.endpointArnParam(input)) as never);
    if (!e) throw notFoundEndpoint();
    return e;
  }

  private validateAppAttributes(attrs: Record<string, string>, platform: string): void {
    // AWS-recorded (test_create_platform_application_invalid_attributes): principal and credential come together.
    if ('PlatformPrincipal' in attrs && !('PlatformCredential' in attrs)) {
      throw E.invalidParameter('Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential');
    }
    // GCM (FCM) takes a server key or service-account JSON as the credential alone (AWS docs).
    if ('PlatformCredential' in attrs && !('PlatformPrincipal' in attrs) && platform !== 'GCM') {
      throw E.invalidParameter('Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal');
    }
    if ('Enabled' in attrs && attrs.Enabled !== 'true' && attrs.Enabled !== 'false') {
      throw E.invalidParameter(`Attributes Reason: Invalid value for attribute: Enabled: ${attrs.Enabled}`); // UNVERIFIED text
    }
  }

  private createApp(input: Input): Output {
    const name = optString(input, 'Name') ?? '';
    // AWS-recorded (test_create_platform_application_invalid_name): the name itself is the "parameter".
    if (name === '') throw E.invalidParameter(' Reason: cannot be empty');
    if (name.length > 256) throw E.invalidParameter(`${name} Reason: must be at most 256 characters long`);
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
      throw E.invalidParameter(`${name} Reason: must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'`);
    }
    const platform = optString(input, 'Platform') ?? '';
    if (!PLATFORMS.has(platform)) throw E.invalidParameter(`Platform Reason: ${platform} is not supported`);
    const attrs = reqAttributes(input);
    this.validateAppAttributes(attrs, platform);
    const arn = this.sns.topicArn(`app/${platform}/${name}`);
    const existing = this.rowApp(this.s.app.get(arn) as never);
    // Creating an application that exists updates its attributes and returns the same ARN (UNVERIFIED).
    if (existing) {
      this.s.appAttrs.run(JSON.stringify({ ...existing.attrs, ...attrs }), arn);
      return { PlatformApplicationArn: arn };
    }
    this.s.putApp.run(arn, name, platform, JSON.stringify({ Enabled: 'true', ...attrs }), this.clock.now());
    this.sns.log(`SNS platform application ${platform}/${name}`);
    return { PlatformApplicationArn: arn };
  }

  private setAppAttributes(input: Input): Output {
    const arn = optString(input, 'PlatformApplicationArn') ?? '';
    arnParts(arn, 'PlatformApplicationArn');
    // AWS-recorded: a missing Attributes map is reported before the application is looked up.
    const attrs = reqAttributes(input);
    const app = this.appFrom(input);
    const merged = { ...app.attrs, ...attrs };
    this.validateAppAttributes(merged, app.platform);
    this.s.appAttrs.run(JSON.stringify(merged), app.arn);
    return {};
  }

  private listApps(input: Input): Output {
    const all = (this.s.apps.all() as never[]).map((r) => this.rowApp(r)!);
    const { items, next } = page(all, optString(input, 'NextToken'), PAGE_SIZE);
    const out: Output = { PlatformApplications: items.map((a) => ({ PlatformApplicationArn: a.arn, Attributes: visible(a.attrs) })) };
    if (next) out.NextToken = next;
    return out;
  }

  /** Deleting an application deletes its endpoints; an unknown one succeeds (AWS-recorded test_delete_endpoints_of_deleted_app). */
  private deleteApp(input: Input): Output {
    const arn = optString(input, 'PlatformApplicationArn') ?? '';
    arnParts(arn, 'PlatformApplicationArn');
    this.db.transaction(() => {
      this.s.deleteEndpoints.run(arn);
      this.s.deleteApp.run(arn);
    })();
    return {};
  }

  private endpointAttributes(raw: Record<string, string>): Record<string, string> {
    for (const [k, v] of Object.entries(raw)) {
      if (!ENDPOINT_ATTRIBUTES.has(k)) throw E.invalidParameter(`Attributes Reason: Invalid attribute name: ${k}`);
      if (k === 'CustomUserData' && Buffer.byteLength(v, 'utf8') > MAX_CUSTOM_USER_DATA) {
        throw E.invalidParameter(`Attributes Reason: Invalid value for attribute: CustomUserData: must be at most ${MAX_CUSTOM_USER_DATA} bytes long in UTF-8 encoding`);
      }
      if (k === 'Enabled' && v !== 'true' && v !== 'false') {
        throw E.invalidParameter(`Attributes Reason: Invalid value for attribute: Enabled: ${v}`); // UNVERIFIED text
      }
      if (k === 'Token' && v === '') throw E.invalidParameter('Attributes Reason: Invalid value for attribute: Token: cannot be empty'); // UNVERIFIED
    }
    return raw;
  }

  private createEndpoint(input: Input): Output {
    const app = this.appFrom(input);
    const token = optString(input, 'Token');
    if (!token) throw E.invalidParameter('Token Reason: cannot be empty'); // UNVERIFIED text
    const given = this.endpointAttributes(input.Attributes === undefined || input.Attributes === null ? {} : stringMap(input.Attributes, 'Attributes'));
    const custom = optString(input, 'CustomUserData');
    if (custom !== undefined) this.endpointAttributes({ CustomUserData: custom });
    // AWS-recorded (test_create_platform_endpoint_double_custom_data): the attribute wins over the parameter.
    const attrs: Record<string, string> = { Enabled: 'true', ...(custom !== undefined ? { CustomUserData: custom } : {}), ...given, Token: token };
    const existing = this.rowEndpoint(this.s.byToken.get(app.arn, token) as never);
    if (existing) {
      // AWS-recorded (test_create_platform_endpoint_idempotency): same token and attributes -> same ARN.
      const same = Object.keys({ ...attrs, ...existing.attrs }).every((k) => attrs[k] === existing.attrs[k]);
      if (!same) throw E.invalidParameter(`Token Reason: Endpoint ${existing.arn} already exists with the same Token, but different attributes.`);
      return { EndpointArn: existing.arn };
    }
    const arn = this.sns.topicArn(`endpoint/${app.platform}/${app.name}/${randomUUID()}`);
    this.s.putEndpoint.run(arn, app.arn, token, JSON.stringify(attrs), this.clock.now());
    this.sns.log(`SNS platform endpoint ${app.platform}/${app.name} + ${arn.split('/').pop()}`);
    return { EndpointArn: arn };
  }

  private setEndpointAttributes(input: Input): Output {
    const arn = this.endpointArnParam(input);
    const attrs = this.endpointAttributes(reqAttributes(input));
    const e = this.rowEndpoint(this.s.endpoint.get(arn) as never);
    if (!e) throw notFoundEndpoint();
    const merged = { ...e.attrs, ...attrs };
    this.s.endpointAttrs.run(merged.Token ?? e.token, JSON.stringify(merged), arn);
    return {};
  }

  private listEndpoints(input: Input): Output {
    const app = this.appFrom(input);
    const all = (this.s.endpoints.all(app.arn) as never[]).map((r) => this.rowEndpoint(r)!);
    const { items, next } = page(all, optString(input, 'NextToken'), PAGE_SIZE);
    const out: Output = { Endpoints: items.map((e) => ({ EndpointArn: e.arn, Attributes: { ...e.attrs } })) };
    if (next) out.NextToken = next;
    return out;
  }

  /** Idempotent; subscriptions to the endpoint stay (AWS-recorded test_delete_platform_endpoint_with_subscription). */
  private deleteEndpoint(input: Input): Output {
    const arn = this.endpointArnParam(input);
    this.s.deleteEndpoint.run(arn);
    return {};
  }

  /**
   * Publish to an endpoint: validated, logged, never sent. AWS's texts for an unknown endpoint
   * ("No endpoint found for the target arn specified") and a disabled one (EndpointDisabled).
   */
  publishToEndpoint(input: Input, ctx: SnsContext): Output {
    const arn = input.TargetArn as string;
    const e = this.rowEndpoint(this.s.endpoint.get(arn) as never);
    if (!e) throw E.invalidParameter('TargetArn Reason: No endpoint found for the target arn specified');
    if (e.attrs.Enabled === 'false') throw new AwsError('EndpointDisabled', 'Endpoint is disabled');
    const message = input.Message;
    if (message === undefined || message === null || message === '') throw E.invalidParameter('Empty message');
    if (typeof message !== 'string') throw E.invalidParameter('Message');
    if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw E.invalidParameter('Message too long');
    if (input.MessageStructure !== undefined && input.MessageStructure !== null) {
      if (input.MessageStructure !== 'json') throw E.invalidParameter(`MessageStructure: Invalid value [${String(input.MessageStructure)}]. Must be json.`);
      let doc: unknown;
      try {
        doc = JSON.parse(message);
      } catch {
        doc = undefined;
      }
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw E.invalidParameter('Message Structure - JSON message body failed to parse');
      if (typeof (doc as Record<string, unknown>).default !== 'string') throw E.invalidParameter('Message Structure - No default entry in JSON message body');
    }
    const id = randomUUID();
    this.sns.log(`SNS -> ${arn.split(':').slice(5).join(':')} ${Buffer.byteLength(message, 'utf8')}B id=${id} (push not sent; request ${ctx.requestId})`);
    return { MessageId: id };
  }
}

function visible(attrs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attrs).filter(([k]) => !SECRET_ATTRIBUTES.has(k)));
}
