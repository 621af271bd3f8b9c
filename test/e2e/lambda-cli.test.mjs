// e2e: the built `svl deploy`, `svl invoke` and `svl logs` against an in-process emulator: stdout
// carries the payload untouched, stderr the status; function errors exit 1; bad flags exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svl, NO_STACK } from '../helpers/cli.mjs';
import { spawnSvl } from '../helpers/spawn.mjs';
import { lambdaE2eSuite, fixtures, eventually } from '../helpers/lambda.mjs';

let t;
let env;
let work;
lambdaE2eSuite('svl-lambda-e2e-', (s) => ({ t, env, work } = s));

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
  // Without destinations the emulator's own record of the invocation is followed.
  const plain = await run(['invoke', 'cli-py', '--async', '--wait', '--json']);
  assert.equal(plain.code, 0, plain.stderr);
  const p = JSON.parse(plain.stdout);
  assert.deepEqual([p.outcome.condition, p.outcome.via, p.outcome.destination, p.outcome.attempts, p.outcome.lastError], ['Success', 'emulator', null, 1, null]);
  assert.match(p.outcome.log, new RegExp(`START RequestId: ${p.requestId}[\\s\\S]*REPORT RequestId: ${p.requestId}`));
  const human = await run(['invoke', 'cli-py', '--async', '--wait']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stderr, /Waiting for the outcome of [0-9a-f-]{36} on the emulator/);
  assert.match(human.stderr, /outcome: Success after 1 attempt\(s\)\n/);
  assert.match(human.stdout.trim(), UUID);
});

test('invoke --async --wait without destinations: a final failure exits 1 with the error and the log', async () => {
  await t.createFunction('cli-async-fail', { handler: 'index.fail' });
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'cli-async-fail', MaximumRetryAttempts: 0 });
  const r = await run(['invoke', 'cli-async-fail', '--async', '--wait', '--payload', '{"message":"kaputt"}', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const o = JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('}') + 1));
  assert.equal(o.outcome.condition, 'RetriesExhausted');
  assert.equal(o.outcome.attempts, 1);
  assert.deepEqual(o.outcome.lastError, { type: 'TypeError', message: 'kaputt' });
  assert.match(o.outcome.log, /Invoke Error/);
  const e = JSON.parse(r.stderr.trim().split('\n').pop()).error;
  assert.equal(e.message, `Async invocation ${o.requestId} of cli-async-fail ended with RetriesExhausted (TypeError: kaputt)`);
  assert.equal(e.hint, 'The full log: svl logs cli-async-fail --local');
  const human = await run(['invoke', 'cli-async-fail', '--async', '--wait', '--payload', '{"message":"kaputt"}']);
  assert.equal(human.code, 1);
  assert.match(human.stderr, /outcome: RetriesExhausted after 1 attempt\(s\)\n.*TypeError: kaputt\n[\s\S]*Invoke Error[\s\S]*Error: Async invocation/);
  assert.match(human.stderr, /Hint: The full log: svl logs cli-async-fail/);
  assert.doesNotMatch(human.stderr, NO_STACK);
});

test('invoke --async --wait follows retries on the emulator clock; --wait-timeout and Ctrl-C say where it stands', async () => {
  await t.createFunction('cli-async-retry', { handler: 'index.fail' });
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'cli-async-retry', MaximumRetryAttempts: 1 });
  const pendingOf = (fn) => t.emu.lambda.async.pending().find((p) => p.function === fn);
  const failedOnce = (fn) => eventually(() => pendingOf(fn)?.attempts === 1 && t.emu.lambda.async.status(pendingOf(fn).requestId).state === 'retrying', { what: `the first failed attempt of ${fn}` });
  // Follows the retry a minute later (on the fake clock) to the final outcome.
  const w = spawnSvl(['invoke', 'cli-async-retry', '--async', '--wait', '--payload', '{"message":"again"}', '--json', '--local'], { env });
  await failedOnce('cli-async-retry');
  t.clock.advance(60_000);
  const done = await w.done;
  assert.equal(done.code, 1, done.stderr);
  const o = JSON.parse(done.stdout.slice(0, done.stdout.lastIndexOf('}') + 1));
  assert.deepEqual([o.outcome.condition, o.outcome.attempts, o.outcome.lastError.message], ['RetriesExhausted', 2, 'again']);
  assert.equal(o.outcome.log.match(/START RequestId/g).length, 2, 'both attempts are in the log');
  // The deadline: exit 1, with the state so far.
  const slow = await run(['invoke', 'cli-async-retry', '--async', '--wait', '--wait-timeout', '1']);
  assert.equal(slow.code, 1, slow.stderr);
  assert.match(slow.stderr, /No outcome for [0-9a-f-]{36} within 1 s \((queued|running|retrying), \d attempts? so far/);
  assert.match(slow.stderr, /Hint: .*--wait-timeout/);
  t.clock.advance(60_000); // lets that invocation finish
  // Ctrl-C: 130, what was done, how to keep following; the invocation goes on in the emulator.
  const c = spawnSvl(['invoke', 'cli-async-retry', '--async', '--wait', '--local'], { env });
  await c.waitFor(/Waiting for the outcome of/);
  const id = /Waiting for the outcome of ([0-9a-f-]{36})/.exec(c.stderr)[1];
  await eventually(() => t.emu.lambda.async.status(id)?.state === 'retrying', { what: 'the first failed attempt' });
  const cancelledRun = await c.kill('SIGINT');
  assert.equal(cancelledRun.code, 130, cancelledRun.stderr);
  assert.match(cancelledRun.stderr, new RegExp(`Error: Cancelled: invoked cli-async-retry asynchronously \\(request ${id}\\) and stopped following it \\(retrying, 1 attempt so far`));
  assert.match(cancelledRun.stderr, /Hint: continue with: svl logs cli-async-retry --follow --local/);
  assert.equal(t.emu.lambda.async.status(id).state, 'retrying', 'the invocation itself is not cancelled');
  t.clock.advance(60_000);
  await eventually(() => t.emu.lambda.async.status(id)?.state === 'failed', { what: 'the retry' });
});

