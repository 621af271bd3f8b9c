// `svl trace` and `svl dlq peek`'s reasons end to end: the built CLI against an in-process emulator (system
// clock: the event source mapping's Lambda runs in real time), messages made with the real SDK clients.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { setupLambda, eventually } from '../helpers/lambda.mjs';
import { waitIdle } from '../helpers/emulator.mjs';
import { snsQueuePolicy, queueArnOf } from '../helpers/sns.mjs';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { spawn as spawnProcess } from 'node:child_process';
import { freePort, localEnv, NO_STACK, svl } from '../helpers/cli.mjs';
import { spawnSvl, ndjson } from '../helpers/spawn.mjs';

let h;
const run = (args, opts = {}) => svl([...args, '--local'], { env: localEnv(h.url), ...opts });

before(async () => {
  h = await setupLambda({ fake: false });
});
after(() => h.close());

async function queue(name, topicArn, attrs = {}) {
  const Policy = topicArn ? snsQueuePolicy(queueArnOf(name), topicArn) : undefined;
  return (await h.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...(Policy && { Policy }), ...attrs } }))).QueueUrl;
}

/** A topic with three subscriptions: one delivered, one filtered out, one blocked by the queue's policy. */
async function fanOut(topic) {
  const { TopicArn } = await h.sns.send(new CreateTopicCommand({ Name: topic }));
  const okUrl = await queue(`${topic}-ok`, TopicArn);
  await queue(`${topic}-refunds`, TopicArn);
  await queue(`${topic}-locked`); // no policy: SNS may not send
  await h.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArnOf(`${topic}-ok`) }));
  await h.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArnOf(`${topic}-refunds`), Attributes: { FilterPolicy: JSON.stringify({ kind: ['refund'] }) } }));
  await h.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArnOf(`${topic}-locked`) }));
  return { TopicArn, okUrl };
}

const publish = (TopicArn, Message) => h.sns.send(new PublishCommand({ TopicArn, Message, MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } }));

