// SQS queue lifecycle over JSON 1.0 with the real @aws-sdk/client-sqs: CreateQueue, GetQueueUrl,
// ListQueues, DeleteQueue, PurgeQueue, tags, permissions, ListDeadLetterSourceQueues.
// Expected values marked [AWS-rec] come from responses recorded against real AWS (reference §1-3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs, expectSqsError, invalidParameterValue, missingParameter, SQS } from '../helpers/sqs.mjs';

let t;
before(async () => (t = await setupSqs()));
after(() => t.close());

test('CreateQueue returns a URL on the emulator origin ending in <account>/<name>, and GetQueueUrl agrees', async () => {
  const name = t.name('create');
  const url = await t.createQueue(name);
  assert.equal(url, `${t.url}/000000000000/${name}`);
  const got = await t.call('GetQueueUrl', { QueueName: name });
  assert.equal(got.QueueUrl, url);
  assert.equal(await t.arnOf(url), `arn:aws:sqs:us-east-1:000000000000:${name}`);
});

test('CreateQueue is idempotent with identical or omitted attributes, QueueNameExists on a different value [AWS-rec]', async () => {
  const name = t.name('idem');
  const url = await t.createQueue(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '1' });
  assert.equal(await t.createQueue(name), url, 'no attributes: same queue');
  assert.equal(await t.createQueue(name, { DelaySeconds: '1' }), url, 'subset of equal attributes: same queue');
  await expectSqsError(t.createQueue(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '2' }), {
    name: 'QueueNameExists',
    code: 'QueueAlreadyExists',
    message: 'A queue already exists with the same name and a different value for attribute DelaySeconds',
  });
  // After changing the attribute, the new value is the one that matches.
  await t.call('SetQueueAttributes', { QueueUrl: url, Attributes: { DelaySeconds: '2' } });
  assert.equal(await t.createQueue(name, { ReceiveMessageWaitTimeSeconds: '1', DelaySeconds: '2' }), url);
  // A default value given explicitly equals the implicit default.
  const plain = t.name('idem-default');
  const plainUrl = await t.createQueue(plain);
  assert.equal(await t.createQueue(plain, { VisibilityTimeout: '30' }), plainUrl);
});

test('CreateQueue on an existing FIFO queue with a different ContentBasedDeduplication fails [AWS-rec]', async () => {
  const name = `${t.name('idem')}.fifo`;
  await t.createQueue(name, { FifoQueue: 'true', ContentBasedDeduplication: 'false' });
  await expectSqsError(t.createQueue(name, { FifoQueue: 'true', ContentBasedDeduplication: 'true' }), {
    name: 'QueueNameExists',
    code: 'QueueAlreadyExists',
    message: 'A queue already exists with the same name and a different value for attribute ContentBasedDeduplication',
  });
});

test('queue names: 1-80 of [A-Za-z0-9_-], case-sensitive; bad names are InvalidParameterValue', async () => {
  const max = 'a'.repeat(80);
  assert.ok((await t.createQueue(max)).endsWith(`/${max}`));
  const upper = t.name('Case');
  await t.createQueue(upper);
  await expectSqsError(t.call('GetQueueUrl', { QueueName: upper.toLowerCase() }), {
    name: 'QueueDoesNotExist',
    code: 'AWS.SimpleQueueService.NonExistentQueue',
    message: 'The specified queue does not exist.',
  });
  for (const bad of ['a'.repeat(81), 'has space', 'slash/name', 'dot.name', 'ümlaut', `queue/${'x'}/`]) {
    await expectSqsError(t.createQueue(bad), invalidParameterValue());
  }
  await expectSqsError(t.call('CreateQueue', { QueueName: '' }), missingParameter());
});

test('FIFO suffix rules: FIFO needs .fifo, standard must not have it, .fifo counts toward 80 characters', async () => {
  await expectSqsError(t.createQueue(t.name('nofifo'), { FifoQueue: 'true' }), invalidParameterValue());
  await expectSqsError(t.createQueue(`${t.name('std')}.fifo`), invalidParameterValue());
  const okName = `${'f'.repeat(75)}.fifo`;
  assert.ok((await t.createQueue(okName, { FifoQueue: 'true' })).endsWith(okName));
  await expectSqsError(t.createQueue(`${'f'.repeat(76)}.fifo`, { FifoQueue: 'true' }), invalidParameterValue());
  await expectSqsError(t.createQueue('.fifo', { FifoQueue: 'true' }), invalidParameterValue());
});

