#!/usr/bin/env node
// Runs node:test over glob patterns. Node 20's `node --test` does not expand globs itself (that came in
// Node 21) and /bin/sh has no `**`, so this expands the `dir/**/*.suffix` patterns svl uses.
// Usage: node scripts/test.mjs [--node-test-flag …] "dist/**/*.test.js" "test/**/*.test.mjs"
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const patterns = process.argv.slice(2).filter((a) => !a.startsWith('--'));

const files = [];
for (const pattern of patterns) {
  const m = /^(.*?)\/\*\*\/\*(.+)$/.exec(pattern);
  if (!m) {
    files.push(pattern);
    continue;
  }
  const [, root, suffix] = m;
  if (!existsSync(root)) continue;
  for (const rel of readdirSync(root, { recursive: true })) {
    const path = join(root, String(rel));
    if (path.endsWith(suffix) && !path.includes('node_modules')) files.push(path);
  }
}
if (files.length === 0) {
  process.stderr.write(`No test files match ${patterns.join(' ')}\n`);
  process.exit(1);
}
files.sort();
const r = spawnSync(process.execPath, ['--test', ...flags, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
