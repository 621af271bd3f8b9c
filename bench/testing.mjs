#!/usr/bin/env node
// svl/testing: in-process start to first answered request (median of fresh processes, first start in
// the process, and warm restarts in one process), and the wall time of a node:test file of 50
// publish -> waitFor cases (bench/testing/fifty.test.mjs), and the same for fauxqs's library mode (npm,
// `startFauxqs`) in the same run: import, start to first answered request, and an SNS publish -> SQS
// receive round trip with SDK clients (a long poll waiting, as a test awaits a message). Targets (issue 15):
// start < 100 ms median, 50 cases < 1 s. Writes a Markdown table to stdout and bench/results/testing.json.
// On a shared machine wall times drift: the file's own CPU time (user+sys) is reported next to them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantile } from './report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 9;
const fauxqsVersion = JSON.parse(readFileSync(new URL('../node_modules/fauxqs/package.json', import.meta.url), 'utf8')).version;

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

// fauxqs's library mode, measured the same way (its own health endpoint answers the first request).
const fauxqsProbe = `
import http from 'node:http';
const t0 = performance.now();
const { startFauxqs } = await import('fauxqs');
const t1 = performance.now();
const get = (u) => new Promise((res, rej) => http.get(u, (r) => { r.resume(); r.on('end', res); }).on('error', rej));
const a = performance.now();
const f = await startFauxqs({ port: 0, logger: false, messageSpies: true });
await get(f.address + '/health');
const first = performance.now() - a;
await f.stop();
const warm = [];
for (let i = 0; i < 5; i++) {
  const b = performance.now();
  const s = await startFauxqs({ port: 0, logger: false, messageSpies: true });
  await get(s.address + '/health');
  warm.push(performance.now() - b);
  await s.stop();
}
console.log(JSON.stringify({ importMs: t1 - t0, firstMs: first, warmMs: warm }));
`;

// Publish -> received round trips: SNS Publish, then an SQS ReceiveMessage long poll returns it (then it is
// deleted, untimed). The topic, the queue and the subscription (raw delivery) are made by each library's
// own setup: svl's apply (which also writes the queue policy AWS requires), fauxqs's createQueue/subscribe.
const ROUND_TRIPS = 200;
const roundTrip = (target) => `
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { SQSClient, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
let endpoint, stop, topicArn, queueUrl;
if (${JSON.stringify(target)} === 'svl') {
  const { startSvl } = await import('svl/testing');
  const svl = await startSvl({ flows: [{ name: 'rt', topic: { name: 'rt' }, queues: [{ name: 'rt-q', dlq: false, rawDelivery: true }] }] });
  endpoint = svl.endpoint; stop = () => svl.stop(); topicArn = svl.arn.topic('rt'); queueUrl = svl.url.queue('rt-q');
} else {
  const { startFauxqs } = await import('fauxqs');
  const f = await startFauxqs({ port: 0, logger: false });
  queueUrl = f.createQueue('rt-q').queueUrl;
  topicArn = f.createTopic('rt').topicArn;
  f.subscribe({ topic: 'rt', queue: 'rt-q', attributes: { RawMessageDelivery: 'true' } });
  endpoint = f.address; stop = () => f.stop();
}
const cfg = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
const sns = new SNSClient(cfg);
const sqs = new SQSClient(cfg);
const times = [];
const cpu0 = process.cpuUsage();
for (let i = 0; i < ${ROUND_TRIPS} + 20; i++) {
  const t = performance.now();
  const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1 }));
  await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'm' + i }));
  const r = await poll;
  const m = r.Messages?.[0];
  if (!m || m.Body !== 'm' + i) throw new Error('round trip ' + i + ' got ' + JSON.stringify(r.Messages));
  if (i >= 20) times.push(performance.now() - t);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
}
const cpu = process.cpuUsage(cpu0);
sns.destroy(); sqs.destroy();
await stop();
times.sort((a, b) => a - b);
console.log(JSON.stringify({ p50Ms: times[Math.floor(times.length / 2)], p99Ms: times[Math.ceil(times.length * 0.99) - 1], cpuMsPerRoundTrip: (cpu.user + cpu.system) / 1000 / (${ROUND_TRIPS} + 20) }));
`;

