// S3 bucket notifications against an in-process emulator with the real @aws-sdk/client-s3, -sqs, -sns and
// -lambda clients: PutBucketNotificationConfiguration's validation errors (AWS's InvalidArgument texts and
// per-destination ArgumentNameN/ArgumentValueN, the emulator log's detail), skip-destination-validation, the
// s3:TestEvent, event records to queues, topics and functions with prefix/suffix filters, removals, key
// encoding, a destination gone at event time, and the AWS CLI v1's put-bucket-notification-configuration.
// Deliveries happen before the S3 response: "nothing arrived" is a receive right after the call (and
// waitIdle for Lambda's asynchronous invocations), never a sleep.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupLambda, eventually } from '../helpers/lambda.mjs';
import { credentials, startTestEmulator, sqsClient, waitIdle } from '../helpers/emulator.mjs';
import { ACCOUNT, queueArnOf, topicArnOf } from '../helpers/sns.mjs';

const S3 = await import('@aws-sdk/client-s3');
const SQS = await import('@aws-sdk/client-sqs');
const SNS = await import('@aws-sdk/client-sns');

const lines = [];
let t;
let s3;
before(async () => {
  t = await setupLambda({ log: (l) => lines.push(l) });
  s3 = new S3.S3Client({ endpoint: t.url, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
});
after(() => t.close());

const bucketArn = (b) => `arn:aws:s3:::${b}`;
const fnArn = (name) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const s3send = (Command, input) => s3.send(new S3[`${Command}Command`](input));
const sqsSend = (Command, input) => t.sqs.send(new SQS[`${Command}Command`](input));
const snsSend = (Command, input) => t.sns.send(new SNS[`${Command}Command`](input));

/** The queue policy AWS documents for S3 notifications: s3.amazonaws.com may SendMessage for `bucket`. */
const s3QueuePolicy = (queue, bucket) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArnOf(queue), Condition: { ArnEquals: { 'aws:SourceArn': bucketArn(bucket) }, StringEquals: { 'aws:SourceAccount': ACCOUNT } } }],
  });

async function bucket(name) {
  await s3send('CreateBucket', { Bucket: name });
  return name;
}

/** A queue; with `forBucket`, its policy lets that bucket's notifications in. */
async function queue(name, forBucket) {
  const { QueueUrl } = await sqsSend('CreateQueue', { QueueName: name, Attributes: forBucket ? { Policy: s3QueuePolicy(name, forBucket) } : {} });
  return QueueUrl;
}

/** A topic; with `forBucket`, its policy lets that bucket publish; subscribed by a new queue whose URL is returned. */
async function topicWithQueue(name, forBucket) {
  const { TopicArn } = await snsSend('CreateTopic', { Name: name });
  if (forBucket) {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'SNS:Publish', Resource: TopicArn, Condition: { ArnLike: { 'aws:SourceArn': bucketArn(forBucket) } } }] };
    await snsSend('SetTopicAttributes', { TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) });
  }
  const sub = `${name}-sub`;
  const { QueueUrl } = await sqsSend('CreateQueue', {
    QueueName: sub,
    Attributes: { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArnOf(sub), Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }] }) },
  });
  await snsSend('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: queueArnOf(sub) });
  return { TopicArn, QueueUrl };
}

/** A function whose successful async invocations land (with their requestPayload) in queue `<name>-out`. */
async function fnWithOutput(name, permitBucket) {
  await t.createFunction(name);
  const out = await queue(`${name}-out`);
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: name, DestinationConfig: { OnSuccess: { Destination: queueArnOf(`${name}-out`) } } });
  if (permitBucket) {
    await t.send('AddPermission', { FunctionName: name, StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: bucketArn(permitBucket), SourceAccount: ACCOUNT });
  }
  return out;
}

