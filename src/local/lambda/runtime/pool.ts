/**
 * Process pools: per function, warm handler processes are reused; at most `processLimit` run at once
 * (further invocations wait for a free process). Each process runs one invocation at a time, as an AWS
 * execution environment does. Scaling out is eager up to as many processes as the machine has cores, and
 * up to the limit for handlers that wait (on I/O, timers): those gain from more processes. A handler that
 * only computes (svl's Node runtime client reports whether each invocation waited; measured on the event
 * loop, not by time, so a busy machine does not change the answer; one that timed out is judged by the
 * CPU its process used) gains nothing from more processes than cores — only context switches, colder JIT
 * and memory, and 20 of them sharing 2 cores all time out — so past one per core an invocation of it
 * waits for a busy process to finish; one more process starts whenever none of the function's processes
 * finishes an invocation for SCALE_OUT_WAIT_MS or twice the recent invocation duration (a handler stuck
 * in a long computation). A function's first burst, before anything is known of it, is treated the same
 * way; the first invocation that waited lets the rest start theirs. Time waiting for a process does not
 * count against the function's timeout (worker.ts starts it when the process receives the invocation).
 * A process idle for `idleProcessMs` is stopped (AWS recycles idle environments). A process started for
 * an older revision of the function (code or configuration changed) is never reused: it is stopped once
 * idle.
 *
 * Each process gets a fresh environment built here — AWS's variables, the function's Environment, the
 * emulator's static test credentials and endpoint — and nothing inherited from the emulator except PATH:
 * no credentials or secrets of the user's shell leak into handler code.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionConfig, LambdaFunction } from '../model.js';
import { NODE_RUNTIMES, PYTHON_RUNTIMES } from '../constants.js';
import type { CodeDirs } from './code.js';
import type { Worker, Invocation, Outcome, WorkerSpec } from './worker.js';
import type { InlineHandler } from './inline.js';
import { realClearTimeout, realNow, realSetImmediate, realSetTimeout } from '../../timers.js';

/** How long the processes of a compute-bound function may all be busy without finishing an invocation before waiting invocations start more (past one per core): long computations, not a busy machine's scheduling gaps (100 ms was mistaken for a stall under load). */
export const SCALE_OUT_WAIT_MS = 1000;
const EAGER_PROCESSES = Math.max(2, availableParallelism());
/** A handler of which fewer than this share of recent invocations waited is compute-bound. */
const COMPUTE_BOUND = 0.5;

export interface RuntimeOptions {
  code: CodeDirs;
  region: string;
  /** The emulator's URL, given to handler processes as AWS_ENDPOINT_URL. */
  endpoint: () => string;
  processLimit: number;
  /** How long a process may stay idle before it is stopped. */
  idleProcessMs: number;
}

/**
 * The process runner and the inline runner, imported by the first invocation that needs them: an emulator
 * that never invokes anything (most of them) does not load them, and its start-up does not wait for them
 * (~6 ms of CPU: worker.ts, inline.ts, channel.ts, node:child_process, node:async_hooks).
 */
let workerModule: Promise<typeof import('./worker.js')> | undefined;
let inlineModule: Promise<typeof import('./inline.js')> | undefined;

const NODE_BOOTSTRAP = join(dirname(fileURLToPath(import.meta.url)), 'node-bootstrap.js');

/**
 * The JSON of a function configuration, part of the revision a process was started for. Configuration
 * objects are replaced on update, never changed in place, so it is computed once per object.
 */
const configTexts = new WeakMap<FunctionConfig, string>();

function configText(config: FunctionConfig): string {
  let text = configTexts.get(config);
  if (text === undefined) {
    text = JSON.stringify(config);
    configTexts.set(config, text);
  }
  return text;
}

/** What a process was started for: the function's code and configuration (per function object: saves replace it). */
const revisions = new WeakMap<LambdaFunction, string>();

function revisionOf(fn: LambdaFunction): string {
  let r = revisions.get(fn);
  if (r === undefined) {
    r = `${fn.codeSha256}|${configText(fn.config)}`;
    revisions.set(fn, r);
  }
  return r;
}

interface Waiter {
  resolve: (w: Worker | undefined) => void;
  reject: (err: Error) => void;
  /** Waits only while the busy processes make progress (past the eager ones, under the limit). */
  soft?: boolean;
}

