/**
 * Invocation logs, kept in SQLite for `svl logs` (the emulator's stand-in for CloudWatch Logs): one row
 * per invocation with its full log (START … END, REPORT), the last LOGS_KEPT_PER_FUNCTION per function.
 *
 * Written off the invocation's path: `add` queues the row and the queue is inserted in one transaction
 * at most LOG_FLUSH_MS later (one commit for many invocations instead of one each), before any read of
 * the logs (so a reader always sees every invocation that has finished), before an Invoke with
 * `LogType: Tail` is answered (invoke.ts: a log the caller was shown is committed), and on `flush()` when
 * the emulator stops. So kill -9 of the emulator loses at most the logs of invocations that ended in the
 * last LOG_FLUSH_MS and whose log nobody was shown, never one that was read or sent in a Tail. Rows
 * leave the queue only once their transaction committed: a failed write keeps them for the next one (a
 * timer's failure is logged, not thrown). Deliberately not done here: the journal's records of the
 * same invocations.
 */
import type { Db } from '../store/db.js';
import { atomic } from '../store/db.js';
import { realClearTimeout, realSetTimeout } from '../timers.js';
import { LOG_TAIL_BYTES, LOGS_KEPT_PER_FUNCTION } from './constants.js';

/** The last 4 KB of a log (X-Amz-Log-Result, and the log tail svl's invocation endpoint shows). */
export function logTailBytes(log: string): Buffer {
  const buf = Buffer.from(log, 'utf8');
  return buf.subarray(Math.max(0, buf.length - LOG_TAIL_BYTES));
}

/** How long a finished invocation's log may wait in memory before it is written. */
export const LOG_FLUSH_MS = 50;
/** Rows per INSERT statement when queued logs are written (SQLite allows 32,766 parameters; 6 a row). */
const INSERT_ROWS = 64;

export interface LogRecord {
  seq: number;
  function: string;
  requestId: string;
  startedMs: number;
  durationMs: number;
  outcome: string;
  text: string;
}

interface Row {
  seq: number;
  function: string;
  request_id: string;
  started_ms: number;
  duration_ms: number;
  outcome: string;
  text: string;
}

type Pending = [fn: string, requestId: string, startedMs: number, durationMs: number, outcome: string, text: string];

export class InvocationLogs {
  private readonly s;
  private readonly added = new Map<string, number>();
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  /** After `stop()` (the emulator is closing): no more batching, each log is written at once. */
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.s = {
      list: db.prepare(`SELECT * FROM lambda_logs WHERE function = ? AND seq > ? AND started_ms >= ? ORDER BY seq LIMIT ?`),
      byRequest: db.prepare(`SELECT * FROM lambda_logs WHERE function = ? AND request_id = ? ORDER BY seq`),
      prune: db.prepare(`DELETE FROM lambda_logs WHERE function = ? AND seq <= (SELECT seq FROM lambda_logs WHERE function = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`),
    };
  }

  add(fn: string, requestId: string, startedMs: number, durationMs: number, outcome: string, text: string): void {
    this.pending.push([fn, requestId, startedMs, durationMs, outcome, text]);
    if (this.stopped) this.flush();
    else if (!this.timer) {
      // A real-time timer: a test's fake clock must not hold logs back.
      this.timer = realSetTimeout(() => this.flushQuietly(), LOG_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes the queued logs now and stops batching: invocations that end while the emulator closes are written at once. */
  stop(): void {
    this.stopped = true;
    this.flush();
  }

  /** The timer's flush: a failure (disk full, locked) is reported and the rows wait for the next write. */
  private flushQuietly(): void {
    try {
      this.flush();
    } catch (err) {
      this.log(`svl: could not write ${this.pending.length} invocation log(s), will retry: ${(err as Error).message}`);
      if (!this.timer && !this.stopped) {
        this.timer = realSetTimeout(() => this.flushQuietly(), LOG_FLUSH_MS);
        this.timer.unref();
      }
    }
  }

  /** Writes the queued logs now (before reads, a Tail answer, and when the emulator stops); throws if the write fails (the rows stay queued). */
  flush(): void {
    realClearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || !this.db.open) return;
    const rows = this.pending;
    const added = new Map(this.added);
    atomic(this.db, () => {
      // Multi-row INSERTs (up to INSERT_ROWS a statement), each run at the latest before a prune counts it.
      let from = 0;
      const insertUpTo = (end: number) => {
        while (from < end) {
          const n = Math.min(INSERT_ROWS, end - from);
          this.insertStatement(n).run(rows.slice(from, from + n).flat());
          from += n;
        }
      };
      for (let i = 0; i < rows.length; i++) {
        const fn = rows[i]![0];
        const n = (added.get(fn) ?? 0) + 1;
        added.set(fn, n);
        if (n % 100 === 0) {
          insertUpTo(i + 1);
          this.s.prune.run(fn, fn, LOGS_KEPT_PER_FUNCTION);
        }
      }
      insertUpTo(rows.length);
    });
    // Committed: only now do the rows leave the queue (rows added meanwhile stay).
    this.pending = this.pending.slice(rows.length);
    for (const [fn, n] of added) this.added.set(fn, n);
  }

  private readonly inserts = new Map<number, ReturnType<Db['prepare']>>();

  /** `INSERT … VALUES (…), (…)` for `n` rows, prepared once per size. */
  private insertStatement(n: number): ReturnType<Db['prepare']> {
    let st = this.inserts.get(n);
    if (!st) {
      st = this.db.prepare(`INSERT INTO lambda_logs (function, request_id, started_ms, duration_ms, outcome, text) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`);
      this.inserts.set(n, st);
    }
    return st;
  }

  /** Every kept attempt of one request (async retries share their request id), oldest first. */
  forRequest(fn: string, requestId: string): LogRecord[] {
    this.flush();
    return (this.s.byRequest.all(fn, requestId) as Row[]).map((r) => ({ seq: r.seq, function: r.function, requestId: r.request_id, startedMs: r.started_ms, durationMs: r.duration_ms, outcome: r.outcome, text: r.text }));
  }

  /** Records of a function after `afterSeq`, started at or after `sinceMs`, oldest first. */
  list(fn: string, opts: { afterSeq?: number; sinceMs?: number; limit?: number } = {}): LogRecord[] {
    this.flush();
    const rows = this.s.list.all(fn, opts.afterSeq ?? 0, opts.sinceMs ?? 0, opts.limit ?? 1000) as Row[];
    return rows.map((r) => ({ seq: r.seq, function: r.function, requestId: r.request_id, startedMs: r.started_ms, durationMs: r.duration_ms, outcome: r.outcome, text: r.text }));
  }
}
