/**
 * Inline functions: a handler that is a JavaScript function of the host process (svl/testing's
 * `functions: { resize: { handler } }`), run directly instead of in a Runtime API process, so a test's
 * breakpoints and coverage reach it. The outcome has the same shape as a process's (ok / error / timeout,
 * duration, a START/END/REPORT log with what the handler logged through `console` while it ran), so
 * Invoke, async retries, event source mappings and SNS deliveries treat it exactly like any function.
 *
 * Deliberately different from a process: no isolation (the handler shares the test's memory, modules and
 * environment variables), a timed-out handler is reported as timed out but cannot be killed (it keeps
 * running in the background; its late result is ignored), and `console` output is captured only for
 * calls made in the invocation's async context (AsyncLocalStorage).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import { realClearTimeout, realHrtimeNs, realNow, realSetImmediate, realSetTimeout } from '../../timers.js';
import type { LambdaFunction } from '../model.js';
import { MAX_RESPONSE_PAYLOAD } from '../constants.js';
import type { Invocation, Outcome } from './worker.js';

/** A handler as AWS's Node runtime calls it: async (event, context), or (event, context, callback). */
export type InlineHandler = (event: any, context: any, callback?: (err?: unknown, result?: unknown) => void) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

interface ErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** Like the Node runtime's: an Error's name, message and stack (duck-typed: a test runner's realm may differ). */
export function inlineErrorPayload(err: unknown): ErrorPayload {
  if (err && typeof err === 'object' && typeof (err as Error).message === 'string') {
    const e = err as Error;
    return { errorType: e.name || 'Error', errorMessage: e.message, trace: String(e.stack ?? '').split('\n').filter((l) => l !== '') };
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

const logs = new AsyncLocalStorage<string[]>();
let consolePatched = false;

/** Console calls made inside an invocation are copied into its log (and still printed as usual). */
function patchConsole(): void {
  if (consolePatched) return;
  consolePatched = true;
  const levels: Array<[keyof Console, string]> = [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG']];
  for (const [name, level] of levels) {
    const original = console[name] as (...args: unknown[]) => void;
    if (typeof original !== 'function') continue;
    (console as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      const out = logs.getStore();
      if (out) out.push(`${new Date(realNow()).toISOString()}\t${level}\t${format(...args)}\n`);
      return original.apply(this, args);
    };
  }
}

export interface InlineSpec {
  handler: InlineHandler;
  region: string;
}

export async function runInline(spec: InlineSpec, fn: LambdaFunction, inv: Invocation, cold: boolean): Promise<Outcome & { cold: boolean }> {
  patchConsole();
  const c = fn.config;
  const timeoutMs = c.Timeout * 1000;
  const started = realHrtimeNs();
  const deadline = realNow() + timeoutMs;
  let event: unknown;
  try {
    event = JSON.parse(inv.payload);
  } catch {
    event = inv.payload;
  }
  const output: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await new Promise<{ kind: 'response' | 'error' | 'timeout'; body: unknown }>((done) => {
    let finished = false;
    const settle = (kind: 'response' | 'error' | 'timeout', body: unknown) => {
      if (finished) return;
      finished = true;
      realClearTimeout(timer);
      done({ kind, body });
    };
    timer = realSetTimeout(() => settle('timeout', undefined), timeoutMs);
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: String(c.MemorySize),
      awsRequestId: inv.requestId,
      logGroupName: c.LogGroup ?? `/aws/lambda/${fn.name}`,
      logStreamName: `inline/[$LATEST]${inv.requestId}`,
      clientContext: inv.clientContext ? (JSON.parse(inv.clientContext) as unknown) : undefined,
      getRemainingTimeInMillis: () => Math.max(0, deadline - realNow()),
      succeed: (r: unknown) => settle('response', r),
      fail: (e: unknown) => settle('error', e),
      done: (e: unknown, r: unknown) => (e ? settle('error', e) : settle('response', r)),
    };
    const callback = (e: unknown, r: unknown) => (e !== undefined && e !== null ? settle('error', e) : settle('response', r));
    logs.run(output, () => {
      try {
        const r = spec.handler.length >= 3 ? spec.handler(event, context, callback) : spec.handler(event, context);
        if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then((v) => settle('response', v), (e: unknown) => settle('error', e));
        else if (spec.handler.length < 3) realSetImmediate(() => settle('response', r === undefined ? null : r));
      } catch (err) {
        settle('error', err);
      }
    });
  });
  const durationMs = Number(realHrtimeNs() - started) / 1e6;
  let ok = result.kind === 'response';
  let payload = 'null';
  let errorType: string | undefined;
  let extra = '';
  if (result.kind === 'response') {
    try {
      payload = JSON.stringify(result.body === undefined ? null : result.body) ?? 'null';
      // The 6 MB response limit, with the error the process runtime (worker.ts) gives.
      if (Buffer.byteLength(payload) > MAX_RESPONSE_PAYLOAD) {
        ok = false;
        errorType = 'Function.ResponseSizeTooLarge';
        payload = JSON.stringify({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD} bytes).`, errorType });
      }
    } catch (err) {
      ok = false;
      const p = inlineErrorPayload(err);
      payload = JSON.stringify(p);
      errorType = p.errorType;
    }
  } else if (result.kind === 'error') {
    const p = inlineErrorPayload(result.body);
    payload = JSON.stringify(p);
    errorType = p.errorType;
    extra = `${new Date(realNow()).toISOString()}\t${inv.requestId}\tERROR\tInvoke Error \t${payload}\n`;
  } else {
    const text = `Task timed out after ${c.Timeout.toFixed(2)} seconds`;
    errorType = 'Sandbox.Timedout';
    payload = JSON.stringify({ errorType, errorMessage: `RequestId: ${inv.requestId} Error: ${text}` });
    extra = `${new Date(realNow()).toISOString()} ${inv.requestId} ${text}\n`;
  }
  const id = inv.requestId;
  const report =
    `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\t` +
    `Memory Size: ${c.MemorySize} MB\tMax Memory Used: 0 MB\t` +
    (cold ? `Init Duration: 0.00 ms\t` : '');
  const log = `START RequestId: ${id} Version: $LATEST\n${output.join('')}${extra}END RequestId: ${id}\n${report}\n`;
  return { requestId: id, ok, payload, errorType, log, durationMs, initMs: cold ? 0 : undefined, timedOut: result.kind === 'timeout', maxMemoryMb: 0, cold };
}