class FunctionPool {
  readonly workers = new Set<Worker>();
  private waiters: Waiter[] = [];
  /** When a process of this function last finished an invocation (or died), or soft waiting began, real ms. */
  private lastProgress = realNow();
  private stallTimer?: NodeJS.Timeout;
  private starting = 0;
  /** Recent share of invocations that waited on I/O or a timer (moving average); undefined: unknown yet. */
  private waitShare?: number;
  /** Recent invocation duration (moving average, real ms): a stall is judged against it. */
  private durationMs?: number;
  /**
   * Idle processes and since when (real ms). One timer per pool retires them (armed for the earliest
   * deadline), not one per process and release: under load a process is released and taken again on every
   * invocation.
   */
  private readonly idleSince = new Map<Worker, number>();
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly limit: number,
    private readonly idleMs: number,
  ) {}

  /** Recent share of invocations that waited (undefined: nothing known yet). */
  waitedShare(): number | undefined {
    return this.waitShare;
  }

  /** Whether more processes than cores would not help: known compute-bound, or nothing known yet (a first burst). */
  computeBound(): boolean {
    return (this.waitShare ?? 0) < COMPUTE_BOUND;
  }

  async acquire(spec: () => WorkerSpec, revisionId: string, waited = false): Promise<Worker> {
    for (const w of this.workers) {
      if (w.state === 'idle' && w.spec.revisionId === revisionId) {
        this.idleSince.delete(w);
        w.state = 'busy';
        return w;
      }
    }
    const live = [...this.workers].filter((w) => w.state !== 'dead');
    // Processes being started count against the limit too (invocations that arrive together must not all start one).
    const count = live.length + this.starting;
    if (count >= this.limit) {
      const stale = live.find((w) => w.state === 'idle' && w.spec.revisionId !== revisionId);
      if (stale) {
        stale.kill();
        this.workers.delete(stale);
      } else {
        return this.wait().then(() => this.acquire(spec, revisionId));
      }
    } else if (!waited && this.computeBound() && count >= Math.min(EAGER_PROCESSES, this.limit) && (this.starting > 0 || live.some((w) => w.spec.revisionId === revisionId))) {
      // Past one process per core: a current one (or one being started) that frees up soon serves this
      // invocation warm. A first burst, before anything is known of the handler, stops here too: 20
      // compute-bound invocations on 20 processes of 2 cores all run 10 times slower and time out.
      return this.wait(true).then(() => this.acquire(spec, revisionId, true));
    }
    this.starting++;
    let w: Worker;
    try {
      const { Worker } = await (workerModule ??= import('./worker.js'));
      w = await Worker.start(spec(), (dead) => this.dropped(dead));
    } finally {
      this.starting--;
    }
    w.state = 'busy';
    this.workers.add(w);
    return w;
  }

  /** Feeds whether an invocation waited into the moving average. */
  observe(waited: boolean | undefined, durationMs?: number): void {
    if (durationMs !== undefined) this.durationMs = this.durationMs === undefined ? durationMs : this.durationMs * 0.8 + durationMs * 0.2;
    if (waited === undefined) return;
    const v = waited ? 1 : 0;
    this.waitShare = this.waitShare === undefined ? v : this.waitShare * 0.9 + v * 0.1;
    // A handler that waits gains from more processes: invocations held back for a free one start theirs now.
    if (!this.computeBound()) this.releaseSoft(Infinity);
  }

  /** Lets up to `n` soft waiters start processes. */
  private releaseSoft(n: number): void {
    const keep: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.soft && n > 0) {
        n--;
        w.resolve(undefined);
      } else keep.push(w);
    }
    this.waiters = keep;
  }

  /** Until a process is released or dropped (`soft`: or the pool stalls). */
  private wait(soft = false): Promise<Worker | undefined> {
    return new Promise<Worker | undefined>((resolve, reject) => {
      // A stall is counted from the start of the wait: an old release says nothing about now.
      if (soft && !this.waiters.some((w) => w.soft)) this.lastProgress = realNow();
      this.waiters.push({ resolve, reject, soft });
      if (soft) this.watchStall();
    });
  }

  /**
   * How long no process may finish an invocation before one more starts: SCALE_OUT_WAIT_MS, or twice the
   * recent invocation duration if longer (a loaded machine stretches each invocation: finishing one per
   * 1.5 s is progress, not a stall, and more processes would only stretch them further, past the timeout).
   */
  private stallMs(): number {
    return Math.max(SCALE_OUT_WAIT_MS, 2 * (this.durationMs ?? 0));
  }

  /** While soft waiters wait: if no process finishes an invocation for stallMs(), one more process starts. */
  private watchStall(): void {
    if (this.stallTimer) return;
    const left = Math.max(1, this.stallMs() - (realNow() - this.lastProgress));
    const check = () => {
      this.stallTimer = undefined;
      if (!this.waiters.some((w) => w.soft)) return;
      if (realNow() - this.lastProgress < this.stallMs()) return this.watchStall();
      // One more process per stalled period, not one per waiter: a stall of a compute-bound burst must not
      // start every waiting invocation's process at once (they would share the cores and time out).
      this.lastProgress = realNow();
      this.releaseSoft(1);
      if (this.waiters.some((w) => w.soft)) this.watchStall();
    };
    // Decided after the event loop's I/O phase (setImmediate): when the emulator itself was not scheduled for a
    // while, results that arrived meanwhile count before the timer can call the processes stalled.
    this.stallTimer = realSetTimeout(() => realSetImmediate(check), left);
    this.stallTimer.unref();
  }

  /** Hands a freed slot to the longest waiting invocation. */
  private wake(w: Worker): void {
    this.lastProgress = realNow();
    this.waiters.shift()?.resolve(w);
  }

  release(w: Worker, revisionId: string): void {
    if (w.state !== 'dead' && w.spec.revisionId !== revisionId) {
      w.kill();
      this.workers.delete(w);
    }
    this.wake(w);
    // Still idle once the longest waiter had its turn: retired if nothing needs it for idleMs.
    if (w.state === 'idle' && this.workers.has(w) && !this.idleSince.has(w)) {
      this.idleSince.set(w, realNow());
      this.armIdleTimer();
    }
  }

  /** Arms the retirement timer for the process idle the longest (if none is armed). */
  private armIdleTimer(): void {
    if (this.idleTimer || this.idleSince.size === 0) return;
    let oldest = Infinity;
    for (const since of this.idleSince.values()) oldest = Math.min(oldest, since);
    this.idleTimer = realSetTimeout(() => {
      this.idleTimer = undefined;
      this.retireIdleFor(this.idleMs);
      this.armIdleTimer();
    }, Math.max(0, oldest + this.idleMs - realNow()));
    this.idleTimer.unref();
  }

  /** Stops the processes idle for at least `ms`. */
  private retireIdleFor(ms: number): void {
    const now = realNow();
    for (const [w, since] of this.idleSince) {
      if (now - since < ms) continue;
      this.idleSince.delete(w);
      if (w.state !== 'idle') continue;
      w.kill();
      this.workers.delete(w);
    }
  }

  private dropped(w: Worker): void {
    this.idleSince.delete(w);
    this.workers.delete(w);
    // Its slot is free: a waiting invocation may start a process.
    this.wake(w);
  }

  stopAll(): void {
    for (const w of this.workers) w.kill();
    this.workers.clear();
    realClearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.idleSince.clear();
    realClearTimeout(this.stallTimer);
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('the emulator is stopping'));
  }

  retireIdle(): void {
    for (const w of this.workers) {
      if (w.state === 'idle') {
        this.idleSince.delete(w);
        w.kill();
        this.workers.delete(w);
      }
    }
  }
}

