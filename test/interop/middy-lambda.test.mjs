// Interop: @middy/core with @middy/sqs-partial-batch-failure (v6), unmodified, inside a Lambda function the
// emulator runs, fed by an SQS event source mapping with ReportBatchItemFailures. The deployment package is
// built here: the fixture handler plus the two packages (and whatever they depend on) copied from the
// repository's node_modules, as a bundler-less deploy would ship them. Asserted: what the function saw,
// what the mapping deleted, what came back and what the redrive policy moved to the DLQ. The fake clock
// moves visibility timeouts on; the handler processes run in real time (bounded polling).
// Not covered: middy's other middlewares, and SQS FIFO sources (lambda-esm.test.mjs covers FIFO order).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeZip } from '../../dist/domain/zip.js';
import { setupLambda, eventually, fixtures, ROLE } from '../helpers/lambda.mjs';
import { waitIdle } from '../helpers/emulator.mjs';
import { queueArnOf } from '../helpers/sns.mjs';

const repoModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** Every file under `dir`, named `prefix/<relative path>` in the zip. */
function filesOf(dir, prefix) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ name: `${prefix}${relative(dir, p).split('\\').join('/')}`, data: readFileSync(p), mode: 0o644 });
    }
  };
  walk(dir);
  return out;
}

/** The packages `roots` and, transitively, their `dependencies`, as zip entries under node_modules/. */
function packagesWithDependencies(roots) {
  const seen = new Set();
  const files = [];
  const add = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const dir = join(repoModules, name);
    assert.ok(existsSync(join(dir, 'package.json')), `${name} is not installed in node_modules`);
    files.push(...filesOf(dir, `node_modules/${name}/`));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) add(dep);
  };
  roots.forEach(add);
  return { files, packages: [...seen] };
}

const MIDDY = ['@middy/core', '@middy/sqs-partial-batch-failure'];
let t;
let S;
let pkgs;
before(async () => {
  t = await setupLambda();
  S = await import('@aws-sdk/client-sqs');
  pkgs = packagesWithDependencies(MIDDY);
});
after(() => t.close());

async function deploy(name, { withPackages = true } = {}) {
  const files = [...filesOf(join(fixtures, 'node-middy'), ''), ...(withPackages ? pkgs.files : [])];
  await t.send('CreateFunction', { FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: writeZip(files) }, Timeout: 10 });
  await t.emu.lambda.whenActive(name);
}
const sqs = (op, input) => t.sqs.send(new S[`${op}Command`](input));
const peek = async (queue) => (await (await fetch(`${t.url}/_svl/sqs/peek?queue=${queue}`)).json()).Messages;
const mappingHealth = async (fn) => (await (await fetch(`${t.url}/_svl/lambda/event-source-mappings`)).json()).mappings.find((m) => m.functionName === fn);
const logText = async (fn) => (await t.logs(fn)).map((e) => e.text).join('\n');
const waitLogs = (fn, n) => eventually(async () => (await t.logs(fn)).length >= n, { what: `${n} invocation(s) of ${fn}` });

async function queueWithDlq(name) {
  const { QueueUrl: dlq } = await sqs('CreateQueue', { QueueName: `${name}-dlq` });
  const { QueueUrl: url } = await sqs('CreateQueue', {
    QueueName: name,
    Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArnOf(`${name}-dlq`), maxReceiveCount: 2 }) },
  });
  return { url, dlq };
}
async function sendAll(url, bodies) {
  const out = await sqs('SendMessageBatch', { QueueUrl: url, Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: typeof b === 'string' ? b : JSON.stringify(b) })) });
  assert.equal(out.Successful.length, bodies.length);
  return out.Successful.sort((a, b) => Number(a.Id) - Number(b.Id)).map((s) => s.MessageId);
}
const mapQueue = (fn, queue) =>
  t.send('CreateEventSourceMapping', { FunctionName: fn, EventSourceArn: queueArnOf(queue), BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });

test('the deployment package carries the middy packages and everything they depend on', () => {
  assert.deepEqual(pkgs.packages, MIDDY, 'neither package has runtime dependencies today; any added later is copied too');
  const names = pkgs.files.map((f) => f.name);
  assert.ok(names.includes('node_modules/@middy/core/index.js'));
  assert.ok(names.includes('node_modules/@middy/sqs-partial-batch-failure/package.json'));
});

