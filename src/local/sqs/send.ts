/**
 * SendMessage and SendMessageBatch: validation exactly as AWS orders it, then one transaction per request.
 * Also the sends other services make (SNS fan-out, S3 notifications, Lambda destinations), which the queue's
 * Policy must allow; SNS hands over a body and attributes it checked once for all of its queues.
 */
import type { SqsHandler, SqsService } from './service.js';
import type { Queue } from './queues.js';
import * as E from './errors.js';
import { AwsError } from '../../domain/aws-error.js';
import { intAttribute } from './attributes.js';
import { optList, type Input } from './input.js';
import {
  hasInvalidChars,
  isValidBatchEntryId,
  md5Hex,
  md5OfAttributes,
  sha256Hex,
  validateGroupOrDedupId,
  validateMessageAttributes,
  type MessageAttributes,
} from './model.js';
import type { NewMessage } from './messages.js';
import { evaluatePolicy } from '../iam/policy.js';
import { MAX_BATCH_ENTRIES, MAX_BATCH_PAYLOAD, MAX_DELAY_SECONDS, SENDER_ID } from './constants.js';

type ValidatedAttributes = ReturnType<typeof validateMessageAttributes>;

/** Entry errors that fail a whole SendMessageBatch request (AWS-recorded) instead of landing in Failed[]. */
const failsBatch = new WeakSet<AwsError>();
function failingBatch(err: AwsError): AwsError {
  failsBatch.add(err);
  return err;
}

/**
 * validateMessageAttributes' answer, kept: its result, or the error it threw. For one batch entry; or, with
 * `md5` and `json` filled in (checkMessageAttributes), for one message another service sends to many queues.
 */
export type CheckedAttributes = { ok: ValidatedAttributes & { md5?: string; json?: string } } | { error: unknown };

function checkAttributes(raw: unknown): CheckedAttributes {
  try {
    return { ok: validateMessageAttributes(raw) };
  } catch (error) {
    return { error };
  }
}

/**
 * Message attributes checked once for every queue a message goes to (an SNS raw delivery to several
 * queues): validated as a send validates them, with their MD5OfMessageAttributes and stored JSON, or the
 * error every send of them answers with.
 */
export function checkMessageAttributes(raw: unknown): CheckedAttributes {
  const c = checkAttributes(raw);
  if ('ok' in c && c.ok.attrs) return { ok: { ...c.ok, md5: md5OfAttributes(c.ok.attrs), json: JSON.stringify(c.ok.attrs) } };
  return c;
}

/**
 * A message body checked once for every queue it goes to: its MD5, its UTF-8 size and whether it has a
 * character SQS refuses. Whoever builds one vouches that these describe `body`: checkBody computes them;
 * SNS derives them for each subscriber's envelope from the parts the subscribers share
 * (sns/queue-delivery.ts). What depends on the queue (its maximum size, FIFO ids) is still checked per send.
 */
export interface CheckedBody {
  body: string;
  md5: string;
  bytes: number;
  invalidChars: boolean;
}

export function checkBody(body: string): CheckedBody {
  return { body, md5: md5Hex(body), bytes: Buffer.byteLength(body, 'utf8'), invalidChars: hasInvalidChars(body) };
}

/**
 * Validates one message for `q`; `batch` changes AWS's wording of the size error and marks the FIFO errors
 * that fail a whole SendMessageBatch. `checked` is the entry's message attributes already validated
 * (SendMessageBatch sizes the whole request first); its error, if any, is thrown at the point where the
 * attributes would have been validated. `checkedBody` is the body with its checks already made, for a
 * message another service sends to many queues (sendCheckedFromService); `e.MessageBody` is then not read.
 */