export class LambdaRuntime {
  private readonly pools = new Map<string, FunctionPool>();
  /** Functions whose handler is a function of this process (svl/testing), and whether each ran yet (cold start). */
  private readonly inline = new Map<string, { handler: InlineHandler; warm: boolean }>();
  private stopped = false;

  constructor(private readonly opts: RuntimeOptions) {}

  /** Runs `name`'s invocations with `handler` in this process instead of a handler process (undefined: stop doing so). */
  setInline(name: string, handler: InlineHandler | undefined): void {
    if (handler) this.inline.set(name, { handler, warm: false });
    else this.inline.delete(name);
  }

  /** Runs one invocation of `fn` (code extracted to `taskDir()`, asked for when a process starts), cold or warm. Never rejects for handler failures. */
  async invoke(fn: LambdaFunction, taskDir: () => string, inv: Invocation): Promise<Outcome & { cold: boolean }> {
    if (this.stopped) throw new Error('the emulator is stopping');
    const inline = this.inline.get(fn.name);
    if (inline) {
      const cold = !inline.warm;
      inline.warm = true;
      const { runInline } = await (inlineModule ??= import('./inline.js'));
      return runInline({ handler: inline.handler, region: this.opts.region }, fn, inv, cold);
    }
    let pool = this.pools.get(fn.name);
    if (!pool) {
      pool = new FunctionPool(this.opts.processLimit, this.opts.idleProcessMs);
      this.pools.set(fn.name, pool);
    }
    // Processes are reused while the code and configuration they were started with are current (a policy
    // or tag change does not restart them).
    const revision = revisionOf(fn);
    const w = await pool.acquire(() => this.workerSpec(fn, taskDir(), revision), revision);
    try {
      const out = await w.run(inv);
      pool.observe(out.waited, out.timedOut ? undefined : out.durationMs);
      // The outcome is this invocation's own object: marked, not copied.
      return Object.assign(out, { cold: out.initMs !== undefined });
    } finally {
      pool.release(w, revision);
    }
  }

