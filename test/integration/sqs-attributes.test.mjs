// SQS queue attributes over JSON 1.0 with the real @aws-sdk/client-sqs: GetQueueAttributes /
// SetQueueAttributes defaults, ranges, errors, FIFO-only attributes, SSE, RedrivePolicy and
// RedriveAllowPolicy. [AWS-rec] = value recorded against real AWS (reference §3.2, §3.5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs, expectSqsError, invalidParameterValue, missingParameter } from '../helpers/sqs.mjs';

let t;
before(async () => (t = await setupSqs()));
after(() => t.close());

const invalidAttributeName = (extra = {}) => ({ name: 'InvalidAttributeName', code: 'InvalidAttributeName', ...extra });
const invalidAttributeValue = (extra = {}) => ({ name: 'InvalidAttributeValue', code: 'InvalidAttributeValue', ...extra });
const set = (QueueUrl, Attributes) => t.call('SetQueueAttributes', { QueueUrl, Attributes });

test('GetQueueAttributes All on a new standard queue: exactly the AWS defaults [AWS-rec]', async () => {
  const name = t.name('defaults');
  const url = await t.createQueue(name);
  const a = await t.attrs(url);
  const nowSeconds = String(Math.floor(t.clock.now() / 1000));
  assert.deepEqual(a, {
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesDelayed: '0',
    ApproximateNumberOfMessagesNotVisible: '0',
    CreatedTimestamp: nowSeconds,
    DelaySeconds: '0',
    LastModifiedTimestamp: nowSeconds,
    MaximumMessageSize: '1048576',
    MessageRetentionPeriod: '345600',
    QueueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    ReceiveMessageWaitTimeSeconds: '0',
    SqsManagedSseEnabled: 'true',
    VisibilityTimeout: '30',
  });
});

test('GetQueueAttributes All on a new FIFO queue adds the four FIFO attributes [AWS-rec]', async () => {
  const url = await t.createQueue(`${t.name('fifo-defaults')}.fifo`, { FifoQueue: 'true' });
  const a = await t.attrs(url);
  assert.equal(a.FifoQueue, 'true');
  assert.equal(a.ContentBasedDeduplication, 'false');
  assert.equal(a.DeduplicationScope, 'queue');
  assert.equal(a.FifoThroughputLimit, 'perQueue');
  assert.equal(Object.keys(a).length, 16);
});

