#!/usr/bin/env node
// Start-up time of whole processes, svl against the AWS CLI (v1, Python) in the same run: absolute
// numbers drift on shared machines, the ratio is what we track. Target: svl <= 1/4 of `aws --version`.
// Writes a Markdown table to stdout and bench/results/startup.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { quantile } from './report.mjs';

const RUNS = 15;
const WARMUPS = 2;
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/svl.js', import.meta.url));

const cases = [
  { name: 'svl --version', cmd: process.execPath, args: [bin, '--version'] },
  { name: 'svl --help', cmd: process.execPath, args: [bin, '--help'] },
  { name: 'aws --version', cmd: 'aws', args: ['--version'] },
];

function once(c) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit ${r.status}: ${r.stderr.trim()}`;
    throw new Error(`${c.name} failed (${why})${c.cmd === 'aws' ? ' - the AWS CLI must be on PATH for the comparison' : ''}`);
  }
  return ms;
}

// Runs are interleaved (svl, svl, aws, svl, svl, aws, …) so that load changes on the machine hit every
// command alike instead of skewing the ratio.
for (let i = 0; i < WARMUPS; i++) for (const c of cases) once(c);
const samples = cases.map(() => []);
for (let i = 0; i < RUNS; i++) cases.forEach((c, k) => samples[k].push(once(c)));
const results = cases.map((c, k) => {
  const times = samples[k].sort((a, b) => a - b);
  return { name: c.name, runs: RUNS, medianMs: quantile(times, 0.5), p90Ms: quantile(times, 0.9), minMs: times[0] };
});

const aws = results.find((r) => r.name === 'aws --version');
const round = (n) => Math.round(n * 10) / 10;
const rows = results.map((r) => ({ ...r, ratioToAws: r === aws ? 1 : Math.round((r.medianMs / aws.medianMs) * 1000) / 1000 }));

const lines = [
  `Start-up, ${RUNS} runs after ${WARMUPS} warm-ups (node ${process.versions.node}, ${process.platform}/${process.arch})`,
  '',
  '| command | median ms | p90 ms | median / aws |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| \`${r.name}\` | ${round(r.medianMs)} | ${round(r.p90Ms)} | ${r.ratioToAws.toFixed(3)} |`),
  '',
];
const worst = Math.max(...rows.filter((r) => r.name !== aws.name).map((r) => r.ratioToAws));
lines.push(`Target svl <= 0.25 x aws: ${worst <= 0.25 ? 'met' : 'NOT met'} (worst ratio ${worst.toFixed(3)})`);
process.stdout.write(`${lines.join('\n')}\n`);

mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('results/startup.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, runs: RUNS, warmups: WARMUPS, target: 0.25, met: worst <= 0.25, results: rows }, null, 2)}\n`,
);
