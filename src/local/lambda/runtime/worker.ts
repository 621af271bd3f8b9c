/**
 * One handler process and the Lambda Runtime API it talks to. Each process gets its own loopback HTTP
 * server (its `AWS_LAMBDA_RUNTIME_API`), serving exactly AWS's endpoints:
 *
 *   GET  /2018-06-01/runtime/invocation/next             -> the next event (held until there is one)
 *   POST /2018-06-01/runtime/invocation/{id}/response    -> the result
 *   POST /2018-06-01/runtime/invocation/{id}/error       -> a function error
 *   POST /2018-06-01/runtime/init/error                  -> the handler could not be loaded
 *
 * svl's own Node runtime client talks to the worker over a private channel instead (channel.ts: frames
 * on a socketpair, one write per message, no reply to a result); the HTTP server still runs for it, and is
 * the only way in for every other runtime. Both ways lead to the same steps below (next, result, init
 * error), so the outcome of an invocation does not depend on the transport.
 *
 * What arrives on the channel is checked (channel.ts caps and parses it): a runtime that writes anything
 * else there — handler code can write to fd 3 — is stopped and its invocation ends as AWS ends one whose
 * runtime crashed (Runtime.ExitError). The process runs in its own process group, killed as a whole, so
 * processes the handler started do not outlive a timeout, a crash or the emulator.
 *
 * A worker runs one invocation at a time. The invocation timeout and the 10 s init limit are real-time
 * timers: handler processes run in real time whatever the emulator's Clock says (a fake clock in tests
 * must not stop a runaway handler from being killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { INIT_TIMEOUT_MS, MAX_RESPONSE_PAYLOAD } from '../constants.js';
import { CHANNEL_ENV, CHANNEL_FD, encodeFrame, readFrames, type Frame } from './channel.js';
import { realClearTimeout, realHrtimeNs, realNow, realSetImmediate, realSetTimeout } from '../../timers.js';

export interface WorkerSpec {
  functionName: string;
  functionArn: string;
  revisionId: string;
  timeoutSec: number;
  memoryMb: number;
  /** The command that starts the runtime client, and its environment (AWS_LAMBDA_RUNTIME_API is added). */
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The runtime client speaks the private channel (svl's Node runtime client) besides the HTTP Runtime API. */
  channel?: boolean;
}

export interface Invocation {
  requestId: string;
  payload: string;
  /** Decoded X-Amz-Client-Context JSON. */
  clientContext?: string;
  traceId: string;
}

export interface Outcome {
  requestId: string;
  ok: boolean;
  /** The result JSON, or the error object JSON. */
  payload: string;
  errorType?: string;
  /** The invocation's log: output, then END and REPORT, preceded by START (and init output on a cold start). */
  log: string;
  durationMs: number;
  initMs?: number;
  timedOut: boolean;
  maxMemoryMb: number;
  /** Whether the handler waited on I/O or a timer before it settled (svl's Node runtime client only). */
  waited?: boolean;
}

interface Active {
  inv: Invocation;
  delivered: boolean;
  startNs: bigint;
  output: string[];
  timer?: NodeJS.Timeout;
  resolve: (o: Outcome) => void;
  done: boolean;
}

const PREFIX = '/2018-06-01/runtime';
/** `POST …/invocation/<request id>/response|error` of the Runtime API. */
const RESULT_PATH = new RegExp(`^${PREFIX}/invocation/([^/]+)/(response|error)$`);
const MAX_BODY = MAX_RESPONSE_PAYLOAD + 1024 * 1024;

export class Worker {
  state: 'starting' | 'idle' | 'busy' | 'dead' = 'starting';
  private server!: Server;
  private proc?: ChildProcess;
  /** The runtime asked for the next invocation: how to hand it over (an HTTP response held open, or a frame). */
  private held?: { send: (a: Active) => void; drop: () => void };
  private channel?: Socket;
  /** Peak RSS the runtime client reported with its last result (channel only), in KB. */
  private reportedRssKb?: number;
  private reportedWaited?: boolean;
  private active?: Active;
  private pendingOutput: string[] = [];
  private spawnNs = realHrtimeNs();
  private initMs?: number;
  private initReported = false;
  private initLogged = false;
  private initTimer?: NodeJS.Timeout;
  private exitInfo?: string;
  private exitType = 'Runtime.ExitError';

  private constructor(
    readonly spec: WorkerSpec,
    private readonly onDead: (w: Worker) => void,
  ) {}

