/**
 * Discovery of what exists in the account (or the emulator): every topic with its attributes and tags,
 * every subscription with its filter and redrive settings, every queue with depths, redrive policy and
 * tags, and - when asked - the Lambda event source mappings reading those queues. Read-only: nothing
 * here receives, changes or deletes anything.
 *
 * Calls fan out with bounded concurrency (CONCURRENCY in flight) so 100 queues stay quick without
 * provoking throttling. A resource deleted between listing and describing is skipped, not an error.
 * The pure derivations (grouping by flow, DLQ links, the graph) live in inventory-model.ts.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { discoverBuckets } from './inventory-s3.js';
import { lambdaSdk, snsSdk, sqsSdk } from './sdk.js';
import { SvlError } from '../errors.js';
import { describeTarget, isQueueNotFound, mapAwsError } from './errors.js';
import { createLimiter } from './pool.js';
import { sendAbortable } from './send.js';
import type { Target } from './target.js';
import {
  arnName,
  FLOW_TAG,
  functionName,
  linkDeadLetters,
  parseRedrivePolicy,
  queueNameFromUrl,
  summarizeFilterPolicy,
  totalDepth,
  withoutTaps,
  type ConsumerInfo,
  type Inventory,
  type QueueInfo,
  type SubscriptionInfo,
  type TopicInfo,
} from './inventory-model.js';

export * from './inventory-model.js';

/** AWS calls in flight at once for one discovery, across all its phases. */
export const CONCURRENCY = 8;

export interface InventoryDeps {
  target: Target;
  sqs: SQSClient;
  sns: SNSClient;
  /** Given: event source mappings are listed too (for `svl graph`). */
  lambda?: LambdaClient;
  /** Given: buckets (and their notifications) are listed too. */
  s3?: S3Client;
  signal?: AbortSignal;
  /** For the emulator's peek endpoint; defaults to global fetch. */
  fetch?: typeof fetch;
  now?: () => number;
  /** Keep every attribute of topics, queues and subscriptions (`svl doctor` checks them), not only what status shows. */
  allAttributes?: boolean;
  /**
   * Given: a topic, queue or subscription whose details access is denied for is left out and reported here
   * (`svl doctor` says "not checked") instead of failing the whole discovery.
   */
  onUnreadable?: (u: Unreadable) => void;
}

export interface Unreadable {
  kind: 'topic' | 'queue' | 'subscription' | 'bucket';
  /** The ARN (topics, subscriptions, buckets) or the URL (queues). */
  id: string;
  reason: string;
}

const isDenied = (err: unknown): boolean => {
  const e = err as { code?: string; name?: string };
  return /AccessDenied|AuthorizationError|NotAuthorized|Forbidden|UnauthorizedOperation/i.test(`${e.code ?? ''} ${e.name ?? ''}`);
};

/** Whether `err` was reported as an unreadable resource (and the resource is to be skipped). */
function unreadable(deps: Run, kind: Unreadable['kind'], id: string, err: unknown): boolean {
  if (!deps.onUnreadable || !isDenied(err)) return false;
  deps.onUnreadable({ kind, id, reason: (err as Error).message.split('\n')[0]! });
  return true;
}

const QUEUE_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'RedrivePolicy',
  'FifoQueue',
  'Policy',
] as const;

/** The deps plus the one concurrency budget every call of this discovery shares. */
type Run = InventoryDeps & { limit: ReturnType<typeof createLimiter> };

const isGone = (err: unknown) => {
  const name = (err as { name?: string }).name;
  return isQueueNotFound(name) || name === 'NotFound' || name === 'NotFoundException';
};

