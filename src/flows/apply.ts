/**
 * Apply: make what exists match the spec, in dependency order — the functions the spec declares
 * (functions.ts), buckets, topic, DLQs and subscription DLQs, queues (their policies and redrive policies
 * reference the topic and DLQs), subscriptions (and their redrive policies), consumers, HTTP APIs (apis-apply.ts),
 * then deletions of what the flow no longer lists. Every call is idempotent, so after a failure halfway the next apply re-observes
 * and converges from wherever things stand. Ctrl-C (hooks.signal) stops between resource steps, never
 * inside one: steps already started finish, none starts after, and the CancelledError lists what was done.
 */
import { cancelled, SvlError } from '../errors.js';
import { flowTags, type FlowSpec, type QueueSpec } from './spec.js';
import { mapLimit } from '../aws/pool.js';
import { isQueueDeletedRecently } from '../aws/errors.js';
import { observeFlow, type FlowClients, type Observed } from './observe.js';
import { observeApis, planApis } from './apis-plan.js';
import { applyApis, type AppliedApi } from './apis-apply.js';
import { applyBucketsFirst, applyBucketsLast } from './buckets-aws.js';
import { applyFunctions, observeFunctions, planFunctions, type FunctionsState } from './functions.js';
import {
  attributeChanges,
  desiredDlqAttributes,
  desiredQueueAttributes,
  desiredSubscriptionAttributes,
  desiredSubscriptionDlqAttributes,
  desiredTopicAttributes,
  planFlow,
  queueArnOf,
  tagChanges,
  type Plan,
  type PlanContext,
  type PlanStep,
} from './plan.js';
import { specWarnings } from './doctor/spec.js';
import { lambdaSdk, snsSdk, sqsSdk, type SnsSdk } from '../aws/sdk.js';

export interface ApplyResult {
  flow: string;
  plan: Plan;
  changed: boolean;
  done: PlanStep[];
  topicArn: string;
  queues: Array<{ id: string; name: string; url: string; arn: string; dlq?: { name: string; url: string; arn: string }; subscriptionDlq?: { name: string; url: string; arn: string } }>;
  /** The flow's HTTP APIs as applied (absent when the spec has none). */
  apis?: AppliedApi[];
}

export interface ApplyHooks {
  onStep?(step: PlanStep): void;
  /** Ctrl-C: stop before the next resource step. */
  signal?: AbortSignal;
  /** The command that converges after a cancel (`svl apply orders.flow.json --local`). */
  resume?: string;
}

/** Thrown between steps once hooks.signal aborted; turned into a CancelledError listing what was done. */
const STOPPED = Symbol('stopped');

/** `created topic t, queue q; updated queue r` from the steps done. */
export function describeSteps(done: readonly PlanStep[]): string {
  const by = (a: PlanStep['action'], verb: string) => {
    const xs = done.filter((s) => s.action === a).map((s) => `${s.kind} ${s.name}`);
    return xs.length ? `${verb} ${xs.join(', ')}` : undefined;
  };
  return [by('create', 'created'), by('update', 'updated'), by('delete', 'deleted')].filter(Boolean).join('; ') || 'nothing changed';
}

/** Region and account for ARNs: from what exists, else the target (the emulator's are fixed). */
export function planContext(obs: Observed, base: PlanContext): PlanContext {
  const arn = obs.topic?.arn ?? [...obs.queues.values()][0]?.arn;
  if (!arn) return base;
  const [, , , region, account] = arn.split(':');
  return { ...base, region: region || base.region, account: account || base.account };
}

/** What exists, and the plan from it to the spec: what `svl plan` shows and `applyFlow` carries out. */
export interface PreparedFlow {
  observed: Observed;
  ctx: PlanContext;
  plan: Plan;
  /** The spec's declared functions (functions.ts), when it has some. */
  functions?: FunctionsState;
}

