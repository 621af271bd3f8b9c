import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandLine, shellQuote, targetArgs, withoutFlags } from './resume.js';

test('shellQuote leaves plain words alone and single-quotes the rest', () => {
  assert.equal(shellQuote('orders.fifo'), 'orders.fifo');
  assert.equal(shellQuote('/tmp/in-1.ndjson'), '/tmp/in-1.ndjson');
  assert.equal(shellQuote('type=invoice'), 'type=invoice');
  assert.equal(shellQuote('--attr'), '--attr');
  assert.equal(shellQuote('my file.ndjson'), `'my file.ndjson'`);
  assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  assert.equal(shellQuote(''), `''`);
  assert.equal(shellQuote('$HOME'), `'$HOME'`);
  assert.equal(shellQuote('a;rm -rf /'), `'a;rm -rf /'`);
  assert.equal(shellQuote('*'), `'*'`);
  assert.equal(shellQuote('naïve'), `'naïve'`);
});

test('commandLine: svl and the quoted arguments', () => {
  assert.equal(commandLine(['send', 'q', '--ndjson', 'my file', '--skip', '6540']), `svl send q --ndjson 'my file' --skip 6540`);
  assert.equal(commandLine(['send', 'q', '--attr', 'note=it\'s "x"']), `svl send q --attr 'note=it'\\''s "x"'`);
});

test('withoutFlags drops a flag in both spellings, keeps everything else and whatever follows --', () => {
  assert.deepEqual(withoutFlags(['send', 'q', '--skip', '10', '--ndjson', 'f', '--local'], ['--skip']), ['send', 'q', '--ndjson', 'f', '--local']);
  assert.deepEqual(withoutFlags(['send', '--skip=10', 'q'], ['--skip']), ['send', 'q']);
  assert.deepEqual(withoutFlags(['send', 'q', '--', '--skip', '3'], ['--skip']), ['send', 'q', '--', '--skip', '3']);
  assert.deepEqual(withoutFlags(['send', 'q', '--skipper', 'x'], ['--skip']), ['send', 'q', '--skipper', 'x']);
});

test('targetArgs keeps the flags that choose the target', () => {
  assert.deepEqual(targetArgs({ local: true }), ['--local']);
  assert.deepEqual(targetArgs({ profile: 'dev', region: 'eu-west-1', endpointUrl: 'http://x' }), ['--profile', 'dev', '--region', 'eu-west-1', '--endpoint-url', 'http://x']);
  assert.deepEqual(targetArgs({}), []);
});
