// SQS FIFO queues over JSON 1.0 with the real @aws-sdk/client-sqs, on the fake clock: ordering, group
// locking, deduplication (both scopes, content-based), sequence numbers, parameter rules, fair queues.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setupSqs, expectSqsError, invalidParameterValue, missingParameter, startLongPoll, settlesSoon } from '../helpers/sqs.mjs';

let t;
/** Tests that await a long poll fail instead of hanging if the poll never answers. */
const LONG_POLL = { timeout: 15_000 };
before(async () => (t = await setupSqs()));
after(() => t.close());

const fifo = (attrs = {}) => t.createQueue(`${t.name('f')}.fifo`, { FifoQueue: 'true', ...attrs });
const send = (QueueUrl, MessageBody, MessageGroupId, extra = {}) => t.call('SendMessage', { QueueUrl, MessageBody, MessageGroupId, ...extra });
const bodies = (ms) => ms.map((m) => m.Body);

test('messages of a group come back in send order, one receive at a time or several at once', async () => {
  const url = await fifo({ ContentBasedDeduplication: 'true' });
  const sent = [];
  for (let i = 0; i < 4; i++) sent.push(await send(url, `message${i}`, 'g'));
  for (let i = 0; i < 4; i++) {
    const [m] = await t.receive(url);
    assert.equal(m.Body, `message${i}`);
    assert.equal(m.MessageId, sent[i].MessageId);
    await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
  }
  for (let i = 0; i < 4; i++) await send(url, `batch${i}`, 'g');
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['batch0', 'batch1', 'batch2', 'batch3']);
});

test('a group with a message in flight is locked; other groups are still served; delete unlocks [AWS-validated]', async () => {
  const url = await fifo({ ContentBasedDeduplication: 'true', VisibilityTimeout: '60' });
  await send(url, 'g1-a', 'g1');
  await send(url, 'g1-b', 'g1');
  await send(url, 'g2-a', 'g2');
  const [first] = await t.receive(url);
  assert.equal(first.Body, 'g1-a');
  const next = await t.receive(url, { MaxNumberOfMessages: 10 });
  assert.deepEqual(bodies(next), ['g2-a'], 'g1 is locked while g1-a is in flight');
  await send(url, 'g1-c', 'g1');
  assert.deepEqual(await t.receive(url, { MaxNumberOfMessages: 10 }), [], 'sending to a locked group does not unlock it');
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle });
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['g1-b', 'g1-c']);
});

test('a long poll waiting on a locked group is answered when the in-flight message is deleted', LONG_POLL, async () => {
  const url = await fifo({ ContentBasedDeduplication: 'true' });
  await send(url, 'message-1', '1');
  const [m] = await t.receive(url);
  await send(url, 'message-2', '1');
  const { response } = await startLongPoll(t, url, { WaitTimeSeconds: 10 });
  assert.equal(await settlesSoon(response), false);
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
  assert.deepEqual(bodies((await response).Messages), ['message-2']);
});

test('a batch delete is one commit, and the long poll waiting on the group it unlocks is answered after it', LONG_POLL, async () => {
  const url = await fifo({ ContentBasedDeduplication: 'true' });
  for (const b of ['a1', 'a2', 'a3']) await send(url, b, 'a');
  const held = await t.receive(url, { MaxNumberOfMessages: 2 });
  assert.deepEqual(bodies(held), ['a1', 'a2']);
  const { response } = await startLongPoll(t, url, { WaitTimeSeconds: 10 });
  assert.equal(await settlesSoon(response), false);
  // one bad entry in the batch fails alone; the others are deleted and the group moves on
  const out = await t.call('DeleteMessageBatch', {
    QueueUrl: url,
    Entries: [...held.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })), { Id: 'bad', ReceiptHandle: 'not-a-handle' }],
  });
  assert.deepEqual(out.Successful.map((s) => s.Id).sort(), ['d0', 'd1']);
  assert.deepEqual(out.Failed.map((f) => [f.Id, f.Code, f.SenderFault]), [['bad', 'ReceiptHandleIsInvalid', true]]);
  assert.deepEqual(bodies((await response).Messages), ['a3']);
});

