/**
 * Invoke: RequestResponse (200 + the result, or the error object with FunctionError "Unhandled"),
 * Event (202, queued durably for the async invoker), DryRun (204 after every check). LogType=Tail
 * returns the last 4 KB of the invocation log, START to REPORT, base64 (aws-wire.md §5.2).
 */
import * as E from './errors.js';
import type { LambdaHandler, LambdaService } from './service.js';
import type { Input, LambdaFunction, Output } from './model.js';
import { MAX_ASYNC_PAYLOAD, MAX_CLIENT_CONTEXT_BYTES, MAX_SYNC_PAYLOAD } from './constants.js';
import { logTailBytes } from './logs.js';

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'];

export function invokeOperations(svc: LambdaService): Record<string, LambdaHandler> {
  return {
    async Invoke(input, ctx) {
      const type = input.InvocationType ?? 'RequestResponse';
      if (typeof type !== 'string' || !INVOCATION_TYPES.includes(type)) throw E.constraint(type, 'invocationType', `Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`);
      const logType = input.LogType ?? 'None';
      if (logType !== 'None' && logType !== 'Tail') throw E.constraint(logType, 'logType', 'Member must satisfy enum value set: [None, Tail]');
      const fn = svc.requireFunction(input.FunctionName, input.Qualifier);
      const payload = checkPayload(input.Payload, type);
      const clientContext = decodeClientContext(input.ClientContext);
      svc.checkInvokable(fn);
      if (type === 'DryRun') return { StatusCode: 204 };
      if (type === 'Event') {
        svc.async.enqueue(fn, payload, ctx.requestId);
        return { StatusCode: 202 };
      }
      return invokeSync(svc, fn, payload, { requestId: ctx.requestId, clientContext, tail: logType === 'Tail' });
    },
  };
}

/** The payload as the handler will see it: valid JSON within the limit of the invocation type. */
function checkPayload(raw: unknown, type: string): string {
  const payload = raw === undefined || raw === null ? '' : String(raw);
  const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
  const size = Buffer.byteLength(payload, 'utf8');
  if (size > limit) throw E.requestTooLarge(`Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
  if (payload.trim() === '') return '{}';
  try {
    JSON.parse(payload);
  } catch (err) {
    throw E.invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`);
  }
  return payload;
}

function decodeClientContext(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const text = String(raw);
  if (text.length > MAX_CLIENT_CONTEXT_BYTES) throw E.invalidRequestContent(`Client context must be at most ${MAX_CLIENT_CONTEXT_BYTES} bytes.`);
  try {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('not base64');
    const json = Buffer.from(text, 'base64').toString('utf8');
    const v = JSON.parse(json) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return json;
  } catch {
    throw E.invalidRequestContent('Client context must be a valid Base64-encoded JSON object.');
  }
}

async function invokeSync(svc: LambdaService, fn: LambdaFunction, payload: string, opts: { requestId: string; clientContext?: string; tail: boolean }): Promise<Output> {
  const out = await svc.invokeNow(fn, payload, { requestId: opts.requestId, clientContext: opts.clientContext, kind: 'sync' });
  const result: Output = { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: out.payload };
  if (!out.ok) result.FunctionError = 'Unhandled';
  if (opts.tail) {
    // The caller is shown the log: it is committed first, as anything an answer acknowledges.
    svc.logs.flush();
    result.LogResult = logTail(out.log);
  }
  return result;
}

/** Base64 of the last 4 KB of a log. */
function logTail(log: string): string {
  return logTailBytes(log).toString('base64');
}

export type { Input };
