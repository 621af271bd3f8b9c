/**
 * The HTTP API data plane: one request to an invoke URL (`http://<apiId>.execute-api.localhost:PORT/<stage>/<path>`
 * or `http://127.0.0.1:PORT/_aws/execute-api/<apiId>/<stage>/<path>`) → stage → route (or API Gateway's own CORS
 * preflight answer when no route takes the OPTIONS request) → authorizer → integration → the response, as
 * API Gateway answers it, with one access line in the log.
 *
 * AWS behaviour imitated: a path whose first segment names a stage goes to that stage, anything else to
 * `$default` (none → 404 `{"message":"Not Found"}`); gateway errors are `{"message": …}` JSON (401
 * Unauthorized, 403 Forbidden, 404 Not Found, 413 Request Entity Too Large, 500 Internal Server Error,
 * 503 Service Unavailable on an integration timeout — the function runs on); every response carries
 * `apigw-requestid`; Lambda is invoked only when its resource policy allows apigateway.amazonaws.com for
 * the execute-api SourceArn (`<apiId>/<stage>/<METHOD>/<route path>`, authorizers `<apiId>/authorizers/<id>`).
 *
 * Fidelity ledger (data plane)
 * - Verified against AWS docs or recorded AWS events: the event fields and their order, rawPath and
 *   http.path with the stage prefix and percent-decoded, rawQueryString encoded, `cookie` moved to
 *   `cookies`, the content-length, x-forwarded-for/-port/-proto and x-amzn-trace-id headers, the requestId
 *   shape, `authorizer.lambda` for simple responses, the response inference rules, 401 without invoking,
 *   500 without a permission.
 * - UNVERIFIED (reasoned, not observed): `{lambda, principalId}` for IAM-policy answers; `lambda: null`
 *   when an authorizer returns no context; the 204 without CORS headers for a preflight from a disallowed
 *   origin; CORS headers on API Gateway's own errors (401/403/404/500/503) for an allowed origin;
 *   `allowHeaders: ["*"]` answered with the requested headers; 413 for an event over Lambda's 6 MB limit; 1.0's `resourceId` (the route key); the
 *   integrationErrorMessage texts for malformed responses and function errors.
 * - Deliberately different: the access line is the emulator's log line (with `integrationErrorMessage`),
 *   not a CloudWatch log group; the path form also accepts `$default` as the stage segment (LocalStack's
 *   convention); domainName is `<apiId>.execute-api.localhost`, x-forwarded-proto `http`.
 * - Not supported: parameter mapping, mTLS, JWT authorizers, custom domain names.
 * Event building, route selection, response reading, CORS and authorizer rules live in their own modules;
 * what a path names (stage, route, integration, function, SourceArn) is resolved once per API version (resolve.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../clock.js';
import { isSilent, type LogFn } from '../log.js';
import type { LambdaService } from '../lambda/service.js';
import type { Outcome } from '../lambda/runtime/worker.js';
import { MAX_SYNC_PAYLOAD } from '../lambda/constants.js';
import type { StreamContext } from '../protocol/request.js';
import { executeApiArn, lambdaArnOfUri, type ApiGatewayReader, type Authorizer, type Integration, type StoredApi } from './model.js';
import { Resolver } from './resolve.js';
import { buildAuthorizerEventV2, buildEventV1, buildEventV2, headersOf, queryValues, type Json, type RequestFacts, type RouteFacts } from './event.js';
import { parseResponseV1, parseResponseV2, type HttpResponse } from './response.js';
import { isPreflight, preflightHeaders, withCorsHeaders } from './cors.js';
import { AuthorizerCache, identityValues, readAuthorizerResult } from './authorizer.js';
import { forwardHttp } from './http-proxy.js';
import type { RecordedEvent } from './recorder.js';
import { awsRequestId, emptyBody, invokeTarget, MAX_INVOKE_BODY, messageResponse, readLimited, send, sourceIp, withForwardedHeaders } from './invoke-url.js';

export const DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000;

const PERMISSION_ERROR = "The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again.";

export interface DataPlaneOptions {
  reader: ApiGatewayReader;
  lambda: LambdaService;
  clock: Clock;
  log: LogFn;
  /** Called with each Lambda event just before it is sent (`svl http --event` reads them; recorder.ts). */
  record?: (e: RecordedEvent) => void;
}

