// Interop: bbc/sqs-consumer (v14), unmodified, against the emulator on the real clock. Its single and
// batch handlers, visibility heartbeats (ChangeMessageVisibility keeping a slow message invisible past
// its timeout), failures going back to the queue until the redrive policy moves them to the DLQ with
// their original id, and `terminateVisibilityTimeout`. What the queues hold is read with the emulator's
// peek endpoint (no receive, no side effect). Not covered here: FIFO (the package itself warns it does
// not guarantee FIFO semantics).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Consumer } from 'sqs-consumer';
import { countingSqsClient, setupInterop, waitFor } from '../helpers/interop.mjs';

let t;
before(async () => (t = await setupInterop()));
after(() => t.close());

const consumers = [];
/** A started consumer on `QueueUrl` that fails the test on any unexpected `error` event. */
function consume(options, { sqs = t.sqs, errors = [] } = {}) {
  const c = Consumer.create({ sqs, waitTimeSeconds: 20, messageSystemAttributeNames: ['ApproximateReceiveCount'], messageAttributeNames: ['All'], ...options });
  c.on('error', (err) => errors.push(err));
  consumers.push(c);
  c.start();
  return c;
}
/** Stops a consumer and aborts its pending long poll. */
const stop = (c) => c.stop({ abort: true });
after(() => consumers.forEach(stop));

const receiveCount = (m) => Number(m.Attributes.ApproximateReceiveCount);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms)); // a handler's own work, never a test's proof

test('handleMessage: every message arrives once with its attributes and is deleted when the handler resolves', async () => {
  const url = await t.createQueue('single');
  const sent = [];
  for (const body of ['one', 'two', 'three']) {
    const out = await t.call('SendMessage', { QueueUrl: url, MessageBody: body, MessageAttributes: { kind: { DataType: 'String', StringValue: `k-${body}` } } });
    sent.push(out.MessageId);
  }
  const seen = [];
  const errors = [];
  const c = consume({ queueUrl: url, handleMessage: async (m) => (seen.push(m), m) }, { errors });
  const processed = [];
  c.on('message_processed', (m) => processed.push(m.MessageId));
  await waitFor(() => processed.length === 3, { what: '3 processed messages' });
  stop(c);
  assert.deepEqual(errors, []);
  assert.deepEqual(seen.map((m) => m.MessageId).sort(), [...sent].sort());
  assert.deepEqual(seen.map((m) => [m.Body, m.MessageAttributes.kind.StringValue, receiveCount(m)]).sort(), [['one', 'k-one', 1], ['three', 'k-three', 1], ['two', 'k-two', 1]]);
  assert.deepEqual((await t.peek('single')).Messages, [], 'every processed message was deleted');
});

test('handleMessageBatch: the returned subset is deleted, the rest comes back after the visibility timeout', async () => {
  const url = await t.createQueue('batch', { VisibilityTimeout: '2' });
  const entries = ['ok-1', 'retry-1', 'ok-2', 'retry-2'].map((b, i) => ({ Id: String(i), MessageBody: b }));
  const out = await t.call('SendMessageBatch', { QueueUrl: url, Entries: entries });
  assert.equal(out.Successful.length, 4);
  const idOf = Object.fromEntries(out.Successful.map((s) => [entries[Number(s.Id)].MessageBody, s.MessageId]));
  const deliveries = [];
  let afterFirst;
  const errors = [];
  const c = consume({
    queueUrl: url,
    batchSize: 10,
    // Partial success: the first time, only the `ok` messages are acknowledged.
    handleMessageBatch: async (messages) => {
      for (const m of messages) deliveries.push([m.Body, receiveCount(m)]);
      const done = messages.filter((m) => m.Body.startsWith('ok') || receiveCount(m) > 1);
      if (!afterFirst) afterFirst = { messages: messages.length, acked: done.length };
      return done;
    },
  }, { errors });
  await once(c, 'response_processed');
  assert.deepEqual(afterFirst, { messages: 4, acked: 2 }, 'one batch of 4, 2 acknowledged');
  const between = (await t.peek('batch')).Messages;
  assert.deepEqual(between.map((m) => [m.Body, m.MessageId, m.State, m.Attributes.ApproximateReceiveCount]), [
    ['retry-1', idOf['retry-1'], 'inflight', '1'],
    ['retry-2', idOf['retry-2'], 'inflight', '1'],
  ]);
  await waitFor(async () => (await t.peek('batch')).Messages.length === 0, { what: 'the retried messages to be deleted' });
  stop(c);
  assert.deepEqual(errors, []);
  assert.deepEqual(deliveries.sort(), [['ok-1', 1], ['ok-2', 1], ['retry-1', 1], ['retry-1', 2], ['retry-2', 1], ['retry-2', 2]]);
});

