// SNS subscriptions with the real @aws-sdk/client-sns: Subscribe (sqs, lambda, http, https; attributes;
// idempotency; endpoint and protocol validation), ConfirmSubscription, Unsubscribe, ListSubscriptions /
// ListSubscriptionsByTopic paging, Get/SetSubscriptionAttributes (AWS-recorded shapes and texts;
// FilterPolicy / FilterPolicyScope visibility). [AWS-rec] = LocalStack snapshot recorded against AWS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns, expectSnsError, invalidParameter, topicArnOf, queueArnOf, ACCOUNT } from '../helpers/sns.mjs';

let t;
before(async () => (t = await setupSns()));
after(() => t.close());

const SQS_SUB_KEYS = [
  'ConfirmationWasAuthenticated',
  'Endpoint',
  'Owner',
  'PendingConfirmation',
  'Protocol',
  'RawMessageDelivery',
  'SubscriptionArn',
  'SubscriptionPrincipal',
  'TopicArn',
];
const lambdaArn = (name) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const subNotFound = { name: 'NotFoundException', code: 'NotFound', status: 404, message: 'Subscription does not exist' };
/** An http endpoint nobody listens on: confirmations fail and wait for a retry the fake clock never reaches. */
const DEAD_HTTP = 'http://127.0.0.1:9/sns';

test('Subscribe sqs: confirmed at once, ARN returned without ReturnSubscriptionArn; attributes have the AWS-recorded shape', async () => {
  const topic = await t.createTopic(t.name('sqs'));
  const q = await t.createQueue(t.name('q'));
  const out = await t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: q.arn });
  assert.match(out.SubscriptionArn, new RegExp(`^${topic}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`));
  const a = await t.subAttrs(out.SubscriptionArn);
  assert.deepEqual(Object.keys(a).sort(), SQS_SUB_KEYS);
  assert.equal(a.ConfirmationWasAuthenticated, 'true');
  assert.equal(a.Endpoint, q.arn);
  assert.equal(a.Owner, ACCOUNT);
  assert.equal(a.PendingConfirmation, 'false');
  assert.equal(a.Protocol, 'sqs');
  assert.equal(a.RawMessageDelivery, 'false');
  assert.equal(a.SubscriptionArn, out.SubscriptionArn);
  assert.match(a.SubscriptionPrincipal, new RegExp(`^arn:aws:iam::${ACCOUNT}:user/.+`));
  assert.equal(a.TopicArn, topic);
});

test('Subscribe with attributes; idempotent for equal values and defaults, refused for different ones [AWS-rec test_subscribe_idempotency]', async () => {
  const topic = await t.createTopic(t.name('idem'));
  const q = await t.createQueue(t.name('q'));
  const sub = (Attributes) => t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: q.arn, ReturnSubscriptionArn: true, Attributes });
  const first = (await sub({ RawMessageDelivery: 'True' })).SubscriptionArn;
  assert.equal((await t.subAttrs(first)).RawMessageDelivery, 'true', 'stored lower-case');
  assert.equal((await sub({ RawMessageDelivery: 'true' })).SubscriptionArn, first);
  assert.equal((await sub({ RawMessageDelivery: 'true', FilterPolicyScope: 'MessageAttributes' })).SubscriptionArn, first);
  assert.equal((await sub(undefined)).SubscriptionArn, first);
  assert.equal((await sub({})).SubscriptionArn, first);
  assert.equal((await sub({ FilterPolicyScope: 'MessageAttributes' })).SubscriptionArn, first);
  await expectSnsError(
    sub({ RawMessageDelivery: 'false', FilterPolicyScope: 'MessageBody' }),
    invalidParameter('Invalid parameter: Attributes Reason: Subscription already exists with different attributes'),
  );
  assert.equal((await t.call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions.length, 1);

  const policy = JSON.stringify({ color: ['red'] });
  const q2 = await t.createQueue(t.name('q'));
  const withPolicy = await t.call('Subscribe', {
    TopicArn: topic,
    Protocol: 'sqs',
    Endpoint: q2.arn,
    Attributes: { FilterPolicy: policy, FilterPolicyScope: 'MessageBody', RawMessageDelivery: 'true', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: q.arn }) },
  });
  const a = await t.subAttrs(withPolicy.SubscriptionArn);
  assert.equal(a.FilterPolicy, policy);
  assert.equal(a.FilterPolicyScope, 'MessageBody');
  assert.equal(a.RawMessageDelivery, 'true');
  assert.deepEqual(JSON.parse(a.RedrivePolicy), { deadLetterTargetArn: q.arn });
});

