/**
 * `svl invoke --async --wait`: follows an asynchronous invocation to its outcome. On the emulator, the
 * invocation itself (follow-emulator.ts); on AWS, the function's SQS destinations (OnSuccess / OnFailure:
 * AWS's invocation record, matched by requestContext.requestId) and its SQS dead-letter queue (the
 * original event, matched by the RequestID attribute) when it has any - messages are looked at, never
 * deleted: each one received is made visible again at once - else its CloudWatch log group
 * (follow-logs.ts). Bounded by --wait-timeout; Ctrl-C stops following (the invocation goes on).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { getSqs } from '../../aws/clients.js';
import { sleep } from '../../aws/pool.js';
import type { Target } from '../../aws/target.js';
import { cancelled, SvlError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { followOnEmulator } from './follow-emulator.js';
import { followInLogs } from './follow-logs.js';
import { lambdaSdk, sqsSdk, type SqsSdk } from '../../aws/sdk.js';

export interface WaitTarget {
  via: 'OnSuccess' | 'OnFailure' | 'DeadLetterConfig';
  arn: string;
}

export interface Outcome {
  condition: string;
  /** Where the outcome was read: a destination, the emulator's own record of the invocation, or the log group. */
  via: WaitTarget['via'] | 'emulator' | 'logs';
  /** The destination ARN, or the log group for `logs`; null for `emulator` without a destination. */
  destination: string | null;
  attempts?: number;
  /** The destination record, or for a DLQ the original event with its error attributes. */
  record: unknown;
  lastError?: { type: string; message: string } | null;
  /** The end of the invocation's log (every attempt), when known. */
  log?: string;
}

/** What is known so far while waiting: for the timeout and Ctrl-C messages. */
export interface WaitProgress {
  state: string;
  attempts: number;
  nextAttemptInMs?: number | null;
  lastError?: { type: string; message: string } | null;
}

/** How to follow one function's async invocations on AWS: its SQS destinations, else its log group. */
export type WaitPlan = { kind: 'emulator' } | { kind: 'destinations'; targets: WaitTarget[] } | { kind: 'logs'; logGroup: string; maxRetries: number };

/** Decided before invoking, so a missing function fails before anything runs. */
export async function planWait(target: Target, lambda: LambdaClient, fn: string, signal?: AbortSignal): Promise<WaitPlan> {
  const { GetFunctionConfigurationCommand, GetFunctionEventInvokeConfigCommand } = lambdaSdk();
  const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }), { abortSignal: signal });
  if (target.kind === 'local') return { kind: 'emulator' };
  const targets = await waitTargets(lambda, fn, signal);
  if (targets.length > 0) return { kind: 'destinations', targets };
  let maxRetries = 2;
  try {
    const c = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn }), { abortSignal: signal });
    maxRetries = c.MaximumRetryAttempts ?? 2;
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  return { kind: 'logs', logGroup: conf.LoggingConfig?.LogGroup ?? `/aws/lambda/${conf.FunctionName ?? fn}`, maxRetries };
}

export interface FollowInput {
  target: Target;
  function: string;
  requestId: string;
  plan: WaitPlan;
  timeoutMs: number;
  startMs: number;
  /** The result so far, handed back as the partial result when cancelled. */
  partial: unknown;
}

/** Follows the invocation to its outcome; WaitTimeout (exit 1) past the deadline, Cancelled (130) on Ctrl-C. */
export async function followInvocation(i: FollowInput, ui: Pick<Ui, 'info' | 'spinner'>, signal?: AbortSignal): Promise<Outcome> {
  const deadline = Date.now() + i.timeoutMs;
  const progress: WaitProgress = { state: 'queued', attempts: 0 };
  const p = i.plan;
  const outcome = p.kind === 'emulator'
    ? await followOnEmulator(i.target, i.requestId, deadline, progress, signal)
    : p.kind === 'destinations'
      ? await followOutcome(i.target, ui, p.targets, i.requestId, deadline, signal)
      : await followInLogs({ target: i.target, function: i.function, logGroup: p.logGroup, requestId: i.requestId, maxRetries: p.maxRetries, startMs: i.startMs }, deadline, progress, signal);
  if (outcome) return outcome;
  const where = i.target.kind === 'local' ? ' --local' : '';
  const sofar = p.kind === 'destinations' ? '' : ` (${describeProgress(progress)})`;
  if (signal?.aborted) {
    throw cancelled({
      done: `invoked ${i.function} asynchronously (request ${i.requestId}) and stopped following it${sofar}${['succeeded', 'failed', 'expired'].includes(progress.state) ? '' : '; the invocation goes on'}`,
      resume: `svl logs ${i.function} --follow${where}`,
      partial: i.partial,
    });
  }
  throw new SvlError(`No outcome for ${i.requestId} within ${Math.round(i.timeoutMs / 1000)} s${sofar}`, 1, {
    code: 'WaitTimeout',
    requestId: i.requestId,
    hint: `Failed async invocations are retried after about 1 and 2 minutes: try a longer --wait-timeout (e.g. 240), or follow the log: svl logs ${i.function} --follow${where}`,
  });
}