test('a visibility batch that releases a group head answers the long poll waiting on it', LONG_POLL, async () => {
  const url = await fifo({ ContentBasedDeduplication: 'true', VisibilityTimeout: '60' });
  await send(url, 'head', 'g');
  const [m] = await t.receive(url);
  const { response } = await startLongPoll(t, url, { WaitTimeSeconds: 10 });
  assert.equal(await settlesSoon(response), false);
  const out = await t.call('ChangeMessageVisibilityBatch', { QueueUrl: url, Entries: [{ Id: 'v', ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }] });
  assert.deepEqual(out.Successful, [{ Id: 'v' }]);
  const got = (await response).Messages;
  assert.deepEqual(bodies(got), ['head']);
  assert.equal(got[0].MessageId, m.MessageId);
});

test('when the visibility timeout runs out, the same head message is returned again before the rest', async () => {
  const url = await fifo({ ContentBasedDeduplication: 'true', VisibilityTimeout: '10' });
  await send(url, 'head', 'g');
  await send(url, 'tail', 'g');
  const [m1] = await t.receive(url);
  t.clock.advance(10_000);
  const again = await t.receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
  assert.equal(again[0].MessageId, m1.MessageId);
  assert.equal(again[0].Attributes.ApproximateReceiveCount, '2');
});

test('extending one message of a received group: only the messages before it come back [AWS-rec]', async () => {
  for (const [position, expected] of [[0, []], [1, ['foo']], [2, ['foo', 'bar']]]) {
    const url = await fifo({ VisibilityTimeout: '1' });
    for (const b of ['foo', 'bar', 'baz']) await send(url, b, '1', { MessageDeduplicationId: b });
    const all = await t.receive(url, { MaxNumberOfMessages: 5 });
    assert.deepEqual(bodies(all), ['foo', 'bar', 'baz']);
    await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: all[position].ReceiptHandle, VisibilityTimeout: 4 });
    t.clock.advance(2_500);
    assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 5 })), expected, `extended position ${position}`);
  }
});

test('deduplication: a duplicate within 5 minutes is accepted with the same MessageId but not enqueued; later it is new', async () => {
  const url = await fifo();
  const a = await send(url, 'body', 'g', { MessageDeduplicationId: 'd1' });
  t.clock.advance(4 * 60_000);
  const dup = await send(url, 'other body', 'g', { MessageDeduplicationId: 'd1' });
  assert.equal(dup.MessageId, a.MessageId);
  assert.equal(dup.MD5OfMessageBody, createHash('md5').update('other body').digest('hex'), 'MD5 of the body of this request (the SDK checks it)');
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '1');
  t.clock.advance(60_000); // 5 minutes after the first send
  const fresh = await send(url, 'body again', 'g', { MessageDeduplicationId: 'd1' });
  assert.notEqual(fresh.MessageId, a.MessageId);
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '2');
  assert.ok(BigInt(fresh.SequenceNumber) > BigInt(a.SequenceNumber));
});

test('a deduplicated message does not come back after it was received and deleted [AWS-rec]', async () => {
  for (const cbd of [true, false]) {
    const url = await fifo(cbd ? { ContentBasedDeduplication: 'true' } : {});
    const extra = cbd ? {} : { MessageDeduplicationId: 'dedup1' };
    const item = '{"foo": "bar"}';
    await send(url, item, 'group-1', extra);
    const [m] = await t.receive(url);
    assert.equal(m.Body, item);
    await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
    await send(url, item, 'group-1', extra);
    assert.deepEqual(await t.receive(url), [], `content-based=${cbd}`);
  }
});

