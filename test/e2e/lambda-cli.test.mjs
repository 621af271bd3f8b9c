// e2e: the built `svl deploy`, `svl invoke` and `svl logs` against an in-process emulator: stdout
// carries the payload untouched, stderr the status; function errors exit 1; bad flags exit 2.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { svl, localEnv } from '../helpers/cli.mjs';
import { setupLambda, fixtures } from '../helpers/lambda.mjs';

let t;
let env;
let work;
before(async () => {
  t = await setupLambda();
  env = localEnv(t.url);
  work = mkdtempSync(join(tmpdir(), 'svl-lambda-e2e-'));
});
after(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
});

const run = (args, opts = {}) => svl([...args, '--local'], { env, ...opts });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('deploy creates, then updates, a function from a directory', async () => {
  let r = await run(['deploy', join(fixtures, 'node-cjs'), '--name', 'cli-echo', '--handler', 'index.echo', '--timeout', '5', '--env', 'STAGE=test']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'arn:aws:lambda:us-east-1:000000000000:function:cli-echo\n');
  assert.match(r.stderr, /Created cli-echo \(nodejs20\.x, index\.echo, [\d.]+ KB\) — Active/);
  const conf = await t.send('GetFunctionConfiguration', { FunctionName: 'cli-echo' });
  assert.equal(conf.Timeout, 5);
  assert.deepEqual(conf.Environment.Variables, { STAGE: 'test' });
  r = await run(['deploy', join(fixtures, 'node-cjs'), '--name', 'cli-echo', '--memory', '256', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.action, 'updated');
  assert.equal(out.handler, 'index.echo');
  assert.equal((await t.send('GetFunctionConfiguration', { FunctionName: 'cli-echo' })).MemorySize, 256);
  // Runtime and handler are detected from the files.
  r = await run(['deploy', join(fixtures, 'python'), '--name', 'cli-py', '--handler', 'app.handler']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /python3\.12, app\.handler/);
  r = await run(['deploy', join(fixtures, 'provided'), '--name', 'cli-shell']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /provided\.al2023, bootstrap/);
});

test('invoke: the payload goes to stdout untouched; status, duration and request id to stderr', async () => {
  const r = await run(['invoke', 'cli-echo', '--payload', '{"a":1}']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '{"echo":{"a":1}}\n');
  assert.match(r.stderr, /cli-echo: 200 in [\d.]+ ms \(\$LATEST\) \(request [0-9a-f-]{36}\)/);
  assert.doesNotMatch(r.stderr, /START RequestId/);
  const withLogs = await run(['invoke', 'cli-shell', '--payload', '[1]', '--logs']);
  assert.equal(withLogs.code, 0, withLogs.stderr);
  assert.equal(withLogs.stdout, '{"shell":true,"event":[1]}\n');
  assert.match(withLogs.stderr, /START RequestId: [0-9a-f-]{36} Version: \$LATEST\n[\s\S]*REPORT RequestId/);
});

test('invoke: payload from stdin, from @file, and {} when there is none', async () => {
  let r = await run(['invoke', 'cli-echo'], { input: '{"from":"stdin"}' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '{"echo":{"from":"stdin"}}\n');
  const file = join(work, 'event.json');
  writeFileSync(file, '{"from":"file"}');
  r = await run(['invoke', 'cli-echo', '--payload', `@${file}`]);
  assert.equal(r.stdout, '{"echo":{"from":"file"}}\n');
  r = await run(['invoke', 'cli-echo'], { input: '' });
  assert.equal(r.stdout, '{"echo":{}}\n');
});

test('invoke --json prints the whole result as one object', async () => {
  const r = await run(['invoke', 'cli-echo', '--payload', '{"j":true}', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.function, 'cli-echo');
  assert.equal(o.mode, 'sync');
  assert.equal(o.statusCode, 200);
  assert.match(o.requestId, UUID);
  assert.equal(typeof o.durationMs, 'number');
  assert.equal(o.executedVersion, '$LATEST');
  assert.equal(o.functionError, null);
  assert.deepEqual(o.payload, { echo: { j: true } });
  assert.match(o.log, /^START RequestId/);
});

test('a function error exits 1 with the error type, message and trace rendered', async () => {
  let r = await run(['deploy', join(fixtures, 'node-cjs'), '--name', 'cli-fail', '--handler', 'index.fail']);
  assert.equal(r.code, 0, r.stderr);
  r = await run(['invoke', 'cli-fail', '--payload', '{"message":"broken"}']);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).errorType, 'TypeError');
  assert.match(r.stderr, /cli-fail: 200 Unhandled in/);
  assert.match(r.stderr, /TypeError: broken/);
  assert.match(r.stderr, /\s+at exports\.fail /);
  assert.match(r.stderr, /Function cli-fail failed: TypeError: broken/);
  assert.match(r.stderr, /svl logs cli-fail/);
  const j = await run(['invoke', 'cli-fail', '--payload', '{}', '--json']);
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.stdout.slice(0, j.stdout.lastIndexOf('}') + 1)).functionError, 'Unhandled');
});

