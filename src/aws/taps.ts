/**
 * Taps: how `svl tail` watches what SNS delivers without touching the watched queue. A tap is an
 * ephemeral queue of svl's own (name `svl-tap-…`, short retention, tagged `svl:tap` with its owner and a
 * heartbeat) subscribed to the same topics with the same filter policy, filter scope and raw setting as
 * the watched queue's subscriptions, so it receives copies of exactly what that queue receives from SNS.
 * svl reads and deletes from the tap freely; the watched queue's messages are never received, so their
 * receive counts never move.
 *
 * A tap is removed (subscriptions first, then the queue) when the tail ends, on Ctrl-C and on SIGTERM.
 * A tail killed outright leaves its tap behind: the next tail removes every tap whose owner process is
 * gone (same host) or whose heartbeat is older than STALE_AFTER_SECONDS (any host).
 * `svl status` and the flow engine ignore taps (src/aws/inventory-model.ts withoutTaps).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { TAP_PREFIX, TAP_TAG } from './inventory-model.js';
import { isAlive } from '../pid.js';
import { snsSdk, sqsSdk } from './sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, ListQueueTagsCommand, SetQueueAttributesCommand, TagQueueCommand } = sqsSdk();
const { GetSubscriptionAttributesCommand, ListSubscriptionsCommand, SubscribeCommand, UnsubscribeCommand } = snsSdk();

export const TAP_HEARTBEAT_TAG = 'svl:tap-heartbeat';
const TAP_OF_TAG = 'svl:tap-of';
/** Retention of a tap queue: copies nobody reads are worthless after a few minutes. */
const TAP_RETENTION_SECONDS = 300;
export const TAP_HEARTBEAT_SECONDS = 60;
export const STALE_AFTER_SECONDS = 3 * TAP_HEARTBEAT_SECONDS;

/** One way SNS feeds a queue: the subscription settings a tap copies. */
export interface SnsFeed {
  topicArn: string;
  subscriptionArn: string | null;
  filterPolicy: string | null;
  filterPolicyScope: string | null;
  raw: boolean;
}

export interface Tap {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  subscriptions: string[];
  feeds: SnsFeed[];
}

export interface TapClients {
  sqs: SQSClient;
  sns: SNSClient;
}

const owner = () => `${hostname().replace(/[^A-Za-z0-9_.:/=+\-@ ]/g, '-').slice(0, 200)}:${process.pid}`;
const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** Every confirmed SQS subscription delivering to `queueArn`, with its filter and raw settings. */
export async function snsFeedsOf(sns: SNSClient, queueArn: string, signal?: AbortSignal): Promise<SnsFeed[]> {
  const subs = await subscriptionsTo(sns, queueArn, signal);
  return Promise.all(
    subs.map(async (s): Promise<SnsFeed> => {
      const { Attributes: a = {} } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s.arn }), { abortSignal: signal });
      return {
        topicArn: s.topicArn,
        subscriptionArn: s.arn,
        filterPolicy: a.FilterPolicy || null,
        filterPolicyScope: a.FilterPolicy ? (a.FilterPolicyScope ?? 'MessageAttributes') : null,
        raw: a.RawMessageDelivery === 'true',
      };
    }),
  );
}

async function subscriptionsTo(sns: SNSClient, endpointArn: string, signal?: AbortSignal): Promise<Array<{ arn: string; topicArn: string }>> {
  const out: Array<{ arn: string; topicArn: string }> = [];
  let token: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsCommand({ NextToken: token }), { abortSignal: signal });
    for (const s of page.Subscriptions ?? []) {
      if (s.Protocol === 'sqs' && s.Endpoint === endpointArn && s.SubscriptionArn?.startsWith('arn:')) out.push({ arn: s.SubscriptionArn, topicArn: s.TopicArn ?? '' });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

function tapName(of: string, fifo: boolean): string {
  const suffix = fifo ? '.fifo' : '';
  const id = randomBytes(3).toString('hex');
  const slug = of.replace(/\.fifo$/, '').replace(/[^A-Za-z0-9_-]/g, '-');
  const room = 80 - TAP_PREFIX.length - id.length - 1 - suffix.length;
  return `${TAP_PREFIX}${slug.slice(0, room)}-${id}${suffix}`;
}

/** The policy AWS needs before SNS may deliver to a queue: only these topics may send. */
function tapPolicy(queueArn: string, topicArns: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: 'svl-tap',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': [...new Set(topicArns)] } },
    }],
  });
}