export function prepareMessage(
  q: Queue,
  e: Input,
  traceHeader: string | undefined,
  batch: boolean,
  checked?: CheckedAttributes,
  checkedBody?: CheckedBody,
): NewMessage {
  // A checked body is tested in the same order, from its kept answers.
  const body = checkedBody ? checkedBody.body : e.MessageBody;
  if (body === undefined || body === null || body === '') throw E.missingParameter('MessageBody');
  if (typeof body !== 'string') throw E.invalidParameter('MessageBody', JSON.stringify(body), 'MessageBody must be a string.');
  if (checkedBody ? checkedBody.invalidChars : hasInvalidChars(body)) throw E.invalidMessageContents();
  let validated: ValidatedAttributes & { md5?: string; json?: string };
  if (!checked) validated = validateMessageAttributes(e.MessageAttributes);
  else if ('ok' in checked) validated = checked.ok;
  else throw checked.error;
  const { attrs, size: attrSize, md5: md5Attrs, json: attrsJson } = validated;
  const sysAttrs = validateSystemAttributes(e.MessageSystemAttributes, traceHeader);
  const max = intAttribute(q.attrs, 'MaximumMessageSize');
  if ((checkedBody ? checkedBody.bytes : Buffer.byteLength(body, 'utf8')) + attrSize > max) {
    throw E.invalidParameterValue(
      `One or more parameters ${batch ? 'cannot be validated' : 'are invalid'}. Reason: Message must be shorter than ${max} bytes.`,
    );
  }
  let delaySeconds = -1;
  if (e.DelaySeconds !== undefined && e.DelaySeconds !== null) {
    const raw = e.DelaySeconds;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > MAX_DELAY_SECONDS) {
      throw E.invalidParameter('DelaySeconds', String(raw), `DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}`);
    }
    if (q.fifo && n !== 0) {
      throw E.invalidParameter('DelaySeconds', n, 'The request include parameter that is not valid for this queue type.');
    }
    delaySeconds = n;
  }
  let groupId: string | undefined;
  let dedupId: string | undefined;
  if (e.MessageGroupId !== undefined && e.MessageGroupId !== null) {
    groupId = validateGroupOrDedupId('MessageGroupId', e.MessageGroupId);
  }
  if (q.fifo) {
    if (groupId === undefined) {
      // In a batch, a FIFO entry without MessageGroupId fails the whole request, and as InvalidParameterValue,
      // not the MissingParameter a single SendMessage gets (AWS-recorded
      // test_send_batch_missing_message_group_id_for_fifo_queue).
      const missing = E.missingParameter('MessageGroupId');
      throw batch ? failingBatch(E.invalidParameterValue(missing.message)) : missing;
    }
    if (e.MessageDeduplicationId !== undefined && e.MessageDeduplicationId !== null) {
      dedupId = validateGroupOrDedupId('MessageDeduplicationId', e.MessageDeduplicationId);
    } else if (q.attrs.ContentBasedDeduplication === 'true') {
      dedupId = sha256Hex(body);
    } else {
      const noDedup = E.invalidParameterValue(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
      // So does, in a batch, a FIFO entry without a dedup id (and no content-based dedup) (AWS-recorded).
      throw batch ? failingBatch(noDedup) : noDedup;
    }
  } else if (e.MessageDeduplicationId !== undefined && e.MessageDeduplicationId !== null) {
    throw E.invalidParameter(
      'MessageDeduplicationId',
      String(e.MessageDeduplicationId),
      'The request includes a parameter that is not valid for this queue type.',
    );
  }
  return {
    body,
    md5Body: checkedBody ? checkedBody.md5 : md5Hex(body),
    attrs,
    md5Attrs: md5Attrs ?? md5OfAttributes(attrs),
    attrsJson,
    sysAttrs,
    md5Sys: md5OfAttributes(sysAttrs),
    groupId,
    dedupId,
    delaySeconds,
    senderId: SENDER_ID,
  };
}

/** Only AWSTraceHeader (String) may be sent; an `X-Amzn-Trace-Id` header becomes one (AWS-recorded). */
function validateSystemAttributes(input: unknown, traceHeader: string | undefined): MessageAttributes | undefined {
  const out: MessageAttributes = {};
  if (input !== undefined && input !== null) {
    if (typeof input !== 'object' || Array.isArray(input)) throw E.invalidParameterValue('MessageSystemAttributes must be a map.');
    for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
      if (name !== 'AWSTraceHeader') throw E.invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
      const v = (raw ?? {}) as Record<string, unknown>;
      if (v.DataType !== 'String') {
        throw E.invalidParameterValue(`Message system attribute '${name}' has an invalid data type. It must be of type 'String'.`);
      }
      if (typeof v.StringValue !== 'string' || v.StringValue.length === 0) {
        throw E.invalidParameterValue(`Message system attribute '${name}' must contain a non-empty value of type 'String'.`);
      }
      out[name] = { DataType: 'String', StringValue: v.StringValue };
    }
  }
  if (!out.AWSTraceHeader && traceHeader) out.AWSTraceHeader = { DataType: 'String', StringValue: traceHeader };
  return Object.keys(out).length ? out : undefined;
}

function sendResult(m: NewMessage, id: string, sequenceNumber: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { MD5OfMessageBody: m.md5Body, MessageId: id };
  if (m.md5Attrs) out.MD5OfMessageAttributes = m.md5Attrs;
  if (m.md5Sys) out.MD5OfMessageSystemAttributes = m.md5Sys;
  if (sequenceNumber) out.SequenceNumber = sequenceNumber;
  return out;
}

/**
 * A batch answer as AWS sends it over JSON: an empty `Successful` or `Failed` list is left out (AWS-recorded:
 * LocalStack test_send_message_batch_with_oversized_contents_with_updated_maximum_message_size[sqs]).
 */
