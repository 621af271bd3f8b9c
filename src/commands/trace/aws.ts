/**
 * `svl trace` on AWS, where there is no journal: what can be known without receiving (and so changing) any
 * message is the log lines of the functions named with --function that mention the id (FilterLogEvents on
 * `/aws/lambda/<fn>`), and an honest list of what cannot be seen.
 *
 * Deliberately not here: SNS deliveries, filter decisions, receives and DLQ moves: AWS records none of them
 * per message (short of X-Ray or CloudTrail data events, which svl does not read).
 */
import { mapAwsError } from '../../aws/errors.js';
import type { Target } from '../../aws/target.js';
import { SvlError } from '../../errors.js';
import { durationMs } from '../flags.js';

export interface AwsLogLine {
  function: string;
  timestamp: string;
  message: string;
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
}

export const CANNOT_SEE = [
  'SNS deliveries, filter decisions, policy denials (no per-message record)',
  'SQS receives, visibility timeouts, DLQ moves (no per-message record)',
];

const MAX_LINES = 200;

export async function traceOnAws(id: string, functions: string[], since: string, target: Target, queue?: string, signal?: AbortSignal): Promise<AwsTraceResult> {
  const cannotSee = [...CANNOT_SEE];
  // Reading a queue on AWS is a receive: it would count against maxReceiveCount and hide the message.
  if (queue !== undefined) cannotSee.push(`whether it waits in ${queue} (only a receive could tell, and changes it)`);
  const out: AwsTraceResult = { id, target: 'aws', cannotSee, searched: functions, since, logs: [] };
  if (functions.length === 0) return out;
  const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
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
          if (out.logs.length >= MAX_LINES) break;
          out.logs.push({ function: fn, timestamp: new Date(e.timestamp ?? 0).toISOString(), message: (e.message ?? '').trimEnd() });
        }
        token = out.logs.length < MAX_LINES ? page.nextToken : undefined;
      } while (token);
    }
  } finally {
    logs.destroy();
  }
  return out;
}

export function renderAwsTrace(r: AwsTraceResult, style: { bold(s: string): string; dim(s: string): string; yellow(s: string): string }): string {
  const out = [style.bold(`Trace of ${r.id} on AWS`), style.yellow('svl cannot see here:'), ...r.cannotSee.map((c) => `  - ${c}`)];
  if (r.searched.length === 0) {
    out.push('', 'No function to search: name its consumers with --function <name> (repeatable)', 'to find the log lines that mention this id, or trace on the emulator (--local).');
    return out.join('\n');
  }
  out.push('', `Log lines mentioning it (${r.searched.join(', ')}, last ${r.since}):`);
  if (r.logs.length === 0) out.push(style.dim('  none (the function may not log message ids: log them, or widen --since)'));
  for (const l of r.logs) out.push(`  ${style.dim(l.timestamp)} ${l.function}  ${l.message.replace(/\s+/g, ' ')}`);
  return out.join('\n');
}
