import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  buildGraph,
  discoverInventory,
  flowNames,
  groupByFlow,
  linkDeadLetters,
  parseRedrivePolicy,
  selectFlow,
  summarizeFilterPolicy,
  type Inventory,
  type QueueInfo,
  type SubscriptionInfo,
  type TopicInfo,
} from './inventory.js';
import { createLimiter } from './pool.js';
import type { Target } from './target.js';

const A = 'arn:aws:sqs:us-east-1:000000000000:';
const T = 'arn:aws:sns:us-east-1:000000000000:';
const depth = (visible = 0, inFlight = 0, delayed = 0) => ({ visible, inFlight, delayed });

function queue(name: string, o: Partial<QueueInfo> = {}): QueueInfo {
  return { name, url: `http://x/000000000000/${name}`, arn: A + name, fifo: name.endsWith('.fifo'), flow: null, tags: {}, depth: depth(), oldestMessageAgeSeconds: null, redrive: null, policy: null, deadLetterSources: [], ...o };
}
const topic = (name: string, flow: string | null = null): TopicInfo => ({ name, arn: T + name, fifo: name.endsWith('.fifo'), contentBasedDeduplication: false, flow, tags: flow ? { 'svl:flow': flow } : {} });
const sub = (topicName: string, queueName: string, o: Partial<SubscriptionInfo> = {}): SubscriptionInfo => ({
  arn: `${T}${topicName}:${queueName}-id`, topicArn: T + topicName, protocol: 'sqs', endpoint: A + queueName, confirmed: true,
  filterPolicy: null, filterPolicyScope: 'MessageAttributes', filter: null, rawMessageDelivery: false, deadLetterTargetArn: null, ...o,
});
const redrive = (dlq: string, max = 3) => ({ deadLetterTargetArn: A + dlq, maxReceiveCount: max });

/** orders (flow "shop") -> billing (DLQ billing-dlq, untagged), shipping; plus an untagged topic and queue. */
function sample(): Inventory {
  return linkDeadLetters({
    topics: [topic('orders', 'shop'), topic('legacy')],
    subscriptions: [
      sub('orders', 'shipping'),
      sub('orders', 'billing', { filter: 'type=invoice', deadLetterTargetArn: A + 'sub-dlq' }),
      sub('legacy', 'old'),
    ],
    queues: [
      queue('shipping', { flow: 'shop', depth: depth(2, 1) }),
      queue('billing', { flow: 'shop', redrive: redrive('billing-dlq'), depth: depth(5) }),
      queue('billing-dlq', { depth: depth(3) }),
      queue('sub-dlq'),
      queue('old'),
      queue('spare', { flow: 'other' }),
    ],
    consumers: [{ uuid: 'u1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bill', functionName: 'bill', eventSourceArn: A + 'billing', state: 'Enabled', batchSize: 10 }],
    lambda: { available: true },
  });
}

describe('summarizeFilterPolicy', () => {
  it('renders equality lists and numeric ranges the way people write them', () => {
    assert.equal(summarizeFilterPolicy('{"type":["invoice","credit"],"amount":[{"numeric":[">",100]}]}'), 'type=invoice|credit; amount>100');
    assert.equal(summarizeFilterPolicy('{"n":[{"numeric":[">=",0,"<",10]}]}'), 'n>=0,<10');
  });

  it('covers prefix, suffix, anything-but, exists, equals-ignore-case, cidr, nesting and $or', () => {
    assert.equal(summarizeFilterPolicy('{"s":[{"prefix":"eu-"},{"suffix":".png"}]}'), 's=eu-*|*.png');
    assert.equal(summarizeFilterPolicy('{"s":[{"anything-but":["a","b"]}]}'), 's!=a|b');
    assert.equal(summarizeFilterPolicy('{"s":[{"exists":true}],"t":[{"exists":false}]}'), 's exists; !t');
    assert.equal(summarizeFilterPolicy('{"s":[{"equals-ignore-case":"EU"}]}'), 's~=EU');
    assert.equal(summarizeFilterPolicy('{"ip":[{"cidr":"10.0.0.0/24"}]}'), 'ip in 10.0.0.0/24');
    assert.equal(summarizeFilterPolicy('{"order":{"total":[{"numeric":[">",5]}]}}'), 'order.total>5');
    assert.equal(summarizeFilterPolicy('{"$or":[{"a":["x"]},{"b":["y"]}]}'), '(a=x) OR (b=y)');
  });

  it('null for no policy; invalid JSON is shown as is', () => {
    assert.equal(summarizeFilterPolicy(null), null);
    assert.equal(summarizeFilterPolicy(''), null);
    assert.equal(summarizeFilterPolicy('{oops'), '{oops');
  });
});