test('a fan-out traced by message id: delivered, filtered out with the reason, blocked with the error, received and deleted', async () => {
  const { TopicArn, okUrl } = await fanOut('tr-orders');
  const { MessageId } = await publish(TopicArn, 'hello');
  const { Messages } = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: okUrl, WaitTimeSeconds: 1 }));
  await h.sqs.send(new DeleteMessageCommand({ QueueUrl: okUrl, ReceiptHandle: Messages[0].ReceiptHandle }));
  await waitIdle(h.url);

  const r = await run(['trace', MessageId]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], new RegExp(`^Trace of ${MessageId}`));
  assert.match(lines[1], new RegExp(`^published to tr-orders  message ${MessageId}`));
  assert.match(r.stdout, /├─ \+\d+ms delivered → queue tr-orders-ok/);
  assert.match(r.stdout, /filtered out → queue tr-orders-refunds\n.*kind: /);
  assert.match(r.stdout, /└─ \+\d+ms blocked → queue tr-orders-locked\n.*AccessDenied/);
  assert.match(r.stdout, new RegExp(`sent to tr-orders-ok  message ${Messages[0].MessageId}`));
  assert.match(r.stdout, /\+\d+(ms|\.\ds) received #1  by ReceiveMessage\n.*\+\d+(ms|\.\ds) deleted from tr-orders-ok/);
  for (const l of lines) assert.ok(l.length <= 80, `wider than 80 columns: ${l}`);
  assert.doesNotMatch(r.stdout, /arn:aws/, 'resource names, not ARNs');

  const j = await run(['trace', MessageId, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const tree = JSON.parse(j.stdout);
  assert.equal(tree.id, MessageId);
  assert.equal(tree.roots.length, 1);
  const root = tree.roots[0];
  assert.equal(root.event.type, 'sns.published');
  assert.equal(root.afterMs, null);
  assert.deepEqual(root.children.map((c) => c.event.type).sort(), ['sns.blocked', 'sns.delivered', 'sns.filtered']);
  const delivered = root.children.find((c) => c.event.type === 'sns.delivered');
  assert.equal(delivered.children[0].event.type, 'sqs.sent');
  assert.deepEqual(delivered.children[0].children[0].event.type, 'sqs.received');
  assert.equal(delivered.children[0].children[0].children[0].event.type, 'sqs.deleted');
  assert.equal(root.children.find((c) => c.event.type === 'sns.filtered').event.data.reasons[0].key, 'kind');
});

test('an event source mapping message that fails and dead-letters: trace shows the error and the DLQ move; dlq peek says why', async () => {
  await h.createFunction('tr-fails', { handler: 'index.fail', Timeout: 1 });
  const dlqUrl = await queue('tr-work-dlq');
  const srcUrl = await queue('tr-work', undefined, { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArnOf('tr-work-dlq'), maxReceiveCount: 1 }) });
  const { UUID } = await h.send('CreateEventSourceMapping', { FunctionName: 'tr-fails', EventSourceArn: queueArnOf('tr-work'), BatchSize: 1 });
  const { MessageId } = await h.sqs.send(new SendMessageCommand({ QueueUrl: srcUrl, MessageBody: '{"message":"poison pill"}' }));
  await eventually(async () => (await h.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes.ApproximateNumberOfMessages === '1', { timeoutMs: 20_000, what: 'the dead letter' });
  await h.send('DeleteEventSourceMapping', { UUID });
  await waitIdle(h.url);

  const r = await run(['trace', MessageId]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /sent to tr-work  message/);
  assert.match(r.stdout, /received #1  by event source mapping/);
  assert.match(r.stdout, /invoked tr-fails/);
  assert.match(r.stdout, /error in [\d.]+ms/);
  assert.match(r.stdout, /TypeError: boom/);
  assert.match(r.stdout, /log │ INFO about to fail/);
  assert.match(r.stdout, /dead-lettered → tr-work-dlq  after 1 receive/);

  const peekText = await run(['dlq', 'peek', 'tr-work-dlq']);
  assert.equal(peekText.code, 0, peekText.stderr);
  assert.match(peekText.stdout, /why: tr-fails failed: TypeError: boom \(1 receive\)/);
  const peekJson = await run(['dlq', 'peek', 'tr-work-dlq', '--json']);
  const [m] = JSON.parse(peekJson.stdout).messages;
  assert.equal(m.messageId, MessageId);
  assert.equal(m.reason.function, 'tr-fails');
  assert.equal(m.reason.errorType, 'TypeError');
  assert.match(m.reason.logTail, /about to fail/);
});

test('--last --topic traces the latest publish; --last --queue the latest send', async () => {
  const { TopicArn } = await fanOut('tr-last');
  await publish(TopicArn, 'first');
  const { MessageId } = await publish(TopicArn, 'second');
  await waitIdle(h.url);
  const r = await run(['trace', '--last', '--topic', 'tr-last', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).id, MessageId);
  assert.match(r.stderr, /latest publish on tr-last/);
  const q = await run(['trace', '--last', '--queue', 'tr-last-ok']);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /^Trace of /);
  assert.match(q.stdout, /sent to tr-last-ok/);
});