/** Everything in the queue right now (received and deleted), bodies parsed. */
async function drain(url) {
  const out = [];
  for (;;) {
    const r = await sqsSend('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 });
    if (!r.Messages?.length) return out;
    for (const m of r.Messages) {
      out.push(JSON.parse(m.Body));
      await sqsSend('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
    }
  }
}

/** Lambda deliveries run asynchronously: wait for `n` success records and return their payloads. */
async function lambdaPayloads(outUrl, n) {
  const got = [];
  await eventually(async () => {
    got.push(...(await drain(outUrl)));
    return got.length >= n;
  }, { what: `${n} lambda invocation(s)` });
  await waitIdle(t.url);
  got.push(...(await drain(outUrl)));
  return got.map((r) => r.requestPayload);
}

const putConfig = (Bucket, NotificationConfiguration, extra = {}) => s3send('PutBucketNotificationConfiguration', { Bucket, NotificationConfiguration, ...extra });

async function s3Error(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

function assertInvalidArgument(err, message, fields = {}) {
  assert.equal(err.name, 'InvalidArgument', `${err.name}: ${err.message}`);
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.equal(err.message, message);
  for (const [k, v] of Object.entries(fields)) assert.equal(err[k], v, k);
}

const UNABLE = 'Unable to validate the following destination configurations';

test('an unparsable destination ARN is refused, with or without destination validation', async () => {
  const b = await bucket('notif-bad-arn');
  for (const skip of [false, true]) {
    const extra = skip ? { SkipDestinationValidation: true } : {};
    assertInvalidArgument(await s3Error(putConfig(b, { QueueConfigurations: [{ QueueArn: 'invalid-queue', Events: ['s3:ObjectCreated:*'] }] }, extra)), 'The ARN could not be parsed', { ArgumentName: 'Queue', ArgumentValue: 'invalid-queue' });
    assertInvalidArgument(await s3Error(putConfig(b, { TopicConfigurations: [{ TopicArn: 'invalid-topic', Events: ['s3:ObjectCreated:*'] }] }, extra)), 'The ARN could not be parsed', { ArgumentName: 'Topic', ArgumentValue: 'invalid-topic' });
    assertInvalidArgument(await s3Error(putConfig(b, { LambdaFunctionConfigurations: [{ LambdaFunctionArn: 'invalid-fn', Events: ['s3:ObjectCreated:*'] }] }, extra)), 'The ARN could not be parsed', { ArgumentName: 'CloudFunction', ArgumentValue: 'invalid-fn' });
  }
  // A form error in the second configuration wins over the missing queue of the first (AWS-recorded).
  const err = await s3Error(putConfig(b, { QueueConfigurations: [{ QueueArn: queueArnOf('nope'), Events: ['s3:ObjectCreated:*'] }, { QueueArn: 'invalid_arn_2', Events: ['s3:ObjectRemoved:*'] }] }));
  assertInvalidArgument(err, 'The ARN could not be parsed', { ArgumentValue: 'invalid_arn_2' });
  assert.deepEqual((await s3send('GetBucketNotificationConfiguration', { Bucket: b })).QueueConfigurations, undefined);
});

test('missing destinations: AWS\'s per-destination InvalidArgument (raw XML too), the detail in the emulator log', async () => {
  const b = await bucket('notif-missing');
  const err = await s3Error(
    putConfig(b, {
      QueueConfigurations: [{ QueueArn: queueArnOf('no-such-queue'), Events: ['s3:ObjectCreated:Put'] }],
      TopicConfigurations: [{ TopicArn: topicArnOf('no-such-topic'), Events: ['s3:ObjectRemoved:*'] }],
      LambdaFunctionConfigurations: [{ LambdaFunctionArn: fnArn('no-such-fn'), Events: ['s3:ObjectCreated:Copy'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'x/' }] } } }],
    }),
  );
  assertInvalidArgument(err, UNABLE, {
    ArgumentName1: topicArnOf('no-such-topic'),
    ArgumentValue1: 'The destination topic does not exist',
    ArgumentName2: queueArnOf('no-such-queue'),
    ArgumentValue2: 'The destination queue does not exist',
    ArgumentName3: `${fnArn('no-such-fn')}, null`,
    ArgumentValue3: `Not authorized to invoke function [${fnArn('no-such-fn')}]`,
  });
  assert.ok(lines.some((l) => l.includes(`S3 ${b}: notification configuration REFUSED`) && l.includes('no such queue') && l.includes('Function not found')), lines.join('\n'));

  // The same answer as raw XML (unsigned requests reach S3).
  const body = `<NotificationConfiguration><QueueConfiguration><Queue>${queueArnOf('no-such-queue')}</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`;
  const r = await fetch(`${t.url}/${b}?notification`, { method: 'PUT', body });
  assert.equal(r.status, 400);
  const xml = await r.text();
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>InvalidArgument<\/Code><Message>Unable to validate the following destination configurations<\/Message>/);
  assert.ok(xml.includes(`<ArgumentName1>${queueArnOf('no-such-queue')}</ArgumentName1><ArgumentValue1>The destination queue does not exist</ArgumentValue1>`), xml);
});

