#!/usr/bin/env node
// Shim: refuse old Node with a clear message, then hand over to the CLI: tsc's dist/ bundled by
// scripts/bundle.mjs (a few files instead of ~100 modules to load: start-up time).
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`svl needs Node.js 20 or newer (this is ${process.versions.node}).\n`);
  process.exitCode = 2;
} else {
  await import('../dist/bundle/cli.js');
}
