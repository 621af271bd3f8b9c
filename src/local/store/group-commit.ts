/**
 * Group commit: the writes queued during one turn of the event loop (S3 object writes with their
 * notification deliveries; SQS sends, receives, deletes and visibility changes) run in one SQLite
 * transaction, each in its own SAVEPOINT, and are committed together before any of them is answered.
 * Concurrent requests then share the commit's fixed cost (locks, WAL frame writes of the same b-tree
 * pages) instead of paying it each. Durability is unchanged: a write's promise resolves only after the
 * commit that holds it; one that throws (a refused conditional write, an invalid request) is rolled back
 * to its savepoint and rejects alone; a failing commit rejects every write of the batch. A write that
 * returns a promise (an SQS long poll that found nothing) has its synchronous part committed with the
 * batch; the promise's own later work commits on its own.
 * Hooks (`addHook`: the journal) write their own buffered rows inside the group transaction, just before
 * its COMMIT, so one commit holds both; a hook is told whether that commit succeeded, to keep its rows when not.
 * It deliberately does not batch across turns (no timer, no added latency beyond one setImmediate).
 */
import type { Db } from './db.js';
import { atomic } from './db.js';
import { realSetImmediate } from '../timers.js';

interface Pending {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Rows of someone else's (the journal's) written in the group transaction, before its COMMIT. */
export interface CommitHook {
  /** Inside the group transaction, after its writes. Must not throw (nor leave a partial write behind). */
  beforeCommit(): void;
  /** After the transaction: `committed` false when it rolled back, so what beforeCommit wrote is not there. */
  afterCommit(committed: boolean): void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private readonly hooks: CommitHook[] = [];
  /** better-sqlite3 runs a transaction function called inside another transaction as a SAVEPOINT. */
  private readonly savepoint: (fn: () => unknown) => unknown;

  constructor(private readonly db: Db) {
    this.savepoint = db.transaction((fn: () => unknown) => fn());
  }

  addHook(hook: CommitHook): void {
    this.hooks.push(hook);
  }

  /**
   * Runs `fn` inside the next group transaction; resolves with its result once that transaction committed.
   * A promise `fn` returns is passed on as it settles (its synchronous part committed with the batch).
   */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) realSetImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const values: unknown[] = [];
    const errors = new Map<number, unknown>();
    let hooked = false;
    try {
      // A lone write needs no savepoint: its own transaction rolls back entirely when it throws.
      // (better-sqlite3 refuses a transaction function that returns a promise: the value is kept aside.)
      if (batch.length === 1) {
        atomic(this.db, () => {
          values.push(batch[0]!.fn());
          hooked = this.beforeCommit();
        });
      } else {
        atomic(this.db, () => {
          batch.forEach((p, i) => {
            try {
              this.savepoint(() => void values.push(p.fn()));
            } catch (error) {
              values.push(undefined);
              errors.set(i, error);
            }
          });
          hooked = this.beforeCommit();
        });
      }
    } catch (err) {
      if (hooked) for (const h of this.hooks) h.afterCommit(false);
      // The commit failed (or the lone write threw, and its transaction rolled back): every write of the
      // batch fails. A promise a write returned is left to settle unobserved.
      for (const v of values) if (isThenable(v)) v.then(undefined, () => {});
      for (const p of batch) p.reject(err);
      return;
    }
    if (hooked) for (const h of this.hooks) h.afterCommit(true);
    batch.forEach((p, i) => (errors.has(i) ? p.reject(errors.get(i)) : p.resolve(values[i])));
  }

  private beforeCommit(): boolean {
    for (const h of this.hooks) h.beforeCommit();
    return this.hooks.length > 0;
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