test('policies that do not let this bucket send are refused: queue, topic, Lambda permission', async () => {
  const b = await bucket('notif-policy');
  await queue('np-open'); // no policy at all
  await queue('np-other', 'another-bucket'); // a policy for another bucket
  const { TopicArn } = await topicWithQueue('np-topic'); // the default topic policy
  await fnWithOutput('np-fn'); // no permission
  await fnWithOutput('np-fn-other', 'another-bucket'); // permission for another bucket
  const err = await s3Error(
    putConfig(b, {
      QueueConfigurations: [
        { QueueArn: queueArnOf('np-open'), Events: ['s3:ObjectCreated:Put'] },
        { QueueArn: queueArnOf('np-other'), Events: ['s3:ObjectCreated:Copy'] },
      ],
      TopicConfigurations: [{ TopicArn, Events: ['s3:ObjectRemoved:Delete'] }],
      LambdaFunctionConfigurations: [
        { LambdaFunctionArn: fnArn('np-fn'), Events: ['s3:ObjectCreated:Post'] },
        { LambdaFunctionArn: fnArn('np-fn-other'), Events: ['s3:ObjectCreated:CompleteMultipartUpload'] },
      ],
    }),
  );
  assertInvalidArgument(err, UNABLE, {
    ArgumentName1: TopicArn,
    ArgumentValue1: 'Permissions on the destination topic do not allow S3 to publish notifications from this bucket',
    ArgumentName2: queueArnOf('np-open'),
    ArgumentValue2: 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket',
    ArgumentName3: queueArnOf('np-other'),
    ArgumentName4: `${fnArn('np-fn')}, null`,
    ArgumentValue4: `Not authorized to invoke function [${fnArn('np-fn')}]`,
    ArgumentName5: `${fnArn('np-fn-other')}, null`,
  });
  const logged = lines.filter((l) => l.includes(`S3 ${b}: notification configuration REFUSED`)).join('\n');
  assert.match(logged, /the queue policy does not allow s3\.amazonaws\.com to sqs:SendMessage with aws:SourceArn = arn:aws:s3:::notif-policy/);
  assert.match(logged, /Fix: give the queue a Policy/);
  assert.match(logged, /aws lambda add-permission --function-name np-fn /);
  // Nothing was stored and no test event went anywhere.
  assert.deepEqual(await s3send('GetBucketNotificationConfiguration', { Bucket: b }).then((o) => o.QueueConfigurations), undefined);
});

