// `svl status` and `svl graph` end to end: resources created with the SDK in an in-process emulator,
// then the built CLI discovers them (JSON and human output, --watch, bad input).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, snsClient } from '../helpers/emulator.mjs';
import { bin, cleanEnv, localEnv, NO_STACK, root, svl } from '../helpers/cli.mjs';

const Q = 'arn:aws:sqs:us-east-1:000000000000:';
const FLOW = [{ Key: 'svl:flow', Value: 'shop' }];
let emu;
let url;
let run;

before(async () => {
  ({ emu, url } = await startTestEmulator({ fake: false }));
  const sqs = await sqsClient(url);
  const sns = await snsClient(url);
  const queue = async (name, attrs, tags) => (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs, tags }))).QueueUrl;
  const shop = { 'svl:flow': 'shop' };
  const dlq = await queue('billing-dlq', undefined, shop);
  const billing = await queue('billing', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${Q}billing-dlq`, maxReceiveCount: 3 }) }, shop);
  await queue('shipping', undefined, shop);
  const loose = await queue('loose');
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders', Tags: FLOW }));
  const { TopicArn: legacy } = await sns.send(new CreateTopicCommand({ Name: 'legacy' }));
  await sns.send(new SubscribeCommand({
    TopicArn, Protocol: 'sqs', Endpoint: `${Q}billing`,
    Attributes: { FilterPolicy: JSON.stringify({ type: ['invoice', 'credit'], amount: [{ numeric: ['>', 100] }] }) },
  }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `${Q}shipping`, Attributes: { RawMessageDelivery: 'true' } }));
  await sns.send(new SubscribeCommand({ TopicArn: legacy, Protocol: 'sqs', Endpoint: `${Q}loose` }));
  // billing: 2 visible, 1 in flight, 1 delayed; the DLQ holds 1; loose holds 1.
  for (const body of ['a', 'b', 'c']) await sqs.send(new SendMessageCommand({ QueueUrl: billing, MessageBody: body }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl: billing, MaxNumberOfMessages: 1, VisibilityTimeout: 300 }));
  await sqs.send(new SendMessageCommand({ QueueUrl: billing, MessageBody: 'later', DelaySeconds: 600 }));
  await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: 'poison' }));
  await sqs.send(new SendMessageCommand({ QueueUrl: loose, MessageBody: 'x' }));
  sqs.destroy();
  sns.destroy();
  run = (args, opts = {}) => svl([...args, '--local'], { env: localEnv(url), ...opts });
});

after(() => emu.close());

test('status <flow> --json: subscriptions with filter summaries, depths, ages and DLQ depths', async () => {
  const r = await run(['status', 'shop', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.kind, 'flow');
  assert.equal(s.flow, 'shop');
  assert.deepEqual(s.topics.map((t) => t.name), ['orders']);
  const subs = Object.fromEntries(s.topics[0].subscriptions.map((x) => [x.queue, x]));
  assert.equal(subs.billing.filter, 'type=invoice|credit; amount>100');
  assert.equal(subs.billing.rawMessageDelivery, false);
  assert.equal(subs.shipping.filter, null);
  assert.equal(subs.shipping.rawMessageDelivery, true);
  const queues = Object.fromEntries(s.queues.map((q) => [q.name, q]));
  assert.deepEqual(Object.keys(queues).sort(), ['billing', 'billing-dlq', 'shipping']);
  assert.deepEqual(queues.billing.depth, { visible: 2, inFlight: 1, delayed: 1 });
  assert.equal(queues.billing.deadLetterQueue, 'billing-dlq');
  assert.equal(queues.billing.maxReceiveCount, 3);
  assert.deepEqual(queues.billing.deadLetterDepth, { visible: 1, inFlight: 0, delayed: 0 });
  assert.equal(queues['billing-dlq'].isDeadLetterQueue, true);
  assert.equal(typeof queues.billing.oldestMessageAgeSeconds, 'number', 'the emulator peeks the oldest message');
  assert.ok(queues.billing.oldestMessageAgeSeconds >= 0 && queues.billing.oldestMessageAgeSeconds < 300);
  assert.equal(queues.shipping.oldestMessageAgeSeconds, null, 'an empty queue has no oldest message');
  assert.match(r.stderr, /1 message in dead-letter queues/);
});

test('status <flow> for humans: one table, DLQ depth shown, warnings on stderr only', async () => {
  const r = await run(['status', 'shop']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Flow shop \(local emulator\)/);
  for (const col of ['Topic', 'Subscription', 'Filter', 'Queue', 'Visible', 'In flight', 'Delayed', 'Oldest', 'DLQ']) assert.ok(r.stdout.includes(col), col);
  const billingRow = r.stdout.split('\n').find((l) => l.includes(' billing ') && l.includes('sqs'));
  assert.ok(billingRow, r.stdout);
  assert.match(billingRow, /type=invoice\|credit; amount>100/);
  assert.match(billingRow, /│ 2 +│ 1 +│ 1 +│/);
  assert.match(billingRow, /billing-dlq: 1/);
  assert.match(r.stdout, /sqs raw/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');
  assert.doesNotMatch(r.stdout, /Warning/);
});

test('status without a flow: flows, untagged topics and queues', async () => {
  const r = await run(['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.kind, 'overview');
  assert.deepEqual(s.flows.map((f) => f.name), ['shop']);
  assert.deepEqual(s.flows[0].topics, ['orders']);
  assert.deepEqual(s.flows[0].queues, ['billing', 'billing-dlq', 'shipping']);
  assert.equal(s.flows[0].deadLetterMessages, 1);
  assert.deepEqual(s.flows[0].depth, { visible: 2, inFlight: 1, delayed: 1 });
  assert.deepEqual(s.untagged.topics.map((t) => [t.name, t.subscriptions]), [['legacy', 1]]);
  assert.deepEqual(s.untagged.queues.map((q) => q.name), ['loose']);

  const human = await run(['status']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /Flows \(local emulator\)[\s\S]*shop[\s\S]*Untagged topics[\s\S]*legacy[\s\S]*Untagged queues[\s\S]*loose/);
});

test('status of an unknown flow: exit 1, one line, hint listing the flows, no stack', async () => {
  const r = await run(['status', 'nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Error: Flow "nope" not found \(local emulator\)/);
  assert.match(r.stderr, /Hint: Existing flows: shop/);
  assert.doesNotMatch(r.stderr, NO_STACK);
});

test('status --watch --json prints one JSON object per refresh until Ctrl-C (exit 130)', async () => {
  const child = spawn(process.execPath, [bin, 'status', 'shop', '--watch', '0.5', '--json', '--local'], { cwd: root, env: cleanEnv(localEnv(url)) });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no second refresh; stdout: ${stdout} stderr: ${stderr}`)), 15_000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.split('\n').filter(Boolean).length >= 2) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGINT');
  const { code } = await exited;
  assert.equal(code, 130, stderr);
  assert.equal(JSON.parse(stderr.trim().split('\n').pop()).error.message.match(/^Cancelled: stopped watching after \d+ refreshes$/)?.length, 1, stderr);
  const lines = stdout.split('\n').filter(Boolean);
  assert.ok(lines.length >= 2);
  for (const line of lines) {
    const obj = JSON.parse(line); // NDJSON: every line is a whole object
    assert.equal(obj.kind, 'flow');
    assert.equal(obj.flow, 'shop');
  }
});