export async function prepareFlow(spec: FlowSpec, clients: FlowClients, base: PlanContext): Promise<PreparedFlow> {
  const declared = spec.functions ?? [];
  const fnState = declared.length ? observeFunctions(spec, await clients.lambda?.(), base.specDir ?? process.cwd(), spec.name) : undefined;
  const [observed, apis, functions] = await Promise.all([observeFlow(spec, clients), observeApis(spec, clients), fnState]);
  observed.apis = apis;
  if (functions?.available) {
    // Declared functions exist once apply has run its first step: nothing that invokes them waits for another apply.
    for (const f of declared) {
      observed.missingFunctions?.delete(f.name);
      apis.missingFunctions.delete(f.name);
      observed.s3?.missingFunctions.delete(f.name);
      observed.functionTimeouts?.set(f.name, f.timeout);
    }
  }
  const ctx = planContext(observed, base);
  const plan = planFlow(spec, observed, ctx);
  if (functions) {
    const f = planFunctions(spec, functions, base);
    plan.steps.unshift(...f.steps);
    plan.conflicts.push(...f.conflicts);
    plan.warnings.push(...f.warnings);
  }
  const a = planApis(spec, apis, { adopt: base.adopt });
  plan.steps.push(...a.steps);
  plan.conflicts.push(...a.conflicts);
  plan.warnings.push(...a.warnings);
  // What `svl doctor` would find once the flow exists, said before it is created; a declared function's own
  // timeout counts over the deployed one's.
  const timeouts = new Map(observed.functionTimeouts ?? []);
  for (const fn of spec.functions ?? []) timeouts.set(fn.name, fn.timeout);
  plan.warnings.push(...specWarnings(spec, ctx, timeouts));
  return { observed, ctx, plan, ...(functions && { functions }) };
}