test('CreateQueue with tags; TagQueue / UntagQueue / ListQueueTags [AWS-rec shapes]', async () => {
  const url = await t.createQueue(t.name('tags'), undefined, { tags: { team: 'core' } });
  assert.deepEqual((await t.call('ListQueueTags', { QueueUrl: url })).Tags, { team: 'core' });
  await t.call('TagQueue', { QueueUrl: url, Tags: { tag1: 'value1', tag2: 'value2', tag3: '' } });
  assert.deepEqual((await t.call('ListQueueTags', { QueueUrl: url })).Tags, { team: 'core', tag1: 'value1', tag2: 'value2', tag3: '' });
  await t.call('UntagQueue', { QueueUrl: url, TagKeys: ['tag1', 'tag3', 'team', 'not-there'] });
  assert.deepEqual((await t.call('ListQueueTags', { QueueUrl: url })).Tags, { tag2: 'value2' });
  await t.call('UntagQueue', { QueueUrl: url, TagKeys: ['tag2'] });
  const empty = await t.call('ListQueueTags', { QueueUrl: url });
  assert.equal(empty.Tags, undefined, 'no Tags key once every tag is gone [AWS-rec]');
  await expectSqsError(t.call('TagQueue', { QueueUrl: url, Tags: {} }), missingParameter());
  await expectSqsError(t.call('TagQueue', { QueueUrl: url, Tags: { 'aws:reserved': 'x' } }), invalidParameterValue());
});

test('GetQueueUrl: unknown queue and a foreign QueueOwnerAWSAccountId are QueueDoesNotExist [AWS-rec message]', async () => {
  const err = await expectSqsError(t.call('GetQueueUrl', { QueueName: 'does-not-exist' }), {
    name: 'QueueDoesNotExist',
    code: 'AWS.SimpleQueueService.NonExistentQueue',
    message: 'The specified queue does not exist.',
  });
  assert.ok(err instanceof SQS.QueueDoesNotExist, 'the SDK maps it to its modeled exception class');
  const name = t.name('owner');
  await t.createQueue(name);
  assert.ok((await t.call('GetQueueUrl', { QueueName: name, QueueOwnerAWSAccountId: '000000000000' })).QueueUrl);
  await expectSqsError(t.call('GetQueueUrl', { QueueName: name, QueueOwnerAWSAccountId: '111111111111' }), { name: 'QueueDoesNotExist' });
});

test('ListQueues: prefix filter, MaxResults + NextToken pagination [AWS-rec shape]', async () => {
  const prefix = t.name('list');
  const names = Array.from({ length: 10 }, (_, i) => `${prefix}-test-queue-${i}`);
  for (const n of names) await t.createQueue(n);
  const all = await t.call('ListQueues', { QueueNamePrefix: prefix });
  assert.deepEqual(all.QueueUrls.map((u) => u.split('/').pop()), names);
  assert.equal(all.NextToken, undefined, 'no NextToken without MaxResults');

  const first = await t.call('ListQueues', { QueueNamePrefix: prefix, MaxResults: 2 });
  assert.equal(first.QueueUrls.length, 2);
  assert.ok(first.NextToken);
  const rest = await t.call('ListQueues', { QueueNamePrefix: prefix, MaxResults: 10, NextToken: first.NextToken });
  assert.equal(rest.QueueUrls.length, 8);
  assert.equal(rest.NextToken, undefined);
  assert.deepEqual([...first.QueueUrls, ...rest.QueueUrls], all.QueueUrls);

  const none = await t.call('ListQueues', { QueueNamePrefix: 'zzz-no-such-prefix' });
  assert.equal(none.QueueUrls, undefined, 'no QueueUrls key when nothing matches');
  await expectSqsError(t.call('ListQueues', { MaxResults: 0 }), invalidParameterValue());
  await expectSqsError(t.call('ListQueues', { MaxResults: 1001 }), invalidParameterValue());
  await expectSqsError(t.call('ListQueues', { NextToken: 'not-a-token' }), invalidParameterValue());
});

