/**
 * Dead-letter queues for `svl tail dlq` and `svl dlq`: a queue with the attributes that matter for
 * reading it safely (redrive policy, visibility timeout, depth), the queues and subscriptions a DLQ
 * serves, and its message move tasks. A queue that is not what the command needs is a UsageError (exit 2);
 * a name that does not exist is "not found" (exit 1), as for every command (src/aws/errors.ts).
 */
import type { ListMessageMoveTasksResultEntry, SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { UsageError } from '../errors.js';
import { mapAwsError } from './errors.js';
import { arnName, parseRedrivePolicy, queueNameFromUrl, type QueueDepth, type RedriveInfo } from './inventory-model.js';
import { locateQueueWith, type LocatedQueue } from './locate.js';
import { mapLimit } from './pool.js';
import type { Target } from './target.js';
import { snsSdk, sqsSdk } from './sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { CancelMessageMoveTaskCommand, GetQueueAttributesCommand, ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand } = sqsSdk();
const { GetSubscriptionAttributesCommand, ListSubscriptionsCommand } = snsSdk();

export interface QueueDetails extends LocatedQueue {
  redrive: RedriveInfo | null;
  visibilityTimeout: number;
  depth: QueueDepth;
}

export interface DlqSource {
  kind: 'queue' | 'subscription';
  arn: string;
  name: string;
}

const STATE_ATTRIBUTES = ['RedrivePolicy', 'VisibilityTimeout', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
type QueueState = Pick<QueueDetails, 'redrive' | 'visibilityTimeout' | 'depth'>;

const stateOf = (a: Record<string, string>): QueueState => ({
  redrive: parseRedrivePolicy(a.RedrivePolicy),
  visibilityTimeout: Number(a.VisibilityTimeout ?? 30),
  depth: { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0), delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0) },
});

/** The queue `ref` names (name, URL or ARN) with what reading it safely needs (one GetQueueAttributes); unknown -> exit 1 like every not-found. */
export async function describeQueue(sqs: SQSClient, ref: string, target: Target, signal?: AbortSignal): Promise<QueueDetails> {
  const { queue, attributes } = await locateQueueWith(sqs, ref, STATE_ATTRIBUTES, target, signal);
  return { ...queue, ...stateOf(attributes) };
}

export async function queueState(sqs: SQSClient, url: string, target: Target, signal?: AbortSignal): Promise<QueueState> {
  try {
    const { Attributes: a = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...STATE_ATTRIBUTES] }), { abortSignal: signal });
    return stateOf(a);
  } catch (err) {
    throw mapAwsError(err, { target, service: 'sqs', operation: 'GetQueueAttributes', resource: `queue "${queueNameFromUrl(url)}"` });
  }
}

/** The queues (ListDeadLetterSourceQueues) and, failing those, the SNS subscriptions that dead-letter into `dlq`. */
export async function deadLetterSources(sqs: SQSClient, sns: SNSClient, dlq: QueueDetails, target: Target, signal?: AbortSignal): Promise<DlqSource[]> {
  return (await listSources(sqs, sns, dlq, target, signal)).sources;
}

