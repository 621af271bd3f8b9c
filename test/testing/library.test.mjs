// svl/testing under node:test: the package export resolves (self-reference), startSvl's endpoint,
// client config, env and helpers; flows applied with the engine of `svl apply`; inline functions (their
// thrown error is a Lambda error); waitFor / expectNone / trace; the fake clock ("the 5th failure lands
// in the DLQ" in milliseconds); peek/depth never receiving; reset between tests; two emulators at once;
// S3 and API Gateway loaded by their first request.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { SQSClient, SendMessageCommand, ReceiveMessageCommand, GetQueueUrlCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { startSvl } from 'svl/testing';

/** `await using svl = await startSvl()` for Node 20 (no `using` syntax yet): disposes through Symbol.asyncDispose. */
async function withSvl(opts, fn) {
  const svl = await startSvl(opts);
  try {
    return await fn(svl);
  } finally {
    await svl[Symbol.asyncDispose]();
  }
}

const flow = (queueVisibility = 30) => ({
  name: 'orders',
  topic: { name: 'orders' },
  queues: [
    { id: 'billing', name: 'billing', visibilityTimeout: queueVisibility, dlq: { maxReceiveCount: 5 }, consumer: { function: 'bill', batchSize: 1 } },
    { id: 'audit', name: 'audit', filterPolicy: { kind: ['audit'] }, dlq: false },
  ],
});

