// SNS behaviours of issue 12 checked against AWS-recorded responses, with the real SDK clients. Sources:
// LocalStack's AWS-validated snapshots (localstack/localstack tests/aws/services/sns/test_sns.snapshot.json,
// @markers.aws.validated tests; named per test below) and the AWS API reference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { requireQueryClient, runPython } from '../helpers/boto.mjs';
import { setupSns, expectSnsError, invalidParameter, ACCOUNT, REGION } from '../helpers/sns.mjs';

let t;
before(async () => (t = await setupSns()));
after(() => t.close());

const JACKSON_REDACTED = (column) => `\n at [Source: REDACTED (\`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION\` disabled); line: 1, column: ${column}]`;

test('FIFO topic -> FIFO queue: the queue assigns its own SequenceNumber, not the envelope\'s nor the publish response\'s', async () => {
  // AWS-recorded test_message_to_fifo_sqs[True|False]: queue Attributes.SequenceNumber <sequence-number:1>, body SequenceNumber <sequence-number:2>.
  const topic = await t.createTopic(`${t.name('seq')}.fifo`, { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
  const q = await t.subscribeQueue(topic, { name: `${t.name('seqq')}.fifo`, queueAttributes: { FifoQueue: 'true' } });
  const out = await t.call('Publish', { TopicArn: topic, Message: 'Test', MessageGroupId: 'g1' });
  const [m] = await t.drain(q.url, { AttributeNames: ['All'] });
  const n = JSON.parse(m.Body);
  assert.equal(n.SequenceNumber, out.SequenceNumber);
  assert.match(m.Attributes.SequenceNumber, /^\d+$/);
  assert.notEqual(m.Attributes.SequenceNumber, n.SequenceNumber);
});

test('RedrivePolicy and FilterPolicy parse errors end with Jackson\'s redacted location, as AWS now writes them', async () => {
  // AWS-recorded test_validate_set_sub_attributes (invalid-json-redrive-policy, invalid-json-filter-policy) and
  // TestSNSSubscriptionCrudV2::test_subscribe_invalid_filter_policy (recorded 13-01-2026).
  const topic = await t.createTopic(t.name('parse'));
  const q = await t.subscribeQueue(topic);
  const set = (AttributeName, AttributeValue) => t.call('SetSubscriptionAttributes', { SubscriptionArn: q.subArn, AttributeName, AttributeValue });
  await expectSnsError(set('RedrivePolicy', '{invalidjson}'), invalidParameter(`Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name${JACKSON_REDACTED(2)}`));
  await expectSnsError(set('FilterPolicy', '{invalidjson}'), invalidParameter(`Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name${JACKSON_REDACTED(2)}`));
  await expectSnsError(
    t.call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: q.arn, Attributes: { FilterPolicy: 'invalid' } }),
    invalidParameter(`Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON. Unrecognized token 'invalid': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')${JACKSON_REDACTED(8)}`),
  );
});

test('Publish: a missing platform endpoint TargetArn, a malformed TargetArn, invalid phone numbers', async () => {
  // AWS-recorded test_publish_non_existent_target (non-existent-endpoint), test_publish_wrong_arn_format,
  // TestSNSSMS::test_publish_wrong_phone_format; API_Publish: PhoneNumber in E.164 format.
  await expectSnsError(
    t.call('Publish', { TargetArn: `arn:aws:sns:${REGION}:${ACCOUNT}:endpoint/APNS/abcdef/0f7d5971-aa8b-4bd5-b585-0826e9f93a66`, Message: 'm' }),
    invalidParameter('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified'),
  );
  await expectSnsError(t.call('Publish', { TargetArn: 'randomstring', Message: 'm' }), invalidParameter('Invalid parameter: TargetArn Reason: An ARN must have at least 6 elements, not 1'));
  await expectSnsError(t.call('Publish', { TopicArn: 'randomstring', Message: 'm' }), invalidParameter('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1'));
  for (const phone of ['+1a234', 'NAA+15551234567']) {
    await expectSnsError(t.call('Publish', { PhoneNumber: phone, Message: 'm' }), invalidParameter(`Invalid parameter: PhoneNumber Reason: ${phone} is not valid to publish to`));
  }
});

test('CreateTopic again with the same tags, a subset of them or none returns the same ARN; another tag is refused', async () => {
  // AWS-recorded test_create_duplicate_topic_check_idempotency and test_create_duplicate_topic_with_more_tags.
  const name = t.name('idem');
  const tags = [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }];
  const arn = (await t.call('CreateTopic', { Name: name, Tags: tags })).TopicArn;
  for (const Tags of [tags, [tags[0]], [], undefined]) {
    assert.equal((await t.call('CreateTopic', { Name: name, Tags })).TopicArn, arn);
  }
  await expectSnsError(t.call('CreateTopic', { Name: name, Tags: [{ Key: 'key1', Value: 'value1' }] }), invalidParameter('Invalid parameter: Tags Reason: Topic already exists with different tags'));
  const untagged = await t.createTopic(t.name('untagged'));
  await expectSnsError(t.call('CreateTopic', { Name: untagged.split(':').pop(), Tags: [{ Key: 'key1', Value: 'value1' }] }), invalidParameter('Invalid parameter: Tags Reason: Topic already exists with different tags'));
});

