/**
 * `svl invoke --async --wait`: follows an asynchronous invocation to its outcome through the function's
 * SQS destinations (OnSuccess / OnFailure: AWS's invocation record, matched by requestContext.requestId)
 * and its SQS dead-letter queue (the original event, matched by the RequestID attribute). Messages are
 * looked at, never deleted: each one received is made visible again at once.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { getSqs } from '../../aws/clients.js';
import { sleep } from '../../aws/pool.js';
import type { Target } from '../../aws/target.js';
import { SvlError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';

export interface WaitTarget {
  via: 'OnSuccess' | 'OnFailure' | 'DeadLetterConfig';
  arn: string;
}

export interface Outcome {
  condition: string;
  via: WaitTarget['via'];
  destination: string;
  attempts?: number;
  /** The destination record, or for a DLQ the original event with its error attributes. */
  record: unknown;
}

/** The function's SQS destinations and DLQ; a usage error when there is nothing to follow. */
export async function waitTargets(lambda: LambdaClient, fn: string, signal?: AbortSignal): Promise<WaitTarget[]> {
  const { GetFunctionEventInvokeConfigCommand, GetFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
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
  const queues = out.filter((t) => /^arn:[^:]+:sqs:/.test(t.arn));
  if (queues.length === 0) {
    throw new UsageError(`--wait has nothing to follow: function ${fn} has no SQS destination (OnSuccess/OnFailure) and no SQS dead-letter queue`, {
      hint: `Configure one, e.g. aws lambda put-function-event-invoke-config --function-name ${fn} --destination-config '{"OnFailure":{"Destination":"<queue arn>"}}'`,
    });
  }
  return queues;
}

export async function followOutcome(target: Target, ui: Pick<Ui, 'info' | 'spinner'>, targets: WaitTarget[], requestId: string, timeoutMs: number, signal?: AbortSignal): Promise<Outcome> {
  const sqs = await getSqs(target, ui);
  const S = await import('@aws-sdk/client-sqs');
  const urls = new Map<WaitTarget, string>();
  for (const t of targets) {
    const [, , , , account, name] = t.arn.split(':');
    const r = await sqs.send(new S.GetQueueUrlCommand({ QueueName: name!, QueueOwnerAWSAccountId: account }), { abortSignal: signal });
    urls.set(t, r.QueueUrl!);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const t of targets) {
      const found = await scan(sqs, S, urls.get(t)!, t, requestId, signal);
      if (found) return found;
    }
    await sleep(500, signal).catch(() => undefined);
    if (signal?.aborted) break;
  }
  throw new SvlError(`No outcome for ${requestId} within ${Math.round(timeoutMs / 1000)} s`, 1, {
    code: 'WaitTimeout',
    requestId,
    hint: 'Failed async invocations are retried after about 1 and 2 minutes: try a longer --wait-timeout (e.g. 240)',
  });
}

async function scan(sqs: SQSClient, S: typeof import('@aws-sdk/client-sqs'), url: string, t: WaitTarget, requestId: string, signal?: AbortSignal): Promise<Outcome | undefined> {
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
