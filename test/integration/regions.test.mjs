// Regions: SQS queues and SNS topics are regional, as on AWS. Real SDK v3 clients configured with two
// regions drive one emulator (the region comes from each request's SigV4 credential scope); a real Query
// client (Debian's python3-boto3) addresses a queue of another region by its URL; a restart on the same
// state directory keeps each queue in its region.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as SQS from '@aws-sdk/client-sqs';
import * as SNS from '@aws-sdk/client-sns';
import { requireQueryClient, runPython } from '../helpers/boto.mjs';
import { credentials, startTestEmulator } from '../helpers/emulator.mjs';

const ACCOUNT = '000000000000';
const client = (Ctor, url, region) => new Ctor({ endpoint: url, region, credentials, maxAttempts: 1 });
const sqsIn = (url, region) => {
  const c = client(SQS.SQSClient, url, region);
  return (op, input) => c.send(new SQS[`${op}Command`](input));
};
const snsIn = (url, region) => {
  const c = client(SNS.SNSClient, url, region);
  return (op, input) => c.send(new SNS[`${op}Command`](input));
};

async function rejects(promise, { name, message, status }) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    if (message !== undefined) assert.equal(err.message, message);
    if (status !== undefined) assert.equal(err.$metadata?.httpStatusCode, status);
    return;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

async function receiveBodies(sqs, QueueUrl) {
  const out = await sqs('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10 });
  return (out.Messages ?? []).map((m) => m.Body);
}

test('SQS: one name in two regions is two queues with two URLs and ARNs', async () => {
  const { emu, url } = await startTestEmulator();
  try {
    const east = sqsIn(url, 'us-east-1');
    const eu = sqsIn(url, 'eu-west-1');
    const eastUrl = (await east('CreateQueue', { QueueName: 'orders' })).QueueUrl;
    const euUrl = (await eu('CreateQueue', { QueueName: 'orders' })).QueueUrl;
    // us-east-1 keeps svl's URL form; other regions get the region-aware path (no DNS needed).
    assert.equal(eastUrl, `${url}/${ACCOUNT}/orders`);
    assert.equal(euUrl, `${url}/queue/eu-west-1/${ACCOUNT}/orders`);
    const arnOf = async (sqs, QueueUrl) => (await sqs('GetQueueAttributes', { QueueUrl, AttributeNames: ['QueueArn'] })).Attributes.QueueArn;
    assert.equal(await arnOf(east, eastUrl), `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`);
    assert.equal(await arnOf(eu, euUrl), `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders`);

    await east('SendMessage', { QueueUrl: eastUrl, MessageBody: 'from us-east-1' });
    await eu('SendMessage', { QueueUrl: euUrl, MessageBody: 'from eu-west-1' });
    assert.deepEqual(await receiveBodies(east, eastUrl), ['from us-east-1']);
    assert.deepEqual(await receiveBodies(eu, euUrl), ['from eu-west-1']);

    // Each region lists and finds its own queues only.
    await eu('CreateQueue', { QueueName: 'eu-only' });
    assert.deepEqual((await east('ListQueues', {})).QueueUrls, [eastUrl]);
    assert.deepEqual((await eu('ListQueues', {})).QueueUrls, [`${url}/queue/eu-west-1/${ACCOUNT}/eu-only`, euUrl]);
    assert.equal((await eu('GetQueueUrl', { QueueName: 'orders' })).QueueUrl, euUrl);
    await rejects(east('GetQueueUrl', { QueueName: 'eu-only' }), { name: 'QueueDoesNotExist', message: 'The specified queue does not exist.' });
    await rejects(east('SendMessage', { QueueUrl: `${url}/${ACCOUNT}/eu-only`, MessageBody: 'x' }), { name: 'QueueDoesNotExist' });

    // A URL without a region addresses the caller's region (as LocalStack's legacy form does).
    await eu('SendMessage', { QueueUrl: `${url}/${ACCOUNT}/orders`, MessageBody: 'plain url' });
    assert.deepEqual(await receiveBodies(eu, euUrl), ['plain url']);

    // The emulator's peek endpoint takes the region (default us-east-1, the region of svl --local).
    const peek = async (q) => (await fetch(`${url}/_svl/sqs/peek?${q}`)).json();
    assert.equal((await peek('queue=orders&region=eu-west-1')).QueueArn, `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders`);
    assert.equal((await peek('queue=orders')).QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`);
    assert.equal((await peek('queue=eu-only')).__type, 'QueueDoesNotExist');

    // A dead-letter queue must be in the same region.
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`, maxReceiveCount: 3 });
    await rejects(eu('SetQueueAttributes', { QueueUrl: euUrl, Attributes: { RedrivePolicy } }), { name: 'InvalidParameterValue', message: `Value ${RedrivePolicy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.` });
    await rejects(eu('CreateQueue', { QueueName: 'eu-src', Attributes: { RedrivePolicy } }), { name: 'InvalidParameterValue' });
    await east('CreateQueue', { QueueName: 'east-src', Attributes: { RedrivePolicy } });

    // Deleting one region's queue leaves the other's.
    await eu('DeleteQueue', { QueueUrl: euUrl });
    assert.equal((await east('GetQueueUrl', { QueueName: 'orders' })).QueueUrl, eastUrl);
    await rejects(eu('GetQueueUrl', { QueueName: 'orders' }), { name: 'QueueDoesNotExist' });
  } finally {
    await emu.close();
  }
});

