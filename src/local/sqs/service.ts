/**
 * The SQS service: every operation, protocol-agnostic (inputs and outputs shaped like the JSON 1.0
 * protocol; the Query codec converts). Message mechanics live in messages.ts, move tasks in move-tasks.ts.
 *
 * Fidelity ledger
 * - Supported: all 23 operations; visibility, delays, long polling, retention, redrive (lazy, on receive,
 *   like AWS), RedriveAllowPolicy, FIFO ordering/group locking/dedup (both scopes), fair queues
 *   (MessageGroupId on standard queues), MD5 digests, batch rules, move tasks, AddPermission.
 *   AWS-recorded details (LocalStack's aws.validated tests, named where implemented): a FIFO receive
 *   serves one group's messages together, groups in the order their head became available (sent, or
 *   visible again), also after a visibility timeout, a delete, a partial delete or ChangeMessageVisibility
 *   0; a standard queue returns a message visible again before messages sent after it; dedup ids seen
 *   under the queue scope keep deduplicating in every group after a switch to messageGroup; standard
 *   queues take an earlier receive's receipt handle for ChangeMessageVisibility and DeleteMessage; a bare
 *   queue name is accepted as QueueUrl; accented letters are allowed in message attribute names and
 *   control characters in their values are InvalidParameterValue; JSON answers leave out empty lists and
 *   maps (Failed, Successful, Attributes); over Query, a queue URL without Action is a 404
 *   UnknownOperationException, CreateQueue/ListQueues on a queue URL are InvalidAction, and
 *   `Accept: application/json` gets the JSON form; a long poll wakes when a changed visibility ends inside it.
 * - Deliberately different: short polls see every message (AWS samples a subset of servers); IAM is not
 *   evaluated for SQS callers (any credentials work); KMS attributes are stored but nothing is encrypted;
 *   FifoThroughputLimit / DeduplicationScope are validated and dedup honours the scope, but no throughput
 *   quota is applied; attribute changes apply at once (AWS documents up to 60 s of propagation, and a
 *   recorded queue -> messageGroup DeduplicationScope change still deduplicated a new id across groups
 *   right after it; svl scopes new ids by group at once). ChangeMessageVisibility on a message no longer
 *   in flight answers 200 and does nothing, as AWS does, so MessageNotInflight is never returned. An empty
 *   `Successful` list is left out like `Failed` (only the latter is recorded).
 * - Not yet supported: ReceiveRequestAttemptId replays (accepted and validated, not replayed).
 * - Regions (as AWS): queues are regional; a request's region is its SigV4 credential scope's (unsigned:
 *   us-east-1), ListQueues/GetQueueUrl see that region only, and a QueueUrl that names a region
 *   addresses that region's queue. Deliberately different: AWS's URL host `sqs.<region>.amazonaws.com`
 *   carries the region; svl keeps `<origin>/<account>/<name>` for us-east-1 and uses LocalStack's
 *   path form `<origin>/queue/<region>/<account>/<name>` elsewhere (resolvable with no DNS set-up). A
 *   URL without a region (`<origin>/<account>/<name>`) addresses the request's region, as LocalStack's.
 *   A RedrivePolicy naming a queue of another region is "Dead letter target does not exist." (AWS
 *   requires the DLQ in the same region; UNVERIFIED that AWS words this case the same).
 */
import type { Db } from '../store/db.js';
import { GroupCommit } from '../store/group-commit.js';
import type { Clock } from '../clock.js';
import * as E from './errors.js';
import { QueueRegistry, type Queue } from './queues.js';
import { MessageEngine } from './messages.js';
import { MoveTasks } from './move-tasks.js';
import { effectiveAttribute, intAttribute, validateAttributes } from './attributes.js';
import { reqString, optInt, optString, optStringList, stringMap, type Input } from './input.js';
import { ACCOUNT_ID, ALL_QUEUE_ATTRIBUTES, MAX_LIST_QUEUES, MAX_TAGS, PURGE_INTERVAL_MS, REGION } from './constants.js';
import { parseQueueArn, parseQueueUrl, queueArn, queueUrlPath, validateQueueName } from './model.js';
import { sendOperations } from './send.js';
import { receiveOperations } from './receive.js';