test('Subscribe lambda: confirmed (same account), listed with its function ARN', async () => {
  const topic = await t.createTopic(t.name('lambda'));
  const out = await t.call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: lambdaArn('fn') });
  assert.ok(out.SubscriptionArn.startsWith(`${topic}:`));
  const a = await t.subAttrs(out.SubscriptionArn);
  assert.equal(a.Protocol, 'lambda');
  assert.equal(a.PendingConfirmation, 'false');
  assert.equal(a.Endpoint, lambdaArn('fn'));
  const [listed] = (await t.call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions;
  assert.deepEqual(listed, { SubscriptionArn: out.SubscriptionArn, Owner: ACCOUNT, Protocol: 'lambda', Endpoint: lambdaArn('fn'), TopicArn: topic });
  await expectSnsError(t.call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: 'not-an-arn' }), { name: 'InvalidParameterException', code: 'InvalidParameter' });
});

test('Subscribe http/https: "pending confirmation" unless ReturnSubscriptionArn; listed as PendingConfirmation [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('http'));
  const pending = await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: DEAD_HTTP });
  assert.equal(pending.SubscriptionArn, 'pending confirmation');
  const withArn = await t.call('Subscribe', { TopicArn: topic, Protocol: 'https', Endpoint: 'https://127.0.0.1:9/x', ReturnSubscriptionArn: true });
  assert.ok(withArn.SubscriptionArn.startsWith(`${topic}:`));
  const a = await t.subAttrs(withArn.SubscriptionArn);
  assert.equal(a.PendingConfirmation, 'true');
  assert.equal(a.ConfirmationWasAuthenticated, 'false');
  assert.equal(a.Protocol, 'https');
  const subs = (await t.call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions;
  assert.deepEqual(subs.map((s) => [s.Protocol, s.SubscriptionArn]).sort(), [['http', 'PendingConfirmation'], ['https', 'PendingConfirmation']]);
  // Subscribing the same endpoint again while pending answers "pending confirmation" again.
  assert.equal((await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: DEAD_HTTP })).SubscriptionArn, 'pending confirmation');

  await expectSnsError(t.call('Subscribe', { TopicArn: topic, Protocol: 'https', Endpoint: 'http://127.0.0.1:9/x' }), { name: 'InvalidParameterException', code: 'InvalidParameter' });
  await expectSnsError(t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: 'not a url' }), { name: 'InvalidParameterException', code: 'InvalidParameter' });
});

