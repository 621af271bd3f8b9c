// The redrive mover's direct SQS client (dist/aws/sqs-wire.js) against the real emulator over HTTP, checked
// against the real SDK client: what it sends is what the SDK would have sent, what it returns is what the
// SDK returns, its errors are the SDK's errors, and its SigV4 signature is the one botocore computes.
// Retries are checked on real sockets against servers that fail on purpose (the emulator never does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { sqsWire, wireEndpoint } from '../../dist/aws/sqs-wire.js';
import { mapAwsError } from '../../dist/aws/errors.js';
import { startTestEmulator, sqsClient, credentials } from '../helpers/emulator.mjs';

let emu;
let sqs;
let wire;

before(async () => {
  emu = await startTestEmulator();
  sqs = await sqsClient(emu.url);
  wire = sqsWire(sqs);
});

after(async () => {
  sqs?.destroy();
  await emu?.emu.close();
});

const queue = async (name, attrs) => (await sqs.send(new CreateQueueCommand({ QueueName: name, ...(attrs && { Attributes: attrs }) }))).QueueUrl;
const attrs = (i) => ({
  kind: { DataType: 'String', StringValue: `héllo ${i} ✓` },
  n: { DataType: 'Number.int', StringValue: String(i) },
  blob: { DataType: 'Binary.bytes', BinaryValue: Uint8Array.from([0, i, 254, 255]) },
});
const entries = (n, from = 0) => Array.from({ length: n }, (_, j) => ({ Id: `e${j}`, MessageBody: JSON.stringify({ i: from + j, s: 'ünïcode ✓' }), MessageAttributes: attrs(from + j) }));
const receiveAll = (QueueUrl) => ({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] });
const sortById = (ms) => [...ms].sort((a, b) => a.MessageId.localeCompare(b.MessageId));

test('SendMessageBatch through the wire stores what the SDK stores: same MD5s for bodies and attributes', async () => {
  const viaWire = await queue('wire-send-a');
  const viaSdk = await queue('wire-send-b');
  const batch = entries(10);
  batch[0].MessageSystemAttributes = { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' } };
  const w = await wire.sendMessageBatch({ QueueUrl: viaWire, Entries: batch });
  const s = await sqs.send(new SendMessageBatchCommand({ QueueUrl: viaSdk, Entries: batch }));
  assert.equal(w.Successful.length, 10);
  assert.deepEqual(w.Failed ?? [], []);
  const strip = (r) => r.Successful.map(({ MessageId, ...rest }) => (assert.match(MessageId, /^[0-9a-f-]{36}$/), rest)).sort((a, b) => a.Id.localeCompare(b.Id));
  assert.deepEqual(strip(w), strip(s));
  // read back with the SDK: bodies, attribute values (binary bytes included) and the trace header intact
  const got = sortById((await sqs.send(new ReceiveMessageCommand(receiveAll(viaWire)))).Messages);
  assert.equal(got.length, 10);
  const byI = new Map(got.map((m) => [JSON.parse(m.Body).i, m]));
  for (let i = 0; i < 10; i++) {
    const m = byI.get(i);
    assert.equal(m.Body, batch[i].MessageBody);
    assert.equal(m.MessageAttributes.kind.StringValue, `héllo ${i} ✓`);
    assert.equal(m.MessageAttributes.n.StringValue, String(i));
    assert.deepEqual([...m.MessageAttributes.blob.BinaryValue], [0, i, 254, 255]);
  }
  assert.equal(byI.get(0).Attributes.AWSTraceHeader, 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1');
});

test('ReceiveMessage and DeleteMessageBatch through the wire: the SDK view of the same messages, then gone', async () => {
  const q = await queue('wire-receive');
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: entries(10, 100) }));
  const got = await wire.receiveMessage({ ...receiveAll(q), VisibilityTimeout: 0 });
  const sdk = await sqs.send(new ReceiveMessageCommand({ ...receiveAll(q), VisibilityTimeout: 0 }));
  assert.equal(got.Messages.length, 10);
  // the same fields and values as the SDK returns, apart from what each receive changes
  const comparable = (m) => {
    const { ReceiptHandle, Attributes, ...rest } = m;
    assert.ok(ReceiptHandle);
    const { ApproximateReceiveCount, ApproximateFirstReceiveTimestamp, ...sys } = Attributes;
    return { ...rest, Attributes: sys, MessageAttributes: Object.fromEntries(Object.entries(rest.MessageAttributes).map(([k, v]) => [k, { ...v, ...(v.BinaryValue && { BinaryValue: [...v.BinaryValue] }) }])) };
  };
  assert.deepEqual(sortById(got.Messages).map(comparable), sortById(sdk.Messages).map(comparable));
  assert.ok(got.Messages.every((m) => m.MessageAttributes.blob.BinaryValue instanceof Uint8Array));
  // delete what this receive took (its handles are the latest for a standard queue either way)
  const fresh = await wire.receiveMessage(receiveAll(q));
  const del = await wire.deleteMessageBatch({ QueueUrl: q, Entries: fresh.Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
  assert.equal(del.Successful.length, 10);
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q, AttributeNames: ['All'] }));
  assert.equal(Attributes.ApproximateNumberOfMessages, '0');
  assert.equal(Attributes.ApproximateNumberOfMessagesNotVisible, '0');
  // an empty queue answers without Messages, as the SDK's output does
  assert.deepEqual(await wire.receiveMessage({ QueueUrl: q }), {});
});

