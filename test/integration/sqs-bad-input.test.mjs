// Bad input to the SQS endpoint: raw HTTP (malformed JSON, unknown targets, oversized bodies, wrong
// types) and, through the real SDK, every queue operation against a queue that does not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { setupSqs, expectSqsError, missingParameter } from '../helpers/sqs.mjs';

let t;
before(async () => (t = await setupSqs()));
after(() => t.close());

/** POSTs a raw JSON 1.0 request; returns status, headers and the parsed (or raw) body. */
async function rawJson(target, body, headers = {}) {
  const res = await fetch(`${t.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', ...(target ? { 'x-amz-target': target } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const shortType = (json) => String(json?.__type ?? '').split('#').pop();

test('a JSON 1.0 error carries __type, message, x-amzn-query-error and a request id', async () => {
  const r = await rawJson('AmazonSQS.GetQueueUrl', { QueueName: 'nope' });
  assert.equal(r.status, 400);
  assert.equal(r.headers.get('content-type'), 'application/x-amz-json-1.0');
  assert.equal(r.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.NonExistentQueue;Sender');
  assert.ok(r.headers.get('x-amzn-requestid'));
  assert.equal(r.json.__type, 'com.amazonaws.sqs#QueueDoesNotExist');
  assert.equal(r.json.message, 'The specified queue does not exist.');
});

test('malformed JSON bodies are a 4xx JSON error, never a 500', async () => {
  for (const body of ['{', '{"QueueName": ', 'not json at all', '\u0000\u0001']) {
    const r = await rawJson('AmazonSQS.CreateQueue', body);
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status} for ${JSON.stringify(body)}`);
    assert.ok(r.json, 'the error body is JSON');
    assert.ok(shortType(r.json).length > 0, 'with a __type');
    assert.ok(typeof r.json.message === 'string');
  }
  for (const body of ['[]', '"a string"', '42', 'null']) {
    const r = await rawJson('AmazonSQS.ListQueues', body);
    assert.equal(r.status, 400, `non-object body ${body}`);
    assert.ok(shortType(r.json));
  }
  const empty = await rawJson('AmazonSQS.ListQueues', '');
  assert.equal(empty.status, 200, 'an empty body means {} (SDKs send {} for empty input)');
});

test('unknown X-Amz-Target operations and services are 4xx, and the emulator keeps serving', async () => {
  const unknownOp = await rawJson('AmazonSQS.StealMessages', {});
  assert.equal(unknownOp.status, 400);
  assert.ok(shortType(unknownOp.json).length > 0);
  assert.ok(unknownOp.json.message.includes('StealMessages'));
  const noOp = await rawJson('AmazonSQS.', {});
  assert.equal(noOp.status, 400);
  const otherService = await rawJson('DynamoDB_20120810.ListTables', {});
  assert.ok(otherService.status >= 400 && otherService.status < 500);
  const nothing = await fetch(`${t.url}/`, { method: 'POST', body: 'hello' });
  assert.ok(nothing.status >= 400 && nothing.status < 500, 'neither JSON nor Query');
  await nothing.text();
  assert.ok((await t.call('ListQueues', {})).$metadata.httpStatusCode === 200);
});

