// `svl doctor` end to end: on an in-process emulator, one flow per finding built wrong on purpose (`bad-*`)
// and the same flow built right (`good-*`), then the built CLI finds each with the right text and only
// in the bad flow; --fix makes the fixable ones go away (and SNS then delivers), nothing changes without
// --fix, --json has its documented shape, and bad input is refused with a hint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicCommand, PublishCommand, SetTopicAttributesCommand, SubscribeCommand, GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutBucketTaggingCommand } from '@aws-sdk/client-s3';
import { setupLambda, eventually } from '../helpers/lambda.mjs';
import { s3Client } from '../helpers/s3.mjs';
import { waitIdle } from '../helpers/emulator.mjs';
import { forward, startGate } from '../helpers/gate.mjs';
import { spawnSvl } from '../helpers/spawn.mjs';
import { localEnv, NO_STACK, svl } from '../helpers/cli.mjs';
import { zipDir, fixtures } from '../helpers/lambda.mjs';
import { join } from 'node:path';

const ACCOUNT = '000000000000';
const Q = `arn:aws:sqs:us-east-1:${ACCOUNT}:`;
const T = `arn:aws:sns:us-east-1:${ACCOUNT}:`;
let t;
let s3;
let run;
let report; // `svl doctor --all --json` before any fix
const code = zipDir(join(fixtures, 'doctor'));