export function batchResult(Successful: Record<string, unknown>[], Failed: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Successful.length) out.Successful = Successful;
  if (Failed.length) out.Failed = Failed;
  return out;
}

/** A batch entry's failure as AWS reports it in `Failed[]` (HTTP 200); anything but an AwsError is a bug. */
export function entryFailure(id: string, err: unknown): Record<string, unknown> {
  if (err instanceof AwsError) return { Id: id, SenderFault: err.fault === 'Sender', Code: err.queryCode, Message: err.message };
  throw err;
}

export function sendOperations(svc: SqsService): Record<string, SqsHandler> {
  return {
    SendMessage(input, ctx) {
      const q = svc.queueFromInput(input, ctx);
      const m = prepareMessage(q, input, ctx.traceHeader, false);
      if (ctx.cause !== undefined) m.cause = ctx.cause;
      const [sent] = svc.messages.send(q, [m]);
      svc.log(`SQS ${q.name} <- 1 msg`);
      return sendResult(m, sent!.id, sent!.sequenceNumber);
    },

    SendMessageBatch(input, ctx) {
      const q = svc.queueFromInput(input, ctx);
      const entries = checkBatch(input, 'SendMessageBatchRequestEntry');
      // Total payload: bodies plus attributes of every entry (AWS-recorded BatchRequestTooLong text).
      // Each entry's attributes are validated once, here; a bad one is reported with its entry below.
      const checked = entries.map((e) => checkAttributes(e.MessageAttributes));
      let total = 0;
      for (const [i, e] of entries.entries()) {
        if (typeof e.MessageBody === 'string') total += Buffer.byteLength(e.MessageBody, 'utf8');
        const c = checked[i]!;
        if ('ok' in c) total += c.ok.size;
      }
      if (total > MAX_BATCH_PAYLOAD) throw E.batchRequestTooLong(total);
      const ok: Array<{ id: string; m: NewMessage }> = [];
      const failed: Record<string, unknown>[] = [];
      for (const [i, e] of entries.entries()) {
        try {
          ok.push({ id: e.Id as string, m: prepareMessage(q, e, ctx.traceHeader, true, checked[i]) });
        } catch (err) {
          // A FIFO entry without MessageGroupId, or without a dedup id, fails the whole request (prepareMessage).
          if (err instanceof AwsError && failsBatch.has(err)) throw err;
          failed.push(entryFailure(e.Id as string, err));
        }
      }
      const sent = ok.length ? svc.messages.send(q, ok.map((o) => o.m)) : [];
      if (ok.length) svc.log(`SQS ${q.name} <- ${ok.length} msgs`);
      return batchResult(
        ok.map((o, i) => ({ Id: o.id, ...sendResult(o.m, sent[i]!.id, sent[i]!.sequenceNumber) })),
        failed,
      );
    },
  };
}

/** Request-level batch rules shared by the three batch operations: 1-10 entries, valid and distinct ids. */
export function checkBatch(input: Input, entryType: string): Input[] {
  const entries = optList(input, 'Entries');
  if (!entries || entries.length === 0) throw E.emptyBatchOf(entryType);
  if (entries.length > MAX_BATCH_ENTRIES) throw E.tooManyEntries(entries.length);
  const seen = new Set<string>();
  for (const e of entries) {
    if (!e || typeof e !== 'object') throw E.invalidBatchEntryId();
    const id = (e as Input).Id;
    if (!isValidBatchEntryId(id)) throw E.invalidBatchEntryId();
    if (seen.has(id)) throw E.batchIdRepeated(id);
    seen.add(id);
  }
  return entries as Input[];
}

export interface ServiceDelivery {
  /** The calling service principal, e.g. `sns.amazonaws.com`. */
  service: string;
  /** `aws:SourceArn` of the call, e.g. the topic ARN. */
  sourceArn: string;
  sourceAccount: string;
  /** The journal event of the delivery this send is part of. */
  cause?: number;
}

/** policy text -> `service source account queue` -> decision (a policy's decision depends on nothing else). */
const decisions = new Map<string, Map<string, ReturnType<typeof evaluatePolicy>>>();

/**
 * The queue policy's decision on a service's send, remembered per policy text: every S3 notification and
 * SNS delivery to a queue asks the same question, and evaluating the policy was a visible part of their cost.
 */
