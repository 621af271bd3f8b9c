import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fallbackHint, withLocalFlag as addLocal } from './hint.js';

const names = ['status', 'dlq', 'send', 'tail', 'apply', 'local'];
const withLocalFlag = (hint: string) => addLocal(hint, names);

describe('withLocalFlag', () => {
  it('adds --local to the svl commands a hint suggests', () => {
    assert.equal(withLocalFlag('Wait for it (svl dlq ls), or cancel it: svl dlq cancel orders-dlq'), 'Wait for it (svl dlq ls --local), or cancel it: svl dlq cancel orders-dlq --local');
    assert.equal(withLocalFlag('List what exists with `svl status`; check the name'), 'List what exists with `svl status --local`; check the name');
    assert.equal(withLocalFlag('continue with: svl send q --ndjson f --skip 6540'), 'continue with: svl send q --ndjson f --skip 6540 --local');
    assert.equal(withLocalFlag('Run svl tail queue orders.fifo.'), 'Run svl tail queue orders.fifo --local.');
  });

  it('leaves commands that already target something, `svl local …` and prose alone', () => {
    for (const hint of [
      'Its dead-letter queue is d: svl dlq redrive d --local',
      'start it with `svl local start`',
      'This looks like a bug in svl; rerun with --debug',
      'see the options with `svl tail --help`',
      'use another --profile: svl status --profile prod',
      'Its log ends with: 20:34:09 svl emulator listening on http://127.0.0.1:80',
    ]) {
      assert.equal(withLocalFlag(hint), hint);
    }
  });
});

describe('fallbackHint', () => {
  it('points usage errors at the help of the command that was run', () => {
    assert.equal(fallbackHint(2, ['dlq', 'redrive', 'x', '--yes']), 'see the options with `svl dlq redrive --help`');
    assert.equal(fallbackHint(2, ['--bogus']), 'see the options with `svl --help`');
  });

  it('says how to see more for failures and how to go on after a cancel', () => {
    assert.match(fallbackHint(1, ['send', 'q', 'x']), /--debug/);
    assert.match(fallbackHint(130, ['send']), /run the command again/);
  });
});
