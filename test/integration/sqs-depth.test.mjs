// SQS receives on long queues with the real @aws-sdk/client-sqs, on the fake clock: a FIFO receive reads
// only the groups it serves (src/local/sqs/messages.ts `collectFifo`), and these tests pin that it still
// answers what reading the whole queue answered when a group's head lies behind many visible rows of a
// locked group, or when the heads it found first went to the dead-letter queue. Deliberately not here:
// per-message cost at depth (bench/cpu.mjs --queued; no timings in tests). Also: /_svl/health's memory figures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs } from '../helpers/sqs.mjs';

let t;
before(async () => (t = await setupSqs()));
after(() => t.close());

const fifo = (attrs = {}) => t.createQueue(`${t.name('deep')}.fifo`, { FifoQueue: 'true', ContentBasedDeduplication: 'true', ...attrs });
const bodies = (ms) => ms.map((m) => m.Body);
const sendBatch = (QueueUrl, MessageGroupId, names) =>
  t.call('SendMessageBatch', { QueueUrl, Entries: names.map((MessageBody, i) => ({ Id: `e${i}`, MessageBody, MessageGroupId })) });

test('FIFO: groups behind 200 visible messages of a locked group are found, served in the order their heads were sent', async () => {
  const url = await fifo({ VisibilityTimeout: '60' });
  await sendBatch(url, 'a', ['a-0']);
  const [head] = await t.receive(url);
  assert.equal(head.Body, 'a-0');
  for (let i = 1; i <= 200; i += 10) await sendBatch(url, 'a', Array.from({ length: 10 }, (_, k) => `a-${i + k}`));
  await sendBatch(url, 'b', ['b-0', 'b-1']);
  await sendBatch(url, 'c', ['c-0']);
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['b-0', 'b-1', 'c-0'], 'group a is locked behind a-0; b and c are served');
  assert.deepEqual(await t.receive(url, { MaxNumberOfMessages: 10 }), [], 'every group is locked now');
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: head.ReceiptHandle });
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), Array.from({ length: 10 }, (_, k) => `a-${k + 1}`));
});

test('FIFO: when the first heads a receive finds go to the dead-letter queue, it serves the groups after them', async () => {
  const dlq = await fifo();
  const url = await fifo({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await t.arnOf(dlq), maxReceiveCount: 1 }) });
  for (let g = 0; g < 10; g++) await sendBatch(url, `g${g}`, [`g${g}-0`]);
  const once = await t.receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
  assert.equal(once.length, 10, 'each head received once, visible again at once');
  await sendBatch(url, 'z', ['z-0', 'z-1']);
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['z-0', 'z-1'], 'the ten heads over maxReceiveCount went to the DLQ; z is served');
  const moved = await t.receive(dlq, { MaxNumberOfMessages: 10 });
  assert.deepEqual(bodies(moved).sort(), Array.from({ length: 10 }, (_, g) => `g${g}-0`).sort());
});

test('/_svl/health reports where the memory is, and the database grows with the queue', async () => {
  const health = async () => (await (await fetch(`${t.url}/_svl/health`)).json()).memory;
  const before = await health();
  for (const key of ['rssMb', 'heapUsedMb', 'heapTotalMb', 'externalMb', 'storeMb']) assert.ok(before[key] > 0, `${key}: ${before[key]}`);
  const url = await t.createQueue(t.name('mem'));
  const big = 'x'.repeat(10_000);
  for (let i = 0; i < 50; i++) await t.call('SendMessageBatch', { QueueUrl: url, Entries: Array.from({ length: 10 }, (_, k) => ({ Id: `e${k}`, MessageBody: `${i}-${k}-${big}` })) });
  const after = await health();
  assert.ok(after.storeMb - before.storeMb >= 4.5, `500 messages of 10 KB: ${before.storeMb} -> ${after.storeMb} MB`);
});