test('SQS: an unsigned request is in us-east-1; a presigned-style X-Amz-Credential names its region', async () => {
  const { emu, url } = await startTestEmulator();
  try {
    await sqsIn(url, 'eu-west-1')('CreateQueue', { QueueName: 'eu-q' });
    await sqsIn(url, 'us-east-1')('CreateQueue', { QueueName: 'east-q' });
    const unsigned = await (await fetch(`${url}/?Action=ListQueues`)).text();
    assert.match(unsigned, /<QueueUrl>[^<]*\/000000000000\/east-q<\/QueueUrl>/);
    assert.doesNotMatch(unsigned, /eu-q/);
    const cred = encodeURIComponent('test/20260101/eu-west-1/sqs/aws4_request');
    const presigned = await (await fetch(`${url}/?Action=ListQueues&X-Amz-Credential=${cred}`)).text();
    assert.match(presigned, /<QueueUrl>[^<]*\/queue\/eu-west-1\/000000000000\/eu-q<\/QueueUrl>/);
    assert.doesNotMatch(presigned, /east-q/);
  } finally {
    await emu.close();
  }
});

test('SQS: queues keep their region across a restart on the same state directory', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-regions-'));
  try {
    let { emu, url } = await startTestEmulator({ stateDir });
    await sqsIn(url, 'us-east-1')('CreateQueue', { QueueName: 'jobs' });
    const euUrl = (await sqsIn(url, 'eu-west-1')('CreateQueue', { QueueName: 'jobs' })).QueueUrl;
    await sqsIn(url, 'eu-west-1')('SendMessage', { QueueUrl: euUrl, MessageBody: 'kept in eu-west-1' });
    await emu.close();

    ({ emu, url } = await startTestEmulator({ stateDir }));
    try {
      const east = sqsIn(url, 'us-east-1');
      const eu = sqsIn(url, 'eu-west-1');
      assert.deepEqual((await east('ListQueues', {})).QueueUrls, [`${url}/${ACCOUNT}/jobs`]);
      assert.deepEqual((await eu('ListQueues', {})).QueueUrls, [`${url}/queue/eu-west-1/${ACCOUNT}/jobs`]);
      assert.deepEqual(await receiveBodies(east, `${url}/${ACCOUNT}/jobs`), []);
      assert.deepEqual(await receiveBodies(eu, `${url}/queue/eu-west-1/${ACCOUNT}/jobs`), ['kept in eu-west-1']);
    } finally {
      await emu.close();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('SNS: topics are regional; another region gets InvalidParameter: TopicArn', async () => {
  const { emu, url } = await startTestEmulator();
  try {
    const ap = snsIn(url, 'ap-southeast-1');
    const east = snsIn(url, 'us-east-1');
    const TopicArn = (await ap('CreateTopic', { Name: 'alerts' })).TopicArn;
    assert.equal(TopicArn, `arn:aws:sns:ap-southeast-1:${ACCOUNT}:alerts`);
    const eastArn = (await east('CreateTopic', { Name: 'alerts' })).TopicArn;
    assert.equal(eastArn, `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`);
    assert.deepEqual((await ap('ListTopics', {})).Topics, [{ TopicArn }]);
    assert.deepEqual((await east('ListTopics', {})).Topics, [{ TopicArn: eastArn }]);

    const wrongRegion = { name: 'InvalidParameterException', message: 'Invalid parameter: TopicArn', status: 400 };
    await rejects(east('Publish', { TopicArn, Message: 'm' }), wrongRegion);
    await rejects(east('GetTopicAttributes', { TopicArn }), wrongRegion);
    await rejects(east('SetTopicAttributes', { TopicArn, AttributeName: 'DisplayName', AttributeValue: 'x' }), wrongRegion);
    await rejects(east('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` }), wrongRegion);
    await rejects(east('DeleteTopic', { TopicArn }), wrongRegion);
    // The topic is still there for its own region.
    assert.equal((await ap('GetTopicAttributes', { TopicArn })).Attributes.TopicArn, TopicArn);
  } finally {
    await emu.close();
  }
});

test('SNS: a topic delivers to a queue of another region, as on AWS', async () => {
  const { emu, url } = await startTestEmulator();
  try {
    const ap = snsIn(url, 'ap-southeast-1');
    const eu = sqsIn(url, 'eu-west-1');
    const TopicArn = (await ap('CreateTopic', { Name: 'fanout' })).TopicArn;
    const QueueUrl = (await eu('CreateQueue', { QueueName: 'sink' })).QueueUrl;
    const queueArn = `arn:aws:sqs:eu-west-1:${ACCOUNT}:sink`;
    // A same-named queue in the topic's region must not receive anything.
    const apQueueUrl = (await sqsIn(url, 'ap-southeast-1')('CreateQueue', { QueueName: 'sink' })).QueueUrl;
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }],
    });
    await eu('SetQueueAttributes', { QueueUrl, Attributes: { Policy } });
    const sub = await ap('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } });
    assert.match(sub.SubscriptionArn, /^arn:aws:sns:ap-southeast-1:000000000000:fanout:/);
    await ap('Publish', { TopicArn, Message: 'across regions' });
    assert.deepEqual(await receiveBodies(eu, QueueUrl), ['across regions']);
    assert.deepEqual(await receiveBodies(sqsIn(url, 'ap-southeast-1'), apQueueUrl), []);
    // ListSubscriptions is regional too.
    assert.equal((await ap('ListSubscriptions', {})).Subscriptions.length, 1);
    assert.equal((await snsIn(url, 'eu-west-1')('ListSubscriptions', {})).Subscriptions?.length ?? 0, 0);
  } finally {
    await emu.close();
  }
});

const QUERY_SCRIPT = `
import sys, boto3, botocore
assert botocore.__version__.startswith('1.2'), botocore.__version__
url = sys.argv[1]
mk = lambda region: boto3.client('sqs', endpoint_url=url, region_name=region, aws_access_key_id='test', aws_secret_access_key='test')
east, eu = mk('us-east-1'), mk('eu-west-1')
e = east.create_queue(QueueName='shared')['QueueUrl']
w = eu.create_queue(QueueName='shared')['QueueUrl']
print('east', e)
print('eu', w)
eu.send_message(QueueUrl=w, MessageBody='eu body')
east.send_message(QueueUrl=e, MessageBody='east body')
print('eu-recv', [m['Body'] for m in eu.receive_message(QueueUrl=w).get('Messages', [])])
print('east-recv', [m['Body'] for m in east.receive_message(QueueUrl=e).get('Messages', [])])
print('east-list', east.list_queues().get('QueueUrls', []))
print('eu-list', eu.list_queues().get('QueueUrls', []))
`;

test('SQS Query (Debian python3-boto3): two regions, each queue addressed by its own URL', async () => {
  requireQueryClient();
  const { emu, url } = await startTestEmulator({ fake: false });
  try {
    const { code, out } = await runPython(['-c', QUERY_SCRIPT, url]);
    assert.equal(code, 0, `python exited ${code}:\n${out}`);
    const east = `${url}/${ACCOUNT}/shared`;
    const eu = `${url}/queue/eu-west-1/${ACCOUNT}/shared`;
    assert.match(out, new RegExp(`^east ${east}$`, 'm'));
    assert.match(out, new RegExp(`^eu ${eu}$`, 'm'));
    assert.match(out, /^eu-recv \['eu body'\]$/m);
    assert.match(out, /^east-recv \['east body'\]$/m);
    assert.match(out, new RegExp(`^east-list \\['${east}'\\]$`, 'm'));
    assert.match(out, new RegExp(`^eu-list \\['${eu}'\\]$`, 'm'));
  } finally {
    await emu.close();
  }
});

test('Lambda: an event source mapping polls a queue of another region by its ARN, through the SQS API', async () => {
  const { setupLambda, eventually } = await import('../helpers/lambda.mjs');
  const t = await setupLambda();
  try {
    const eu = sqsIn(t.url, 'eu-west-1');
    const east = sqsIn(t.url, 'us-east-1');
    const euUrl = (await eu('CreateQueue', { QueueName: 'feed' })).QueueUrl;
    const eastUrl = (await east('CreateQueue', { QueueName: 'feed' })).QueueUrl;
    await east('SendMessage', { QueueUrl: eastUrl, MessageBody: 'stays in us-east-1' });
    await eu('SendMessage', { QueueUrl: euUrl, MessageBody: 'from eu-west-1' });
    await t.createFunction('regions-fn', { handler: 'index.record' });
    const EventSourceArn = `arn:aws:sqs:eu-west-1:${ACCOUNT}:feed`;
    await t.send('CreateEventSourceMapping', { FunctionName: 'regions-fn', EventSourceArn, BatchSize: 10 });
    const logs = await eventually(async () => {
      const l = await t.logs('regions-fn');
      return l.length >= 1 ? l : undefined;
    }, { what: 'one invocation of regions-fn' });
    const event = JSON.parse(logs[0].text.split('\n').find((l) => l.includes('\tINFO\t{')).split('\tINFO\t')[1]);
    assert.deepEqual(event.Records.map((r) => [r.body, r.eventSourceARN, r.awsRegion]), [['from eu-west-1', EventSourceArn, 'eu-west-1']]);
    // The batch is deleted from the eu-west-1 queue; the us-east-1 queue of the same name is untouched.
    await eventually(async () => {
      const a = (await eu('GetQueueAttributes', { QueueUrl: euUrl, AttributeNames: ['All'] })).Attributes;
      return a.ApproximateNumberOfMessages === '0' && a.ApproximateNumberOfMessagesNotVisible === '0';
    }, { what: 'the eu-west-1 message to be deleted' });
    assert.deepEqual(await receiveBodies(east, eastUrl), ['stays in us-east-1']);
  } finally {
    await t.close();
  }
});

test('a state directory from before regions: its queues and messages are us-east-1 after the migration', async () => {
  const { default: Database } = await import('better-sqlite3');
  const { MIGRATIONS } = await import('../../dist/local/store/migrations.js');
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-regions-old-'));
  try {
    const old = new Database(join(stateDir, 'svl.db'));
    for (const m of MIGRATIONS.slice(0, 3)) old.exec(m);
    old.pragma('user_version = 3');
    old.prepare(`INSERT INTO sqs_queues (name, fifo, attributes, tags, created_ms, modified_ms) VALUES ('legacy', 0, '{}', '{}', 0, 0)`).run();
    old.prepare(`INSERT INTO sqs_messages (queue, id, body, md5_body, sender_id, sent_ms, visible_ms) VALUES ('legacy', 'm-1', 'old body', ?, 'AIDA', ?, ?)`).run(createHash('md5').update('old body').digest('hex'), Date.now(), Date.now());
    old.close();
    const { emu, url } = await startTestEmulator({ stateDir, fake: false });
    try {
      const east = sqsIn(url, 'us-east-1');
      assert.deepEqual((await east('ListQueues', {})).QueueUrls, [`${url}/${ACCOUNT}/legacy`]);
      assert.equal((await east('GetQueueAttributes', { QueueUrl: `${url}/${ACCOUNT}/legacy`, AttributeNames: ['QueueArn'] })).Attributes.QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:legacy`);
      assert.deepEqual(await receiveBodies(east, `${url}/${ACCOUNT}/legacy`), ['old body']);
      assert.equal((await sqsIn(url, 'eu-west-1')('ListQueues', {})).QueueUrls, undefined);
    } finally {
      await emu.close();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});
