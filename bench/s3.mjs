#!/usr/bin/env node
// S3 uploads with an event notification to SQS: PutObject throughput of 1 KiB objects (the bucket notifies a
// queue of every s3:ObjectCreated:*), upload -> message receivable latency, and one big upload's MB/s
// against `cp` of the same file on the same disk. svl's emulator (separate process, durable state),
// fauxqs (npm; in memory; accepts a notification configuration but delivers nothing) and moto_server in
// the same run, the same clients. Writes Markdown to stdout and bench/results/s3.{json,md}.
//
// The PUT loop runs twice. With @aws-sdk/client-s3 in several worker threads (what an application sees; the
// SDK costs several times the emulator's CPU per PUT, so on a small machine that rate measures the client).
// And with the lean client (bench/s3-load.mjs, its own processes: HTTP/1.1 keep-alive written over node:net,
// one request per connection at a time, each PUT SigV4-signed with node:crypto, the SDK's checksum headers,
// nothing else), the same for every target: its objects/s, p50/p99 and client CPU per PUT compare servers.
// Both after a warm-up (the lean client's: 100 PUTs per connection, at least 1,000 unless a target gets
// fewer objects, so that V8 has compiled the server's request path: after 160, its optimising compiles
// were still ~10-20% of the CPU measured), both with the emulator's own CPU per PUT (/proc) and the rate one
// core of it could sustain at that cost. Upload -> message receivable is
// measured with the SDK and with the lean client (a long-polling ReceiveMessage already waiting when the
// PUT is written). The big upload is measured
// twice: a plain signed PUT streaming the file (UNSIGNED-PAYLOAD, Content-Length: what the emulator can
// take) and the SDK's streamed aws-chunked upload with a CRC32 trailer (bounded by the SDK itself, whose
// rate against a server that discards the body is printed too). moto gets fewer objects and a smaller big
// file (it takes ~15 min for 256 MiB); the output says so.
//
//   node bench/s3.mjs [--objects 5000] [--latency 300] [--workers 4] [--clients 16] [--big-mb 256]
//                     [--lean-procs 1] [--connections 16] [--moto-objects 300] [--moto-big-mb 32]
//                     [--only svl|fauxqs|moto] [--sections put,lean,latency,lean-latency,big,multipart]
//                     [--profile DIR (svl: --cpu-prof into DIR)]
import { parseArgs } from 'node:util';
import { fork, spawnSync } from 'node:child_process';
import { request as httpRequest, Agent } from 'node:http';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createReadStream, readFileSync, mkdtempSync, openSync, writeSync, closeSync, rmSync, statSync } from 'node:fs';
import { createHash, createHmac, randomFillSync } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client, CreateBucketCommand, PutObjectCommand, HeadObjectCommand, PutBucketNotificationConfigurationCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand } from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startSvl, startMoto, startFauxqs, clientConfig, writeReport, fmt, quantile, cpuSeconds } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '5000' },
    latency: { type: 'string', default: '300' },
    workers: { type: 'string', default: '4' },
    clients: { type: 'string', default: '16' },
    'big-mb': { type: 'string', default: '256' },
    'moto-objects': { type: 'string', default: '300' },
    'moto-big-mb': { type: 'string', default: '32' },
    only: { type: 'string' },
    sections: { type: 'string', default: 'put,lean,latency,lean-latency,big,multipart' },
    'lean-procs': { type: 'string', default: '1' },
    connections: { type: 'string', default: '16' },
    profile: { type: 'string' },
  },
});
const LATENCY_SAMPLES = Number(args.latency);
const WORKERS = Math.max(1, Number(args.workers));
const CLIENTS = Math.max(WORKERS, Number(args.clients));
const BIG_MB = Number(args['big-mb']);
const LEAN_PROCS = Math.max(1, Number(args['lean-procs']));
const CONNECTIONS = Math.max(LEAN_PROCS, Number(args.connections));
const LOADER = fileURLToPath(new URL('./s3-load.mjs', import.meta.url));
const ACCOUNT = '000000000000';
const BODY = Buffer.alloc(1024, 'x');
/** Per emulator: objects in the PUT loop, MiB of the big upload (moto is slow at both). */
const sizes = (name) => ({
  objects: Number(name === 'moto' ? args['moto-objects'] : args.objects),
  bigMb: Math.min(BIG_MB, name === 'moto' ? Number(args['moto-big-mb']) : BIG_MB),
});
/** Plain 256 MiB PUTs per target; the median is reported. */
const BIG_RUNS = 3;
const TARGETS = { putsPerSecond: 2000, p50Ms: 5, cpShare: 0.5 };

