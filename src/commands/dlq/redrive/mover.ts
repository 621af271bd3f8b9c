/**
 * The client-side mover of `svl dlq redrive`, for what a native move task cannot do (--match, --max, a
 * subscription's DLQ, another account's queue) and for a journal. Its promises:
 *
 * - nothing is lost: a message is deleted from the DLQ only after its send succeeded and was journaled;
 *   every receive is journaled the moment it returns, so a resumed run knows which messages the killed
 *   one still held invisible and waits for them (see journal.ts);
 * - latency, not CPU, is the limit on AWS: each of the `workers` loops keeps up to `depth` batches in
 *   flight (it receives the next batch while earlier ones are being sent and deleted), so a kill repeats
 *   at most `workers x depth` sends - the batches in flight, 10 messages each;
 * - what is sent is what was dead-lettered: body, every message attribute and the AWSTraceHeader kept,
 *   plus `svl.original-message-id` and `svl.redriven-from` (the DLQ) when they fit (entries.ts);
 * - FIFO: group ids kept, deduplication ids derived from the DLQ message id (a re-send within 5 minutes
 *   is dropped by SQS), and each group moves in order: SQS hands out a group's next messages only once
 *   the previous ones are deleted, a batch's messages of one destination go out in one ordered send (or
 *   consecutive ones), and once one of a group's messages is not moved (no match, --max, a failure), the
 *   rest of that group stays too;
 * - messages it must not move are held invisible (not received again) and released at the end;
 * - Ctrl-C: no new receive starts; receives, sends and deletes in flight finish and are journaled;
 *   received messages not yet sent are released for the resume.
 * Deliberately not here: choosing the destination (run.ts), the journal format (journal.ts).
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { queueState, type QueueDetails } from '../../../aws/dlq.js';
import { mapAwsError } from '../../../aws/errors.js';
import { Holder } from '../../../aws/holder.js';
import { sleep } from '../../../aws/pool.js';
import type { Target } from '../../../aws/target.js';
import { decodeReceived } from '../../decode.js';
import { matches, type MatchExpr } from '../../match.js';
import { MAX_MESSAGE_BYTES, MOVER_SYSTEM_ATTRIBUTES, outgoing, type Outgoing } from './entries.js';
import type { Journal, JournalQueue, LeftReason, MovedLine } from './journal.js';
import { sqsSdk } from '../../../aws/sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } = sqsSdk();

const MAX_BATCH_BYTES = MAX_MESSAGE_BYTES;
/** Failures listed in the result; `failed` counts them all. */
const MAX_LISTED = 100;
/** Batches each worker keeps in flight (receive ahead, send and delete pipelined). */
const DEFAULT_DEPTH = 4;
/** How often a resume looks again for the messages the interrupted run still held. */
const WAIT_POLL_MS = 500;

/** Where moved messages go: a queue as the journal records it. */
export type Destination = JournalQueue;

export interface MoverDeps {
  sqs: SQSClient;
  target: Target;
  dlq: QueueDetails;
  /** Where a message goes, or why it cannot go anywhere. */
  route(m: Message): Destination | string;
  match: readonly MatchExpr[];
  max?: number;
  rate?: number;
  workers: number;
  /** Batches in flight per worker (default DEFAULT_DEPTH). */
  depth?: number;
  journal: Journal;
  /** DLQ message ids a previous run already sent (from its journal): deleted, not sent again. */
  alreadyMoved: ReadonlySet<string>;
  /**
   * Resuming: ids the interrupted run received and did not finish (to move, or to delete). They may
   * still be invisible until the killed run's visibility timeout ends, so the mover looks for them
   * again until `untilMs`, calling `waiting` while it does.
   */
  outstanding?: { ids: Set<string>; untilMs: number; waiting(count: number, untilMs: number): void };
  signal: AbortSignal;
  progress(p: MoverStats): void;
}