test('Subscribe validation: protocol string, SQS endpoint ARN, FIFO queue on a standard topic [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('val'));
  await expectSnsError(
    t.call('Subscribe', { TopicArn: topic, Protocol: 'x', Endpoint: 'y' }),
    invalidParameter('Invalid parameter: Amazon SNS does not support this protocol string: x'),
  );
  await expectSnsError(
    t.call('Subscribe', { TopicArn: topic, Protocol: 'test-protocol', Endpoint: 'y' }),
    invalidParameter('Invalid parameter: Amazon SNS does not support this protocol string: test-protocol'),
  );
  const q = await t.createQueue(t.name('q'));
  await expectSnsError(t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: q.url }), invalidParameter('Invalid parameter: SQS endpoint ARN'));
  await expectSnsError(t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: 'unknown' }), invalidParameter('Invalid parameter: SQS endpoint ARN'));
  const fifoQ = await t.createQueue(t.name('fq') + '.fifo', { FifoQueue: 'true' });
  await expectSnsError(
    t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: fifoQ.arn }),
    invalidParameter('Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics'),
  );
  // AWS accepts a well-formed ARN of a queue that does not exist [AWS-rec test_subscribe_unknown_sqs_queue].
  const unknown = await t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: queueArnOf('unknown-queue') });
  assert.ok(unknown.SubscriptionArn.startsWith(`${topic}:`));
  // FIFO topics take FIFO and standard queues.
  const fifoTopic = await t.createTopic(t.name('ft') + '.fifo', { FifoTopic: 'true' });
  assert.ok((await t.call('Subscribe', { TopicArn: fifoTopic, Protocol: 'sqs', Endpoint: fifoQ.arn })).SubscriptionArn.startsWith(fifoTopic));
  assert.ok((await t.call('Subscribe', { TopicArn: fifoTopic, Protocol: 'sqs', Endpoint: q.arn })).SubscriptionArn.startsWith(fifoTopic));
  // Unknown and invalid attributes at Subscribe.
  await expectSnsError(
    t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'wrongvalue' } }),
    invalidParameter('Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false.'),
  );
  await expectSnsError(
    t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: q.arn, Attributes: { Bogus: 'x' } }),
    invalidParameter('Invalid parameter: Attributes Reason: AttributeName'),
  );
  const err = await expectSnsError(
    t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: q.arn, Attributes: { FilterPolicy: 'invalid-json' } }),
    { name: 'InvalidParameterException', code: 'InvalidParameter' },
  );
  assert.ok(
    err.message.startsWith(
      "Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON. Unrecognized token 'invalid': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    ),
    err.message,
  );
});

test('ConfirmSubscription: token errors [AWS-rec]; the right token confirms (idempotently)', async () => {
  const topic = await t.createTopic(t.name('confirm'));
  const subArn = (await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: DEAD_HTTP, ReturnSubscriptionArn: true })).SubscriptionArn;
  const hexToken = 'ab'.repeat(64);
  await expectSnsError(t.call('ConfirmSubscription', { TopicArn: topic, Token: 'randomtoken' }), invalidParameter('Invalid token'));
  await expectSnsError(t.call('ConfirmSubscription', { TopicArn: topic, Token: hexToken }), invalidParameter('Invalid parameter: Token'));
  await expectSnsError(t.call('ConfirmSubscription', { TopicArn: topic.slice(0, -1) + 'i', Token: hexToken }), invalidParameter('Invalid parameter: Token'));
  await expectSnsError(t.call('ConfirmSubscription', { TopicArn: 'not-an-arn', Token: hexToken }), invalidParameter('Invalid parameter: Topic'));
  await expectSnsError(t.call('ConfirmSubscription', { TopicArn: topic.replace('us-east-1', 'eu-central-1'), Token: hexToken }), invalidParameter('Invalid parameter: Topic'));

  // The token is only in the SubscriptionConfirmation message (sns-http tests read it there); here, from the registry.
  const token = t.emu.sns.registry.subs.get(subArn).token;
  assert.match(token, /^[0-9a-f]+$/);
  assert.equal((await t.call('ConfirmSubscription', { TopicArn: topic, Token: token })).SubscriptionArn, subArn);
  // AWS finds the subscription by its token: another (even unknown) topic ARN of the region still confirms it [AWS-rec].
  const other = (await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: `${DEAD_HTTP}/2`, ReturnSubscriptionArn: true })).SubscriptionArn;
  const otherToken = t.emu.sns.registry.subs.get(other).token;
  assert.equal((await t.call('ConfirmSubscription', { TopicArn: topic.slice(0, -1) + 'a', Token: otherToken })).SubscriptionArn, other);
  assert.equal((await t.subAttrs(other)).PendingConfirmation, 'false');
  assert.equal((await t.call('ConfirmSubscription', { TopicArn: topic, Token: token })).SubscriptionArn, subArn, 'idempotent');
  assert.equal((await t.subAttrs(subArn)).PendingConfirmation, 'false');
  const listed = (await t.call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions.map((x) => x.SubscriptionArn);
  assert.deepEqual(listed.sort(), [subArn, other].sort());
  assert.equal((await t.topicAttrs(topic)).SubscriptionsConfirmed, '2');
});

