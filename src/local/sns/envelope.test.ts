/**
 * envelope.ts's per-message notification text: the very bytes of the per-subscription document it replaces
 * (JSON.stringify of notificationEnvelope), for every shape of notification (subject or none, attributes
 * or none, FIFO with a sequence number and no signature, SignatureVersion 2, text that JSON escapes), and
 * one signature per message whatever the number of subscribers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, verify } from 'node:crypto';
import { notificationEnvelope, notificationParts, signingCertificatePem, type NotificationInput } from './envelope.js';
import { NotificationBodies } from './queue-delivery.js';

const base: Omit<NotificationInput, 'subscriptionArn'> = {
  messageId: '6f1c9a4e-0000-4000-8000-000000000001',
  topicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
  message: '{"orderId":1}',
  timestampMs: Date.UTC(2026, 11, 5, 8, 0, 0, 7),
  baseUrl: 'http://127.0.0.1:4566',
  signatureVersion: '1',
  fifo: false,
};
const subscriptions = ['arn:aws:sns:us-east-1:000000000000:orders:a', 'arn:aws:sns:us-east-1:000000000000:orders:b'];

test('notificationParts: the same bytes as JSON.stringify(notificationEnvelope) for each subscription, whatever the shape', () => {
  const shapes: Array<Omit<NotificationInput, 'subscriptionArn'>> = [
    base,
    { ...base, subject: 'Hello "there"' },
    { ...base, attributes: { kind: { DataType: 'String', StringValue: 'order' }, bin: { DataType: 'Binary', BinaryValue: 'AAE=' } } },
    { ...base, fifo: true, sequenceNumber: '10000000000000001000', attributes: { kind: { DataType: 'Number', StringValue: '1' } } },
    { ...base, signatureVersion: '2', message: 'line 1\nline "2"\t\u2028 é \u0001 </script>' },
  ];
  for (const shape of shapes) {
    const bodies = new NotificationBodies(notificationParts(shape));
    const text = (arn: string) => bodies.text(arn);
    for (const arn of subscriptions) assert.equal(text(arn), JSON.stringify(notificationEnvelope({ ...shape, subscriptionArn: arn })));
  }
});

test('notificationParts: one signature for every subscriber, over the document AWS documents, verifiable with the served certificate', () => {
  const bodies = new NotificationBodies(notificationParts({ ...base, subject: 's' }));
  const text = (arn: string) => bodies.text(arn);
  const [a, b] = subscriptions.map((arn) => JSON.parse(text(arn)) as Record<string, string>);
  assert.equal(a!.Signature, b!.Signature);
  assert.notEqual(a!.UnsubscribeURL, b!.UnsubscribeURL);
  assert.equal(a!.UnsubscribeURL, `${base.baseUrl}/?Action=Unsubscribe&SubscriptionArn=${subscriptions[0]}`);
  const canonical = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].map((k) => `${k}\n${a![k]}\n`).join('');
  const cert = new X509Certificate(signingCertificatePem());
  assert.equal(verify('sha1', Buffer.from(canonical), cert.publicKey, Buffer.from(a!.Signature!, 'base64')), true);
  assert.equal(a!.Timestamp, '2026-12-05T08:00:00.007Z');
});
