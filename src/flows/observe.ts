/**
 * Reads what exists for a flow: its topic (by name), its queues and DLQs (by name), the topic's
 * subscriptions, queues tagged with the flow that the spec no longer lists (looked for among queues whose
 * name starts with the flow name), and Lambda event source mappings when the target has Lambda.
 * Only reads; no receive, no change.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { FLOW_TAG, type FlowSpec } from './spec.js';
import { isQueueNotFound } from '../aws/errors.js';
import { findTopicArn, topicSubscriptions } from '../aws/locate.js';
import { mapLimit } from '../aws/pool.js';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { ObservedApis } from './apis-plan.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ObservedS3 } from './buckets.js';
import { observeBuckets } from './buckets-aws.js';
import { lambdaSdk, snsSdk, sqsSdk } from '../aws/sdk.js';

export interface ObservedQueue {
  name: string;
  url: string;
  arn: string;
  attrs: Record<string, string>;
  tags: Record<string, string>;
}

export interface ObservedSub {
  arn: string;
  endpoint: string;
  protocol: string;
  attrs: Record<string, string>;
}

export interface ObservedConsumer {
  uuid: string;
  functionArn: string;
  batchSize?: number;
  batchingWindowSeconds?: number;
  reportBatchItemFailures: boolean;
}

export interface Observed {
  topic?: { arn: string; attrs: Record<string, string>; tags: Record<string, string> };
  queues: Map<string, ObservedQueue>;
  subs: ObservedSub[];
  stale: ObservedQueue[];
  /** Event source mappings per queue ARN; undefined when the target has no Lambda service. */
  consumers?: Map<string, ObservedConsumer[]>;
  /** Consumer functions that do not exist (their mappings cannot be created until they are deployed). */
  missingFunctions?: Set<string>;
  /** Timeout (seconds) of each consumer function that exists: an SQS mapping needs visibility >= it. */
  functionTimeouts?: Map<string, number>;
  /** The flow's HTTP APIs (apis-plan.ts), filled by prepareFlow. */
  apis?: ObservedApis;
  /** The flow's buckets and its destination functions' permissions (buckets-aws.ts); undefined without buckets. */
  s3?: ObservedS3;
}

export interface FlowClients {
  sqs: SQSClient;
  sns: SNSClient;
  /** Loaded only when a spec has consumers. */
  lambda?: () => Promise<LambdaClient | undefined>;
  /** API Gateway v2, for the flow's HTTP APIs; undefined when the target has none. */
  apigw?: () => Promise<ApiGatewayV2Client | undefined>;
  /** Loaded only when a spec (or a flow being destroyed) has buckets. */
  s3?: () => Promise<S3Client>;
}


const isNotFound = (err: unknown) => {
  const e = err as { name?: string; Code?: string };
  return e.name === 'QueueDoesNotExist' || isQueueNotFound(e.Code) || e.name === 'NotFoundException' || e.name === 'NotFound';
};

export async function observeQueue(sqs: SQSClient, name: string): Promise<ObservedQueue | undefined> {
  const { GetQueueUrlCommand } = sqsSdk();
  let url: string;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  return observeQueueUrl(sqs, url);
}

/** Every queue URL whose name starts with `prefix` (ListQueues, all pages). */
export async function listQueueUrls(sqs: SQSClient, prefix: string): Promise<string[]> {
  const { ListQueuesCommand } = sqsSdk();
  const urls: string[] = [];
  let token: string | undefined;
  do {
    const page = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken: token }));
    urls.push(...(page.QueueUrls ?? []));
    token = page.NextToken;
  } while (token);
  return urls;
}

/** A queue whose URL is known (listed): its attributes and tags. */
export async function observeQueueUrl(sqs: SQSClient, url: string): Promise<ObservedQueue | undefined> {
  const { GetQueueAttributesCommand, ListQueueTagsCommand } = sqsSdk();
  try {
    const [a, t] = await Promise.all([
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })),
      sqs.send(new ListQueueTagsCommand({ QueueUrl: url })),
    ]);
    const attrs = a.Attributes ?? {};
    return { name: url.split('/').pop()!, url, arn: attrs.QueueArn ?? '', attrs, tags: t.Tags ?? {} };
  } catch (err) {
    if (isNotFound(err)) return undefined; // deleted between the calls
    throw err;
  }
}


