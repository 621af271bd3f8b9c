import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { byteLines, countMessages, parseSkip } from './ndjson-input.js';

test('byteLines splits on newlines across chunks and keeps bytes as they are', async () => {
  const chunks = [Buffer.from('ab'), Buffer.from('c\nd'), Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a, 0x0a, 0x66, 0xff])];
  const out: string[] = [];
  for await (const l of byteLines(Readable.from(chunks))) out.push(l.toString('hex'));
  assert.deepEqual(out, [Buffer.from('abc').toString('hex'), Buffer.from('dé').toString('hex'), '', '66ff']);
});

test('countMessages: non-blank lines after the skipped ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-count-'));
  try {
    const f = join(dir, 'x.ndjson');
    writeFileSync(f, '"a"\n\n  \r\n"b"\n"c"');
    assert.equal(countMessages(f, 0), 3);
    assert.equal(countMessages(f, 1), 2);
    assert.equal(countMessages(f, 4), 1);
    assert.equal(countMessages(f, 5), 0);
    assert.equal(countMessages(join(dir, 'missing'), 0), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseSkip: whole numbers from 0, only with --ndjson', () => {
  assert.equal(parseSkip(undefined, false), 0);
  assert.equal(parseSkip('0', true), 0);
  assert.equal(parseSkip('6540', true), 6540);
  for (const bad of ['-1', '1.5', 'x', '', ' ', '1e3', '0x10', '99999999999999999999']) assert.throws(() => parseSkip(bad, true), UsageError, bad);
  assert.throws(() => parseSkip('3', false), /applies to --ndjson input only/);
});
