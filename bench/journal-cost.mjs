#!/usr/bin/env node
// What the event journal costs the emulator: its own CPU (user+sys from /proc) per SNS publish (10 and 50
// SQS subscribers, half filtered out) and per SQS message (batched send, receive+delete), with the journal
// on and with `--journal-size 0`, both running at once under the same load (see
// below), several rounds. Throughput is printed too, but CPU per operation is the figure
// to judge by. `--prof DIR` writes a --cpu-prof profile of each emulator process into DIR.
//
// `--only f50` (f10, f50, sqs, lean; comma-separated) runs only those phases, to profile one at a time.
//
// `lean`: the SQS phases again with the lean client of bench/cpu.mjs (bench/sqs-load.mjs: JSON 1.0, SigV4,
// keep-alive, no SDK), one client process per emulator. The SDK client costs several times the emulator's CPU
// per message and leaves it waiting; with the lean one each emulator runs near a core's worth, the per-message
// figures it measures are lower (so the same absolute journal cost is a larger share) and less noisy.
//
// Steady state: each phase is measured after a warm-up (--warmup-publishes, --warmup-messages) long enough
// for V8 to have optimized the hot paths. With the earlier 200-publish / 2,000-message warm-ups the measured
// phases still paid for tier-up compilation (TurboFan runs on background threads, counted in the process's
// CPU): 1,500 publishes to 10 subscribers measured ~420 us each, 6,000 after the same warm-up ~265 us, and
// the journal's own code, compiled in the same minutes, made that one-off cost look like a per-publish one.
//
//   node bench/journal-cost.mjs [--rounds 5] [--publishes 4000] [--messages 30000] [--warmup-publishes 2000]
//                               [--warmup-messages 10000] [--prof /tmp/prof] [--only f10,f50,sqs]
import { fork } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, SendMessageBatchCommand, ReceiveMessageCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { clientConfig, cpuSeconds, fmt, startSvl, writeReport } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    publishes: { type: 'string', default: '4000' },
    messages: { type: 'string', default: '30000' },
    'warmup-publishes': { type: 'string', default: '2000' },
    'warmup-messages': { type: 'string', default: '10000' },
    prof: { type: 'string' },
    only: { type: 'string', default: 'f10,f50,sqs,lean' },
  },
});
const ROUNDS = Number(args.rounds);
const PUBLISHES = Number(args.publishes);
const MESSAGES = Number(args.messages);
const WARMUP_PUBLISHES = Number(args['warmup-publishes']);
const WARMUP_MESSAGES = Number(args['warmup-messages']);
const ONLY = new Set(args.only.split(','));
const NONE = { ops: 0, rate: NaN, cpuUs: NaN };

const start = (journal) =>
  startSvl({
    prefix: 'svl-bench-journal-',
    waitForExit: true,
    extraArgs: journal ? [] : ['--journal-size', '0'],
    nodeArgs: args.prof ? ['--cpu-prof', `--cpu-prof-dir=${args.prof}`, `--cpu-prof-name=${journal ? 'on' : 'off'}-${Date.now()}.cpuprofile`] : [],
  });

/** CPU µs per operation of `pid` while `fn` runs, and its rate (ops/s). */
async function measure(pid, fn) {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  const ops = await fn();
  const s = (performance.now() - t0) / 1000;
  return { ops, rate: ops / s, cpuUs: ((cpuSeconds(pid) - c0) * 1e6) / ops };
}

