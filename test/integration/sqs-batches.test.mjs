// SQS batch operations over JSON 1.0 with the real @aws-sdk/client-sqs: SendMessageBatch,
// DeleteMessageBatch, ChangeMessageVisibilityBatch — per-entry results and request-level errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setupSqs, expectSqsError, invalidParameterValue } from '../helpers/sqs.mjs';

let t;
before(async () => (t = await setupSqs()));
after(() => t.close());

const md5 = (s) => createHash('md5').update(s).digest('hex');
const entries = (n, f = (i) => ({ Id: `e${i}`, MessageBody: `body-${i}` })) => Array.from({ length: n }, (_, i) => f(i));
const OPS = [
  ['SendMessageBatch', (i) => ({ Id: `e${i}`, MessageBody: 'x' })],
  ['DeleteMessageBatch', (i) => ({ Id: `e${i}`, ReceiptHandle: 'testHandle' })],
  ['ChangeMessageVisibilityBatch', (i) => ({ Id: `e${i}`, ReceiptHandle: 'testHandle', VisibilityTimeout: 1 })],
];

test('SendMessageBatch: every entry gets its MessageId and MD5s; bodies arrive with their attributes and delays', async () => {
  const url = await t.createQueue(t.name('send'));
  const out = await t.call('SendMessageBatch', {
    QueueUrl: url,
    Entries: [
      { Id: 'plain', MessageBody: 'msg' },
      { Id: 'attrs', MessageBody: 'test', MessageAttributes: { Foo: { DataType: 'String', StringValue: 'Bar' } } },
      { Id: 'delayed', MessageBody: 'later', DelaySeconds: 30 },
      { Id: 'traced', MessageBody: 'trace', MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' } } },
    ],
  });
  assert.deepEqual(out.Failed ?? [], []);
  const byId = Object.fromEntries(out.Successful.map((s) => [s.Id, s]));
  assert.deepEqual(Object.keys(byId).sort(), ['attrs', 'delayed', 'plain', 'traced']);
  assert.equal(byId.plain.MD5OfMessageBody, '6e2baaf3b97dbeef01c0043275f9a0e7');
  assert.equal(byId.plain.MD5OfMessageAttributes, undefined);
  assert.equal(byId.attrs.MD5OfMessageBody, '098f6bcd4621d373cade4e832627b4f6');
  assert.equal(byId.attrs.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');
  assert.equal(byId.traced.MD5OfMessageSystemAttributes, '5ae4d5d7636402d80f4eb6d213245a88');
  assert.equal(byId.plain.SequenceNumber, undefined);
  assert.equal(new Set(out.Successful.map((s) => s.MessageId)).size, 4);

  const got = await t.receive(url, { MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 3_600 });
  assert.deepEqual(got.map((m) => m.Body).sort(), ['msg', 'test', 'trace']);
  assert.equal(got.find((m) => m.Body === 'test').MessageId, byId.attrs.MessageId);
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessagesDelayed'])).ApproximateNumberOfMessagesDelayed, '1');
  t.clock.advance(30_000);
  assert.deepEqual((await t.receive(url)).map((m) => m.Body), ['later']);
});

test('SendMessageBatch with mixed entries: valid ones are sent, bad ones reported in Failed with HTTP 200 [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('mixed'), { MaximumMessageSize: '1024' });
  const out = await t.call('SendMessageBatch', {
    QueueUrl: url,
    Entries: [
      { Id: 'a4cff0d1-1961-44bd-ae53-c6d5ed71ed08', MessageBody: 'a'.repeat(1024) },
      { Id: '35b535ed-b76a-4ebd-b749-6eb35cdb55ee', MessageBody: 'a'.repeat(1025) },
      { Id: 'badchar', MessageBody: '\u0001' },
      { Id: 'emptyattr', MessageBody: 'x', MessageAttributes: { ErrorDetails: { DataType: 'String', StringValue: '' } } },
      { Id: 'ok2', MessageBody: 'fine' },
    ],
  });
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.deepEqual(out.Successful.map((s) => s.Id).sort(), ['a4cff0d1-1961-44bd-ae53-c6d5ed71ed08', 'ok2']);
  assert.equal(out.Successful.find((s) => s.Id === 'ok2').MD5OfMessageBody, md5('fine'));
  const failed = Object.fromEntries(out.Failed.map((f) => [f.Id, f]));
  assert.deepEqual(failed['35b535ed-b76a-4ebd-b749-6eb35cdb55ee'], {
    Id: '35b535ed-b76a-4ebd-b749-6eb35cdb55ee',
    SenderFault: true,
    Code: 'InvalidParameterValue',
    Message: 'One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes.',
  });
  assert.equal(failed.badchar.Code, 'InvalidMessageContents', '[AWS-validated]');
  assert.equal(failed.badchar.SenderFault, true);
  assert.equal(failed.emptyattr.Code, 'InvalidParameterValue');
  assert.equal(failed.emptyattr.Message, "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.");
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '2');
});

