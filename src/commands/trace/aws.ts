/**
 * `svl trace` on AWS, where there is no journal: what can be known without consuming or dead-lettering any
 * message, and an honest list of what cannot be seen.
 *
 * - The log lines of the functions named with --function that mention the id (FilterLogEvents on
 *   `/aws/lambda/<fn>`).
 * - With --queue: the message itself if it was dead-lettered: its attributes, DeadLetterQueueSourceArn,
 *   receive count and send time, read from the queue's dead-letter queue (or the queue itself when it is
 *   one) with the read `svl dlq peek` uses on AWS: a receive that holds what it read invisible, releases it
 *   at the end, and stops before a DLQ that redrives further could pass anything on. Only DLQs: a live
 *   queue's messages belong to its consumers, and a receive would hide them and count toward their
 *   maxReceiveCount.
 *
 * Deliberately not here: SNS deliveries, filter decisions, receives and DLQ moves as hops: AWS records none
 * of them per message (short of X-Ray or CloudTrail data events, which svl does not read).
 */
import { getSns, getSqs } from '../../aws/clients.js';
import { deadLetterSources, describeQueue, type QueueDetails } from '../../aws/dlq.js';
import { mapAwsError } from '../../aws/errors.js';
import { arnName } from '../../aws/inventory-model.js';
import type { AutostartUi } from '../../aws/local-autostart.js';
import type { Target } from '../../aws/target.js';
import { SvlError } from '../../errors.js';
import type { DecodedMessage } from '../decode.js';
import { readSnapshot } from '../dlq/read.js';
import { durationMs } from '../flags.js';
import { logsSdk } from '../../aws/sdk.js';

export interface AwsLogLine {
  function: string;
  timestamp: string;
  message: string;
}

/** The message as its dead-letter queue holds it. */
export interface DeadLetterFound {
  messageId: string;
  sentAt: string | null;
  /** ApproximateReceiveCount, including the receive svl made to read it. */
  receiveCount: number | null;
  /** DeadLetterQueueSourceArn: the queue it died in (AWS stamps it on the move). */
  deadLetterSourceArn: string | null;
  attributes: Record<string, string>;
  /** Set when the dead letter is an SNS notification: the topic and the publish's message id. */
  snsMessageId: string | null;
  topic: string | null;
  body: unknown;
}

export interface DeadLetterSearch {
  /** The dead-letter queue looked in, and the queues that dead-letter into it. */
  queue: string;
  sources: string[];
  found: DeadLetterFound | null;
  /** Messages looked at. */
  scanned: number;
  /** Why the search stopped early (the DLQ's own redrive guard), or null. */
  note: string | null;
}

export interface AwsTraceResult {
  id: string;
  target: 'aws';
  /** What svl cannot see on AWS, in words. */
  cannotSee: string[];
  /** Functions searched, and the lines that mention the id. */
  searched: string[];
  since: string;
  logs: AwsLogLine[];
  /** With --queue: the dead-letter queue searched for the message, or null. */
  deadLetter: DeadLetterSearch | null;
}

export const CANNOT_SEE = [
  'SNS deliveries, filter decisions, policy denials (no per-message record)',
  'SQS receives and visibility timeouts (no per-message record)',
];

const MAX_LINES = 200;

export async function traceOnAws(id: string, functions: string[], since: string, target: Target, queue: string | undefined, ui: AutostartUi, signal?: AbortSignal): Promise<AwsTraceResult> {
  const cannotSee = [...CANNOT_SEE];
  const out: AwsTraceResult = { id, target: 'aws', cannotSee, searched: functions, since, logs: [], deadLetter: null };
  if (queue === undefined) cannotSee.push('whether it was dead-lettered: name its queue with --queue to look in its DLQ');
  else out.deadLetter = await searchDeadLetters(id, queue, target, ui, cannotSee, signal);
  if (functions.length > 0) out.logs = await searchLogs(id, functions, since, target, signal);
  return out;
}

/** Looks for `id` in `queue`'s DLQ (or `queue`, when it is one); adds to `cannotSee` what it could not look at. */
async function searchDeadLetters(id: string, queue: string, target: Target, ui: AutostartUi, cannotSee: string[], signal?: AbortSignal): Promise<DeadLetterSearch | null> {
  const [sqs, sns] = await Promise.all([getSqs(target, ui), getSns(target, ui)]);
  const named = await describeQueue(sqs, queue, target, signal);
  let dlq: QueueDetails = named;
  let sources = await deadLetterSources(sqs, sns, named, target, signal);
  if (sources.length === 0) {
    const why = 'a receive would hide it from its consumers and count toward its maxReceiveCount';
    if (!named.redrive) {
      cannotSee.push(`whether it waits in ${named.name} (${why}), or died: ${named.name} has no dead-letter queue`);
      return null;
    }
    cannotSee.push(`whether it waits in ${named.name} (${why}): svl looked in its dead-letter queue instead`);
    dlq = await describeQueue(sqs, named.redrive.deadLetterTargetArn, target, signal);
    sources = await deadLetterSources(sqs, sns, dlq, target, signal);
  }
  const wanted = (m: DecodedMessage) => m.messageId === id || m.sns?.messageId === id;
  const snap = await readSnapshot(sqs, target, dlq, { max: 1, match: [], pick: wanted, signal });
  const m = snap.messages[0];
  return {
    queue: dlq.name,
    sources: sources.map((s) => s.name),
    scanned: snap.scanned,
    note: snap.stoppedEarly,
    found: m
      ? {
          messageId: m.messageId,
          sentAt: m.sentAt,
          receiveCount: m.receiveCount,
          deadLetterSourceArn: m.deadLetterSourceArn,
          attributes: m.attributes,
          snsMessageId: m.sns?.messageId ?? null,
          topic: m.sns?.topic ?? null,
          body: m.body,
        }
      : null,
  };
}

