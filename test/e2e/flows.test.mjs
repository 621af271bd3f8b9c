// Flows end to end: the built CLI (`svl init/plan/apply/destroy`) against a real emulator, checked
// through the real SDK: attributes, policies, redrive, subscriptions, tags, and delivery.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ListTopicsCommand,
  ListTagsForResourceCommand,
  ListSubscriptionsByTopicCommand,
  GetSubscriptionAttributesCommand,
  PublishCommand,
  GetTopicAttributesCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, snsClient } from '../helpers/emulator.mjs';
import { svl, localEnv, inTerminal } from '../helpers/cli.mjs';

let emu, url, clock, sqs, sns, env;
const dirs = [];
const workdir = () => {
  const d = mkdtempSync(join(tmpdir(), 'svl-flow-'));
  dirs.push(d);
  return d;
};

before(async () => {
  ({ emu, url, clock } = await startTestEmulator());
  sqs = await sqsClient(url);
  sns = await snsClient(url);
  env = localEnv(url);
});
after(async () => {
  await emu.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const run = (args, cwd, extra = {}) => svl([...args, '--local'], { env, cwd, ...extra });
const attrs = async (name) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
};
const queueNames = async (prefix) => ((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? []).map((u) => u.split('/').pop()).sort();
const topicArns = async () => ((await sns.send(new ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn);
const receiveAll = async (name) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  return (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }))).Messages ?? [];
};

