// SNS AddPermission / RemovePermission (topic policy statements, the Label as Sid) and their enforcement on
// Publish from another account, plus Put/GetDataProtectionPolicy, with the real @aws-sdk/client-sns.
// [AWS-rec] = LocalStack snapshot recorded against AWS (test_topic_add_permission, test_add_permission_errors,
// test_data_protection_policy_crud). The caller's account is the access key id when it is 12 digits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as SNS from '@aws-sdk/client-sns';
import { setupSns, expectSnsError, invalidParameter, topicNotFound, ACCOUNT } from '../helpers/sns.mjs';

const OTHER = '111122223333';

let t;
let other;
before(async () => {
  t = await setupSns();
  other = new SNS.SNSClient({ endpoint: t.url, region: 'us-east-1', credentials: { accessKeyId: OTHER, secretAccessKey: 'x' }, maxAttempts: 1 });
});
after(async () => {
  other.destroy();
  await t.close();
});

const policy = async (arn) => JSON.parse((await t.topicAttrs(arn)).Policy);
const otherPublish = (TopicArn, Message = 'hi') => other.send(new SNS.PublishCommand({ TopicArn, Message }));

test('AddPermission appends a statement with the Label as Sid; one action/account is a string, several a list [AWS-rec]', async () => {
  const arn = await t.createTopic(t.name('perm'));
  assert.deepEqual(await t.call('AddPermission', { TopicArn: arn, Label: 'one', AWSAccountId: [ACCOUNT], ActionName: ['Publish'] }).then(() => 'ok'), 'ok');
  await t.call('AddPermission', { TopicArn: arn, Label: 'two', AWSAccountId: [OTHER, ACCOUNT], ActionName: ['Publish', 'Subscribe'] });
  const p = await policy(arn);
  assert.equal(p.Id, '__default_policy_ID');
  assert.deepEqual(p.Statement.map((s) => s.Sid), ['__default_statement_ID', 'one', 'two']);
  assert.deepEqual(p.Statement[1], { Sid: 'one', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'SNS:Publish', Resource: arn });
  assert.deepEqual(p.Statement[2].Principal, { AWS: [`arn:aws:iam::${OTHER}:root`, `arn:aws:iam::${ACCOUNT}:root`] });
  assert.deepEqual(p.Statement[2].Action, ['SNS:Publish', 'SNS:Subscribe']);
});

test('RemovePermission drops the statement of the Label and leaves the default one [AWS-rec]; an unknown Label changes nothing', async () => {
  const arn = await t.createTopic(t.name('perm'));
  await t.call('AddPermission', { TopicArn: arn, Label: 'test', AWSAccountId: [ACCOUNT], ActionName: ['Publish'] });
  await t.call('RemovePermission', { TopicArn: arn, Label: 'test' });
  assert.deepEqual((await policy(arn)).Statement.map((s) => s.Sid), ['__default_statement_ID']);
  await t.call('RemovePermission', { TopicArn: arn, Label: 'never-added' });
  assert.deepEqual((await policy(arn)).Statement.map((s) => s.Sid), ['__default_statement_ID']);
});

test('AddPermission errors: duplicate Label, unknown action, unknown topic [AWS-rec], bad lists and accounts', async () => {
  const arn = await t.createTopic(t.name('perm'));
  await t.call('AddPermission', { TopicArn: arn, Label: 'test', AWSAccountId: [ACCOUNT], ActionName: ['Publish'] });
  await expectSnsError(t.call('AddPermission', { TopicArn: arn, Label: 'test', AWSAccountId: [ACCOUNT], ActionName: ['AddPermission'] }), invalidParameter('Invalid parameter: Statement already exists'));
  await expectSnsError(t.call('AddPermission', { TopicArn: `${arn}-not-existing`, Label: 'test-2', AWSAccountId: [ACCOUNT], ActionName: ['AddPermission'] }), topicNotFound());
  await expectSnsError(
    t.call('AddPermission', { TopicArn: arn, Label: 'test-2', AWSAccountId: [ACCOUNT], ActionName: ['InvalidAction'] }),
    invalidParameter('Invalid parameter: Policy statement action out of service scope!'),
  );
  await expectSnsError(t.call('AddPermission', { TopicArn: arn, Label: 'x', AWSAccountId: [], ActionName: ['Publish'] }), invalidParameter('Invalid parameter: AWSAccountId'));
  await expectSnsError(t.call('AddPermission', { TopicArn: arn, Label: 'x', AWSAccountId: [ACCOUNT], ActionName: [] }), invalidParameter('Invalid parameter: ActionName'));
  await expectSnsError(t.call('AddPermission', { TopicArn: arn, Label: '', AWSAccountId: [ACCOUNT], ActionName: ['Publish'] }), invalidParameter('Invalid parameter: Label'));
  await expectSnsError(
    t.call('AddPermission', { TopicArn: arn, Label: 'x', AWSAccountId: ['12'], ActionName: ['Publish'] }),
    invalidParameter('Invalid parameter: AWSAccountId Reason: 12 is not a valid account id'),
  );
  await expectSnsError(t.call('AddPermission', { TopicArn: 'nope', Label: 'x', AWSAccountId: [ACCOUNT], ActionName: ['Publish'] }), invalidParameter('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1'));
});

test('RemovePermission errors: unknown topic [AWS-rec], missing Label', async () => {
  const arn = await t.createTopic(t.name('perm'));
  await expectSnsError(t.call('RemovePermission', { TopicArn: `${arn}-not-existing`, Label: 'test' }), topicNotFound());
  await expectSnsError(t.call('RemovePermission', { TopicArn: arn }), invalidParameter('Invalid parameter: Label'));
});

