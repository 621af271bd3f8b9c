// SQS dead-letter queues and message move tasks over JSON 1.0 with the real @aws-sdk/client-sqs,
// on the fake clock. [AWS-rec] = recorded against AWS (reference §3.5, test_sqs_move_task snapshots).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs, expectSqsError, invalidParameterValue, startLongPoll } from '../helpers/sqs.mjs';

let t;
/** Tests that await a long poll fail instead of hanging if the poll never answers. */
const LONG_POLL = { timeout: 15_000 };
before(async () => (t = await setupSqs()));
after(() => t.close());

const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const ALL = { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] };

/** A source queue redriving to a fresh DLQ after `maxReceiveCount` receives. */
async function pipe(maxReceiveCount = 1, extra = {}) {
  const dlq = await t.createQueue(t.name('dlq'));
  const dlqArn = await t.arnOf(dlq);
  const src = await t.createQueue(t.name('src'), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }), ...extra });
  return { src, srcArn: await t.arnOf(src), dlq, dlqArn };
}

/** Sends `n` messages to the source and pushes them into the DLQ (maxReceiveCount 1, VisibilityTimeout 0). */
async function fillDlq(p, n, prefix = 'message') {
  for (let i = 0; i < n; i++) await t.call('SendMessage', { QueueUrl: p.src, MessageBody: `${prefix}-${i}` });
  for (let i = 0; i < n; i++) await t.receive(p.src, { VisibilityTimeout: 0 });
  assert.deepEqual(await t.receive(p.src, { VisibilityTimeout: 0, MaxNumberOfMessages: 10 }), [], 'every message moved on its second receive');
  assert.equal((await t.attrs(p.dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, String(n));
}

const listTasks = async (SourceArn, MaxResults) => (await t.call('ListMessageMoveTasks', { SourceArn, MaxResults })).Results;

test('maxReceiveCount=1: receive #1 returns the message, the next receive moves it to the DLQ with its identity [AWS-rec]', async () => {
  const p = await pipe(1, { VisibilityTimeout: '0' });
  const sent = await t.call('SendMessage', {
    QueueUrl: p.src,
    MessageBody: 'message-1',
    MessageAttributes: { MyAttribute: { DataType: 'String', StringValue: 'foobar' } },
    MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE } },
  });
  const sentAt = String(t.clock.now());
  const first = await t.receive(p.src, ALL);
  assert.equal(first.length, 1);
  assert.equal(first[0].Attributes.ApproximateReceiveCount, '1');
  assert.equal(first[0].Attributes.DeadLetterQueueSourceArn, undefined);
  assert.deepEqual(await t.receive(p.src, ALL), [], 'the moving receive returns nothing');

  const [d] = await t.receive(p.dlq, ALL);
  assert.equal(d.MessageId, sent.MessageId);
  assert.equal(d.Body, 'message-1');
  assert.equal(d.MD5OfBody, '3d6b824fd8c1520e9a047d21fee6fb1f');
  assert.equal(d.MD5OfMessageAttributes, 'adb59cd4678ea5a855436b949cd07ab6');
  assert.deepEqual(d.MessageAttributes, { MyAttribute: { DataType: 'String', StringValue: 'foobar' } });
  assert.equal(d.Attributes.AWSTraceHeader, TRACE);
  assert.equal(d.Attributes.DeadLetterQueueSourceArn, p.srcArn);
  assert.equal(d.Attributes.ApproximateReceiveCount, '2', 'counter kept, the moving attempt not counted');
  assert.equal(d.Attributes.SentTimestamp, sentAt);
  assert.notEqual(d.ReceiptHandle, first[0].ReceiptHandle);
});