test('DeleteQueue removes the queue; the same name is QueueDeletedRecently for 60 s [AWS-rec message]', async () => {
  const name = t.name('deleted');
  const url = await t.createQueue(name);
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'gone with the queue' });
  await t.call('DeleteQueue', { QueueUrl: url });
  await expectSqsError(t.call('GetQueueUrl', { QueueName: name }), { name: 'QueueDoesNotExist' });
  await expectSqsError(t.call('SendMessage', { QueueUrl: url, MessageBody: 'x' }), { name: 'QueueDoesNotExist' });
  await expectSqsError(t.call('DeleteQueue', { QueueUrl: url }), { name: 'QueueDoesNotExist' });
  await expectSqsError(t.createQueue(name), {
    name: 'QueueDeletedRecently',
    code: 'AWS.SimpleQueueService.QueueDeletedRecently',
    message: 'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
  });
  t.clock.advance(59_000);
  await expectSqsError(t.createQueue(name), { name: 'QueueDeletedRecently' });
  t.clock.advance(1_000);
  const again = await t.createQueue(name);
  assert.equal(again, url);
  assert.equal((await t.attrs(again, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '0', 'a recreated queue starts empty');
});

test('PurgeQueue deletes visible, in-flight and delayed messages; a second purge within 60 s is 403 [AWS-rec]', async () => {
  const name = t.name('purge');
  const url = await t.createQueue(name);
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'visible' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'inflight' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 60 });
  assert.equal((await t.receive(url)).length, 1);
  await t.call('PurgeQueue', { QueueUrl: url });
  const a = await t.attrs(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']);
  assert.deepEqual(a, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '0' });

  const err = await expectSqsError(t.call('PurgeQueue', { QueueUrl: url }), {
    name: 'PurgeQueueInProgress',
    code: 'AWS.SimpleQueueService.PurgeQueueInProgress',
    status: 403,
    message: `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
  });
  assert.ok(err instanceof SQS.PurgeQueueInProgress);
  t.clock.advance(60_000);
  await t.call('PurgeQueue', { QueueUrl: url });
  await expectSqsError(t.call('PurgeQueue', { QueueUrl: `${t.url}/000000000000/no-such-queue` }), { name: 'QueueDoesNotExist' });
});

test('queue URLs are accepted in AWS, LocalStack and path styles (last two segments are <account>/<name>)', async () => {
  const name = t.name('urls');
  await t.createQueue(name);
  for (const url of [
    `https://sqs.us-east-1.amazonaws.com/000000000000/${name}`,
    `http://localhost:4566/queue/us-east-1/000000000000/${name}`,
    `http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/${name}`,
  ]) {
    const out = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'via ' + url });
    assert.ok(out.MessageId);
  }
  assert.equal((await t.attrs(`${t.url}/000000000000/${name}`, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '3');
  await expectSqsError(t.call('SendMessage', { QueueUrl: 'not-a-queue-url', MessageBody: 'x' }), { name: 'QueueDoesNotExist' });
});

