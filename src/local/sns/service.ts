/**
 * The SNS service (Query protocol; protocol-agnostic inputs/outputs shaped like the model members).
 * Publishing and delivery live in publish.ts and http-delivery.ts.
 *
 * Fidelity ledger
 * - Supported: topics (standard, FIFO), subscriptions (sqs, lambda, http/https with confirmation),
 *   attributes with subscription counts, tags, filter policies (both scopes, AWS validation), Publish and
 *   PublishBatch with fan-out to SQS through the SQS service, queue policies enforced as on AWS, raw
 *   delivery, FIFO dedup and ordering, MessageStructure=json, HTTP retries with the delivery policy,
 *   subscription DLQs (RedrivePolicy), lambda delivery (an async invoke with AWS's SNS event, queued in the
 *   publish transaction; the function's resource policy must allow sns.amazonaws.com, as on AWS).
 * - Signatures verify as AWS documents: SigningCertURL serves a self-signed X.509 certificate
 *   (certificate.ts) for the signing key; SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA, topic
 *   attribute) on notifications, Subscription- and UnsubscribeConfirmations. Standard verifiers accept
 *   them (test/interop/sns-signature.test.mjs: Node's X509Certificate, sns-validator unmodified).
 * - As AWS (recorded): subscribing a well-formed ARN of a queue that does not exist succeeds (deliveries
 *   to it fail); an invalid PublishBatch entry fails the whole request, so `Failed` is always empty here;
 *   a FIFO queue subscribed to a FIFO topic assigns its own SequenceNumber (not the envelope's); a standard
 *   topic's MessageGroupId reaches standard queues; RedrivePolicy/FilterPolicy syntax errors end with
 *   Jackson's REDACTED source location; CreateTopic with a subset of the topic's tags (or none) returns it;
 *   a topic DeliveryPolicy is stored with disableSubscriptionOverrides added and null keys dropped;
 *   Publish to a platform endpoint ARN that does not exist and to a non-E.164 PhoneNumber are refused
 *   with AWS's texts.
 * - Regions (as AWS): topics are regional; a request's region is its SigV4 credential scope's (unsigned:
 *   us-east-1). CreateTopic makes an ARN of that region, ListTopics/ListSubscriptions list that region's,
 *   and a TopicArn/TargetArn/ResourceArn of another region is "Invalid parameter: TopicArn" (400, the
 *   parameter's name; LocalStack's provider answers the same). Delivery to a queue of another region
 *   works, as on AWS.
 * - Deliberately different: SigningCertURL is `https://<host the client called>:<ephemeral port>/_svl/sns/
 *   SimpleNotificationService-svl.pem` (the emulator's own https listener, cert-server.ts; the http port
 *   serves the same file at the same path), not sns.<region>.amazonaws.com: verifiers need their host
 *   pattern widened (sns-validator's first argument) and the https listener's certificate trusted
 *   (NODE_EXTRA_CA_CERTS=<state dir>/sns-https-cert.pem, or GET /_svl/sns/https-cert.pem). The signing key
 *   is RSA-1024 (AWS's is 2048 bits; no verifier checks the size, and it is a seventh of the CPU;
 *   signing-key.ts), its certificate names CN=sns.amazonaws.com. Durable emulators keep keys and
 *   certificates in the state directory; in-memory ones make them per process, on first use. The port changes across restarts. email, sms, application and
 *   firehose subscriptions are stored but never deliver; of the topic Policy only SNS:Publish is
 *   enforced, and only for a caller whose access key id is a 12-digit account id (any other key is the
 *   owner; permissions.ts); data protection policies are stored and returned, never applied; platform
 *   applications/endpoints and the SMS operations are validated and stored, nothing is pushed or texted:
 *   a publish to an endpoint or a phone number is logged and answers a MessageId, sandbox OTPs go to the
 *   log, the account stays in the SMS sandbox with no origination numbers (platform.ts, sms.ts); platform
 *   application and endpoint ARNs are us-east-1's whatever the caller's region. An UnsubscribeConfirmation
 *   is sent once (no retries) and its SubscribeURL cannot restore the deleted subscription.
 * - Not yet supported: message archiving/replay.
 * - UNVERIFIED: error texts for non-SQS protocols on FIFO topics and for reserved attribute names;
 *   whether every kind of invalid batch entry (not only the recorded ones) fails the whole request; where
 *   defaultSicklyRetryPolicy/defaultThrottlePolicy sit in a normalised DeliveryPolicy; Jackson columns of
 *   syntax errors other than unexpected characters and unrecognized tokens; the text for a
 *   TargetArn/ResourceArn of another region; the texts marked UNVERIFIED in permissions.ts,
 *   data-protection.ts, platform.ts and sms.ts (the cross-account AuthorizationError, sandbox-number and
 *   OTP errors among them).
 *
 * Platform applications, SMS and data protection (platform.ts, sms.ts, data-protection.ts) are imported by
 * the first request of theirs (`optionalParts`), not at start: the emulator's first answer does not wait
 * for modules most emulators never use. What they store needs nothing at start, so loading them late
 * changes no behaviour. So is the filter-policy engine (filter-policies.ts): by the first Subscribe or
 * SetSubscriptionAttributes that needs it, or by `prepare` when a stored subscription has a FilterPolicy.
 */
