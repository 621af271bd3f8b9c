// What `svl local start` loads before its first healthy answer, and what the first request of an
// occasional part loads: SNS's platform applications, SMS and data protection are imported by the first
// operation of theirs (src/local/sns/service.ts, optionalParts), SNS's filter-policy engine by the first
// Subscribe or SetSubscriptionAttributes that needs it (src/local/sns/filter-policies.ts), SQS's Query
// codec by the first SQS Query request (src/local/router.ts), Lambda's operations by the first Lambda
// request and its event source mappings by the first mapping operation unless some are stored
// (src/local/lambda/service.ts), not at start; stored filter policies and mappings are loaded at start.
// The built bin runs under a module-load logger (test/helpers/module-log.mjs); the bin runs the esbuild
// bundle, whose files the logger names with the dist/ modules each holds, so a part counts as loaded once
// the file holding its code is. Each part's first request is also checked in process, one fresh emulator
// per part, for its answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CreatePlatformApplicationCommand,
  CreateTopicCommand,
  GetDataProtectionPolicyCommand,
  GetSMSSandboxAccountStatusCommand,
  ListPlatformApplicationsCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startEmulator } from '../../dist/local/server.js';
import { bin, freePort } from '../helpers/cli.mjs';
import { snsClient, sqsClient, startTestEmulator } from '../helpers/emulator.mjs';
import { eventually, fixtureZip, lambdaClient, ROLE } from '../helpers/lambda.mjs';

const moduleLog = fileURLToPath(new URL('../helpers/module-log.mjs', import.meta.url));
const SNS_OPTIONAL = ['dist/local/sns/platform.js', 'dist/local/sns/sms.js', 'dist/local/sns/data-protection.js'];
const ESM_MODULES = ['dist/local/lambda/esm/mappings.js', 'dist/local/lambda/esm/poller.js'];
const SQS_QUERY = 'dist/local/sqs/query.js';
const LAMBDA_OPERATIONS = ['dist/local/lambda/functions.js', 'dist/local/lambda/invoke.js', 'dist/local/lambda/event-invoke-config.js'];
const FILTER_MODULES = ['dist/domain/filter-policy.js', 'dist/domain/filter-policy-validate.js', 'dist/domain/filter-policy-json.js'];
const POLICY = JSON.stringify({ Name: 'p', Description: '', Version: '2021-06-01', Statement: [] });

/**
 * `svl local start --in-memory` (or on `stateDir`) under the module logger; `loaded()` lists the dist/
 * modules and node: built-ins it has loaded so far (read from the log file, complete up to any answer
 * already received).
 */
