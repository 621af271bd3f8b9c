// `svl send` and `svl publish` end to end: the built CLI against an in-process emulator; what arrives is
// read back with the SDK. Bad input must fail with exit 2 before anything is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, snsClient } from '../helpers/emulator.mjs';
import { localEnv, NO_STACK, svl } from '../helpers/cli.mjs';
import { snsQueuePolicy } from '../helpers/sns.mjs';

const Q = 'arn:aws:sqs:us-east-1:000000000000:';
const T = 'arn:aws:sns:us-east-1:000000000000:';
let emu;
let url;
let sqs;
let dir;
const urls = {};
const run = (args, opts = {}) => svl([...args, '--local'], { env: localEnv(url), ...opts });

async function drain(name, max = 100) {
  const out = [];
  for (let i = 0; i < 20 && out.length < max; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urls[name], MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }));
    if (!r.Messages?.length) break;
    out.push(...r.Messages);
  }
  return out;
}

const depth = async (name) => {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urls[name], AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }));
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesDelayed);
};

before(async () => {
  ({ emu, url } = await startTestEmulator({ fake: false }));
  sqs = await sqsClient(url);
  const sns = await snsClient(url);
  dir = mkdtempSync(join(tmpdir(), 'svl-send-'));
  const make = async (name, Attributes) => (urls[name] = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl);
  await make('inbox');
  await make('bulk');
  await make('orders.fifo', { FifoQueue: 'true' });
  await make('cbd.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  await make('events-q', { Policy: snsQueuePolicy(`${Q}events-q`, `${T}events`) });
  await make('events-q.fifo', { FifoQueue: 'true', Policy: snsQueuePolicy(`${Q}events-q.fifo`, `${T}events.fifo`) });
  await sns.send(new CreateTopicCommand({ Name: 'events' }));
  await sns.send(new CreateTopicCommand({ Name: 'events.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
  await sns.send(new SubscribeCommand({ TopicArn: `${T}events`, Protocol: 'sqs', Endpoint: `${Q}events-q`, Attributes: { RawMessageDelivery: 'true' } }));
  await sns.send(new SubscribeCommand({ TopicArn: `${T}events.fifo`, Protocol: 'sqs', Endpoint: `${Q}events-q.fifo`, Attributes: { RawMessageDelivery: 'true' } }));
  sns.destroy();
});

after(async () => {
  sqs.destroy();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

test('send a body with attributes: message id on stdout, the message arrives as sent', async () => {
  const r = await run(['send', 'inbox', '{"id":1}', '--attr', 'type=invoice', '--attr', 'amount=Number:120', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.queue.name, 'inbox');
  assert.match(out.messageId, /^[0-9a-f-]{36}$/);
  assert.equal(out.sequenceNumber, null);
  const [m] = await drain('inbox');
  assert.equal(m.MessageId, out.messageId);
  assert.equal(m.Body, '{"id":1}');
  assert.equal(m.MessageAttributes.type.StringValue, 'invoice');
  assert.equal(m.MessageAttributes.amount.DataType, 'Number');
  assert.equal(m.MessageAttributes.amount.StringValue, '120');
});

test('send reads the body from @file and from piped stdin; the queue can be a URL or an ARN', async () => {
  const file = join(dir, 'body.json');
  writeFileSync(file, '{"from":"file"}');
  const a = await run(['send', urls.inbox, `@${file}`]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^MessageId {7}[0-9a-f-]{36}\n$/);
  const b = await run(['send', `${Q}inbox`], { input: 'from stdin' });
  assert.equal(b.code, 0, b.stderr);
  const bodies = (await drain('inbox')).map((m) => m.Body).sort();
  assert.deepEqual(bodies, ['from stdin', '{"from":"file"}']);
});

test('send to a FIFO queue with --group and --dedup prints the sequence number', async () => {
  const r = await run(['send', 'orders.fifo', 'first', '--group', 'g1', '--dedup', 'd1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^MessageId {7}\S+\nSequenceNumber {2}\d+\n$/);
  const delayed = await run(['send', 'inbox', 'later', '--delay', '900', '--json']);
  assert.equal(delayed.code, 0, delayed.stderr);
  assert.equal(await depth('inbox'), 1);
  await sqs.send(new PurgeQueueCommand({ QueueUrl: urls.inbox }));
});

test('send bad input: exit 2 with a one-line error, nothing sent', async () => {
  const cases = [
    [['send', 'orders.fifo', 'x'], /orders\.fifo: a FIFO queue needs a message group id/, /Hint: Pass --group <id>/],
    [['send', 'orders.fifo', 'x', '--group', 'g'], /the FIFO queue has no content-based deduplication/, /Hint: Pass --dedup <id>/],
    [['send', 'cbd.fifo', 'x', '--group', 'g', '--delay', '5'], /FIFO queues take no per-message delay/],
    [['send', 'inbox', 'x', '--dedup', 'd'], /a deduplication id applies to FIFO queues only/],
    [['send', 'inbox', 'x', '--delay', '901'], /--delay must be a whole number of seconds from 0 to 900 \(got "901"\)/],
    [['send', 'inbox', 'x', '--delay', 'soon'], /--delay must be/],
    [['send', 'inbox', 'x', '--attr', 'novalue'], /--attr must look like name=value/],
    [['send', 'inbox', 'x', '--attr', 'n=Number:abc'], /--attr n: "abc" is not a number/],
    [['send', 'inbox', 'x', '--group', 'has space'], /--group must be 1-128 printable ASCII/],
    [['send', 'inbox', 'x', '--ndjson', 'lines.ndjson'], /Give a message body or --ndjson, not both/],
    [['send', 'inbox', '--ndjson', join(dir, 'missing.ndjson')], /--ndjson: cannot read .*missing\.ndjson \(ENOENT\)/],
    [['send', 'inbox', `@${join(dir, 'missing.txt')}`], /cannot read .*missing\.txt/],
    [['send', 'inbox', ''], /The message body is empty/],
  ];
  for (const [args, message, hint] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message, args.join(' '));
    if (hint) assert.match(r.stderr, hint);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
  assert.equal(await depth('inbox'), 0, 'nothing was sent');
  assert.equal(await depth('orders.fifo'), 1, 'only the earlier valid FIFO message');
});

test('send with no body argument and an empty, non-terminal stdin: exit 2', async () => {
  const r = await run(['send', 'inbox'], { input: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Error: Missing the message body: no argument, and stdin is empty/);
  assert.match(r.stderr, /Hint: Pass it as an argument, as @file, or pipe it on stdin/);
});

test('send to a queue that does not exist: exit 1, clear message, no stack', async () => {
  const r = await run(['send', 'nope', 'x']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /Error: Queue "nope" not found \(local emulator\)/);
  assert.match(r.stderr, /Hint: List what exists with `svl status --local`/);
  assert.doesNotMatch(r.stderr, NO_STACK);
});

test('send --ndjson: batches, envelopes, and a malformed line reported by number (exit 1)', async () => {
  const lines = [];
  for (let i = 1; i <= 25; i++) lines.push(JSON.stringify({ n: i }));
  lines[3] = '{"n": 4,'; // line 4: malformed
  lines[9] = ''; // line 10: blank, skipped
  lines[11] = JSON.stringify({ body: 'enveloped', attributes: { kind: 'special', weight: 3 } }); // line 12
  lines[14] = JSON.stringify({ body: 'x', nope: 1 }); // line 15: unknown envelope key
  const file = join(dir, 'lines.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const r = await run(['send', 'bulk', '--ndjson', file, '--attr', 'source=test', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.sent, 22);
  assert.equal(out.failed, 2);
  assert.deepEqual(out.failures.map((f) => [f.line, f.code]), [[4, 'MalformedLine'], [15, 'InvalidLine']]);
  assert.match(out.failures[0].message, /not valid JSON/);
  const err = JSON.parse(r.stderr).error; // with --json the error is JSON on stderr too
  assert.equal(err.code, 'PartialFailure');
  assert.equal(err.message, '2 of 24 messages failed (first: line 4, MalformedLine)');
  const got = await drain('bulk');
  assert.equal(got.length, 22);
  const special = got.find((m) => m.Body === 'enveloped');
  assert.equal(special.MessageAttributes.kind.StringValue, 'special');
  assert.equal(special.MessageAttributes.weight.DataType, 'Number');
  assert.equal(special.MessageAttributes.source.StringValue, 'test', 'flag attributes are defaults for every line');
  assert.ok(got.some((m) => m.Body === '{"n":25}'));

  const human = await run(['send', 'bulk', '--ndjson', '-'], { input: '"a"\n{bad\n' });
  assert.equal(human.code, 1);
  assert.match(human.stdout, /^Sent 1 of 2 messages to bulk in [\d.]+s/);
  assert.match(human.stdout, /│ 2 +│ MalformedLine │ not valid JSON/);
  assert.match(human.stderr, /Error: 1 of 2 messages failed \(first: line 2, MalformedLine\)/);
});

test('send --ndjson - to a FIFO queue keeps the order of the lines', async () => {
  const input = Array.from({ length: 23 }, (_, i) => JSON.stringify({ body: `m${i + 1}` })).join('\n');
  const r = await run(['send', 'cbd.fifo', '--ndjson', '-', '--group', 'g', '--json'], { input });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).sent, 23);
  const got = [];
  for (let i = 0; i < 5 && got.length < 23; i++) {
    const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urls['cbd.fifo'], MaxNumberOfMessages: 10 }));
    for (const m of batch.Messages ?? []) {
      got.push(m.Body);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: urls['cbd.fifo'], ReceiptHandle: m.ReceiptHandle }));
    }
  }
  assert.deepEqual(got, Array.from({ length: 23 }, (_, i) => `m${i + 1}`));

  const noGroup = await run(['send', 'cbd.fifo', '--ndjson', '-', '--json'], { input: '"x"\n{"body":"y","group":"g2"}\n' });
  assert.equal(noGroup.code, 1);
  const out = JSON.parse(noGroup.stdout);
  assert.equal(out.sent, 1);
  assert.deepEqual(out.failures.map((f) => [f.line, f.code]), [[1, 'MissingGroupId']]);
});

test('publish a message with attributes and a subject: it reaches the subscribed queue', async () => {
  const r = await run(['publish', 'events', 'hello', '--attr', 'type=invoice', '--subject', 'Greeting', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.topic, { name: 'events', arn: `${T}events` });
  assert.match(out.messageId, /^[0-9a-f-]{36}$/);
  const [m] = await drain('events-q');
  assert.equal(m.Body, 'hello');
  assert.equal(m.MessageAttributes.type.StringValue, 'invoice');

  const byArn = await run(['publish', `${T}events.fifo`, '--group', 'g'], { input: 'piped' });
  assert.equal(byArn.code, 0, byArn.stderr);
  assert.match(byArn.stdout, /^MessageId {7}\S+\nSequenceNumber {2}\d+\n$/);
  const [f] = await drain('events-q.fifo');
  assert.equal(f.Body, 'piped');
});

test('publish bad input and unknown topics', async () => {
  const usage = [
    [['publish', 'events.fifo', 'x'], /events\.fifo: a FIFO topic needs a message group id/],
    [['publish', 'events', 'x', '--dedup', 'd'], /a deduplication id applies to FIFO topics only/],
    [['publish', 'events', 'x', '--subject', 's'.repeat(101)], /--subject must be 1-100 characters/],
    [['publish', 'events', 'x', '--attr', '=v'], /--attr must look like name=value/],
    [['publish', 'events'], /Missing the message: no argument, and stdin is empty/],
  ];
  for (const [args, message] of usage) {
    const r = await run(args, { input: '' });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
  for (const ref of ['nope', `${T}nope`]) {
    const r = await run(['publish', ref, 'x']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Error: Topic "nope" not found \(local emulator\)/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
  assert.equal(await depth('events-q'), 0, 'nothing was published');
});

test('publish --ndjson: PublishBatch in tens, failures by line number', async () => {
  const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({ body: `e${i + 1}`, subject: 'S' }));
  lines[6] = 'not json';
  const r = await run(['publish', 'events', '--ndjson', '-', '--json'], { input: lines.join('\n') });
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.equal(out.sent, 11);
  assert.deepEqual(out.failures.map((f) => [f.line, f.code]), [[7, 'MalformedLine']]);
  assert.deepEqual(out.topic, { name: 'events', arn: `${T}events` });
  assert.equal((await drain('events-q')).length, 11);
});

test('a body that is not UTF-8 (stdin or @file) is refused with a hint, exit 2, nothing sent or published', async () => {
  const bytes = Buffer.from([0x6f, 0x6b, 0x20, 0xff, 0xfe, 0x21]);
  const file = join(dir, 'binary.bin');
  writeFileSync(file, bytes);
  const cases = [
    [['send', 'inbox'], { input: bytes }, /The message body from stdin is not valid UTF-8 \(first bad byte at offset 3\)/],
    [['send', 'inbox', '-'], { input: bytes }, /The message body from stdin is not valid UTF-8/],
    [['send', 'inbox', `@${file}`], {}, /The message body from .*binary\.bin is not valid UTF-8 \(first bad byte at offset 3\)/],
    [['publish', 'events'], { input: bytes }, /The message from stdin is not valid UTF-8/],
    // A lone continuation byte, and a character cut short at the end.
    [['send', 'inbox'], { input: Buffer.from([0x61, 0x80]) }, /offset 1\)/],
    [['send', 'inbox'], { input: Buffer.from('é').subarray(0, 1) }, /offset 0\)/],
  ];
  for (const [args, opts, message] of cases) {
    const r = await run(args, opts);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Hint: .*base64/);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
  assert.equal(await depth('inbox'), 0);
  assert.equal(await depth('events-q'), 0);
  // Valid UTF-8 (multi-byte included) goes through untouched.
  const ok = await run(['send', 'inbox'], { input: Buffer.from('naïve ✓ 😀') });
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual((await drain('inbox')).map((m) => m.Body), ['naïve ✓ 😀']);
});

test('--ndjson: a line that is not UTF-8 fails by its number; the other lines go out unaltered', async () => {
  urls.mixed = (await sqs.send(new CreateQueueCommand({ QueueName: 'mixed' }))).QueueUrl;
  const file = join(dir, 'mixed.ndjson');
  writeFileSync(file, Buffer.concat([Buffer.from('"one"\n'), Buffer.from([0x22, 0xc3, 0x28, 0x22, 0x0a]), Buffer.from('"tr\u00e8s"\r\n')]));
  const r = await run(['send', 'mixed', '--ndjson', file, '--json']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.sent, 2);
  assert.deepEqual(out.failures.map((f) => [f.line, f.code]), [[2, 'InvalidUtf8']]);
  assert.match(out.failures[0].message, /not valid UTF-8.*base64/);
  assert.deepEqual((await drain('mixed')).map((m) => m.Body).sort(), ['one', 'très']);
});

test('--skip passes over the first N input lines; bad values are refused (exit 2, nothing sent)', async () => {
  urls.skipq = (await sqs.send(new CreateQueueCommand({ QueueName: 'skipq' }))).QueueUrl;
  const file = join(dir, 'skip.ndjson');
  writeFileSync(file, '"a"\n\n"b"\n"c"\n');
  const r = await run(['send', 'skipq', '--ndjson', file, '--skip', '2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.sent, out.skipped, out.lines], [2, 2, 4]);
  assert.deepEqual((await drain('skipq')).map((m) => m.Body).sort(), ['b', 'c']);
  const past = await run(['send', 'skipq', '--ndjson', file, '--skip', '10']);
  assert.equal(past.code, 0, past.stderr);
  assert.match(past.stdout, /^Sent 0 of 0 messages to skipq .*after skipping 4 lines/);

  const cases = [
    [['send', 'skipq', '--ndjson', file, '--skip', '-1'], /--skip must be a whole number of lines, 0 or more \(got "-1"\)/],
    [['send', 'skipq', '--ndjson', file, '--skip', 'abc'], /--skip must be a whole number of lines, 0 or more \(got "abc"\)/],
    [['send', 'skipq', '--ndjson', file, '--skip', '1.5'], /got "1\.5"/],
    [['send', 'skipq', '--ndjson', file, '--skip', ''], /got ""/],
    [['send', 'skipq', '--ndjson', file, '--skip', '1e3'], /got "1e3"/],
    [['send', 'skipq', 'x', '--skip', '3'], /--skip applies to --ndjson input only/],
    [['publish', 'events', '--ndjson', file, '--skip', 'many'], /--skip must be a whole number/],
  ];
  for (const [args, message] of cases) {
    const bad = await run(args);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, message, args.join(' '));
    assert.match(bad.stderr, /Hint: /);
  }
  assert.equal(await depth('skipq'), 0);
});
