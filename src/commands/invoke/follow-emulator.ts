/**
 * `svl invoke --async --wait` on the emulator: follows the invocation itself through svl's
 * `GET /_svl/lambda/invocations/<requestId>` (state, attempts, last error, log tail), with or without
 * destinations. It only reads; it never changes the invocation. It does not know about AWS: on AWS the
 * outcome is followed through destinations (wait.ts) or the function's log group (follow-logs.ts).
 */
import { sleep } from '../../aws/pool.js';
import type { Target } from '../../aws/target.js';
import { SvlError } from '../../errors.js';
import type { Outcome, WaitProgress } from './wait.js';

/** What the emulator answers (src/local/control.ts). */
export interface EmulatorInvocation {
  requestId: string;
  function: string;
  state: 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'expired';
  attempts: number;
  nextAttemptMs: number | null;
  condition: string | null;
  lastError: { type: string; message: string } | null;
  deliveries: Array<{ kind: 'OnSuccess' | 'OnFailure' | 'DeadLetterConfig'; target: string; error: string | null }>;
  record: unknown;
  now: number;
  log: string;
}

const POLL_MS = 200;
const LAST_LOOK_MS = 1000;
const FINISHED = new Set(['succeeded', 'failed', 'expired']);

/** Polls until the invocation finished; `progress` always holds the last state seen (for timeout and Ctrl-C messages). */
export async function followOnEmulator(target: Target, requestId: string, deadline: number, progress: WaitProgress, signal?: AbortSignal): Promise<Outcome | undefined> {
  const url = `${target.endpoints.lambda}/_svl/lambda/invocations/${encodeURIComponent(requestId)}`;
  const note = (s: EmulatorInvocation) => {
    progress.state = s.state;
    progress.attempts = s.attempts;
    progress.nextAttemptInMs = s.nextAttemptMs === null ? null : Math.max(0, s.nextAttemptMs - s.now);
    progress.lastError = s.lastError;
  };
  while (Date.now() < deadline && !signal?.aborted) {
    const s = await fetchInvocation(url, signal);
    if (s) {
      note(s);
      if (FINISHED.has(s.state)) return outcomeOf(s);
    }
    await sleep(POLL_MS, signal).catch(() => undefined);
  }
  // Stopped (deadline or Ctrl-C): one last look, so the message says where the invocation stands now.
  const last = await fetchInvocation(url, AbortSignal.timeout(LAST_LOOK_MS)).catch(() => undefined);
  if (last) note(last);
  return undefined;
}

async function fetchInvocation(url: string, signal?: AbortSignal): Promise<EmulatorInvocation | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    if (signal?.aborted) return undefined;
    if ((err as Error).name === 'TimeoutError') return undefined;
    throw new SvlError(`Could not reach the emulator to follow the invocation: ${(err as Error).message}`, 1, { code: 'EmulatorUnreachable', hint: 'Is it still running? svl local status' });
  }
  // 404 right after the 202 cannot happen (the row is committed before Invoke answers); it means an
  // emulator restarted since (finished outcomes are kept in memory) or one without this endpoint.
  if (res.status === 404) {
    throw new SvlError(`The emulator does not know invocation ${url.slice(url.lastIndexOf('/') + 1)}`, 1, { code: 'InvocationNotFound', hint: 'It may have restarted since; the log is still there: svl logs <function> --local' });
  }
  if (!res.ok) throw new SvlError(`The emulator answered ${res.status} to ${url}`, 1, { code: 'EmulatorError' });
  return (await res.json()) as EmulatorInvocation;
}

const CONDITION: Record<string, string> = { succeeded: 'Success', failed: 'RetriesExhausted', expired: 'EventAgeExceeded' };

/** The emulator's answer as the CLI's outcome; a delivered SQS/SNS destination is named as `via`. */
function outcomeOf(s: EmulatorInvocation): Outcome {
  const delivered = s.deliveries.find((d) => d.error === null);
  return {
    condition: s.condition ?? CONDITION[s.state] ?? s.state,
    via: delivered ? delivered.kind : 'emulator',
    destination: delivered ? delivered.target : null,
    attempts: s.attempts,
    record: s.record,
    lastError: s.lastError,
    log: s.log,
  };
}