test('heartbeatInterval keeps a slow message invisible past its visibility timeout: one delivery, then deleted', async () => {
  const url = await t.createQueue('heartbeat', { VisibilityTimeout: '2' });
  const { MessageId } = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'slow' });
  const beats = countingSqsClient(t.url);
  const deliveries = [];
  let during;
  const errors = [];
  // The slow consumer: visibility 2 s renewed every second, a handler that takes 3.5 s.
  const slow = consume({
    queueUrl: url,
    visibilityTimeout: 2,
    heartbeatInterval: 1,
    handleMessage: async (m) => {
      deliveries.push(['slow', m.MessageId, receiveCount(m)]);
      await sleep(2500);
      during = (await t.peek('heartbeat')).Messages; // past the original 2 s visibility timeout
      await sleep(1000);
      return m;
    },
  }, { sqs: beats.client, errors });
  await waitFor(() => deliveries.length === 1, { what: 'the first delivery' });
  // A second consumer long-polls the same queue meanwhile: it would get the message if it ever became visible.
  const other = consume({ queueUrl: url, waitTimeSeconds: 1, handleMessage: async (m) => (deliveries.push(['other', m.MessageId, receiveCount(m)]), m) }, { errors });
  await once(slow, 'message_processed');
  stop(slow);
  stop(other);
  assert.deepEqual(errors, []);
  assert.deepEqual(deliveries, [['slow', MessageId, 1]], 'delivered exactly once');
  assert.equal(during.length, 1);
  assert.equal(during[0].State, 'inflight', 'still invisible 2.5 s after a 2 s visibility timeout');
  assert.equal(during[0].Attributes.ApproximateReceiveCount, '1');
  assert.ok(beats.sent.filter((n) => n === 'ChangeMessageVisibilityCommand').length >= 2, `heartbeats sent: ${beats.sent.join(', ')}`);
  assert.deepEqual((await t.peek('heartbeat')).Messages, [], 'deleted after the handler resolved');
  beats.client.destroy();
});

test('heartbeats for a batch handler (ChangeMessageVisibilityBatch) keep the whole batch invisible until it is deleted', async () => {
  const url = await t.createQueue('heartbeat-batch', { VisibilityTimeout: '2' });
  const sent = await t.call('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] });
  const beats = countingSqsClient(t.url);
  const deliveries = [];
  let during;
  const errors = [];
  const slow = consume({
    queueUrl: url,
    batchSize: 10,
    visibilityTimeout: 2,
    heartbeatInterval: 1,
    handleMessageBatch: async (messages) => {
      for (const m of messages) deliveries.push(['slow', m.Body, receiveCount(m)]);
      await sleep(2500);
      during = (await t.peek('heartbeat-batch')).Messages;
      await sleep(1000);
      return messages;
    },
  }, { sqs: beats.client, errors });
  await waitFor(() => deliveries.length === 2, { what: 'the batch of 2' });
  const other = consume({ queueUrl: url, waitTimeSeconds: 1, handleMessage: async (m) => (deliveries.push(['other', m.Body, receiveCount(m)]), m) }, { errors });
  const processed = [];
  slow.on('message_processed', (m) => processed.push(m.MessageId));
  await waitFor(() => processed.length === 2, { timeoutMs: 15_000, what: 'the batch to be processed' });
  stop(slow);
  stop(other);
  assert.deepEqual(errors, []);
  assert.deepEqual(deliveries, [['slow', 'a', 1], ['slow', 'b', 1]], 'each delivered exactly once');
  assert.deepEqual(processed.sort(), sent.Successful.map((e) => e.MessageId).sort());
  assert.deepEqual(during.map((m) => [m.Body, m.State]), [['a', 'inflight'], ['b', 'inflight']], 'still invisible 2.5 s after a 2 s visibility timeout');
  assert.ok(beats.sent.filter((n) => n === 'ChangeMessageVisibilityBatchCommand').length >= 2, `heartbeats sent: ${beats.sent.join(', ')}`);
  assert.ok(beats.sent.includes('DeleteMessageBatchCommand'));
  assert.deepEqual((await t.peek('heartbeat-batch')).Messages, []);
  beats.client.destroy();
});

test('control: without heartbeats the same slow handler loses the message to the other consumer', async () => {
  const url = await t.createQueue('no-heartbeat', { VisibilityTimeout: '2' });
  const { MessageId } = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'slow' });
  const deliveries = [];
  const errors = [];
  let release;
  const held = new Promise((r) => (release = r));
  const slow = consume({ queueUrl: url, visibilityTimeout: 2, handleMessage: async (m) => (deliveries.push(['slow', receiveCount(m)]), await held, m) }, { errors });
  await waitFor(() => deliveries.length === 1, { what: 'the first delivery' });
  const other = consume({ queueUrl: url, waitTimeSeconds: 1, handleMessage: async (m) => (deliveries.push(['other', receiveCount(m)]), m) }, { errors });
  const processed = [];
  other.on('message_processed', (m) => processed.push(m.MessageId));
  await waitFor(() => processed.length === 1, { what: 'the second delivery, after the 2 s visibility timeout' });
  release();
  await new Promise((r) => slow.once('response_processed', r));
  stop(slow);
  stop(other);
  assert.deepEqual(deliveries, [['slow', 1], ['other', 2]]);
  assert.deepEqual(processed, [MessageId]);
  // The slow consumer's late delete uses a stale receipt handle: it succeeds without an error, as on AWS.
  assert.deepEqual(errors, []);
  assert.deepEqual((await t.peek('no-heartbeat')).Messages, []);
});

