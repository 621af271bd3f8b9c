// SNS topics with the real @aws-sdk/client-sns: CreateTopic (standard, FIFO, attributes, tags,
// idempotency, name rules), DeleteTopic, ListTopics paging, Get/SetTopicAttributes (AWS-recorded
// defaults), tags and the NotFound/InvalidParameter errors (reference §4.1–4.2; [AWS-rec] = LocalStack
// snapshot recorded against AWS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns, expectSnsError, invalidParameter, topicNotFound, topicArnOf, ACCOUNT } from '../helpers/sns.mjs';

let t;
before(async () => (t = await setupSns()));
after(() => t.close());

/** GetTopicAttributes defaults of a standard topic [AWS-rec test_topic_get_attributes_with_fifo_false]. */
const STANDARD_KEYS = [
  'DisplayName',
  'EffectiveDeliveryPolicy',
  'Owner',
  'Policy',
  'SubscriptionsConfirmed',
  'SubscriptionsDeleted',
  'SubscriptionsPending',
  'TopicArn',
];
const EFFECTIVE_DELIVERY_POLICY = {
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
};
const defaultPolicy = (arn) => ({
  Version: '2008-10-17',
  Id: '__default_policy_ID',
  Statement: [
    {
      Sid: '__default_statement_ID',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: [
        'SNS:GetTopicAttributes',
        'SNS:SetTopicAttributes',
        'SNS:AddPermission',
        'SNS:RemovePermission',
        'SNS:DeleteTopic',
        'SNS:Subscribe',
        'SNS:ListSubscriptionsByTopic',
        'SNS:Publish',
      ],
      Resource: arn,
      Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } },
    },
  ],
});

test('CreateTopic (standard) returns the ARN; GetTopicAttributes has exactly the AWS-recorded defaults', async () => {
  const name = t.name('std');
  const arn = await t.createTopic(name, { FifoTopic: 'false' });
  assert.equal(arn, topicArnOf(name));
  const a = await t.topicAttrs(arn);
  assert.deepEqual(Object.keys(a).sort(), STANDARD_KEYS);
  assert.equal(a.DisplayName, '');
  assert.equal(a.Owner, ACCOUNT);
  assert.equal(a.TopicArn, arn);
  assert.deepEqual(JSON.parse(a.Policy), defaultPolicy(arn));
  assert.deepEqual(JSON.parse(a.EffectiveDeliveryPolicy), EFFECTIVE_DELIVERY_POLICY);
  assert.equal(a.SubscriptionsConfirmed, '0');
  assert.equal(a.SubscriptionsPending, '0');
  assert.equal(a.SubscriptionsDeleted, '0');
});