const s3Client = (url, sockets = CLIENTS) => new S3Client({ ...clientConfig(url, sockets), forcePathStyle: true });

// ---- PUT-loop worker threads: each its own SDK client, taking object numbers from a shared counter ----
if (!isMainThread) {
  const { url, bucket, clients, counter, objects } = workerData;
  const next = new Int32Array(counter);
  const s3 = s3Client(url, clients);
  for (let i = 0; i < 10; i++) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `warm/${workerData.id}-${i}`, Body: BODY }));
  parentPort.postMessage('ready');
  await new Promise((r) => parentPort.once('message', r));
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = Atomics.add(next, 0, 1); i < objects; i = Atomics.add(next, 0, 1)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `uploads/${i}.bin`, Body: BODY }));
  }));
  parentPort.postMessage('done');
  process.exit(0);
}

/** A bucket whose s3:ObjectCreated:* events go to a queue that lets only that bucket send. */
async function pipeline(url, name) {
  const s3 = s3Client(url);
  const sqs = new SQSClient(clientConfig(url, 4));
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}-events`;
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${name}` } } }],
  });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-events`, Attributes: { Policy: policy } }));
  let notified = true;
  try {
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: name,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: queueArn, Events: ['s3:ObjectCreated:*'] }] },
    }));
  } catch (err) {
    notified = false;
    console.error(`  ${name}: PutBucketNotificationConfiguration failed (${err.name}: ${err.message}); measuring uploads without notifications`);
  }
  // The s3:TestEvent the configuration sends (AWS, svl) is drained before measuring.
  if (notified) {
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (Messages.length === 0) break;
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  }
  return { s3, sqs, QueueUrl, notified };
}

async function queueDepth(sqs, QueueUrl) {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** The queue's depth once it holds `expected` messages (the emulators send before or right after answering: stragglers get 5 s). */
async function notifiedCount(sqs, QueueUrl, expected) {
  let messages = await queueDepth(sqs, QueueUrl);
  for (let tries = 0; messages < expected && tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    messages = await queueDepth(sqs, QueueUrl);
  }
  return messages;
}

/** A forked lean client (bench/s3-load.mjs) given `job`; `step()` sends the next message and resolves with its answer. */
function leanClient(job) {
  const child = fork(LOADER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const answer = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`the lean client exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        if (m.error) reject(new Error(m.error));
        else resolve(m);
      });
    });
  let first = true;
  return {
    step() {
      const next = answer();
      child.send(first ? job : { go: true });
      first = false;
      return next;
    },
    kill: () => child.kill(),
  };
}