const allowTopic = (queueArn, topicArn) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }] });
const allowBucket = (queueArn, bucket) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` } } }] });

async function queue(name, flow, attributes = {}) {
  const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes, tags: { 'svl:flow': flow } }));
  return { url: QueueUrl, arn: `${Q}${name}` };
}
async function topic(name, flow) {
  return (await t.sns.send(new CreateTopicCommand({ Name: name, Tags: [{ Key: 'svl:flow', Value: flow }] }))).TopicArn;
}
const setAttrs = (url, Attributes) => t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes }));
const fn = (name, handler, extra = {}) => t.createFunction(name, { handler: `index.${handler}`, Code: { ZipFile: code }, ...extra });
const mapping = (fnName, queueArn, extra = {}) => t.send('CreateEventSourceMapping', { FunctionName: fnName, EventSourceArn: queueArn, BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ...extra });

/** A topic fanning out to one queue with a DLQ, built right unless `bad` says otherwise. */
async function fanout(flow, bad = {}) {
  const tp = await topic(`${flow}-t`, flow);
  const dlq = await queue(`${flow}-dlq`, flow, { MessageRetentionPeriod: '1209600' });
  const q = await queue(`${flow}-q`, flow, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: bad.maxReceiveCount ?? 5 }), MessageRetentionPeriod: bad.retention ?? '345600' });
  if (!bad.policy) await setAttrs(q.url, { Policy: allowTopic(q.arn, tp) });
  const sdlq = await queue(`${flow}-sdlq`, flow, { Policy: allowTopic(`${Q}${flow}-sdlq`, tp) });
  await t.sns.send(new SubscribeCommand({ TopicArn: tp, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sdlq.arn }) } }));
  return { topic: tp, q, dlq };
}

before(async () => {
  // The fake clock: visibility timeouts pass when the test advances it, never in real time.
  t = await setupLambda();
  s3 = await s3Client(t.url);
  run = (args, opts = {}) => svl([...args, '--local'], { env: localEnv(t.url), timeoutMs: 60_000, ...opts });

  // Policies and DLQs.
  await fanout('bad-policy', { policy: true });
  await fanout('good-policy');
  await fanout('bad-mrc', { maxReceiveCount: 1 });
  const ret = await fanout('bad-retention');
  await setAttrs(ret.dlq.url, { MessageRetentionPeriod: '345600' });
  const allow = await fanout('bad-redrive-allow');
  await setAttrs(allow.dlq.url, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
  const gone = await fanout('bad-dlq-missing');
  await t.sqs.send(new DeleteQueueCommand({ QueueUrl: gone.dlq.url }));

  // Lambda consumers.
  await fn('doctor-ok', 'ok', { Timeout: 10 });
  const vis = await fanout('bad-visibility');
  await setAttrs(vis.q.url, { VisibilityTimeout: '60' });
  await mapping('doctor-ok', vis.q.arn);
  await setAttrs(vis.q.url, { VisibilityTimeout: '5' });
  const six = await fanout('bad-six');
  await setAttrs(six.q.url, { VisibilityTimeout: '30' });
  await mapping('doctor-ok', six.q.arn);
  const goodc = await fanout('good-consumer');
  await setAttrs(goodc.q.url, { VisibilityTimeout: '60' });
  await mapping('doctor-ok', goodc.q.arn);
  const batch = await fanout('bad-batch');
  await setAttrs(batch.q.url, { VisibilityTimeout: '60' });
  await mapping('doctor-ok', batch.q.arn, { BatchSize: 10, FunctionResponseTypes: [] });
  const nodlq = await queue('bad-nodlq-q', 'bad-nodlq', { VisibilityTimeout: '60' });
  await mapping('doctor-ok', nodlq.arn);

  // Subscriptions: pending confirmation (an HTTP endpoint nobody answers), a Lambda endpoint.
  const pend = await fanout('bad-pending');
  await t.sns.send(new SubscribeCommand({ TopicArn: pend.topic, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/hook' }));
  await fn('doctor-async-bad', 'ok');
  const asyncBad = await topic('bad-async-t', 'bad-async');
  await t.sns.send(new SubscribeCommand({ TopicArn: asyncBad, Protocol: 'lambda', Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:doctor-async-bad` }));
  await fn('doctor-async-good', 'ok');
  const asyncGood = await topic('good-async-t', 'good-async');
  const failures = await queue('good-async-failures', 'good-async', { Policy: allowTopic(`${Q}good-async-failures`, `${T}good-async-t`) });
  await t.send('AddPermission', { FunctionName: 'doctor-async-good', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: asyncGood });
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'doctor-async-good', DestinationConfig: { OnFailure: { Destination: failures.arn } } });
  await t.sns.send(new SubscribeCommand({ TopicArn: asyncGood, Protocol: 'lambda', Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:doctor-async-good`, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: failures.arn }) } }));
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'doctor-async-bad', MaximumRetryAttempts: 0 });
  // An on-failure destination that was deleted afterwards.
  await fn('doctor-async-gone', 'ok');
  const asyncGone = await topic('bad-async-gone-t', 'bad-async-gone');
  const goneQ = await queue('bad-async-gone-failures', 'bad-async-gone');
  await t.send('AddPermission', { FunctionName: 'doctor-async-gone', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: asyncGone });
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'doctor-async-gone', DestinationConfig: { OnFailure: { Destination: goneQ.arn } } });
  await t.sns.send(new SubscribeCommand({ TopicArn: asyncGone, Protocol: 'lambda', Endpoint: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:doctor-async-gone` }));
  await t.sqs.send(new DeleteQueueCommand({ QueueUrl: goneQ.url }));

  // An HTTP API whose function may run longer than the API waits, and may not be invoked by it.
  await fn('doctor-api', 'ok', { Timeout: 60 });
  const apigw = new ApiGatewayV2Client({ endpoint: t.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  await apigw.send(new CreateApiCommand({ Name: 'bad-api', ProtocolType: 'HTTP', Target: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:doctor-api`, Tags: { 'svl:flow': 'bad-api' } }));
  apigw.destroy();

  // Buckets: the queue's (and topic's) policy let the bucket in when the configuration was set, then lost it.
  const bq = await queue('bad-bucket-q', 'bad-bucket', { Policy: allowBucket(`${Q}bad-bucket-q`, 'bad-bucket-b') });
  const bt = await topic('bad-bucket-t', 'bad-bucket');
  const topicPolicy = (await t.sns.send(new GetTopicAttributesCommand({ TopicArn: bt }))).Attributes.Policy;
  const open = JSON.parse(topicPolicy);
  open.Statement.push({ Sid: 's3', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'SNS:Publish', Resource: bt });
  await t.sns.send(new SetTopicAttributesCommand({ TopicArn: bt, AttributeName: 'Policy', AttributeValue: JSON.stringify(open) }));
  await s3.send(new CreateBucketCommand({ Bucket: 'bad-bucket-b' }));
  await s3.send(new PutBucketTaggingCommand({ Bucket: 'bad-bucket-b', Tagging: { TagSet: [{ Key: 'svl:flow', Value: 'bad-bucket' }] } }));
  await s3.send(new PutBucketNotificationConfigurationCommand({
    Bucket: 'bad-bucket-b',
    NotificationConfiguration: { QueueConfigurations: [{ QueueArn: bq.arn, Events: ['s3:ObjectCreated:*'] }], TopicConfigurations: [{ TopicArn: bt, Events: ['s3:ObjectRemoved:*'] }] },
  }));
  await setAttrs(bq.url, { Policy: '' });
  await t.sns.send(new SetTopicAttributesCommand({ TopicArn: bt, AttributeName: 'Policy', AttributeValue: topicPolicy }));

  // Journal findings: a consumer returning statusCode 500, one failing on s3:TestEvent, one parsing the envelope as raw.
  await fn('doctor-500', 'status500', { Timeout: 1 });
  const e500 = await fanout('bad-500');
  await setAttrs(e500.q.url, { VisibilityTimeout: '6' });
  await mapping('doctor-500', e500.q.arn);
  await t.sns.send(new PublishCommand({ TopicArn: e500.topic, Message: 'order 1' }));
  await fn('doctor-s3', 's3records', { Timeout: 1 });
  const tq = await queue('bad-testevent-q', 'bad-testevent', { VisibilityTimeout: '1' });
  const tdlq = await queue('bad-testevent-dlq', 'bad-testevent');
  await setAttrs(tq.url, { Policy: allowBucket(tq.arn, 'bad-testevent-b'), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: tdlq.arn, maxReceiveCount: 2 }) });
  await mapping('doctor-s3', tq.arn, { BatchSize: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: 'bad-testevent-b' }));
  await s3.send(new PutBucketTaggingCommand({ Bucket: 'bad-testevent-b', Tagging: { TagSet: [{ Key: 'svl:flow', Value: 'bad-testevent' }] } }));
  await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'bad-testevent-b', NotificationConfiguration: { QueueConfigurations: [{ QueueArn: tq.arn, Events: ['s3:ObjectCreated:*'] }] } }));
  await fn('doctor-raw', 'rawOrder', { Timeout: 1 });
  const raw = await fanout('bad-raw');
  await setAttrs(raw.q.url, { VisibilityTimeout: '6' });
  await mapping('doctor-raw', raw.q.arn);
  await t.sns.send(new PublishCommand({ TopicArn: raw.topic, Message: JSON.stringify({ order: { id: 'o-1' } }) }));

  const events = async (type, fnName) => (await (await fetch(`${t.url}/_svl/events?type=${type}&resource=arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fnName}`)).text()).trim().split('\n').filter(Boolean);
  const completions = (fnName, n) => eventually(async () => (await events('lambda.completed', fnName)).length >= n, { what: `${n} completed invocation(s) of ${fnName}` });
  await completions('doctor-500', 1);
  await completions('doctor-raw', 1);
  // The s3:TestEvent fails once, comes back when its 1 s visibility timeout passes on the fake clock, fails
  // again (receive count 2), and the next receive moves it to the DLQ (maxReceiveCount 2).
  await completions('doctor-s3', 1);
  await waitIdle(t.url);
  t.clock.advance(1_000);
  await completions('doctor-s3', 2);
  await waitIdle(t.url);
  t.clock.advance(1_000);
  await eventually(async () => (await (await fetch(`${t.url}/_svl/sqs/peek?queue=bad-testevent-dlq`)).json()).Messages.length > 0, { what: 'the s3:TestEvent to be dead-lettered' });

  // Two topics whose names differ only by punctuation, one already let in by a statement of the old Sid scheme.
  const sidQ = await queue('bad-sid-q', 'bad-sid');
  const ab = await topic('bad-sid-ab', 'bad-sid');
  const aDashB = await topic('bad-sid-a-b', 'bad-sid');
  await setAttrs(sidQ.url, { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ ...JSON.parse(allowTopic(sidQ.arn, ab)).Statement[0], Sid: 'AllowTopicbadsidab' }] }) });
  for (const tp of [ab, aDashB]) await t.sns.send(new SubscribeCommand({ TopicArn: tp, Protocol: 'sqs', Endpoint: sidQ.arn, Attributes: { RawMessageDelivery: 'true' } }));
  // A queue policy naming its topic with ArnEquals and wildcards: AWS allows it (ArnEquals matches like ArnLike).
  const arnEq = await fanout('good-arnequals');
  await setAttrs(arnEq.q.url, { Policy: allowTopic(arnEq.q.arn, `arn:aws:sns:*:${ACCOUNT}:good-arnequals-*`) });

  const r = await run(['doctor', '--all', '--json']);
  assert.equal(r.code, 1, r.stderr);
  report = JSON.parse(r.stdout);
});

after(() => {
  s3?.destroy();
  return t?.close();
});

const flowOf = (name) => report.flows.find((f) => f.flow === name);
const ids = (name) => flowOf(name).findings.map((f) => f.id);
const finding = (flow, id) => {
  const f = flowOf(flow).findings.find((x) => x.id === id);
  assert.ok(f, `${flow}: expected ${id}, got ${ids(flow).join(', ')}`);
  return f;
};

test('queue policy that keeps the topic out: found in the bad flow with its fix, not in the good one', () => {
  const f = finding('bad-policy', 'queue-policy-blocks-topic');
  assert.equal(f.severity, 'error');
  assert.equal(f.title, 'queue bad-policy-q does not let topic bad-policy-t send to it');
  assert.match(f.why, /SNS drops every message/);
  assert.equal(f.fix.action.kind, 'sqs-add-policy-statement');
  assert.match(f.fix.command, /^aws sqs set-queue-attributes --queue-url \S+bad-policy-q --attributes '\{"Policy":/);
  assert.deepEqual(ids('good-policy'), []);
});

test('DLQ findings: maxReceiveCount 1, retention not longer, RedriveAllowPolicy refusing, DLQ missing', () => {
  assert.match(finding('bad-mrc', 'max-receive-count-one').title, /bad-mrc-q dead-letters a message after its first receive/);
  assert.match(finding('bad-retention', 'dlq-retention-not-longer').title, /DLQ bad-retention-dlq keeps messages 4 days, not longer than its source bad-retention-q \(4 days\)/);
  assert.equal(finding('bad-redrive-allow', 'dlq-redrive-not-allowed').severity, 'error');
  assert.match(finding('bad-dlq-missing', 'dlq-missing').title, /bad-dlq-missing-q's dead-letter queue bad-dlq-missing-dlq does not exist/);
  for (const id of ['max-receive-count-one', 'dlq-retention-not-longer', 'dlq-redrive-not-allowed', 'dlq-missing']) assert.ok(!ids('good-policy').includes(id));
});

test('Lambda consumers: visibility below the timeout (error) and below 6x (warning), batches without partial failures, no DLQ', () => {
  const v = finding('bad-visibility', 'visibility-below-function-timeout');
  assert.equal(v.severity, 'error');
  assert.match(v.title, /bad-visibility-q's visibility timeout \(5 s\) is shorter than doctor-ok's timeout \(10 s\)/);
  assert.deepEqual(v.fix.action.attributes, { VisibilityTimeout: '60' });
  assert.equal(finding('bad-six', 'visibility-below-six-times-timeout').severity, 'warning');
  assert.match(finding('bad-batch', 'batch-without-partial-failures').title, /doctor-ok reads bad-batch-q in batches of 10 without ReportBatchItemFailures/);
  assert.equal(finding('bad-batch', 'batch-without-partial-failures').fix.action, undefined, 'needs a handler change first');
  assert.match(finding('bad-nodlq', 'lambda-queue-without-dlq').title, /bad-nodlq-q is read by doctor-ok but has no dead-letter queue/);
  assert.deepEqual(ids('good-consumer'), []);
});

test('subscriptions: pending confirmation; an async Lambda without failure destination or permission', () => {
  assert.match(finding('bad-pending', 'subscription-pending-confirmation').title, /bad-pending-t -> http:\/\/127.0.0.1:9\/hook \(http\) is still pending confirmation/);
  assert.equal(finding('bad-async', 'async-without-failure-destination').severity, 'warning');
  assert.match(finding('bad-async', 'lambda-permission-blocks-topic').title, /doctor-async-bad's resource policy does not let topic bad-async-t invoke it/);
  assert.match(finding('bad-async', 'subscription-without-dlq').title, /bad-async-t -> doctor-async-bad \(lambda\) has no redrive policy/);
  assert.equal(finding('bad-async', 'subscription-without-dlq').severity, 'warning');
  assert.deepEqual(ids('good-async'), []);
});

test('async destinations that are gone; an API that gives up before its function and may not invoke it', () => {
  const gone = finding('bad-async-gone', 'async-failure-target-missing');
  assert.equal(gone.severity, 'error');
  assert.equal(gone.title, "doctor-async-gone's on-failure destination bad-async-gone-failures does not exist");
  assert.match(finding('bad-api', 'api-timeout-below-function').title, /route \$default of API bad-api gives up after 30 s; doctor-api may run 60 s/);
  assert.match(finding('bad-api', 'lambda-permission-blocks-api').title, /doctor-api's resource policy does not let API bad-api invoke it/);
  assert.deepEqual(ids('good-async'), []);
});

test('buckets: the queue and the topic policies that no longer let the bucket send', () => {
  assert.match(finding('bad-bucket', 'queue-policy-blocks-bucket').title, /queue bad-bucket-q does not let bucket bad-bucket-b send to it/);
  assert.match(finding('bad-bucket', 'topic-policy-blocks-bucket').title, /topic bad-bucket-t does not let bucket bad-bucket-b publish to it/);
});

test('journal: statusCode 500 returned to SQS, a handler failing on s3:TestEvent, a raw-delivery mismatch', () => {
  const e = finding('bad-500', 'function-returns-error-to-sqs');
  assert.equal(e.severity, 'error');
  assert.match(e.title, /doctor-500 returned statusCode 500 to its SQS event source/);
  assert.match(finding('bad-testevent', 'handler-throws-on-s3-test-event').title, /doctor-s3 failed on the s3:TestEvent of bad-testevent-q \(now in bad-testevent-dlq\)/);
  const raw = finding('bad-raw', 'raw-delivery-mismatch');
  assert.match(raw.title, /doctor-raw fails to parse messages of bad-raw-q, which arrive wrapped in the SNS envelope/);
  assert.match(raw.why, /Cannot read properties of undefined/);
  assert.deepEqual(ids('good-consumer'), []);
});

test('journal findings expire: invocations before the function was last changed no longer count', async () => {
  t.clock.advance(1_000); // the change comes after the invocations, as it would in real time
  await t.send('UpdateFunctionConfiguration', { FunctionName: 'doctor-500', Description: 'fixed' });
  const r = await run(['doctor', 'bad-500', '--json']);
  const left = JSON.parse(r.stdout).flows[0].findings.map((f) => f.id);
  assert.ok(!left.includes('function-returns-error-to-sqs'), left.join(', '));
});

test('--json shape: target, flows with findings, summary, calls per API with none repeated', () => {
  assert.deepEqual(Object.keys(report).sort(), ['calls', 'flows', 'notChecked', 'summary', 'target']);
  assert.deepEqual(report.target, { kind: 'local', region: 'us-east-1', account: ACCOUNT });
  const f = finding('bad-policy', 'queue-policy-blocks-topic');
  assert.deepEqual(Object.keys(f).sort(), ['fix', 'flow', 'id', 'resources', 'severity', 'title', 'why']);
  assert.deepEqual(f.resources.map((r) => r.kind), ['queue', 'topic']);
  const s = report.summary;
  assert.equal(s.flows, report.flows.length);
  assert.equal(s.errors, report.flows.flatMap((x) => x.findings).filter((x) => x.severity === 'error').length);
  assert.ok(s.fixable > 0);
  assert.deepEqual(report.calls.repeated, []);
  assert.ok(report.calls.byApi['SQS.GetQueueAttributes'] > 0, JSON.stringify(report.calls.byApi));
  assert.equal(report.calls.total, Object.values(report.calls.byApi).reduce((a, b) => a + b, 0));
});

/** A proxy in front of the emulator answering lambda:GetPolicy (or with `s3`, GetBucketNotificationConfiguration) with AccessDenied, as a restricted AWS role would. */
async function denyGetPolicy(upstream, { s3 = false } = {}) {
  const http = await import('node:http');
  const server = http.createServer(async (req, res) => {
    if (!s3 && req.method === 'GET' && /^\/2015-03-31\/functions\/[^/]+\/policy/.test(req.url)) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
      return res.end(JSON.stringify({ Message: 'User: arn:aws:iam::000000000000:user/ci is not authorized to perform: lambda:GetPolicy' }));
    }
    if (s3 && req.method === 'GET' && /[?&]notification(=|&|$)/.test(req.url)) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      return res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
    }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    await forward(req, res, Buffer.concat(chunks), upstream);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

test('what cannot be read is reported as not checked, with the reason, never a crash', async () => {
  const proxy = await denyGetPolicy(t.url);
  try {
    const r = await svl(['doctor', 'bad-async', '--local', '--json'], { env: localEnv(proxy.url), timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const flow = JSON.parse(r.stdout).flows[0];
    assert.ok(!flow.findings.some((f) => f.id === 'lambda-permission-blocks-topic'));
    const nc = flow.notChecked.find((n) => n.check === 'lambda-permission-blocks-topic');
    assert.match(nc.reason, /^lambda:GetPolicy failed: AccessDeniedException: User: .* is not authorized to perform: lambda:GetPolicy/);
    const human = await svl(['doctor', 'bad-async', '--local'], { env: localEnv(proxy.url), timeoutMs: 60_000 });
    assert.match(human.stdout, /not checked: lambda-permission-blocks-topic \(doctor-async-bad, bad-async-t\): lambda:GetPolicy failed: AccessDeniedException/);
    assert.doesNotMatch(human.stderr, NO_STACK);
  } finally {
    proxy.close();
  }
});

test('a bucket whose notification configuration cannot be read: not checked, with the reason', async () => {
  const proxy = await denyGetPolicy(t.url, { s3: true });
  try {
    const r = await svl(['doctor', 'bad-bucket', '--local', '--json'], { env: localEnv(proxy.url), timeoutMs: 60_000 });
    const out = JSON.parse(r.stdout);
    // Every tagged bucket's configuration is refused by the proxy; each is reported on its own.
    const nc = out.notChecked.find((n) => n.check === 'bucket-details' && n.resources[0]?.name === 'bad-bucket-b');
    assert.ok(nc, r.stdout);
    assert.deepEqual(nc.resources, [{ kind: 'bucket', name: 'bad-bucket-b' }]);
    assert.match(nc.reason, /s3:GetBucketNotificationConfiguration failed: AccessDenied/);
    assert.ok(!out.flows[0].findings.some((f) => f.id === 'queue-policy-blocks-bucket'), 'nothing judged on notifications it could not read');
  } finally {
    proxy.close();
  }
});

test('human output: grouped by flow, why and fix under each finding, exit code 1 on errors', async () => {
  const r = await run(['doctor', 'bad-policy']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^Flow bad-policy {2}1 error/m);
  assert.match(r.stdout, /✖ error {4}queue bad-policy-q does not let topic bad-policy-t send to it {2}queue-policy-blocks-topic/);
  assert.match(r.stdout, /why: SNS drops every message/);
  assert.match(r.stdout, /\$ svl doctor bad-policy --local --fix/);
  assert.match(r.stderr, /Error: 1 error-level finding in flow bad-policy/);
  assert.match(r.stderr, /Hint: fix the safe ones with: svl doctor bad-policy --local --fix/);
  const good = await run(['doctor', 'good-policy']);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /Flow good-policy {2}✔ no problems found/);
});

test('a code fix is shown as code, not after a $ prompt; the hint after --fix never says to apply a fix --fix makes', async () => {
  const r = await run(['doctor', 'bad-testevent']);
  assert.match(r.stdout, /code: if \(body\.Event === 's3:TestEvent'\) return;/);
  assert.doesNotMatch(r.stdout, /\$ if \(body/);
  const fixed = await run(['doctor', 'bad-dlq-missing', '--fix', '--yes']);
  assert.equal(fixed.code, 1, fixed.stderr);
  assert.match(fixed.stderr, /Hint: apply the fix shown under each error \(--fix cannot make these changes\)/);
});

test('nothing changes without --fix; --fix without --yes is refused when not interactive', async () => {
  const attrs = async () => (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${t.url}/${ACCOUNT}/bad-mrc-q`, AttributeNames: ['All'] }))).Attributes;
  // Policies, mappings and function permissions a --fix would change, too.
  const others = async () => ({
    queuePolicies: await Promise.all(['bad-policy-q', 'bad-sid-q', 'bad-bucket-q'].map(async (q) => (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${t.url}/${ACCOUNT}/${q}`, AttributeNames: ['Policy'] }))).Attributes?.Policy ?? null)),
    topicPolicy: (await t.sns.send(new GetTopicAttributesCommand({ TopicArn: `${T}bad-bucket-t` }))).Attributes.Policy,
    mappings: (await t.send('ListEventSourceMappings', { FunctionName: 'doctor-ok' })).EventSourceMappings.map((m) => [m.UUID, m.FunctionResponseTypes, m.LastModified]),
    permissions: await Promise.all(['doctor-async-bad', 'doctor-api'].map(async (f) => (await t.send('GetPolicy', { FunctionName: f }).catch((e) => ({ Policy: e.name ?? 'none' }))).Policy ?? null)),
  });
  const before = await attrs();
  const othersBefore = await others();
  await run(['doctor', '--all']);
  const refused = await run(['doctor', 'bad-mrc', '--fix']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /Refusing to apply 1 fix\(es\) without --yes/);
  const afterRuns = await attrs();
  delete before.ApproximateNumberOfMessages;
  delete afterRuns.ApproximateNumberOfMessages;
  assert.deepEqual(afterRuns, before);
  assert.deepEqual(await others(), othersBefore);
});

test('--fix --yes: the fixable findings go away, and SNS now delivers to the queue it refused', async () => {
  const r = await run(['doctor', 'bad-policy', '--fix', '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.fixed.map((x) => [x.change, x.ok]), [['queue bad-policy-q: set Policy', true]]);
  assert.ok(!out.flows[0].findings.some((f) => f.id === 'queue-policy-blocks-topic'));
  await t.sns.send(new PublishCommand({ TopicArn: `${T}bad-policy-t`, Message: 'now it arrives' }));
  await waitIdle(t.url);
  const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: `${t.url}/${ACCOUNT}/bad-policy-q` }));
  assert.equal(JSON.parse(got.Messages[0].Body).Message, 'now it arrives');

  for (const flow of ['bad-visibility', 'bad-mrc', 'bad-retention', 'bad-redrive-allow', 'bad-async', 'bad-bucket', 'bad-api']) {
    const before = ids(flow).filter((id) => finding(flow, id).fix.action);
    assert.ok(before.length > 0, flow);
    const f = await run(['doctor', flow, '--fix', '--yes', '--json']);
    const left = JSON.parse(f.stdout).flows[0].findings.map((x) => x.id);
    for (const id of before) assert.ok(!left.includes(id), `${flow}: ${id} still there after --fix (${f.stderr})`);
    assert.ok(JSON.parse(f.stdout).fixed.every((x) => x.ok), f.stdout);
  }
});

const policyOf = async (url) => JSON.parse((await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes?.Policy ?? '{"Statement":[]}');

test('--fix reads the policy again just before writing it: a statement added since the discovery is kept; --json counts the calls of every pass', async () => {
  const f = await fanout('race-policy', { policy: true });
  const gate = await startGate(t.url);
  try {
    // Discovery reads every attribute ("All"); the fix's read just before its write asks for the Policy only: held.
    gate.holdWhen((op, _n, body) => op === 'GetQueueAttributes' && !body.toString('utf8').includes('"All"'));
    const pending = svl(['doctor', 'race-policy', '--local', '--fix', '--yes', '--json'], { env: localEnv(gate.url), timeoutMs: 60_000 });
    await gate.held(1);
    const added = { Sid: 'AddedMeanwhile', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sqs:ReceiveMessage', Resource: f.q.arn };
    await setAttrs(f.q.url, { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [added] }) });
    gate.release();
    const r = await pending;
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.fixed.map((x) => [x.change, x.ok]), [['queue race-policy-q: set Policy', true]]);
    const statements = (await policyOf(f.q.url)).Statement;
    assert.deepEqual(statements[0], added, 'the statement added meanwhile is kept');
    assert.equal(statements.length, 2);
    assert.deepEqual(statements[1].Condition, { ArnLike: { 'aws:SourceArn': f.topic } });
    assert.ok(!out.flows[0].findings.some((x) => x.id === 'queue-policy-blocks-topic'));
    // The calls of the check before fixing, of the fixes and of the check after; the total is their sum.
    const passes = out.calls.passes;
    assert.deepEqual(passes.map((p) => p.pass), ['before', 'fix', 'after']);
    assert.deepEqual(passes[1].byApi, { 'SQS.GetQueueAttributes': 1, 'SQS.SetQueueAttributes': 1 });
    assert.equal(passes[0].total, passes[2].total);
    assert.equal(out.calls.total, passes.reduce((n, p) => n + p.total, 0));
    assert.equal(out.calls.byApi['SQS.SetQueueAttributes'], 1);
    for (const p of passes) assert.deepEqual(p.repeated, [], p.pass);
    assert.deepEqual(out.calls.repeated, []);
  } finally {
    await gate.close();
  }
});

test('--fix on AWS (not the emulator): the fixes are pending propagation, not checked again at once as if final', async () => {
  const awsEnv = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  const onAws = (args) => svl([...args, '--endpoint-url', t.url, '--region', 'us-east-1'], { env: awsEnv, timeoutMs: 60_000 });
  const a = await fanout('pending-a', { policy: true });
  await fanout('pending-b', { policy: true });
  const r = await onAws(['doctor', 'pending-a', '--fix', '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.target.kind, 'aws');
  assert.equal(out.pendingPropagation, true);
  assert.deepEqual(out.fixed.map((x) => [x.change, x.ok]), [['queue pending-a-q: set Policy', true]]);
  assert.ok(!out.flows[0].findings.some((x) => x.id === 'queue-policy-blocks-topic'), 'the finding a fix addressed is not reported again');
  assert.deepEqual(out.calls.passes.map((p) => p.pass), ['before', 'fix'], 'no check right after the fixes');
  assert.match(r.stderr, /fixes applied on AWS can take a minute to propagate; check again with: svl doctor pending-a\n/);
  assert.equal((await policyOf(a.q.url)).Statement.length, 1);
  const human = await onAws(['doctor', 'pending-b', '--fix', '--yes']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /✔ queue pending-b-q: set Policy/);
  assert.match(human.stdout, /Pending propagation: AWS can take a minute to apply IAM and policy changes everywhere/);
  assert.match(human.stdout, /AWS calls: \d+ before fixing, 2 fixing\)/);
  // On the emulator the same fix is checked again at once (the test above): nothing propagates there.
});

test('Ctrl-C while --fix applies: stops between two fixes, says which were applied and how to continue, exit 130', async () => {
  const tp = await topic('cancel-fix-t', 'cancel-fix');
  await queue('cancel-fix-dlq', 'cancel-fix', { MessageRetentionPeriod: '1209600' });
  const queues = [];
  for (const x of ['a', 'b', 'c']) {
    const q = await queue(`cancel-fix-${x}`, 'cancel-fix', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${Q}cancel-fix-dlq`, maxReceiveCount: 5 }) });
    await t.sns.send(new SubscribeCommand({ TopicArn: tp, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
    queues.push(q);
  }
  const gate = await startGate(t.url);
  try {
    // The second fix's write is held until the command has seen the signal: the stop point is exact.
    gate.holdWhen((op, n) => op === 'SetQueueAttributes' && n === 2);
    const r = await gate.interrupt(spawnSvl(['doctor', 'cancel-fix', '--local', '--fix', '--yes'], { env: localEnv(gate.url), timeoutMs: 60_000 }));
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /Error: Cancelled: applied 2 of 3 fixes \(queue cancel-fix-a: set Policy; queue cancel-fix-b: set Policy\)/);
    assert.match(r.stderr, /Hint: continue with: svl doctor cancel-fix --local --fix --yes/);
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.equal(gate.count('SetQueueAttributes'), 2, 'no fix started after the signal');
  } finally {
    await gate.close();
  }
  assert.deepEqual(await Promise.all(queues.map(async (q) => (await policyOf(q.url)).Statement.length)), [1, 1, 0]);
  const resumed = await run(['doctor', 'cancel-fix', '--fix', '--yes', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(JSON.parse(resumed.stdout).fixed.map((x) => x.change), ['queue cancel-fix-c: set Policy']);
});

test('--fix twice on two topics whose Sids used to collide (ab, a-b): both allowed, the existing statement kept', async () => {
  assert.equal(flowOf('bad-sid').findings.filter((f) => f.id === 'queue-policy-blocks-topic').length, 1);
  const first = await run(['doctor', 'bad-sid', '--fix', '--yes', '--json']);
  assert.ok(JSON.parse(first.stdout).fixed.every((x) => x.ok), first.stdout);
  const second = await run(['doctor', 'bad-sid', '--fix', '--yes', '--json']);
  assert.deepEqual(JSON.parse(second.stdout).fixed ?? [], [], second.stdout);
  assert.ok(!JSON.parse(second.stdout).flows[0].findings.some((f) => f.id === 'queue-policy-blocks-topic'), second.stdout);
  const url = `${t.url}/${ACCOUNT}/bad-sid-q`;
  const policy = JSON.parse((await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes.Policy);
  assert.equal(policy.Statement[0].Sid, 'AllowTopicbadsidab');
  assert.equal(policy.Statement.length, 2, JSON.stringify(policy));
  for (const name of ['bad-sid-ab', 'bad-sid-a-b']) await t.sns.send(new PublishCommand({ TopicArn: `${T}${name}`, Message: name }));
  await waitIdle(t.url);
  const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  assert.deepEqual((got.Messages ?? []).map((m) => m.Body).sort(), ['bad-sid-a-b', 'bad-sid-ab']);
});

test('ArnEquals with wildcards: doctor finds nothing, and the emulator delivers as AWS does', async () => {
  assert.deepEqual(ids('good-arnequals'), []);
  await t.sns.send(new PublishCommand({ TopicArn: `${T}good-arnequals-t`, Message: 'arn-equals' }));
  await waitIdle(t.url);
  const got = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: `${t.url}/${ACCOUNT}/good-arnequals-q`, MaxNumberOfMessages: 10 }));
  assert.equal(JSON.parse(got.Messages?.[0]?.Body ?? '{}').Message, 'arn-equals');
});