describe('parseRedrivePolicy', () => {
  it('reads the target and the count (AWS sends the count as a number or a string)', () => {
    assert.deepEqual(parseRedrivePolicy('{"deadLetterTargetArn":"arn:x","maxReceiveCount":"5"}'), { deadLetterTargetArn: 'arn:x', maxReceiveCount: 5 });
    assert.deepEqual(parseRedrivePolicy('{"deadLetterTargetArn":"arn:x"}'), { deadLetterTargetArn: 'arn:x', maxReceiveCount: null });
    assert.equal(parseRedrivePolicy('not json'), null);
    assert.equal(parseRedrivePolicy(undefined), null);
  });
});

describe('DLQ links, flows and grouping', () => {
  it('marks queues that are dead-letter targets of queues or subscriptions', () => {
    const inv = sample();
    const by = new Map(inv.queues.map((q) => [q.name, q]));
    assert.deepEqual(by.get('billing-dlq')!.deadLetterSources, [A + 'billing']);
    assert.deepEqual(by.get('sub-dlq')!.deadLetterSources, [`${T}orders:billing-id`]);
    assert.deepEqual(by.get('billing')!.deadLetterSources, []);
  });

  it('a flow includes subscribed queues and DLQs behind them even when untagged', () => {
    const f = selectFlow(sample(), 'shop')!;
    assert.deepEqual(f.topics.map((t) => t.name), ['orders']);
    assert.deepEqual(f.queues.map((q) => q.name), ['billing', 'billing-dlq', 'shipping', 'sub-dlq']);
    assert.equal(f.subscriptions.length, 2);
    assert.deepEqual(f.consumers.map((c) => c.functionName), ['bill']);
    assert.equal(selectFlow(sample(), 'missing'), null);
  });

  it('follows chains of DLQs to the end, and stops on cycles', () => {
    const inv = linkDeadLetters({
      topics: [], subscriptions: [], consumers: [], lambda: null,
      queues: [queue('a', { flow: 'f', redrive: redrive('b') }), queue('b', { redrive: redrive('c') }), queue('c', { redrive: redrive('a') })],
    });
    assert.deepEqual(selectFlow(inv, 'f')!.queues.map((q) => q.name), ['a', 'b', 'c']);
  });

  it('groups by flow with working depth and DLQ messages, and lists untagged resources', () => {
    const { flows, untagged } = groupByFlow(sample());
    assert.deepEqual(flows.map((f) => f.name), ['other', 'shop']);
    const shop = flows.find((f) => f.name === 'shop')!;
    assert.deepEqual(shop.depth, depth(7, 1));
    assert.equal(shop.deadLetterMessages, 3);
    assert.deepEqual(untagged.topics.map((t) => t.name), ['legacy']);
    assert.deepEqual(untagged.queues.map((q) => q.name), ['billing-dlq', 'old', 'sub-dlq']);
    assert.deepEqual(flowNames(sample()), ['other', 'shop']);
  });
});

describe('buildGraph', () => {
  it('is sorted (topics, queues, endpoints, functions; edges by source) whatever the input order', () => {
    const g = buildGraph(selectFlow(sample(), 'shop')!);
    assert.deepEqual(g.nodes.map((n) => `${n.kind}:${n.name}`), ['topic:orders', 'queue:billing', 'queue:billing-dlq', 'queue:shipping', 'queue:sub-dlq', 'function:bill']);
    assert.deepEqual(g.edges.map((e) => `${e.kind}:${e.from.split(':').pop()}->${e.to.split(':').pop()}`), [
      'subscription:orders->billing',
      'subscription:orders->shipping',
      'subscription-dead-letter:orders->sub-dlq',
      'dead-letter:billing->billing-dlq',
      'event-source:billing->bill',
    ]);
    assert.equal(g.nodes.find((n) => n.name === 'billing-dlq')!.deadLetter, true);
    const reversed = buildGraph({ ...selectFlow(sample(), 'shop')!, queues: [...selectFlow(sample(), 'shop')!.queues].reverse() });
    assert.deepEqual(reversed, g);
  });

  it('shows referenced queues that do not exist, and non-SQS endpoints', () => {
    const inv = linkDeadLetters({
      topics: [topic('t')], consumers: [], lambda: null,
      subscriptions: [sub('t', 'gone'), sub('t', 'x', { protocol: 'https', endpoint: 'https://example.com/hook', confirmed: false, arn: null })],
      queues: [],
    });
    const g = buildGraph(inv);
    assert.deepEqual(g.nodes.map((n) => [n.kind, n.name, Boolean(n.external)]), [['topic', 't', false], ['queue', 'gone', true], ['endpoint', 'https://example.com/hook', false]]);
    assert.equal(g.edges.find((e) => e.protocol === 'https')!.pending, true);
  });
});