test('FIFO queues and topics are refused as destinations; a missing bucket is NoSuchBucket', async () => {
  const b = await bucket('notif-fifo');
  await sqsSend('CreateQueue', { QueueName: 'nfifo.fifo', Attributes: { FifoQueue: 'true', Policy: s3QueuePolicy('nfifo.fifo', b) } });
  const err = await s3Error(putConfig(b, { QueueConfigurations: [{ QueueArn: queueArnOf('nfifo.fifo'), Events: ['s3:ObjectCreated:*'] }] }));
  assertInvalidArgument(err, UNABLE, { ArgumentName1: queueArnOf('nfifo.fifo'), ArgumentValue1: 'FIFO queues are not supported as S3 event notification destinations' });
  const { TopicArn } = await snsSend('CreateTopic', { Name: 'nfifo-t.fifo', Attributes: { FifoTopic: 'true' } });
  const topicErr = await s3Error(putConfig(b, { TopicConfigurations: [{ TopicArn, Events: ['s3:ObjectCreated:*'] }] }));
  assertInvalidArgument(topicErr, UNABLE, { ArgumentName1: TopicArn, ArgumentValue1: 'FIFO topics are not supported as S3 event notification destinations' });
  for (const call of [s3send('GetBucketNotificationConfiguration', { Bucket: 'notif-no-such-bucket' }), putConfig('notif-no-such-bucket', {})]) {
    const e = await s3Error(call);
    assert.equal(e.name, 'NoSuchBucket');
    assert.equal(e.$metadata.httpStatusCode, 404);
  }
});

test('form errors: overlapping configurations, unknown events, bad filter rules, missing filter values', async () => {
  const b = await bucket('notif-form');
  await queue('nf-q', b);
  const q = (Events, FilterRules) => ({ QueueArn: queueArnOf('nf-q'), Events, ...(FilterRules ? { Filter: { Key: { FilterRules } } } : {}) });
  assertInvalidArgument(
    await s3Error(putConfig(b, { QueueConfigurations: [q(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'img/' }]), q(['s3:ObjectCreated:Put'], [{ Name: 'prefix', Value: 'img/raw/' }])] })),
    'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
  );
  assertInvalidArgument(await s3Error(putConfig(b, { QueueConfigurations: [q(['s3:ObjectCreated:Get'])] })), 'The event is not supported for notifications');
  assertInvalidArgument(await s3Error(putConfig(b, { QueueConfigurations: [q(['s3:ObjectCreated:*'], [{ Name: 'INVALID', Value: 'x' }])] })), 'filter rule name must be either prefix or suffix', {
    ArgumentName: 'FilterRule.Name',
    ArgumentValue: 'INVALID',
  });
  const malformed = await s3Error(putConfig(b, { QueueConfigurations: [q(['s3:ObjectCreated:*'], [{ Name: 'prefix' }])] }));
  assert.equal(malformed.name, 'MalformedXML');
  // Disjoint prefixes on one event type are fine.
  await putConfig(b, { QueueConfigurations: [q(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'a/' }]), q(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'b/' }])] });
  assert.equal((await s3send('GetBucketNotificationConfiguration', { Bucket: b })).QueueConfigurations.length, 2);
});

test('skip-destination-validation stores a configuration naming a missing queue, sends no test event; ids generated, rule names capitalised', async () => {
  const b = await bucket('notif-skip');
  const url = await queue('ns-q'); // no policy: validation would refuse it
  await putConfig(
    b,
    {
      QueueConfigurations: [
        { Id: 'gone', QueueArn: queueArnOf('never-created'), Events: ['s3:ObjectCreated:*'] },
        { QueueArn: queueArnOf('ns-q'), Events: ['s3:ObjectRemoved:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.txt' }, { Name: 'PREFIX', Value: 'notif-' }] } } },
      ],
      EventBridgeConfiguration: {},
    },
    { SkipDestinationValidation: true },
  );
  const got = await s3send('GetBucketNotificationConfiguration', { Bucket: b });
  assert.equal(got.QueueConfigurations[0].Id, 'gone');
  assert.match(Buffer.from(got.QueueConfigurations[1].Id, 'base64').toString(), /^[0-9a-f-]{36}$/);
  assert.deepEqual(got.QueueConfigurations[1].Filter.Key.FilterRules, [{ Name: 'Suffix', Value: '.txt' }, { Name: 'Prefix', Value: 'notif-' }]);
  assert.deepEqual(got.EventBridgeConfiguration, {});
  assert.deepEqual(await drain(url), []);
  // An event for the missing queue is dropped with a log line; nothing fails for the uploader.
  await s3send('PutObject', { Bucket: b, Key: 'k', Body: 'x' });
  assert.ok(lines.some((l) => l.startsWith(`S3 NOTIFICATION DROPPED ${b} ObjectCreated:Put k -> ${queueArnOf('never-created')}`)), lines.join('\n'));
  // An empty configuration clears it.
  await putConfig(b, {});
  const cleared = await s3send('GetBucketNotificationConfiguration', { Bucket: b });
  assert.equal(cleared.QueueConfigurations, undefined);
  assert.equal(cleared.EventBridgeConfiguration, undefined);
});