/** What the access line reports besides the status. */
interface Outcomes {
  routeKey?: string;
  integrationError?: string;
}

export class ApiDataPlane {
  private inFlight = 0;
  private waiting = 0;
  private readonly cache: AuthorizerCache;
  private readonly resolver: Resolver;
  /** The access line is formatted only when someone reads the log. */
  private readonly logging: boolean;

  constructor(private readonly o: DataPlaneOptions) {
    this.cache = new AuthorizerCache(o.clock);
    this.resolver = new Resolver(o.reader, o.lambda.account);
    this.logging = !isSilent(o.log);
  }

  busy(): string[] {
    const out: string[] = [];
    if (this.waiting > 0) out.push(`${this.waiting} API Gateway request(s) waiting on an integration`);
    else if (this.inFlight > 0) out.push(`${this.inFlight} API Gateway request(s) in flight`);
    return out;
  }

  async invoke(req: IncomingMessage, res: ServerResponse, ctx: StreamContext): Promise<void> {
    this.inFlight++;
    try {
      await this.handle(req, res, ctx);
    } catch (err) {
      // An emulator fault (a package that cannot be extracted, …) is still API Gateway's 500, never a crash.
      this.o.log(`APIGW ${req.method ?? 'GET'} ${ctx.path} 500 integrationErrorMessage="${(err as Error).message}"`);
      if (res.headersSent) res.destroy();
      else this.sendMessage(res, awsRequestId(), 500, 'Internal Server Error');
    } finally {
      this.inFlight--;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse, ctx: StreamContext): Promise<void> {
    const requestId = awsRequestId();
    const method = (req.method ?? 'GET').toUpperCase();
    const started = this.o.clock.now();
    const target = invokeTarget(ctx.path, req.headers.host);
    const api = target && this.o.reader.api(target.apiId);
    if (!target || !api) {
      req.resume();
      return this.sendMessage(res, requestId, 404, 'Not Found');
    }
    if (api.disableExecuteApiEndpoint) {
      req.resume();
      return this.sendMessage(res, requestId, 403, 'Forbidden');
    }
    const body = emptyBody(req) ?? (await readLimited(req, MAX_INVOKE_BODY));
    if (!body) return this.sendMessage(res, requestId, 413, 'Request Entity Too Large', [['connection', 'close']]);

    // The journal (the Lambda service's: the emulator attaches one to both): the request, then its answer;
    // the function's invocation shares the request id, so `svl trace <apigw-requestid>` follows it.
    const journal = this.o.lambda.journal;
    const resolved = this.resolver.resolve(api, method, target);
    const apiArn = resolved ? resolved.apiArn : executeApiArn(api.region, this.o.lambda.account, api.apiId);
    const log = (status: number, o: Outcomes, rawPath: string, stage: string) => {
      const ms = this.o.clock.now() - started;
      const data: Record<string, unknown> = { status };
      if (o.routeKey) data.routeKey = o.routeKey;
      data.durationMs = ms;
      if (o.integrationError) data.integrationError = o.integrationError;
      journal.record({ type: 'apigw.response', resource: apiArn, id: requestId, cause: journal.lastOf(requestId), data });
      if (!this.logging) return;
      this.o.log(
        `APIGW ${api.apiId} ${stage} ${method} ${rawPath} ${status} ${ms}ms${o.routeKey ? ` route="${o.routeKey}"` : ''}` +
          `${o.integrationError ? ` integrationErrorMessage="${o.integrationError}"` : ''}`,
      );
    };

    if (!resolved) {
      log(404, {}, target.below, '-');
      return this.sendMessage(res, requestId, 404, 'Not Found');
    }
    const { stage, routePath, rawPath } = resolved;
    journal.record({ type: 'apigw.request', resource: apiArn, id: requestId, data: { method, path: rawPath, stage } });
    const facts: RequestFacts = {
      method,
      // HTTP APIs deliver the path percent-decoded (rawPath, http.path, 1.0 path); the query string stays encoded.
      rawPath: resolved.decodedPath,
      rawQueryString: ctx.search.startsWith('?') ? ctx.search.slice(1) : ctx.search,
      rawHeaders: withForwardedHeaders(req, body.length),
      body,
      sourceIp: sourceIp(req),
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      timeEpoch: started,
      apiId: api.apiId,
      accountId: this.o.lambda.account,
      domainName: `${api.apiId}.execute-api.localhost`,
      stage,
      stageVariables: resolved.stageVariables,
    };
    // One header map per request: CORS reads it here, the event and an authorizer later (the forwarded
    // headers differ from the request's only by x-forwarded-*, content-length and x-amzn-trace-id).
    const headers = headersOf(facts);
    const origin = headers.get('origin')?.[0];
    const cors = api.corsConfiguration;
    const preflight = isPreflight(method, { origin, requestMethod: headers.get('access-control-request-method')?.[0] });
    const requestedHeaders = headers.get('access-control-request-headers')?.join(',');
    const finish = (r: HttpResponse, o: Outcomes) => {
      log(r.status, o, rawPath, stage);
      let h = r.headers;
      if (cors) h = preflight ? [...withCorsHeaders({}, origin, h), ...preflightHeaders(cors, origin, requestedHeaders)] : withCorsHeaders(cors, origin, h);
      send(res, r.status, [...h, ['apigw-requestid', requestId]], r.body);
    };
    const gatewayError = (status: number, message: string, o: Outcomes = {}) => finish(messageResponse(status, message), o);

    const selected = resolved.selected;
    if (!selected) {
      // A preflight no route takes (an OPTIONS or ANY route, or $default, takes it: AWS's "OPTIONS /{proxy+}"
      // advice for authorized $default routes) is answered by API Gateway from the CORS configuration.
      if (cors && preflight) {
        log(204, { routeKey: 'CORS preflight' }, rawPath, stage);
        return send(res, 204, [...preflightHeaders(cors, origin, requestedHeaders), ['apigw-requestid', requestId]], Buffer.alloc(0));
      }
      return gatewayError(404, 'Not Found');
    }
    const route = selected.route;
    const routeFacts: RouteFacts = { routeKey: route.routeKey, pathParameters: selected.pathParameters };
    const outcomes: Outcomes = { routeKey: route.routeKey };

    let authorizer: { context?: Json; principalId?: string } | undefined;
    if (resolved.authorizer !== undefined) {
      const auth = resolved.authorizer;
      if (!auth) return gatewayError(500, 'Internal Server Error', { ...outcomes, integrationError: `authorizer ${route.authorizerId} not found` });
      const result = await this.authorize(api, auth, facts, routeFacts);
      if (result.kind === 'unauthorized') return gatewayError(401, 'Unauthorized', outcomes);
      if (result.kind === 'forbidden') return gatewayError(403, 'Forbidden', outcomes);
      if (result.kind === 'error') return gatewayError(500, 'Internal Server Error', { ...outcomes, integrationError: `authorizer error: ${result.error}` });
      authorizer = result;
    }

    const integration = resolved.integration;
    if (!integration) return gatewayError(500, 'Internal Server Error', { ...outcomes, integrationError: `route ${route.routeKey} has no integration` });

    if (integration.integrationType === 'HTTP_PROXY') {
      const out = await this.withTimeout(integration, forwardHttp(integration, facts, selected.pathParameters, route.routeKey === '$default' ? routePath : undefined));
      if (out === 'timeout') return gatewayError(503, 'Service Unavailable', { ...outcomes, integrationError: `the integration did not answer within ${timeoutOf(integration)} ms` });
      if ('error' in out) return gatewayError(500, 'Internal Server Error', { ...outcomes, integrationError: out.error });
      return finish(out, outcomes);
    }

    const v1 = integration.payloadFormatVersion === '1.0';
    const authCtx: Json | undefined = !authorizer
      ? undefined
      : v1
        ? { ...(isMap(authorizer.context) ? authorizer.context : {}), ...(authorizer.principalId ? { principalId: authorizer.principalId } : {}) }
        : { lambda: authorizer.context ?? null, ...(authorizer.principalId ? { principalId: authorizer.principalId } : {}) };
    const event = v1 ? buildEventV1(facts, routeFacts, authCtx as Record<string, Json> | undefined) : buildEventV2(facts, routeFacts, authCtx);
    const payload = JSON.stringify(event);
    // A character is at least one UTF-8 byte and at most three: the bytes are counted only when it could matter.
    if (payload.length * 3 > MAX_SYNC_PAYLOAD && Buffer.byteLength(payload) > MAX_SYNC_PAYLOAD) {
      return gatewayError(413, 'Request Entity Too Large', { ...outcomes, integrationError: 'the Lambda event is larger than the 6 MB invocation payload limit' });
    }

    const functionArn = resolved.functionArn;
    if (!functionArn) return gatewayError(500, 'Internal Server Error', { ...outcomes, integrationError: `integration ${integration.integrationId} names no Lambda function: ${integration.integrationUri ?? '(none)'}` });
    this.o.record?.({ requestId, apiId: api.apiId, routeKey: route.routeKey, function: resolved.functionName ?? functionArn, kind: 'integration', payloadFormatVersion: v1 ? '1.0' : '2.0', event, at: this.o.clock.now() });
    const call = this.o.lambda.invokeForApiGateway(functionArn, resolved.sourceArn!, payload, requestId);
    if ('refused' in call) {
      this.o.log(`APIGW ${api.apiId} cannot invoke ${functionArn}: ${call.refused}`);
      return gatewayError(500, 'Internal Server Error', { ...outcomes, integrationError: call.refused.startsWith('Function not found') ? call.refused : PERMISSION_ERROR });
    }
    const out = await this.withTimeout(integration, call.pending);
    if (out === 'timeout') return gatewayError(503, 'Service Unavailable', { ...outcomes, integrationError: `the Lambda function did not answer within the integration timeout of ${timeoutOf(integration)} ms` });
    if (!out.ok) {
      return gatewayError(500, 'Internal Server Error', { ...outcomes, integrationError: `The Lambda function returned the following error: ${functionErrorMessage(out)}. Check your Lambda function code and try again.` });
    }
    const parsed = v1 ? parseResponseV1(out.payload) : parseResponseV2(out.payload);
    if (!parsed.ok) return gatewayError(500, 'Internal Server Error', { ...outcomes, integrationError: parsed.error });
    return finish(parsed.response, outcomes);
  }

  private async authorize(
    api: StoredApi,
    auth: Authorizer,
    facts: RequestFacts,
    routeFacts: RouteFacts,
  ): Promise<{ kind: 'allow'; context?: Json; principalId?: string } | { kind: 'unauthorized' } | { kind: 'forbidden' } | { kind: 'error'; error: string }> {
    const headers = headersOf(facts);
    const query = queryValues(facts.rawQueryString);
    const identity = identityValues(auth.identitySource ?? [], {
      header: (n) => headers.get(n)?.join(','),
      query: (n) => query.get(n)?.join(','),
      context: (n) => contextVariable(n, facts, routeFacts),
      stageVariable: (n) => facts.stageVariables?.[n],
    });
    if (!identity) return { kind: 'unauthorized' };
    const scope = `${api.apiId}/${auth.authorizerId}`;
    const routeArn = `${executeApiArn(api.region, this.o.lambda.account, api.apiId)}/${facts.stage}/${facts.method}${pathBelowStage(facts)}`;
    const v2 = (auth.authorizerPayloadFormatVersion ?? '2.0') === '2.0';
    let result = this.cache.get(scope, identity);
    const cached = result !== undefined;
    if (result === undefined) {
      const functionArn = lambdaArnOfUri(auth.authorizerUri);
      if (!functionArn) return { kind: 'error', error: `authorizer ${auth.authorizerId} names no Lambda function` };
      const event = v2
        ? buildAuthorizerEventV2(facts, routeFacts, routeArn, identity)
        : { ...buildEventV1(facts, routeFacts), type: 'REQUEST', methodArn: routeArn, identitySource: identity.join(','), authorizationToken: identity.join(',') };
      const sourceArn = `${executeApiArn(api.region, this.o.lambda.account, api.apiId)}/authorizers/${auth.authorizerId}`;
      this.o.record?.({ requestId: facts.requestId, apiId: api.apiId, routeKey: routeFacts.routeKey, function: functionArn.split(':')[6] ?? functionArn, kind: 'authorizer', payloadFormatVersion: v2 ? '2.0' : '1.0', event, at: this.o.clock.now() });
      const call = this.o.lambda.invokeForApiGateway(functionArn, sourceArn, JSON.stringify(event), facts.requestId);
      if ('refused' in call) {
        this.o.log(`APIGW ${api.apiId} cannot invoke authorizer ${functionArn}: ${call.refused}`);
        return { kind: 'error', error: call.refused.startsWith('Function not found') ? call.refused : PERMISSION_ERROR };
      }
      const out = await call.pending;
      if (!out.ok) return { kind: 'error', error: `the authorizer function failed: ${functionErrorMessage(out)}` };
      result = out.payload;
    }
    const decision = readAuthorizerResult(result, { simple: v2 && auth.enableSimpleResponses === true, routeArn });
    if ('error' in decision) return { kind: 'error', error: decision.error };
    if (!cached) this.cache.put(scope, identity, auth.authorizerResultTtlInSeconds ?? 0, result);
    if (!decision.allow) return { kind: 'forbidden' };
    return { kind: 'allow', context: decision.context, principalId: decision.principalId };
  }

  /** Races an integration against its timeoutInMillis on the emulator Clock; the integration runs on. */
  private withTimeout<T>(integration: Integration, work: Promise<T>): Promise<T | 'timeout'> {
    this.waiting++;
    return new Promise<T | 'timeout'>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        this.waiting--;
        this.o.clock.clearTimeout(timer);
        return true;
      };
      const timer: TimerHandle = this.o.clock.setTimeout(() => settle() && resolve('timeout'), timeoutOf(integration));
      work.then(
        (v) => settle() && resolve(v),
        (err: unknown) => settle() && reject(err),
      );
    });
  }

  private sendMessage(res: ServerResponse, requestId: string, status: number, message: string, extra: Array<[string, string]> = []): void {
    const r = messageResponse(status, message);
    send(res, status, [...r.headers, ...extra, ['apigw-requestid', requestId]], r.body);
  }
}