/** Carries out a prepared plan (the one shown to the user; nothing is observed or planned again). */
export async function applyFlow(spec: FlowSpec, clients: FlowClients, prepared: PreparedFlow, hooks: ApplyHooks = {}): Promise<ApplyResult> {
  const { observed: obs, plan } = prepared;
  let ctx = prepared.ctx;
  if (plan.conflicts.length) {
    throw new SvlError(`The flow "${spec.name}" conflicts with what exists:\n  - ${plan.conflicts.join('\n  - ')}`, 1, {
      code: 'FlowConflict',
      hint: 'Rename the resources in the spec, delete the existing ones, or take them over with --adopt.',
    });
  }
  const done: PlanStep[] = [];
  const step = (s: PlanStep) => {
    done.push(s);
    hooks.onStep?.(s);
  };
  // A step not yet started is skipped once cancelled; `checkpoint()` between phases then stops the apply.
  const cancelling = () => hooks.signal?.aborted === true;
  const checkpoint = () => {
    if (cancelling()) throw STOPPED;
  };
  const find = (action: string, kind: string, name: string) => plan.steps.find((s) => s.action === action && s.kind === kind && s.name === name);
  const sqs = sqsSdk();
  const sns = snsSdk();
  const tags = flowTags(spec);
  let topicArn = obs.topic?.arn ?? '';
  const urls = new Map<string, string>([...obs.queues.values()].map((q) => [q.name, q.url]));
  let apis: AppliedApi[] | undefined;

  try {
    checkpoint();
    // 0. declared functions (functions.ts): before the mappings, permissions and integrations that invoke them
    if (prepared.functions?.available && plan.steps.some((s) => s.kind === 'function')) {
      await applyFunctions(spec, (await clients.lambda!())!, prepared.functions, plan.steps, ctx.kind, { step, cancelling });
    }
    checkpoint();
    // buckets (created and tagged; their notifications come last, once every destination exists)
    await applyBucketsFirst(spec, clients, plan, ctx.region, step, cancelling);
    checkpoint();
    // 1. topic
    if (!obs.topic) {
      const r = await clients.sns.send(
        new sns.CreateTopicCommand({
          Name: spec.topic.name,
          Attributes: desiredTopicAttributes(spec),
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      topicArn = r.TopicArn!;
      const [, , , region, account] = topicArn.split(':');
      ctx = { ...ctx, region: region!, account: account! };
      step(find('create', 'topic', spec.topic.name)!);
    } else {
      const s = find('update', 'topic', spec.topic.name);
      if (s) {
        for (const d of attributeChanges(obs.topic.attrs, desiredTopicAttributes(spec), ['FifoTopic'])) {
          await clients.sns.send(new sns.SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: d.key, AttributeValue: d.to }));
        }
        const t = tagChanges(obs.topic.tags, tags);
        if (Object.keys(t).length) {
          await clients.sns.send(new sns.TagResourceCommand({ ResourceArn: topicArn, Tags: Object.entries(t).map(([Key, Value]) => ({ Key, Value })) }));
        }
        step(s);
      }
    }

    // 2-3. DLQs, then queues (a queue's RedrivePolicy needs its DLQ to exist)
    const ensureQueue = async (kind: 'dlq' | 'queue', name: string, desired: Record<string, string>) => {
      if (cancelling()) return;
      const existing = obs.queues.get(name);
      if (!existing) {
        const r = await clients.sqs.send(new sqs.CreateQueueCommand({ QueueName: name, Attributes: desired, tags }));
        urls.set(name, r.QueueUrl!);
        step(find('create', kind, name)!);
        return;
      }
      const s = find('update', kind, name);
      if (!s) return;
      const changes = attributeChanges(existing.attrs, desired, ['FifoQueue']);
      if (changes.length) {
        await clients.sqs.send(new sqs.SetQueueAttributesCommand({ QueueUrl: existing.url, Attributes: Object.fromEntries(changes.map((d) => [d.key, d.to])) }));
      }
      const t = tagChanges(existing.tags, tags);
      if (Object.keys(t).length) await clients.sqs.send(new sqs.TagQueueCommand({ QueueUrl: existing.url, Tags: t }));
      step(s);
    };
    const withDlq = spec.queues.filter((q) => q.dlq);
    checkpoint();
    await mapLimit(withDlq, 8, (q) => ensureQueue('dlq', q.dlq!.name, desiredDlqAttributes(spec, q, ctx)));
    // Subscription DLQs exist (with their policy) before a subscription's RedrivePolicy names them.
    await mapLimit(spec.queues.filter((q) => q.subscriptionDlq), 8, (q) => ensureQueue('dlq', q.subscriptionDlq!.name, desiredSubscriptionDlqAttributes(spec, q, ctx)));
    checkpoint();
    await mapLimit(spec.queues, 8, (q) => ensureQueue('queue', q.name, desiredQueueAttributes(spec, q, ctx)));
    checkpoint();

    // 4. subscriptions
    await mapLimit(spec.queues, 8, async (q) => {
      if (cancelling()) return;
      const arn = queueArnOf(q.name, ctx);
      const mine = obs.subs.filter((s) => s.endpoint === arn);
      const desired = desiredSubscriptionAttributes(q, ctx);
      const label = `${spec.topic.name} -> ${q.name}`;
      if (mine.length === 0) {
        await clients.sns.send(new sns.SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: arn, Attributes: desired, ReturnSubscriptionArn: true }));
        step(find('create', 'subscription', label)!);
        return;
      }
      const [sub, ...dupes] = mine;
      const s = find('update', 'subscription', label);
      if (s) await updateSubscription(clients, sns, sub!.arn, sub!.attrs, desired, q);
      if (s) step(s);
      for (const d of dupes) {
        await clients.sns.send(new sns.UnsubscribeCommand({ SubscriptionArn: d.arn }));
        const ds = plan.steps.find((x) => x.action === 'delete' && x.kind === 'subscription' && x.name.includes(d.arn.split(':').pop()!));
        if (ds) step(ds);
      }
    });

    checkpoint();

    // 5. consumers (Lambda event source mappings)
    if (obs.consumers && clients.lambda) {
      const lambda = await clients.lambda();
      const lm = lambdaSdk();
      for (const q of spec.queues.filter((x) => x.consumer)) {
        checkpoint();
        const c = q.consumer!;
        const label = `${q.name} -> λ ${c.function}`;
        const create = find('create', 'consumer', label);
        const update = find('update', 'consumer', label);
        const params = {
          BatchSize: c.batchSize,
          MaximumBatchingWindowInSeconds: c.batchingWindowSeconds,
          FunctionResponseTypes: c.reportBatchItemFailures ? (['ReportBatchItemFailures'] as const) : [],
        };
        if (create) {
          await lambda!.send(new lm.CreateEventSourceMappingCommand({ FunctionName: c.function, EventSourceArn: queueArnOf(q.name, ctx), Enabled: true, ...params, FunctionResponseTypes: [...params.FunctionResponseTypes] }));
          step(create);
        } else if (update) {
          const m = obs.consumers.get(queueArnOf(q.name, ctx))!.find((e) => e.functionArn.endsWith(`:function:${c.function}`))!;
          await lambda!.send(new lm.UpdateEventSourceMappingCommand({ UUID: m.uuid, ...params, FunctionResponseTypes: [...params.FunctionResponseTypes] }));
          step(update);
        }
      }
    }

    // 5b. topic policy and Lambda permissions for buckets, then their notification configurations
    await applyBucketsLast(spec, clients, plan, ctx, topicArn, step, checkpoint);

    // 6. HTTP APIs (apis-apply.ts): after the functions' consumers, before deletions
    if (obs.apis?.available && clients.apigw) {
      const apigw = await clients.apigw();
      const lambda = obs.apis.statements.size || plan.steps.some((s) => s.kind === 'permission' || (s.kind === 'api' && s.action === 'delete')) ? await clients.lambda?.() : undefined;
      if (apigw) apis = await applyApis(spec, { apigw, lambda }, obs.apis, plan.steps, ctx, { step, checkpoint });
    }

    // 7. what the flow no longer lists: subscriptions first, then queues, then DLQs
    for (const s of obs.stale) {
      for (const sub of obs.subs.filter((x) => x.endpoint === s.arn)) {
        checkpoint();
        await clients.sns.send(new sns.UnsubscribeCommand({ SubscriptionArn: sub.arn }));
        step(plan.steps.find((x) => x.action === 'delete' && x.kind === 'subscription' && x.changes[0] === sub.arn)!);
      }
    }
    const staleOrder = [...obs.stale].sort((a, b) => Number(!!a.attrs.RedriveAllowPolicy) - Number(!!b.attrs.RedriveAllowPolicy));
    for (const s of staleOrder) {
      checkpoint();
      await clients.sqs.send(new sqs.DeleteQueueCommand({ QueueUrl: s.url }));
      step(plan.steps.find((x) => x.action === 'delete' && x.name === s.name)!);
    }
  } catch (err) {
    if (err === STOPPED) {
      throw cancelled({
        done: `applied ${done.length} of ${plan.steps.length} changes to flow "${spec.name}" (${describeSteps(done)})`,
        resume: hooks.resume,
        hint: hooks.resume ? `the next apply converges from what exists: ${hooks.resume}` : 'the next `svl apply` converges from what exists',
        partial: { flow: spec.name, cancelled: true, done, remaining: plan.steps.filter((s) => !done.includes(s)) },
      });
    }
    const made = done.filter((s) => s.action === 'create').map((s) => `${s.kind} ${s.name}`);
    const msg = (err as Error).message;
    throw new SvlError(
      `Apply of flow "${spec.name}" failed after ${done.length} of ${plan.steps.length} steps: ${msg}` +
        (made.length ? `\n  Created before the failure: ${made.join(', ')}` : ''),
      1,
      {
        code: (err as { name?: string }).name ?? 'ApplyFailed',
        requestId: (err as { $metadata?: { requestId?: string } }).$metadata?.requestId,
        hint: isQueueDeletedRecently((err as { name?: string }).name)
          ? 'A queue name cannot be reused for 60 s after DeleteQueue: wait 60 s, then run `svl apply` again (it continues from there).'
          : 'Fix the cause and run `svl apply` again: it re-reads what exists and continues from there.',
        cause: err,
      },
    );
  }

  return {
    flow: spec.name,
    plan,
    changed: plan.steps.length > 0,
    done,
    topicArn,
    queues: spec.queues.map((q) => resultQueue(q, ctx, urls)),
    ...(apis && spec.apis.length ? { apis } : {}),
  };
}

