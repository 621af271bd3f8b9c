// Ctrl-C, one path for every command: the built CLI gets real signals while a gate (test/helpers/gate.mjs)
// holds its calls to the emulator at an exact point. A cancelled command says what it did
// (`Cancelled: sent N of M messages`) and the command that continues; running that command finishes
// the job with nothing lost and nothing twice. Also: bodies that are not UTF-8 are refused, not altered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, snsClient } from '../helpers/emulator.mjs';
import { bin, cleanEnv, localEnv, NO_STACK, root, svl } from '../helpers/cli.mjs';
import { spawnSvl } from '../helpers/spawn.mjs';
import { startGate } from '../helpers/gate.mjs';
import { snsQueuePolicy } from '../helpers/sns.mjs';

const Q = 'arn:aws:sqs:us-east-1:000000000000:';
const T = 'arn:aws:sns:us-east-1:000000000000:';
let emu;
let url;
let sqs;
let sns;
let gate;
let dir;
let shims;
const urls = {};

before(async () => {
  ({ emu, url } = await startTestEmulator({ fake: false }));
  sqs = await sqsClient(url);
  sns = await snsClient(url);
  gate = await startGate(url);
  // Spaces in the path: the resume command must quote it for the shell.
  dir = join(mkdtempSync(join(tmpdir(), 'svl-cancel-')), 'in put');
  mkdirSync(dir);
  // `svl` on PATH, so the printed resume command is run exactly as printed.
  shims = mkdtempSync(join(tmpdir(), 'svl-bin-'));
  writeFileSync(join(shims, 'svl'), `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`);
  chmodSync(join(shims, 'svl'), 0o755);
});

after(async () => {
  sqs.destroy();
  sns.destroy();
  await gate.close();
  await emu.close();
  rmSync(join(dir, '..'), { recursive: true, force: true });
  rmSync(shims, { recursive: true, force: true });
});

const queue = async (name, Attributes) => (urls[name] = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl);
const depth = async (name) => {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: urls[name], AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes.ApproximateNumberOfMessages);
};
/** Every message body of a queue (received and kept invisible, so each is read once). */
async function bodies(name) {
  const out = [];
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urls[name], MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => m.Body));
  }
}
const lines = (n, f = (i) => JSON.stringify({ n: i })) => Array.from({ length: n }, (_, i) => f(i)).join('\n') + '\n';
const gated = (args, env = {}, input = undefined, cwd = root) =>
  spawnSvl([...args, '--local'], { env: { ...localEnv(gate.url), SVL_CANCEL_GRACE_MS: '60000', ...env }, timeoutMs: 120_000, input, cwd });
const run = (args, opts = {}) => svl([...args, '--local'], { env: localEnv(url), timeoutMs: 120_000, ...opts });

