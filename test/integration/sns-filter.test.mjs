// Subscription filter policies end to end through delivery, with the real SDK clients: attribute scope
// (String, String.Array, Number, exists, anything-but, prefix, suffix, equals-ignore-case, numeric ranges,
// $or) and MessageBody scope (nested keys, arrays, non-JSON bodies). Messages that do not match are never
// delivered and are counted as filtered (reference §4.5; [AWS-rec] cases from test_sns_filter_policy).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns } from '../helpers/sns.mjs';

let t;
before(async () => (t = await setupSns()));
after(() => t.close());

const S = (StringValue) => ({ DataType: 'String', StringValue });
const N = (StringValue) => ({ DataType: 'Number', StringValue });
const A = (arr) => ({ DataType: 'String.Array', StringValue: JSON.stringify(arr) });

/** A topic with a raw subscription filtered by `policy`; `send(cases)` publishes each case and returns the bodies delivered. */
async function filtered(policy, scope = 'MessageAttributes') {
  const name = t.name('filter');
  const topic = await t.createTopic(name);
  const q = await t.subscribeQueue(topic, {
    attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify(policy), FilterPolicyScope: scope },
  });
  return {
    name,
    topic,
    q,
    async delivered(cases) {
      for (const [i, c] of cases.entries()) {
        await t.call('Publish', { TopicArn: topic, Message: c.Message ?? `case-${i}`, MessageAttributes: c.MessageAttributes });
      }
      return (await t.drain(q.url)).map((m) => m.Body);
    },
  };
}

test('exact strings: values OR-ed, keys AND-ed; case-sensitive; missing attribute never matches', async () => {
  const f = await filtered({ color: ['red', 'green'], size: ['L'] });
  const got = await f.delivered([
    { Message: 'red-L', MessageAttributes: { color: S('red'), size: S('L') } },
    { Message: 'green-L', MessageAttributes: { color: S('green'), size: S('L'), extra: S('x') } },
    { Message: 'blue-L', MessageAttributes: { color: S('blue'), size: S('L') } },
    { Message: 'red-M', MessageAttributes: { color: S('red'), size: S('M') } },
    { Message: 'Red-L', MessageAttributes: { color: S('Red'), size: S('L') } },
    { Message: 'red-only', MessageAttributes: { color: S('red') } },
    { Message: 'none' },
  ]);
  assert.deepEqual(got, ['red-L', 'green-L']);
  const stats = await t.topicStats(f.name);
  assert.equal(stats.filtered, 5);
  assert.equal(stats.delivered, 2);
});

test('String.Array attributes match when any element matches [AWS-rec]; Binary attributes are ignored', async () => {
  const f = await filtered({ tags: ['value1'] });
  assert.deepEqual(
    await f.delivered([
      { Message: 'both', MessageAttributes: { tags: A(['value1', 'value2']) } },
      { Message: 'other', MessageAttributes: { tags: A(['value2', 'value3']) } },
      { Message: 'plain-string', MessageAttributes: { tags: S('value1') } },
      { Message: 'binary', MessageAttributes: { tags: { DataType: 'Binary', BinaryValue: Buffer.from('value1') } } },
    ]),
    ['both', 'plain-string'],
  );
});

test('numeric ranges and exact numbers against Number attributes', async () => {
  const f = await filtered({ price: [{ numeric: ['>', 0, '<=', 100] }], qty: [{ numeric: ['=', 5] }] });
  assert.deepEqual(
    await f.delivered([
      { Message: '99.12', MessageAttributes: { price: N('99.12'), qty: N('5') } },
      { Message: '100', MessageAttributes: { price: N('100'), qty: N('5.0') } },
      { Message: '0', MessageAttributes: { price: N('0'), qty: N('5') } },
      { Message: '100.01', MessageAttributes: { price: N('100.01'), qty: N('5') } },
      { Message: 'qty6', MessageAttributes: { price: N('50'), qty: N('6') } },
      { Message: 'sci', MessageAttributes: { price: N('1e1'), qty: N('5') } },
    ]),
    ['99.12', '100', 'sci'],
  );
});

