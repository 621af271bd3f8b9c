// Spawns the built CLI asynchronously (so an in-process emulator in the same test process keeps
// answering) in a hermetic environment: no AWS/SVL settings from the developer's shell, CI=1.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = fileURLToPath(new URL('../../bin/svl.js', import.meta.url));

export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(AWS_|SVL_|NO_COLOR$|FORCE_COLOR$)/.test(k)) env[k] = v;
  }
  return { ...env, CI: '1', ...extra };
}

/** Runs `svl ...args`; `env` adds variables (e.g. SVL_LOCAL_ENDPOINT), `input` is written to stdin. */
export function svl(args, { env = {}, input, cwd = root, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`svl ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

const ptyDriver = fileURLToPath(new URL('./pty_drive.py', import.meta.url));

/**
 * Runs `svl ...args` in a pseudo-terminal (so prompts are shown; CI is unset), typing `steps`
 * ({expect, send}, see pty_drive.py) as a person would. Resolves `{ code, out }`, `out` being
 * everything printed.
 */
export function inTerminal(steps, args, { cwd = root, env = {} } = {}) {
  const child = spawn('python3', [ptyDriver, JSON.stringify(steps), process.execPath, bin, ...args], {
    cwd,
    env: { ...cleanEnv(env), CI: '', TERM: 'xterm' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

/** A stack-trace frame line (`    at fn (file:1:2)`): errors must reach the user without one. */
export const NO_STACK = /\n\s+at .*:\d+:\d+\)?\n/;

/** Environment that makes `--local` target the given emulator URL. */
export const localEnv = (url) => ({ SVL_LOCAL_ENDPOINT: url });

/** A loopback port nobody listens on right now (for emulators started as separate processes). */
export { freePort } from '../../bench/report.mjs';

/**
 * Kills an emulator process started by startEmulatorProcess (if it still runs) and waits until it has
 * exited, so nothing writes into its state directory when a test removes it afterwards.
 */
export async function stopEmulatorProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** `svl local start` as its own process on `stateDir` and `port` (crash tests kill it); resolves once it answers. */
export async function startEmulatorProcess(stateDir, port) {
  const child = spawn(process.execPath, [bin, 'local', 'start', '--port', String(port), '--state-dir', stateDir, '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/_svl/health`);
      if (r.status === 200) return { child, url };
    } catch {
      /* not yet */
    }
    if (child.exitCode !== null) throw new Error(`emulator exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`emulator did not start: ${stderr}`);
}