test('the s3:TestEvent reaches each queue and topic when a configuration is applied (not functions)', async () => {
  const b = await bucket('notif-test-event');
  const qUrl = await queue('nt-q', b);
  const { TopicArn, QueueUrl: viaTopic } = await topicWithQueue('nt-topic', b);
  const fnOut = await fnWithOutput('nt-fn', b);
  const r = await putConfig(b, {
    QueueConfigurations: [{ QueueArn: queueArnOf('nt-q'), Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'q/' }] } } }],
    TopicConfigurations: [{ TopicArn, Events: ['s3:ObjectRemoved:*'] }],
    LambdaFunctionConfigurations: [{ LambdaFunctionArn: fnArn('nt-fn'), Events: ['s3:ObjectCreated:Put'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'fn/' }] } } }],
  });
  const [direct] = await drain(qUrl);
  assert.deepEqual(Object.keys(direct), ['Service', 'Event', 'Time', 'Bucket', 'RequestId', 'HostId']);
  assert.equal(direct.Service, 'Amazon S3');
  assert.equal(direct.Event, 's3:TestEvent');
  assert.equal(direct.Bucket, b);
  assert.equal(direct.RequestId, r.$metadata.requestId);
  assert.equal(direct.HostId, r.$metadata.extendedRequestId);
  assert.equal(direct.Time, new Date(t.clock.now()).toISOString());
  const [envelope] = await drain(viaTopic);
  assert.equal(envelope.Subject, 'Amazon S3 Notification');
  assert.equal(JSON.parse(envelope.Message).Event, 's3:TestEvent');
  await waitIdle(t.url);
  assert.deepEqual(await drain(fnOut), []);
});