/** The PUT loop with the lean client: LEAN_PROCS processes sharing CONNECTIONS sockets and the objects. */
async function leanThroughput(url, pid, objects) {
  const { sqs, QueueUrl, notified } = await pipeline(url, 'bench-lean');
  const per = Math.max(1, Math.round(CONNECTIONS / LEAN_PROCS));
  const warmEach = Math.max(50, Math.min(objects, Math.max(1000, per * 100)));
  const share = (i) => Math.floor(objects / LEAN_PROCS) + (i < objects % LEAN_PROCS ? 1 : 0);
  const clients = Array.from({ length: LEAN_PROCS }, (_, i) => leanClient({ mode: 'put', url, bucket: 'bench-lean', prefix: `p${i}-`, connections: per, objects: share(i), warm: warmEach }));
  try {
    await Promise.all(clients.map((c) => c.step()));
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    const results = await Promise.all(clients.map((c) => c.step()));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(pid) - cpu0;
    const samples = results.flatMap((r) => r.samples).sort((a, b) => a - b);
    const messages = notified ? await notifiedCount(sqs, QueueUrl, objects + warmEach * LEAN_PROCS) : 0;
    const serverCpuMsPerObject = (cpu * 1000) / objects;
    return {
      objects,
      processes: LEAN_PROCS,
      connections: per * LEAN_PROCS,
      seconds,
      objectsPerSecond: objects / seconds,
      p50Ms: quantile(samples, 0.5),
      p99Ms: quantile(samples, 0.99),
      serverCpuMsPerObject,
      serverBoundPerSecond: 1000 / serverCpuMsPerObject,
      clientCpuMsPerObject: results.reduce((a, r) => a + r.cpuMs, 0) / objects,
      notified,
      messagesQueued: messages,
      expectedMessages: objects + warmEach * LEAN_PROCS,
    };
  } finally {
    for (const c of clients) c.kill();
  }
}

/** Upload -> message receivable with the lean client: its long poll is waiting when the PUT is written. */
async function leanLatency(url) {
  const { QueueUrl, notified } = await pipeline(url, 'bench-lean-latency');
  if (!notified) return null;
  const client = leanClient({ mode: 'latency', url, bucket: 'bench-lean-latency', queueUrl: QueueUrl, samples: LATENCY_SAMPLES, warm: 10 });
  try {
    const warmed = await client.step();
    if (warmed.lost) {
      console.error(`  no notification of ${warmed.lost} arrived within 20 s: the configuration was accepted but nothing is delivered`);
      return null;
    }
    const r = await client.step();
    if (r.lost) throw new Error(`no notification of ${r.lost} arrived within 20 s`);
    return { samples: r.samples.length, p50Ms: quantile(r.samples, 0.5), p99Ms: quantile(r.samples, 0.99), putP50Ms: quantile(r.putSamples, 0.5), clientCpuMsPerProbe: r.cpuMs / r.samples.length };
  } finally {
    client.kill();
  }
}

async function throughput(url, pid, objects) {
  const { sqs, QueueUrl, notified } = await pipeline(url, 'bench-put');
  const counter = new SharedArrayBuffer(4);
  const per = Math.max(1, Math.round(CLIENTS / WORKERS));
  const workers = Array.from({ length: WORKERS }, (_, id) => new Worker(new URL(import.meta.url), { workerData: { url, bucket: 'bench-put', clients: per, counter, objects, id }, argv: process.argv.slice(2) }));
  const next = (w, what) => new Promise((resolve, reject) => {
    w.once('message', (m) => (m === what ? resolve() : reject(new Error(String(m)))));
    w.once('error', reject);
  });
  await Promise.all(workers.map((w) => next(w, 'ready')));
  const warm = WORKERS * 10;
  const cpu0 = cpuSeconds(pid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const done = Promise.all(workers.map((w) => next(w, 'done')));
  for (const w of workers) w.postMessage('go');
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const client = process.cpuUsage(client0);
  const messages = notified ? await notifiedCount(sqs, QueueUrl, objects + warm) : 0;
  const serverCpuMsPerObject = (cpu * 1000) / objects;
  return {
    objects,
    workers: WORKERS,
    clients: per * WORKERS,
    seconds,
    objectsPerSecond: objects / seconds,
    serverCpuMsPerObject,
    /** The PUT rate one core of the emulator sustains at that CPU cost (what a machine whose clients are not the limit would see). */
    serverBoundPerSecond: 1000 / serverCpuMsPerObject,
    clientCpuMsPerObject: (client.user + client.system) / 1000 / objects,
    notified,
    messagesQueued: messages,
    expectedMessages: objects + warm,
  };
}

/** The decoded object key of an S3 event message (any JSON spacing: moto writes Python's), or undefined. */
function probeKey(body) {
  try {
    const key = JSON.parse(body).Records?.[0]?.s3?.object?.key;
    return key === undefined ? undefined : decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

async function latency(url) {
  const { s3, sqs, QueueUrl, notified } = await pipeline(url, 'bench-latency');
  if (!notified) return null;
  const poller = new SQSClient(clientConfig(url, 2));
  const samples = [];
  for (let i = 0; i < LATENCY_SAMPLES + 10; i++) {
    const key = `probe/${i}.bin`;
    const t0 = performance.now();
    const received = (async () => {
      for (let polls = 0; ; polls++) {
        // An emulator that accepts the configuration but never notifies: give up after 15 s.
        if (polls === 3) return undefined;
        const { Messages = [] } = await poller.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }));
        if (Messages.length) {
          await poller.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })) }));
          if (Messages.some((m) => probeKey(m.Body) === key)) return performance.now();
        }
      }
    })();
    await s3.send(new PutObjectCommand({ Bucket: 'bench-latency', Key: key, Body: BODY }));
    const t1 = await received;
    if (t1 === undefined) {
      console.error('  no notification arrived within 15 s: the configuration was accepted but nothing is delivered');
      return null;
    }
    if (i >= 10) samples.push(t1 - t0);
  }
  samples.sort((a, b) => a - b);
  return { samples: samples.length, p50Ms: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99) };
}