test('request-level batch errors for all three batch operations: empty, more than 10 [AWS-rec], repeated ids, bad ids [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('batch-errors'));
  for (const [op, entry] of OPS) {
    const err = await expectSqsError(t.call(op, { QueueUrl: url, Entries: [] }), {
      name: 'EmptyBatchRequest',
      code: 'AWS.SimpleQueueService.EmptyBatchRequest',
    });
    assert.ok(err.message.length > 0, `${op}: a message`);
    await expectSqsError(t.call(op, { QueueUrl: url, Entries: entries(20, entry) }), {
      name: 'TooManyEntriesInBatchRequest',
      code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      message: 'Maximum number of entries per request are 10. You have sent 20.',
    });
    await expectSqsError(t.call(op, { QueueUrl: url, Entries: [entry(1), entry(1)] }), {
      name: 'BatchEntryIdsNotDistinct',
      code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    });
    for (const Id of ['', 'invalid:id', 'testLongId'.repeat(10)]) {
      await expectSqsError(t.call(op, { QueueUrl: url, Entries: [{ ...entry(0), Id }] }), {
        name: 'InvalidBatchEntryId',
        code: 'AWS.SimpleQueueService.InvalidBatchEntryId',
        message: 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      });
    }
  }
  const ok = await t.call('SendMessageBatch', { QueueUrl: url, Entries: entries(10, (i) => ({ Id: `${'x'.repeat(79)}${i}`, MessageBody: 'ten' })) });
  assert.equal(ok.Successful.length, 10, '10 entries and 80-character ids are fine');
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '10', 'no refused request sent anything');
});

test('SendMessageBatch over 1 MiB in total is BatchRequestTooLong [AWS-rec]; exactly the queue maximum is fine [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('too-long'));
  const k = { k: { DataType: 'String', StringValue: 'x' } }; // 8 bytes
  await expectSqsError(
    t.call('SendMessageBatch', {
      QueueUrl: url,
      Entries: [
        { Id: '1', MessageBody: 'a'.repeat(1_048_576 - 8), MessageAttributes: k },
        { Id: '2', MessageBody: 'a' },
      ],
    }),
    { name: 'BatchRequestTooLong', code: 'AWS.SimpleQueueService.BatchRequestTooLong', message: 'Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.' },
  );
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '0');

  await t.call('SetQueueAttributes', { QueueUrl: url, Attributes: { MaximumMessageSize: '2048' } });
  const out = await t.call('SendMessageBatch', {
    QueueUrl: url,
    Entries: [
      { Id: '1', MessageBody: 'a'.repeat(2048 - 8), MessageAttributes: k },
      { Id: '2', MessageBody: 'a' },
    ],
  });
  assert.deepEqual(out.Successful.map((s) => s.Id), ['1', '2']);
  assert.equal(out.Successful[0].MD5OfMessageAttributes, 'a45daa70926828a2f0a1db3418e6feb4');
  assert.equal(out.Successful[1].MD5OfMessageBody, '0cc175b9c0f1b6a831c399e269772661');
});