export interface SqsContext {
  requestId: string;
  /** Origin used in queue URLs, from the request's Host header: `http://127.0.0.1:4566`. */
  baseUrl: string;
  /** `X-Amzn-Trace-Id` request header, turned into the AWSTraceHeader system attribute. */
  traceHeader?: string;
  /** Aborted when the client goes away (long polls end without receiving). */
  signal?: AbortSignal;
  /** The request's region (its SigV4 credential scope); undefined = the default region (us-east-1). */
  region?: string;
  /** svl's own consumers (an event source mapping's poller), named in the journal. */
  consumer?: string;
  /** The journal event that led to this call (a Lambda destination or dead-letter delivery): the sent message's cause. */
  cause?: number;
}


export type SqsOutput = Record<string, unknown>;
export type SqsHandler = (input: Input, ctx: SqsContext) => SqsOutput | Promise<SqsOutput>;

export interface SqsServiceOptions {
  db: Db;
  clock: Clock;
  region?: string;
  account?: string;
  log?: (line: string) => void;
}

export class SqsService {
  readonly queues: QueueRegistry;
  readonly messages: MessageEngine;
  readonly moveTasks: MoveTasks;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly account: string;
  /** The message operations of one event-loop turn share one commit (store/group-commit.ts). */
  readonly commits: GroupCommit;
  private readonly ops: Record<string, SqsHandler>;

  constructor(opts: SqsServiceOptions) {
    this.clock = opts.clock;
    this.account = opts.account ?? ACCOUNT_ID;
    this.log = opts.log ?? (() => {});
    this.queues = new QueueRegistry(opts.db, opts.clock, opts.region ?? REGION, this.account);
    this.messages = new MessageEngine(opts.db, opts.clock, this.queues);
    this.moveTasks = new MoveTasks(opts.db, opts.clock, this.queues, this.messages, this.log);
    this.commits = new GroupCommit(opts.db);
    this.messages.group = this.commits;
    this.ops = {
      CreateQueue: (i, c) => this.createQueue(i, c),
      GetQueueUrl: (i, c) => this.getQueueUrl(i, c),
      ListQueues: (i, c) => this.listQueues(i, c),
      DeleteQueue: (i, c) => this.deleteQueue(i, c),
      GetQueueAttributes: (i, c) => this.getQueueAttributes(i, c),
      SetQueueAttributes: (i, c) => this.setQueueAttributes(i, c),
      PurgeQueue: (i, c) => this.purgeQueue(i, c),
      TagQueue: (i, c) => this.tagQueue(i, c),
      UntagQueue: (i, c) => this.untagQueue(i, c),
      ListQueueTags: (i, c) => this.listQueueTags(i, c),
      ListDeadLetterSourceQueues: (i, c) => this.listDeadLetterSourceQueues(i, c),
      AddPermission: (i, c) => this.addPermission(i, c),
      RemovePermission: (i, c) => this.removePermission(i, c),
      StartMessageMoveTask: (i) => this.moveTasks.start(i),
      ListMessageMoveTasks: (i) => this.moveTasks.list(i),
      CancelMessageMoveTask: (i) => this.moveTasks.cancel(i),
      ...sendOperations(this),
      ...receiveOperations(this),
    };
  }

  /** The region of unsigned requests (the registry's: one value, not two copies). */
  get defaultRegion(): string {
    return this.queues.defaultRegion;
  }

  hasOperation(op: string): boolean {
    return Object.hasOwn(this.ops, op);
  }

  /**
   * An operation called by the emulator itself (an event source mapping's poller, a Lambda destination):
   * run at once, in its own transaction, so its journal events follow the work that caused it in the
   * same turn (a mapping's delete right after its invocation completed).
   */
  async call(op: string, input: Input, ctx: SqsContext): Promise<SqsOutput> {
    return this.handler(op, input)(input, ctx);
  }

