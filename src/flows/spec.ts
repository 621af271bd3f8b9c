/**
 * The flow spec: a declarative description of a fan-out (one SNS topic, subscriber queues, one DLQ per
 * queue, optional subscription DLQs for what SNS cannot deliver, optional Lambda consumers), validated with every problem listed at once, each with its JSON
 * path. The rules are AWS's (names, limits, FIFO pairing, filter policies through the same validator as
 * the emulator and `svl filter lint`, event source mapping limits): whatever apply would be refused,
 * validation refuses first, so nothing is created halfway. It does not look at what exists (plan does).
 */
import { FLOW_TAG } from '../aws/inventory-model.js';
import { AwsError } from '../domain/aws-error.js';
import { compileFilterPolicy } from '../domain/filter-policy-validate.js';
import { UsageError } from '../errors.js';
import { closest } from './suggest.js';
import { validateApis, type ApiSpec } from './apis.js';
import { validateBuckets, type BucketSpec } from './bucket-spec.js';
import { validateFunctions, type FunctionSpec } from './function-spec.js';

/** The tag that marks what a flow owns: one definition, shared with the inventory. */
export { FLOW_TAG };

export const SPEC_VERSION = 1;

export interface DlqSpec {
  name: string;
  maxReceiveCount: number;
  retentionSeconds: number;
}

/**
 * The SNS subscription's own dead-letter queue: where SNS parks a message it cannot deliver to the queue
 * (the queue deleted, or its policy or KMS key refusing SNS). Not the queue's DLQ (`dlq`), which holds
 * messages its consumers failed to process.
 */
export interface SubscriptionDlqSpec {
  name: string;
  retentionSeconds: number;
}

export interface ConsumerSpec {
  function: string;
  batchSize: number;
  batchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  /** The function's timeout in seconds, when the spec knows it (templates that deploy code set it). */
  timeout?: number;
}

export interface QueueSpec {
  /** Short name used in the flow (e.g. `billing`). */
  id: string;
  name: string;
  visibilityTimeout: number;
  retentionSeconds: number;
  delaySeconds: number;
  rawDelivery: boolean;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope: 'MessageAttributes' | 'MessageBody';
  dlq: DlqSpec | null;
  /** The subscription's DLQ (RedrivePolicy on the SNS subscription); absent when the spec declares none. */
  subscriptionDlq?: SubscriptionDlqSpec;
  consumer?: ConsumerSpec;
}

export interface FlowSpec {
  version: number;
  name: string;
  topic: { name: string; fifo: boolean; contentBasedDeduplication: boolean };
  queues: QueueSpec[];
  tags: Record<string, string>;
  /** HTTP APIs in front of Lambda functions (apis.ts); empty when the flow has none. */
  apis: ApiSpec[];
  /** S3 buckets and their event notifications (bucket-spec.ts); absent when the flow has none. */
  buckets?: BucketSpec[];
  /** Lambda functions the flow deploys itself (function-spec.ts); absent when it only uses existing ones. */
  functions?: FunctionSpec[];
}

/** AWS limits the spec is checked against (SQS, SNS and Lambda developer guides / API references). */
export const SPEC_LIMITS = {
  flowName: 64,
  queueName: 80, // SQS: up to 80 characters, .fifo included
  topicName: 256, // SNS: up to 256 characters, .fifo included
  functionName: 64,
  visibilityTimeout: [0, 43_200],
  retentionSeconds: [60, 1_209_600],
  delaySeconds: [0, 900],
  maxReceiveCount: [1, 1000],
  batchSizeStandard: 10_000,
  batchSizeFifo: 10,
  batchingWindowSeconds: [0, 300],
  functionTimeout: [1, 900],
  /** 50 per resource on SQS and SNS; svl adds its own `svl:flow` tag. */
  tags: 50,
  tagKey: 128,
  tagValue: 256,
} as const;

const KEYS = {
  spec: ['version', 'name', 'topic', 'queues', 'tags', 'apis', 'buckets', 'functions'],
  topic: ['name', 'fifo', 'contentBasedDeduplication'],
  queue: ['id', 'name', 'visibilityTimeout', 'retentionSeconds', 'delaySeconds', 'rawDelivery', 'filterPolicy', 'filterPolicyScope', 'dlq', 'subscriptionDlq', 'consumer'],
  dlq: ['name', 'maxReceiveCount', 'retentionSeconds'],
  subscriptionDlq: ['name', 'retentionSeconds'],
  consumer: ['function', 'batchSize', 'batchingWindowSeconds', 'reportBatchItemFailures', 'timeout'],
} as const;