test('Unsubscribe removes the subscription; malformed ARNs get AWS texts [AWS-rec test_unsubscribe_wrong_arn_format]', async () => {
  const topic = await t.createTopic(t.name('unsub'));
  const q = await t.subscribeQueue(topic);
  await t.call('Unsubscribe', { SubscriptionArn: q.subArn });
  await expectSnsError(t.subAttrs(q.subArn), subNotFound);
  assert.deepEqual((await t.call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions, []);
  await t.call('Unsubscribe', { SubscriptionArn: q.subArn }); // already gone: still succeeds
  // Nothing is delivered after unsubscribing.
  await t.call('Publish', { TopicArn: topic, Message: 'after' });
  assert.deepEqual(await t.drain(q.url), []);

  await expectSnsError(t.call('Unsubscribe', { SubscriptionArn: 'randomstring' }), invalidParameter('Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1'));
  await expectSnsError(t.call('Unsubscribe', { SubscriptionArn: 'arn:aws:sns:us-east-1:random' }), invalidParameter('Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5'));
  await expectSnsError(t.call('Unsubscribe', { SubscriptionArn: 'arn:aws:sns:us-east-1:111111111111:random' }), invalidParameter('Invalid parameter: SubscriptionId'));
  await expectSnsError(t.call('Unsubscribe', {}), invalidParameter('Invalid parameter: SubscriptionArn Reason: no value for required parameter'));
  await expectSnsError(t.call('Unsubscribe', { SubscriptionArn: 'pending confirmation' }), invalidParameter('Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1'));
});

test('ListSubscriptions and ListSubscriptionsByTopic page 100 at a time (120 subscriptions)', async () => {
  const t2 = await setupSns();
  try {
    const topic = await t2.createTopic('paging');
    const other = await t2.createTopic('other');
    const arns = [];
    for (let i = 0; i < 120; i++) arns.push((await t2.call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: lambdaArn(`f${i}`) })).SubscriptionArn);
    const otherSub = (await t2.call('Subscribe', { TopicArn: other, Protocol: 'lambda', Endpoint: lambdaArn('o') })).SubscriptionArn;

    const p1 = await t2.call('ListSubscriptionsByTopic', { TopicArn: topic });
    assert.equal(p1.Subscriptions.length, 100);
    assert.ok(p1.NextToken);
    const p2 = await t2.call('ListSubscriptionsByTopic', { TopicArn: topic, NextToken: p1.NextToken });
    assert.equal(p2.Subscriptions.length, 20);
    assert.equal(p2.NextToken, undefined);
    assert.deepEqual([...p1.Subscriptions, ...p2.Subscriptions].map((s) => s.SubscriptionArn).sort(), [...arns].sort());
    for (const s of [...p1.Subscriptions, ...p2.Subscriptions]) {
      assert.equal(s.TopicArn, topic);
      assert.equal(s.Owner, ACCOUNT);
      assert.equal(s.Protocol, 'lambda');
    }

    const a1 = await t2.call('ListSubscriptions', {});
    assert.equal(a1.Subscriptions.length, 100);
    const a2 = await t2.call('ListSubscriptions', { NextToken: a1.NextToken });
    assert.equal(a2.Subscriptions.length, 21);
    assert.equal(a2.NextToken, undefined);
    const all = [...a1.Subscriptions, ...a2.Subscriptions].map((s) => s.SubscriptionArn);
    assert.equal(new Set(all).size, 121);
    assert.ok(all.includes(otherSub));
  } finally {
    await t2.close();
  }
});

