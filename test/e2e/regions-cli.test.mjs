// svl against a queue outside us-east-1: the built CLI with --endpoint-url and --region eu-west-1 takes
// the emulator's region-aware queue URL (`<origin>/queue/<region>/<account>/<name>`), a bare name and an
// ARN, and reaches the eu-west-1 queue, not the us-east-1 queue of the same name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { credentials, startTestEmulator } from '../helpers/emulator.mjs';
import { NO_STACK, svl } from '../helpers/cli.mjs';

let emu;
let url;
const clients = {};
const urls = {};
const creds = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
const run = (args, region) => svl([...args, '--endpoint-url', url, '--region', region], { env: creds });

async function bodies(region) {
  const r = await clients[region].send(new ReceiveMessageCommand({ QueueUrl: urls[region], MaxNumberOfMessages: 10 }));
  return (r.Messages ?? []).map((m) => m.Body);
}

before(async () => {
  ({ emu, url } = await startTestEmulator({ fake: false }));
  for (const region of ['us-east-1', 'eu-west-1']) {
    clients[region] = new SQSClient({ endpoint: url, region, credentials, maxAttempts: 1 });
    urls[region] = (await clients[region].send(new CreateQueueCommand({ QueueName: 'orders' }))).QueueUrl;
  }
});

after(async () => {
  for (const c of Object.values(clients)) c.destroy();
  await emu.close();
});

test('svl send takes an eu-west-1 queue by its region-aware URL, by name and by ARN', async () => {
  assert.equal(urls['eu-west-1'], `${url}/queue/eu-west-1/000000000000/orders`);
  for (const ref of [urls['eu-west-1'], 'orders', 'arn:aws:sqs:eu-west-1:000000000000:orders']) {
    const r = await run(['send', ref, `to ${ref}`, '--json'], 'eu-west-1');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
  assert.deepEqual((await bodies('eu-west-1')).sort(), [`to ${urls['eu-west-1']}`, 'to arn:aws:sqs:eu-west-1:000000000000:orders', 'to orders'].sort());
  assert.deepEqual(await bodies('us-east-1'), []);
});

test('svl in us-east-1 does not see a queue that only exists in eu-west-1', async () => {
  await clients['eu-west-1'].send(new CreateQueueCommand({ QueueName: 'eu-only' }));
  const r = await run(['send', 'eu-only', 'x'], 'us-east-1');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /eu-only/);
  assert.match(r.stderr, /Hint: /);
  assert.doesNotMatch(r.stderr, NO_STACK);
});