test('AddPermission writes a statement into Policy, RemovePermission takes it out [AWS-rec policy shape and messages]', async () => {
  const name = t.name('perm');
  const url = await t.createQueue(name);
  const arn = await t.arnOf(url);
  await t.call('AddPermission', { QueueUrl: url, Label: 'crossaccountpermission', AWSAccountIds: ['000000000000', '668614515564'], Actions: ['ReceiveMessage'] });
  let policy = JSON.parse((await t.attrs(url, ['Policy'])).Policy);
  assert.equal(policy.Version, '2008-10-17');
  assert.equal(policy.Id, `${arn}/SQSDefaultPolicy`);
  assert.equal(policy.Statement.length, 1);
  const st = policy.Statement[0];
  assert.equal(st.Sid, 'crossaccountpermission');
  assert.equal(st.Effect, 'Allow');
  assert.deepEqual([...st.Principal.AWS].sort(), ['arn:aws:iam::000000000000:root', 'arn:aws:iam::668614515564:root']);
  assert.equal(st.Action, 'SQS:ReceiveMessage', 'a single action is a string [AWS-rec]');
  assert.equal(st.Resource, arn);

  await t.call('RemovePermission', { QueueUrl: url, Label: 'crossaccountpermission' });
  assert.equal((await t.attrs(url, ['Policy'])).Policy, undefined, 'no Policy once the last statement is removed [AWS-rec]');

  await t.call('AddPermission', { QueueUrl: url, Label: 'crossaccountpermission', AWSAccountIds: ['000000000000'], Actions: ['ReceiveMessage'] });
  policy = JSON.parse((await t.attrs(url, ['Policy'])).Policy);
  assert.equal(policy.Statement[0].Principal.AWS, 'arn:aws:iam::000000000000:root', 'a single principal is a string [AWS-rec]');
  await expectSqsError(
    t.call('AddPermission', { QueueUrl: url, Label: 'crossaccountpermission', AWSAccountIds: ['668614515564'], Actions: ['ReceiveMessage'] }),
    invalidParameterValue({ message: 'Value crossaccountpermission for parameter Label is invalid. Reason: Already exists.' }),
  );
  await t.call('AddPermission', { QueueUrl: url, Label: 'crossaccountpermission2', AWSAccountIds: ['000000000000'], Actions: ['SendMessage', 'DeleteMessage'] });
  policy = JSON.parse((await t.attrs(url, ['Policy'])).Policy);
  assert.deepEqual(policy.Statement.map((s) => s.Sid), ['crossaccountpermission', 'crossaccountpermission2']);
  assert.deepEqual(policy.Statement[1].Action, ['SQS:SendMessage', 'SQS:DeleteMessage']);

  await t.call('RemovePermission', { QueueUrl: url, Label: 'crossaccountpermission' });
  policy = JSON.parse((await t.attrs(url, ['Policy'])).Policy);
  assert.deepEqual(policy.Statement.map((s) => s.Sid), ['crossaccountpermission2']);
  await t.call('RemovePermission', { QueueUrl: url, Label: 'crossaccountpermission2' });
  await expectSqsError(
    t.call('RemovePermission', { QueueUrl: url, Label: 'crossaccountpermission2' }),
    invalidParameterValue({ message: "Value crossaccountpermission2 for parameter Label is invalid. Reason: can't find label." }),
  );
});

test('AddPermission input errors: unknown action, bad label, missing accounts', async () => {
  const url = await t.createQueue(t.name('perm-bad'));
  await expectSqsError(t.call('AddPermission', { QueueUrl: url, Label: 'l1', AWSAccountIds: ['000000000000'], Actions: ['CreateQueue'] }), invalidParameterValue());
  await expectSqsError(t.call('AddPermission', { QueueUrl: url, Label: 'bad label', AWSAccountIds: ['000000000000'], Actions: ['SendMessage'] }), invalidParameterValue());
  await expectSqsError(t.call('AddPermission', { QueueUrl: url, Label: 'l2', AWSAccountIds: [], Actions: ['SendMessage'] }), missingParameter());
  assert.equal((await t.attrs(url, ['Policy'])).Policy, undefined, 'failed calls leave no policy behind');
});

test('ListDeadLetterSourceQueues lists the queues whose RedrivePolicy targets the DLQ (lowercase queueUrls), paginated', async () => {
  const dlq = await t.createQueue(t.name('dlsq-dlq'));
  const dlqArn = await t.arnOf(dlq);
  const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
  const sources = [];
  for (let i = 0; i < 3; i++) sources.push(await t.createQueue(t.name('dlsq-src'), { RedrivePolicy: redrive }));
  await t.createQueue(t.name('dlsq-unrelated'));
  const all = await t.call('ListDeadLetterSourceQueues', { QueueUrl: dlq });
  assert.deepEqual([...all.queueUrls].sort(), [...sources].sort());

  const page1 = await t.call('ListDeadLetterSourceQueues', { QueueUrl: dlq, MaxResults: 2 });
  assert.equal(page1.queueUrls.length, 2);
  assert.ok(page1.NextToken);
  const page2 = await t.call('ListDeadLetterSourceQueues', { QueueUrl: dlq, MaxResults: 2, NextToken: page1.NextToken });
  assert.equal(page2.queueUrls.length, 1);
  assert.equal(page2.NextToken, undefined);
  assert.deepEqual([...page1.queueUrls, ...page2.queueUrls].sort(), [...sources].sort());

  const notADlq = await t.call('ListDeadLetterSourceQueues', { QueueUrl: sources[0] });
  assert.deepEqual(notADlq.queueUrls, []);
});