async function searchLogs(id: string, functions: string[], since: string, target: Target, signal?: AbortSignal): Promise<AwsLogLine[]> {
  const out: AwsLogLine[] = [];
  const { FilterLogEventsCommand } = logsSdk();
  const { newCloudWatchLogs } = await import('../../aws/clients.js');
  const logs = await newCloudWatchLogs(target);
  const startTime = Date.now() - (durationMs(since) ?? 3_600_000);
  try {
    for (const fn of functions) {
      const group = `/aws/lambda/${fn}`;
      let token: string | undefined;
      do {
        let page;
        try {
          page = await logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime, filterPattern: `"${id}"`, nextToken: token }), { abortSignal: signal });
        } catch (err) {
          if ((err as { name?: string }).name === 'ResourceNotFoundException') {
            throw new SvlError(`No log group ${group}: the function has not run yet, or does not exist`, 1, { code: 'ResourceNotFoundException', hint: 'Check the name with `svl status`' });
          }
          throw mapAwsError(err, { target, service: 'lambda', operation: 'FilterLogEvents', resource: `log group ${group}` });
        }
        for (const e of page.events ?? []) {
          if (out.length >= MAX_LINES) break;
          out.push({ function: fn, timestamp: new Date(e.timestamp ?? 0).toISOString(), message: (e.message ?? '').trimEnd() });
        }
        token = out.length < MAX_LINES ? page.nextToken : undefined;
      } while (token);
    }
  } finally {
    logs.destroy();
  }
  return out;
}

type Style = { bold(s: string): string; dim(s: string): string; yellow(s: string): string };

function renderDeadLetter(d: DeadLetterSearch, id: string, style: Style): string[] {
  const from = d.sources.length ? ` (dead letters of ${d.sources.join(', ')})` : '';
  if (!d.found) {
    const out = [`Not in ${d.queue}${from}: looked at ${d.scanned} message${d.scanned === 1 ? '' : 's'}, none is ${id}.`];
    if (d.note) out.push(style.yellow(`Stopped early: ${d.note}`));
    return out;
  }
  const f = d.found;
  const source = f.deadLetterSourceArn ? arnName(f.deadLetterSourceArn) : null;
  const out = [style.bold(`Dead-lettered: in ${d.queue}${source ? `, from ${source}` : from}`)];
  out.push(`  message id   ${f.messageId}${f.snsMessageId ? ` (SNS message ${f.snsMessageId} from ${f.topic})` : ''}`);
  if (f.sentAt) out.push(`  sent         ${f.sentAt}`);
  if (f.receiveCount !== null) out.push(`  received     ${f.receiveCount} times (svl's read included)`);
  if (f.deadLetterSourceArn) out.push(`  source ARN   ${f.deadLetterSourceArn}`);
  const attrs = Object.entries(f.attributes);
  out.push(attrs.length ? '  attributes' : style.dim('  no message attributes'));
  for (const [k, v] of attrs) out.push(`    ${k} = ${v}`);
  const body = typeof f.body === 'string' ? f.body : JSON.stringify(f.body);
  out.push(`  body         ${body.length > 60 ? `${body.slice(0, 57)}...` : body}`);
  return out;
}

export function renderAwsTrace(r: AwsTraceResult, style: Style): string {
  const out = [style.bold(`Trace of ${r.id} on AWS`), style.yellow('svl cannot see here:'), ...r.cannotSee.map((c) => `  - ${c}`)];
  if (r.deadLetter) out.push('', ...renderDeadLetter(r.deadLetter, r.id, style));
  if (r.searched.length === 0) {
    out.push('', 'No function to search: name its consumers with --function <name> (repeatable)', 'to find the log lines that mention this id, or trace on the emulator (--local).');
    return out.join('\n');
  }
  out.push('', `Log lines mentioning it (${r.searched.join(', ')}, last ${r.since}):`);
  if (r.logs.length === 0) out.push(style.dim('  none (the function may not log message ids: log them, or widen --since)'));
  for (const l of r.logs) out.push(`  ${style.dim(l.timestamp)} ${l.function}  ${l.message.replace(/\s+/g, ' ')}`);
  return out.join('\n');
}
