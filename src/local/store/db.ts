/**
 * The emulator's durable store: one SQLite database (WAL) under the state directory.
 *
 * Durability: every acknowledged operation is committed before the response is written. With WAL and
 * `synchronous=NORMAL`, a commit survives the emulator process being killed at any moment (SIGKILL);
 * only an OS crash or power loss could lose the last commits (use SVL_SYNC=FULL to fsync every commit).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { acquireStateLock, type StateLock } from './lock.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export interface StoreOptions {
  /** Directory holding `svl.db` (and the lock); omitted with `inMemory`. */
  stateDir?: string;
  inMemory?: boolean;
}

export interface Store {
  db: Db;
  stateDir?: string;
  close(): void;
}

export function openStore(opts: StoreOptions): Store {
  let lock: StateLock | undefined;
  let db: Db;
  if (opts.inMemory || !opts.stateDir) {
    db = new Database(':memory:');
  } else {
    mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
    lock = acquireStateLock(opts.stateDir);
    try {
      db = new Database(join(opts.stateDir, 'svl.db'));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${process.env.SVL_SYNC === 'FULL' ? 'FULL' : 'NORMAL'}`);
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32000');
  migrate(db);
  let closed = false;
  return {
    db,
    stateDir: opts.stateDir,
    close() {
      if (closed) return;
      closed = true;
      try {
        if (!opts.inMemory) db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
        lock?.release();
      }
    },
  };
}

function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** One transaction wrapper per database, made once: `db.transaction()` builds a new one at every call. */
const runners = new WeakMap<Db, Database.Transaction<(fn: () => unknown) => unknown>>();

/**
 * Runs `fn` in a transaction, or inside the caller's when one is open (no SAVEPOINT: a nested failure
 * throws through the outer transaction anyway). One publish fanning out to many queues is one commit.
 */
export function atomic<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return fn();
  let run = runners.get(db);
  if (!run) {
    run = db.transaction((f: () => unknown) => f());
    runners.set(db, run);
  }
  return run(fn) as T;
}
