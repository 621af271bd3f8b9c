/**
 * Group commit for S3 object writes: the writes (object rows, deletions, with their notification
 * deliveries) queued during one turn of the event loop run in one SQLite transaction, each in its own
 * SAVEPOINT, and are committed together before any of them is answered. Concurrent PUTs then share the
 * commit's fixed cost (locks, WAL frame writes of the same b-tree pages) instead of paying it each.
 * Durability is unchanged: a write's promise resolves only after the commit that holds it; one that throws
 * (a refused conditional write) is rolled back to its savepoint and rejects alone; a failing commit rejects
 * every write of the batch.
 * It deliberately does not batch across turns (no timer, no added latency beyond one setImmediate).
 */
import type { Db } from '../store/db.js';
import { atomic } from '../store/db.js';
import { realSetImmediate } from '../timers.js';

interface Pending {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  /** better-sqlite3 runs a transaction function called inside another transaction as a SAVEPOINT. */
  private readonly savepoint: (fn: () => unknown) => unknown;

  constructor(private readonly db: Db) {
    this.savepoint = db.transaction((fn: () => unknown) => fn());
  }

  /** Runs `fn` inside the next group transaction; resolves with its result once that transaction committed. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) realSetImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) {
      const [only] = batch as [Pending];
      let value: unknown;
      try {
        value = atomic(this.db, only.fn);
      } catch (err) {
        only.reject(err);
        return;
      }
      only.resolve(value);
      return;
    }
    const outcomes: Array<{ value?: unknown; error?: unknown; failed: boolean }> = [];
    try {
      atomic(this.db, () => {
        for (const p of batch) {
          try {
            outcomes.push({ value: this.savepoint(p.fn), failed: false });
          } catch (error) {
            outcomes.push({ error, failed: true });
          }
        }
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.failed) p.reject(o.error);
      else p.resolve(o.value);
    });
  }
}
