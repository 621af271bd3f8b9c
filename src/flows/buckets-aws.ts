/**
 * Buckets in a flow, the half that calls AWS: observe the flow's buckets (HeadBucket, tags, notification
 * configuration) and its destination functions' permissions; apply the bucket steps planned in buckets.ts
 * (create + tag first; topic policy, Lambda permissions and notification configurations last); plan and
 * carry out their destruction. A non-empty bucket is never emptied unless the caller passes `force`.
 * Object versions are not looked at: flow buckets are created unversioned.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { FLOW_TAG, type FlowSpec } from './spec.js';
import type { FlowClients } from './observe.js';
import { mapLimit } from '../aws/pool.js';
import {
  bucketArnOf,
  canonicalNotifications,
  desiredNotifications,
  desiredTopicPolicy,
  notificationConfiguration,
  permissionIdOf,
  type Ctx,
  type ObservedBucket,
  type ObservedS3,
} from './buckets.js';
import type { Plan, PlanStep } from './plan.js';
import { lambdaSdk, s3Sdk, snsSdk } from '../aws/sdk.js';

const errName = (err: unknown) => (err as { name?: string }).name ?? '';
const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

export async function bucketTags(s3: S3Client, bucket: string): Promise<Record<string, string>> {
  const { GetBucketTaggingCommand } = s3Sdk();
  try {
    const r = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return Object.fromEntries((r.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (err) {
    if (errName(err) === 'NoSuchTagSet') return {};
    throw err;
  }
}

/** One bucket: undefined when it does not exist, `foreign` when another account owns the name. */
export async function observeBucket(s3: S3Client, name: string): Promise<ObservedBucket | undefined> {
  const { HeadBucketCommand, GetBucketNotificationConfigurationCommand } = s3Sdk();
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
  } catch (err) {
    if (errName(err) === 'NotFound' || errName(err) === 'NoSuchBucket' || status(err) === 404) return undefined;
    if (status(err) === 403) return { name, tags: {}, notifications: [], foreign: true };
    throw err;
  }
  const [tags, cfg] = await Promise.all([bucketTags(s3, name), s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: name }))]);
  return { name, tags, notifications: canonicalNotifications(cfg) };
}

export async function observeBuckets(spec: FlowSpec, c: FlowClients): Promise<ObservedS3> {
  const s3 = await c.s3!();
  const buckets = new Map<string, ObservedBucket>();
  for (const b of await mapLimit(spec.buckets ?? [], 8, (b) => observeBucket(s3, b.name))) if (b) buckets.set(b.name, b);
  const fns = [...new Set((spec.buckets ?? []).flatMap((b) => b.notifications.filter((n) => n.kind === 'function').map((n) => n.target)))];
  const missingFunctions = new Set<string>();
  if (!fns.length) return { buckets, permissions: new Map(), missingFunctions };
  const lambda = c.lambda ? await c.lambda() : undefined;
  if (!lambda) return { buckets, missingFunctions };
  const { GetPolicyCommand, GetFunctionConfigurationCommand } = lambdaSdk();
  const permissions = new Map<string, Set<string>>();
  for (const fn of fns) {
    try {
      const r = await lambda.send(new GetPolicyCommand({ FunctionName: fn }));
      const doc = JSON.parse(r.Policy ?? '{}') as { Statement?: Array<{ Sid?: string }> };
      permissions.set(fn, new Set((doc.Statement ?? []).map((s) => s.Sid ?? '')));
    } catch (err) {
      if (errName(err) !== 'ResourceNotFoundException') throw err;
      permissions.set(fn, new Set());
      // No policy, or no function: only the function's configuration tells which.
      try {
        await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
      } catch (e) {
        if (errName(e) === 'ResourceNotFoundException') missingFunctions.add(fn);
        else throw e;
      }
    }
  }
  return { buckets, permissions, missingFunctions };
}

type Step = (s: PlanStep) => void;