const NAME_RE = /^[A-Za-z0-9_-]+$/;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** One problem of a spec: where (a JSON path such as `queues[1].dlq.maxReceiveCount`) and what. */
export interface SpecProblem {
  path: string;
  message: string;
}

/** The error of an invalid spec: every problem, in the message and as data. */
export class SpecError extends UsageError {
  constructor(
    readonly problems: SpecProblem[],
    source: string,
  ) {
    super(`Invalid ${source}:\n  - ${problems.map((p) => `${p.path}: ${p.message.replace(/\n\s*/g, '\n    ')}`).join('\n  - ')}`, {
      code: 'InvalidFlowSpec',
      hint: 'Fix the listed fields and run the command again; `svl init --list` shows working templates.',
    });
  }
}

/** Validates untrusted JSON into a FlowSpec; throws one SpecError listing every problem. */
export function validateSpec(raw: unknown, source = 'flow spec'): FlowSpec {
  const problems: SpecProblem[] = [];
  const bad = (path: string, message: string) => problems.push({ path, message });
  if (!isObj(raw)) throw new SpecError([{ path: '$', message: 'must be a JSON object' }], source);
  const v = new Checker(bad);

  v.unknownKeys(raw, KEYS.spec, '');
  if (raw.version !== undefined && raw.version !== SPEC_VERSION) {
    bad('version', `unknown version ${JSON.stringify(raw.version)}: this svl reads version ${SPEC_VERSION} (a newer svl may have written the file; upgrade svl)`);
  }
  const name = raw.name;
  if (typeof name !== 'string' || !NAME_RE.test(name) || name.length > SPEC_LIMITS.flowName) bad('name', `must be 1-${SPEC_LIMITS.flowName} characters of letters, digits, - and _`);

  const topic: FlowSpec['topic'] = { name: '', fifo: false, contentBasedDeduplication: false };
  const t = raw.topic;
  if (!isObj(t)) bad('topic', 'must be an object with at least a name');
  else {
    v.unknownKeys(t, KEYS.topic, 'topic');
    topic.fifo = v.bool(t, 'fifo', 'topic', false);
    topic.contentBasedDeduplication = v.bool(t, 'contentBasedDeduplication', 'topic', false);
    if (topic.contentBasedDeduplication && !topic.fifo) bad('topic.contentBasedDeduplication', 'only FIFO topics support content-based deduplication (set topic.fifo to true)');
    if (typeof t.name !== 'string') bad('topic.name', 'is required (a string)');
    else {
      topic.name = t.name;
      checkName(t.name, topic.fifo, SPEC_LIMITS.topicName, 'topic.name', 'topic', bad);
    }
  }

  const queues: QueueSpec[] = [];
  if (!Array.isArray(raw.queues) || raw.queues.length === 0) bad('queues', 'must list at least one queue');
  else {
    const names = new Map<string, string>();
    const ids = new Map<string, string>();
    const claim = (n: string, path: string) => {
      const first = names.get(n);
      if (first !== undefined) bad(path, `"${n}" is already used by ${first}: every queue and DLQ needs its own name`);
      else names.set(n, path);
    };
    raw.queues.forEach((q: unknown, i: number) => {
      const p = `queues[${i}]`;
      if (!isObj(q)) return bad(p, 'must be an object');
      const queue = validateQueue(q, p, topic.fifo, v, bad);
      if (!queue) return;
      const firstId = ids.get(queue.id);
      if (firstId !== undefined) bad(`${p}.id`, `"${queue.id}" is already the id of ${firstId}`);
      else ids.set(queue.id, p);
      claim(queue.name, `${p}.name`);
      if (queue.dlq) claim(queue.dlq.name, `${p}.dlq.name`);
      if (queue.subscriptionDlq) claim(queue.subscriptionDlq.name, `${p}.subscriptionDlq.name`);
      queues.push(queue);
    });
  }

  const tags: Record<string, string> = {};
  if (raw.tags !== undefined) {
    if (!isObj(raw.tags)) bad('tags', 'must be an object of string values');
    else {
      const entries = Object.entries(raw.tags);
      if (entries.length > SPEC_LIMITS.tags - 1) bad('tags', `at most ${SPEC_LIMITS.tags - 1} tags (AWS allows ${SPEC_LIMITS.tags} per queue or topic, and svl adds ${FLOW_TAG}); got ${entries.length}`);
      for (const [k, val] of entries) {
        const path = `tags[${JSON.stringify(k)}]`;
        if (k === FLOW_TAG) bad(path, 'is set by svl');
        else if (k.length < 1 || k.length > SPEC_LIMITS.tagKey) bad(path, `tag keys must be 1-${SPEC_LIMITS.tagKey} characters`);
        else if (k.toLowerCase().startsWith('aws:')) bad(path, 'the aws: prefix is reserved for AWS');
        else if (typeof val !== 'string') bad(path, 'must be a string');
        else if (val.length > SPEC_LIMITS.tagValue) bad(path, `tag values must be at most ${SPEC_LIMITS.tagValue} characters (got ${val.length})`);
        else tags[k] = val;
      }
    }
  }
  const apis = validateApis(raw.apis, bad);
  const buckets = validateBuckets(raw.buckets, queues, topic.name, bad);
  const functions = validateFunctions(raw.functions, bad);
  // A declared function's timeout is known: Lambda refuses a mapping from a queue whose visibility timeout is shorter.
  queues.forEach((q, i) => {
    const f = q.consumer && q.consumer.timeout === undefined && functions.find((x) => x.name === q.consumer!.function);
    if (f && f.timeout > q.visibilityTimeout) {
      bad(`queues[${i}].visibilityTimeout`, `${visibilityTimeoutMessage(q.visibilityTimeout, f.timeout)} (functions[${functions.indexOf(f)}].timeout); raise visibilityTimeout to at least ${f.timeout}, or lower the function's timeout`);
    }
  });
  if (problems.length) throw new SpecError(problems, source);
  return { version: SPEC_VERSION, name: name as string, topic, queues, tags, apis, ...(buckets.length > 0 && { buckets }), ...(functions.length > 0 && { functions }) };
}

