/**
 * Plan: compare a flow spec with what exists (observe.ts) and list creates, updates and deletions.
 * Pure: the same desired-state functions feed both the plan shown to the user and apply, so apply does
 * exactly what the plan said. Least privilege by default: each queue's Policy admits only
 * sns.amazonaws.com from this topic; each DLQ's RedriveAllowPolicy admits only its source queue; a
 * subscription DLQ admits only SNS from this topic (the same queue policy) and no SQS source queue.
 */
import { FLOW_TAG, flowTags, type FlowSpec, type QueueSpec } from './spec.js';
import type { Observed, ObservedQueue } from './observe.js';
import { bucketQueueStatements, planBuckets } from './buckets.js';

export type Action = 'create' | 'update' | 'delete';
/** API kinds (api … route, permission): HTTP APIs, planned in apis-plan.ts; bucket, notification, permission, policy: buckets (buckets.ts). */
export type Kind = 'topic' | 'queue' | 'dlq' | 'subscription' | 'consumer' | 'api' | 'stage' | 'integration' | 'authorizer' | 'route' | 'permission' | 'bucket' | 'notification' | 'policy' | 'function';

export interface PlanStep {
  action: Action;
  kind: Kind;
  name: string;
  /** Human-readable changes, e.g. `VisibilityTimeout: 30 -> 60`. */
  changes: string[];
}

export interface Plan {
  flow: string;
  steps: PlanStep[];
  /** Resources with a spec name that svl must not take over (unless --adopt). */
  conflicts: string[];
  warnings: string[];
}

export interface PlanContext {
  kind: 'aws' | 'local';
  region: string;
  account: string;
  adopt?: boolean;
  /**
   * Consumer functions the command deploys itself before applying (`svl init queue-worker`): planned as
   * if they existed, so their mappings are created in the same run instead of being reported as missing.
   */
  deploys?: readonly string[];
  /** The spec file's directory: declared functions' code directories are relative to it (default: the working directory). */
  specDir?: string;
  /** How to give declared functions a role on AWS, when the command knows better than the spec (`svl init --role`). */
  roleHint?: string;
}

export const topicArnOf = (spec: FlowSpec, c: Pick<PlanContext, 'region' | 'account'>) => `arn:aws:sns:${c.region}:${c.account}:${spec.topic.name}`;
export const queueArnOf = (name: string, c: Pick<PlanContext, 'region' | 'account'>) => `arn:aws:sqs:${c.region}:${c.account}:${name}`;

/**
 * The least-privilege queue policy document: only this topic, through the SNS service principal. Generic
 * in the ARN type so that IaC exports can pass references instead of strings.
 */
export function queuePolicyDocument<T, S = never>(queueArn: T, topicArn: T, id: T, bucketStatements: readonly S[] = []) {
  return {
    Version: '2012-10-17',
    Id: id,
    Statement: [
      {
        Sid: 'AllowFlowTopic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
      ...bucketStatements,
    ],
  };
}

export function queuePolicy(queueArn: string, topicArn: string, bucketStatements: readonly object[] = []): string {
  return JSON.stringify(queuePolicyDocument(queueArn, topicArn, `${queueArn}/svl`, bucketStatements));
}

export function desiredQueueAttributes(spec: FlowSpec, q: QueueSpec, c: PlanContext): Record<string, string> {
  const arn = queueArnOf(q.name, c);
  const a: Record<string, string> = {
    VisibilityTimeout: String(q.visibilityTimeout),
    MessageRetentionPeriod: String(q.retentionSeconds),
    DelaySeconds: String(q.delaySeconds),
    // A queue that also receives from buckets gets one policy with every statement.
    Policy: queuePolicy(arn, topicArnOf(spec, c), bucketQueueStatements(spec, q.name, arn, c)),
  };
  if (q.dlq) a.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: queueArnOf(q.dlq.name, c), maxReceiveCount: q.dlq.maxReceiveCount });
  if (spec.topic.fifo) a.FifoQueue = 'true';
  if (c.kind === 'aws') a.SqsManagedSseEnabled = 'true';
  return a;
}

