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
 * Work can join a group while its writes run (`join`: an SQS long poll woken by a message one of them sent):
 * it runs after the batch's writes, in its own savepoint, before the hooks and the COMMIT, and is told the
 * outcome after it, so a poll is answered by the publish's own commit instead of a second turn and a second
 * commit (issue 18), and still only once what it took is committed. Measured with hrtime marks in the server
 * (a publish to 10 subscribers, envelope, durable, one long poll waiting; base and joined run alternately,
 * load ~3): publish work done -> poll answer written p50 0.57-0.69 ms -> 0.47-0.50 ms, p90 0.85-1.34 ->
 * 0.77-0.81 ms. What is left of that: the poll's receive (~0.14 ms), the COMMIT (~0.08 ms) and writing two
 * responses; bench/sns.mjs's wall-clock p50 did not resolve the gain from the noise at load 4-6.
 * It deliberately does not batch across turns (no timer, no added latency beyond one setImmediate), nor know
 * what joined work is (messages.ts `waitFor` joins its polls).
 */
import type { Db } from './db.js';
import { atomic } from './db.js';
import { realQueueMicrotask, realSetImmediate } from '../timers.js';

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

/**
 * Work that joins the running group (`GroupCommit.join`). `run` runs inside the group transaction, after the
 * batch's writes, in a savepoint of its own (rolled back alone when it throws); `settle` is called once
 * the transaction ended: `committed` whether it committed, `error` what `run` threw, if it did.
 */
export interface JoinedWork {
  run(): void;
  settle(committed: boolean, error?: unknown): void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private readonly hooks: CommitHook[] = [];
  /** While a group's writes run: the work that joined it (see `join`); undefined otherwise. */
  private joined: JoinedWork[] | undefined;
  /** better-sqlite3 runs a transaction function called inside another transaction as a SAVEPOINT. */
  private readonly savepoint: (fn: () => unknown) => unknown;

  constructor(private readonly db: Db) {
    this.savepoint = db.transaction((fn: () => unknown) => fn());
  }

  addHook(hook: CommitHook): void {
    this.hooks.push(hook);
  }

  /**
   * Joins `work` to the group whose writes are running right now (called from one of them, synchronously):
   * false when none is (then the caller does it its own way). Joined work may join more (a receive that
   * dead-letters a message wakes the DLQ's polls): all of it runs before the COMMIT.
   */
  join(work: JoinedWork): boolean {
    if (!this.joined) return false;
    this.joined.push(work);
    return true;
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
    const joined: JoinedWork[] = [];
    const joinErrors = new Map<number, unknown>();
    try {
      // A lone write needs no savepoint: its own transaction rolls back entirely when it throws.
      // (better-sqlite3 refuses a transaction function that returns a promise: the value is kept aside.)
      atomic(this.db, () => {
        this.joined = joined;
        if (batch.length === 1) values.push(batch[0]!.fn());
        else {
          batch.forEach((p, i) => {
            try {
              this.savepoint(() => void values.push(p.fn()));
            } catch (error) {
              values.push(undefined);
              errors.set(i, error);
            }
          });
        }
        this.runJoined(joined, joinErrors);
        hooked = this.beforeCommit();
      });
    } catch (err) {
      this.joined = undefined;
      if (hooked) for (const h of this.hooks) h.afterCommit(false);
      // Joined work (a woken poll) took nothing: its writes rolled back with the rest.
      settleAll(joined, false, joinErrors);
      // The commit failed (or the lone write threw, and its transaction rolled back): every write of the
      // batch fails. A promise a write returned is left to settle unobserved.
      for (const v of values) if (isThenable(v)) v.then(undefined, () => {});
      for (const p of batch) p.reject(err);
      return;
    }
    if (hooked) for (const h of this.hooks) h.afterCommit(true);
    batch.forEach((p, i) => (errors.has(i) ? p.reject(errors.get(i)) : p.resolve(values[i])));
    settleAll(joined, true, joinErrors);
  }

  /** The joined work, each in its own savepoint (the list may grow while it runs); then the group is closed to joiners. */
  private runJoined(joined: JoinedWork[], errors: Map<number, unknown>): void {
    for (let k = 0; k < joined.length; k++) {
      try {
        this.savepoint(() => joined[k]!.run());
      } catch (error) {
        errors.set(k, error);
      }
    }
    this.joined = undefined;
  }

  private beforeCommit(): boolean {
    for (const h of this.hooks) h.beforeCommit();
    return this.hooks.length > 0;
  }
}

/**
 * Every joined work told the outcome, even when one of them throws: that one's error is rethrown on its own
 * (as a throwing wake of the turn after would have been), the others are still settled.
 */
function settleAll(joined: JoinedWork[], committed: boolean, errors: Map<number, unknown>): void {
  joined.forEach((w, k) => {
    try {
      w.settle(committed, errors.get(k));
    } catch (err) {
      realQueueMicrotask(() => {
        throw err;
      });
    }
  });
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