export interface MoverStats {
  moved: number;
  /** Sent by an interrupted run, deleted from the DLQ by this one. */
  recovered: number;
  skipped: { notMatching: number; beyondMax: number; groupOrder: number };
  failed: number;
  /** Moved without the svl.* stamps (all of them, or some: see unstampedBecause). */
  unstamped: number;
  /** Why: the message already had 10 attributes, or the stamps would have pushed it past 1 MiB. */
  unstampedBecause: { attributes: number; size: number };
  destinations: Record<string, number>;
}

/** Nothing moved yet: a run's starting counters, and the counters of a redrive that moved nothing. */
export function emptyStats(): MoverStats {
  return {
    moved: 0,
    recovered: 0,
    skipped: { notMatching: 0, beyondMax: 0, groupOrder: 0 },
    failed: 0,
    unstamped: 0,
    unstampedBecause: { attributes: 0, size: 0 },
    destinations: {},
  };
}

export interface MoverResult extends MoverStats {
  failures: Array<{ id: string; code: string; message: string }>;
  /**
   * Resuming: messages the interrupted run received that did not come back to the DLQ before their
   * visibility timeout ended: not moved (`notMoved`, listed) or moved but their DLQ copy not seen again
   * (`moved`: deleted by the killed run after its last journal line, or taken by another consumer).
   */
  unseen: { notMoved: string[]; moved: number };
  seconds: number;
  rate: number;
}

const FATAL = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'AccessDenied', 'AccessDeniedException', 'KMS.AccessDeniedException']);