describe('svl init fanout (non-interactive)', () => {
  let cwd;
  const topicArn = 'arn:aws:sns:us-east-1:000000000000:orders';

  test('creates exactly the expected resources', async () => {
    cwd = workdir();
    const r = await run(['init', 'fanout', 'orders', '--queues', 'billing,shipping', '--max-receive-count', '3', '--filter', 'billing={"type":["invoice"]}', '--yes', '--json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.flow, 'orders');
    assert.equal(out.plan.steps.length, 7);
    assert.ok(out.apiCalls > 0);
    assert.ok(existsSync(join(cwd, 'orders.flow.json')));

    assert.ok((await topicArns()).includes(topicArn));
    const topicTags = (await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }))).Tags;
    assert.deepEqual(topicTags, [{ Key: 'svl:flow', Value: 'orders' }]);
    assert.deepEqual(await queueNames('orders'), ['orders-billing', 'orders-billing-dlq', 'orders-shipping', 'orders-shipping-dlq']);

    const billing = await attrs('orders-billing');
    assert.deepEqual(JSON.parse(billing.RedrivePolicy), { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:orders-billing-dlq', maxReceiveCount: 3 });
    const policy = JSON.parse(billing.Policy);
    assert.equal(policy.Statement.length, 1);
    assert.deepEqual(policy.Statement[0].Principal, { Service: 'sns.amazonaws.com' });
    assert.equal(policy.Statement[0].Action, 'sqs:SendMessage');
    assert.equal(policy.Statement[0].Resource, billing.QueueArn);
    assert.deepEqual(policy.Statement[0].Condition, { ArnEquals: { 'aws:SourceArn': topicArn } });
    const dlq = await attrs('orders-billing-dlq');
    assert.deepEqual(JSON.parse(dlq.RedriveAllowPolicy), { redrivePermission: 'byQueue', sourceQueueArns: [billing.QueueArn] });
    assert.equal(dlq.MessageRetentionPeriod, '1209600');
    for (const q of ['orders-billing', 'orders-billing-dlq', 'orders-shipping', 'orders-shipping-dlq']) {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: q }));
      assert.equal((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags['svl:flow'], 'orders', q);
    }

    const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions;
    assert.equal(subs.length, 2);
    const byQueue = {};
    for (const s of subs) byQueue[s.Endpoint.split(':').pop()] = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }))).Attributes;
    assert.deepEqual(JSON.parse(byQueue['orders-billing'].FilterPolicy), { type: ['invoice'] });
    assert.equal(byQueue['orders-billing'].RawMessageDelivery, 'false');
    assert.equal(byQueue['orders-shipping'].FilterPolicy, undefined);
  });

  test('publishing reaches every queue, and filtered queues only get matching messages', async () => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'inv', MessageAttributes: { type: { DataType: 'String', StringValue: 'invoice' } } }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'ship', MessageAttributes: { type: { DataType: 'String', StringValue: 'shipment' } } }));
    const billing = (await receiveAll('orders-billing')).map((m) => JSON.parse(m.Body).Message);
    const shipping = (await receiveAll('orders-shipping')).map((m) => JSON.parse(m.Body).Message).sort();
    assert.deepEqual(billing, ['inv']);
    assert.deepEqual(shipping, ['inv', 'ship']);
    const failures = JSON.parse(await (await fetch(`${url}/_svl/health`)).text()).sns.find((s) => s.topic === 'orders');
    assert.equal(failures.failed, 0, 'the least-privilege policy lets the topic deliver');
  });

  test('a second apply makes no change', async () => {
    const r = await run(['apply', '--json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.changed, false);
    assert.deepEqual(out.plan.steps, []);
    const human = await run(['apply'], cwd);
    assert.match(human.stdout, /No changes/);
    const plan = await run(['plan', '--json'], cwd);
    assert.deepEqual(JSON.parse(plan.stdout).plan.steps, []);
  });

  test('apply converges a drifted attribute and a changed spec', async () => {
    const spec = JSON.parse(readFileSync(join(cwd, 'orders.flow.json'), 'utf8'));
    spec.queues[1].visibilityTimeout = 120;
    spec.queues[1].filterPolicy = { type: ['shipment'] };
    writeFileSync(join(cwd, 'orders.flow.json'), JSON.stringify(spec));
    const plan = JSON.parse((await run(['plan', '--json'], cwd)).stdout).plan;
    assert.deepEqual(plan.steps.map((s) => `${s.action} ${s.kind} ${s.name}`).sort(), ['update queue orders-shipping', 'update subscription orders -> orders-shipping']);
    const r = await run(['apply', '--json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await attrs('orders-shipping')).VisibilityTimeout, '120');
    assert.equal(JSON.parse((await run(['apply', '--json'], cwd)).stdout).changed, false);
  });

  test('destroy removes everything the flow owns, and refuses without --yes', async () => {
    const refused = await run(['destroy', 'orders'], cwd);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /without --yes/);
    assert.equal((await queueNames('orders')).length, 4, 'nothing deleted when refused');
    const r = await run(['destroy', 'orders', '--yes', '--json'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).deleted.length, 7);
    assert.deepEqual(await queueNames('orders'), []);
    assert.ok(!(await topicArns()).includes(topicArn));
  });
});

test('a failure halfway reports what was created, and the next apply converges', async () => {
  const cwd = workdir();
  // A queue deleted less than 60 s ago cannot be re-created (QueueDeletedRecently): apply fails on it.
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'conv-b' }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  const r = await run(['init', 'fanout', 'conv', '--queues', 'a,b', '--yes'], cwd);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Apply of flow "conv" failed after \d+ of 7 steps/);
  assert.match(r.stderr, /Created before the failure: .*topic conv/);
  assert.match(r.stderr, /wait 60 s, then run `svl apply --local` again/);
  assert.ok(existsSync(join(cwd, 'conv.flow.json')), 'the spec is written so that apply can converge');
  clock.advance(61_000);
  const again = await run(['apply', '--json'], cwd);
  assert.equal(again.code, 0, again.stderr);
  const steps = JSON.parse(again.stdout).done.map((s) => `${s.action} ${s.kind} ${s.name}`);
  assert.ok(steps.includes('create queue conv-b'), steps.join(', '));
  assert.ok(!steps.includes('create topic conv'), 'what exists is not created twice');
  assert.equal(JSON.parse((await run(['apply', '--json'], cwd)).stdout).changed, false);
  await run(['destroy', 'conv', '--yes'], cwd);
});

test('--dry-run shows the plan and creates nothing', async () => {
  const cwd = workdir();
  const r = await run(['init', 'fanout', 'dry', '--queues', 'x', '--dry-run', '--json'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).plan.steps.length, 4);
  assert.deepEqual(await queueNames('dry'), []);
  assert.ok(!existsSync(join(cwd, 'dry.flow.json')));
});

