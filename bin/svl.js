#!/usr/bin/env node
// Shim: refuse old Node with a clear message, then hand over to the compiled CLI.
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`svl needs Node.js 20 or newer (this is ${process.versions.node}).\n`);
  process.exitCode = 2;
} else {
  await import('../dist/cli.js');
}
