// SQS group commit (store/group-commit.ts, issue 18): the message operations that arrive in one turn of
// the event loop share one transaction, each in its own savepoint. Checked over HTTP with the real SDK
// (concurrent requests, good and bad mixed: each answered as if alone) and at the service API, where
// calls made in one synchronous turn are sure to share a group (a failing one fails alone).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs, expectSqsError, invalidParameterValue, missingParameter } from '../helpers/sqs.mjs';

let t;
before(async () => (t = await setupSqs()));
after(() => t.close());

const batch = (tag, n = 10) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: `${tag}-${i}` }));

test('concurrent requests over HTTP: each valid one succeeds, each bad one fails with its own error, nothing else is lost', async () => {
  const url = await t.createQueue(t.name('gc-http'));
  const sends = Array.from({ length: 12 }, (_, k) => t.call('SendMessageBatch', { QueueUrl: url, Entries: batch(`b${k}`) }));
  const bad = [
    expectSqsError(t.call('SendMessage', { QueueUrl: url, MessageBody: '' }), missingParameter()),
    expectSqsError(t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 }), invalidParameterValue()),
    expectSqsError(t.call('SendMessage', { QueueUrl: `${url}-missing`, MessageBody: 'x' }), { name: 'QueueDoesNotExist' }),
  ];
  const sent = await Promise.all(sends);
  await Promise.all(bad);
  for (const out of sent) assert.equal(out.Successful.length, 10);
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '120');

  // Receives and deletes racing each other: every message is received exactly once and deleted.
  const bodies = [];
  await Promise.all(Array.from({ length: 6 }, async () => {
    for (;;) {
      const msgs = await t.receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 300 });
      if (msgs.length === 0) return;
      bodies.push(...msgs.map((m) => m.Body));
      const del = await t.call('DeleteMessageBatch', { QueueUrl: url, Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
      assert.equal(del.Successful.length, msgs.length);
      assert.equal(del.Failed, undefined);
    }
  }));
  assert.equal(bodies.length, 120);
  assert.equal(new Set(bodies).size, 120);
  const counts = await t.attrs(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  assert.deepEqual(counts, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
});

test('requests made in one turn share one commit; a failing one is rolled back alone and the others are answered only after the commit', async () => {
  const url = await t.createQueue(t.name('gc-turn'));
  const fifo = await t.createQueue(t.name('gc-turn') + '.fifo', { FifoQueue: 'true' });
  const ctx = { requestId: 'r', baseUrl: t.url };
  const db = t.emu.store.db;
  const committed = [];
  // All of these are issued in this one synchronous turn.
  const calls = [
    t.emu.sqs.request('SendMessageBatch', { QueueUrl: url, Entries: batch('one') }, ctx),
    // Fails the whole request (a FIFO entry without a group id) after nothing was written.
    t.emu.sqs.request('SendMessageBatch', { QueueUrl: fifo, Entries: [{ Id: 'a', MessageBody: 'x', MessageDeduplicationId: 'd' }] }, ctx),
    t.emu.sqs.request('SendMessage', { QueueUrl: fifo, MessageBody: 'f1', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }, ctx),
    t.emu.sqs.request('SendMessage', { QueueUrl: url, MessageBody: 'two' }, ctx),
    t.emu.sqs.request('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }, ctx),
  ].map((p) => p.then((v) => (committed.push(!db.inTransaction), v)));
  const [one, failed, f1, two, received] = await Promise.allSettled(calls);
  assert.equal(one.status, 'fulfilled');
  assert.equal(one.value.Successful.length, 10);
  assert.equal(failed.status, 'rejected');
  assert.equal(failed.reason.queryCode, 'InvalidParameterValue');
  assert.equal(f1.status, 'fulfilled');
  assert.match(f1.value.SequenceNumber, /^\d{20}$/);
  assert.equal(two.status, 'fulfilled');
  // The receive ran after the sends queued before it in the same turn, inside the same transaction.
  assert.equal(received.status, 'fulfilled');
  assert.deepEqual(received.value.Messages.map((m) => m.Body), batch('one').map((e) => e.MessageBody));
  assert.deepEqual(committed, [true, true, true, true]);
  const left = await t.receive(url, { MaxNumberOfMessages: 10 });
  assert.deepEqual(left.map((m) => m.Body), ['two']);
  assert.deepEqual((await t.receive(fifo, { MaxNumberOfMessages: 10 })).map((m) => m.Body), ['f1']);
});