async function updateSubscription(
  clients: FlowClients,
  sns: SnsSdk,
  arn: string,
  current: Record<string, string>,
  desired: Record<string, string>,
  q: QueueSpec,
): Promise<void> {
  const set = (AttributeName: string, AttributeValue: string) =>
    clients.sns.send(new sns.SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName, AttributeValue }));
  if (current.RawMessageDelivery !== desired.RawMessageDelivery) await set('RawMessageDelivery', desired.RawMessageDelivery!);
  const changes = attributeChanges(current, desired).map((d) => d.key);
  // The subscription DLQ: set when added or changed, cleared (an empty value) when the spec drops it.
  if (changes.includes('RedrivePolicy')) await set('RedrivePolicy', desired.RedrivePolicy!);
  else if (!desired.RedrivePolicy && current.RedrivePolicy) await set('RedrivePolicy', '');
  if (!q.filterPolicy) {
    if (current.FilterPolicy) await set('FilterPolicy', '');
    return;
  }
  if (changes.includes('FilterPolicyScope')) {
    // A policy valid in one scope may be invalid in the other: clear it, switch the scope, set it again.
    if (current.FilterPolicy) await set('FilterPolicy', '');
    await set('FilterPolicyScope', desired.FilterPolicyScope!);
    await set('FilterPolicy', desired.FilterPolicy!);
  } else if (changes.includes('FilterPolicy')) {
    await set('FilterPolicy', desired.FilterPolicy!);
  }
}

function resultQueue(q: QueueSpec, ctx: PlanContext, urls: Map<string, string>) {
  const out: ApplyResult['queues'][number] = { id: q.id, name: q.name, url: urls.get(q.name) ?? '', arn: queueArnOf(q.name, ctx) };
  if (q.dlq) out.dlq = { name: q.dlq.name, url: urls.get(q.dlq.name) ?? '', arn: queueArnOf(q.dlq.name, ctx) };
  const sd = q.subscriptionDlq;
  if (sd) out.subscriptionDlq = { name: sd.name, url: urls.get(sd.name) ?? '', arn: queueArnOf(sd.name, ctx) };
  return out;
}