test('--follow prints a later hop as it happens, then ends on SIGINT with exit 130', async () => {
  const url = await queue('tr-follow');
  const { MessageId } = await h.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
  const p = spawnSvl(['trace', MessageId, '--follow', '--local'], { env: localEnv(h.url) });
  await p.waitFor(/Following/);
  await p.waitFor(/sent to tr-follow/, 'stdout');
  const { Messages } = await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
  await p.waitFor(/received #1/, 'stdout');
  await h.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages[0].ReceiptHandle }));
  await p.waitFor(/deleted from tr-follow/, 'stdout');
  const done = await p.kill('SIGINT');
  assert.equal(done.code, 130, done.stderr);
  assert.match(done.stderr, /Cancelled: traced .*, 2 later hops followed/);
  assert.doesNotMatch(done.stderr, NO_STACK);

  // --json: NDJSON only, the tree first, then each later hop with the seq of its parent.
  const url2 = await queue('tr-follow-json');
  const sent = await h.sqs.send(new SendMessageCommand({ QueueUrl: url2, MessageBody: 'y' }));
  const j = spawnSvl(['trace', sent.MessageId, '--follow', '--json', '--local'], { env: localEnv(h.url) });
  await j.waitFor(/Following/);
  await h.sqs.send(new ReceiveMessageCommand({ QueueUrl: url2 }));
  await j.waitFor(/sqs\.received/, 'stdout');
  const out = await j.kill('SIGINT');
  assert.equal(out.code, 130);
  const [tree, hop, ...rest] = ndjson(out.stdout);
  assert.equal(tree.id, sent.MessageId);
  assert.equal(hop.event.type, 'sqs.received');
  assert.equal(hop.parent, tree.roots[0].event.seq);
  assert.deepEqual(rest, []);
});