test('events to a queue, a topic and a function, each with its filters; removals without size and eTag', async () => {
  const b = await bucket('notif-events');
  const qUrl = await queue('ne-q', b);
  const { TopicArn, QueueUrl: viaTopic } = await topicWithQueue('ne-topic', b);
  const fnOut = await fnWithOutput('ne-fn', b);
  await putConfig(b, {
    QueueConfigurations: [{ Id: 'uploads', QueueArn: queueArnOf('ne-q'), Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'in/' }, { Name: 'suffix', Value: '.jpg' }] } } }],
    TopicConfigurations: [{ Id: 'removed', TopicArn, Events: ['s3:ObjectRemoved:*'] }],
    LambdaFunctionConfigurations: [{ Id: 'thumbs', LambdaFunctionArn: fnArn('ne-fn'), Events: ['s3:ObjectCreated:Put'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'fn/' }] } } }],
  });
  await drain(qUrl);
  await drain(viaTopic);

  const put = await s3send('PutObject', { Bucket: b, Key: 'in/a.jpg', Body: 'something' });
  await s3send('PutObject', { Bucket: b, Key: 'in/a.png', Body: 'filtered out by suffix' });
  await s3send('PutObject', { Bucket: b, Key: 'out/a.jpg', Body: 'filtered out by prefix' });
  await s3send('CopyObject', { Bucket: b, Key: 'in/copy.jpg', CopySource: `${b}/in/a.jpg` });
  const mpu = await s3send('CreateMultipartUpload', { Bucket: b, Key: 'in/big.jpg' });
  const part = await s3send('UploadPart', { Bucket: b, Key: 'in/big.jpg', UploadId: mpu.UploadId, PartNumber: 1, Body: 'part-one' });
  const done = await s3send('CompleteMultipartUpload', { Bucket: b, Key: 'in/big.jpg', UploadId: mpu.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } });
  const fnPut = await s3send('PutObject', { Bucket: b, Key: 'fn/pic.jpg', Body: 'for the function' });

  const records = (await drain(qUrl)).map((m) => m.Records[0]);
  assert.deepEqual(records.map((r) => [r.eventName, r.s3.object.key]), [
    ['ObjectCreated:Put', 'in/a.jpg'],
    ['ObjectCreated:Copy', 'in/copy.jpg'],
    ['ObjectCreated:CompleteMultipartUpload', 'in/big.jpg'],
  ]);
  const [first] = records;
  assert.deepEqual(Object.keys(first), ['eventVersion', 'eventSource', 'awsRegion', 'eventTime', 'eventName', 'userIdentity', 'requestParameters', 'responseElements', 's3']);
  assert.equal(first.eventVersion, '2.1');
  assert.equal(first.eventSource, 'aws:s3');
  assert.equal(first.awsRegion, 'us-east-1');
  assert.equal(first.eventTime, new Date(t.clock.now()).toISOString());
  assert.equal(first.requestParameters.sourceIPAddress, '127.0.0.1');
  assert.deepEqual(first.responseElements, { 'x-amz-request-id': put.$metadata.requestId, 'x-amz-id-2': put.$metadata.extendedRequestId });
  assert.equal(first.s3.s3SchemaVersion, '1.0');
  assert.equal(first.s3.configurationId, 'uploads');
  assert.deepEqual(first.s3.bucket.name, b);
  assert.deepEqual(first.s3.bucket.arn, bucketArn(b));
  assert.deepEqual(Object.keys(first.s3.object), ['key', 'size', 'eTag', 'sequencer']);
  assert.equal(first.s3.object.size, 9);
  assert.equal(first.s3.object.eTag, '437b930db84b8079c2dd804a71936b5f');
  assert.equal(records[2].s3.object.eTag, done.ETag.replaceAll('"', ''));
  assert.match(first.s3.object.sequencer, /^[0-9A-F]{16,}$/);
  assert.ok(records[1].s3.object.sequencer > first.s3.object.sequencer, 'sequencers increase');

  const [fnEvent] = await lambdaPayloads(fnOut, 1);
  assert.equal(fnEvent.Records[0].s3.configurationId, 'thumbs');
  assert.equal(fnEvent.Records[0].s3.object.key, 'fn/pic.jpg');
  assert.equal(fnEvent.Records[0].responseElements['x-amz-request-id'], fnPut.$metadata.requestId);

  // Removals go to the topic only (every key: the topic has no filter), without size or eTag.
  await s3send('DeleteObject', { Bucket: b, Key: 'out/a.jpg' });
  await s3send('DeleteObjects', { Bucket: b, Delete: { Objects: [{ Key: 'in/a.png' }, { Key: 'never-existed' }], Quiet: true } });
  const removed = (await drain(viaTopic)).map((env) => {
    assert.equal(env.Subject, 'Amazon S3 Notification');
    return JSON.parse(env.Message).Records[0];
  });
  assert.deepEqual(removed.map((r) => [r.eventName, r.s3.configurationId, r.s3.object.key]).sort(), [
    ['ObjectRemoved:Delete', 'removed', 'in/a.png'],
    ['ObjectRemoved:Delete', 'removed', 'never-existed'],
    ['ObjectRemoved:Delete', 'removed', 'out/a.jpg'],
  ]);
  for (const r of removed) assert.deepEqual(Object.keys(r.s3.object), ['key', 'sequencer']);
  assert.deepEqual(await drain(qUrl), []);
  await waitIdle(t.url);
  assert.deepEqual(await drain(fnOut), []);
});

