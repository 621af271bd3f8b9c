// `svl filter test|lint` end to end: the built CLI, and for --topic a real emulator with real subscriptions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicCommand, SubscribeCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, credentials } from '../helpers/emulator.mjs';
import { svl, localEnv, NO_STACK } from '../helpers/cli.mjs';

test('a matching message: exit 0, verdict on stdout', async () => {
  const r = await svl(['filter', 'test', '--policy', '{"type":["invoice"]}', '--attr', 'type=invoice', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { scope: 'MessageAttributes', matches: true, failures: [] });
});

test('a non-matching message names the failing key and why', async () => {
  const r = await svl([
    'filter', 'test', '--policy', '{"type":["invoice"],"amount":[{"numeric":[">",100]}]}',
    '--attr', 'type=invoice', '--attr', 'amount=Number:50', '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.matches, false);
  assert.deepEqual(out.failures.map((f) => f.key), ['amount']);
  assert.match(out.failures[0].reason, /50/);
});

test('MessageBody scope reads the message from stdin', async () => {
  const r = await svl(['filter', 'test', '--policy', '{"order":{"total":[{"numeric":[">=",10]}]}}', '--scope', 'MessageBody', '--message', '-', '--json'], {
    input: '{"order":{"total":12}}',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).matches, true);
});

test('lint: a valid policy passes, an invalid one fails with AWS\'s message and exit 2', async () => {
  const ok = await svl(['filter', 'lint', '--policy', '{"a":["x"],"b":[1,2]}']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Valid MessageAttributes filter policy \(2 keys\)/);
  const bad = await svl(['filter', 'lint', '--policy', '{"a":[{"numeric":[]}]}']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /Invalid parameter: FilterPolicy: Invalid member in numeric match: \]/);
});

test('bad input: invalid JSON policy, bad --attr, missing policy and topic, both given', async () => {
  for (const args of [
    ['filter', 'test', '--policy', '{not json'],
    ['filter', 'test', '--policy', '{"a":["x"]}', '--attr', 'novalue'],
    ['filter', 'test', '--policy', '{"a":["x"]}', '--attr', 'n=Number:abc'],
    ['filter', 'test'],
    ['filter', 'test', '--policy', '{"a":["x"]}', '--topic', 'orders'],
    ['filter', 'test', '--policy', '{"a":["x"]}', '--scope', 'Body'],
    ['filter', 'lint', '--policy', '@/nonexistent/policy.json'],
  ]) {
    const r = await svl(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Error: /);
    assert.doesNotMatch(r.stderr, NO_STACK, 'no stack trace');
  }
});

test('--topic evaluates the message against every subscription of a topic on the emulator', async (t) => {
  const { emu, url } = await startTestEmulator({ fake: false });
  t.after(() => emu.close());
  const sns = new SNSClient({ endpoint: url, region: 'us-east-1', credentials });
  const sqs = await sqsClient(url);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders' }));
  for (const [name, policy] of [['billing', '{"type":["invoice"]}'], ['shipping', '{"type":["shipment"]}'], ['audit', undefined]]) {
    await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await sns.send(new SubscribeCommand({
      TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:000000000000:${name}`,
      Attributes: policy ? { FilterPolicy: policy } : undefined,
    }));
  }
  const r = await svl(['filter', 'test', '--topic', 'orders', '--attr', 'type=invoice', '--local', '--json'], { env: localEnv(url) });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.topic, TopicArn);
  const verdicts = Object.fromEntries(out.subscriptions.map((s) => [s.endpoint.split(':').pop(), s.matches]));
  assert.deepEqual(verdicts, { billing: true, shipping: false, audit: true });

  const human = await svl(['filter', 'test', '--topic', 'orders', '--attr', 'type=invoice', '--local'], { env: localEnv(url) });
  assert.match(human.stdout, /2 of 3 subscription\(s\) would receive this message/);

  const missing = await svl(['filter', 'test', '--topic', 'nope', '--local'], { env: localEnv(url) });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Topic "nope" does not exist/);
});
