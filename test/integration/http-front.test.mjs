// The emulator's HTTP front (src/local/http-front.ts) with real clients: the SDK's SQS and SNS requests are
// answered by it, on kept-alive connections; a connection whose request it does not take (svl's own
// endpoints, Lambda, S3) goes to node:http with that request whole and is served there from then on, the
// same answers either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { SQSClient, CreateQueueCommand, SendMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { startTestEmulator, credentials } from '../helpers/emulator.mjs';

test('SQS and SNS over the SDK are answered by the front, one kept-alive connection each, none handed over', async () => {
  const { emu, url } = await startTestEmulator();
  const sqs = new SQSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const sns = new SNSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'front' }));
    for (let i = 0; i < 5; i++) {
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: `m${i} é€` }] }));
      assert.equal(out.Successful.length, 1);
    }
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.deepEqual(got.Messages.map((m) => m.Body).sort(), [0, 1, 2, 3, 4].map((i) => `m${i} é€`));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'front' }));
    assert.ok((await sns.send(new PublishCommand({ TopicArn, Message: 'x' }))).MessageId);
    assert.deepEqual(emu.httpConnections(), { front: 2, handedOver: 0 });
  } finally {
    sqs.destroy();
    sns.destroy();
    await emu.close();
  }
});

/** Raw HTTP/1.1 over one socket: send bytes, read one answer at a time (by Content-Length). */
function rawConnection(url) {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let buf = Buffer.alloc(0);
  let wake;
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  return {
    socket,
    write: (s) => socket.write(s),
    async answer() {
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end >= 0) {
          const head = buf.toString('latin1', 0, end);
          const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buf.length >= end + 4 + len) {
            const body = buf.toString('utf8', end + 4, end + 4 + len);
            buf = buf.subarray(end + 4 + len);
            return { status: Number(head.split(' ')[1]), head, body };
          }
        }
        await new Promise((r) => (wake = r));
      }
    },
  };
}

const sqsJson = (op, input) => {
  const body = JSON.stringify(input);
  return `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.${op}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

test('a connection that asks for /_svl/ or Lambda after SQS is handed to node:http with that request, and answered the same', async () => {
  const { emu, url } = await startTestEmulator();
  const c = rawConnection(url);
  try {
    c.write(sqsJson('CreateQueue', { QueueName: 'raw' }));
    const created = await c.answer();
    assert.equal(created.status, 200);
    assert.match(JSON.parse(created.body).QueueUrl, /\/000000000000\/raw$/);
    assert.match(created.head, /\r\nconnection: keep-alive\r\n/i);
    assert.deepEqual(emu.httpConnections(), { front: 1, handedOver: 0 });
    // Three requests in one write: svl's health (node:http's from here), Lambda, and SQS again.
    c.write('GET /_svl/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' + 'GET /2015-03-31/functions/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' + sqsJson('GetQueueUrl', { QueueName: 'raw' }));
    const health = await c.answer();
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.body).status, 'ok');
    const functions = await c.answer();
    assert.deepEqual(JSON.parse(functions.body).Functions, []);
    const again = await c.answer();
    assert.equal(JSON.parse(again.body).QueueUrl, JSON.parse(created.body).QueueUrl);
    assert.deepEqual(emu.httpConnections(), { front: 0, handedOver: 1 });
    // A malformed SQS request is the service's to refuse, as before the front: the AWS error, not a 400 of HTTP.
    const bad = rawConnection(url);
    bad.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.GetQueueUrl\r\nContent-Length: 5\r\n\r\n{"Que`);
    const refused = await bad.answer();
    assert.equal(refused.status, 400);
    assert.match(refused.body, /SerializationException|MalformedQueryString|InvalidParameterValue|JSON/i);
    bad.socket.destroy();
  } finally {
    c.socket.destroy();
    await emu.close();
  }
});