test('SetSubscriptionAttributes: FilterPolicyScope is only shown once a FilterPolicy exists; "" removes both [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('scope'));
  const { subArn } = await t.subscribeQueue(topic);
  const set = (AttributeName, AttributeValue) => t.call('SetSubscriptionAttributes', { SubscriptionArn: subArn, AttributeName, AttributeValue });
  assert.deepEqual(Object.keys(await t.subAttrs(subArn)).sort(), SQS_SUB_KEYS);
  await set('FilterPolicyScope', 'MessageBody');
  assert.deepEqual(Object.keys(await t.subAttrs(subArn)).sort(), SQS_SUB_KEYS, 'scope alone is not shown');
  await expectSnsError(
    set('FilterPolicyScope', 'RandomValue'),
    invalidParameter('Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or MessageAttributes'),
  );
  await set('FilterPolicy', JSON.stringify({ attr: ['match-this'] }));
  let a = await t.subAttrs(subArn);
  assert.deepEqual(JSON.parse(a.FilterPolicy), { attr: ['match-this'] });
  assert.equal(a.FilterPolicyScope, 'MessageBody', 'the scope set earlier applies');
  await set('FilterPolicy', '');
  a = await t.subAttrs(subArn);
  assert.equal(a.FilterPolicy, undefined);
  assert.equal(a.FilterPolicyScope, undefined);

  // A nested policy needs scope MessageBody [AWS-rec test_sub_filter_policy_nested_property].
  const { subArn: sub2 } = await t.subscribeQueue(topic);
  const nested = JSON.stringify({ object: { key: [{ prefix: 'auto-' }] } });
  await expectSnsError(
    t.call('SetSubscriptionAttributes', { SubscriptionArn: sub2, AttributeName: 'FilterPolicy', AttributeValue: nested }),
    invalidParameter('Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy'),
  );
  await t.call('SetSubscriptionAttributes', { SubscriptionArn: sub2, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageBody' });
  await t.call('SetSubscriptionAttributes', { SubscriptionArn: sub2, AttributeName: 'FilterPolicy', AttributeValue: nested });
  a = await t.subAttrs(sub2);
  assert.equal(a.FilterPolicyScope, 'MessageBody');
  assert.deepEqual(JSON.parse(a.FilterPolicy), JSON.parse(nested));
  // Switching back to attributes scope re-validates the nested policy.
  await expectSnsError(
    t.call('SetSubscriptionAttributes', { SubscriptionArn: sub2, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageAttributes' }),
    invalidParameter('Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy'),
  );
  assert.equal((await t.subAttrs(sub2)).FilterPolicyScope, 'MessageBody', 'a refused change leaves the scope');
});

test('SetSubscriptionAttributes validation texts [AWS-rec test_validate_set_sub_attributes]', async () => {
  const topic = await t.createTopic(t.name('setval'));
  const { subArn } = await t.subscribeQueue(topic);
  const set = (AttributeName, AttributeValue) => t.call('SetSubscriptionAttributes', { SubscriptionArn: subArn, AttributeName, AttributeValue });
  await expectSnsError(set('FakeAttribute', 'test-value'), invalidParameter('Invalid parameter: AttributeName'));
  await expectSnsError(set('RawMessageDelivery', 'test-ValUe'), invalidParameter('Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.'));
  await expectSnsError(set('RawMessageDelivery', ''), invalidParameter('Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false.'));
  await expectSnsError(set('RedrivePolicy', JSON.stringify({ deadLetterTargetArn: 'fake-arn' })), invalidParameter('Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn'));
  let err = await expectSnsError(set('RedrivePolicy', '{invalidjson}'), { name: 'InvalidParameterException', code: 'InvalidParameter' });
  assert.ok(err.message.startsWith("Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name"), err.message);
  err = await expectSnsError(set('FilterPolicy', '{invalidjson}'), { name: 'InvalidParameterException', code: 'InvalidParameter' });
  assert.ok(err.message.startsWith("Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name"), err.message);
  await expectSnsError(set('FilterPolicy', JSON.stringify({ key_a: 'value_one' })), {
    name: 'InvalidParameterException',
    code: 'InvalidParameter',
    message: 'Invalid parameter: FilterPolicy: "key_a" must be an object or an array\n at [Source: (String)"{"key_a":"value_one"}"; line: 1, column: 11]',
  });

  await set('RawMessageDelivery', 'TRUE');
  assert.equal((await t.subAttrs(subArn)).RawMessageDelivery, 'true');
  await expectSnsError(t.call('SetSubscriptionAttributes', { SubscriptionArn: `${topic}:00000000-0000-0000-0000-000000000000`, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }), subNotFound);
  await expectSnsError(t.subAttrs(`${topic}:00000000-0000-0000-0000-000000000000`), subNotFound);
  await expectSnsError(t.subAttrs('randomstring'), invalidParameter('Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1'));

  // FIFO: a FIFO subscription of a FIFO topic needs a FIFO DLQ [AWS-rec test_validations_for_fifo].
  const ft = await t.createTopic(t.name('ft') + '.fifo', { FifoTopic: 'true' });
  const fq = await t.subscribeQueue(ft);
  const stdDlq = await t.createQueue(t.name('dlq'));
  await expectSnsError(
    t.call('SetSubscriptionAttributes', { SubscriptionArn: fq.subArn, AttributeName: 'RedrivePolicy', AttributeValue: JSON.stringify({ deadLetterTargetArn: stdDlq.arn }) }),
    invalidParameter('Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.'),
  );
});

test('Get/SetSubscriptionAttributes of an http subscription: DeliveryPolicy and EffectiveDeliveryPolicy', async () => {
  const topic = await t.createTopic(t.name('httpattrs'));
  const subArn = (await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: DEAD_HTTP, ReturnSubscriptionArn: true })).SubscriptionArn;
  let a = await t.subAttrs(subArn);
  assert.equal(JSON.parse(a.EffectiveDeliveryPolicy).healthyRetryPolicy.numRetries, 3);
  const policy = { healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 1, numRetries: 0 } };
  await t.call('SetSubscriptionAttributes', { SubscriptionArn: subArn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(policy) });
  a = await t.subAttrs(subArn);
  // Stored and reported in AWS's normalised shape [AWS-rec test_subscribe_external_http_endpoint_content_type].
  assert.deepEqual(JSON.parse(a.DeliveryPolicy), { ...policy, sicklyRetryPolicy: null, throttlePolicy: null, requestPolicy: null, guaranteed: false });
  const eff = JSON.parse(a.EffectiveDeliveryPolicy);
  assert.deepEqual(Object.keys(eff), ['healthyRetryPolicy', 'sicklyRetryPolicy', 'throttlePolicy', 'requestPolicy', 'guaranteed']);
  assert.deepEqual(eff.healthyRetryPolicy, {
    minDelayTarget: 1,
    maxDelayTarget: 1,
    numRetries: 0,
    numMaxDelayRetries: 0,
    numNoDelayRetries: 0,
    numMinDelayRetries: 0,
    backoffFunction: 'linear',
  });
  assert.deepEqual(eff.requestPolicy, { headerContentType: 'text/plain; charset=UTF-8' }, 'the topic default');
  assert.equal(eff.guaranteed, false);
  await t.call('SetTopicAttributes', { TopicArn: topic, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify({ http: { defaultRequestPolicy: { headerContentType: 'application/json' } } }) });
  assert.deepEqual(JSON.parse((await t.subAttrs(subArn)).EffectiveDeliveryPolicy).requestPolicy, { headerContentType: 'application/json' });
  await expectSnsError(
    t.call('SetSubscriptionAttributes', { SubscriptionArn: subArn, AttributeName: 'DeliveryPolicy', AttributeValue: '{nope' }),
    { name: 'InvalidParameterException', code: 'InvalidParameter', includes: 'DeliveryPolicy' },
  );
});
