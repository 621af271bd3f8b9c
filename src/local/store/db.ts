/**
 * The emulator's durable store: one SQLite database (WAL) under the state directory.
 *
 * Durability: every acknowledged operation is committed before the response is written. With WAL and
 * `synchronous=NORMAL`, a commit survives the emulator process being killed at any moment (SIGKILL);
 * only an OS crash or power loss could lose the last commits (use SVL_SYNC=FULL to fsync every commit).
 *
 * Opening fails with a typed error (exit 2, with the fix) for a state directory that cannot be used, a
 * database that is damaged or from a newer svl; it never repairs or wipes anything itself.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SvlError } from '../../errors.js';
import { acquireStateLock, type StateLock } from './lock.js';
import { prepareStateDir, stateDbCorrupt, stateDirUnusable } from './state-dir.js';
import { MIGRATIONS } from './migrations.js';

/**
 * better-sqlite3 is CommonJS: required, not imported. An ESM import of it first has the loader lex the
 * package's files for their named exports (~4 ms of the emulator's start-up on Node 20; see src/aws/sdk.ts).
 */
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof BetterSqlite3;

/**
 * better-sqlite3's compiled addon, named directly where its install puts it (build/Release, whether compiled
 * or a prebuilt binary): left to find it itself, the first database goes through the `bindings` package,
 * which tries a dozen candidate paths with a realpath each (~2-3 ms of the emulator's start-up). Undefined
 * (better-sqlite3's own lookup then) when it is not there.
 */
let addon: string | null | undefined = null;
function nativeBinding(): string | undefined {
  if (addon !== null) return addon;
  try {
    const file = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
    addon = existsSync(file) ? file : undefined;
  } catch {
    addon = undefined;
  }
  return addon;
}

export type Db = BetterSqlite3.Database;

/**
 * WAL pages between checkpoints (SQLite's default: 1,000). Each checkpoint is a cycle of three fsyncs (the
 * WAL, the database after the copy, the WAL header when it is reused) and a copy of every page written since
 * the last one; a queue's pages are written again and again, so a longer cycle copies each hot page once for
 * more commits. Measured with bench/cpu.mjs's SDK phases, 1,000 and 4,000 run alternately (server CPU per
 * message, medians of 8 runs): SendMessageBatch 20.0 -> 19.0 µs, ReceiveMessage + DeleteMessageBatch 33.0 ->
 * 31.0 µs; a publish to 10 subscribers (5 runs) 315 -> 307 µs. 10,000 measured the same as 4,000. The price:
 * a WAL file of up to 16 MB (4 MB before) while the emulator runs, copied at a clean stop (13 -> 27 ms) and
 * replayed after a kill -9 (start-up to healthy 214 -> 217 ms).
 */
export const WAL_AUTOCHECKPOINT = 4000;

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
  let db: Db | undefined;
  const file = opts.stateDir ? join(opts.stateDir, 'svl.db') : ':memory:';
  try {
    if (opts.inMemory || !opts.stateDir) {
      db = new Database(':memory:', { nativeBinding: nativeBinding() });
    } else {
      prepareStateDir(opts.stateDir);
      lock = acquireStateLock(opts.stateDir);
      db = new Database(file, { nativeBinding: nativeBinding() });
      // Exclusive locking, set before the first WAL access: no one else opens the database while the
      // emulator runs (the state lock sees to that), so SQLite keeps the WAL index in memory instead of a
      // shared-memory file and takes no file locks per transaction: ~10 µs less CPU per commit (a 10-row
      // SendMessageBatch: 90 -> 80 µs). A kill -9 still loses nothing committed (the WAL is on disk).
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${process.env.SVL_SYNC === 'FULL' ? 'FULL' : 'NORMAL'}`);
      // A checkpoint every WAL_AUTOCHECKPOINT pages, not SQLite's 1,000 (see there).
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT}`);
    }
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    // A 4 MB page cache (SQLite's default is 2 MB), not 32: at the end of a transaction whose b-tree pages were
    // split and renumbered (balance_nonroot moves a page to the lock-byte page's number, 262,145, and back),
    // SQLite truncates the cache by scanning every bucket of its hash table, which grows with the pages cached
    // (gdb: pcache1TruncateUnsafe from pager_end_transaction with iMaxKey 262,145). With 32 MB that scan was
    // ~14 µs of a commit draining a deep queue, 2.8 µs of every received+deleted message (perf); the OS keeps
    // the rest of the file's pages in its own cache. In process, 100,000 queued: receive+delete 12.0-12.2 vs
    // 13.6 µs a message, RSS 82 vs 112 MB.
    db.pragma('cache_size = -4000');
    migrate(db, opts.stateDir, file);
  } catch (err) {
    try {
      db?.close();
    } finally {
      lock?.release();
    }
    throw opts.stateDir ? storeError(err, opts.stateDir, file) : err;
  }
  const open = db;
  let closed = false;
  return {
    db: open,
    stateDir: opts.stateDir,
    close() {
      if (closed) return;
      closed = true;
      try {
        if (!opts.inMemory) open.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        open.close();
        lock?.release();
      }
    },
  };
}

/** SQLite's answers to a file that is not a healthy database, or a place it cannot write: typed errors with the fix. */
function storeError(err: unknown, dir: string, file: string): unknown {
  if (err instanceof SvlError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const why = (err as Error).message;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return stateDbCorrupt(dir, file, why, err);
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_PERM' || code === 'SQLITE_FULL') {
    return stateDirUnusable(dir, `SQLite cannot write ${file} (${why})`, undefined, err);
  }
  return err;
}

function migrate(db: Db, dir: string | undefined, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (dir && version > MIGRATIONS.length) {
    throw new SvlError(`The state database ${file} was written by a newer svl (schema ${version}; this one knows ${MIGRATIONS.length}).`, 2, {
      code: 'StateDbTooNew',
      hint: `upgrade svl, or pass another --state-dir (or wipe this one: \`svl local reset --yes --state-dir ${dir}\`)`,
    });
  }
  if (version >= MIGRATIONS.length) return;
  // Every pending migration in one transaction, and one commit: a fresh state directory's 10 migrations
  // committed one by one wrote the growing schema page 10 times. The same statements in the same order,
  // so the schema is the one every step gives (db.test.ts compares them); all or nothing.
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}

/** One transaction wrapper per database, made once: `db.transaction()` builds a new one at every call. */
const runners = new WeakMap<Db, BetterSqlite3.Transaction<(fn: () => unknown) => unknown>>();

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