export async function discoverInventory(deps: InventoryDeps): Promise<Inventory> {
  // Each call in flight listens on the signal until it ends; CONCURRENCY of them plus the command's own
  // listeners can pass Node's default warning threshold of 10 without any leak.
  if (deps.signal) setMaxListeners(Math.max(getMaxListeners(deps.signal), 4 * CONCURRENCY), deps.signal);
  const run: Run = { ...deps, limit: createLimiter(CONCURRENCY) };
  const [topics, subscriptions, queues, lambda, s3] = await Promise.all([
    discoverTopics(run),
    discoverSubscriptions(run),
    discoverQueues(run),
    deps.lambda ? discoverConsumers(run, deps.lambda) : Promise.resolve(null),
    deps.s3 ? discoverBuckets(deps.s3, { region: deps.target.region, aws: deps.target.kind === 'aws', limit: run.limit, signal: deps.signal, onUnreadable: (u) => deps.onUnreadable?.({ kind: 'bucket', id: `arn:aws:s3:::${u.bucket}`, reason: u.reason }) }) : Promise.resolve(null),
  ]);
  return linkDeadLetters(withoutTaps({
    topics,
    subscriptions,
    queues,
    consumers: lambda?.consumers ?? [],
    lambda: lambda ? { available: lambda.available, ...(lambda.reason !== undefined && { reason: lambda.reason }) } : null,
    ...(s3 && { buckets: s3.buckets, s3: { available: s3.available, ...(s3.reason !== undefined && { reason: s3.reason }) } }),
  }));
}

/** A flow name nothing is tagged with; the hint lists the flows that do exist. */
export function flowNotFound(flow: string, existing: readonly string[], target: Target): SvlError {
  const where = describeTarget(target);
  const hint = existing.length > 0
    ? `Existing flows: ${existing.join(', ')}`
    : 'No flows here yet (nothing carries the svl:flow tag); create one with `svl init`, or run `svl status` for everything';
  return new SvlError(`Flow "${flow}" not found${where}`, 1, { code: 'FlowNotFound', hint });
}

/**
 * One limited SDK call of the SQS or SNS client, made with the command's abort signal the way that client
 * takes it (sendAbortable: doctor's clients are cacheMiddleware ones, whose cache a send with options
 * drops); failures say what was being listed, so the error boundary can say it plainly.
 */
async function call<T>(deps: Run, service: 'sqs' | 'sns', operation: string, send: (options?: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
  try {
    return await deps.limit(() => sendAbortable(deps[service], deps.signal, send));
  } catch (err) {
    if (isGone(err)) throw err;
    throw mapAwsError(err, { target: deps.target, service, operation });
  }
}

async function discoverTopics(deps: Run): Promise<TopicInfo[]> {
  const { GetTopicAttributesCommand, ListTagsForResourceCommand, ListTopicsCommand } = snsSdk();
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await call(deps, 'sns', 'ListTopics', (o) => deps.sns.send(new ListTopicsCommand({ NextToken: token }), o));
    for (const t of page.Topics ?? []) if (t.TopicArn) arns.push(t.TopicArn);
    token = page.NextToken;
  } while (token);
  const topics = await Promise.all(arns.map(async (arn): Promise<TopicInfo | null> => {
    try {
      const [{ Attributes: a = {} }, { Tags = [] }] = await Promise.all([
        call(deps, 'sns', 'GetTopicAttributes', (o) => deps.sns.send(new GetTopicAttributesCommand({ TopicArn: arn }), o)),
        call(deps, 'sns', 'ListTagsForResource', (o) => deps.sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }), o)),
      ]);
      const tags = Object.fromEntries(Tags.map((t) => [t.Key ?? '', t.Value ?? '']));
      return { name: arnName(arn), arn, fifo: a.FifoTopic === 'true', contentBasedDeduplication: a.ContentBasedDeduplication === 'true', flow: tags[FLOW_TAG] ?? null, tags, ...(deps.allAttributes && { attributes: a }) };
    } catch (err) {
      if (isGone(err) || unreadable(deps, 'topic', arn, err)) return null;
      throw err;
    }
  }));
  return topics.filter((t): t is TopicInfo => t !== null);
}

