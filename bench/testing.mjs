#!/usr/bin/env node
// svl/testing: in-process start to first answered request (median of fresh processes, first start in
// the process, and warm restarts in one process), and the wall time of a node:test file of 50
// publish -> waitFor cases (bench/testing/fifty.test.mjs). Targets (issue 15): start < 100 ms median,
// 50 cases < 1 s. Writes a Markdown table to stdout and bench/results/testing.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { quantile } from './report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 9;

const probe = `
import http from 'node:http';
const t0 = performance.now();
const { startSvl } = await import('svl/testing');
const t1 = performance.now();
const get = (u) => new Promise((res, rej) => http.get(u, (r) => { r.resume(); r.on('end', res); }).on('error', rej));
const a = performance.now();
const svl = await startSvl();
await get(svl.endpoint + '/_svl/health');
const first = performance.now() - a;
await svl.stop();
const warm = [];
for (let i = 0; i < 5; i++) {
  const b = performance.now();
  const s = await startSvl();
  await get(s.endpoint + '/_svl/health');
  warm.push(performance.now() - b);
  await s.stop();
}
console.log(JSON.stringify({ importMs: t1 - t0, firstMs: first, warmMs: warm }));
`;

function node(args, input) {
  const t0 = process.hrtime.bigint();
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, args, { cwd: root, input, encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 || (args.includes('--test') && !/ℹ pass 50\n/.test(r.stdout))) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const starts = [];
for (let i = 0; i < RUNS; i++) starts.push(JSON.parse(node(['--input-type=module', '-'], probe).stdout.trim()));
const med = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);
const importMs = med(starts.map((s) => s.importMs));
const firstMs = med(starts.map((s) => s.firstMs));
const warmMs = med(starts.flatMap((s) => s.warmMs));

const files = [];
for (let i = 0; i < 3; i++) {
  const r = node(['--test', '--test-reporter=spec', 'bench/testing/fifty.test.mjs']);
  const inner = Number(/duration_ms ([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  files.push({ wallMs: r.ms, reportedMs: inner });
}
const result = {
  importMs,
  startToFirstAnswerMs: { firstInProcess: firstMs, warm: warmMs },
  fiftyCases: { wallMsMedian: med(files.map((f) => f.wallMs)), runs: files },
};
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/testing.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(`| svl/testing | median |
|---|---|
| import('svl/testing') | ${importMs.toFixed(1)} ms |
| startSvl() to first answered request (first in the process) | ${firstMs.toFixed(1)} ms |
| startSvl() to first answered request (warm, same process) | ${warmMs.toFixed(1)} ms |
| node --test of 50 publish -> waitFor cases (whole process) | ${result.fiftyCases.wallMsMedian.toFixed(0)} ms |`);