test('a move made by a receive that asks for no attribute keeps every attribute of the message', async () => {
  // Such a receive reads only a few columns of each row (RowNeeds in messages.ts); the move must not.
  const p = await pipe(1, { VisibilityTimeout: '0' });
  const sent = await t.call('SendMessage', {
    QueueUrl: p.src,
    MessageBody: 'lean',
    MessageAttributes: { MyAttribute: { DataType: 'String', StringValue: 'foobar' } },
    MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE } },
  });
  const sentAt = String(t.clock.now());
  const [first] = await t.receive(p.src, {});
  assert.deepEqual(Object.keys(first).sort(), ['Body', 'MD5OfBody', 'MessageId', 'ReceiptHandle']);
  const firstAt = String(t.clock.now());
  assert.deepEqual(await t.receive(p.src, {}), [], 'the moving receive returns nothing');
  const [d] = await t.receive(p.dlq, ALL);
  assert.equal(d.MessageId, sent.MessageId);
  assert.equal(d.Body, 'lean');
  assert.equal(d.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual(d.MessageAttributes, { MyAttribute: { DataType: 'String', StringValue: 'foobar' } });
  assert.equal(d.Attributes.AWSTraceHeader, TRACE);
  assert.match(d.Attributes.SenderId, /^[A-Z0-9]{21}$/);
  assert.equal(d.Attributes.SentTimestamp, sentAt);
  assert.equal(d.Attributes.ApproximateFirstReceiveTimestamp, firstAt);
  assert.equal(d.Attributes.ApproximateReceiveCount, '2');
  assert.equal(d.Attributes.DeadLetterQueueSourceArn, p.srcArn);
});