function makeBigFile(dir) {
  const path = join(dir, 'big.bin');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < BIG_MB / 4; i++) writeSync(fd, randomFillSync(chunk));
  closeSync(fd);
  return path;
}

/** MB/s of `cp` on the same disk (the ceiling an upload that streams to disk can approach). */
function cpRate(file, dir) {
  const copy = join(dir, 'copy.bin');
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync('sh', ['-c', `cp "${file}" "${copy}" && sync "${copy}" 2>/dev/null || true`]);
    if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
    runs.push(BIG_MB / ((performance.now() - t0) / 1000));
    rmSync(copy, { force: true });
  }
  return runs.sort((a, b) => a - b)[1];
}

/** SigV4 (header auth, UNSIGNED-PAYLOAD) with node's crypto, as any S3 client signs a streamed PUT. */
class NodeSha256 {
  constructor(secret) {
    this.h = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data) {
    this.h.update(data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}
const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: NodeSha256 });

/** A plain PutObject streaming `bytes` of `file` (1 MiB reads) with Content-Length: what the emulator can take. */
async function rawUpload(url, file, bytes, key) {
  const u = new URL(url);
  const signed = await signer.sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: `/bench-big/${key}`,
    query: {},
    headers: { host: u.host, 'content-length': String(bytes), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-type': 'application/octet-stream' },
  });
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method: 'PUT', path: signed.path, headers: signed.headers, agent: new Agent() }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`))));
    });
    req.on('error', reject);
    createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: 1024 * 1024 }).pipe(req);
  });
  return (performance.now() - t0) / 1000;
}

/** CPU seconds of a process's main thread (Linux /proc; null elsewhere): the rest are worker threads and the pool. */
const mainThreadCpuSeconds = (pid) => cpuSeconds(`${pid}/task/${pid}`);

async function bigUpload(url, file, mb, pid) {
  const s3 = s3Client(url);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-big' }));
  const size = mb * 1024 * 1024;
  // A 2 MiB upload first: an emulator's first upload over 1 MiB starts its body-writer thread (svl: ~50 ms
  // of CPU, once per process), which is not what a big upload costs.
  await rawUpload(url, file, 2 * 1024 * 1024, 'warm.bin');
  // The plain PUT, BIG_RUNS times (the median run is reported, as cp's median of 3 is: one sample of each
  // moved the ratio by 10 points between runs), each with the emulator's CPU: the whole process, and its
  // main thread (what serialises requests).
  const runs = [];
  for (let i = 0; i < BIG_RUNS; i++) {
    const cpu0 = cpuSeconds(pid);
    const main0 = mainThreadCpuSeconds(pid);
    const run = { megabytes: mb, seconds: await rawUpload(url, file, size, 'raw.bin') };
    run.megabytesPerSecond = mb / run.seconds;
    run.serverCpuSeconds = cpuSeconds(pid) - cpu0;
    run.mainThreadCpuSeconds = mainThreadCpuSeconds(pid) - main0;
    const rawHead = await s3.send(new HeadObjectCommand({ Bucket: 'bench-big', Key: 'raw.bin' }));
    if (rawHead.ContentLength !== size) throw new Error(`stored ${rawHead.ContentLength} bytes of ${size}`);
    runs.push(run);
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const raw = { ...runs[Math.floor(runs.length / 2)], runsMegabytesPerSecond: runs.map((r) => r.megabytesPerSecond) };
  let body = 'stream';
  let t0 = performance.now();
  try {
    await s3.send(new PutObjectCommand({ Bucket: 'bench-big', Key: 'big.bin', Body: createReadStream(file, { start: 0, end: size - 1, highWaterMark: 1024 * 1024 }), ContentLength: size }));
  } catch (err) {
    // A server that cannot take the SDK's streamed (aws-chunked) upload gets the same bytes as one buffer.
    console.error(`  streamed upload failed (${err.message.split('\n')[0]}); retrying with a Buffer body`);
    body = 'buffer';
    const bytes = readFileSync(file).subarray(0, size);
    t0 = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: 'bench-big', Key: 'big.bin', Body: bytes }));
  }
  const seconds = (performance.now() - t0) / 1000;
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'bench-big', Key: 'big.bin' }));
  if (head.ContentLength !== size) throw new Error(`stored ${head.ContentLength} bytes of ${size}`);
  return { megabytes: mb, raw, sdk: { body, seconds, megabytesPerSecond: mb / seconds } };
}

/** The SDK's streamed upload against a server (in a worker thread) that only reads the body: the most the SDK client can send. */
async function sdkCeiling(file) {
  const sink = new Worker(
    `const { createServer } = require('node:http');
     const { parentPort } = require('node:worker_threads');
     const server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { etag: '"x"' }); res.end(); }); });
     server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
     parentPort.on('message', () => server.close(() => process.exit(0)));`,
    { eval: true },
  );
  const port = await new Promise((resolve, reject) => {
    sink.once('message', resolve);
    sink.once('error', reject);
  });
  try {
    const s3 = s3Client(`http://127.0.0.1:${port}`);
    const size = statSync(file).size;
    const t0 = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: 'sink', Key: 'big.bin', Body: createReadStream(file, { highWaterMark: 1024 * 1024 }), ContentLength: size }));
    return BIG_MB / ((performance.now() - t0) / 1000);
  } finally {
    sink.postMessage('stop');
  }
}

