/**
 * `--ndjson` for send and publish: lines are read as a stream, parsed, grouped into batches of 10
 * (within the batch payload limit) and sent with a few batches in flight - one at a time for FIFO
 * destinations, so a message group keeps the file's order. A bad line or a rejected entry is reported
 * with its line number and the rest still go out; progress (counts, rate) goes to the spinner.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { mapAwsError } from '../aws/errors.js';
import type { Target } from '../aws/target.js';
import { SvlError, UsageError } from '../errors.js';
import type { Spinner, Ui } from '../ui/index.js';
import { fifoProblem, isFailure, parseNdjsonLine, payloadBytes, problemFailure, type Kind, type LineFailure, type OutgoingMessage } from './messages.js';

export const BATCH_SIZE = 10;
export const IN_FLIGHT = 4;
/** Failures listed in the result; `failed` still counts them all. */
export const MAX_LISTED_FAILURES = 1000;

export interface BulkEntry {
  line: number;
  message: OutgoingMessage;
}

/** Sends one batch; returns the entries that failed (by line), or throws for the whole batch. */
export type SendBatch = (entries: BulkEntry[]) => Promise<LineFailure[]>;

export interface BulkResult {
  sent: number;
  failed: number;
  failures: LineFailure[];
  seconds: number;
  /** Messages sent per second. */
  rate: number;
}

export interface BulkOptions {
  kind: Kind;
  source: string;
  defaults: OutgoingMessage;
  destination: { name: string; fifo: boolean; contentBasedDeduplication: boolean; kind: 'queue' | 'topic' };
  maxBatchBytes: number;
  sendBatch: SendBatch;
  spinner: Spinner;
  target: Target;
  signal?: AbortSignal;
}

/** `--ndjson <file|->`: a file must exist before anything is sent. */
export function checkNdjsonSource(source: string): string {
  if (source === '-') return source;
  try {
    if (!statSync(source).isFile()) throw new Error('not a file');
  } catch (err) {
    throw new UsageError(`--ndjson: cannot read ${source} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { hint: 'check the path (or pass - to read stdin)' });
  }
  return source;
}

export async function sendNdjson(o: BulkOptions): Promise<BulkResult> {
  const started = Date.now();
  let sent = 0;
  let failed = 0;
  const failures: LineFailure[] = [];
  const fail = (f: LineFailure) => {
    failed++;
    if (failures.length < MAX_LISTED_FAILURES) failures.push(f);
  };
  const progress = () => {
    const secs = (Date.now() - started) / 1000;
    o.spinner.update(`${o.kind === 'send' ? 'Sending to' : 'Publishing to'} ${o.destination.name}: ${sent} sent${failed ? `, ${failed} failed` : ''} · ${secs > 0 ? Math.round(sent / secs) : 0}/s`);
  };

  const inFlight = new Set<Promise<void>>();
  const limit = o.destination.fifo ? 1 : IN_FLIGHT;
  const dispatch = async (batch: BulkEntry[]) => {
    const p = (async () => {
      let rejected: LineFailure[];
      try {
        rejected = await o.sendBatch(batch);
      } catch (err) {
        if (o.signal?.aborted) throw err;
        const e = mapAwsError(err, { target: o.target, service: o.kind === 'send' ? 'sqs' : 'sns' });
        rejected = batch.map((b) => ({ line: b.line, code: e.code, message: e.message }));
      }
      rejected.forEach(fail);
      sent += batch.length - rejected.length;
      progress();
    })();
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    if (inFlight.size >= limit) await Promise.race(inFlight);
  };

  const input = o.source === '-' ? process.stdin : createReadStream(o.source);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let batch: BulkEntry[] = [];
  let bytes = 0;
  let lineNo = 0;
  try {
    for await (const text of lines) {
      lineNo++;
      if (o.signal?.aborted) break;
      const parsed = parseNdjsonLine(text, lineNo, o.kind, o.defaults);
      if (parsed === null) continue;
      if (isFailure(parsed)) {
        fail(parsed);
        continue;
      }
      const problem = fifoProblem(parsed, o.destination);
      if (problem) {
        fail(problemFailure(problem, lineNo));
        continue;
      }
      const size = payloadBytes(parsed);
      if (batch.length > 0 && (batch.length === BATCH_SIZE || bytes + size > o.maxBatchBytes)) {
        await dispatch(batch);
        batch = [];
        bytes = 0;
      }
      batch.push({ line: lineNo, message: parsed });
      bytes += size;
    }
    if (batch.length > 0 && !o.signal?.aborted) await dispatch(batch);
    await Promise.all(inFlight);
  } finally {
    lines.close();
  }
  failures.sort((a, b) => a.line - b.line);
  const seconds = (Date.now() - started) / 1000;
  return { sent, failed, failures, seconds: Math.round(seconds * 1000) / 1000, rate: seconds > 0 ? Math.round(sent / seconds) : sent };
}

/** The failures of a batch response, mapped back to their lines (entry ids are `l<line>`). */
export function batchFailures(failed: ReadonlyArray<{ Id?: string; Code?: string; Message?: string }> | undefined): LineFailure[] {
  return (failed ?? []).map((f) => ({ line: Number(f.Id?.slice(1)), code: f.Code ?? 'Failed', message: f.Message ?? f.Code ?? 'failed' }));
}

export const entryId = (line: number) => `l${line}`;

/** `Sent 998 of 1000 messages to orders in 1.2s (830/s)` and the failed lines. */
export function renderBulk(r: BulkResult & { destination: string }, ui: Pick<Ui, 'table' | 'style'>): string {
  const total = r.sent + r.failed;
  const head = `Sent ${r.sent} of ${total} message${total === 1 ? '' : 's'} to ${r.destination} in ${r.seconds}s (${r.rate}/s)`;
  if (r.failed === 0) return head;
  const more = r.failed > r.failures.length ? `\n(${r.failed - r.failures.length} more failures not listed)` : '';
  return `${head}\n${ui.style.red(`${r.failed} failed:`)}\n${ui.table(['Line', 'Code', 'Message'], r.failures.map((f) => [f.line, f.code, f.message]))}${more}`;
}

/** Exit 1 when any message failed; the summary is already on stdout. */
export function bulkError(r: BulkResult): SvlError | undefined {
  if (r.failed === 0) return undefined;
  const first = r.failures[0];
  return new SvlError(`${r.failed} of ${r.sent + r.failed} messages failed${first ? ` (first: line ${first.line}, ${first.code})` : ''}`, 1, {
    code: 'PartialFailure',
    hint: 'The failed lines are listed in the summary; fix them and send those lines again',
  });
}
