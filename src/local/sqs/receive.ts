/** ReceiveMessage (with long polling), DeleteMessage(Batch), ChangeMessageVisibility(Batch). */
import type { SqsContext, SqsHandler, SqsService } from './service.js';
import type { Queue } from './queues.js';
import type { ReceivedMessage } from './messages.js';
import type { MessageRow, RowNeeds } from './rows.js';
import * as E from './errors.js';
import { intAttribute } from './attributes.js';
import { optInt, optString, optStringList, reqString, type Input } from './input.js';
import { decodeReceiptHandle, GROUP_ID_RE, md5OfAttributes, type MessageAttributes } from './model.js';
import { batchResult, checkBatch, entryFailure } from './send.js';
import { MAX_RECEIVE, MAX_VISIBILITY_TIMEOUT, MAX_WAIT_SECONDS, MESSAGE_SYSTEM_ATTRIBUTE_NAMES } from './constants.js';

const TWELVE_HOURS_MS = MAX_VISIBILITY_TIMEOUT * 1000;

export function receiveOperations(svc: SqsService): Record<string, SqsHandler> {
  return {
    async ReceiveMessage(input, ctx) {
      const q = svc.queueFromInput(input, ctx);
      const max = optInt(input, 'MaxNumberOfMessages', 1, MAX_RECEIVE, 'Must be between 1 and 10, if provided.') ?? 1;
      const wait =
        optInt(input, 'WaitTimeSeconds', 0, MAX_WAIT_SECONDS, 'Must be >= 0 and <= 20, if provided.') ??
        intAttribute(q.attrs, 'ReceiveMessageWaitTimeSeconds');
      const visibility =
        optInt(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT, 'Must be >= 0 and <= 43200, if provided.') ??
        intAttribute(q.attrs, 'VisibilityTimeout');
      const attemptId = optString(input, 'ReceiveRequestAttemptId');
      if (attemptId !== undefined && !GROUP_ID_RE.test(attemptId)) {
        throw E.invalidParameter('ReceiveRequestAttemptId', attemptId, 'ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
      }
      const systemNames = new Set([...(optStringList(input, 'AttributeNames') ?? []), ...(optStringList(input, 'MessageSystemAttributeNames') ?? [])]);
      const userAttrs = userAttributeSelector(optStringList(input, 'MessageAttributeNames') ?? []);
      const by = { requestId: ctx.requestId, consumer: ctx.consumer };
      // Only the columns the answer shows are read (RowNeeds in messages.ts).
      const needs: RowNeeds = { attrs: userAttrs !== undefined, system: systemNames.size > 0 };
      const firstAt = svc.clock.now();
      // Compared before the receive, at every call: a comparison first reached when a queue runs empty would
      // have no type feedback, and V8 would throw away this function's optimized code there (and recompile
      // it, with what it inlines, ~25 ms of CPU) each time a queue drained under a busy consumer.
      const longPoll = wait > 0;
      let got = svc.messages.receiveNow(q, max, visibility, by, needs);
      if (got.length === 0 && longPoll && !ctx.signal?.aborted) {
        got = await svc.messages.waitFor(q, wait * 1000, () => {
          const live = svc.queues.get(q.name);
          return live ? svc.messages.receiveNow(live, max, visibility, by, needs) : [];
        }, ctx.signal, firstAt);
      }
      if (got.length) svc.log(`SQS ${q.name} -> ${got.length} msg${got.length > 1 ? 's' : ''}`);
      return got.length ? { Messages: got.map((m) => renderMessage(m, systemNames, userAttrs)) } : {};
    },

    DeleteMessage(input, ctx) {
      const q = svc.queueFromInput(input, ctx);
      deleteOne(svc, q, reqString(input, 'ReceiptHandle'));
      return {};
    },

    DeleteMessageBatch(input, ctx) {
      const q = svc.queueFromInput(input, ctx);
      const entries = checkBatch(input, 'DeleteMessageBatchRequestEntry');
      const Successful: Record<string, unknown>[] = [];
      const Failed: Record<string, unknown>[] = [];
      svc.messages.batch(() => {
        if (!q.fifo) return deleteStandard(svc, q, entries, Successful, Failed);
        for (const e of entries) {
          try {
            deleteOne(svc, q, reqString(e, 'ReceiptHandle'));
            Successful.push({ Id: e.Id });
          } catch (err) {
            Failed.push(entryFailure(e.Id as string, err));
          }
        }
      });
      return batchResult(Successful, Failed);
    },

    ChangeMessageVisibility(input, ctx) {
      const q = svc.queueFromInput(input, ctx);
      const rh = reqString(input, 'ReceiptHandle');
      if (input.VisibilityTimeout === undefined || input.VisibilityTimeout === null) throw E.missingParameter('VisibilityTimeout');
      const t = optInt(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT, 'Must be between 0 and 43200, if provided.')!;
      changeVisibility(svc, q, rh, t);
      return {};
    },

    ChangeMessageVisibilityBatch(input, ctx) {
      const q = svc.queueFromInput(input, ctx);
      const entries = checkBatch(input, 'ChangeMessageVisibilityBatchRequestEntry');
      const Successful: Record<string, unknown>[] = [];
      const Failed: Record<string, unknown>[] = [];
      svc.messages.batch(() => {
        for (const e of entries) {
          try {
            const rh = reqString(e, 'ReceiptHandle');
            const t = optInt(e, 'VisibilityTimeout', 0, MAX_VISIBILITY_TIMEOUT, 'Must be between 0 and 43200, if provided.') ?? 0;
            changeVisibility(svc, q, rh, t);
            Successful.push({ Id: e.Id });
          } catch (err) {
            Failed.push(entryFailure(e.Id as string, err));
          }
        }
      });
      return batchResult(Successful, Failed);
    },
  };
}

function handleFor(q: Queue, rh: string): { seq: number; nonce: string } {
  const h = decodeReceiptHandle(rh);
  if (!h || h.queue !== q.name) throw E.receiptHandleIsInvalid(rh);
  return h;
}

const expired = (rh: string) => E.invalidParameter('ReceiptHandle', rh, 'The receipt handle has expired.');

/**
 * Standard queues delete with any handle the message was ever received with (AWS); FIFO queues need the
 * latest handle while the message is still in flight. Deleting a message that is already gone succeeds.
 */
function deleteOne(svc: SqsService, q: Queue, rh: string): void {
  const h = handleFor(q, rh);
  if (q.fifo) {
    const row = svc.messages.handleState(q, h.seq);
    if (!row) return;
    if (row.nonce !== h.nonce || row.visible_ms <= svc.clock.now()) throw expired(rh);
  }
  const gone = svc.messages.deleteFrom(q, h.seq);
  if (gone === undefined) return;
  svc.messages.journal.deleted(q.arn, gone.id, undefined, gone.jseq);
  // Deleting the in-flight head of a FIFO group unlocks the group: long polls waiting on it answer now.
  if (q.fifo) svc.messages.notify(q.name);
}

/**
 * DeleteMessageBatch on a standard queue: the entries' handles checked one by one (a bad one fails alone),
 * then every row deleted in one statement; the same outcome as `deleteOne` per entry, in entry order
 * (a message named twice is deleted, and journalled, once).
 */
function deleteStandard(svc: SqsService, q: Queue, entries: Input[], Successful: Record<string, unknown>[], Failed: Record<string, unknown>[]): void {
  const seqs: number[] = [];
  for (const e of entries) {
    try {
      seqs.push(handleFor(q, reqString(e, 'ReceiptHandle')).seq);
      Successful.push({ Id: e.Id });
    } catch (err) {
      Failed.push(entryFailure(e.Id as string, err));
    }
  }
  if (seqs.length === 0) return;
  const gone = svc.messages.deleteMany(q, seqs);
  const journal = svc.messages.journal;
  const now = svc.clock.now();
  for (const seq of seqs) {
    const d = gone.get(seq);
    if (d === undefined) continue;
    gone.delete(seq);
    journal.deleted(q.arn, d.id, now, d.jseq);
  }
}

function changeVisibility(svc: SqsService, q: Queue, rh: string, seconds: number): void {
  const h = handleFor(q, rh);
  const row = svc.messages.get(q, h.seq);
  if (!row) {
    throw E.invalidParameter('ReceiptHandle', rh, 'Message does not exist or is not available for visibility timeout change.');
  }
  const now = svc.clock.now();
  // A message that is no longer in flight (its visibility timeout ran out) is left alone and the call
  // succeeds: AWS answers 200 and does nothing (LocalStack test_change_message_visibility_after_visibility_
  // timeout_expiration, aws.validated; moto PR #3586 found no way to get MessageNotInflight from AWS).
  if (row.inflight !== 1 || row.visible_ms <= now) return;
  // Standard queues take any handle the message was received with, as DeleteMessage does: an earlier
  // receive's handle changes the current visibility (LocalStack test_terminate_visibility_timeout_after_
  // receive, aws.validated). FIFO queues want the latest one.
  if (q.fifo && row.nonce !== h.nonce) throw expired(rh);
  if (row.first_receive_ms !== null && now + seconds * 1000 - row.first_receive_ms > TWELVE_HOURS_MS) {
    throw E.invalidParameter('VisibilityTimeout', seconds, `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_TIMEOUT} seconds]`);
  }
  const journal = svc.messages.journal;
  const jseq = journal.record({ type: 'sqs.visibility-changed', resource: q.arn, id: row.id, cause: journal.lastOfRow(row.id, row.jseq), data: { visibilityTimeout: seconds } });
  svc.messages.setVisibility(q, row.seq, now + seconds * 1000, jseq);
}

/**
 * Renders a received message with the requested system attributes and the requested subset of user
 * attributes (`userAttrs` undefined: none were asked for, and the stored ones are not even parsed).
 */
export function renderMessage(m: ReceivedMessage, systemNames: Set<string>, userAttrs: AttributeSelector | undefined): Record<string, unknown> {
  const r = m.row;
  const out: Record<string, unknown> = { MessageId: r.id, ReceiptHandle: m.receiptHandle, MD5OfBody: r.md5_body, Body: r.body };
  const sys = systemAttributes(r, systemNames);
  if (sys) out.Attributes = sys;
  if (userAttrs && r.attrs) {
    const stored = JSON.parse(r.attrs) as MessageAttributes;
    const user: MessageAttributes = {};
    let total = 0;
    let kept = 0;
    for (const [k, v] of Object.entries(stored)) {
      total++;
      if (userAttrs(k)) {
        user[k] = v;
        kept++;
      }
    }
    if (kept > 0) {
      // Every attribute (the usual `All`): the digest computed at send time is the one to return.
      out.MD5OfMessageAttributes = r.md5_attrs && kept === total ? r.md5_attrs : md5OfAttributes(user);
      out.MessageAttributes = user;
    }
  }
  return out;
}

export function systemAttributes(r: MessageRow, names: Set<string>): Record<string, string> | undefined {
  if (names.size === 0) return undefined;
  const all = names.has('All');
  const want = (n: string) => all || names.has(n);
  const out: Record<string, string> = {};
  for (const n of MESSAGE_SYSTEM_ATTRIBUTE_NAMES) {
    if (!want(n)) continue;
    switch (n) {
      case 'SenderId':
        out[n] = r.sender_id;
        break;
      case 'SentTimestamp':
        out[n] = String(r.sent_ms);
        break;
      case 'ApproximateReceiveCount':
        out[n] = String(r.receive_count);
        break;
      case 'ApproximateFirstReceiveTimestamp':
        if (r.first_receive_ms !== null) out[n] = String(r.first_receive_ms);
        break;
      case 'SequenceNumber':
        if (r.sequence_number) out[n] = r.sequence_number;
        break;
      case 'MessageDeduplicationId':
        if (r.dedup_id) out[n] = r.dedup_id;
        break;
      case 'MessageGroupId':
        if (r.group_id) out[n] = r.group_id;
        break;
      case 'AWSTraceHeader': {
        const sys = r.sys_attrs ? (JSON.parse(r.sys_attrs) as MessageAttributes) : undefined;
        const v = sys?.AWSTraceHeader?.StringValue;
        if (v) out[n] = v;
        break;
      }
      case 'DeadLetterQueueSourceArn':
        if (r.dlq_source) out[n] = r.dlq_source;
        break;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** Whether a user attribute name was asked for; built once per ReceiveMessage request. */
export type AttributeSelector = (name: string) => boolean;

/**
 * `All`, `*` and `.*` select everything, `Prefix.*` a prefix; unknown names are ignored (AWS-recorded).
 * Undefined when no name is given: no user attribute is returned.
 */
function userAttributeSelector(names: string[]): AttributeSelector | undefined {
  if (names.length === 0) return undefined;
  if (names.some((n) => n === 'All' || n === '*' || n === '.*')) return () => true;
  const exact = new Set(names);
  // `Hel.*` selects `Hello` and `Help.Me` (AWS-recorded): the prefix is the name without `.*`.
  const prefixes = names.filter((n) => n.endsWith('.*') && n.length > 2).map((n) => n.slice(0, -2));
  if (prefixes.length === 0) return (k) => exact.has(k);
  return (k) => exact.has(k) || prefixes.some((p) => k.startsWith(p));
}

export type { SqsContext };