/** Runs a printed command line in a shell, `svl` being the built CLI. */
function shell(line, { input, cwd = root } = {}) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd, env: cleanEnv({ ...localEnv(url), PATH: `${shims}:${process.env.PATH}` }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Signals `job` once `op` calls beyond the first `after` are held, then lets them through. */
async function interrupt(job, op, after, signal = 'SIGINT') {
  gate.holdWhen((o, n) => o === op && n > after);
  return gate.interrupt(job, signal);
}

test('send --ndjson of 20,000 lines, Ctrl-C: exact count, resume command; the resume delivers the rest, nothing lost or twice', async () => {
  await queue('big');
  const file = join(dir, 'big 1.ndjson');
  writeFileSync(file, lines(20_000));
  const first = await interrupt(gated(['send', 'big', '--ndjson', file]), 'SendMessageBatch', 50);
  assert.equal(first.code, 130, first.stderr);
  assert.doesNotMatch(first.stderr, NO_STACK);
  assert.doesNotMatch(first.stderr, /bug/);
  const m = /Error: Cancelled: sent ([\d,]+) of 20,000 messages\n/.exec(first.stderr);
  assert.ok(m, first.stderr);
  const sent = Number(m[1].replace(/,/g, ''));
  assert.ok(sent >= 500 && sent < 20_000, `${sent}`);
  assert.equal(await depth('big'), sent, 'the count is what the queue acknowledged');
  const resume = /Hint: continue with: (.*)\n/.exec(first.stderr)?.[1];
  assert.equal(resume, `svl send big --ndjson '${file}' --local --skip ${sent}`);

  const rest = await shell(resume);
  assert.equal(rest.code, 0, rest.stderr);
  assert.match(rest.stdout, new RegExp(`^Sent ${20_000 - sent} of ${20_000 - sent} messages to big .*after skipping ${sent} lines`));
  const got = (await bodies('big')).map((b) => JSON.parse(b).n);
  assert.equal(got.length, 20_000);
  assert.equal(new Set(got).size, 20_000, 'no message twice');
  assert.deepEqual([Math.min(...got), Math.max(...got)], [0, 19_999]);
});

test('send --ndjson --json, Ctrl-C: the partial result is JSON on stdout; the resume completes it', async () => {
  await queue('bigjson');
  const file = join(dir, 'json.ndjson');
  writeFileSync(file, lines(2_000));
  const first = await interrupt(gated(['send', 'bigjson', '--ndjson', file, '--json']), 'SendMessageBatch', 20);
  assert.equal(first.code, 130, first.stderr);
  const partial = JSON.parse(first.stdout);
  assert.equal(partial.cancelled, true);
  assert.equal(partial.queue.name, 'bigjson');
  assert.equal(partial.failed, 0);
  assert.equal(partial.lines, partial.sent);
  assert.equal(await depth('bigjson'), partial.sent);
  assert.equal(partial.resume, `svl send bigjson --ndjson ${file.replace(/^(.*)$/, "'$1'")} --json --local --skip ${partial.sent}`);
  const error = JSON.parse(first.stderr.split('\n').filter((l) => l.startsWith('{')).pop()).error;
  assert.equal(error.code, 'Cancelled');
  assert.equal(error.exitCode, 130);
  assert.match(error.message, /^Cancelled: sent [\d,]+ of 2,000 messages$/);

  const rest = await shell(partial.resume);
  assert.equal(rest.code, 0, rest.stderr);
  assert.equal(JSON.parse(rest.stdout).sent, 2_000 - partial.sent);
  const got = (await bodies('bigjson')).map((b) => JSON.parse(b).n);
  assert.equal(new Set(got).size, 2_000);
  assert.equal(got.length, 2_000);
});

test('send --ndjson - (stdin), Ctrl-C: the hint says to pipe the same input again; doing so completes it', async () => {
  await queue('piped');
  const input = lines(1_000);
  const first = await interrupt(gated(['send', 'piped', '--ndjson', '-'], {}, input), 'SendMessageBatch', 5);
  assert.equal(first.code, 130, first.stderr);
  const m = /Cancelled: sent ([\d,]+) messages \(input lines 1-([\d,]+) done\)\n/.exec(first.stderr);
  assert.ok(m, first.stderr);
  const sent = Number(m[1]);
  assert.equal(Number(m[2]), sent);
  assert.equal(await depth('piped'), sent);
  const resume = /Hint: pipe the same input again to continue \(the first [\d,]+ lines are skipped\): (.*)\n/.exec(first.stderr)?.[1];
  assert.equal(resume, `svl send piped --ndjson - --local --skip ${sent}`);
  const rest = await shell(resume, { input });
  assert.equal(rest.code, 0, rest.stderr);
  const got = (await bodies('piped')).map((b) => JSON.parse(b).n);
  assert.equal(got.length, 1_000);
  assert.equal(new Set(got).size, 1_000);
});

test('publish --ndjson, Ctrl-C: exact count and resume; the subscribed queue ends up with every message once', async () => {
  await sns.send(new CreateTopicCommand({ Name: 'bulk-events' }));
  await queue('bulk-events-q', { Policy: snsQueuePolicy(`${Q}bulk-events-q`, `${T}bulk-events`) });
  await sns.send(new SubscribeCommand({ TopicArn: `${T}bulk-events`, Protocol: 'sqs', Endpoint: `${Q}bulk-events-q`, Attributes: { RawMessageDelivery: 'true' } }));
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, lines(600));
  const first = await interrupt(gated(['publish', 'bulk-events', '--ndjson', file]), 'PublishBatch', 10);
  assert.equal(first.code, 130, first.stderr);
  const m = /Cancelled: published ([\d,]+) of 600 messages\n/.exec(first.stderr);
  assert.ok(m, first.stderr);
  const sent = Number(m[1]);
  const resume = /Hint: continue with: (.*)\n/.exec(first.stderr)[1];
  assert.equal(resume, `svl publish bulk-events --ndjson '${file}' --local --skip ${sent}`);
  const rest = await shell(resume);
  assert.equal(rest.code, 0, rest.stderr);
  const got = (await bodies('bulk-events-q')).map((b) => JSON.parse(b).n);
  assert.equal(got.length, 600);
  assert.equal(new Set(got).size, 600);
});