export async function moveMessages(d: MoverDeps): Promise<MoverResult> {
  const started = Date.now();
  const depth = Math.max(1, d.depth ?? DEFAULT_DEPTH);
  const visibility = Math.min(43_200, Math.max(60, d.rate ? Math.ceil((d.workers * depth * 10) / d.rate) + 30 : 60));
  const holder = new Holder(d.sqs, d.dlq.url, visibility);
  const stats = emptyStats();
  const failures: MoverResult['failures'] = [];
  const sent = new Set(d.alreadyMoved);
  const blocked = new Set<string>();
  let fatal: unknown;
  /** No new receive once cancelled, failed, or --max reached. */
  const stopped = () => d.signal.aborted || fatal !== undefined;
  let reserved = 0;
  const maxReached = () => d.max !== undefined && reserved >= d.max;
  let nextSendAt = 0;

  const fail = (m: Message, code: string, message: string) => {
    stats.failed++;
    if (failures.length < MAX_LISTED) failures.push({ id: m.MessageId ?? '', code, message });
    d.journal.failed(m.MessageId ?? '', code, message);
    holder.add(m.MessageId!, m.ReceiptHandle!);
    const g = m.Attributes?.MessageGroupId;
    if (g) blocked.add(g);
  };

  /** One batch to one destination; returns what was sent (journaled before this returns). */
  const send = async (dest: Destination, batch: Outgoing[]): Promise<Message[]> => {
    if (d.rate) {
      const now = Date.now();
      const at = Math.max(now, nextSendAt);
      nextSendAt = at + (batch.length * 1000) / d.rate;
      if (at > now) await sleep(at - now, d.signal).catch(() => undefined);
    }
    if (stopped()) {
      // Not sent: released at the end; the journal still has them as received, so a resume moves them.
      for (const o of batch) holder.add(o.message.MessageId!, o.message.ReceiptHandle!);
      return [];
    }
    let out;
    try {
      // No abort signal: a send in flight finishes, so its outcome is known and journaled.
      out = await d.sqs.send(new SendMessageBatchCommand({ QueueUrl: dest.url, Entries: batch.map((o, i) => ({ Id: `m${i}`, ...o.entry })) }));
    } catch (err) {
      const e = mapAwsError(err, { target: d.target, service: 'sqs', operation: 'SendMessageBatch', resource: `queue "${dest.name}"` });
      if (FATAL.has(e.code)) throw e;
      for (const o of batch) fail(o.message, e.code, e.message);
      return [];
    }
    const ok: Message[] = [];
    const lines: MovedLine[] = [];
    for (const s of out.Successful ?? []) {
      const o = batch[Number(s.Id?.slice(1))]!;
      const id = o.message.MessageId!;
      ok.push(o.message);
      sent.add(id);
      if (o.unstamped) {
        stats.unstamped++;
        stats.unstampedBecause[o.unstamped]++;
      }
      lines.push({ id, newId: s.MessageId ?? '', to: dest.name, ...(o.entry.MessageGroupId && { group: o.entry.MessageGroupId }), ...(o.entry.MessageDeduplicationId && { dedup: o.entry.MessageDeduplicationId }) });
    }
    d.journal.moved(lines);
    for (const f of out.Failed ?? []) fail(batch[Number(f.Id?.slice(1))]!.message, f.Code ?? 'Failed', f.Message ?? f.Code ?? 'failed');
    stats.moved += ok.length;
    stats.destinations[dest.name] = (stats.destinations[dest.name] ?? 0) + ok.length;
    return ok;
  };

  const remove = async (ms: Message[]) => {
    for (let i = 0; i < ms.length; i += 10) {
      const chunk = ms.slice(i, i + 10);
      const out = await d.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: d.dlq.url, Entries: chunk.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle! })) }));
      // A failed delete (an expired receipt handle) brings the message back; it is in `sent`, so the
      // next receive deletes it without sending it again.
      d.journal.deleted((out.Successful ?? []).map((s) => chunk[Number(s.Id?.slice(1))]!.MessageId!));
    }
  };

  /** One received batch: sort, send (per destination, in order), delete. */
  const handle = async (got: Message[]) => {
    const recovered: Message[] = [];
    const byDest = new Map<string, { dest: Destination; out: Outgoing[] }>();
    const left: Record<LeftReason, string[]> = { notMatching: [], beyondMax: [], groupOrder: [] };
    for (const m of got) {
      if (!m.MessageId || !m.ReceiptHandle) continue;
      d.outstanding?.ids.delete(m.MessageId);
      if (sent.has(m.MessageId)) {
        recovered.push(m);
        continue;
      }
      const g = m.Attributes?.MessageGroupId;
      const keep = (why: LeftReason) => {
        stats.skipped[why]++;
        left[why].push(m.MessageId!);
        holder.add(m.MessageId!, m.ReceiptHandle!);
        if (g) blocked.add(g);
      };
      if (g && blocked.has(g)) keep('groupOrder');
      else if (d.match.length > 0 && !matches(d.match, decodeReceived(m, d.dlq.name, 'receive'))) keep('notMatching');
      else if (maxReached()) keep('beyondMax');
      else {
        const dest = d.route(m);
        if (typeof dest === 'string') {
          fail(m, 'NoDestination', dest);
          continue;
        }
        reserved++;
        const slot = byDest.get(dest.url) ?? { dest, out: [] };
        slot.out.push(outgoing(m, d.dlq.arn, dest.fifo));
        byDest.set(dest.url, slot);
      }
    }
    for (const [why, ids] of Object.entries(left)) d.journal.left(ids, why as LeftReason);
    const done: Message[] = [...recovered];
    for (const { dest, out } of byDest.values()) {
      // Split by the batch payload limit as well as by count (a receive returns at most 10); the parts
      // go out one after the other, so a FIFO group keeps its order.
      let batch: Outgoing[] = [];
      let bytes = 0;
      for (const o of out) {
        if (batch.length > 0 && bytes + o.bytes > MAX_BATCH_BYTES) {
          done.push(...(await send(dest, batch)));
          batch = [];
          bytes = 0;
        }
        batch.push(o);
        bytes += o.bytes;
      }
      if (batch.length > 0) done.push(...(await send(dest, batch)));
    }
    try {
      await remove(done);
    } catch (err) {
      throw mapAwsError(err, { target: d.target, service: 'sqs', operation: 'DeleteMessageBatch', resource: `queue "${d.dlq.name}"` });
    }
    stats.recovered += recovered.length;
    d.progress(stats);
  };

  const receive = {
    QueueUrl: d.dlq.url,
    MaxNumberOfMessages: 10,
    VisibilityTimeout: visibility,
    // The emulator's short poll sees every message; AWS's samples servers, so wait a second there.
    WaitTimeSeconds: d.target.kind === 'local' ? 0 : 1,
    MessageSystemAttributeNames: [...MOVER_SYSTEM_ATTRIBUTES],
    MessageAttributeNames: ['All'],
  };

  /** Receives until the DLQ has nothing more for it, with up to `depth` batches of its own in flight. */
  const worker = async () => {
    const inFlight = new Set<Promise<void>>();
    let empty = 0;
    try {
      while (!stopped() && !maxReached()) {
        if (inFlight.size >= depth) {
          await Promise.race(inFlight);
          continue;
        }
        const asked = Date.now();
        // Whether our own batches were in flight when this receive went out (they may have finished since).
        const busy = inFlight.size > 0;
        let got: Message[];
        try {
          // Not aborted by Ctrl-C: a receive cut short would leave messages invisible that no journal line
          // mentions. It returns within a second (short poll, or WaitTimeSeconds 1).
          got = (await d.sqs.send(new ReceiveMessageCommand(receive))).Messages ?? [];
        } catch (err) {
          throw mapAwsError(err, { target: d.target, service: 'sqs', operation: 'ReceiveMessage', resource: `queue "${d.dlq.name}"` });
        }
        if (got.length > 0) {
          d.journal.received(
            got.map((m) => m.MessageId!),
            asked + visibility * 1000,
          );
        }
        if (stopped()) {
          for (const m of got) holder.add(m.MessageId!, m.ReceiptHandle!);
          break;
        }
        if (got.length === 0) {
          // Our own batches in flight may hold what is left (or, FIFO, lock its groups): finish them, look again.
          if (busy) {
            if (inFlight.size > 0) await Promise.race(inFlight);
            continue;
          }
          if (d.target.kind === 'local' || ++empty >= 2) break;
          continue;
        }
        empty = 0;
        const p: Promise<void> = handle(got)
          .catch((err) => void (fatal ??= err))
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    } catch (err) {
      fatal ??= err;
    } finally {
      await Promise.allSettled(inFlight);
    }
  };

  const pass = async () => {
    await Promise.all(Array.from({ length: d.workers }, worker));
    if (fatal !== undefined) throw fatal;
  };

  const waited = d.outstanding;
  try {
    await pass();
    // Resuming: what the interrupted run still held comes back when its visibility timeout ends.
    // Nothing invisible in the DLQ but what we hold ourselves: the rest is not coming back (the killed
    // run deleted it after its last journal line, or another consumer took it).
    while (waited && waited.ids.size > 0 && Date.now() < waited.untilMs && !stopped() && !maxReached()) {
      const invisible = (await queueState(d.sqs, d.dlq.url, d.target)).depth.inFlight - holder.size;
      if (invisible <= 0) break;
      waited.waiting(waited.ids.size, waited.untilMs);
      await sleep(WAIT_POLL_MS, d.signal).catch(() => undefined);
      await pass();
    }
  } finally {
    await holder.release();
  }
  // Only a resume that waited until the end of the killed run's visibility timeout can say what never came back.
  const remaining = waited && !stopped() && !maxReached() ? [...waited.ids] : [];
  // Not seen again although nothing else was invisible: moved ones were deleted by the killed run; the
  // others were taken by someone else (they were never sent: the journal has no move for them).
  const unseen = { notMoved: remaining.filter((id) => !sent.has(id)), moved: remaining.filter((id) => sent.has(id)).length };
  const seconds = (Date.now() - started) / 1000;
  return { ...stats, failures, unseen, seconds: Math.round(seconds * 1000) / 1000, rate: seconds > 0 ? Math.round(stats.moved / seconds) : stats.moved };
}