/** The same file as `aws s3 cp` sends it: multipart, 8 MiB parts, 4 at a time. */
async function multipartUpload(url, file, mb) {
  const s3 = s3Client(url);
  const PART = 8 * 1024 * 1024;
  const size = mb * 1024 * 1024;
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-big' })).catch(() => {}); // made by bigUpload unless --sections left it out
  const t0 = performance.now();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bench-big', Key: 'multipart.bin' }));
  const parts = [];
  let next = 0;
  const count = Math.ceil(size / PART);
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let i = next++; i < count; i = next++) {
      const start = i * PART;
      const end = Math.min(size, start + PART);
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'bench-big', Key: 'multipart.bin', UploadId, PartNumber: i + 1, Body: createReadStream(file, { start, end: end - 1, highWaterMark: 1024 * 1024 }), ContentLength: end - start }));
      parts[i] = { PartNumber: i + 1, ETag };
    }
  }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'bench-big', Key: 'multipart.bin', UploadId, MultipartUpload: { Parts: parts } }));
  const seconds = (performance.now() - t0) / 1000;
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'bench-big', Key: 'multipart.bin' }));
  if (head.ContentLength !== size) throw new Error(`stored ${head.ContentLength} bytes of ${size}`);
  return { megabytes: mb, seconds, megabytesPerSecond: mb / seconds };
}

