/**
 * `--ndjson` for send and publish, the one bulk path both use: lines are read as a stream (each checked
 * to be UTF-8, never silently altered), parsed, grouped into batches of 10 (within the batch payload
 * limit) and sent with a few batches in flight - one at a time for FIFO destinations, so a message
 * group keeps the file's order. A bad line or a rejected entry is reported with its line number and the
 * rest still go out; progress (counts, rate) goes to the spinner.
 *
 * `--skip N` starts after the first N input lines. Ctrl-C stops reading; the batches already formed are
 * sent and acknowledged (batch calls are deliberately not aborted: an aborted call may or may not have
 * delivered), so every line read is either sent or counted as failed and `--skip <lines read>` continues
 * without losing or repeating a message. It does not retry failed entries.
 */
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { addAbortSignal } from 'node:stream';
import { mapAwsError } from '../aws/errors.js';
import type { Target } from '../aws/target.js';
import { cancelled, SvlError } from '../errors.js';
import type { Spinner, Ui } from '../ui/index.js';
import { byteLines, countMessages } from './ndjson-input.js';
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
  /** Input lines passed over by --skip. */
  skipped: number;
  /** The last input line handled (sent, failed or blank): `--skip <lines>` continues after it. */
  lines: number;
  seconds: number;
  /** Messages sent per second. */
  rate: number;
}

export interface BulkOptions {
  kind: Kind;
  source: string;
  /** Input lines to pass over before sending (--skip). */
  skip: number;
  defaults: OutgoingMessage;
  destination: { name: string; fifo: boolean; contentBasedDeduplication: boolean; kind: 'queue' | 'topic' };
  maxBatchBytes: number;
  sendBatch: SendBatch;
  target: Target;
  /** Ctrl-C: stop reading at the next line, finish the batches formed, report. */
  signal?: AbortSignal;
}

export async function sendNdjson(o: BulkOptions & { spinner: Pick<Spinner, 'update'> }): Promise<BulkResult & { cancelled: boolean }> {
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
  // Ctrl-C while waiting for input (a slow pipe) ends the read at once; lines already read still count.
  if (o.signal) addAbortSignal(o.signal, input);
  let batch: BulkEntry[] = [];
  let bytes = 0;
  let lineNo = 0;
  try {
    for await (const raw of byteLines(input)) {
      if (o.signal?.aborted) break;
      lineNo++;
      if (lineNo <= o.skip) continue;
      const bytesOfLine = raw.length && raw[raw.length - 1] === 13 ? raw.subarray(0, -1) : raw;
      if (!isUtf8(bytesOfLine)) {
        fail({ line: lineNo, code: 'InvalidUtf8', message: 'not valid UTF-8; message bodies are text: base64-encode binary data (and say so in an attribute)' });
        continue;
      }
      const parsed = parseNdjsonLine(bytesOfLine.toString('utf8'), lineNo, o.kind, o.defaults);
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
  } catch (err) {
    if (!o.signal?.aborted) throw readError(err, o.source);
  } finally {
    input.destroy();
  }
  // Even when cancelled: the lines of this batch were read, so sending it keeps `--skip <lineNo>` exact.
  if (batch.length > 0) await dispatch(batch);
  await Promise.all(inFlight);
  failures.sort((a, b) => a.line - b.line);
  const seconds = (Date.now() - started) / 1000;
  return {
    sent,
    failed,
    failures,
    skipped: Math.min(o.skip, lineNo),
    lines: lineNo,
    seconds: Math.round(seconds * 1000) / 1000,
    rate: seconds > 0 ? Math.round(sent / seconds) : sent,
    cancelled: o.signal?.aborted === true,
  };
}

function readError(err: unknown, source: string): SvlError {
  const code = (err as NodeJS.ErrnoException).code;
  return new SvlError(`--ndjson: reading ${source === '-' ? 'stdin' : source} failed (${code ?? (err as Error).message})`, 1, { code: 'ReadFailed', cause: err });
}

export interface BulkRun extends BulkOptions {
  ui: Pick<Ui, 'spinner'>;
  /** The command line that continues after `lines` input lines (`svl send q --ndjson f --skip <lines>`). */
  resume(lines: number): string;
}

/**
 * The whole bulk send with its spinner. Cancelled, it throws a CancelledError with the exact counts
 * (acknowledged and failed), the command that continues, and the partial result (`extra` + counts).
 */
export async function runBulk<X extends object>(o: BulkRun, extra: X): Promise<X & BulkResult> {
  const verb = o.kind === 'send' ? 'Sending to' : 'Publishing to';
  const spinner = await o.ui.spinner(`${verb} ${o.destination.name}…`);
  let r: BulkResult & { cancelled: boolean };
  try {
    r = await sendNdjson({ ...o, spinner });
  } catch (err) {
    spinner.fail(`${verb} ${o.destination.name} stopped`);
    throw err;
  }
  const { cancelled: wasCancelled, ...result } = r;
  if (!wasCancelled) {
    spinner.stop();
    return { ...extra, ...result };
  }
  spinner.stop();
  const resume = o.resume(result.lines);
  const total = o.source === '-' ? undefined : countMessages(o.source, o.skip);
  const n = (x: number) => x.toLocaleString('en-US');
  const what = `${o.kind === 'send' ? 'sent' : 'published'} ${n(result.sent)}${total !== undefined ? ` of ${n(total)}` : ''} message${(total ?? result.sent) === 1 ? '' : 's'}`;
  const failedPart = result.failed ? `, ${n(result.failed)} failed (first: line ${result.failures[0]?.line})` : '';
  const where = o.source === '-' ? ` (input lines 1-${n(result.lines)} done)` : '';
  throw cancelled({
    done: `${what}${failedPart}${where}`,
    resume,
    partial: { ...extra, ...result, cancelled: true, resume },
    hint: o.source === '-' ? `pipe the same input again to continue (the first ${n(result.lines)} lines are skipped): ${resume}` : undefined,
  });
}

/** The failures of a batch response, mapped back to their lines (entry ids are `l<line>`). */
export function batchFailures(failed: ReadonlyArray<{ Id?: string; Code?: string; Message?: string }> | undefined): LineFailure[] {
  return (failed ?? []).map((f) => ({ line: Number(f.Id?.slice(1)), code: f.Code ?? 'Failed', message: f.Message ?? f.Code ?? 'failed' }));
}

export const entryId = (line: number) => `l${line}`;

/** `Sent 998 of 1000 messages to orders in 1.2s (830/s)` and the failed lines. */
export function renderBulk(r: BulkResult & { destination: string }, ui: Pick<Ui, 'table' | 'style'>): string {
  const total = r.sent + r.failed;
  const skipped = r.skipped ? ` (after skipping ${r.skipped} line${r.skipped === 1 ? '' : 's'})` : '';
  const head = `Sent ${r.sent} of ${total} message${total === 1 ? '' : 's'} to ${r.destination} in ${r.seconds}s (${r.rate}/s)${skipped}`;
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
