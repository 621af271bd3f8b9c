/**
 * A hot query whose LIMIT varies, prepared once per limit value with the limit written into its SQL.
 *
 * SQLite (3.53, in better-sqlite3 12) reads the value bound to `LIMIT ?` when it plans a statement, and
 * so marks the statement to be planned again whenever that parameter is bound; better-sqlite3 binds every
 * parameter at every call, so a `LIMIT ?` statement is parsed and planned anew at every call. perf showed
 * it under every SQS receive (sqlite3_step -> sqlite3Reprepare: ~4.5% of the emulator's CPU receiving and
 * deleting messages); a one-table SELECT of ten rows measured 13.4 µs a call with `LIMIT ?`, 9.7 with
 * `LIMIT 10` (its prepare alone 6.6 µs).
 *
 * Limits from 0 to MAX_WRITTEN each get a statement of their own, made on first use (a receive asks for 1
 * to 10 rows, a few more when it skips some); a larger one (rare) uses one `LIMIT ?` statement, planned
 * at each call as before. It does not cache anything else, nor know what the query means.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

const MAX_WRITTEN = 64;

export class LimitedStatement {
  private readonly written: Array<Statement | undefined> = [];
  private bound: Statement | undefined;

  /**
   * `sql(limit)` is the statement's text with `limit` where its LIMIT goes: a number, or `?` (then the last
   * parameter). `mode` sets the statement's result mode (`raw`, `pluck`).
   */
  constructor(
    private readonly db: Db,
    private readonly sql: (limit: string) => string,
    private readonly mode: (s: Statement) => Statement = (s) => s,
  ) {}

  /** `stmt.all(...params)` with LIMIT `limit` (an integer from 0). */
  all(limit: number, ...params: unknown[]): unknown[] {
    if (limit <= MAX_WRITTEN) {
      let s = this.written[limit];
      if (s === undefined) s = this.written[limit] = this.mode(this.db.prepare(this.sql(String(limit))));
      return s.all(...params);
    }
    this.bound ??= this.mode(this.db.prepare(this.sql('?')));
    return this.bound.all(...params, limit);
  }
}
