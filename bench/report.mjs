// Shared bits of the benchmark scripts: free ports, waiting for a server, starting svl's emulator and
// moto_server as separate processes, the SDK client settings, and the report writer (Markdown on
// stdout, plus bench/results/<name>.json and .md).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';

const bin = fileURLToPath(new URL('../bin/svl.js', import.meta.url));
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Starts `svl local start` as its own process on a free port, with durable state in a fresh temporary
 * directory (`prefix`; the state goes in its `stateSubdir` when given), and waits until it answers.
 * `stop()` sends SIGTERM and removes the directory: at once, `removeDelayMs` later, or (`waitForExit`)
 * once the process has exited, in which case it returns a promise. `nodeArgs` go to node before the script
 * (`--cpu-prof`, …); `env` is added to the process's environment.
 */
export async function startSvl({ prefix = 'svl-bench-', stateSubdir, waitForExit = false, removeDelayMs, extraArgs = [], nodeArgs = [], inMemory = false, env = {} } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const stateDir = stateSubdir ? join(dir, stateSubdir) : dir;
  const state = inMemory ? ['--in-memory'] : ['--state-dir', stateDir];
  const child = spawn(process.execPath, [...nodeArgs, bin, 'local', 'start', '--port', String(port), ...state, '--quiet', ...extraArgs], {
    stdio: 'ignore',
    env: { ...process.env, CI: '1', ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/_svl/health`);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  return {
    url,
    pid: child.pid,
    dir,
    stop() {
      child.kill('SIGTERM');
      if (waitForExit) return new Promise((r) => child.once('exit', r)).then(remove);
      if (removeDelayMs !== undefined) setTimeout(remove, removeDelayMs);
      else remove();
    },
  };
}

/** Starts moto_server on a free port and waits until it answers. */
export async function startMoto() {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/moto-api/`, 30_000);
  return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/** AWS SDK client settings for a local endpoint: test credentials, no retries, keep-alive with `maxSockets` sockets. */
export function clientConfig(url, maxSockets) {
  return {
    endpoint: url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets }) }),
  };
}

export const fmt = (n) => (n >= 100 ? String(Math.round(n)) : String(Math.round(n * 100) / 100));

export function quantile(sorted, q) {
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

export function writeReport(name, data, lines) {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stamped = { name, at: new Date().toISOString(), node: process.versions.node, ...data };
  writeFileSync(`${dir}${name}.json`, JSON.stringify(stamped, null, 2));
  writeFileSync(`${dir}${name}.md`, lines.join('\n') + '\n');
  process.stdout.write(lines.join('\n') + '\n');
}

/** Starts fauxqs (npm dev dependency; SQS, SNS and S3, in memory) with plain `node` on a free port. */
export async function startFauxqs() {
  const port = await freePort();
  const cli = fileURLToPath(new URL('../node_modules/fauxqs/dist/cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli], { stdio: 'ignore', env: { ...process.env, FAUXQS_PORT: String(port), FAUXQS_LOGGER: 'false' } });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`).catch(() => waitForHttp(url));
  return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/** A process's user+system CPU time so far, in seconds (Linux /proc; null elsewhere). */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** CPU seconds of a process and all its descendants alive now (the emulator and its Lambda handler processes). */
export function treeCpuSeconds(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    total += cpuSeconds(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** FIFO bench queues spread their messages over this many groups. */
export const FIFO_GROUPS = 100;

/**
 * The SendMessageBatch entries both bench clients send (bench/cpu.mjs's SDK threads, bench/sqs-load.mjs's lean
 * processes): 10 messages numbered from `base`; on FIFO queues content-based deduplication, with `tag` keeping
 * two senders' bodies apart, and the messages spread over FIFO_GROUPS groups.
 */
export function benchBatchEntries(base, fifo, tag) {
  return Array.from({ length: 10 }, (_, i) => ({
    Id: `m${i}`,
    MessageBody: JSON.stringify({ orderId: base + i, type: 'invoice', note: 'x'.repeat(64), ...(fifo && { thread: tag }) }),
    MessageAttributes: { kind: { DataType: 'String', StringValue: 'bench' } },
    ...(fifo && { MessageGroupId: `g${(base + i) % FIFO_GROUPS}` }),
  }));
}

/**
 * A queue that `topicArn` may send to (its policy allows sns.amazonaws.com from that topic only), with the ARN the
 * target itself gives it: moto keeps its queues in account 123456789012, and a subscription to another account's
 * ARN delivers nothing there.
 */
export async function topicQueue(sqs, name, topicArn) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes.QueueArn;
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }] });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy } }));
  return { QueueUrl, arn };
}
