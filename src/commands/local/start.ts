/**
 * `svl local start`: the emulator in the foreground (event log on stderr) or detached in the background.
 * Before starting it checks what already answers on the address: the same emulator is fine with
 * --detach, one using another state directory is an error. A detached start that fails reports the
 * child's own error (read from its log) with the child's exit code; it never waits past its deadline.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { openSync, closeSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envValue, type Env } from '../../env.js';
import { cancelled, SvlError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import type { CommandContext } from '../context.js';
import type { StartFlags } from './index.js';
import { errorFromJson, readHealth, type Health } from '../../aws/local-autostart.js';
import { sleep } from '../../aws/pool.js';
import { defaultStateDir, endpointFor, parseHost, parsePort, realDir } from './shared.js';

export interface StartOptions {
  port: number;
  host: string;
  stateDir: string;
  inMemory: boolean;
  detach: boolean;
  quiet: boolean;
  /** Events the journal keeps; 0 = no journal. */
  journalSize?: number;
  /** --state-dir, SVL_STATE_DIR or --in-memory was given: an emulator already running elsewhere is then a mismatch. */
  stateChosen: boolean;
}

export interface StartResult {
  endpoint: string;
  pid: number;
  stateDir: string | null;
  logFile?: string;
  detached: boolean;
  alreadyRunning?: boolean;
}

export function parseStart(flags: StartFlags, env: Env): StartOptions {
  const port = parsePort(flags.port, env);
  const host = parseHost(flags.host, env);
  return {
    port,
    host,
    stateDir: resolve(flags.stateDir ?? defaultStateDir(env)),
    inMemory: Boolean(flags.inMemory),
    detach: Boolean(flags.detach),
    quiet: Boolean(flags.quiet),
    journalSize: parseJournalSize(flags.journalSize),
    stateChosen: flags.stateDir !== undefined || Boolean(flags.inMemory) || envValue(env, 'SVL_STATE_DIR') !== undefined,
  };
}

function parseJournalSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 10_000_000) {
    throw new UsageError(`--journal-size must be a number of events from 0 to 10000000 (got ${raw}).`, { hint: 'e.g. --journal-size 100000, or 0 to turn the journal off' });
  }
  return n;
}

const binPath = () => fileURLToPath(new URL('../../../bin/svl.js', import.meta.url));

export async function runStart(o: StartOptions, ctx: CommandContext, ui: Ui): Promise<StartResult> {
  const reach = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
  const endpoint = endpointFor(o.port, reach);
  if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') {
    ui.warn(`Binding to ${o.host}: the emulator has no authentication; anyone who can reach this address can use it.`);
  }
  const running = o.port !== 0 && (await accepts(reach, o.port)) ? await readHealth(endpoint, 500) : undefined;
  if (running) {
    if (o.stateChosen && !sameState(running, o)) throw stateMismatch(running, o, endpoint);
    if (o.detach) {
      ui.info(`The emulator already runs on ${endpoint} (pid ${running.pid}).`);
      return { endpoint, pid: running.pid, stateDir: running.stateDir, detached: true, alreadyRunning: true };
    }
  }
  return o.detach ? startDetached(o, endpoint) : startForeground(o, ctx, ui);
}

/**
 * Whether something accepts connections on the address: a refused TCP connect is the usual answer, and
 * costs less at start-up than an HTTP request to the health endpoint, which is asked only when it accepts.
 */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 500 });
    const done = (yes: boolean) => {
      socket.destroy();
      resolve(yes);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(true)); // something there, slow: the health request decides
  });
}

function sameState(h: Health, o: StartOptions): boolean {
  if (o.inMemory || h.inMemory || !h.stateDir) return o.inMemory && (h.inMemory || !h.stateDir);
  return realDir(h.stateDir) === realDir(o.stateDir);
}

function stateMismatch(h: Health, o: StartOptions, endpoint: string): SvlError {
  const theirs = h.inMemory || !h.stateDir ? 'keeps its state in memory' : `uses the state directory ${h.stateDir}`;
  const wanted = o.inMemory ? '--in-memory' : `--state-dir ${o.stateDir}`;
  return new SvlError(`An emulator (pid ${h.pid}) already runs on ${endpoint} and ${theirs}, not ${wanted}.`, 2, {
    code: 'StateDirMismatch',
    hint: `stop it first (\`svl local stop --port ${o.port}\`), or start this one on another --port`,
  });
}