import { NO_JOURNAL, type JournalSink } from '../journal/journal.js';
import { defaultTopicStatement } from '../../domain/topic-policy.js';
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { SqsService } from '../sqs/service.js';
import type { LogFn } from '../log.js';
import { AwsError } from '../../domain/aws-error.js';
import * as E from './errors.js';
import { SnsRegistry, type Subscription, type Topic } from './registry.js';
import { DEFAULT_DELIVERY_POLICY, PAGE_SIZE, PROTOCOLS, SUBSCRIPTION_SETTABLE, TOPIC_SETTABLE } from './constants.js';
import { validateSubscriptionAttribute } from './subscription-attributes.js';
import { attributeNeedsFilterPolicies, filterPoliciesLoaded, loadFilterPolicies } from './filter-policies.js';
import { Publisher } from './publish.js';
import { HttpDelivery, topicHttpPolicy } from './http-delivery.js';
import { SnsPermissions } from './permissions.js';
import type { SnsDataProtection } from './data-protection.js';
import type { SnsPlatform } from './platform.js';
import type { SnsSms } from './sms.js';
import { DATA_PROTECTION_OPERATIONS, PLATFORM_OPERATIONS, SMS_OPERATIONS } from './constants.js';
import {
  arnParts,
  createsWithDataProtection,
  optString as str,
  publishesToEndpoint,
  publishesToPhone,
  reqString as req,
  type Input,
  type Output,
} from './ops-common.js';

export type { Input, Output } from './ops-common.js';

export interface SnsContext {
  requestId: string;
  /** Origin of the emulator as the client called it, for SubscribeURL/UnsubscribeURL. */
  baseUrl: string;
  traceHeader?: string;
  /** The caller's account when its access key id names one (12 digits); else the emulator's own. See permissions.ts. */
  callerAccount?: string;
  /** The request's region (its SigV4 credential scope); undefined = unsigned, the default region. */
  region?: string;
  /** The journal event that led to this call: an S3 notification's, or a Lambda destination / dead-letter delivery's. */
  cause?: number;
}

/** Parameters naming a topic, checked against the request's region before any operation runs. */
const REGIONAL_ARN_PARAMS = ['TopicArn', 'TargetArn', 'ResourceArn'];

type Handler = (input: Input, ctx: SnsContext) => Output | Promise<Output>;

/** SNS's occasional parts, made by their first request (see the header). */
export interface SnsOptionalParts {
  readonly platform: SnsPlatform;
  readonly sms: SnsSms;
  readonly dataProtection: SnsDataProtection;
}

/** The Lambda service as SNS sees it (set by the emulator once both exist). */
export interface SnsLambdaTarget {
  /**
   * Queues an asynchronous invocation of `functionArn` with `event` (inside the caller's transaction).
   * Returns why it was refused (no such function, the function policy does not allow the topic), else undefined.
   */
  invokeFromSns(functionArn: string, event: string, topicArn: string, cause?: number): string | undefined;
}

export interface SnsServiceOptions {
  db: Db;
  clock: Clock;
  sqs: SqsService;
  region?: string;
  account?: string;
  log?: LogFn;
}


export class SnsService {
  readonly registry: SnsRegistry;
  readonly region: string;
  readonly account: string;
  readonly publisher: Publisher;
  readonly http: HttpDelivery;
  readonly log: LogFn;
  /** Where every publish and delivery is recorded (the emulator attaches its journal). */
  journal: JournalSink = NO_JOURNAL;
  /** Delivery target of `lambda` subscriptions; without it they are stored but never deliver. */
  lambda?: SnsLambdaTarget;
  readonly permissions: SnsPermissions;
  private readonly ops: Record<string, Handler>;
  private optional: Promise<SnsOptionalParts & { ops: Record<string, Handler> }> | undefined;