test('exists: true needs the attribute; exists: false needs it absent and at least one attribute present', async () => {
  const yes = await filtered({ trace: [{ exists: true }] });
  assert.deepEqual(
    await yes.delivered([{ Message: 'has', MessageAttributes: { trace: S('x') } }, { Message: 'other', MessageAttributes: { other: S('x') } }, { Message: 'none' }]),
    ['has'],
  );
  const no = await filtered({ trace: [{ exists: false }] });
  assert.deepEqual(
    await no.delivered([{ Message: 'has', MessageAttributes: { trace: S('x') } }, { Message: 'other', MessageAttributes: { other: S('x') } }, { Message: 'none' }]),
    ['other'],
  );
});

test('anything-but (values, numbers, prefix), prefix, suffix, equals-ignore-case', async () => {
  const but = await filtered({ env: [{ 'anything-but': ['prod', 'stage'] }] });
  assert.deepEqual(
    await but.delivered([
      { Message: 'dev', MessageAttributes: { env: S('dev') } },
      { Message: 'prod', MessageAttributes: { env: S('prod') } },
      { Message: 'stage', MessageAttributes: { env: S('stage') } },
      { Message: 'absent', MessageAttributes: { other: S('x') } },
    ]),
    ['dev'],
  );
  const butNum = await filtered({ code: [{ 'anything-but': 200 }] });
  assert.deepEqual(await butNum.delivered([{ Message: '200', MessageAttributes: { code: N('200') } }, { Message: '404', MessageAttributes: { code: N('404') } }]), ['404']);
  const butPrefix = await filtered({ region: [{ 'anything-but': { prefix: 'us-' } }] });
  assert.deepEqual(
    await butPrefix.delivered([{ Message: 'us', MessageAttributes: { region: S('us-east-1') } }, { Message: 'eu', MessageAttributes: { region: S('eu-west-1') } }]),
    ['eu'],
  );
  const prefix = await filtered({ event: [{ prefix: 'order.' }], file: [{ suffix: '.png' }], kind: [{ 'equals-ignore-case': 'Image' }] });
  assert.deepEqual(
    await prefix.delivered([
      { Message: 'match', MessageAttributes: { event: S('order.created'), file: S('a.png'), kind: S('IMAGE') } },
      { Message: 'bad-prefix', MessageAttributes: { event: S('user.created'), file: S('a.png'), kind: S('image') } },
      { Message: 'bad-suffix', MessageAttributes: { event: S('order.created'), file: S('a.jpg'), kind: S('image') } },
      { Message: 'bad-kind', MessageAttributes: { event: S('order.created'), file: S('a.png'), kind: S('video') } },
    ]),
    ['match'],
  );
});

test('a policy referencing an absent attribute does not match a message without attributes [AWS-rec: null + anything-but]', async () => {
  const f = await filtered({ attr1: [null, { 'anything-but': 'whatever' }] });
  assert.deepEqual(await f.delivered([{ Message: 'no-attrs' }, { Message: 'other', MessageAttributes: { attr1: S('other') } }]), ['other']);
});

test('$or across attribute keys', async () => {
  const f = await filtered({ source: ['aws.s3'], $or: [{ type: ['upload'] }, { size: [{ numeric: ['>', 1000] }] }] });
  assert.deepEqual(
    await f.delivered([
      { Message: 'upload', MessageAttributes: { source: S('aws.s3'), type: S('upload') } },
      { Message: 'big', MessageAttributes: { source: S('aws.s3'), type: S('delete'), size: N('5000') } },
      { Message: 'small-delete', MessageAttributes: { source: S('aws.s3'), type: S('delete'), size: N('10') } },
      { Message: 'wrong-source', MessageAttributes: { source: S('aws.ec2'), type: S('upload') } },
    ]),
    ['upload', 'big'],
  );
});

