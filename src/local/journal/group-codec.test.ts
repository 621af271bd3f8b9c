// The binary group row: every kind of field survives a round trip exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunWriter } from './run.js';
import { decodeGroup, encodeGroup, type CodecRow } from './group-codec.js';

const row = (seq: number, over: Partial<CodecRow>): CodecRow => ({ seq, time_ms: 1_000, type: 3, cause: null, resource: null, id: null, data: null, ...over });

test('round trip: UUIDs as bytes, other ids as text, member references, texts and numbers, negative and large deltas', () => {
  const uuid = '0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f50';
  const ids = [
    uuid,
    '0B4C1F3E-2D6A-4E55-9B1F-6A1C2D3E4F50', // not canonical: kept as text, case and all
    '0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f5g',
    '0b4c1f3e+2d6a-4e55-9b1f-6a1c2d3e4f50',
    'ünïcödé ✓ 𝄞',
    '',
    uuid,
  ];
  const rows: CodecRow[] = ids.map((id, k) => row(10 + k, { id, time_ms: 1_000 + [0, 5, -7, 300_000, 2 ** 40, 1, 0][k]! }));
  rows.push(row(17, { type: 'sns.delivered', cause: 3, resource: 'arn:aws:sqs:eu-west-1:1:q✓', data: '{"a":"✓"}' }));
  rows.push(row(18, { type: 20_000, cause: 100, resource: 123_456_789, data: 7 }));
  rows.push(row(19, { cause: 25 })); // a cause after the event (a reserved seq)
  const refs = [0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
  const buf = encodeGroup(rows, 0, rows.length, (k) => refs[k]!);
  const back = decodeGroup(buf);
  assert.equal(back.length, rows.length);
  back.forEach((m, k) => {
    const r = rows[k]!;
    assert.deepEqual(m, {
      dt: r.time_ms - 1_000,
      type: r.type,
      cause: r.cause === null ? 0 : r.seq - r.cause,
      resource: r.resource ?? 0,
      id: r.id ?? undefined,
      data: r.data ?? 0,
    }, `member ${k}`);
  });
  // Version byte; dt, type, cause, resource: a byte each; the UUID: tag + 16 bytes; no data: a byte.
  assert.equal(encodeGroup([row(1, { id: uuid })], 0, 1, () => 0).length, 1 + 4 + 17 + 1);
});

test('a group bigger than the scratch buffer', () => {
  const big = 'x'.repeat(100_000);
  const rows = [row(1, { data: big }), row(2, { id: big })];
  const back = decodeGroup(encodeGroup(rows, 0, 2, () => 0));
  assert.equal(back[0]!.data, big);
  assert.equal(back[1]!.id, big);
});

test('a run (run.ts, version 3): a data text repeated in the run is written once and read back on every member', () => {
  const w = new RunWriter();
  w.start(100, 5_000, 7, 'arn:aws:sqs:us-east-1:000000000000:q', 9);
  const texts = ['{"receiveCount":1,"requestId":"r1"}', '{"receiveCount":1,"requestId":"r1"}', 12, null, '{"receiveCount":1,"requestId":"r1"}', '{"receiveCount":2}', '{"receiveCount":2}'];
  texts.forEach((data, k) => {
    w.member(5_000 + k, k === 3 ? 0 : 90);
    w.id(k === 2 ? 'not-a-uuid' : '0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f5' + k);
    w.data(data);
  });
  const row = w.finish();
  assert.equal(row.type, -texts.length);
  const buf = row.data as Buffer;
  assert.equal(buf[0], 3);
  // The repeated text is in the row once.
  assert.equal(buf.toString('latin1').split('"requestId"').length - 1, 1);
  const members = decodeGroup(buf);
  assert.deepEqual(
    members.map((m) => [m.dt, m.type, m.cause, m.resource, m.id, m.data]),
    texts.map((data, k) => [k, 7, k === 3 ? 0 : 100 + k - 90, 9, k === 2 ? 'not-a-uuid' : '0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f5' + k, data ?? 0]),
  );
});
