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

/** Lets a group commit run (it flushes on the next turn) and the long polls it left waiting register. */
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** A long poll at the service API, as the HTTP router makes it (group-committed, with the request's signal). */
const longPoll = (t, QueueUrl, signal, extra = {}) =>
  t.emu.sqs.request('ReceiveMessage', { QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10, AttributeNames: ['All'], ...extra }, { requestId: 'poll', baseUrl: t.url, signal });

test('a long poll woken by a publish is served in the publish\'s own transaction: the message once, receive count 1, journal cause = the delivery, one commit', async () => {
  const topic = await t.createTopic(t.name('gc-poll'));
  const q = await t.subscribeQueue(topic);
  const ctx = { requestId: 'r', baseUrl: t.url };
  const db = t.emu.store.db;
  const poll = longPoll(t, q.url, new AbortController().signal).then((v) => ({ v, outside: !db.inTransaction }));
  await turns();
  // Looked at just before each group's COMMIT: the publish's group already holds the poll's receive.
  const inFlight = db.prepare('SELECT count(*) FROM sqs_messages WHERE queue = ? AND inflight = 1').pluck();
  const atCommit = [];
  let watching = true;
  t.emu.sqs.commits.addHook({ beforeCommit: () => void (watching && atCommit.push(inFlight.get(q.url.split('/').pop()))), afterCommit() {} });
  const published = t.emu.sns.request('Publish', { TopicArn: topic, Message: 'served' }, ctx);
  const [{ MessageId }, { v, outside }] = await Promise.all([published, poll]);
  watching = false;
  assert.deepEqual(atCommit, [1], 'the publish and the poll it woke share one commit');
  assert.equal(outside, true, 'answered only after the commit');
  assert.equal(v.Messages.length, 1);
  const [m] = v.Messages;
  assert.equal(JSON.parse(m.Body).MessageId, MessageId);
  assert.equal(m.Attributes.ApproximateReceiveCount, '1');
  // Exactly once: in flight now, nothing else to receive.
  assert.equal((await t.emu.sqs.call('ReceiveMessage', { QueueUrl: q.url, MaxNumberOfMessages: 10 }, ctx)).Messages, undefined);
  const a = await t.emu.sqs.call('GetQueueAttributes', { QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }, ctx);
  assert.deepEqual([a.Attributes.ApproximateNumberOfMessages, a.Attributes.ApproximateNumberOfMessagesNotVisible], ['0', '1']);
  const events = t.emu.journal.since(0, 100_000).filter((e) => e.id === m.MessageId || e.id === MessageId);
  const sent = events.filter((e) => e.type === 'sqs.sent' && e.id === m.MessageId);
  const received = events.filter((e) => e.type === 'sqs.received' && e.id === m.MessageId);
  assert.equal(sent.length, 1);
  assert.equal(received.length, 1);
  assert.equal(received[0].cause, sent[0].seq, 'received because of the delivery');
  assert.equal(received[0].data.receiveCount, 1);
  const delivered = events.find((e) => e.seq === sent[0].cause);
  assert.equal(delivered.type, 'sns.delivered');
  assert.equal(delivered.id, MessageId);
  await t.emu.sqs.call('DeleteMessage', { QueueUrl: q.url, ReceiptHandle: m.ReceiptHandle }, ctx);
});

test('a poll served in the group keeps its own request: MaxNumberOfMessages, attribute selection, FIFO group order and lock', async () => {
  const ctx = { requestId: 'r', baseUrl: t.url };
  const topic = await t.createTopic(t.name('gc-fifo') + '.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
  const q = await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } });
  const poll = longPoll(t, q.url, undefined, { MaxNumberOfMessages: 2, AttributeNames: ['MessageGroupId'], MessageAttributeNames: ['keep'] });
  await turns();
  const attrs = { keep: { DataType: 'String', StringValue: 'k' }, drop: { DataType: 'String', StringValue: 'd' } };
  await t.emu.sns.request('PublishBatch', {
    TopicArn: topic,
    PublishBatchRequestEntries: ['g1-a', 'g2-a', 'g1-b'].map((b, i) => ({ Id: `e${i}`, Message: b, MessageGroupId: b.slice(0, 2), MessageAttributes: attrs })),
  }, ctx);
  const { Messages } = await poll;
  // One group's messages together, in order; only the attributes asked for.
  assert.deepEqual(Messages.map((m) => m.Body), ['g1-a', 'g1-b']);
  assert.deepEqual(Messages.map((m) => m.Attributes), [{ MessageGroupId: 'g1' }, { MessageGroupId: 'g1' }]);
  assert.deepEqual(Messages.map((m) => Object.keys(m.MessageAttributes)), [['keep'], ['keep']]);
  // g1 is locked while in flight; g2 is next.
  const next = await t.emu.sqs.call('ReceiveMessage', { QueueUrl: q.url, MaxNumberOfMessages: 10 }, ctx);
  assert.deepEqual(next.Messages.map((m) => m.Body), ['g2-a']);
});

test('a poll whose client went away before the publish\'s group is not served: the message stays visible, never received', async () => {
  const topic = await t.createTopic(t.name('gc-gone'));
  const q = await t.subscribeQueue(topic);
  const ctx = { requestId: 'r', baseUrl: t.url };
  const ac = new AbortController();
  const poll = longPoll(t, q.url, ac.signal);
  await turns();
  // Queued in this turn, then the client goes away, before the group runs.
  const published = t.emu.sns.request('Publish', { TopicArn: topic, Message: 'kept' }, ctx);
  ac.abort();
  const [{ MessageId }, out] = await Promise.all([published, poll]);
  assert.equal(out.Messages, undefined);
  const a = await t.emu.sqs.call('GetQueueAttributes', { QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }, ctx);
  assert.deepEqual([a.Attributes.ApproximateNumberOfMessages, a.Attributes.ApproximateNumberOfMessagesNotVisible], ['1', '0']);
  assert.equal(t.emu.journal.since(0, 100_000).filter((e) => e.type === 'sqs.received' && e.resource === q.arn).length, 0, 'never received before');
  const again = await t.emu.sqs.call('ReceiveMessage', { QueueUrl: q.url, AttributeNames: ['ApproximateReceiveCount'] }, ctx);
  assert.equal(JSON.parse(again.Messages[0].Body).MessageId, MessageId);
  assert.equal(again.Messages[0].Attributes.ApproximateReceiveCount, '1');
});

test('a group that fails to commit takes the poll\'s receive with it: the poll keeps waiting and takes the next message, received once', async () => {
  const q = await t.createQueue(t.name('gc-rollback'));
  const ctx = { requestId: 'r', baseUrl: t.url };
  const poll = longPoll(t, q.url, undefined);
  await turns();
  let fail = true;
  t.emu.sqs.commits.addHook({
    beforeCommit() {
      if (fail) {
        fail = false;
        throw new Error('disk full');
      }
    },
    afterCommit() {},
  });
  await assert.rejects(t.emu.sqs.request('SendMessage', { QueueUrl: q.url, MessageBody: 'lost' }, ctx), /disk full/);
  await turns();
  await t.emu.sqs.request('SendMessage', { QueueUrl: q.url, MessageBody: 'kept' }, ctx);
  const { Messages } = await poll;
  assert.deepEqual(Messages.map((m) => [m.Body, m.Attributes.ApproximateReceiveCount]), [['kept', '1']]);
  const a = await t.emu.sqs.call('GetQueueAttributes', { QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }, ctx);
  assert.deepEqual([a.Attributes.ApproximateNumberOfMessages, a.Attributes.ApproximateNumberOfMessagesNotVisible], ['0', '1']);
});