  /**
   * An operation a client sent over HTTP. The hot path (sends, receives, deletes, visibility changes) is
   * group-committed: answered only once the transaction holding it (and the other such requests of
   * this turn) has committed.
   */
  async request(op: string, input: Input, ctx: SqsContext): Promise<SqsOutput> {
    const handler = this.handler(op, input);
    if (GROUP_COMMITTED.has(op)) return this.commits.run(() => handler(input, ctx));
    return handler(input, ctx);
  }

  private handler(op: string, input: Input): SqsHandler {
    const handler = this.ops[op];
    if (!handler) throw E.invalidAction(op);
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw E.invalidParameterValue('The request body must be a JSON object.');
    return handler;
  }

  /** Resumes background work (move tasks) after a restart. */
  start(): void {
    this.moveTasks.resume();
  }

  stop(): void {
    this.moveTasks.stopAll();
  }

  queueUrl(q: Queue, ctx: Pick<SqsContext, 'baseUrl'>): string {
    return `${ctx.baseUrl}${queueUrlPath(q.region, this.account, q.queueName)}`;
  }

  /**
   * The QueueUrl by which another service of the emulator (SNS, Lambda), as an ordinary SQS caller,
   * addresses the queue of an SQS ARN: it names the ARN's region, so it needs no request region.
   */
  queueUrlOfArn(arn: string, baseUrl = 'http://localhost'): string {
    const p = parseQueueArn(arn);
    if (!p) return `${baseUrl}/${arn}`;
    return `${baseUrl}/queue/${p.region}/${p.account}/${p.name}`;
  }

  private regionOf(ctx: Pick<SqsContext, 'region'>): string {
    return ctx.region ?? this.defaultRegion;
  }

  /**
   * The queue named by `QueueUrl` (any URL whose path ends in `<account>/<name>`, or a bare queue name,
   * which AWS accepts too: LocalStack test_posting_to_queue_via_queue_name, aws.validated), in the region
   * the URL names or else the request's, or QueueDoesNotExist.
   */
  queueFromInput(input: Input, ctx: Pick<SqsContext, 'region'>): Queue {
    const url = reqString(input, 'QueueUrl');
    const bare = BARE_QUEUE_NAME.test(url);
    const p = bare ? undefined : parsedQueueUrl(url);
    const region = p?.region ?? this.regionOf(ctx);
    return this.queues.require(region, bare ? url : p?.name);
  }

  // ---- queues ----

  private createQueue(input: Input, ctx: SqsContext): SqsOutput {
    const name = reqString(input, 'QueueName');
    const region = this.regionOf(ctx);
    const rawAttrs = input.Attributes as Record<string, unknown> | undefined;
    const fifoAttr = rawAttrs && typeof rawAttrs === 'object' ? rawAttrs.FifoQueue : undefined;
    const fifo = String(fifoAttr).toLowerCase() === 'true';
    if (fifoAttr !== undefined && !['true', 'false'].includes(String(fifoAttr).toLowerCase())) {
      throw E.invalidAttributeValue('FifoQueue', 'Must be true or false.');
    }
    validateQueueName(name, fifo);
    const arn = queueArn(name, region, this.account);
    const attrs = validateAttributes(rawAttrs, {
      fifo,
      creating: true,
      queueArn: arn,
      // A dead-letter queue must be in the queue's region: another region's is not found from here.
      lookup: (a) => {
        const q = this.queues.byArn(a);
        return q && q.region === region ? { fifo: q.fifo, allow: q.allow } : undefined;
      },
    });
    const tags = stringMap(input, 'tags') ?? {};
    validateTags(tags);
    const existing = this.queues.find(region, name);
    if (existing) {
      // Idempotent when every given attribute equals the existing queue's value (AWS-recorded).
      for (const [k, v] of Object.entries(attrs)) {
        const current = effectiveAttribute(existing.attrs, k, existing.fifo) ?? '';
        if (!sameAttributeValue(k, current, v)) throw E.queueNameExists(k);
      }
      return { QueueUrl: this.queueUrl(existing, ctx) };
    }
    const q = this.queues.create(region, name, fifo, attrs, tags);
    this.log(`SQS create ${q.name}${fifo ? ' (fifo)' : ''}`);
    return { QueueUrl: this.queueUrl(q, ctx) };
  }

