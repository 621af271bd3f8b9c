// `svl tail` end to end against an in-process emulator (fake clock): the peek never receives, taps copy
// what SNS delivers (same filter, raw setting) and disappear on exit, Ctrl-C/SIGTERM and - via the next tail -
// SIGKILL; the guarded receive refuses or stops before any message could reach the DLQ. Every case
// checks the watched queue afterwards: receive counts unchanged, nothing in its DLQ.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicCommand, ListSubscriptionsCommand, SubscribeCommand, PublishCommand, GetSubscriptionAttributesCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ListQueuesCommand, ListQueueTagsCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, snsClient } from '../helpers/emulator.mjs';
import { localEnv, NO_STACK, svl } from '../helpers/cli.mjs';
import { snsQueuePolicy } from '../helpers/sns.mjs';
import { ndjson, peek, spawnSvl } from '../helpers/spawn.mjs';

const Q = 'arn:aws:sqs:us-east-1:000000000000:';
const T = 'arn:aws:sns:us-east-1:000000000000:';
let emu;
let clock;
let url;
let sqs;
let sns;
let n = 0;
const run = (args, opts = {}) => svl([...args, '--local'], { env: localEnv(url), ...opts });
const start = (args) => spawnSvl([...args, '--local'], { env: localEnv(url) });

