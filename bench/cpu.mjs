#!/usr/bin/env node
// Server CPU per message (issue 18): the emulator process's own user+sys time (from /proc, by pid) over
// each phase, divided by the messages (or publishes) of that phase, for svl durable, svl --in-memory,
// fauxqs (npm dev dependency, its CLI run with plain node) and moto_server, all driven by the same
// client in the same run, median of --rounds rounds (targets interleaved per round so load drift hits
// all alike). Phases: SQS SendMessageBatch; ReceiveMessage + DeleteMessageBatch (batches of 10); SNS
// Publish to a topic with 10 SQS subscribers, 5 of them filtered out, envelope (non-raw) delivery. The publishes
// are SigV4-signed Query POSTs (moto routes an unsigned POST to S3). After that phase one notification is taken
// from the first subscriber's queue and its signature checked with the certificate its SigningCertURL names: the
// targets do not do the same work per publish (fauxqs writes Signature "EXAMPLE"), and the report says which does what.
// Throughput is printed too, with the client's own CPU per message (the whole client process's user+sys
// over the phase), to show whether the client was the limit (add --workers to add client threads). CPU per
// message is the figure to judge by on a shared machine; wall-clock rates there are low and noisy. It does
// not measure latency (bench/sns.mjs does).
//
// The SDK client costs several times the emulator's CPU per message, so its throughput on 2 cores is the
// client's. The lean client (bench/sqs-load.mjs: SQS JSON 1.0, SigV4-signed, keep-alive HTTP/1.1 over
// node:net, in --lean-procs processes of their own with --lean-conns connections in all) then runs the same
// SQS phases (SendMessageBatch of 10, same bodies; ReceiveMessage of 10 + DeleteMessageBatch) and a plain
// GetQueueUrl loop (the cost of one request through the HTTP path), and the report shows what each server
// does when the client is not the limit: throughput, server and client CPU per message. `--lean 0` skips it.
//
// `--queued 100000` is the scale target of the issue (every figure within 20% of the empty-queue figure,
// RSS < 200 MB): in each target's process, the SQS phases run first on an empty queue, then a second
// queue is filled to that depth and the same phases run against it (send into it, receive+delete from
// it), and the report puts the two side by side with their ratio, and the RSS (and, for svl, where the
// memory is: /_svl/health's `memory`) empty and filled. Both figures come from the same process in the
// same minutes, so load drift and JIT warm-up do not pass for depth (two separate runs differed by 60%
// on send from the warm-up alone: the fill warms the JIT far more than the warm-up phase). moto is left
// out of that mode unless named in --only (filling it takes minutes).
//
// Warm-ups: --warmup messages sent and received (default 20,000) and --warmup-publishes publishes (2,000) before
// the measured phases, in the same process, so that V8 has optimized the hot paths: with 2,000 / 200 the measured
// phases still paid for tier-up compilation (TurboFan runs on background threads, counted in the process's CPU;
// `--trace-opt` showed svl's SQS handlers, store and journal functions still being optimized 12,000 messages in),
// and a publish measured ~420 µs of CPU over 1,500 publishes against ~265 µs over 6,000 (bench/journal-cost.mjs).
// Each warm-up is capped by --seconds like a phase (moto).
//
// `--only svl,svl-nojournal` adds the durable emulator started with `--journal-size 0` (issue 15: what the event
// journal costs per message, with the SDK and the lean client); `svl-nofront`, the durable emulator with node:http
// answering every request (SVL_HTTP_FRONT=0: what src/local/http-front.ts saves).
//
//   node bench/cpu.mjs [--rounds 3] [--n 10000] [--publishes 2000] [--warmup 20000] [--warmup-publishes 2000]
//                      [--seconds 12] [--workers 2]
//                      [--queued 100000] [--fifo] [--only svl,svl-mem,svl-nojournal,svl-nofront,fauxqs,moto] [--prof DIR]
//                      [--lean 1] [--lean-n 30000] [--lean-procs 1] [--lean-conns 8]
//
// `--fifo` runs the SQS phases on FIFO queues (content-based deduplication, messages spread over 100 groups).
import { fork } from 'node:child_process';
import { verify as verifySignature } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, SendMessageBatchCommand, ReceiveMessageCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { signedPost } from './aws-http.mjs';
import { benchBatchEntries, clientConfig, cpuSeconds, FIFO_GROUPS, fmt, startFauxqs, startMoto, startSvl, topicQueue, writeReport } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const LOOPS = 8; // concurrent client loops in all, split over the worker threads