  constructor(readonly opts: SnsServiceOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.account = opts.account ?? '000000000000';
    this.log = opts.log ?? (() => {});
    this.registry = new SnsRegistry(opts.db, opts.clock);
    this.http = new HttpDelivery(this, opts.db, opts.clock);
    this.publisher = new Publisher(this, opts.db, opts.clock, opts.sqs);
    this.permissions = new SnsPermissions(this);
    // An operation of an occasional part loads the parts, then runs as it would have.
    const later = (op: string): Handler => async (i, c) => (await this.loadOptional()).ops[op]!(i, c);
    this.ops = {
      ...this.permissions.ops,
      ...Object.fromEntries([...DATA_PROTECTION_OPERATIONS, ...PLATFORM_OPERATIONS, ...SMS_OPERATIONS].map((op) => [op, later(op)])),
      // CreateTopic's DataProtectionPolicy member is checked before the topic is created, stored after.
      CreateTopic: (i, c) =>
        createsWithDataProtection(i)
          ? this.optionalParts().then((p) => p.dataProtection.withCreateTopic(i, () => this.createTopic(i, c)))
          : this.createTopic(i, c),
      DeleteTopic: (i) => this.deleteTopic(i),
      ListTopics: (i, c) => this.listTopics(i, c),
      GetTopicAttributes: (i) => this.getTopicAttributes(i),
      SetTopicAttributes: (i) => this.setTopicAttributes(i),
      Subscribe: (i, c) =>
        Object.keys((i.Attributes ?? {}) as Record<string, unknown>).some(attributeNeedsFilterPolicies)
          ? this.withFilterPolicies(() => this.subscribe(i, c))
          : this.subscribe(i, c),
      ConfirmSubscription: (i, c) => this.confirmSubscription(i, c),
      Unsubscribe: (i, ctx) => this.unsubscribe(i, ctx),
      ListSubscriptions: (i, c) => this.listSubscriptions(i, undefined, this.regionOf(c)),
      ListSubscriptionsByTopic: (i) => this.listSubscriptions(i, this.topicFrom(i, 'TopicArn').arn),
      GetSubscriptionAttributes: (i) => this.getSubscriptionAttributes(i),
      SetSubscriptionAttributes: (i) =>
        attributeNeedsFilterPolicies(String(i.AttributeName)) ? this.withFilterPolicies(() => this.setSubscriptionAttributes(i)) : this.setSubscriptionAttributes(i),
      Publish: (i, c) => {
        if (publishesToEndpoint(i)) return this.optionalParts().then((p) => p.platform.publishToEndpoint(i, c));
        if (publishesToPhone(i)) return this.optionalParts().then((p) => p.sms.publishToPhone(i, c));
        this.permissions.authorizePublish(i, c);
        return this.publisher.publish(i, c);
      },
      PublishBatch: (i, c) => {
        this.permissions.authorizePublish(i, c);
        return this.publisher.publishBatch(i, c);
      },
      TagResource: (i) => this.tagResource(i),
      UntagResource: (i) => this.untagResource(i),
      ListTagsForResource: (i) => ({ Tags: this.topicForTags(i).tags.map((t) => ({ ...t })) }),
    };
  }

  /** Platform applications, SMS and data protection, imported and made by the first call (see the header). */
  optionalParts(): Promise<SnsOptionalParts> {
    return this.loadOptional();
  }

  private loadOptional(): Promise<SnsOptionalParts & { ops: Record<string, Handler> }> {
    return (this.optional ??= (async () => {
      const [{ SnsPlatform }, { SnsSms }, { SnsDataProtection }] = await Promise.all([
        import('./platform.js'),
        import('./sms.js'),
        import('./data-protection.js'),
      ]);
      const { db, clock } = this.opts;
      const platform = new SnsPlatform(this, db, clock);
      const sms = new SnsSms(this, db, clock);
      const dataProtection = new SnsDataProtection(this, db);
      return { platform, sms, dataProtection, ops: { ...platform.ops, ...sms.ops, ...dataProtection.ops } };
    })());
  }

  hasOperation(op: string): boolean {
    return Object.hasOwn(this.ops, op);
  }

  /**
   * An operation called by the emulator itself (a Lambda destination, an S3 notification): run at once, in
   * its own transaction (or the caller's).
   */
  async call(op: string, input: Input, ctx: SnsContext): Promise<Output> {
    return this.dispatch(op, input, ctx);
  }

  /**
   * An operation a client sent over HTTP. Publish and PublishBatch are group-committed with the SQS
   * message operations of the same turn (the SQS service's GroupCommit, so a publish's fan-out into SQS
   * and the SQS requests beside it are one transaction, not two flushes): each in its own savepoint,
   * failing alone, answered only once that transaction has committed.
   */
  async request(op: string, input: Input, ctx: SnsContext): Promise<Output> {
    // Synchronous inside the group, so that a publish that throws rolls its savepoint back.
    if (op === 'Publish' || op === 'PublishBatch') return this.opts.sqs.commits.run(() => this.dispatch(op, input, ctx));
    return this.dispatch(op, input, ctx);
  }

  private dispatch(op: string, input: Input, ctx: SnsContext): Output | Promise<Output> {
    const h = this.ops[op];
    if (!h) throw E.notSupported(op);
    if (op !== 'ConfirmSubscription') this.checkRegion(input, ctx);
    return h(input, ctx);
  }

  /** Runs `op` once the filter-policy engine is loaded (at once when it is). */
  private withFilterPolicies(op: () => Output): Output | Promise<Output> {
    return filterPoliciesLoaded() ? op() : loadFilterPolicies().then(op);
  }

  /**
   * Loads what start() and the stored subscriptions need: the filter-policy engine, unless
   * `deferFilterPolicies` and no stored subscription has a FilterPolicy (then the first request that needs
   * it loads it).
   */
  async prepare(deferFilterPolicies: boolean): Promise<void> {
    if (deferFilterPolicies && !this.registry.needsFilterPolicies()) return;
    await loadFilterPolicies();
    this.registry.compileStoredFilters();
  }