describe('createLimiter', () => {
  it('runs calls in order of arrival, never more than the limit at once, and passes results and errors through', async () => {
    const limit = createLimiter(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const out = await Promise.all([5, 1, 4, 2, 3, 0, 6, 7, 8, 9].map((n) =>
      limit(async () => {
        started.push(n);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, n));
        running--;
        return n * 2;
      }),
    ));
    assert.deepEqual(out, [10, 2, 8, 4, 6, 0, 12, 14, 16, 18]);
    assert.equal(peak, 3);
    assert.deepEqual(started.slice(0, 3), [5, 1, 4]);
    await assert.rejects(limit(async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await limit(async () => 'still works'), 'still works');
  });
});

describe('discoverInventory (SDK clients mocked by command name)', () => {
  const target: Target = { kind: 'local', region: 'us-east-1', endpoints: { sqs: 'http://emu' }, accountId: '000000000000', sources: { kind: '--local', endpoints: {} } };
  const client = (answers: Record<string, (input: Record<string, unknown>) => unknown>) => ({
    send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const op = cmd.constructor.name.replace(/Command$/, '');
      const answer = answers[op];
      if (!answer) throw new Error(`unexpected ${op}`);
      return answer(cmd.input);
    },
  });

  it('pages through ListQueues, reads attributes and tags, peeks the emulator for the oldest age, skips deleted queues', async () => {
    const peeks: string[] = [];
    const sqs = client({
      ListQueues: (i) => (i.NextToken ? { QueueUrls: ['http://emu/000000000000/b', 'http://emu/000000000000/gone'] } : { QueueUrls: ['http://emu/000000000000/a'], NextToken: 't1' }),
      GetQueueAttributes: (i) => {
        const name = String(i.QueueUrl).split('/').pop();
        if (name === 'gone') throw Object.assign(new Error('gone'), { name: 'QueueDoesNotExist' });
        return { Attributes: { QueueArn: A + name, ApproximateNumberOfMessages: name === 'a' ? '4' : '0', ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '0', ...(name === 'a' && { RedrivePolicy: JSON.stringify(redrive('b', 2)) }) } };
      },
      ListQueueTags: (i) => ({ Tags: String(i.QueueUrl).endsWith('/a') ? { 'svl:flow': 'f' } : undefined }),
    });
    const sns = client({
      ListTopics: () => ({ Topics: [{ TopicArn: `${T}t` }] }),
      GetTopicAttributes: () => ({ Attributes: { FifoTopic: 'false' } }),
      ListTagsForResource: () => ({ Tags: [{ Key: 'svl:flow', Value: 'f' }] }),
      ListSubscriptions: () => ({ Subscriptions: [{ SubscriptionArn: `${T}t:1`, TopicArn: `${T}t`, Protocol: 'sqs', Endpoint: A + 'a' }, { SubscriptionArn: 'PendingConfirmation', TopicArn: `${T}t`, Protocol: 'https', Endpoint: 'https://h' }] }),
      GetSubscriptionAttributes: () => ({ Attributes: { FilterPolicy: '{"k":["v"]}', RawMessageDelivery: 'true' } }),
    });
    const lambda = client({});
    const inv = await discoverInventory({
      target,
      sqs: sqs as unknown as SQSClient,
      sns: sns as unknown as SNSClient,
      lambda: lambda as unknown as LambdaClient,
      now: () => 10_000,
      fetch: (async (url: string) => {
        peeks.push(url);
        return { ok: true, json: async () => ({ Messages: [{ Attributes: { SentTimestamp: '4000' } }] }) };
      }) as unknown as typeof fetch,
    });
    assert.deepEqual(inv.queues.map((q) => q.name), ['a', 'b']);
    assert.deepEqual(peeks, ['http://emu/_svl/sqs/peek?queue=a&limit=1'], 'only non-empty queues are peeked');
    const a = inv.queues[0]!;
    assert.equal(a.oldestMessageAgeSeconds, 6);
    assert.equal(a.flow, 'f');
    assert.deepEqual(inv.queues[1]!.deadLetterSources, [A + 'a']);
    assert.equal(inv.subscriptions[0]!.filter, 'k=v');
    assert.equal(inv.subscriptions[0]!.rawMessageDelivery, true);
    assert.equal(inv.subscriptions[1]!.confirmed, false);
    assert.equal(inv.topics[0]!.flow, 'f');
    assert.equal(inv.lambda!.available, false, 'a Lambda error means "no consumers", not a failure');
  });

  it('never peeks on AWS: the age stays unknown', async () => {
    const sqs = client({
      ListQueues: () => ({ QueueUrls: ['https://sqs/1/a'] }),
      GetQueueAttributes: () => ({ Attributes: { QueueArn: A + 'a', ApproximateNumberOfMessages: '9' } }),
      ListQueueTags: () => ({}),
    });
    const sns = client({ ListTopics: () => ({}), ListSubscriptions: () => ({}) });
    const inv = await discoverInventory({
      target: { kind: 'aws', region: 'eu-west-1', endpoints: {}, sources: { kind: 'default', endpoints: {} } },
      sqs: sqs as unknown as SQSClient,
      sns: sns as unknown as SNSClient,
      fetch: (() => assert.fail('no peek on AWS')) as unknown as typeof fetch,
    });
    assert.equal(inv.queues[0]!.oldestMessageAgeSeconds, null);
    assert.equal(inv.lambda, null);
  });
});

