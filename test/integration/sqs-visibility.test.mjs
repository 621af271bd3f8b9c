// SQS receive semantics over JSON 1.0 with the real @aws-sdk/client-sqs, on the fake clock:
// visibility timeouts, ChangeMessageVisibility, receipt handles, delays, long polling, retention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs, expectSqsError, invalidParameterValue, missingParameter, startLongPoll, settlesSoon, tick } from '../helpers/sqs.mjs';

let t;
/** Tests that await a long poll fail instead of hanging if the poll never answers. */
const LONG_POLL = { timeout: 15_000 };
before(async () => (t = await setupSqs()));
after(() => t.close());

const ALL = { MessageSystemAttributeNames: ['All'] };
const counts = async (url) => {
  const a = await t.attrs(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']);
  return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible), Number(a.ApproximateNumberOfMessagesDelayed)];
};

test('an empty queue answers {} without a Messages key, for short and long polls [AWS-rec]', LONG_POLL, async () => {
  const url = await t.createQueue(t.name('empty'));
  const short = await t.call('ReceiveMessage', { QueueUrl: url });
  assert.equal(short.Messages, undefined);
  const { response: poll } = await startLongPoll(t, url, { WaitTimeSeconds: 1 });
  t.clock.advance(1000);
  const long = await poll;
  assert.equal(long.Messages, undefined);
});

test('visibility timeout: invisible until it runs out, then received again with a higher count and a stable first-receive time', async () => {
  const url = await t.createQueue(t.name('vis'), { VisibilityTimeout: '30' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'hello' });
  const firstAt = t.clock.now();
  const [m1] = await t.receive(url, ALL);
  assert.equal(m1.Attributes.ApproximateReceiveCount, '1');
  assert.equal(m1.Attributes.ApproximateFirstReceiveTimestamp, String(firstAt));
  assert.deepEqual(await counts(url), [0, 1, 0]);
  assert.deepEqual(await t.receive(url), [], 'in flight: not returned');
  t.clock.advance(29_999);
  assert.deepEqual(await t.receive(url), [], 'still in flight 1 ms before the timeout');
  t.clock.advance(1);
  assert.deepEqual(await counts(url), [1, 0, 0]);
  const [m2] = await t.receive(url, ALL);
  assert.equal(m2.MessageId, m1.MessageId);
  assert.notEqual(m2.ReceiptHandle, m1.ReceiptHandle, 'a new receipt handle per receive');
  assert.equal(m2.Attributes.ApproximateReceiveCount, '2');
  assert.equal(m2.Attributes.ApproximateFirstReceiveTimestamp, String(firstAt));
});

test('ReceiveMessage VisibilityTimeout overrides the queue value; 0 leaves the message visible', async () => {
  const url = await t.createQueue(t.name('vis-param'), { VisibilityTimeout: '300' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'x' });
  assert.equal((await t.receive(url, { VisibilityTimeout: 0 })).length, 1);
  const [again] = await t.receive(url, { VisibilityTimeout: 5, ...ALL });
  assert.equal(again.Attributes.ApproximateReceiveCount, '2');
  assert.deepEqual(await t.receive(url), []);
  t.clock.advance(5_000);
  assert.equal((await t.receive(url)).length, 1, 'visible after the 5 s override, not the queue 300 s');
});

test('ChangeMessageVisibility extends from now, 0 makes the message visible at once', async () => {
  const url = await t.createQueue(t.name('cmv'), { VisibilityTimeout: '10' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'x' });
  const [m] = await t.receive(url);
  t.clock.advance(8_000);
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 60 });
  t.clock.advance(59_000);
  assert.deepEqual(await t.receive(url), [], 'extended: 60 s counted from the change');
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 });
  assert.deepEqual(await counts(url), [1, 0, 0]);
  const [back] = await t.receive(url);
  assert.equal(back.MessageId, m.MessageId);
});

test('ChangeMessageVisibility after the timeout ran out succeeds and leaves the message visible [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('cmv-expired'), { VisibilityTimeout: '1' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'test' });
  const [m] = await t.receive(url);
  t.clock.advance(2_000);
  const out = await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 2 });
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.deepEqual(await counts(url), [1, 0, 0], 'the message was not hidden again');
});

