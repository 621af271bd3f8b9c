// Errors that tell the truth, through the built CLI (CI=1): not found is exit 1 for every command; every
// error has a Hint line, repeating --local when the command ran with it; `svl local start` on a damaged
// database, a state dir that is a file or cannot be written, an address it cannot bind - foreground and
// --detach - is exit 2 with the fix and never hangs (every spawn has a bounded timeout); a start with
// another state dir than the running emulator's is an error; status/stop honour SVL_LOCAL_ENDPOINT's
// host (IPv6 too); QueueDeletedRecently says to wait 60 s (fake clock: nobody waits).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient } from '../helpers/emulator.mjs';
import { freePort, localEnv, NO_STACK, svl } from '../helpers/cli.mjs';
import { mapAwsError } from '../../dist/aws/errors.js';

let emu;
let clock;
let url;
let sqs;
let dir;
const run = (args, opts = {}) => svl([...args, '--local'], { env: localEnv(url), timeoutMs: 20_000, ...opts });
/** `svl local …` with a state dir of its own, so nothing lands in ~/.svl; bounded so a hang fails the test. */
const local = (args, env = {}) => svl(['local', ...args], { env: { SVL_STATE_DIR: join(dir, 'default-state'), ...env }, timeoutMs: 25_000 });

before(async () => {
  ({ emu, clock, url } = await startTestEmulator());
  sqs = await sqsClient(url);
  dir = mkdtempSync(join(tmpdir(), 'svl-errors-'));
});
after(async () => {
  sqs.destroy();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One error on stderr: message, a Hint line, no stack, nothing on stdout. */
function assertError(r, code, re, label) {
  assert.equal(r.code, code, `${label}: ${r.stderr}`);
  assert.match(r.stderr, re, label);
  assert.match(r.stderr, /\nHint: \S/, `${label} has a hint`);
  assert.doesNotMatch(r.stderr, NO_STACK, label);
  assert.doesNotMatch(r.stderr, /bug in svl/, label);
  assert.equal(r.stdout, '', label);
}

test('not found is exit 1 for every command, with a hint that keeps --local', async () => {
  const cases = [
    [['tail', 'queue', 'nope', '--timeout', '1'], /Queue "nope" not found/],
    [['tail', 'topic', 'nope', '--timeout', '1'], /Topic "nope" not found/],
    [['tail', 'dlq', 'nope', '--timeout', '1'], /Queue "nope" not found/],
    [['dlq', 'peek', 'nope'], /Queue "nope" not found/],
    [['dlq', 'redrive', 'nope', '--yes'], /Queue "nope" not found/],
    [['dlq', 'purge', 'nope', '--yes'], /Queue "nope" not found/],
    [['send', 'nope', '{"a":1}'], /Queue "nope" not found/],
    [['publish', 'nope', '{"a":1}'], /Topic "nope" not found/],
    [['invoke', 'nope'], /Function "nope" not found/],
    [['logs', 'nope'], /not found|No log group/],
    [['status', 'nope'], /Flow "nope" not found/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assertError(r, 1, re, args.join(' '));
    const hint = /\nHint: (.*)/.exec(r.stderr)[1];
    for (const cmd of hint.match(/svl [a-z][^`;,)]*/g) ?? []) {
      if (!cmd.startsWith('svl local')) assert.match(cmd, /--local/, `${args.join(' ')}: "${cmd}" in the hint keeps --local`);
    }
  }
});

test('every failure path samples a Hint line, in text and in --json', async () => {
  const cases = [
    [['bogus'], 2],
    [['send'], 2],
    [['send', 'q', '{}', '--delay', '-1'], 2],
    [['send', 'q', '{}', '--attr', 'n=Number:x'], 2],
    [['publish', 't', 'x', '--subject', ''], 2],
    [['tail', 'bucket', 'x'], 2],
    [['dlq', 'redrive', 'x', '--rate', '0', '--yes'], 2],
    [['filter', 'test'], 2],
    [['status', '--watch', '0'], 2],
    [['logs', 'bad name!'], 2],
    [['invoke', 'f', '--payload', '@/no/such/file.json'], 2],
    [['destroy', 'not a flow!', '--yes'], 2],
    [['local', 'start', '--port', 'abc'], 2],
    [['local', 'status', '--port', '99999'], 2],
    [['send', 'nope', 'x'], 1],
  ];
  for (const [args, code] of cases) {
    assertError(await run(args), code, /Error: /, args.join(' '));
    const j = await run([...args, '--json']);
    assert.equal(j.code, code, `${args.join(' ')} --json: ${j.stderr}`);
    const { error } = JSON.parse(j.stderr.trim().split('\n').pop());
    assert.equal(typeof error.hint, 'string', `${args.join(' ')} --json has a hint`);
    assert.notEqual(error.hint, '');
  }
});

describe('svl local start on something unusable: exit 2 with the fix, never a hang', () => {
  const busy = [];
  // Not awaited: close() waits for connections the probes left half-open; unref keeps them from holding the run.
  after(() => busy.forEach((s) => s.close().unref()));

  const corrupt = () => {
    const d = mkdtempSync(join(dir, 'corrupt-'));
    writeFileSync(join(d, 'svl.db'), Buffer.alloc(8192, 'not sqlite'));
    return d;
  };
  const file = () => {
    const f = join(mkdtempSync(join(dir, 'file-')), 'state');
    writeFileSync(f, 'a file, not a directory');
    return f;
  };
  // Tests may run as root, which chmod cannot stop: a path under a file, and /proc (which refuses even
  // root, and on which mkdir -p never returns in Node), are unwritable for everybody.
  const cases = [
    ['a damaged database', () => ['--state-dir', corrupt()], /The state database .*svl\.db is damaged/, /svl local reset --yes/],
    ['a state dir that is a file', () => ['--state-dir', file()], /it is a file, not a directory/, /another --state-dir/],
    ['a state dir under a file', () => ['--state-dir', join(file(), 'sub')], /is a file, not a directory/, /another --state-dir/],
    ['a state dir nobody can create (/proc)', () => ['--state-dir', `/proc/svl-errors-${process.pid}/state`], /cannot be used/, /another --state-dir/],
    ['a port in use', async () => {
      const s = createServer();
      busy.push(s);
      await new Promise((r) => s.listen(0, '127.0.0.1', r));
      return ['--port', String(s.address().port), '--in-memory'];
    }, /Port \d+ on 127\.0\.0\.1 is already in use/, /another --port/],
    ['an address that is not local (192.0.2.1, TEST-NET)', async () => ['--host', '192.0.2.1', '--port', String(await freePort()), '--in-memory'],
      /192\.0\.2\.1 is not an address of this machine/, /--host/],
  ];
  for (const mode of ['foreground', '--detach']) {
    for (const [name, args, message, hint] of cases) {
      test(`${mode}: ${name}`, async () => {
        const extra = await args();
        const port = extra.includes('--port') ? [] : ['--port', String(await freePort())];
        const r = await local(['start', ...extra, ...port, ...(mode === '--detach' ? ['--detach'] : [])]);
        assert.equal(r.code, 2, `${name}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.match(r.stderr, new RegExp(`\\nHint: .*${hint.source}`));
        assert.doesNotMatch(r.stderr, NO_STACK);
        assert.doesNotMatch(r.stderr, /bug in svl/);
      });
    }
  }
  test('reset on a file is refused, not "wiped 0 files"', async () => {
    const f = file();
    const r = await local(['reset', '--yes', '--state-dir', f, '--port', String(await freePort())]);
    assertError(r, 2, /is a file, not a state directory/, 'reset a file');
    assert.ok(existsSync(f));
  });

  test('no /proc directory was created', () => assert.ok(!existsSync(`/proc/svl-errors-${process.pid}`)));

  test('the fix the damaged-database hint gives works: reset --yes, then start', async () => {
    const d = corrupt();
    const port = String(await freePort());
    const failed = await local(['start', '--detach', '--port', port, '--state-dir', d]);
    assert.equal(failed.code, 2);
    const fix = /`(svl local reset --yes --state-dir \S+)`/.exec(failed.stderr)[1].split(' ').slice(1);
    assert.equal((await local([...fix.slice(1), '--port', port])).code, 0);
    const started = await local(['start', '--detach', '--port', port, '--state-dir', d]);
    assert.equal(started.code, 0, started.stderr);
    assert.equal((await local(['stop', '--port', port])).code, 0);
  });

  test('--local starting the emulator in the background reports why it could not (port taken by something else)', async () => {
    const s = createServer();
    busy.push(s);
    await new Promise((r) => s.listen(0, '127.0.0.1', r));
    const r = await svl(['send', 'q', 'x', '--local'], {
      env: { SVL_LOCAL_ENDPOINT: `http://127.0.0.1:${s.address().port}`, SVL_STATE_DIR: join(dir, 'autostart') },
      timeoutMs: 25_000,
    });
    assertError(r, 2, /Port \d+ on 127\.0\.0\.1 is already in use/, 'autostart');
  });
});

describe('one emulator per address, on the state it was started with', () => {
  let port;
  let a;
  before(async () => {
    port = String(await freePort());
    a = join(dir, 'state-a');
    const r = await local(['start', '--detach', '--port', port, '--state-dir', a, '--json']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => local(['stop', '--port', port]));

  test('--state-dir B while it runs on A: exit 2, both named, in both modes', async () => {
    const b = join(dir, 'state-b');
    for (const mode of [['--detach'], []]) {
      const r = await local(['start', ...mode, '--port', port, '--state-dir', b]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`already runs on http://127\\.0\\.0\\.1:${port} and uses the state directory ${a}, not --state-dir ${b}`));
      assert.match(r.stderr, /\nHint: stop it first .*svl local stop --port/);
    }
    const mem = await local(['start', '--detach', '--port', port, '--in-memory']);
    assert.equal(mem.code, 2);
    assert.match(mem.stderr, /not --in-memory/);
  });

  test('the same directory by another spelling (a symlink) is the same emulator', async () => {
    const link = join(dir, 'link-to-a');
    symlinkSync(a, link);
    const r = await local(['start', '--detach', '--port', port, '--state-dir', link, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).alreadyRunning, true);
    const unchosen = await local(['start', '--detach', '--port', port, '--json'], { SVL_STATE_DIR: '' });
    assert.equal(unchosen.code, 0, 'without a state dir asked for, the running one is fine');
  });
});

/** ::1 when this machine can bind it, else 127.0.0.2 (another loopback address). */
async function otherLoopback() {
  const ok = await new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
  return ok ? { host: '::1', endpoint: (p) => `http://[::1]:${p}` } : { host: '127.0.0.2', endpoint: (p) => `http://127.0.0.2:${p}` };
}

test('status and stop look at the host of SVL_LOCAL_ENDPOINT (IPv6 when available)', async () => {
  const { host, endpoint } = await otherLoopback();
  const port = await freePort();
  const env = { SVL_LOCAL_ENDPOINT: endpoint(port) };
  const state = join(dir, 'state-v6');
  const started = await local(['start', '--detach', '--state-dir', state, '--json'], env);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(JSON.parse(started.stdout).endpoint, endpoint(port), `bound ${host} from SVL_LOCAL_ENDPOINT`);
  try {
    const status = await local(['status', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).endpoint, endpoint(port));
    const elsewhere = await local(['status', '--port', String(port)]);
    assert.equal(elsewhere.code, 1, 'nothing on 127.0.0.1 at that port');
    assert.match(elsewhere.stderr, new RegExp(`not running on http://127\\.0\\.0\\.1:${port}`));
    const viaSvl = await svl(['send', 'nope', 'x', '--local'], { env, timeoutMs: 20_000 });
    assert.match(viaSvl.stderr, /Queue "nope" not found \(local emulator\)/, '--local reaches it too');
  } finally {
    const stop = await local(['stop', '--json'], env);
    assert.equal(stop.code, 0, stop.stderr);
  }
  const gone = await local(['status'], env);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /not running on/);
});

test('QueueDeletedRecently: the SDK gets AWS\'s error from the emulator, svl says to wait 60 s', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'recent-jobs' }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  const err = await sqs.send(new CreateQueueCommand({ QueueName: 'recent-jobs' })).then(() => assert.fail('created within 60 s'), (e) => e);
  assert.equal(err.name, 'QueueDeletedRecently');
  assert.equal(err.message, 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
  const mapped = mapAwsError(err, { resource: 'queue "recent-jobs"' });
  assert.equal(mapped.exitCode, 1);
  assert.match(mapped.hint, /wait 60 s/);

  const cwd = mkdtempSync(join(dir, 'flow-'));
  const r = await run(['init', 'fanout', 'recent', '--queues', 'jobs', '--yes'], { cwd });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /QueueDeletedRecently|You must wait 60 seconds/);
  assert.match(r.stderr, /\nHint: .*wait 60 s, then run `svl apply --local` again/);
  clock.advance(61_000);
  const again = await run(['apply'], { cwd });
  assert.equal(again.code, 0, again.stderr);
  await run(['destroy', 'recent', '--yes'], { cwd });
});
