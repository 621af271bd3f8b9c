/**
 * The pure half of discovery: the shapes `svl status` and `svl graph` work with, and what can be derived
 * from them without calling AWS - DLQ relationships, grouping by the `svl:flow` tag, one flow's closure,
 * the graph, and one-line summaries of filter policies. src/aws/inventory.ts fills these shapes.
 */

/** The tag every flow resource carries (the flow engine writes the same one: src/flows/spec.ts). */
export const FLOW_TAG = 'svl:flow';
import type { BucketInfo } from './inventory-s3.js';
/** `svl tail`'s ephemeral tap queues (src/aws/taps.ts): named with this prefix and tagged with TAP_TAG. */
export const TAP_PREFIX = 'svl-tap-';
export const TAP_TAG = 'svl:tap';

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface RedriveInfo {
  deadLetterTargetArn: string;
  maxReceiveCount: number | null;
}

export interface QueueInfo {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  flow: string | null;
  tags: Record<string, string>;
  depth: QueueDepth;
  /** Seconds since the oldest message was sent; null when unknown (AWS) or when the queue is empty. */
  oldestMessageAgeSeconds: number | null;
  redrive: RedriveInfo | null;
  /** The queue's access policy (JSON text), or null. */
  policy: string | null;
  /** ARNs of the queues and subscriptions whose dead-letter target is this queue. */
  deadLetterSources: string[];
  /** Every attribute GetQueueAttributes returned, when the discovery asked for all (`svl doctor`). */
  attributes?: Record<string, string>;
}

export interface TopicInfo {
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  flow: string | null;
  tags: Record<string, string>;
  /** Every attribute GetTopicAttributes returned (Policy, …), when the discovery asked for all. */
  attributes?: Record<string, string>;
}

export interface SubscriptionInfo {
  /** Null while the subscription waits for confirmation (AWS lists it as `PendingConfirmation`). */
  arn: string | null;
  topicArn: string;
  protocol: string;
  endpoint: string;
  confirmed: boolean;
  filterPolicy: string | null;
  filterPolicyScope: 'MessageAttributes' | 'MessageBody';
  /** e.g. `type=invoice|credit; amount>100`; null without a filter policy. */
  filter: string | null;
  rawMessageDelivery: boolean;
  deadLetterTargetArn: string | null;
  /** Every attribute GetSubscriptionAttributes returned, when the discovery asked for all. */
  attributes?: Record<string, string>;
}

/** A Lambda event source mapping reading a queue. */
export interface ConsumerInfo {
  uuid: string;
  functionArn: string;
  functionName: string;
  eventSourceArn: string;
  state: string;
  batchSize: number | null;
  /** MaximumBatchingWindowInSeconds (0 when AWS leaves it out). */
  batchingWindowSeconds?: number;
  /** LastModified of the mapping (ISO 8601), when AWS gives it. */
  lastModified?: string | null;
  /** FunctionResponseTypes, e.g. `['ReportBatchItemFailures']`. */
  functionResponseTypes?: string[];
  /** AWS's StateTransitionReason: `USER_INITIATED`, or why Lambda changed the state itself. */
  stateTransitionReason?: string | null;
  /** AWS's LastProcessingResult (stream sources; AWS leaves it out for SQS), e.g. `PROBLEM: …`. */
  lastProcessingResult?: string | null;
  /** The last failure seen: on the emulator its own record of the mapping; on AWS a PROBLEM processing result. */
  lastError?: { type: string; message: string; at: string | null } | null;
}

export interface Inventory {
  topics: TopicInfo[];
  subscriptions: SubscriptionInfo[];
  queues: QueueInfo[];
  consumers: ConsumerInfo[];
  /** Whether Lambda answered ListEventSourceMappings; when not, `consumers` is empty and `reason` says why. */
  lambda: { available: boolean; reason?: string } | null;
  /** S3 buckets (inventory-s3.ts), when the discovery asked for them. */
  buckets?: BucketInfo[];
  /** Whether the buckets could be listed (ListBuckets), and why not. */
  s3?: { available: boolean; reason?: string };
}

export const arnName = (arn: string): string => arn.slice(arn.lastIndexOf(':') + 1);
/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> name. */
export const functionName = (arn: string): string => arn.split(':')[6] ?? arnName(arn);
export const queueNameFromUrl = (url: string): string => url.replace(/\/+$/, '').split('/').pop() ?? url;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byName = <T extends { name: string }>(a: T, b: T) => cmp(a.name, b.name);

export function parseRedrivePolicy(text: string | undefined | null): RedriveInfo | null {
  if (!text) return null;
  try {
    const p = JSON.parse(text) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof p.deadLetterTargetArn !== 'string') return null;
    const max = Number(p.maxReceiveCount);
    return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: Number.isFinite(max) && p.maxReceiveCount !== undefined ? max : null };
  } catch {
    return null;
  }
}