test('ChangeMessageVisibility on a deleted message is InvalidParameterValue [AWS-validated message]; an earlier handle still works on a standard queue', async () => {
  const url = await t.createQueue(t.name('cmv-deleted'));
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'foo' });
  const [m] = await t.receive(url);
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 42 });
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
  await expectSqsError(
    t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 42 }),
    invalidParameterValue({
      message: `Value ${m.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    }),
  );

  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'bar' });
  const [first] = await t.receive(url, { VisibilityTimeout: 0 });
  const [second] = await t.receive(url, { VisibilityTimeout: 30 });
  assert.equal(first.MessageId, second.MessageId);
  // AWS: the first receive's handle changes the visibility set by the second receive (LocalStack
  // test_terminate_visibility_timeout_after_receive, aws.validated). FIFO queues refuse it (sqs-fifo).
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 });
  assert.deepEqual(await counts(url), [1, 0, 0], 'the earlier handle released the message');
});

test('ChangeMessageVisibility range and the 12-hour limit counted from the first receive', async () => {
  const url = await t.createQueue(t.name('cmv-limit'));
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'x' });
  const [m] = await t.receive(url, { VisibilityTimeout: 43_200 });
  await expectSqsError(t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43_201 }), invalidParameterValue());
  await expectSqsError(t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: -1 }), invalidParameterValue());
  await expectSqsError(t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle }), missingParameter());
  t.clock.advance(3_600_000);
  await expectSqsError(
    t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43_200 }),
    invalidParameterValue({ includes: 'VisibilityTimeout' }),
  );
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 39_600 });
  await expectSqsError(t.receive(url, { VisibilityTimeout: 43_201 }), invalidParameterValue({ includes: 'Value 43201 for parameter VisibilityTimeout is invalid.' }));
});

test('DeleteMessage: garbage handle is ReceiptHandleIsInvalid [AWS-rec]; repeated deletes and expired handles succeed on a standard queue', async () => {
  const url = await t.createQueue(t.name('delete'), { VisibilityTimeout: '1' });
  await expectSqsError(t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: 'garbage' }), {
    name: 'ReceiptHandleIsInvalid',
    code: 'ReceiptHandleIsInvalid',
    message: 'The input receipt handle "garbage" is not a valid receipt handle.',
  });
  await expectSqsError(t.call('DeleteMessage', { QueueUrl: url }), missingParameter({ message: 'The request must contain the parameter ReceiptHandle.' }));

  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'foo' });
  const [m] = await t.receive(url);
  for (let i = 0; i < 3; i++) await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
  assert.deepEqual(await counts(url), [0, 0, 0]);

  // The visibility timeout ran out before the delete: a standard queue still deletes [AWS-validated].
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'late' });
  const [late] = await t.receive(url);
  t.clock.advance(2_000);
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: late.ReceiptHandle });
  assert.deepEqual(await t.receive(url), []);

  // An older handle of a message received again since (svl: still deletes, like the expired case).
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'old' });
  const [h1] = await t.receive(url, { VisibilityTimeout: 0 });
  const [h2] = await t.receive(url);
  assert.equal(h1.MessageId, h2.MessageId);
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: h1.ReceiptHandle });
  assert.deepEqual(await counts(url), [0, 0, 0]);
});

test('a receipt handle of another queue is ReceiptHandleIsInvalid', async () => {
  const a = await t.createQueue(t.name('rh-a'));
  const b = await t.createQueue(t.name('rh-b'));
  await t.call('SendMessage', { QueueUrl: a, MessageBody: 'x' });
  const [m] = await t.receive(a);
  await expectSqsError(t.call('DeleteMessage', { QueueUrl: b, ReceiptHandle: m.ReceiptHandle }), { name: 'ReceiptHandleIsInvalid' });
  assert.deepEqual(await counts(a), [0, 1, 0], 'the message in queue a is untouched');
});

test('per-message DelaySeconds overrides the queue DelaySeconds; delayed messages are counted as delayed', async () => {
  const url = await t.createQueue(t.name('delay'), { DelaySeconds: '10' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'queue-delay' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'no-delay', DelaySeconds: 0 });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'long-delay', DelaySeconds: 60 });
  assert.deepEqual(await counts(url), [1, 0, 2]);
  const got = async () => (await t.receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).map((m) => m.Body).sort();
  assert.deepEqual(await got(), ['no-delay']);
  t.clock.advance(10_000);
  assert.deepEqual(await got(), ['no-delay', 'queue-delay']);
  assert.deepEqual(await counts(url), [2, 0, 1]);
  t.clock.advance(50_000);
  assert.deepEqual(await got(), ['long-delay', 'no-delay', 'queue-delay']);
});

test('long poll returns as soon as a message is sent, without waiting to fill MaxNumberOfMessages', LONG_POLL, async () => {
  const url = await t.createQueue(t.name('lp-send'));
  const { response: poll } = await startLongPoll(t, url, { WaitTimeSeconds: 20, MaxNumberOfMessages: 10 });
  assert.equal(await settlesSoon(poll), false, 'the poll waits while the queue is empty');
  const sent = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'wake up' });
  const out = await poll;
  assert.equal(out.Messages.length, 1);
  assert.equal(out.Messages[0].MessageId, sent.MessageId);
});

test('long poll with the fake clock: empty answer after WaitTimeSeconds, not before', LONG_POLL, async () => {
  const url = await t.createQueue(t.name('lp-timeout'));
  const { response: poll } = await startLongPoll(t, url, { WaitTimeSeconds: 20 });
  t.clock.advance(19_999);
  assert.equal(await settlesSoon(poll), false, 'still waiting at 19.999 s');
  t.clock.advance(1);
  const out = await poll;
  assert.equal(out.Messages, undefined);
});

test('a long poll whose message becomes visible between its first attempt and its wait still wakes (a preempted receive)', LONG_POLL, async () => {
  const url = await t.createQueue(t.name('lp-race'));
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'soon', DelaySeconds: 5 });
  // The receive's first attempt finds nothing; before the poll starts waiting, time passes the delay (what a
  // busy machine does when it preempts the emulator between the two). The wait must still see the message.
  const engine = t.emu.sqs.messages;
  const receiveNow = engine.receiveNow;
  engine.receiveNow = function (...args) {
    engine.receiveNow = receiveNow;
    const got = receiveNow.apply(this, args);
    t.clock.advance(5_000);
    return got;
  };
  try {
    const { response: poll } = await startLongPoll(t, url, { WaitTimeSeconds: 20 });
    t.clock.advance(0);
    const out = await poll;
    assert.equal(out.Messages?.[0]?.Body, 'soon');
  } finally {
    engine.receiveNow = receiveNow;
  }
});

test('long poll wakes when a delayed message becomes visible, or an in-flight one times out', LONG_POLL, async () => {
  const url = await t.createQueue(t.name('lp-delay'));
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'later', DelaySeconds: 5 });
  const { response: poll } = await startLongPoll(t, url, { WaitTimeSeconds: 20 });
  t.clock.advance(4_000);
  assert.equal(await settlesSoon(poll), false);
  t.clock.advance(1_000);
  const out = await poll;
  assert.equal(out.Messages[0].Body, 'later');

  const { response: poll2 } = await startLongPoll(t, url, { WaitTimeSeconds: 20 });
  t.clock.advance(10_000); // the first receive's 30 s visibility is not over yet
  assert.equal(await settlesSoon(poll2), false);
  t.clock.advance(10_000);
  assert.equal((await poll2).Messages, undefined, 'the poll ended empty at 20 s');
  const { response: poll3 } = await startLongPoll(t, url, { WaitTimeSeconds: 20 });
  t.clock.advance(10_000); // 30 s after the first receive
  const again = await poll3;
  assert.equal(again.Messages[0].MessageId, out.Messages[0].MessageId);
});

test('the queue ReceiveMessageWaitTimeSeconds makes a receive without WaitTimeSeconds a long poll', LONG_POLL, async () => {
  const url = await t.createQueue(t.name('lp-queue'), { ReceiveMessageWaitTimeSeconds: '5' });
  const { response: poll } = await startLongPoll(t, url, {});
  assert.equal(await settlesSoon(poll), false);
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'x' });
  assert.equal((await poll).Messages.length, 1);
  // WaitTimeSeconds 0 in the request forces a short poll.
  assert.equal((await t.call('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 0 })).Messages, undefined);
});

test('a long poll on a queue that is deleted meanwhile ends empty', LONG_POLL, async () => {
  const url = await t.createQueue(t.name('lp-deleted'));
  const { response: poll } = await startLongPoll(t, url, { WaitTimeSeconds: 20 });
  await t.call('DeleteQueue', { QueueUrl: url });
  const out = await poll;
  assert.equal(out.Messages, undefined);
});

test('MaxNumberOfMessages: 1 by default, up to 10, range errors [AWS-rec messages]', async () => {
  const url = await t.createQueue(t.name('max'));
  for (let i = 0; i < 12; i++) await t.call('SendMessage', { QueueUrl: url, MessageBody: `m${i}` });
  assert.equal((await t.receive(url)).length, 1);
  assert.equal((await t.receive(url, { MaxNumberOfMessages: 10 })).length, 10);
  await expectSqsError(
    t.receive(url, { MaxNumberOfMessages: 11 }),
    invalidParameterValue({ message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.' }),
  );
  await expectSqsError(t.receive(url, { MaxNumberOfMessages: 0 }), invalidParameterValue());
  await expectSqsError(
    t.receive(url, { WaitTimeSeconds: 21 }),
    invalidParameterValue({ message: 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.' }),
  );
  await expectSqsError(
    t.receive(url, { WaitTimeSeconds: -1 }),
    invalidParameterValue({ message: 'Value -1 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.' }),
  );
});

test('retention: messages older than MessageRetentionPeriod are gone, in flight ones too', async () => {
  const url = await t.createQueue(t.name('retention'), { MessageRetentionPeriod: '60' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'old' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'inflight' });
  const [inflight] = await t.receive(url, { VisibilityTimeout: 3_600 });
  t.clock.advance(30_000);
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'young' });
  t.clock.advance(31_000);
  assert.deepEqual(await counts(url), [1, 0, 0], 'only the message sent 31 s ago is left');
  const [m] = await t.receive(url);
  assert.equal(m.Body, 'young');
  await expectSqsError(
    t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: inflight.ReceiptHandle, VisibilityTimeout: 10 }),
    invalidParameterValue({ includes: 'Message does not exist' }),
  );
});

test('counters: visible, not visible and delayed move as messages are received and deleted', async () => {
  const url = await t.createQueue(t.name('counters'));
  for (let i = 0; i < 3; i++) await t.call('SendMessage', { QueueUrl: url, MessageBody: `m${i}` });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 30 });
  assert.deepEqual(await counts(url), [3, 0, 1]);
  const got = await t.receive(url, { MaxNumberOfMessages: 2 });
  assert.deepEqual(await counts(url), [1, 2, 1]);
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: got[0].ReceiptHandle });
  assert.deepEqual(await counts(url), [1, 1, 1]);
  t.clock.advance(30_000);
  await tick();
  assert.deepEqual(await counts(url), [3, 0, 0]);
});

for (const path of ['the sent index', 'the head window']) test(`behind more than 256 in-flight messages a receive still returns the oldest visible ones, in sent order (${path})`, async (ctx) => {
  // A queue whose head got slow to walk is read through a window of its oldest rows: force either path.
  const messages = t.emu.sqs.messages;
  const before = messages.slowHeadNs;
  messages.slowHeadNs = path === 'the head window' ? 0n : 10n ** 15n;
  ctx.after(() => (messages.slowHeadNs = before));
  const url = await t.createQueue(t.name('deep-inflight'), { VisibilityTimeout: '300' });
  for (let b = 0; b < 30; b++) {
    const Entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${b * 10 + i}` }));
    const r = await t.call('SendMessageBatch', { QueueUrl: url, Entries });
    assert.equal(r.Successful.length, 10);
    t.clock.advance(1);
  }
  const bodies = async () => (await t.receive(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body);
  for (let k = 0; k < 26; k++) assert.deepEqual(await bodies(), Array.from({ length: 10 }, (_, i) => `m${k * 10 + i}`));
  // 260 in flight at the head of the queue, 40 visible behind them.
  assert.deepEqual(await bodies(), Array.from({ length: 10 }, (_, i) => `m${260 + i}`));
  assert.deepEqual(await counts(url), [30, 270, 0]);
  // Their visibility timeouts run out: the oldest by sent time come first again.
  t.clock.advance(300_000);
  assert.deepEqual(await bodies(), Array.from({ length: 10 }, (_, i) => `m${i}`));
});