async function discoverSubscriptions(deps: Run): Promise<SubscriptionInfo[]> {
  const { GetSubscriptionAttributesCommand, ListSubscriptionsCommand } = snsSdk();
  const listed: Array<{ arn?: string; topicArn: string; protocol: string; endpoint: string }> = [];
  let token: string | undefined;
  do {
    const page = await call(deps, 'sns', 'ListSubscriptions', (o) => deps.sns.send(new ListSubscriptionsCommand({ NextToken: token }), o));
    for (const s of page.Subscriptions ?? []) {
      listed.push({ arn: s.SubscriptionArn, topicArn: s.TopicArn ?? '', protocol: s.Protocol ?? '', endpoint: s.Endpoint ?? '' });
    }
    token = page.NextToken;
  } while (token);
  const subs = await Promise.all(listed.map(async (s): Promise<SubscriptionInfo | null> => {
    const confirmed = Boolean(s.arn?.startsWith('arn:'));
    let a: Record<string, string> = {};
    if (confirmed) {
      try {
        a = (await call(deps, 'sns', 'GetSubscriptionAttributes', (o) => deps.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s.arn }), o))).Attributes ?? {};
      } catch (err) {
        if (isGone(err) || unreadable(deps, 'subscription', s.arn!, err)) return null;
        throw err;
      }
    }
    const filterPolicy = a.FilterPolicy ? a.FilterPolicy : null;
    return {
      arn: confirmed ? s.arn! : null,
      topicArn: s.topicArn,
      protocol: s.protocol,
      endpoint: s.endpoint,
      confirmed,
      filterPolicy,
      filterPolicyScope: a.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes',
      filter: summarizeFilterPolicy(filterPolicy),
      rawMessageDelivery: a.RawMessageDelivery === 'true',
      deadLetterTargetArn: parseRedrivePolicy(a.RedrivePolicy)?.deadLetterTargetArn ?? null,
      ...(deps.allAttributes && { attributes: a }),
    };
  }));
  return subs.filter((s): s is SubscriptionInfo => s !== null);
}

async function discoverQueues(deps: Run): Promise<QueueInfo[]> {
  const { GetQueueAttributesCommand, ListQueueTagsCommand, ListQueuesCommand } = sqsSdk();
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await call(deps, 'sqs', 'ListQueues', (o) => deps.sqs.send(new ListQueuesCommand({ MaxResults: 1000, NextToken: token }), o));
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token);
  const queues = await Promise.all(urls.map(async (url): Promise<QueueInfo | null> => {
    try {
      const [{ Attributes: a = {} }, { Tags: tags = {} }] = await Promise.all([
        call(deps, 'sqs', 'GetQueueAttributes', (o) => deps.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: deps.allAttributes ? ['All'] : [...QUEUE_ATTRIBUTES] }), o)),
        call(deps, 'sqs', 'ListQueueTags', (o) => deps.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }), o)),
      ]);
      const name = queueNameFromUrl(url);
      const depth = {
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
      };
      return {
        name,
        url,
        arn: a.QueueArn ?? '',
        fifo: a.FifoQueue === 'true',
        flow: tags[FLOW_TAG] ?? null,
        tags,
        depth,
        oldestMessageAgeSeconds: totalDepth(depth) > 0 ? await oldestMessageAge(deps, name) : null,
        redrive: parseRedrivePolicy(a.RedrivePolicy),
        policy: a.Policy ?? null,
        deadLetterSources: [],
        ...(deps.allAttributes && { attributes: a }),
      };
    } catch (err) {
      if (isGone(err) || unreadable(deps, 'queue', url, err)) return null;
      throw err;
    }
  }));
  return queues.filter((q): q is QueueInfo => q !== null);
}

/**
 * Only the emulator can tell the age of the oldest message without side effects (its peek endpoint).
 * On AWS the answer is unknown: receiving a message to read its timestamp would change its receive
 * count and visibility, and CloudWatch's ApproximateAgeOfOldestMessage needs another service.
 */