describe('templates', () => {
  test('--list shows every template with a description', async () => {
    const r = await svl(['init', '--list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const names = JSON.parse(r.stdout).templates.map((t) => t.name);
    assert.deepEqual(names, ['fanout', 'fifo-fanout', 'filtered-fanout', 'http-api', 'queue-worker', 'upload-pipeline', 'users-api', 'users-app', 'users-demo']);
  });

  test('users-demo reproduces the companion repository flow', async () => {
    const cwd = workdir();
    const r = await run(['init', 'users-demo', '--yes'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await topicArns()).includes('arn:aws:sns:us-east-1:000000000000:new-user-added-topic'));
    const posts = await attrs('users-demo-posts');
    assert.deepEqual(JSON.parse(posts.RedrivePolicy), { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:users-demo-posts-dlq', maxReceiveCount: 5 });
    assert.deepEqual(JSON.parse(posts.Policy).Statement[0].Condition, { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:000000000000:new-user-added-topic' } });
    await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:new-user-added-topic', Message: '{"user":"ada"}' }));
    assert.equal(JSON.parse((await receiveAll('users-demo-posts'))[0].Body).Message, '{"user":"ada"}');
    assert.equal((await run(['destroy', 'users-demo', '--yes'], cwd)).code, 0);
  });

  test('fifo-fanout: FIFO topic and queues, order kept per group, raw delivery', async () => {
    const cwd = workdir();
    const r = await run(['init', 'fifo-fanout', 'pay', '--yes'], cwd);
    assert.equal(r.code, 0, r.stderr);
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:pay.fifo';
    const t = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes;
    assert.equal(t.FifoTopic, 'true');
    assert.equal(t.ContentBasedDeduplication, 'true');
    assert.equal((await attrs('pay-ledger.fifo')).FifoQueue, 'true');
    assert.equal((await attrs('pay-ledger-dlq.fifo')).FifoQueue, 'true');
    for (let i = 0; i < 5; i++) await sns.send(new PublishCommand({ TopicArn: topicArn, Message: `m${i}`, MessageGroupId: 'g' }));
    assert.deepEqual((await receiveAll('pay-ledger.fifo')).map((m) => m.Body), ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.equal((await run(['destroy', 'pay', '--yes'], cwd)).code, 0);
  });

  test('filtered-fanout: each queue gets only its message types', async () => {
    const cwd = workdir();
    assert.equal((await run(['init', 'filtered-fanout', 'ev', '--yes'], cwd)).code, 0);
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:ev';
    for (const type of ['invoice', 'shipment', 'other']) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: type, MessageAttributes: { type: { DataType: 'String', StringValue: type } } }));
    }
    const got = async (q) => (await receiveAll(q)).map((m) => JSON.parse(m.Body).Message).sort();
    assert.deepEqual(await got('ev-invoices'), ['invoice']);
    assert.deepEqual(await got('ev-shipments'), ['shipment']);
    assert.deepEqual(await got('ev-audit'), ['invoice', 'other', 'shipment']);
    assert.equal((await run(['destroy', 'ev', '--yes'], cwd)).code, 0);
  });
  // queue-worker (handler written, deployed and wired in one command): test/e2e/init-worker.test.mjs
  // http-api and users-api (HTTP APIs with handlers): test/e2e/http-api.test.mjs
});

describe('bad input: clear errors, exit 2, nothing created', () => {
  const cases = [
    [['init', 'fanout', 'bad name!', '--yes'], /name "bad name!" must be/],
    [['init', 'fanout', 'ok1', '--queues', 'a,a', '--yes'], /lists a queue twice/],
    [['init', 'fanout', 'ok2', '--max-receive-count', '0', '--yes'], /--max-receive-count must be an integer from 1 to 1000/],
    [['init', 'fanout', 'ok3', '--max-receive-count', '1001', '--yes'], /--max-receive-count/],
    [['init', 'fanout', 'ok4', '--queues', 'a', '--filter', 'a={not json', '--yes'], /--filter a: invalid JSON/],
    [['init', 'fanout', 'ok5', '--queues', 'a', '--filter', 'b={"x":["y"]}', '--yes'], /no queue "b"/],
    [['init', 'fanout', 'ok6', '--queues', 'a', '--filter', 'a={"x":"y"}', '--yes'], /Invalid parameter: FilterPolicy/],
    [['init', 'nosuchtemplate', 'x', '--yes'], /Unknown template "nosuchtemplate"/],
    [['init', 'users-demo', '--queues', 'a', '--yes'], /template is fixed/],
  ];
  for (const [args, message] of cases) {
    test(args.join(' '), async () => {
      const cwd = workdir();
      const before = (await sqs.send(new ListQueuesCommand({}))).QueueUrls?.length ?? 0;
      const r = await run(args, cwd);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
      assert.equal((await sqs.send(new ListQueuesCommand({}))).QueueUrls?.length ?? 0, before);
    });
  }

  test('a FIFO topic with standard queues in a spec file is refused before any call', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'mix.flow.json'), JSON.stringify({ name: 'mix', topic: { name: 'mix.fifo', fifo: true }, queues: [{ name: 'mix-a', dlq: { maxReceiveCount: 5 } }] }));
    const r = await run(['apply'], cwd);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /queues\[0\]\.name: "mix-a" must end in \.fifo/);
    assert.deepEqual(await queueNames('mix'), []);
  });

  test('spec validation lists every bad field at once', async () => {
    const cwd = workdir();
    writeFileSync(join(cwd, 'v.flow.json'), JSON.stringify({ name: 'v', topic: { name: 'v' }, queues: [{ name: 'v-a', visibilityTimeout: -1, dlq: { maxReceiveCount: 0 } }] }));
    const r = await run(['plan'], cwd);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /visibilityTimeout: must be an integer from 0 to 43200/);
    assert.match(r.stderr, /dlq\.maxReceiveCount: must be an integer from 1 to 1000/);
  });

  test('a queue owned by another flow is a conflict, not a takeover', async () => {
    const cwd = workdir();
    await sqs.send(new CreateQueueCommand({ QueueName: 'own-a', tags: { 'svl:flow': 'someone-else' } }));
    const r = await run(['init', 'fanout', 'own', '--queues', 'a', '--yes'], cwd);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /queue own-a belongs to flow "someone-else"/);
    assert.match(r.stderr, /--adopt/);
    assert.ok(!(await topicArns()).includes('arn:aws:sns:us-east-1:000000000000:own'), 'nothing created');
  });
});

