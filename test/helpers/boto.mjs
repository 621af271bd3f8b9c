// Debian's python3-boto3 as a real Query-protocol client for the integration tests: its botocore (1.29.x)
// still speaks Query for SQS (and SNS has only ever been Query). Scripts run with Debian's dist-packages
// only — no user site, no PYTHONPATH, no AWS config — so a JSON-era botocore from pip cannot shadow it, and
// they run in a child process so the emulator living in the test's own event loop keeps answering.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';
const INSTALL_HINT = 'Install the Query client with: apt-get update && apt-get install -y python3-boto3 (CI: .ci/run does this).';
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONNOUSERSITE: '1', HOME: process.env.HOME ?? '/tmp', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

/** Fails (never skips) when the Query client is not installed; returns botocore's version. */
export function requireQueryClient() {
  assert.ok(existsSync(PYTHON), `${PYTHON} not found. ${INSTALL_HINT}`);
  const probe = spawnSync(PYTHON, ['-c', 'import boto3, botocore; print(botocore.__version__)'], { encoding: 'utf8', env: ENV });
  assert.equal(probe.status, 0, `boto3 is not importable by ${PYTHON}: ${probe.stderr.trim()}\n${INSTALL_HINT}`);
  return probe.stdout.trim();
}

/**
 * Runs `python3 <args…>` (a script path, or `-c <code>`, then its arguments) and resolves with its exit
 * code, stdout and the two outputs interleaved (`out`) for assertion messages; killed after `timeoutMs`.
 */
export function runPython(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
    let out = '';
    let stdout = '';
    child.stdout.on('data', (d) => {
      out += d;
      stdout += d;
    });
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python3 ${args[0]} timed out after ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, stdout });
    });
  });
}
