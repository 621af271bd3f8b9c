/**
 * queue-delivery.ts vouches for what the SQS service no longer recomputes per queue: a subscription's checked
 * Notification body must answer exactly as sqs/send.ts checkBody of its text (MD5, UTF-8 size, refused
 * characters), for every shape of notification; checked attributes as a send's own validation, digest and
 * stored JSON; and a send of checked parts must make the same message, or throw the same error, as a send of
 * the plain text (sqs/send.ts prepareMessage both ways).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notificationEnvelope, notificationParts, type NotificationInput } from './envelope.js';
import { NotificationBodies, RawQueueBodies } from './queue-delivery.js';
import { checkBody, checkMessageAttributes, prepareMessage } from '../sqs/send.js';
import { md5OfAttributes } from '../sqs/model.js';
import type { Queue } from '../sqs/queues.js';
import { AwsError } from '../../domain/aws-error.js';

const base: Omit<NotificationInput, 'subscriptionArn'> = {
  messageId: '6f1c9a4e-0000-4000-8000-000000000001',
  topicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
  message: '{"orderId":1}',
  timestampMs: Date.UTC(2026, 11, 5, 8, 0, 0, 7),
  baseUrl: 'http://127.0.0.1:4566',
  signatureVersion: '1',
  fifo: false,
};
const subscriptions = ['arn:aws:sns:us-east-1:000000000000:orders:a', 'arn:aws:sns:us-east-1:000000000000:orders:b', 'arn:aws:sns:us-east-1:000000000000:orders:c'];
const shapes: Array<Omit<NotificationInput, 'subscriptionArn'>> = [
  base,
  { ...base, subject: 'Hello "there"' },
  { ...base, attributes: { kind: { DataType: 'String', StringValue: 'ordér ✓' }, bin: { DataType: 'Binary', BinaryValue: 'AAE=' } } },
  { ...base, fifo: true, sequenceNumber: '10000000000000001000', attributes: { kind: { DataType: 'Number', StringValue: '1' } } },
  { ...base, signatureVersion: '2', message: 'line 1\nline "2"\t\u2028 é \u0001 😀 </script>' },
  // Characters SQS refuses that JSON does not escape: in the message, and in an attribute (the tail).
  { ...base, message: 'not for SQS \uFFFF' },
  { ...base, attributes: { kind: { DataType: 'String', StringValue: 'x\uFFFE' } } },
  { ...base, message: 'x'.repeat(300_000) },
];

test('NotificationBodies: each subscription gets its notificationEnvelope as JSON text, checked as checkBody checks it', () => {
  for (const shape of shapes) {
    const bodies = new NotificationBodies(notificationParts(shape));
    const text = (arn: string) => JSON.stringify(notificationEnvelope({ ...shape, subscriptionArn: arn }));
    for (const arn of subscriptions) {
      assert.equal(bodies.text(arn), text(arn));
      assert.deepEqual(bodies.checked(arn), checkBody(text(arn)));
    }
  }
  assert.equal(new NotificationBodies(notificationParts(shapes[5]!)).checked(subscriptions[0]!).invalidChars, true);
  assert.equal(new NotificationBodies(notificationParts(shapes[6]!)).checked(subscriptions[0]!).invalidChars, true);
});

test('RawQueueBodies: one check per distinct body and one of the attributes, as a send would make them', () => {
  const attributes = { b: { DataType: 'String', StringValue: 'two' }, a: { DataType: 'Number', StringValue: '1' } };
  const raw = new RawQueueBodies(attributes);
  assert.equal(raw.body('hello'), raw.body('hello'));
  assert.deepEqual(raw.body('hello'), checkBody('hello'));
  const checked = raw.messageAttributes()!;
  assert.equal(raw.messageAttributes(), checked);
  assert.ok('ok' in checked);
  assert.equal(checked.ok.md5, md5OfAttributes(checked.ok.attrs));
  assert.equal(checked.ok.json, JSON.stringify(checked.ok.attrs));
  assert.equal(new RawQueueBodies(undefined).messageAttributes(), undefined);
});

const queue = (attrs: Record<string, string> = {}, fifo = false) => ({ attrs: { MaximumMessageSize: '262144', ...attrs }, fifo }) as unknown as Queue;

/** prepareMessage of the plain message and of its checked parts: the same message, or the same error. */
function bothWays(q: Queue, body: string, attributes?: Record<string, unknown>, ids: Record<string, string> = {}) {
  const run = (f: () => unknown) => {
    try {
      return { ok: f() };
    } catch (err) {
      assert.ok(err instanceof AwsError, String(err));
      return { error: { code: err.queryCode, message: err.message } };
    }
  };
  const plain = run(() => prepareMessage(q, { MessageBody: body, MessageAttributes: attributes, ...ids }, 'Root=1-abc', false));
  const checked = run(() => prepareMessage(q, { ...ids }, 'Root=1-abc', false, attributes ? checkMessageAttributes(attributes) : undefined, checkBody(body)));
  // attrsJson is the checked attributes' stored JSON, made once; the plain send makes it when it stores them.
  if ('ok' in checked) {
    const m = checked.ok as { attrs?: unknown; attrsJson?: string };
    assert.equal(m.attrsJson, m.attrs ? JSON.stringify(m.attrs) : undefined);
    delete m.attrsJson;
  }
  if ('ok' in plain) delete (plain.ok as { attrsJson?: string }).attrsJson;
  assert.deepEqual(checked, plain);
  return plain;
}

test('prepareMessage with checked parts: the same message or the same error as with the plain ones, in the same order', () => {
  const attrs = { kind: { DataType: 'String', StringValue: 'order' } };
  assert.ok('ok' in bothWays(queue(), '{"a":1}', attrs));
  assert.ok('ok' in bothWays(queue({}, true), 'fifo', undefined, { MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
  // Refused characters before bad attributes; bad attributes before the queue's size limit; the size limit per queue.
  assert.equal(bothWays(queue(), 'x\uFFFF', { bad: { DataType: 'String', StringValue: '\u0001' } }).error?.code, 'InvalidMessageContents');
  assert.equal(bothWays(queue({ MaximumMessageSize: '1024' }), 'x'.repeat(2000), { bad: { DataType: 'String', StringValue: '\u0001' } }).error?.code, 'InvalidParameterValue');
  assert.match(bothWays(queue({ MaximumMessageSize: '1024' }), 'x'.repeat(1020), attrs).error?.message ?? '', /shorter than 1024 bytes/);
  assert.ok('ok' in bothWays(queue(), 'x'.repeat(1020), attrs));
  assert.equal(bothWays(queue(), '').error?.code, 'MissingParameter');
  assert.equal(bothWays(queue({}, true), 'fifo').error?.code, 'MissingParameter');
});