  /** Stops the idle processes of a function (after an update or delete; busy ones stop when they finish). */
  retire(name: string, deleted = false): void {
    const pool = this.pools.get(name);
    if (!pool) return;
    pool.retireIdle();
    if (deleted && pool.workers.size === 0) this.pools.delete(name);
  }

  /** The pool of a function's processes, if it has one (tests look at what it learnt). */
  poolOf(name: string): FunctionPool | undefined {
    return this.pools.get(name);
  }

  /** Live handler processes, of one function or of all. */
  processCount(name?: string): number {
    let n = 0;
    for (const [fn, p] of this.pools) if (name === undefined || fn === name) n += [...p.workers].filter((w) => w.state !== 'dead').length;
    return n;
  }

  stopAll(): void {
    this.stopped = true;
    for (const p of this.pools.values()) p.stopAll();
    this.pools.clear();
  }

  private workerSpec(fn: LambdaFunction, taskDir: string, revisionId: string): WorkerSpec {
    const c = fn.config;
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
    const env: Record<string, string> = {
      ...c.Environment,
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: taskDir,
      _HANDLER: c.Handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${c.Runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.MemorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: c.LogGroup ?? `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
      AWS_REGION: this.opts.region,
      AWS_DEFAULT_REGION: this.opts.region,
      // The emulator's static test credentials and endpoint: SDK calls from handler code reach the emulator.
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SESSION_TOKEN: 'test',
      AWS_ENDPOINT_URL: this.opts.endpoint(),
    };
    const base = { functionName: fn.name, functionArn: fn.arn, revisionId, timeoutSec: c.Timeout, memoryMb: c.MemorySize, env, cwd: taskDir };
    if (NODE_RUNTIMES.includes(c.Runtime)) {
      env.LAMBDA_RUNTIME_DIR = dirname(NODE_BOOTSTRAP);
      env.AWS_NODEJS_CONNECTION_REUSE_ENABLED = '1';
      // AWS's Node runtime sizes the heap from the function's memory; so does svl.
      // svl's own runtime client: the private channel (channel.ts) rather than HTTP for each invocation.
      return { ...base, channel: true, command: process.execPath, args: [`--max-old-space-size=${Math.max(16, Math.floor((c.MemorySize * 9) / 10))}`, NODE_BOOTSTRAP] };
    }
    if (PYTHON_RUNTIMES.includes(c.Runtime)) {
      const script = this.opts.code.pythonBootstrap();
      env.LAMBDA_RUNTIME_DIR = dirname(script);
      env.PYTHONUNBUFFERED = '1';
      env.PYTHONDONTWRITEBYTECODE = '1';
      return { ...base, command: 'python3', args: ['-u', script] };
    }
    // provided.al2 / provided.al2023: the zip's own `bootstrap` executable is the runtime.
    const bootstrap = join(taskDir, 'bootstrap');
    env.LAMBDA_RUNTIME_DIR = taskDir;
    return { ...base, command: existsSync(bootstrap) ? bootstrap : join(taskDir, '.svl-missing-bootstrap'), args: [] };
  }
}