test('bad input: a flow and --all, a bad name, an unknown flow, no flow outside a project', async () => {
  const both = await run(['doctor', 'shop', '--all']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /Give a flow or --all, not both/);
  assert.match(both.stderr, /Hint: /);
  const name = await run(['doctor', 'no/such']);
  assert.equal(name.code, 2);
  assert.match(name.stderr, /"no\/such" is not a flow name/);
  const unknown = await run(['doctor', 'nope']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Flow "nope" not found/);
  assert.match(unknown.stderr, /Hint: Existing flows: .*bad-policy/);
  const none = await run(['doctor'], { cwd: '/' });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /No flow to check: give its name, or --all/);
  for (const r of [both, name, unknown, none]) assert.doesNotMatch(r.stderr, NO_STACK);
});

test('svl plan and svl apply warn about a spec the doctor would flag, before creating it; doctor then finds the same', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const cwd = mkdtempSync(join(tmpdir(), 'svl-doctor-'));
  try {
    writeFileSync(join(cwd, 'w.flow.json'), JSON.stringify({ name: 'spec-warn', topic: { name: 'spec-warn' }, queues: [{ name: 'spec-warn-a', dlq: { maxReceiveCount: 1 } }] }));
    const plan = await run(['plan'], { cwd });
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stderr, /Warning: queue spec-warn-a dead-letters a message after its first receive \(maxReceiveCount 1\) \[max-receive-count-one\]/);
    const apply = await run(['apply', '--yes'], { cwd });
    assert.equal(apply.code, 0, apply.stderr);
    assert.match(apply.stderr, /\[max-receive-count-one\]/);
    const doctor = await run(['doctor', '--json'], { cwd });
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.ok(JSON.parse(doctor.stdout).flows[0].findings.some((f) => f.id === 'max-receive-count-one'));
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
