// A flow spec that declares its functions (`functions`: name, handler, code directory relative to the
// spec, timeout, environment), through the built CLI on an in-process emulator: apply creates them (tagged
// with the flow) before the mapping that needs them, a sent message is consumed; apply again changes
// nothing; editing one function's handler file updates that function only (its CodeSha256); a bad code
// directory is refused before anything changes (exit 2, Hint); export writes them; destroy removes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svl, NO_STACK } from '../helpers/cli.mjs';
import { lambdaE2eSuite, eventually } from '../helpers/lambda.mjs';

let t;
let env;
let work;
lambdaE2eSuite('svl-flow-functions-', (s) => ({ t, env, work } = s));

const json = (r) => {
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout);
};
const handler = (word) => `export const handler = async (event) => { for (const r of event.Records ?? []) console.log('${word}', r.body); return { batchItemFailures: [] }; };\n`;

test('apply deploys declared functions, then converges: no changes; one handler edited -> only that function updated; destroy removes them', async () => {
  const cwd = mkdtempSync(join(work, 'fns-'));
  const app = join(cwd, 'app');
  for (const d of ['worker', 'audit']) mkdirSync(join(app, d), { recursive: true });
  writeFileSync(join(app, 'worker', 'index.mjs'), handler('worked'));
  writeFileSync(join(app, 'audit', 'index.mjs'), handler('audited'));
  const spec = {
    name: 'fx',
    topic: { name: 'fx' },
    queues: [
      { id: 'jobs', name: 'fx-jobs', visibilityTimeout: 30, consumer: { function: 'fx-worker' } },
      { id: 'audit', name: 'fx-audit', consumer: { function: 'fx-audit' } },
    ],
    functions: [
      { name: 'fx-worker', handler: 'index.handler', code: './worker', timeout: 10, environment: { MODE: 'test' } },
      { name: 'fx-audit', handler: 'index.handler', code: './audit' },
    ],
  };
  const file = join(app, 'fx.flow.json');
  writeFileSync(file, JSON.stringify(spec, null, 2));
  // Run from another directory: the code directories are relative to the spec file, not to the cwd.
  const run = (args) => svl([...args, '--local'], { env, cwd, timeoutMs: 60_000 });

  const plan = json(await run(['plan', file, '--json']));
  assert.deepEqual(plan.plan.steps.filter((s) => s.kind === 'function').map((s) => `${s.action} ${s.name}`), ['create fx-worker', 'create fx-audit']);
  const first = json(await run(['apply', file, '--yes', '--json']));
  const kinds = first.done.map((s) => `${s.action} ${s.kind}`);
  assert.ok(kinds.indexOf('create function') < kinds.indexOf('create consumer'), 'functions before the mappings');
  assert.equal(first.done.filter((s) => s.kind === 'consumer').length, 2, 'both mappings created in the same run');
  const worker = await t.send('GetFunction', { FunctionName: 'fx-worker' });
  assert.equal(worker.Tags['svl:flow'], 'fx');
  assert.equal(worker.Configuration.Timeout, 10);
  assert.deepEqual(worker.Configuration.Environment.Variables, { MODE: 'test' });
  assert.equal((await t.send('GetFunctionConfiguration', { FunctionName: 'fx-audit' })).Runtime, 'nodejs24.x', 'the default runtime');

  json(await run(['send', 'fx-jobs', 'job-1', '--json']));
  await eventually(async () => (await t.logs('fx-worker')).some((e) => e.text.includes('worked job-1')), { timeoutMs: 30_000, what: 'the declared function to consume the job' });

  const again = json(await run(['apply', file, '--json']));
  assert.equal(again.changed, false);
  assert.deepEqual(again.plan.steps, []);
  const human = await run(['apply', file]);
  assert.match(human.stdout, /No changes: flow fx already matches/);

  // One handler edited: that function's code is updated, nothing else.
  const auditSha = (await t.send('GetFunctionConfiguration', { FunctionName: 'fx-audit' })).CodeSha256;
  writeFileSync(join(app, 'worker', 'index.mjs'), handler('worked v2'));
  const edited = json(await run(['apply', file, '--yes', '--json']));
  assert.deepEqual(edited.done.map((s) => `${s.action} ${s.kind} ${s.name} ${s.changes.join(',')}`), ['update function fx-worker code']);
  assert.equal((await t.send('GetFunctionConfiguration', { FunctionName: 'fx-audit' })).CodeSha256, auditSha);
  // A configuration change only: that one setting.
  spec.functions[1].memory = 256;
  writeFileSync(file, JSON.stringify(spec, null, 2));
  const config = json(await run(['apply', file, '--yes', '--json']));
  assert.deepEqual(config.done.map((s) => `${s.action} ${s.kind} ${s.name} ${s.changes.join(',')}`), ['update function fx-audit MemorySize: 128 -> 256']);
  assert.equal(json(await run(['apply', file, '--json'])).changed, false);

  // A code directory that is not there: refused before anything changes.
  const bad = join(app, 'bad.flow.json');
  writeFileSync(bad, JSON.stringify({ ...spec, functions: [{ ...spec.functions[0], code: './nowhere' }, spec.functions[1]] }));
  const refused = await run(['apply', bad, '--yes']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /functions\[0\]\.code: .*nowhere is not a directory \(the path is relative to the spec file\)\nHint: /);
  assert.doesNotMatch(refused.stderr, NO_STACK);

  // Export to stdout: Terraform zips the directories relative to where it is written (here: the cwd);
  // CloudFormation's packages need --out, and svl says so.
  const tf = await svl(['export', file, '--format', 'terraform'], { env, cwd });
  assert.equal(tf.code, 0, tf.stderr);
  assert.match(tf.stdout, /source_dir\s+= "\$\{path\.module\}\/app\/worker"/);
  assert.match(tf.stdout, /resource "aws_lambda_function" "fx_audit"/);
  const cfn = await svl(['export', file, '--format', 'cloudformation'], { env, cwd });
  assert.equal(cfn.code, 0, cfn.stderr);
  assert.equal(JSON.parse(cfn.stdout).Resources.FxWorkerFunction.Type, 'AWS::Lambda::Function');
  assert.match(cfn.stderr, /The function packages are written only with --out \(next to the template\)/);

  const gone = json(await run(['destroy', file, '--yes', '--json']));
  assert.deepEqual(gone.deleted.filter((s) => s.kind === 'function').map((s) => s.name).sort(), ['fx-audit', 'fx-worker']);
  assert.deepEqual((await t.send('ListFunctions', {})).Functions.map((f) => f.FunctionName).filter((n) => n.startsWith('fx-')), []);
});
