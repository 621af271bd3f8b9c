import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePeeked, decodeReceived, parseBody } from './decode.js';

const envelope = {
  Type: 'Notification',
  MessageId: 'sns-1',
  TopicArn: 'arn:aws:sns:us-east-1:000000000000:orders',
  Subject: 'new order',
  Message: '{"id":7}',
  Timestamp: '2026-01-01T00:00:00.000Z',
  MessageAttributes: { type: { Type: 'String', Value: 'invoice' } },
};

describe('decoding messages', () => {
  it('parses JSON objects and arrays; leaves text, numbers and broken JSON as text', () => {
    assert.deepEqual(parseBody('{"a":1}'), { body: { a: 1 }, bodyIsJson: true });
    assert.deepEqual(parseBody(' [1]'), { body: [1], bodyIsJson: true });
    assert.deepEqual(parseBody('42'), { body: '42', bodyIsJson: false });
    assert.deepEqual(parseBody('{broken'), { body: '{broken', bodyIsJson: false });
  });

  it('unwraps SNS envelopes: the published message, the topic, and envelope attributes as attributes', () => {
    const d = decodeReceived(
      { MessageId: 'm1', Body: JSON.stringify(envelope), Attributes: { SentTimestamp: '1767225600000', ApproximateReceiveCount: '2', MessageGroupId: 'g' }, MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) } } },
      'orders-q',
      'tap',
    );
    assert.deepEqual(d.body, { id: 7 });
    assert.equal(d.bodyIsJson, true);
    assert.deepEqual(d.sns, { topic: 'orders', topicArn: envelope.TopicArn, messageId: 'sns-1', subject: 'new order', timestamp: envelope.Timestamp });
    assert.deepEqual(d.attributes, { bin: 'AQI=', type: 'invoice' });
    assert.equal(d.receiveCount, 2);
    assert.equal(d.groupId, 'g');
    assert.equal(d.sentAt, '2026-01-01T00:00:00.000Z');
    assert.equal(d.via, 'tap');
  });

  it('a raw delivery from one tapped topic still names the topic', () => {
    const d = decodeReceived({ MessageId: 'm2', Body: 'hello' }, 'q', 'tap', envelope.TopicArn);
    assert.equal(d.body, 'hello');
    assert.equal(d.sns?.topic, 'orders');
    assert.equal(d.receiveCount, null, 'unknown without the attribute');
  });

  it('peeked messages keep their state and dead-letter source', () => {
    const d = decodePeeked(
      { Seq: 1, MessageId: 'm3', Body: 'x', MD5OfBody: '', State: 'inflight', VisibleAt: 0, Attributes: { ApproximateReceiveCount: '0', DeadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:0:src' }, MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } },
      'dlq',
    );
    assert.equal(d.state, 'inflight');
    assert.equal(d.receiveCount, 0);
    assert.equal(d.deadLetterSourceArn, 'arn:aws:sqs:us-east-1:0:src');
    assert.deepEqual(d.attributes, { a: 'b' });
  });
});