test('FIFO: group and deduplication ids go through; a re-send with the same dedup id is dropped', async () => {
  const q = await queue('wire-fifo.fifo', { FifoQueue: 'true' });
  const batch = [0, 1, 2].map((i) => ({ Id: `f${i}`, MessageBody: `m${i}`, MessageGroupId: 'g1', MessageDeduplicationId: `dedup-${i}` }));
  const first = await wire.sendMessageBatch({ QueueUrl: q, Entries: batch });
  const again = await wire.sendMessageBatch({ QueueUrl: q, Entries: batch });
  assert.deepEqual(again.Successful.map((s) => s.MessageId), first.Successful.map((s) => s.MessageId));
  assert.ok(first.Successful.every((s) => /^\d+$/.test(s.SequenceNumber)));
  const got = await wire.receiveMessage({ ...receiveAll(q), MaxNumberOfMessages: 10 });
  assert.deepEqual(got.Messages.map((m) => m.Body), ['m0', 'm1', 'm2']);
  assert.deepEqual(got.Messages.map((m) => m.Attributes.MessageGroupId), ['g1', 'g1', 'g1']);
});

test('errors are the SDK errors: same name, Code, message, fault and status, and mapAwsError reads them alike', async () => {
  const missing = `${emu.url}/000000000000/wire-nope`;
  const cases = [
    ['SendMessageBatch', () => wire.sendMessageBatch({ QueueUrl: missing, Entries: entries(1) }), () => sqs.send(new SendMessageBatchCommand({ QueueUrl: missing, Entries: entries(1) }))],
    ['ReceiveMessage', () => wire.receiveMessage({ QueueUrl: missing }), () => sqs.send(new ReceiveMessageCommand({ QueueUrl: missing }))],
    ['DeleteMessageBatch', () => wire.deleteMessageBatch({ QueueUrl: missing, Entries: [{ Id: 'a', ReceiptHandle: 'x' }] }), () => sqs.send(new DeleteMessageBatchCommand({ QueueUrl: missing, Entries: [{ Id: 'a', ReceiptHandle: 'x' }] }))],
  ];
  const q = await queue('wire-errors');
  cases.push(
    ['11 entries', () => wire.sendMessageBatch({ QueueUrl: q, Entries: [...entries(10), { Id: 'x', MessageBody: 'x' }] }), () => sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: [...entries(10), { Id: 'x', MessageBody: 'x' }] }))],
    ['duplicate ids', () => wire.deleteMessageBatch({ QueueUrl: q, Entries: [{ Id: 'a', ReceiptHandle: 'x' }, { Id: 'a', ReceiptHandle: 'y' }] }), () => sqs.send(new DeleteMessageBatchCommand({ QueueUrl: q, Entries: [{ Id: 'a', ReceiptHandle: 'x' }, { Id: 'a', ReceiptHandle: 'y' }] }))],
    ['bad MaxNumberOfMessages', () => wire.receiveMessage({ QueueUrl: q, MaxNumberOfMessages: 11 }), () => sqs.send(new ReceiveMessageCommand({ QueueUrl: q, MaxNumberOfMessages: 11 }))],
  );
  for (const [what, viaWire, viaSdk] of cases) {
    const w = await viaWire().then(() => assert.fail(`${what}: the wire call succeeded`), (e) => e);
    const s = await viaSdk().then(() => assert.fail(`${what}: the SDK call succeeded`), (e) => e);
    const shape = (e) => ({ name: e.name, Code: e.Code, message: e.message, fault: e.$fault, status: e.$metadata.httpStatusCode, hasRequestId: typeof e.$metadata.requestId === 'string' });
    assert.deepEqual(shape(w), shape(s), what);
    const ctx = { service: 'sqs', operation: what, resource: 'queue "wire-nope"' };
    const [mw, ms] = [mapAwsError(w, ctx), mapAwsError(s, ctx)];
    assert.deepEqual({ code: mw.code, message: mw.message, hint: mw.hint, exitCode: mw.exitCode }, { code: ms.code, message: ms.message, hint: ms.hint, exitCode: ms.exitCode }, what);
  }
});

