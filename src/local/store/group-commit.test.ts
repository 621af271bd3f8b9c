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

/** Joined work that records what it saw: inside the transaction when run, the outcome when settled. */
function joiner(insert: (k: string) => unknown, k: string, opts: { throws?: boolean; then?: () => void } = {}) {
  const seen: { ran: boolean; inTx?: boolean; committed?: boolean; error?: unknown; settledOutsideTx?: boolean } = { ran: false };
  return {
    seen,
    work: {
      run() {
        seen.ran = true;
        insert(k);
        opts.then?.();
        if (opts.throws) throw new Error(`${k} refused`);
      },
      settle(committed: boolean, error?: unknown) {
        Object.assign(seen, { committed, error });
        seen.settledOutsideTx = true;
      },
    },
  };
}

test('work joined by a write runs in the same transaction after every write of the batch, and is settled after the one COMMIT', async () => {
  const { store, rows, insert, group } = setup();
  try {
    const order: string[] = [];
    let commits = 0;
    group.addHook({ beforeCommit: () => void order.push('hook'), afterCommit: (ok) => void (ok && commits++) });
    const j = joiner((k) => (order.push(k), insert(k)), 'joined');
    let settledInTx: boolean | undefined;
    const work = { ...j.work, settle: (c: boolean, e?: unknown) => ((settledInTx = store.db.inTransaction), j.work.settle(c, e)) };
    assert.equal(group.join(work), false, 'no group is running: nothing to join');
    await Promise.all([
      group.run(() => {
        order.push('a');
        insert('a');
        assert.equal(group.join(work), true);
      }),
      group.run(() => (order.push('b'), insert('b'))),
    ]);
    assert.deepEqual(order, ['a', 'b', 'joined', 'hook']);
    assert.deepEqual(j.seen, { ran: true, committed: true, error: undefined, settledOutsideTx: true });
    assert.equal(settledInTx, false);
    assert.equal(commits, 1);
    assert.deepEqual(rows(), ['a', 'b', 'joined']);
    assert.equal(group.join(work), false, 'the group is over');
  } finally {
    store.close();
  }
});

test('joined work that throws is rolled back alone; work it joins runs too; a lone write can be joined', async () => {
  const { store, rows, insert, group } = setup();
  try {
    const inner = joiner(insert, 'inner');
    const bad = joiner(insert, 'bad', { throws: true, then: () => assert.equal(group.join(inner.work), true) });
    await group.run(() => {
      insert('a');
      group.join(bad.work);
    });
    assert.equal(bad.seen.committed, true);
    assert.equal((bad.seen.error as Error).message, 'bad refused');
    // Joined from inside the failed work's savepoint: it ran after it, in its own, and committed.
    assert.deepEqual(inner.seen, { ran: true, committed: true, error: undefined, settledOutsideTx: true });
    assert.deepEqual(rows(), ['a', 'inner']);
  } finally {
    store.close();
  }
});

test('a group that fails to commit settles its joined work as not committed: what it wrote is gone', async () => {
  const { store, rows, insert, group } = setup();
  try {
    let fail = true;
    group.addHook({
      beforeCommit() {
        if (fail) throw new Error('disk full');
      },
      afterCommit() {},
    });
    const j = joiner(insert, 'joined');
    const out = await Promise.allSettled([group.run(() => (insert('a'), group.join(j.work))), group.run(() => insert('b'))]);
    assert.deepEqual(out.map((o) => o.status), ['rejected', 'rejected']);
    assert.deepEqual(j.seen, { ran: true, committed: false, error: undefined, settledOutsideTx: true });
    assert.deepEqual(rows(), []);
    // A write that throws in a lone group: the joined work it joined is told so too (it never ran).
    const k = joiner(insert, 'k');
    fail = false;
    await assert.rejects(group.run(() => (group.join(k.work), insert('x'), insert('x'))), /UNIQUE/);
    assert.deepEqual(k.seen, { ran: false, committed: false, error: undefined, settledOutsideTx: true });
    assert.equal(group.join(k.work), false);
    assert.deepEqual(rows(), []);
  } finally {
    store.close();
  }
});
