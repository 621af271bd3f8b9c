import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createUi } from '../../ui/index.js';
import { fakeIo } from '../../ui/test-streams.js';
import { formatAge, renderStatus } from './render.js';
import { parseStatus, statusWarnings, type ConsumerStatus, type FlowStatus, type QueueStatus } from './run.js';

const ui = (color: boolean) => createUi({ json: false, yes: false, color, debug: false, env: color ? { FORCE_COLOR: '1' } : {}, io: fakeIo() });
const depth = (visible: number, inFlight = 0, delayed = 0) => ({ visible, inFlight, delayed });
const queue = (name: string, o: Partial<QueueStatus> = {}): QueueStatus => ({
  name, url: `u/${name}`, arn: `a:${name}`, fifo: false, depth: depth(0), oldestMessageAgeSeconds: null,
  deadLetterQueue: null, deadLetterDepth: null, maxReceiveCount: null, isDeadLetterQueue: false, ...o,
});
const sub = (q: string) => ({ arn: `s:${q}`, protocol: 'sqs', endpoint: `a:${q}`, queue: q, confirmed: true, filter: null, filterPolicy: null, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false, deadLetterQueue: null, deadLetterDepth: null });

function flow(): FlowStatus {
  return {
    kind: 'flow', flow: 'shop', target: { kind: 'aws', region: 'eu-west-1' }, generatedAt: '',
    topics: [{ name: 'orders', arn: 't', fifo: false, subscriptions: [sub('a'), sub('b'), sub('c')] }],
    queues: [
      queue('a', { depth: depth(4), oldestMessageAgeSeconds: 125, deadLetterQueue: 'a-dlq', deadLetterDepth: depth(2) }),
      queue('b', { deadLetterQueue: 'b-dlq', deadLetterDepth: depth(0, 1) }),
      queue('c', { deadLetterQueue: 'c-dlq', deadLetterDepth: depth(0) }),
      queue('a-dlq', { depth: depth(2), isDeadLetterQueue: true }),
      queue('b-dlq', { depth: depth(0, 1), isDeadLetterQueue: true }),
      queue('c-dlq', { isDeadLetterQueue: true }),
      queue('solo'),
    ],
    consumers: [],
    lambda: null,
  };
}

describe('renderStatus (flow)', () => {
  it('one row per subscription plus free queues; DLQs only in the DLQ column', () => {
    const text = renderStatus(flow(), ui(false));
    assert.match(text, /^Flow shop \(eu-west-1\)/);
    const rows = text.split('\n').filter((l) => l.startsWith('│') && !l.includes('Topic'));
    assert.equal(rows.length, 4, text);
    assert.match(rows[0]!, /│ orders │ sqs +│ +│ a +│ 4 +│ 0 +│ 0 +│ 2m 5s +│ a-dlq: 2 │/);
    assert.match(rows[3]!, /│ solo /);
    assert.doesNotMatch(text, /│ a-dlq +│ /, 'a DLQ gets no row of its own');
  });

  it('DLQ depth is red with messages waiting, yellow when only in flight, plain when empty', () => {
    const text = renderStatus(flow(), ui(true));
    assert.ok(text.includes('\x1b[31m\x1b[1ma-dlq: 2'), 'red + bold');
    assert.ok(text.includes('\x1b[33mb-dlq: 1'), 'yellow');
    assert.ok(/[^m]c-dlq: 0/.test(text), 'no colour');
  });

  it('the warning counts messages in DLQs', () => {
    assert.deepEqual(statusWarnings(flow()), ['3 messages in dead-letter queues']);
  });
});

describe('renderStatus (Lambda consumers)', () => {
  const consumer = (o: Partial<ConsumerStatus> = {}): ConsumerStatus => ({
    queue: 'a', function: 'bill', uuid: 'u1', state: 'Enabled', batchSize: 10, stateTransitionReason: 'USER_INITIATED', lastProcessingResult: null, lastError: null, ...o,
  });

  it('a table below the flow: queue, function, state (with a non-user reason), batch size, last error', () => {
    const r = { ...flow(), consumers: [
      consumer(),
      consumer({ queue: 'b', function: 'ship', state: 'Disabled', stateTransitionReason: 'USER_INITIATED', batchSize: 5, lastError: { type: 'TypeError', message: 'boom\n  at x', at: '2026-12-04T20:01:02.000Z' } }),
      consumer({ queue: 'c', function: 'audit', state: 'Enabled', stateTransitionReason: 'PROBLEM: Function not found', lastProcessingResult: 'No records processed' }),
    ] };
    const text = renderStatus(r, ui(false));
    assert.match(text, /Lambda consumers\n/);
    assert.match(text, /│ a +│ λ bill +│ Enabled +│ 10 +│ - +│/);
    assert.match(text, /│ b +│ λ ship +│ Disabled +│ 5 +│ TypeError: boom at x at 20:01:02 │/);
    assert.match(text, /│ c +│ λ audit +│ Enabled \(PROBLEM: Function not found\) +│ 10 +│ No records processed +│/);
  });

  it('no table without consumers; a warning when they could not be listed', () => {
    assert.doesNotMatch(renderStatus(flow(), ui(false)), /Lambda consumers/);
    const denied = { ...flow(), lambda: { available: false, reason: 'AccessDeniedException: not authorized' } };
    assert.deepEqual(statusWarnings(denied), ['3 messages in dead-letter queues', 'Lambda consumers not shown: AccessDeniedException: not authorized']);
  });
});

describe('formatAge', () => {
  it('reads like a duration; unknown is a dash', () => {
    assert.deepEqual([null, 0, 59, 61, 3600 + 120, 86_400 * 2 + 3600].map(formatAge), ['-', '0s', '59s', '1m 1s', '1h 2m', '2d 1h']);
  });
});

describe('parseStatus', () => {
  it('--watch: default 2 s, a number, or (without a flow) the flow name commander handed to --watch', () => {
    assert.deepEqual(parseStatus('shop', {}), { flow: 'shop' });
    assert.deepEqual(parseStatus('shop', { watch: true }), { flow: 'shop', watchSeconds: 2 });
    assert.deepEqual(parseStatus(undefined, { watch: '5' }), { flow: undefined, watchSeconds: 5 });
    assert.deepEqual(parseStatus(undefined, { watch: 'shop' }), { flow: 'shop', watchSeconds: 2 });
    assert.throws(() => parseStatus('shop', { watch: 'later' }), /--watch takes a number/);
    assert.throws(() => parseStatus('shop', { watch: '0.1' }), /between 0.5 and 3600/);
  });
});
