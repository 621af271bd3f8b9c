/**
 * Buckets in a flow, the pure half: the desired state (the bucket's notification configuration, the
 * queue-policy and topic-policy statements that let exactly this bucket of this account send, the Lambda
 * permission a function destination needs) and the plan steps from what exists to it. Least privilege as
 * AWS documents it for S3 event notifications: principal `s3.amazonaws.com`, `aws:SourceArn` the bucket,
 * `aws:SourceAccount` the account. The order apply follows is bucket -> queue (with its policy) -> topic
 * policy / Lambda permission -> notification configuration, because S3 validates every destination when
 * the configuration is put. No AWS call here (buckets-aws.ts observes and applies).
 */
import { defaultTopicStatement } from '../domain/topic-policy.js';
import { FLOW_TAG, type FlowSpec } from './spec.js';
import type { BucketSpec, DestinationKind, NotificationSpec } from './bucket-spec.js';

/** What exists of one bucket of the flow. */
export interface ObservedBucket {
  name: string;
  tags: Record<string, string>;
  notifications: CanonicalNotification[];
  /** HeadBucket answered 403: the name belongs to another account (bucket names are global). */
  foreign?: boolean;
}

/** What exists on S3's side of a flow: its buckets, and the Lambda permissions of its function destinations. */
export interface ObservedS3 {
  buckets: Map<string, ObservedBucket>;
  /** Statement ids in each destination function's resource policy; undefined when Lambda is not there. */
  permissions?: Map<string, Set<string>>;
  /** Destination functions that do not exist. */
  missingFunctions: Set<string>;
}

export interface Ctx {
  region: string;
  account: string;
}

export const bucketArnOf = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const functionArnOf = (fn: string, c: Ctx) => `arn:aws:lambda:${c.region}:${c.account}:function:${fn}`;
/** The Lambda permission svl adds for a bucket (StatementId allows letters, digits, `-`, `_` and `.`). */
export const permissionIdOf = (bucket: string) => `svl-s3-${bucket}`;

const bucketsOf = (spec: FlowSpec): BucketSpec[] => spec.buckets ?? [];

/** Buckets that notify a destination of this kind and name. */
export function bucketsNotifying(spec: FlowSpec, kind: DestinationKind, target: string): string[] {
  return bucketsOf(spec).filter((b) => b.notifications.some((n) => n.kind === kind && n.target === target)).map((b) => b.name);
}

/**
 * The `n`-th statement letting S3 from one bucket (and account) do `action` on `resource`: what apply writes
 * into queue and topic policies and what the exports write, so values are generic (strings, Terraform
 * references, CloudFormation intrinsics).
 */
export const s3GrantStatement = <T>(n: number, action: 'sqs:SendMessage' | 'SNS:Publish', resource: T, bucketArn: T, account: T) => ({
  Sid: `AllowBucket${n}`,
  Effect: 'Allow',
  Principal: { Service: 's3.amazonaws.com' },
  Action: action,
  Resource: resource,
  Condition: { ArnLike: { 'aws:SourceArn': bucketArn }, StringEquals: { 'aws:SourceAccount': account } },
});

/** Queue-policy statements for the buckets that notify `queue` (added to the topic's statement in plan.ts). */
export function bucketQueueStatements(spec: FlowSpec, queueName: string, queueArn: string, c: Ctx): object[] {
  return bucketsNotifying(spec, 'queue', queueName).map((b, i) => s3GrantStatement(i + 1, 'sqs:SendMessage', queueArn, bucketArnOf(b), c.account));
}

/**
 * The topic policy when buckets publish to the flow's topic: AWS's default statement (the owner keeps
 * every right it has on a new topic) plus one statement per bucket. Undefined when no bucket publishes:
 * the topic's policy is then left as it is.
 */
export function desiredTopicPolicy(spec: FlowSpec, topicArn: string, c: Ctx): string | undefined {
  const buckets = bucketsNotifying(spec, 'topic', spec.topic.name);
  if (!buckets.length) return undefined;
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      defaultTopicStatement(topicArn, c.account),
      ...buckets.map((b, i) => s3GrantStatement(i + 1, 'SNS:Publish', topicArn, bucketArnOf(b), c.account)),
    ],
  });
}

/** One notification as compared between spec and S3 (S3 returns rule names as `Prefix`/`Suffix`). */
export interface CanonicalNotification {
  id: string;
  kind: DestinationKind;
  arn: string;
  events: string[];
  prefix?: string;
  suffix?: string;
}

