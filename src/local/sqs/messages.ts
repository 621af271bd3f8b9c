/**
 * Message mechanics on top of SQLite: send (with FIFO dedup), receive (visibility, redrive to the DLQ,
 * FIFO group locking), delete, visibility changes, purge, retention, and long-poll waiters.
 *
 * A row is *visible* when `visible_ms <= now`; *in flight* when `inflight = 1 AND visible_ms > now`;
 * *delayed* when `inflight = 0 AND visible_ms > now`.
 */
import { atomic, type Db } from '../store/db.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Queue, QueueRegistry } from './queues.js';
import { intAttribute } from './attributes.js';
import { encodeReceiptHandle, newNonce, sequenceNumber, type MessageAttributes } from './model.js';
import { DEDUP_WINDOW_MS } from './constants.js';
import { NO_JOURNAL, type JournalSink } from '../journal/journal.js';
import { realSetImmediate } from '../timers.js';
import type { JoinedWork } from '../store/group-commit.js';
import { randomUuid } from '../random.js';
import type { Statement } from 'better-sqlite3';
import { LimitedStatement } from '../store/limited.js';
import { ALL_COLUMNS, leanRow, needsKey, ROW, rowColumns, toRow, toRows, type MessageRow, type RowNeeds } from './rows.js';

export interface NewMessage {
  body: string;
  md5Body: string;
  attrs?: MessageAttributes;
  md5Attrs?: string;
  /** `attrs` as stored (JSON.stringify), when the sender made it once for many sends (send.ts checkMessageAttributes). */
  attrsJson?: string;
  sysAttrs?: MessageAttributes;
  md5Sys?: string;
  groupId?: string;
  dedupId?: string;
  delaySeconds: number;
  senderId: string;
  /** The journal event that led to this send (an SNS delivery, a Lambda destination). */
  cause?: number;
}

/** Who receives, for the journal: the ReceiveMessage request id and, for svl's own pollers, which one. */
export interface Receiver {
  requestId?: string;
  consumer?: string;
}

export interface SentMessage {
  id: string;
  sequenceNumber?: string;
  duplicate: boolean;
}

/** A deleted message: its MessageId and the seq of its latest journal hop (rows.ts `jseq`). */
export interface Deleted {
  id: string;
  jseq: number | null;
}

export interface ReceivedMessage {
  row: MessageRow;
  receiptHandle: string;
}

export interface Counts {
  visible: number;
  inflight: number;
  delayed: number;
}

type Waiter = () => void;

/** The oldest rows of a queue a receive looks at first (see `headWindow`). */
const HEAD_WINDOW = 256;
/** The oldest-visible rows of a FIFO queue in which a receive looks for its groups' heads first (see `collectFifo`). */
const FIFO_WINDOW = 128;
/** Up to this many visible rows, a receive past the head window reads them through the visibility index and sorts them. */
const FEW_VISIBLE = 5000;
/**
 * A walk of the sent index that takes this much CPU (2 ms) switches a queue to `headWindow`... CPU time,
 * not wall time: on a busy machine the scheduler preempts a 0.1 ms walk for 2-20 ms of wall time, and
 * windowed receives (dearer on a short head) then ran nearly all the time (bench/cpu.mjs). Reading the CPU
 * clock costs ~2 µs, so one walk in TIMED_WALKS is timed (a queue's first one included), and two slow
 * timed walks in a row switch: a head that got slow is noticed within that many receives.
 */
const SLOW_HEAD_NS = 2_000_000n;
const TIMED_WALKS = 16;
const cpuUsage = process.cpuUsage.bind(process);
/** This process's CPU time (user + system) in ns; microsecond resolution. */
const cpuNs = (): bigint => {
  const u = cpuUsage();
  return BigInt(u.user + u.system) * 1000n;
};
/** ...for this many receives. */
const WINDOW_RECEIVES = 200;
/** A standard queue's statements reading its oldest visible rows (see `oldestVisible`). */
interface HeadStatements {
  headWindow: LimitedStatement;
  visibleByTime: LimitedStatement;
  visibleStd: LimitedStatement;
}

/** Row ids reserved per write of the mark in sqs_seq (see `allocSeq`): one small write per this many messages. */
const SEQ_BLOCK = 4096;

