// The journal's long poll: what it returns on abort/timeout and how far a reader may skip (x-svl-next).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/db.js';
import { FakeClock } from '../clock.js';
import { Journal } from './journal.js';
import { decodeGroup } from './group-codec.js';
import { GroupCommit } from '../store/group-commit.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function journal() {
  const store = openStore({ inMemory: true });
  return { j: new Journal(store.db, new FakeClock(0)), close: () => store.close() };
}

test('wait aborted in the tick an event was recorded returns that event, not an empty answer', async () => {
  const { j, close } = journal();
  try {
    const ac = new AbortController();
    const p = j.wait(j.head, 60_000, undefined, ac.signal);
    const seq = j.record({ type: 'sqs.sent', id: 'm1' });
    ac.abort();
    const got = await p;
    assert.deepEqual(got.events.map((e) => e.seq), [seq]);
    assert.equal(got.last, seq);
  } finally {
    close();
  }
});

test('scan: last is the last event examined, so a filtered reader skips what it saw and nothing it did not', () => {
  const { j, close } = journal();
  try {
    const a = j.record({ type: 'sqs.sent', id: 'a' });
    const b = j.record({ type: 'sqs.deleted', id: 'a' });
    assert.deepEqual(j.scan(0, 10, { types: ['sns.'] }), { events: [], last: b });
    const s = j.scan(0, 1, { types: ['sqs.'] });
    assert.deepEqual([s.events.map((e) => e.seq), s.last], [[a], a]);
    assert.deepEqual(j.scan(b, 10), { events: [], last: b });
  } finally {
    close();
  }
});

test('events recorded in a transaction are written a turn later, all at once; a reader sees them at once', () => {
  const { j, close } = journal();
  const db = (j as unknown as { db: import('../store/db.js').Db }).db;
  try {
    // Events, not rows: a group row (type -n) holds n.
    const count = () => (db.prepare('SELECT coalesce(sum(CASE WHEN type < 0 THEN -type ELSE 1 END), 0) AS n FROM svl_journal').get() as { n: number }).n;
    db.transaction(() => {
      for (let i = 0; i < 150; i++) j.record({ type: 'sqs.sent', id: `m${i}`, resource: 'arn:aws:sqs:us-east-1:000000000000:q' });
    })();
    assert.equal(count(), 0, 'buffered, not in the transaction');
    const got = j.since(0, 1000);
    assert.equal(got.length, 150);
    assert.equal(count(), 150);
    assert.deepEqual(got[149], { seq: 150, timeMs: 0, type: 'sqs.sent', id: 'm149', resource: 'arn:aws:sqs:us-east-1:000000000000:q' });
  } finally {
    close();
  }
});

