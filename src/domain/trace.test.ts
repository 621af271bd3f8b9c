import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrace, deathReason, TraceBuilder, type JournalEvent, type TraceNode } from './trace.js';
import { esmFailure } from './trace.test-events.js';

const ev = (seq: number, type: string, more: Partial<JournalEvent> = {}): JournalEvent => ({ seq, timeMs: 1000 + seq * 10, type, ...more });
const shape = (n: TraceNode): unknown => [n.event.type, n.afterMs, ...n.children.map(shape)];

describe('buildTrace', () => {
  it('hangs each event under its cause, with the time since it', () => {
    const [root, ...rest] = buildTrace(esmFailure);
    assert.equal(rest.length, 0);
    assert.deepEqual(shape(root!), ['sqs.sent', null, ['sqs.received', 10, ['lambda.invoked', 10, ['lambda.completed', 10]], ['sqs.visibility-expired', 30, ['sqs.dead-lettered', 10]]]]);
  });

  it('an invocation caused by another message of its batch hangs under the receive that named its request id', () => {
    const events = [
      ev(1, 'sqs.sent', { id: 'm2' }),
      ev(2, 'sqs.received', { id: 'm2', cause: 1, data: { requestId: 'r9' } }),
      ev(3, 'lambda.invoked', { id: 'r9', cause: 99 }), // caused by m1's receive, not in this trace
      ev(4, 'lambda.completed', { id: 'r9', cause: 3 }),
    ];
    assert.deepEqual(shape(buildTrace(events)[0]!), ['sqs.sent', null, ['sqs.received', 10, ['lambda.invoked', 10, ['lambda.completed', 10]]]]);
  });

  it('events with no known cause and no known id are roots; the input order does not matter', () => {
    const roots = buildTrace([ev(5, 'x.other'), ev(1, 'sqs.sent', { id: 'a' }), ev(2, 'sqs.deleted', { id: 'a' })]);
    assert.deepEqual(roots.map(shape), [['sqs.sent', null, ['sqs.deleted', 10]], ['x.other', null]]);
  });

  it('--follow adds only the events that belong: caused by one of them or about one of their ids', () => {
    const b = new TraceBuilder();
    b.add(ev(1, 'sqs.sent', { id: 'a' }));
    assert.equal(b.add(ev(2, 'sqs.sent', { id: 'b' }), { related: true }), undefined);
    assert.equal(b.add(ev(3, 'sqs.received', { id: 'a', data: { requestId: 'r' } }), { related: true })?.parent?.event.seq, 1);
    assert.equal(b.add(ev(4, 'lambda.invoked', { id: 'r' }), { related: true })?.parent?.event.seq, 3);
    assert.equal(b.add(ev(5, 'z.caused', { cause: 4 }), { related: true })?.parent?.event.seq, 4);
    assert.equal(b.add(ev(5, 'z.caused', { cause: 4 }), { related: true }), undefined, 'no duplicates');
    assert.equal(b.size, 4);
  });
});

describe('deathReason', () => {
  it("is the consumer's last failed invocation, with its error and log tail", () => {
    const r = deathReason(esmFailure, 'm1');
    assert.equal(r?.summary, 'worker failed: TypeError: boom (1 receive)');
    assert.equal(r?.function, 'worker');
    assert.equal(r?.requestId, 'r1');
    assert.equal(r?.errorType, 'TypeError');
    assert.match(r?.logTail ?? '', /about to fail/);
  });

  it('says a timeout, a client that never deleted, or nothing when the journal does not know the message', () => {
    const timeout = esmFailure.map((e) => (e.seq === 4 ? { ...e, data: { outcome: 'timeout', errorType: 'Sandbox.Timedout' } } : e));
    assert.equal(deathReason(timeout, 'm1')?.summary, 'worker timed out (1 receive)');
    const client = [ev(1, 'sqs.sent', { id: 'm' }), ev(2, 'sqs.received', { id: 'm', data: { receiveCount: 1, requestId: 'rr' } }), ev(3, 'sqs.received', { id: 'm', data: { receiveCount: 2, requestId: 'rs' } }), ev(4, 'sqs.dead-lettered', { id: 'm', data: { receiveCount: 2 } })];
    assert.equal(deathReason(client, 'm')?.summary, 'received (2 receives) and never deleted');
    assert.equal(deathReason(esmFailure, 'nope'), null);
  });
});
