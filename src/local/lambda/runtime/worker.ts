/**
 * One handler process and the Lambda Runtime API it talks to. Each process gets its own loopback HTTP
 * server (its `AWS_LAMBDA_RUNTIME_API`), serving exactly AWS's endpoints:
 *
 *   GET  /2018-06-01/runtime/invocation/next             -> the next event (held until there is one)
 *   POST /2018-06-01/runtime/invocation/{id}/response    -> the result
 *   POST /2018-06-01/runtime/invocation/{id}/error       -> a function error
 *   POST /2018-06-01/runtime/init/error                  -> the handler could not be loaded
 *
 * A worker runs one invocation at a time. The invocation timeout and the 10 s init limit are real-time
 * timers: handler processes run in real time whatever the emulator's Clock says (a fake clock in tests
 * must not stop a runaway handler from being killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { INIT_TIMEOUT_MS, MAX_RESPONSE_PAYLOAD } from '../constants.js';
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
  private held?: ServerResponse;
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
      env: { ...spec.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    w.proc = proc;
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
      // Output still in the pipes belongs to this invocation: let it arrive first.
      realSetImmediate(() => realSetImmediate(() => w.died()));
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
        const res = this.held;
        this.held = undefined;
        this.deliver(res);
      }
    });
  }

  kill(): void {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    this.state = 'dead';
    realClearTimeout(this.initTimer);
    this.held?.destroy();
    this.held = undefined;
    this.server.close();
    this.server.closeAllConnections?.();
  }

  private output(d: string): void {
    (this.active && !this.active.done ? this.active.output : this.pendingOutput).push(d);
  }

  private deliver(res: ServerResponse): void {
    const a = this.active!;
    a.delivered = true;
    a.startNs = realHrtimeNs();
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
    a.timer = realSetTimeout(() => this.timeout(this.spec.timeoutSec), this.spec.timeoutSec * 1000);
    a.timer.unref();
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
      if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
        if (!this.initReported) {
          this.initReported = true;
          realClearTimeout(this.initTimer);
          this.initMs = Number(realHrtimeNs() - this.spawnNs) / 1e6;
        }
        if (this.state === 'starting') this.state = 'idle';
        if (this.active && !this.active.delivered && !this.active.done) this.deliver(res);
        else this.held = res;
        return;
      }
      if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
        reply(202, { status: 'OK' });
        this.initReported = true;
        realClearTimeout(this.initTimer);
        if (this.active && !this.active.done) {
          const type = String(req.headers['lambda-runtime-function-error-type'] ?? errorTypeOf(body) ?? 'Runtime.Unknown');
          this.finish(false, body || JSON.stringify({ errorType: type, errorMessage: 'init error' }), type);
        }
        this.state = 'dead';
        this.kill();
        this.onDead(this);
        return;
      }
      const m = RESULT_PATH.exec(path);
      if (req.method === 'POST' && m) {
        const id = decodeURIComponent(m[1]!);
        const a = this.active;
        if (!a || a.done || !a.delivered || a.inv.requestId !== id) {
          return reply(400, { errorMessage: `Invalid request ID: ${id}`, errorType: 'InvalidRequestID' });
        }
        if (m[2] === 'response') {
          if (size > MAX_RESPONSE_PAYLOAD) {
            reply(413, { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD} bytes).`, errorType: 'RequestEntityTooLarge' });
            return this.finishSoon(false, JSON.stringify({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD} bytes).`, errorType: 'Function.ResponseSizeTooLarge' }), 'Function.ResponseSizeTooLarge');
          }
          reply(202, { status: 'OK' });
          return this.finishSoon(true, body);
        }
        reply(202, { status: 'OK' });
        const type = String(req.headers['lambda-runtime-function-error-type'] ?? errorTypeOf(body) ?? 'Unhandled');
        return this.finishSoon(false, body || JSON.stringify({ errorType: type, errorMessage: '' }), type);
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
    const outcome: Outcome = { requestId: id, ok, payload, errorType, log, durationMs, initMs: cold ? this.initMs : undefined, timedOut, maxMemoryMb };
    this.initLogged = true;
    this.active = undefined;
    if (this.state === 'busy') this.state = 'idle';
    a.resolve(outcome);
  }

  private timeout(seconds: number): void {
    const a = this.active;
    const id = a?.inv.requestId ?? '';
    const text = `Task timed out after ${seconds.toFixed(2)} seconds`;
    this.kill();
    this.finish(false, JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: ${text}` }), 'Sandbox.Timedout', `${new Date().toISOString()} ${id} ${text}\n`, true);
    this.onDead(this);
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
    try {
      const status = readFileSync(`/proc/${this.proc?.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.ceil(kb / 1024);
    } catch {
      return 0;
    }
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