  private getQueueUrl(input: Input, ctx: SqsContext): SqsOutput {
    const name = reqString(input, 'QueueName');
    const owner = optString(input, 'QueueOwnerAWSAccountId');
    if (owner !== undefined && owner !== this.account) throw E.queueDoesNotExist();
    return { QueueUrl: this.queueUrl(this.queues.require(this.regionOf(ctx), name), ctx) };
  }

  private listQueues(input: Input, ctx: SqsContext): SqsOutput {
    const prefix = optString(input, 'QueueNamePrefix') ?? '';
    const maxResults = optInt(input, 'MaxResults', 1, MAX_LIST_QUEUES, 'MaxResults must be an integer between 1 and 1000.');
    const token = optString(input, 'NextToken');
    let after = '';
    if (token !== undefined) {
      try {
        const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
        if (typeof decoded.after !== 'string') throw new Error('bad');
        after = decoded.after;
      } catch {
        throw E.invalidParameter('NextToken', token, 'Invalid or expired next token.');
      }
    }
    const region = this.regionOf(ctx);
    const names = this.queues
      .inRegion(region)
      .map((q) => q.queueName)
      .filter((n) => n.startsWith(prefix) && n > after)
      .sort();
    const limit = maxResults ?? MAX_LIST_QUEUES;
    const page = names.slice(0, limit);
    const out: SqsOutput = {};
    if (page.length) out.QueueUrls = page.map((n) => this.queueUrl(this.queues.require(region, n), ctx));
    if (maxResults !== undefined && names.length > limit) {
      out.NextToken = Buffer.from(JSON.stringify({ after: page[page.length - 1] })).toString('base64');
    }
    return out;
  }

  private deleteQueue(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    this.moveTasks.forgetQueue(q);
    this.queues.delete(q);
    this.messages.notify(q.name);
    this.log(`SQS delete ${q.name}`);
    return {};
  }

  private getQueueAttributes(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    const requested = optStringList(input, 'AttributeNames') ?? [];
    for (const n of requested) if (n !== 'All' && !ALL_QUEUE_ATTRIBUTES.includes(n)) throw E.unknownAttribute(n);
    const names = requested.includes('All') ? ALL_QUEUE_ATTRIBUTES : ALL_QUEUE_ATTRIBUTES.filter((n) => requested.includes(n));
    if (names.length === 0) return {};
    const needsCounts = names.some((n) => n.startsWith('ApproximateNumber'));
    const counts = needsCounts ? this.messages.counts(q) : undefined;
    const out: Record<string, string> = {};
    for (const n of names) {
      let v: string | undefined;
      switch (n) {
        case 'ApproximateNumberOfMessages':
          v = String(counts!.visible);
          break;
        case 'ApproximateNumberOfMessagesNotVisible':
          v = String(counts!.inflight);
          break;
        case 'ApproximateNumberOfMessagesDelayed':
          v = String(counts!.delayed);
          break;
        case 'CreatedTimestamp':
          v = String(Math.floor(q.createdMs / 1000));
          break;
        case 'LastModifiedTimestamp':
          v = String(Math.floor(q.modifiedMs / 1000));
          break;
        case 'QueueArn':
          v = q.arn;
          break;
        default:
          v = effectiveAttribute(q.attrs, n, q.fifo);
      }
      if (v !== undefined) out[n] = v;
    }
    // No `Attributes: {}`: AWS leaves the member out (LocalStack test_sqs_permission_lifecycle, aws.validated).
    return Object.keys(out).length ? { Attributes: out } : {};
  }