function serviceDecision(policy: string | undefined, queueArn: string, from: ServiceDelivery): ReturnType<typeof evaluatePolicy> {
  // The last question asked about this queue, compared field by field (the same string objects come back
  // at every delivery of one topic, so these are pointer comparisons): no key is built per send.
  const last = lastDecision.get(queueArn);
  if (last && last.policy === policy && last.service === from.service && last.sourceArn === from.sourceArn && last.sourceAccount === from.sourceAccount) {
    return last.decision;
  }
  const decision = rememberedDecision(policy, queueArn, from);
  if (lastDecision.size > 10_000) lastDecision.clear();
  lastDecision.set(queueArn, { policy, service: from.service, sourceArn: from.sourceArn, sourceAccount: from.sourceAccount, decision });
  return decision;
}
const lastDecision = new Map<string, { policy: string | undefined; service: string; sourceArn: string; sourceAccount: string; decision: ReturnType<typeof evaluatePolicy> }>();

function rememberedDecision(policy: string | undefined, queueArn: string, from: ServiceDelivery): ReturnType<typeof evaluatePolicy> {
  const byContext = decisions.get(policy ?? '') ?? new Map<string, ReturnType<typeof evaluatePolicy>>();
  const key = `${from.service} ${from.sourceArn} ${from.sourceAccount} ${queueArn}`;
  let decision = byContext.get(key);
  if (decision === undefined) {
    decision = evaluatePolicy(policy, {
      principal: { service: from.service },
      action: 'sqs:SendMessage',
      resource: queueArn,
      keys: { 'aws:SourceArn': from.sourceArn, 'aws:SourceAccount': from.sourceAccount, 'aws:SourceOwner': from.sourceAccount },
    });
    if (decisions.size > 1000) decisions.clear();
    if (byContext.size > 1000) byContext.clear();
    decisions.set(policy ?? '', byContext);
    byContext.set(key, decision);
  }
  return decision;
}

/**
 * A send made by another AWS service on behalf of a resource (SNS fan-out, Lambda destinations). As on
 * AWS, the queue's Policy must allow the service principal `sqs:SendMessage` (with the aws:SourceArn
 * condition when present); otherwise AccessDenied. Runs in the caller's transaction when there is one.
 */
export function sendFromService(
  svc: SqsService,
  queueArn: string,
  message: Input,
  from: ServiceDelivery,
  traceHeader?: string,
): { MessageId: string; SequenceNumber?: string; duplicate: boolean; queue: string } {
  const q = authorizedQueue(svc.queues.byArn(queueArn), from);
  return sendPrepared(svc, q, prepareMessage(q, message, traceHeader, false), from);
}

/** A message another service sends to several queues, its body and attributes checked once for all of them. */
export interface CheckedServiceMessage {
  body: CheckedBody;
  /** checkMessageAttributes' answer; none: the message has no attributes. */
  attributes?: CheckedAttributes;
  groupId?: string;
  dedupId?: string;
}

/**
 * sendFromService for a message checked once for every queue it goes to (SNS fan-out), to a queue the
 * caller has looked up (undefined: it does not exist). The same checks in the same order, with the same
 * errors; what was checked once is not recomputed: the body's MD5, size and characters, the attributes'
 * validation, MD5 and JSON. The queue's own rules (policy, MaximumMessageSize, FIFO ids) apply per send.
 */
export function sendCheckedFromService(
  svc: SqsService,
  queue: Queue | undefined,
  message: CheckedServiceMessage,
  from: ServiceDelivery,
  traceHeader?: string,
): { MessageId: string; SequenceNumber?: string; duplicate: boolean; queue: string } {
  const q = authorizedQueue(queue, from);
  const ids: Input = {};
  if (message.groupId !== undefined) ids.MessageGroupId = message.groupId;
  if (message.dedupId !== undefined) ids.MessageDeduplicationId = message.dedupId;
  return sendPrepared(svc, q, prepareMessage(q, ids, traceHeader, false, message.attributes ?? NO_ATTRIBUTES, message.body), from);
}

const NO_ATTRIBUTES: CheckedAttributes = { ok: { attrs: undefined, size: 0 } };

/** The queue a service may send to: AWS.SimpleQueueService.NonExistentQueue, or AccessDenied by its Policy. */
function authorizedQueue(q: Queue | undefined, from: ServiceDelivery): Queue {
  if (!q) throw E.queueDoesNotExist();
  const decision = serviceDecision(q.attrs.Policy, q.arn, from);
  if (decision !== 'allow') throw E.accessDenied(q.arn, from.service, from.sourceArn, decision);
  return q;
}

function sendPrepared(svc: SqsService, q: Queue, m: NewMessage, from: ServiceDelivery): { MessageId: string; SequenceNumber?: string; duplicate: boolean; queue: string } {
  m.cause = from.cause;
  const [sent] = svc.messages.send(q, [m]);
  return { MessageId: sent!.id, SequenceNumber: sent!.sequenceNumber, duplicate: sent!.duplicate, queue: q.name };
}
