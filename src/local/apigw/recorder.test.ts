import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiEventRecorder, BODY_KEPT, EVENTS_KEPT, type RecordedEvent } from './recorder.js';

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

test('a body longer than BODY_KEPT is kept cut, with its full length; the event the function got is untouched', () => {
  const r = new ApiEventRecorder();
  const big = { requestId: 'big', body: 'x'.repeat(10 * 1024 * 1024), isBase64Encoded: false };
  r.record({ ...ev('big'), event: big });
  const [kept] = r.get('big')!;
  assert.equal((kept!.event as { body: string }).body.length, BODY_KEPT);
  assert.equal((kept!.event as { isBase64Encoded: boolean }).isBase64Encoded, false);
  assert.equal(kept!.bodyTruncatedFrom, 10 * 1024 * 1024);
  assert.equal(big.body.length, 10 * 1024 * 1024, 'the original event is not modified');
  r.record({ ...ev('small'), event: { body: 'hi' } });
  assert.deepEqual(r.get('small')![0]!.event, { body: 'hi' });
  assert.equal(r.get('small')![0]!.bodyTruncatedFrom, undefined);
});
