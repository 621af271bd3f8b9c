// svl's own `GET /_svl/sqs/peek` (what `svl tail` and `svl dlq peek` read on the emulator): every
// message in arrival order with its state and receive count, a `Seq` cursor (`after=`), the emulator's
// clock (`Now`), and no side effect at all - peeking changes no receive count and no visibility.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs } from '../helpers/sqs.mjs';

let t;
before(async () => (t = await setupSqs()));
after(() => t.close());

async function peek(queue, query = '') {
  const res = await fetch(`${t.url}/_svl/sqs/peek?queue=${encodeURIComponent(queue)}${query}`);
  return { status: res.status, body: await res.json() };
}

test('peek lists visible, in-flight and delayed messages in arrival order, with the emulator clock', async () => {
  const name = t.name('peek');
  const url = await t.createQueue(name);
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'a', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'b' });
  await t.receive(url, { MaxNumberOfMessages: 1, VisibilityTimeout: 60 });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'c', DelaySeconds: 30 });
  const { status, body } = await peek(name);
  assert.equal(status, 200);
  assert.equal(body.Now, t.clock.now());
  assert.deepEqual(body.Messages.map((m) => [m.Body, m.State, m.Attributes.ApproximateReceiveCount]), [['a', 'inflight', '1'], ['b', 'visible', '0'], ['c', 'delayed', '0']]);
  assert.deepEqual(body.Messages[0].MessageAttributes, { k: { DataType: 'String', StringValue: 'v' } });
  const seqs = body.Messages.map((m) => m.Seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));

  const again = await peek(name);
  assert.deepEqual(again.body.Messages.map((m) => [m.State, m.Attributes.ApproximateReceiveCount]), body.Messages.map((m) => [m.State, m.Attributes.ApproximateReceiveCount]), 'peeking changed nothing');
  const [visible] = await t.receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
  assert.equal(visible.Body, 'b');
  assert.equal(visible.Attributes.ApproximateReceiveCount, '1', 'the first receive of b counts as its first');
});

test('after=<Seq> returns only what arrived since; limit pages; an unknown queue is a 404 in AWS shape', async () => {
  const name = t.name('cursor');
  const url = await t.createQueue(name);
  for (const b of ['1', '2', '3']) await t.call('SendMessage', { QueueUrl: url, MessageBody: b });
  const first = (await peek(name, '&limit=2')).body.Messages;
  assert.deepEqual(first.map((m) => m.Body), ['1', '2']);
  const rest = (await peek(name, `&after=${first[1].Seq}`)).body.Messages;
  assert.deepEqual(rest.map((m) => m.Body), ['3']);
  await t.call('SendMessage', { QueueUrl: url, MessageBody: '4' });
  assert.deepEqual((await peek(name, `&after=${rest[0].Seq}`)).body.Messages.map((m) => m.Body), ['4']);
  const missing = await peek('no-such-queue');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.__type, 'QueueDoesNotExist');
});
