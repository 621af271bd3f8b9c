/**
 * Finding one queue or topic from what a user typed - a name, a URL or an ARN - together with the
 * attributes that decide how to send to it (FIFO or not, content-based deduplication). Not-found
 * errors name the resource and suggest `svl status`.
 */
import type { QueueAttributeName, SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient, Subscription } from '@aws-sdk/client-sns';
import { SvlError } from '../errors.js';
import { describeTarget, isQueueNotFound, mapAwsError } from './errors.js';
import { arnName, queueNameFromUrl } from './inventory-model.js';
import type { Target } from './target.js';
import { snsSdk, sqsSdk } from './sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { GetQueueAttributesCommand, GetQueueUrlCommand } = sqsSdk();
const { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand } = snsSdk();

export interface LocatedQueue {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
}

export interface LocatedTopic {
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
}

const statusHint = (target: Target) => `List what exists with \`svl status${target.kind === 'local' ? ' --local' : ''}\`; check the name, --region and --local`;

/** Name for messages and hints: the queue name of a URL or ARN, else the text as given. */
export function queueRefName(ref: string): string {
  if (/^https?:\/\//.test(ref)) return queueNameFromUrl(ref);
  if (ref.startsWith('arn:')) return arnName(ref);
  return ref;
}

export async function locateQueue(sqs: SQSClient, ref: string, target: Target, signal?: AbortSignal): Promise<LocatedQueue> {
  return (await locateQueueWith(sqs, ref, [], target, signal)).queue;
}

/** locateQueue, reading `extra` attributes in the same GetQueueAttributes call. */
export async function locateQueueWith(
  sqs: SQSClient,
  ref: string,
  extra: readonly string[],
  target: Target,
  signal?: AbortSignal,
): Promise<{ queue: LocatedQueue; attributes: Record<string, string> }> {
  const name = queueRefName(ref);
  const fail = (err: unknown, operation: string) => {
    const e = mapAwsError(err, { target, service: 'sqs', operation, resource: `queue "${name}"` });
    return isQueueNotFound(e.code)
      ? new SvlError(e.message, 1, { code: e.code, requestId: e.requestId, hint: statusHint(target), cause: err })
      : e;
  };
  let url = ref;
  if (!/^https?:\/\//.test(ref)) {
    // An ARN carries the owner account: cross-account queues resolve like AWS CLI's --queue-owner-aws-account-id.
    const owner = ref.startsWith('arn:') ? ref.split(':')[4] : undefined;
    try {
      const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name, ...(owner && { QueueOwnerAWSAccountId: owner }) }), { abortSignal: signal });
      url = out.QueueUrl ?? '';
    } catch (err) {
      throw fail(err, 'GetQueueUrl');
    }
  }
  try {
    const { Attributes: a = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'FifoQueue', 'ContentBasedDeduplication', ...extra] as QueueAttributeName[] }),
      { abortSignal: signal },
    );
    return { queue: { name, url, arn: a.QueueArn ?? '', fifo: a.FifoQueue === 'true', contentBasedDeduplication: a.ContentBasedDeduplication === 'true' }, attributes: a };
  } catch (err) {
    throw fail(err, 'GetQueueAttributes');
  }
}

export async function locateTopic(sns: SNSClient, ref: string, target: Target, signal?: AbortSignal): Promise<LocatedTopic> {
  const name = ref.startsWith('arn:') ? arnName(ref) : ref;
  const notFound = (err?: unknown) =>
    new SvlError(`Topic "${name}" not found${describeTarget(target)}`, 1, {
      code: 'NotFound',
      hint: statusHint(target),
      requestId: (err as { $metadata?: { requestId?: string } } | undefined)?.$metadata?.requestId,
      cause: err,
    });
  let arn = ref.startsWith('arn:') ? ref : undefined;
  // The emulator's account and region are known, so its ARNs are too; on AWS the name is looked up.
  if (!arn && target.kind === 'local' && target.accountId && target.region) arn = `arn:aws:sns:${target.region}:${target.accountId}:${ref}`;
  if (!arn) {
    try {
      arn = await findTopicArn(sns, name, signal);
    } catch (err) {
      throw mapAwsError(err, { target, service: 'sns', operation: 'ListTopics' });
    }
  }
  if (!arn) throw notFound();
  try {
    const { Attributes: a = {} } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }), { abortSignal: signal });
    return { name, arn, fifo: a.FifoTopic === 'true', contentBasedDeduplication: a.ContentBasedDeduplication === 'true' };
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFound' || (err as { name?: string }).name === 'NotFoundException') throw notFound(err);
    throw mapAwsError(err, { target, service: 'sns', operation: 'GetTopicAttributes', resource: `topic "${name}"` });
  }
}

/** The ARN of the topic named `name` (a ListTopics scan, page by page), or undefined. */
export async function findTopicArn(sns: SNSClient, name: string, signal?: AbortSignal): Promise<string | undefined> {
  let token: string | undefined;
  do {
    const page = await sns.send(new ListTopicsCommand({ NextToken: token }), { abortSignal: signal });
    const hit = page.Topics?.find((t) => t.TopicArn !== undefined && arnName(t.TopicArn) === name);
    if (hit?.TopicArn) return hit.TopicArn;
    token = page.NextToken;
  } while (token);
  return undefined;
}

/** The confirmed subscriptions of a topic (all pages; pending ones have no ARN yet and receive nothing). */
export async function topicSubscriptions(sns: SNSClient, topicArn: string): Promise<Array<Subscription & { SubscriptionArn: string }>> {
  const out: Array<Subscription & { SubscriptionArn: string }> = [];
  let token: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    for (const s of page.Subscriptions ?? []) if (s.SubscriptionArn?.startsWith('arn:')) out.push(s as Subscription & { SubscriptionArn: string });
    token = page.NextToken;
  } while (token);
  return out;
}