/** Every queue name a spec declares: each queue, its DLQ and its subscription's DLQ. */
export const flowQueueNames = (spec: FlowSpec): string[] =>
  spec.queues.flatMap((q) => [q.name, ...(q.dlq ? [q.dlq.name] : []), ...(q.subscriptionDlq ? [q.subscriptionDlq.name] : [])]);

export async function observeFlow(spec: FlowSpec, c: FlowClients): Promise<Observed> {
  const sns = snsSdk();
  const names = flowQueueNames(spec);

  const topicP = (async (): Promise<Observed['topic']> => {
    const arn = await findTopicArn(c.sns, spec.topic.name);
    if (!arn) return undefined;
    const [a, t] = await Promise.all([
      c.sns.send(new sns.GetTopicAttributesCommand({ TopicArn: arn })),
      c.sns.send(new sns.ListTagsForResourceCommand({ ResourceArn: arn })),
    ]);
    return { arn, attrs: a.Attributes ?? {}, tags: Object.fromEntries((t.Tags ?? []).map((x) => [x.Key!, x.Value ?? ''])) };
  })();
  const queuesP = mapLimit(names, 8, (n) => observeQueue(c.sqs, n));
  const staleP = (async () => {
    const urls = await listQueueUrls(c.sqs, spec.name);
    const candidates = urls.filter((u) => !names.includes(u.split('/').pop()!));
    const seen = await mapLimit(candidates, 8, (u) => observeQueueUrl(c.sqs, u));
    return seen.filter((q): q is ObservedQueue => !!q && q.tags[FLOW_TAG] === spec.name);
  })();

  const [topic, queueList, stale] = await Promise.all([topicP, queuesP, staleP]);
  const queues = new Map<string, ObservedQueue>();
  for (const q of queueList) if (q) queues.set(q.name, q);

  const subs: ObservedSub[] = [];
  if (topic) {
    const listed = (await topicSubscriptions(c.sns, topic.arn)).map((s) => ({ arn: s.SubscriptionArn, endpoint: s.Endpoint ?? '', protocol: s.Protocol ?? '' }));
    const ours = new Set([...queues.values(), ...stale].map((q) => q.arn));
    const relevant = listed.filter((s) => s.protocol === 'sqs' && ours.has(s.endpoint));
    const detailed = await mapLimit(relevant, 8, async (s) => {
      const a = await c.sns.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: s.arn }));
      return { ...s, attrs: a.Attributes ?? {} };
    });
    subs.push(...detailed);
  }

  let consumers: Observed['consumers'];
  let missingFunctions: Observed['missingFunctions'];
  let functionTimeouts: Observed['functionTimeouts'];
  const withConsumers = spec.queues.filter((q) => q.consumer);
  if (withConsumers.length && c.lambda) {
    const lambda = await c.lambda();
    if (lambda) {
      const { ListEventSourceMappingsCommand, GetFunctionConfigurationCommand } = lambdaSdk();
      consumers = new Map();
      missingFunctions = new Set();
      functionTimeouts = new Map();
      for (const fn of new Set(withConsumers.map((q) => q.consumer!.function))) {
        try {
          const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
          if (conf.Timeout !== undefined) functionTimeouts.set(fn, conf.Timeout);
        } catch (err) {
          if ((err as { name?: string }).name === 'ResourceNotFoundException') missingFunctions.add(fn);
          else throw err;
        }
      }
      for (const q of withConsumers) {
        const arn = queues.get(q.name)?.arn;
        if (!arn) continue;
        const r = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: arn }));
        consumers.set(
          arn,
          (r.EventSourceMappings ?? []).map((m) => ({
            uuid: m.UUID!,
            functionArn: m.FunctionArn ?? '',
            batchSize: m.BatchSize,
            batchingWindowSeconds: m.MaximumBatchingWindowInSeconds,
            reportBatchItemFailures: (m.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
          })),
        );
      }
    }
  }
  const s3 = spec.buckets?.length ? await observeBuckets(spec, c) : undefined;
  return { topic, queues, subs, stale, consumers, missingFunctions, functionTimeouts, ...(s3 && { s3 }) };
}
