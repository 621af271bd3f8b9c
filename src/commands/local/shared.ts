/** What the `local` subcommands share: the default state dir, the endpoint to look at, health probing. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { envValue, type Env } from '../../env.js';
import { UsageError } from '../../errors.js';
import { LOCAL_ENDPOINT } from '../../aws/target.js';

export const defaultStateDir = (env: Env): string => resolve(envValue(env, 'SVL_STATE_DIR') ?? join(homedir(), '.svl', 'local'));

export function parsePort(raw: string | undefined, env: Env): number {
  if (raw === undefined) {
    const fromEnv = envValue(env, 'SVL_LOCAL_ENDPOINT');
    if (fromEnv) {
      try {
        const u = new URL(fromEnv);
        return Number(u.port || 80);
      } catch {
        throw new UsageError(`SVL_LOCAL_ENDPOINT is not a URL: ${fromEnv}`);
      }
    }
    return Number(new URL(LOCAL_ENDPOINT).port);
  }
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got ${raw}).`);
  return n;
}

export function endpointFor(port: number, host = '127.0.0.1'): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export interface Health {
  status: string;
  service: string;
  version: string;
  pid: number;
  endpoint: string;
  startedAt: string;
  uptimeSeconds: number;
  stateDir: string | null;
  inMemory: boolean;
  services: string[];
  counts: { queues: number; messages: number };
}

/** The emulator's health, or undefined when nothing (or something else) answers. */
export async function probe(endpoint: string, timeoutMs = 1000): Promise<Health | undefined> {
  try {
    const res = await fetch(`${endpoint}/_svl/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) return undefined;
    const body = (await res.json()) as Health;
    return body.service === 'svl-emulator' ? body : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
