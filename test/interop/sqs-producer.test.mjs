// Interop: bbc/sqs-producer (v8), unmodified, against the emulator. Single sends, batches of more than
// ten split by the producer, message attributes and delays, FIFO with group and deduplication ids, a
// rejected entry surfacing as the producer's FailedMessagesError, and the producer's own client built
// from the queue URL alone (`useQueueUrlAsEndpoint`). The SDK verifies every MD5OfMessageBody it gets
// back (send batch and receive); the tests also recompute MD5OfMessageAttributes with AWS's algorithm.
// Not covered: sqs-producer has no receive side (see sqs-consumer.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Producer } from 'sqs-producer';
import { setupSqs } from '../helpers/sqs.mjs';
import { countingSqsClient } from '../helpers/interop.mjs';
import { credentials } from '../helpers/emulator.mjs';

let t;
let counted;
before(async () => {
  t = await setupSqs();
  counted = countingSqsClient(t.url);
});
after(async () => {
  counted.client.destroy();
  await t.close();
});

const md5 = (data) => createHash('md5').update(data).digest('hex');
/** AWS's MD5 of message attributes: per name in order, length-prefixed name, type, transport byte, value. */
function md5OfAttributes(attrs) {
  const parts = [];
  const field = (buf) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    parts.push(len, buf);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(a.DataType, 'utf8'));
    const binary = a.BinaryValue !== undefined;
    parts.push(Buffer.from([binary ? 2 : 1]));
    field(binary ? Buffer.from(a.BinaryValue) : Buffer.from(a.StringValue, 'utf8'));
  }
  return md5(Buffer.concat(parts));
}

async function receiveAll(QueueUrl, expected) {
  const out = [];
  for (let i = 0; i < 20 && out.length < expected; i++) {
    const r = await t.receive(QueueUrl, { MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] });
    out.push(...r);
  }
  return out;
}
const peek = async (name) => (await (await fetch(`${t.url}/_svl/sqs/peek?queue=${encodeURIComponent(name)}`)).json()).Messages;

test('send one string message: one SendMessageBatch, its id and body MD5 returned, the message in the queue', async () => {
  const url = await t.createQueue('single');
  const producer = Producer.create({ queueUrl: url, sqs: counted.client });
  counted.sent.length = 0;
  const result = await producer.send('hello-world');
  assert.deepEqual(counted.sent, ['SendMessageBatchCommand']);
  assert.equal(typeof counted.client.config.md5, 'function', 'the SDK\'s MD5 check is on (it throws on a mismatch)');
  assert.equal(result.length, 1);
  assert.equal(result[0].Id, 'hello-world');
  assert.equal(result[0].MD5OfMessageBody, md5('hello-world'));
  const [m] = await receiveAll(url, 1);
  assert.deepEqual([m.MessageId, m.Body, m.MD5OfBody], [result[0].MessageId, 'hello-world', md5('hello-world')]);
  assert.equal(await producer.queueSize(), 0);
});

test('25 messages are split by the producer into batches of 10, 10 and 5; all arrive in order', async () => {
  const url = await t.createQueue('many');
  const producer = Producer.create({ queueUrl: url, sqs: counted.client });
  const bodies = Array.from({ length: 25 }, (_, i) => `message-${String(i).padStart(2, '0')}`);
  counted.sent.length = 0;
  const result = await producer.send(bodies);
  assert.deepEqual(counted.sent, ['SendMessageBatchCommand', 'SendMessageBatchCommand', 'SendMessageBatchCommand']);
  assert.deepEqual(result.map((r) => r.Id), bodies);
  assert.ok(result.every((r, i) => r.MD5OfMessageBody === md5(bodies[i])));
  assert.equal(new Set(result.map((r) => r.MessageId)).size, 25);
  assert.equal(await producer.queueSize(), 25);
  const queued = await peek('many');
  assert.deepEqual(queued.map((m) => m.Body), bodies, 'arrival order is send order');
  assert.deepEqual(queued.map((m) => m.MessageId), result.map((r) => r.MessageId));

  const small = Producer.create({ queueUrl: url, sqs: counted.client, batchSize: 3 });
  counted.sent.length = 0;
  await small.send(['a', 'b', 'c', 'd']);
  assert.equal(counted.sent.length, 2, 'batchSize 3: 4 messages in 2 requests');
});