test('keys in records are URL-encoded as AWS does: spaces +, UTF-8 escapes, slashes kept; filters see that form', async () => {
  const b = await bucket('notif-keys');
  const url = await queue('nk-q', b);
  await putConfig(b, { QueueConfigurations: [{ QueueArn: queueArnOf('nk-q'), Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'my+photos/' }] } } }] });
  await drain(url);
  for (const Key of ['my photos/été 😀.jpg', 'my photos/a@b+c=(1).png', 'myphotos/not-matched.jpg']) await s3send('PutObject', { Bucket: b, Key, Body: 'x' });
  const keys = (await drain(url)).map((m) => m.Records[0].s3.object.key);
  assert.deepEqual(keys, ['my+photos/%C3%A9t%C3%A9+%F0%9F%98%80.jpg', 'my+photos/a%40b%2Bc%3D%281%29.png']);
});

test('a destination deleted after configuration: its events are dropped with a log line, the others still delivered', async () => {
  const b = await bucket('notif-gone');
  const keep = await queue('ng-keep', b);
  const gone = await queue('ng-gone', b);
  await putConfig(b, {
    QueueConfigurations: [
      { QueueArn: queueArnOf('ng-keep'), Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.a' }] } } },
      { QueueArn: queueArnOf('ng-gone'), Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.b' }] } } },
    ],
  });
  await drain(keep);
  await sqsSend('DeleteQueue', { QueueUrl: gone });
  await s3send('PutObject', { Bucket: b, Key: 'x.b', Body: 'x' });
  await s3send('PutObject', { Bucket: b, Key: 'x.a', Body: 'x' });
  assert.deepEqual((await drain(keep)).map((m) => m.Records[0].s3.object.key), ['x.a']);
  assert.ok(lines.some((l) => l.startsWith(`S3 NOTIFICATION DROPPED ${b} ObjectCreated:Put x.b -> ${queueArnOf('ng-gone')}`)), lines.join('\n'));
});

/** `aws …` (the pip-installed AWS CLI v1) with isolated config; resolves { code, stdout, stderr }. */
function aws(args) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  Object.assign(env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' });
  return new Promise((resolve, reject) => {
    const child = spawn('aws', ['--endpoint-url', t.url, '--region', 'us-east-1', '--output', 'json', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => reject(err.code === 'ENOENT' ? new Error('`aws` is not on PATH. Install the AWS CLI with: pip install awscli') : err));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('AWS CLI v1: put-bucket-notification-configuration applies (test event sent), get shows it, a refusal prints AWS\'s message', async () => {
  const b = await bucket('notif-cli');
  const url = await queue('nc-q', b);
  const dir = mkdtempSync(join(tmpdir(), 'svl-s3n-'));
  try {
    const file = join(dir, 'n.json');
    writeFileSync(file, JSON.stringify({ QueueConfigurations: [{ Id: 'cli', QueueArn: queueArnOf('nc-q'), Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.csv' }] } } }] }));
    const put = await aws(['s3api', 'put-bucket-notification-configuration', '--bucket', b, '--notification-configuration', `file://${file}`]);
    assert.equal(put.code, 0, put.stderr);
    const [testEvent] = await drain(url);
    assert.equal(testEvent.Event, 's3:TestEvent');
    const get = await aws(['s3api', 'get-bucket-notification-configuration', '--bucket', b]);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(JSON.parse(get.stdout), { QueueConfigurations: [{ Id: 'cli', QueueArn: queueArnOf('nc-q'), Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'Suffix', Value: '.csv' }] } } }] });
    writeFileSync(file, JSON.stringify({ QueueConfigurations: [{ QueueArn: queueArnOf('nc-missing'), Events: ['s3:ObjectCreated:*'] }] }));
    const bad = await aws(['s3api', 'put-bucket-notification-configuration', '--bucket', b, '--notification-configuration', `file://${file}`]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /An error occurred \(InvalidArgument\) when calling the PutBucketNotificationConfiguration operation: Unable to validate the following destination configurations/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('concurrent PUTs (sharing commits): each acknowledged object is notified once; a refused conditional PUT is not', async () => {
  const b = await bucket('notif-concurrent');
  const qUrl = await queue('concurrent-puts-q', b);
  await putConfig(b, { QueueConfigurations: [{ QueueArn: queueArnOf('concurrent-puts-q'), Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] }] });
  await drain(qUrl); // the test event
  await s3send('PutObject', { Bucket: b, Key: 'taken', Body: 'x' });
  const keys = Array.from({ length: 30 }, (_, i) => `k/${i}`);
  const outcomes = await Promise.allSettled([
    ...keys.map((Key) => s3send('PutObject', { Bucket: b, Key, Body: Key })),
    s3send('PutObject', { Bucket: b, Key: 'taken', Body: 'y', IfNoneMatch: '*' }),
    s3send('DeleteObject', { Bucket: b, Key: 'absent' }),
  ]);
  assert.deepEqual(outcomes.map((o) => o.status), [...keys.map(() => 'fulfilled'), 'rejected', 'fulfilled']);
  assert.equal(outcomes[keys.length].reason.name, 'PreconditionFailed');
  const records = (await drain(qUrl)).map((m) => m.Records[0]);
  const created = records.filter((r) => r.eventName === 'ObjectCreated:Put').map((r) => decodeURIComponent(r.s3.object.key));
  assert.deepEqual(created.sort(), ['taken', ...keys].sort());
  assert.deepEqual(records.filter((r) => r.eventName === 'ObjectRemoved:Delete').map((r) => r.s3.object.key), ['absent']);
  const sequencers = records.map((r) => r.s3.object.sequencer);
  assert.equal(new Set(sequencers).size, sequencers.length, 'every event has its own sequencer');
  for (const Key of keys) assert.equal(await (await s3send('GetObject', { Bucket: b, Key })).Body.transformToString(), Key);
});

test('a configuration survives a restart of a durable emulator, and a deleted bucket takes it along', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-s3n-state-'));
  try {
    let e = await startTestEmulator({ stateDir: dir });
    let c = new S3.S3Client({ endpoint: e.url, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
    let q = await sqsClient(e.url);
    await c.send(new S3.CreateBucketCommand({ Bucket: 'durable' }));
    const { QueueUrl } = await q.send(new SQS.CreateQueueCommand({ QueueName: 'durable-q', Attributes: { Policy: s3QueuePolicy('durable-q', 'durable') } }));
    await c.send(new S3.PutBucketNotificationConfigurationCommand({ Bucket: 'durable', NotificationConfiguration: { QueueConfigurations: [{ Id: 'd', QueueArn: queueArnOf('durable-q'), Events: ['s3:ObjectCreated:*'] }] } }));
    await e.emu.close();
    e = await startTestEmulator({ stateDir: dir });
    c = new S3.S3Client({ endpoint: e.url, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
    q = await sqsClient(e.url);
    await c.send(new S3.PutObjectCommand({ Bucket: 'durable', Key: 'after-restart', Body: 'x' }));
    const r = await q.send(new SQS.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    const bodies = r.Messages.map((m) => JSON.parse(m.Body));
    assert.deepEqual(bodies.map((m) => m.Event ?? m.Records[0].s3.object.key), ['s3:TestEvent', 'after-restart']);
    await c.send(new S3.DeleteObjectCommand({ Bucket: 'durable', Key: 'after-restart' }));
    await c.send(new S3.DeleteBucketCommand({ Bucket: 'durable' }));
    await c.send(new S3.CreateBucketCommand({ Bucket: 'durable' }));
    assert.equal((await c.send(new S3.GetBucketNotificationConfigurationCommand({ Bucket: 'durable' }))).QueueConfigurations, undefined);
    await e.emu.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