test('content-based deduplication hashes the body only; an explicit id wins; the setting can change later', async () => {
  const url = await fifo({ ContentBasedDeduplication: 'true' });
  const a = await send(url, 'same', 'g1');
  const b = await send(url, 'same', 'g2', { MessageAttributes: { x: { DataType: 'String', StringValue: 'y' } } });
  assert.equal(b.MessageId, a.MessageId, 'same body, other group and attributes: still a duplicate (scope queue)');
  const c = await send(url, 'same', 'g1', { MessageDeduplicationId: 'explicit' });
  assert.notEqual(c.MessageId, a.MessageId);
  const [m] = await t.receive(url, { MessageSystemAttributeNames: ['MessageDeduplicationId'] });
  assert.match(m.Attributes.MessageDeduplicationId, /^[0-9a-f]{64}$/, 'SHA-256 of the body');
  await t.call('SetQueueAttributes', { QueueUrl: url, Attributes: { ContentBasedDeduplication: 'false' } });
  await expectSqsError(
    send(url, 'needs an id now', 'g1'),
    invalidParameterValue({ message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly' }),
  );
});

test('DeduplicationScope: queue treats the same id in another group as a duplicate, messageGroup does not [AWS-rec]', async () => {
  const byQueue = await fifo({ ContentBasedDeduplication: 'False' });
  await send(byQueue, 'Test', 'group1', { MessageDeduplicationId: 'same-dedup' });
  const [m] = await t.receive(byQueue);
  await t.call('DeleteMessage', { QueueUrl: byQueue, ReceiptHandle: m.ReceiptHandle });
  await send(byQueue, 'Test', 'group2', { MessageDeduplicationId: 'same-dedup' });
  assert.deepEqual(await t.receive(byQueue), []);

  const byGroup = await fifo({ DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
  const g1 = await send(byGroup, 'Test1', 'group1', { MessageDeduplicationId: 'same-dedup' });
  const g2 = await send(byGroup, 'Test2', 'group2', { MessageDeduplicationId: 'same-dedup' });
  const g1dup = await send(byGroup, 'Test3', 'group1', { MessageDeduplicationId: 'same-dedup' });
  assert.notEqual(g2.MessageId, g1.MessageId);
  assert.equal(g1dup.MessageId, g1.MessageId);
  assert.deepEqual(bodies(await t.receive(byGroup, { MaxNumberOfMessages: 10 })).sort(), ['Test1', 'Test2']);
});

test('SequenceNumber: returned on send, increasing, and received with the FIFO system attributes [AWS-rec]', async () => {
  const url = await fifo();
  const s1 = await send(url, 'message-body-1', 'group-1', { MessageDeduplicationId: 'dedup-1' });
  const s2 = await send(url, 'message-body-2', 'group-2', { MessageDeduplicationId: 'dedup-2' });
  const s3 = await send(url, 'message-body-3', 'group-1', { MessageDeduplicationId: 'dedup-3' });
  for (const s of [s1, s2, s3]) assert.match(s.SequenceNumber, /^\d{20}$/);
  assert.ok(BigInt(s1.SequenceNumber) < BigInt(s2.SequenceNumber));
  assert.ok(BigInt(s2.SequenceNumber) < BigInt(s3.SequenceNumber));
  const [m] = await t.receive(url, { MessageSystemAttributeNames: ['All'] });
  assert.deepEqual(Object.keys(m.Attributes).sort(), [
    'ApproximateFirstReceiveTimestamp',
    'ApproximateReceiveCount',
    'MessageDeduplicationId',
    'MessageGroupId',
    'SenderId',
    'SentTimestamp',
    'SequenceNumber',
  ]);
  assert.equal(m.Attributes.MessageGroupId, 'group-1');
  assert.equal(m.Attributes.MessageDeduplicationId, 'dedup-1');
  assert.equal(m.Attributes.SequenceNumber, s1.SequenceNumber);
});

test('FIFO parameter rules: MessageGroupId required, dedup id or content-based required [AWS-rec messages]', async () => {
  const url = await fifo();
  await expectSqsError(
    t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' }),
    missingParameter({ message: 'The request must contain the parameter MessageGroupId.' }),
  );
  await expectSqsError(
    t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' }),
    invalidParameterValue({ message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly' }),
  );
  const reason = (p) => `${p} can only include alphanumeric and punctuation characters. 1 to 128 in length.`;
  for (const bad of ['', 'group 123', 'a'.repeat(129)]) {
    await expectSqsError(
      send(url, 'x', 'test', { MessageDeduplicationId: bad }),
      invalidParameterValue({ message: `Value ${bad} for parameter MessageDeduplicationId is invalid. Reason: ${reason('MessageDeduplicationId')}` }),
    );
  }
  for (const bad of ['group 123', 'a'.repeat(129)]) {
    await expectSqsError(send(url, 'x', bad, { MessageDeduplicationId: 'd' }), invalidParameterValue({ includes: reason('MessageGroupId') }));
  }
  const punct = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  assert.ok((await send(url, 'x', punct, { MessageDeduplicationId: punct })).SequenceNumber);
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '1');
});

test('FIFO DelaySeconds: a per-message value other than 0 is refused [AWS-rec]; 0 uses the queue delay [AWS-rec]', async () => {
  const url = await fifo({ ContentBasedDeduplication: 'true', DelaySeconds: '2' });
  await expectSqsError(
    send(url, 'x', 'g', { DelaySeconds: 2 }),
    invalidParameterValue({ message: 'Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.' }),
  );
  const sent = await send(url, 'message-1', '1', { DelaySeconds: 0 });
  assert.ok(sent.SequenceNumber);
  assert.deepEqual(await t.receive(url), [], 'the queue delay of 2 s applies');
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessagesDelayed'])).ApproximateNumberOfMessagesDelayed, '1');
  t.clock.advance(2_000);
  assert.deepEqual(bodies(await t.receive(url)), ['message-1']);
});

test('FIFO receipt handles: delete after the visibility timeout is refused as expired [AWS-rec]; within an extension it works', async () => {
  const url = await fifo({ VisibilityTimeout: '1', ContentBasedDeduplication: 'True' });
  await send(url, 'foobar', '1');
  const [m] = await t.receive(url);
  t.clock.advance(1_000);
  await expectSqsError(
    t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle }),
    invalidParameterValue({ message: `Value ${m.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.` }),
  );
  const [again] = await t.receive(url);
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 5 });
  t.clock.advance(1_500);
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: again.ReceiptHandle });
  assert.deepEqual(await t.receive(url), [], 'deleted [AWS-rec]');
});

