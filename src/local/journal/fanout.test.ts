// A publish's fan-out kept as one compact record (Journal.fanOut, fanout-codec.ts): read back on every path
// exactly as the same hops recorded one event at a time; the ring's bound inside such a record; ids found
// through it, before and after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openStore, type Db } from '../store/db.js';
import { FakeClock } from '../clock.js';
import { constantData, Journal, type NewJournalEvent } from './journal.js';
import { FANOUT_VERSION } from './fanout-codec.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders';
const queue = (i: number) => `arn:aws:sqs:us-east-1:000000000000:q${i}`;
const subArn = (i: number) => `${TOPIC}:0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f${String(i).padStart(2, '0')}`;
const delivered = Array.from({ length: 60 }, (_, i) => constantData({ protocol: 'sqs', endpoint: queue(i), ...(i % 3 === 0 && { raw: true }) }));
const filtered = Array.from({ length: 60 }, (_, i) => constantData({ endpoint: queue(i), reasons: [{ key: 'kind', reason: `"order" is not one of ["x${i}"]` }] }));
/** The delivery details after the subscription's RawMessageDelivery was switched. */
const switched = delivered.map((d) => constantData({ ...d, raw: !d.raw }));

/** The SQS message ids of deliveries (see sameOnEveryPath's lastOf). */
const sentIds = new Set<string>();

/** Message ids: UUIDs, the same sequence in each journal a script runs on. */
let counter = 0;
const nextId = () => `5e7a0c1d-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`;

/** One subscription's outcome in a publish. */
type Sub =
  | { kind: 'filtered' }
  | { kind: 'delivered'; sqsId?: string; sentData?: Record<string, unknown> }
  | { kind: 'blocked' }
  | { kind: 'lambda' };

/**
 * Hops as publish.ts and the SQS service record them; `compact`: the publish through fanOut and its hops
 * through hop / sent (or, `viaRecord`, through record), else every hop through record (no fan-out record).
 */
/**
 * `from`: the number of the first subscription (the topic's subscriptions from it, in order: a subscription
 * removed or added moves the others); `switched`: deliveries with their switched details.
 */
function publish(j: Journal, clock: FakeClock, subs: Sub[], opts: { compact: boolean; viaRecord?: boolean; id?: string; cause?: number; subject?: string; tick?: number; between?: () => void; from?: number; switched?: boolean }): { id: string; sqsIds: string[] } {
  const positional = opts.compact && !opts.viaRecord;
  const id = opts.id ?? nextId();
  const head: NewJournalEvent = { type: 'sns.published', resource: TOPIC, id, cause: opts.cause, data: opts.subject === undefined ? undefined : { subject: opts.subject } };
  const published = opts.compact ? j.fanOut(head) : j.record(head);
  const sqsIds: string[] = [];
  subs.forEach((s, at) => {
    const i = at + (opts.from ?? 0);
    if (opts.tick && at % 4 === 3) clock.advance(opts.tick);
    if (s.kind === 'filtered') {
      if (positional) j.hop('sns.filtered', undefined, subArn(i), id, published, filtered[i]!);
      else j.record({ type: 'sns.filtered', resource: subArn(i), id, cause: published, data: filtered[i] });
      return;
    }
    const hop = j.reserve();
    if (s.kind === 'delivered') {
      const sqsId = s.sqsId ?? nextId();
      sentIds.add(sqsId);
      sqsIds.push(sqsId);
      if (positional) j.sent(queue(i), sqsId, hop, s.sentData);
      else j.record({ type: 'sqs.sent', resource: queue(i), id: sqsId, cause: hop, data: s.sentData });
      opts.between?.();
      if (opts.tick) clock.advance(opts.tick);
      const data = (opts.switched ? switched : delivered)[i]!;
      if (positional) j.hop('sns.delivered', hop, subArn(i), id, published, data);
      else j.record({ seq: hop, type: 'sns.delivered', resource: subArn(i), id, cause: published, data });
    } else if (s.kind === 'blocked') {
      j.record({ seq: hop, type: 'sns.blocked', resource: subArn(i), id, cause: published, data: { protocol: 'sqs', endpoint: queue(i), error: 'AccessDenied: no' } });
      j.record({ type: 'sqs.sent', resource: queue(99), id: nextId() }); // to the subscription's DLQ
    } else {
      j.record({ type: 'lambda.invoked', resource: 'arn:aws:lambda:us-east-1:000000000000:function:f', id: `req-${i}`, cause: hop });
      j.record({ seq: hop, type: 'sns.delivered', resource: subArn(i), id, cause: published, data: delivered[i] });
    }
  });
  return { id, sqsIds };
}