test('types, ARNs and repeated SNS data are stored once and read back whole, after a restart too; lastOf knows the ring after a restart', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'svl-journal-'));
  try {
    const sub = 'arn:aws:sns:us-east-1:000000000000:t:0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f50';
    const data = { protocol: 'sqs', endpoint: 'arn:aws:sqs:us-east-1:000000000000:q', raw: true };
    let store = openStore({ stateDir: dir });
    let j = new Journal(store.db, new FakeClock(5));
    for (let i = 0; i < 3; i++) j.record({ type: 'sns.delivered', resource: sub, id: `p${i}`, data });
    j.record({ type: 'sqs.received', resource: 'arn:aws:sqs:us-east-1:000000000000:q', id: 'p0', data: { receiveCount: 1, requestId: 'r1' } });
    j.flush();
    const raw = store.db.prepare('SELECT seq, type, data FROM svl_journal ORDER BY seq').all() as Array<Record<string, unknown>>;
    assert.deepEqual(raw.map((r) => [r.seq, r.type]), [[1, -4]], 'one group row of 4 events');
    const members = decodeGroup(raw[0]!.data as Buffer);
    assert.equal(typeof members[0]!.type, 'number', 'type interned');
    assert.equal(typeof members[0]!.resource, 'number', 'resource interned');
    assert.equal(typeof members[0]!.data, 'string', 'first sighting: in full');
    assert.equal(typeof members[1]!.data, 'number', 'second sighting: interned');
    assert.equal(typeof members[3]!.data, 'string', 'not an SNS hop: never interned');
    store.close();
    store = openStore({ stateDir: dir });
    j = new Journal(store.db, new FakeClock(5));
    assert.deepEqual(j.since(0).map((e) => [e.type, e.resource, e.id, e.data]), [
      ['sns.delivered', sub, 'p0', data],
      ['sns.delivered', sub, 'p1', data],
      ['sns.delivered', sub, 'p2', data],
      ['sqs.received', 'arn:aws:sqs:us-east-1:000000000000:q', 'p0', { receiveCount: 1, requestId: 'r1' }],
    ]);
    assert.equal(j.lastOf('p0'), 4);
    assert.equal(j.lastOf('p2'), 3);
    assert.equal(j.lastOf('never'), undefined);
    const next = j.record({ type: 'sqs.deleted', resource: 'arn:aws:sqs:us-east-1:000000000000:q', id: 'p0', cause: j.lastOf('p0') });
    assert.deepEqual(j.related('p0').map((e) => e.seq), [1, 4, next]);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the ring keeps the last `size` events, and lastOf forgets exactly the ids it no longer holds', () => {
  const store = openStore({ inMemory: true });
  try {
    const j = new Journal(store.db, new FakeClock(0), 20);
    for (let i = 1; i <= 60; i++) j.record({ type: 'sqs.sent', id: `m${i}` });
    j.flush();
    const seqs = j.since(0).map((e) => e.seq);
    assert.ok(seqs[0]! >= 60 - 20 - 2 && seqs.at(-1) === 60, `kept ${seqs[0]}..${seqs.at(-1)}`);
    assert.equal(j.lastOf('m60'), 60);
    assert.equal(j.lastOf('m41'), 41);
    assert.equal(j.lastOf('m1'), undefined);
  } finally {
    store.close();
  }
});

test("a fan-out's repeated message id is written once per group row and read back on every event", () => {
  const { j, close } = journal();
  const db = (j as unknown as { db: import('../store/db.js').Db }).db;
  try {
    const published = j.record({ type: 'sns.published', id: 'msg-1' });
    for (let i = 0; i < 3; i++) {
      const hop = j.reserve();
      j.record({ type: 'sqs.sent', id: `sqs-${i}`, cause: hop });
      j.record({ seq: hop, type: 'sns.delivered', id: 'msg-1', cause: published });
      j.record({ type: 'sns.filtered', id: 'msg-1', cause: published });
    }
    j.flush();
    const rows = db.prepare('SELECT data FROM svl_journal').all() as Array<{ data: Buffer }>;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.data.toString('latin1').split('msg-1').length - 1, 1, 'the message id in full once');
    const events = j.since(0);
    assert.deepEqual(events.map((e) => e.id), ['msg-1', 'msg-1', 'sqs-0', 'msg-1', 'msg-1', 'sqs-1', 'msg-1', 'msg-1', 'sqs-2', 'msg-1']);
    const traced = j.related('sqs-2');
    assert.equal(traced[0]!.type, 'sns.published');
    assert.ok(traced.some((e) => e.id === 'sqs-2' && e.cause === 8), 'the SQS send, caused by its delivery');
    assert.equal(j.lastOf('msg-1'), 10);
    assert.equal(j.lastOf('sqs-1'), 6);
  } finally {
    close();
  }
});

test('a JSON group row written before the binary form reads back as its events', () => {
  const { j, close } = journal();
  const db = (j as unknown as { db: import('../store/db.js').Db }).db;
  try {
    j.record({ type: 'sns.published', id: 'x' });
    j.flush();
    const type = (db.prepare('SELECT type FROM svl_journal').get() as { type: number }).type;
    db.prepare('DELETE FROM svl_journal').run();
    // Two events: the second with a text type, a cause, a resource, its id as member 1's, inline data.
    db.prepare('INSERT INTO svl_journal (seq, time_ms, type, cause, resource, id, data) VALUES (?, ?, ?, ?, ?, ?, ?)').run(1, 100, -2, null, null, null, `[[0,${type},0,0,"x",0],[3,"sns.delivered",1,"arn:q",1,{"a":1}]]`);
    assert.deepEqual(j.since(0), [
      { seq: 1, timeMs: 100, type: 'sns.published', id: 'x' },
      { seq: 2, timeMs: 103, type: 'sns.delivered', cause: 1, resource: 'arn:q', id: 'x', data: { a: 1 } },
    ]);
  } finally {
    close();
  }
});