async function startLogged(dir, stateDir) {
  const port = await freePort();
  const logFile = join(dir, `modules-${port}.log`);
  const state = stateDir ? ['--state-dir', stateDir] : ['--in-memory'];
  const child = spawn(process.execPath, ['--import', moduleLog, bin, 'local', 'start', ...state, '--port', String(port), '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: '1', SVL_MODULE_LOG: logFile },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const loaded = () => {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    return text.split('\n').filter(Boolean).map((u) => (u.startsWith('node:') ? u : u.replace(/^.*?\/(dist\/)/, '$1')));
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/_svl/health`)).ok) return { child, url, loaded };
    } catch {
      /* not yet */
    }
    if (child.exitCode !== null || i > 400) throw new Error(`emulator did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("svl local start answers healthy without SNS platform/SMS/data protection nor SQS's Query codec; their first request loads them", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-lazy-modules-'));
  const { child, url, loaded } = await startLogged(dir);
  try {
    const atStart = loaded();
    assert.ok(atStart.includes('dist/local/sns/service.js'), `the logger sees start-up's modules: ${atStart.join(' ')}`);
    assert.ok(atStart.some((m) => m.startsWith('dist/bundle/local/')), `the bin runs the emulator's bundle: ${atStart.join(' ')}`);
    for (const m of [...SNS_OPTIONAL, ...FILTER_MODULES, SQS_QUERY, ...LAMBDA_OPERATIONS]) assert.ok(!atStart.includes(m), `${m} is not loaded at start`);
    // The SNS certificate's https listener loads node:https with its first connection (the interop test
    // test/interop/sns-signature.test.mjs fetches SigningCertURL through it).
    assert.ok(!atStart.includes('node:https'), 'node:https is not loaded at start');
    const sns = await snsClient(url);
    const out = await sns.send(new GetSMSSandboxAccountStatusCommand({}));
    assert.equal(out.IsInSandbox, true);
    sns.destroy();
    const after = loaded();
    for (const m of SNS_OPTIONAL) assert.ok(after.includes(m), `${m} is loaded by the first request of the parts`);
    for (const m of FILTER_MODULES) assert.ok(!after.includes(m), `${m} is not loaded by SNS's other parts`);
    assert.ok(!after.includes(SQS_QUERY), "SQS's Query codec is not loaded by SNS's Query requests");
    // SQS's Query codec: its first request (here an error: an unknown action) loads it and answers in XML.
    const query = (body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const bad = await query('Action=Frobnicate&Version=2012-11-05&QueueUrl=q');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /<Code>InvalidAction<\/Code>/);
    assert.ok(loaded().includes(SQS_QUERY), "SQS's Query codec is loaded by the first SQS Query request");
    const created = await query('Action=CreateQueue&Version=2012-11-05&QueueName=by-query');
    assert.equal(created.status, 200);
    assert.match(await created.text(), /<QueueUrl>http:\/\/127\.0\.0\.1:\d+\/000000000000\/by-query<\/QueueUrl>/);
    for (const m of ESM_MODULES) assert.ok(!after.includes(m), `${m} is not loaded at start nor by SNS`);
    const lambda = await lambdaClient(url);
    const { ListEventSourceMappingsCommand } = await import('@aws-sdk/client-lambda');
    for (const m of LAMBDA_OPERATIONS) assert.ok(!loaded().includes(m), `${m} is not loaded before the first Lambda request`);
    assert.deepEqual((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings, []);
    for (const m of [...ESM_MODULES, ...LAMBDA_OPERATIONS]) assert.ok(loaded().includes(m), `${m} is loaded by the first Lambda request (a mapping operation)`);
    await assert.rejects(lambda.send(new (await import('@aws-sdk/client-lambda')).GetFunctionCommand({ FunctionName: 'none' })), (e) => e.name === 'ResourceNotFoundException');
    lambda.destroy();
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Stops a started emulator and waits for it to exit (its state directory is then unlocked). */
async function stop(child) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

test("SNS's filter-policy engine: loaded by the first Subscribe with a FilterPolicy, whose publish then filters; stored, it is loaded at start", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-lazy-filters-'));
  const stateDir = join(dir, 'state');
  const attrs = (color) => ({ color: { DataType: 'String', StringValue: color } });
  /** Publishes red then blue: the subscription's queue gets only red. */
  const publishFiltered = async (url, TopicArn, QueueUrl) => {
    const sns = await snsClient(url);
    const sqs = await sqsClient(url);
    await sns.send(new PublishCommand({ TopicArn, Message: 'blue', MessageAttributes: attrs('blue') }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'red', MessageAttributes: attrs('red') }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    assert.deepEqual(got.Messages.map((m) => m.Body), ['red']);
    await sqs.send(new (await import('@aws-sdk/client-sqs')).DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages[0].ReceiptHandle }));
    sns.destroy();
    sqs.destroy();
  };
  try {
    let run = await startLogged(dir, stateDir);
    let TopicArn;
    let QueueUrl;
    try {
      for (const m of FILTER_MODULES) assert.ok(!run.loaded().includes(m), `${m} is not loaded at start`);
      const sns = await snsClient(run.url);
      const sqs = await sqsClient(run.url);
      ({ TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'colors' })));
      const queueArn = 'arn:aws:sqs:us-east-1:000000000000:reds';
      ({ QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'reds', Attributes: { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn }] }) } })));
      // A subscription without attributes needs no engine.
      const plain = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn, ReturnSubscriptionArn: true }));
      for (const m of FILTER_MODULES) assert.ok(!run.loaded().includes(m), `${m} is not loaded by a Subscribe without a FilterPolicy`);
      await sns.send(new (await import('@aws-sdk/client-sns')).UnsubscribeCommand({ SubscriptionArn: plain.SubscriptionArn }));
      // An invalid policy is refused by the first request, as AWS refuses it.
      await assert.rejects(
        sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { FilterPolicy: '{"color": "red"}', RawMessageDelivery: 'true' } })),
        (e) => e.name === 'InvalidParameterException' && /FilterPolicy/.test(e.message),
      );
      for (const m of FILTER_MODULES) assert.ok(run.loaded().includes(m), `${m} is loaded by the first Subscribe with a FilterPolicy`);
      const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { FilterPolicy: JSON.stringify({ color: ['red'] }), RawMessageDelivery: 'true' } }));
      await assert.rejects(
        sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '[' })),
        (e) => e.name === 'InvalidParameterException',
      );
      sns.destroy();
      sqs.destroy();
      await publishFiltered(run.url, TopicArn, QueueUrl);
    } finally {
      await stop(run.child);
    }
    run = await startLogged(dir, stateDir);
    try {
      for (const m of FILTER_MODULES) assert.ok(run.loaded().includes(m), `${m} is loaded at start for the stored FilterPolicy`);
      await publishFiltered(run.url, TopicArn, QueueUrl);
    } finally {
      await stop(run.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Each part's first request on a fresh emulator (nothing of the parts loaded yet in it) answers as AWS does. */
async function firstRequest(fn) {
  const { emu, url } = await startTestEmulator();
  const sns = await snsClient(url);
  try {
    await fn(sns);
  } finally {
    sns.destroy();
    await emu.close();
  }
}

test('the first request to SNS platform applications answers correctly', () =>
  firstRequest(async (sns) => {
    const { PlatformApplicationArn } = await sns.send(
      new CreatePlatformApplicationCommand({ Name: 'app', Platform: 'GCM', Attributes: { PlatformCredential: 'key' } }),
    );
    assert.equal(PlatformApplicationArn, 'arn:aws:sns:us-east-1:000000000000:app/GCM/app');
    const list = await sns.send(new ListPlatformApplicationsCommand({}));
    assert.deepEqual(list.PlatformApplications.map((a) => a.PlatformApplicationArn), [PlatformApplicationArn]);
  }));

test('the first request to SNS SMS (a Publish to a phone number) answers correctly', () =>
  firstRequest(async (sns) => {
    const out = await sns.send(new PublishCommand({ PhoneNumber: '+15555550100', Message: 'hi' }));
    assert.match(out.MessageId, /^[0-9a-f-]{36}$/);
    await assert.rejects(sns.send(new PublishCommand({ PhoneNumber: 'nope', Message: 'hi' })), (e) => e.name === 'InvalidParameterException');
  }));

test('the first request to SNS data protection (a CreateTopic with a policy) answers correctly', () =>
  firstRequest(async (sns) => {
    await assert.rejects(sns.send(new CreateTopicCommand({ Name: 'bad', DataProtectionPolicy: '[' })), (e) => e.name === 'InvalidParameterException');
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 't', DataProtectionPolicy: POLICY }));
    const got = await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }));
    assert.equal(got.DataProtectionPolicy, POLICY);
  }));