// ---- load threads: SDK clients for SQS, raw Query POSTs for Publish (what bench/sns.mjs does) ----
if (!isMainThread) {
  const { url, loops } = workerData;
  const cs = Array.from({ length: loops }, () => new SQSClient(clientConfig(url, 2)));
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  parentPort.on('message', async (m) => {
    if (m.phase === 'exit') {
      for (const c of cs) c.destroy();
      agent.destroy();
      process.exit(0);
    }
    // No CPU figure here: a worker thread's process.cpuUsage() is the whole process's (summed over the
    // threads it counted the client's CPU once per thread); the main thread measures the process once.
    const t0 = performance.timeOrigin + performance.now();
    const done = await phases[m.phase](m);
    parentPort.postMessage({ done, start: t0, end: performance.timeOrigin + performance.now() });
  });
  const phases = {
    async send({ queueUrl, n, seconds, fifo }) {
      let next = 0;
      let done = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(cs.map(async (c) => {
        while (next < n && performance.now() < end) {
          const base = next;
          next += 10;
          const Entries = benchBatchEntries(base, fifo, threadId);
          const r = await c.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
          done += r.Successful?.length ?? 0;
        }
      }));
      return done;
    },
    async recv({ queueUrl, n, seconds }) {
      let done = 0;
      let empty = 0;
      const end = performance.now() + seconds * 1000;
      await Promise.all(cs.map(async (c) => {
        while (done < n && performance.now() < end && empty < 10) {
          const r = await c.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
          const msgs = r.Messages ?? [];
          if (msgs.length === 0) {
            empty++;
            continue;
          }
          await c.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: msgs.map((x, i) => ({ Id: `d${i}`, ReceiptHandle: x.ReceiptHandle })) }));
          done += msgs.length;
        }
      }));
      return done;
    },
    async publish({ topicArn, n, seconds }) {
      let next = 0;
      let done = 0;
      const end = performance.now() + seconds * 1000;
      const one = (i) =>
        new Promise((resolve, reject) => {
          const body = new URLSearchParams({
            Action: 'Publish', Version: '2010-03-31', TopicArn: topicArn, Message: JSON.stringify({ i, type: 'order' }),
            'MessageAttributes.entry.1.Name': 'kind', 'MessageAttributes.entry.1.Value.DataType': 'String', 'MessageAttributes.entry.1.Value.StringValue': 'order',
          }).toString();
          const headers = signedPost(u, body, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, 'sns');
          const req = httpRequest({ host: u.hostname, port: u.port, method: 'POST', path: '/', agent, headers }, (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`Publish answered ${res.statusCode}`))));
          });
          req.on('error', reject);
          req.end(body);
        });
      await Promise.all(Array.from({ length: loops }, async () => {
        while (next < n && performance.now() < end) {
          await one(next++);
          done++;
        }
      }));
      return done;
    },
  };
  parentPort.postMessage({ ready: true });
}

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    n: { type: 'string', default: '10000' },
    publishes: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '20000' },
    'warmup-publishes': { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '12' },
    workers: { type: 'string', default: '2' },
    queued: { type: 'string', default: '0' },
    fifo: { type: 'boolean', default: false },
    only: { type: 'string' },
    prof: { type: 'string' },
    lean: { type: 'string', default: '1' },
    'lean-n': { type: 'string', default: '30000' },
    'lean-procs': { type: 'string', default: '1' },
    'lean-conns': { type: 'string', default: '8' },
  },
});
const ROUNDS = Number(args.rounds);
const N = Number(args.n);
const PUBLISHES = Number(args.publishes);
const WARMUP = Number(args.warmup);
const WARMUP_PUBLISHES = Number(args['warmup-publishes']);
const SECONDS = Number(args.seconds);
const WORKERS = Number(args.workers);
const QUEUED = Number(args.queued);
/** --fifo: the SQS phases on FIFO queues (content-based deduplication), messages spread over this many groups. */
const FIFO = args.fifo;
const LEAN = args.lean !== '0';
const LEAN_N = Number(args['lean-n']);
const LEAN_PROCS = Number(args['lean-procs']);
const LEAN_CONNS = Number(args['lean-conns']);
const LEAN_LOADER = fileURLToPath(new URL('./sqs-load.mjs', import.meta.url));

