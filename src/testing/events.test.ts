import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, describeFilter } from './events.js';
import { toMs } from './duration.js';

const names = {
  queueArn: (n: string) => (n.startsWith('arn:') ? n : `arn:aws:sqs:us-east-1:000000000000:${n}`),
  topicArn: (n: string) => (n.startsWith('arn:') ? n : `arn:aws:sns:us-east-1:000000000000:${n}`),
  functionArn: (n: string) => (n.startsWith('arn:') ? n : `arn:aws:lambda:us-east-1:000000000000:function:${n}`),
};
const Q = 'arn:aws:sqs:us-east-1:000000000000:billing';
const T = 'arn:aws:sns:us-east-1:000000000000:orders';
const F = 'arn:aws:lambda:us-east-1:000000000000:function:ship';
const ev = (type: string, resource?: string, data?: Record<string, unknown>, id?: string) => ({ seq: 1, timeMs: 0, type, resource, data, id });

test('filters resolve names to ARNs: queue events, deliveries to the queue and dead letters into it', () => {
  const q = compileFilter({ queue: 'billing' }, names);
  assert.equal(q(ev('sqs.sent', Q)), true);
  assert.equal(q(ev('sns.delivered', `${T}:sub-1`, { endpoint: Q })), true);
  assert.equal(q(ev('sqs.dead-lettered', 'arn:aws:sqs:us-east-1:000000000000:src', { deadLetterQueue: Q })), true);
  assert.equal(q(ev('sqs.sent', `${Q}-dlq`)), false);
});

test('topic filters take the topic and its subscriptions; function filters take SNS deliveries to it', () => {
  const t = compileFilter({ topic: 'orders' }, names);
  assert.equal(t(ev('sns.published', T)), true);
  assert.equal(t(ev('sns.filtered', `${T}:abc`)), true);
  assert.equal(t(ev('sns.published', `${T}-2`)), false);
  const f = compileFilter({ function: 'ship', type: 'sns.' }, names);
  assert.equal(f(ev('sns.delivered', `${T}:abc`, { endpoint: F })), true);
  assert.equal(f(ev('lambda.invoked', F)), false, 'type prefix sns. excludes lambda.*');
});

test('type lists, ids (also a received message handed to a request) and match', () => {
  const m = compileFilter({ type: ['sqs.sent', 'sqs.deleted'], id: 'm-1', match: (e) => e.seq === 1 }, names);
  assert.equal(m(ev('sqs.deleted', Q, undefined, 'm-1')), true);
  assert.equal(m(ev('sqs.received', Q, undefined, 'm-1')), false);
  assert.equal(compileFilter({ id: 'req-9' }, names)(ev('sqs.received', Q, { requestId: 'req-9' }, 'm-1')), true);
  assert.equal(describeFilter({ type: 'sqs.sent', queue: 'billing', match: () => true }), '{ type: "sqs.sent", queue: "billing", match: <function> }');
});

test('durations: numbers are ms, units ms/s/m/h/d; anything else is refused with an example', () => {
  assert.equal(toMs(250), 250);
  assert.equal(toMs('31s'), 31_000);
  assert.equal(toMs('1.5s'), 1500);
  assert.equal(toMs('500ms'), 500);
  assert.equal(toMs('2m'), 120_000);
  assert.equal(toMs('1h'), 3_600_000);
  assert.throws(() => toMs('soon'), /"soon" is not a duration; write e\.g\. 31000, '31s', '500ms', '2m' or '1h'/);
  assert.throws(() => toMs(-1), /must be a non-negative number of milliseconds/);
});