test('topic DeliveryPolicy is normalised as AWS stores it; an unset FilterPolicy is absent', async () => {
  // AWS-recorded test_topic_delivery_policy_crud (get-topic-attrs, -after-update, -after-none, -after-delete).
  const topic = await t.createTopic(t.name('dp'), { DeliveryPolicy: JSON.stringify({ http: { defaultRequestPolicy: { headerContentType: 'application/json' } } }) });
  const dp = async () => (await t.topicAttrs(topic)).DeliveryPolicy;
  assert.equal(await dp(), JSON.stringify({ http: { disableSubscriptionOverrides: false, defaultRequestPolicy: { headerContentType: 'application/json' } } }));
  const setDp = (AttributeValue) => t.call('SetTopicAttributes', { TopicArn: topic, AttributeName: 'DeliveryPolicy', AttributeValue });
  await setDp(JSON.stringify({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 6, numRetries: 1 } } }));
  assert.equal(await dp(), JSON.stringify({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 6, numRetries: 1 }, disableSubscriptionOverrides: false } }));
  await setDp(JSON.stringify({ http: { defaultHealthyRetryPolicy: null } }));
  assert.equal(await dp(), JSON.stringify({ http: { disableSubscriptionOverrides: false } }));
  await setDp('');
  assert.equal(await dp(), undefined, 'an emptied DeliveryPolicy is absent');
  assert.ok((await t.topicAttrs(topic)).EffectiveDeliveryPolicy);

  // GetSubscriptionAttributes: no FilterPolicy key when none was set, nor after it is cleared
  // (AWS-recorded test_validate_set_sub_attributes / test_set_subscription_filter_policy_scope: keys absent).
  const q = await t.subscribeQueue(topic);
  assert.equal('FilterPolicy' in (await t.subAttrs(q.subArn)), false);
  await t.call('SetSubscriptionAttributes', { SubscriptionArn: q.subArn, AttributeName: 'FilterPolicy', AttributeValue: '{"a":["b"]}' });
  await t.call('SetSubscriptionAttributes', { SubscriptionArn: q.subArn, AttributeName: 'FilterPolicy', AttributeValue: '' });
  const attrs = await t.subAttrs(q.subArn);
  assert.equal('FilterPolicy' in attrs, false);
  assert.equal('FilterPolicyScope' in attrs, false);

  // Subscribe with FilterPolicy "" (and a scope): neither key is reported (AWS-recorded
  // test_create_subscriptions_with_attributes, get-attrs).
  const q2 = await t.createQueue(t.name('fp-empty'));
  const { SubscriptionArn } = await t.call('Subscribe', {
    TopicArn: topic, Protocol: 'sqs', Endpoint: q2.arn, ReturnSubscriptionArn: true,
    Attributes: { RawMessageDelivery: 'TrUe', FilterPolicyScope: 'MessageBody', FilterPolicy: '' },
  });
  const a2 = await t.subAttrs(SubscriptionArn);
  assert.equal(a2.RawMessageDelivery, 'true');
  assert.equal('FilterPolicy' in a2, false);
  assert.equal('FilterPolicyScope' in a2, false);
});

test('MessageGroupId on a standard topic reaches a standard queue subscriber as its MessageGroupId', async () => {
  // AWS-recorded TestSNSSubscriptionSQS::test_publish_message_group_id (18-08-2025): Attributes.MessageGroupId "my-group-id-1".
  const topic = await t.createTopic(t.name('grp'));
  const q = await t.subscribeQueue(topic);
  await t.call('Publish', { TopicArn: topic, Message: 'test signature value with attributes', MessageGroupId: 'my-group-id-1', MessageAttributes: { attr1: { DataType: 'Number', StringValue: '1' } } });
  const [m] = await t.drain(q.url, { AttributeNames: ['All'], MessageAttributeNames: ['All'] });
  assert.equal(m.Attributes.MessageGroupId, 'my-group-id-1');
  const n = JSON.parse(m.Body);
  assert.equal(n.Message, 'test signature value with attributes');
  assert.equal('MessageGroupId' in n, false, 'the envelope does not carry it');
});

test('over the Query protocol (Debian python3-boto3): the same texts, XML-escaped and parsed back, and CreateTopic idempotency', async () => {
  requireQueryClient();
  const script = fileURLToPath(new URL('./py/sns_fidelity_query.py', import.meta.url));
  const run = await runPython([script, t.url]);
  assert.equal(run.code, 0, `sns_fidelity_query.py exited ${run.code}:\n${run.out}`);
  const seen = JSON.parse(run.stdout);
  const bad = (Message) => ({ Code: 'InvalidParameter', Message, Status: 400 });
  assert.deepEqual(seen, {
    idempotent: [true, true, true],
    redrive: bad(`Invalid parameter: RedrivePolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name${JACKSON_REDACTED(2)}`),
    filter: bad(`Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name${JACKSON_REDACTED(2)}`),
    endpoint: bad('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified'),
    phone: bad('Invalid parameter: PhoneNumber Reason: +1a234 is not valid to publish to'),
  });
});