  start(): void {
    this.http.resume();
  }

  attachLambda(target: SnsLambdaTarget): void {
    this.lambda = target;
  }

  stop(): void {
    this.http.stop();
    this.registry.stopDeferringStats();
  }

  topicArn(name: string, region = this.region): string {
    return `arn:aws:sns:${region}:${this.account}:${name}`;
  }

  private regionOf(ctx: Pick<SnsContext, 'region'>): string {
    return ctx.region ?? this.region;
  }

  /** A well-formed topic ARN of another region than the request's is InvalidParameter (as AWS). */
  private checkRegion(input: Input, ctx: SnsContext): void {
    const region = this.regionOf(ctx);
    for (const param of REGIONAL_ARN_PARAMS) {
      const v = input[param];
      if (typeof v !== 'string') continue;
      const parts = v.split(':');
      if (parts.length >= 6 && parts[0] === 'arn' && parts[2] === 'sns' && parts[3] !== region) throw E.invalidParameter(param);
    }
  }

  /** The topic named by an ARN parameter: malformed ARN -> InvalidParameter, unknown -> NotFound (404). */
  topicFrom(input: Input, param: string): Topic {
    const arn = this.topicArnParam(input, param);
    const t = this.registry.topics.get(arn);
    if (!t) throw E.topicNotFound();
    return t;
  }

  /** A topic or target ARN parameter, checked for shape only (AWS-recorded texts). */
  topicArnShape(input: Input, param: string): string {
    return this.topicArnParam(input, param);
  }

  /** A topic ARN parameter, checked for shape only (AWS-recorded texts). */
  private topicArnParam(input: Input, param: string): string {
    const arn = req(input, param);
    const parts = arnParts(arn, param);
    if (parts[0] !== 'arn' || parts[2] !== 'sns') throw E.invalidParameter(`${param} Reason: A ${param === 'TargetArn' ? 'target' : 'topic'} ARN must be an SNS ARN`);
    return arn;
  }

