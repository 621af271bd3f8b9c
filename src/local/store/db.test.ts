// Migrations: a fresh database gets every migration in one transaction; its schema must be exactly what
// applying them one by one (each in its own transaction, as svl did before) gives, and so must an upgrade
// from a database left at any earlier version. And the durable store's SQLite settings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, WAL_AUTOCHECKPOINT, type Db } from './db.js';
import { MIGRATIONS } from './migrations.js';

const root = mkdtempSync(join(tmpdir(), 'svl-db-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Every schema object (type, name, table, SQL text; not where its pages are), and the user_version. */
function schema(db: Db): { objects: unknown[]; version: unknown } {
  return {
    objects: db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`).all(),
    version: db.pragma('user_version', { simple: true }),
  };
}

/** The reference: each migration in its own transaction, user_version bumped after each. */
function stepByStep(db: Db, upTo = MIGRATIONS.length): void {
  for (let v = 0; v < upTo; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

test('a fresh state directory and a fresh in-memory store: the schema every migration one by one gives', () => {
  const ref = new Database(':memory:');
  stepByStep(ref);
  const expected = schema(ref);
  ref.close();
  assert.equal(expected.version, MIGRATIONS.length);
  assert.ok((expected.objects as unknown[]).length > 20, 'the reference schema has the tables and indexes');

  const mem = openStore({ inMemory: true });
  assert.deepEqual(schema(mem.db), expected);
  mem.close();

  const dir = join(root, 'fresh');
  const durable = openStore({ stateDir: dir });
  assert.deepEqual(schema(durable.db), expected);
  durable.close();
  const reopened = openStore({ stateDir: dir });
  assert.deepEqual(schema(reopened.db), expected, 'reopening runs nothing more');
  reopened.close();
});

test('an upgrade from every earlier version: the same schema', () => {
  const ref = new Database(':memory:');
  stepByStep(ref);
  const expected = schema(ref);
  ref.close();
  for (let v = 1; v < MIGRATIONS.length; v++) {
    const dir = join(root, `from-${v}`);
    const store = openStore({ stateDir: dir });
    store.close();
    rmSync(join(dir, 'svl.db'));
    const old = new Database(join(dir, 'svl.db'));
    stepByStep(old, v);
    old.close();
    const upgraded = openStore({ stateDir: dir });
    assert.deepEqual(schema(upgraded.db), expected, `from version ${v}`);
    upgraded.close();
  }
});

test('a durable store: WAL, exclusive locking, synchronous NORMAL and a checkpoint every WAL_AUTOCHECKPOINT pages', () => {
  const dir = join(root, 'pragmas');
  const store = openStore({ stateDir: dir });
  try {
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('locking_mode', { simple: true }), 'exclusive');
    assert.equal(store.db.pragma('synchronous', { simple: true }), 1); // NORMAL
    assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), WAL_AUTOCHECKPOINT);
    assert.equal(WAL_AUTOCHECKPOINT, 4000);
  } finally {
    store.close();
  }
});
