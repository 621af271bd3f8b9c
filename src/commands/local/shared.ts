/** What the `local` subcommands share: the default state dir and the endpoint to look at. */
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