  private createTopic(input: Input, ctx: SnsContext): Output {
    const name = str(input, 'Name') ?? '';
    const rawAttrs = (input.Attributes ?? {}) as Record<string, unknown>;
    if (typeof rawAttrs !== 'object' || Array.isArray(rawAttrs)) throw E.invalidParameter('Attributes');
    const fifo = String(rawAttrs.FifoTopic ?? 'false').toLowerCase() === 'true';
    const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
    // AWS-recorded (test_create_topic_name_constraints): every name violation, including a `.fifo`
    // suffix without FifoTopic=true and FifoTopic=true without the suffix, reads "Topic Name".
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(base) || name.length > 256 || fifo !== name.endsWith('.fifo')) {
      throw E.invalidParameter('Topic Name');
    }
    const attrs = this.validateTopicAttributes(rawAttrs, fifo, true);
    const tags = parseTags(input.Tags);
    const arn = this.topicArn(name, this.regionOf(ctx));
    const existing = this.registry.topics.get(arn);
    if (existing) {
      for (const [k, v] of Object.entries(attrs)) {
        if ((existing.attrs[k] ?? defaultTopicAttribute(k, existing.fifo)) !== v) {
          throw E.invalidParameter('Attributes Reason: Topic already exists with different attributes');
        }
      }
      // The same tags, a subset of them or none return the topic; any other tag is refused (AWS-recorded
      // test_create_duplicate_topic_check_idempotency, test_create_duplicate_topic_with_more_tags).
      if (tags.some((tag) => !existing.tags.some((e) => e.Key === tag.Key && e.Value === tag.Value))) {
        throw E.invalidParameter('Tags Reason: Topic already exists with different tags');
      }
      return { TopicArn: arn };
    }
    this.registry.createTopic({ arn, name, fifo, attrs, tags });
    this.log(`SNS create ${name}${fifo ? ' (fifo)' : ''}`);
    return { TopicArn: arn };
  }

  private validateTopicAttributes(raw: Record<string, unknown>, fifo: boolean, creating: boolean): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, rv] of Object.entries(raw)) {
      const v = String(rv);
      if (!TOPIC_SETTABLE.has(k)) throw E.invalidParameter('AttributeName');
      switch (k) {
        case 'FifoTopic':
          if (!creating) throw E.invalidParameter('AttributeName');
          if (v !== 'true' && v !== 'false') throw E.invalidParameter('FifoTopic: Invalid value [' + v + ']. Must be true or false.');
          if (v === 'true') out[k] = 'true';
          continue;
        case 'ContentBasedDeduplication':
          if (!fifo) throw E.invalidParameter('ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics');
          if (v !== 'true' && v !== 'false') throw E.invalidParameter(`ContentBasedDeduplication: Invalid value [${v}]. Must be true or false.`);
          break;
        case 'SignatureVersion':
          if (v !== '1' && v !== '2') throw E.invalidParameter(`SignatureVersion: Invalid value [${v}]. Must be 1 or 2.`);
          break;
        case 'TracingConfig':
          if (v !== 'PassThrough' && v !== 'Active') throw E.invalidParameter(`TracingConfig: Invalid value [${v}]. Must be PassThrough or Active.`);
          break;
        case 'DeliveryPolicy':
          if (v !== '') {
            out[k] = normaliseTopicDeliveryPolicy(v);
            continue;
          }
          break;
        case 'Policy':
        case 'DataProtectionPolicy':
        case 'ArchivePolicy':
          if (v !== '') {
            try {
              const p = JSON.parse(v) as unknown;
              if (!p || typeof p !== 'object') throw new Error('not an object');
            } catch {
              throw E.invalidParameter(`${k}: failed to parse JSON.`);
            }
          }
          break;
      }
      out[k] = v;
    }
    if (fifo && creating) out.FifoTopic = 'true';
    return out;
  }

  private deleteTopic(input: Input): Output {
    const arn = this.topicArnParam(input, 'TopicArn');
    const t = this.registry.topics.get(arn);
    if (t) {
      for (const sub of this.registry.subscriptionsOf(t.arn)) this.http.unsubscribed(sub);
      this.registry.deleteTopic(t);
      this.log(`SNS delete ${t.name}`);
    }
    return {}; // AWS: deleting a topic that does not exist succeeds
  }

  private listTopics(input: Input, ctx: SnsContext): Output {
    const region = this.regionOf(ctx);
    const all = [...this.registry.topics.keys()].filter((arn) => arn.split(':')[3] === region);
    const { page, next } = paginate(all, str(input, 'NextToken'));
    const out: Output = { Topics: page.map((TopicArn) => ({ TopicArn })) };
    if (next) out.NextToken = next;
    return out;
  }

  private getTopicAttributes(input: Input): Output {
    const t = this.topicFrom(input, 'TopicArn');
    const subs = this.registry.subscriptionsOf(t.arn);
    const attrs: Record<string, string> = {
      Policy: t.attrs.Policy ?? defaultTopicPolicy(t.arn, this.account),
      Owner: this.account,
      SubscriptionsPending: String(subs.filter((s) => !s.confirmed).length),
      TopicArn: t.arn,
      EffectiveDeliveryPolicy: JSON.stringify(mergeDeliveryPolicy(t.attrs.DeliveryPolicy)),
      SubscriptionsConfirmed: String(subs.filter((s) => s.confirmed).length),
      DisplayName: t.attrs.DisplayName ?? '',
      SubscriptionsDeleted: String(this.registry.deletedCount.get(t.arn) ?? 0),
    };
    for (const [k, v] of Object.entries(t.attrs)) if (k !== 'Policy' && k !== 'DisplayName') attrs[k] = v;
    if (t.fifo) {
      attrs.FifoTopic = 'true';
      attrs.ContentBasedDeduplication = t.attrs.ContentBasedDeduplication ?? 'false';
    }
    return { Attributes: attrs };
  }

  private setTopicAttributes(input: Input): Output {
    const t = this.topicFrom(input, 'TopicArn');
    const name = req(input, 'AttributeName');
    const value = str(input, 'AttributeValue') ?? '';
    const v = this.validateTopicAttributes({ [name]: value }, t.fifo, false);
    const next = { ...t.attrs, ...v };
    if (value === '' && name !== 'DisplayName') delete next[name];
    this.registry.setTopicAttributes(t, next);
    return {};
  }

  private subscribe(input: Input, ctx: SnsContext): Output {
    const t = this.topicFrom(input, 'TopicArn');
    const protocol = req(input, 'Protocol');
    if (!PROTOCOLS.has(protocol)) throw E.invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
    const endpoint = str(input, 'Endpoint') ?? '';
    this.validateEndpoint(t, protocol, endpoint);
    const rawAttrs = (input.Attributes ?? {}) as Record<string, unknown>;
    const attrs: Record<string, string> = {};
    const scope = String(rawAttrs.FilterPolicyScope ?? 'MessageAttributes');
    for (const [k, rv] of Object.entries(rawAttrs)) {
      if (!SUBSCRIPTION_SETTABLE.has(k)) throw E.invalidParameter('Attributes Reason: AttributeName');
      attrs[k] = validateSubscriptionAttribute(protocol, k, String(rv), 'Subscribe', scope, { topicFifo: t.fifo, endpoint });
    }
    // An empty FilterPolicy (or RedrivePolicy, DeliveryPolicy) sets nothing: the key stays absent (AWS-recorded
    // test_create_subscriptions_with_attributes: FilterPolicy "" -> no FilterPolicy, no FilterPolicyScope).
    for (const k of ['FilterPolicy', 'RedrivePolicy', 'DeliveryPolicy']) if (attrs[k] === '') delete attrs[k];
    // AWS keeps a FilterPolicyScope set without a FilterPolicy but only reports it once a FilterPolicy exists (AWS-recorded).
    const existing = this.registry.subscriptionsOf(t.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing) {
      // Idempotent when every given attribute equals the stored one or its default (AWS-recorded
      // test_subscribe_idempotency: RawMessageDelivery "True" then "true", FilterPolicyScope MessageAttributes).
      for (const [k, v] of Object.entries(attrs)) {
        if ((existing.attrs[k] ?? SUBSCRIPTION_DEFAULTS[k] ?? '') !== v) {
          throw E.invalidParameter('Attributes Reason: Subscription already exists with different attributes');
        }
      }
      return { SubscriptionArn: existing.confirmed || input.ReturnSubscriptionArn === true ? existing.arn : 'pending confirmation' };
    }
    const arn = `${t.arn}:${randomUUID()}`;
    const needsConfirmation = protocol === 'http' || protocol === 'https' || protocol.startsWith('email');
    const token = needsConfirmation ? randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '') : null;
    const sub = this.registry.createSubscription({
      arn,
      topicArn: t.arn,
      protocol,
      endpoint,
      attrs,
      confirmed: !needsConfirmation,
      token,
    });
    this.log(`SNS subscribe ${t.name} -> ${protocol}:${endpoint}${needsConfirmation ? ' (pending confirmation)' : ''}`);
    if (needsConfirmation && (protocol === 'http' || protocol === 'https')) this.http.sendConfirmation(t, sub, ctx.baseUrl);
    if (needsConfirmation && input.ReturnSubscriptionArn !== true) return { SubscriptionArn: 'pending confirmation' };
    return { SubscriptionArn: arn };
  }

  private validateEndpoint(t: Topic, protocol: string, endpoint: string): void {
    // FIFO topics deliver to SQS queues only (AWS docs, "FIFO topics"); the error text is UNVERIFIED.
    if (t.fifo && protocol !== 'sqs') throw E.invalidParameter('Invalid protocol type: ' + protocol);
    if (protocol === 'sqs') {
      const m = /^arn:aws:sqs:[a-z0-9-]+:\d{12}:([A-Za-z0-9_.-]+)$/.exec(endpoint);
      if (!m) throw E.invalidParameter('SQS endpoint ARN');
      // AWS-recorded (test_subscribe_unknown_sqs_queue): a well-formed ARN of a queue that does not exist
      // is accepted; deliveries to it fail later. A FIFO queue is recognised by its name.
      if (m[1]!.endsWith('.fifo') && !t.fifo) throw E.invalidParameter('Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
    } else if (protocol === 'http' || protocol === 'https') {
      let u: URL;
      try {
        u = new URL(endpoint);
      } catch {
        throw E.invalidParameter('Endpoint must match the specified protocol');
      }
      if (u.protocol !== `${protocol}:`) throw E.invalidParameter('Endpoint must match the specified protocol');
    } else if (protocol === 'lambda') {
      if (!/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/.test(endpoint)) {
        throw E.invalidParameter('Lambda endpoint ARN');
      }
    } else if (!endpoint) {
      throw E.invalidParameter('Endpoint');
    }
  }

  /**
   * AWS-recorded (test_subscribe_external_http_endpoint, test_sns_confirm_subscription_wrong_token): a
   * malformed TopicArn or one of another region is "Invalid parameter: Topic"; the token alone finds the
   * subscription (a well-formed ARN of another topic still confirms it); a token that is not hex is
   * "Invalid token", an unknown one "Invalid parameter: Token". The SubscribeURL is an unsigned GET (on
   * AWS its host names the region): unsigned, the TopicArn's own region is the request's.
   */
  private confirmSubscription(input: Input, ctx: SnsContext): Output {
    const topicArn = str(input, 'TopicArn') ?? '';
    const parts = topicArn.split(':');
    if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sns' || parts[3] !== (ctx.region ?? (parts[3] || this.region))) throw E.invalidParameter('Topic');
    const token = str(input, 'Token') ?? '';
    if (!/^[0-9a-f]+$/i.test(token)) throw new AwsError('InvalidParameter', 'Invalid token');
    const sub = [...this.registry.subs.values()].find((s) => s.token === token);
    if (!sub) throw E.invalidParameter('Token');
    if (!sub.confirmed) {
      this.registry.confirm(sub);
      this.http.confirmed(sub);
      this.log(`SNS confirmed ${sub.protocol}:${sub.endpoint}`);
    }
    return { SubscriptionArn: sub.arn };
  }

  private unsubscribe(input: Input, ctx: SnsContext): Output {
    const arn = subscriptionArnParam(input);
    const sub = this.registry.subs.get(arn);
    if (sub) {
      this.registry.deleteSubscription(sub);
      this.http.unsubscribed(sub);
      if (sub.confirmed && (sub.protocol === 'http' || sub.protocol === 'https')) this.http.sendUnsubscribeConfirmation(sub, ctx.baseUrl);
    }
    return {};
  }

  private listSubscriptions(input: Input, topicArn: string | undefined, region?: string): Output {
    const subs = topicArn ? this.registry.subscriptionsOf(topicArn) : [...this.registry.subs.values()].filter((s) => s.topicArn.split(':')[3] === region);
    const { page, next } = paginate(subs, str(input, 'NextToken'));
    const out: Output = {
      Subscriptions: page.map((s) => ({
        SubscriptionArn: s.confirmed ? s.arn : 'PendingConfirmation',
        Owner: this.account,
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        TopicArn: s.topicArn,
      })),
    };
    if (next) out.NextToken = next;
    return out;
  }

  subscriptionFrom(input: Input): Subscription {
    const arn = subscriptionArnParam(input);
    const s = this.registry.subs.get(arn);
    if (!s) throw E.subscriptionNotFound();
    return s;
  }

  private getSubscriptionAttributes(input: Input): Output {
    const s = this.subscriptionFrom(input);
    const attrs: Record<string, string> = {
      ConfirmationWasAuthenticated: s.confirmed ? 'true' : 'false',
      Endpoint: s.endpoint,
      Owner: this.account,
      PendingConfirmation: s.confirmed ? 'false' : 'true',
      Protocol: s.protocol,
      RawMessageDelivery: s.attrs.RawMessageDelivery ?? 'false',
      SubscriptionArn: s.arn,
      SubscriptionPrincipal: `arn:aws:iam::${this.account}:user/svl`,
      TopicArn: s.topicArn,
    };
    for (const [k, v] of Object.entries(s.attrs)) {
      if (k === 'FilterPolicyScope' && !s.attrs.FilterPolicy) continue;
      if (v === '' && (k === 'FilterPolicy' || k === 'RedrivePolicy' || k === 'DeliveryPolicy')) continue; // unset: absent, not ""
      attrs[k] = v;
    }
    if (s.attrs.FilterPolicy && !s.attrs.FilterPolicyScope) attrs.FilterPolicyScope = 'MessageAttributes';
    if (s.protocol === 'http' || s.protocol === 'https') {
      attrs.EffectiveDeliveryPolicy = JSON.stringify(this.http.effectivePolicy(s));
    }
    return { Attributes: attrs };
  }

  private setSubscriptionAttributes(input: Input): Output {
    const s = this.subscriptionFrom(input);
    const name = req(input, 'AttributeName');
    if (!SUBSCRIPTION_SETTABLE.has(name)) throw E.invalidParameter('AttributeName');
    const value = str(input, 'AttributeValue') ?? '';
    const next = { ...s.attrs };
    if (value === '' && (name === 'FilterPolicy' || name === 'RedrivePolicy' || name === 'DeliveryPolicy')) {
      delete next[name];
      if (name === 'FilterPolicy') delete next.FilterPolicyScope; // AWS-recorded: both disappear
    } else {
      const topicFifo = s.topicArn.endsWith('.fifo');
      next[name] = validateSubscriptionAttribute(s.protocol, name, value, 'SetSubscriptionAttributes', name === 'FilterPolicy' ? (s.attrs.FilterPolicyScope ?? 'MessageAttributes') : value, { topicFifo, endpoint: s.endpoint });
      if (name === 'FilterPolicyScope' && s.attrs.FilterPolicy) {
        // Re-validate the existing policy under the new scope.
        validateSubscriptionAttribute(s.protocol, 'FilterPolicy', s.attrs.FilterPolicy, 'SetSubscriptionAttributes', value);
      }
    }
    this.registry.setSubscriptionAttributes(s, next);
    return {};
  }

  private topicForTags(input: Input): Topic {
    const arn = req(input, 'ResourceArn');
    const t = this.registry.topics.get(arn);
    if (!t) throw E.resourceNotFound();
    return t;
  }

  private tagResource(input: Input): Output {
    const t = this.topicForTags(input);
    const tags = parseTags(input.Tags);
    if (new Set(tags.map((x) => x.Key)).size < tags.length) throw E.invalidParameter('Duplicated keys are not allowed.'); // AWS-recorded
    const merged = new Map(t.tags.map((x) => [x.Key, x.Value]));
    for (const x of tags) merged.set(x.Key, x.Value);
    if (merged.size > 50) throw E.tagPolicy('Could not complete request: tag quota of per resource exceeded');
    this.registry.setTopicTags(t, [...merged].map(([Key, Value]) => ({ Key, Value })));
    return {};
  }

  private untagResource(input: Input): Output {
    const t = this.topicForTags(input);
    const keys = input.TagKeys;
    if (!Array.isArray(keys)) throw E.invalidParameter('TagKeys');
    this.registry.setTopicTags(t, t.tags.filter((x) => !keys.includes(x.Key)));
    return {};
  }

  /** Counters for svl's own status views (AWS reports these through CloudWatch). */
  stats(): Array<{ topic: string } & Topic['stats']> {
    return [...this.registry.topics.values()].map((t) => ({ topic: t.name, ...t.stats }));
  }
}