describe('startSvl with a flow and an inline function (fake clock)', () => {
  let svl;
  let sns;
  let sqs;
  let fail = false;
  const seen = [];
  before(async () => {
    svl = await startSvl({
      clock: 'fake',
      functions: {
        bill: {
          handler: async (event, context) => {
            seen.push({ records: event.Records.length, fn: context.functionName });
            if (fail) throw new TypeError('card declined');
            return { batchItemFailures: [] };
          },
        },
      },
      flows: [flow()],
    });
    sns = new SNSClient(svl.clientConfig);
    sqs = new SQSClient(svl.clientConfig);
  });
  after(async () => {
    sns.destroy();
    sqs.destroy();
    await svl.stop();
  });
  beforeEach(async () => {
    fail = false;
    seen.length = 0;
    await svl.reset();
  });

  test('helpers name what the flow created; the SDK config and env point at the emulator', async () => {
    assert.match(svl.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(svl.clientConfig, { endpoint: svl.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    assert.deepEqual(svl.env, {
      AWS_ENDPOINT_URL: svl.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    assert.equal(svl.arn.topic('orders'), 'arn:aws:sns:us-east-1:000000000000:orders');
    assert.equal(svl.arn.queue('billing'), 'arn:aws:sqs:us-east-1:000000000000:billing');
    assert.equal(svl.arn.function('bill'), 'arn:aws:lambda:us-east-1:000000000000:function:bill');
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'billing' }));
    assert.equal(svl.url.queue('billing'), QueueUrl);
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
    assert.deepEqual(QueueUrls.map((u) => u.split('/').pop()).sort(), ['audit', 'billing', 'billing-dlq']);
  });

  test('publish -> SNS -> SQS -> inline Lambda: waitFor resolves on arrival, trace links every hop', async () => {
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: svl.arn.topic('orders'), Message: JSON.stringify({ id: 1 }) }));
    const [done] = await svl.events.waitFor({ type: 'lambda.completed', function: 'bill' });
    assert.equal(done.data.outcome, 'ok');
    assert.deepEqual(seen, [{ records: 1, fn: 'bill' }]);
    // Already in the buffer: resolves at once.
    const [delivered] = await svl.events.waitFor({ type: 'sns.delivered', queue: 'billing', id: MessageId });
    assert.equal(delivered.data.endpoint, svl.arn.queue('billing'));
    const types = svl.events.trace(MessageId).map((e) => e.type);
    for (const t of ['sns.published', 'sns.filtered', 'sns.delivered', 'sqs.sent', 'sqs.received', 'lambda.invoked', 'lambda.completed', 'sqs.deleted']) {
      assert.ok(types.includes(t), `${t} in ${types.join(', ')}`);
    }
    // The audit subscription filtered it out: nothing ever reaches that queue.
    await svl.events.expectNone({ type: 'sqs.sent', queue: 'audit' });
    assert.equal(svl.depth('billing'), 0);
  });

  test('expectNone throws, naming the event, when a matching event happened', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: svl.url.queue('audit'), MessageBody: 'direct' }));
    await assert.rejects(svl.events.expectNone({ type: 'sqs.sent', queue: 'audit' }), /expected no event matching \{ type: "sqs\.sent", queue: "audit" \}, but 1 happened:\n  #\d+ sqs\.sent arn:aws:sqs:us-east-1:000000000000:audit/);
  });

  test('waitFor times out with the filter and the last events seen', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: svl.url.queue('audit'), MessageBody: 'x' }));
    await assert.rejects(svl.events.waitFor({ type: 'sqs.deleted', queue: 'audit' }, { timeout: 20 }), /timed out after 20 ms waiting for 1 event\(s\) matching \{ type: "sqs\.deleted", queue: "audit" \}; saw 0\.\nLast events:\n  #\d+ sqs\.sent/);
  });

  test('the 5th failure lands in the DLQ: the fake clock jumps over each visibility timeout', async () => {
    fail = true;
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: svl.arn.topic('orders'), Message: 'doomed' }));
    for (let attempt = 1; attempt <= 5; attempt++) {
      await svl.events.waitFor({ type: 'lambda.completed', function: 'bill' }, { count: attempt });
      if (attempt < 5) await svl.events.expectNone({ type: 'sqs.dead-lettered' });
      await svl.clock.advance('31s');
    }
    const [dead] = await svl.events.waitFor({ type: 'sqs.dead-lettered', queue: 'billing' });
    // The SQS message SNS made of the publish is the one that died: its trace starts at the publish.
    assert.equal(svl.events.trace(MessageId).at(-1).type, 'sqs.dead-lettered');
    assert.equal(dead.data.deadLetterQueue, svl.arn.queue('billing-dlq'));
    assert.equal(seen.length, 5);
    // The inline handler's thrown error is a Lambda function error, as from a real runtime.
    const errors = svl.events.all({ type: 'lambda.completed', function: 'bill' });
    assert.equal(errors.length, 5);
    for (const e of errors) {
      assert.equal(e.data.outcome, 'error');
      assert.equal(e.data.errorType, 'TypeError');
      assert.match(e.data.error, /card declined/);
    }
    assert.equal(svl.depth('billing-dlq'), 1);
    assert.equal(svl.depth('billing'), 0);
  });

  test('peek and depth never change receive counts or visibility', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: svl.url.queue('audit'), MessageBody: 'one' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: svl.url.queue('audit'), MessageBody: 'two', DelaySeconds: 60 }));
    for (let i = 0; i < 3; i++) {
      assert.equal(svl.depth('audit'), 2);
      assert.deepEqual(svl.peek('audit').map((m) => [m.body, m.state, m.receiveCount]), [['one', 'visible', 0], ['two', 'delayed', 0]]);
    }
    assert.equal(svl.peek('audit')[0].attributes.ApproximateReceiveCount, '0');
    assert.ok(Number(svl.peek('audit')[0].attributes.SentTimestamp) > 0);
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: svl.url.queue('audit'), MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    assert.equal(r.Messages[0].Attributes.ApproximateReceiveCount, '1');
    await svl.clock.advance('60s');
    assert.deepEqual(svl.peek('audit').map((m) => [m.body, m.state, m.receiveCount]), [['one', 'visible', 1], ['two', 'visible', 0]]);
    assert.equal(svl.events.all({ type: 'sqs.received' }).length, 1);
  });

  test('reset clears messages and the journal but keeps resources', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: svl.url.queue('audit'), MessageBody: 'stale' }));
    await svl.reset();
    assert.equal(svl.depth('audit'), 0);
    assert.deepEqual(svl.events.all(), []);
    assert.equal(svl.depth('billing-dlq'), 0);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'billing' }));
    assert.ok(QueueUrl);
  });

  test('peek of an unknown queue names the queues there are', () => {
    assert.throws(() => svl.peek('nope'), /no queue nope in the emulator \(queues: .*billing/);
  });
});