/** svl's emulator as its own process: durable state in a fresh directory, or --in-memory. */
const startSvlProcess = (inMemory, tag) =>
  startSvl({ prefix: 'svl-bench-cpu-', inMemory, waitForExit: true, nodeArgs: profArgs(tag) });
const profArgs = (tag) => (args.prof ? ['--cpu-prof', `--cpu-prof-dir=${args.prof}`, `--cpu-prof-name=${tag}-${Date.now()}.cpuprofile`] : []);

const TARGETS = [
  ['svl', () => startSvlProcess(false, 'svl')],
  ['svl-mem', () => startSvlProcess(true, 'svl-mem')],
  // Only when named in --only: the durable emulator without its event journal (issue 15: what recording every hop costs).
  ['svl-nojournal', () => startSvl({ prefix: 'svl-bench-cpu-', waitForExit: true, extraArgs: ['--journal-size', '0'], nodeArgs: profArgs('svl-nojournal') })],
  // Only when named: the durable emulator with node:http answering every request (SVL_HTTP_FRONT=0; what src/local/http-front.ts saves).
  ['svl-nofront', () => startSvl({ prefix: 'svl-bench-cpu-', waitForExit: true, env: { SVL_HTTP_FRONT: '0' }, nodeArgs: profArgs('svl-nofront') })],
  ['fauxqs', startFauxqs],
  ['moto', startMoto],
].filter(([name]) => (args.only ? args.only.split(',').includes(name) : name !== 'svl-nojournal' && name !== 'svl-nofront' && !(QUEUED > 0 && name === 'moto')));

/** svl's /_svl/health `memory` (RSS, V8 heap, SQLite database size, MB); undefined for the other targets. */
async function svlMemory(url) {
  try {
    const r = await fetch(`${url}/_svl/health`);
    return r.ok ? (await r.json()).memory : undefined;
  } catch {
    return undefined;
  }
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

async function startWorkers(url) {
  const ws = await Promise.all(Array.from({ length: WORKERS }, () => new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { url, loops: Math.max(1, Math.round(LOOPS / WORKERS)) } });
    w.once('message', () => resolve(w));
    w.once('error', reject);
  })));
  const post = (w, msg) => new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
    w.postMessage(msg);
  });
  return {
    /** One phase split over the threads: done, rate over the whole span, server and client CPU µs per unit. */
    async run(pid, msg, n) {
      const c0 = process.cpuUsage(); // this process: the worker threads (and the idle main thread)
      const r = await runSplit(pid, ws, post, msg, n);
      const c = process.cpuUsage(c0);
      return { ...r, clientUs: (c.user + c.system) / r.done };
    },
    stop: () => ws.forEach((w) => w.postMessage({ phase: 'exit' })),
  };
}

/**
 * `msg` with `n` split over the clients (`post(client, msg)` resolves with the client's { done, start, end,
 * cpuUs? }): done, rate over the whole span, server CPU µs per unit, and the clients' reported CPU µs per unit.
 */
async function runSplit(pid, clients, post, msg, n) {
  const per = Math.ceil(n / clients.length / 10) * 10;
  const s0 = cpuSeconds(pid);
  const parts = await Promise.all(clients.map((c) => post(c, { seconds: SECONDS, fifo: FIFO, ...msg, n: per })));
  const server = cpuSeconds(pid) - s0;
  const failed = parts.find((p) => p.error);
  if (failed) throw new Error(`lean client: ${failed.error}`);
  const done = parts.reduce((a, p) => a + p.done, 0);
  const span = (Math.max(...parts.map((p) => p.end)) - Math.min(...parts.map((p) => p.start))) / 1000;
  const client = parts.reduce((a, p) => a + (p.cpuUs ?? 0), 0);
  return { done, rate: done / span, serverUs: (server * 1e6) / done, clientUs: client / done };
}