/** Attribute values a subscription has when they were never set (for Subscribe idempotency). */
const SUBSCRIPTION_DEFAULTS: Record<string, string> = { RawMessageDelivery: 'false', FilterPolicyScope: 'MessageAttributes' };

/** The SubscriptionArn parameter, with AWS's texts for missing and malformed ARNs (AWS-recorded test_unsubscribe_wrong_arn_format). */
function subscriptionArnParam(input: Input): string {
  const arn = str(input, 'SubscriptionArn');
  if (arn === undefined || arn === '') throw E.invalidParameter('SubscriptionArn Reason: no value for required parameter');
  const parts = arnParts(arn, 'SubscriptionArn');
  if (parts.length < 7 || parts[6] === '') throw E.invalidParameter('SubscriptionId');
  return arn;
}

function parseTags(raw: unknown): Array<{ Key: string; Value: string }> {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw E.invalidParameter('Tags');
  return raw.map((t) => {
    const tag = t as { Key?: unknown; Value?: unknown };
    if (typeof tag.Key !== 'string' || tag.Key.length === 0 || tag.Key.length > 128) throw E.invalidParameter('Tags Reason: tag key must be 1 to 128 characters');
    if (typeof tag.Value !== 'string' || tag.Value.length > 256) throw E.invalidParameter('Tags Reason: tag value must be 0 to 256 characters');
    return { Key: tag.Key, Value: tag.Value };
  });
}