test('handler errors return the message to the queue until the redrive policy moves it to the DLQ, id kept', async () => {
  const dlqUrl = await t.createQueue('fail-dlq');
  const url = await t.createQueue('fail', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await t.arnOf(dlqUrl), maxReceiveCount: 2 }) });
  const { MessageId } = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'poison' });
  const failures = [];
  const errors = [];
  const c = consume({
    queueUrl: url,
    terminateVisibilityTimeout: true, // back to the queue at once instead of after the visibility timeout
    handleMessage: async (m) => {
      throw new Error(`cannot process ${m.Body} (receive ${receiveCount(m)})`);
    },
  }, { errors });
  c.on('processing_error', (err, m) => failures.push([m.MessageId, receiveCount(m), err.message]));
  const dlq = await waitFor(async () => {
    const p = await t.peek('fail-dlq');
    return p.Messages.length ? p.Messages : undefined;
  }, { what: 'the message in the DLQ' });
  stop(c);
  assert.deepEqual(errors, []);
  assert.deepEqual(failures, [
    [MessageId, 1, 'Unexpected message handler failure: cannot process poison (receive 1)'],
    [MessageId, 2, 'Unexpected message handler failure: cannot process poison (receive 2)'],
  ]);
  assert.deepEqual(dlq.map((m) => [m.MessageId, m.Body]), [[MessageId, 'poison']], 'in the DLQ with its original id');
  assert.deepEqual((await t.peek('fail')).Messages, [], 'gone from the source queue');
});

/** Runs one failing delivery of a fresh message with consumer `options`; returns the message's state right after. */
async function failOnce(name, options, { batch = false } = {}) {
  const url = await t.createQueue(name, { VisibilityTimeout: '30' });
  const { MessageId } = await t.call('SendMessage', { QueueUrl: url, MessageBody: name });
  const errors = [];
  const handler = async () => {
    throw new Error('nope');
  };
  const c = consume({ queueUrl: url, ...(batch ? { handleMessageBatch: handler } : { handleMessage: handler }), ...options }, { errors });
  const processed = new Promise((r) => c.once('response_processed', r)); // events.once() would reject on 'error'
  // Stop before the next poll: the consumer would otherwise receive a message made visible again at once.
  c.once(batch ? 'error' : 'processing_error', () => c.stop());
  await processed;
  const [m] = (await t.peek(name)).Messages;
  assert.equal(m.MessageId, MessageId);
  assert.equal(m.Attributes.ApproximateReceiveCount, '1');
  return { m, inMs: m.VisibleAt - Date.now(), errors };
}

test('terminateVisibilityTimeout: unset keeps the visibility timeout; true returns the message at once; a number sets it', async () => {
  const unset = await failOnce('term-unset', {});
  assert.equal(unset.m.State, 'inflight');
  assert.ok(unset.inMs > 25_000 && unset.inMs <= 30_000, `visible again in ${unset.inMs} ms, expected the queue's 30 s`);

  const now = await failOnce('term-true', { terminateVisibilityTimeout: true });
  assert.equal(now.m.State, 'visible', 'ChangeMessageVisibility 0 made it visible at once');

  const five = await failOnce('term-five', { terminateVisibilityTimeout: 5 });
  assert.equal(five.m.State, 'inflight');
  assert.ok(five.inMs > 0 && five.inMs <= 5000, `visible again in ${five.inMs} ms, expected at most 5 s`);
});

test('terminateVisibilityTimeout as a function, with a failing batch handler: ChangeMessageVisibilityBatch to its value', async () => {
  let given;
  const fn = await failOnce('term-fn', { batchSize: 10, terminateVisibilityTimeout: (messages) => ((given = messages.map((m) => m.Body)), 0) }, { batch: true });
  assert.deepEqual(given, ['term-fn']);
  assert.equal(fn.m.State, 'visible');
  assert.equal(fn.errors.length, 1, 'the batch failure is reported as an error event');
  assert.match(fn.errors[0].message, /Unexpected message batch handler failure: nope/);
});