test('GetQueueAttributes returns only the requested names; none requested means no Attributes', async () => {
  const url = await t.createQueue(t.name('subset'), { VisibilityTimeout: '20' });
  assert.deepEqual(await t.attrs(url, ['VisibilityTimeout', 'DelaySeconds']), { VisibilityTimeout: '20', DelaySeconds: '0' });
  const none = await t.call('GetQueueAttributes', { QueueUrl: url });
  assert.equal(none.Attributes, undefined);
  // Policy / RedrivePolicy are simply absent when unset, even when asked for.
  assert.deepEqual(await t.attrs(url, ['Policy', 'RedrivePolicy', 'VisibilityTimeout']), { VisibilityTimeout: '20' });
  await expectSqsError(t.call('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['NoSuchAttribute'] }), invalidAttributeName({ message: 'Unknown Attribute NoSuchAttribute.' }));
});

test('CreateQueue and SetQueueAttributes change values and LastModifiedTimestamp [AWS-rec values]', async () => {
  const url = await t.createQueue(t.name('update'), { ReceiveMessageWaitTimeSeconds: '10', VisibilityTimeout: '20', MessageRetentionPeriod: '604800' });
  const created = await t.attrs(url);
  assert.equal(created.ReceiveMessageWaitTimeSeconds, '10');
  assert.equal(created.VisibilityTimeout, '20');
  assert.equal(created.MessageRetentionPeriod, '604800');
  t.clock.advance(5_000);
  await set(url, { DelaySeconds: '420', MaximumMessageSize: '2048', VisibilityTimeout: '69' });
  const updated = await t.attrs(url);
  assert.equal(updated.DelaySeconds, '420');
  assert.equal(updated.MaximumMessageSize, '2048');
  assert.equal(updated.VisibilityTimeout, '69');
  assert.equal(updated.ReceiveMessageWaitTimeSeconds, '10', 'untouched attributes keep their value');
  assert.equal(updated.CreatedTimestamp, created.CreatedTimestamp);
  assert.equal(Number(updated.LastModifiedTimestamp), Number(created.LastModifiedTimestamp) + 5);
});

const RANGES = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
};

test('integer attributes accept their inclusive range and refuse the values just outside it', async () => {
  const url = await t.createQueue(t.name('ranges'));
  for (const [attr, [min, max]] of Object.entries(RANGES)) {
    await set(url, { [attr]: String(min) });
    assert.equal((await t.attrs(url, [attr]))[attr], String(min), `${attr}=${min}`);
    await set(url, { [attr]: String(max) });
    assert.equal((await t.attrs(url, [attr]))[attr], String(max), `${attr}=${max}`);
    for (const bad of [String(min - 1), String(max + 1), 'abc', '1.5', '']) {
      if (bad === '') continue; // "" resets to the default (covered below)
      await expectSqsError(set(url, { [attr]: bad }), invalidAttributeValue({ includes: attr }));
      await expectSqsError(t.createQueue(t.name('ranges-bad'), { [attr]: bad }), invalidAttributeValue({ includes: attr }));
    }
    assert.equal((await t.attrs(url, [attr]))[attr], String(max), `${attr} unchanged by refused values`);
  }
});

test('unknown and read-only attribute names are InvalidAttributeName; missing Attributes is MissingParameter', async () => {
  const url = await t.createQueue(t.name('names'));
  await expectSqsError(set(url, { Bogus: '1' }), invalidAttributeName({ message: 'Unknown Attribute Bogus.' }));
  await expectSqsError(set(url, { QueueArn: 'arn:aws:sqs:us-east-1:000000000000:x' }), invalidAttributeName());
  await expectSqsError(set(url, { ApproximateNumberOfMessages: '5' }), invalidAttributeName());
  await expectSqsError(t.createQueue(t.name('names-bad'), { CreatedTimestamp: '1' }), invalidAttributeName());
  await expectSqsError(t.call('SetQueueAttributes', { QueueUrl: url }), missingParameter());
});

test('FIFO-only attributes on a standard queue are refused with the AWS messages [AWS-rec]', async () => {
  const name = t.name('std-fifo-attrs');
  await expectSqsError(t.createQueue(name, { FifoQueue: 'false' }), invalidAttributeName({ message: 'Unknown Attribute FifoQueue.' }));
  await expectSqsError(t.createQueue(name, { ContentBasedDeduplication: 'false' }), invalidAttributeName({ message: 'Unknown Attribute ContentBasedDeduplication.' }));
  await expectSqsError(
    t.createQueue(name, { DeduplicationScope: 'queue' }),
    invalidAttributeName({ message: 'You can specify the DeduplicationScope only when FifoQueue is set to true.' }),
  );
  await expectSqsError(
    t.createQueue(name, { FifoThroughputLimit: 'perQueue' }),
    invalidAttributeName({ message: 'You can specify the FifoThroughputLimit only when FifoQueue is set to true.' }),
  );
  await expectSqsError(t.call('GetQueueUrl', { QueueName: name }), { name: 'QueueDoesNotExist' });

  const url = await t.createQueue(name);
  await expectSqsError(set(url, { FifoQueue: 'true' }), invalidAttributeName({ message: 'Unknown Attribute FifoQueue.' }));
  await expectSqsError(set(url, { FifoQueue: 'false' }), invalidAttributeName({ message: 'Unknown Attribute FifoQueue.' }));
  await expectSqsError(set(url, { ContentBasedDeduplication: 'true' }), invalidAttributeName());
});

test('FifoQueue cannot be modified on a FIFO queue; setting it to "true" again is accepted [AWS-rec]', async () => {
  const url = await t.createQueue(`${t.name('fifo-mod')}.fifo`, { FifoQueue: 'True', ContentBasedDeduplication: 'True' });
  const a = await t.attrs(url, ['FifoQueue', 'ContentBasedDeduplication']);
  assert.deepEqual(a, { FifoQueue: 'true', ContentBasedDeduplication: 'true' }, 'booleans are case-insensitive and reported lower case');
  await set(url, { FifoQueue: 'true' });
  await expectSqsError(
    set(url, { FifoQueue: 'false' }),
    invalidAttributeValue({ message: 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.' }),
  );
  await expectSqsError(set(url, { ContentBasedDeduplication: 'maybe' }), invalidAttributeValue());
  await expectSqsError(set(url, { DeduplicationScope: 'group' }), invalidAttributeValue());
  await expectSqsError(set(url, { FifoThroughputLimit: 'fast' }), invalidAttributeValue());
});

test('high throughput FIFO: DeduplicationScope=messageGroup + FifoThroughputLimit=perMessageGroupId [AWS-rec]', async () => {
  const url = await t.createQueue(`${t.name('ht')}.fifo`, { FifoQueue: 'true' });
  // perMessageGroupId needs messageGroup scope (AWS docs).
  await expectSqsError(set(url, { FifoThroughputLimit: 'perMessageGroupId' }), invalidAttributeValue());
  await set(url, { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
  const a = await t.attrs(url, ['DeduplicationScope', 'FifoThroughputLimit']);
  assert.deepEqual(a, { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
  await expectSqsError(
    t.createQueue(`${t.name('ht-bad')}.fifo`, { FifoQueue: 'true', FifoThroughputLimit: 'perMessageGroupId' }),
    invalidAttributeValue(),
  );
});

test('SSE: a KMS key turns SqsManagedSseEnabled off; resetting the key drops the KMS attributes [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('sse'));
  await set(url, { KmsMasterKeyId: 'testKeyId', KmsDataKeyReusePeriodSeconds: '6000' });
  let a = await t.attrs(url);
  assert.equal(a.KmsMasterKeyId, 'testKeyId');
  assert.equal(a.KmsDataKeyReusePeriodSeconds, '6000');
  assert.equal(a.SqsManagedSseEnabled, 'false');
  await set(url, { KmsMasterKeyId: '', KmsDataKeyReusePeriodSeconds: '300' });
  a = await t.attrs(url);
  assert.equal(a.KmsMasterKeyId, undefined);
  assert.equal(a.KmsDataKeyReusePeriodSeconds, undefined);
  assert.equal(a.SqsManagedSseEnabled, 'false');
  await set(url, { SqsManagedSseEnabled: 'true' });
  assert.equal((await t.attrs(url, ['SqsManagedSseEnabled'])).SqsManagedSseEnabled, 'true');
  await expectSqsError(
    set(url, { KmsMasterKeyId: 'testKeyId', SqsManagedSseEnabled: 'true' }),
    invalidAttributeName({ message: 'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.' }),
  );
  await expectSqsError(set(url, { KmsDataKeyReusePeriodSeconds: '59' }), invalidAttributeValue());
});

test('Policy: a JSON policy round-trips, "" removes it, invalid JSON is InvalidAttributeValue', async () => {
  const url = await t.createQueue(t.name('policy'));
  const arn = await t.arnOf(url);
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: arn }] };
  await set(url, { Policy: JSON.stringify(policy) });
  assert.deepEqual(JSON.parse((await t.attrs(url, ['Policy'])).Policy), policy);
  await set(url, { Policy: '' });
  assert.equal((await t.attrs(url, ['Policy'])).Policy, undefined);
  await expectSqsError(set(url, { Policy: '{not json' }), invalidAttributeValue());
});

test('RedrivePolicy validation: both keys required, numeric count 1-1000, string "42" accepted [AWS-validated]', async () => {
  const dlq = await t.createQueue(t.name('rp-dlq'));
  const dlqArn = await t.arnOf(dlq);
  const url = await t.createQueue(t.name('rp-src'));
  const rp = (p) => set(url, { RedrivePolicy: JSON.stringify(p) });
  await expectSqsError(rp({ deadLetterTargetArn: dlqArn }), invalidParameterValue());
  await expectSqsError(rp({ maxReceiveCount: '42' }), invalidParameterValue());
  await expectSqsError(rp({ deadLetterTargetArn: dlqArn, maxReceiveCount: 'invalid' }), invalidParameterValue());
  await expectSqsError(rp({ deadLetterTargetArn: dlqArn, maxReceiveCount: 0 }), invalidParameterValue());
  await expectSqsError(rp({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1001 }), invalidParameterValue());
  await expectSqsError(set(url, { RedrivePolicy: 'not json' }), invalidParameterValue());
  await expectSqsError(rp({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:no-such-dlq', maxReceiveCount: 3 }), invalidParameterValue());
  await expectSqsError(rp({ deadLetterTargetArn: 'dummy', maxReceiveCount: 3 }), invalidParameterValue());
  assert.equal((await t.attrs(url, ['RedrivePolicy'])).RedrivePolicy, undefined, 'refused policies are not stored');

  await rp({ deadLetterTargetArn: dlqArn, maxReceiveCount: '42' });
  const stored = JSON.parse((await t.attrs(url, ['RedrivePolicy'])).RedrivePolicy);
  assert.equal(stored.deadLetterTargetArn, dlqArn);
  assert.equal(Number(stored.maxReceiveCount), 42);
  // "" removes the policy [AWS-validated test_set_empty_redrive_policy].
  await set(url, { RedrivePolicy: '' });
  assert.equal((await t.attrs(url)).RedrivePolicy, undefined);
});

test('RedrivePolicy: the DLQ must be of the same type as the source', async () => {
  const stdDlq = await t.createQueue(t.name('type-dlq'));
  const fifoDlq = await t.createQueue(`${t.name('type-dlq')}.fifo`, { FifoQueue: 'true' });
  const fifoSrc = await t.createQueue(`${t.name('type-src')}.fifo`, { FifoQueue: 'true' });
  const stdSrc = await t.createQueue(t.name('type-src'));
  await expectSqsError(set(fifoSrc, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await t.arnOf(stdDlq), maxReceiveCount: 1 }) }), invalidParameterValue());
  await expectSqsError(set(stdSrc, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await t.arnOf(fifoDlq), maxReceiveCount: 1 }) }), invalidParameterValue());
  await set(fifoSrc, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await t.arnOf(fifoDlq), maxReceiveCount: 1 }) });
  assert.ok((await t.attrs(fifoSrc, ['RedrivePolicy'])).RedrivePolicy);
});