function defaultTopicAttribute(name: string, fifo: boolean): string | undefined {
  if (name === 'ContentBasedDeduplication' && fifo) return 'false';
  if (name === 'FifoTopic' && fifo) return 'true';
  if (name === 'DisplayName') return '';
  return undefined;
}

export function defaultTopicPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [defaultTopicStatement(arn, account)],
  });
}

/**
 * EffectiveDeliveryPolicy: the topic's DeliveryPolicy merged member by member over the defaults (a
 * partial `defaultHealthyRetryPolicy` keeps the other defaults; `null` means the default) — AWS-recorded
 * in test_topic_delivery_policy_crud.
 */
function mergeDeliveryPolicy(raw: string | undefined): unknown {
  const d = DEFAULT_DELIVERY_POLICY.http;
  const http = topicHttpPolicy(raw);
  // Unlike the subscription policy's merge (http-delivery.ts), an array member is spread in as it is.
  const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  return {
    http: {
      defaultHealthyRetryPolicy: { ...d.defaultHealthyRetryPolicy, ...obj(http.defaultHealthyRetryPolicy) },
      disableSubscriptionOverrides: typeof http.disableSubscriptionOverrides === 'boolean' ? http.disableSubscriptionOverrides : d.disableSubscriptionOverrides,
      defaultRequestPolicy: { ...d.defaultRequestPolicy, ...obj(http.defaultRequestPolicy) },
    },
  };
}