function open(size?: number) {
  const store = openStore({ inMemory: true });
  const clock = new FakeClock(1_000);
  return { store, clock, j: new Journal(store.db, clock, size) };
}

const rows = (db: Db) => db.prepare('SELECT seq, type, data FROM svl_journal ORDER BY seq').all() as Array<{ seq: number; type: number | string; data: unknown }>;
const isFanOutRow = (r: { type: number | string; data: unknown }) => typeof r.type === 'number' && r.type < 0 && Buffer.isBuffer(r.data) && r.data[0] === FANOUT_VERSION;

/** Runs the same script on a compact and a per-event journal and asserts every read path agrees. */
function sameOnEveryPath(script: (j: Journal, clock: FakeClock, compact: boolean) => string[], opts: { size?: number; expectFanOutRows?: number } = {}) {
  const a = open(opts.size);
  const b = open(opts.size);
  try {
    counter = 0;
    const ids = script(a.j, a.clock, true);
    counter = 0;
    assert.deepEqual(script(b.j, b.clock, false), ids);
    // Before the flush: events still pending (get, lastOf) ...
    for (let seq = 1; seq <= b.j.head; seq++) assert.deepEqual(a.j.get(seq), b.j.get(seq), `get(${seq}) pending`);
    const all = b.j.since(0, 100_000);
    assert.deepEqual(a.j.since(0, 100_000), all);
    if (opts.expectFanOutRows !== undefined) assert.equal(rows(a.store.db).filter(isFanOutRow).length, opts.expectFanOutRows, 'fan-out records written');
    assert.equal(rows(b.store.db).filter(isFanOutRow).length, 0, 'the per-event journal writes no fan-out record');
    // ... and written.
    for (let seq = 1; seq <= b.j.head; seq++) assert.deepEqual(a.j.get(seq), b.j.get(seq), `get(${seq})`);
    for (let seq = 0; seq <= b.j.head; seq += 7) assert.deepEqual(a.j.scan(seq, 13), b.j.scan(seq, 13), `scan(${seq}, 13)`);
    assert.deepEqual(a.j.newest({ types: ['sqs.sent'] }), b.j.newest({ types: ['sqs.sent'] }));
    assert.deepEqual(a.j.since(0, 100_000, { types: ['sns.filtered'] }), b.j.since(0, 100_000, { types: ['sns.filtered'] }));
    for (const id of ids) {
      // An SQS message id sent through the hot path (`sent`, outside a record) is not in the id index: its
      // row keeps its hops (journal.ts). One a record holds is, once a lookup misses (indexIds).
      const known = a.j.lastOf(id);
      if (known !== undefined || !sentIds.has(id)) assert.equal(known, b.j.lastOf(id), `lastOf(${id})`);
      assert.deepEqual(a.j.related(id), b.j.related(id), `related(${id})`);
    }
    return { a, b, all };
  } finally {
    a.store.close();
    b.store.close();
  }
}

test('a fan-out record reads back as the per-event form: since, scan, get (pending and written), newest, lastOf, related', () => {
  const subs: Sub[] = Array.from({ length: 50 }, (_, i) => (i > 0 && i % 2 === 0 ? { kind: 'filtered' } : { kind: 'delivered' }));
  const { all } = sameOnEveryPath(
    (j, clock, compact) => {
      const ids: string[] = [];
      j.record({ type: 'sqs.sent', resource: queue(0), id: 'before' });
      for (let p = 0; p < 3; p++) {
        const r = publish(j, clock, subs, { compact, id: `00000000-0000-4000-8000-00000000000${p}`, subject: p === 1 ? 'Hi ✓' : undefined, tick: p === 2 ? 1 : 0, cause: p === 0 ? 1 : undefined });
        ids.push(r.id, ...r.sqsIds);
      }
      // A publish id that is no UUID, a consumer's hops after the fan-out.
      const r = publish(j, clock, subs.slice(0, 5), { compact, id: 'not-a-uuid ✓' });
      ids.push(r.id, ...r.sqsIds);
      j.record({ type: 'sqs.received', resource: queue(1), id: r.sqsIds[0], cause: j.lastOf(r.sqsIds[0]!), data: { receiveCount: 1 } });
      return ids;
    },
    { expectFanOutRows: 4 },
  );
  assert.equal(all.length, 1 + 3 * 77 + 9 + 1);
  const first = all.filter((e) => e.cause === 2);
  assert.deepEqual([...new Set(first.map((e) => e.type))].sort(), ['sns.delivered', 'sns.filtered']);
  const sent = all.find((e) => e.type === 'sqs.sent' && e.seq === 4)!;
  assert.deepEqual(Object.keys(sent), ['seq', 'timeMs', 'type', 'cause', 'resource', 'id'], 'a send has no data, like the per-event form');
});