const targets = [
  ['svl', () => startSvl({ prefix: 'svl-bench-s3-', waitForExit: true, nodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [] })],
  ['fauxqs', startFauxqs],
  ['moto', startMoto],
].filter(([name]) => !args.only || args.only === name);

const dir = mkdtempSync(join(tmpdir(), 'svl-bench-s3-file-'));
const results = { workers: WORKERS, clients: CLIENTS, bigMegabytes: BIG_MB, targets: {} };
const want = new Set(args.sections.split(','));
try {
  const file = makeBigFile(dir);
  results.cpMegabytesPerSecond = cpRate(file, dir);
  if (want.has('big')) results.sdkCeilingMegabytesPerSecond = await sdkCeiling(file);
  for (const [name, start] of targets) {
    console.error(`${name}…`);
    const { objects, bigMb } = sizes(name);
    const server = await start();
    try {
      const section = async (fn) => {
        try {
          return await fn();
        } catch (err) {
          console.error(`  ${name} failed: ${err.stack ?? err}`);
          return { error: String(err.message ?? err).split('\n')[0] };
        }
      };
      const skipped = async () => ({ error: 'not run (--sections)' });
      results.targets[name] = {
        put: await section(want.has('put') ? () => throughput(server.url, server.pid, objects) : skipped),
        lean: await section(want.has('lean') ? () => leanThroughput(server.url, server.pid, objects) : skipped),
        latency: await section(want.has('latency') ? () => latency(server.url) : skipped),
        leanLatency: await section(want.has('lean-latency') ? () => leanLatency(server.url) : skipped),
        big: await section(want.has('big') ? () => bigUpload(server.url, file, bigMb, server.pid) : skipped),
        multipart: await section(want.has('multipart') ? () => multipartUpload(server.url, file, bigMb) : skipped),
      };
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const cpShare = (mbs) => mbs / results.cpMegabytesPerSecond;
const pct = (mbs) => `${fmt(100 * cpShare(mbs))}% of cp`;
const mbNote = (mb) => (mb === BIG_MB ? '' : ` (${mb} MiB)`);
const failed = (x) => !x || x.error;
const putCells = (p, client) => {
  if (failed(p)) return [client, p ? `failed: ${p.error}` : '-', '', '', '', ''];
  const notes = `${p.notified ? `${p.messagesQueued} of ${p.expectedMessages}` : 'refused'}${p.objects === sizes('svl').objects ? '' : ` (${p.objects} objects)`}`;
  return [client, fmt(p.objectsPerSecond), p.p50Ms === undefined ? '-' : `${fmt(p.p50Ms)} / ${fmt(p.p99Ms)} ms`, `${fmt(p.serverCpuMsPerObject)} ms (${fmt(p.serverBoundPerSecond)}/s per core)`, `${fmt(p.clientCpuMsPerObject)} ms`, notes];
};
const putRows = (name) => {
  const r = results.targets[name];
  if (!r) return [];
  const lean = `lean (${LEAN_PROCS} process${LEAN_PROCS > 1 ? 'es' : ''}, ${r.lean?.connections ?? CONNECTIONS} sockets)`;
  return [
    `| ${name} | ${putCells(r.put, `SDK (${WORKERS} threads, ${r.put?.clients ?? CLIENTS} in flight)`).join(' | ')} |`,
    `| ${name} | ${putCells(r.lean, lean).join(' | ')} |`,
  ];
};
const latCell = (l) => (l === null ? 'n/a (nothing delivered)' : failed(l) ? `failed: ${l?.error ?? '-'}` : `${fmt(l.p50Ms)} / ${fmt(l.p99Ms)} ms`);
const otherRow = (name) => {
  const r = results.targets[name];
  if (!r) return [];
  const b = r.big;
  const raw = failed(b)
    ? `failed: ${b?.error}`
    : `${fmt(b.raw.megabytesPerSecond)} MB/s (${pct(b.raw.megabytesPerSecond)}; runs ${b.raw.runsMegabytesPerSecond.map(fmt).join(' / ')} MB/s)${mbNote(b.megabytes)}; server CPU ${fmt(b.raw.serverCpuSeconds)} s, main thread ${fmt(b.raw.mainThreadCpuSeconds)} s`;
  const sdk = failed(b) ? '' : `${fmt(b.sdk.megabytesPerSecond)} MB/s${b.sdk.body === 'buffer' ? ' (streamed upload failed, Buffer body)' : ''}${mbNote(b.megabytes)}`;
  const m = r.multipart;
  const multi = failed(m) ? `failed: ${m?.error}` : `${fmt(m.megabytesPerSecond)} MB/s (${pct(m.megabytesPerSecond)})${mbNote(m.megabytes)}`;
  return [`| ${name} | ${latCell(r.latency)} | ${latCell(r.leanLatency)} | ${raw} | ${sdk} | ${multi} |`];
};
const svl = results.targets.svl;
const rate = (name, kind) => (failed(results.targets[name]?.[kind]) ? undefined : results.targets[name][kind].objectsPerSecond);
const peers = ['fauxqs', 'moto'].filter((n) => rate(n, 'lean') ?? rate(n, 'put'));
/**
 * Notified PUTs/s: the PUTs whose notification reached the queue, per second (the PUT rate times the share
 * of notifications queued). A peer that accepts the configuration and delivers nothing notifies 0/s,
 * however fast it answers PUTs; both rates are printed.
 */
const notified = (name, kind) => {
  const r = results.targets[name]?.[kind];
  return failed(r) ? undefined : r.objectsPerSecond * Math.min(1, r.messagesQueued / r.expectedMessages);
};
const ratio = (peer, kind) => {
  if (!rate('svl', kind) || !rate(peer, kind)) return 'n/a';
  const raw = `${fmt(rate('svl', kind) / rate(peer, kind))}× by PUTs answered`;
  return notified(peer, kind) ? `${fmt(notified('svl', kind) / notified(peer, kind))}× (${raw})` : `${fmt(notified('svl', kind))}/s against 0/s notified (${raw})`;
};
const verdict = (ok) => (ok === undefined ? 'not measured' : ok ? 'MET' : 'NOT MET');
const lean = failed(svl?.lean) ? undefined : svl.lean;
const put = failed(svl?.put) ? undefined : svl.put;
const lat = failed(svl?.leanLatency) ? undefined : svl.leanLatency;
const sdkLat = failed(svl?.latency) ? undefined : svl.latency;
const big = failed(svl?.big) ? undefined : svl.big;
/** Peers that queued fewer notifications than PUTs (fauxqs accepts the configuration and delivers nothing): they do less per PUT. */
const silent = peers.filter((n) => ['lean', 'put'].some((k) => !failed(results.targets[n][k]) && results.targets[n][k].messagesQueued < results.targets[n][k].expectedMessages));
const ahead = (kind) => (peers.length < 2 || !rate('svl', kind) ? undefined : peers.every((n) => notified(n, kind) === undefined || notified('svl', kind) > notified(n, kind)));
const checks = [
  `- ≥ ${TARGETS.putsPerSecond.toLocaleString('en')} notified PUTs/s: ${verdict(lean && lean.objectsPerSecond >= TARGETS.putsPerSecond)} with the lean client (${lean ? fmt(lean.objectsPerSecond) : '-'}/s on this machine; the SDK clients: ${put ? fmt(put.objectsPerSecond) : '-'}/s); the emulator's CPU allows ${lean ? fmt(lean.serverBoundPerSecond) : '-'}/s per core: ${verdict(lean && lean.serverBoundPerSecond >= TARGETS.putsPerSecond)} by that measure`,
  `- upload -> receivable p50 < ${TARGETS.p50Ms} ms: ${verdict(lat && lat.p50Ms < TARGETS.p50Ms)} with the lean client (${lat ? `${fmt(lat.p50Ms)} ms, the PUT itself answered in ${fmt(lat.putP50Ms)} ms` : '-'}; with the SDK: ${sdkLat ? `${fmt(sdkLat.p50Ms)} ms` : '-'})`,
  `- big upload ≥ ${100 * TARGETS.cpShare}% of cp: ${verdict(big && cpShare(big.raw.megabytesPerSecond) >= TARGETS.cpShare)} (plain PUT ${big ? pct(big.raw.megabytesPerSecond) : '-'}; the SDK's aws-chunked upload ${big ? pct(big.sdk.megabytesPerSecond) : '-'}, its client alone reaches ${results.sdkCeilingMegabytesPerSecond ? pct(results.sdkCeilingMegabytesPerSecond) : '-'})`,
  `- ahead of both peers (notified PUTs/s): ${verdict(ahead('lean'))} with the lean client (svl vs fauxqs ${ratio('fauxqs', 'lean')}, vs moto ${ratio('moto', 'lean')}); with the SDK clients ${verdict(ahead('put'))} (vs fauxqs ${ratio('fauxqs', 'put')}, vs moto ${ratio('moto', 'put')})${silent.length ? `; ${silent.join(', ')} queued fewer notifications than PUTs (no notification work per PUT: it answers plain PUTs, it does not notify)` : ''}`,
];
const moto = sizes('moto');
writeReport('s3', results, [
  `S3 PutObject of 1 KiB objects with an s3:ObjectCreated:* notification to SQS (${sizes('svl').objects} objects after a warm-up; @aws-sdk/client-s3 in ${WORKERS} worker threads with ${results.clients ?? CLIENTS} requests in flight, and the lean client: ${LEAN_PROCS} process(es) of HTTP/1.1 keep-alive over node:net with ${CONNECTIONS} in flight, each PUT SigV4-signed with node:crypto), upload -> message receivable latency (${LATENCY_SAMPLES} sequential probes, a long-polling receiver), and a ${BIG_MB} MiB single PUT: plain (UNSIGNED-PAYLOAD, Content-Length, streamed from disk; the median of ${BIG_RUNS}) and the SDK's streamed aws-chunked upload with a CRC32 trailer. node ${process.versions.node}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end (a shared machine: compare CPU per PUT and ratios, not absolute rates). \`cp\` of the same file on the same disk: ${fmt(results.cpMegabytesPerSecond)} MB/s${results.sdkCeilingMegabytesPerSecond ? `; the SDK's streamed upload to a server that discards it: ${fmt(results.sdkCeilingMegabytesPerSecond)} MB/s` : ''}. moto: ${moto.objects} objects and a ${moto.bigMb} MiB file (it is slow at both).`,
  '',
  '| emulator | client | notified PUTs/s | PUT p50 / p99 | server CPU per PUT | client CPU per PUT | messages queued |',
  '|---|---|---:|---:|---:|---:|---:|',
  ...putRows('svl'),
  ...putRows('fauxqs'),
  ...putRows('moto'),
  '',
  `| emulator | upload -> receivable p50 / p99 (SDK) | upload -> receivable p50 / p99 (lean) | ${BIG_MB} MiB plain PUT | ${BIG_MB} MiB SDK PUT | ${BIG_MB} MiB multipart (8 MiB × 4) |`,
  '|---|---:|---:|---:|---:|---:|',
  ...otherRow('svl'),
  ...otherRow('fauxqs'),
  ...otherRow('moto'),
  '',
  'Targets (svl):',
  ...checks,
]);