/** Bucket creations and tag updates (before the topic and queues). */
export async function applyBucketsFirst(spec: FlowSpec, c: FlowClients, plan: Plan, region: string, step: Step, cancelling: () => boolean): Promise<void> {
  const mine = plan.steps.filter((s) => s.kind === 'bucket');
  if (!mine.length) return;
  const s3m = s3Sdk();
  const s3 = await c.s3!();
  const tags = { ...spec.tags, [FLOW_TAG]: spec.name };
  for (const s of mine) {
    if (cancelling()) return;
    let current: Record<string, string> = {};
    if (s.action === 'create') {
      // us-east-1 takes no LocationConstraint (AWS refuses one naming it).
      const cfg = region && region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: region as never } } : {};
      await s3.send(new s3m.CreateBucketCommand({ Bucket: s.name, ...cfg }));
    } else current = await bucketTags(s3, s.name);
    // PutBucketTagging replaces the whole set: keep the tags others put there.
    const TagSet = Object.entries({ ...current, ...tags }).map(([Key, Value]) => ({ Key, Value }));
    await s3.send(new s3m.PutBucketTaggingCommand({ Bucket: s.name, Tagging: { TagSet } }));
    step(s);
  }
}

/** Topic policy, Lambda permissions, then notification configurations (S3 checks each destination). */
export async function applyBucketsLast(spec: FlowSpec, c: FlowClients, plan: Plan, ctx: Ctx, topicArn: string, step: Step, checkpoint: () => void): Promise<void> {
  const policy = plan.steps.find((s) => s.kind === 'policy');
  if (policy) {
    checkpoint();
    const { SetTopicAttributesCommand } = snsSdk();
    await c.sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: desiredTopicPolicy(spec, topicArn, ctx)! }));
    step(policy);
  }
  // Only the buckets' permissions: an HTTP API's are `<api> -> λ <fn>` steps too, applied by apis-apply.ts.
  const buckets = new Set((spec.buckets ?? []).map((b) => b.name));
  const perms = plan.steps.filter((s) => s.kind === 'permission' && s.action === 'create' && buckets.has(s.name.split(' -> λ ')[0]!));
  if (perms.length) {
    const lambda = (await c.lambda!())!;
    const { AddPermissionCommand } = lambdaSdk();
    for (const s of perms) {
      checkpoint();
      const [bucket, fn] = s.name.split(' -> λ ') as [string, string];
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: fn,
          StatementId: permissionIdOf(bucket),
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
          SourceArn: bucketArnOf(bucket),
          SourceAccount: ctx.account,
        }),
      );
      step(s);
    }
  }
  const notes = plan.steps.filter((s) => s.kind === 'notification');
  if (!notes.length) return;
  const { PutBucketNotificationConfigurationCommand } = s3Sdk();
  const s3 = await c.s3!();
  for (const s of notes) {
    checkpoint();
    const b = spec.buckets!.find((x) => x.name === s.name)!;
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: b.name, NotificationConfiguration: notificationConfiguration(desiredNotifications(b, ctx)) as never }));
    step(s);
  }
}

/** What destroying a flow does to its buckets. */
export interface BucketDestroy {
  steps: PlanStep[];
  skipped: string[];
  /** Buckets to delete (emptied first when `force`). */
  delete: string[];
  /** Non-empty buckets left in place: their notification configuration is cleared (its destinations go). */
  clear: string[];
  /** Lambda permissions svl added for the flow's buckets: [function, statement id]. */
  permissions: Array<[string, string]>;
  force: boolean;
}

async function isEmpty(s3: S3Client, bucket: string): Promise<boolean> {
  const { ListObjectsV2Command } = s3Sdk();
  const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }));
  return (r.KeyCount ?? r.Contents?.length ?? 0) === 0;
}

/**
 * The flow's buckets: the spec's names (each checked for the tag), or without a spec every bucket of the
 * account tagged `svl:flow=<flow>` (ListBuckets + GetBucketTagging).
 */