export const totalDepth = (d: QueueDepth): number => d.visible + d.inFlight + d.delayed;

/** Fills `deadLetterSources` on every queue from the queues' and subscriptions' redrive policies. */
export function linkDeadLetters(inv: Inventory): Inventory {
  const sources = new Map<string, string[]>();
  const add = (target: string, source: string) => sources.set(target, [...(sources.get(target) ?? []), source]);
  for (const q of inv.queues) if (q.redrive) add(q.redrive.deadLetterTargetArn, q.arn);
  for (const s of inv.subscriptions) if (s.deadLetterTargetArn && s.arn) add(s.deadLetterTargetArn, s.arn);
  return { ...inv, queues: inv.queues.map((q) => ({ ...q, deadLetterSources: (sources.get(q.arn) ?? []).sort() })) };
}

export const isDeadLetterQueue = (q: QueueInfo): boolean => q.deadLetterSources.length > 0;

const isTap = (q: QueueInfo): boolean => q.name.startsWith(TAP_PREFIX) && TAP_TAG in q.tags;

/** Without `svl tail`'s tap queues and their subscriptions: they are svl's scaffolding, not the user's flows. */
export function withoutTaps(inv: Inventory): Inventory {
  const taps = new Set(inv.queues.filter(isTap).map((q) => q.arn));
  if (taps.size === 0) return inv;
  return { ...inv, queues: inv.queues.filter((q) => !taps.has(q.arn)), subscriptions: inv.subscriptions.filter((s) => !(s.protocol === 'sqs' && taps.has(s.endpoint))) };
}

export interface FlowSummary {
  name: string;
  topics: string[];
  queues: string[];
  subscriptions: number;
  /** Messages in the flow's working queues (not its DLQs). */
  depth: QueueDepth;
  /** Messages (any state) sitting in the flow's DLQs. */
  deadLetterMessages: number;
  /** The flow's buckets, when it has any. */
  buckets?: string[];
}

export function flowNames(inv: Inventory): string[] {
  const names = new Set<string>();
  for (const r of [...inv.topics, ...inv.queues, ...(inv.buckets ?? [])]) if (r.flow) names.add(r.flow);
  return [...names].sort();
}

/** Every flow with its counts, plus the topics and queues no flow claims. */
export function groupByFlow(inv: Inventory): { flows: FlowSummary[]; untagged: { topics: TopicInfo[]; queues: QueueInfo[] } } {
  const flows = flowNames(inv).map((name): FlowSummary => {
    const f = selectFlow(inv, name)!;
    const working = f.queues.filter((q) => !isDeadLetterQueue(q));
    const depth = working.reduce((d, q) => ({ visible: d.visible + q.depth.visible, inFlight: d.inFlight + q.depth.inFlight, delayed: d.delayed + q.depth.delayed }), { visible: 0, inFlight: 0, delayed: 0 });
    return {
      name,
      topics: f.topics.map((t) => t.name),
      queues: f.queues.map((q) => q.name),
      subscriptions: f.subscriptions.length,
      depth,
      deadLetterMessages: f.queues.filter(isDeadLetterQueue).reduce((n, q) => n + totalDepth(q.depth), 0),
      ...(f.buckets?.length && { buckets: f.buckets.map((b) => b.name) }),
    };
  });
  return { flows, untagged: { topics: inv.topics.filter((t) => !t.flow).sort(byName), queues: inv.queues.filter((q) => !q.flow).sort(byName) } };
}

/**
 * One flow: its tagged topics and queues, the subscriptions of those topics, the queues they deliver to
 * and, transitively, every dead-letter queue behind them (tagged or not: a DLQ wired to a flow's queue
 * is part of what the flow looks like). Null when nothing carries the flow's tag.
 */