export function desiredDlqAttributes(spec: FlowSpec, q: QueueSpec, c: PlanContext): Record<string, string> {
  const a: Record<string, string> = {
    MessageRetentionPeriod: String(q.dlq!.retentionSeconds),
    RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [queueArnOf(q.name, c)] }),
  };
  if (spec.topic.fifo) a.FifoQueue = 'true';
  if (c.kind === 'aws') a.SqsManagedSseEnabled = 'true';
  return a;
}

/**
 * A subscription DLQ: the flow's queue policy (only SNS, only from this topic), and a RedriveAllowPolicy
 * that lets no SQS queue use it as its DLQ (it holds what SNS could not deliver, nothing else).
 */
export function desiredSubscriptionDlqAttributes(spec: FlowSpec, q: QueueSpec, c: PlanContext): Record<string, string> {
  const a: Record<string, string> = {
    MessageRetentionPeriod: String(q.subscriptionDlq!.retentionSeconds),
    Policy: queuePolicy(queueArnOf(q.subscriptionDlq!.name, c), topicArnOf(spec, c)),
    RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }),
  };
  if (spec.topic.fifo) a.FifoQueue = 'true';
  if (c.kind === 'aws') a.SqsManagedSseEnabled = 'true';
  return a;
}

/** The subscription's RedrivePolicy when the spec gives it a DLQ (SNS takes only deadLetterTargetArn). */
export const subscriptionRedrivePolicy = (q: QueueSpec, c: Pick<PlanContext, 'region' | 'account'>) =>
  q.subscriptionDlq ? JSON.stringify({ deadLetterTargetArn: queueArnOf(q.subscriptionDlq.name, c) }) : undefined;

export function desiredSubscriptionAttributes(q: QueueSpec, c?: Pick<PlanContext, 'region' | 'account'>): Record<string, string> {
  const a: Record<string, string> = { RawMessageDelivery: q.rawDelivery ? 'true' : 'false' };
  if (q.filterPolicy) {
    a.FilterPolicy = JSON.stringify(q.filterPolicy);
    a.FilterPolicyScope = q.filterPolicyScope;
  }
  const redrive = c && subscriptionRedrivePolicy(q, c);
  if (redrive) a.RedrivePolicy = redrive;
  return a;
}

export function desiredTopicAttributes(spec: FlowSpec): Record<string, string> {
  if (!spec.topic.fifo) return {};
  return { FifoTopic: 'true', ContentBasedDeduplication: spec.topic.contentBasedDeduplication ? 'true' : 'false' };
}

const JSON_ATTRS = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'FilterPolicy']);

/** JSON with object keys sorted, so equal documents compare equal whatever their key order. */
export function canonicalJson(text: string): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}

/** Attribute changes from `current` to `desired` (only desired keys; FifoQueue/FifoTopic are create-only). */
export function attributeChanges(current: Record<string, string>, desired: Record<string, string>, createOnly: string[] = []): Array<{ key: string; from?: string; to: string }> {
  const out: Array<{ key: string; from?: string; to: string }> = [];
  for (const [key, to] of Object.entries(desired)) {
    if (createOnly.includes(key)) continue;
    const from = current[key];
    const same = from !== undefined && (JSON_ATTRS.has(key) ? canonicalJson(from) === canonicalJson(to) : from === to);
    if (!same) out.push({ key, from, to });
  }
  return out;
}

export function tagChanges(current: Record<string, string>, desired: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(desired).filter(([k, v]) => current[k] !== v));
}

const shorten = (v: string | undefined) => (v === undefined ? '(unset)' : v.length > 60 ? `${v.slice(0, 57)}...` : v);