describe('discoverInventory with onUnreadable (svl doctor)', () => {
  it('leaves out a queue, topic or subscription whose details are denied and reports it, instead of failing', async () => {
    const client = (answers: Record<string, (input: Record<string, unknown>) => unknown>) => ({
      send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => answers[cmd.constructor.name.replace(/Command$/, '')]!(cmd.input),
    });
    const denied = (name: string) => Object.assign(new Error(`User is not authorized to perform: ${name}`), { name: 'AccessDenied', $metadata: {} });
    const sqs = client({
      ListQueues: () => ({ QueueUrls: ['https://sqs/1/a', 'https://sqs/1/secret'] }),
      GetQueueAttributes: (i) => {
        if (String(i.QueueUrl).endsWith('secret')) throw denied('sqs:GetQueueAttributes');
        return { Attributes: { QueueArn: A + 'a' } };
      },
      ListQueueTags: () => ({}),
    });
    const sns = client({
      ListTopics: () => ({ Topics: [{ TopicArn: `${T}t` }] }),
      GetTopicAttributes: () => {
        throw Object.assign(new Error('not authorized'), { name: 'AuthorizationError', $metadata: {} });
      },
      ListTagsForResource: () => ({ Tags: [] }),
      ListSubscriptions: () => ({}),
    });
    const seen: Array<{ kind: string; id: string }> = [];
    const inv = await discoverInventory({
      target: { kind: 'aws', region: 'eu-west-1', endpoints: {}, sources: { kind: 'default', endpoints: {} } },
      sqs: sqs as unknown as SQSClient,
      sns: sns as unknown as SNSClient,
      onUnreadable: (u) => seen.push({ kind: u.kind, id: u.id }),
    });
    assert.deepEqual(inv.queues.map((q) => q.name), ['a']);
    assert.deepEqual(inv.topics, []);
    assert.deepEqual(seen.sort((x, y) => x.kind.localeCompare(y.kind)), [{ kind: 'queue', id: 'https://sqs/1/secret' }, { kind: 'topic', id: `${T}t` }]);
    await assert.rejects(discoverInventory({ target: { kind: 'aws', region: 'eu-west-1', endpoints: {}, sources: { kind: 'default', endpoints: {} } }, sqs: sqs as unknown as SQSClient, sns: sns as unknown as SNSClient }), /not authorized/, 'without onUnreadable a denial still fails (svl status)');
  });
});