test('MessageBody scope: nested keys, arrays flattened, dotted keys; non-JSON and non-object bodies never match [AWS-rec]', async () => {
  const f = await filtered({ order: { status: ['paid'], total: [{ numeric: ['>=', 10] }] }, 'customer.tier': ['gold'] }, 'MessageBody');
  const body = (o) => ({ Message: JSON.stringify(o) });
  const got = await f.delivered([
    body({ order: { status: 'paid', total: 10 }, customer: { tier: 'gold' } }),
    body({ order: { status: 'paid', total: 25.5 }, 'customer.tier': 'gold' }),
    body({ order: [{ status: 'open', total: 1 }, { status: 'paid', total: 50 }], customer: { tier: 'gold' } }),
    body({ order: { status: 'open', total: 10 }, customer: { tier: 'gold' } }),
    body({ order: { status: 'paid', total: 9 }, customer: { tier: 'gold' } }),
    body({ order: { status: 'paid', total: 10 }, customer: { tier: 'silver' } }),
    { Message: 'not json at all' },
    { Message: '"a JSON string"' },
    // Attributes are not looked at in body scope.
    { Message: JSON.stringify({ order: { status: 'paid' } }), MessageAttributes: { total: N('10'), 'customer.tier': S('gold') } },
  ]);
  assert.deepEqual(got.map((b) => (b.startsWith('{') ? JSON.parse(b) : b)), [
    { order: { status: 'paid', total: 10 }, customer: { tier: 'gold' } },
    { order: { status: 'paid', total: 25.5 }, 'customer.tier': 'gold' },
    { order: [{ status: 'open', total: 1 }, { status: 'paid', total: 50 }], customer: { tier: 'gold' } },
  ]);
});

test('MessageBody scope with exists: false and prefix on nested values', async () => {
  const f = await filtered({ detail: { error: [{ exists: false }], path: [{ prefix: '/api/' }] } }, 'MessageBody');
  const body = (o) => ({ Message: JSON.stringify(o) });
  const got = await f.delivered([
    body({ detail: { path: '/api/users' } }),
    body({ detail: { path: '/api/users', error: 'boom' } }),
    body({ detail: { path: '/web/home' } }),
  ]);
  assert.deepEqual(got, [JSON.stringify({ detail: { path: '/api/users' } })]);
});

test('changing or removing the filter policy applies to the next publish; enveloped subscriptions filter alike', async () => {
  const topic = await t.createTopic(t.name('change'));
  const q = await t.subscribeQueue(topic, { attributes: { FilterPolicy: JSON.stringify({ k: ['a'] }) } });
  const pub = (v) => t.call('Publish', { TopicArn: topic, Message: `k=${v}`, MessageAttributes: { k: S(v) } });
  await pub('a');
  await pub('b');
  assert.deepEqual((await t.notifications(q.url)).map((n) => n.Message), ['k=a']);
  await t.call('SetSubscriptionAttributes', { SubscriptionArn: q.subArn, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify({ k: ['b'] }) });
  await pub('a');
  await pub('b');
  assert.deepEqual((await t.notifications(q.url)).map((n) => n.Message), ['k=b']);
  await t.call('SetSubscriptionAttributes', { SubscriptionArn: q.subArn, AttributeName: 'FilterPolicy', AttributeValue: '' });
  await pub('a');
  await pub('c');
  assert.deepEqual((await t.notifications(q.url)).map((n) => n.Message), ['k=a', 'k=c'], 'no policy: everything is delivered');
});

test('filters apply per subscription on a fan-out, and on FIFO topics', async () => {
  const topic = await t.createTopic(t.name('per-sub') + '.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
  const reds = await t.subscribeQueue(topic, { attributes: { FilterPolicy: JSON.stringify({ color: ['red'] }), RawMessageDelivery: 'true' } });
  const blues = await t.subscribeQueue(topic, { attributes: { FilterPolicy: JSON.stringify({ color: ['blue'] }), RawMessageDelivery: 'true' } });
  const all = await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } });
  for (const [i, c] of ['red', 'blue', 'red', 'green'].entries()) {
    await t.call('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: [{ Id: '1', Message: `${c}-${i}`, MessageGroupId: 'g', MessageAttributes: { color: S(c) } }] });
  }
  const colorOf = (ms) => ms.map((m) => m.Body.split('-')[0]);
  assert.deepEqual(colorOf(await t.drain(reds.url)), ['red', 'red']);
  assert.deepEqual(colorOf(await t.drain(blues.url)), ['blue']);
  assert.deepEqual(colorOf(await t.drain(all.url)), ['red', 'blue', 'red', 'green']);
});
