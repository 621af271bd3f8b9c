#!/usr/bin/env node
// `svl init users-app --local --yes` on a fresh state directory, as a user runs it the first time: the
// emulator is not running, init starts it in the background, writes the project, deploys the six
// functions and applies the flow. Measured: the init process's wall time (spawn to exit; target < 5 s)
// and the emulator's own CPU for it. Then the end-to-end latency of the seed system: POST /users with a
// token, until GET /users/{id}/posts lists the welcome post that went through SNS -> SQS -> Lambda
// (plain HTTP to the API's URL, polling without pause; p50 target < 50 ms). Each run's emulator is
// stopped by its pid (from the state directory) and its directory removed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, fmt, freePort, quantile, writeReport } from './report.mjs';

const INIT_RUNS = 3;
const REQUESTS = 30;
const TARGET_INIT_MS = 5000;
const TARGET_P50_MS = 50;
const bin = fileURLToPath(new URL('../bin/svl.js', import.meta.url));

async function freshInit() {
  const dir = mkdtempSync(join(tmpdir(), 'svl-bench-users-app-'));
  const url = `http://127.0.0.1:${await freePort()}`;
  const env = { ...process.env, CI: '1', SVL_LOCAL_ENDPOINT: url, SVL_STATE_DIR: join(dir, 'state') };
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'init', 'users-app', '--local', '--yes', '--json'], { cwd: dir, env, encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  const pid = JSON.parse(readFileSync(join(dir, 'state', 'emulator.json'), 'utf8')).pid;
  const stop = () => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    setTimeout(() => rmSync(dir, { recursive: true, force: true }), 1000);
  };
  if (r.status !== 0) {
    stop();
    throw new Error(`init failed: ${r.stderr}`);
  }
  const out = JSON.parse(r.stdout);
  return { wallMs, inProcessMs: out.elapsedMs, apiCalls: out.apiCalls, emulatorCpuS: cpuSeconds(pid), apiUrl: out.apiUrl, stop };
}

async function call(method, url, token, body) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

/** POST /users -> the welcome post listed by GET /users/{id}/posts, REQUESTS times; ms each. */
async function endToEnd(apiUrl) {
  const base = `${apiUrl}/$default`;
  const { token } = await call('POST', `${base}/login`, undefined, { username: 'admin', password: 'admin-demo' });
  const latencies = [];
  let polls = 0;
  for (let i = -3; i < REQUESTS; i++) {
    const userId = `bench-${i + 3}`;
    const t0 = performance.now();
    await call('POST', `${base}/users`, token, { userId, name: `User ${i}` });
    for (const deadline = t0 + 10_000; ; ) {
      polls++;
      if ((await call('GET', `${base}/users/${userId}/posts`, token)).posts.length) break;
      if (performance.now() > deadline) throw new Error(`no post for ${userId} after 10 s`);
    }
    if (i >= 0) latencies.push(performance.now() - t0); // the first three warm the function processes
  }
  return { latencies: latencies.sort((a, b) => a - b), pollsPerRequest: polls / (REQUESTS + 3) };
}

const inits = [];
let e2e;
try {
  for (let i = 0; i < INIT_RUNS; i++) {
    const run = await freshInit();
    inits.push(run);
    if (i < INIT_RUNS - 1) run.stop();
  }
  e2e = await endToEnd(inits.at(-1).apiUrl);
} finally {
  inits.at(-1)?.stop();
}

const walls = inits.map((r) => r.wallMs).sort((a, b) => a - b);
const medianWall = quantile(walls, 0.5);
const p50 = quantile(e2e.latencies, 0.5);
const met = (ok) => (ok ? 'met' : 'NOT met');
const lines = [
  `svl init users-app on a fresh state directory (emulator autostarted; ${INIT_RUNS} runs) and POST /users -> welcome post listed (${REQUESTS} requests; node ${process.versions.node})`,
  '',
  '| measure | value | target |',
  '|---|---:|---|',
  `| init wall time, median (ms) | ${fmt(medianWall)} | < ${TARGET_INIT_MS} ms: ${met(medianWall < TARGET_INIT_MS)} |`,
  `| init wall time, max (ms) | ${fmt(walls.at(-1))} | |`,
  `| plan+deploy+apply inside the process, median (ms) | ${fmt(quantile(inits.map((r) => r.inProcessMs).sort((a, b) => a - b), 0.5))} | |`,
  `| emulator CPU during init, median (s) | ${fmt(quantile(inits.map((r) => r.emulatorCpuS).sort((a, b) => a - b), 0.5))} | |`,
  `| API calls | ${inits[0].apiCalls} | |`,
  `| POST /users -> post listed, p50 (ms) | ${fmt(p50)} | < ${TARGET_P50_MS} ms: ${met(p50 < TARGET_P50_MS)} |`,
  `| POST /users -> post listed, p95 (ms) | ${fmt(quantile(e2e.latencies, 0.95))} | |`,
  `| GET polls per request | ${fmt(e2e.pollsPerRequest)} | |`,
];
writeReport('users-app', { inits: inits.map(({ stop, ...r }) => r), latenciesMs: e2e.latencies }, lines);