test('status shows each queue\'s Lambda consumers with state, batch size and the emulator\'s last error', async () => {
  const { CreateQueueCommand, SendMessageCommand } = await import('@aws-sdk/client-sqs');
  const tags = { 'svl:flow': 'billingflow' };
  const { QueueUrl } = await t.sqs.send(new CreateQueueCommand({ QueueName: 'cli-consumed', tags }));
  await t.sqs.send(new CreateQueueCommand({ QueueName: 'cli-idle', tags }));
  await t.createFunction('cli-consumer', { handler: 'index.fail' });
  await t.createFunction('cli-idle-consumer');
  const arn = (q) => `arn:aws:sqs:us-east-1:000000000000:${q}`;
  const m = await t.send('CreateEventSourceMapping', { FunctionName: 'cli-consumer', EventSourceArn: arn('cli-consumed'), BatchSize: 5 });
  await t.send('CreateEventSourceMapping', { FunctionName: 'cli-idle-consumer', EventSourceArn: arn('cli-idle'), Enabled: false });
  await t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"message":"card declined"}' }));
  await eventually(() => t.emu.lambda.esm.health().find((h) => h.uuid === m.UUID)?.lastError, { what: 'the failed batch' });
  const r = await run(['status', 'billingflow', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.lambda, { available: true });
  assert.equal(s.consumers.length, 2);
  const [consumed, idle] = s.consumers;
  assert.deepEqual({ ...consumed, lastError: { ...consumed.lastError, at: typeof consumed.lastError.at } }, {
    queue: 'cli-consumed', function: 'cli-consumer', uuid: m.UUID, state: 'Enabled', batchSize: 5, stateTransitionReason: 'USER_INITIATED', lastProcessingResult: null,
    lastError: { type: 'TypeError', message: 'boom', at: 'string' },
  });
  assert.deepEqual([idle.queue, idle.function, idle.state, idle.batchSize, idle.lastError], ['cli-idle', 'cli-idle-consumer', 'Disabled', 10, null]);
  const human = await run(['status', 'billingflow']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /Lambda consumers\n/);
  assert.match(human.stdout, /│ cli-consumed +│ λ cli-consumer +│ Enabled +│ 5 +│ TypeError: boom at \d\d:\d\d:\d\d │/);
  assert.match(human.stdout, /│ cli-idle +│ λ cli-idle-consumer +│ Disabled +│ 10 +│ - +│/);
  // The overview lists every consumer too.
  const all = JSON.parse((await run(['status', '--json'])).stdout);
  assert.ok(all.consumers.some((c) => c.uuid === m.UUID && c.lastError?.type === 'TypeError'));
  for (const c of (await t.send('ListEventSourceMappings', {})).EventSourceMappings) await t.send('DeleteEventSourceMapping', { UUID: c.UUID });
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

test('Ctrl-C: logs --follow says how many events it printed; invoke --async --wait says the invocation runs on (exit 130)', async () => {
  const { spawnSvl } = await import('../helpers/spawn.mjs');
  const follow = spawnSvl(['logs', 'cli-echo', '--follow', '--local'], { env });
  await follow.waitFor(/START RequestId/, 'stdout');
  const f = await follow.kill('SIGINT');
  assert.equal(f.code, 130, f.stderr);
  assert.match(f.stderr, /Error: Cancelled: printed \d+ log events of cli-echo\n/);

  // Only failures are sent anywhere, and this function succeeds: nothing will arrive to wait for.
  const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
  await t.sqs.send(new CreateQueueCommand({ QueueName: 'cli-failures' }));
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'cli-py', DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:cli-failures' } } });
  const wait = spawnSvl(['invoke', 'cli-py', '--async', '--wait', '--json', '--local'], { env });
  await wait.waitFor(/Waiting for the outcome of/);
  const w = await wait.kill('SIGINT');
  assert.equal(w.code, 130, w.stderr);
  const partial = JSON.parse(w.stdout);
  assert.equal(partial.statusCode, 202);
  const error = JSON.parse(w.stderr.trim().split('\n').pop()).error;
  // The emulator follows the invocation itself (destinations or not); how far it got depends on when the signal came.
  assert.match(error.message, new RegExp(`^Cancelled: invoked cli-py asynchronously \\(request ${partial.requestId}\\) and stopped following it \\((queued|running|succeeded), \\d attempts? so far\\)`));
  assert.equal(error.hint, 'continue with: svl logs cli-py --follow --local');
});
