/**
 * `svl invoke --async --wait` on AWS for a function without SQS destinations or DLQ: follows the
 * request id in the function's CloudWatch log group (FilterLogEvents on `"<requestId>"`). Every attempt
 * of an async event logs `START RequestId: <id>` … `REPORT RequestId: <id>` with the same id; an attempt
 * failed when its lines carry an error (`Invoke Error`, `[ERROR]`, `Task timed out`, `Status: error`).
 * The outcome is Success at the first clean REPORT, RetriesExhausted once MaximumRetryAttempts + 1
 * attempts failed. What it cannot see: events dropped for age before running, throttles (no log line).
 */
import { mapAwsError } from '../../aws/errors.js';
import { sleep } from '../../aws/pool.js';
import type { Target } from '../../aws/target.js';
import type { Outcome, WaitProgress } from './wait.js';
import { logsSdk } from '../../aws/sdk.js';

const POLL_MS = 2000;
const ERROR_LINE = /\tERROR\t|\[ERROR\]|Task timed out|Status: (error|timeout)|Runtime\.\w+Error|"errorType"/;

export interface LogAttempts {
  attempts: number;
  /** True once an attempt finished (REPORT) without an error line. */
  succeeded: boolean;
  failedAttempts: number;
  lastError: { type: string; message: string } | null;
}

/** Reads one request's log lines (oldest first) into attempts. Pure. */
export function readAttempts(lines: readonly string[], requestId: string): LogAttempts {
  const out: LogAttempts = { attempts: 0, succeeded: false, failedAttempts: 0, lastError: null };
  let failed = false;
  for (const line of lines) {
    if (!line.includes(requestId)) continue;
    if (line.startsWith(`START RequestId: ${requestId}`)) {
      out.attempts++;
      failed = false;
    } else if (line.startsWith(`REPORT RequestId: ${requestId}`)) {
      if (/Status: (error|timeout)/.test(line)) failed = true;
      if (failed) out.failedAttempts++;
      else out.succeeded = true;
    } else if (ERROR_LINE.test(line)) {
      failed = true;
      out.lastError = errorOf(line);
    }
  }
  return out;
}

function errorOf(line: string): { type: string; message: string } {
  const text = line.replace(/^\S+\t[0-9a-f-]{36}\t(ERROR\t)?/, '').trim();
  try {
    const j = JSON.parse(text.slice(text.indexOf('{'))) as { errorType?: string; errorMessage?: string };
    if (j.errorType || j.errorMessage) return { type: j.errorType ?? 'Error', message: j.errorMessage ?? '' };
  } catch {
    /* not the JSON error object */
  }
  if (/Task timed out/.test(text)) return { type: 'Sandbox.Timedout', message: text };
  return { type: 'Error', message: text };
}

export interface LogFollowInput {
  target: Target;
  function: string;
  /** Log group: LoggingConfig.LogGroup, else /aws/lambda/<name>. */
  logGroup: string;
  requestId: string;
  maxRetries: number;
  startMs: number;
}

export async function followInLogs(i: LogFollowInput, deadline: number, progress: WaitProgress, signal?: AbortSignal): Promise<Outcome | undefined> {
  const { FilterLogEventsCommand } = logsSdk();
  const { newCloudWatchLogs } = await import('../../aws/clients.js');
  const logs = await newCloudWatchLogs(i.target);
  const events: Array<{ at: number; message: string }> = [];
  const seen = new Set<string>();
  // Each poll asks only from the newest event seen (as `svl logs --follow` does); `seen` drops repeats.
  let start = i.startMs - 60_000;
  while (Date.now() < deadline && !signal?.aborted) {
    let token: string | undefined;
    let last = start;
    do {
      let page;
      try {
        page = await logs.send(new FilterLogEventsCommand({ logGroupName: i.logGroup, startTime: start, filterPattern: `"${i.requestId}"`, nextToken: token }), { abortSignal: signal });
      } catch (err) {
        if (signal?.aborted) return undefined;
        if ((err as { name?: string }).name === 'ResourceNotFoundException') break; // the group appears with the first log line
        throw mapAwsError(err, { target: i.target, service: 'lambda', operation: 'FilterLogEvents', resource: `log group ${i.logGroup}` });
      }
      for (const ev of page.events ?? []) {
        if (ev.eventId && seen.has(ev.eventId)) continue;
        if (ev.eventId) seen.add(ev.eventId);
        last = Math.max(last, ev.timestamp ?? last);
        events.push({ at: ev.timestamp ?? 0, message: ev.message ?? '' });
      }
      token = page.nextToken;
    } while (token && !signal?.aborted);
    start = last;
    const lines = events.sort((x, y) => x.at - y.at).map((e) => e.message);
    const a = readAttempts(lines, i.requestId);
    progress.state = a.attempts === 0 ? 'queued' : a.attempts > a.failedAttempts ? 'running' : 'retrying';
    progress.attempts = a.attempts;
    progress.lastError = a.lastError;
    const log = lines.join('').slice(-4096);
    if (a.succeeded) return { condition: 'Success', via: 'logs', destination: i.logGroup, attempts: a.attempts, record: null, lastError: null, log };
    if (a.failedAttempts > i.maxRetries) return { condition: 'RetriesExhausted', via: 'logs', destination: i.logGroup, attempts: a.attempts, record: null, lastError: a.lastError, log };
    await sleep(POLL_MS, signal).catch(() => undefined);
  }
  return undefined;
}
