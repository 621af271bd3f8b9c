#!/usr/bin/env node
// Shim: refuse old Node with a clear message, then hand over to the CLI: tsc's dist/ bundled by
// scripts/bundle.mjs (a few files instead of ~100 modules to load: start-up time).
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`svl needs Node.js 20 or newer (this is ${process.versions.node}).\n`);
  process.exitCode = 2;
} else {
  await compileCache();
  await import('../dist/bundle/cli.mjs');
}

/**
 * Node >= 22.1 can keep V8's compiled code of the modules it loads on disk, so that later starts skip
 * compiling them (module.enableCompileCache; Node 20 has none, and nothing happens there). The cache lives
 * under the user's cache directory (XDG_CACHE_HOME, else ~/.cache), in svl/node-compile-cache; Node checks
 * each entry against the file's content. NODE_COMPILE_CACHE (another directory) and
 * NODE_DISABLE_COMPILE_CACHE are Node's own switches and win. A cache that cannot be written is no error.
 */
async function compileCache() {
  if (major < 22) return;
  const { enableCompileCache } = await import('node:module');
  if (!enableCompileCache || process.env.NODE_DISABLE_COMPILE_CACHE || process.env.NODE_COMPILE_CACHE) return;
  const { homedir } = await import('node:os');
  const { join } = await import('node:path');
  try {
    enableCompileCache(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'svl', 'node-compile-cache'));
  } catch {
    /* start without it */
  }
}