test('maxReceiveCount=3: three receives return the message, the fourth attempt moves it', async () => {
  const p = await pipe(3);
  await t.call('SendMessage', { QueueUrl: p.src, MessageBody: 'x' });
  for (let i = 1; i <= 3; i++) {
    const [m] = await t.receive(p.src, { VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    assert.equal(m.Attributes.ApproximateReceiveCount, String(i));
  }
  assert.deepEqual(await t.receive(p.src), []);
  const a = await t.attrs(p.src, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  assert.deepEqual(a, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  assert.equal((await t.receive(p.dlq)).length, 1);
});

test('a message that times out in flight moves on the next receive after the visibility timeout', async () => {
  const p = await pipe(1);
  await t.call('SendMessage', { QueueUrl: p.src, MessageBody: 'slow consumer' });
  assert.equal((await t.receive(p.src)).length, 1);
  t.clock.advance(30_000);
  assert.equal((await t.attrs(p.dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '0', 'moving is lazy: nothing moves without a receive');
  assert.deepEqual(await t.receive(p.src), []);
  assert.equal((await t.attrs(p.dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '1');
});

test('a long poll on the DLQ wakes up when a message is moved in', LONG_POLL, async () => {
  const p = await pipe(1, { VisibilityTimeout: '0' });
  const { response } = await startLongPoll(t, p.dlq, { WaitTimeSeconds: 20 });
  await t.call('SendMessage', { QueueUrl: p.src, MessageBody: 'to the dlq' });
  await t.receive(p.src);
  await t.receive(p.src);
  const out = await response;
  assert.equal(out.Messages[0].Body, 'to the dlq');
});

test('removing the RedrivePolicy stops redrive; ListDeadLetterSourceQueues follows', async () => {
  const p = await pipe(1, { VisibilityTimeout: '0' });
  assert.deepEqual((await t.call('ListDeadLetterSourceQueues', { QueueUrl: p.dlq })).queueUrls, [p.src]);
  await t.call('SetQueueAttributes', { QueueUrl: p.src, Attributes: { RedrivePolicy: '' } });
  assert.deepEqual((await t.call('ListDeadLetterSourceQueues', { QueueUrl: p.dlq })).queueUrls, []);
  await t.call('SendMessage', { QueueUrl: p.src, MessageBody: 'stays' });
  for (let i = 0; i < 3; i++) assert.equal((await t.receive(p.src)).length, 1);
});

test('FIFO source to FIFO DLQ keeps the group and the order', async () => {
  const dlq = await t.createQueue(`${t.name('fdlq')}.fifo`, { FifoQueue: 'true' });
  const src = await t.createQueue(`${t.name('fsrc')}.fifo`, {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'true',
    VisibilityTimeout: '0',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await t.arnOf(dlq), maxReceiveCount: 1 }),
  });
  for (const b of ['a', 'b']) await t.call('SendMessage', { QueueUrl: src, MessageBody: b, MessageGroupId: 'g1' });
  assert.deepEqual((await t.receive(src, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ['a', 'b']);
  assert.deepEqual(await t.receive(src, { MaxNumberOfMessages: 10 }), []);
  const moved = await t.receive(dlq, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId', 'DeadLetterQueueSourceArn'] });
  assert.deepEqual(moved.map((m) => m.Body), ['a', 'b']);
  assert.equal(moved[0].Attributes.MessageGroupId, 'g1');
  assert.equal(moved[0].Attributes.DeadLetterQueueSourceArn, await t.arnOf(src));
});

test('StartMessageMoveTask errors: not a DLQ, missing destination/source, second task, rate [AWS-rec messages]', async () => {
  const plain = await t.createQueue(t.name('mt-plain'));
  const dest = await t.createQueue(t.name('mt-dest'));
  await expectSqsError(
    t.call('StartMessageMoveTask', { SourceArn: await t.arnOf(plain), DestinationArn: await t.arnOf(dest) }),
    invalidParameterValue({ message: 'Source queue must be configured as a Dead Letter Queue.' }),
  );
  const p = await pipe(1);
  const missing = 'arn:aws:sqs:us-east-1:000000000000:no-such-destination';
  const err = await expectSqsError(t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, DestinationArn: missing }), {
    name: 'ResourceNotFoundException',
    code: 'ResourceNotFoundException',
    status: 404,
    message: "The resource that you specified for the DestinationArn parameter doesn't exist.",
  });
  assert.equal(err.$fault, 'client');
  await expectSqsError(t.call('StartMessageMoveTask', { SourceArn: 'arn:aws:sqs:us-east-1:000000000000:no-such-source' }), {
    name: 'ResourceNotFoundException',
    status: 404,
  });
  await expectSqsError(t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, MaxNumberOfMessagesPerSecond: 0 }), invalidParameterValue());
  await expectSqsError(t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, MaxNumberOfMessagesPerSecond: 501 }), invalidParameterValue());

  await fillDlq(p, 2);
  const { TaskHandle } = await t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, MaxNumberOfMessagesPerSecond: 1 });
  assert.ok(TaskHandle);
  await expectSqsError(
    t.call('StartMessageMoveTask', { SourceArn: p.dlqArn }),
    invalidParameterValue({ message: 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.' }),
  );
  t.clock.advance(1_000);
  assert.equal((await listTasks(p.dlqArn))[0].Status, 'COMPLETED');
  const again = await t.call('StartMessageMoveTask', { SourceArn: p.dlqArn });
  assert.ok(again.TaskHandle, 'a new task may start once the previous one is done');
  t.clock.advance(0);
});

test('move task with DestinationArn: messages move, the task completes with counters [AWS-rec shape]', async () => {
  const p = await pipe(1);
  const dest = await t.createQueue(t.name('mt-dest'));
  const destArn = await t.arnOf(dest);
  await fillDlq(p, 2);
  const startedAt = t.clock.now();
  const { TaskHandle } = await t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, DestinationArn: destArn });
  const decoded = JSON.parse(Buffer.from(TaskHandle, 'base64').toString('utf8'));
  assert.equal(decoded.sourceArn, p.dlqArn, 'the handle carries the source ARN, like AWS');
  assert.match(decoded.taskId, /^[0-9a-f-]{36}$/);

  t.clock.advance(0);
  const moved = await t.receive(dest, { MaxNumberOfMessages: 10, ...ALL });
  assert.deepEqual(moved.map((m) => m.Body).sort(), ['message-0', 'message-1']);
  assert.deepEqual(await t.receive(p.dlq), [], 'the DLQ is empty');
  const [r] = await listTasks(p.dlqArn);
  assert.deepEqual(r, {
    ApproximateNumberOfMessagesMoved: 2,
    ApproximateNumberOfMessagesToMove: 2,
    DestinationArn: destArn,
    SourceArn: p.dlqArn,
    StartedTimestamp: startedAt,
    Status: 'COMPLETED',
  });
});

test('move task without DestinationArn sends each message back to its own source queue [AWS-rec shape]', async () => {
  const dlq = await t.createQueue(t.name('mt-multi-dlq'));
  const dlqArn = await t.arnOf(dlq);
  const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 });
  const s1 = await t.createQueue(t.name('mt-s1'), { RedrivePolicy: redrive });
  const s2 = await t.createQueue(t.name('mt-s2'), { RedrivePolicy: redrive });
  await fillDlq({ src: s1, dlq }, 2, 's1');
  for (let i = 0; i < 2; i++) await t.call('SendMessage', { QueueUrl: s2, MessageBody: `s2-${i}` });
  for (let i = 0; i < 2; i++) await t.receive(s2, { VisibilityTimeout: 0 });
  await t.receive(s2, { VisibilityTimeout: 0, MaxNumberOfMessages: 10 });
  assert.equal((await t.attrs(dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '4');

  await t.call('StartMessageMoveTask', { SourceArn: dlqArn });
  t.clock.advance(0);
  const back1 = await t.receive(s1, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] });
  const back2 = await t.receive(s2, { MaxNumberOfMessages: 10 });
  assert.deepEqual(back1.map((m) => m.Body).sort(), ['s1-0', 's1-1']);
  assert.deepEqual(back2.map((m) => m.Body).sort(), ['s2-0', 's2-1']);
  const [r] = await listTasks(dlqArn);
  assert.equal(r.Status, 'COMPLETED');
  assert.equal(r.ApproximateNumberOfMessagesMoved, 4);
  assert.equal(r.ApproximateNumberOfMessagesToMove, 4);
  assert.equal(r.DestinationArn, undefined, 'no DestinationArn when none was given');
  assert.equal(r.TaskHandle, undefined, 'TaskHandle only while RUNNING');
});

