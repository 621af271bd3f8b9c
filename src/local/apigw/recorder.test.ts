import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiEventRecorder, EVENTS_KEPT, type RecordedEvent } from './recorder.js';

const ev = (requestId: string, kind: RecordedEvent['kind'] = 'integration'): RecordedEvent => ({ requestId, apiId: 'a1', routeKey: 'GET /x', function: 'f', kind, payloadFormatVersion: '2.0', event: { requestId }, at: 0 });

test('the recorder keeps every event of a request, in order, for the last EVENTS_KEPT requests', () => {
  const r = new ApiEventRecorder();
  r.record(ev('r0', 'authorizer'));
  r.record(ev('r0'));
  assert.deepEqual(r.get('r0')!.map((e) => e.kind), ['authorizer', 'integration']);
  for (let i = 1; i <= EVENTS_KEPT; i++) r.record(ev(`r${i}`));
  assert.equal(r.get('r0'), undefined, 'the oldest request is dropped');
  assert.equal(r.get('r1')!.length, 1);
  assert.equal(r.get(`r${EVENTS_KEPT}`)!.length, 1);
  assert.equal(r.get('unknown'), undefined);
});