test('hops a fan-out record cannot hold end it, and are written as events: blocked, a send with data, a non-UUID message id, a lambda delivery, a read between a send and its delivery', () => {
  const subs: Sub[] = [
    { kind: 'delivered' },
    { kind: 'filtered' },
    { kind: 'blocked' },
    { kind: 'delivered' },
    { kind: 'filtered' },
  ];
  sameOnEveryPath((j, clock, compact) => {
    const ids: string[] = [];
    const add = (r: { id: string; sqsIds: string[] }) => ids.push(r.id, ...r.sqsIds);
    add(publish(j, clock, subs, { compact }));
    add(publish(j, clock, [{ kind: 'filtered' }, { kind: 'delivered', sentData: { delaySeconds: 5 } }, { kind: 'delivered' }], { compact }));
    add(publish(j, clock, [{ kind: 'delivered' }, { kind: 'delivered', sqsId: 'plain-id' }, { kind: 'filtered' }], { compact }));
    add(publish(j, clock, [{ kind: 'filtered' }, { kind: 'lambda' }, { kind: 'delivered' }], { compact }));
    // Readers between a send and the delivery that made it: the record ends before that delivery.
    let n = 0;
    add(publish(j, clock, [{ kind: 'delivered' }, { kind: 'delivered' }, { kind: 'filtered' }], { compact, between: () => void (n++ === 1 && j.get(j.head)) }));
    add(publish(j, clock, [{ kind: 'delivered' }, { kind: 'filtered' }], { compact, between: () => void j.lastOf('x') }));
    // A fake clock advanced by fractions of a ms: no record (it stores whole ms).
    clock.advance(0.5);
    add(publish(j, clock, [{ kind: 'delivered' }, { kind: 'filtered' }], { compact }));
    // A publish with no hop after it (no subscriber).
    add(publish(j, clock, [], { compact }));
    return ids;
  }, { expectFanOutRows: 5 });
});

test("a topic's subscriptions removed, added, reordered or changed between publishes: each record names the ones of its own publish", () => {
  const kinds = (n: number, filteredAt: (i: number) => boolean): Sub[] => Array.from({ length: n }, (_, i) => (filteredAt(i) ? { kind: 'filtered' } : { kind: 'delivered' }));
  const { all } = sameOnEveryPath(
    (j, clock, compact) => {
      const ids: string[] = [];
      const add = (r: { id: string; sqsIds: string[] }) => ids.push(r.id, ...r.sqsIds);
      const odd = (i: number) => i % 2 === 1;
      add(publish(j, clock, kinds(8, odd), { compact }));
      add(publish(j, clock, kinds(8, odd), { compact }));
      // The first subscription removed: every other one a position earlier.
      add(publish(j, clock, kinds(7, odd), { compact, from: 1 }));
      // One added at the end, and the filter outcomes swapped (a filtered position now a delivery's send).
      add(publish(j, clock, kinds(9, (i) => !odd(i)), { compact }));
      // The same subscriptions with their delivery details changed (RawMessageDelivery switched).
      add(publish(j, clock, kinds(9, (i) => !odd(i)), { compact, switched: true }));
      add(publish(j, clock, kinds(9, (i) => !odd(i)), { compact }));
      return ids;
    },
    { expectFanOutRows: 6 },
  );
  // What the per-event journal recorded (sameOnEveryPath compares every path); spelled out for the moves:
  const third = all.filter((e) => e.cause === all.filter((p) => p.type === 'sns.published')[2]!.seq);
  assert.equal(third[0]!.resource, subArn(1), 'the first hop after a removal names the subscription now first');
  const fifth = all.filter((e) => e.type === 'sns.delivered' && e.cause === all.filter((p) => p.type === 'sns.published')[4]!.seq);
  assert.deepEqual(fifth.map((e) => e.data), fifth.map((_, k) => switched[k * 2 + 1]));
});