function validateQueue(q: Obj, p: string, fifo: boolean, v: Checker, bad: (path: string, m: string) => void): QueueSpec | undefined {
  v.unknownKeys(q, KEYS.queue, p);
  const qn = q.name;
  if (typeof qn !== 'string') {
    bad(`${p}.name`, 'is required (a string)');
    return undefined;
  }
  if (q.id !== undefined && (typeof q.id !== 'string' || q.id.length === 0)) bad(`${p}.id`, 'must be a non-empty string');
  const id = typeof q.id === 'string' && q.id ? q.id : qn;
  checkName(qn, fifo, SPEC_LIMITS.queueName, `${p}.name`, 'queue', bad);
  const visibilityTimeout = v.int(q, 'visibilityTimeout', p, 30, SPEC_LIMITS.visibilityTimeout);
  const retentionSeconds = v.int(q, 'retentionSeconds', p, 345_600, SPEC_LIMITS.retentionSeconds);
  const delaySeconds = v.int(q, 'delaySeconds', p, 0, SPEC_LIMITS.delaySeconds);
  if (fifo && delaySeconds !== 0) bad(`${p}.delaySeconds`, 'FIFO queues take no per-queue delay in a fan-out (use 0)');
  const rawDelivery = v.bool(q, 'rawDelivery', p, false);

  const scopeRaw = q.filterPolicyScope ?? 'MessageAttributes';
  const scopeOk = scopeRaw === 'MessageAttributes' || scopeRaw === 'MessageBody';
  if (!scopeOk) bad(`${p}.filterPolicyScope`, `must be MessageAttributes or MessageBody (got ${JSON.stringify(scopeRaw)})`);
  const filterPolicyScope = scopeRaw === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
  let filterPolicy: Obj | undefined;
  if (q.filterPolicy !== undefined) {
    if (!isObj(q.filterPolicy)) bad(`${p}.filterPolicy`, 'must be a JSON object (an SNS filter policy)');
    else {
      filterPolicy = q.filterPolicy;
      if (scopeOk) {
        const problem = filterPolicyProblem(filterPolicy, filterPolicyScope);
        if (problem) bad(`${p}.filterPolicy`, problem);
      }
    }
  }

  let dlq: DlqSpec | null = null;
  if (q.dlq !== false && q.dlq !== null) {
    const d = q.dlq === undefined ? {} : q.dlq;
    if (!isObj(d)) bad(`${p}.dlq`, 'must be an object, or false for no DLQ');
    else {
      v.unknownKeys(d, KEYS.dlq, `${p}.dlq`);
      const base = qn.endsWith('.fifo') ? qn.slice(0, -5) : qn;
      let dn = `${base}-dlq${fifo ? '.fifo' : ''}`;
      if (d.name !== undefined) {
        if (typeof d.name !== 'string') bad(`${p}.dlq.name`, 'must be a string');
        else dn = d.name;
      }
      checkName(dn, fifo, SPEC_LIMITS.queueName, `${p}.dlq.name`, 'dlq', bad);
      const maxReceiveCount = v.int(d, 'maxReceiveCount', `${p}.dlq`, 5, SPEC_LIMITS.maxReceiveCount);
      const ret = v.int(d, 'retentionSeconds', `${p}.dlq`, 1_209_600, SPEC_LIMITS.retentionSeconds);
      dlq = { name: dn, maxReceiveCount, retentionSeconds: ret };
    }
  }

  const subscriptionDlq = validateSubscriptionDlq(q.subscriptionDlq, qn, p, fifo, v, bad);

  let consumer: ConsumerSpec | undefined;
  if (q.consumer !== undefined) {
    const c = q.consumer;
    const cp = `${p}.consumer`;
    if (!isObj(c)) bad(cp, 'must be an object naming a Lambda function');
    else {
      v.unknownKeys(c, KEYS.consumer, cp);
      const fn = c.function;
      if (typeof fn !== 'string' || !NAME_RE.test(fn) || fn.length > SPEC_LIMITS.functionName) bad(`${cp}.function`, `must name a Lambda function (1-${SPEC_LIMITS.functionName} letters, digits, - and _)`);
      const maxBatch = fifo ? SPEC_LIMITS.batchSizeFifo : SPEC_LIMITS.batchSizeStandard;
      const batchSize = v.int(c, 'batchSize', cp, 10, [1, maxBatch], fifo ? ' for a FIFO queue' : '');
      const batchingWindowSeconds = v.int(c, 'batchingWindowSeconds', cp, 0, SPEC_LIMITS.batchingWindowSeconds);
      if (fifo && batchingWindowSeconds > 0) bad(`${cp}.batchingWindowSeconds`, 'Lambda does not support a batching window for FIFO queues (use 0)');
      else if (batchSize > 10 && batchingWindowSeconds < 1) bad(`${cp}.batchingWindowSeconds`, `a batch size over 10 (here ${batchSize}) needs a batching window of at least 1 second`);
      const reportBatchItemFailures = v.bool(c, 'reportBatchItemFailures', cp, true);
      const timeout = c.timeout === undefined ? undefined : v.int(c, 'timeout', cp, 3, SPEC_LIMITS.functionTimeout);
      if (timeout !== undefined && timeout > visibilityTimeout) {
        bad(`${p}.visibilityTimeout`, `${visibilityTimeoutMessage(visibilityTimeout, timeout)} (the consumer's timeout); raise visibilityTimeout to at least ${timeout}`);
      }
      if (typeof fn === 'string') consumer = { function: fn, batchSize, batchingWindowSeconds, reportBatchItemFailures, ...(timeout !== undefined && { timeout }) };
    }
  }
  return { id, name: qn, visibilityTimeout, retentionSeconds, delaySeconds, rawDelivery, filterPolicy, filterPolicyScope, dlq, ...(subscriptionDlq && { subscriptionDlq }), consumer };
}