export function destinationArn(n: Pick<NotificationSpec, 'kind' | 'target'>, c: Ctx): string {
  if (n.kind === 'queue') return `arn:aws:sqs:${c.region}:${c.account}:${n.target}`;
  if (n.kind === 'topic') return `arn:aws:sns:${c.region}:${c.account}:${n.target}`;
  return functionArnOf(n.target, c);
}

export function desiredNotifications(b: BucketSpec, c: Ctx): CanonicalNotification[] {
  return b.notifications.map((n) => ({
    id: n.id,
    kind: n.kind,
    arn: destinationArn(n, c),
    events: [...n.events].sort(),
    ...(n.prefix !== undefined && { prefix: n.prefix }),
    ...(n.suffix !== undefined && { suffix: n.suffix }),
  }));
}

type FilterRule = { Name?: string; Value?: string };
type Config = { Id?: string; Events?: string[]; Filter?: { Key?: { FilterRules?: FilterRule[] } } };
export interface NotificationConfiguration {
  QueueConfigurations?: Array<Config & { QueueArn?: string }>;
  TopicConfigurations?: Array<Config & { TopicArn?: string }>;
  LambdaFunctionConfigurations?: Array<Config & { LambdaFunctionArn?: string }>;
}

/** S3's GetBucketNotificationConfiguration answer, in the comparable form. */
export function canonicalNotifications(cfg: NotificationConfiguration): CanonicalNotification[] {
  const one = (kind: DestinationKind, arn: string | undefined, x: Config): CanonicalNotification => {
    const rule = (name: string) => x.Filter?.Key?.FilterRules?.find((r) => r.Name?.toLowerCase() === name)?.Value;
    const prefix = rule('prefix');
    const suffix = rule('suffix');
    return { id: x.Id ?? '', kind, arn: arn ?? '', events: [...(x.Events ?? [])].sort(), ...(prefix !== undefined && { prefix }), ...(suffix !== undefined && { suffix }) };
  };
  return [
    ...(cfg.QueueConfigurations ?? []).map((x) => one('queue', x.QueueArn, x)),
    ...(cfg.TopicConfigurations ?? []).map((x) => one('topic', x.TopicArn, x)),
    ...(cfg.LambdaFunctionConfigurations ?? []).map((x) => one('function', x.LambdaFunctionArn, x)),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The PutBucketNotificationConfiguration body for a bucket's notifications. */
export function notificationConfiguration(ns: readonly CanonicalNotification[]): Required<NotificationConfiguration> {
  const common = (n: CanonicalNotification) => {
    const rules = [...(n.prefix !== undefined ? [{ Name: 'prefix', Value: n.prefix }] : []), ...(n.suffix !== undefined ? [{ Name: 'suffix', Value: n.suffix }] : [])];
    return { Id: n.id, Events: n.events, ...(rules.length && { Filter: { Key: { FilterRules: rules } } }) };
  };
  return {
    QueueConfigurations: ns.filter((n) => n.kind === 'queue').map((n) => ({ ...common(n), QueueArn: n.arn })),
    TopicConfigurations: ns.filter((n) => n.kind === 'topic').map((n) => ({ ...common(n), TopicArn: n.arn })),
    LambdaFunctionConfigurations: ns.filter((n) => n.kind === 'function').map((n) => ({ ...common(n), LambdaFunctionArn: n.arn })),
  };
}

const sameNotifications = (a: CanonicalNotification[], b: CanonicalNotification[]) =>
  JSON.stringify([...a].sort((x, y) => (x.id < y.id ? -1 : 1))) === JSON.stringify([...b].sort((x, y) => (x.id < y.id ? -1 : 1)));

/** `s3:ObjectCreated:* uploads/*.jpg -> queue jobs` */
export function describeNotification(n: Pick<CanonicalNotification, 'events' | 'prefix' | 'suffix' | 'kind' | 'arn'>): string {
  const filter = n.prefix !== undefined || n.suffix !== undefined ? ` ${n.prefix ?? ''}*${n.suffix ?? ''}` : '';
  return `${n.events.join(',')}${filter} -> ${n.kind === 'function' ? 'λ' : n.kind} ${n.arn.split(':').pop()}`;
}

export interface BucketStep {
  action: 'create' | 'update' | 'delete';
  kind: 'bucket' | 'notification' | 'permission' | 'policy';
  name: string;
  changes: string[];
}

export interface BucketPlan {
  /** Bucket creations and tag updates: first, before the topic and queues. */
  before: BucketStep[];
  /** Topic policy, Lambda permissions, notification configurations: last, once destinations exist. */
  after: BucketStep[];
  conflicts: string[];
  warnings: string[];
}

/**
 * The bucket part of a plan. `topicPolicy` is the topic's current Policy attribute (undefined when the
 * topic does not exist yet); `adopt` takes over buckets not tagged with the flow.
 */
export function planBuckets(spec: FlowSpec, s3: ObservedS3 | undefined, topicPolicy: string | undefined, c: Ctx & { adopt?: boolean; topicArn: string }): BucketPlan {
  const plan: BucketPlan = { before: [], after: [], conflicts: [], warnings: [] };
  const buckets = bucketsOf(spec);
  if (!buckets.length) return plan;
  const tags = { ...spec.tags, [FLOW_TAG]: spec.name };
  for (const b of buckets) {
    const o = s3?.buckets.get(b.name);
    if (o?.foreign) {
      plan.conflicts.push(`bucket ${b.name} exists in another account (bucket names are global): choose another name`);
      continue;
    }
    if (!o) plan.before.push({ action: 'create', kind: 'bucket', name: b.name, changes: [] });
    else {
      const owner = o.tags[FLOW_TAG];
      if (owner !== spec.name && !c.adopt) plan.conflicts.push(owner ? `bucket ${b.name} belongs to flow "${owner}"` : `bucket ${b.name} exists and is not managed by svl`);
      const changed = Object.entries(tags).filter(([k, v]) => o.tags[k] !== v).map(([k]) => k);
      if (changed.length) plan.before.push({ action: 'update', kind: 'bucket', name: b.name, changes: [`tags: ${changed.join(', ')}`] });
    }
  }

  const policy = desiredTopicPolicy(spec, c.topicArn, c);
  if (policy !== undefined && (topicPolicy === undefined || canonical(topicPolicy) !== canonical(policy))) {
    const who = bucketsNotifying(spec, 'topic', spec.topic.name);
    plan.after.push({ action: topicPolicy === undefined ? 'create' : 'update', kind: 'policy', name: `${spec.topic.name} <- s3`, changes: [`allow ${who.join(', ')} to publish`] });
  }

  const functions = new Map<string, string[]>();
  for (const b of buckets) for (const n of b.notifications) if (n.kind === 'function') functions.set(n.target, [...new Set([...(functions.get(n.target) ?? []), b.name])]);
  const blocked = new Set<string>();
  for (const [fn, bs] of functions) {
    if (s3 && !s3.permissions) {
      plan.warnings.push(`Lambda destination ${fn}: this target has no Lambda service; the notifications of ${bs.join(', ')} are not applied.`);
      bs.forEach((x) => blocked.add(x));
      continue;
    }
    if (s3?.missingFunctions.has(fn)) {
      plan.warnings.push(`Lambda destination ${fn} does not exist yet; the notifications of ${bs.join(', ')} are not applied. Deploy it (svl deploy <handler dir> --name ${fn}) and apply again.`);
      bs.forEach((x) => blocked.add(x));
      continue;
    }
    const have = s3?.permissions?.get(fn) ?? new Set<string>();
    for (const b of bs) if (!have.has(permissionIdOf(b))) plan.after.push({ action: 'create', kind: 'permission', name: `${b} -> λ ${fn}`, changes: ['lambda:InvokeFunction for s3.amazonaws.com'] });
  }

  for (const b of buckets) {
    if (blocked.has(b.name) || s3?.buckets.get(b.name)?.foreign) continue;
    const want = desiredNotifications(b, c);
    const have = s3?.buckets.get(b.name)?.notifications ?? [];
    if (sameNotifications(want, have)) continue;
    const changes = [
      ...want.filter((n) => !have.some((h) => JSON.stringify(h) === JSON.stringify(n))).map((n) => `+ ${describeNotification(n)}`),
      ...have.filter((h) => !want.some((n) => JSON.stringify(h) === JSON.stringify(n))).map((n) => `- ${describeNotification(n)}`),
    ];
    plan.after.push({ action: have.length ? 'update' : 'create', kind: 'notification', name: b.name, changes });
  }
  return plan;
}

function canonical(text: string): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}
