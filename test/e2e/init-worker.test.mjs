// `svl init queue-worker` end to end on an in-process emulator, through the built CLI: one command
// writes the handler into ./<name>-worker/, deploys it (deploy's code path), applies the flow with its
// event source mapping, and a message sent to the queue is consumed by that handler. Also: no
// overwrite without --force, --dry-run writes nothing, and `svl init --list` names the templates with code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svl, root, NO_STACK } from '../helpers/cli.mjs';
import { lambdaE2eSuite, eventually } from '../helpers/lambda.mjs';

let t;
let env;
let work;
lambdaE2eSuite('svl-init-worker-', (s) => ({ t, env, work } = s));

const at = (cwd) => (args) => svl([...args, '--local'], { env, cwd });
const template = readFileSync(join(root, 'templates', 'queue-worker', 'index.mjs'), 'utf8');
const queueCounts = async (name) => {
  const S = await import('@aws-sdk/client-sqs');
  const { QueueUrl } = await t.sqs.send(new S.GetQueueUrlCommand({ QueueName: name }));
  const a = (await t.sqs.send(new S.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
  return { visible: Number(a.ApproximateNumberOfMessages), inflight: Number(a.ApproximateNumberOfMessagesNotVisible), visibility: Number(a.VisibilityTimeout) };
};

test('init queue-worker: handler written, function deployed, mapping created, a sent job is consumed by the handler', async () => {
  const cwd = mkdtempSync(join(work, 'qw-'));
  const run = at(cwd);
  let r = await run(['init', 'queue-worker', 'qw', '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /does not exist yet/);
  const out = JSON.parse(r.stdout);
  // the handler, in the user's project
  assert.equal(readFileSync(join(cwd, 'qw-worker', 'index.mjs'), 'utf8'), template);
  assert.equal(out.code.dir, join(cwd, 'qw-worker'));
  assert.deepEqual(out.code.deployed.map((d) => [d.function, d.action, d.runtime, d.handler]), [['qw-work-worker', 'created', 'nodejs20.x', 'index.handler']]);
  // the function, with the template's timeout
  const fn = await t.send('GetFunctionConfiguration', { FunctionName: 'qw-work-worker' });
  assert.equal(fn.Timeout, 10);
  assert.equal(fn.State, 'Active');
  // the mapping, created by the same command
  assert.ok(out.applied.done.some((s) => s.action === 'create' && s.kind === 'consumer' && s.name === 'qw-work -> λ qw-work-worker'), JSON.stringify(out.applied.done));
  const [m] = (await t.send('ListEventSourceMappings', { FunctionName: 'qw-work-worker' })).EventSourceMappings;
  assert.equal(m.EventSourceArn, 'arn:aws:sqs:us-east-1:000000000000:qw-work');
  assert.equal(m.BatchSize, 10);
  assert.deepEqual(m.FunctionResponseTypes, ['ReportBatchItemFailures']);
  const spec = JSON.parse(readFileSync(join(cwd, 'qw.flow.json'), 'utf8'));
  assert.deepEqual(spec.queues[0].consumer, { function: 'qw-work-worker', batchSize: 10, batchingWindowSeconds: 0, reportBatchItemFailures: true, timeout: 10 });

  // a job sent to the queue is processed by the handler (its log line), then deleted from the queue
  r = await run(['send', 'qw-work', '{"id":"job-7"}']);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await t.logs('qw-work-worker')).some((e) => e.text.includes('processing job job-7')), { timeoutMs: 20_000, what: 'the handler to log job-7' });
  await eventually(async () => {
    const c = await queueCounts('qw-work');
    return c.visible === 0 && c.inflight === 0;
  }, { timeoutMs: 20_000, what: 'the job to be deleted from qw-work' });

  // the same init again: nothing to change, the unchanged handler directory is fine
  r = await run(['init', 'queue-worker', 'qw', '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const again = JSON.parse(r.stdout);
  assert.equal(again.applied.changed, false);
  assert.equal(again.code.written, false);
  assert.equal((await t.send('ListEventSourceMappings', { FunctionName: 'qw-work-worker' })).EventSourceMappings.length, 1);

  r = await run(['destroy', 'qw', '--yes']);
  assert.equal(r.code, 0, r.stderr);
});

test('init queue-worker never overwrites an existing directory or file without --force (exit 2, nothing created)', async () => {
  const cwd = mkdtempSync(join(work, 'nf-'));
  const run = at(cwd);
  mkdirSync(join(cwd, 'nf-worker'));
  writeFileSync(join(cwd, 'nf-worker', 'index.mjs'), '// mine\n');
  let r = await run(['init', 'queue-worker', 'nf', '--yes']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /nf-worker already exists; svl init does not overwrite it/);
  assert.match(r.stderr, /Hint: .*--force/);
  assert.doesNotMatch(r.stderr, NO_STACK);
  assert.equal(r.stdout, '');
  assert.equal(readFileSync(join(cwd, 'nf-worker', 'index.mjs'), 'utf8'), '// mine\n');
  assert.equal(existsSync(join(cwd, 'nf.flow.json')), false);
  const S = await import('@aws-sdk/client-sqs');
  assert.deepEqual((await t.sqs.send(new S.ListQueuesCommand({ QueueNamePrefix: 'nf' }))).QueueUrls ?? [], []);
  await assert.rejects(t.send('GetFunctionConfiguration', { FunctionName: 'nf-work-worker' }), { name: 'ResourceNotFoundException' });

  // a file of that name is refused the same way
  const cwd2 = mkdtempSync(join(work, 'nf2-'));
  writeFileSync(join(cwd2, 'nf-worker'), 'a file');
  r = await at(cwd2)(['init', 'queue-worker', 'nf', '--yes']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /already exists/);

  // --force writes the template's handler over it, and the rest follows
  r = await run(['init', 'queue-worker', 'nf', '--yes', '--force']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(cwd, 'nf-worker', 'index.mjs'), 'utf8'), template);
  assert.equal((await t.send('ListEventSourceMappings', { FunctionName: 'nf-work-worker' })).EventSourceMappings.length, 1);
  assert.equal((await run(['destroy', 'nf', '--yes'])).code, 0);
});

test('init queue-worker --dry-run shows the plan (consumer included) and writes, deploys and creates nothing', async () => {
  const cwd = mkdtempSync(join(work, 'dry-'));
  const r = await at(cwd)(['init', 'queue-worker', 'dry', '--dry-run', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /does not exist yet/);
  const out = JSON.parse(r.stdout);
  assert.ok(out.plan.steps.some((s) => s.action === 'create' && s.kind === 'consumer'));
  assert.equal(existsSync(join(cwd, 'dry-worker')), false);
  assert.equal(existsSync(join(cwd, 'dry.flow.json')), false);
  await assert.rejects(t.send('GetFunctionConfiguration', { FunctionName: 'dry-work-worker' }), { name: 'ResourceNotFoundException' });
});

test('init --list says which templates come with code', async () => {
  const r = await svl(['init', '--list']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /queue-worker .*\n\s+comes with code: queue-worker\/ \(written to \.\/<name>-worker\/ and deployed\)/);
  assert.doesNotMatch(r.stdout.split('\n').filter((l) => /^\s+fanout /.test(l)).join('\n'), /code/);
  const j = JSON.parse((await svl(['init', '--list', '--json'])).stdout);
  assert.deepEqual(j.templates.filter((x) => x.code).map((x) => x.name), ['http-api', 'queue-worker', 'upload-pipeline', 'users-api', 'users-app', 'users-demo']);
  assert.equal(j.templates.find((x) => x.name === 'users-app').code, 'users-app/ (written to ./users-app/functions/ with the spec and deployed)');
  assert.equal(j.templates.find((x) => x.name === 'users-api').code, 'users-api/ (written to ./<name>-worker/ and deployed)');
  assert.equal(j.templates.find((x) => x.name === 'fanout').code, null);
});