test('event source mappings: the first CreateEventSourceMapping loads them and its poller delivers; stored ones are loaded at start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-lazy-esm-'));
  const L = await import('@aws-sdk/client-lambda');
  const drained = async (sqs, QueueUrl) => {
    await eventually(async () => {
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
      return a.ApproximateNumberOfMessages === '0' && a.ApproximateNumberOfMessagesNotVisible === '0';
    }, { what: 'the mapping consumed the message' });
  };
  try {
    let emu = await startEmulator({ port: 0, stateDir: dir, loadOnFirstUse: true });
    try {
      assert.equal(emu.lambda.esm, undefined, 'nothing stored: not loaded at start');
      const health = await (await fetch(`${emu.url}/_svl/health`)).json();
      assert.equal(health.lambda.eventSourceMappings, 0);
      const lambda = await lambdaClient(emu.url);
      const sqs = await sqsClient(emu.url);
      await lambda.send(new L.CreateFunctionCommand({ FunctionName: 'f', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.echo', Code: { ZipFile: fixtureZip('node-cjs') } }));
      await emu.lambda.whenActive('f');
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
      const m = await lambda.send(new L.CreateEventSourceMappingCommand({ FunctionName: 'f', EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:q', BatchSize: 1 }));
      assert.equal(m.State, 'Creating');
      assert.ok(emu.lambda.esm, 'loaded by the first mapping operation');
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
      await drained(sqs, QueueUrl);
      lambda.destroy();
      sqs.destroy();
    } finally {
      await emu.close();
    }
    emu = await startEmulator({ port: 0, stateDir: dir, loadOnFirstUse: true });
    try {
      assert.ok(emu.lambda.esm, 'a stored mapping: loaded at start, to resume its pollers');
      const sqs = await sqsClient(emu.url);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'two' }));
      await drained(sqs, QueueUrl);
      sqs.destroy();
    } finally {
      await emu.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