/** A queue with a DLQ (maxReceiveCount `max`); returns its name and URL. */
async function queueWithDlq(max = 1, attrs = {}) {
  const name = `tq${++n}`;
  await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${Q}${name}-dlq`, maxReceiveCount: max }), ...attrs } }));
  return { name, url: QueueUrl };
}

/** A topic feeding a queue (with a DLQ, maxReceiveCount 1) through a subscription with `attributes`. */
async function fedQueue(attributes = {}) {
  const q = await queueWithDlq(1);
  const topic = `${q.name}-topic`;
  await sns.send(new CreateTopicCommand({ Name: topic }));
  const { SetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { Policy: snsQueuePolicy(Q + q.name, T + topic) } }));
  await sns.send(new SubscribeCommand({ TopicArn: T + topic, Protocol: 'sqs', Endpoint: Q + q.name, Attributes: attributes }));
  return { ...q, topic, topicArn: T + topic };
}

const send = (queueUrl, body, attrs = {}, extra = {}) =>
  sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: typeof body === 'string' ? body : JSON.stringify(body), MessageAttributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])), ...extra }));
const publish = (topicArn, body, attrs = {}) =>
  sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(body), MessageAttributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) }));

const taps = async () => (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'svl-tap-' }))).QueueUrls ?? [];
const tapSubscriptions = async () => ((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions ?? []).filter((s) => s.Endpoint.includes(':svl-tap-'));

/** Receive counts unchanged (all 0) and nothing in the DLQ. */
async function untouched(q, expected) {
  const ms = await peek(url, q.name);
  assert.equal(ms.length, expected, `${q.name} still holds its ${expected} messages`);
  assert.deepEqual(ms.map((m) => m.Attributes.ApproximateReceiveCount), ms.map(() => '0'), 'no receive count moved');
  assert.deepEqual(await peek(url, `${q.name}-dlq`), [], 'nothing reached the DLQ');
}

before(async () => {
  ({ emu, clock, url } = await startTestEmulator());
  sqs = await sqsClient(url);
  sns = await snsClient(url);
});

after(async () => {
  sqs.destroy();
  sns.destroy();
  await emu.close();
});

test('peek (emulator): what is there, then what arrives, in order; receive counts unchanged and nothing in the DLQ', async () => {
  const q = await queueWithDlq(1);
  await send(q.url, { n: 1 }, { type: 'invoice' });
  await send(q.url, 'plain text');
  const tail = start(['tail', 'queue', q.name, '--json', '--max', '4', '--timeout', '20']);
  await tail.waitFor(/Tailing .* by peeking the emulator/);
  await send(q.url, { n: 3 });
  await send(q.url, { n: 4 });
  const r = await tail.done;
  assert.equal(r.code, 0, r.stderr);
  const lines = ndjson(r.stdout);
  assert.deepEqual(lines.map((m) => m.body), [{ n: 1 }, 'plain text', { n: 3 }, { n: 4 }]);
  assert.deepEqual(lines.map((m) => m.via), ['peek', 'peek', 'peek', 'peek']);
  assert.deepEqual(lines[0].attributes, { type: 'invoice' });
  assert.equal(lines[0].receiveCount, 0);
  assert.equal(lines[0].bodyIsJson, true);
  assert.equal(lines[1].bodyIsJson, false);
  assert.match(r.stderr, /4 messages from tq\d+ in [\d.]+s \(reached --max\)/);
  await untouched(q, 4);
  assert.deepEqual(await taps(), [], 'peeking creates no tap');
});

test('peek: --all adds messages in flight or delayed at the start; --since and --match filter; blocks for humans', async () => {
  const name = `plain${++n}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  await send(QueueUrl, { id: 'old', tier: 'gold' });
  clock.advance(10 * 60_000);
  await send(QueueUrl, { id: 'held', tier: 'gold' });
  await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 600, MaxNumberOfMessages: 10 })); // both in flight now
  await send(QueueUrl, { id: 'visible', tier: 'silver', customer: { id: 7 } }, { region: 'eu-west-1' });
  await send(QueueUrl, { id: 'later', tier: 'gold' }, {}, { DelaySeconds: 300 });

  const plain = await run(['tail', 'queue', name, '--json', '--timeout', '1']);
  assert.deepEqual(ndjson(plain.stdout).map((m) => m.body.id), ['visible']);
  const all = await run(['tail', 'queue', name, '--json', '--timeout', '1', '--all']);
  assert.deepEqual(ndjson(all.stdout).map((m) => [m.body.id, m.state]), [['old', 'inflight'], ['held', 'inflight'], ['visible', 'visible'], ['later', 'delayed']]);
  const recent = await run(['tail', 'queue', name, '--json', '--timeout', '1', '--all', '--since', '5m']);
  assert.deepEqual(ndjson(recent.stdout).map((m) => m.body.id), ['held', 'visible', 'later'], '--since uses the emulator clock');
  assert.match(recent.stderr, /1 not shown by --since\/--match\/--max/);
  const gold = await run(['tail', 'queue', name, '--json', '--timeout', '1', '--all', '--match', 'tier=gold', '--match', 'id!=old']);
  assert.deepEqual(ndjson(gold.stdout).map((m) => m.body.id), ['held', 'later']);
  const byAttr = await run(['tail', 'queue', name, '--json', '--timeout', '1', '--match', 'attr.region=eu-*', '--match', 'customer.id=7']);
  assert.deepEqual(ndjson(byAttr.stdout).map((m) => m.body.id), ['visible']);

  const human = await run(['tail', 'queue', name, '--timeout', '1']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  ${name}  [0-9a-f-]{36}\\n  received 0×\\n  region=eu-west-1\\n  \\{\\n    "id": "visible",`));
  assert.doesNotMatch(human.stdout, /Tailing/, 'progress stays on stderr');
  assert.match(human.stderr, /Tailing/);
});

test('SNS envelopes are unwrapped: the published message, its topic and subject, envelope attributes as attributes', async () => {
  const q = await fedQueue();
  await sns.send(new PublishCommand({ TopicArn: q.topicArn, Subject: 'hello', Message: JSON.stringify({ order: 9 }), MessageAttributes: { type: { DataType: 'String', StringValue: 'invoice' } } }));
  const r = await run(['tail', 'queue', q.name, '--json', '--max', '1', '--timeout', '5']);
  const [m] = ndjson(r.stdout);
  assert.deepEqual(m.body, { order: 9 });
  assert.deepEqual(m.sns && [m.sns.topic, m.sns.subject], [q.topic, 'hello']);
  assert.deepEqual(m.attributes, { type: 'invoice' });
  const human = await run(['tail', 'queue', q.name, '--max', '1', '--timeout', '5']);
  assert.match(human.stdout, new RegExp(`received 0× · topic ${q.topic} · subject "hello"`));
});

test('tap: an SNS-fed queue with maxReceiveCount 1 is watched through a tagged tap with the same filter and raw setting, removed on exit', async () => {
  const filter = JSON.stringify({ type: ['invoice'] });
  const q = await fedQueue({ FilterPolicy: filter, RawMessageDelivery: 'true' });
  const tail = start(['tail', 'queue', q.name, '--via', 'tap', '--json', '--max', '2', '--timeout', '20']);
  await tail.waitFor(/Tailing .* through a tap on .*same filter policy/);
  const [tapUrl] = await taps();
  assert.ok(tapUrl, 'the tap exists while the tail runs');
  const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: tapUrl }));
  assert.match(Tags['svl:tap'], /:\d+$/);
  assert.equal(Tags['svl:tap-of'], q.name);
  assert.equal(Tags['svl:flow'], undefined, 'taps are not flow resources');
  const [sub] = await tapSubscriptions();
  const { Attributes: a } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }));
  assert.equal(a.FilterPolicy, filter);
  assert.equal(a.RawMessageDelivery, 'true');
  const status = await run(['status', '--json']);
  assert.ok(!status.stdout.includes('svl-tap-'), 'svl status does not show taps');

  await publish(q.topicArn, { id: 1 }, { type: 'invoice' });
  await publish(q.topicArn, { id: 2 }, { type: 'credit' }); // filtered out for the queue and for the tap
  await publish(q.topicArn, { id: 3 }, { type: 'invoice' });
  const r = await tail.done;
  assert.equal(r.code, 0, r.stderr);
  const lines = ndjson(r.stdout);
  assert.deepEqual(lines.map((m) => m.body), [{ id: 1 }, { id: 3 }]);
  assert.deepEqual(lines.map((m) => [m.via, m.sns?.topic, m.attributes.type]), [['tap', q.topic, 'invoice'], ['tap', q.topic, 'invoice']]);
  assert.match(r.stderr, /Removed the tap svl-tap-/);
  assert.deepEqual(await taps(), [], 'the tap queue is gone');
  assert.deepEqual(await tapSubscriptions(), [], 'its subscription is gone');
  await untouched(q, 2);
});

test('tap of a FIFO queue fed by a FIFO topic: a FIFO tap, groups and order as published', async () => {
  const name = `fq${++n}`;
  const topic = `${name}-topic.fifo`;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topic, Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
  await sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true', Policy: snsQueuePolicy(`${Q}${name}.fifo`, T + topic) } }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `${Q}${name}.fifo`, Attributes: { RawMessageDelivery: 'true' } }));
  const tail = start(['tail', 'queue', `${name}.fifo`, '--via', 'tap', '--json', '--max', '4', '--timeout', '20']);
  await tail.waitFor(/Tailing/);
  assert.match((await taps())[0], /\.fifo$/);
  for (const [g, i] of [['a', 1], ['b', 1], ['a', 2], ['b', 2]]) {
    await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ g, i }), MessageGroupId: g }));
  }
  const r = await tail.done;
  assert.equal(r.code, 0, r.stderr);
  const lines = ndjson(r.stdout);
  for (const g of ['a', 'b']) assert.deepEqual(lines.filter((m) => m.groupId === g).map((m) => m.body.i), [1, 2]);
  assert.ok(lines.every((m) => m.sns?.topic === topic), 'one raw feed: the topic is still named');
  assert.deepEqual(await taps(), []);
  assert.equal((await peek(url, `${name}.fifo`)).length, 4, 'the watched queue got its copies, untouched');
});

test('tail topic taps the topic itself; the envelope shows the topic', async () => {
  const topic = `events${++n}`;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topic }));
  const tail = start(['tail', 'topic', topic, '--json', '--max', '1', '--timeout', '20']);
  await tail.waitFor(/Tailing .* through a tap on/);
  await publish(TopicArn, { hello: 'world' }, { kind: 'greeting' });
  const r = await tail.done;
  assert.equal(r.code, 0, r.stderr);
  const [m] = ndjson(r.stdout);
  assert.deepEqual([m.body, m.sns.topic, m.attributes.kind, m.via], [{ hello: 'world' }, topic, 'greeting', 'tap']);
  assert.deepEqual(await taps(), []);
});

test('SIGTERM ends the tail like Ctrl-C: the tap and its subscription are removed, its count, exit 130', async () => {
  const q = await fedQueue();
  const tail = start(['tail', 'queue', q.name, '--via', 'tap']);
  await tail.waitFor(/Tailing/);
  assert.equal((await taps()).length, 1);
  const r = await tail.kill('SIGTERM');
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Removed the tap .*\nError: Cancelled: 0 messages from tq\d+ in [\d.]+s\n/s);
  assert.doesNotMatch(r.stderr, NO_STACK);
  assert.deepEqual(await taps(), []);
  assert.deepEqual(await tapSubscriptions(), []);
});

test('peek + Ctrl-C: the tail ends with its count (shown, how long) via the cancellation contract, exit 130', async () => {
  const q = await queueWithDlq(1);
  await send(q.url, { n: 1 });
  const tail = start(['tail', 'queue', q.name]);
  await tail.waitFor(/"n": 1/, 'stdout');
  const r = await tail.kill('SIGINT');
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Error: Cancelled: 1 message from tq\d+ in [\d.]+s\n/);
  assert.doesNotMatch(r.stderr, /Hint: Nothing arrived/);
  assert.doesNotMatch(r.stderr, NO_STACK);
  await untouched(q, 1);
});

test('--timeout is a normal end of a tail (exit 0), not a cancel', async () => {
  const q = await queueWithDlq(1);
  // --timeout is svl's own timer (not the emulator's clock): a short one, which may end the tail before
  // or after it starts reading - a normal end either way.
  const r = await start(['tail', 'queue', q.name, '--timeout', '0.2']).done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /0 messages from tq\d+ in [\d.]+s \(timed out( before the tail started)?\)/);
  assert.doesNotMatch(r.stderr, /Error|bug/);
});

test('Ctrl-C (SIGINT) removes the tap before exiting 130', async () => {
  const q = await fedQueue();
  const tail = start(['tail', 'queue', q.name, '--via', 'tap']);
  await tail.waitFor(/Tailing/);
  const r = await tail.kill('SIGINT');
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Removed the tap .*\nError: Cancelled: 0 messages from tq\d+/s);
  assert.deepEqual(await taps(), []);
  assert.deepEqual(await tapSubscriptions(), []);
});

test('a tap left by a SIGKILLed tail is removed by the next tail, subscription included', async () => {
  const q = await fedQueue();
  const tail = start(['tail', 'queue', q.name, '--via', 'tap']);
  await tail.waitFor(/Tailing/);
  const r = await tail.kill('SIGKILL');
  assert.equal(r.signal, 'SIGKILL');
  assert.equal((await taps()).length, 1, 'a killed tail cannot clean up');
  assert.equal((await tapSubscriptions()).length, 1);
  const next = await run(['tail', 'queue', q.name, '--timeout', '1']);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stderr, new RegExp(`Removed a tap left behind by a killed tail: svl-tap-${q.name}-[0-9a-f]+ \\(its tail \\(pid \\d+\\) is gone\\)`));
  assert.deepEqual(await taps(), []);
  assert.deepEqual(await tapSubscriptions(), []);
});

test('guarded receive: refuses maxReceiveCount 1 (nothing received); otherwise receives each message once and gives it back', async () => {
  const strict = await queueWithDlq(1);
  await send(strict.url, { a: 1 });
  const refused = await run(['tail', 'queue', strict.name, '--via', 'receive', '--timeout', '2']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /sends a message to tq\d+-dlq after 1 receive: any receive by svl would use up its only delivery/);
  assert.doesNotMatch(refused.stderr, NO_STACK);
  await untouched(strict, 1);

  const q = await queueWithDlq(5);
  for (let i = 0; i < 3; i++) await send(q.url, { i });
  const r = await run(['tail', 'queue', q.name, '--via', 'receive', '--json', '--max', '3', '--timeout', '10']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ndjson(r.stdout).map((m) => [m.body.i, m.receiveCount, m.via]).sort(), [[0, 1, 'receive'], [1, 1, 'receive'], [2, 1, 'receive']]);
  assert.match(r.stderr, /Released 3 messages held by the tail/);
  const after = await peek(url, q.name);
  assert.deepEqual(after.map((m) => [m.State, m.Attributes.ApproximateReceiveCount]), [['visible', '1'], ['visible', '1'], ['visible', '1']], 'received once each, visible again');
  assert.deepEqual(await peek(url, `${q.name}-dlq`), []);
});

test('guarded receive stops before a message could reach maxReceiveCount, and says why', async () => {
  const q = await queueWithDlq(5);
  await send(q.url, { retried: true });
  for (let i = 0; i < 3; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, VisibilityTimeout: 0 })); // a consumer failed 3 times
  const r = await run(['tail', 'queue', q.name, '--via', 'receive', '--json', '--timeout', '10']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(ndjson(r.stdout)[0].receiveCount, 4);
  assert.match(r.stderr, /has been received 4 times and tq\d+ moves messages to tq\d+-dlq after 5: another receive could push messages into the DLQ, so the tail stopped/);
  assert.match(r.stderr, /stopped by the receive guard/);
  assert.deepEqual(await peek(url, `${q.name}-dlq`), [], 'still nothing in the DLQ');
});

test('--consume asks first (refused without --yes in CI), then deletes exactly what it shows', async () => {
  const q = await queueWithDlq(1);
  for (let i = 0; i < 3; i++) await send(q.url, { i });
  const refused = await run(['tail', 'queue', q.name, '--consume', '--timeout', '1']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /Refusing to delete messages from tq\d+ \(--consume\) without --yes/);
  await untouched(q, 3);
  const r = await run(['tail', 'queue', q.name, '--consume', '--yes', '--json', '--max', '2', '--timeout', '10']);
  assert.equal(r.code, 0, r.stderr);
  const shown = ndjson(r.stdout).map((m) => m.messageId);
  assert.equal(shown.length, 2);
  const left = await peek(url, q.name);
  assert.equal(left.length, 1);
  assert.ok(!shown.includes(left[0].MessageId), 'the message not shown is still there, visible again');
  assert.equal(left[0].State, 'visible');
});

test('tail dlq follows the DLQ of a queue, or a DLQ by name', async () => {
  const q = await queueWithDlq(1);
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${q.name}-dlq` }))).QueueUrl;
  await send(dlqUrl, { dead: 1 });
  const viaSource = await run(['tail', 'dlq', q.name, '--json', '--timeout', '1']);
  assert.deepEqual(ndjson(viaSource.stdout).map((m) => [m.source, m.body.dead]), [[`${q.name}-dlq`, 1]]);
  const byName = await run(['tail', 'dlq', `${q.name}-dlq`, '--json', '--timeout', '1']);
  assert.equal(ndjson(byName.stdout).length, 1);
});