/** The lean SQS client (bench/sqs-load.mjs) in LEAN_PROCS processes of its own, LEAN_CONNS connections in all. */
async function startLean(url) {
  const ps = await Promise.all(Array.from({ length: LEAN_PROCS }, (_, tag) => new Promise((resolve, reject) => {
    const p = fork(LEAN_LOADER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    p.once('message', () => resolve(p));
    p.once('error', reject);
    p.send({ url, connections: Math.max(1, Math.round(LEAN_CONNS / LEAN_PROCS)), tag });
  })));
  const post = (p, msg) => new Promise((resolve, reject) => {
    p.once('message', resolve);
    p.once('error', reject);
    p.send(msg);
  });
  return {
    run: (pid, msg, n) => runSplit(pid, ps, post, msg, n),
    stop: () => ps.forEach((p) => p.connected && p.send({ phase: 'exit' })),
  };
}

/** The lean client's phases on a fresh queue: GetQueueUrl (per request), send, receive+delete (per message). */
async function runLean(srv, create, round) {
  const lean = await startLean(srv.url);
  try {
    const name = `cpu-lean-${round}`;
    const qw = await create(`${name}-warm`);
    await lean.run(srv.pid, { phase: 'send', queueUrl: qw }, 2000);
    await lean.run(srv.pid, { phase: 'recv', queueUrl: qw }, 2000);
    const q = await create(name);
    const QueueName = new URL(q).pathname.split('/').pop();
    process.stderr.write(`[lean client] round ${round}: measuring ...\n`);
    const get = await lean.run(srv.pid, { phase: 'call', action: 'GetQueueUrl', input: { QueueName } }, Math.round(LEAN_N / 5));
    const send = await lean.run(srv.pid, { phase: 'send', queueUrl: q }, LEAN_N);
    const recv = await lean.run(srv.pid, { phase: 'recv', queueUrl: q }, send.done);
    return { get, send, recv };
  } finally {
    lean.stop();
  }
}

/**
 * Whether the publish phase's notifications carry a signature a verifier accepts: one envelope received from the
 * first (unfiltered) subscriber's queue, its canonical text checked with the certificate its SigningCertURL names,
 * fetched from the target itself when that URL is on this host (a URL elsewhere is not fetched: no network here).
 * The targets do not all do the same work per publish, and the report says so from what they sent, not from a claim.
 */
async function envelopeCheck(url, tag) {
  const sqs = new SQSClient(clientConfig(url, 2));
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `cpu-${tag}-q0` }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
    if (!Messages[0]) return 'no notification received';
    const env = JSON.parse(Messages[0].Body);
    if (!env.Signature) return 'not signed (no Signature)';
    const certUrl = new URL(env.SigningCertURL);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(certUrl.hostname)) {
      return `not verifiable (Signature ${JSON.stringify(env.Signature.slice(0, 16))}, certificate URL on ${certUrl.hostname})`;
    }
    const res = await fetch(new URL(certUrl.pathname, url));
    if (!res.ok) return `not verifiable (certificate: HTTP ${res.status})`;
    const cert = await res.text();
    let text = '';
    for (const k of ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']) if (env[k] !== undefined) text += `${k}\n${env[k]}\n`;
    const ok = verifySignature(env.SignatureVersion === '2' ? 'sha256' : 'sha1', Buffer.from(text), cert, Buffer.from(env.Signature, 'base64'));
    return ok ? `signed, SignatureVersion ${env.SignatureVersion}, verifies with its certificate` : 'signed, does not verify';
  } catch (err) {
    return `not checked (${err.message})`;
  } finally {
    sqs.destroy();
  }
}

/** A topic with 10 SQS subscribers, 5 of them filtered out, envelope delivery (RawMessageDelivery off). */
async function fanoutTopic(url, tag) {
  const sns = new SNSClient(clientConfig(url, 2));
  const sqs = new SQSClient(clientConfig(url, 2));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `cpu-${tag}` }));
  for (let i = 0; i < 10; i++) {
    const { arn } = await topicQueue(sqs, `cpu-${tag}-q${i}`, TopicArn);
    const filteredOut = i % 2 === 1;
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn, Attributes: { FilterPolicy: JSON.stringify({ kind: filteredOut ? ['never'] : ['order'] }) } }));
  }
  sns.destroy();
  sqs.destroy();
  return TopicArn;
}

