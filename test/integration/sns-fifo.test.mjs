// SNS FIFO topics with the real SDK clients: MessageGroupId / MessageDeduplicationId propagated to FIFO
// queues, content-based dedup = SHA-256 of the message (AWS-recorded vectors), topic-level dedup window on
// the fake clock, order within a group, the FIFO envelope (no signature, SequenceNumber), raw delivery,
// FIFO topic -> standard queue, and FIFO validation [AWS-rec TestSNSSubscriptionSQSFifo].
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns, expectSnsError, invalidParameter } from '../helpers/sns.mjs';

let t;
before(async () => (t = await setupSns()));
after(() => t.close());

const fifoTopic = (attrs = {}) => t.createTopic(t.name('ft') + '.fifo', { FifoTopic: 'true', ...attrs });
const SYS = { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] };

test('FIFO topic -> FIFO queue: group and dedup ids propagated; FIFO envelope has SequenceNumber and no signature [AWS-rec]', async () => {
  const topic = await fifoTopic();
  const q = await t.subscribeQueue(topic);
  const out = await t.call('Publish', {
    TopicArn: topic,
    Message: 'Test',
    Subject: 'Subj',
    MessageGroupId: 'message-group-id-1',
    MessageDeduplicationId: 'message-deduplication-id-1',
    MessageAttributes: { a: { DataType: 'String', StringValue: 'v' } },
  });
  assert.match(out.SequenceNumber, /^\d{20}$/);
  const [m] = await t.drain(q.url, SYS);
  assert.equal(m.Attributes.MessageGroupId, 'message-group-id-1');
  assert.equal(m.Attributes.MessageDeduplicationId, 'message-deduplication-id-1');
  assert.match(m.Attributes.SequenceNumber, /^\d+$/, 'the queue assigns its own sequence number');
  assert.equal(m.MessageAttributes, undefined);
  const n = JSON.parse(m.Body);
  assert.deepEqual(Object.keys(n), ['Type', 'MessageId', 'SequenceNumber', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'UnsubscribeURL', 'MessageAttributes']);
  assert.equal(n.MessageId, out.MessageId);
  assert.equal(n.SequenceNumber, out.SequenceNumber, 'the envelope carries the SNS sequence number of the publish');
  assert.equal(n.Message, 'Test');
  assert.equal(n.UnsubscribeURL, `${t.url}/?Action=Unsubscribe&SubscriptionArn=${q.subArn}`);
  assert.deepEqual(n.MessageAttributes, { a: { Type: 'String', Value: 'v' } });
  for (const k of ['Signature', 'SignatureVersion', 'SigningCertURL']) assert.equal(n[k], undefined, `no ${k} on FIFO notifications`);

  await t.call('Publish', { TopicArn: topic, Message: 'no subject', MessageGroupId: 'g', MessageDeduplicationId: 'd2' });
  const [n2] = await t.notifications(q.url);
  assert.deepEqual(Object.keys(n2), ['Type', 'MessageId', 'SequenceNumber', 'TopicArn', 'Message', 'Timestamp', 'UnsubscribeURL']);
  assert.ok(BigInt(n2.SequenceNumber) > BigInt(n.SequenceNumber), 'sequence numbers grow');
});