async function listSources(sqs: SQSClient, sns: SNSClient, dlq: QueueDetails, target: Target, signal?: AbortSignal): Promise<{ sources: DlqSource[]; urls: Map<string, string> }> {
  const out: DlqSource[] = [];
  const urls = new Map<string, string>();
  try {
    let token: string | undefined;
    do {
      const page = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.url, NextToken: token, MaxResults: 1000 }), { abortSignal: signal });
      for (const url of page.queueUrls ?? []) {
        const arn = arnFromUrl(url, dlq.arn);
        out.push({ kind: 'queue', name: queueNameFromUrl(url), arn });
        urls.set(arn, url);
      }
      token = page.NextToken;
    } while (token);
  } catch (err) {
    throw mapAwsError(err, { target, service: 'sqs', operation: 'ListDeadLetterSourceQueues', resource: `queue "${dlq.name}"` });
  }
  if (out.length > 0) return { sources: out, urls };
  // SNS subscriptions can dead-letter too (their RedrivePolicy); only looked for when no queue does.
  try {
    let token: string | undefined;
    const subs: string[] = [];
    do {
      const page = await sns.send(new ListSubscriptionsCommand({ NextToken: token }), { abortSignal: signal });
      for (const s of page.Subscriptions ?? []) if (s.SubscriptionArn?.startsWith('arn:')) subs.push(s.SubscriptionArn);
      token = page.NextToken;
    } while (token);
    const found = await mapLimit(subs, 8, async (arn) => {
      const { Attributes: a = {} } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }), { abortSignal: signal });
      return parseRedrivePolicy(a.RedrivePolicy)?.deadLetterTargetArn === dlq.arn ? { kind: 'subscription' as const, arn, name: `${arnName(a.TopicArn ?? arn)} subscription` } : null;
    });
    for (const f of found) if (f) out.push(f);
  } catch (err) {
    throw mapAwsError(err, { target, service: 'sns', operation: 'ListSubscriptions' });
  }
  return { sources: out, urls };
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` -> its ARN, in the DLQ's partition and region. */
function arnFromUrl(url: string, like: string): string {
  const [arn0 = 'arn', partition = 'aws', , region = ''] = like.split(':');
  const parts = url.replace(/\/+$/, '').split('/');
  return `${arn0}:${partition}:sqs:${region}:${parts.at(-2) ?? ''}:${parts.at(-1) ?? ''}`;
}

export interface DeadLetterQueue {
  dlq: QueueDetails;
  sources: DlqSource[];
  /** The source queues' URLs by ARN, as ListDeadLetterSourceQueues lists them. */
  sourceUrls: ReadonlyMap<string, string>;
}

/**
 * `ref` must be a dead-letter queue. One that is not gets a UsageError whose hint names its own DLQ
 * when it has one (`orders` -> `svl dlq peek orders-dlq`).
 */
export async function resolveDeadLetterQueue(sqs: SQSClient, sns: SNSClient, ref: string, target: Target, command: string, signal?: AbortSignal): Promise<DeadLetterQueue> {
  const dlq = await describeQueue(sqs, ref, target, signal);
  const { sources, urls } = await listSources(sqs, sns, dlq, target, signal);
  if (sources.length > 0) return { dlq, sources, sourceUrls: urls };
  const local = target.kind === 'local' ? ' --local' : '';
  throw new UsageError(`"${dlq.name}" is not a dead-letter queue: no queue or subscription redrives to it`, {
    hint: dlq.redrive
      ? `Its dead-letter queue is ${arnName(dlq.redrive.deadLetterTargetArn)}: svl dlq ${command} ${arnName(dlq.redrive.deadLetterTargetArn)}${local}`
      : `List the dead-letter queues with \`svl dlq ls${local}\``,
  });
}

// ---- message move tasks ----

type MoveTask = ListMessageMoveTasksResultEntry;

/** The most recent move task of a DLQ, or null. */
export async function latestMoveTask(sqs: SQSClient, dlqArn: string, target: Target, signal?: AbortSignal): Promise<MoveTask | null> {
  try {
    const out = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 1 }), { abortSignal: signal });
    return out.Results?.[0] ?? null;
  } catch (err) {
    throw mapAwsError(err, { target, service: 'sqs', operation: 'ListMessageMoveTasks', resource: `queue "${arnName(dlqArn)}"` });
  }
}

export async function cancelMoveTask(sqs: SQSClient, handle: string, target: Target): Promise<number> {
  try {
    const out = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: handle }));
    return out.ApproximateNumberOfMessagesMoved ?? 0;
  } catch (err) {
    throw mapAwsError(err, { target, service: 'sqs', operation: 'CancelMessageMoveTask' });
  }
}
