import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger, isSilent, SILENT } from './log.js';

function capture() {
  const stream = new PassThrough();
  const writes: string[] = [];
  stream.on('data', (c: Buffer) => writes.push(c.toString('utf8')));
  return { stream, writes };
}

test('createLogger: the lines of one event-loop turn are written together, in order, each stamped and on its own line', async () => {
  const { stream, writes } = capture();
  const log = createLogger({ stream });
  log('APIGW a $default GET /x 200 1ms');
  log('λ fn 200 1.0ms [apigw]');
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 1, 'one write for the turn');
  const lines = writes[0]!.split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^\d\d:\d\d:\d\d\.\d{3} APIGW a \$default GET \/x 200 1ms$/);
  assert.match(lines[1]!, /^\d\d:\d\d:\d\d\.\d{3} λ fn 200 1\.0ms \[apigw\]$/);
  assert.equal(lines[2], '');
});

test('createLogger: flush() writes what is pending at once (before the CLI prints anything of its own)', async () => {
  const { stream, writes } = capture();
  const log = createLogger({ stream });
  log('svl emulator listening on http://127.0.0.1:4566');
  log.flush();
  await new Promise((r) => process.nextTick(r));
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /svl emulator listening/);
  log.flush();
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 1, 'nothing pending, nothing written');
});

test('a quiet log is SILENT, which callers recognise to skip building lines', () => {
  assert.equal(createLogger({ quiet: true }), SILENT);
  assert.equal(isSilent(SILENT), true);
  assert.equal(isSilent(createLogger({ stream: new PassThrough() })), false);
  assert.equal(isSilent(() => {}), false);
});
