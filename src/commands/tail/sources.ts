/**
 * The three ways `svl tail` reads, behind one interface:
 * - peek (emulator): the side-effect-free peek endpoint, polled with a cursor; nothing is received.
 * - tap (SNS-fed queues, topics): svl's own ephemeral queue subscribed like the watched queue; svl
 *   receives and deletes copies, the watched queue is never touched (src/aws/taps.ts).
 * - receive (AWS, not SNS-fed): a guarded receive. Each message is received once, held invisible with
 *   a heartbeat (so it is not received - and counted - again) and released when the tail ends. With a
 *   redrive policy it refuses maxReceiveCount 1 (the first receive would use a message's only delivery)
 *   and stops as soon as a message shows it is near maxReceiveCount: the next receive of such a message,
 *   by anyone, could push it into the DLQ. With --consume it deletes what it shows instead.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { QueueDetails } from '../../aws/dlq.js';
import { Holder, HOLD_SECONDS } from '../../aws/holder.js';
import { arnName } from '../../aws/inventory-model.js';
import { PEEK_PAGE, peekPage } from '../../aws/peek.js';
import { sleep } from '../../aws/pool.js';
import { createTap, removeTap, TAP_HEARTBEAT_SECONDS, touchTap, type SnsFeed, type Tap } from '../../aws/taps.js';
import type { Target } from '../../aws/target.js';
import { UsageError } from '../../errors.js';
import { decodePeeked, decodeReceived, type DecodedMessage, type ReadVia } from '../decode.js';
import { sqsSdk } from '../../aws/sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { DeleteMessageBatchCommand, ReceiveMessageCommand } = sqsSdk();

export interface TailSource {
  readonly via: ReadVia;
  /** For the start line on stderr, e.g. `orders via a tap on events (filter type=invoice)`. */
  readonly description: string;
  /** "Now" on the clock messages are stamped with: the emulator's for a peek (known after `prime`). */
  now(): number;
  /** Called once before the tail announces itself: learns the clock, so "--since now" means now. */
  prime?(signal: AbortSignal): Promise<void>;
  /** The next messages; waits a while for some; resolves [] once `signal` aborts. */
  next(signal: AbortSignal): Promise<DecodedMessage[]>;
  /** After rendering: what was shown and what the filters skipped. */
  settle(shown: readonly DecodedMessage[], skipped: readonly DecodedMessage[]): Promise<void>;
  /** Set when the source must stop (the receive guard); says why. */
  readonly stopReason: string | undefined;
  /** Idempotent; never aborted (it runs after Ctrl-C too). Returns a note for stderr. */
  close(): Promise<string | undefined>;
}

const POLL_MS = 200;
const WAIT_SECONDS = 20;
/** Guarded receive stops holding more than this many messages invisible. */
const MAX_HELD = 1000;

const aborted = (signal: AbortSignal, err: unknown): DecodedMessage[] => {
  if (signal.aborted) return [];
  throw err;
};

export function peekSource(target: Target, queue: string, o: { all: boolean }): TailSource {
  let cursor = 0;
  let first = true;
  let now = Date.now();
  return {
    via: 'peek',
    description: `${queue} by peeking the emulator (side-effect free)`,
    now: () => now,
    async prime(signal) {
      now = (await peekPage(target, queue, { limit: 1, signal })).now;
    },
    async next(signal) {
      try {
        if (!first) await sleep(POLL_MS, signal);
        const out: DecodedMessage[] = [];
        for (;;) {
          const page = await peekPage(target, queue, { after: cursor, signal });
          now = page.now;
          for (const m of page.messages) {
            // What was there before the tail started: visible messages, or all of them with --all.
            // What arrives later is shown in any state (a consumer may already hold it).
            if (!first || o.all || m.State === 'visible') out.push(decodePeeked(m, queue));
          }
          cursor = page.messages.at(-1)?.Seq ?? cursor;
          if (page.messages.length < PEEK_PAGE) break;
        }
        first = false;
        return out;
      } catch (err) {
        return aborted(signal, err);
      }
    },
    settle: async () => undefined,
    stopReason: undefined,
    close: async () => undefined,
  };
}

const receiveInput = (url: string, visibility: number) =>
  new ReceiveMessageCommand({
    QueueUrl: url,
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: WAIT_SECONDS,
    VisibilityTimeout: visibility,
    MessageSystemAttributeNames: ['All'],
    MessageAttributeNames: ['All'],
  });

