// What `svl local start` loads before its first healthy answer, and what the first request of an
// occasional part loads: SNS's platform applications, SMS and data protection are imported by the first
// operation of theirs (src/local/sns/service.ts, optionalParts), not at start. The built bin runs under a
// module-load logger (test/helpers/module-log.mjs); each part's first request is also checked in process,
// one fresh emulator per part, for its answer.
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
} from '@aws-sdk/client-sns';
import { bin, freePort } from '../helpers/cli.mjs';
import { snsClient, startTestEmulator } from '../helpers/emulator.mjs';

const moduleLog = fileURLToPath(new URL('../helpers/module-log.mjs', import.meta.url));
const SNS_OPTIONAL = ['dist/local/sns/platform.js', 'dist/local/sns/sms.js', 'dist/local/sns/data-protection.js'];
const POLICY = JSON.stringify({ Name: 'p', Description: '', Version: '2021-06-01', Statement: [] });

/** `svl local start --in-memory` under the module logger; `loaded()` lists the dist/ modules loaded so far. */
async function startLogged() {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', moduleLog, bin, 'local', 'start', '--in-memory', '--port', String(port), '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const loaded = () => [...stderr.matchAll(/^svl-module-loaded .*?\/(dist\/\S+)$/gm)].map((m) => m[1]);
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

test('svl local start answers healthy without SNS platform/SMS/data protection; their first request loads them', async () => {
  const { child, url, loaded } = await startLogged();
  try {
    const atStart = loaded();
    assert.ok(atStart.includes('dist/local/sns/service.js'), `the logger sees start-up's modules: ${atStart.join(' ')}`);
    for (const m of SNS_OPTIONAL) assert.ok(!atStart.includes(m), `${m} is not loaded at start`);
    const sns = await snsClient(url);
    const out = await sns.send(new GetSMSSandboxAccountStatusCommand({}));
    assert.equal(out.IsInSandbox, true);
    sns.destroy();
    const after = loaded();
    for (const m of SNS_OPTIONAL) assert.ok(after.includes(m), `${m} is loaded by the first request of the parts`);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
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