test('a second Ctrl-C exits at once (130), even with a call still held', async () => {
  await queue('stuck');
  const file = join(dir, 'stuck.ndjson');
  writeFileSync(file, lines(100));
  gate.holdWhen((o) => o === 'SendMessageBatch');
  const job = gated(['send', 'stuck', '--ndjson', file]);
  await gate.held(1);
  job.child.kill('SIGINT');
  await job.waitFor(/Stopping at a safe point/);
  job.child.kill('SIGINT');
  const r = await job.done;
  gate.release();
  assert.equal(r.code, 130, r.stderr);
  assert.doesNotMatch(r.stderr, NO_STACK);
});

test('the grace period ends a command that cannot reach a safe point (130)', async () => {
  await queue('stuck2');
  const file = join(dir, 'stuck2.ndjson');
  writeFileSync(file, lines(100));
  gate.holdWhen((o) => o === 'SendMessageBatch');
  const job = gated(['send', 'stuck2', '--ndjson', file], { SVL_CANCEL_GRACE_MS: '100' });
  await gate.held(1);
  job.child.kill('SIGINT');
  const r = await job.done;
  gate.release();
  assert.equal(r.code, 130, r.stderr);
  assert.doesNotMatch(r.stderr, NO_STACK);
});

test('init, Ctrl-C between resource steps: what was created, and `svl apply <spec>` converges; then "No changes"', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'svl-cancel-flow-'));
  try {
    const first = await interrupt(gated(['init', 'fanout', 'cx', '--queues', 'a,b,c', '--yes'], {}, undefined, cwd), 'CreateQueue', 0);
    assert.equal(first.code, 130, first.stderr);
    assert.doesNotMatch(first.stderr, NO_STACK);
    assert.doesNotMatch(first.stderr, /Apply failed|bug/);
    // The DLQ creations in flight finish; nothing starts after the signal.
    assert.match(first.stderr, /Error: Cancelled: applied 4 of \d+ changes to flow "cx" \(created topic cx, dlq cx-\w-dlq, dlq cx-\w-dlq, dlq cx-\w-dlq\)\n/);
    const resume = /Hint: the next apply converges from what exists: (.*)\n/.exec(first.stderr)?.[1];
    assert.equal(resume, 'svl apply cx.flow.json --local');
    const again = await shell(resume, { cwd });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Flow .*cx.* applied/);
    const none = await run(['apply'], { cwd });
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^No changes/);

    // apply itself, on a second flow from the same spec.
    writeFileSync(join(cwd, 'cy.flow.json'), readFileSync(join(cwd, 'cx.flow.json'), 'utf8').replace(/\bcx\b/g, 'cy'));
    const second = await interrupt(gated(['apply', 'cy.flow.json'], {}, undefined, cwd), 'CreateQueue', 0);
    assert.equal(second.code, 130, second.stderr);
    assert.match(second.stderr, /Cancelled: applied 4 of \d+ changes to flow "cy" \(created topic cy, dlq /);
    assert.match(second.stderr, /Hint: the next apply converges from what exists: svl apply cy\.flow\.json --local\n/);
    assert.equal((await shell('svl apply cy.flow.json --local', { cwd })).code, 0);
    assert.match((await run(['apply', 'cy.flow.json'], { cwd })).stdout, /^No changes/);

    // destroy: stops between deletions, says what is gone; the same destroy again finishes.
    const third = await interrupt(gated(['destroy', 'cx', '--yes'], {}, undefined, cwd), 'DeleteQueue', 0);
    assert.equal(third.code, 130, third.stderr);
    assert.match(third.stderr, /Cancelled: deleted \d+ of \d+ resources of flow "cx" \(.*queue cx-a.*\)\n/);
    assert.doesNotMatch(third.stderr, /topic cx[,)]/, 'the topic is deleted last: not yet');
    const rest = /Hint: the next destroy deletes what is left: (.*)\n/.exec(third.stderr)?.[1];
    assert.equal(rest, 'svl destroy cx --yes --local');
    const done = await shell(rest, { cwd });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /destroyed/);
    assert.match((await run(['destroy', 'cx', '--yes'], { cwd })).stdout, /^Nothing to destroy/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('Ctrl-C while the queue is still being looked up: nothing sent, and it says so', async () => {
  await queue('early');
  const file = join(dir, 'early.ndjson');
  writeFileSync(file, lines(10));
  const r = await interrupt(gated(['send', 'early', '--ndjson', file]), 'GetQueueUrl', 0).catch(() => undefined);
  assert.ok(r, 'the command looks the queue up with GetQueueUrl');
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Error: Cancelled: nothing sent \(stopped while looking up the queue\)\n/);
  assert.equal(await depth('early'), 0);
});
