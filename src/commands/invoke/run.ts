/** The work of `svl invoke`: validate flags, invoke, decode payload and log tail; --async --wait follows the outcome. */
import { readFileSync } from 'node:fs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { getLambda } from '../../aws/clients.js';
import { mapAwsError } from '../../aws/errors.js';
import type { Target } from '../../aws/target.js';
import { SvlError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { readValue } from '../input.js';
import type { InvokeFlags } from './index.js';
import { followInvocation, planWait, type Outcome } from './wait.js';
import { lambdaSdk } from '../../aws/sdk.js';

export interface InvokeOptions {
  function: string;
  payload: string;
  mode: 'sync' | 'async' | 'dry-run';
  wait: boolean;
  waitTimeoutMs: number;
  qualifier?: string;
  logs: boolean;
}

export interface InvokeResult {
  function: string;
  mode: InvokeOptions['mode'];
  statusCode: number;
  requestId: string | null;
  durationMs: number;
  executedVersion: string | null;
  functionError: string | null;
  /** The response payload: parsed JSON, or the text when it is not JSON. */
  payload?: unknown;
  /** The decoded log tail (sync invocations). */
  log?: string;
  /** --async --wait: where the outcome arrived. */
  outcome?: Outcome;
}

const FN = /^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$/;

export function parseInvoke(fn: string, f: InvokeFlags, stdin: { isTTY?: boolean }): InvokeOptions {
  const problems: string[] = [];
  if (!FN.test(fn) || fn.length > 170) problems.push(`<function> "${fn}" is not a function name or ARN`);
  if (f.async && f.dryRun) problems.push('--async and --dry-run exclude each other');
  if (f.wait && !f.async) problems.push('--wait only applies to --async');
  if (f.waitTimeout !== undefined && !f.wait) problems.push('--wait-timeout only applies to --wait');
  const timeout = f.waitTimeout === undefined ? 60 : Number(f.waitTimeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 3600) problems.push(`--wait-timeout must be a number of seconds from 1 to 3600 (got "${f.waitTimeout}")`);
  if (f.qualifier !== undefined && !/^(|[a-zA-Z0-9$_-]{1,128})$/.test(f.qualifier)) problems.push(`--qualifier "${f.qualifier}" is not a version or alias name`);
  if (problems.length) throw new UsageError(problems.join('; '), { hint: 'see the options with `svl invoke --help`' });
  let payload: string;
  if (f.payload !== undefined) payload = readValue(f.payload, '--payload');
  else payload = stdin.isTTY ? '' : readFileSync(0, 'utf8');
  if (payload.trim() === '') payload = '{}';
  try {
    JSON.parse(payload);
  } catch (err) {
    throw new UsageError(`The payload is not valid JSON: ${(err as Error).message}`, { hint: `Lambda events are JSON, e.g. --payload '{"key":"value"}' or --payload '"a string"'` });
  }
  return { function: fn, payload, mode: f.async ? 'async' : f.dryRun ? 'dry-run' : 'sync', wait: Boolean(f.wait), waitTimeoutMs: timeout * 1000, qualifier: f.qualifier, logs: Boolean(f.logs) };
}

export async function runInvoke(o: InvokeOptions, target: Target, ui: Pick<Ui, 'info' | 'spinner'>, signal?: AbortSignal): Promise<InvokeResult> {
  const lambda: LambdaClient = await getLambda(target, ui);
  const { InvokeCommand } = lambdaSdk();
  const fail = (err: unknown, operation: string) => mapAwsError(err, { target, service: 'lambda', operation, resource: `function "${o.function}"` });
  const plan = o.wait ? await planWait(target, lambda, o.function, signal).catch((err: unknown) => { throw err instanceof SvlError ? err : fail(err, 'GetFunctionConfiguration'); }) : undefined;
  const startMs = Date.now();
  const started = performance.now();
  let out;
  try {
    out = await lambda.send(
      new InvokeCommand({
        FunctionName: o.function,
        Qualifier: o.qualifier,
        InvocationType: o.mode === 'async' ? 'Event' : o.mode === 'dry-run' ? 'DryRun' : 'RequestResponse',
        LogType: o.mode === 'sync' ? 'Tail' : undefined,
        Payload: Buffer.from(o.payload, 'utf8'),
      }),
      { abortSignal: signal },
    );
  } catch (err) {
    throw fail(err, 'Invoke');
  }
  const elapsed = performance.now() - started;
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  const log = out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : undefined;
  const reported = log ? /\tDuration: ([\d.]+) ms/.exec(log)?.[1] : undefined;
  const result: InvokeResult = {
    function: o.function,
    mode: o.mode,
    statusCode: out.StatusCode ?? 0,
    requestId: out.$metadata.requestId ?? null,
    durationMs: Math.round((reported ? Number(reported) : elapsed) * 100) / 100,
    executedVersion: out.ExecutedVersion ?? null,
    functionError: out.FunctionError ?? null,
  };
  if (o.mode === 'sync') {
    result.payload = parsePayload(text);
    if (log !== undefined) result.log = log;
    // The payload exactly as the function returned it, for stdout (not part of --json).
    Object.defineProperty(result, 'raw', { value: text, enumerable: false });
  }
  if (o.mode === 'async' && plan && result.requestId) {
    const on = plan.kind === 'emulator' ? 'the emulator' : plan.kind === 'logs' ? `log group ${plan.logGroup}` : plan.targets.map((t) => t.arn).join(', ');
    ui.info(`Waiting for the outcome of ${result.requestId} on ${on} (up to ${o.waitTimeoutMs / 1000} s, Ctrl-C stops waiting) …`);
    result.outcome = await followInvocation({ target, function: o.function, requestId: result.requestId, plan, timeoutMs: o.waitTimeoutMs, startMs, partial: { ...result } }, ui, signal);
  }
  return result;
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function renderInvoke(r: InvokeResult, ui: Pick<Ui, 'info' | 'success' | 'warn' | 'hint' | 'errStyle'>, showLogs = false): string {
  const id = r.requestId ? ` (request ${r.requestId})` : '';
  if (r.mode === 'dry-run') {
    ui.success(`${r.function}: dry run OK, ${r.statusCode}${id}`);
    return '';
  }
  if (r.mode === 'async') {
    ui.success(`${r.function}: queued, ${r.statusCode}${id}`);
    if (r.outcome) {
      const o = r.outcome;
      const via = o.via === 'emulator' ? '' : `, via ${o.via} ${o.destination ?? ''}`.trimEnd();
      (o.condition === 'Success' ? ui.success : ui.warn)(`outcome: ${o.condition} after ${o.attempts ?? '?'} attempt(s)${via}`);
      if (o.lastError && o.condition !== 'Success') ui.info(ui.errStyle.red(`${o.lastError.type}: ${o.lastError.message}`));
      if (o.log && (o.condition !== 'Success' || showLogs)) ui.info(o.log.trimEnd());
      return o.record === null || o.record === undefined ? (r.requestId ?? '') : JSON.stringify(o.record, null, 2);
    }
    ui.hint(`Follow it with: svl logs ${r.function} --follow`);
    return r.requestId ?? '';
  }
  const status = `${r.statusCode}${r.functionError ? ` ${r.functionError}` : ''}`;
  const line = `${r.function}: ${status} in ${r.durationMs} ms${r.executedVersion ? ` (${r.executedVersion})` : ''}${id}`;
  if (r.functionError) {
    const e = (r.payload && typeof r.payload === 'object' ? r.payload : {}) as { errorType?: string; errorMessage?: string; trace?: string[]; stackTrace?: string[] };
    ui.warn(line);
    ui.info(ui.errStyle.red(`${e.errorType ?? 'Error'}: ${e.errorMessage ?? ''}`));
    for (const t of e.trace ?? e.stackTrace ?? []) ui.info(ui.errStyle.dim(`  ${String(t).trimEnd()}`));
  } else ui.success(line);
  if (r.log && (r.functionError || showLogs)) ui.info(r.log.trimEnd());
  return (r as unknown as { raw?: string }).raw ?? '';
}

/** The error that makes the exit code 1: a function error, or an async outcome that is not Success. */
export function invokeFailure(r: InvokeResult): SvlError | undefined {
  if (r.functionError) {
    const e = (r.payload && typeof r.payload === 'object' ? r.payload : {}) as { errorType?: string; errorMessage?: string };
    return new SvlError(`Function ${r.function} failed: ${e.errorType ?? r.functionError}: ${e.errorMessage ?? ''}`.trimEnd(), 1, {
      code: e.errorType ?? r.functionError,
      requestId: r.requestId ?? undefined,
      hint: `The full log: svl logs ${r.function}`,
    });
  }
  if (r.outcome && r.outcome.condition !== 'Success') {
    const e = r.outcome.lastError;
    return new SvlError(`Async invocation ${r.requestId} of ${r.function} ended with ${r.outcome.condition}${e ? ` (${e.type}: ${e.message})` : ''}`, 1, {
      code: r.outcome.condition,
      requestId: r.requestId ?? undefined,
      hint: `The full log: svl logs ${r.function}`,
    });
  }
  return undefined;
}