test('startSvl answers its first request with nothing applied; apply, deploy, and reset({ resources: true }) empties it', () =>
  withSvl({}, async (svl) => {
    const res = await fetch(`${svl.endpoint}/_svl/health`);
    assert.equal((await res.json()).status, 'ok');
    await svl.apply(flow());
    await svl.deploy('bill', { handler: async () => 'ok' });
    const lambda = new LambdaClient(svl.clientConfig);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'bill', Payload: Buffer.from('{}') }));
    assert.equal(Buffer.from(out.Payload).toString(), '"ok"');
    // Redeploying replaces the handler (and the configuration).
    await svl.deploy('bill', { handler: async () => 'v2', timeout: 5 });
    const again = await lambda.send(new InvokeCommand({ FunctionName: 'bill', Payload: Buffer.from('{}') }));
    assert.equal(Buffer.from(again.Payload).toString(), '"v2"');
    lambda.destroy();
    await svl.reset({ resources: true });
    assert.throws(() => svl.depth('billing'), /it has no queues yet/);
    assert.deepEqual(svl.events.all(), []);
    // The same flow applies again right away (no 60-second "queue deleted recently" wait).
    const r = await svl.apply({ ...flow(), queues: [flow().queues[1]] });
    assert.equal(r.changed, true);
    assert.equal(svl.depth('audit'), 0);
  }));

test('apply creates a flow\'s HTTP API and bucket notifications: a request reaches the function, an upload reaches the queue', () =>
  withSvl({ functions: { hello: { handler: async (e) => ({ statusCode: 200, body: `hi ${e.rawPath}` }) } } }, async (svl) => {
    const web = {
      name: 'web',
      topic: { name: 'web' },
      queues: [{ id: 'uploads', name: 'uploads', dlq: false }],
      buckets: [{ name: 'web-uploads', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'uploads' }] }],
    };
    const r = await svl.apply({ ...web, apis: [{ name: 'site', routes: [{ route: 'GET /hello', function: 'hello' }] }] });
    assert.equal(r.changed, true);
    const { ApiGatewayV2Client, GetApisCommand } = await import('@aws-sdk/client-apigatewayv2');
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const apigw = new ApiGatewayV2Client(svl.clientConfig);
    const apis = (await apigw.send(new GetApisCommand({}))).Items ?? [];
    apigw.destroy();
    assert.deepEqual(apis.map((a) => a.Name), ['site']);
    const res = await fetch(`${svl.endpoint}/_aws/execute-api/${apis[0].ApiId}/hello`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hi /hello');
    const s3 = new S3Client({ ...svl.clientConfig, forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: 'web-uploads', Key: 'a.txt', Body: 'x' }));
    s3.destroy();
    await svl.runUntilIdle();
    // The first message is S3's s3:TestEvent (sent when the notification is configured).
    const records = svl.peek('uploads').flatMap((m) => JSON.parse(m.body).Records ?? []);
    assert.deepEqual(records.map((r) => r.s3.object.key), ['a.txt']);
    // Applied again without its API, the flow's API goes, as with `svl apply`: the spec declares none, but
    // the emulator has one, so the engine gets its API Gateway client and finds the stale API.
    const again = await svl.apply(web);
    assert.deepEqual(again.done.filter((s) => s.kind === 'api').map((s) => `${s.action} ${s.name}`), ['delete site']);
    const apigw2 = new ApiGatewayV2Client(svl.clientConfig);
    assert.deepEqual((await apigw2.send(new GetApisCommand({}))).Items ?? [], []);
    apigw2.destroy();
  }));

