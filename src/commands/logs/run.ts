/**
 * The work of `svl logs`. On the emulator, the invocation logs it keeps (`/_svl/lambda/logs`, one record
 * per invocation, START to REPORT); on AWS, FilterLogEvents on `/aws/lambda/<function>` with
 * `@aws-sdk/client-cloudwatch-logs`, which only this command loads. --follow polls for what is new.
 */
import { mapAwsError } from '../../aws/errors.js';
import { ensureLocalEmulator } from '../../aws/local-autostart.js';
import { sleep } from '../../aws/pool.js';
import type { Target } from '../../aws/target.js';
import { SvlError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { durationMs } from '../flags.js';
import { logsSdk } from '../../aws/sdk.js';

export interface LogsOptions {
  function: string;
  follow: boolean;
  /** Start: an age in ms before now, or an absolute epoch ms. */
  since: { agoMs: number } | { atMs: number };
}

export interface LogEvent {
  function: string;
  timestamp: string;
  requestId: string | null;
  /** Emulator: ok | error | timeout; AWS: null. */
  outcome: string | null;
  durationMs: number | null;
  message: string;
}

export function parseLogs(fn: string, f: { follow?: boolean; since?: string }): LogsOptions {
  if (!/^[a-zA-Z0-9-_]{1,64}$/.test(fn)) throw new UsageError(`<function> "${fn}" must be a function name (1-64 letters, digits, - and _)`, { hint: 'e.g. svl logs resize' });
  const raw = f.since ?? '10m';
  const ago = /[smhd]$/.test(raw) ? durationMs(raw) : undefined;
  let since: LogsOptions['since'];
  if (ago !== undefined) since = { agoMs: ago };
  else {
    const t = Date.parse(raw);
    if (!/^\d{4}-\d\d-\d\d/.test(raw) || Number.isNaN(t)) throw new UsageError(`--since must be an age like 30s, 10m, 2h, 1d or an ISO time (got "${raw}")`, { hint: 'e.g. --since 10m or --since 2026-01-02T03:04:05Z' });
    since = { atMs: t };
  }
  return { function: fn, follow: Boolean(f.follow), since };
}

export function renderLogEvent(e: LogEvent): string {
  return e.message.endsWith('\n') ? e.message.slice(0, -1) : e.message;
}

/** Prints the log events; returns how many (a caller seeing the signal aborted reports the cancel). */
export async function runLogs(o: LogsOptions, target: Target, ui: Pick<Ui, 'info' | 'spinner' | 'hint'>, emit: (e: LogEvent) => void, signal?: AbortSignal): Promise<number> {
  if (target.kind === 'local') return emulatorLogs(o, target, ui, emit, signal);
  return cloudWatchLogs(o, target, ui, emit, signal);
}

async function emulatorLogs(o: LogsOptions, target: Target, ui: Pick<Ui, 'info' | 'spinner' | 'hint'>, emit: (e: LogEvent) => void, signal?: AbortSignal): Promise<number> {
  const endpoint = target.endpoints.lambda!;
  await ensureLocalEmulator(endpoint, ui); // starts the emulator when needed
  let after = 0;
  let printed = 0;
  // The start is fixed on the first request (relative to the emulator's clock); later requests ask for what
  // came after the last record seen.
  let since = 'agoMs' in o.since ? `ago=${o.since.agoMs}` : `since=${o.since.atMs}`;
  for (;;) {
    const url = new URL(`/_svl/lambda/logs?function=${encodeURIComponent(o.function)}&after=${after}&${since}`, endpoint);
    let res: Response;
    try {
      res = await fetch(url, { signal });
    } catch (err) {
      if (signal?.aborted) return printed;
      throw new SvlError(`Cannot read the emulator's logs at ${endpoint}: ${(err as Error).message}`, 1, { hint: 'Is it running? svl local status' });
    }
    const body = (await res.json()) as { now?: number; events?: Array<{ seq: number; requestId: string; startedMs: number; durationMs: number; outcome: string; text: string }>; message?: string };
    if ('agoMs' in o.since && body.now !== undefined && since.startsWith('ago=')) since = `since=${body.now - o.since.agoMs}`;
    if (res.status === 404) throw new SvlError(body.message ?? `Function not found: ${o.function}`, 1, { code: 'ResourceNotFoundException', hint: 'List functions with: aws lambda list-functions --endpoint-url ' + endpoint });
    for (const e of body.events ?? []) {
      after = Math.max(after, e.seq);
      printed++;
      emit({ function: o.function, timestamp: new Date(e.startedMs).toISOString(), requestId: e.requestId, outcome: e.outcome, durationMs: e.durationMs, message: e.text });
    }
    if (!o.follow || signal?.aborted) break;
    await sleep(1000, signal).catch(() => undefined);
    if (signal?.aborted) break;
  }
  if (printed === 0 && !signal?.aborted) ui.hint(`No invocations of ${o.function} in that time. Invoke it: svl invoke ${o.function} --local`);
  return printed;
}

async function cloudWatchLogs(o: LogsOptions, target: Target, ui: Pick<Ui, 'info' | 'spinner' | 'hint'>, emit: (e: LogEvent) => void, signal?: AbortSignal): Promise<number> {
  const { FilterLogEventsCommand } = logsSdk();
  const { newCloudWatchLogs } = await import('../../aws/clients.js');
  const logs = await newCloudWatchLogs(target);
  const group = `/aws/lambda/${o.function}`;
  let start = 'agoMs' in o.since ? Date.now() - o.since.agoMs : o.since.atMs;
  const seen = new Set<string>();
  let printed = 0;
  for (;;) {
    let token: string | undefined;
    let last = start;
    do {
      let page;
      try {
        page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime: start, nextToken: token }), { abortSignal: signal });
      } catch (err) {
        if (signal?.aborted) return printed;
        const e = mapAwsError(err, { target, service: 'lambda', operation: 'FilterLogEvents', resource: `log group ${group}` });
        if ((err as { name?: string }).name === 'ResourceNotFoundException') throw new SvlError(`No log group ${group}: the function has not run yet, or does not exist`, 1, { code: e.code, requestId: e.requestId, hint: `invoke it first (svl invoke ${o.function}), and check the name with \`svl status\`` });
        throw e;
      }
      for (const ev of page.events ?? []) {
        if (ev.eventId && seen.has(ev.eventId)) continue;
        if (ev.eventId) seen.add(ev.eventId);
        last = Math.max(last, ev.timestamp ?? last);
        printed++;
        const id = /RequestId: ([0-9a-f-]{36})/.exec(ev.message ?? '')?.[1] ?? /\t([0-9a-f-]{36})\t/.exec(ev.message ?? '')?.[1] ?? null;
        emit({ function: o.function, timestamp: new Date(ev.timestamp ?? 0).toISOString(), requestId: id, outcome: null, durationMs: null, message: ev.message ?? '' });
      }
      token = page.nextToken;
    } while (token && !signal?.aborted);
    if (!o.follow || signal?.aborted) break;
    start = last;
    await sleep(2000, signal).catch(() => undefined);
    if (signal?.aborted) break;
  }
  if (printed === 0 && !signal?.aborted) ui.hint(`No log events in ${group} in that time.`);
  return printed;
}
