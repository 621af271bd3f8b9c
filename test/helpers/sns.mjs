// SNS test helpers on top of the emulator harness: one emulator + real SNSClient and SQSClient per
// test file, unique names, queues subscribed with the least-privilege queue policy real AWS needs,
// an error matcher for SNS Query errors, and a local HTTP endpoint that records SNS's POSTs.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as SNS from '@aws-sdk/client-sns';
import * as SQS from '@aws-sdk/client-sqs';
import { startTestEmulator, snsClient, sqsClient, tick } from './emulator.mjs';

export { tick };

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const topicArnOf = (name) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
export const queueArnOf = (name) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

/** The queue policy AWS documents for SNS fan-out: sns.amazonaws.com may SendMessage when aws:SourceArn is the topic. */
export function snsQueuePolicy(queueArn, topicArn, principal = { Service: 'sns.amazonaws.com' }) {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: principal,
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        ...(topicArn ? { Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } } : {}),
      },
    ],
  });
}

/** Starts an emulator (in memory unless `stateDir`) with a fake clock and SNS + SQS clients. */
export async function setupSns({ stateDir, counterStart = 0, log } = {}) {
  const { emu, clock, url } = await startTestEmulator({ stateDir, log });
  const sns = await snsClient(url);
  const sqs = await sqsClient(url);
  let counter = counterStart;
  const t = {
    emu,
    clock,
    url,
    sns,
    sqs,
    /** A name unique within this emulator. */
    name: (prefix = 'n') => `${prefix}-${++counter}`,
    /** Sends an SNS command by name: `call('Publish', {...})`. */
    call: (op, input) => sns.send(new SNS[`${op}Command`](input)),
    sqsCall: (op, input) => sqs.send(new SQS[`${op}Command`](input)),
    async createTopic(name, Attributes, extra = {}) {
      return (await t.call('CreateTopic', { Name: name, Attributes, ...extra })).TopicArn;
    },
    async topicAttrs(TopicArn) {
      return (await t.call('GetTopicAttributes', { TopicArn })).Attributes;
    },
    async subAttrs(SubscriptionArn) {
      return (await t.call('GetSubscriptionAttributes', { SubscriptionArn })).Attributes;
    },
    async createQueue(name, Attributes) {
      const QueueUrl = (await t.sqsCall('CreateQueue', { QueueName: name, Attributes })).QueueUrl;
      return { url: QueueUrl, arn: queueArnOf(name) };
    },
    async setQueuePolicy(QueueUrl, Policy) {
      await t.sqsCall('SetQueueAttributes', { QueueUrl, Attributes: { Policy } });
    },
    /**
     * Creates a queue (FIFO when the topic is, unless `name` says otherwise), grants the topic (unless `policy: false` or a policy
     * string is given) and subscribes it. Returns `{ url, arn, subArn }`.
     */
    async subscribeQueue(topicArn, { name, attributes, queueAttributes, policy = true } = {}) {
      const qname = name ?? t.name('q') + (topicArn.endsWith('.fifo') ? '.fifo' : '');
      const q = await t.createQueue(qname, { ...(qname.endsWith('.fifo') ? { FifoQueue: 'true' } : {}), ...queueAttributes });
      if (policy) await t.setQueuePolicy(q.url, typeof policy === 'string' ? policy : snsQueuePolicy(q.arn, topicArn));
      const out = await t.call('Subscribe', { TopicArn: topicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: attributes, ReturnSubscriptionArn: true });
      return { ...q, subArn: out.SubscriptionArn };
    },
    /** Receives (and deletes) every visible message of a queue. */
    async drain(QueueUrl, extra = {}) {
      const all = [];
      for (;;) {
        const out = await t.sqsCall('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10, ...extra });
        const ms = out.Messages ?? [];
        if (ms.length === 0) return all;
        all.push(...ms);
        await t.sqsCall('DeleteMessageBatch', { QueueUrl, Entries: ms.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) });
      }
    },
    /** Bodies of every visible message, parsed as JSON notifications unless `raw`. */
    async notifications(QueueUrl, extra = {}) {
      return (await t.drain(QueueUrl, extra)).map((m) => JSON.parse(m.Body));
    },
    /** Waits (real time) until no HTTP delivery of the emulator is in flight, so its retry timer is armed. */
    async httpIdle() {
      const http = emu.sns.http;
      for (let i = 0; i < 400 && http.inFlight.size > 0; i++) await tick(5);
      assert.equal(http.inFlight.size, 0, 'HTTP deliveries still in flight');
      await tick(5);
    },
    /** Pending HTTP deliveries (SQLite rows), for asserting retries and restarts. */
    pendingHttp() {
      return emu.store.db.prepare('SELECT kind, attempts, next_ms, subscription_arn FROM sns_deliveries ORDER BY id').all();
    },
    /** GET /_svl/health. */
    async health() {
      const res = await fetch(`${url}/_svl/health`);
      assert.equal(res.status, 200);
      return res.json();
    },
    async topicStats(topicName) {
      return (await t.health()).sns.find((s) => s.topic === topicName);
    },
    async close() {
      sns.destroy();
      sqs.destroy();
      await emu.close();
    },
  };
  return t;
}

/**
 * Expects an SNS error. `name` is the SDK's error name (the modeled exception, e.g. `NotFoundException`);
 * `code` the Query `<Code>`; `status` the HTTP status; `message` the exact text or `includes` a fragment.
 */
export async function expectSnsError(promise, { name, code, status = 400, message, includes, type = 'Sender' }) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name ?? code}, but the call succeeded`);
  if (name !== undefined) assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
  if (code !== undefined) assert.equal(err.Code ?? err.Error?.Code, code, `query code (${err.name}: ${err.message})`);
  assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status of ${err.name}: ${err.message}`);
  if (type !== undefined) assert.equal(err.Type ?? err.Error?.Type, type);
  if (message !== undefined) assert.equal(err.message, message);
  if (includes !== undefined) assert.ok(String(err.message).includes(includes), `message "${err.message}" lacks "${includes}"`);
  return err;
}

export const invalidParameter = (message) => ({ name: 'InvalidParameterException', code: 'InvalidParameter', message });
export const invalidParameterValue = (message) => ({ name: 'InvalidParameterValueException', code: 'ParameterValueInvalid', message });
export const topicNotFound = () => ({ name: 'NotFoundException', code: 'NotFound', status: 404, message: 'Topic does not exist' });

/**
 * A local HTTP endpoint recording every request SNS makes. `respond(req)` returns the status to
 * answer (default 200). `waitFor(n)` waits (real time, a few event-loop turns) until n requests arrived.
 */
export async function startHttpEndpoint(respond = () => 200) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      res.writeHead(ep.respond(r));
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ep = {
    url: `http://127.0.0.1:${server.address().port}/sns`,
    requests,
    respond,
    async waitFor(n, what = `${n} request(s)`) {
      for (let i = 0; i < 400 && requests.length < n; i++) await tick(5);
      assert.ok(requests.length >= n, `the endpoint never received ${what} (got ${requests.length})`);
      return requests[n - 1];
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
  return ep;
}