test('Publish from another account needs an AddPermission; RemovePermission takes it back', async () => {
  const arn = await t.createTopic(t.name('perm'));
  const q = await t.subscribeQueue(arn);
  const denied = {
    name: 'AuthorizationErrorException',
    code: 'AuthorizationError',
    status: 403,
    message: `User: arn:aws:iam::${OTHER}:root is not authorized to perform: SNS:Publish on resource: ${arn}`,
  };
  await expectSnsError(otherPublish(arn), denied);
  await expectSnsError(other.send(new SNS.PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: '1', Message: 'b' }] })), denied);
  assert.deepEqual(await t.drain(q.url), []);

  await t.call('AddPermission', { TopicArn: arn, Label: 'partner', AWSAccountId: [OTHER], ActionName: ['Publish'] });
  const { MessageId } = await otherPublish(arn, 'from partner');
  assert.match(MessageId, /^[0-9a-f-]{36}$/);
  assert.deepEqual((await t.notifications(q.url)).map((n) => n.Message), ['from partner']);

  await t.call('RemovePermission', { TopicArn: arn, Label: 'partner' });
  await expectSnsError(otherPublish(arn), denied);
  // The owner (any access key that is not a 12-digit account id) still publishes.
  await t.call('Publish', { TopicArn: arn, Message: 'owner' });
  assert.deepEqual((await t.notifications(q.url)).map((n) => n.Message), ['owner']);
});

test('an explicit Deny in the topic policy stops the owner too', async () => {
  const arn = await t.createTopic(t.name('perm'));
  const p = await policy(arn);
  p.Statement.push({ Sid: 'deny', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'SNS:Publish', Resource: arn });
  await t.call('SetTopicAttributes', { TopicArn: arn, AttributeName: 'Policy', AttributeValue: JSON.stringify(p) });
  await expectSnsError(t.call('Publish', { TopicArn: arn, Message: 'x' }), { name: 'AuthorizationErrorException', code: 'AuthorizationError', status: 403, includes: 'is not authorized to perform: SNS:Publish' });
});

const DATA_POLICY = {
  Name: 'data_protection_policy',
  Description: 'Test Policy',
  Version: '2021-06-01',
  Statement: [
    {
      Sid: 'test-statement',
      DataDirection: 'Inbound',
      Principal: ['*'],
      DataIdentifier: ['arn:aws:dataprotection:us-east-1::data-identifier/EmailAddress'],
      Operation: { Deny: {} },
    },
  ],
};

test('PutDataProtectionPolicy stores the policy, GetDataProtectionPolicy returns it, topic attributes do not show it [AWS-rec]', async () => {
  const arn = await t.createTopic(t.name('dp'));
  const before = await t.topicAttrs(arn);
  assert.equal((await t.call('GetDataProtectionPolicy', { ResourceArn: arn })).DataProtectionPolicy ?? '', '');
  await t.call('PutDataProtectionPolicy', { ResourceArn: arn, DataProtectionPolicy: JSON.stringify(DATA_POLICY) });
  assert.deepEqual(JSON.parse((await t.call('GetDataProtectionPolicy', { ResourceArn: arn })).DataProtectionPolicy), DATA_POLICY);
  assert.deepEqual(await t.topicAttrs(arn), before);
  // A re-created topic starts without one.
  await t.call('DeleteTopic', { TopicArn: arn });
  await t.createTopic(arn.split(':').pop());
  assert.equal((await t.call('GetDataProtectionPolicy', { ResourceArn: arn })).DataProtectionPolicy ?? '', '');
});

test('data protection errors: not JSON, missing policy, unknown topic, malformed ARN', async () => {
  const arn = await t.createTopic(t.name('dp'));
  await expectSnsError(t.call('PutDataProtectionPolicy', { ResourceArn: arn, DataProtectionPolicy: '{nope' }), invalidParameter('Invalid parameter: DataProtectionPolicy: failed to parse JSON.'));
  await expectSnsError(t.call('PutDataProtectionPolicy', { ResourceArn: arn, DataProtectionPolicy: '[1]' }), invalidParameter('Invalid parameter: DataProtectionPolicy: failed to parse JSON.'));
  await expectSnsError(t.call('PutDataProtectionPolicy', { ResourceArn: arn }), invalidParameter('Invalid parameter: DataProtectionPolicy'));
  await expectSnsError(t.call('PutDataProtectionPolicy', { ResourceArn: `${arn}-nope`, DataProtectionPolicy: '{}' }), topicNotFound());
  await expectSnsError(t.call('GetDataProtectionPolicy', { ResourceArn: `${arn}-nope` }), topicNotFound());
  await expectSnsError(t.call('GetDataProtectionPolicy', { ResourceArn: 'nope' }), invalidParameter('Invalid parameter: ResourceArn Reason: An ARN must have at least 6 elements, not 1'));
});

test("CreateTopic's DataProtectionPolicy member is stored like PutDataProtectionPolicy; invalid JSON creates no topic", async () => {
  const name = t.name('dp');
  const arn = await t.createTopic(name, undefined, { DataProtectionPolicy: JSON.stringify(DATA_POLICY) });
  assert.deepEqual(JSON.parse((await t.call('GetDataProtectionPolicy', { ResourceArn: arn })).DataProtectionPolicy), DATA_POLICY);
  const bad = t.name('dp');
  await expectSnsError(t.call('CreateTopic', { Name: bad, DataProtectionPolicy: 'nope' }), invalidParameter('Invalid parameter: DataProtectionPolicy: failed to parse JSON.'));
  const topics = (await t.call('ListTopics', {})).Topics.map((x) => x.TopicArn);
  assert.equal(topics.some((a) => a.endsWith(`:${bad}`)), false);
});
