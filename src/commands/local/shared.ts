/**
 * What the `local` subcommands share: the default state dir and the emulator's address. The address
 * comes from --port/--host, else from SVL_LOCAL_ENDPOINT (host and port, IPv6 `http://[::1]:4599`
 * too), else 127.0.0.1:4566. Does not probe anything.
 */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { envValue, type Env } from '../../env.js';
import { UsageError } from '../../errors.js';
import { LOCAL_ENDPOINT } from '../../aws/target.js';

export const defaultStateDir = (env: Env): string => resolve(envValue(env, 'SVL_STATE_DIR') ?? join(homedir(), '.svl', 'local'));

/** Host (no brackets) and port of SVL_LOCAL_ENDPOINT, or of the default endpoint. */
function envAddress(env: Env): { host: string; port: number } {
  const raw = envValue(env, 'SVL_LOCAL_ENDPOINT');
  let u: URL;
  try {
    u = new URL(raw ?? LOCAL_ENDPOINT);
  } catch {
    throw new UsageError(`SVL_LOCAL_ENDPOINT is not a URL: ${raw}`, { hint: 'set it like http://127.0.0.1:4566 (or http://[::1]:4566), or unset it' });
  }
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
}

export function parsePort(raw: string | undefined, env: Env): number {
  if (raw === undefined) return envAddress(env).port;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65535) {
    throw new UsageError(`--port must be a number from 0 to 65535 (got ${raw}).`, { hint: 'e.g. --port 4566' });
  }
  return n;
}

/** The host to bind or to reach: --host, else SVL_LOCAL_ENDPOINT's host, else 127.0.0.1. */
export function parseHost(raw: string | undefined, env: Env): string {
  if (raw === undefined) return envAddress(env).host;
  const host = raw.replace(/^\[(.*)\]$/, '$1');
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
    throw new UsageError(`--host is not a host name or address: ${raw}`, { hint: 'e.g. --host 127.0.0.1 or --host ::1' });
  }
  return host;
}

/** Where a running emulator is looked for by status/stop/reset: --port on SVL_LOCAL_ENDPOINT's host. */
export function emulatorEndpoint(port: string | undefined, env: Env): string {
  return endpointFor(parsePort(port, env), parseHost(undefined, env));
}

export function endpointFor(port: number, host = '127.0.0.1'): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return `http://${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

/** The directory with symlinks resolved, for comparing two spellings of one place; the path itself when it does not exist. */
export function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}
