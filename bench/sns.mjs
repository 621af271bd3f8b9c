#!/usr/bin/env node
// SNS fan-out: publish throughput and publish-to-receivable latency with 1, 10 and 50 SQS subscribers
// (half of them filtered out by a filter policy), against svl's emulator (separate process, durable
// SQLite state) and moto_server in the same run. Writes Markdown to stdout and bench/results/sns.{json,md}
// (sns-envelope.* with --delivery envelope).
// --delivery raw (default) delivers the message as published (RawMessageDelivery); envelope delivers the
// signed notification document (one RSA signature per publish), the issue-18 row: its latency target is
// p50 <= 1 ms with 10 subscribers. Latency is measured twice, alternately: with the SDK clients (what an
// application sees) and with a lean raw-HTTP client (the server's part plus loopback round trips; the SDK's
// request building and response parsing cost about as much again on this machine).
//
//   node bench/sns.mjs [--publishes 3000] [--latency 200] [--clients 8] [--seconds 20] [--delivery raw|envelope]
//                      [--subscribers 1,10,50] [--only svl|svl-nojournal|moto]
import { parseArgs } from 'node:util';
import { Agent, request as httpRequest } from 'node:http';
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand } from '@aws-sdk/client-sns';
import { SQSClient, ReceiveMessageCommand, DeleteMessageBatchCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { signedPost } from './aws-http.mjs';
import { startSvl, startMoto, topicQueue, clientConfig, writeReport, fmt, quantile, cpuSeconds } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: args } = parseArgs({
  options: {
    publishes: { type: 'string', default: '3000' },
    latency: { type: 'string', default: '200' },
    clients: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '20' },
    only: { type: 'string' },
    delivery: { type: 'string', default: 'raw' },
    subscribers: { type: 'string', default: '1,10,50' },
  },
});
if (!['raw', 'envelope'].includes(args.delivery)) throw new Error(`--delivery must be raw or envelope (got ${args.delivery})`);
const RAW = args.delivery === 'raw';
const PUBLISHES = Number(args.publishes);
const LATENCY_SAMPLES = Number(args.latency);
const CLIENTS = Number(args.clients);
const MAX_SECONDS = Number(args.seconds);
const SUBSCRIBERS = args.subscribers.split(',').map(Number);
const cfg = (url) => clientConfig(url, 8);

async function setup(url, n, tag) {
  const sns = new SNSClient(cfg(url));
  const sqs = new SQSClient(cfg(url));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `bench-${tag}` }));
  const queues = [];
  for (let i = 0; i < n; i++) {
    const name = `bench-${tag}-q${i}`;
    const { QueueUrl, arn } = await topicQueue(sqs, name, TopicArn);
    // Queue 0 always receives (latency probe); half of the others are filtered out.
    const filtered = i > 0 && i % 2 === 0;
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: { RawMessageDelivery: String(RAW), ...(filtered ? { FilterPolicy: JSON.stringify({ kind: ['never'] }) } : { FilterPolicy: JSON.stringify({ kind: ['order', 'probe'] }) }) },
      }),
    );
    queues.push({ name, url: QueueUrl, filtered });
  }
  return { sns, sqs, TopicArn, queues };
}

const attrs = (kind) => ({ kind: { DataType: 'String', StringValue: kind } });

/**
 * Publish throughput, measured with a lightweight Query client (form POSTs over keep-alive connections,
 * the wire format the SDK sends): on this 2-core machine the SDK's own per-request CPU would otherwise
 * cap the measurement below what either server can do. Same client for svl and moto.
 */
