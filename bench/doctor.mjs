#!/usr/bin/env node
// `svl doctor --all` over 50 flows (500 resources: per flow a topic, 3 queues, 3 DLQs, 3 subscriptions)
// plus 10 Lambda consumers, on the emulator: whole-process wall time (spawn to exit; target < 2 s), the
// emulator's CPU per run, and the AWS calls the doctor made per API (from its --json result, counted by an
// SDK middleware; `repeated` must stay empty - no call is made twice). Every 5th flow is built wrong (no
// queue policy) so the run has findings to report. The emulator runs as its own process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { writeZip } from '../dist/domain/zip.js';
import { startSvl, writeReport, fmt, quantile, clientConfig, treeCpuSeconds } from './report.mjs';

const RUNS = 5;
const FLOWS = 50;
const CONSUMERS = 10;
const bin = fileURLToPath(new URL('../bin/svl.js', import.meta.url));
const emulator = await startSvl({ prefix: 'svl-bench-doctor-', stateSubdir: 'state', removeDelayMs: 500 });
const { url, dir } = emulator;
const env = { ...process.env, CI: '1', SVL_LOCAL_ENDPOINT: url };
const cfg = clientConfig(url, 32);
const sqs = new SQSClient(cfg);
const sns = new SNSClient(cfg);
const lambda = new LambdaClient(cfg);
const A = '000000000000';

async function buildFlow(i) {
  const flow = `f${String(i).padStart(2, '0')}`;
  const tags = { 'svl:flow': flow };
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: flow, Tags: [{ Key: 'svl:flow', Value: flow }] }));
  await Promise.all(['a', 'b', 'c'].map(async (q) => {
    const name = `${flow}-${q}`;
    const arn = `arn:aws:sqs:us-east-1:${A}:${name}`;
    await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, tags, Attributes: { MessageRetentionPeriod: '1209600' } }));
    const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }] });
    await sqs.send(new CreateQueueCommand({
      QueueName: name,
      tags,
      Attributes: { VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${arn}-dlq`, maxReceiveCount: 5 }), ...(i % 5 === 0 ? {} : { Policy: policy }) },
    }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn }));
  }));
  return flow;
}

try {
  for (let i = 0; i < FLOWS; i += 10) await Promise.all(Array.from({ length: 10 }, (_, j) => buildFlow(i + j)));
  const code = writeZip([{ name: 'index.js', data: Buffer.from('exports.h = async () => undefined;\n') }]);
  for (let i = 0; i < CONSUMERS; i++) {
    const name = `bench-consumer-${i}`;
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.h', Role: `arn:aws:iam::${A}:role/r`, Code: { ZipFile: code }, Timeout: 10 }));
    for (let k = 0; k < 100; k++) {
      try {
        await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: `arn:aws:sqs:us-east-1:${A}:f${String(i).padStart(2, '0')}-a`, BatchSize: 10 }));
        break;
      } catch (err) {
        if (!/Pending|state/i.test(String(err.message))) throw err;
        await new Promise((r) => setTimeout(r, 50)); // the function is still being created
      }
    }
  }

  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const cpu0 = treeCpuSeconds(emulator.pid);
    const t0 = performance.now();
    // /usr/bin/time gives the CLI process's own CPU (user+sys), which a loaded machine distorts far less than wall time.
    const timed = existsSync('/usr/bin/time');
    const args = [bin, 'doctor', '--all', '--local', '--json'];
    const r = timed
      ? spawnSync('/usr/bin/time', ['-f', 'SVL_CPU %U %S', process.execPath, ...(process.env.SVL_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SVL_BENCH_CPU_PROF] : []), ...args], { cwd: dir, env, encoding: 'utf8' })
      : spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
    const ms = performance.now() - t0;
    const cpu = treeCpuSeconds(emulator.pid) - cpu0;
    const m = /SVL_CPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
    const cliCpuMs = m ? (Number(m[1]) + Number(m[2])) * 1000 : null;
    if (r.status !== 1) throw new Error(`doctor exited ${r.status} (expected 1: every 5th flow has an error): ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    runs.push({ wallMs: ms, cliCpuMs, emulatorCpuMs: cpu * 1000, flows: out.summary.flows, errors: out.summary.errors, warnings: out.summary.warnings, calls: out.calls });
  }
  const walls = runs.map((r) => r.wallMs).sort((a, b) => a - b);
  const cpus = runs.map((r) => r.emulatorCpuMs).sort((a, b) => a - b);
  const cli = runs.map((r) => r.cliCpuMs).filter((x) => x !== null).sort((a, b) => a - b);
  const calls = runs[0].calls;
  const lines = [
    `svl doctor --all over ${FLOWS} flows (${FLOWS * 10} resources) + ${CONSUMERS} Lambda consumers on the emulator (${RUNS} runs; node ${process.versions.node})`,
    '',
    '| measure | value |',
    '|---|---:|',
    `| wall time, median (ms) — target < 2000 | ${fmt(quantile(walls, 0.5))} |`,
    `| wall time, max (ms) | ${fmt(walls[walls.length - 1])} |`,
    `| emulator CPU per run, median (ms) | ${fmt(quantile(cpus, 0.5))} |`,
    ...(cli.length ? [`| svl doctor process CPU (user+sys), median (ms) | ${fmt(quantile(cli, 0.5))} |`] : []),
    `| flows checked / errors / warnings | ${runs[0].flows} / ${runs[0].errors} / ${runs[0].warnings} |`,
    `| AWS calls, total | ${calls.total} |`,
    `| calls repeated | ${calls.repeated.length} |`,
    '',
    '| API | calls |',
    '|---|---:|',
    ...Object.entries(calls.byApi).sort((a, b) => b[1] - a[1]).map(([api, n]) => `| ${api} | ${n} |`),
  ];
  if (calls.repeated.length) lines.push('', 'Repeated calls:', ...calls.repeated.slice(0, 20).map((c) => `- ${c}`));
  writeReport('doctor', { runs }, lines);
} finally {
  sqs.destroy();
  sns.destroy();
  lambda.destroy();
  emulator.stop();
}