/** Creates the tap queue and subscribes it like `feeds`; on any failure removes what it created. */
export async function createTap(c: TapClients, of: string, fifo: boolean, feeds: readonly SnsFeed[]): Promise<Tap> {
  const name = tapName(of, fifo);
  const { QueueUrl: url = '' } = await c.sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { MessageRetentionPeriod: String(TAP_RETENTION_SECONDS), ...(fifo && { FifoQueue: 'true', ContentBasedDeduplication: 'true' }) },
      tags: { [TAP_TAG]: owner(), [TAP_HEARTBEAT_TAG]: nowSeconds(), [TAP_OF_TAG]: of.slice(0, 256) },
    }),
  );
  const tap: Tap = { name, url, arn: '', fifo, subscriptions: [], feeds: [...feeds] };
  try {
    const { Attributes: a = {} } = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    tap.arn = a.QueueArn ?? '';
    await c.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: tapPolicy(tap.arn, feeds.map((f) => f.topicArn)) } }));
    for (const f of feeds) {
      const Attributes: Record<string, string> = {};
      if (f.filterPolicy) {
        Attributes.FilterPolicy = f.filterPolicy;
        if (f.filterPolicyScope) Attributes.FilterPolicyScope = f.filterPolicyScope;
      }
      if (f.raw) Attributes.RawMessageDelivery = 'true';
      const out = await c.sns.send(new SubscribeCommand({ TopicArn: f.topicArn, Protocol: 'sqs', Endpoint: tap.arn, Attributes, ReturnSubscriptionArn: true }));
      if (out.SubscriptionArn) tap.subscriptions.push(out.SubscriptionArn);
    }
  } catch (err) {
    await removeTap(c, tap);
    throw err;
  }
  return tap;
}

/** Keeps the tap from looking stale to other tails. */
export async function touchTap(sqs: SQSClient, tap: Tap): Promise<void> {
  await sqs.send(new TagQueueCommand({ QueueUrl: tap.url, Tags: { [TAP_HEARTBEAT_TAG]: nowSeconds() } }));
}

const gone = (err: unknown) => /NotFound|NonExistentQueue|QueueDoesNotExist/.test((err as { name?: string }).name ?? '');

/** Unsubscribes, then deletes the queue. Never passes an abort signal: it runs after Ctrl-C too. */
export async function removeTap(c: TapClients, tap: Pick<Tap, 'url' | 'subscriptions'>): Promise<void> {
  const errors: unknown[] = [];
  await Promise.all(tap.subscriptions.map((arn) => c.sns.send(new UnsubscribeCommand({ SubscriptionArn: arn })).catch((err) => void (gone(err) || errors.push(err)))));
  if (tap.url) await c.sqs.send(new DeleteQueueCommand({ QueueUrl: tap.url })).catch((err) => void (gone(err) || errors.push(err)));
  if (errors.length > 0) throw errors[0];
}

export interface StaleTap {
  name: string;
  reason: string;
}


/** Why a tap is stale, or undefined while its owner may still be using it. */
export function staleReason(tags: Record<string, string>, nowMs: number, host = hostname(), alive = isAlive): string | undefined {
  const tagged = tags[TAP_TAG];
  if (tagged === undefined) return undefined; // not one of ours
  const at = tagged.lastIndexOf(':');
  const ownerHost = tagged.slice(0, at);
  const pid = Number(tagged.slice(at + 1));
  if (ownerHost === host.replace(/[^A-Za-z0-9_.:/=+\-@ ]/g, '-').slice(0, 200) && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) {
    return `its tail (pid ${pid}) is gone`;
  }
  const beat = Number(tags[TAP_HEARTBEAT_TAG]);
  const age = Number.isFinite(beat) ? nowMs / 1000 - beat : Infinity;
  if (age > STALE_AFTER_SECONDS) return `no heartbeat for ${Number.isFinite(age) ? `${Math.round(age)}s` : 'ever'}`;
  return undefined;
}

/** Removes the taps left behind by tails that were killed; returns what it removed. */
export async function cleanStaleTaps(c: TapClients, signal?: AbortSignal): Promise<StaleTap[]> {
  const { QueueUrls: urls = [] } = await c.sqs.send(new ListQueuesCommand({ QueueNamePrefix: TAP_PREFIX, MaxResults: 1000 }), { abortSignal: signal });
  const removed: StaleTap[] = [];
  for (const url of urls) {
    try {
      const { Tags: tags = {} } = await c.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }), { abortSignal: signal });
      const reason = staleReason(tags, Date.now());
      if (!reason) continue;
      const { Attributes: a = {} } = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }), { abortSignal: signal });
      const subs = a.QueueArn ? await subscriptionsTo(c.sns, a.QueueArn, signal) : [];
      await removeTap(c, { url, subscriptions: subs.map((s) => s.arn) });
      removed.push({ name: url.split('/').pop() ?? url, reason });
    } catch (err) {
      if (signal?.aborted) throw err;
      if (!gone(err)) throw err;
    }
  }
  return removed;
}