test('wrong member types are InvalidParameterValue (400), not crashes', async () => {
  const url = await t.createQueue(t.name('types'));
  const cases = [
    ['ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 'ten' }],
    ['ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 1.5 }],
    ['ReceiveMessage', { QueueUrl: url, AttributeNames: 'All' }],
    ['SendMessage', { QueueUrl: url, MessageBody: 42 }],
    ['SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: [] }],
    ['SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: { a: null } }],
    ['SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: 'soon' }],
    ['SendMessageBatch', { QueueUrl: url, Entries: {} }],
    ['SendMessageBatch', { QueueUrl: url, Entries: [null] }],
    ['CreateQueue', { QueueName: ['q'] }],
    ['CreateQueue', { QueueName: 'ok-name', Attributes: 'VisibilityTimeout=1' }],
    ['TagQueue', { QueueUrl: url, Tags: { k: 1 } }],
    ['GetQueueUrl', { QueueName: 7 }],
    ['ListQueues', { MaxResults: '5x' }],
  ];
  for (const [op, body] of cases) {
    const r = await rawJson(`AmazonSQS.${op}`, body);
    assert.equal(r.status, 400, `${op} ${JSON.stringify(body)} -> ${r.status} ${r.text}`);
    assert.ok(shortType(r.json), `${op}: __type`);
    assert.ok(r.headers.get('x-amzn-query-error')?.endsWith(';Sender'), `${op}: query error header`);
  }
  const typed = await rawJson('AmazonSQS.ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 'ten' });
  assert.equal(shortType(typed.json), 'InvalidParameterValueException');
  assert.equal(typed.headers.get('x-amzn-query-error'), 'InvalidParameterValue;Sender');
});

test('a body over 4 MiB is refused with 413 as soon as the declared length is seen, without reading it', async () => {
  const declared = 4 * 1024 * 1024 + 1;
  const { port } = new URL(t.url);
  const res = await new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage', 'content-length': declared },
    });
    req.on('response', (r) => {
      let text = '';
      r.on('data', (c) => (text += c));
      r.on('end', () => {
        resolve({ status: r.statusCode, text });
        req.destroy();
      });
    });
    req.on('error', (err) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.write('{"QueueUrl":"x","MessageBody":"'); // a few bytes only: the answer must not wait for the rest
  });
  assert.equal(res.status, 413);
  assert.ok(JSON.parse(res.text).message.includes('larger'));
});

test('a streamed (chunked) body over 4 MiB is 413 too; the emulator keeps serving', async () => {
  const { port } = new URL(t.url);
  const status = await new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (r) => {
      r.resume();
      r.on('end', () => resolve(r.statusCode));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(512 * 1024, 'a');
    for (let i = 0; i < 9; i++) req.write(chunk);
    req.end();
  });
  assert.equal(status, 413);
  assert.equal((await t.call('ListQueues', {})).$metadata.httpStatusCode, 200);
});

test('GET /_svl/health answers 200 JSON', async () => {
  await t.createQueue(t.name('health'));
  const res = await fetch(`${t.url}/_svl/health`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  const body = await res.json();
  assert.equal(body.status, 'ok');
  assert.ok(body.counts.queues >= 1);
  const missing = await fetch(`${t.url}/_svl/nothing-here`);
  assert.equal(missing.status, 404);
  await missing.text();
});

test('an unknown Query action is an XML error, not a crash', async () => {
  const res = await fetch(`${t.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=StealMessages&Version=2012-11-05',
  });
  assert.equal(res.status, 400);
  const text = await res.text();
  assert.match(text, /<ErrorResponse/);
  assert.match(text, /<Code>InvalidAction<\/Code>/);
});

test('every queue operation on a missing queue is QueueDoesNotExist; a missing QueueUrl is MissingParameter', async () => {
  const QueueUrl = `${t.url}/000000000000/no-such-queue`;
  const calls = [
    ['DeleteQueue', {}],
    ['GetQueueAttributes', { AttributeNames: ['All'] }],
    ['SetQueueAttributes', { Attributes: { VisibilityTimeout: '1' } }],
    ['PurgeQueue', {}],
    ['TagQueue', { Tags: { a: 'b' } }],
    ['UntagQueue', { TagKeys: ['a'] }],
    ['ListQueueTags', {}],
    ['ListDeadLetterSourceQueues', {}],
    ['AddPermission', { Label: 'l', AWSAccountIds: ['000000000000'], Actions: ['SendMessage'] }],
    ['RemovePermission', { Label: 'l' }],
    ['SendMessage', { MessageBody: 'x' }],
    ['SendMessageBatch', { Entries: [{ Id: 'a', MessageBody: 'x' }] }],
    ['ReceiveMessage', {}],
    ['DeleteMessage', { ReceiptHandle: 'x' }],
    ['DeleteMessageBatch', { Entries: [{ Id: 'a', ReceiptHandle: 'x' }] }],
    ['ChangeMessageVisibility', { ReceiptHandle: 'x', VisibilityTimeout: 1 }],
    ['ChangeMessageVisibilityBatch', { Entries: [{ Id: 'a', ReceiptHandle: 'x' }] }],
  ];
  for (const [op, input] of calls) {
    await expectSqsError(t.call(op, { QueueUrl, ...input }), {
      name: 'QueueDoesNotExist',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      type: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
    await expectSqsError(t.call(op, { ...input }), missingParameter({ message: 'The request must contain the parameter QueueUrl.' }));
  }
});