test('MaxNumberOfMessagesPerSecond=2 moves 5 messages in 3 ticks of the clock, RUNNING in between', async () => {
  const p = await pipe(1);
  const dest = await t.createQueue(t.name('mt-rate'));
  await fillDlq(p, 5);
  const { TaskHandle } = await t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, DestinationArn: await t.arnOf(dest), MaxNumberOfMessagesPerSecond: 2 });
  const progress = async () => {
    const [r] = await listTasks(p.dlqArn);
    return [r.Status, r.ApproximateNumberOfMessagesMoved];
  };
  t.clock.advance(0);
  assert.deepEqual(await progress(), ['RUNNING', 2]);
  const [running] = await listTasks(p.dlqArn);
  assert.equal(running.TaskHandle, TaskHandle);
  assert.equal(running.MaxNumberOfMessagesPerSecond, 2);
  assert.equal(running.ApproximateNumberOfMessagesToMove, 5);
  t.clock.advance(999);
  assert.deepEqual(await progress(), ['RUNNING', 2], 'nothing moves before the next second');
  t.clock.advance(1);
  assert.deepEqual(await progress(), ['RUNNING', 4]);
  t.clock.advance(1_000);
  assert.deepEqual(await progress(), ['COMPLETED', 5]);
  assert.equal((await t.attrs(dest, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '5');
});

test('CancelMessageMoveTask stops a running task and reports how many moved [AWS-rec shape]', async () => {
  const p = await pipe(1);
  const dest = await t.createQueue(t.name('mt-cancel'));
  await fillDlq(p, 10);
  const { TaskHandle } = await t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, DestinationArn: await t.arnOf(dest), MaxNumberOfMessagesPerSecond: 1 });
  t.clock.advance(1_000); // ticks at +0 s and +1 s
  const cancelled = await t.call('CancelMessageMoveTask', { TaskHandle });
  assert.equal(cancelled.ApproximateNumberOfMessagesMoved, 2);
  t.clock.advance(5_000);
  const [r] = await listTasks(p.dlqArn);
  assert.equal(r.Status, 'CANCELLED');
  assert.equal(r.ApproximateNumberOfMessagesMoved, 2);
  assert.equal(r.ApproximateNumberOfMessagesToMove, 10);
  assert.equal(r.TaskHandle, undefined);
  assert.equal((await t.attrs(p.dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '8', 'the rest stays in the DLQ');
  await expectSqsError(t.call('CancelMessageMoveTask', { TaskHandle }), { name: 'ResourceNotFoundException', status: 404 });
});

test('CancelMessageMoveTask handle errors: garbage, unknown source, unknown task [AWS-rec messages]', async () => {
  await expectSqsError(
    t.call('CancelMessageMoveTask', { TaskHandle: 'foobared' }),
    invalidParameterValue({ message: 'Value for parameter TaskHandle is invalid.' }),
  );
  const handle = (taskId, sourceArn) => Buffer.from(`{"taskId":"${taskId}","sourceArn":"${sourceArn}"}`).toString('base64');
  await expectSqsError(
    t.call('CancelMessageMoveTask', { TaskHandle: handle('10f57157-fc38-4da9-a113-4de7e12d05dd', 'arn:aws:sqs:us-east-1:878966065785:test-queue-doesnt-exist-123456') }),
    { name: 'ResourceNotFoundException', code: 'ResourceNotFoundException', status: 404, message: "The resource that you specified for the SourceArn parameter doesn't exist." },
  );
  const q = await t.createQueue(t.name('mt-unknown-task'));
  await expectSqsError(
    t.call('CancelMessageMoveTask', { TaskHandle: handle('10f57157-fc38-4da9-a113-4de7e12d05aa', await t.arnOf(q)) }),
    { name: 'ResourceNotFoundException', code: 'ResourceNotFoundException', status: 404, message: 'Task does not exist.' },
  );
});

