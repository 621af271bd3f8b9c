// The examples/orders-service project's own tests (node:test, svl/testing as a dependency) pass: run in
// the example's directory as its `npm test` would, with `svl` linked the way `npm install` links a
// `file:` dependency (so `import 'svl/testing'` resolves through the package's exports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const example = fileURLToPath(new URL('../../examples/orders-service/', import.meta.url));

test('examples/orders-service: its tests pass against svl/testing', async () => {
  const link = join(example, 'node_modules', 'svl');
  if (!existsSync(link)) {
    mkdirSync(join(example, 'node_modules'), { recursive: true });
    symlinkSync('../../..', link, 'dir');
  }
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env.NODE_TEST_CONTEXT;
  const { code, out } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec'], { cwd: example, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, out }));
  });
  assert.equal(code, 0, out);
  assert.match(out, /ℹ pass 4\n/, out);
  assert.match(out, /ℹ fail 0\n/, out);
});
