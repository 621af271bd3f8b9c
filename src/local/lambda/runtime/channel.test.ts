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

test('a frame over the length caps or with a header that is not a protocol header is reported once, never thrown', () => {
  for (const bytes of [
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
    Buffer.from([0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff]),
    Buffer.concat([Buffer.from([0, 0, 0, 5, 0, 0, 0, 0]), Buffer.from('nope!')]),
    Buffer.concat([Buffer.from([0, 0, 0, 2, 0, 0, 0, 0]), Buffer.from('[]')]),
  ]) {
    const stream = new PassThrough();
    const got: Frame[] = [];
    const bad: string[] = [];
    readFrames(stream as unknown as Socket, (f) => got.push(f), (why) => bad.push(why), 1024);
    stream.write(bytes);
    stream.write(encodeFrame({ t: 'next' }));
    assert.equal(bad.length, 1, bytes.toString('hex'));
    assert.equal(got.length, 0);
  }
});

test('a big body arriving in many chunks is delivered whole, once', () => {
  const body = Buffer.alloc(3 * 1024 * 1024, 7);
  const all = encodeFrame({ t: 'response', id: 'r' }, body);
  const stream = new PassThrough();
  const got: Frame[] = [];
  readFrames(stream as unknown as Socket, (f) => got.push(f), () => assert.fail('not a bad frame'), 6 * 1024 * 1024);
  for (let i = 0; i < all.length; i += 65536) stream.write(all.subarray(i, i + 65536));
  assert.equal(got.length, 1);
  assert.ok(got[0]!.body.equals(body));
});
