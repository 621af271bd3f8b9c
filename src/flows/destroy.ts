/**
 * Destroy: remove exactly what the flow owns — resources carrying the tag `svl:flow=<name>` — in reverse
 * dependency order: HTTP APIs (with their Lambda permissions; apis-apply.ts), consumers (event source
 * mappings), subscriptions, queues, DLQs, topic, then the functions `svl init` deployed for the flow
 * (tagged; destroy-functions.ts). Untagged or foreign resources with the
 * same names are left alone and reported. Ctrl-C (`cancel.signal`) stops between deletions, never inside
 * one, and the CancelledError lists what was deleted; the next destroy deletes what is left.
 */
import { cancelled, SvlError } from '../errors.js';
import { FLOW_TAG, type FlowSpec } from './spec.js';
import { findTopicArn, topicSubscriptions } from '../aws/locate.js';
import { mapLimit } from '../aws/pool.js';
import { flowQueueNames, listQueueUrls, observeQueue, observeQueueUrl, type FlowClients, type ObservedQueue } from './observe.js';
import type { PlanStep } from './plan.js';
import { destroyApi, destroyApiSteps, findFlowApis } from './apis-apply.js';
import type { ObservedApi } from './apis-plan.js';
import { executeDestroyBuckets, planDestroyBuckets, type BucketDestroy } from './buckets-aws.js';
import { deleteFunction, planDestroyFunctions } from './destroy-functions.js';
import { lambdaSdk, snsSdk, sqsSdk } from '../aws/sdk.js';

export interface DestroyPlan {
  flow: string;
  steps: PlanStep[];
  skipped: string[];
  topic?: { arn: string };
  queues: ObservedQueue[];
  subscriptions: string[];
  /** Lambda event source mappings reading the flow's queues (UUIDs). */
  consumers: Array<{ uuid: string; queue: string; fn: string }>;
  /** The flow's HTTP APIs (tagged with it), deleted first: they are the flow's front door. */
  apis: ObservedApi[];
  /** The flow's buckets (buckets-aws.ts): deleted when empty or with force, else reported. */
  buckets?: BucketDestroy;
  /** Lambda functions tagged with the flow (deployed by `svl init`). */
  functions?: string[];
}

/** What destroying the flow would delete. With a spec, names come from it; always filtered by the tag. */
export async function planDestroy(flow: string, spec: FlowSpec | undefined, c: FlowClients, opts: { force?: boolean } = {}): Promise<DestroyPlan> {
  const sns = snsSdk();
  const skipped: string[] = [];
  const queues: ObservedQueue[] = [];

  // Queues: the spec's names plus any queue starting with the flow name that carries the flow tag.
  const names = new Set(spec ? flowQueueNames(spec) : []);
  // Listed queues come with their URL; only spec names that were not listed are looked up.
  const listed = new Map((await listQueueUrls(c.sqs, flow)).map((u) => [u.split('/').pop()!, u]));
  for (const n of listed.keys()) names.add(n);
  for (const q of await mapLimit([...names], 8, (n) => (listed.has(n) ? observeQueueUrl(c.sqs, listed.get(n)!) : observeQueue(c.sqs, n)))) {
    if (!q) continue;
    if (q.tags[FLOW_TAG] === flow) queues.push(q);
    else if (spec && flowQueueNames(spec).includes(q.name)) {
      skipped.push(`queue ${q.name} (${q.tags[FLOW_TAG] ? `belongs to flow "${q.tags[FLOW_TAG]}"` : 'not managed by svl'})`);
    }
  }

  // Topic: the spec's, or any topic tagged with the flow.
  let topic: DestroyPlan['topic'];
  const candidates: string[] = [];
  if (spec) {
    const arn = await findTopicArn(c.sns, spec.topic.name);
    if (arn) candidates.push(arn);
  } else {
    let t: string | undefined;
    do {
      const page = await c.sns.send(new sns.ListTopicsCommand({ NextToken: t }));
      candidates.push(...(page.Topics ?? []).map((x) => x.TopicArn!).filter(Boolean));
      t = page.NextToken;
    } while (t);
  }
  const tagged = await mapLimit(candidates, 8, async (arn) => ({ arn, tags: (await c.sns.send(new sns.ListTagsForResourceCommand({ ResourceArn: arn }))).Tags ?? [] }));
  for (const { arn, tags } of tagged) {
    if (tags.some((x) => x.Key === FLOW_TAG && x.Value === flow)) topic = { arn };
    else if (spec) skipped.push(`topic ${arn.split(':').pop()} (not tagged ${FLOW_TAG}=${flow})`);
  }

  // Subscriptions of the flow's topic, and of other topics to the flow's queues are left to their topics.
  const subscriptions: string[] = [];
  const subSteps: PlanStep[] = [];
  if (topic) {
    const topicName = topic.arn.split(':').pop()!;
    for (const s of await topicSubscriptions(c.sns, topic.arn)) {
      subscriptions.push(s.SubscriptionArn);
      const target = s.Protocol === 'sqs' ? (s.Endpoint ?? '').split(':').pop() : `${s.Protocol}:${s.Endpoint}`;
      subSteps.push({ action: 'delete', kind: 'subscription', name: `${topicName} -> ${target}`, changes: [s.SubscriptionArn] });
    }
  }

  // Consumers: event source mappings reading the flow's queues go with the queues.
  const consumers: DestroyPlan['consumers'] = [];
  const lambda = queues.length && c.lambda ? await c.lambda() : undefined;
  if (lambda) {
    const { ListEventSourceMappingsCommand } = lambdaSdk();
    for (const q of queues) {
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: q.arn, Marker: marker }));
        for (const m of page.EventSourceMappings ?? []) {
          if (m.UUID) consumers.push({ uuid: m.UUID, queue: q.name, fn: (m.FunctionArn ?? '').split(':').pop() ?? '' });
        }
        marker = page.NextMarker;
      } while (marker);
    }
  }

  // HTTP APIs tagged with the flow; a target without API Gateway has none.
  let apis: ObservedApi[] = [];
  const apigw = await c.apigw?.().catch(() => undefined);
  if (apigw) {
    try {
      apis = await findFlowApis(apigw, flow);
    } catch (err) {
      if (!['NotFoundException', 'AccessDeniedException', 'UnknownOperationException'].includes((err as { name?: string }).name ?? '')) throw err;
    }
  }

  const buckets = await planDestroyBuckets(flow, spec, c, opts.force === true);
  const functions = await planDestroyFunctions(flow, spec, await c.lambda?.(), consumers.map((m) => m.fn));
  skipped.push(...buckets.skipped);
  const steps: PlanStep[] = [
    ...destroyApiSteps(apis),
    ...buckets.steps,
    ...consumers.map((m): PlanStep => ({ action: 'delete', kind: 'consumer', name: `${m.queue} -> λ ${m.fn}`, changes: [m.uuid] })),
    ...subSteps,
    ...queues
      .sort((a, b) => Number(!!a.attrs.RedriveAllowPolicy) - Number(!!b.attrs.RedriveAllowPolicy))
      .map((q): PlanStep => ({ action: 'delete', kind: q.attrs.RedriveAllowPolicy ? 'dlq' : 'queue', name: q.name, changes: [] })),
    ...(topic ? [{ action: 'delete', kind: 'topic', name: topic.arn.split(':').pop()!, changes: [] } as PlanStep] : []),
    ...functions.steps,
  ];
  return { flow, steps, skipped, topic, queues, subscriptions, consumers, apis, buckets, functions: functions.names };
}