/** The default name of a subscription's DLQ: the one `svl doctor` suggests (`<queue>-sub-dlq[.fifo]`). */
export const subscriptionDlqName = (queueName: string, fifo: boolean) => `${queueName.replace(/\.fifo$/, '')}-sub-dlq${fifo ? '.fifo' : ''}`;

/** `subscriptionDlq`: absent or false for none, true for the default name, or `{ name?, retentionSeconds? }`. */
function validateSubscriptionDlq(raw: unknown, qn: string, p: string, fifo: boolean, v: Checker, bad: (path: string, m: string) => void): SubscriptionDlqSpec | undefined {
  if (raw === undefined || raw === false || raw === null) return undefined;
  const at = `${p}.subscriptionDlq`;
  const d = raw === true ? {} : raw;
  if (!isObj(d)) {
    bad(at, `must be true (a DLQ named ${subscriptionDlqName(qn, fifo)}), an object such as { "name": "${subscriptionDlqName(qn, fifo)}" }, or false for none`);
    return undefined;
  }
  v.unknownKeys(d, KEYS.subscriptionDlq, at);
  let name = subscriptionDlqName(qn, fifo);
  if (d.name !== undefined) {
    if (typeof d.name !== 'string') bad(`${at}.name`, 'must be a string (a queue name)');
    else name = d.name;
  }
  checkName(name, fifo, SPEC_LIMITS.queueName, `${at}.name`, 'subscriptionDlq', bad);
  const retentionSeconds = v.int(d, 'retentionSeconds', at, 1_209_600, SPEC_LIMITS.retentionSeconds);
  return { name, retentionSeconds };
}