async function startDetached(o: StartOptions, endpoint: string): Promise<StartResult> {
  const { prepareStateDir } = await import('../../local/store/state-dir.js');
  prepareStateDir(o.stateDir); // the log lives there even with --in-memory
  const logFile = join(o.stateDir, 'emulator.log');
  const out = openSync(logFile, 'a', 0o600);
  const logStart = statSync(logFile).size;
  const args = [binPath(), 'local', 'start', '--port', String(o.port), '--host', o.host];
  args.push(...(o.inMemory ? ['--in-memory'] : ['--state-dir', o.stateDir]));
  if (o.journalSize !== undefined) args.push('--journal-size', String(o.journalSize));
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    // JSON errors, so that a failure can be reported here as the child said it.
    env: { ...process.env, SVL_EMULATOR_CHILD: '1', SVL_JSON: '1' },
  });
  closeSync(out);
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  child.once('error', () => (exited ??= 1));
  child.unref();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited !== null) throw childFailure(exited, logFile, logStart);
    const h = await readHealth(endpoint, 500);
    if (h && h.pid === child.pid) {
      return { endpoint, pid: h.pid, stateDir: h.stateDir, logFile, detached: true };
    }
    await sleep(50);
  }
  child.kill('SIGTERM');
  throw new SvlError(`The emulator did not answer on ${endpoint} within 15 s.`, 1, { code: 'EmulatorStartTimeout', hint: `See its log: ${logFile}` });
}

/** The detached child's own error (the JSON error line it printed into its log), with its exit code. */
export function childFailure(code: number, logFile: string, from = 0): SvlError {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8').slice(from);
  } catch {
    /* the log is gone: say what is known */
  }
  const own = errorFromJson(text, code);
  if (own) return own.hint ? own : new SvlError(own.message, own.exitCode as 1 | 2, { code: own.code, hint: `See its log: ${logFile}` });
  const tail = text.trim().split('\n').slice(-3).join('\n');
  return new SvlError(`The emulator exited while starting (code ${code}).`, code === 2 ? 2 : 1, {
    code: 'EmulatorStartFailed',
    hint: tail ? `Its log (${logFile}) ends with:\n${tail}` : `See its log: ${logFile}`,
  });
}

async function startForeground(o: StartOptions, ctx: CommandContext, ui: Ui): Promise<StartResult> {
  const [{ startEmulator }, { createLogger }, { tuneV8ForEmulator }] = await Promise.all([
    import('../../local/server.js'),
    import('../../local/log.js'),
    import('../../local/v8-tuning.js'),
  ]);
  // This process exists to run the emulator: its V8 settings (v8-tuning.ts), before any request is compiled.
  tuneV8ForEmulator();
  const log = createLogger({ quiet: o.quiet });
  const emu = await startEmulator({
    port: o.port,
    host: o.host,
    stateDir: o.inMemory ? undefined : o.stateDir,
    inMemory: o.inMemory,
    log,
    version: ctx.version,
    journalSize: o.journalSize,
    // S3 and API Gateway are imported by the first request for them when nothing of theirs is stored.
    loadOnFirstUse: true,
  });
  const runtimeFile = o.inMemory ? undefined : join(o.stateDir, 'emulator.json');
  if (runtimeFile) writeFileSync(runtimeFile, JSON.stringify({ pid: process.pid, endpoint: emu.url, startedAt: new Date().toISOString() }), { mode: 0o600 });
  if (!ui.json && !process.env.SVL_EMULATOR_CHILD) {
    log.flush(); // the emulator's lines so far come first
    ui.hint(`Point any SDK or the AWS CLI at ${emu.url} (or use svl --local). Ctrl-C stops it.`);
  }
  // Runs until SIGTERM (svl local stop) or Ctrl-C: both abort ctx.signal and close the emulator gracefully.
  // SIGTERM is how `svl local stop` ends it, a normal end (exit 0); Ctrl-C is a cancel (exit 130). The
  // onCancel hook closes it too when svl has to exit at once (second Ctrl-C, grace period over).
  let terminated = false;
  const onTerm = () => void (terminated = true);
  process.once('SIGTERM', onTerm);
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await emu.close();
      log.flush();
      if (runtimeFile) rmSync(runtimeFile, { force: true });
      done();
    };
    if (ctx.signal.aborted) void stop();
    else ctx.signal.addEventListener('abort', () => void stop(), { once: true });
    ctx.onCancel(stop);
  });
  process.removeListener('SIGTERM', onTerm);
  if (!terminated) throw cancelled({ done: `the emulator on ${emu.url} stopped${o.inMemory ? '' : ` (state kept in ${o.stateDir})`}` });
  return { endpoint: emu.url, pid: process.pid, stateDir: o.inMemory ? null : o.stateDir, detached: false };
}

export function renderStart(r: StartResult, ui: Ui): string {
  if (!r.detached) return '';
  if (r.alreadyRunning) return r.endpoint;
  ui.hint('Stop it with `svl local stop`; check it with `svl local status`.');
  return `Emulator running on ${r.endpoint} (pid ${r.pid}${r.logFile ? `, log ${r.logFile}` : ''})`;
}
