import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checksummer, crc32, crc32c, crc64nvme, validChecksumValue } from './checksums.js';

test('CRC32 and CRC32C check values, incremental', () => {
  const data = Buffer.from('123456789');
  assert.equal(crc32(data), 0xcbf43926);
  assert.equal(crc32c(data), 0xe3069283);
  assert.equal(crc32c(data.subarray(4), crc32c(data.subarray(0, 4))), 0xe3069283);
  assert.equal(crc32(data.subarray(4), crc32(data.subarray(0, 4))), 0xcbf43926);
});

test('checksummer digests are base64 as the x-amz-checksum-* headers carry them', () => {
  const c = checksummer('CRC32C')!;
  c.update(Buffer.from('1234'));
  c.update(Buffer.from('56789'));
  assert.equal(c.digest(), Buffer.from('e3069283', 'hex').toString('base64'));
  const s = checksummer('SHA256')!;
  s.update(Buffer.from('abc'));
  assert.equal(s.digest(), createHash('sha256').update('abc').digest('base64'));
});

test('validChecksumValue checks base64 and the digest length per algorithm', () => {
  assert.equal(validChecksumValue('CRC32', 'AAAAAA=='), true);
  assert.equal(validChecksumValue('CRC32', 'AAAAAAAA'), false);
  assert.equal(validChecksumValue('SHA1', 'zz'), false);
  assert.equal(validChecksumValue('SHA256', createHash('sha256').update('').digest('base64')), true);
});

test('CRC64NVME check value, incremental, base64 of 8 big-endian bytes', () => {
  const data = Buffer.from('123456789');
  const hex = (c: [number, number]) => c.map((n) => n.toString(16).padStart(8, '0')).join('');
  assert.equal(hex(crc64nvme(data)), 'ae8b14860a799888');
  assert.equal(hex(crc64nvme(data.subarray(3), crc64nvme(data.subarray(0, 3)))), 'ae8b14860a799888');
  const c = checksummer('CRC64NVME')!;
  c.update(data);
  assert.equal(c.digest(), Buffer.from('ae8b14860a799888', 'hex').toString('base64'));
});