test('RedriveAllowPolicy on the DLQ: denyAll refuses every source, byQueue only the listed ones, allowAll everyone', async () => {
  const dlq = await t.createQueue(t.name('rap-dlq'));
  const dlqArn = await t.arnOf(dlq);
  const allowed = await t.createQueue(t.name('rap-allowed'));
  const other = await t.createQueue(t.name('rap-other'));
  const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });

  await set(dlq, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
  assert.deepEqual(JSON.parse((await t.attrs(dlq, ['RedriveAllowPolicy'])).RedriveAllowPolicy), { redrivePermission: 'denyAll' });
  await expectSqsError(set(allowed, { RedrivePolicy: redrive }), invalidParameterValue());
  await expectSqsError(t.createQueue(t.name('rap-new'), { RedrivePolicy: redrive }), invalidParameterValue());

  await set(dlq, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [await t.arnOf(allowed)] }) });
  await set(allowed, { RedrivePolicy: redrive });
  await expectSqsError(set(other, { RedrivePolicy: redrive }), invalidParameterValue());

  await set(dlq, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'allowAll' }) });
  await set(other, { RedrivePolicy: redrive });
  const sources = (await t.call('ListDeadLetterSourceQueues', { QueueUrl: dlq })).queueUrls;
  assert.deepEqual([...sources].sort(), [allowed, other].sort());
});

test('RedriveAllowPolicy validation: permission value, byQueue needs 1-10 source ARNs', async () => {
  const dlq = await t.createQueue(t.name('rapv'));
  const rap = (p) => set(dlq, { RedriveAllowPolicy: JSON.stringify(p) });
  await expectSqsError(rap({ redrivePermission: 'someone' }), invalidParameterValue());
  await expectSqsError(rap({ redrivePermission: 'byQueue' }), invalidParameterValue());
  const arns = Array.from({ length: 11 }, (_, i) => `arn:aws:sqs:us-east-1:000000000000:src-${i}`);
  await expectSqsError(rap({ redrivePermission: 'byQueue', sourceQueueArns: arns }), invalidParameterValue());
  await expectSqsError(rap({ redrivePermission: 'allowAll', sourceQueueArns: arns.slice(0, 1) }), invalidParameterValue());
  await expectSqsError(set(dlq, { RedriveAllowPolicy: '{' }), invalidParameterValue());
  await rap({ redrivePermission: 'byQueue', sourceQueueArns: arns.slice(0, 10) });
  assert.equal(JSON.parse((await t.attrs(dlq, ['RedriveAllowPolicy'])).RedriveAllowPolicy).sourceQueueArns.length, 10);
});
