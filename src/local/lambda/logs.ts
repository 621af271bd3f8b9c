/**
 * Invocation logs, kept in SQLite for `svl logs` (the emulator's stand-in for CloudWatch Logs): one row
 * per invocation with its full log (START … END, REPORT), the last LOGS_KEPT_PER_FUNCTION per function.
 */
import type { Db } from '../store/db.js';
import { LOGS_KEPT_PER_FUNCTION } from './constants.js';

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

export class InvocationLogs {
  private readonly s;
  private readonly added = new Map<string, number>();

  constructor(db: Db) {
    this.s = {
      add: db.prepare(`INSERT INTO lambda_logs (function, request_id, started_ms, duration_ms, outcome, text) VALUES (?, ?, ?, ?, ?, ?)`),
      list: db.prepare(`SELECT * FROM lambda_logs WHERE function = ? AND seq > ? AND started_ms >= ? ORDER BY seq LIMIT ?`),
      byRequest: db.prepare(`SELECT * FROM lambda_logs WHERE function = ? AND request_id = ? ORDER BY seq`),
      prune: db.prepare(`DELETE FROM lambda_logs WHERE function = ? AND seq <= (SELECT seq FROM lambda_logs WHERE function = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`),
    };
  }

  add(fn: string, requestId: string, startedMs: number, durationMs: number, outcome: string, text: string): void {
    this.s.add.run(fn, requestId, startedMs, durationMs, outcome, text);
    const n = (this.added.get(fn) ?? 0) + 1;
    this.added.set(fn, n);
    if (n % 100 === 0) this.s.prune.run(fn, fn, LOGS_KEPT_PER_FUNCTION);
  }

  /** Every kept attempt of one request (async retries share their request id), oldest first. */
  forRequest(fn: string, requestId: string): LogRecord[] {
    return (this.s.byRequest.all(fn, requestId) as Row[]).map((r) => ({ seq: r.seq, function: r.function, requestId: r.request_id, startedMs: r.started_ms, durationMs: r.duration_ms, outcome: r.outcome, text: r.text }));
  }

  /** Records of a function after `afterSeq`, started at or after `sinceMs`, oldest first. */
  list(fn: string, opts: { afterSeq?: number; sinceMs?: number; limit?: number } = {}): LogRecord[] {
    const rows = this.s.list.all(fn, opts.afterSeq ?? 0, opts.sinceMs ?? 0, opts.limit ?? 1000) as Row[];
    return rows.map((r) => ({ seq: r.seq, function: r.function, requestId: r.request_id, startedMs: r.started_ms, durationMs: r.duration_ms, outcome: r.outcome, text: r.text }));
  }
}