function describeProgress(p: WaitProgress): string {
  const parts = [`${p.state}`, `${p.attempts} attempt${p.attempts === 1 ? '' : 's'} so far`];
  if (p.nextAttemptInMs !== undefined && p.nextAttemptInMs !== null && p.state === 'retrying') parts.push(`next in ${Math.ceil(p.nextAttemptInMs / 1000)} s`);
  if (p.lastError) parts.push(`last error ${p.lastError.type}: ${p.lastError.message}`);
  return parts.join(', ');
}

/** The function's SQS destinations and DLQ (possibly none). */
async function waitTargets(lambda: LambdaClient, fn: string, signal?: AbortSignal): Promise<WaitTarget[]> {
  const { GetFunctionEventInvokeConfigCommand, GetFunctionConfigurationCommand } = lambdaSdk();
  const out: WaitTarget[] = [];
  try {
    const c = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: fn }), { abortSignal: signal });
    if (c.DestinationConfig?.OnSuccess?.Destination) out.push({ via: 'OnSuccess', arn: c.DestinationConfig.OnSuccess.Destination });
    if (c.DestinationConfig?.OnFailure?.Destination) out.push({ via: 'OnFailure', arn: c.DestinationConfig.OnFailure.Destination });
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException' || /Function not found/.test((err as Error).message)) throw err;
  }
  const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }), { abortSignal: signal });
  if (conf.DeadLetterConfig?.TargetArn) out.push({ via: 'DeadLetterConfig', arn: conf.DeadLetterConfig.TargetArn });
  return out.filter((t) => /^arn:[^:]+:sqs:/.test(t.arn));
}

async function followOutcome(target: Target, ui: Pick<Ui, 'info' | 'spinner'>, targets: WaitTarget[], requestId: string, deadline: number, signal?: AbortSignal): Promise<Outcome | undefined> {
  const sqs = await getSqs(target, ui);
  const S = sqsSdk();
  const urls = new Map<WaitTarget, string>();
  for (const t of targets) {
    const [, , , , account, name] = t.arn.split(':');
    const r = await sqs.send(new S.GetQueueUrlCommand({ QueueName: name!, QueueOwnerAWSAccountId: account }), { abortSignal: signal });
    urls.set(t, r.QueueUrl!);
  }
  while (Date.now() < deadline && !signal?.aborted) {
    for (const t of targets) {
      const found = await scan(sqs, S, urls.get(t)!, t, requestId, signal).catch((err: unknown) => {
        if (signal?.aborted) return undefined;
        throw err;
      });
      if (found) return found;
    }
    await sleep(500, signal).catch(() => undefined);
  }
  return undefined;
}

async function scan(sqs: SQSClient, S: SqsSdk, url: string, t: WaitTarget, requestId: string, signal?: AbortSignal): Promise<Outcome | undefined> {
  const r = await sqs.send(new S.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 5, MessageAttributeNames: ['All'] }), { abortSignal: signal });
  const messages = r.Messages ?? [];
  if (messages.length) {
    await sqs.send(new S.ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })) }), { abortSignal: signal });
  }
  for (const m of messages) {
    if (t.via === 'DeadLetterConfig') {
      if (m.MessageAttributes?.RequestID?.StringValue !== requestId) continue;
      let event: unknown = m.Body;
      try {
        event = JSON.parse(m.Body ?? '');
      } catch {
        /* not JSON: keep the text */
      }
      return { condition: 'DeadLetter', via: t.via, destination: t.arn, record: { event, errorMessage: m.MessageAttributes?.ErrorMessage?.StringValue ?? null } };
    }
    let rec: { requestContext?: { requestId?: string; condition?: string; approximateInvokeCount?: number } } | undefined;
    try {
      rec = JSON.parse(m.Body ?? '') as typeof rec;
    } catch {
      continue;
    }
    if (rec?.requestContext?.requestId !== requestId) continue;
    return { condition: rec.requestContext.condition ?? 'Unknown', via: t.via, destination: t.arn, attempts: rec.requestContext.approximateInvokeCount, record: rec };
  }
  return undefined;
}