test('message attributes (String, Number, Binary) and delaySeconds survive the round trip with matching MD5s', async () => {
  const url = await t.createQueue('attrs');
  const producer = Producer.create({ queueUrl: url, sqs: counted.client });
  const attrs = {
    tenant: { DataType: 'String', StringValue: 'acme ✓' },
    priority: { DataType: 'Number', StringValue: '7' },
    blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
    'trace.id': { DataType: 'String.custom', StringValue: 'abc-123' },
  };
  const result = await producer.send([
    { id: 'with-attrs', body: '{"order":1}', messageAttributes: attrs },
    { id: 'delayed', body: 'later', delaySeconds: 60 },
  ]);
  const byId = Object.fromEntries(result.map((r) => [r.Id, r]));
  assert.equal(byId['with-attrs'].MD5OfMessageAttributes, md5OfAttributes(attrs));
  assert.equal(byId.delayed.MD5OfMessageAttributes, undefined);
  assert.deepEqual((await peek('attrs')).map((m) => [m.Body, m.State]), [['{"order":1}', 'visible'], ['later', 'delayed']]);

  const [m] = await receiveAll(url, 1);
  assert.equal(m.MessageId, byId['with-attrs'].MessageId);
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attrs));
  assert.deepEqual(m.MessageAttributes.tenant, { DataType: 'String', StringValue: 'acme ✓' });
  assert.deepEqual(m.MessageAttributes.priority, { DataType: 'Number', StringValue: '7' });
  assert.deepEqual(m.MessageAttributes['trace.id'], { DataType: 'String.custom', StringValue: 'abc-123' });
  assert.equal(m.MessageAttributes.blob.DataType, 'Binary');
  assert.deepEqual(Buffer.from(m.MessageAttributes.blob.BinaryValue), Buffer.from([0, 1, 2, 255]));

  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
  t.clock.advance(60_000);
  const [later] = await receiveAll(url, 1);
  assert.equal(later.MessageId, byId.delayed.MessageId);
});

test('FIFO: group and deduplication ids; a duplicate is accepted but not queued twice; group order kept', async () => {
  const url = await t.createQueue('orders.fifo', { FifoQueue: 'true' });
  const producer = Producer.create({ queueUrl: url, sqs: counted.client });
  const msgs = [
    { id: 'a1', body: 'a-1', groupId: 'A', deduplicationId: 'dA1' },
    { id: 'b1', body: 'b-1', groupId: 'B', deduplicationId: 'dB1' },
    { id: 'a2', body: 'a-2', groupId: 'A', deduplicationId: 'dA2' },
  ];
  const first = await producer.send(msgs);
  assert.deepEqual(first.map((r) => r.Id), ['a1', 'b1', 'a2']);
  const seq = first.map((r) => BigInt(r.SequenceNumber));
  assert.ok(seq[0] < seq[1] && seq[1] < seq[2], 'sequence numbers increase');
  // Same deduplication id within the 5-minute window: success with the original message's id, nothing queued.
  const [dup] = await producer.send({ id: 'a1-again', body: 'a-1 (resent)', groupId: 'A', deduplicationId: 'dA1' });
  assert.equal(dup.MessageId, first[0].MessageId);
  assert.equal(dup.SequenceNumber, first[0].SequenceNumber);
  assert.equal(await producer.queueSize(), 3);

  // As AWS serves a FIFO receive: a group's messages together, in group order (a-1, a-2), then group B
  // (LocalStack test_fifo_receive_message_group_id_ordering, aws.validated).
  const got = await receiveAll(url, 3);
  assert.deepEqual(got.map((m) => [m.Body, m.Attributes.MessageGroupId, m.Attributes.MessageDeduplicationId]), [
    ['a-1', 'A', 'dA1'],
    ['a-2', 'A', 'dA2'],
    ['b-1', 'B', 'dB1'],
  ]);
  const seqOf = Object.fromEntries(first.map((r, i) => [msgs[i].body, r.SequenceNumber]));
  assert.deepEqual(got.map((m) => m.Attributes.SequenceNumber), got.map((m) => seqOf[m.Body]));
});