test('CreateTopic (FIFO) with attributes: FifoTopic, ContentBasedDeduplication, SignatureVersion, DisplayName [AWS-rec]', async () => {
  const name = t.name('fifo') + '.fifo';
  const arn = await t.createTopic(name, { DisplayName: 'TestTopic', SignatureVersion: '2', FifoTopic: 'true' });
  assert.equal(arn, topicArnOf(name));
  const a = await t.topicAttrs(arn);
  assert.deepEqual(Object.keys(a).sort(), [...STANDARD_KEYS, 'ContentBasedDeduplication', 'FifoTopic', 'SignatureVersion'].sort());
  assert.equal(a.FifoTopic, 'true');
  assert.equal(a.ContentBasedDeduplication, 'false');
  assert.equal(a.SignatureVersion, '2');
  assert.equal(a.DisplayName, 'TestTopic');

  const cbd = await t.createTopic(t.name('cbd') + '.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
  assert.equal((await t.topicAttrs(cbd)).ContentBasedDeduplication, 'true');
  await expectSnsError(
    t.createTopic(t.name('cbd-std'), { ContentBasedDeduplication: 'true' }),
    { name: 'InvalidParameterException', code: 'InvalidParameter', includes: 'ContentBasedDeduplication' },
  );
});

test('CreateTopic is idempotent for the same attributes; different attributes or tags are refused [AWS-rec]', async () => {
  const name = t.name('idem');
  const arn = await t.createTopic(name, { DisplayName: 'Value1' });
  assert.equal(await t.createTopic(name), arn, 'no attributes: same topic');
  assert.equal(await t.createTopic(name, { DisplayName: 'Value1' }), arn);
  assert.equal(await t.createTopic(name, { FifoTopic: 'false' }), arn, 'FifoTopic=false is the default');
  assert.equal((await t.topicAttrs(arn)).DisplayName, 'Value1');
  const different = invalidParameter('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
  await expectSnsError(t.createTopic(name, { DisplayName: 'Value2' }), different);
  await expectSnsError(t.createTopic(name, { SignatureVersion: '2' }), different);
  await expectSnsError(t.createTopic(name, { SignatureVersion: '2', DisplayName: 'Value1' }), different);
  await expectSnsError(t.createTopic(name, { FifoTopic: 'true' }), invalidParameter('Invalid parameter: Topic Name'));
  await expectSnsError(
    t.createTopic(name, undefined, { Tags: [{ Key: 'key1', Value: 'value1' }] }),
    invalidParameter('Invalid parameter: Tags Reason: Topic already exists with different tags'),
  );

  const tagged = t.name('tagged');
  const tarn = await t.createTopic(tagged, undefined, { Tags: [{ Key: 'k', Value: 'v' }] });
  assert.equal(await t.createTopic(tagged, undefined, { Tags: [{ Key: 'k', Value: 'v' }] }), tarn, 'same tags: same topic');
});

test('CreateTopic name rules: 1-256 of [A-Za-z0-9_-], .fifo only with FifoTopic=true [AWS-rec test_create_topic_name_constraints]', async () => {
  const max = 'a'.repeat(256);
  assert.equal(await t.createTopic(max), topicArnOf(max));
  assert.equal(await t.createTopic('a'.repeat(251) + '.fifo', { FifoTopic: 'true' }), topicArnOf('a'.repeat(251) + '.fifo'));
  const bad = invalidParameter('Invalid parameter: Topic Name');
  await expectSnsError(t.createTopic(''), bad);
  await expectSnsError(t.createTopic('a'.repeat(257)), bad);
  await expectSnsError(t.createTopic('test.fifo'), bad);
  await expectSnsError(t.createTopic('test', { FifoTopic: 'true' }), bad);
  await expectSnsError(t.createTopic('a'.repeat(252) + '.fifo', { FifoTopic: 'true' }), bad);
  for (const c of [':', ';', '!', '@', '|', '^', '%', ' ', '.']) await expectSnsError(t.createTopic(`bad${c}name`), bad);
});

test('CreateTopic rejects unknown attributes and invalid values', async () => {
  await expectSnsError(t.createTopic(t.name('x'), { NotAnAttribute: '1' }), invalidParameter('Invalid parameter: AttributeName'));
  await expectSnsError(t.createTopic(t.name('x'), { SignatureVersion: '3' }), { name: 'InvalidParameterException', code: 'InvalidParameter', includes: 'SignatureVersion' });
  await expectSnsError(t.createTopic(t.name('x'), { Policy: '{not json' }), { name: 'InvalidParameterException', code: 'InvalidParameter', includes: 'Policy' });
});

test('ListTopics pages 100 topics at a time with NextToken (150 topics)', async () => {
  const t2 = await setupSns();
  try {
    const created = [];
    for (let i = 0; i < 150; i++) created.push(await t2.createTopic(`page-${String(i).padStart(3, '0')}`));
    const first = await t2.call('ListTopics', {});
    assert.equal(first.Topics.length, 100);
    assert.ok(first.NextToken, 'a NextToken after the first page');
    const second = await t2.call('ListTopics', { NextToken: first.NextToken });
    assert.equal(second.Topics.length, 50);
    assert.equal(second.NextToken, undefined, 'no NextToken on the last page');
    const listed = [...first.Topics, ...second.Topics].map((x) => x.TopicArn);
    assert.equal(new Set(listed).size, 150, 'no topic listed twice');
    assert.deepEqual([...listed].sort(), [...created].sort());

    const { paginateListTopics } = await import('@aws-sdk/client-sns');
    let n = 0;
    for await (const page of paginateListTopics({ client: t2.sns }, {})) n += page.Topics.length;
    assert.equal(n, 150, 'the SDK paginator walks every page');
    await expectSnsError(t2.call('ListTopics', { NextToken: 'garbage!' }), { name: 'InvalidParameterException', code: 'InvalidParameter' });
  } finally {
    await t2.close();
  }
});

test('DeleteTopic removes the topic and its subscriptions; deleting again succeeds', async () => {
  const name = t.name('del');
  const arn = await t.createTopic(name);
  const q = await t.subscribeQueue(arn);
  assert.ok((await t.call('ListSubscriptionsByTopic', { TopicArn: arn })).Subscriptions.length === 1);
  await t.call('DeleteTopic', { TopicArn: arn });
  await expectSnsError(t.topicAttrs(arn), topicNotFound());
  await expectSnsError(t.call('ListSubscriptionsByTopic', { TopicArn: arn }), topicNotFound());
  await expectSnsError(t.subAttrs(q.subArn), { name: 'NotFoundException', code: 'NotFound', status: 404, message: 'Subscription does not exist' });
  const all = (await t.call('ListSubscriptions', {})).Subscriptions.map((s) => s.SubscriptionArn);
  assert.ok(!all.includes(q.subArn), 'the subscription is gone from ListSubscriptions');
  const topics = (await t.call('ListTopics', {})).Topics.map((x) => x.TopicArn);
  assert.ok(!topics.includes(arn));
  await t.call('DeleteTopic', { TopicArn: arn }); // idempotent
  await expectSnsError(t.call('DeleteTopic', { TopicArn: 'not-an-arn' }), invalidParameter('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1'));
  // A new topic with the same name starts without the old subscriptions.
  assert.equal(await t.createTopic(name), arn);
  assert.deepEqual((await t.call('ListSubscriptionsByTopic', { TopicArn: arn })).Subscriptions, []);
});

test('SetTopicAttributes: DisplayName, Policy, DeliveryPolicy (reflected in EffectiveDeliveryPolicy); FifoTopic and unknown names refused', async () => {
  const arn = await t.createTopic(t.name('set'));
  await t.call('SetTopicAttributes', { TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Shown' });
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'SNS:Publish', Resource: arn }] });
  await t.call('SetTopicAttributes', { TopicArn: arn, AttributeName: 'Policy', AttributeValue: policy });
  const delivery = { http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 10 } } };
  await t.call('SetTopicAttributes', { TopicArn: arn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(delivery) });
  const a = await t.topicAttrs(arn);
  assert.equal(a.DisplayName, 'Shown');
  assert.deepEqual(JSON.parse(a.Policy), JSON.parse(policy));
  // Stored with disableSubscriptionOverrides added (AWS-recorded test_topic_delivery_policy_crud; see sns-fidelity).
  assert.deepEqual(JSON.parse(a.DeliveryPolicy), { http: { ...delivery.http, disableSubscriptionOverrides: false } });
  const eff = JSON.parse(a.EffectiveDeliveryPolicy).http.defaultHealthyRetryPolicy;
  assert.equal(eff.numRetries, 5);
  assert.equal(eff.minDelayTarget, 1);
  assert.equal(eff.maxDelayTarget, 10);
  assert.equal(eff.backoffFunction, 'linear', 'unset members keep their defaults');

  await expectSnsError(t.call('SetTopicAttributes', { TopicArn: arn, AttributeName: 'FifoTopic', AttributeValue: 'false' }), invalidParameter('Invalid parameter: AttributeName'));
  await expectSnsError(t.call('SetTopicAttributes', { TopicArn: arn, AttributeName: 'Nope', AttributeValue: 'x' }), invalidParameter('Invalid parameter: AttributeName'));
  await expectSnsError(
    t.call('SetTopicAttributes', { TopicArn: topicArnOf('missing-topic'), AttributeName: 'DisplayName', AttributeValue: 'x' }),
    topicNotFound(),
  );
});