/** Pages of 100 with an opaque NextToken (the index of the next element). */
function paginate<T>(all: T[], token: string | undefined): { page: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    const n = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(n) || n < 0) throw E.invalidParameter('NextToken');
    start = n;
  }
  const page = all.slice(start, start + PAGE_SIZE);
  const next = start + PAGE_SIZE < all.length ? Buffer.from(String(start + PAGE_SIZE)).toString('base64') : undefined;
  return { page, next };
}

export { AwsError };

/**
 * A topic DeliveryPolicy as AWS stores and returns it (AWS-recorded test_topic_delivery_policy_crud): in
 * its `http` object, keys set to null are dropped and `disableSubscriptionOverrides` (false) is added,
 * keys in AWS's order (defaultHealthyRetryPolicy, disableSubscriptionOverrides, defaultRequestPolicy; the
 * place of defaultSicklyRetryPolicy and defaultThrottlePolicy is UNVERIFIED). Invalid JSON is refused.
 */
function normaliseTopicDeliveryPolicy(v: string): string {
  let p: unknown;
  try {
    p = JSON.parse(v);
  } catch {
    throw E.invalidParameter('DeliveryPolicy: failed to parse JSON.');
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw E.invalidParameter('DeliveryPolicy: failed to parse JSON.');
  const policy = p as Record<string, unknown>;
  const http = policy.http;
  if (!http || typeof http !== 'object' || Array.isArray(http)) return v;
  const given = Object.fromEntries(Object.entries(http as Record<string, unknown>).filter(([, x]) => x !== null));
  const order = ['defaultHealthyRetryPolicy', 'defaultSicklyRetryPolicy', 'defaultThrottlePolicy', 'disableSubscriptionOverrides', 'defaultRequestPolicy'];
  const withDefault = { disableSubscriptionOverrides: false, ...given };
  const out: Record<string, unknown> = {};
  for (const key of order) if (key in withDefault) out[key] = withDefault[key as keyof typeof withDefault];
  for (const [key, x] of Object.entries(withDefault)) if (!(key in out)) out[key] = x;
  return JSON.stringify({ ...policy, http: out });
}
