import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { durationMs, parseCount, parseSeconds, parseSince, sinceEpoch } from './flags.js';

const usage = (flag: string) => (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message.includes(flag);

describe('numeric and time flags', () => {
  it('--max style counts are whole numbers in range', () => {
    assert.equal(parseCount(undefined, '--max'), undefined);
    assert.equal(parseCount('5', '--max'), 5);
    for (const bad of ['0', '-1', '1.5', 'x', '', ' ']) assert.throws(() => parseCount(bad, '--max'), usage('--max'), bad);
    assert.throws(() => parseCount('33', '--workers', 1, 32), /from 1 to 32/);
  });

  it('durations take a unit (seconds by default)', () => {
    assert.equal(durationMs('30'), 30_000);
    assert.equal(durationMs('1.5m'), 90_000);
    assert.equal(durationMs('2h'), 7_200_000);
    assert.equal(durationMs('1d'), 86_400_000);
    assert.equal(durationMs('500ms'), 500);
    assert.equal(durationMs('10 minutes'), undefined);
    assert.equal(parseSeconds('5m', '--timeout'), 300);
    for (const bad of ['0', '-5', 'soon', '5x']) assert.throws(() => parseSeconds(bad, '--timeout'), usage('--timeout'), bad);
  });

  it('--since: a duration ago, an ISO time, or now; resolved against the given clock', () => {
    assert.deepEqual(parseSince('10m'), { kind: 'ago', ms: 600_000 });
    assert.deepEqual(parseSince('now'), { kind: 'now' });
    assert.deepEqual(parseSince('2026-01-01T12:00:00Z'), { kind: 'at', epochMs: Date.UTC(2026, 0, 1, 12) });
    assert.deepEqual(parseSince('2026-01-01'), { kind: 'at', epochMs: Date.UTC(2026, 0, 1) });
    for (const bad of ['yesterday', '2026-13-45', '10 m', '']) assert.throws(() => parseSince(bad), usage('--since'), bad);
    const now = Date.UTC(2026, 0, 1, 12);
    assert.equal(sinceEpoch({ kind: 'ago', ms: 60_000 }, now), now - 60_000);
    assert.equal(sinceEpoch({ kind: 'now' }, now), now);
    assert.equal(sinceEpoch({ kind: 'at', epochMs: 5 }, now), 5);
  });
});