test('an emptied message group keeps working [AWS-rec]; PurgeQueue resets deduplication', async () => {
  const url = await fifo();
  await send(url, 'Message 1', 'g1', { MessageDeduplicationId: '1' });
  const [m] = await t.receive(url);
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
  assert.deepEqual(await t.receive(url), []);
  await send(url, 'Message 2', 'g1', { MessageDeduplicationId: '2' });
  assert.deepEqual(bodies(await t.receive(url)), ['Message 2']);

  await t.call('PurgeQueue', { QueueUrl: url });
  const redo = await send(url, 'Message 1', 'g1', { MessageDeduplicationId: '1' });
  assert.notEqual(redo.MessageId, m.MessageId);
  assert.deepEqual(bodies(await t.receive(url)), ['Message 1'], 'dedup ids were forgotten by the purge');
});

test('fair queues: a standard queue accepts MessageGroupId, without SequenceNumber, and reports it on receive [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('fair'));
  const sent = await send(url, 'message', 'test');
  assert.equal(sent.MD5OfMessageBody, '78e731027d8fd50ed642340b7c9a63b3');
  assert.equal(sent.SequenceNumber, undefined);
  const [m] = await t.receive(url, { MessageSystemAttributeNames: ['All'] });
  assert.equal(m.MessageId, sent.MessageId);
  assert.deepEqual(Object.keys(m.Attributes).sort(), ['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'MessageGroupId', 'SenderId', 'SentTimestamp']);
  assert.equal(m.Attributes.MessageGroupId, 'test');
  // A standard queue does not lock groups: a second message of the group is returned while the first is in flight.
  await send(url, 'second', 'test');
  assert.deepEqual(bodies(await t.receive(url)), ['second']);
  for (const bad of ['', 'group 123', 'a'.repeat(129)]) {
    await expectSqsError(
      send(url, 'x', bad),
      invalidParameterValue({ message: `Value ${bad} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.` }),
    );
  }
});
