/**
 * Where async outcomes go: destinations (OnSuccess / OnFailure: SQS, SNS, another function) receive
 * AWS's invocation record; the legacy DeadLetterConfig (SQS, SNS) receives the original event with the
 * RequestID / ErrorCode / ErrorMessage attributes (aws-wire.md §5.3, §4.4). Deliveries go through the
 * SQS and SNS services' APIs as an ordinary caller (the function's execution role is not evaluated).
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../domain/aws-error.js';
import type { LambdaService } from './service.js';
import { arnService, type LambdaFunction } from './model.js';

export interface AttemptResult {
  ok: boolean;
  payload: string;
  errorType?: string;
}

export type Condition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

const parse = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

export function invocationRecord(svc: LambdaService, fn: LambdaFunction, o: { requestId: string; payload: string; condition: Condition; attempts: number; last?: AttemptResult }): string {
  const record: Record<string, unknown> = {
    version: '1.0',
    timestamp: new Date(svc.clock.now()).toISOString(),
    requestContext: { requestId: o.requestId, functionArn: `${fn.arn}:$LATEST`, condition: o.condition, approximateInvokeCount: o.attempts },
    requestPayload: parse(o.payload),
  };
  if (o.last) {
    record.responseContext = { statusCode: 200, executedVersion: '$LATEST', ...(!o.last.ok && { functionError: 'Unhandled' }) };
    record.responsePayload = parse(o.last.payload);
  }
  return JSON.stringify(record);
}

/**
 * Sends a destination record; returns an error text when the target refused it (logged by the caller).
 * `cause`: the journal seq reserved for the `lambda.destination` hop, named as the cause of the message,
 * notification or queued invocation it makes.
 */
export async function sendToDestination(svc: LambdaService, target: string, body: string, cause?: number): Promise<string | undefined> {
  // The call is in the target's own region (a topic ARN of another region would be refused).
  const ctx = { requestId: randomUUID(), baseUrl: 'http://localhost', region: target.split(':')[3], cause };
  try {
    switch (arnService(target)) {
      case 'sqs':
        await svc.sqs.call('SendMessage', { QueueUrl: svc.sqs.queueUrlOfArn(target), MessageBody: body }, ctx);
        return undefined;
      case 'sns':
        await svc.sns.call('Publish', { TopicArn: target, Message: body }, ctx);
        return undefined;
      case 'lambda': {
        const name = target.split(':')[6]!;
        const fn = svc.store.get(name);
        if (!fn) return `function ${name} does not exist`;
        svc.async.enqueue(fn, body, randomUUID(), cause);
        return undefined;
      }
      default:
        return `unsupported destination ${target}`;
    }
  } catch (err) {
    if (err instanceof AwsError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

/** The legacy dead-letter queue/topic: the original event plus RequestID, ErrorCode, ErrorMessage. */
export async function sendToDeadLetter(svc: LambdaService, target: string, payload: string, requestId: string, errorMessage: string, cause?: number): Promise<string | undefined> {
  const attrs = {
    RequestID: { DataType: 'String', StringValue: requestId },
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    ErrorMessage: { DataType: 'String', StringValue: errorMessage.slice(0, 1024) || 'Unhandled' },
  };
  // The call is in the target's own region (a topic ARN of another region would be refused).
  const ctx = { requestId: randomUUID(), baseUrl: 'http://localhost', region: target.split(':')[3], cause };
  try {
    if (arnService(target) === 'sqs') await svc.sqs.call('SendMessage', { QueueUrl: svc.sqs.queueUrlOfArn(target), MessageBody: payload, MessageAttributes: attrs }, ctx);
    else await svc.sns.call('Publish', { TopicArn: target, Message: payload, MessageAttributes: attrs }, ctx);
    return undefined;
  } catch (err) {
    if (err instanceof AwsError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

/** The errorMessage of a function error object (what the DLQ's ErrorMessage attribute carries). */
export function errorMessageOf(payload: string): string {
  const v = parse(payload) as { errorMessage?: unknown } | undefined;
  return v && typeof v === 'object' && typeof v.errorMessage === 'string' ? v.errorMessage : payload;
}
