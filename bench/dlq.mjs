#!/usr/bin/env node
// DLQ redrive and tail latency against svl's emulator (a separate process, durable SQLite state):
// - `svl dlq redrive --client-side` of N (10,000) dead letters with attributes, spawned as a user would run
//   it, through a proxy that adds a fixed round trip (--rtt, default 20 ms: a region away; see
//   delay-proxy.mjs), because on AWS the mover waits on round trips, not on CPU. Compared in the same run
//   with a sequential loop through the same proxy, as a user's script would be: receive 10, send them as
//   a batch, delete them as a batch. Targets: >= 1,500 msg/s (3x a native move task's 500 msg/s ceiling)
//   and >= 8x the loop;
// - `svl tail` publish-to-printed latency (p50/p95), straight to the emulator: a message published to an
//   SNS topic until its NDJSON line appears on the tail's stdout, for the emulator's peek and for a tap
//   (--latency 0 skips it).
// Writes Markdown to stdout and bench/results/dlq.{json,md}.
//
// Each redrive and loop run is repeated (--repeat, default 3, interleaved) and the median reported:
// this machine is shared, and a single run drifts by tens of percent.
//
//   node bench/dlq.mjs [--n 10000] [--loop 2000] [--rtt 20] [--repeat 3] [--latency 100] [--workers 8]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand } from '@aws-sdk/client-sns';
import { startDelayProxy } from './delay-proxy.mjs';
import { startSvl, clientConfig, writeReport, fmt, quantile } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    loop: { type: 'string', default: '2000' },
    rtt: { type: 'string', default: '20' },
    latency: { type: 'string', default: '100' },
    workers: { type: 'string', default: '8' },
    repeat: { type: 'string', default: '3' },
  },
});
const N = Number(args.n);
const LOOP_N = Number(args.loop);
const RTT = Number(args.rtt);
const LATENCY_SAMPLES = Number(args.latency);
const WORKERS = Number(args.workers);
const REPEAT = Number(args.repeat);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bin = fileURLToPath(new URL('../bin/svl.js', import.meta.url));
const ACCOUNT_ARN = 'arn:aws:sqs:us-east-1:000000000000:';
const cfg = (url) => clientConfig(url, 8);

const cliEnv = (url) => {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|SVL_)/.test(k)) env[k] = v;
  return { ...env, CI: '1', SVL_LOCAL_ENDPOINT: url };
};