export function planFlow(spec: FlowSpec, obs: Observed, c: PlanContext): Plan {
  const steps: PlanStep[] = [];
  const conflicts: string[] = [];
  const warnings: string[] = [];
  const tags = flowTags(spec);

  const owned = (kind: string, name: string, t: Record<string, string>) => {
    const owner = t[FLOW_TAG];
    if (owner === spec.name || c.adopt) return;
    conflicts.push(owner ? `${kind} ${name} belongs to flow "${owner}"` : `${kind} ${name} exists and is not managed by svl`);
  };

  if (!obs.topic) steps.push({ action: 'create', kind: 'topic', name: spec.topic.name, changes: spec.topic.fifo ? ['FIFO'] : [] });
  else {
    owned('topic', spec.topic.name, obs.topic.tags);
    const fifoNow = obs.topic.attrs.FifoTopic === 'true';
    if (fifoNow !== spec.topic.fifo) conflicts.push(`topic ${spec.topic.name} is ${fifoNow ? 'FIFO' : 'standard'}; the flow needs ${spec.topic.fifo ? 'FIFO' : 'standard'}`);
    const changes = attributeChanges(obs.topic.attrs, desiredTopicAttributes(spec), ['FifoTopic']).map((d) => `${d.key}: ${shorten(d.from)} -> ${d.to}`);
    const t = tagChanges(obs.topic.tags, tags);
    if (Object.keys(t).length) changes.push(`tags: ${Object.keys(t).join(', ')}`);
    if (changes.length) steps.push({ action: 'update', kind: 'topic', name: spec.topic.name, changes });
  }

  const queueStep = (kind: 'queue' | 'dlq', name: string, o: ObservedQueue | undefined, desired: Record<string, string>) => {
    if (!o) return steps.push({ action: 'create', kind, name, changes: [] });
    owned(kind === 'dlq' ? 'DLQ' : 'queue', name, o.tags);
    const fifoNow = o.attrs.FifoQueue === 'true';
    if (fifoNow !== spec.topic.fifo) conflicts.push(`queue ${name} is ${fifoNow ? 'FIFO' : 'standard'}; the flow needs ${spec.topic.fifo ? 'FIFO' : 'standard'}`);
    const changes = attributeChanges(o.attrs, desired, ['FifoQueue']).map((d) => `${d.key}: ${shorten(d.from)} -> ${shorten(d.to)}`);
    const t = tagChanges(o.tags, tags);
    if (Object.keys(t).length) changes.push(`tags: ${Object.keys(t).join(', ')}`);
    if (changes.length) steps.push({ action: 'update', kind, name, changes });
  };
  for (const q of spec.queues) if (q.dlq) queueStep('dlq', q.dlq.name, obs.queues.get(q.dlq.name), desiredDlqAttributes(spec, q, c));
  for (const q of spec.queues) if (q.subscriptionDlq) queueStep('dlq', q.subscriptionDlq.name, obs.queues.get(q.subscriptionDlq.name), desiredSubscriptionDlqAttributes(spec, q, c));
  for (const q of spec.queues) queueStep('queue', q.name, obs.queues.get(q.name), desiredQueueAttributes(spec, q, c));

  for (const q of spec.queues) {
    const arn = obs.queues.get(q.name)?.arn ?? queueArnOf(q.name, c);
    const mine = obs.subs.filter((s) => s.endpoint === arn);
    const desired = desiredSubscriptionAttributes(q, c);
    if (mine.length === 0) {
      steps.push({ action: 'create', kind: 'subscription', name: `${spec.topic.name} -> ${q.name}`, changes: filterSummary(q) });
      continue;
    }
    const [sub, ...dupes] = mine;
    const current = { ...sub!.attrs };
    const changes = attributeChanges(current, desired).map((d) => `${d.key}: ${shorten(d.from)} -> ${shorten(d.to)}`);
    if (!q.filterPolicy && current.FilterPolicy) changes.push(`FilterPolicy: ${shorten(current.FilterPolicy)} -> (none)`);
    if (!q.subscriptionDlq && current.RedrivePolicy) changes.push(`RedrivePolicy: ${shorten(current.RedrivePolicy)} -> (none)`);
    if (changes.length) steps.push({ action: 'update', kind: 'subscription', name: `${spec.topic.name} -> ${q.name}`, changes });
    for (const d of dupes) steps.push({ action: 'delete', kind: 'subscription', name: `${spec.topic.name} -> ${q.name} (duplicate ${d.arn.split(':').pop()})`, changes: [] });
  }

  for (const q of spec.queues) {
    if (!q.consumer) continue;
    if (!obs.consumers) {
      warnings.push(`Lambda consumer ${q.consumer.function} of ${q.name}: this target has no Lambda service yet; the consumer is not applied.`);
      continue;
    }
    if (obs.missingFunctions?.has(q.consumer.function) && !c.deploys?.includes(q.consumer.function)) {
      warnings.push(
        `Lambda consumer ${q.consumer.function} of ${q.name}: the function does not exist yet; the consumer is not applied. Deploy it (svl deploy <handler dir> --name ${q.consumer.function}) and apply again.`,
      );
      continue;
    }
    const arn = obs.queues.get(q.name)?.arn;
    const existing = (arn && obs.consumers.get(arn)) || [];
    const m = existing.find((e) => e.functionArn.endsWith(`:function:${q.consumer!.function}`));
    if (!m) steps.push({ action: 'create', kind: 'consumer', name: `${q.name} -> λ ${q.consumer.function}`, changes: [`batch ${q.consumer.batchSize}`] });
    else if (m.batchSize !== q.consumer.batchSize || (m.batchingWindowSeconds ?? 0) !== q.consumer.batchingWindowSeconds || m.reportBatchItemFailures !== q.consumer.reportBatchItemFailures) {
      steps.push({ action: 'update', kind: 'consumer', name: `${q.name} -> λ ${q.consumer.function}`, changes: [`batch ${m.batchSize} -> ${q.consumer.batchSize}`] });
    }
  }

  for (const s of obs.stale) {
    for (const sub of obs.subs.filter((x) => x.endpoint === s.arn)) steps.push({ action: 'delete', kind: 'subscription', name: `${spec.topic.name} -> ${s.name}`, changes: [sub.arn] });
    steps.push({ action: 'delete', kind: s.attrs.RedriveAllowPolicy ? 'dlq' : 'queue', name: s.name, changes: [] });
  }
  // Buckets first, their policies, permissions and notification configurations last (buckets.ts).
  const b = planBuckets(spec, obs.s3, obs.topic ? (obs.topic.attrs.Policy ?? '') : undefined, { ...c, topicArn: obs.topic?.arn ?? topicArnOf(spec, c) });
  steps.unshift(...b.before);
  steps.push(...b.after);
  conflicts.push(...b.conflicts);
  warnings.push(...b.warnings);
  return { flow: spec.name, steps, conflicts, warnings };
}

export function filterSummary(q: QueueSpec): string[] {
  const out: string[] = [];
  if (q.filterPolicy) out.push(`filter ${summarizePolicy(q.filterPolicy)}`);
  if (q.rawDelivery) out.push('raw');
  if (q.subscriptionDlq) out.push(`DLQ ${q.subscriptionDlq.name}`);
  return out;
}

/** `type=invoice|credit; amount>100` — a short, human summary of a filter policy. */
export function summarizePolicy(p: Record<string, unknown>, prefix = ''): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(p)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) {
      parts.push(`${key}=${v.map((c) => (c && typeof c === 'object' ? Object.entries(c as object).map(([op, a]) => `${op}:${JSON.stringify(a)}`).join(',') : String(c))).join('|')}`);
    } else if (v && typeof v === 'object') parts.push(summarizePolicy(v as Record<string, unknown>, key));
  }
  return parts.join('; ');
}