test('bad input: usage errors (exit 2), unknown ids and resources (exit 1), each with a hint and no stack', async () => {
  await queue('tr-empty');
  const cases = [
    [['trace'], 2, /Missing the message id/],
    [['trace', '--last', '--topic', 't', '--queue', 'q'], 2, /--topic and --queue cannot be combined/],
    [['trace', 'abc', '--last'], 2, /not both/],
    [['trace', '--topic', 'tr-orders'], 2, /--topic and --queue pick what --last traces/],
    [['trace', 'abc', '--function', 'f'], 2, /--function is for AWS/],
    [['trace', 'not an id'], 2, /is not a message id or request id/],
    [['trace', 'no-such-id'], 1, /journal knows nothing of no-such-id/],
    [['trace', '--last', '--topic', 'tr-missing'], 1, /Topic "tr-missing" not found/],
    [['trace', '--last', '--queue', 'tr-missing'], 1, /tr-missing/],
    [['trace', '--last', '--queue', 'tr-empty'], 1, /no send to queue tr-empty/],
  ];
  for (const [args, code, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /\nHint: \S/, args.join(' '));
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
  const unknown = await run(['trace', 'no-such-id']);
  assert.match(unknown.stderr, /ring .*last 100,000 events/);
  assert.match(unknown.stderr, /from AWS/);
});

test('on AWS: says plainly what it cannot see; --last and --follow need the emulator', async () => {
  const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
  const r = await svl(['trace', 'abc-123'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /cannot see/);
  assert.match(r.stdout, /SNS deliveries/);
  assert.match(r.stdout, /--function/);
  for (const l of r.stdout.trimEnd().split('\n')) assert.ok(l.length <= 80, `wider than 80 columns: ${l}`);
  assert.match(r.stdout, /whether it was dead-lettered: name its queue with --queue/);
  const j = await svl(['trace', 'abc-123', '--json'], { env });
  assert.deepEqual(JSON.parse(j.stdout).logs, []);
  for (const args of [['trace', '--last'], ['trace', 'x', '--follow'], ['trace', 'x', '--topic', 'orders']]) {
    const bad = await svl(args, { env });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /needs the emulator's journal/);
  }
  const since = await svl(['trace', 'x', '--function', 'worker', '--since', '5y'], { env });
  assert.equal(since.code, 2);
  assert.match(since.stderr, /--since must be an age/);
  // An endpoint without CloudWatch Logs (the emulator): FilterLogEvents' error, cleanly, exit 1.
  const logs = await svl(['trace', 'x', '--function', 'worker', '--endpoint-url', h.url], { env });
  assert.equal(logs.code, 1, logs.stderr);
  assert.match(logs.stderr, /FilterLogEvents/);
  assert.match(logs.stderr, /\nHint: /);
  assert.doesNotMatch(logs.stderr, NO_STACK);
});

/** moto_server (the machine's Python) as "AWS": SQS and CloudWatch Logs behind one endpoint. */
async function startMotoServer() {
  const port = await freePort();
  const child = spawnProcess('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/moto-api/`)).status < 500) return { url, close: () => child.kill('SIGTERM') };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error('moto_server did not start');
}

test('on AWS (moto as AWS): a dead letter\'s attributes from its DLQ, read without consuming it, and the log lines that mention it', async () => {
  const moto = await startMotoServer();
  try {
    const cfg = { endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
    const sqs = new SQSClient(cfg);
    const logs = new CloudWatchLogsClient(cfg);
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }))).QueueUrl;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes.QueueArn;
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 });
    const ordersUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { RedrivePolicy, VisibilityTimeout: '0' } }))).QueueUrl;
    const plainUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'plain' }))).QueueUrl;
    const attrs = { kind: { DataType: 'String', StringValue: 'invoice' } };
    const { MessageId: dead } = await sqs.send(new SendMessageCommand({ QueueUrl: ordersUrl, MessageBody: '{"order":7}', MessageAttributes: attrs }));
    const { MessageId: alive } = await sqs.send(new SendMessageCommand({ QueueUrl: plainUrl, MessageBody: 'hello' }));
    // Received once (maxReceiveCount 1): the next receive moves it to orders-dlq.
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl }))).Messages?.length, 1);
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl }))).Messages, undefined);
    const group = '/aws/lambda/worker';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's1' }));
    const now = Date.now();
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: 's1',
        logEvents: [
          { timestamp: now, message: `processing ${dead}` },
          { timestamp: now, message: 'an unrelated line' },
          { timestamp: now + 1, message: `ERROR order failed for ${dead}: out of stock` },
        ],
      }),
    );
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    const aws = (args) => svl([...args, '--endpoint-url', moto.url], { env });

    const j = await aws(['trace', dead, '--queue', 'orders', '--function', 'worker', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const r = JSON.parse(j.stdout);
    assert.equal(r.deadLetter.queue, 'orders-dlq');
    assert.deepEqual(r.deadLetter.sources, ['orders']);
    assert.equal(r.deadLetter.found.messageId, dead);
    assert.deepEqual(r.deadLetter.found.attributes, { kind: 'invoice' });
    assert.deepEqual(r.deadLetter.found.body, { order: 7 });
    assert.deepEqual(r.logs.map((l) => [l.function, l.message]), [
      ['worker', `processing ${dead}`],
      ['worker', `ERROR order failed for ${dead}: out of stock`],
    ]);
    assert.ok(r.cannotSee.some((c) => /whether it waits in orders .*svl looked in its dead-letter queue instead/.test(c)), r.cannotSee.join('\n'));
    // Looked at, not consumed: the dead letter is still in the DLQ and visible again; orders was not read.
    const depth = async (QueueUrl) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes;
    assert.deepEqual(await depth(dlqUrl), { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' });

    const human = await aws(['trace', dead, '--queue', 'orders-dlq', '--function', 'worker']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Dead-lettered: in orders-dlq \(dead letters of orders\)/);
    assert.match(human.stdout, /kind = invoice/);
    assert.match(human.stdout, /worker {2}ERROR order failed for/);
    assert.doesNotMatch(human.stdout, /unrelated/);

    // A queue without a DLQ is not read at all (its message stays unreceived), and svl says so.
    const p = JSON.parse((await aws(['trace', alive, '--queue', 'plain', '--json'])).stdout);
    assert.equal(p.deadLetter, null);
    assert.ok(p.cannotSee.some((c) => /whether it waits in plain .*plain has no dead-letter queue/.test(c)), p.cannotSee.join('\n'));
    assert.deepEqual(await depth(plainUrl), { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' });
    const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: plainUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages[0];
    assert.equal(m.Attributes.ApproximateReceiveCount, '1', 'svl never received it');

    // An id the DLQ does not hold: said plainly.
    const none = await aws(['trace', 'not-there', '--queue', 'orders']);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /Not in orders-dlq \(dead letters of orders\): looked at 1 message, none is not-there\./);
    sqs.destroy();
    logs.destroy();
  } finally {
    moto.close();
  }
});