function node(args, input, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extraEnv };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, args, { cwd: root, input, encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 || (args.includes('--test') && !/ℹ pass 50\n/.test(r.stdout))) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const med = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);
// Alternating svl and fauxqs, so that load from elsewhere falls on both alike.
const starts = [];
const fstarts = [];
for (let i = 0; i < RUNS; i++) {
  starts.push(JSON.parse(node(['--input-type=module', '-'], probe).stdout.trim()));
  fstarts.push(JSON.parse(node(['--input-type=module', '-'], fauxqsProbe).stdout.trim()));
}
const importMs = med(starts.map((s) => s.importMs));
const firstMs = med(starts.map((s) => s.firstMs));
const warmMs = med(starts.flatMap((s) => s.warmMs));
const fauxqs = { importMs: med(fstarts.map((s) => s.importMs)), firstMs: med(fstarts.map((s) => s.firstMs)), warmMs: med(fstarts.flatMap((s) => s.warmMs)) };
const trips = { svl: [], fauxqs: [] };
for (let i = 0; i < 3; i++) for (const t of ['svl', 'fauxqs']) trips[t].push(JSON.parse(node(['--input-type=module', '-'], roundTrip(t)).stdout.trim()));
const trip = (t) => ({ p50Ms: med(trips[t].map((r) => r.p50Ms)), p99Ms: med(trips[t].map((r) => r.p99Ms)), cpuMsPerRoundTrip: med(trips[t].map((r) => r.cpuMsPerRoundTrip)) });

// The fixture writes where its time went (start, the 50 cases, its CPU) to SVL_BENCH_OUT.
const files = [];
const out = join(mkdtempSync(join(tmpdir(), 'svl-bench-testing-')), 'phases.json');
for (let i = 0; i < 3; i++) {
  const r = node(['--test', '--test-reporter=spec', 'bench/testing/fifty.test.mjs'], undefined, { SVL_BENCH_OUT: out });
  const inner = Number(/duration_ms ([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  files.push({ wallMs: r.ms, reportedMs: inner, ...JSON.parse(readFileSync(out, 'utf8')) });
}
rmSync(dirname(out), { recursive: true, force: true });
const result = {
  importMs,
  startToFirstAnswerMs: { firstInProcess: firstMs, warm: warmMs },
  fiftyCases: {
    wallMsMedian: med(files.map((f) => f.wallMs)),
    startSvlMsMedian: med(files.map((f) => f.startMs)),
    casesMsMedian: med(files.map((f) => f.casesMs)),
    cpuMsMedian: med(files.map((f) => f.cpuMs)),
    runs: files,
  },
  fauxqs: { ...fauxqs, roundTrip: trip('fauxqs') },
  svlRoundTrip: trip('svl'),
  loadAverage: loadavg()[0],
};
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL('results/testing.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
console.log(`| svl/testing | median |
|---|---|
| import('svl/testing') | ${importMs.toFixed(1)} ms |
| startSvl() to first answered request (first in the process) | ${firstMs.toFixed(1)} ms |
| startSvl() to first answered request (warm, same process) | ${warmMs.toFixed(1)} ms |
| node --test of 50 publish -> waitFor cases (whole process) | ${result.fiftyCases.wallMsMedian.toFixed(0)} ms |
| … of which startSvl() with a function and a flow | ${result.fiftyCases.startSvlMsMedian.toFixed(0)} ms |
| … of which the 50 cases (reset, publish, 2 waitFor, trace) | ${result.fiftyCases.casesMsMedian.toFixed(0)} ms |
| … the test process's CPU (user+sys, imports included) | ${result.fiftyCases.cpuMsMedian.toFixed(0)} ms |

| in the same run (load average ${loadavg()[0].toFixed(1)}) | svl/testing | fauxqs ${fauxqsVersion} (startFauxqs) |
|---|---|---|
| import | ${importMs.toFixed(1)} ms | ${fauxqs.importMs.toFixed(1)} ms |
| start to first answered request (first in the process) | ${firstMs.toFixed(1)} ms | ${fauxqs.firstMs.toFixed(1)} ms |
| start to first answered request (warm) | ${warmMs.toFixed(1)} ms | ${fauxqs.warmMs.toFixed(1)} ms |
| SNS publish -> SQS receive round trip, p50 / p99 (SDK clients, ${ROUND_TRIPS} trips) | ${result.svlRoundTrip.p50Ms.toFixed(2)} / ${result.svlRoundTrip.p99Ms.toFixed(2)} ms | ${result.fauxqs.roundTrip.p50Ms.toFixed(2)} / ${result.fauxqs.roundTrip.p99Ms.toFixed(2)} ms |
| CPU per round trip (client and emulator, one process) | ${result.svlRoundTrip.cpuMsPerRoundTrip.toFixed(2)} ms | ${result.fauxqs.roundTrip.cpuMsPerRoundTrip.toFixed(2)} ms |`);