test('SubscriptionsConfirmed / Pending / Deleted count subscriptions', async () => {
  const arn = await t.createTopic(t.name('counts'));
  const a = await t.subscribeQueue(arn);
  await t.subscribeQueue(arn);
  await t.call('Subscribe', { TopicArn: arn, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/never' });
  let attrs = await t.topicAttrs(arn);
  assert.equal(attrs.SubscriptionsConfirmed, '2');
  assert.equal(attrs.SubscriptionsPending, '1');
  assert.equal(attrs.SubscriptionsDeleted, '0');
  await t.call('Unsubscribe', { SubscriptionArn: a.subArn });
  attrs = await t.topicAttrs(arn);
  assert.equal(attrs.SubscriptionsConfirmed, '1');
  assert.equal(attrs.SubscriptionsDeleted, '1');
});

test('Malformed and unknown topic ARNs: InvalidParameter 400 / NotFound 404 "Topic does not exist" [AWS-rec]', async () => {
  await expectSnsError(t.topicAttrs('test-topic'), invalidParameter('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1'));
  await expectSnsError(t.topicAttrs('arn:aws:sns:us-east-1:000000000000'), invalidParameter('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5'));
  await expectSnsError(t.topicAttrs(topicArnOf('does-not-exist')), topicNotFound());
  await expectSnsError(t.call('Publish', { TopicArn: topicArnOf('does-not-exist'), Message: 'x' }), topicNotFound());
  await expectSnsError(t.call('PublishBatch', { TopicArn: topicArnOf('does-not-exist'), PublishBatchRequestEntries: [{ Id: '1', Message: 'x' }] }), topicNotFound());
  await expectSnsError(t.call('Subscribe', { TopicArn: topicArnOf('does-not-exist'), Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q' }), topicNotFound());
  await expectSnsError(t.call('ListSubscriptionsByTopic', { TopicArn: topicArnOf('does-not-exist') }), topicNotFound());
  await expectSnsError(t.call('Publish', { TopicArn: 'x', Message: 'm' }), invalidParameter('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1'));
});

test('TagResource / UntagResource / ListTagsForResource; duplicate keys refused [AWS-rec test_tags]', async () => {
  const arn = await t.createTopic(t.name('tags'), undefined, { Tags: [{ Key: 'team', Value: 'core' }] });
  const list = async () => (await t.call('ListTagsForResource', { ResourceArn: arn })).Tags.sort((x, y) => x.Key.localeCompare(y.Key));
  assert.deepEqual(await list(), [{ Key: 'team', Value: 'core' }]);
  await expectSnsError(
    t.call('TagResource', { ResourceArn: arn, Tags: [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }, { Key: 'k2', Value: 'v2' }] }),
    invalidParameter('Invalid parameter: Duplicated keys are not allowed.'),
  );
  assert.deepEqual(await list(), [{ Key: 'team', Value: 'core' }], 'a refused TagResource changes nothing');
  await t.call('TagResource', { ResourceArn: arn, Tags: [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }] });
  assert.deepEqual(await list(), [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }, { Key: 'team', Value: 'core' }]);
  await t.call('UntagResource', { ResourceArn: arn, TagKeys: ['k1', 'team', 'absent'] });
  assert.deepEqual(await list(), [{ Key: 'k2', Value: 'v2' }]);
  await t.call('TagResource', { ResourceArn: arn, Tags: [{ Key: 'k2', Value: 'v2b' }] });
  assert.deepEqual(await list(), [{ Key: 'k2', Value: 'v2b' }]);

  const missing = { name: 'ResourceNotFoundException', code: 'ResourceNotFound', status: 404 };
  await expectSnsError(t.call('ListTagsForResource', { ResourceArn: topicArnOf('no-such') }), missing);
  await expectSnsError(t.call('TagResource', { ResourceArn: topicArnOf('no-such'), Tags: [{ Key: 'a', Value: 'b' }] }), missing);
  await expectSnsError(t.call('UntagResource', { ResourceArn: topicArnOf('no-such'), TagKeys: ['a'] }), missing);
});

test('every operation of the SNS model is answered; an action outside it is an AWS-shaped InvalidAction, not a crash', async () => {
  const post = (body) => fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  // The last operations to be added (issue 12) answer like the others.
  const ok = await post('Action=ListPlatformApplications&Version=2010-03-31');
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /<ListPlatformApplicationsResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/">/);
  const res = await post('Action=ListPlatformApplicationz&Version=2010-03-31');
  assert.equal(res.status, 400);
  const xml = await res.text();
  assert.match(xml, /<ErrorResponse xmlns="/);
  assert.match(xml, /<Code>InvalidAction<\/Code>/);
});