test('times in fractions of a ms (a fake clock advanced so) read back exactly', () => {
  const store = openStore({ inMemory: true });
  try {
    const clock = new FakeClock(0);
    const j = new Journal(store.db, clock);
    j.record({ type: 'sqs.sent', id: 'a' });
    clock.advance(0.25);
    j.record({ type: 'sqs.sent', id: 'b' });
    j.record({ type: 'sqs.sent', id: 'c' });
    clock.advance(0.75);
    j.record({ type: 'sqs.sent', id: 'd' });
    j.record({ type: 'sqs.sent', id: 'e' });
    j.flush();
    assert.deepEqual(j.since(0).map((e) => [e.id, e.timeMs]), [['a', 0], ['b', 0.25], ['c', 0.25], ['d', 1], ['e', 1]]);
  } finally {
    store.close();
  }
});

/** A journal on a state directory, hooked to a GroupCommit, and the number of commits in its WAL so far. */
function grouped() {
  const dir = mkdtempSync(join(tmpdir(), 'svl-journal-group-'));
  const store = openStore({ stateDir: dir });
  // No checkpoint: every commit stays in the WAL, to be counted.
  store.db.pragma('wal_autocheckpoint = 0');
  store.db.exec('CREATE TABLE t (k TEXT PRIMARY KEY); CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (p TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
  const j = new Journal(store.db, new FakeClock(0));
  const group = new GroupCommit(store.db);
  group.addHook(j);
  const wal = join(dir, 'svl.db-wal');
  // A WAL frame whose header names the database size after it is the last frame of a commit.
  const commits = () => {
    const b = readFileSync(wal);
    if (b.length < 32) return 0;
    const frame = 24 + b.readUInt32BE(8);
    let n = 0;
    for (let at = 32; at + frame <= b.length; at += frame) if (b.readUInt32BE(at + 4) !== 0) n++;
    return n;
  };
  const stored = () => (store.db.prepare('SELECT coalesce(sum(CASE WHEN type < 0 THEN -type ELSE 1 END), 0) AS n FROM svl_journal').get() as { n: number }).n;
  const insert = (k: string) => store.db.prepare('INSERT INTO t (k) VALUES (?)').run(k);
  // What the flush's timer does at DUE_MS (tests do not sleep): from then the next group commit carries the events.
  const due = () => ((j as unknown as { flushDue: boolean }).flushDue = true);
  return { j, group, store, commits, stored, insert, due, close: () => (store.close(), rmSync(dir, { recursive: true, force: true })) };
}

test('a group commit writes the pending events in its own commit once their flush is due: the timer flush then commits nothing', async () => {
  const { j, group, commits, stored, insert, due, close } = grouped();
  try {
    const before = commits();
    // Before the flush is due, a group leaves them buffered (written in bulk later).
    await group.run(() => j.record({ type: 'sqs.sent', id: 'x' }));
    assert.equal(j.pending.length, 1);
    j.flush();
    assert.equal(stored(), 1);
    const base = stored();
    const afterFirst = commits();
    assert.equal(afterFirst - before, 2);
    due();
    const outcomes = await Promise.allSettled([
      group.run(() => (insert('a'), j.record({ type: 'sqs.sent', id: 'a', resource: 'arn:aws:sqs:us-east-1:000000000000:new' }))),
      group.run(() => {
        j.record({ type: 'sqs.sent', id: 'b' });
        throw new Error('refused'); // its savepoint rolls back; its event stays, as with the timer's flush
      }),
      group.run(() => (insert('c'), j.record({ type: 'sqs.sent', id: 'c' }))),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(commits() - afterFirst, 1, 'one commit for the writes and the events');
    assert.equal(stored() - base, 3);
    assert.equal(j.pending.length, 0);
    j.flush(); // what the timer does
    assert.equal(commits() - afterFirst, 1, 'the flush found nothing to commit');
    // A lone write: the same.
    due();
    await group.run(() => (insert('d'), j.record({ type: 'sqs.sent', id: 'd' })));
    assert.equal(commits() - afterFirst, 2);
    assert.equal(stored() - base, 4);
    assert.deepEqual(j.since(0, 10).map((e) => [e.id, e.resource]), [['x', undefined], ['a', 'arn:aws:sqs:us-east-1:000000000000:new'], ['b', undefined], ['c', undefined], ['d', undefined]]);
    // Recorded outside a group (a timer, a poller): written by the flush, as before. (A type known already:
    // a new text interned outside a transaction is written at once, a commit of its own.)
    j.record({ type: 'sqs.sent', id: 'e' });
    j.flush();
    assert.equal(commits() - afterFirst, 3);
    assert.equal(stored() - base, 5);
  } finally {
    close();
  }
});

test('a group commit that fails loses no journal event: they stay pending and the next flush writes them', async () => {
  const { j, group, store, commits, stored, insert, due, close } = grouped();
  const badChild = () => store.db.prepare('INSERT INTO child (p) VALUES (?)').run('nobody');
  try {
    const before = commits();
    due();
    const batch = await Promise.allSettled([
      group.run(() => (insert('a'), j.record({ type: 'sqs.sent', id: 'a', resource: 'arn:aws:sqs:us-east-1:000000000000:q1' }))),
      group.run(() => (badChild(), j.record({ type: 'sqs.sent', id: 'b' }))), // fails the COMMIT (deferred foreign key)
    ]);
    assert.deepEqual(batch.map((o) => o.status), ['rejected', 'rejected']);
    assert.match(String((batch[0] as PromiseRejectedResult).reason), /FOREIGN KEY/);
    assert.equal(j.pending.length, 2);
    due();
    const lone = await Promise.allSettled([group.run(() => (badChild(), j.record({ type: 'sqs.sent', id: 'c', resource: 'arn:aws:sqs:us-east-1:000000000000:q2' })))]);
    assert.equal(lone[0]!.status, 'rejected');
    assert.equal(commits() - before, 0);
    assert.equal(stored(), 0);
    assert.equal(j.pending.length, 3);
    // Readers see them at once; the flush writes them (and the texts interned in the failed transactions).
    assert.deepEqual(j.since(0, 10).map((e) => [e.id, e.resource]), [['a', 'arn:aws:sqs:us-east-1:000000000000:q1'], ['b', undefined], ['c', 'arn:aws:sqs:us-east-1:000000000000:q2']]);
    assert.equal(stored(), 3);
    const texts = (store.db.prepare(`SELECT count(*) AS n FROM svl_journal_text WHERE text LIKE 'arn:aws:sqs:%'`).get() as { n: number }).n;
    assert.equal(texts, 2);
    // And the next group that commits carries on.
    due();
    await group.run(() => (insert('d'), j.record({ type: 'sqs.sent', id: 'd' })));
    assert.equal(stored(), 4);
    assert.equal(j.pending.length, 0);
  } finally {
    close();
  }
});

test('SQS hops recorded by sent / received / deleted (runs) read back as the events record makes, pending and written, after a restart too', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { randomUUID } = await import('node:crypto');
  const dirs = [mkdtempSync(join(tmpdir(), 'svl-journal-')), mkdtempSync(join(tmpdir(), 'svl-journal-'))];
  try {
    const q1 = 'arn:aws:sqs:us-east-1:000000000000:q1';
    const q2 = 'arn:aws:sqs:us-east-1:000000000000:q2';
    // More than a run holds (GROUP), a UUID in upper case and ids that are no UUIDs.
    const ids = [...Array.from({ length: 40 }, () => randomUUID()), randomUUID().toUpperCase(), 'not-a-uuid', ''];
    const stores = dirs.map((dir) => openStore({ stateDir: dir }));
    const clocks = [new FakeClock(1000), new FakeClock(1000)];
    // [0]: every event through record (one Row each); [1]: the hot paths, as SQS calls them.
    const js = stores.map((s, k) => new Journal(s.db, clocks[k]!));
    const [byRecord, byRun] = js as [Journal, Journal];
    const both = (plain: () => number, hot: () => number) => assert.equal(hot(), plain());
    const step = (ms: number) => clocks.forEach((c) => c.advance(ms));
    // The hot paths as SQS calls them: each message's row keeps its latest hop (`jseq`) and hands it back as
    // the next one's cause; byRecord looks every cause up by id instead.
    const kept = new Map<string, number>();
    // (An empty id has no hops to follow, in the id index or in a row.)
    const keep = (id: string, seq: number) => (id && kept.set(id, seq), seq);
    const sent = (q: string, id: string, cause?: number, data?: Record<string, unknown>) =>
      both(() => byRecord.record({ type: 'sqs.sent', resource: q, id, cause, data }), () => keep(id, byRun.sent(q, id, cause, data)));
    const received = (q: string, id: string, n: number, requestId?: string, consumer?: string, timeMs?: number) =>
      both(
        () => byRecord.record({ type: 'sqs.received', resource: q, id, cause: byRecord.lastOf(id), timeMs, data: { receiveCount: n, ...(requestId && { requestId }), ...(consumer && { consumer }) } }),
        () => keep(id, byRun.received(q, id, n, requestId, consumer, timeMs, kept.get(id) ?? 0)),
      );
    const deleted = (q: string, id: string) => both(() => byRecord.record({ type: 'sqs.deleted', resource: q, id, cause: byRecord.lastOf(id) }), () => keep(id, byRun.deleted(q, id, undefined, kept.get(id) ?? 0)));
    for (const id of ids) sent(q1, id);
    sent(q2, ids[0]!, 7, { delaySeconds: 5 });
    // SQS message ids stay out of the id index: their rows keep their hops.
    assert.equal(byRun.lastOf(ids[1]!), undefined);
    step(3);
    for (const id of ids.slice(0, 12)) received(q1, id, 1, 'req-1');
    // Another event between two hops of a run ends it; a reader in the middle of one sees it.
    both(
      () => byRecord.record({ type: 'sqs.visibility-changed', resource: q1, id: ids[3]!, cause: byRecord.lastOf(ids[3]!), data: { visibilityTimeout: 0 } }),
      () => keep(ids[3]!, byRun.record({ type: 'sqs.visibility-changed', resource: q1, id: ids[3]!, cause: byRun.lastOfRow(ids[3]!, kept.get(ids[3]!)!), data: { visibilityTimeout: 0 } })),
    );
    // A receive by svl's own consumer (an event source mapping) is indexed: its invocation names it through lastOf.
    received(q1, ids[3]!, 2, 'req-2', 'esm-1');
    assert.equal(byRun.lastOf(ids[3]!), kept.get(ids[3]!));
    assert.deepEqual(byRun.get(byRun.head), byRecord.get(byRecord.head));
    for (const id of ids.slice(12)) received(q1, id, 1);
    step(0.5);
    received(q1, ids[5]!, 2, undefined, undefined, clocks[0]!.now());
    step(0.5);
    for (const id of ids) deleted(q1, id);
    // An id never recorded: no cause.
    deleted(q2, randomUUID());
    // What each row kept is what the id index says of each id.
    for (const id of ids) assert.equal(kept.get(id), byRecord.lastOf(id), id);
    const before = byRun.since(0, 1000);
    assert.equal(before.length, ids.length * 3 + 5);
    assert.deepEqual(before, byRecord.since(0, 1000));
    const rows = (stores[1]!.db.prepare('SELECT count(*) AS n FROM svl_journal').get() as { n: number }).n;
    assert.ok(rows <= 12, `${rows} rows for ${before.length} events`);
    stores.forEach((s) => s.close());
    const again = dirs.map((dir) => openStore({ stateDir: dir }));
    try {
      const [a, b] = again.map((s) => new Journal(s.db, new FakeClock(5000))) as [Journal, Journal];
      assert.deepEqual(b.since(0, 1000), before);
      for (const id of ids) assert.equal(b.lastOf(id), a.lastOf(id), id);
      // A row stored before rows kept their hops (jseq null): its hop's cause is looked up by id, from the ring.
      assert.equal(b.lastOfRow(ids[0]!, null), a.lastOf(ids[0]!));
      const legacy = b.received(q2, ids[0]!, 1, undefined, undefined, undefined, null);
      assert.equal(b.get(legacy)!.cause, a.lastOf(ids[0]!));
      assert.ok(a.lastOf(ids[0]!) !== undefined);
      assert.deepEqual(b.related(ids[3]!), a.related(ids[3]!));
    } finally {
      again.forEach((s) => s.close());
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
});