test('the interactive wizard, driven through a pseudo-terminal', async () => {
  const cwd = workdir();
  const steps = [
    { expect: 'Flow name', send: 'wiz\r' },
    { expect: 'FIFO', send: 'n\r' },
    { expect: 'Subscriber queues', send: 'alpha,beta\r' },
    { expect: 'Receives before a message goes to its DLQ', send: '3\r' },
    { expect: 'Filter policy for alpha', send: '{"kind":["a"]}\r' },
    { expect: 'Filter policy for beta', send: '\r' },
  ];
  const { code, out } = await inTerminal(steps, ['init', 'fanout', '--local'], { cwd, env });
  assert.equal(code, 0, out);
  assert.match(out, /Flow wiz ready/);
  assert.deepEqual(await queueNames('wiz'), ['wiz-alpha', 'wiz-alpha-dlq', 'wiz-beta', 'wiz-beta-dlq']);
  assert.equal(JSON.parse((await attrs('wiz-alpha')).RedrivePolicy).maxReceiveCount, 3);
  const spec = JSON.parse(readFileSync(join(cwd, 'wiz.flow.json'), 'utf8'));
  assert.deepEqual(spec.queues[0].filterPolicy, { kind: ['a'] });
  assert.equal(spec.queues[1].filterPolicy, undefined);
  assert.equal(spec.topic.fifo, false);
  assert.equal((await run(['destroy', 'wiz', '--yes'], cwd)).code, 0);
});