test('SVL_SQS_WIRE=0: the same three calls through the SDK client itself', async () => {
  const client = await sqsClient(emu.url);
  let calls = 0;
  client.middlewareStack.add((next) => (args) => (calls++, next(args)), { step: 'initialize' });
  try {
    const sdk = sqsWire(client, { SVL_SQS_WIRE: '0' });
    assert.notEqual(sdk, sqsWire(client, {}));
    const q = await queue('wire-off');
    calls = 0;
    const sent = await sdk.sendMessageBatch({ QueueUrl: q, Entries: entries(3) });
    const got = await sdk.receiveMessage(receiveAll(q));
    const del = await sdk.deleteMessageBatch({ QueueUrl: q, Entries: got.Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
    assert.deepEqual([sent.Successful.length, got.Messages.length, del.Successful.length, calls], [3, 3, 3, 3]);
  } finally {
    client.destroy();
  }
});

test('an aborted long poll rejects with AbortError at once and is not retried', async () => {
  const q = await queue('wire-abort');
  const stop = new AbortController();
  const pending = wire.receiveMessage({ QueueUrl: q, WaitTimeSeconds: 20 }, { abortSignal: stop.signal });
  setTimeout(() => stop.abort(), 50);
  await assert.rejects(pending, (e) => e.name === 'AbortError');
});

/** A server on loopback that runs `answer` for each request and records what arrived. */
async function scriptedServer(answer) {
  const seen = [];
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      answer(seen.length, res);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { seen, url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const clientFor = (url, extra = {}) => new SQSClient({ endpoint: url, region: 'eu-west-1', credentials, ...extra });

test('retries a 503 as the SDK does (standard mode, maxAttempts), then succeeds', async () => {
  const srv = await scriptedServer((n, res) => {
    if (n < 3) {
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'ServiceUnavailable;Server' });
      return res.end('{"__type":"com.amazonaws.sqs#ServiceUnavailable","message":"try later"}');
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end('{"Successful":[{"Id":"a"}],"Failed":[]}');
  });
  const client = clientFor(srv.url, { maxAttempts: 3 });
  try {
    const out = await sqsWire(client).deleteMessageBatch({ QueueUrl: `${srv.url}/1/q`, Entries: [{ Id: 'a', ReceiptHandle: 'h' }] });
    assert.deepEqual(out.Successful, [{ Id: 'a' }]);
    assert.deepEqual(srv.seen.map((r) => r.headers['amz-sdk-request']), ['attempt=1; max=3', 'attempt=2; max=3', 'attempt=3; max=3']);
    assert.ok(srv.seen.every((r) => r.body === srv.seen[0].body && r.headers['x-amz-target'] === 'AmazonSQS.DeleteMessageBatch'));
  } finally {
    client.destroy();
    await srv.close();
  }
});

test('gives up after maxAttempts: a throttled call fails with the last error, attempts counted', async () => {
  const srv = await scriptedServer((n, res) => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'RequestThrottled;Sender' });
    res.end('{"__type":"com.amazonaws.sqs#RequestThrottled","message":"slow down"}');
  });
  const client = clientFor(srv.url, { maxAttempts: 2 });
  try {
    const err = await sqsWire(client).receiveMessage({ QueueUrl: `${srv.url}/1/q` }).then(() => assert.fail('succeeded'), (e) => e);
    assert.equal(err.name, 'RequestThrottled');
    assert.equal(err.$metadata.attempts, 2);
    assert.equal(srv.seen.length, 2);
    assert.match(mapAwsError(err).message, /throttl/i);
  } finally {
    client.destroy();
    await srv.close();
  }
});

