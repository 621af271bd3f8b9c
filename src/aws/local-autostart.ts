/**
 * `--local` should just work: if nothing answers on the emulator's health endpoint, start
 * `svl local start --detach` in the background and wait until it is healthy. When that start fails,
 * its own error (port not permitted, state dir unusable, ...) is reported, with its exit code.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { SvlError } from '../errors.js';

export interface AutostartUi {
  info(message: string): void;
}

export interface AutostartDeps {
  /** Starts the emulator on `port`; resolves once spawned. Rejects when the process fails early. */
  start(port: number): Promise<{ exited: () => number | null; error?: () => SvlError | undefined }>;
  /** How long one health probe may take. */
  probeTimeoutMs: number;
  /** How long to wait for a started emulator to become healthy. */
  readyTimeoutMs: number;
  pollIntervalMs: number;
}

const defaults: AutostartDeps = {
  start: spawnDetached,
  probeTimeoutMs: 300,
  readyTimeoutMs: 10_000,
  pollIntervalMs: 100,
};

export async function ensureLocalEmulator(endpoint: string, ui: AutostartUi, deps: Partial<AutostartDeps> = {}): Promise<void> {
  const d = { ...defaults, ...deps };
  const health = new URL('/_svl/health', endpoint).href;
  if (await isHealthy(health, d.probeTimeoutMs)) return;

  const url = new URL(endpoint);
  // Spawning locally cannot help an emulator on another machine; let the first call report the error.
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname)) return;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));

  const child = await d.start(port);
  const deadline = Date.now() + d.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (await isHealthy(health, d.probeTimeoutMs)) {
      ui.info(`Started the local emulator on ${endpoint} (svl local stop to stop it)`);
      return;
    }
    const code = child.exited();
    // `--detach` may exit 0 after handing over to the daemon; only a failure code means it gave up.
    if (code !== null && code !== 0) break;
    await new Promise((r) => setTimeout(r, d.pollIntervalMs));
  }
  const own = child.error?.();
  if (own) throw own;
  throw new SvlError(`Could not start the local emulator on ${endpoint}`, 1, {
    code: 'EmulatorStartFailed',
    hint: 'Run `svl local start` in a terminal to see why (port in use? state directory locked?)',
  });
}

/** What the emulator's `GET /_svl/health` answers. */
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

/** GET `url`: status and body, or undefined when nothing answers in time. node:http keeps this off undici's start-up cost. */
function get(url: string, timeoutMs: number): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** GET the health URL; true only for a 200 within the timeout. */
export async function isHealthy(url: string, timeoutMs: number): Promise<boolean> {
  return (await get(url, timeoutMs))?.status === 200;
}

/** The emulator's health, or undefined when nothing (or something other than the emulator) answers. */
export async function readHealth(endpoint: string, timeoutMs = 1000): Promise<Health | undefined> {
  const r = await get(new URL('/_svl/health', endpoint).href, timeoutMs);
  if (r?.status !== 200) return undefined;
  try {
    const body = JSON.parse(r.body) as Health;
    return body.service === 'svl-emulator' ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The services a running emulator answers (`services` of its health endpoint); [] when it cannot tell. */
export async function emulatorServices(endpoint: string, timeoutMs = 2000): Promise<string[]> {
  const services = (await readHealth(endpoint, timeoutMs))?.services;
  return Array.isArray(services) ? services.filter((s): s is string => typeof s === 'string') : [];
}

async function spawnDetached(port: number) {
  const bin = fileURLToPath(new URL('../../bin/svl.js', import.meta.url));
  // Its stderr carries one JSON error line when it fails (SVL_JSON); SVL_LOCAL_ENDPOINT is inherited, so it binds that host.
  const child = spawn(process.execPath, [bin, 'local', 'start', '--detach', '--port', String(port)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SVL_JSON: '1' },
  });
  let code: number | null = null;
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr += d));
  child.on('exit', (c) => {
    code = c ?? 1;
  });
  child.on('error', () => {
    code = 1;
  });
  // Do not keep this CLI alive for the emulator's sake.
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return { exited: () => code, error: () => (code !== null && code !== 0 ? errorFromJson(stderr, code) : undefined) };
}

/** The `{"error":{…}}` line a failed `svl … --json` printed on stderr, as the same SvlError. */
export function errorFromJson(text: string, code: number): SvlError | undefined {
  for (const line of text.trim().split('\n').reverse()) {
    if (!line.startsWith('{"error"')) continue;
    try {
      const { error } = JSON.parse(line) as { error: { code?: string; message?: string; hint?: string | null } };
      if (error.message) return new SvlError(error.message, code === 2 ? 2 : 1, { code: error.code ?? 'EmulatorStartFailed', hint: error.hint ?? undefined });
    } catch {
      /* not an error line */
    }
  }
  return undefined;
}
