// The journal's long poll: what it returns on abort/timeout and how far a reader may skip (x-svl-next).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/db.js';
import { FakeClock } from '../clock.js';
import { Journal } from './journal.js';

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