async function oldestMessageAge(deps: Run, queue: string): Promise<number | null> {
  const endpoint = deps.target.kind === 'local' ? deps.target.endpoints.sqs : undefined;
  if (!endpoint) return null;
  try {
    const body = await deps.limit(async () => {
      const res = await (deps.fetch ?? fetch)(`${endpoint}/_svl/sqs/peek?queue=${encodeURIComponent(queue)}&limit=1`, { signal: deps.signal });
      return res.ok ? ((await res.json()) as { Messages?: Array<{ Attributes?: { SentTimestamp?: string } }> }) : {};
    });
    const sent = Number(body.Messages?.[0]?.Attributes?.SentTimestamp);
    if (!Number.isFinite(sent) || sent <= 0) return null;
    return Math.max(0, Math.floor(((deps.now ?? Date.now)() - sent) / 1000));
  } catch {
    return null; // an older emulator without the endpoint, or a hiccup: the age is just unknown
  }
}

/**
 * Event source mappings, when Lambda answers (an account may deny lambda:ListEventSourceMappings: then
 * the graph and status show no consumers and say why). On the emulator, the last failure of each mapping
 * comes from svl's `/_svl/lambda/event-source-mappings`; on AWS from LastProcessingResult when it is a
 * `PROBLEM: …` (AWS fills it for stream sources; for SQS queues failures show only in the function's
 * logs and metrics).
 */
async function discoverConsumers(deps: Run, lambda: LambdaClient): Promise<{ available: boolean; reason?: string; consumers: ConsumerInfo[] }> {
  const { ListEventSourceMappingsCommand } = lambdaSdk();
  const consumers: ConsumerInfo[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await deps.limit(() => lambda.send(new ListEventSourceMappingsCommand({ Marker: marker }), { abortSignal: deps.signal }));
      for (const m of page.EventSourceMappings ?? []) {
        if (!/^arn:[^:]+:sqs:/.test(m.EventSourceArn ?? '') || !m.FunctionArn || !m.EventSourceArn) continue;
        consumers.push({
          uuid: m.UUID ?? '',
          functionArn: m.FunctionArn,
          functionName: functionName(m.FunctionArn),
          eventSourceArn: m.EventSourceArn,
          state: m.State ?? 'Unknown',
          batchSize: m.BatchSize ?? null,
          batchingWindowSeconds: m.MaximumBatchingWindowInSeconds ?? 0,
          functionResponseTypes: m.FunctionResponseTypes ?? [],
          stateTransitionReason: m.StateTransitionReason ?? null,
          lastProcessingResult: m.LastProcessingResult ?? null,
          lastError: m.LastProcessingResult?.startsWith('PROBLEM') ? { type: 'LastProcessingResult', message: m.LastProcessingResult, at: null } : null,
          ...(m.LastModified && { lastModified: new Date(m.LastModified).toISOString() }),
        });
      }
      marker = page.NextMarker;
    } while (marker);
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    const e = err as { name?: string; message?: string };
    return { available: false, reason: `${e.name ?? 'Error'}: ${e.message ?? ''}`.trim(), consumers: [] };
  }
  if (deps.target.kind === 'local') await addEmulatorErrors(deps, consumers);
  return { available: true, consumers };
}

/** The emulator's own record of each mapping's last failure; an older emulator without it changes nothing. */
async function addEmulatorErrors(deps: Run, consumers: ConsumerInfo[]): Promise<void> {
  const endpoint = deps.target.endpoints.lambda;
  if (!endpoint || consumers.length === 0) return;
  let mappings: Array<{ uuid: string; lastError: { atMs: number; type: string; message: string } | null }>;
  try {
    const res = await (deps.fetch ?? fetch)(`${endpoint}/_svl/lambda/event-source-mappings`, { signal: deps.signal });
    if (!res.ok) return;
    mappings = ((await res.json()) as { mappings?: typeof mappings }).mappings ?? [];
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    return;
  }
  const byUuid = new Map(mappings.map((m) => [m.uuid, m]));
  for (const c of consumers) {
    const e = byUuid.get(c.uuid)?.lastError;
    if (e) c.lastError = { type: e.type, message: e.message, at: new Date(e.atMs).toISOString() };
  }
}