async function throughput(url, env) {
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS * 2 });
  const form = (i) =>
    new URLSearchParams({
      Action: 'Publish',
      Version: '2010-03-31',
      TopicArn: env.TopicArn,
      Message: JSON.stringify({ i, type: 'order' }),
      'MessageAttributes.entry.1.Name': 'kind',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'order',
    }).toString();
  const publish = (body) =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: u.hostname, port: u.port, method: 'POST', path: '/', agent, headers: signedPost(u, body, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, 'sns') },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`Publish answered ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const end = t0 + MAX_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS * 2 }, async () => {
      while (next < PUBLISHES && performance.now() < end) {
        await publish(form(next++));
        done++;
      }
    }),
  );
  agent.destroy();
  const s = (performance.now() - t0) / 1000;
  return { publishes: done, seconds: s, rate: done / s };
}

/**
 * A lean client: raw keep-alive HTTP requests, no SDK. Publish as a Query form POST, SQS calls as JSON 1.0
 * (what the SDK sends), bodies parsed only as far as the probe needs. Its latency is the server's part of
 * publish -> receivable plus the loopback round trips, without the SDK's request building, signing and
 * response parsing (which on this machine cost as much again).
 */
function leanClient(url) {
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const post = (body, headers, service) =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: u.hostname, port: u.port, method: 'POST', path: '/', agent, headers: signedPost(u, body, headers, service) }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`answered ${res.statusCode}: ${text.slice(0, 200)}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    publish: (TopicArn, Message, kind) =>
      post(
        new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn, Message, 'MessageAttributes.entry.1.Name': 'kind', 'MessageAttributes.entry.1.Value.DataType': 'String', 'MessageAttributes.entry.1.Value.StringValue': kind }).toString(),
        { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        'sns',
      ),
    sqs: async (op, input) => JSON.parse((await post(JSON.stringify(input), { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${op}` }, 'sqs')) || '{}'),
    destroy: () => agent.destroy(),
  };
}

/**
 * Publish, then time until the message is receivable on the probe queue (a long poll is already waiting),
 * once with the SDK clients and once with the lean client, alternately, so that load drift hits both alike.
 */
async function latency(env, url) {
  const probe = env.queues[0];
  await env.sqs.send(new PurgeQueueCommand({ QueueUrl: probe.url })).catch(() => {});
  const lean = leanClient(url);
  const probeOf = (i) => (m) => (RAW ? m.Body : JSON.parse(m.Body).Message) === `probe-${i}`;
  const sdk = {
    receive: (WaitTimeSeconds, MaxNumberOfMessages) => env.sqs.send(new ReceiveMessageCommand({ QueueUrl: probe.url, WaitTimeSeconds, MaxNumberOfMessages })),
    publish: (Message) => env.sns.send(new PublishCommand({ TopicArn: env.TopicArn, Message, MessageAttributes: attrs('probe') })),
    delete: (Entries) => env.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: probe.url, Entries })),
  };
  const raw = {
    receive: (WaitTimeSeconds, MaxNumberOfMessages) => lean.sqs('ReceiveMessage', { QueueUrl: probe.url, WaitTimeSeconds, MaxNumberOfMessages }),
    publish: (Message) => lean.publish(env.TopicArn, Message, 'probe'),
    delete: (Entries) => lean.sqs('DeleteMessageBatch', { QueueUrl: probe.url, Entries }),
  };
  const one = async (c, i) => {
    const poll = c.receive(5, 1);
    await new Promise((r) => setTimeout(r, 2)); // let the long poll reach the server first
    const t0 = performance.now();
    await c.publish(`probe-${i}`);
    let r = await poll;
    while (!(r.Messages ?? []).some(probeOf(i))) {
      if (performance.now() - t0 > 10_000) throw new Error('probe message never arrived');
      r = await c.receive(1, 10);
    }
    const ms = performance.now() - t0;
    await c.delete(r.Messages.map((m, k) => ({ Id: `d${k}`, ReceiptHandle: m.ReceiptHandle })));
    return ms;
  };
  const samples = { sdk: [], lean: [] };
  try {
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      samples.sdk.push(await one(sdk, 2 * i));
      samples.lean.push(await one(raw, 2 * i + 1));
    }
  } finally {
    lean.destroy();
  }
  const stats = (a) => (a.sort((x, y) => x - y), { samples: a.length, p50Ms: quantile(a, 0.5), p99Ms: quantile(a, 0.99) });
  return { ...stats(samples.sdk), lean: stats(samples.lean) };
}

async function runTarget(name, url, pid) {
  const out = { target: name, bySubscribers: [] };
  for (const n of SUBSCRIBERS) {
    process.stderr.write(`[${name}] ${n} subscriber(s) ...\n`);
    const env = await setup(url, n, `${n}-${Date.now()}`);
    const lat = await latency(env, url);
    // The server's own CPU (user+sys from /proc) per publish: what load on a shared machine distorts least.
    const c0 = pid ? cpuSeconds(pid) : null;
    const thr = await throughput(url, env);
    if (c0 !== null && thr.publishes > 0) thr.serverCpuUsPerPublish = ((cpuSeconds(pid) - c0) * 1e6) / thr.publishes;
    out.bySubscribers.push({ subscribers: n, filtered: env.queues.filter((q) => q.filtered).length, throughput: thr, latency: lat });
    env.sns.destroy();
    env.sqs.destroy();
  }
  return out;
}

const results = [];
for (const [name, start] of [
  ['svl', () => startSvl({ prefix: 'svl-bench-sns-' })],
  // The same emulator without its event journal: what recording every hop costs.
  ['svl-nojournal', () => startSvl({ prefix: 'svl-bench-sns-', extraArgs: ['--journal-size', '0'] })],
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

const lines = [
  `SNS fan-out to SQS (${RAW ? 'raw delivery' : 'envelope delivery, signed'}, half of the subscribers filtered out; ${CLIENTS} concurrent publishers, up to ${PUBLISHES} publishes or ${MAX_SECONDS}s; publishes as raw Query POSTs from 2x that many connections; latency = publish until receivable on a waiting long poll, ${LATENCY_SAMPLES} samples with the SDK clients and as many with a lean raw-HTTP client, alternately; node ${process.versions.node})`,
  '',
  '| target | subscribers | publishes/s | server CPU µs/publish | latency p50 ms (SDK) | p99 ms (SDK) | latency p50 ms (lean client) | p99 ms (lean client) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
];
for (const r of results) {
  for (const s of r.bySubscribers) {
    lines.push(`| ${r.target} | ${s.subscribers} | ${fmt(s.throughput.rate)} | ${s.throughput.serverCpuUsPerPublish === undefined ? '-' : fmt(s.throughput.serverCpuUsPerPublish)} | ${fmt(s.latency.p50Ms)} | ${fmt(s.latency.p99Ms)} | ${fmt(s.latency.lean.p50Ms)} | ${fmt(s.latency.lean.p99Ms)} |`);
  }
}
const svl = results.find((r) => r.target === 'svl');
const moto = results.find((r) => r.target === 'moto');
const off = results.find((r) => r.target === 'svl-nojournal');
if (svl && off) {
  lines.push('');
  for (let i = 0; i < SUBSCRIBERS.length; i++) {
    const a = svl.bySubscribers[i].throughput;
    const b = off.bySubscribers[i].throughput;
    const cpu = a.serverCpuUsPerPublish && b.serverCpuUsPerPublish ? `${fmt((a.serverCpuUsPerPublish / b.serverCpuUsPerPublish - 1) * 100)}% CPU/publish, ` : '';
    lines.push(`${SUBSCRIBERS[i]} subscriber(s): journal on vs off ${cpu}${fmt((a.rate / b.rate - 1) * 100)}% publishes/s`);
  }
}
if (svl && moto) {
  lines.push('');
  for (let i = 0; i < SUBSCRIBERS.length; i++) {
    const a = svl.bySubscribers[i];
    const b = moto.bySubscribers[i];
    lines.push(`${SUBSCRIBERS[i]} subscriber(s): svl/moto throughput ${fmt(a.throughput.rate / b.throughput.rate)}x, p50 latency ${fmt(b.latency.p50Ms / a.latency.p50Ms)}x lower`);
  }
}
writeReport(RAW ? 'sns' : 'sns-envelope', { delivery: args.delivery, publishes: PUBLISHES, clients: CLIENTS, results }, lines);