const STOPPED = Symbol('stopped');

export async function executeDestroy(
  p: DestroyPlan,
  c: FlowClients,
  onStep?: (s: PlanStep) => void,
  cancel: { signal?: AbortSignal; resume?: string } = {},
): Promise<PlanStep[]> {
  const cancelling = () => cancel.signal?.aborted === true;
  const checkpoint = () => {
    if (cancelling()) throw STOPPED;
  };
  const sqs = sqsSdk();
  const sns = snsSdk();
  const done: PlanStep[] = [];
  const mark = (s: PlanStep | undefined) => {
    if (!s) return;
    done.push(s);
    onStep?.(s);
  };
  try {
    if (p.apis.length) {
      const apigw = (await c.apigw!())!;
      const lambda = await c.lambda?.();
      for (const a of p.apis) {
        checkpoint();
        await destroyApi({ apigw, lambda }, a);
        mark(p.steps.find((s) => s.kind === 'api' && s.changes[0] === a.id));
      }
    }
    checkpoint();
    if (p.buckets) await executeDestroyBuckets(p.buckets, c, mark, checkpoint);
    if (p.consumers.length) {
      const lambda = (await c.lambda!())!;
      const { DeleteEventSourceMappingCommand } = lambdaSdk();
      for (const m of p.consumers) {
        checkpoint();
        await lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.uuid }));
        mark(p.steps.find((s) => s.kind === 'consumer' && s.changes[0] === m.uuid));
      }
    }
    await mapLimit(p.subscriptions, 8, async (arn) => {
      if (cancelling()) return;
      await c.sns.send(new sns.UnsubscribeCommand({ SubscriptionArn: arn }));
      mark(p.steps.find((s) => s.kind === 'subscription' && s.changes[0] === arn));
    });
    const ordered = p.steps.filter((s) => s.kind === 'queue' || s.kind === 'dlq');
    for (const kind of ['queue', 'dlq'] as const) {
      checkpoint();
      await mapLimit(ordered.filter((s) => s.kind === kind), 8, async (s) => {
        if (cancelling()) return;
        const q = p.queues.find((x) => x.name === s.name)!;
        await c.sqs.send(new sqs.DeleteQueueCommand({ QueueUrl: q.url }));
        mark(s);
      });
    }
    checkpoint();
    if (p.topic) {
      await c.sns.send(new sns.DeleteTopicCommand({ TopicArn: p.topic.arn }));
      mark(p.steps.find((s) => s.kind === 'topic'));
    }
    if (p.functions?.length) {
      const lambda = (await c.lambda!())!;
      for (const fn of p.functions) {
        checkpoint();
        await deleteFunction(lambda, fn);
        mark(p.steps.find((s) => s.kind === 'function' && s.name === fn));
      }
    }
  } catch (err) {
    if (err === STOPPED) {
      const what = done.map((s) => `${s.kind} ${s.name}`).join(', ');
      throw cancelled({
        done: `deleted ${done.length} of ${p.steps.length} resources of flow "${p.flow}"${what ? ` (${what})` : ''}`,
        resume: cancel.resume,
        hint: cancel.resume ? `the next destroy deletes what is left: ${cancel.resume}` : 'the next `svl destroy` deletes what is left',
        partial: { flow: p.flow, cancelled: true, deleted: done, remaining: p.steps.filter((s) => !done.includes(s)) },
      });
    }
    throw new SvlError(`Destroy of flow "${p.flow}" failed after ${done.length} of ${p.steps.length} steps: ${(err as Error).message}`, 1, {
      code: (err as { name?: string }).name ?? 'DestroyFailed',
      hint: 'Run `svl destroy` again: it deletes whatever of the flow is left.',
      cause: err,
    });
  }
  return done;
}