  private setQueueAttributes(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    if (input.Attributes === undefined) throw E.missingParameter('Attribute.1.Name');
    const attrs = validateAttributes(input.Attributes, {
      fifo: q.fifo,
      creating: false,
      queueArn: q.arn,
      current: q.attrs,
      lookup: (a) => {
        const d = this.queues.byArn(a);
        return d && d.region === q.region ? { fifo: d.fifo, allow: d.allow } : undefined;
      },
    });
    this.queues.setAttributes(q, attrs);
    return {};
  }

  private purgeQueue(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    const now = this.clock.now();
    if (q.lastPurgeMs !== null && now - q.lastPurgeMs < PURGE_INTERVAL_MS && now >= q.lastPurgeMs) throw E.purgeInProgress(q.name);
    this.messages.purge(q);
    this.queues.markPurged(q, now);
    this.log(`SQS purge ${q.name}`);
    return {};
  }

  private tagQueue(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    const tags = stringMap(input, 'Tags');
    if (!tags || Object.keys(tags).length === 0) throw E.missingParameter('Tags');
    const next = { ...q.tags, ...tags };
    validateTags(next);
    this.queues.setTags(q, next);
    return {};
  }

  private untagQueue(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    const keys = optStringList(input, 'TagKeys');
    if (!keys || keys.length === 0) throw E.missingParameter('TagKeys');
    const next = { ...q.tags };
    for (const k of keys) delete next[k];
    this.queues.setTags(q, next);
    return {};
  }

  private listQueueTags(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    return Object.keys(q.tags).length ? { Tags: { ...q.tags } } : {};
  }

  private listDeadLetterSourceQueues(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    const maxResults = optInt(input, 'MaxResults', 1, 1000, 'MaxResults must be an integer between 1 and 1000.');
    const token = optString(input, 'NextToken');
    const sources = new Map(this.queues.sourcesOf(q).map((s) => [s.arn, s]));
    const names = [...sources.keys()].sort();
    let start = 0;
    if (token !== undefined) {
      const idx = names.indexOf(Buffer.from(token, 'base64').toString('utf8'));
      if (idx < 0) throw E.invalidParameter('NextToken', token, 'Invalid or expired next token.');
      start = idx + 1;
    }
    const limit = maxResults ?? 1000;
    const page = names.slice(start, start + limit);
    const out: SqsOutput = { queueUrls: page.map((n) => this.queueUrl(sources.get(n)!, ctx)) };
    if (maxResults !== undefined && start + limit < names.length) {
      out.NextToken = Buffer.from(page[page.length - 1]!).toString('base64');
    }
    return out;
  }

