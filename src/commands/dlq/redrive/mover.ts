/**
 * The client-side mover of `svl dlq redrive`, for what a native move task cannot do (--match, --max, a
 * subscription's DLQ, another account's queue) and for a journal. Its promises:
 *
 * - nothing is lost: a message is deleted from the DLQ only after its send succeeded and was journaled;
 * - at most one batch is duplicated by a kill: sends go out one batch at a time (the commit point),
 *   each followed at once by its journal lines; receives and deletes run in `workers` parallel loops;
 * - what is sent is what was dead-lettered: body, every message attribute and the AWSTraceHeader kept,
 *   plus `svl.original-message-id` and `svl.redriven-from` (the DLQ) when there is room (10 attributes max);
 * - FIFO: group ids kept, deduplication ids derived from the DLQ message id (a re-send within 5 minutes
 *   is dropped by SQS), and each group moves in order: once one of its messages is not moved (no match,
 *   --max, a failure), the rest of that group stays too;
 * - messages it must not move are held invisible (not received again) and released at the end.
 */
import { setMaxListeners } from 'node:events';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { queueState, type QueueDetails } from '../../../aws/dlq.js';
import { mapAwsError } from '../../../aws/errors.js';
import { Holder } from '../../../aws/holder.js';
import { sleep } from '../../../aws/pool.js';
import { sqsWire } from '../../../aws/sqs-wire.js';
import type { Target } from '../../../aws/target.js';
import { decodeReceived } from '../../decode.js';
import { matches, type MatchExpr } from '../../match.js';
import { MOVER_SYSTEM_ATTRIBUTES, outgoing, type Outgoing } from './entries.js';
import type { Journal, JournalQueue, MovedLine } from './journal.js';

const MAX_BATCH_BYTES = 1_048_576;
/** Failures listed in the result; `failed` counts them all. */
const MAX_LISTED = 100;

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
  journal: Journal;
  /** DLQ message ids a previous run already sent (from its journal): deleted, not sent again. */
  alreadyMoved: ReadonlySet<string>;
  /**
   * Resuming: ids the interrupted run sent but did not record as deleted. They may still be in flight
   * (invisible until the killed run's visibility timeout ends), so the mover waits for them, up to then.
   */
  pending?: { ids: Set<string>; untilMs: number; waiting(count: number): void };
  signal: AbortSignal;
  progress(p: MoverStats): void;
}

export interface MoverStats {
  moved: number;
  /** Sent by an interrupted run, deleted from the DLQ by this one. */
  recovered: number;
  skipped: { notMatching: number; beyondMax: number; groupOrder: number };
  failed: number;
  /** Moved without the svl.* stamps: the message already had 10 attributes. */
  unstamped: number;
  destinations: Record<string, number>;
}

export interface MoverResult extends MoverStats {
  failures: Array<{ id: string; code: string; message: string }>;
  seconds: number;
  rate: number;
}

const FATAL = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'AccessDenied', 'AccessDeniedException', 'KMS.AccessDeniedException']);

