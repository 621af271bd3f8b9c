/**
 * `svl local status`, `svl local stop` and `svl local reset`. They look for the emulator at --port on the
 * host of SVL_LOCAL_ENDPOINT (127.0.0.1 by default); they never start one.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Env } from '../../env.js';
import { SvlError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { readHealth, type Health } from '../../aws/local-autostart.js';
import { sleep } from '../../aws/pool.js';
import { defaultStateDir, emulatorEndpoint, realDir } from './shared.js';
import { isAlive } from '../../pid.js';

const notRunning = (endpoint: string, port?: string) => {
  const start = `svl local start${port !== undefined ? ` --port ${port}` : ''}`;
  return new SvlError(`The emulator is not running on ${endpoint}.`, 1, { code: 'EmulatorNotRunning', hint: `Start it with \`${start}\` (or \`${start} --detach\`).` });
};

export async function runStatus(opts: { port?: string }, env: Env): Promise<Health> {
  const endpoint = emulatorEndpoint(opts.port, env);
  const h = await readHealth(endpoint);
  if (!h) throw notRunning(endpoint, opts.port);
  return h;
}

export function renderStatus(h: Health, ui: Ui): string {
  const rows: Array<[string, string | number]> = [
    ['endpoint', h.endpoint],
    ['pid', h.pid],
    ['uptime', formatUptime(h.uptimeSeconds)],
    ['state', h.inMemory ? 'in memory' : (h.stateDir ?? '')],
    ['services', h.services.join(', ')],
    ['queues', h.counts.queues],
    ['messages', h.counts.messages],
    ['version', h.version],
  ];
  return rows.map(([k, v]) => `${ui.style.dim(k.padEnd(9))} ${v}`).join('\n');
}

function formatUptime(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}


/** SIGTERM, then wait: the emulator finishes in-flight requests and closes its database before exiting. */
export async function runStop(opts: { port?: string }, env: Env): Promise<{ endpoint: string; pid: number }> {
  const endpoint = emulatorEndpoint(opts.port, env);
  const h = await readHealth(endpoint);
  if (!h) throw notRunning(endpoint, opts.port);
  process.kill(h.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(h.pid)) {
    if (Date.now() > deadline) {
      throw new SvlError(`The emulator (pid ${h.pid}) did not stop within 30 s.`, 1, { hint: `Kill it with: kill -9 ${h.pid}` });
    }
    await sleep(50);
  }
  return { endpoint, pid: h.pid };
}

/** Wipes the database files of a state directory; refuses while an emulator uses it. */
export async function runReset(opts: { stateDir?: string; port?: string }, env: Env): Promise<{ stateDir: string; removed: string[] }> {
  const stateDir = resolve(opts.stateDir ?? defaultStateDir(env));
  if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) {
    throw new SvlError(`${stateDir} is a file, not a state directory; nothing to reset.`, 2, { code: 'StateDirUnusable', hint: 'pass the directory `svl local start` used with --state-dir' });
  }
  const endpoint = emulatorEndpoint(opts.port, env);
  const h = await readHealth(endpoint);
  const { readLockPid } = await import('../../local/store/lock.js');
  const owner = readLockPid(stateDir);
  if ((h && h.stateDir && realDir(h.stateDir) === realDir(stateDir)) || (owner !== undefined && isAlive(owner))) {
    throw new SvlError(`An emulator is using ${stateDir}.`, 1, { code: 'EmulatorRunning', hint: 'Stop it first: `svl local stop`.' });
  }
  const removed: string[] = [];
  for (const f of ['svl.db', 'svl.db-wal', 'svl.db-shm', 'emulator.lock', 'emulator.json']) {
    const p = join(stateDir, f);
    if (existsSync(p)) {
      rmSync(p, { force: true });
      removed.push(p);
    }
  }
  return { stateDir, removed };
}