export class MessageEngine {
  /** How slow a walk of the sent index must be to switch a queue to `headWindow` (tests set 0n to force the window). */
  slowHeadNs = SLOW_HEAD_NS;
  private readonly s;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly lastSweep = new Map<string, number>();
  /** Queues whose receives read the head through `headWindow`, and for how many more receives (see `oldestVisible`). */
  private readonly windowed = new Map<string, number>();
  /** Walks of the sent index per queue since its last timed one (see TIMED_WALKS). */
  private readonly walks = new Map<string, number>();
  /** Queues to notify once the running batch commits. */
  private deferred: Set<string> | undefined;
  /** The last row id this engine handed out (see `allocSeq`); undefined until the first. */
  private lastSeq: number | undefined;
  /** The statements reading a standard queue's oldest visible rows, by the columns they read (`needsKey`). */
  private readonly heads = new Map<number, HeadStatements>();
  /** `fifoGroup` statements by the columns they read. */
  private readonly fifoGroups = new Map<number, LimitedStatement>();
  /** `markReceived` and `deleteMany` statements by row count. */
  private readonly marks: Statement[] = [];
  private readonly deletes: Statement[] = [];
  /** Where every send, receive, dead-lettering and move is recorded (the emulator attaches its journal). */
  journal: JournalSink = NO_JOURNAL;
  /**
   * The store's group commit (service.ts attaches it): a long poll woken by a write of a running group is
   * served inside that group's transaction (see `waitFor`).
   */
  group: { join(work: JoinedWork): boolean } | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly queues: QueueRegistry,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO sqs_messages (seq, queue, id, body, md5_body, attrs, md5_attrs, sys_attrs, md5_sys, group_id, dedup_id,
           sequence_number, sender_id, sent_ms, visible_ms, inflight, receive_count, first_receive_ms, dlq_source, jseq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
      ),
      seqMark: db.prepare(`SELECT hwm FROM sqs_seq WHERE id = 1`).pluck(),
      seqRaise: db.prepare(`UPDATE sqs_seq SET hwm = max(hwm, ?) WHERE id = 1`),
      seqMax: db.prepare(`SELECT max(seq) FROM sqs_messages`).pluck(),
      dedupGet: db.prepare(`SELECT message_id, sequence_number, expires_ms FROM sqs_dedup WHERE queue = ? AND scope = ? AND dedup_id = ?`),
      dedupPut: db.prepare(
        `INSERT OR REPLACE INTO sqs_dedup (queue, scope, dedup_id, message_id, sequence_number, expires_ms) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      dedupSweep: db.prepare(`DELETE FROM sqs_dedup WHERE queue = ? AND expires_ms <= ?`),
      dedupClear: db.prepare(`DELETE FROM sqs_dedup WHERE queue = ?`),
      // Oldest message first, by the time it was sent: a message visible again after its visibility
      // timeout comes before messages sent after it (AWS-recorded, see the fidelity ledger). INDEXED BY:
      // walking the sent index stops after LIMIT rows; the planner would otherwise sort every visible row
      // (15 ms instead of 0.1 ms a receive on a 50,000-message backlog).
      //
      // A queue with many hidden rows at its head is read through a window of its HEAD_WINDOW oldest
      // rows (the index alone, then each row by rowid, stopping at LIMIT; CROSS JOIN keeps the window's
      // order): a receive behind 98,000 in-flight messages would otherwise step over every one of them
      // (21 ms a receive; see `oldestVisible` for when). When the
      // window holds fewer visible rows than wanted and the queue is longer than it, `oldestVisible`
      // reads the visible rows through the visibility index instead (few of them), or walks the whole
      // sent index (many of them: then the hidden rows ahead are the smaller part).
      // headWindow, visibleByTime and visibleStd (the standard queue's oldest visible rows) are made per RowNeeds: `headStatements`.
      headFull: db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM sqs_messages INDEXED BY sqs_messages_sent WHERE queue = ? LIMIT ${HEAD_WINDOW})`),
      visibleCount: db.prepare(
        `SELECT count(*) AS n FROM (SELECT 1 FROM sqs_messages INDEXED BY sqs_messages_visible WHERE queue = ? AND visible_ms <= ? LIMIT ${FEW_VISIBLE})`,
      ),
      // FIFO (see `collectFifo`). The heads of groups among the FIFO_WINDOW oldest-visible rows, in the order
      // groups are served (by when their head became available, then sequence); a row is its group's head when
      // no row of the group, visible or not, comes before it. CROSS JOIN keeps the window's order.
      fifoHeads: new LimitedStatement(
        db,
        (limit) => `SELECT h.seq, h.group_id FROM (SELECT seq FROM sqs_messages INDEXED BY sqs_messages_visible WHERE queue = ? AND visible_ms <= ?
           ORDER BY visible_ms, seq LIMIT ${FIFO_WINDOW}) w CROSS JOIN sqs_messages h ON h.seq = w.seq
         WHERE h.group_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sqs_messages p INDEXED BY sqs_messages_group_seq
           WHERE p.queue = h.queue AND p.group_id = h.group_id AND p.seq < h.seq)
         LIMIT ${limit}`,
        (st) => st.raw(true),
      ),
      fifoWindowFull: db.prepare(
        `SELECT count(*) >= ${FIFO_WINDOW} FROM (SELECT 1 FROM sqs_messages INDEXED BY sqs_messages_visible WHERE queue = ? AND visible_ms <= ? LIMIT ${FIFO_WINDOW})`,
      ).pluck(),
      // Every group's head, visible ones only, in serving order: the groups one by one through the group
      // index (a skip scan: one probe per group, not one per message), then each one's first row.
      fifoAllHeads: db.prepare(
        `WITH RECURSIVE g(gid) AS (
           SELECT (SELECT group_id FROM sqs_messages INDEXED BY sqs_messages_group_seq WHERE queue = @queue AND group_id IS NOT NULL ORDER BY group_id LIMIT 1)
           UNION ALL
           SELECT (SELECT group_id FROM sqs_messages INDEXED BY sqs_messages_group_seq WHERE queue = @queue AND group_id > g.gid ORDER BY group_id LIMIT 1)
             FROM g WHERE g.gid IS NOT NULL)
         SELECT h.seq, h.group_id FROM g CROSS JOIN sqs_messages h ON h.seq = (SELECT seq FROM sqs_messages INDEXED BY sqs_messages_group_seq
           WHERE queue = @queue AND group_id = g.gid ORDER BY seq LIMIT 1)
         WHERE h.visible_ms <= @now ORDER BY h.visible_ms, h.seq`,
      ).raw(true),
      // fifoGroup (a group's rows in order from its head) is made per RowNeeds: `fifoGroup`.
      bySeq: db.prepare(`SELECT ${ROW} FROM sqs_messages WHERE seq = ? AND queue = ?`).raw(true),
      deleteSeq: db.prepare(`DELETE FROM sqs_messages WHERE seq = ?`),
      // A delete reads no more than it needs: DeleteMessageBatch of ten costs ten of these, not ten row reads and ten deletes.
      deleteReturning: db.prepare(`DELETE FROM sqs_messages WHERE seq = ? AND queue = ? RETURNING id, jseq`),
      handleState: db.prepare(`SELECT id, nonce, visible_ms FROM sqs_messages WHERE seq = ? AND queue = ?`),
      setVisibility: db.prepare(`UPDATE sqs_messages SET visible_ms = ?, jseq = ? WHERE seq = ?`),
      expire: db.prepare(`DELETE FROM sqs_messages WHERE queue = ? AND sent_ms <= ?`),
      purge: db.prepare(`DELETE FROM sqs_messages WHERE queue = ?`),
      countVisible: db.prepare(`SELECT count(*) AS n FROM sqs_messages WHERE queue = ? AND visible_ms <= ?`),
      countHidden: db.prepare(
        `SELECT sum(inflight) AS inflight, count(*) - sum(inflight) AS delayed FROM sqs_messages WHERE queue = ? AND visible_ms > ?`,
      ),
      nextVisible: db.prepare(`SELECT min(visible_ms) AS t FROM sqs_messages WHERE queue = ? AND visible_ms > ?`),
      peek: db.prepare(`SELECT ${ROW} FROM sqs_messages WHERE queue = ? AND seq > ? ORDER BY seq LIMIT ?`).raw(true),
    };
  }

  /** Inserts messages (one transaction per call) and returns ids; FIFO duplicates are not enqueued. */
  send(q: Queue, messages: NewMessage[]): SentMessage[] {
    const now = this.clock.now();
    const queueDelay = intAttribute(q.attrs, 'DelaySeconds');
    const scopeByGroup = q.attrs.DeduplicationScope === 'messageGroup';
    const out = atomic(this.db, () => {
      if (q.fifo) this.s.dedupSweep.run(q.name, now);
      // Ids for every message; a FIFO duplicate leaves a gap (ids need only grow).
      let seq = this.allocSeq(messages.length);
      return messages.map((m): SentMessage => {
        if (q.fifo && m.dedupId !== undefined) {
          // Ids recorded under the queue scope ('') still deduplicate in every group after a switch
          // to messageGroup (AWS-recorded: LocalStack test_fifo_change_to_high_throughput_after_creation).
          type Seen = { message_id: string; sequence_number: string | null; expires_ms: number } | undefined;
          const inGroup = scopeByGroup ? (this.s.dedupGet.get(q.name, m.groupId ?? '', m.dedupId) as Seen) : undefined;
          const seen = inGroup && inGroup.expires_ms > now ? inGroup : (this.s.dedupGet.get(q.name, '', m.dedupId) as Seen);
          if (seen && seen.expires_ms > now) {
            return { id: seen.message_id, sequenceNumber: seen.sequence_number ?? undefined, duplicate: true };
          }
        }
        const id = randomUuid();
        const seqNo = q.fifo ? sequenceNumber(this.queues.nextSequence(q)) : undefined;
        const delay = q.fifo ? queueDelay : m.delaySeconds >= 0 ? m.delaySeconds : queueDelay;
        // Recorded first: the row keeps its seq, the cause of the message's next hop.
        const jseq = this.journal.sent(
          q.arn,
          id,
          m.cause,
          delay > 0 || m.groupId !== undefined ? { ...(delay > 0 && { delaySeconds: delay }), ...(m.groupId !== undefined && { groupId: m.groupId }) } : undefined,
          now,
        );
        this.insertRow(seq++, {
          queue: q.name,
          id,
          body: m.body,
          md5_body: m.md5Body,
          attrs: m.attrs ? (m.attrsJson ?? JSON.stringify(m.attrs)) : null,
          md5_attrs: m.md5Attrs ?? null,
          sys_attrs: m.sysAttrs ? JSON.stringify(m.sysAttrs) : null,
          md5_sys: m.md5Sys ?? null,
          group_id: m.groupId ?? null,
          dedup_id: m.dedupId ?? null,
          sequence_number: seqNo ?? null,
          sender_id: m.senderId,
          sent_ms: now,
          visible_ms: now + delay * 1000,
          receive_count: 0,
          first_receive_ms: null,
          dlq_source: null,
          jseq,
        });
        if (q.fifo && m.dedupId !== undefined) {
          const scope = scopeByGroup ? (m.groupId ?? '') : '';
          this.s.dedupPut.run(q.name, scope, m.dedupId, id, seqNo ?? null, now + DEDUP_WINDOW_MS);
        }
        return { id, sequenceNumber: seqNo, duplicate: false };
      });
    });
    if (out.some((m) => !m.duplicate)) this.notify(q.name);
    return out;
  }

  /**
   * Receives up to `max` messages now (no waiting). Messages over the queue's maxReceiveCount are moved
   * to its DLQ instead of being returned, inside the same transaction.
   */
  receiveNow(q: Queue, max: number, visibilitySeconds: number, by: Receiver = {}, needs: RowNeeds = ALL_COLUMNS): ReceivedMessage[] {
    const now = this.clock.now();
    this.sweep(q, now);
    const moved: string[] = [];
    // One nonce for the messages of one receive: each handle is still distinct (it names its row), and a
    // message's nonce still changes at every receive. Marked received in one UPDATE once they are chosen.
    const nonce = newNonce();
    const visibleAt = now + visibilitySeconds * 1000;
    const result = atomic(this.db, () => {
      const got: ReceivedMessage[] = [];
      const take = (row: MessageRow): boolean => {
        // A message received before and not deleted came back because its visibility timeout ran out
        // (recorded at the time it ran out); not when ChangeMessageVisibility made it visible at once.
        if (row.inflight === 1 && row.receive_count > 0) {
          const last = this.journal.lastOfRow(row.id, row.jseq);
          const hop = last === undefined ? undefined : this.journal.get(last);
          const madeVisible = hop?.type === 'sqs.visibility-changed' && hop.data?.visibilityTimeout === 0;
          if (!madeVisible) row.jseq = this.journal.record({ type: 'sqs.visibility-expired', resource: q.arn, id: row.id, cause: last, timeMs: row.visible_ms });
        }
        const dlq = this.redriveTarget(q, row);
        if (dlq) {
          // Moved whole: a lean row (RowNeeds) is read again (with the latest hop, maybe just recorded, of this one).
          this.moveToDlq(needs.system ? row : { ...this.get(q, row.seq)!, jseq: row.jseq }, q, dlq, now);
          moved.push(dlq.name);
          return false;
        }
        // Caused by the latest hop its row keeps (null: a row from before rows kept it, looked up by id).
        row.jseq = this.journal.received(q.arn, row.id, row.receive_count + 1, by.requestId, by.consumer, now, row.jseq);
        row.receive_count += 1;
        row.first_receive_ms ??= now;
        row.visible_ms = visibleAt;
        row.inflight = 1;
        row.nonce = nonce;
        got.push({ row, receiptHandle: encodeReceiptHandle({ queue: q.name, seq: row.seq, nonce }) });
        return true;
      };
      if (q.fifo) this.collectFifo(q, now, max, take, needs);
      else this.collectStandard(q, now, max, take, needs);
      if (got.length) this.markReceived(got, now, visibleAt, nonce);
      return got;
    });
    for (const name of new Set(moved)) this.notify(name);
    return result;
  }

  private collectStandard(q: Queue, now: number, max: number, take: (r: MessageRow) => boolean, needs: RowNeeds): void {
    let taken = 0;
    // Rows moved to a DLQ do not count; fetch again until we have enough or the queue has nothing visible.
    // A row taken with VisibilityTimeout 0 stays visible: `seen` keeps one receive from returning it twice
    // (AWS never repeats a message within one ReceiveMessage answer).
    const seen = new Set<number>();
    for (let round = 0; round < 100 && taken < max; round++) {
      const rows = this.oldestVisible(q, now, max - taken + seen.size, needs).filter((r) => !seen.has(r.seq));
      if (rows.length === 0) break;
      for (const r of rows) {
        if (taken >= max) break;
        seen.add(r.seq);
        if (take(r)) taken++;
      }
    }
  }

  /**
   * FIFO: messages in order per group; a group whose head is in flight (or delayed) is locked, and in a
   * group nothing behind a hidden message is returned. Groups are served one after the other, each with
   * as many of its visible messages as fit: g1-m1, g1-m2, g1-m3 before g2-m1 even when g2-m1 was sent
   * between them. A group's turn is set by its head: the time it became available (sent, or visible
   * again after a visibility timeout, ChangeMessageVisibility or the delete of the messages before it),
   * then its sequence (LocalStack test_fifo_receive_message_group_id_ordering, ..._after_delete,
   * ..._after_partial_delete, ..._after_terminate_visibility_timeout, all aws.validated).
   */
  private collectFifo(q: Queue, now: number, max: number, take: (r: MessageRow) => boolean, needs: RowNeeds): void {
    // Reads only the groups it serves (the whole queue was read at every receive before: 139 ms a receive
    // at 20,000 queued). Groups with a visible head are found among the oldest-visible rows first; the full
    // list of heads (one index probe per group) only when that window holds too few of them.
    let taken = 0;
    const served = new Set<string>();
    /** A group's rows in order from its head, up to the first hidden one (nothing behind it is returned). */
    const serve = (head: number, group: string): void => {
      served.add(group);
      for (let from = head; ;) {
        const raw = this.fifoGroup(needs).all(max, q.name, group, from) as unknown[][];
        const rows = needs.system ? raw.map(toRow) : raw.map((a) => leanRow(a, q.name));
        for (const r of rows) {
          if (taken >= max || r.visible_ms > now) return;
          if (take(r)) taken++;
          from = r.seq + 1;
        }
        if (rows.length < max) return;
      }
    };
    const heads = this.s.fifoHeads.all(max, q.name, now) as Array<[number, string]>;
    for (const [seq, group] of heads) {
      if (taken >= max) return;
      serve(seq, group);
    }
    // Every group with a visible head was in `heads` when the window held every visible row and fewer
    // heads than asked for.
    if (taken >= max || (heads.length < max && !this.s.fifoWindowFull.get(q.name, now))) return;
    for (const [seq, group] of this.s.fifoAllHeads.all({ queue: q.name, now }) as Array<[number, string]>) {
      if (taken >= max) return;
      if (!served.has(group)) serve(seq, group);
    }
  }

  private redriveTarget(q: Queue, row: MessageRow): Queue | undefined {
    const policy = q.redrive;
    if (!policy || row.receive_count < policy.maxReceiveCount) return undefined;
    return this.queues.byArn(policy.deadLetterTargetArn);
  }

  /**
   * The rows of one receive marked received, in one statement (one per batch size, prepared once): a
   * statement per row cost ~1 µs more per message. Each row keeps its receive's journal seq (`jseq`).
   */
  private markReceived(got: ReceivedMessage[], now: number, visibleAt: number, nonce: string): void {
    const n = got.length;
    let stmt = this.marks[n];
    if (!stmt) {
      stmt = this.marks[n] = this.db.prepare(
        `UPDATE sqs_messages SET receive_count = receive_count + 1, first_receive_ms = coalesce(first_receive_ms, ?),
           visible_ms = ?, inflight = 1, nonce = ?, jseq = CASE seq${' WHEN ? THEN ?'.repeat(n)} END WHERE seq IN (${placeholders(n)})`,
      );
    }
    const params: unknown[] = [now, visibleAt, nonce];
    for (const m of got) params.push(m.row.seq, m.row.jseq);
    for (const m of got) params.push(m.row.seq);
    stmt.run(params);
  }

  /**
   * Deletes rows of `q` by row id, in one statement (one per count, prepared once); the MessageId of each
   * row deleted, by row id (a row already gone is not in it). `+queue`: looked up by rowid, the queue only
   * checked (on the queue's index, SQLite scanned every row of the queue).
   */
  deleteMany(q: Queue, seqs: number[]): Map<number, Deleted> {
    const n = seqs.length;
    let stmt = this.deletes[n];
    if (!stmt) stmt = this.deletes[n] = this.db.prepare(`DELETE FROM sqs_messages WHERE seq IN (${placeholders(n)}) AND +queue = ? RETURNING seq, id, jseq`).raw(true);
    const out = new Map<number, Deleted>();
    for (const [seq, id, jseq] of stmt.all([...seqs, q.name]) as Array<[number, string, number | null]>) out.set(seq, { id, jseq });
    return out;
  }

  /**
   * Row ids for `n` new rows, first of them returned; must run inside the transaction that inserts them. Ids
   * are never reused, also after a restart (a stale receipt handle names its row by id, and must not name a
   * newer message): every id handed out is below the mark in sqs_seq, read in this transaction and raised
   * SEQ_BLOCK ids at a time, so a transaction that rolls back takes its raise with it and the next one raises
   * again. Reading the mark costs one small SELECT per call; AUTOINCREMENT (before migration 17) rewrote
   * sqlite_sequence at every INSERT, and its page went into every send's commit.
   */
  private allocSeq(n: number): number {
    const mark = this.s.seqMark.get() as number;
    if (this.lastSeq === undefined || this.lastSeq < mark - SEQ_BLOCK) {
      // At start (or when the mark moved on without this engine): past every id given out before.
      this.lastSeq = Math.max(mark, (this.s.seqMax.get() as number | null) ?? 0);
    }
    const first = this.lastSeq + 1;
    this.lastSeq += n;
    if (this.lastSeq > mark) this.s.seqRaise.run(this.lastSeq + SEQ_BLOCK);
    return first;
  }

  /** Positional parameters: binding 17 named ones from an object cost ~3 µs more per message. */
  private insertRow(seq: number, r: Omit<MessageRow, 'seq' | 'inflight' | 'nonce'>): void {
    this.s.insert.run(seq, r.queue, r.id, r.body, r.md5_body, r.attrs, r.md5_attrs, r.sys_attrs, r.md5_sys, r.group_id, r.dedup_id,
      r.sequence_number, r.sender_id, r.sent_ms, r.visible_ms, r.receive_count, r.first_receive_ms, r.dlq_source, r.jseq);
  }

  /**
   * Moves a row to another queue in place of deleting it, keeping id, body, attributes and digests;
   * `changes` decide the rest. Must run inside a transaction.
   */
  private relocate(row: MessageRow, dest: Queue, changes: Partial<MessageRow>): void {
    this.s.deleteSeq.run(row.seq);
    const { seq: _seq, inflight: _inflight, nonce: _nonce, ...kept } = row;
    this.insertRow(this.allocSeq(1), {
      ...kept,
      queue: dest.name,
      sequence_number: dest.fifo ? sequenceNumber(this.queues.nextSequence(dest)) : null,
      ...changes,
    });
  }

  /**
   * Moves a message to a DLQ keeping its MessageId, body, attributes and receive count, and stamping
   * `DeadLetterQueueSourceArn` (AWS-recorded behaviour). Must run inside a transaction.
   */
  moveToDlq(row: MessageRow, source: Queue, dlq: Queue, now: number): void {
    const jseq = this.journal.record({
      type: 'sqs.dead-lettered',
      resource: source.arn,
      id: row.id,
      cause: this.journal.lastOfRow(row.id, row.jseq),
      data: { deadLetterQueue: dlq.arn, receiveCount: row.receive_count },
    });
    // Standard DLQs keep the original enqueue time for retention; FIFO DLQs reset it (AWS docs).
    this.relocate(row, dlq, { sent_ms: dlq.fifo ? now : row.sent_ms, visible_ms: now, dlq_source: source.arn, jseq });
  }

  /**
   * Moves one message to another queue as a fresh message (message move tasks): body, attributes and
   * message id kept, receive count reset, DeadLetterQueueSourceArn dropped. Must run inside a transaction.
   */
  transfer(row: MessageRow, dest: Queue, now: number): void {
    const from = this.queues.get(row.queue);
    const jseq = this.journal.record({ type: 'sqs.moved', resource: dest.arn, id: row.id, cause: this.journal.lastOfRow(row.id, row.jseq), data: { from: from?.arn ?? row.queue } });
    this.relocate(row, dest, {
      jseq,
      group_id: dest.fifo ? (row.group_id ?? 'default') : row.group_id,
      dedup_id: dest.fifo ? (row.dedup_id ?? row.id) : null,
      sent_ms: now,
      visible_ms: now,
      receive_count: 0,
      first_receive_ms: null,
      dlq_source: null,
    });
  }

  /** Visible messages of a queue, oldest first (for move tasks). */
  visibleRows(q: Queue, limit: number): MessageRow[] {
    return this.oldestVisible(q, this.clock.now(), limit);
  }

  /**
   * The `limit` oldest visible messages of a standard queue (by sent time, then arrival). `visibleStd`
   * walks the sent index and is the cheapest while few hidden rows lead the queue (the usual case: the
   * messages consumers hold right now); a queue where that walk got slow (2 ms of CPU: thousands of in-flight
   * messages at its head: 21 ms a receive behind 98,000) is read through `headWindow` instead for its
   * next WINDOW_RECEIVES receives, then probed again. Both return exactly the same rows; only the cost
   * differs.
   */
  private oldestVisible(q: Queue, now: number, limit: number, needs: RowNeeds = ALL_COLUMNS): MessageRow[] {
    if (limit <= 0) return [];
    const raw = this.oldestVisibleRaw(q, now, limit, needs) as unknown[][];
    return needs.system ? raw.map(toRow) : raw.map((a) => leanRow(a, q.name));
  }

  /** A FIFO group's rows in order from `seq`, reading `needs`' columns; prepared on first use (per limit: store/limited.ts). */
  private fifoGroup(needs: RowNeeds): LimitedStatement {
    const key = needsKey(needs);
    let st = this.fifoGroups.get(key);
    if (!st) {
      st = new LimitedStatement(
        this.db,
        (limit) => `SELECT ${rowColumns(needs)} FROM sqs_messages INDEXED BY sqs_messages_group_seq WHERE queue = ? AND group_id = ? AND seq >= ? ORDER BY seq LIMIT ${limit}`,
        (s) => s.raw(true),
      );
      this.fifoGroups.set(key, st);
    }
    return st;
  }

  /** The standard queue's statements reading `needs`' columns, prepared on first use (per limit: store/limited.ts). */
  private headStatements(needs: RowNeeds): HeadStatements {
    const key = needsKey(needs);
    let st = this.heads.get(key);
    if (!st) {
      const cols = rowColumns(needs);
      const raw = (s: Statement) => s.raw(true);
      st = {
        headWindow: new LimitedStatement(
          this.db,
          (limit) => `SELECT ${rowColumns(needs, 'm.')} FROM (SELECT seq FROM sqs_messages INDEXED BY sqs_messages_sent WHERE queue = ? ORDER BY sent_ms, seq LIMIT ${HEAD_WINDOW}) w
             CROSS JOIN sqs_messages m ON m.seq = w.seq WHERE m.visible_ms <= ? LIMIT ${limit}`,
          raw,
        ),
        visibleByTime: new LimitedStatement(
          this.db,
          (limit) => `SELECT ${cols} FROM sqs_messages WHERE seq IN (SELECT seq FROM sqs_messages INDEXED BY sqs_messages_visible
             WHERE queue = ? AND visible_ms <= ? ORDER BY sent_ms, seq LIMIT ${limit}) ORDER BY sent_ms, seq`,
          raw,
        ),
        visibleStd: new LimitedStatement(
          this.db,
          (limit) => `SELECT ${cols} FROM sqs_messages INDEXED BY sqs_messages_sent WHERE queue = ? AND visible_ms <= ? ORDER BY sent_ms, seq LIMIT ${limit}`,
          raw,
        ),
      };
      this.heads.set(key, st);
    }
    return st;
  }

  private oldestVisibleRaw(q: Queue, now: number, limit: number, needs: RowNeeds): unknown[] {
    const s = this.headStatements(needs);
    const windowed = this.windowed.get(q.name);
    if (windowed === undefined) {
      // -1: the last timed walk was slow, time this one too; only two slow ones in a row switch (the CPU
      // clock is the process's: a GC thread busy during one walk can make it look slow).
      const walk = this.walks.get(q.name) ?? 0;
      if (walk > 0) {
        this.walks.set(q.name, walk + 1 === TIMED_WALKS ? 0 : walk + 1);
        return s.visibleStd.all(limit, q.name, now);
      }
      const t0 = cpuNs();
      const rows = s.visibleStd.all(limit, q.name, now);
      const slow = cpuNs() - t0 >= this.slowHeadNs;
      if (slow && walk === -1) this.windowed.set(q.name, WINDOW_RECEIVES);
      this.walks.set(q.name, slow && walk === 0 ? -1 : 1);
      return rows;
    }
    if (windowed <= 1) this.windowed.delete(q.name);
    else this.windowed.set(q.name, windowed - 1);
    const rows = s.headWindow.all(limit, q.name, now);
    if (rows.length >= limit || (this.s.headFull.get(q.name) as { n: number }).n < HEAD_WINDOW) return rows;
    const few = (this.s.visibleCount.get(q.name, now) as { n: number }).n < FEW_VISIBLE;
    return (few ? s.visibleByTime : s.visibleStd).all(limit, q.name, now);
  }

  get(q: Queue, seq: number): MessageRow | undefined {
    const a = this.s.bySeq.get(seq, q.name) as unknown[] | undefined;
    return a && toRow(a);
  }

  delete(seq: number): void {
    this.s.deleteSeq.run(seq);
  }

  /** Deletes a message of `q` by its row id; its MessageId and latest journal hop, or undefined when it was already gone. */
  deleteFrom(q: Queue, seq: number): Deleted | undefined {
    return this.s.deleteReturning.get(seq, q.name) as Deleted | undefined;
  }

  /** What a FIFO delete checks before deleting: the message's latest nonce and whether it is still in flight. */
  handleState(q: Queue, seq: number): Pick<MessageRow, 'id' | 'nonce' | 'visible_ms'> | undefined {
    return this.s.handleState.get(seq, q.name) as Pick<MessageRow, 'id' | 'nonce' | 'visible_ms'> | undefined;
  }

  /**
   * Any change wakes the queue's long polls: one made visible now answers them, and one whose new
   * timeout ends sooner than the old one re-arms their wake timer (a poll must not sleep past it).
   */
  setVisibility(q: Queue, seq: number, visibleAt: number, jseq: number): void {
    this.s.setVisibility.run(visibleAt, jseq, seq);
    this.notify(q.name);
  }

  purge(q: Queue): void {
    atomic(this.db, () => {
      this.journal.record({ type: 'sqs.purged', resource: q.arn });
      this.s.purge.run(q.name);
      this.s.dedupClear.run(q.name);
    });
  }

  counts(q: Queue): Counts {
    const now = this.clock.now();
    this.sweep(q, now);
    const visible = (this.s.countVisible.get(q.name, now) as { n: number }).n;
    const hidden = this.s.countHidden.get(q.name, now) as { inflight: number | null; delayed: number | null };
    return { visible, inflight: hidden.inflight ?? 0, delayed: hidden.delayed ?? 0 };
  }

  /**
   * Side-effect-free listing of every message of a queue (svl's peek endpoint), in arrival order; `after`
   * is a cursor (the last `seq` seen: a message moved or redriven here arrives with a new, higher one).
   */
  peek(q: Queue, limit: number, after = 0): MessageRow[] {
    this.sweep(q, this.clock.now());
    return toRows(this.s.peek.all(q.name, after, limit));
  }

  /** Retention: drops messages older than MessageRetentionPeriod (at most once a second per queue). */
  private sweep(q: Queue, now: number): void {
    const last = this.lastSweep.get(q.name);
    if (last !== undefined && now - last < 1000 && now >= last) return;
    this.lastSweep.set(q.name, now);
    this.s.expire.run(q.name, now - intAttribute(q.attrs, 'MessageRetentionPeriod') * 1000);
  }

  // ---- long polling ----

  /**
   * Runs a batch of deletes or visibility changes as one transaction: one commit for ten entries instead
   * of ten. Long polls the batch would wake are woken after the commit, so none sees an uncommitted row.
   */
  batch<T>(fn: () => T): T {
    if (this.deferred) return fn();
    const deferred = (this.deferred = new Set<string>());
    try {
      return atomic(this.db, fn);
    } finally {
      this.deferred = undefined;
      for (const q of deferred) this.notify(q);
    }
  }

  /** Wakes the long polls waiting on a queue (a message arrived or became visible). */
  notify(queue: string): void {
    if (this.deferred) {
      this.deferred.add(queue);
      return;
    }
    const set = this.waiters.get(queue);
    if (set) for (const w of [...set]) w();
  }

  /**
   * Waits until `attempt` returns a non-empty result, the wait ends, or the signal aborts. Re-attempts
   * when a message is sent or changes visibility, and when the next delayed/in-flight message of the
   * queue becomes visible (a clock timer). `since`: when the caller's own attempt read the clock (before
   * calling this); the timer is armed for the first message to become visible after the last attempt's
   * time, not after now: one that became visible in between (a busy machine preempting between the two)
   * would otherwise arm no timer and leave the poll asleep for its whole wait.
   *
   * Woken by a write of a running group commit (a publish's delivery, a send), the poll joins that group
   * (store/group-commit.ts `join`): its attempt runs in the same transaction, after the group's writes, and
   * it is answered once that one COMMIT is done, not a turn and a commit of its own later (issue 18). What
   * it took is acknowledged only after that commit, as before; a group that rolls back takes the receive
   * with it (nothing was marked received) and the poll tries again on the next turn. No abort can come
   * between the attempt and the commit (both run in one synchronous flush); a poll aborted before it is no
   * longer a waiter.
   */
  waitFor<T extends unknown[]>(q: Queue, waitMs: number, attempt: () => T, signal?: AbortSignal, since?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let attemptAt = since ?? this.clock.now();
      let wakeTimer: TimerHandle | undefined;
      let scheduled = false;
      const set = this.waiters.get(q.name) ?? new Set<Waiter>();
      this.waiters.set(q.name, set);
      /** The one way out, answered or failed: leave the waiters, stop both timers, drop the abort listener. */
      const settle = (outcome: () => void) => {
        if (done) return;
        done = true;
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(q.name) === set) this.waiters.delete(q.name);
        this.clock.clearTimeout(deadline);
        this.clock.clearTimeout(wakeTimer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const finish = (value: T) => settle(() => resolve(value));
      const tryNow = () => {
        scheduled = false;
        if (done) return;
        if (!this.queues.get(q.name)) return finish([] as unknown as T);
        let got: T;
        attemptAt = this.clock.now();
        try {
          got = attempt();
        } catch (err) {
          settle(() => reject(err));
          return;
        }
        if (got.length > 0) return finish(got);
        armWake();
      };
      /** The attempt as joined work of a running group: `got` is kept for its settle, after the commit. */
      let joinedGot: T | undefined;
      /** Joined and already run: a wake now (later joined work moved a message here) needs another attempt. */
      let ran = false;
      let wokenAgain = false;
      const joined: JoinedWork = {
        run: () => {
          joinedGot = undefined;
          ran = true;
          if (done || signal?.aborted) return;
          if (!this.queues.get(q.name)) return;
          attemptAt = this.clock.now();
          joinedGot = attempt();
        },
        settle: (committed, error) => {
          const got = joinedGot;
          const again = wokenAgain;
          joinedGot = undefined;
          scheduled = ran = wokenAgain = false;
          if (done) return;
          if (error !== undefined) return settle(() => reject(error));
          if (committed && got && got.length > 0) return finish(got);
          if (!committed || again) return wake(); // rolled back (nothing taken), or woken after its attempt: next turn
          if (!this.queues.get(q.name)) return finish([] as unknown as T);
          armWake();
        },
      };
      const wake: Waiter = () => {
        if (ran) wokenAgain = true;
        if (done || scheduled) return;
        scheduled = true;
        if (this.group?.join(joined)) return;
        realSetImmediate(tryNow);
      };
      const armWake = () => {
        this.clock.clearTimeout(wakeTimer);
        const next = (this.s.nextVisible.get(q.name, attemptAt) as { t: number | null }).t;
        if (next !== null) wakeTimer = this.clock.setTimeout(wake, Math.max(0, next - this.clock.now()));
      };
      const onAbort = () => finish([] as unknown as T);
      const deadline = this.clock.setTimeout(() => finish([] as unknown as T), waitMs);
      signal?.addEventListener('abort', onAbort);
      set.add(wake);
      armWake();
    });
  }
}

/** `?, ?, …` for n parameters. */
const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
