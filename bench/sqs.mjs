#!/usr/bin/env node
// SQS throughput: batched send, and receive+delete, with several concurrent SDK clients, at queue depth
// 0 and at depth DEPTH (100,000 by default), against svl's emulator (a separate process, durable
// SQLite state) and moto_server in the same run. Also the emulator's RSS with DEPTH messages queued.
// Each phase runs until N messages are done or MAX_SECONDS pass, whichever comes first (moto is slow at
// depth), so every figure is a rate. Writes Markdown to stdout and bench/results/sqs.{json,md}.
//
//   node bench/sqs.mjs [--depth 100000] [--n 20000] [--clients 8] [--seconds 20] [--only svl|svl-nojournal|moto]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { startSvl, startMoto, clientConfig, writeReport, fmt, cpuSeconds } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Load generation runs in worker threads, each with its own SDK clients: one thread's worth of SDK
// request handling (signing, serialising, MD5 checks) cannot keep up with the emulator on its own.
if (!isMainThread) {
  const { url, clients: k } = workerData;
  const cs = Array.from({ length: k }, () => makeClient(url));
  parentPort.on('message', async ({ phase, queueUrl, n, seconds }) => {
    if (phase === 'exit') {
      for (const c of cs) c.destroy();
      process.exit(0);
    }
    const start = performance.timeOrigin + performance.now();
    const r = phase === 'send' ? await sendPhase(cs, queueUrl, n, seconds) : await receiveDeletePhase(cs, queueUrl, n, seconds);
    parentPort.postMessage({ ...r, start, end: performance.timeOrigin + performance.now() });
  });
  parentPort.postMessage({ ready: true });
}

const { values: args } = parseArgs({
  options: {
    depth: { type: 'string', default: '100000' },
    n: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '20' },
    only: { type: 'string' },
    workers: { type: 'string', default: '2' },
  },
});
const WORKERS = Number(args.workers);
const DEPTH = Number(args.depth);
const N = Number(args.n);
const CLIENTS = Number(args.clients);
const MAX_SECONDS = Number(args.seconds);

// A function declaration, not a const: the worker-thread branch above calls it before this line runs.
function makeClient(url) {
  return new SQSClient(clientConfig(url, 4));
}

function clients(url) {
  return Array.from({ length: CLIENTS }, () => makeClient(url));
}

/** Long-lived load threads (CLIENTS SDK clients in all), created once per target. */
async function startWorkers(url) {
  const ws = await Promise.all(
    Array.from({ length: WORKERS }, () =>
      new Promise((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: { url, clients: Math.max(1, Math.round(CLIENTS / WORKERS)) } });
        w.once('message', () => resolve(w));
        w.once('error', reject);
      }),
    ),
  );
  return {
    /** Runs a phase split over the threads; the rate is over the span from the first start to the last end. */
    async run(phase, queueUrl, n, seconds = MAX_SECONDS) {
      const per = Math.ceil(n / WORKERS / 10) * 10;
      const parts = await Promise.all(
        ws.map(
          (w) =>
            new Promise((resolve, reject) => {
              w.once('message', resolve);
              w.once('error', reject);
              w.postMessage({ phase, queueUrl, n: per, seconds });
            }),
        ),
      );
      const messages = parts.reduce((a, p) => a + p.messages, 0);
      const s = (Math.max(...parts.map((p) => p.end)) - Math.min(...parts.map((p) => p.start))) / 1000;
      return { messages, seconds: s, rate: messages / s };
    },
    stop: () => ws.forEach((w) => w.postMessage({ phase: 'exit' })),
  };
}

function body(i) {
  return JSON.stringify({ orderId: i, type: 'invoice', amount: (i % 997) * 1.5, note: 'x'.repeat(64) });
}

