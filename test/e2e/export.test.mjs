// `svl export` end to end: the built CLI in a temporary working directory holding flow spec files.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_STACK, svl } from '../helpers/cli.mjs';
import { exportCloudFormation, exportTerraform } from '../../dist/flows/export.js';
import { validateSpec } from '../../dist/flows/spec.js';

const dirs = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh working directory with the given files (objects are written as JSON). */
function workdir(files = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'svl-export-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return dir;
}

const orders = {
  version: 1,
  name: 'orders',
  topic: { name: 'orders' },
  tags: { team: 'billing' },
  queues: [
    { id: 'billing', name: 'orders-billing', filterPolicy: { type: ['invoice'] }, consumer: { function: 'bill', batchSize: 20, batchingWindowSeconds: 2 } },
    { id: 'audit', name: 'orders-audit', dlq: false },
  ],
};
const spec = validateSpec(orders);

const noStack = (r) => assert.doesNotMatch(r.stderr, NO_STACK, 'no stack trace');

test('stdout: the *.flow.json of the working directory, as Terraform, untouched', async () => {
  const cwd = workdir({ 'orders.flow.json': orders, 'notes.json': '{}' });
  const r = await svl(['export', '--format', 'terraform'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, exportTerraform(spec));
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^# Flow "orders"/);
  assert.match(r.stdout, /resource "aws_lambda_event_source_mapping" "billing" \{/);
});

test('stdout: a named spec file as CloudFormation; --json wraps it with its format', async () => {
  const cwd = workdir({ 'a.flow.json': orders, 'b.flow.json': { ...orders, name: 'other' }, 'spec.json': orders });
  const r = await svl(['export', 'spec.json', '--format', 'cloudformation'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, exportCloudFormation(spec));
  const t = JSON.parse(r.stdout);
  assert.equal(t.AWSTemplateFormatVersion, '2010-09-09');
  assert.equal(t.Resources.BillingEventSourceMapping.Type, 'AWS::Lambda::EventSourceMapping');

  const j = await svl(['export', 'spec.json', '--format', 'terraform', '--json'], { cwd });
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), { format: 'terraform', flow: 'orders', source: 'spec.json', content: exportTerraform(spec) });
});

test('--out writes the file and prints its path; an existing file needs --yes', async () => {
  const cwd = workdir({ 'orders.flow.json': orders });
  const out = join(cwd, 'infra.tf');
  const r = await svl(['export', '--format', 'terraform', '--out', 'infra.tf'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${out}\n`);
  assert.equal(readFileSync(out, 'utf8'), exportTerraform(spec));
  assert.match(r.stderr, /terraform init && terraform plan/);

  writeFileSync(out, 'keep me');
  const refused = await svl(['export', '--format', 'cloudformation', '--out', 'infra.tf'], { cwd });
  assert.equal(refused.code, 2);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /Refusing to overwrite .*infra\.tf without --yes/);
  assert.equal(readFileSync(out, 'utf8'), 'keep me');

  const forced = await svl(['export', '--format', 'cloudformation', '--out', 'infra.tf', '--yes', '--json'], { cwd });
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(JSON.parse(forced.stdout), { format: 'cloudformation', flow: 'orders', source: 'orders.flow.json', path: out, content: exportCloudFormation(spec) });
  assert.equal(readFileSync(out, 'utf8'), exportCloudFormation(spec));
});

test('bad input: no spec, several specs, invalid spec, bad JSON, bad flags - exit 2, nothing on stdout', async () => {
  const empty = workdir();
  const two = workdir({ 'a.flow.json': orders, 'b.flow.json': orders });
  const bad = workdir({
    'bad.flow.json': { name: 'no spaces allowed', topic: { name: 'x', fifo: 'yes' }, queues: [{ name: 'q', dlq: { maxReceiveCount: 0 } }] },
    'broken.json': '{"name": ',
  });
  const ok = workdir({ 'orders.flow.json': orders });
  const cases = [
    [empty, ['export', '--format', 'terraform'], /No flow spec file \(\*\.flow\.json\)/],
    [two, ['export', '--format', 'terraform'], /Several flow spec files here: a\.flow\.json, b\.flow\.json/],
    [bad, ['export', '--format', 'terraform'], /Invalid .*bad\.flow\.json:\n {2}- name: must be 1-64 characters[^\n]*\n {2}- topic\.fifo: must be true or false\n {2}- queues\[0\]\.dlq\.maxReceiveCount: must be an integer from 1 to 1000/],
    [bad, ['export', 'broken.json', '--format', 'cloudformation'], /broken\.json is not valid JSON/],
    [bad, ['export', 'missing.json', '--format', 'terraform'], /Cannot read .*missing\.json: ENOENT/],
    [ok, ['export', '--format', 'pulumi'], /Allowed choices are terraform, cloudformation/],
    [ok, ['export'], /Missing --format/],
    [ok, ['export', '--format', 'terraform', '--out', 'no/such/dir/x.tf'], /--out: cannot write .*x\.tf \(ENOENT\)/],
    [ok, ['export', '--format', 'terraform', '--out', '.'], /--out: \. is a directory/],
  ];
  for (const [cwd, args, message] of cases) {
    const r = await svl(args, { cwd });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, /^Error: /, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    noStack(r);
  }
});
