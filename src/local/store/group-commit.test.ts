import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from './db.js';
import { GroupCommit } from './group-commit.js';

function setup() {
  const store = openStore({ inMemory: true });
  store.db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  const rows = () => (store.db.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k);
  const insert = (k: string) => store.db.prepare('INSERT INTO t (k) VALUES (?)').run(k);
  return { store, rows, insert, group: new GroupCommit(store.db) };
}

test('writes queued in one turn share one transaction; each resolves with its result only once committed', async () => {
  const { store, rows, insert, group } = setup();
  try {
    let commits = 0;
    const inside: boolean[] = [];
    const results = Promise.all(
      ['a', 'b', 'c'].map((k) =>
        group.run(() => {
          insert(k);
          inside.push(store.db.inTransaction);
          return k.toUpperCase();
        }),
      ),
    );
    // Nothing runs until the turn ends.
    assert.deepEqual(rows(), []);
    const done = await results.then((r) => {
      commits++;
      // Answered after the commit: no transaction is open any more and every row is there.
      assert.equal(store.db.inTransaction, false);
      return r;
    });
    assert.deepEqual(done, ['A', 'B', 'C']);
    assert.deepEqual(inside, [true, true, true]);
    assert.deepEqual(rows(), ['a', 'b', 'c']);
    assert.equal(commits, 1);
  } finally {
    store.close();
  }
});

test('a write that throws is rolled back alone and rejects; the others of its batch commit', async () => {
  const { store, rows, insert, group } = setup();
  try {
    const outcomes = await Promise.allSettled([
      group.run(() => insert('a')),
      group.run(() => {
        insert('b');
        throw new Error('refused');
      }),
      group.run(() => insert('a')), // a constraint violation: rolled back to its own savepoint
      group.run(() => insert('c')),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.equal((outcomes[1] as PromiseRejectedResult).reason.message, 'refused');
    assert.match(String((outcomes[2] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.deepEqual(rows(), ['a', 'c']);
  } finally {
    store.close();
  }
});

test('a lone write runs in its own transaction and rolls back entirely when it throws', async () => {
  const { store, rows, insert, group } = setup();
  try {
    await assert.rejects(
      group.run(() => {
        insert('x');
        throw new Error('no');
      }),
      /no/,
    );
    assert.deepEqual(rows(), []);
    assert.equal(await group.run(() => (insert('y'), 7)), 7);
    assert.deepEqual(rows(), ['y']);
  } finally {
    store.close();
  }
});

test('a write that returns a promise (a long poll) shares the batch: its synchronous part commits with it, the promise is passed on', async () => {
  const { store, rows, insert, group } = setup();
  try {
    let release!: (v: string) => void;
    const later = new Promise<string>((r) => (release = r));
    const outcomes = Promise.allSettled([
      group.run(() => insert('a')),
      group.run(() => {
        insert('b');
        return later;
      }),
      group.run(() => {
        insert('c');
        return Promise.reject(new Error('refused later'));
      }),
    ]);
    // Committed together (the synchronous parts), while the promise is still pending.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(store.db.inTransaction, false);
    assert.deepEqual(rows(), ['a', 'b', 'c']);
    release('B');
    const settled = await outcomes;
    assert.deepEqual(settled.map((o) => o.status), ['fulfilled', 'fulfilled', 'rejected']);
    assert.equal((settled[1] as PromiseFulfilledResult<string>).value, 'B');
    assert.equal((settled[2] as PromiseRejectedResult).reason.message, 'refused later');
  } finally {
    store.close();
  }
});
