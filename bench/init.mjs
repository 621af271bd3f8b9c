#!/usr/bin/env node
// `svl init fanout` with 10 queues on the emulator: whole-process wall time (spawn to exit) and the
// number of API calls it made (from its --json result). Target: under 1.5 s. The emulator runs as its
// own process; each run uses a fresh flow name and is destroyed afterwards (not timed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSvl, writeReport, fmt, quantile } from './report.mjs';

const RUNS = 7;
const QUEUES = Array.from({ length: 10 }, (_, i) => `q${i}`).join(',');
const bin = fileURLToPath(new URL('../bin/svl.js', import.meta.url));
// The emulator's state goes in state/ of the temporary directory; the runs use the directory itself as cwd.
const emulator = await startSvl({ prefix: 'svl-bench-init-', stateSubdir: 'state', removeDelayMs: 500 });
const { url, dir } = emulator;
const env = { ...process.env, CI: '1', SVL_LOCAL_ENDPOINT: url };

const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const name = `bench${i}`;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'init', 'fanout', name, '--queues', QUEUES, '--local', '--yes', '--json'], { cwd: dir, env, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`init failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    runs.push({ wallMs: ms, inProcessMs: out.elapsedMs, apiCalls: out.apiCalls, resources: out.plan.steps.length });
    spawnSync(process.execPath, [bin, 'destroy', name, '--local', '--yes'], { cwd: dir, env });
  }
} finally {
  emulator.stop();
}

const walls = runs.map((r) => r.wallMs).sort((a, b) => a - b);
const inproc = runs.map((r) => r.inProcessMs).sort((a, b) => a - b);
const lines = [
  `svl init fanout with 10 queues on the emulator (${RUNS} runs; node ${process.versions.node})`,
  '',
  '| measure | value |',
  '|---|---:|',
  `| wall time, median (ms) | ${fmt(quantile(walls, 0.5))} |`,
  `| wall time, max (ms) | ${fmt(walls[walls.length - 1])} |`,
  `| plan+apply inside the process, median (ms) | ${fmt(quantile(inproc, 0.5))} |`,
  `| resources created | ${runs[0].resources} |`,
  `| API calls | ${runs[0].apiCalls} |`,
];
writeReport('init', { runs }, lines);