test('does not retry a client error, and a non-JSON answer is an error, not a crash', async () => {
  const srv = await scriptedServer((n, res) => {
    if (n === 1) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' });
      return res.end('{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}');
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>captive portal</html>');
  });
  const client = clientFor(srv.url, { maxAttempts: 3 });
  try {
    const w = sqsWire(client);
    const err = await w.deleteMessageBatch({ QueueUrl: `${srv.url}/1/q`, Entries: [{ Id: 'a', ReceiptHandle: 'h' }] }).then(() => assert.fail('succeeded'), (e) => e);
    assert.equal(err.name, 'QueueDoesNotExist');
    assert.equal(srv.seen.length, 1);
    const bad = await w.deleteMessageBatch({ QueueUrl: `${srv.url}/1/q`, Entries: [{ Id: 'a', ReceiptHandle: 'h' }] }).then(() => assert.fail('succeeded'), (e) => e);
    assert.equal(bad.name, 'UnknownError');
    assert.match(bad.message, /Not an SQS response \(HTTP 200\): <html>captive portal/);
  } finally {
    client.destroy();
    await srv.close();
  }
});

test('a connection reset is retried up to maxAttempts, then surfaces with its code', async () => {
  let connections = 0;
  const server = createTcpServer((s) => {
    connections++;
    s.once('data', () => s.resetAndDestroy());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  const client = clientFor(url, { maxAttempts: 3 });
  try {
    const err = await sqsWire(client).sendMessageBatch({ QueueUrl: `${url}/1/q`, Entries: [{ Id: 'a', MessageBody: 'x' }] }).then(() => assert.fail('succeeded'), (e) => e);
    assert.equal(err.code, 'ECONNRESET');
    assert.equal(connections, 3);
    assert.match(mapAwsError(err).message, /Network error|ECONNRESET/);
  } finally {
    client.destroy();
    await new Promise((r) => server.close(r));
  }
});

test('the SigV4 signature is the one botocore computes for the same request (with and without a session token)', async () => {
  const PYTHON = '/usr/bin/python3';
  const probe = spawnSync(PYTHON, ['-c', 'import botocore'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, `botocore is not importable by ${PYTHON} (apt-get install -y python3-boto3; .ci/run does this): ${probe.stderr}`);
  const srv = await scriptedServer((n, res) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end('{"Successful":[{"Id":"m0","MessageId":"x","MD5OfMessageBody":"0cc175b9c0f1b6a831c399e269772661"}],"Failed":[]}');
  });
  const tokens = [undefined, 'FwoGZXIvYXdzEJr//////////wEaDOEXAMPLETOKEN+/='];
  try {
    for (const sessionToken of tokens) {
      const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', ...(sessionToken && { sessionToken }) };
      const client = new SQSClient({ endpoint: srv.url, region: 'eu-central-1', credentials: creds });
      await sqsWire(client).sendMessageBatch({ QueueUrl: `${srv.url}/123456789012/orders`, Entries: [{ Id: 'm0', MessageBody: 'a', MessageAttributes: { k: { DataType: 'String', StringValue: 'ü' } } }] });
      client.destroy();
    }
    assert.equal(srv.seen.length, 2);
    const script = [
      'import json, sys',
      'from botocore.auth import SigV4Auth',
      'from botocore.awsrequest import AWSRequest',
      'from botocore.credentials import Credentials',
      'out = []',
      'for r in json.load(sys.stdin):',
      '    h = r["headers"]',
      '    auth = h["authorization"]',
      '    fields = dict(p.split("=", 1) for p in auth.split(" ", 1)[1].split(", "))',
      '    names = fields["SignedHeaders"].split(";")',
      '    req = AWSRequest(method=r["method"], url=r["base"] + r["url"], data=r["body"].encode("utf-8"), headers={n: h[n] for n in names})',
      '    req.context["timestamp"] = h["x-amz-date"]',
      '    signer = SigV4Auth(Credentials(r["ak"], r["sk"], r.get("token")), "sqs", r["region"])',
      '    sts = signer.string_to_sign(req, signer.canonical_request(req))',
      '    out.append({"expected": signer.signature(sts, req), "got": fields["Signature"], "scope": fields["Credential"], "signed": fields["SignedHeaders"], "botocoreSigned": signer.signed_headers(signer.headers_to_sign(req))})',
      'print(json.dumps(out))',
    ].join('\n');
    const input = srv.seen.map((r, i) => ({ ...r, base: srv.url, ak: 'AKIDEXAMPLE', sk: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', token: tokens[i], region: 'eu-central-1' }));
    const run = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONNOUSERSITE: '1', HOME: process.env.HOME ?? '/tmp' } });
    assert.equal(run.status, 0, run.stderr);
    const results = JSON.parse(run.stdout);
    for (const [i, r] of results.entries()) {
      assert.match(r.got, /^[0-9a-f]{64}$/);
      assert.equal(r.got, r.expected, `request ${i}: signature differs from botocore's`);
      assert.equal(r.signed, r.botocoreSigned);
      assert.match(r.scope, /^AKIDEXAMPLE\/\d{8}\/eu-central-1\/sqs\/aws4_request$/);
    }
    assert.ok(!results[0].signed.includes('x-amz-security-token'));
    assert.ok(results[1].signed.includes('x-amz-security-token'));
    assert.equal(srv.seen[1].headers['x-amz-security-token'], tokens[1]);
  } finally {
    await srv.close();
  }
});

test('against AWS it goes where the SDK goes: the regional endpoint, or the queue URL host', async () => {
  // No request leaves the machine: the endpoint resolution is read off the requests a local server sees
  // when the queue URL points at it (the SDK's useQueueUrlAsEndpoint), with no custom endpoint configured.
  const srv = await scriptedServer((n, res) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end('{}');
  });
  const client = new SQSClient({ region: 'eu-west-1', credentials });
  try {
    assert.deepEqual(await sqsWire(client).receiveMessage({ QueueUrl: `${srv.url}/123456789012/orders` }), {});
    assert.equal(srv.seen.length, 1);
    assert.equal(srv.seen[0].url, '/');
    assert.equal(srv.seen[0].headers.host, srv.url.replace('http://', ''));
    assert.match(srv.seen[0].headers.authorization, /\/eu-west-1\/sqs\/aws4_request/);
  } finally {
    client.destroy();
    await srv.close();
  }
});

test('the endpoint and signing region are the ones the SDK uses, for every way of configuring them', async () => {
  /** Where the SDK itself would send a ReceiveMessage (caught before it leaves the process). */
  const sdkDestination = async (client, QueueUrl) => {
    let seen;
    client.middlewareStack.add(
      () => async (args) => {
        const r = args.request;
        seen = { protocol: r.protocol, hostname: r.hostname, ...(r.port && { port: r.port }), path: r.path, signingRegion: /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(r.headers.authorization)[1] };
        throw new Error('stop here');
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    await client.send(new ReceiveMessageCommand({ QueueUrl })).catch((e) => assert.equal(e.message, 'stop here'));
    return seen;
  };
  const cases = [
    ['regional', { region: 'eu-west-1' }, 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', 'sqs.eu-west-1.amazonaws.com'],
    ['FIPS', { region: 'us-east-1', useFipsEndpoint: true }, 'https://sqs.us-east-1.amazonaws.com/123456789012/orders', undefined],
    ['dual-stack', { region: 'eu-west-1', useDualstackEndpoint: true }, 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', undefined],
    ['China', { region: 'cn-north-1' }, 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders', 'sqs.cn-north-1.amazonaws.com.cn'],
    ['legacy queue URL host', { region: 'eu-west-1' }, 'https://eu-west-1.queue.amazonaws.com/123456789012/orders', 'eu-west-1.queue.amazonaws.com'],
    ['custom endpoint', { region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566' }, 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', '127.0.0.1'],
    ['custom endpoint with a path', { region: 'ap-south-1', endpoint: 'https://proxy.example.com:8443/sqs' }, 'https://sqs.ap-south-1.amazonaws.com/1/q', 'proxy.example.com'],
  ];
  for (const [what, config, queueUrl, host] of cases) {
    const client = new SQSClient({ ...config, credentials });
    const wireSide = await wireEndpoint(client, queueUrl);
    assert.deepEqual(wireSide, await sdkDestination(client, queueUrl), what);
    if (host) assert.equal(wireSide.hostname, host, what);
    client.destroy();
  }
  // AWS_ENDPOINT_URL_SQS found by the SDK itself (svl resolves it and passes it as `endpoint`, the case
  // above): the SDK uses it, but a queue URL on another host still wins there.
  process.env.AWS_ENDPOINT_URL_SQS = 'http://localhost:9324';
  try {
    for (const [queueUrl, host] of [['http://localhost:9324/1/q', 'localhost'], ['https://sqs.eu-west-1.amazonaws.com/1/q', 'sqs.eu-west-1.amazonaws.com']]) {
      const client = new SQSClient({ region: 'eu-west-1', credentials });
      const wireSide = await wireEndpoint(client, queueUrl);
      assert.deepEqual(wireSide, await sdkDestination(client, queueUrl), queueUrl);
      assert.equal(wireSide.hostname, host);
      client.destroy();
    }
  } finally {
    delete process.env.AWS_ENDPOINT_URL_SQS;
  }
});
