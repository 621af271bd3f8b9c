/**
 * svl's Lambda runtime client for `nodejs*` functions: this file is the process the emulator starts for
 * a Node function. Like AWS's runtime interface client it loads the handler named by `_HANDLER` from
 * `LAMBDA_TASK_ROOT` (CommonJS or ESM, `.js`/`.mjs`/`.cjs`), then loops on the Runtime API at
 * `AWS_LAMBDA_RUNTIME_API`: GET next -> call the handler -> POST response or error. It imports nothing
 * of svl, so handler code runs unmodified and isolated.
 *
 * Started by svl's emulator, it talks over the emulator's private channel instead (fd
 * `_SVL_RUNTIME_CHANNEL_FD`, see channel.ts: the same steps as length-prefixed frames, one write each, the
 * result and the request for the next event in one), which costs both processes far less per invocation
 * than HTTP on loopback; without that variable it uses the HTTP Runtime API like any runtime client.
 *
 * Handler styles: async (a returned promise) and callback (`(event, context, callback)`), plus the legacy
 * `context.succeed/fail/done`. Console output is written as AWS's Node runtime does:
 * `<ISO time>\t<request id>\t<LEVEL>\t<message>`.
 */
import http from 'node:http';
import { Socket } from 'node:net';
import { existsSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const api = process.env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001';
const [apiHost, apiPort] = [api.slice(0, api.lastIndexOf(':')), Number(api.slice(api.lastIndexOf(':') + 1))];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerSpec = process.env._HANDLER ?? '';
const PREFIX = '/2018-06-01/runtime';
/** AWS's limit on a synchronous response (constants.ts MAX_RESPONSE_PAYLOAD; this file imports nothing of svl). */
const MAX_RESPONSE_PAYLOAD = 6_291_556;

let currentRequestId: string | undefined;
/** Whether the last invocation's handler let the event loop turn (awaited I/O or a timer) before it settled. */
let handlerWaited = true;

/** What the Runtime API's `next` answers: the event and its `lambda-runtime-*` headers. */
interface Next {
  headers: Record<string, string | undefined>;
  body: string;
}

/**
 * The runtime's three calls, over HTTP or over the private channel. `result` posts a response or an error
 * and, when `andNext`, asks for the next event in the same write (the channel) or right after (HTTP).
 */
interface Transport {
  next(): Promise<Next>;
  result(kind: 'response' | 'error', id: string, body: string, errorType?: string, andNext?: boolean): Promise<Next | undefined>;
  initError(body: string, errorType: string): Promise<void>;
}

const httpTransport: Transport = {
  async next() {
    const r = await request('GET', '/invocation/next');
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(r.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
    return { headers, body: r.body };
  },
  async result(kind, id, body, errorType, andNext) {
    await request('POST', `/invocation/${id}/${kind}`, body, errorType ? { 'Lambda-Runtime-Function-Error-Type': errorType } : {});
    return andNext ? httpTransport.next() : undefined;
  },
  async initError(body, errorType) {
    await request('POST', '/init/error', body, { 'Lambda-Runtime-Function-Error-Type': errorType });
  },
};

/** The private channel (fd from the emulator): frames of u32 header length, u32 body length, JSON header, body. */
function channelTransport(fd: number): Transport {
  const socket = new Socket({ fd, readable: true, writable: true });
  let waiting: ((n: Next) => void) | undefined;
  let buf: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 8) {
      const hl = buf.readUInt32BE(0);
      const bl = buf.readUInt32BE(4);
      if (buf.length < 8 + hl + bl) break;
      const head = JSON.parse(buf.toString('utf8', 8, 8 + hl)) as Record<string, unknown>;
      const body = buf.toString('utf8', 8 + hl, 8 + hl + bl);
      buf = buf.subarray(8 + hl + bl);
      const w = waiting;
      waiting = undefined;
      w?.({
        headers: {
          'lambda-runtime-aws-request-id': head.id as string,
          'lambda-runtime-deadline-ms': String(head.deadline),
          'lambda-runtime-invoked-function-arn': head.arn as string,
          'lambda-runtime-trace-id': head.trace as string,
          'lambda-runtime-client-context': head.clientContext as string | undefined,
        },
        body,
      });
    }
  });
  // The emulator went away: so does this process with what it started (its process group), as when its
  // Runtime API stops answering.
  const gone = () => {
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      // not a group leader (started by something else than the emulator)
    }
    process.exit(1);
  };
  socket.on('close', gone);
  socket.on('error', gone);
  // Written synchronously, whole, before send returns: a handler that exits right after returning
  // (`setTimeout(() => process.exit(0))`) must not lose its result in a socket's write queue. The fd is
  // non-blocking (the socket reading it made it so): a full pipe answers EAGAIN until the emulator reads.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const send = async (head: Record<string, unknown>, body = '') => {
    const h = Buffer.from(JSON.stringify(head), 'utf8');
    const b = Buffer.from(body, 'utf8');
    const out: Buffer = Buffer.allocUnsafe(8 + h.length + b.length);
    out.writeUInt32BE(h.length, 0);
    out.writeUInt32BE(b.length, 4);
    h.copy(out, 8);
    b.copy(out, 8 + h.length);
    for (let off = 0; off < out.length; ) {
      try {
        off += writeSync(fd, out, off, out.length - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') process.exit(1); // the emulator went away
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  };
  const nextEvent = () => new Promise<Next>((r) => (waiting = r));
  return {
    async next() {
      const n = nextEvent();
      await send({ t: 'next' });
      return n;
    },
    async result(kind, id, body, errorType, andNext) {
      const n = andNext ? nextEvent() : undefined;
      // Over AWS's limit the result is not sent, only its size (the emulator refuses frames much larger).
      const size = Buffer.byteLength(body, 'utf8');
      const tooLarge = kind === 'response' && size > MAX_RESPONSE_PAYLOAD;
      await send({ t: kind, id, ...(errorType && { errorType }), ...(andNext && { next: true }), ...(tooLarge && { tooLarge: size }), maxRssKb: process.resourceUsage().maxRSS, waited: handlerWaited }, tooLarge ? '' : body);
      return n;
    },
    async initError(body, errorType) {
      await send({ t: 'init-error', errorType }, body);
    },
  };
}

const channelFd = process.env._SVL_RUNTIME_CHANNEL_FD;
delete process.env._SVL_RUNTIME_CHANNEL_FD;
const transport = channelFd ? channelTransport(Number(channelFd)) : httpTransport;

function request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request({ host: apiHost, port: apiPort, method, path: PREFIX + path, agent, headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// ---- console, as AWS formats it ----
function patchConsole(): void {
  const write = (level: string) => (...args: unknown[]) => {
    const line = `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${format(...args)}\n`;
    process.stdout.write(line);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

// ---- errors, as AWS serialises them ----
interface ErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

function toErrorPayload(err: unknown, fallbackType = 'Error'): ErrorPayload {
  if (err instanceof Error) {
    return { errorType: err.name || fallbackType, errorMessage: err.message, trace: String(err.stack ?? '').split('\n').filter((l) => l !== '') };
  }
  if (typeof err === 'string') return { errorType: 'string', errorMessage: err, trace: [] };
  let message: string;
  try {
    message = JSON.stringify(err) ?? String(err);
  } catch {
    message = String(err);
  }
  return { errorType: typeof err, errorMessage: message, trace: [] };
}

class HandlerLoadError extends Error {
  constructor(name: string, message: string, readonly original?: unknown) {
    super(message);
    this.name = name;
  }
}

// ---- handler loading (AWS's rules: file then dotted export path) ----
async function loadHandler(): Promise<(...args: unknown[]) => unknown> {
  const m = /^((?:.*\/)?[^./]+)\.(.+)$/.exec(handlerSpec);
  if (!m) throw new HandlerLoadError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, modulePath, exportPath] = m as unknown as [string, string, string];
  const base = resolve(taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) {
    throw new HandlerLoadError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'\nRequire stack:\n- ${join(taskRoot, '..', 'runtime', 'index.mjs')}`);
  }
  let mod: Record<string, unknown>;
  try {
    if (file.endsWith('.mjs') || (file.endsWith('.js') && packageType(dirname(file)) === 'module')) {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } else {
      const req = createRequire(file);
      try {
        mod = req(file) as Record<string, unknown>;
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw err;
        mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      }
    }
  } catch (err) {
    if (err instanceof SyntaxError) throw new HandlerLoadError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`, err);
    const e = err as Error;
    throw new HandlerLoadError(e?.name === 'Error' || !e?.name ? 'Runtime.ImportModuleError' : e.name, `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, err);
  }
  let fn: unknown = mod;
  for (const part of exportPath.split('.')) fn = fn == null ? undefined : (fn as Record<string, unknown>)[part];
  if (typeof fn !== 'function') throw new HandlerLoadError('Runtime.HandlerNotFound', `${modulePath}.${exportPath} is undefined or not exported`);
  return fn as (...args: unknown[]) => unknown;
}

function packageType(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      try {
        return (JSON.parse(readFileSync(p, 'utf8')) as { type?: string }).type;
      } catch {
        return undefined;
      }
    }
    if (d === dirname(d) || !d.startsWith(resolve(taskRoot))) return undefined;
  }
}

// ---- the invoke loop ----
async function run(): Promise<void> {
  patchConsole();
  let handler: (...args: unknown[]) => unknown;
  try {
    handler = await loadHandler();
  } catch (err) {
    const payload = toErrorPayload(err);
    console.error(`${payload.errorType}: ${payload.errorMessage}`);
    await transport.initError(JSON.stringify(payload), payload.errorType);
    process.exit(1);
  }

  let settle: ((kind: 'response' | 'error', body: unknown) => void) | undefined;
  // Errors that escape the handler end the invocation and the process, as on AWS.
  const fatal = (type: string) => (err: unknown) => {
    const payload = toErrorPayload(err);
    payload.errorType = type === 'Runtime.UnhandledPromiseRejection' ? type : payload.errorType;
    console.error(`${type} \t${JSON.stringify(payload)}`);
    const id = currentRequestId;
    if (!id) process.exit(129);
    transport
      .result('error', id, JSON.stringify(payload), payload.errorType)
      .catch(() => {})
      .finally(() => process.exit(129));
  };
  process.on('uncaughtException', fatal('Runtime.UncaughtException'));
  process.on('unhandledRejection', fatal('Runtime.UnhandledPromiseRejection'));

  let next = await transport.next();
  for (;;) {
    const id = String(next.headers['lambda-runtime-aws-request-id'] ?? '');
    const deadline = Number(next.headers['lambda-runtime-deadline-ms'] ?? 0);
    currentRequestId = id;
    process.env._X_AMZN_TRACE_ID = String(next.headers['lambda-runtime-trace-id'] ?? '');
    let event: unknown;
    try {
      event = JSON.parse(next.body);
    } catch {
      event = next.body;
    }
    const clientContextHeader = next.headers['lambda-runtime-client-context'];
    const identityHeader = next.headers['lambda-runtime-cognito-identity'];
    const outcome = await new Promise<{ kind: 'response' | 'error'; body: unknown }>((done) => {
      let finished = false;
      // Runs only if the handler lets the event loop turn before it settles: it waits on something.
      handlerWaited = false;
      const probe = setImmediate(() => (handlerWaited = true));
      settle = (kind, body) => {
        if (finished) return;
        finished = true;
        clearImmediate(probe);
        done({ kind, body });
      };
      const context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        invokedFunctionArn: String(next.headers['lambda-runtime-invoked-function-arn'] ?? ''),
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        awsRequestId: id,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
        identity: typeof identityHeader === 'string' && identityHeader ? (JSON.parse(identityHeader) as unknown) : undefined,
        clientContext: typeof clientContextHeader === 'string' && clientContextHeader ? (JSON.parse(clientContextHeader) as unknown) : undefined,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        succeed: (result: unknown) => settle!('response', result),
        fail: (err: unknown) => settle!('error', err),
        done: (err: unknown, result: unknown) => (err ? settle!('error', err) : settle!('response', result)),
      };
      const callback = (err: unknown, result: unknown) => (err !== undefined && err !== null ? settle!('error', err) : settle!('response', result));
      try {
        const r = handler.length >= 3 ? handler(event, context, callback) : handler(event, context);
        if (r && typeof (r as Promise<unknown>).then === 'function') {
          (r as Promise<unknown>).then((v) => settle!('response', v), (e: unknown) => settle!('error', e));
        } else if (handler.length < 3) {
          // A non-async handler that neither returns a promise nor takes a callback: AWS answers null
          // (once the event loop is empty; svl does not wait for that).
          setImmediate(() => settle!('response', null));
        }
      } catch (err) {
        settle!('error', err);
      }
    });
    if (outcome.kind === 'response') {
      let body: string;
      try {
        body = JSON.stringify(outcome.body === undefined ? null : outcome.body);
      } catch (err) {
        const payload = toErrorPayload(err);
        currentRequestId = undefined;
        next = (await transport.result('error', id, JSON.stringify(payload), payload.errorType, true))!;
        continue;
      }
      currentRequestId = undefined;
      next = (await transport.result('response', id, body, undefined, true))!;
    } else {
      const payload = toErrorPayload(outcome.body);
      console.error(`Invoke Error \t${JSON.stringify(payload)}`);
      currentRequestId = undefined;
      next = (await transport.result('error', id, JSON.stringify(payload), payload.errorType, true))!;
    }
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`svl runtime client: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