test('status bad input: --watch out of range or not a number (exit 2, before any call)', async () => {
  for (const args of [['status', 'shop', '--watch', '0'], ['status', 'shop', '--watch', 'soon'], ['status', 'shop', '--watch', '99999']]) {
    const r = await svl([...args, '--local'], { env: localEnv('http://127.0.0.1:9') });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /Error: --watch/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
});

test('graph <flow> as a text tree: deterministic, DLQs and filters included', async () => {
  const r = await run(['graph', 'shop']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, [
    'topic orders',
    '├── sqs → queue billing  [type=invoice|credit; amount>100]',
    '│   └── dead-letter → queue billing-dlq (DLQ) after 3 receives',
    '└── sqs → queue shipping  (raw)',
    '',
  ].join('\n'));
  assert.equal(r.stderr, '', 'no consumers is not worth a warning');
});

test('graph --format mermaid and dot', async () => {
  const m = await run(['graph', 'shop', '--format', 'mermaid']);
  assert.equal(m.code, 0, m.stderr);
  assert.equal(m.stdout, [
    'flowchart LR',
    '  t_orders{{"orders"}}',
    '  q_billing[("billing")]',
    '  q_billing_dlq[("billing-dlq")]',
    '  q_shipping[("shipping")]',
    '  t_orders -->|"type=invoice#124;credit; amount#gt;100"| q_billing',
    '  t_orders -->|"raw"| q_shipping',
    '  q_billing -.->|"DLQ after 3"| q_billing_dlq',
    '  classDef dlq stroke:#d33,stroke-width:2px',
    '  class q_billing_dlq dlq',
    '',
  ].join('\n'));
  const d = await run(['graph', 'shop', '--format', 'dot']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /^digraph "shop" \{\n {2}rankdir=LR;/);
  assert.match(d.stdout, /"t_orders" -> "q_billing" \[label="type=invoice\|credit; amount>100"\];/);
  assert.match(d.stdout, /"q_billing" -> "q_billing_dlq" \[label="DLQ after 3", style=dashed, color=red\];/);
  assert.match(d.stdout, /\}\n$/);
});

test('graph --json: nodes and edges, consumers queried from the emulator\'s Lambda (none here); everything without a flow', async () => {
  const r = await run(['graph', 'shop', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const g = JSON.parse(r.stdout);
  assert.equal(g.flow, 'shop');
  assert.equal(g.consumers.available, true);
  assert.deepEqual(g.nodes.map((n) => `${n.kind}:${n.name}`), ['topic:orders', 'queue:billing', 'queue:billing-dlq', 'queue:shipping']);
  assert.deepEqual(g.edges.map((e) => e.kind), ['subscription', 'subscription', 'dead-letter']);

  const all = await run(['graph']);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /^topic legacy\n└── sqs → queue loose$/m);
  assert.match(all.stdout, /^topic orders$/m);
});

test('graph bad input: unknown flow (exit 1), unknown format (exit 2)', async () => {
  const unknown = await run(['graph', 'nope']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Flow "nope" not found[\s\S]*Hint: Existing flows: shop/);
  assert.doesNotMatch(unknown.stderr, NO_STACK);
  const format = await run(['graph', 'shop', '--format', 'png']);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /png/);
  assert.equal(format.stdout, '');
});