/** Lambda's own words when a queue's visibility timeout is shorter than its consumer's timeout. */
export const visibilityTimeoutMessage = (visibility: number, functionTimeout: number) =>
  `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${functionTimeout} seconds`;

/** SNS's message for an invalid filter policy (as `svl filter lint` reports it), or undefined when valid. */
export function filterPolicyProblem(policy: Obj, scope: 'MessageAttributes' | 'MessageBody'): string | undefined {
  try {
    compileFilterPolicy(JSON.stringify(policy), scope);
    return undefined;
  } catch (err) {
    if (err instanceof AwsError) return err.message;
    throw err;
  }
}

class Checker {
  constructor(private readonly bad: (path: string, m: string) => void) {}

  unknownKeys(o: Obj, known: readonly string[], at: string): void {
    for (const k of Object.keys(o)) {
      if (known.includes(k)) continue;
      const guess = closest(k, known);
      this.bad(at ? `${at}.${k}` : k, `unknown key${guess ? `; did you mean "${guess}"?` : ` (known here: ${known.join(', ')})`}`);
    }
  }

  int(o: Obj, key: string, at: string, def: number, [min, max]: readonly [number, number], why = ''): number {
    const val = o[key];
    if (val === undefined) return def;
    if (typeof val !== 'number' || !Number.isInteger(val) || val < min || val > max) {
      this.bad(`${at}.${key}`, `must be an integer from ${min} to ${max}${why} (got ${JSON.stringify(val)})`);
      return typeof val === 'number' && Number.isFinite(val) ? Math.min(Math.max(Math.trunc(val), min), max) : def;
    }
    return val;
  }

  bool(o: Obj, key: string, at: string, def: boolean): boolean {
    const val = o[key];
    if (val === undefined) return def;
    if (typeof val !== 'boolean') {
      this.bad(`${at}.${key}`, 'must be true or false');
      return def;
    }
    return val;
  }
}

function checkName(n: string, fifo: boolean, max: number, path: string, kind: 'topic' | 'queue' | 'dlq' | 'subscriptionDlq', bad: (p: string, m: string) => void): void {
  const base = n.endsWith('.fifo') ? n.slice(0, -5) : n;
  if (!NAME_RE.test(base) || n.length > max) bad(path, `"${n}" must be 1-${max} characters of letters, digits, - and _${fifo ? ', ending in .fifo' : ''}`);
  else if (kind === 'topic' && !fifo && n.endsWith('.fifo')) bad(path, `"${n}" ends in .fifo but topic.fifo is not true: only FIFO topics may end in .fifo`);
  else if (kind === 'topic' && fifo && !n.endsWith('.fifo')) bad(path, `"${n}" must end in .fifo: FIFO topic names end in .fifo`);
  else if (kind === 'dlq' && fifo !== n.endsWith('.fifo')) {
    bad(path, `"${n}" is a ${n.endsWith('.fifo') ? 'FIFO' : 'standard'} queue but its source queue is ${fifo ? 'FIFO' : 'standard'}: a DLQ must be of the same type as its queue`);
  } else if (kind === 'subscriptionDlq' && fifo !== n.endsWith('.fifo')) {
    bad(
      path,
      fifo
        ? `"${n}" must end in .fifo: SNS needs a FIFO queue as the dead-letter queue of a FIFO topic's subscription`
        : `"${n}" ends in .fifo but the topic is standard: the dead-letter queue of a standard topic's subscription must be a standard queue`,
    );
  } else if (fifo && !n.endsWith('.fifo')) bad(path, `"${n}" must end in .fifo: the topic is FIFO, and FIFO topics deliver only to FIFO queues`);
  else if (!fifo && n.endsWith('.fifo')) bad(path, `"${n}" ends in .fifo but the topic is standard: a standard topic cannot deliver to FIFO queues`);
}

/** Fixed attribute values svl sets on every flow queue, besides the spec's. */
export const flowTags = (spec: FlowSpec): Record<string, string> => ({ ...spec.tags, [FLOW_TAG]: spec.name });