test('content-based dedup: the dedup id is the SHA-256 of the message [AWS-rec "Test" -> 532eaabd…]', async () => {
  const topic = await fifoTopic({ ContentBasedDeduplication: 'true' });
  const q = await t.subscribeQueue(topic); // the queue itself has no content-based dedup
  await t.call('Publish', { TopicArn: topic, Message: 'Test', MessageGroupId: 'message-group-id-1' });
  await t.call('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: [{ Id: '1', Message: 'Test batched', MessageGroupId: 'message-group-id-1' }] });
  const ms = await t.drain(q.url, SYS);
  assert.deepEqual(
    ms.map((m) => m.Attributes.MessageDeduplicationId),
    ['532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25', '32a45f72fe3d20fb5d4f1647421d1c5f9d20ef207c8ab713443cc9f9b76c468c'],
  );
  // An explicit id wins over content-based dedup.
  await t.call('Publish', { TopicArn: topic, Message: 'Test', MessageGroupId: 'g', MessageDeduplicationId: 'explicit' });
  const [m] = await t.drain(q.url, SYS);
  assert.equal(m.Attributes.MessageDeduplicationId, 'explicit');
});

test('a duplicate within 5 minutes is not delivered again; after 5 minutes (fake clock) it is', async () => {
  const name = t.name('dedup');
  const topic = await t.createTopic(name + '.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
  const q = await t.subscribeQueue(topic);
  const first = await t.call('Publish', { TopicArn: topic, Message: 'Test', MessageGroupId: 'g' });
  t.clock.advance(60_000);
  const again = await t.call('Publish', { TopicArn: topic, Message: 'Test', MessageGroupId: 'other-group' });
  assert.match(again.MessageId, /^[0-9a-f-]{36}$/, 'the duplicate publish still succeeds');
  const explicitDup = await t.call('Publish', { TopicArn: topic, Message: 'different body', MessageGroupId: 'g', MessageDeduplicationId: '532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25' });
  assert.ok(explicitDup.MessageId);
  const ms = await t.notifications(q.url);
  assert.equal(ms.length, 1, 'delivered once');
  assert.equal(ms[0].MessageId, first.MessageId);

  t.clock.advance(4 * 60_000 - 1); // 4:59.999 after the first publish: still a duplicate
  await t.call('Publish', { TopicArn: topic, Message: 'Test', MessageGroupId: 'g' });
  assert.deepEqual(await t.drain(q.url), []);
  t.clock.advance(1); // exactly 5 minutes: the window is over
  const later = await t.call('Publish', { TopicArn: topic, Message: 'Test', MessageGroupId: 'g' });
  const [n] = await t.notifications(q.url);
  assert.equal(n.MessageId, later.MessageId);
  assert.notEqual(later.MessageId, first.MessageId);
  assert.equal((await t.topicStats(name + '.fifo')).delivered, 2);
});

test('order is kept within each message group across many publishes', async () => {
  const topic = await fifoTopic({ ContentBasedDeduplication: 'true' });
  const q = await t.subscribeQueue(topic);
  const raw = await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } });
  const groups = ['a', 'b', 'c'];
  for (let i = 0; i < 60; i++) {
    const g = groups[i % 3];
    if (i % 10 === 9) {
      await t.call('PublishBatch', {
        TopicArn: topic,
        PublishBatchRequestEntries: [0, 1, 2].map((k) => ({ Id: `b${k}`, Message: `${g}:${i}:${k}`, MessageGroupId: g })),
      });
    } else {
      await t.call('Publish', { TopicArn: topic, Message: `${g}:${i}`, MessageGroupId: g });
    }
  }
  for (const [queue, bodyOf] of [[q, (m) => JSON.parse(m.Body).Message], [raw, (m) => m.Body]]) {
    const ms = await t.drain(queue.url, SYS);
    assert.equal(ms.length, 72); // 54 single publishes + 6 batches of 3
    for (const g of groups) {
      const inGroup = ms.filter((m) => m.Attributes.MessageGroupId === g);
      const bodies = inGroup.map(bodyOf);
      const expected = [];
      for (let i = 0; i < 60; i++) if (groups[i % 3] === g) expected.push(...(i % 10 === 9 ? [0, 1, 2].map((k) => `${g}:${i}:${k}`) : [`${g}:${i}`]));
      assert.deepEqual(bodies, expected, `group ${g} in publish order`);
      const seqs = inGroup.map((m) => BigInt(m.Attributes.SequenceNumber));
      assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'queue sequence numbers increase within a group');
    }
  }
});

