#!/usr/bin/env node
// Lambda on svl's emulator (separate process, durable SQLite state): cold start and warm invoke latency of
// a trivial Node handler through @aws-sdk/client-lambda, and SQS-triggered throughput (event source
// mapping, batch size 10) through a trivial handler. Writes Markdown to stdout and bench/results/lambda.{json,md}.
// No peer runs in the same run: moto_server (the usual baseline) invokes Lambda only through Docker.
//
//   node bench/lambda.mjs [--cold 20] [--warm 2000] [--messages 10000] [--concurrency 5]
import { parseArgs } from 'node:util';
import { LambdaClient, CreateFunctionCommand, InvokeCommand, CreateEventSourceMappingCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { SQSClient, CreateQueueCommand, SendMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { writeZip } from '../dist/domain/zip.js';
import { startSvl, clientConfig, writeReport, fmt, quantile } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: args } = parseArgs({
  options: {
    cold: { type: 'string', default: '20' },
    warm: { type: 'string', default: '2000' },
    messages: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '5' },
  },
});
const COLD = Number(args.cold);
const WARM = Number(args.warm);
const MESSAGES = Number(args.messages);
const CONCURRENCY = Number(args.concurrency);
const cfg = (url) => clientConfig(url, 16);
const ROLE = 'arn:aws:iam::000000000000:role/bench';
const ZIP = writeZip([{ name: 'index.js', data: 'exports.handler = async (event) => ({ ok: true, n: event && event.n });\nexports.batch = async () => ({ batchItemFailures: [] });\n' }]);

const emulator = await startSvl({ prefix: 'svl-bench-lambda-', waitForExit: true });
const { url } = emulator;
const lambda = new LambdaClient(cfg(url));
const sqs = new SQSClient(cfg(url));

async function createFunction(name, h = 'index.handler') {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: h, Code: { ZipFile: ZIP }, MemorySize: 256 }));
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
}

const invoke = (name, payload, tail = false) => lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: tail ? 'Tail' : undefined }));

try {
  // ---- cold starts: each function's first invocation starts its process ----
  const cold = [];
  const init = [];
  for (let i = 0; i < COLD; i++) {
    const name = `bench-cold-${i}`;
    await createFunction(name);
    const t0 = performance.now();
    const out = await invoke(name, { n: i }, true);
    cold.push(performance.now() - t0);
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    const d = /Init Duration: ([\d.]+) ms/.exec(log);
    if (d) init.push(Number(d[1]));
    if (out.FunctionError) throw new Error(`cold invoke failed: ${Buffer.from(out.Payload).toString()}`);
  }
  cold.sort((a, b) => a - b);
  init.sort((a, b) => a - b);

  // ---- warm invocations: one process, sequential round trips through the SDK ----
  await createFunction('bench-warm');
  for (let i = 0; i < 50; i++) await invoke('bench-warm', { n: i });
  const warm = [];
  for (let i = 0; i < WARM; i++) {
    const t0 = performance.now();
    await invoke('bench-warm', { n: i });
    warm.push(performance.now() - t0);
  }
  warm.sort((a, b) => a - b);

  // ---- SQS trigger: drain a pre-filled queue through an event source mapping, batch size 10 ----
  await createFunction('bench-sqs', 'index.batch');
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-trigger' }));
  const batches = [];
  for (let i = 0; i < MESSAGES; i += 10) batches.push(Array.from({ length: Math.min(10, MESSAGES - i) }, (_, j) => ({ Id: String(j), MessageBody: JSON.stringify({ n: i + j }) })));
  for (let i = 0; i < batches.length; i += 16) await Promise.all(batches.slice(i, i + 16).map((Entries) => sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }))));
  const left = async () => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes;
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  };
  if ((await left()) !== MESSAGES) throw new Error('queue not filled');
  const t0 = performance.now();
  await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'bench-sqs', EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:bench-trigger', BatchSize: 10, ScalingConfig: { MaximumConcurrency: Math.max(2, CONCURRENCY) } }));
  const deadline = Date.now() + 300_000;
  while ((await left()) > 0) {
    if (Date.now() > deadline) throw new Error('the mapping did not drain the queue within 300 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  const drainMs = performance.now() - t0;
  const rate = MESSAGES / (drainMs / 1000);

  const results = {
    coldStart: { samples: COLD, p50Ms: quantile(cold, 0.5), p99Ms: quantile(cold, 0.99), initDurationP50Ms: init.length ? quantile(init, 0.5) : null },
    warmInvoke: { samples: WARM, p50Ms: quantile(warm, 0.5), p99Ms: quantile(warm, 0.99), meanMs: warm.reduce((a, b) => a + b, 0) / warm.length },
    sqsTrigger: { messages: MESSAGES, batchSize: 10, pollers: Math.max(2, CONCURRENCY), seconds: drainMs / 1000, messagesPerSecond: rate },
  };
  const lines = [
    `Lambda on the svl emulator (durable state; trivial Node handler, MemorySize 256, through @aws-sdk/client-lambda over keep-alive HTTP; node ${process.versions.node}). No peer in this run: moto_server invokes Lambda only through Docker (SAM/LocalStack cold starts are 1-4 s).`,
    '',
    '| measure | result | target |',
    '|---|---:|---:|',
    `| cold start, SDK round trip p50 (${COLD} functions) | ${fmt(results.coldStart.p50Ms)} ms | < 150 ms |`,
    `| cold start, SDK round trip p99 | ${fmt(results.coldStart.p99Ms)} ms | |`,
    `| cold start, REPORT Init Duration p50 | ${results.coldStart.initDurationP50Ms === null ? 'n/a' : `${fmt(results.coldStart.initDurationP50Ms)} ms`} | |`,
    `| warm invoke p50 (${WARM} sequential) | ${fmt(results.warmInvoke.p50Ms)} ms | < 5 ms |`,
    `| warm invoke p99 | ${fmt(results.warmInvoke.p99Ms)} ms | |`,
    `| SQS trigger, batch 10, ${results.sqsTrigger.pollers} pollers (${MESSAGES} messages) | ${fmt(rate)} msg/s | ≥ 1,000 msg/s |`,
  ];
  writeReport('lambda', results, lines);
} finally {
  await emulator.stop();
}
