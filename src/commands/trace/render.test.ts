import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStyle } from '../../ui/index.js';
import { buildTrace, type JournalEvent } from '../../domain/trace.js';
import { esmFailure } from '../../domain/trace.test-events.js';
import { describeHop, formatDelta, renderFollowed, renderTrace, shortName } from './render.js';

const plain = createStyle(0);
const T = 'arn:aws:sns:us-east-1:000000000000:orders';
const Q = 'arn:aws:sqs:us-east-1:000000000000:';
const ev = (seq: number, type: string, more: Partial<JournalEvent> = {}): JournalEvent => ({ seq, timeMs: Date.UTC(2026, 0, 2, 3, 4, 5) + seq * 3, type, ...more });

const fanOut: JournalEvent[] = [
  ev(1, 'sns.published', { resource: T, id: 'p1' }),
  ev(2, 'sns.delivered', { resource: `${T}:aaaaaaaa-1`, id: 'p1', cause: 1, data: { protocol: 'sqs', endpoint: `${Q}ok` } }),
  ev(3, 'sqs.sent', { resource: `${Q}ok`, id: 'm1', cause: 2 }),
  ev(4, 'sns.filtered', { resource: `${T}:bbbbbbbb-2`, id: 'p1', cause: 1, data: { endpoint: `${Q}refunds`, reasons: [{ key: 'kind', reason: '"order" did not match any of ["refund"]' }] } }),
  ev(5, 'sns.blocked', { resource: `${T}:cccccccc-3`, id: 'p1', cause: 1, data: { protocol: 'sqs', endpoint: `${Q}locked`, error: `AccessDenied: Access to the resource ${Q}locked is denied.` } }),
  ev(6, 'sqs.received', { resource: `${Q}ok`, id: 'm1', cause: 3, data: { receiveCount: 1, requestId: 'q1' } }),
  ev(7, 'sqs.deleted', { resource: `${Q}ok`, id: 'm1', cause: 6 }),
];

describe('renderTrace', () => {
  it('a fan-out: deliveries as branches, a message\'s life in one column, reasons and errors under their hop', () => {
    assert.equal(
      renderTrace({ id: 'p1', roots: buildTrace(fanOut) }, plain),
      [
        'Trace of p1  2026-01-02T03:04:05.003Z',
        'published to orders  message p1',
        ' ├─ +3ms delivered → queue ok',
        ' │   └─ +3ms sent to ok  message m1',
        ' │      +9ms received #1  by ReceiveMessage',
        ' │      +3ms deleted from ok',
        ' ├─ +9ms filtered out → queue refunds',
        ' │    kind: "order" did not match any of ["refund"]',
        ' └─ +12ms blocked → queue locked',
        '      AccessDenied: Access to the resource locked is denied.',
      ].join('\n'),
    );
  });

  it('an event source mapping failure: the invocation as a branch of its receive, error and function log lines, then the DLQ', () => {
    assert.equal(
      renderTrace({ id: 'm1', roots: buildTrace(esmFailure) }, plain),
      [
        'Trace of m1  1970-01-01T00:00:01.010Z',
        'sent to work  message m1',
        '+10ms received #1  by event source mapping 1234abcd',
        ' └─ +10ms invoked worker  sqs 1  request r1',
        '    +10ms error in 12ms',
        '      TypeError: boom',
        '      log │ INFO about to fail',
        '+30ms visibility timeout expired  not deleted: visible again',
        '+10ms dead-lettered → work-dlq  after 1 receive',
      ].join('\n'),
    );
  });

  it('fits 80 columns, cutting long lines with …', () => {
    const long = [ev(1, 'sqs.sent', { resource: `${Q}q`, id: 'x'.repeat(120) })];
    for (const line of renderTrace({ id: 'y'.repeat(100), roots: buildTrace(long) }, plain).split('\n')) {
      assert.ok(line.length <= 80, line);
      assert.ok(line.endsWith('…'), line);
    }
  });

  it('prints a type it does not know with its resource, id and data; a followed hop under its parent', () => {
    const e = ev(1, 's3.object-created', { resource: 'arn:aws:s3:::photos', id: 'k1', data: { key: 'a.jpg', size: 12 } });
    assert.deepEqual(describeHop(e), { label: 's3.object-created', tone: 'plain', rest: 'photos  id k1  key=a.jpg  size=12', details: [] });
    assert.equal(describeHop({ ...e, type: 'apigw.failed' }).tone, 'bad');
    const [root] = buildTrace([ev(1, 'sqs.sent', { id: 'a', resource: `${Q}q` }), ev(2, 'sqs.deleted', { id: 'a', resource: `${Q}q`, cause: 1 })]);
    assert.equal(renderFollowed(root!.children[0]!, 1, plain), '  ↳ +3ms deleted from q');
  });

  it('short names and deltas', () => {
    assert.equal(shortName(`${Q}orders.fifo`), 'orders.fifo');
    assert.equal(shortName('arn:aws:lambda:us-east-1:1:function:resize:live'), 'resize');
    assert.equal(shortName(`${T}:0123456789ab`), 'orders/01234567');
    assert.equal(shortName('arn:aws:s3:::photos'), 'photos');
    assert.equal(shortName(undefined), '');
    assert.deepEqual([0, 999, 1500, 12_345, 123_000].map(formatDelta), ['+0ms', '+999ms', '+1.5s', '+12s', '+2m03s']);
  });
});

describe('renderAwsTrace', () => {
  it('names the queue a dead letter died in from its DeadLetterQueueSourceArn, with its attributes and SNS origin', async () => {
    const { renderAwsTrace } = await import('./aws.js');
    const text = renderAwsTrace(
      {
        id: 'm-1',
        target: 'aws',
        cannotSee: ['SNS deliveries'],
        searched: [],
        since: '1h',
        logs: [],
        deadLetter: {
          queue: 'orders-dlq',
          sources: ['orders', 'refunds'],
          scanned: 3,
          note: null,
          found: {
            messageId: 'm-1',
            sentAt: '2026-12-05T01:00:00.000Z',
            receiveCount: 6,
            deadLetterSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:refunds',
            attributes: { kind: 'refund' },
            snsMessageId: 'sns-9',
            topic: 'payments',
            body: 'x'.repeat(100),
          },
        },
      },
      plain,
    );
    assert.match(text, /^Dead-lettered: in orders-dlq, from refunds$/m);
    assert.match(text, /message id {3}m-1 \(SNS message sns-9 from payments\)/);
    assert.match(text, /received {5}6 times/);
    assert.match(text, /source ARN {3}arn:aws:sqs:eu-west-1:123456789012:refunds/);
    assert.match(text, /kind = refund/);
    assert.match(text, /body {9}x{57}\.\.\.$/m);
  });
});