test('raw delivery from a FIFO topic: body as published, attributes and ids on the SQS message [AWS-rec]', async () => {
  const topic = await fifoTopic();
  const q = await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } });
  const out = await t.call('PublishBatch', {
    TopicArn: topic,
    PublishBatchRequestEntries: [1, 2, 3].map((i) => ({
      Id: String(i),
      Message: `Test Message ${i}`,
      MessageGroupId: 'complexMessageGroupId',
      MessageDeduplicationId: `MessageDeduplicationId-${i}`,
      MessageAttributes: { attr1: { DataType: 'Number', StringValue: '99.12' } },
    })),
  });
  assert.deepEqual(out.Successful.map((s) => s.Id), ['1', '2', '3']);
  assert.ok(out.Successful.every((s) => /^\d{20}$/.test(s.SequenceNumber)));
  const ms = await t.drain(q.url, SYS);
  assert.deepEqual(ms.map((m) => m.Body), ['Test Message 1', 'Test Message 2', 'Test Message 3']);
  assert.deepEqual(ms.map((m) => m.Attributes.MessageDeduplicationId), ['MessageDeduplicationId-1', 'MessageDeduplicationId-2', 'MessageDeduplicationId-3']);
  assert.ok(ms.every((m) => m.Attributes.MessageGroupId === 'complexMessageGroupId'));
  assert.deepEqual(ms[0].MessageAttributes, { attr1: { DataType: 'Number', StringValue: '99.12' } });
});

test('FIFO topic -> standard queue: delivered with the FIFO envelope, without group or dedup ids [AWS-rec test_fifo_topic_to_regular_sqs]', async () => {
  const topic = await fifoTopic();
  const name = t.name('std');
  const q = await t.subscribeQueue(topic, { name });
  await t.call('Publish', { TopicArn: topic, Message: 'Test', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
  const [m] = await t.drain(q.url, SYS);
  assert.equal(m.Attributes.MessageGroupId, undefined);
  assert.equal(m.Attributes.MessageDeduplicationId, undefined);
  const n = JSON.parse(m.Body);
  assert.deepEqual(Object.keys(n), ['Type', 'MessageId', 'SequenceNumber', 'TopicArn', 'Message', 'Timestamp', 'UnsubscribeURL']);
});

test('FIFO validation: group id required, dedup id or content-based dedup required, SQS only [AWS-rec]', async () => {
  const topic = await fifoTopic();
  const q = await t.subscribeQueue(topic);
  await expectSnsError(t.call('Publish', { TopicArn: topic, Message: 'm', MessageDeduplicationId: 'd' }), invalidParameter('Invalid parameter: The MessageGroupId parameter is required for FIFO topics'));
  const noDedup = invalidParameter('Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
  await expectSnsError(t.call('Publish', { TopicArn: topic, Message: 'm', MessageGroupId: 'g' }), noDedup);
  await expectSnsError(
    t.call('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: [{ Id: '1', Message: 'Test message without Group ID', MessageDeduplicationId: 'd' }] }),
    invalidParameter('Invalid parameter: The MessageGroupId parameter is required for FIFO topics'),
  );
  await expectSnsError(
    t.call('PublishBatch', {
      TopicArn: topic,
      PublishBatchRequestEntries: [
        { Id: '1', Message: 'fine', MessageGroupId: 'g', MessageDeduplicationId: 'x' },
        { Id: '2', Message: 'Test message without MessageDeduplicationId', MessageGroupId: 'msg1' },
      ],
    }),
    noDedup,
  );
  await expectSnsError(t.call('Publish', { TopicArn: topic, Message: 'm', MessageGroupId: 'has space', MessageDeduplicationId: 'd' }), { name: 'InvalidParameterException', code: 'InvalidParameter', includes: 'MessageGroupId' });
  await expectSnsError(t.call('Publish', { TopicArn: topic, Message: 'm', MessageGroupId: 'g', MessageDeduplicationId: 'x'.repeat(129) }), { name: 'InvalidParameterException', code: 'InvalidParameter', includes: 'MessageDeduplicationId' });
  assert.deepEqual(await t.drain(q.url), [], 'nothing delivered');
  for (const [Protocol, Endpoint] of [['http', 'http://127.0.0.1:9/x'], ['lambda', 'arn:aws:lambda:us-east-1:000000000000:function:f']]) {
    await expectSnsError(t.call('Subscribe', { TopicArn: topic, Protocol, Endpoint }), { name: 'InvalidParameterException', code: 'InvalidParameter' });
  }
});