test('deleting the destination while a task runs fails the task with NonExistentQueue [AWS-rec]', async () => {
  const p = await pipe(1);
  const dest = await t.createQueue(t.name('mt-gone'));
  await fillDlq(p, 10);
  await t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, DestinationArn: await t.arnOf(dest), MaxNumberOfMessagesPerSecond: 1 });
  t.clock.advance(2_000); // 3 moved
  await t.call('DeleteQueue', { QueueUrl: dest });
  t.clock.advance(1_000);
  const [r] = await listTasks(p.dlqArn);
  assert.equal(r.Status, 'FAILED');
  assert.equal(r.FailureReason, 'AWS.SimpleQueueService.NonExistentQueue');
  assert.equal(r.ApproximateNumberOfMessagesMoved, 3);
  assert.equal((await t.attrs(p.dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '7', 'no message lost');
});

test('ListMessageMoveTasks: most recent first, MaxResults 1 by default and up to 10', async () => {
  const p = await pipe(1);
  const destArn = await t.arnOf(await t.createQueue(t.name('mt-list')));
  for (let i = 0; i < 3; i++) {
    await fillDlq(p, 1, `round${i}`);
    await t.call('StartMessageMoveTask', { SourceArn: p.dlqArn, DestinationArn: destArn, MaxNumberOfMessagesPerSecond: 1 + i });
    t.clock.advance(1_000);
  }
  const one = await listTasks(p.dlqArn);
  assert.equal(one.length, 1);
  assert.equal(one[0].MaxNumberOfMessagesPerSecond, 3, 'the most recent task');
  const all = await listTasks(p.dlqArn, 10);
  assert.deepEqual(all.map((r) => r.MaxNumberOfMessagesPerSecond), [3, 2, 1]);
  assert.ok(all.every((r) => r.Status === 'COMPLETED'));
  await expectSqsError(t.call('ListMessageMoveTasks', { SourceArn: p.dlqArn, MaxResults: 11 }), invalidParameterValue());
  await expectSqsError(t.call('ListMessageMoveTasks', { SourceArn: 'arn:aws:sqs:us-east-1:000000000000:nope' }), { name: 'ResourceNotFoundException', status: 404 });
});

test('a task that fails halfway through a tick counts each message it moved once', async () => {
  const dlq = await t.createQueue(t.name('mt-half-dlq'));
  const dlqArn = await t.arnOf(dlq);
  const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 });
  const s1 = await t.createQueue(t.name('mt-half-s1'), { RedrivePolicy: redrive });
  const s2 = await t.createQueue(t.name('mt-half-s2'), { RedrivePolicy: redrive });
  await fillDlq({ src: s1, dlq }, 2, 's1');
  for (let i = 0; i < 2; i++) await t.call('SendMessage', { QueueUrl: s2, MessageBody: `s2-${i}` });
  for (let i = 0; i < 2; i++) await t.receive(s2, { VisibilityTimeout: 0 });
  await t.receive(s2, { VisibilityTimeout: 0, MaxNumberOfMessages: 10 });
  await t.call('DeleteQueue', { QueueUrl: s2 });
  // One tick: the two s1 letters (oldest first) go home, then s2's first letter has no queue to go to.
  await t.call('StartMessageMoveTask', { SourceArn: dlqArn });
  t.clock.advance(0);
  const [r] = await listTasks(dlqArn);
  assert.equal(r.Status, 'FAILED');
  assert.equal(r.FailureReason, 'AWS.SimpleQueueService.NonExistentQueue');
  assert.equal(r.ApproximateNumberOfMessagesMoved, 2);
  assert.deepEqual((await t.receive(s1, { MaxNumberOfMessages: 10 })).map((m) => m.Body).sort(), ['s1-0', 's1-1']);
  assert.equal((await t.attrs(dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '2', 'the rest stays in the DLQ');
});
