// SQS over the legacy Query protocol, driven by a real Query client: Debian's python3-boto3 (botocore
// 1.29.x, form-encoded requests, XML responses) runs test/integration/py/sqs_query_suite.py against an
// in-process emulator. The emulator runs on the system clock: the Python suite cannot advance a fake one,
// and none of its checks waits on a timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestEmulator } from '../helpers/emulator.mjs';

const PYTHON = '/usr/bin/python3';
const SUITE = fileURLToPath(new URL('./py/sqs_query_suite.py', import.meta.url));
const INSTALL_HINT = 'Install the Query client with: apt-get update && apt-get install -y python3-boto3 (CI: .ci/run does this).';

/** Fails (never skips) when the Query client is not installed. */
function requireQueryClient() {
  assert.ok(existsSync(PYTHON), `${PYTHON} not found. ${INSTALL_HINT}`);
  const probe = spawnSync(PYTHON, ['-c', 'import boto3, botocore; print(botocore.__version__)'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, `boto3 is not importable by ${PYTHON}: ${probe.stderr.trim()}\n${INSTALL_HINT}`);
  return probe.stdout.trim();
}

/** Runs the Python suite without blocking this process's event loop (the emulator lives here). */
function runSuite(url, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SUITE, url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Debian's dist-packages only: no user site, no PYTHONPATH that could shadow botocore with a JSON-era one.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONNOUSERSITE: '1', HOME: process.env.HOME ?? '/tmp', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sqs_query_suite.py timed out after ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('SQS Query protocol: Debian python3-boto3 suite passes against the emulator', async () => {
  const version = requireQueryClient();
  const { emu, url } = await startTestEmulator({ fake: false });
  try {
    const { code, out } = await runSuite(url);
    assert.equal(code, 0, `sqs_query_suite.py (botocore ${version}) exited ${code}:\n${out}`);
    // The suite really spoke Query and really ran its checks.
    assert.match(out, /\(query protocol\)/, out);
    const ran = /^Ran (\d+) tests?/m.exec(out);
    assert.ok(ran && Number(ran[1]) >= 20, `expected the full suite to run:\n${out}`);
    assert.match(out, /^OK$/m, out);
    // And it left its traces in the emulator: queues it created are there (FIFO ones included).
    const names = emu.sqs.queues.all().map((q) => q.name);
    assert.ok(names.some((n) => /^pyq[0-9a-f]{8}-order\.fifo$/.test(n)), `queues: ${names.join(', ')}`);
  } finally {
    await emu.close();
  }
});