test('S3 and API Gateway, loaded by their first request: concurrent first requests to both are answered as by any emulator', () =>
  withSvl({}, async (svl) => {
    const { S3Client, ListBucketsCommand, CreateBucketCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const { ApiGatewayV2Client, GetApisCommand } = await import('@aws-sdk/client-apigatewayv2');
    const s3 = new S3Client({ ...svl.clientConfig, forcePathStyle: true });
    const apigw = new ApiGatewayV2Client(svl.clientConfig);
    try {
      const [buckets, apis, invoke, object] = await Promise.all([
        s3.send(new ListBucketsCommand({})),
        apigw.send(new GetApisCommand({})),
        fetch(`${svl.endpoint}/_aws/execute-api/nope/hello`),
        fetch(`${svl.endpoint}/no-such-bucket/key`),
      ]);
      assert.deepEqual(buckets.Buckets ?? [], []);
      assert.deepEqual(apis.Items ?? [], []);
      assert.equal(invoke.status, 404);
      assert.equal(object.status, 404);
      assert.match(await object.text(), /<Code>NoSuchBucket<\/Code>/);
      await s3.send(new CreateBucketCommand({ Bucket: 'first-use' }));
      await s3.send(new PutObjectCommand({ Bucket: 'first-use', Key: 'k', Body: 'v' }));
      assert.equal(await (await fetch(`${svl.endpoint}/first-use/k`)).text(), 'v');
      await svl.runUntilIdle();
    } finally {
      s3.destroy();
      apigw.destroy();
    }
  }));

test('two emulators in one process on port 0 keep separate state and journals', () =>
  withSvl({}, (a) =>
    withSvl({}, async (b) => {
      assert.notEqual(a.endpoint, b.endpoint);
      await a.apply({ name: 'one', topic: { name: 'one' }, queues: [{ name: 'q', dlq: false }] });
      const sqsA = new SQSClient(a.clientConfig);
      await sqsA.send(new SendMessageCommand({ QueueUrl: a.url.queue('q'), MessageBody: 'a' }));
      sqsA.destroy();
      assert.equal(a.depth('q'), 1);
      assert.throws(() => b.depth('q'), /no queue q/);
      assert.equal(b.events.all().length, 0);
      assert.equal(a.events.all({ type: 'sqs.sent' }).length, 1);
    }),
  ));

test('a function from a directory runs in a real Runtime API process', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'svl-testing-fn-'));
  try {
    writeFileSync(join(dir, 'index.mjs'), 'export const handler = async (e) => ({ pid: process.pid, got: e.n });\n');
    await withSvl({ functions: { echo: dir } }, async (svl) => {
      const lambda = new LambdaClient(svl.clientConfig);
      const out = JSON.parse(Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"n":7}') }))).Payload).toString());
      lambda.destroy();
      assert.equal(out.got, 7);
      assert.notEqual(out.pid, process.pid);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an inline function that times out is reported as a timeout; bad options are refused clearly', async () => {
  await withSvl({ functions: { slow: { handler: () => new Promise(() => {}), timeout: 1 } } }, async (svl) => {
    const lambda = new LambdaClient(svl.clientConfig);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: Buffer.from('{}') }));
    lambda.destroy();
    assert.equal(out.FunctionError, 'Unhandled');
    assert.match(Buffer.from(out.Payload).toString(), /Task timed out after 1\.00 seconds/);
    await assert.rejects(svl.clock.advance('1s'), /clock\.advance needs a fake clock: startSvl\(\{ clock: 'fake' \}\)/);
    await assert.rejects(svl.events.waitFor({ type: 'x' }, { timeout: '5 parsecs' }), /timeout "5 parsecs" is not a duration; write e\.g\. 31000, '31s'/);
  });
  await assert.rejects(startSvl({ clock: 'slow' }), /clock must be 'real', 'fake' or a FakeClock \(got "slow"\)/);
  await assert.rejects(startSvl({ functions: { f: { timeout: 3 } } }), /function f needs a handler function \(inline\) or a dir/);
});