  /**
   * AddPermission writes a statement (Sid = Label) into the queue's Policy, shaped as AWS records it:
   * `Version` "2008-10-17", `Id` "<queueArn>/SQSDefaultPolicy", and `Principal.AWS` / `Action` a plain
   * string when there is one value, a list otherwise (LocalStack test_sqs_permission_lifecycle, aws.validated).
   */
  private addPermission(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    const label = reqString(input, 'Label');
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) throw E.invalidParameter('Label', label, 'Label can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.');
    const accounts = optStringList(input, 'AWSAccountIds');
    const actions = optStringList(input, 'Actions');
    if (!accounts || accounts.length === 0) throw E.missingParameter('AWSAccountId');
    if (!actions || actions.length === 0) throw E.missingParameter('ActionName');
    const allowed = new Set(['*', 'SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'GetQueueUrl', 'ListDeadLetterSourceQueues', 'PurgeQueue', 'ListQueueTags']);
    for (const a of actions) if (!allowed.has(a)) throw E.invalidParameter('ActionName', a, 'Please refer to the appropriate WSDL for a list of valid actions.');
    const policy = q.attrs.Policy ? (JSON.parse(q.attrs.Policy) as { Version?: string; Id?: string; Statement: unknown }) : { Version: '2008-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [] };
    const statements = policyStatements(policy);
    if (statements.some((s) => s.Sid === label)) throw E.invalidParameter('Label', label, 'Already exists.');
    const one = (list: string[]) => (list.length === 1 ? list[0]! : list);
    statements.push({
      Sid: label,
      Effect: 'Allow',
      Principal: { AWS: one(accounts.map((a) => `arn:aws:iam::${a}:root`)) },
      Action: one(actions.map((a) => `SQS:${a}`)),
      Resource: q.arn,
    } as { Sid: string });
    policy.Statement = statements;
    this.queues.setAttributes(q, { Policy: JSON.stringify(policy) });
    return {};
  }

  /** Removing the last statement removes the Policy attribute altogether (AWS-recorded). */
  private removePermission(input: Input, ctx: SqsContext): SqsOutput {
    const q = this.queueFromInput(input, ctx);
    const label = reqString(input, 'Label');
    const policy = q.attrs.Policy ? (JSON.parse(q.attrs.Policy) as { Statement: unknown }) : undefined;
    const statements = policy ? policyStatements(policy) : [];
    // AWS-recorded text: "Value <label> for parameter Label is invalid. Reason: can't find label."
    if (!statements.some((s) => s.Sid === label)) throw E.invalidParameter('Label', label, "can't find label.");
    const rest = statements.filter((s) => s.Sid !== label);
    this.queues.setAttributes(q, { Policy: rest.length ? JSON.stringify({ ...policy, Statement: rest }) : '' });
    return {};
  }

  /** VisibilityTimeout of a queue in seconds. */
  visibilityTimeout(q: Queue): number {
    return intAttribute(q.attrs, 'VisibilityTimeout');
  }
}

/** The message operations run through `commits`; queue operations are rare and keep their own transactions. */
const GROUP_COMMITTED = new Set([
  'SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessage', 'DeleteMessageBatch', 'ChangeMessageVisibility', 'ChangeMessageVisibilityBatch',
]);

/** Parsed queue URLs: every message operation names one, and parsing it (a WHATWG URL) cost ~2 µs. */
const parsedUrls = new Map<string, ReturnType<typeof parseQueueUrl>>();
function parsedQueueUrl(url: string): ReturnType<typeof parseQueueUrl> {
  if (url.length > 512) return parseQueueUrl(url);
  let p = parsedUrls.get(url);
  if (p === undefined && !parsedUrls.has(url)) {
    p = parseQueueUrl(url);
    if (parsedUrls.size >= 1000) parsedUrls.clear();
    parsedUrls.set(url, p);
  }
  return p;
}

/** A queue name given where a URL is expected: no scheme, no slash. */
const BARE_QUEUE_NAME = /^[A-Za-z0-9_-]+(\.fifo)?$/;

function policyStatements(policy: { Statement?: unknown }): Array<{ Sid?: string }> {
  const st = policy.Statement;
  if (Array.isArray(st)) return st as Array<{ Sid?: string }>;
  return st && typeof st === 'object' ? [st as { Sid?: string }] : [];
}

function sameAttributeValue(name: string, a: string, b: string): boolean {
  if (a === b) return true;
  if (name === 'Policy' || name === 'RedrivePolicy' || name === 'RedriveAllowPolicy') {
    try {
      return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
    } catch {
      return false;
    }
  }
  return false;
}

function validateTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw E.invalidParameterValue(`Too many tags added for queue. Maximum allowed is ${MAX_TAGS}.`);
  for (const [k, v] of Object.entries(tags)) {
    if (k.length === 0 || k.length > 128) throw E.invalidParameterValue(`Tag keys must be between 1 and 128 characters in length.`);
    if (v.length > 256) throw E.invalidParameterValue(`Tag values must be between 0 and 256 characters in length.`);
    if (k.toLowerCase().startsWith('aws:')) throw E.invalidParameterValue(`Tag keys cannot start with the reserved prefix 'aws:'.`);
  }
}
