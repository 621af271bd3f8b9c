// Shared bits of the benchmark scripts: free ports, waiting for a server, starting svl's emulator and
// moto_server as separate processes, the SDK client settings, and the report writer (Markdown on
// stdout, plus bench/results/<name>.json and .md).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeHttpHandler } from '@smithy/node-http-handler';

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
 * once the process has exited, in which case it returns a promise.
 */
export async function startSvl({ prefix = 'svl-bench-', stateSubdir, waitForExit = false, removeDelayMs } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const stateDir = stateSubdir ? join(dir, stateSubdir) : dir;
  const child = spawn(process.execPath, [bin, 'local', 'start', '--port', String(port), '--state-dir', stateDir, '--quiet'], {
    stdio: 'ignore',
    env: { ...process.env, CI: '1' },
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
