#!/usr/bin/env node
// Start-up time of whole processes, svl against the AWS CLI (v1, Python) in the same run: absolute
// numbers drift on shared machines, the ratio is what we track. Target: svl <= 1/4 of `aws --version`.
// Then the emulator (issue 18): `svl local start` to its first healthy answer, on a fresh state
// directory, on an existing one and --in-memory, against fauxqs's CLI started with plain node, in the
// same run: wall time, and the process's own CPU (user+sys from /proc) at that answer, which load on a
// shared machine distorts less. Target: <= 200 ms, also on a fresh state directory. The SNS signing key is
// not made at start-up but by the first signature: for svl, the first GET of the signing certificate after
// the healthy answer (which makes the key on a fresh state directory, loads it on an existing one) is timed
// too, wall and CPU, to show what that deferred cost is.
// Writes Markdown tables to stdout and bench/results/startup.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, freePort, quantile } from './report.mjs';

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


/**
 * Spawns a server and polls its health URL every 2 ms: wall ms and the process's CPU ms at the first answer;
 * with `certPath`, then the wall and CPU ms of one GET of it.
 */
async function toHealthy(args, healthPath, env = {}, certPath) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args(port), { stdio: 'ignore', env: { ...process.env, CI: '1', ...env(port) } });
  const exited = new Promise((r) => child.once('exit', r));
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${healthPath}`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (performance.now() - t0 > 30_000) throw new Error(`${args(port).join(' ')} did not answer within 30 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - t0;
  const cpuMs = (cpuSeconds(child.pid) ?? NaN) * 1000;
  let cert;
  if (certPath) {
    const t1 = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}${certPath}`);
    if (!r.ok || !(await r.text()).includes('BEGIN CERTIFICATE')) throw new Error(`GET ${certPath} answered ${r.status}`);
    cert = { ms: performance.now() - t1, cpuMs: (cpuSeconds(child.pid) ?? NaN) * 1000 - cpuMs };
  }
  child.kill('SIGTERM');
  await exited;
  return { ms, cpuMs, cert };
}

const CERT_PATH = '/_svl/sns/SimpleNotificationService-svl.pem';
const fauxqsCli = fileURLToPath(new URL('../node_modules/fauxqs/dist/cli.js', import.meta.url));
const kept = mkdtempSync(join(tmpdir(), 'svl-bench-startup-kept-'));
const emulators = [
  { name: 'svl local start, fresh state dir', fresh: true },
  { name: 'svl local start, existing state dir', args: (p) => [bin, 'local', 'start', '--port', String(p), '--state-dir', kept, '--quiet'] },
  { name: 'svl local start --in-memory', args: (p) => [bin, 'local', 'start', '--port', String(p), '--in-memory', '--quiet'] },
  { name: 'fauxqs (node dist/cli.js)', args: () => [fauxqsCli], env: (p) => ({ FAUXQS_PORT: String(p), FAUXQS_LOGGER: 'false' }), health: '/health' },
];
const EMU_RUNS = 7;
const emuSamples = emulators.map(() => []);
await toHealthy(emulators[1].args, '/_svl/health', () => ({}), CERT_PATH); // creates the kept state dir (schema, SNS keys)
for (let i = 0; i < EMU_RUNS + 1; i++) {
  for (const [k, e] of emulators.entries()) {
    const dir = e.fresh ? mkdtempSync(join(tmpdir(), 'svl-bench-startup-')) : undefined;
    const args = e.fresh ? (p) => [bin, 'local', 'start', '--port', String(p), '--state-dir', dir, '--quiet'] : e.args;
    const r = await toHealthy(args, e.health ?? '/_svl/health', e.env ?? (() => ({})), e.health ? undefined : CERT_PATH);
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (i > 0) emuSamples[k].push(r); // the first round warms the file cache
  }
}
rmSync(kept, { recursive: true, force: true });
const emuResults = emulators.map((e, k) => {
  const ms = emuSamples[k].map((s) => s.ms).sort((a, b) => a - b);
  const cpu = emuSamples[k].map((s) => s.cpuMs).sort((a, b) => a - b);
  const certMs = emuSamples[k].filter((s) => s.cert).map((s) => s.cert.ms).sort((a, b) => a - b);
  const certCpu = emuSamples[k].filter((s) => s.cert).map((s) => s.cert.cpuMs).sort((a, b) => a - b);
  const cert = certMs.length ? { medianMs: quantile(certMs, 0.5), medianCpuMs: quantile(certCpu, 0.5) } : undefined;
  return { name: e.name, runs: EMU_RUNS, medianMs: quantile(ms, 0.5), minMs: ms[0], medianCpuMs: quantile(cpu, 0.5), firstCertificate: cert };
});
const faux = emuResults.at(-1);
const emuLines = [
  '',
  `Emulator start-up to the first healthy answer, ${EMU_RUNS} runs (interleaved, after one warm-up round)`,
  '',
  '| emulator | median ms | min ms | CPU ms at the answer (median) | median / fauxqs | then first signing certificate: ms, CPU ms (median) |',
  '|---|---:|---:|---:|---:|---:|',
  ...emuResults.map((r) => `| ${r.name} | ${round(r.medianMs)} | ${round(r.minMs)} | ${round(r.medianCpuMs)} | ${(r.medianMs / faux.medianMs).toFixed(2)} | ${r.firstCertificate ? `${round(r.firstCertificate.medianMs)}, ${round(r.firstCertificate.medianCpuMs)}` : '-'} |`),
  '',
  `Target svl <= 200 ms (fresh state dir): ${emuResults[0].medianMs <= 200 ? 'met' : 'NOT met'} (${round(emuResults[0].medianMs)} ms wall, ${round(emuResults[0].medianCpuMs)} ms CPU)`,
];
process.stdout.write(`${emuLines.join('\n')}\n`);

mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('results/startup.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.versions.node, runs: RUNS, warmups: WARMUPS, target: 0.25, met: worst <= 0.25, results: rows, emulators: emuResults }, null, 2)}\n`,
);