async function fanout(url, pid, subs) {
  const cfg = clientConfig(url, 8);
  const sns = new SNSClient(cfg);
  const sqs = new SQSClient(cfg);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `t${subs}` }));
  for (let i = 0; i < subs; i++) {
    const arn = `arn:aws:sqs:us-east-1:000000000000:t${subs}-q${i}`;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }] });
    await sqs.send(new CreateQueueCommand({ QueueName: `t${subs}-q${i}`, Attributes: { Policy: policy } }));
    const kinds = i > 0 && i % 2 === 0 ? ['never'] : ['order'];
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn, Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ kind: kinds }) } }));
  }
  sns.destroy();
  sqs.destroy();
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const publish = (i) =>
    new Promise((resolve, reject) => {
      const body = new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn, Message: JSON.stringify({ i, type: 'order' }), 'MessageAttributes.entry.1.Name': 'kind', 'MessageAttributes.entry.1.Value.DataType': 'String', 'MessageAttributes.entry.1.Value.StringValue': 'order' }).toString();
      const req = httpRequest({ host: u.hostname, port: u.port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`Publish answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const run = async (n) => {
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => { while (next < n) await publish(next++); }));
    return n;
  };
  await run(WARMUP_PUBLISHES);
  const r = await measure(pid, () => run(PUBLISHES));
  agent.destroy();
  return r;
}

async function sqsPhases(url, pid) {
  const cs = Array.from({ length: 8 }, () => new SQSClient(clientConfig(url, 2)));
  const { QueueUrl } = await cs[0].send(new CreateQueueCommand({ QueueName: 'bench-q' }));
  const send = async (n) => {
    let next = 0;
    await Promise.all(cs.map(async (c) => {
      while (next < n) {
        next += 10;
        await c.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: JSON.stringify({ i, note: 'x'.repeat(64) }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'bench' } } })) }));
      }
    }));
    return n;
  };
  const recv = async (n) => {
    let done = 0;
    await Promise.all(cs.map(async (c) => {
      while (done < n) {
        const r = await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
        const m = r.Messages ?? [];
        if (m.length === 0) return;
        await c.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: m.map((x, i) => ({ Id: `d${i}`, ReceiptHandle: x.ReceiptHandle })) }));
        done += m.length;
      }
    }));
    return done;
  };
  await send(WARMUP_MESSAGES);
  await recv(WARMUP_MESSAGES);
  const s = await measure(pid, () => send(MESSAGES));
  const r = await measure(pid, () => recv(MESSAGES));
  for (const c of cs) c.destroy();
  return { send: s, recv: r };
}

/** The SQS phases driven by a lean client process of its own (bench/sqs-load.mjs), after the same warm-up. */
async function leanPhases(url, pid) {
  const sqs = new SQSClient(clientConfig(url, 2));
  const queue = async (name) => (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl;
  const [warm, q] = [await queue('lean-warm'), await queue('lean-q')];
  sqs.destroy();
  const p = fork(fileURLToPath(new URL('./sqs-load.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const post = (msg) => new Promise((resolve, reject) => {
    p.once('message', resolve);
    p.once('error', reject);
    p.send({ seconds: 120, ...msg });
  });
  try {
    await new Promise((resolve) => {
      p.once('message', resolve);
      p.send({ url, connections: 8, tag: 0 });
    });
    await post({ phase: 'send', queueUrl: warm, n: WARMUP_MESSAGES });
    await post({ phase: 'recv', queueUrl: warm, n: WARMUP_MESSAGES });
    const send = await measure(pid, async () => (await post({ phase: 'send', queueUrl: q, n: MESSAGES })).done);
    const recv = await measure(pid, async () => (await post({ phase: 'recv', queueUrl: q, n: MESSAGES })).done);
    return { send, recv };
  } finally {
    p.send({ phase: 'exit' });
  }
}

// Both emulators run at once, each phase driven on both concurrently: on a shared machine, whatever else
// runs slows both alike (CPU time itself inflates under contention: caches, SMT), so the ratio holds.
const runs = { on: [], off: [] };
for (let round = 0; round < ROUNDS; round++) {
  const [on, off] = await Promise.all([start(true), start(false)]);
  try {
    const both = (fn) => Promise.all([fn(on), fn(off)]);
    const skip = [NONE, NONE];
    const [f10on, f10off] = ONLY.has('f10') ? await both((s) => fanout(s.url, s.pid, 10)) : skip;
    const [f50on, f50off] = ONLY.has('f50') ? await both((s) => fanout(s.url, s.pid, 50)) : skip;
    const none = [{ send: NONE, recv: NONE }, { send: NONE, recv: NONE }];
    const [qon, qoff] = ONLY.has('sqs') ? await both((s) => sqsPhases(s.url, s.pid)) : none;
    const [lon, loff] = ONLY.has('lean') ? await both((s) => leanPhases(s.url, s.pid)) : none;
    runs.on.push({ f10: f10on, f50: f50on, send: qon.send, recv: qon.recv, leanSend: lon.send, leanRecv: lon.recv });
    runs.off.push({ f10: f10off, f50: f50off, send: qoff.send, recv: qoff.recv, leanSend: loff.send, leanRecv: loff.recv });
    const us = (r) => [r.f10, r.f50, r.send, r.recv, r.leanSend, r.leanRecv].map((x) => fmt(x.cpuUs)).join(' / ');
    process.stderr.write(`round ${round}: CPU µs f10 / f50 / send / recv / lean send / lean recv: on ${us(runs.on.at(-1))}; off ${us(runs.off.at(-1))}\n`);
  } finally {
    await Promise.all([on.stop(), off.stop()]);
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const load = (await import('node:os')).loadavg()[0];
const lines = [
  `Journal cost: the emulator's CPU (user+sys) per operation, journal on vs --journal-size 0, median of ${ROUNDS} rounds after warm-ups of ${WARMUP_PUBLISHES} publishes and ${WARMUP_MESSAGES} messages, both emulators loaded at once (load average ${fmt(load)} at the end; node ${process.versions.node})`,
  '',
  '',
  'CPU cost: the median of the rounds\' own ratios (each round\'s two emulators ran side by side under the same load; that pairing is',
  'what makes the ratio hold on a shared machine), with their range; "on / off medians" divides the two columns\' medians, which come',
  'from different rounds.',
  '',
  '| operation | CPU µs/op on | CPU µs/op off | CPU cost (median of rounds) | rounds\' range | on / off medians | ops/s on | ops/s off |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
];
for (const [k, label] of [
  ['f10', 'SNS publish, 10 subs (5 filtered out)'],
  ['f50', 'SNS publish, 50 subs (24 filtered out)'],
  ['send', 'SQS send (batches of 10), per msg'],
  ['recv', 'SQS receive+delete (batches of 10), per msg'],
  ['leanSend', 'SQS send, lean client, per msg'],
  ['leanRecv', 'SQS receive+delete, lean client, per msg'],
]) {
  const on = med(runs.on.map((r) => r[k].cpuUs));
  const off = med(runs.off.map((r) => r[k].cpuUs));
  const ratios = runs.on.map((r, i) => (r[k].cpuUs / runs.off[i][k].cpuUs - 1) * 100);
  const pct = (x) => `${x >= 0 ? '+' : ''}${fmt(x)}%`;
  lines.push(`| ${label} | ${fmt(on)} | ${fmt(off)} | ${pct(med(ratios))} | ${pct(Math.min(...ratios))} to ${pct(Math.max(...ratios))} | ${pct((on / off - 1) * 100)} | ${fmt(med(runs.on.map((r) => r[k].rate)))} | ${fmt(med(runs.off.map((r) => r[k].rate)))} |`);
}
writeReport('journal-cost', { rounds: ROUNDS, publishes: PUBLISHES, messages: MESSAGES, warmupPublishes: WARMUP_PUBLISHES, warmupMessages: WARMUP_MESSAGES, runs }, lines);
