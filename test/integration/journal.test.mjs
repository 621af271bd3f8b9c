// The event journal: every hop of a message with its cause, through the real SDK clients against the
// emulator, read back from GET /_svl/events and GET /_svl/trace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupLambda, eventually } from '../helpers/lambda.mjs';
import { waitIdle } from '../helpers/emulator.mjs';
import { snsQueuePolicy, queueArnOf, topicArnOf } from '../helpers/sns.mjs';

let h;
const S = {};
const Q = {};

before(async () => {
  h = await setupLambda({ fake: false });
  S.sns = await import('@aws-sdk/client-sns');
  S.sqs = await import('@aws-sdk/client-sqs');
});
after(() => h.close());

const sns = (C, i) => h.sns.send(new S.sns[`${C}Command`](i));
const sqs = (C, i) => h.sqs.send(new S.sqs[`${C}Command`](i));

async function events(query = '') {
  const res = await fetch(`${h.url}/_svl/events?${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
  const text = await res.text();
  return { next: Number(res.headers.get('x-svl-next')), events: text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

async function trace(id) {
  const res = await fetch(`${h.url}/_svl/trace?id=${encodeURIComponent(id)}`);
  return { status: res.status, body: await res.json() };
}

async function queue(name, topicArn, attrs = {}) {
  const Policy = topicArn ? snsQueuePolicy(queueArnOf(name), topicArn) : undefined;
  const { QueueUrl } = await sqs('CreateQueue', { QueueName: name, Attributes: { ...(Policy && { Policy }), ...attrs } });
  return QueueUrl;
}

test('publish -> delivered / filtered out (with the failing key) / blocked by policy -> sent, received, deleted', async () => {
  const { TopicArn } = await sns('CreateTopic', { Name: 'journal-orders' });
  const okUrl = await queue('journal-ok', TopicArn);
  await queue('journal-filtered', TopicArn);
  await queue('journal-blocked'); // no policy: SNS may not send
  await sns('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: queueArnOf('journal-ok') });
  await sns('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: queueArnOf('journal-filtered'), Attributes: { FilterPolicy: JSON.stringify({ kind: ['refund'] }) } });
  await sns('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: queueArnOf('journal-blocked') });

  const { MessageId } = await sns('Publish', { TopicArn, Message: 'hello', MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } });
  const { Messages } = await sqs('ReceiveMessage', { QueueUrl: okUrl, WaitTimeSeconds: 1 });
  await sqs('DeleteMessage', { QueueUrl: okUrl, ReceiptHandle: Messages[0].ReceiptHandle });

  const t = await trace(MessageId);
  assert.equal(t.status, 200);
  const byType = (type) => t.body.events.filter((e) => e.type === type);
  const [published] = byType('sns.published');
  assert.equal(published.resource, TopicArn);
  assert.equal(published.id, MessageId);

  const delivered = byType('sns.delivered');
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0].cause, published.seq);
  assert.equal(delivered[0].data.endpoint, queueArnOf('journal-ok'));

  const [filtered] = byType('sns.filtered');
  assert.equal(filtered.cause, published.seq);
  assert.equal(filtered.data.endpoint, queueArnOf('journal-filtered'));
  assert.equal(filtered.data.reasons[0].key, 'kind');
  assert.match(filtered.data.reasons[0].reason, /order/);

  const [blocked] = byType('sns.blocked');
  assert.equal(blocked.data.endpoint, queueArnOf('journal-blocked'));
  assert.match(blocked.data.error, /AccessDenied|not authorized|Policy/i);

  const [sent] = byType('sqs.sent');
  assert.equal(sent.cause, delivered[0].seq, 'the SQS send is caused by the SNS delivery');
  assert.equal(sent.resource, queueArnOf('journal-ok'));
  assert.equal(sent.id, Messages[0].MessageId);
  const [received] = byType('sqs.received');
  assert.equal(received.cause, sent.seq);
  assert.equal(received.data.receiveCount, 1);
  const [deleted] = byType('sqs.deleted');
  assert.equal(deleted.cause, received.seq);
  // Seq order is causal order.
  assert.ok(published.seq < delivered[0].seq && delivered[0].seq < sent.seq && sent.seq < received.seq && received.seq < deleted.seq);
  void topicArnOf;
});

test('an event source mapping: received -> invoked -> completed with an error, visibility expired, dead-lettered', async () => {
  await h.createFunction('journal-fails', { handler: 'index.fail', Timeout: 1 });
  const dlqUrl = await queue('journal-src-dlq');
  const srcUrl = await queue('journal-src', undefined, {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArnOf('journal-src-dlq'), maxReceiveCount: 2 }),
  });
  await h.send('CreateEventSourceMapping', { FunctionName: 'journal-fails', EventSourceArn: queueArnOf('journal-src'), BatchSize: 1 });
  const { MessageId } = await sqs('SendMessage', { QueueUrl: srcUrl, MessageBody: '{"poison":true}' });
  // Two failed invocations, then the third receive moves it to the DLQ (real time: visibility 1 s).
  await eventually(async () => (await sqs('GetQueueAttributes', { QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] })).Attributes.ApproximateNumberOfMessages === '1', { timeoutMs: 20_000, what: 'the message in the DLQ' });

  const t = await trace(MessageId);
  const types = t.body.events.map((e) => e.type);
  assert.deepEqual(types.filter((x) => x.startsWith('lambda.')), ['lambda.invoked', 'lambda.completed', 'lambda.invoked', 'lambda.completed']);
  const received = t.body.events.filter((e) => e.type === 'sqs.received');
  assert.equal(received.length, 2);
  assert.match(received[0].data.consumer, /^esm:/);
  const invoked = t.body.events.filter((e) => e.type === 'lambda.invoked');
  assert.equal(invoked[0].cause, received[0].seq);
  assert.equal(invoked[0].id, received[0].data.requestId, 'the receive names the invocation it feeds');
  assert.deepEqual(invoked[0].data.messageIds, [MessageId]);
  const completed = t.body.events.filter((e) => e.type === 'lambda.completed');
  assert.equal(completed[0].cause, invoked[0].seq);
  assert.equal(completed[0].data.outcome, 'error');
  assert.ok(completed[0].data.errorType);
  assert.equal(types.filter((x) => x === 'sqs.visibility-expired').length, 2);
  const [dead] = t.body.events.filter((e) => e.type === 'sqs.dead-lettered');
  assert.equal(dead.resource, queueArnOf('journal-src'));
  assert.equal(dead.data.deadLetterQueue, queueArnOf('journal-src-dlq'));
  assert.equal(dead.data.receiveCount, 2);
  assert.equal(types[types.length - 1], 'sqs.dead-lettered');
  await h.send('DeleteEventSourceMapping', { UUID: (await h.send('ListEventSourceMappings', { FunctionName: 'journal-fails' })).EventSourceMappings[0].UUID });
  await waitIdle(h.url);
});

test('SNS -> Lambda: delivered -> queued -> invoked -> completed', async () => {
  await h.createFunction('journal-echo', { handler: 'index.echo' });
  const { TopicArn } = await sns('CreateTopic', { Name: 'journal-to-lambda' });
  await h.send('AddPermission', { FunctionName: 'journal-echo', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: TopicArn });
  await sns('Subscribe', { TopicArn, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:journal-echo' });
  const { MessageId } = await sns('Publish', { TopicArn, Message: 'hi' });
  await waitIdle(h.url);
  const t = await trace(MessageId);
  const types = t.body.events.map((e) => e.type);
  assert.deepEqual(types, ['sns.published', 'sns.delivered', 'lambda.queued', 'lambda.invoked', 'lambda.completed']);
  const [, delivered, queued, invoked, completed] = t.body.events;
  assert.equal(queued.cause, delivered.seq);
  assert.equal(invoked.cause, queued.seq);
  assert.equal(completed.data.outcome, 'ok');
  assert.match(completed.data.result, /hi/);
});

test('async invoke failing into an SQS OnFailure destination and a DLQ: traced from the destination message back to the invocation', async () => {
  const destUrl = await queue('journal-onfailure');
  const dlqUrl = await queue('journal-async-dlq');
  await h.createFunction('journal-async-fails', { handler: 'index.fail', DeadLetterConfig: { TargetArn: queueArnOf('journal-async-dlq') } });
  await h.send('PutFunctionEventInvokeConfig', { FunctionName: 'journal-async-fails', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: queueArnOf('journal-onfailure') } } });
  await h.send('Invoke', { FunctionName: 'journal-async-fails', InvocationType: 'Event', Payload: Buffer.from('{}') });
  await waitIdle(h.url);
  for (const [url, kind] of [[destUrl, 'OnFailure'], [dlqUrl, 'DeadLetterConfig']]) {
    const { Messages } = await sqs('ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 1 });
    const t = await trace(Messages[0].MessageId);
    assert.equal(t.status, 200);
    const bySeq = new Map(t.body.events.map((e) => [e.seq, e]));
    const [sent] = t.body.events.filter((e) => e.type === 'sqs.sent' && e.id === Messages[0].MessageId);
    const destination = bySeq.get(sent.cause);
    assert.equal(destination?.type, 'lambda.destination', `${kind}: the message is caused by the destination hop`);
    assert.equal(destination.data.kind, kind);
    // The cause chain leads back through the failed attempt to the queued invocation.
    const chain = [];
    for (let e = destination; e; e = bySeq.get(e.cause)) chain.push(e.type);
    assert.equal(chain.at(-1), 'lambda.queued', chain.join(' <- '));
    assert.ok(chain.includes('lambda.completed'), chain.join(' <- '));
  }
});

test('a malformed percent-encoding in a /_svl path id is 400, not 500', async () => {
  for (const path of ['/_svl/apigw/events/%E0', '/_svl/lambda/invocations/%E0', '/_svl/lambda/code/%E0']) {
    const res = await fetch(`${h.url}${path}`);
    assert.equal(res.status, 400, path);
    assert.match((await res.json()).message, /is not valid percent-encoding/);
  }
});

test('GET /_svl/events: since, type filters, long poll answers on arrival, x-svl-next, bad parameters', async () => {
  const { next: head } = await events('since=now');
  const url = await queue('journal-poll');
  const polling = events(`since=${head}&wait=5&type=sqs.sent`);
  await sqs('SendMessage', { QueueUrl: url, MessageBody: 'x' });
  const got = await polling;
  assert.equal(got.events.length, 1);
  assert.equal(got.events[0].type, 'sqs.sent');
  assert.equal(got.events[0].resource, queueArnOf('journal-poll'));
  assert.match(got.events[0].time, /^\d{4}-\d\d-\d\dT/);
  assert.equal(got.next, got.events[0].seq);
  // Prefix filters and the cursor.
  await sqs('ReceiveMessage', { QueueUrl: url });
  const sqsOnly = await events(`since=${head}&type=sqs.`);
  assert.deepEqual(sqsOnly.events.map((e) => e.type), ['sqs.sent', 'sqs.received']);
  assert.deepEqual((await events(`since=${sqsOnly.next}&type=sqs.`)).events, []);
  for (const bad of ['since=-1', 'since=abc', 'wait=21', 'limit=0']) {
    const res = await fetch(`${h.url}/_svl/events?${bad}`);
    assert.equal(res.status, 400, bad);
    assert.equal((await res.json()).__type, 'InvalidParameterValue');
  }
  assert.equal((await trace('no-such-id')).status, 404);
  assert.equal((await fetch(`${h.url}/_svl/trace`)).status, 400);
});

test('GET /_svl/events?last=1: the most recent matching event (root=1: one nothing caused); an empty body when none', async () => {
  const url = await queue('journal-last');
  const first = await sqs('SendMessage', { QueueUrl: url, MessageBody: 'a' });
  const second = await sqs('SendMessage', { QueueUrl: url, MessageBody: 'b' });
  await sqs('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 });
  const res = await fetch(`${h.url}/_svl/events?last=1&type=sqs.sent&resource=${encodeURIComponent(queueArnOf('journal-last'))}`);
  assert.equal(res.status, 200);
  const lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].id, second.MessageId);
  assert.notEqual(lines[0].id, first.MessageId);
  const root = (await events('last=1&root=1')).events;
  assert.equal(root.length, 1);
  assert.equal(root[0].cause, undefined, 'a root event has no cause');
  assert.equal(root[0].id, second.MessageId, 'the receives after it were caused by the sends');
  assert.deepEqual((await events('last=1&type=no.such')).events, []);
});

test('the journal is durable with the state and bounded', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startEmulator } = await import('../../dist/local/server.js');
  const dir = mkdtempSync(join(tmpdir(), 'svl-journal-'));
  try {
    let emu = await startEmulator({ port: 0, stateDir: dir, journalSize: 50 });
    const { SQSClient, CreateQueueCommand, SendMessageBatchCommand } = S.sqs;
    let client = new SQSClient({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'durable' }));
    const sent = [];
    for (let i = 0; i < 60; i += 10) {
      const out = await client.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `m${i + j}` })) }));
      sent.push(...out.Successful.map((s) => s.MessageId));
    }
    await emu.close();
    emu = await startEmulator({ port: 0, stateDir: dir, journalSize: 50 });
    client = new SQSClient({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const res = await fetch(`${emu.url}/_svl/events?since=0&limit=1000`);
    const kept = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(kept.length >= 50 && kept.length <= 55, `kept ${kept.length} of ${61} events in a ring of 50`);
    assert.equal(kept[kept.length - 1].id, sent[sent.length - 1], 'the newest event survived the restart');
    const last = await (await fetch(`${emu.url}/_svl/trace?id=${sent[59]}`)).json();
    assert.equal(last.events[0].type, 'sqs.sent');
    await emu.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('S3 upload -> notified -> sqs.sent, traced from the upload\'s request id; a journal of size 0 records nothing', async () => {
  const S3 = await import('@aws-sdk/client-s3');
  const s3 = new S3.S3Client({ endpoint: h.url, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' }, forcePathStyle: true, maxAttempts: 1 });
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'journal-uploads' }));
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArnOf('journal-uploads-q'), Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::journal-uploads' } } }],
  });
  await sqs('CreateQueue', { QueueName: 'journal-uploads-q', Attributes: { Policy: policy } });
  await s3.send(new S3.PutBucketNotificationConfigurationCommand({
    Bucket: 'journal-uploads',
    NotificationConfiguration: { QueueConfigurations: [{ Id: 'to-q', QueueArn: queueArnOf('journal-uploads-q'), Events: ['s3:ObjectCreated:*'] }] },
  }));
  const put = await s3.send(new S3.PutObjectCommand({ Bucket: 'journal-uploads', Key: 'a b.txt', Body: 'hello' }));
  const requestId = put.$metadata.requestId;
  assert.ok(requestId);
  const t = await trace(requestId);
  assert.equal(t.status, 200);
  assert.deepEqual(t.body.events.map((e) => e.type), ['s3.object-created', 's3.notified', 'sqs.sent']);
  const [created, notified, sent] = t.body.events;
  assert.equal(created.resource, 'arn:aws:s3:::journal-uploads');
  assert.equal(created.data.key, 'a b.txt');
  assert.equal(created.data.size, 5);
  assert.equal(notified.cause, created.seq);
  assert.equal(notified.data.configurationId, 'to-q');
  assert.equal(sent.cause, notified.seq);

  const { startEmulator } = await import('../../dist/local/server.js');
  const off = await startEmulator({ port: 0, inMemory: true, journalSize: 0 });
  try {
    const client = new S.sqs.SQSClient({ endpoint: off.url, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    const { QueueUrl } = await client.send(new S.sqs.CreateQueueCommand({ QueueName: 'quiet' }));
    await client.send(new S.sqs.SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    assert.equal(await (await fetch(`${off.url}/_svl/events?since=0`)).text(), '');
  } finally {
    await off.close();
  }
});

test('HTTP API request -> Lambda invoked -> completed -> response, traced from the apigw-requestid', async () => {
  const G = await import('@aws-sdk/client-apigatewayv2');
  const apigw = new G.ApiGatewayV2Client({ endpoint: h.url, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' }, maxAttempts: 1 });
  await h.createFunction('journal-api', { handler: 'index.echo' });
  const { ApiId } = await apigw.send(new G.CreateApiCommand({ Name: 'journal-api', ProtocolType: 'HTTP', Target: 'arn:aws:lambda:us-east-1:000000000000:function:journal-api' }));
  await h.send('AddPermission', {
    FunctionName: 'journal-api', StatementId: 'apigw', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com',
    SourceArn: `arn:aws:execute-api:us-east-1:000000000000:${ApiId}/*/*`,
  });
  const res = await fetch(`${h.url}/_aws/execute-api/${ApiId}/$default/hello`);
  assert.equal(res.status, 200);
  const requestId = res.headers.get('apigw-requestid');
  const t = await trace(requestId);
  assert.deepEqual(t.body.events.map((e) => e.type), ['apigw.request', 'lambda.invoked', 'lambda.completed', 'apigw.response']);
  const [request, invoked, completed, response] = t.body.events;
  assert.equal(request.data.method, 'GET');
  assert.equal(request.data.path, '/hello');
  assert.equal(invoked.cause, request.seq);
  assert.equal(invoked.data.kind, 'apigw');
  assert.equal(completed.data.outcome, 'ok');
  assert.equal(response.data.status, 200);
  assert.equal(response.cause, completed.seq);
});

// A fan-out's events exactly as readers see them (seq order, types, causes, resources, ids, data): the
// journal records a publish's hops compactly, and this pins what it expands them back into.
test('a fan-out reads back as the same events: delivered, raw, filtered out (each reason), blocked, and a batch', async () => {
  const { TopicArn } = await sns('CreateTopic', { Name: 'journal-snap' });
  const subName = new Map();
  const sub = async (name, attrs = {}, policy = true) => {
    await queue(name, policy ? TopicArn : undefined);
    const { SubscriptionArn } = await sns('Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: queueArnOf(name), Attributes: attrs });
    subName.set(SubscriptionArn, `sub:${name}`);
  };
  await sub('snap-ok');
  await sub('snap-raw', { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ kind: ['order'] }) });
  await sub('snap-kind', { FilterPolicy: JSON.stringify({ kind: ['refund'] }) });
  await sub('snap-missing', { FilterPolicy: JSON.stringify({ region: ['eu'] }) });
  await sub('snap-blocked', {}, false);
  await sub('snap-body', { FilterPolicyScope: 'MessageBody', FilterPolicy: JSON.stringify({ total: [{ numeric: ['>', 100] }] }) });
  await sub('snap-two', { FilterPolicy: JSON.stringify({ kind: ['refund'], n: [{ numeric: ['<', 3] }] }) });
  await sub('snap-ok2', { FilterPolicy: JSON.stringify({ kind: [{ prefix: 'ord' }] }) });
  const { next } = await events('last=1');
  const attrs = (kind, n) => ({ kind: { DataType: 'String', StringValue: kind }, n: { DataType: 'Number', StringValue: String(n) } });
  await sns('Publish', { TopicArn, Message: JSON.stringify({ total: 5 }), Subject: 'snap', MessageAttributes: attrs('order', 7) });
  await sns('PublishBatch', {
    TopicArn,
    PublishBatchRequestEntries: [
      { Id: 'a', Message: JSON.stringify({ total: 500 }), MessageAttributes: attrs('refund', 7) },
      { Id: 'b', Message: 'not json', MessageAttributes: attrs('order', 1) },
    ],
  });
  const got = (await events(`since=${next}&types=sns.,sqs.sent`)).events;
  const names = new Map();
  const name = (v) => {
    if (!names.has(v)) names.set(v, `<id${names.size + 1}>`);
    return names.get(v);
  };
  const base = got[0].seq;
  const lines = got.map((e) => {
    const at = (s) => (s === undefined ? '-' : s >= base ? `+${s - base}` : 'before');
    const res = (subName.get(e.resource) ?? e.resource)?.replace(TopicArn, 'topic').replace(/^arn:aws:sqs:[^:]+:\d+:/, 'queue:');
    return `${at(e.seq)} ${e.type} cause=${at(e.cause)} ${res} ${name(e.id)} ${JSON.stringify(e.data ?? null).replaceAll(TopicArn, 'topic').replace(/arn:aws:sqs:[^:]+:\d+:/g, 'queue:')}`;
  });
  assert.deepEqual(lines, [
    '+0 sns.published cause=- topic <id1> {"subject":"snap"}',
    '+1 sns.delivered cause=+0 sub:snap-ok <id1> {"protocol":"sqs","endpoint":"queue:snap-ok"}',
    '+2 sqs.sent cause=+1 queue:snap-ok <id2> null',
    '+3 sns.delivered cause=+0 sub:snap-raw <id1> {"protocol":"sqs","endpoint":"queue:snap-raw","raw":true}',
    '+4 sqs.sent cause=+3 queue:snap-raw <id3> null',
    '+5 sns.filtered cause=+0 sub:snap-kind <id1> {"endpoint":"queue:snap-kind","reasons":[{"key":"kind","reason":"\\"order\\" did not match any of [\\"refund\\"]"}]}',
    '+6 sns.filtered cause=+0 sub:snap-missing <id1> {"endpoint":"queue:snap-missing","reasons":[{"key":"region","reason":"attribute \\"region\\" is missing"}]}',
    '+7 sns.blocked cause=+0 sub:snap-blocked <id1> {"protocol":"sqs","endpoint":"queue:snap-blocked","error":"AccessDeniedException: Access to the resource queue:snap-blocked is denied: the queue policy does not allow sns.amazonaws.com to sqs:SendMessage from topic."}',
    '+8 sns.filtered cause=+0 sub:snap-body <id1> {"endpoint":"queue:snap-body","reasons":[{"key":"total","reason":"5 is not in numeric range [\\">\\", 100]"}]}',
    '+9 sns.filtered cause=+0 sub:snap-two <id1> {"endpoint":"queue:snap-two","reasons":[{"key":"kind","reason":"\\"order\\" did not match any of [\\"refund\\"]"},{"key":"n","reason":"7 is not in numeric range [\\"<\\", 3]"}]}',
    '+10 sns.delivered cause=+0 sub:snap-ok2 <id1> {"protocol":"sqs","endpoint":"queue:snap-ok2"}',
    '+11 sqs.sent cause=+10 queue:snap-ok2 <id4> null',
    '+12 sns.published cause=- topic <id5> null',
    '+13 sns.delivered cause=+12 sub:snap-ok <id5> {"protocol":"sqs","endpoint":"queue:snap-ok"}',
    '+14 sqs.sent cause=+13 queue:snap-ok <id6> null',
    '+15 sns.filtered cause=+12 sub:snap-raw <id5> {"endpoint":"queue:snap-raw","reasons":[{"key":"kind","reason":"\\"refund\\" did not match any of [\\"order\\"]"}]}',
    '+16 sns.delivered cause=+12 sub:snap-kind <id5> {"protocol":"sqs","endpoint":"queue:snap-kind"}',
    '+17 sqs.sent cause=+16 queue:snap-kind <id7> null',
    '+18 sns.filtered cause=+12 sub:snap-missing <id5> {"endpoint":"queue:snap-missing","reasons":[{"key":"region","reason":"attribute \\"region\\" is missing"}]}',
    '+19 sns.blocked cause=+12 sub:snap-blocked <id5> {"protocol":"sqs","endpoint":"queue:snap-blocked","error":"AccessDeniedException: Access to the resource queue:snap-blocked is denied: the queue policy does not allow sns.amazonaws.com to sqs:SendMessage from topic."}',
    '+20 sns.delivered cause=+12 sub:snap-body <id5> {"protocol":"sqs","endpoint":"queue:snap-body"}',
    '+21 sqs.sent cause=+20 queue:snap-body <id8> null',
    '+22 sns.filtered cause=+12 sub:snap-two <id5> {"endpoint":"queue:snap-two","reasons":[{"key":"n","reason":"7 is not in numeric range [\\"<\\", 3]"}]}',
    '+23 sns.filtered cause=+12 sub:snap-ok2 <id5> {"endpoint":"queue:snap-ok2","reasons":[{"key":"kind","reason":"\\"refund\\" did not match any of [{\\"prefix\\":\\"ord\\"}]"}]}',
    '+24 sns.published cause=- topic <id9> null',
    '+25 sns.delivered cause=+24 sub:snap-ok <id9> {"protocol":"sqs","endpoint":"queue:snap-ok"}',
    '+26 sqs.sent cause=+25 queue:snap-ok <id10> null',
    '+27 sns.delivered cause=+24 sub:snap-raw <id9> {"protocol":"sqs","endpoint":"queue:snap-raw","raw":true}',
    '+28 sqs.sent cause=+27 queue:snap-raw <id11> null',
    '+29 sns.filtered cause=+24 sub:snap-kind <id9> {"endpoint":"queue:snap-kind","reasons":[{"key":"kind","reason":"\\"order\\" did not match any of [\\"refund\\"]"}]}',
    '+30 sns.filtered cause=+24 sub:snap-missing <id9> {"endpoint":"queue:snap-missing","reasons":[{"key":"region","reason":"attribute \\"region\\" is missing"}]}',
    '+31 sns.blocked cause=+24 sub:snap-blocked <id9> {"protocol":"sqs","endpoint":"queue:snap-blocked","error":"AccessDeniedException: Access to the resource queue:snap-blocked is denied: the queue policy does not allow sns.amazonaws.com to sqs:SendMessage from topic."}',
    '+32 sns.filtered cause=+24 sub:snap-body <id9> {"endpoint":"queue:snap-body","reasons":[{"key":"(message body)","reason":"message body is not valid JSON; a MessageBody-scope policy only matches JSON objects"}]}',
    '+33 sns.filtered cause=+24 sub:snap-two <id9> {"endpoint":"queue:snap-two","reasons":[{"key":"kind","reason":"\\"order\\" did not match any of [\\"refund\\"]"}]}',
    '+34 sns.delivered cause=+24 sub:snap-ok2 <id9> {"protocol":"sqs","endpoint":"queue:snap-ok2"}',
    '+35 sqs.sent cause=+34 queue:snap-ok2 <id12> null',
  ]);
});
