import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Socket } from 'node:net';
import { encodeFrame, readFrames, type Frame } from './channel.js';

test('frames survive being split across chunks and sharing one', () => {
  const a = encodeFrame({ t: 'invoke', id: 'r1', deadline: 5 }, '{"é":"ü"}');
  const b = encodeFrame({ t: 'next' });
  const c = encodeFrame({ t: 'response', id: 'r1', next: true }, Buffer.from([0, 1, 2]));
  const stream = new PassThrough();
  const got: Frame[] = [];
  readFrames(stream as unknown as Socket, (f) => got.push(f));
  const all = Buffer.concat([a, b, c]);
  // One byte at a time, then the rest in one chunk: every frame once, whole, in order.
  for (let i = 0; i < a.length + 3; i++) stream.write(all.subarray(i, i + 1));
  stream.write(all.subarray(a.length + 3));
  assert.deepEqual(
    got.map((f) => f.head),
    [{ t: 'invoke', id: 'r1', deadline: 5 }, { t: 'next' }, { t: 'response', id: 'r1', next: true }],
  );
  assert.equal(got[0]!.body.toString('utf8'), '{"é":"ü"}');
  assert.equal(got[1]!.body.length, 0);
  assert.deepEqual([...got[2]!.body], [0, 1, 2]);
});

test('the header and body lengths are counted in bytes, not characters', () => {
  const f = encodeFrame({ t: 'x', s: 'ñ' }, 'ñ');
  assert.equal(f.readUInt32BE(0), Buffer.byteLength(JSON.stringify({ t: 'x', s: 'ñ' })));
  assert.equal(f.readUInt32BE(4), 2);
  assert.equal(f.length, 8 + f.readUInt32BE(0) + 2);
});