export async function planDestroyBuckets(flow: string, spec: FlowSpec | undefined, c: FlowClients, force: boolean): Promise<BucketDestroy> {
  const out: BucketDestroy = { steps: [], skipped: [], delete: [], clear: [], permissions: [], force };
  if (!c.s3 || (spec && !spec.buckets?.length)) return out;
  const s3 = await c.s3();
  let names: string[];
  if (spec) names = spec.buckets!.map((b) => b.name);
  else {
    const { ListBucketsCommand } = s3Sdk();
    // The flow's region only: a bucket elsewhere belongs to the flow deployed there (and would answer 301).
    const region = await s3.config.region();
    names = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListBucketsCommand({ ContinuationToken: token, BucketRegion: region }));
      names.push(...(page.Buckets ?? []).map((b) => b.Name!).filter(Boolean));
      token = page.ContinuationToken;
    } while (token);
  }
  const seen = await mapLimit(names, 8, async (n) => {
    try {
      return { n, tags: await bucketTags(s3, n) };
    } catch (err) {
      // Gone, not ours, or in another region (PermanentRedirect): not this flow's bucket here.
      if (errName(err) === 'NoSuchBucket' || errName(err) === 'PermanentRedirect' || [301, 403, 404].includes(status(err) ?? 0)) return undefined;
      throw err;
    }
  });
  for (const x of seen) {
    if (!x) continue;
    if (x.tags[FLOW_TAG] !== flow) {
      if (spec) out.skipped.push(`bucket ${x.n} (${x.tags[FLOW_TAG] ? `belongs to flow "${x.tags[FLOW_TAG]}"` : 'not managed by svl'})`);
      continue;
    }
    if (force || (await isEmpty(s3, x.n))) {
      out.delete.push(x.n);
      out.steps.push({ action: 'delete', kind: 'bucket', name: x.n, changes: force ? ['emptied first (--force)'] : [] });
    } else {
      out.skipped.push(`bucket ${x.n} (not empty: not deleted; \`svl destroy ${flow} --force\` empties and deletes it)`);
      // Its notifications point at what the flow deletes: cleared (once; a second destroy finds none).
      const { GetBucketNotificationConfigurationCommand } = s3Sdk();
      if (canonicalNotifications(await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: x.n }))).length) {
        out.clear.push(x.n);
        out.steps.push({ action: 'delete', kind: 'notification', name: x.n, changes: ['its destinations are deleted'] });
      }
    }
  }
  for (const b of spec?.buckets ?? []) {
    if (!out.delete.includes(b.name)) continue;
    for (const fn of new Set(b.notifications.filter((n) => n.kind === 'function').map((n) => n.target))) {
      out.permissions.push([fn, permissionIdOf(b.name)]);
      out.steps.push({ action: 'delete', kind: 'permission', name: `${b.name} -> λ ${fn}`, changes: [] });
    }
  }
  return out;
}

/** Deletes (or, for non-empty buckets without force, disconnects) the flow's buckets. */
export async function executeDestroyBuckets(p: BucketDestroy, c: FlowClients, mark: Step, checkpoint: () => void): Promise<void> {
  if (!p.steps.length) return;
  const s3m = s3Sdk();
  const s3 = await c.s3!();
  const stepOf = (kind: PlanStep['kind'], name: string) => p.steps.find((s) => s.kind === kind && s.name === name);
  for (const b of p.clear) {
    checkpoint();
    await s3.send(new s3m.PutBucketNotificationConfigurationCommand({ Bucket: b, NotificationConfiguration: {} }));
    mark(stepOf('notification', b)!);
  }
  for (const b of p.delete) {
    checkpoint();
    if (p.force) await emptyBucket(s3, b, checkpoint);
    try {
      await s3.send(new s3m.DeleteBucketCommand({ Bucket: b }));
    } catch (err) {
      if (errName(err) !== 'NoSuchBucket') throw err;
    }
    mark(stepOf('bucket', b)!);
  }
  if (p.permissions.length && c.lambda) {
    const lambda = await c.lambda();
    const { RemovePermissionCommand } = lambdaSdk();
    for (const [fn, sid] of p.permissions) {
      checkpoint();
      try {
        await lambda?.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: sid }));
      } catch (err) {
        if (errName(err) !== 'ResourceNotFoundException') throw err;
      }
      mark(p.steps.find((s) => s.kind === 'permission' && s.name.startsWith(`${sid.slice('svl-s3-'.length)} -> λ ${fn}`))!);
    }
  }
}

/** Deletes every object of a bucket, 1000 at a time (DeleteObjects' limit). */
async function emptyBucket(s3: S3Client, bucket: string, checkpoint: () => void): Promise<void> {
  const { ListObjectsV2Command, DeleteObjectsCommand } = s3Sdk();
  for (;;) {
    checkpoint();
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (!keys.length) return;
    const r = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    if (r.Errors?.length) throw new Error(`could not delete ${r.Errors.length} object(s) of ${bucket}: ${r.Errors[0]!.Code} ${r.Errors[0]!.Message ?? ''}`.trim());
  }
}
