// SNS group commit (issue 18): Publish and PublishBatch requests that arrive in one turn of the event loop
// share one transaction with the SQS message operations of that turn (the SQS service's GroupCommit), each
// in its own savepoint. Checked over HTTP with the real SDK (concurrent publishes, good and bad mixed: each
// answered as if alone) and at the service API, where calls made in one synchronous turn are sure to share
// a group; the emulator's own calls (`call`) stay immediate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns, expectSnsError } from '../helpers/sns.mjs';

let t;
before(async () => (t = await setupSns()));
after(() => t.close());

test('concurrent publishes over HTTP: each valid one is delivered, each bad one fails with its own error, nothing else is lost', async () => {
  const topic = await t.createTopic(t.name('gc-http'));
  const fifoTopic = await t.createTopic(t.name('gc-http') + '.fifo', { FifoTopic: 'true' });
  const q = await t.subscribeQueue(topic);
  const publishes = Array.from({ length: 12 }, (_, k) => t.call('Publish', { TopicArn: topic, Message: `p${k}` }));
  const batches = Array.from({ length: 3 }, (_, k) =>
    t.call('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, Message: `b${k}-${i}` })) }),
  );
  const bad = [
    expectSnsError(t.call('Publish', { TopicArn: topic, Message: '' }), { code: 'InvalidParameter', includes: 'Empty message' }),
    expectSnsError(t.call('Publish', { TopicArn: `${topic}-missing`, Message: 'x' }), { code: 'NotFound', status: 404 }),
    expectSnsError(t.call('Publish', { TopicArn: fifoTopic, Message: 'x' }), { code: 'InvalidParameter', includes: 'MessageGroupId' }),
  ];
  const ids = (await Promise.all(publishes)).map((r) => r.MessageId);
  for (const b of await Promise.all(batches)) {
    assert.equal(b.Successful.length, 10);
    ids.push(...b.Successful.map((s) => s.MessageId));
  }
  await Promise.all(bad);
  assert.equal(new Set(ids).size, 42);
  const got = await t.notifications(q.url);
  assert.deepEqual(got.map((n) => n.MessageId).sort(), [...ids].sort());
  const bodies = got.map((n) => n.Message).sort();
  assert.deepEqual(bodies, [...Array.from({ length: 12 }, (_, k) => `p${k}`), ...Array.from({ length: 30 }, (_, i) => `b${Math.floor(i / 10)}-${i % 10}`)].sort());
});

test('publishes and SQS requests made in one turn share one commit; a failing publish fails alone; all are answered only after the commit', async () => {
  const topic = await t.createTopic(t.name('gc-turn'));
  const q = await t.subscribeQueue(topic);
  const other = await t.createQueue(t.name('gc-other'));
  const ctx = { requestId: 'r', baseUrl: t.url };
  const db = t.emu.store.db;
  const committed = [];
  // All of these are issued in this one synchronous turn.
  const calls = [
    t.emu.sns.request('Publish', { TopicArn: topic, Message: 'one' }, ctx),
    t.emu.sns.request('Publish', { TopicArn: topic, Message: '' }, ctx),
    t.emu.sqs.request('SendMessage', { QueueUrl: other.url, MessageBody: 'direct' }, ctx),
    t.emu.sns.request('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: [{ Id: 'a', Message: 'two' }, { Id: 'b', Message: 'three' }] }, ctx),
    // Runs after the publishes queued before it, inside the same transaction: it sees their deliveries.
    t.emu.sqs.request('ReceiveMessage', { QueueUrl: q.url, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }, ctx),
  ].map((p) => p.then((v) => (committed.push(!db.inTransaction), v)));
  // Nothing ran yet: a group runs on the next turn (an immediate receive, issued now, finds nothing).
  assert.equal((await t.emu.sqs.call('ReceiveMessage', { QueueUrl: q.url, MaxNumberOfMessages: 10 }, ctx)).Messages, undefined);
  const [one, failed, direct, batch, received] = await Promise.allSettled(calls);
  assert.equal(one.status, 'fulfilled');
  assert.match(one.value.MessageId, /^[0-9a-f-]{36}$/);
  assert.equal(failed.status, 'rejected');
  assert.equal(failed.reason.code, 'InvalidParameter');
  assert.equal(direct.status, 'fulfilled');
  assert.equal(batch.status, 'fulfilled');
  assert.equal(batch.value.Successful.length, 2);
  assert.equal(received.status, 'fulfilled');
  assert.deepEqual(received.value.Messages.map((m) => JSON.parse(m.Body).Message), ['one', 'two', 'three']);
  assert.deepEqual(committed, [true, true, true, true]);
  assert.deepEqual((await t.drain(other.url)).map((m) => m.Body), ['direct']);
});

test("the emulator's own publishes (call) are not deferred: delivered within the call's turn", async () => {
  const topic = await t.createTopic(t.name('gc-call'));
  const q = await t.subscribeQueue(topic);
  const ctx = { requestId: 'r', baseUrl: t.url };
  // Both run in this turn, one after the other: the receive sees the publish's delivery.
  const published = t.emu.sns.call('Publish', { TopicArn: topic, Message: 'now' }, ctx);
  const received = t.emu.sqs.call('ReceiveMessage', { QueueUrl: q.url, MaxNumberOfMessages: 10 }, ctx);
  const { MessageId } = await published;
  const { Messages } = await received;
  assert.deepEqual(Messages.map((m) => JSON.parse(m.Body)).map((n) => [n.MessageId, n.Message]), [[MessageId, 'now']]);
});