test('without node_modules in its zip the handler cannot load: the packages really come from the deployment package', async () => {
  await deploy('middy-bare', { withPackages: false });
  const out = await t.invoke('middy-bare', { Records: [] });
  assert.equal(out.FunctionError, 'Unhandled');
  assert.equal(out.json.errorType, 'Runtime.ImportModuleError');
  assert.match(out.json.errorMessage, /@middy\/core/);
});

test('ReportBatchItemFailures via middy: successes deleted, failures retried once then moved to the DLQ with their ids', async () => {
  const fn = 'middy-partial';
  await deploy(fn);
  const { url } = await queueWithDlq('middy-q');
  const bodies = [{ id: 'ok-1' }, { id: 'bad-1', fail: true }, { id: 'ok-2' }, { id: 'bad-2', fail: true }, { id: 'ok-3' }];
  const ids = await sendAll(url, bodies);
  const badIds = [ids[1], ids[3]];
  await mapQueue(fn, 'middy-q');

  // First batch: the three good records are deleted, the two failed ones stay in flight (receive count 1).
  await waitLogs(fn, 1);
  const first = await eventually(async () => {
    const m = await peek('middy-q');
    return m.length === 2 && m.every((x) => x.State === 'inflight') ? m : undefined;
  }, { what: 'only the two failed records left, in flight' });
  assert.deepEqual(first.map((m) => [m.MessageId, m.Attributes.ApproximateReceiveCount]), badIds.map((id) => [id, '1']));
  const health = await mappingHealth(fn);
  const { ok, records, failedRecords } = health.lastBatch;
  assert.deepEqual({ ok, records, failedRecords }, { ok: false, records: 5, failedRecords: 2 }, 'one batch of 5, 2 reported failed');
  assert.equal(health.lastError.type, 'BatchItemFailures');

  // Their visibility timeout ends: they come back, fail again (receive count 2) and stay.
  t.clock.advance(30_000);
  await waitLogs(fn, 2);
  await waitIdle(t.url);
  assert.deepEqual((await peek('middy-q')).map((m) => [m.MessageId, m.State, m.Attributes.ApproximateReceiveCount]), badIds.map((id) => [id, 'inflight', '2']));

  // The next receive finds them over maxReceiveCount 2: SQS moves them to the DLQ, the function is not invoked again.
  t.clock.advance(30_000);
  const dlq = await eventually(async () => {
    const m = await peek('middy-q-dlq');
    return m.length === 2 ? m : undefined;
  }, { what: 'both failed records in the DLQ' });
  await waitIdle(t.url);
  assert.deepEqual(dlq.map((m) => [m.MessageId, JSON.parse(m.Body).id]), [[badIds[0], 'bad-1'], [badIds[1], 'bad-2']]);
  assert.deepEqual(await peek('middy-q'), []);
  assert.equal((await t.logs(fn)).length, 2, 'two invocations in all');

  const logs = await logText(fn);
  for (const id of ['ok-1', 'ok-2', 'ok-3']) assert.equal(logs.split(`record ${id} receive`).length - 1, 1, `${id} processed once`);
  for (const id of ['bad-1', 'bad-2']) {
    assert.match(logs, new RegExp(`record ${id} receive 1`));
    assert.match(logs, new RegExp(`record ${id} receive 2`));
  }
  assert.match(logs, new RegExp(`failed ${badIds[0]}: cannot process bad-1`), "middy's logger reported the failure");
});

test("a base handler that throws: middy's onError reports every record as failed, so none is deleted", async () => {
  const fn = 'middy-throw';
  await deploy(fn);
  const { url } = await queueWithDlq('middy-throw-q');
  const ids = await sendAll(url, [{ id: 'fine' }, 'explode']);
  await mapQueue(fn, 'middy-throw-q');
  await waitLogs(fn, 1);
  const left = await eventually(async () => {
    const m = await peek('middy-throw-q');
    return m.length === 2 && m.every((x) => x.State === 'inflight') ? m : undefined;
  }, { what: 'both records kept in flight' });
  await waitIdle(t.url);
  assert.deepEqual(left.map((m) => m.MessageId), ids);
  const health = await mappingHealth(fn);
  assert.equal(health.lastBatch.failedRecords, 2);
  assert.equal(health.lastBatch.ok, false);
  // The function itself succeeded (middy turned the error into a response): no function error, batch item failures.
  assert.equal(health.lastError.type, 'BatchItemFailures');
  assert.match(await logText(fn), /failed .*: the whole batch exploded/);
});
