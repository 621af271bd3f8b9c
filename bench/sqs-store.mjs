#!/usr/bin/env node
// SQS service + store CPU per message, without HTTP (issue 18): the built SqsService called in this process
// (SendMessageBatch; ReceiveMessage + DeleteMessageBatch; batches of 10, the journal attached as the emulator
// attaches it), durable (a fresh state directory) and in memory, with 1 request loop (every request its own
// commit, as most are over HTTP) and 8 (requests of a turn share a commit). Median of --rounds rounds of
// process CPU (user+sys) / messages.
//
// Why: bench/cpu.mjs measures the emulator's whole server CPU, of which the HTTP stack is more than half; on
// the shared 2-core machine its rounds moved by ±20% (load 9-16), more than a change to the store made. This
// one measures only what src/local/sqs and src/local/store do, in a steady loop. It does not replace cpu.mjs
// (the figures are cpu.mjs's), and measures no latency or throughput.
//
// `--journal both` measures every case with the journal attached and without it, in alternate runs of the same
// process: the journal's own cost per message without HTTP (issue 15), which bench/journal-cost.mjs's two
// emulators under one load resolve only to a few µs.
//
//   npm run build && node bench/sqs-store.mjs [--rounds 3] [--n 20000] [--journal on|off|both]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../dist/local/store/db.js';
import { SystemClock } from '../dist/local/clock.js';
import { SqsService } from '../dist/local/sqs/service.js';
import { Journal } from '../dist/local/journal/journal.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, n: { type: 'string', default: '20000' }, journal: { type: 'string', default: 'on' } } });
if (!['on', 'off', 'both'].includes(args.journal)) throw new Error(`--journal: on, off or both (got ${args.journal})`);
const ROUNDS = Number(args.rounds);
const N = Number(args.n);
const ctx = { requestId: 'bench', baseUrl: 'http://127.0.0.1:4566' };
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function measure(inMemory, loops, journal) {
  const dir = inMemory ? undefined : mkdtempSync(join(tmpdir(), 'svl-bench-store-'));
  const store = openStore(inMemory ? { inMemory: true } : { stateDir: dir });
  try {
    const clock = new SystemClock();
    const svc = new SqsService({ db: store.db, clock });
    if (journal) {
      // As the emulator attaches it (server.ts): recording, and writing its rows inside group commits.
      const j = new Journal(store.db, clock, 100_000);
      svc.messages.journal = j;
      svc.commits.addHook(j);
    }
    const { QueueUrl } = await svc.request('CreateQueue', { QueueName: 'bench' }, ctx);
    let k = 0;
    // The messages of bench/cpu.mjs: a small JSON body and one String attribute.
    const entries = () => Array.from({ length: 10 }, (_, i) => ({
      Id: `m${i}`,
      MessageBody: JSON.stringify({ orderId: k++, type: 'invoice', note: 'x'.repeat(64) }),
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'bench' } },
    }));
    const each = (n, fn) => Promise.all(Array.from({ length: loops }, async () => {
      for (let i = 0; i < n / loops / 10; i++) await fn();
    }));
    const send = (n) => each(n, () => svc.request('SendMessageBatch', { QueueUrl, Entries: entries() }, { ...ctx }));
    const recv = (n) => each(n, async () => {
      const r = await svc.request('ReceiveMessage', { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }, { ...ctx });
      const m = r.Messages ?? [];
      if (m.length) await svc.request('DeleteMessageBatch', { QueueUrl, Entries: m.map((x, j) => ({ Id: `d${j}`, ReceiptHandle: x.ReceiptHandle })) }, { ...ctx });
    });
    await send(N);
    await recv(N); // warm-up
    let c0 = cpuUs();
    await send(N);
    const sendUs = (cpuUs() - c0) / N;
    c0 = cpuUs();
    await recv(N);
    return { sendUs, recvUs: (cpuUs() - c0) / N };
  } finally {
    store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const journals = args.journal === 'both' ? [true, false] : [args.journal === 'on'];
const cases = [[false, 1], [false, 8], [true, 1], [true, 8]].flatMap(([mem, loops]) => journals.map((j) => [mem, loops, j]));
const runs = cases.map(() => []);
for (let r = 0; r < ROUNDS; r++) for (const [i, [mem, loops, j]] of cases.entries()) runs[i].push(await measure(mem, loops, j));
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
process.stdout.write(`SQS service + store CPU µs/msg (no HTTP), median of ${ROUNDS}, N=${N}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; node ${process.versions.node}\n\n`);
process.stdout.write('| store | request loops | journal | send | receive+delete |\n|---|---:|---|---:|---:|\n');
for (const [i, [mem, loops, j]] of cases.entries()) {
  process.stdout.write(`| ${mem ? 'in memory' : 'durable'} | ${loops} | ${j ? 'on' : 'off'} | ${med(runs[i].map((x) => x.sendUs)).toFixed(1)} | ${med(runs[i].map((x) => x.recvUs)).toFixed(1)} |\n`);
}
