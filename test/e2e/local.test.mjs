// `svl local start --detach | status | stop | reset` as a user runs them: a real background emulator on a
// free port with its own state directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient, CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { svl, freePort } from '../helpers/cli.mjs';
import { credentials } from '../helpers/emulator.mjs';


test('start --detach, status, reset refused while running, stop, reset --yes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-local-'));
  const port = String(await freePort());
  const env = { SVL_STATE_DIR: dir };
  t.after(async () => {
    await svl(['local', 'stop', '--port', port], { env });
    rmSync(dir, { recursive: true, force: true });
  });

  const start = await svl(['local', 'start', '--detach', '--port', port, '--json'], { env });
  assert.equal(start.code, 0, start.stderr);
  const started = JSON.parse(start.stdout);
  assert.equal(started.endpoint, `http://127.0.0.1:${port}`);
  assert.equal(started.stateDir, dir);
  assert.ok(existsSync(join(dir, 'svl.db')));
  assert.ok(existsSync(join(dir, 'emulator.log')));

  const again = await svl(['local', 'start', '--detach', '--port', port, '--json'], { env });
  assert.equal(again.code, 0);
  assert.equal(JSON.parse(again.stdout).alreadyRunning, true);

  const sqs = new SQSClient({ endpoint: started.endpoint, region: 'us-east-1', credentials });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'kept' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
  sqs.destroy();

  const status = await svl(['local', 'status', '--port', port, '--json'], { env });
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.equal(s.pid, started.pid);
  assert.equal(s.counts.queues, 1);
  assert.equal(s.counts.messages, 1);
  assert.equal(s.stateDir, dir);
  assert.match((await svl(['local', 'status', '--port', port], { env })).stdout, /queues\s+1/);

  const noYes = await svl(['local', 'reset', '--port', port], { env });
  assert.equal(noYes.code, 2);
  assert.match(noYes.stderr, /without --yes/);
  const running = await svl(['local', 'reset', '--port', port, '--yes'], { env });
  assert.equal(running.code, 1);
  assert.match(running.stderr, /An emulator is using/);

  const stop = await svl(['local', 'stop', '--port', port], { env });
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /Stopped the emulator/);
  const gone = await svl(['local', 'status', '--port', port, '--json'], { env });
  assert.equal(gone.code, 1);
  assert.equal(JSON.parse(gone.stderr).error.code, 'EmulatorNotRunning');

  // Restarted on the same directory: the state is still there (a clean stop closed the database).
  assert.equal((await svl(['local', 'start', '--detach', '--port', port], { env })).code, 0);
  assert.equal(JSON.parse((await svl(['local', 'status', '--port', port, '--json'], { env })).stdout).counts.messages, 1);
  assert.equal((await svl(['local', 'stop', '--port', port], { env })).code, 0);

  const reset = await svl(['local', 'reset', '--port', port, '--yes', '--json'], { env });
  assert.equal(reset.code, 0, reset.stderr);
  assert.ok(JSON.parse(reset.stdout).removed.some((f) => f.endsWith('svl.db')));
  assert.ok(!existsSync(join(dir, 'svl.db')));
});

test('bad input: port out of range, unknown subcommand, --state-dir with --in-memory, bad --journal-size', async () => {
  for (const args of [
    ['local', 'start', '--journal-size', 'lots'],
    ['local', 'start', '--journal-size', '-5'],
    ['local', 'start', '--port', '70000'],
    ['local', 'start', '--port', 'abc'],
    ['local', 'frobnicate'],
    ['local', 'start', '--state-dir', '/tmp/x', '--in-memory'],
  ]) {
    const r = await svl(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Error/);
  }
});

test('start in the foreground: Ctrl-C closes the emulator (state kept) and exits 130; SIGTERM (svl local stop) exits 0', async (t) => {
  const { spawnSvl } = await import('../helpers/spawn.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'svl-local-fg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 0]]) {
    const port = String(await freePort());
    const job = spawnSvl(['local', 'start', '--port', port, '--state-dir', dir]);
    await job.waitFor(/Ctrl-C stops it/);
    assert.ok(existsSync(join(dir, 'emulator.json')));
    const r = await job.kill(signal);
    assert.equal(r.code, code, `${signal}: ${r.stderr}`);
    assert.match(r.stderr, /emulator stopped/);
    assert.ok(!existsSync(join(dir, 'emulator.json')), 'the runtime file is removed on a clean close');
    assert.doesNotMatch(r.stderr, /bug|\n\s+at /);
    if (signal === 'SIGINT') assert.match(r.stderr, new RegExp(`Error: Cancelled: the emulator on http://127.0.0.1:${port} stopped \\(state kept in `));
  }
});

test("the emulator's and the CLI's code is compiled with a V8 code cache in the user's cache directory: written by a process that had none, replaced when V8 refuses it", async (t) => {
  const { readdirSync, readFileSync, writeFileSync } = await import('node:fs');
  const { eventually } = await import('../helpers/lambda.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'svl-local-cache-'));
  const port = String(await freePort());
  const env = { SVL_STATE_DIR: join(dir, 'state'), XDG_CACHE_HOME: join(dir, 'cache') };
  t.after(async () => {
    await svl(['local', 'stop', '--port', port], { env });
    rmSync(dir, { recursive: true, force: true });
  });
  const cacheDir = join(dir, 'cache', 'svl', 'v8-code-cache');
  const cached = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => /^server-[0-9a-f]{16}-.+\.bin$/.test(f)) : []);
  /** Starts the emulator in the background, checks it answers, and waits for its cache file to hold something else than `old`. */
  const startAndWait = async (old) => {
    const start = await svl(['local', 'start', '--detach', '--port', port, '--json'], { env });
    assert.equal(start.code, 0, start.stderr);
    const sqs = new SQSClient({ endpoint: JSON.parse(start.stdout).endpoint, region: 'us-east-1', credentials });
    assert.match((await sqs.send(new CreateQueueCommand({ QueueName: 'cached' }))).QueueUrl, /\/000000000000\/cached$/);
    sqs.destroy();
    await eventually(() => cached().length === 1 && !readFileSync(join(cacheDir, cached()[0])).equals(old), { what: 'the code cache file', timeoutMs: 10_000 });
    const stop = await svl(['local', 'stop', '--port', port], { env });
    assert.equal(stop.code, 0, stop.stderr);
    return join(cacheDir, cached()[0]);
  };
  const file = await startAndWait(Buffer.alloc(0));
  assert.ok(readFileSync(file).length > 10_000, 'the cache holds compiled code');
  // A damaged cache is refused by V8: the emulator starts as without one, and writes a good one again.
  writeFileSync(file, 'not a code cache');
  assert.equal(await startAndWait(Buffer.from('not a code cache')), file);
  assert.ok(readFileSync(file).length > 10_000);
  // The CLI's program file too, written when a command that ran less than a second exits.
  rmSync(cacheDir, { recursive: true, force: true });
  assert.equal((await svl(['--help'], { env })).code, 0);
  assert.equal(readdirSync(cacheDir).filter((f) => /^program-[A-Z0-9]{8}-[0-9a-f]{16}-.+\.bin$/.test(f)).length, 1);
  assert.deepEqual(cached(), [], '--help does not load the emulator');
});