/** Guarded receive (see the header); throws a UsageError up front when no receive can be safe. */
export function receiveSource(sqs: SQSClient, q: QueueDetails, display: string, o: { consume: boolean }): TailSource {
  const max = q.redrive?.maxReceiveCount ?? null;
  const dlq = q.redrive ? arnName(q.redrive.deadLetterTargetArn) : '';
  if (!o.consume && max !== null && max <= 1) {
    throw new UsageError(`${q.name} sends a message to ${dlq} after ${max} receive: any receive by svl would use up its only delivery`, {
      hint: `Tail what feeds it instead (svl tail topic <topic>), use the emulator (--local), or --consume to take the messages`,
    });
  }
  // A message received `threshold` times is one failed delivery away from the DLQ; seeing one means the
  // queue's consumers are retrying, and svl's receive of a sibling could be the one that tips it over.
  const threshold = max === null ? Infinity : Math.max(2, max - 1);
  const holder = new Holder(sqs, q.url);
  let stopReason: string | undefined;
  let closed: Promise<string | undefined> | undefined;
  const source: TailSource = {
    via: 'receive',
    description: `${display} with a guarded receive${max !== null ? ` (maxReceiveCount ${max})` : ''}${o.consume ? ', deleting what it shows' : ''}`,
    now: () => Date.now(),
    get stopReason() {
      return stopReason;
    },
    async next(signal) {
      let got: Message[];
      try {
        got = (await sqs.send(receiveInput(q.url, o.consume ? 30 : HOLD_SECONDS), { abortSignal: signal })).Messages ?? [];
      } catch (err) {
        return aborted(signal, err);
      }
      const out: DecodedMessage[] = [];
      for (const m of got) {
        if (!m.MessageId || !m.ReceiptHandle) continue;
        holder.add(m.MessageId, m.ReceiptHandle);
        const d = decodeReceived(m, display, 'receive');
        out.push(d);
        if (!o.consume && (d.receiveCount ?? 0) >= threshold && stopReason === undefined) {
          stopReason = `message ${d.messageId} has been received ${d.receiveCount} times and ${q.name} moves messages to ${dlq} after ${max}: another receive could push messages into the DLQ, so the tail stopped`;
        }
      }
      if (stopReason === undefined && holder.size >= MAX_HELD) {
        stopReason = `${holder.size} messages are held invisible by this tail; it stopped so that consumers get them back`;
      }
      return out;
    },
    async settle(shown) {
      if (!o.consume || shown.length === 0) return;
      const ids = shown.map((m) => m.messageId);
      for (let i = 0; i < ids.length; i += 10) {
        const chunk = ids.slice(i, i + 10);
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: q.url, Entries: chunk.map((id, j) => ({ Id: `d${j}`, ReceiptHandle: holder.handle(id)! })) }));
        for (const id of chunk) holder.forget(id);
      }
    },
    close() {
      closed ??= holder.release().then((n) => (n > 0 ? `Released ${n} message${n === 1 ? '' : 's'} held by the tail (visible again to consumers)` : undefined));
      return closed;
    },
  };
  return source;
}

/** Creates the tap (subscriptions like `feeds`) and reads copies from it, deleting them as it goes. */
export async function tapSource(c: { sqs: SQSClient; sns: SNSClient }, of: string, fifo: boolean, feeds: readonly SnsFeed[], display: string): Promise<TailSource & { tap: Tap }> {
  const tap = await createTap(c, of, fifo, feeds);
  const beat = setInterval(() => void touchTap(c.sqs, tap).catch(() => undefined), TAP_HEARTBEAT_SECONDS * 1000);
  beat.unref();
  // With raw delivery the envelope (and so the topic) is gone; with one topic it is still known.
  const rawTopic = feeds.length === 1 && feeds[0]!.raw ? feeds[0]!.topicArn : undefined;
  const filters = feeds.filter((f) => f.filterPolicy).length;
  let closed: Promise<string | undefined> | undefined;
  return {
    tap,
    via: 'tap',
    description: `${display} through a tap on ${feeds.map((f) => arnName(f.topicArn)).join(', ')}${filters ? ` (same filter polic${filters > 1 ? 'ies' : 'y'})` : ''}`,
    now: () => Date.now(),
    stopReason: undefined,
    async next(signal) {
      let got: Message[];
      try {
        got = (await c.sqs.send(receiveInput(tap.url, 30), { abortSignal: signal })).Messages ?? [];
      } catch (err) {
        return aborted(signal, err);
      }
      if (got.length > 0) {
        // The tap's copies are svl's own: delete them right away (no signal - finish even when stopping).
        await c.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: tap.url, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
      }
      return got.map((m) => decodeReceived(m, display, 'tap', rawTopic));
    },
    settle: async () => undefined,
    close() {
      clearInterval(beat);
      closed ??= removeTap(c, tap).then(() => `Removed the tap ${tap.name}`);
      return closed;
    },
  };
}
