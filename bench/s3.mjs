#!/usr/bin/env node
// S3 uploads with an event notification to SQS: PutObject throughput of 1 KiB objects (the bucket notifies a
// queue of every s3:ObjectCreated:*), upload -> message receivable latency, and one big upload's MB/s
// against `cp` of the same file on the same disk. svl's emulator (separate process, durable state),
// fauxqs (npm; in memory; no bucket notifications, so its rows say so) and moto_server in the same run,
// the same @aws-sdk/client-s3 client. Writes Markdown to stdout and bench/results/s3.{json,md}.
//
//   node bench/s3.mjs [--objects 5000] [--latency 300] [--clients 8] [--big-mb 256] [--only svl|fauxqs|moto]
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync, mkdtempSync, openSync, writeSync, closeSync, rmSync, statSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand, PutObjectCommand, HeadObjectCommand, PutBucketNotificationConfigurationCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand } from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startSvl, startMoto, startFauxqs, clientConfig, writeReport, fmt, quantile, cpuSeconds } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '5000' },
    latency: { type: 'string', default: '300' },
    clients: { type: 'string', default: '8' },
    'big-mb': { type: 'string', default: '256' },
    only: { type: 'string' },
  },
});
const OBJECTS = Number(args.objects);
const LATENCY_SAMPLES = Number(args.latency);
const CLIENTS = Number(args.clients);
const BIG_MB = Number(args['big-mb']);
const ACCOUNT = '000000000000';
const BODY = Buffer.alloc(1024, 'x');

const s3Client = (url) => new S3Client({ ...clientConfig(url, CLIENTS), forcePathStyle: true });

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

async function throughput(url, pid) {
  const { s3, sqs, QueueUrl, notified } = await pipeline(url, 'bench-put');
  for (let i = 0; i < 50; i++) await s3.send(new PutObjectCommand({ Bucket: 'bench-put', Key: `warm/${i}`, Body: BODY }));
  let next = 0;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    for (let i = next++; i < OBJECTS; i = next++) await s3.send(new PutObjectCommand({ Bucket: 'bench-put', Key: `uploads/${i}.bin`, Body: BODY }));
  }));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  // Every notification queued (the emulators send before or right after answering; wait a moment for stragglers).
  let messages = notified ? await queueDepth(sqs, QueueUrl) : 0;
  for (let tries = 0; notified && messages < OBJECTS + 50 && tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    messages = await queueDepth(sqs, QueueUrl);
  }
  return { objects: OBJECTS, seconds, objectsPerSecond: OBJECTS / seconds, serverCpuMsPerObject: (cpu * 1000) / OBJECTS, notified, messagesQueued: messages };
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
          if (Messages.some((m) => m.Body.includes(`"key":"probe/${i}.bin"`) || m.Body.includes(`"key":"probe%2F${i}.bin"`))) return performance.now();
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

async function bigUpload(url, file) {
  const s3 = s3Client(url);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-big' }));
  const size = statSync(file).size;
  let body = 'stream';
  let t0 = performance.now();
  try {
    await s3.send(new PutObjectCommand({ Bucket: 'bench-big', Key: 'big.bin', Body: createReadStream(file), ContentLength: size }));
  } catch (err) {
    // A server that cannot take the SDK's streamed (aws-chunked) upload gets the same bytes as one buffer.
    console.error(`  streamed upload failed (${err.message.split('\n')[0]}); retrying with a Buffer body`);
    body = 'buffer';
    const bytes = readFileSync(file);
    t0 = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: 'bench-big', Key: 'big.bin', Body: bytes }));
  }
  const seconds = (performance.now() - t0) / 1000;
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'bench-big', Key: 'big.bin' }));
  if (head.ContentLength !== size) throw new Error(`stored ${head.ContentLength} bytes of ${size}`);
  return { megabytes: BIG_MB, body, seconds, megabytesPerSecond: BIG_MB / seconds };
}

