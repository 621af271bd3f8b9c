import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { crc32, readZip, writeZip, ZipError } from './zip.js';

test('writeZip/readZip round trip: names, contents, Unix modes, stored and deflated entries', () => {
  const big = Buffer.from('x'.repeat(10_000));
  const zip = writeZip([
    { name: 'index.js', data: 'exports.handler = async () => 1;' },
    { name: 'lib/deep/big.txt', data: big },
    { name: 'bootstrap', data: '#!/bin/sh\n', mode: 0o755 },
    { name: 'rnd.bin', data: Buffer.from([0, 1, 2, 3]) },
  ]);
  const entries = readZip(zip);
  assert.deepEqual(entries.map((e) => e.name), ['index.js', 'lib/deep/big.txt', 'bootstrap', 'rnd.bin']);
  assert.equal(entries[0]!.read().toString(), 'exports.handler = async () => 1;');
  assert.deepEqual(entries[1]!.read(), big);
  assert.equal(entries[1]!.size, 10_000);
  assert.equal(entries[2]!.mode, 0o755);
  assert.equal(entries[0]!.mode, 0o644);
  assert.deepEqual(entries[3]!.read(), Buffer.from([0, 1, 2, 3]));
  // Deterministic: the same files give the same bytes.
  assert.deepEqual(writeZip([{ name: 'a', data: 'b' }]), writeZip([{ name: 'a', data: 'b' }]));
});

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('readZip refuses what is not a usable archive', () => {
  assert.throws(() => readZip(Buffer.from('nope')), ZipError);
  assert.throws(() => readZip(Buffer.alloc(100)), /no end of central directory/);
  assert.throws(() => readZip(writeZip([{ name: '../escape.js', data: 'x' }])), /unsafe path/);
  assert.throws(() => readZip(writeZip([{ name: '/abs.js', data: 'x' }])), /unsafe path/);
  const zip = writeZip([{ name: 'a.txt', data: 'hello hello hello hello' }]);
  // Corrupt the compressed data: CRC or inflate error, never garbage.
  const bad = Buffer.from(zip);
  bad[30 + 'a.txt'.length + 2] ^= 0xff;
  assert.throws(() => readZip(bad)[0]!.read(), ZipError);
  // A truncated archive.
  assert.throws(() => readZip(zip.subarray(0, zip.length - 30)), ZipError);
});

test('readZip reads entries written by other tools (deflate without Unix attributes)', () => {
  // A minimal archive assembled by hand: made by MS-DOS (no modes), one deflated entry.
  const data = Buffer.from('print("hi")\n');
  const body = deflateRawSync(data);
  const name = Buffer.from('app.py');
  const loc = Buffer.alloc(30);
  loc.writeUInt32LE(0x04034b50, 0);
  loc.writeUInt16LE(8, 8);
  loc.writeUInt32LE(crc32(data), 14);
  loc.writeUInt32LE(body.length, 18);
  loc.writeUInt32LE(data.length, 22);
  loc.writeUInt16LE(name.length, 26);
  const cen = Buffer.alloc(46);
  cen.writeUInt32LE(0x02014b50, 0);
  cen.writeUInt16LE(20, 4);
  cen.writeUInt16LE(8, 10);
  cen.writeUInt32LE(crc32(data), 16);
  cen.writeUInt32LE(body.length, 20);
  cen.writeUInt32LE(data.length, 24);
  cen.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + body.length, 16);
  const [e] = readZip(Buffer.concat([loc, name, body, cen, name, end]));
  assert.equal(e!.name, 'app.py');
  assert.equal(e!.mode, undefined);
  assert.deepEqual(e!.read(), data);
});