/** A source queue (maxReceiveCount 1) and its DLQ. */
async function pair(sqs, name) {
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl;
  const src = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${ACCOUNT_ARN}${name}-dlq`, maxReceiveCount: 1 }) } }))).QueueUrl;
  return { src, dlq, name };
}

const body = (i) => JSON.stringify({ orderId: i, type: 'invoice', amount: (i % 997) * 1.5, note: 'x'.repeat(64) });
const attrs = (i) => ({ kind: { DataType: 'String', StringValue: 'bench' }, seq: { DataType: 'Number', StringValue: String(i) } });

/** Sends n messages to the source, then makes them dead letters the way SQS does: a second receive. */
async function fillDlq(sqs, p, n) {
  for (let i = 0; i < n; i += 10) {
    const Entries = Array.from({ length: Math.min(10, n - i) }, (_, j) => ({ Id: `e${j}`, MessageBody: body(i + j), MessageAttributes: attrs(i + j) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: p.src, Entries }));
  }
  for (let pass = 0; pass < 3; pass++) {
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (;;) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: p.src, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
        if (!r.Messages?.length) return;
      }
    }));
  }
  const depth = await count(sqs, p.dlq);
  if (depth !== n) throw new Error(`the DLQ holds ${depth} messages, expected ${n}`);
}

async function count(sqs, url) {
  const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}

function runCli(url, argv, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // /usr/bin/time (when there) reports the CLI's own CPU seconds on stderr's last line.
    const timed = existsSync('/usr/bin/time');
    // SVL_BENCH_NODE_ARGS: extra node flags for the CLI, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const node = [process.execPath, ...(process.env.SVL_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), bin, ...argv, '--local'];
    const cmd = timed ? ['/usr/bin/time', ['-f', 'cpu %U %S', ...node]] : [node[0], node.slice(1)];
    const child = spawn(cmd[0], cmd[1], { env: { ...cliEnv(url), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(err);
      if (code === 0) resolve({ out, err, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : null });
      else reject(new Error(`svl ${argv.join(' ')} exited ${code}\n${err}`));
    });
  });
}

/** CPU seconds a process has used so far (Linux /proc; null elsewhere). */
function procCpu(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

/** `svl dlq redrive --client-side` through the proxy; the DLQ is filled straight on the emulator. */
async function redriveBench(url, proxyUrl, sqs, round) {
  const p = await pair(sqs, `bench-redrive-${round}`);
  process.stderr.write(`filling the DLQ with ${N} messages ...\n`);
  await fillDlq(sqs, p, N);
  process.stderr.write(`svl dlq redrive --client-side through the ${RTT} ms proxy ...\n`);
  const dir = mkdtempSync(join(tmpdir(), 'svl-bench-journal-'));
  const emuCpu0 = procCpu(srv.pid);
  const calls0 = { ...proxy.calls };
  const run = await runCli(proxyUrl, ['dlq', 'redrive', `${p.name}-dlq`, '--client-side', '--workers', String(WORKERS), '--journal', join(dir, 'j.ndjson'), '--yes', '--json']);
  rmSync(dir, { recursive: true, force: true });
  const calls = Object.fromEntries(Object.entries(proxy.calls).map(([op, n]) => [op, n - (calls0[op] ?? 0)]).filter(([, n]) => n > 0));
  process.stderr.write(`requests through the proxy: ${JSON.stringify(calls)}\n`);
  const r = JSON.parse(run.out);
  const [left, back] = [await count(sqs, p.dlq), await count(sqs, p.src)];
  if (r.moved !== N || left !== 0 || back !== N) throw new Error(`redrive incomplete: moved ${r.moved}, DLQ ${left}, source ${back}`);
  return { messages: N, moverSeconds: r.seconds, moverRate: N / r.seconds, wallSeconds: run.seconds, wallRate: N / run.seconds, cliCpuMsPerMessage: run.cpuSeconds === null ? null : (run.cpuSeconds * 1000) / N, emulatorCpuMsPerMessage: emuCpu0 === null ? null : ((procCpu(srv.pid) - emuCpu0) * 1000) / N, calls };
}

/** What a user's script does: receive 10, send them as one batch, delete them as one batch; one at a time. */
async function loopBench(sqs, viaProxy, round) {
  const p = await pair(sqs, `bench-loop-${round}`);
  process.stderr.write(`filling the DLQ with ${LOOP_N} messages for the sequential loop ...\n`);
  await fillDlq(sqs, p, LOOP_N);
  const t0 = performance.now();
  let moved = 0;
  for (;;) {
    const r = await viaProxy.send(new ReceiveMessageCommand({ QueueUrl: p.dlq, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    const ms = r.Messages ?? [];
    if (ms.length === 0) break;
    await viaProxy.send(new SendMessageBatchCommand({ QueueUrl: p.src, Entries: ms.map((m, i) => ({ Id: `m${i}`, MessageBody: m.Body, MessageAttributes: m.MessageAttributes })) }));
    await viaProxy.send(new DeleteMessageBatchCommand({ QueueUrl: p.dlq, Entries: ms.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
    moved += ms.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (moved !== LOOP_N) throw new Error(`the loop moved ${moved}, expected ${LOOP_N}`);
  return { messages: moved, seconds, rate: moved / seconds };
}

/** Publish-to-printed latency of a running `svl tail … --json`. */
async function tailLatency(url, sqs, sns, via) {
  const name = `bench-tail-${via}`;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-topic` }));
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl;
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: `${ACCOUNT_ARN}${name}`, Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }] });
  await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { Policy: policy, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${ACCOUNT_ARN}${name}-dlq`, maxReceiveCount: 1 }) } }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `${ACCOUNT_ARN}${name}` }));
  void dlq;
  const child = spawn(process.execPath, [bin, 'tail', 'queue', name, '--via', via, '--json', '--since', 'now', '--max', String(LATENCY_SAMPLES), '--local'], { env: cliEnv(url), stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = new Promise((resolve) => child.on('close', resolve));
  const ready = new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      if (err.includes('Tailing')) resolve();
    });
    child.on('close', (code) => reject(new Error(`tail exited ${code} before it was ready: ${err}`)));
  });
  await ready;
  const printed = new Map();
  const lines = createInterface({ input: child.stdout });
  const arrivals = new Promise((resolve) => {
    lines.on('line', (l) => {
      const m = JSON.parse(l);
      printed.set(m.body.probe, performance.now());
      if (printed.size === LATENCY_SAMPLES) resolve();
    });
  });
  const sentAt = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    sentAt[i] = performance.now();
    await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ probe: i }) }));
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
  }
  let timer;
  await Promise.race([arrivals, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`only ${printed.size} of ${LATENCY_SAMPLES} printed`)), 15_000)))]);
  clearTimeout(timer);
  await closed;
  const ms = sentAt.map((t, i) => printed.get(i) - t).sort((a, b) => a - b);
  return { via, samples: ms.length, p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: ms.at(-1) };
}

const CORES = (await import('node:os')).availableParallelism();
const LOAD = (await import('node:os')).loadavg()[0].toFixed(1);
const srv = await startSvl({ prefix: 'svl-bench-dlq-' });
const proxy = await startDelayProxy(srv.url, RTT);
const sqs = new SQSClient(cfg(srv.url));
const viaProxy = new SQSClient(cfg(proxy.url));
const sns = new SNSClient(cfg(srv.url));
let results;
try {
  const redriveRuns = [];
  const loopRuns = [];
  for (let round = 1; round <= REPEAT; round++) {
    process.stderr.write(`round ${round}/${REPEAT}\n`);
    redriveRuns.push(await redriveBench(srv.url, proxy.url, sqs, round));
    loopRuns.push(await loopBench(sqs, viaProxy, round));
  }
  const pick = (runs, key) => runs.find((r) => r[key] === median(runs.map((x) => x[key])));
  const latency = [];
  if (LATENCY_SAMPLES > 0) {
    process.stderr.write('tail latency ...\n');
    latency.push(await tailLatency(srv.url, sqs, sns, 'peek'), await tailLatency(srv.url, sqs, sns, 'tap'));
  }
  results = { redrive: pick(redriveRuns, 'moverRate'), loop: pick(loopRuns, 'rate'), redriveRuns, loopRuns, latency };
} finally {
  sqs.destroy();
  viaProxy.destroy();
  sns.destroy();
  await proxy.close();
  srv.stop();
}

const { redrive, loop, latency, redriveRuns, loopRuns } = results;
const ratio = redrive.moverRate / loop.rate;
const lines = [
  `DLQ redrive through a ${RTT} ms round-trip proxy in front of svl's emulator (separate process, durable state; median of ${REPEAT} interleaved runs; node ${process.versions.node})`,
  '',
  '| redrive | messages | seconds | msgs/s | all runs, msgs/s |',
  '|---|---:|---:|---:|---|',
  `| svl dlq redrive --client-side (${WORKERS} workers x 4 batches in flight; mover time) | ${redrive.messages} | ${fmt(redrive.moverSeconds)} | ${fmt(redrive.moverRate)} | ${redriveRuns.map((r) => fmt(r.moverRate)).join(', ')} |`,
  `| same, wall clock incl. CLI start-up and checks | ${redrive.messages} | ${fmt(redrive.wallSeconds)} | ${fmt(redrive.wallRate)} | ${redriveRuns.map((r) => fmt(r.wallRate)).join(', ')} |`,
  `| sequential loop with the SDK (receive 10, send batch, delete batch) | ${loop.messages} | ${fmt(loop.seconds)} | ${fmt(loop.rate)} | ${loopRuns.map((r) => fmt(r.rate)).join(', ')} |`,
  '',
  `CPU per message moved (median run): svl CLI ${fmt(redrive.cliCpuMsPerMessage)} ms, emulator ${fmt(redrive.emulatorCpuMsPerMessage)} ms (${CORES} cores, load average ${LOAD} at the start).`,
  '',
  `svl / loop (medians): ${fmt(ratio)}x (mover), ${fmt(redrive.wallRate / loop.rate)}x (wall clock). Targets: >= 1,500 msg/s (3x a native move task's 500 msg/s) and >= 8x.`,
  ...(latency.length > 0
    ? [
        '',
        '| svl tail (publish -> printed, no proxy) | samples | p50 ms | p95 ms | max ms |',
        '|---|---:|---:|---:|---:|',
        ...latency.map((l) => `| ${l.via} | ${l.samples} | ${fmt(l.p50)} | ${fmt(l.p95)} | ${fmt(l.max)} |`),
        '',
        'Target: a published message appears in the tail within a second.',
      ]
    : []),
];
writeReport('dlq', { n: N, loopN: LOOP_N, rttMs: RTT, workers: WORKERS, repeat: REPEAT, redrive, loop, ratio, redriveRuns, loopRuns, latency }, lines);