test('invoke --async prints the request id (202); --dry-run prints nothing', async () => {
  let r = await run(['invoke', 'cli-echo', '--async', '--payload', '{"later":1}']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.trim(), UUID);
  assert.match(r.stderr, /queued, 202/);
  r = await run(['invoke', 'cli-echo', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /dry run OK, 204/);
});

test('invoke --async --wait follows the outcome to the OnSuccess queue', async () => {
  const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
  await t.sqs.send(new CreateQueueCommand({ QueueName: 'cli-outcomes' }));
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'cli-echo', DestinationConfig: { OnSuccess: { Destination: 'arn:aws:sqs:us-east-1:000000000000:cli-outcomes' } } });
  const r = await run(['invoke', 'cli-echo', '--async', '--wait', '--payload', '{"w":1}', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.statusCode, 202);
  assert.equal(o.outcome.condition, 'Success');
  assert.equal(o.outcome.via, 'OnSuccess');
  assert.equal(o.outcome.record.requestContext.requestId, o.requestId);
  assert.deepEqual(o.outcome.record.responsePayload, { echo: { w: 1 } });
  // Nothing to follow: a usage error before invoking.
  const none = await run(['invoke', 'cli-py', '--async', '--wait']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--wait has nothing to follow/);
});

test('invoke bad input: clear errors, exit 2 (1 for a missing function)', async () => {
  const cases = [
    [['invoke', 'cli-echo', '--payload', '{nope'], /The payload is not valid JSON/],
    [['invoke', 'cli-echo', '--async', '--dry-run'], /--async and --dry-run exclude each other/],
    [['invoke', 'cli-echo', '--wait'], /--wait only applies to --async/],
    [['invoke', 'cli-echo', '--async', '--wait', '--wait-timeout', 'soon'], /--wait-timeout must be a number/],
    [['invoke', 'bad name!'], /is not a function name or ARN/],
    [['invoke', 'cli-echo', '--qualifier', 'a b'], /--qualifier/],
    [['invoke', 'cli-echo', '--payload', '@/no/such/file.json'], /cannot read/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
  const missing = await run(['invoke', 'ghost-fn']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Function "ghost-fn" not found \(local emulator\)/);
});

test('logs prints the kept invocation logs; --json is NDJSON', async () => {
  const r = await run(['logs', 'cli-fail']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /START RequestId: [0-9a-f-]{36} Version: \$LATEST/);
  assert.match(r.stdout, /Invoke Error/);
  assert.match(r.stdout, /REPORT RequestId/);
  const j = await run(['logs', 'cli-echo', '--json']);
  assert.equal(j.code, 0, j.stderr);
  const lines = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length >= 4);
  assert.ok(lines.every((l) => l.function === 'cli-echo' && UUID.test(l.requestId) && l.outcome === 'ok' && l.message.startsWith('START')));
  const none = await run(['logs', 'cli-echo', '--since', '2000-01-01T00:00:00Z']);
  assert.equal(none.code, 0);
});

test('logs and deploy bad input', async () => {
  const cases = [
    [['logs', 'cli-echo', '--since', 'yesterday'], 2, /--since must be an age/],
    [['logs', 'bad name!'], 2, /must be a function name/],
    [['logs', 'ghost-fn'], 1, /Function not found/],
    [['deploy', join(fixtures, 'node-cjs')], 2, /--name is required/],
    [['deploy', '/no/such/dir', '--name', 'x1'], 2, /is not a directory/],
    [['deploy', join(fixtures, 'node-cjs'), '--name', 'x1', '--runtime', 'cobol'], 2, /--runtime "cobol" is not one of/],
    [['deploy', join(fixtures, 'node-cjs'), '--name', 'x1', '--timeout', '0'], 2, /--timeout must be a whole number from 1 to 900/],
    [['deploy', join(fixtures, 'node-cjs'), '--name', 'x1', '--memory', '64'], 2, /--memory must be a whole number from 128/],
    [['deploy', join(fixtures, 'node-cjs'), '--name', 'x1', '--env', 'novalue'], 2, /--env "novalue" must look like KEY=value/],
    [['deploy', join(fixtures, 'node-cjs'), '--name', 'bad name'], 2, /--name "bad name"/],
    [['deploy', join(fixtures, 'node-cjs'), '--name', 'x1', '--role', 'admin'], 2, /--role "admin" is not an IAM role ARN/],
  ];
  const libOnly = join(work, 'lib-only');
  const empty = join(work, 'empty');
  (await import('node:fs')).mkdirSync(libOnly, { recursive: true });
  (await import('node:fs')).mkdirSync(empty, { recursive: true });
  writeFileSync(join(libOnly, 'lib.js'), 'exports.x = 1;');
  cases.push([['deploy', libOnly, '--name', 'x1'], 2, /Cannot tell the handler/]);
  cases.push([['deploy', empty, '--name', 'x1'], 2, /Cannot tell the runtime/]);
  for (const [args, code, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test('queue-worker end to end: init writes, deploys and wires the handler; redeploy after an edit; messages flow', async () => {
  const cwd = mkdtempSync(join(work, 'flow-'));
  const at = (args, extra = {}) => svl([...args, '--local'], { env, cwd, ...extra });
  let r = await at(['init', 'queue-worker', 'qw', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /does not exist yet/);
  const [m] = (await t.send('ListEventSourceMappings', { FunctionName: 'qw-work-worker' })).EventSourceMappings;
  assert.equal(m.BatchSize, 10);
  assert.deepEqual(m.FunctionResponseTypes, ['ReportBatchItemFailures']);
  // Editing the handler and deploying it again is `svl deploy` on the written directory.
  r = await at(['deploy', join(cwd, 'qw-worker'), '--name', 'qw-work-worker']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Updated qw-work-worker \(nodejs20\.x, index\.handler/);
  // A second apply has nothing to do.
  assert.equal(JSON.parse((await at(['apply', '--json'])).stdout).changed, false);
  // Jobs sent to the queue are processed by the handler; `svl logs` shows it.
  r = await at(['send', 'qw-work', '{"id":"job-1"}']);
  assert.equal(r.code, 0, r.stderr);
  let logs;
  for (let i = 0; i < 100; i++) {
    logs = await at(['logs', 'qw-work-worker']);
    if (logs.stdout.includes('processing job job-1')) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.match(logs.stdout, /INFO\tprocessing job job-1/);
  r = await at(['destroy', 'qw', '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  // Destroy takes the flow's consumer with its queue; the function itself is not the flow's.
  assert.ok(JSON.parse(r.stdout).deleted.some((s) => s.kind === 'consumer' && s.name === 'qw-work -> λ qw-work-worker'));
  assert.deepEqual((await t.send('ListEventSourceMappings', { FunctionName: 'qw-work-worker' })).EventSourceMappings, []);
});