test('FIFO SendMessageBatch: order and increasing sequence numbers; missing dedup id or group id fails the whole request [AWS-rec]', async () => {
  const url = await t.createQueue(`${t.name('fifo-batch')}.fifo`, { FifoQueue: 'true', ContentBasedDeduplication: 'false' });
  const out = await t.call('SendMessageBatch', {
    QueueUrl: url,
    Entries: entries(5, (i) => ({ Id: `m${i}`, MessageBody: `body-${i}`, MessageGroupId: 'g', MessageDeduplicationId: `d${i}` })),
  });
  const seqs = out.Successful.map((s) => BigInt(s.SequenceNumber));
  assert.deepEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)), seqs, 'sequence numbers follow entry order');
  assert.deepEqual((await t.receive(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ['body-0', 'body-1', 'body-2', 'body-3', 'body-4']);

  await expectSqsError(
    t.call('SendMessageBatch', {
      QueueUrl: url,
      Entries: [
        { Id: 'ok', MessageBody: 'messageBody', MessageGroupId: 'test-group', MessageDeduplicationId: 'dedup-ok' },
        { Id: 'nodedup', MessageBody: 'messageBody', MessageGroupId: 'test-group' },
      ],
    }),
    invalidParameterValue({ message: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly' }),
  );
  await expectSqsError(
    t.call('SendMessageBatch', {
      QueueUrl: url,
      Entries: [
        { Id: 'ok', MessageBody: 'messageBody', MessageGroupId: 'test-group', MessageDeduplicationId: 'dedup-a' },
        { Id: 'nogroup', MessageBody: 'messageBody', MessageDeduplicationId: 'dedup-b' },
      ],
    }),
    invalidParameterValue({ message: 'The request must contain the parameter MessageGroupId.' }),
  );
  const a = await t.attrs(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  assert.deepEqual(a, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '5' }, 'nothing from the refused requests');

  const dup = await t.call('SendMessageBatch', {
    QueueUrl: url,
    Entries: [
      { Id: 'x1', MessageBody: 'once', MessageGroupId: 'h', MessageDeduplicationId: 'same' },
      { Id: 'x2', MessageBody: 'twice', MessageGroupId: 'h', MessageDeduplicationId: 'same' },
    ],
  });
  assert.equal(dup.Successful.length, 2);
  assert.equal(dup.Successful[0].MessageId, dup.Successful[1].MessageId, 'a duplicate within the batch maps to the first message');
});

test('DeleteMessageBatch: Successful and Failed entries side by side', async () => {
  const url = await t.createQueue(t.name('delete-batch'));
  await t.call('SendMessageBatch', { QueueUrl: url, Entries: entries(3) });
  const got = await t.receive(url, { MaxNumberOfMessages: 10 });
  assert.equal(got.length, 3);
  const out = await t.call('DeleteMessageBatch', {
    QueueUrl: url,
    Entries: [
      { Id: 'd0', ReceiptHandle: got[0].ReceiptHandle },
      { Id: 'd1', ReceiptHandle: got[1].ReceiptHandle },
      { Id: 'garbage', ReceiptHandle: 'garbage' },
    ],
  });
  assert.deepEqual(out.Successful.map((s) => s.Id).sort(), ['d0', 'd1']);
  assert.deepEqual(out.Failed, [
    { Id: 'garbage', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "garbage" is not a valid receipt handle.' },
  ]);
  const a = await t.attrs(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  assert.deepEqual(a, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
  await expectSqsError(t.call('DeleteMessageBatch', { QueueUrl: `${t.url}/000000000000/nope`, Entries: [{ Id: 'a', ReceiptHandle: 'x' }] }), { name: 'QueueDoesNotExist' });
});

test('ChangeMessageVisibilityBatch: per-entry visibility, per-entry failures', async () => {
  const url = await t.createQueue(t.name('cmv-batch'));
  await t.call('SendMessageBatch', { QueueUrl: url, Entries: entries(3) });
  const got = await t.receive(url, { MaxNumberOfMessages: 10 });
  const out = await t.call('ChangeMessageVisibilityBatch', {
    QueueUrl: url,
    Entries: [
      { Id: 'now', ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: 0 },
      { Id: 'later', ReceiptHandle: got[1].ReceiptHandle, VisibilityTimeout: 100 },
      { Id: 'toolong', ReceiptHandle: got[2].ReceiptHandle, VisibilityTimeout: 43_201 },
      { Id: 'garbage', ReceiptHandle: 'garbage', VisibilityTimeout: 10 },
    ],
  });
  assert.deepEqual(out.Successful.map((s) => s.Id).sort(), ['later', 'now']);
  const failed = Object.fromEntries(out.Failed.map((f) => [f.Id, f]));
  assert.deepEqual(Object.keys(failed).sort(), ['garbage', 'toolong']);
  assert.equal(failed.toolong.Code, 'InvalidParameterValue');
  assert.equal(failed.toolong.SenderFault, true);
  assert.equal(failed.garbage.Code, 'ReceiptHandleIsInvalid');

  assert.deepEqual((await t.receive(url, { VisibilityTimeout: 3_600 })).map((m) => m.MessageId), [got[0].MessageId], 'visibility 0: back at once');
  t.clock.advance(30_000);
  assert.deepEqual((await t.receive(url)).map((m) => m.MessageId), [got[2].MessageId], 'unchanged: the queue default 30 s');
  t.clock.advance(70_000);
  assert.ok((await t.receive(url, { MaxNumberOfMessages: 10 })).some((m) => m.MessageId === got[1].MessageId), 'after 100 s');
});