export function selectFlow(inv: Inventory, flow: string): Inventory | null {
  const topics = inv.topics.filter((t) => t.flow === flow);
  const tagged = inv.queues.filter((q) => q.flow === flow);
  const buckets = (inv.buckets ?? []).filter((b) => b.flow === flow);
  if (topics.length === 0 && tagged.length === 0 && buckets.length === 0) return null;
  const topicArns = new Set(topics.map((t) => t.arn));
  const subscriptions = inv.subscriptions.filter((s) => topicArns.has(s.topicArn));
  const want = new Set(tagged.map((q) => q.arn));
  // What the flow's buckets notify belongs to the picture too.
  for (const n of buckets.flatMap((b) => b.notifications)) if (n.kind === 'queue') want.add(n.arn);
  for (const s of subscriptions) {
    if (s.protocol === 'sqs') want.add(s.endpoint);
    if (s.deadLetterTargetArn) want.add(s.deadLetterTargetArn);
  }
  const byArn = new Map(inv.queues.map((q) => [q.arn, q]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const arn of [...want]) {
      const dlq = byArn.get(arn)?.redrive?.deadLetterTargetArn;
      if (dlq && !want.has(dlq)) {
        want.add(dlq);
        grew = true;
      }
    }
  }
  const queues = inv.queues.filter((q) => want.has(q.arn));
  const consumers = inv.consumers.filter((c) => want.has(c.eventSourceArn));
  return { topics: [...topics].sort(byName), subscriptions, queues: [...queues].sort(byName), consumers, lambda: inv.lambda, ...(inv.buckets && { buckets }) };
}

// ---- graph ----

export type NodeKind = 'topic' | 'queue' | 'endpoint' | 'function' | 'bucket';
export type EdgeKind = 'subscription' | 'dead-letter' | 'subscription-dead-letter' | 'event-source' | 'notification';

export interface GraphNode {
  /** The ARN, or `protocol:endpoint` for non-SQS subscription endpoints. */
  id: string;
  kind: NodeKind;
  name: string;
  fifo?: boolean;
  /** A queue that is some queue's or subscription's dead-letter target. */
  deadLetter?: boolean;
  /** Referenced (e.g. as a DLQ or a subscription endpoint) but not found among the listed queues. */
  external?: boolean;
  depth?: QueueDepth;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** The subscription an edge belongs to (subscription and subscription-dead-letter edges). */
  subscription?: string | null;
  protocol?: string;
  filter?: string | null;
  pending?: boolean;
  raw?: boolean;
  maxReceiveCount?: number | null;
  state?: string;
  batchSize?: number | null;
  /** S3 event types of a bucket notification edge (its key filter is in `filter`, e.g. `uploads/*.jpg`). */
  events?: string[];
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const KIND_ORDER: Record<NodeKind, number> = { bucket: -1, topic: 0, queue: 1, endpoint: 2, function: 3 };
const compareNodes = (a: GraphNode, b: GraphNode): number => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || cmp(a.name, b.name) || cmp(a.id, b.id);

/** Topics -> subscriptions -> queues/endpoints -> DLQs -> consumers, sorted so renderings are stable. */
export function buildGraph(inv: Inventory): Graph {
  const nodes = new Map<string, GraphNode>();
  const queueNode = (arn: string): string => {
    if (!nodes.has(arn)) {
      const q = inv.queues.find((x) => x.arn === arn);
      nodes.set(arn, q
        ? { id: arn, kind: 'queue', name: q.name, fifo: q.fifo, deadLetter: isDeadLetterQueue(q), depth: q.depth }
        : { id: arn, kind: 'queue', name: arnName(arn), fifo: arn.endsWith('.fifo'), external: true });
    }
    return arn;
  };
  const edges: GraphEdge[] = [];
  for (const t of inv.topics) nodes.set(t.arn, { id: t.arn, kind: 'topic', name: t.name, fifo: t.fifo });
  for (const q of inv.queues) queueNode(q.arn);
  for (const s of inv.subscriptions) {
    if (!nodes.has(s.topicArn)) nodes.set(s.topicArn, { id: s.topicArn, kind: 'topic', name: arnName(s.topicArn), external: true });
    let to: string;
    if (s.protocol === 'sqs') to = queueNode(s.endpoint);
    else if (s.protocol === 'lambda') {
      to = s.endpoint;
      nodes.set(to, { id: to, kind: 'function', name: functionName(s.endpoint) });
    } else {
      to = `${s.protocol}:${s.endpoint}`;
      nodes.set(to, { id: to, kind: 'endpoint', name: s.endpoint });
    }
    edges.push({ from: s.topicArn, to, kind: 'subscription', subscription: s.arn, protocol: s.protocol, filter: s.filter, pending: !s.confirmed, raw: s.rawMessageDelivery });
    if (s.deadLetterTargetArn) edges.push({ from: s.topicArn, to: queueNode(s.deadLetterTargetArn), kind: 'subscription-dead-letter', subscription: s.arn });
  }
  for (const q of inv.queues) {
    if (q.redrive) edges.push({ from: q.arn, to: queueNode(q.redrive.deadLetterTargetArn), kind: 'dead-letter', maxReceiveCount: q.redrive.maxReceiveCount });
  }
  for (const c of inv.consumers) {
    nodes.set(c.functionArn, { id: c.functionArn, kind: 'function', name: c.functionName });
    edges.push({ from: queueNode(c.eventSourceArn), to: c.functionArn, kind: 'event-source', state: c.state, batchSize: c.batchSize });
  }
  for (const b of inv.buckets ?? []) {
    nodes.set(b.arn, { id: b.arn, kind: 'bucket', name: b.name });
    for (const n of b.notifications) {
      let to = n.arn;
      if (n.kind === 'queue') to = queueNode(n.arn);
      else if (!nodes.has(to)) nodes.set(to, n.kind === 'topic' ? { id: to, kind: 'topic', name: arnName(to), external: !inv.topics.some((t) => t.arn === to) } : { id: to, kind: 'function', name: functionName(to) });
      const filter = n.prefix !== undefined || n.suffix !== undefined ? `${n.prefix ?? ''}*${n.suffix ?? ''}` : null;
      edges.push({ from: b.arn, to, kind: 'notification', events: n.events, filter });
    }
  }
  // Nodes created as DLQ targets after their first sighting still need the flag.
  for (const e of edges) {
    const n = nodes.get(e.to);
    if (n && (e.kind === 'dead-letter' || e.kind === 'subscription-dead-letter')) n.deadLetter = true;
  }
  const sorted = [...nodes.values()].sort(compareNodes);
  const rank = new Map(sorted.map((n, i) => [n.id, i]));
  const EDGE_ORDER: Record<EdgeKind, number> = { notification: -1, subscription: 0, 'subscription-dead-letter': 1, 'dead-letter': 2, 'event-source': 3 };
  edges.sort((a, b) => rank.get(a.from)! - rank.get(b.from)! || EDGE_ORDER[a.kind] - EDGE_ORDER[b.kind] || rank.get(a.to)! - rank.get(b.to)! || cmp(String(a.subscription), String(b.subscription)));
  return { nodes: sorted, edges };
}

// ---- filter policy summaries ----

type Alt = { op: string; value: string };

/** `{"type":["invoice","credit"],"amount":[{"numeric":[">",100]}]}` -> `type=invoice|credit; amount>100`. */
export function summarizeFilterPolicy(policy: string | null | undefined): string | null {
  if (!policy) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    return policy.length > 60 ? `${policy.slice(0, 57)}...` : policy;
  }
  return isObject(parsed) ? summarizeObject(parsed, '') || '(empty)' : JSON.stringify(parsed);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function summarizeObject(o: Record<string, unknown>, prefix: string): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(o)) {
    if (key === '$or' && Array.isArray(value)) {
      parts.push(`(${value.map((b) => (isObject(b) ? summarizeObject(b, prefix) : JSON.stringify(b))).join(') OR (')})`);
    } else if (Array.isArray(value)) {
      parts.push(summarizeKey(prefix + key, value));
    } else if (isObject(value)) {
      parts.push(summarizeObject(value, `${prefix}${key}.`));
    } else {
      parts.push(`${prefix}${key}=${String(value)}`);
    }
  }
  return parts.join('; ');
}