test('a publish to more subscribers than a record holds goes on event by event, and reads back the same', () => {
  const subs: Sub[] = Array.from({ length: 700 }, (_, i) => (i % 3 === 0 ? { kind: 'filtered' } : { kind: 'delivered' }));
  sameOnEveryPath((j, clock, compact) => {
    const r = publish(j, clock, subs, { compact });
    return [r.id, r.sqsIds[0]!, r.sqsIds.at(-1)!];
  }, { expectFanOutRows: 1 });
});

test('the ring bound inside a fan-out record: the events below it are gone on every path, the rest kept', () => {
  const subs: Sub[] = Array.from({ length: 20 }, (_, i) => (i % 2 === 1 ? { kind: 'filtered' } : { kind: 'delivered' }));
  const size = 40;
  const { store, clock, j } = open(size);
  try {
    const first = publish(j, clock, subs, { compact: true, viaRecord: true }); // seqs 1..31
    j.flush();
    const second = publish(j, clock, subs, { compact: true }); // seqs 32..62: the first record straddles the bound
    for (let i = 0; i < 4; i++) j.record({ type: 'sqs.deleted', resource: queue(0), id: `d${i}` });
    j.flush();
    assert.equal(j.head, 66);
    const bound = j.head - size;
    const kept = j.since(0, 1000);
    assert.ok(kept[0]!.seq > 1 && kept[0]!.seq <= bound + 1, `pruned up to the bound (first kept ${kept[0]!.seq}, bound ${bound})`);
    assert.equal(kept.at(-1)!.seq, 66);
    assert.deepEqual(kept.map((e) => e.seq), Array.from({ length: 66 - kept[0]!.seq + 1 }, (_, k) => kept[0]!.seq + k), 'no hole, no duplicate');
    assert.ok(rows(store.db).some((r) => r.seq === 1 && isFanOutRow(r)), 'the first record is still stored (it straddles the bound)');
    assert.equal(j.get(1), undefined, 'a pruned event of a kept record');
    assert.deepEqual(j.get(31), kept.find((e) => e.seq === 31));
    // The first publish's early sends are gone, its last ones kept and found.
    const sends = j.since(0, 1000, { types: ['sqs.sent'] });
    const lastSendOfFirst = sends.filter((e) => e.seq <= 31).at(-1)!;
    assert.equal(lastSendOfFirst.id, first.sqsIds.at(-1));
    assert.equal(j.lastOf(first.sqsIds.at(-1)!), lastSendOfFirst.seq);
    assert.equal(j.lastOf(first.sqsIds[0]!), undefined, 'pruned: not found');
    assert.equal(j.lastOf(second.sqsIds[0]!), 34);
    assert.deepEqual(j.related(first.sqsIds[0]!), []);
    // More: the first record goes entirely.
    for (let i = 0; i < 60; i++) j.record({ type: 'sqs.deleted', resource: queue(0), id: `e${i}` });
    j.flush();
    assert.ok(!rows(store.db).some((r) => r.seq === 1), 'deleted once all its events are out of the ring');
    assert.equal(j.get(31), undefined);
  } finally {
    store.close();
  }
});