/** The same file as `aws s3 cp` sends it: multipart, 8 MiB parts, 4 at a time. */
async function multipartUpload(url, file) {
  const s3 = s3Client(url);
  const PART = 8 * 1024 * 1024;
  const size = statSync(file).size;
  const t0 = performance.now();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bench-big', Key: 'multipart.bin' }));
  const parts = [];
  let next = 0;
  const count = Math.ceil(size / PART);
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let i = next++; i < count; i = next++) {
      const start = i * PART;
      const end = Math.min(size, start + PART);
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'bench-big', Key: 'multipart.bin', UploadId, PartNumber: i + 1, Body: createReadStream(file, { start, end: end - 1 }), ContentLength: end - start }));
      parts[i] = { PartNumber: i + 1, ETag };
    }
  }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'bench-big', Key: 'multipart.bin', UploadId, MultipartUpload: { Parts: parts } }));
  const seconds = (performance.now() - t0) / 1000;
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'bench-big', Key: 'multipart.bin' }));
  if (head.ContentLength !== size) throw new Error(`stored ${head.ContentLength} bytes of ${size}`);
  return { megabytes: BIG_MB, seconds, megabytesPerSecond: BIG_MB / seconds };
}

const targets = [
  ['svl', () => startSvl({ prefix: 'svl-bench-s3-', waitForExit: true })],
  ['fauxqs', startFauxqs],
  ['moto', startMoto],
].filter(([name]) => !args.only || args.only === name);

const dir = mkdtempSync(join(tmpdir(), 'svl-bench-s3-file-'));
const results = { objects: OBJECTS, clients: CLIENTS, bigMegabytes: BIG_MB, targets: {} };
try {
  const file = makeBigFile(dir);
  results.cpMegabytesPerSecond = cpRate(file, dir);
  for (const [name, start] of targets) {
    console.error(`${name}…`);
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
      results.targets[name] = {
        put: await section(() => throughput(server.url, server.pid)),
        latency: await section(() => latency(server.url)),
        big: await section(() => bigUpload(server.url, file)),
        multipart: await section(() => multipartUpload(server.url, file)),
      };
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const row = (name) => {
  const r = results.targets[name];
  if (!r) return [];
  const put = r.put.error ? `failed: ${r.put.error}` : `${fmt(r.put.objectsPerSecond)} (${r.put.notified ? `${r.put.messagesQueued} of ${OBJECTS + 50} notified` : 'notifications refused'})`;
  const cpu = r.put.error ? '' : `${fmt(r.put.serverCpuMsPerObject)} ms`;
  const lat = !r.latency ? 'n/a (nothing delivered)' : r.latency.error ? `failed: ${r.latency.error}` : `${fmt(r.latency.p50Ms)} / ${fmt(r.latency.p99Ms)} ms`;
  const pct = (mbs) => `${fmt((100 * mbs) / results.cpMegabytesPerSecond)}% of cp`;
  const big = r.big.error ? `failed: ${r.big.error}` : `${fmt(r.big.megabytesPerSecond)} MB/s (${pct(r.big.megabytesPerSecond)}${r.big.body === 'buffer' ? '; streamed upload failed, Buffer body' : ''})`;
  const multi = r.multipart.error ? `failed: ${r.multipart.error}` : `${fmt(r.multipart.megabytesPerSecond)} MB/s (${pct(r.multipart.megabytesPerSecond)})`;
  return [`| ${name} | ${put} | ${cpu} | ${lat} | ${big} | ${multi} |`];
};
const svl = results.targets.svl;
const ratio = (peer) => (svl?.put?.objectsPerSecond && results.targets[peer]?.put?.objectsPerSecond ? `${fmt(svl.put.objectsPerSecond / results.targets[peer].put.objectsPerSecond)}×` : 'n/a');
writeReport('s3', results, [
  `S3 PutObject of 1 KiB objects with an s3:ObjectCreated:* notification to SQS (${OBJECTS} objects, ${CLIENTS} concurrent clients), upload -> message receivable latency (${LATENCY_SAMPLES} sequential probes, long-polling receiver), and a ${BIG_MB} MiB single PUT (streamed, aws-chunked with a CRC32 trailer as the SDK sends it). Same @aws-sdk/client-s3 client for every emulator; node ${process.versions.node}. \`cp\` of the same file on the same disk: ${fmt(results.cpMegabytesPerSecond)} MB/s.`,
  '',
  `| emulator | notified PUTs/s | server CPU per PUT | upload -> receivable p50 / p99 | ${BIG_MB} MiB single PUT | ${BIG_MB} MiB multipart (8 MiB × 4) |`,
  '|---|---:|---:|---:|---:|---:|',
  ...row('svl'),
  ...row('fauxqs'),
  ...row('moto'),
  '',
  `svl vs fauxqs: ${ratio('fauxqs')} the PUT rate; svl vs moto: ${ratio('moto')}. Targets: ≥ 2,000 notified PUTs/s, p50 < 5 ms, big upload ≥ 50% of cp.`,
]);