function timeoutOf(integration: Integration): number {
  return integration.timeoutInMillis || DEFAULT_INTEGRATION_TIMEOUT_MS;
}

/** The request path below the stage (what an authorizer's routeArn ends with). */
function pathBelowStage(facts: RequestFacts): string {
  const stagePrefix = facts.stage === '$default' ? '' : `/${facts.stage}`;
  return facts.rawPath.startsWith(`${stagePrefix}/`) ? facts.rawPath.slice(stagePrefix.length) : facts.rawPath;
}

/** `$context.<name>` identity sources: the request context variables API Gateway offers. */
function contextVariable(name: string, facts: RequestFacts, route: RouteFacts): string | undefined {
  const vars: Record<string, string> = {
    apiId: facts.apiId,
    accountId: facts.accountId,
    domainName: facts.domainName,
    httpMethod: facts.method,
    path: facts.rawPath,
    protocol: facts.protocol,
    requestId: facts.requestId,
    routeKey: route.routeKey,
    stage: facts.stage,
    'identity.sourceIp': facts.sourceIp,
  };
  return vars[name];
}

function functionErrorMessage(out: Outcome): string {
  try {
    const e = JSON.parse(out.payload) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof e.errorMessage === 'string') return e.errorMessage;
  } catch {
    /* not JSON */
  }
  return out.timedOut ? 'Task timed out' : (out.errorType ?? 'Unhandled');
}

function isMap(v: Json | undefined): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
