// svl/testing under vitest and jest: their suites (test/testing/runners/) run in child processes, each
// with its runner's fake timers on in the test process, so `npm test` covers both runners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function run(args) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    delete env.NODE_TEST_CONTEXT; // the child is not a node:test subprocess
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('the vitest suite passes with vi.useFakeTimers() on', async () => {
  const { code, out } = await run(['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/testing/runners/vitest.config.mjs']);
  assert.equal(code, 0, out);
  assert.match(out, /Tests\s+4 passed \(4\)/, out);
});

test('the jest suite passes with jest.useFakeTimers() on (ESM, --experimental-vm-modules)', async () => {
  const { code, out } = await run(['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--config', 'test/testing/runners/jest.config.mjs']);
  assert.equal(code, 0, out);
  assert.match(out, /Tests:\s+2 passed, 2 total/, out);
});
