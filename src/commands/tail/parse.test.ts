import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../errors.js';
import { parseTail } from './parse.js';

const local = { kind: 'local' as const };
const aws = { kind: 'aws' as const };
const usage = (text: string) => (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message.includes(text);

describe('parseTail', () => {
  it('defaults: auto, no limits; topics are always tapped; --consume means a receive', () => {
    const o = parseTail('queue', 'orders', {}, local);
    assert.equal(o.via, 'auto');
    assert.equal(o.max, undefined);
    assert.equal(o.consume, false);
    assert.equal(parseTail('topic', 'events', {}, aws).via, 'tap');
    assert.equal(parseTail('queue', 'orders', { consume: true }, aws).via, 'receive');
    const full = parseTail('dlq', 'orders', { max: '5', timeout: '2m', since: '1h', match: ['a=1'], all: true }, local);
    assert.deepEqual([full.max, full.timeoutSeconds, full.since, full.match.length, full.all], [5, 120, { kind: 'ago', ms: 3_600_000 }, 1, true]);
  });

  it('rejects every bad combination before any AWS call', () => {
    assert.throws(() => parseTail('bucket', 'x', {}, local), usage('Unknown kind "bucket"'));
    assert.throws(() => parseTail('queue', ' ', {}, local), usage('Missing the queue name'));
    assert.throws(() => parseTail('queue', 'q', { via: 'magic' }, local), usage('--via must be one of'));
    assert.throws(() => parseTail('queue', 'q', { via: 'peek' }, aws), usage('--via peek needs the local emulator'));
    assert.throws(() => parseTail('topic', 't', { via: 'receive' }, local), usage('A topic holds no messages'));
    assert.throws(() => parseTail('topic', 't', { consume: true }, local), usage('a topic has nothing to delete'));
    assert.throws(() => parseTail('dlq', 'q', { via: 'tap' }, local), usage('cannot be tapped'));
    assert.throws(() => parseTail('queue', 'q', { consume: true, via: 'tap' }, local), usage('--consume'));
    assert.throws(() => parseTail('queue', 'q', { all: true }, aws), usage('--all'));
    assert.throws(() => parseTail('queue', 'q', { all: true, via: 'tap' }, local), usage('--all'));
    assert.throws(() => parseTail('queue', 'q', { max: '0' }, local), usage('--max'));
    assert.throws(() => parseTail('queue', 'q', { timeout: 'later' }, local), usage('--timeout'));
    assert.throws(() => parseTail('queue', 'q', { since: 'yesterday' }, local), usage('--since'));
    assert.throws(() => parseTail('queue', 'q', { match: ['tier'] }, local), usage('--match "tier"'));
  });
});