async function runTarget(name, srv, round) {
  const sqs = new SQSClient(clientConfig(srv.url, 2));
  const create = async (q) =>
    (await sqs.send(new CreateQueueCommand(FIFO ? { QueueName: `${q}.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } } : { QueueName: q }))).QueueUrl;
  const load = await startWorkers(srv.url);
  const out = { target: name, round };
  try {
    // Warm-up (JIT, connections), outside the measurements; with --queued as long as a measured phase, so the
    // empty-queue figures are not dearer than the deep ones only for coming before the fill's 100,000 sends.
    const qw = await create(`cpu-warm-${round}`);
    const warm = Math.max(WARMUP, QUEUED > 0 ? N : 0);
    await load.run(srv.pid, { phase: 'send', queueUrl: qw }, warm);
    await load.run(srv.pid, { phase: 'recv', queueUrl: qw }, warm);
    const q = await create(`cpu-q-${round}`);
    process.stderr.write(`[${name}] round ${round}: measuring ...\n`);
    out.send = await load.run(srv.pid, { phase: 'send', queueUrl: q }, N);
    out.recv = await load.run(srv.pid, { phase: 'recv', queueUrl: q }, out.send.done);
    if (QUEUED > 0) {
      out.rssMbEmpty = rssMb(srv.pid);
      out.memoryEmpty = await svlMemory(srv.url);
      const deep = await create(`cpu-deep-${round}`);
      process.stderr.write(`[${name}] filling to ${QUEUED} ...\n`);
      out.fill = await load.run(srv.pid, { phase: 'send', queueUrl: deep, seconds: 900 }, QUEUED);
      const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deep, AttributeNames: ['ApproximateNumberOfMessages'] }));
      out.queued = Number(a.Attributes?.ApproximateNumberOfMessages ?? 0);
      out.rssMbFilled = rssMb(srv.pid);
      out.memoryFilled = await svlMemory(srv.url);
      process.stderr.write(`[${name}] round ${round}: measuring at depth ${out.queued} ...\n`);
      out.sendDeep = await load.run(srv.pid, { phase: 'send', queueUrl: deep }, N);
      out.recvDeep = await load.run(srv.pid, { phase: 'recv', queueUrl: deep }, out.sendDeep.done);
    }
    const topicArn = await fanoutTopic(srv.url, `r${round}`);
    await load.run(srv.pid, { phase: 'publish', topicArn }, WARMUP_PUBLISHES);
    out.publish = await load.run(srv.pid, { phase: 'publish', topicArn }, PUBLISHES);
    out.rssMb = rssMb(srv.pid);
    out.envelope = await envelopeCheck(srv.url, `r${round}`);
    if (LEAN) out.lean = await runLean(srv, create, round);
  } finally {
    load.stop();
    sqs.destroy();
  }
  return out;
}

if (isMainThread) {
  const runs = Object.fromEntries(TARGETS.map(([n]) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, start] of TARGETS) {
      const srv = await start();
      try {
        const r = await runTarget(name, srv, round);
        runs[name].push(r);
        process.stderr.write(`[${name}] round ${round}: server µs send ${fmt(r.send.serverUs)}, recv+del ${fmt(r.recv.serverUs)}, publish ${fmt(r.publish.serverUs)}; RSS ${r.rssMb} MB\n`);
        if (r.lean) process.stderr.write(`[${name}] round ${round}: lean client: send ${fmt(r.lean.send.rate)} msgs/s (server ${fmt(r.lean.send.serverUs)} µs, client ${fmt(r.lean.send.clientUs)} µs), recv+del ${fmt(r.lean.recv.rate)} msgs/s (server ${fmt(r.lean.recv.serverUs)} µs, client ${fmt(r.lean.recv.clientUs)} µs), GetQueueUrl server ${fmt(r.lean.get.serverUs)} µs\n`);
        if (QUEUED) process.stderr.write(`[${name}] round ${round}: at depth ${r.queued}: server µs send ${fmt(r.sendDeep.serverUs)}, recv+del ${fmt(r.recvDeep.serverUs)}; RSS ${r.rssMbFilled} MB filled; memory ${JSON.stringify(r.memoryFilled ?? null)}\n`);
      } finally {
        await srv.stop();
      }
    }
  }
  const med = (xs) => {
    const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
  };
  const m = (name, phase, key) => med(runs[name].map((r) => r[phase][key]));
  const names = TARGETS.map(([n]) => n);
  const has = (n) => names.includes(n);
  const ROWS = [
    ['send', 'SQS SendMessageBatch, µs/msg', 20],
    ['recv', 'SQS ReceiveMessage + DeleteMessageBatch, µs/msg', 30],
    ['publish', 'SNS Publish, 10 SQS subscribers (5 filtered out), envelope, µs/publish', 180],
  ];
  const f = (x) => (Number.isFinite(x) ? fmt(x) : '-');
  const lines = [
    `Server CPU (user+sys from /proc) per message, median of ${ROUNDS} rounds${FIFO ? `, SQS phases on FIFO queues (${FIFO_GROUPS} groups, content-based deduplication)` : ''}${QUEUED ? ` (empty queues; the depth table below has the same phases with ${QUEUED} queued)` : ''}; ${LOOPS} client loops in ${WORKERS} worker threads, batches of 10, N=${N} msgs / ${PUBLISHES} publishes per phase after warm-ups of ${WARMUP} msgs / ${WARMUP_PUBLISHES} publishes (each <= ${SECONDS} s); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; node ${process.versions.node}`,
    '',
    `| work | ${names.join(' | ')} | svl / fauxqs | svl-mem / fauxqs | target (svl) | met |`,
    `|---|${names.map(() => '---:').join('|')}|---:|---:|---:|---|`,
  ];
  for (const [phase, label, target] of ROWS) {
    const v = Object.fromEntries(names.map((n) => [n, m(n, phase, 'serverUs')]));
    const ratio = (a) => (has(a) && has('fauxqs') ? `${(v[a] / v.fauxqs).toFixed(2)}x` : '-');
    // Judged on the figure as shown (2 decimals): CPU time from /proc comes in 10 ms ticks, so a division can land a
    // hair above a round figure (20.00000000000002 for 20 ticks over 10,000 messages).
    const met = has('svl') ? (Number(fmt(v.svl)) <= target ? 'met' : 'not met') : '-';
    lines.push(`| ${label} | ${names.map((n) => f(v[n])).join(' | ')} | ${ratio('svl')} | ${ratio('svl-mem')} | ${target} | ${met} |`);
  }
  const envelopes = names.map((n) => `${n}: ${runs[n][0]?.envelope ?? '-'}`).join('; ');
  lines.push('', `What a publish's notification carries (one received from the first subscriber's queue, round 0): ${envelopes}`);
  if (has('svl') && has('svl-nojournal')) {
    const cost = (a, b) => `${a >= b ? '+' : ''}${fmt((a / b - 1) * 100)}%`;
    const sdk = ROWS.map(([phase]) => `${phase} ${cost(m('svl', phase, 'serverUs'), m('svl-nojournal', phase, 'serverUs'))}`).join(', ');
    const lean = LEAN ? `; lean client: ${['send', 'recv'].map((phase) => `${phase} ${cost(med(runs.svl.map((r) => r.lean?.[phase]?.serverUs)), med(runs['svl-nojournal'].map((r) => r.lean?.[phase]?.serverUs)))}`).join(', ')}` : '';
    lines.push('', `Event journal (issue 15), svl against svl-nojournal, server CPU per message: ${sdk}${lean}`);
  }
  lines.push('', 'Throughput (msgs/s or publishes/s; wall clock, shared machine) and the client\'s own CPU µs per message (when it nears 1e6 x threads / rate, the client was the limit):', '');
  lines.push(`| work | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
  for (const [phase, label] of ROWS) {
    lines.push(`| ${label.replace(/, µs.*$/, '')} | ${names.map((n) => `${f(m(n, phase, 'rate'))} (client ${f(m(n, phase, 'clientUs'))} µs)`).join(' | ')} |`);
  }
  if (LEAN) {
    const ml = (name, phase, key) => med(runs[name].map((r) => r.lean?.[phase]?.[key]));
    lines.push('', `Lean client (bench/sqs-load.mjs: SQS JSON 1.0, SigV4, keep-alive HTTP/1.1 over node:net; ${LEAN_PROCS} process(es), ${LEAN_CONNS} connections in all, batches of 10, N=${LEAN_N} msgs per phase, <= ${SECONDS} s), median of ${ROUNDS}: throughput (msgs/s, wall clock) with the server's and the client's CPU µs per message. The client is not the limit while its CPU per message stays well under the server's (2 cores: one for each). Targets (svl): >= 30,000 msgs/s send, >= 15,000 receive+delete.`, '');
    lines.push(`| work | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`);
    for (const [phase, label] of [['send', 'SQS SendMessageBatch'], ['recv', 'SQS ReceiveMessage + DeleteMessageBatch']]) {
      lines.push(`| ${label} | ${names.map((n) => `${f(ml(n, phase, 'rate'))} (server ${f(ml(n, phase, 'serverUs'))} µs, client ${f(ml(n, phase, 'clientUs'))} µs)`).join(' | ')} |`);
    }
    // rate x server CPU per message = the share of a core the server had; below ~0.9 the machine's other load, not the
    // server or the client, held the rate down, and 1e6 / server µs is what one whole core would do at that cost.
    for (const [phase, label] of [['send', 'SQS SendMessageBatch'], ['recv', 'SQS ReceiveMessage + DeleteMessageBatch']]) {
      lines.push(`| ${label}: server's share of a core; msgs/s at one whole core | ${names.map((n) => `${f(ml(n, phase, 'rate') * ml(n, phase, 'serverUs') / 1e6)}; ${f(1e6 / ml(n, phase, 'serverUs'))}`).join(' | ')} |`);
    }
    lines.push(`| GetQueueUrl, per request | ${names.map((n) => `${f(ml(n, 'get', 'rate'))}/s (server ${f(ml(n, 'get', 'serverUs'))} µs, client ${f(ml(n, 'get', 'clientUs'))} µs)`).join(' | ')} |`);
  }
  lines.push('', `RSS MB at the end: ${names.map((n) => `${n} ${f(med(runs[n].map((r) => r.rssMb)))}`).join(', ')}`);
  if (QUEUED) {
    lines.push('', `Depth: the SQS phases on an empty queue, then on a queue filled to ${QUEUED}, same process (target: within 20%, RSS < 200 MB):`, '');
    lines.push('| target | figure | empty queue | deep queue | deep / empty | within 20% |', '|---|---|---:|---:|---:|---|');
    for (const n of names) {
      for (const [phase, label] of [['send', 'send'], ['recv', 'receive+delete']]) {
        for (const [key, unit, worse] of [['serverUs', 'server µs/msg', (r) => r > 1.2], ['rate', 'msgs/s', (r) => r < 1 / 1.2]]) {
          const e = m(n, phase, key);
          const d = m(n, `${phase}Deep`, key);
          const r = d / e;
          lines.push(`| ${n} | ${label}, ${unit} | ${f(e)} | ${f(d)} | ${Number.isFinite(r) ? r.toFixed(2) : '-'} | ${Number.isFinite(r) ? (worse(r) ? 'no' : 'yes') : '-'} |`);
        }
      }
      const re = med(runs[n].map((r) => r.rssMbEmpty));
      const rf = med(runs[n].map((r) => r.rssMbFilled));
      lines.push(`| ${n} | RSS MB | ${f(re)} | ${f(rf)} | ${Number.isFinite(rf / re) ? (rf / re).toFixed(2) : '-'} | ${rf < 200 ? 'yes (< 200 MB)' : 'no (>= 200 MB)'} |`);
    }
    lines.push('', `Queued: ${names.map((n) => `${n} ${f(med(runs[n].map((r) => r.queued)))}`).join(', ')}; svl's memory when filled (last round): ${names.map((n) => `${n} ${JSON.stringify(runs[n].at(-1)?.memoryFilled ?? null)}`).join(', ')}`);
  }
  writeReport(`${QUEUED ? 'cpu-queued' : 'cpu'}${FIFO ? '-fifo' : ''}`, { rounds: ROUNDS, n: N, publishes: PUBLISHES, queued: QUEUED, lean: LEAN && { n: LEAN_N, procs: LEAN_PROCS, conns: LEAN_CONNS }, runs }, lines);
  process.exit(0);
}