test('bad input: clear one-line errors, exit 2, nothing created or received', async () => {
  const q = await queueWithDlq(1);
  await send(q.url, { keep: true });
  const cases = [
    [['tail', 'bucket', 'x'], /Unknown kind "bucket"/],
    [['tail', 'queue', q.name, '--max', '0'], /--max must be a whole number at least 1/],
    [['tail', 'queue', q.name, '--max', 'ten'], /--max/],
    [['tail', 'queue', q.name, '--timeout', '-1'], /--timeout must be a duration/],
    [['tail', 'queue', q.name, '--since', 'yesterday'], /--since must be a duration/],
    [['tail', 'queue', q.name, '--match', 'tier'], /--match "tier": expected path=value/],
    [['tail', 'queue', q.name, '--match', '=gold'], /the path before the = is empty/],
    [['tail', 'queue', q.name, '--via', 'magic'], /--via must be one of auto, peek, tap, receive/],
    [['tail', 'queue', q.name, '--via', 'tap', '--all'], /--all shows in-flight and delayed messages/],
    [['tail', 'queue', q.name, '--via', 'tap', '--timeout', '1'], /is not subscribed to any SNS topic/],
    [['tail', 'topic', 'x', '--consume'], /a topic has nothing to delete/],
    [['tail', 'dlq', 'x', '--via', 'tap'], /cannot be tapped/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /Hint:|Run `svl tail --help`/, `${args.join(' ')} has a hint`);
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.equal(r.stdout, '');
  }
  // Not found is an operational failure (exit 1) for every command, tail included.
  for (const [args, re] of [
    [['tail', 'queue', 'no-such-queue', '--timeout', '1'], /Queue "no-such-queue" not found/],
    [['tail', 'topic', 'no-such-topic', '--timeout', '1'], /Topic "no-such-topic" not found/],
    [['tail', 'dlq', `plain-${n}-none`, '--timeout', '1'], /not found/],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /Hint: .*svl status --local/, `${args.join(' ')} has a hint`);
  }
  const lone = `lone${++n}`;
  await sqs.send(new CreateQueueCommand({ QueueName: lone }));
  const noDlq = await run(['tail', 'dlq', lone, '--timeout', '1']);
  assert.equal(noDlq.code, 2);
  assert.match(noDlq.stderr, /has no dead-letter queue and is not one/);
  // --via peek on AWS is refused before any AWS call (no credentials or network needed).
  const aws = await svl(['tail', 'queue', 'orders', '--via', 'peek', '--region', 'us-east-1']);
  assert.equal(aws.code, 2);
  assert.match(aws.stderr, /--via peek needs the local emulator/);
  await untouched(q, 1);
  assert.deepEqual(await taps(), []);
});