/** Sends `n` messages in batches of 10 from all clients; returns msgs/s. */
async function sendPhase(cs, queueUrl, n, deadlineS = MAX_SECONDS) {
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const end = t0 + deadlineS * 1000;
  await Promise.all(
    cs.map(async (c) => {
      while (next < n && performance.now() < end) {
        const base = next;
        next += 10;
        const Entries = Array.from({ length: 10 }, (_, i) => ({
          Id: `m${i}`,
          MessageBody: body(base + i),
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'bench' } },
        }));
        const r = await c.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
        done += r.Successful?.length ?? 0;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  return { messages: done, seconds: s, rate: done / s };
}

/** Receives (batches of 10) and deletes `n` messages from all clients; returns msgs/s. */
async function receiveDeletePhase(cs, queueUrl, n, deadlineS = MAX_SECONDS) {
  let done = 0;
  let empty = 0;
  const t0 = performance.now();
  const end = t0 + deadlineS * 1000;
  await Promise.all(
    cs.map(async (c) => {
      while (done < n && performance.now() < end && empty < 20) {
        const r = await c.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
        const msgs = r.Messages ?? [];
        if (msgs.length === 0) {
          empty++;
          continue;
        }
        await c.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
        );
        done += msgs.length;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  return { messages: done, seconds: s, rate: done / s };
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

async function runTarget(name, url, pid) {
  const cs = clients(url);
  const create = async (q) => (await cs[0].send(new CreateQueueCommand({ QueueName: q }))).QueueUrl;
  const out = { target: name };
  const workers = await startWorkers(url);
  // The server's own CPU (user+sys from /proc) per message of each phase: what load on a shared machine
  // distorts least, and what the journal on/off comparison is judged by.
  const load = {
    ...workers,
    async run(phase, queueUrl, n, seconds) {
      const c0 = pid ? cpuSeconds(pid) : null;
      const r = await workers.run(phase, queueUrl, n, seconds);
      if (c0 !== null && r.messages > 0) r.serverCpuUsPerMsg = ((cpuSeconds(pid) - c0) * 1e6) / r.messages;
      return r;
    },
  };
  // Warm-up (JIT, connections) outside the measurements.
  const qw = await create(`bench-warm-${Date.now()}`);
  await load.run('send', qw, 10000, 15);
  await load.run('recv', qw, 10000, 15);
  process.stderr.write(`[${name}] depth 0 ...\n`);
  const q0 = await create(`bench-d0-${Date.now()}`);
  out.sendDepth0 = await load.run('send', q0, N);
  out.recvDepth0 = await load.run('recv', q0, out.sendDepth0.messages);

  process.stderr.write(`[${name}] filling to depth ${DEPTH} ...\n`);
  const qd = await create(`bench-deep-${Date.now()}`);
  const fill = await load.run('send', qd, DEPTH, 600);
  out.fill = fill;
  const attrs = await cs[0].send(new GetQueueAttributesCommand({ QueueUrl: qd, AttributeNames: ['ApproximateNumberOfMessages'] }));
  out.depthReached = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
  out.rssMbAtDepth = pid ? rssMb(pid) : null;
  process.stderr.write(`[${name}] depth ${out.depthReached}: measuring ...\n`);
  out.sendDeep = await load.run('send', qd, N);
  out.recvDeep = await load.run('recv', qd, N);
  out.rssMbAfter = pid ? rssMb(pid) : null;
  load.stop();
  for (const c of cs) c.destroy();
  return out;
}

// Only the main thread runs the benchmark; worker threads just serve load phases (above).
if (isMainThread) {
  const results = [];
  for (const [name, start] of [
    ['svl', startSvl],
    // The same emulator without its event journal: what recording every hop costs.
    ['svl-nojournal', () => startSvl({ extraArgs: ['--journal-size', '0'] })],
    ['moto', startMoto],
  ]) {
    if (args.only && !args.only.split(',').includes(name)) continue;
    const srv = await start();
    try {
      results.push(await runTarget(name, srv.url, srv.pid));
    } finally {
      srv.stop();
    }
  }

  const row = (r) => [
    r.target,
    fmt(r.sendDepth0.rate),
    fmt(r.recvDepth0.rate),
    `${fmt(r.sendDeep.rate)} (${fmt((r.sendDeep.rate / r.sendDepth0.rate) * 100)}%)`,
    `${fmt(r.recvDeep.rate)} (${fmt((r.recvDeep.rate / r.recvDepth0.rate) * 100)}%)`,
    r.depthReached,
    r.rssMbAtDepth ?? '',
    [r.sendDepth0, r.recvDepth0, r.sendDeep, r.recvDeep].map((p) => (p.serverCpuUsPerMsg === undefined ? '-' : fmt(p.serverCpuUsPerMsg))).join(' / '),
  ];
  const svl = results.find((r) => r.target === 'svl');
  const off = results.find((r) => r.target === 'svl-nojournal');
  const moto = results.find((r) => r.target === 'moto');
  const lines = [
    `SQS throughput, msgs/s (${CLIENTS} concurrent SDK clients in ${WORKERS} worker threads, batches of 10, N=${N} per phase, <= ${MAX_SECONDS}s per phase; node ${process.versions.node})`,
    '',
    '| target | send @0 | recv+del @0 | send @depth (vs @0) | recv+del @depth (vs @0) | depth | RSS MB @depth | server CPU µs/msg (send @0 / recv @0 / send @depth / recv @depth) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${row(r).join(' | ')} |`),
  ];
  if (svl && moto) {
    lines.push(
      '',
      `svl / moto: send @0 ${fmt(svl.sendDepth0.rate / moto.sendDepth0.rate)}x, recv+del @0 ${fmt(svl.recvDepth0.rate / moto.recvDepth0.rate)}x, ` +
        `send @depth ${fmt(svl.sendDeep.rate / moto.sendDeep.rate)}x, recv+del @depth ${fmt(svl.recvDeep.rate / moto.recvDeep.rate)}x`,
    );
  }
  if (svl && off) {
    const cost = (on, o) => (on.serverCpuUsPerMsg && o.serverCpuUsPerMsg ? `${fmt((on.serverCpuUsPerMsg / o.serverCpuUsPerMsg - 1) * 100)}% CPU/msg, ` : '') + `${fmt((on.rate / o.rate - 1) * 100)}% msgs/s`;
    lines.push('', `journal on vs off: send @0 ${cost(svl.sendDepth0, off.sendDepth0)}; recv+del @0 ${cost(svl.recvDepth0, off.recvDepth0)}; send @depth ${cost(svl.sendDeep, off.sendDeep)}; recv+del @depth ${cost(svl.recvDeep, off.recvDeep)}`);
  }
  writeReport('sqs', { depth: DEPTH, n: N, clients: CLIENTS, results }, lines);
}