test('ids found through fan-out records: not in the id map until looked up, then found; after a restart too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-fanout-'));
  try {
    let store = openStore({ stateDir: dir });
    const clock = new FakeClock(5_000);
    let j = new Journal(store.db, clock);
    const subs: Sub[] = [{ kind: 'delivered' }, { kind: 'filtered' }, { kind: 'delivered' }];
    // Through record, as any other caller would: the same record.
    const a = publish(j, clock, subs, { compact: true, viaRecord: true }); // 1..6
    const b = publish(j, clock, subs, { compact: true, viaRecord: true }); // 7..12
    const latest = (j as unknown as { latest: Map<string, number> }).latest;
    j.flush();
    assert.equal(latest.has(a.sqsIds[0]!), false, 'recording put no SQS message id in the map');
    assert.equal(latest.has(a.id), false, 'nor the publish id');
    assert.equal(j.lastOf(a.sqsIds[0]!), 3);
    assert.equal(j.lastOf(b.sqsIds[1]!), 12);
    assert.equal(j.lastOf(a.id), 5, "the publish id: its fan-out's last hop");
    const received = j.record({ type: 'sqs.received', resource: queue(0), id: a.sqsIds[0], cause: j.lastOf(a.sqsIds[0]!), data: { receiveCount: 1 } });
    assert.equal(j.lastOf(a.sqsIds[0]!), received);
    // A lookup of an id of a newer record does not take the older id back to its send.
    const c = publish(j, clock, subs, { compact: true });
    assert.equal(j.lastOf(c.sqsIds[0]!), received + 3);
    assert.equal(j.lastOf(a.sqsIds[0]!), received);
    // From the publish, through every hop it caused.
    assert.deepEqual(j.related(b.sqsIds[1]!).map((e) => [e.seq, e.type]), [[7, 'sns.published'], [8, 'sns.delivered'], [9, 'sqs.sent'], [10, 'sns.filtered'], [11, 'sns.delivered'], [12, 'sqs.sent']]);
    j.flush();
    store.close();
    store = openStore({ stateDir: dir });
    j = new Journal(store.db, clock);
    assert.equal(j.head, received + 6);
    assert.equal(j.lastOf(b.sqsIds[0]!), 9, 'after a restart: read from the ring');
    assert.equal(j.lastOf(a.sqsIds[0]!), received);
    assert.equal(j.lastOf(c.sqsIds[1]!), received + 6);
    assert.equal(j.lastOf(c.id), received + 5);
    assert.equal(j.lastOf(randomUUID()), undefined);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a fan-out record is one row: the sends' message ids as 16 bytes, the rest (the record's shape) stored once per topic", () => {
  const { store, clock, j } = open();
  try {
    const subs: Sub[] = Array.from({ length: 50 }, (_, i) => (i > 0 && i % 2 === 0 ? { kind: 'filtered' } : { kind: 'delivered' }));
    const ids = [0, 1, 2, 3].map((p) => publish(j, clock, subs, { compact: true, tick: p === 3 ? 1 : 0 }));
    j.flush();
    const stored = rows(store.db);
    assert.equal(stored.length, 4);
    assert.ok(stored.every(isFanOutRow));
    assert.equal(stored[2]!.type, -77);
    const blobs = stored.map((r) => r.data as Buffer);
    assert.ok(blobs[2]!.includes(Buffer.from(ids[2]!.sqsIds[0]!.replaceAll('-', ''), 'hex')), 'a message id as its bytes');
    assert.ok(blobs.every((b) => !b.includes(Buffer.from('endpoint'))), 'no data document inline');
    // The first record holds its shape; from the second sighting on, a number.
    assert.ok(blobs[0]!.length > blobs[1]!.length + 100, `${blobs[0]!.length} then ${blobs[1]!.length} bytes`);
    assert.ok(blobs[2]!.length <= 26 * 16 + 30, `${blobs[2]!.length} bytes: the ids and little else`);
    // A time that changes costs a few bytes (here at almost every event: a fake clock advanced between hops).
    assert.ok(blobs[3]!.length <= blobs[2]!.length + 3 * 77, `${blobs[3]!.length} bytes with time changes`);
    const last = j.since(0, 1000).filter((e) => e.seq > 3 * 77);
    assert.deepEqual([...new Set(last.map((e) => e.timeMs - last[0]!.timeMs))].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38]);
  } finally {
    store.close();
  }
});

test('a record whose shape text is gone reads as an error naming it, not as wrong events', () => {
  const { store, clock, j } = open();
  try {
    publish(j, clock, [{ kind: 'delivered' }], { compact: true });
    publish(j, clock, [{ kind: 'delivered' }], { compact: true });
    j.flush();
    const textOf = (j as unknown as { textOf: Map<number, string> }).textOf;
    const shape = [...textOf].find(([, t]) => t.charCodeAt(0) === 2)!;
    textOf.delete(shape[0]);
    assert.throws(() => j.since(0), /the shape #\d+ of the fan-out record is missing/);
  } finally {
    store.close();
  }
});

test('a fan-out still open when the database closes ends without an error (a flush timer firing after stop)', () => {
  const { store, clock, j } = open();
  publish(j, clock, [{ kind: 'delivered' }, { kind: 'filtered' }], { compact: true });
  // The same shape again: its second sighting would store the shape's text as the record closes.
  publish(j, clock, [{ kind: 'delivered' }, { kind: 'filtered' }], { compact: true });
  store.close();
  assert.doesNotThrow(() => j.flush());
});