test('FIFO with content-based deduplication: groupId alone; identical bodies are deduplicated', async () => {
  const url = await t.createQueue('cbd.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  const producer = Producer.create({ queueUrl: url, sqs: counted.client });
  const result = await producer.send([
    { id: '1', body: 'same', groupId: 'G' },
    { id: '2', body: 'same', groupId: 'G' },
    { id: '3', body: 'other', groupId: 'G' },
  ]);
  assert.equal(result.length, 3);
  assert.equal(result[1].MessageId, result[0].MessageId, 'the duplicate got the first message id');
  assert.deepEqual((await peek('cbd.fifo')).map((m) => m.Body), ['same', 'other']);
});

test('an entry SQS rejects in the batch (too large) surfaces as FailedMessagesError naming it; the rest is queued', async () => {
  const url = await t.createQueue('small', { MaximumMessageSize: '1024' });
  const producer = Producer.create({ queueUrl: url, sqs: counted.client });
  let err;
  try {
    await producer.send([
      { id: 'fits', body: 'x' },
      { id: 'too-big', body: 'y'.repeat(1025) },
    ]);
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'the send should fail');
  assert.equal(err.constructor.name, 'FailedMessagesError', 'the producer\'s error class (not exported by the package)');
  assert.equal(err.message, 'Failed to send messages: too-big');
  assert.deepEqual(err.failedMessages, ['too-big']);
  assert.deepEqual((await peek('small')).map((m) => m.Body), ['x'], 'the valid entry of the batch was queued');
});

test('FIFO without a deduplication id on a queue without content-based deduplication: the whole batch fails, as on AWS', async () => {
  const url = await t.createQueue('strict.fifo', { FifoQueue: 'true' });
  const producer = Producer.create({ queueUrl: url, sqs: counted.client });
  await assert.rejects(
    producer.send([
      { id: 'good', body: 'x', groupId: 'G', deduplicationId: 'd1' },
      { id: 'no-dedup', body: 'y', groupId: 'G' },
    ]),
    { name: 'InvalidParameterValue', message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly' },
  );
  assert.deepEqual(await peek('strict.fifo'), [], 'nothing of the batch was queued');
});

test('a string message is its own batch entry id: a body that is not a valid entry id is rejected, as on AWS', async () => {
  const url = await t.createQueue('bad-id');
  const producer = Producer.create({ queueUrl: url, sqs: counted.client });
  await assert.rejects(producer.send('hello world'), {
    name: 'InvalidBatchEntryId',
    message: 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
  });
  assert.deepEqual(await peek('bad-id'), []);
});

test('the producer\'s own client, built from the queue URL alone (useQueueUrlAsEndpoint), reaches the emulator', async () => {
  const url = await t.createQueue('own-client');
  const producer = Producer.create({ queueUrl: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  try {
    const [r] = await producer.send({ id: 'x', body: 'via queue url' });
    assert.equal(r.MD5OfMessageBody, md5('via queue url'));
    assert.equal(await producer.queueSize(), 1);
    assert.deepEqual((await peek('own-client')).map((m) => [m.MessageId, m.Body]), [[r.MessageId, 'via queue url']]);
  } finally {
    producer.sqs.destroy();
  }
});