function summarizeKey(key: string, conditions: unknown[]): string {
  if (conditions.length === 1 && isObject(conditions[0]) && 'exists' in conditions[0]) {
    return conditions[0].exists === false ? `!${key}` : `${key} exists`;
  }
  const alts = conditions.map(condition);
  if (alts.every((a) => a.op === '=')) return `${key}=${alts.map((a) => a.value).join('|')}`;
  return `${key}${alts.map((a) => `${a.op}${a.value}`).join('|')}`;
}

function condition(c: unknown): Alt {
  if (!isObject(c)) return { op: '=', value: c === null ? 'null' : String(c) };
  const [op, arg] = Object.entries(c)[0] ?? ['', undefined];
  const text = (v: unknown): string => (isObject(v) ? condition(v).value : Array.isArray(v) ? v.map(text).join('|') : String(v));
  switch (op) {
    case 'prefix':
      return { op: '=', value: `${text(arg)}*` };
    case 'suffix':
      return { op: '=', value: `*${text(arg)}` };
    case 'wildcard':
      return { op: '=', value: String(arg) };
    case 'equals-ignore-case':
      return { op: '~=', value: String(arg) };
    case 'anything-but':
      return { op: '!=', value: text(arg) };
    case 'numeric': {
      const a = Array.isArray(arg) ? arg : [];
      const pairs: string[] = [];
      for (let i = 0; i + 1 < a.length; i += 2) pairs.push(`${String(a[i])}${String(a[i + 1])}`);
      return { op: '', value: pairs.join(',') };
    }
    case 'exists':
      return { op: '', value: arg === false ? ' !exists' : ' exists' };
    case 'cidr':
      return { op: ' in ', value: String(arg) };
    default:
      return { op: '=', value: JSON.stringify(c) };
  }
}