export async function moveMessages(d: MoverDeps): Promise<MoverResult> {
  const started = Date.now();
  const visibility = Math.min(43_200, Math.max(60, d.rate ? Math.ceil((d.workers * 20) / d.rate) + 30 : 60));
  const holder = new Holder(d.sqs, d.dlq.url, visibility);
  // The hot path (receive, send, delete) skips the SDK's per-call machinery; see aws/sqs-wire.ts.
  const wire = sqsWire(d.sqs);
  const stats: MoverStats = { moved: 0, recovered: 0, skipped: { notMatching: 0, beyondMax: 0, groupOrder: 0 }, failed: 0, unstamped: 0, destinations: {} };
  const failures: MoverResult['failures'] = [];
  const sent = new Set(d.alreadyMoved);
  const blocked = new Set<string>();
  const stop = new AbortController();
  // Every worker's call in flight listens on the signal.
  setMaxListeners(4 * d.workers + 16, stop.signal);
  const onAbort = () => stop.abort(d.signal.reason);
  d.signal.addEventListener('abort', onAbort, { once: true });
  let reserved = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let nextSendAt = 0;

  const fail = (m: Message, code: string, message: string) => {
    stats.failed++;
    if (failures.length < MAX_LISTED) failures.push({ id: m.MessageId ?? '', code, message });
    d.journal.failed(m.MessageId ?? '', code, message);
    holder.add(m.MessageId!, m.ReceiptHandle!);
    const g = m.Attributes?.MessageGroupId;
    if (g) blocked.add(g);
  };

  /** One batch to one destination, serialised with every other send; returns what was sent. */
  const send = (dest: Destination, batch: Outgoing[]): Promise<Message[]> => {
    const p = chain.then(async () => {
      if (d.rate) {
        const now = Date.now();
        const at = Math.max(now, nextSendAt);
        nextSendAt = at + (batch.length * 1000) / d.rate;
        if (at > now) await sleep(at - now, stop.signal).catch(() => undefined);
      }
      if (stop.signal.aborted) {
        for (const o of batch) holder.add(o.message.MessageId!, o.message.ReceiptHandle!);
        return [];
      }
      let out;
      try {
        // No abort signal: a send in flight finishes, so its outcome is known and journaled.
        out = await wire.sendMessageBatch({ QueueUrl: dest.url, Entries: batch.map((o, i) => ({ Id: `m${i}`, ...o.entry })) });
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
        if (!o.stamped) stats.unstamped++;
        lines.push({ id, newId: s.MessageId ?? '', to: dest.name, ...(o.entry.MessageGroupId && { group: o.entry.MessageGroupId }), ...(o.entry.MessageDeduplicationId && { dedup: o.entry.MessageDeduplicationId }) });
      }
      d.journal.moved(lines);
      for (const f of out.Failed ?? []) fail(batch[Number(f.Id?.slice(1))]!.message, f.Code ?? 'Failed', f.Message ?? f.Code ?? 'failed');
      stats.moved += ok.length;
      stats.destinations[dest.name] = (stats.destinations[dest.name] ?? 0) + ok.length;
      return ok;
    });
    chain = p.catch(() => undefined);
    return p;
  };

  const remove = async (ms: Message[]) => {
    for (let i = 0; i < ms.length; i += 10) {
      const chunk = ms.slice(i, i + 10);
      const out = await wire.deleteMessageBatch({ QueueUrl: d.dlq.url, Entries: chunk.map((m, j) => ({ Id: `d${j}`, ReceiptHandle: m.ReceiptHandle! })) });
      // A failed delete (an expired receipt handle) brings the message back; it is in `sent`, so the
      // next receive deletes it without sending it again.
      d.journal.deleted((out.Successful ?? []).map((s) => chunk[Number(s.Id?.slice(1))]!.MessageId!));
    }
  };

  const handle = async (got: Message[]) => {
    const recovered: Message[] = [];
    const byDest = new Map<string, { dest: Destination; out: Outgoing[] }>();
    for (const m of got) {
      if (!m.MessageId || !m.ReceiptHandle) continue;
      if (sent.has(m.MessageId)) {
        recovered.push(m);
        d.pending?.ids.delete(m.MessageId);
        continue;
      }
      const g = m.Attributes?.MessageGroupId;
      const keep = (why: keyof MoverStats['skipped']) => {
        stats.skipped[why]++;
        holder.add(m.MessageId!, m.ReceiptHandle!);
        if (g) blocked.add(g);
      };
      if (g && blocked.has(g)) keep('groupOrder');
      else if (d.match.length > 0 && !matches(d.match, decodeReceived(m, d.dlq.name, 'receive'))) keep('notMatching');
      else if (d.max !== undefined && reserved >= d.max) keep('beyondMax');
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
    const done: Message[] = [...recovered];
    for (const { dest, out } of byDest.values()) {
      // Split by the batch payload limit as well as by count (a receive returns at most 10).
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

  const worker = async () => {
    let empty = 0;
    while (!stop.signal.aborted && !(d.max !== undefined && reserved >= d.max)) {
      let got: Message[];
      try {
        const out = await wire.receiveMessage(receive, { abortSignal: stop.signal });
        got = out.Messages ?? [];
      } catch (err) {
        if (stop.signal.aborted) return;
        throw mapAwsError(err, { target: d.target, service: 'sqs', operation: 'ReceiveMessage', resource: `queue "${d.dlq.name}"` });
      }
      if (got.length === 0) {
        if (d.target.kind === 'local' || ++empty >= 2) return;
        continue;
      }
      empty = 0;
      await handle(got);
    }
  };

  const pass = async () => {
    const results = await Promise.allSettled(Array.from({ length: d.workers }, () => worker().catch((err) => (stop.abort(err), Promise.reject(err)))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    await pass();
    while (d.pending && d.pending.ids.size > 0 && Date.now() < d.pending.untilMs && !stop.signal.aborted) {
      const inFlight = (await queueState(d.sqs, d.dlq.url, d.target)).depth.inFlight - holder.size;
      if (inFlight <= 0) break;
      d.pending.waiting(inFlight);
      await sleep(1000, stop.signal).catch(() => undefined);
      await pass();
    }
  } finally {
    d.signal.removeEventListener('abort', onAbort);
    await holder.release();
  }
  const seconds = (Date.now() - started) / 1000;
  return { ...stats, failures, seconds: Math.round(seconds * 1000) / 1000, rate: seconds > 0 ? Math.round(stats.moved / seconds) : stats.moved };
}