  static async start(spec: WorkerSpec, onDead: (w: Worker) => void): Promise<Worker> {
    const w = new Worker(spec, onDead);
    w.server = createServer((req, res) => w.handle(req, res));
    w.server.keepAliveTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      w.server.once('error', reject);
      w.server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (w.server.address() as AddressInfo).port;
    w.spawnNs = realHrtimeNs();
    const proc = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...spec.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`, ...(spec.channel && { [CHANNEL_ENV]: String(CHANNEL_FD) }) },
      stdio: spec.channel ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      // Its own process group: processes the handler starts are stopped with it (kill()).
      detached: true,
    });
    w.proc = proc;
    if (proc.pid !== undefined) trackGroup(proc.pid);
    if (spec.channel) {
      const channel = proc.stdio[CHANNEL_FD] as Socket;
      w.channel = channel;
      channel.on('error', () => {}); // the process's exit reports what happened
      readFrames(channel, (f) => w.frame(f), (why) => w.broken(why), MAX_BODY);
    }
    proc.stdout!.setEncoding('utf8');
    proc.stderr!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => w.output(d));
    proc.stderr!.on('data', (d: string) => w.output(d));
    proc.on('error', (err: NodeJS.ErrnoException) => {
      // A `provided` runtime whose bootstrap is missing or not executable (AWS's Runtime.InvalidEntrypoint).
      if (err.code === 'ENOENT' || err.code === 'EACCES') {
        w.exitType = 'Runtime.InvalidEntrypoint';
        w.exitInfo = err.code === 'ENOENT' ? "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]" : `fork/exec ${spec.command}: permission denied`;
      } else w.exitInfo = `Runtime exited with error: ${err.message}`;
      w.died();
    });
    proc.on('exit', (code, signal) => {
      w.exitInfo = signal ? `Runtime exited with error: signal: ${signal === 'SIGKILL' ? 'killed' : signal}` : code ? `Runtime exited with error: exit status ${code}` : 'Runtime exited without providing a reason';
      // Output still in the pipes belongs to this invocation, and a result the process wrote on the channel
      // just before exiting may still be unread: let them arrive first (the channel ends once read, unless a
      // process the handler started holds it open: then not longer than a moment).
      const later = () => realSetImmediate(() => realSetImmediate(() => w.died()));
      const ch = w.channel;
      if (!ch || ch.readableEnded || ch.destroyed) return later();
      const fallback = realSetTimeout(() => later(), 250);
      fallback.unref();
      const ended = () => {
        realClearTimeout(fallback);
        later();
      };
      ch.once('end', ended);
      ch.once('close', ended);
    });
    w.initTimer = realSetTimeout(() => {
      if (!w.initReported) w.timeout(INIT_TIMEOUT_MS / 1000);
    }, INIT_TIMEOUT_MS);
    w.initTimer.unref();
    return w;
  }

  /** Runs one invocation; resolves (never rejects) with its outcome. */
  run(inv: Invocation): Promise<Outcome> {
    this.state = 'busy';
    return new Promise<Outcome>((resolve) => {
      this.active = { inv, delivered: false, startNs: realHrtimeNs(), output: this.pendingOutput, resolve, done: false };
      this.pendingOutput = [];
      if (this.held) {
        const held = this.held;
        this.held = undefined;
        this.deliver(held);
      }
    });
  }

  /** Stops the process and every process it started (its process group), once. */
  kill(): void {
    const pid = this.proc?.pid;
    if (pid !== undefined && groups.has(pid) && !killGroup(pid) && this.proc!.exitCode === null && this.proc!.signalCode === null) this.proc!.kill('SIGKILL');
    this.state = 'dead';
    realClearTimeout(this.initTimer);
    this.held?.drop();
    this.held = undefined;
    this.channel?.destroy();
    this.server.close();
    this.server.closeAllConnections?.();
  }

  private output(d: string): void {
    (this.active && !this.active.done ? this.active.output : this.pendingOutput).push(d);
  }

  private deliver(held: { send: (a: Active) => void }): void {
    const a = this.active!;
    a.delivered = true;
    a.startNs = realHrtimeNs();
    held.send(a);
    a.timer = realSetTimeout(() => this.timeout(this.spec.timeoutSec), this.spec.timeoutSec * 1000);
    a.timer.unref();
  }

  /** The Runtime API's `GET …/invocation/next` as an HTTP response to hold. */
  private heldResponse(res: ServerResponse): { send: (a: Active) => void; drop: () => void } {
    return {
      send: (a) => {
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'lambda-runtime-aws-request-id': a.inv.requestId,
          'lambda-runtime-deadline-ms': String(realNow() + this.spec.timeoutSec * 1000),
          'lambda-runtime-invoked-function-arn': this.spec.functionArn,
          'lambda-runtime-trace-id': a.inv.traceId,
        };
        if (a.inv.clientContext) headers['lambda-runtime-client-context'] = a.inv.clientContext;
        const body = Buffer.from(a.inv.payload, 'utf8');
        res.writeHead(200, { ...headers, 'content-length': String(body.length) });
        res.end(body);
      },
      drop: () => res.destroy(),
    };
  }

  /** The same as a held `next`, over the private channel. */
  private readonly heldFrame = {
    send: (a: Active) => {
      const head: Record<string, unknown> = { t: 'invoke', id: a.inv.requestId, deadline: realNow() + this.spec.timeoutSec * 1000, arn: this.spec.functionArn, trace: a.inv.traceId };
      if (a.inv.clientContext) head.clientContext = a.inv.clientContext;
      this.channel?.write(encodeFrame(head, a.inv.payload));
    },
    drop: () => {},
  };

  /** `GET …/invocation/next`: the runtime is ready (its first call ends init). */
  private next(held: { send: (a: Active) => void; drop: () => void }): void {
    if (!this.initReported) {
      this.initReported = true;
      realClearTimeout(this.initTimer);
      this.initMs = Number(realHrtimeNs() - this.spawnNs) / 1e6;
    }
    if (this.state === 'starting') this.state = 'idle';
    if (this.active && !this.active.delivered && !this.active.done) this.deliver(held);
    else this.held = held;
  }

  /** `POST …/init/error`: the handler could not be loaded; the process is done. */
  private initError(body: string, typeHeader: string | undefined): void {
    this.initReported = true;
    realClearTimeout(this.initTimer);
    if (this.active && !this.active.done) {
      const type = typeHeader ?? errorTypeOf(body) ?? 'Runtime.Unknown';
      this.finish(false, body || JSON.stringify({ errorType: type, errorMessage: 'init error' }), type);
    }
    this.state = 'dead';
    this.kill();
    this.onDead(this);
  }

  /**
   * `POST …/invocation/{id}/response|error`: the answer the Runtime API gives (status and JSON), after
   * ending the invocation it belongs to.
   */
  private result(kind: string, id: string, body: string, size: number, typeHeader: string | undefined): [number, unknown] {
    const a = this.active;
    if (!a || a.done || !a.delivered || a.inv.requestId !== id) {
      return [400, { errorMessage: `Invalid request ID: ${id}`, errorType: 'InvalidRequestID' }];
    }
    if (kind === 'response') {
      if (size > MAX_RESPONSE_PAYLOAD) {
        this.finishSoon(false, JSON.stringify({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD} bytes).`, errorType: 'Function.ResponseSizeTooLarge' }), 'Function.ResponseSizeTooLarge');
        return [413, { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD} bytes).`, errorType: 'RequestEntityTooLarge' }];
      }
      this.finishSoon(true, body);
      return [202, { status: 'OK' }];
    }
    const type = typeHeader ?? errorTypeOf(body) ?? 'Unhandled';
    this.finishSoon(false, body || JSON.stringify({ errorType: type, errorMessage: '' }), type);
    return [202, { status: 'OK' }];
  }

  /** A frame from svl's Node runtime client (channel.ts). */
  private frame({ head, body }: Frame): void {
    if (this.state === 'dead') return;
    const type = typeof head.errorType === 'string' ? head.errorType : undefined;
    if (head.t === 'next') return this.next(this.heldFrame);
    if (head.t === 'init-error') return this.initError(body.toString('utf8'), type);
    if (head.t === 'response' || head.t === 'error') {
      if (typeof head.maxRssKb === 'number') this.reportedRssKb = head.maxRssKb;
      this.reportedWaited = typeof head.waited === 'boolean' ? head.waited : undefined;
      // A result over the limit is not sent: the runtime client says how big it was.
      const size = typeof head.tooLarge === 'number' ? head.tooLarge : body.length;
      this.result(head.t, String(head.id), body.toString('utf8'), size, type);
      if (head.next) this.next(this.heldFrame);
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0]!;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const reply = (status: number, obj: unknown) => {
        const b = JSON.stringify(obj);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(b)) });
        res.end(b);
      };
      const typeHeader = req.headers['lambda-runtime-function-error-type'];
      const type = typeHeader === undefined ? undefined : String(typeHeader);
      if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) return this.next(this.heldResponse(res));
      if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
        reply(202, { status: 'OK' });
        return this.initError(body, type);
      }
      const m = RESULT_PATH.exec(path);
      if (req.method === 'POST' && m) {
        const [status, answer] = this.result(m[2]!, decodeURIComponent(m[1]!), body, size, type);
        return reply(status, answer);
      }
      reply(404, { errorMessage: `Unknown Runtime API path ${req.method} ${path}`, errorType: 'NotFound' });
    });
  }

  /** Output the process wrote before posting its result is still in the pipes: let it arrive first. */
  private finishSoon(ok: boolean, payload: string, errorType?: string): void {
    const a = this.active;
    if (a) realClearTimeout(a.timer);
    realSetImmediate(() => realSetImmediate(() => this.finish(ok, payload, errorType)));
  }

  private finish(ok: boolean, payload: string, errorType?: string, extraLog?: string, timedOut = false): void {
    const a = this.active;
    if (!a || a.done) return;
    a.done = true;
    realClearTimeout(a.timer);
    const durationMs = a.delivered ? Number(realHrtimeNs() - a.startNs) / 1e6 : 0;
    const maxMemoryMb = this.maxMemoryMb();
    const id = a.inv.requestId;
    const cold = this.initMs !== undefined && !this.initLogged;
    let out = a.output.join('');
    if (out && !out.endsWith('\n')) out += '\n';
    if (extraLog) out += extraLog;
    const report =
      `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\t` +
      `Memory Size: ${this.spec.memoryMb} MB\tMax Memory Used: ${maxMemoryMb} MB\t` +
      (cold ? `Init Duration: ${this.initMs!.toFixed(2)} ms\t` : '');
    const log = `START RequestId: ${id} Version: $LATEST\n${out}END RequestId: ${id}\n${report}\n`;
    const outcome: Outcome = { requestId: id, ok, payload, errorType, log, durationMs, initMs: cold ? this.initMs : undefined, timedOut, maxMemoryMb, waited: this.reportedWaited };
    this.reportedWaited = undefined;
    this.initLogged = true;
    this.active = undefined;
    if (this.state === 'busy') this.state = 'idle';
    a.resolve(outcome);
  }

  private timeout(seconds: number): void {
    const a = this.active;
    const id = a?.inv.requestId ?? '';
    const text = `Task timed out after ${seconds.toFixed(2)} seconds`;
    // The runtime client had no chance to say whether the handler waited: a process that used a tenth of
    // the time on the CPU was computing (a handler awaiting I/O uses next to none); unknown: computing.
    if (a?.delivered && this.reportedWaited === undefined) {
      const cpuMs = cpuTimeMs(this.proc?.pid);
      this.reportedWaited = cpuMs === undefined ? false : cpuMs < (seconds * 1000) / 10;
    }
    this.kill();
    this.finish(false, JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: ${text}` }), 'Sandbox.Timedout', `${new Date().toISOString()} ${id} ${text}\n`, true);
    this.onDead(this);
  }

  /**
   * The runtime wrote something on the channel that is not a frame of the protocol (handler code can
   * write to fd 3): the process is stopped and its invocation ends as AWS ends one whose runtime
   * crashed (Runtime.ExitError), with why in the log.
   */
  private broken(why: string): void {
    if (this.state === 'dead') return;
    this.output(`svl: the runtime wrote ${why} on its channel to the emulator (fd ${CHANNEL_FD}); the process was stopped\n`);
    this.exitInfo = 'Runtime exited with error: signal: killed';
    this.died();
  }

  private died(): void {
    const wasDead = this.state === 'dead';
    this.state = 'dead';
    const a = this.active;
    if (a && !a.done) {
      const id = a.inv.requestId;
      const reason = this.exitInfo ?? 'Runtime exited without providing a reason';
      const type = this.exitType;
      this.finish(false, JSON.stringify({ errorType: type, errorMessage: `RequestId: ${id} Error: ${reason}` }), type, `RequestId: ${id} Error: ${reason}\n${type}\n`);
    }
    if (!wasDead) {
      this.kill();
      this.onDead(this);
    }
  }

  /** Peak resident memory of the process (Linux /proc VmHWM), in MB. */
  private maxMemoryMb(): number {
    if (this.reportedRssKb !== undefined) return Math.ceil(this.reportedRssKb / 1024);
    try {
      const status = readFileSync(`/proc/${this.proc?.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.ceil(kb / 1024);
    } catch {
      return 0;
    }
  }
}

/**
 * Process groups of live handler processes. Stopped with their worker, and all at once if the emulator's
 * process exits any other way (an uncaught error, process.exit): handler processes and what they started
 * must not outlive it. (After kill -9 of the emulator, svl's Node runtime client sees its channel close and
 * stops its own group; other runtimes stop when their Runtime API stops answering.)
 */
const groups = new Set<number>();
let exitHook = false;

function trackGroup(pid: number): void {
  groups.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const g of groups) killGroup(g);
    });
  }
}

/** Kills a process group; false where there are no process groups (Windows: the caller kills the process). */
function killGroup(pid: number): boolean {
  groups.delete(pid);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (err) {
    // ESRCH: the group is gone already
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return true;
}

/** User + system CPU time a process has used, from /proc (Linux); undefined elsewhere. */
function cpuTimeMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line (11 and 12 after the command), in clock ticks (100 Hz on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function errorTypeOf(body: string): string | undefined {
  try {
    const t = (JSON.parse(body) as { errorType?: unknown }).errorType;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}