test('an inline function\'s response over 6 MB is Function.ResponseSizeTooLarge, as for a process function', () =>
  withSvl({ functions: { huge: { handler: async (e) => 'x'.repeat(e.bytes) } } }, async (svl) => {
    const lambda = new LambdaClient(svl.clientConfig);
    const big = await lambda.send(new InvokeCommand({ FunctionName: 'huge', Payload: Buffer.from('{"bytes":6300000}') }));
    const small = await lambda.send(new InvokeCommand({ FunctionName: 'huge', Payload: Buffer.from('{"bytes":3}') }));
    lambda.destroy();
    assert.equal(big.FunctionError, 'Unhandled');
    assert.deepEqual(JSON.parse(Buffer.from(big.Payload).toString()), { errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).', errorType: 'Function.ResponseSizeTooLarge' });
    assert.equal(Buffer.from(small.Payload).toString(), '"xxx"');
  }));

test('sqs.visibility-expired is recorded at the time the timeout ran out, and not when ChangeMessageVisibility 0 made the message visible', () =>
  withSvl({ clock: 'fake' }, async (svl) => {
    const sqs = new SQSClient(svl.clientConfig);
    const { CreateQueueCommand, ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'vis' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm' }));
    const receive = async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 30 }))).Messages[0];
    await receive();
    await svl.clock.advance('45s');
    const again = await receive();
    const [first, second] = svl.events.all({ type: 'sqs.received' });
    const [expired] = svl.events.all({ type: 'sqs.visibility-expired' });
    assert.equal(expired.timeMs - first.timeMs, 30_000, 'when the timeout ran out, not at the next receive');
    assert.equal(second.timeMs - first.timeMs, 45_000);
    assert.equal(expired.cause, first.seq);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 0 }));
    await receive();
    sqs.destroy();
    assert.equal(svl.events.all({ type: 'sqs.visibility-expired' }).length, 1, 'made visible, not expired');
    const [, , third] = svl.events.all({ type: 'sqs.received' });
    assert.equal(svl.events.all().find((e) => e.seq === third.cause)?.type, 'sqs.visibility-changed');
  }));

test('state: <dir> keeps queues and messages across a restart on the same directory', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'svl-testing-state-'));
  try {
    await withSvl({ state: dir }, async (svl) => {
      await svl.apply({ name: 'kept', topic: { name: 'kept' }, queues: [{ name: 'kept-q', dlq: false }] });
      const sqs = new SQSClient(svl.clientConfig);
      await sqs.send(new SendMessageCommand({ QueueUrl: svl.url.queue('kept-q'), MessageBody: 'durable' }));
      sqs.destroy();
    });
    await withSvl({ state: dir }, async (svl) => {
      assert.deepEqual(svl.peek('kept-q').map((m) => m.body), ['durable']);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('waitFor counts events; expectNone with a real-time window also waits for idle', () =>
  withSvl({}, async (svl) => {
    await svl.apply({ name: 'c', topic: { name: 'c' }, queues: [{ name: 'cq', dlq: false }] });
    const sns = new SNSClient(svl.clientConfig);
    for (let i = 0; i < 3; i++) await sns.send(new PublishCommand({ TopicArn: svl.arn.topic('c'), Message: `m${i}` }));
    sns.destroy();
    const sent = await svl.events.waitFor({ type: 'sqs.sent', queue: 'cq' }, { count: 3 });
    assert.equal(sent.length, 3);
    assert.equal(new Set(sent.map((e) => e.id)).size, 3);
    await svl.events.expectNone({ type: 'sqs.received', queue: 'cq' }, { within: '20ms' });
    await assert.rejects(svl.events.expectNone({ topic: 'c', type: 'sns.published' }, { within: 5 }), /but 3 happened/);
  }));
