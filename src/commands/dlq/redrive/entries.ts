/**
 * What the client-side mover sends for a dead letter: the same body, every message attribute and the
 * AWSTraceHeader, the FIFO group, a deduplication id derived from the DLQ message id (so a re-send within
 * SQS's 5-minute window is dropped, and never equal to the id the message was first sent with), and two
 * stamps when there is room: `svl.original-message-id` (kept from an earlier redrive) and
 * `svl.redriven-from` (the DLQ's ARN).
 *
 * Stamps never make a message unsendable: they are left off a message that already has 10 attributes, or
 * that they would push past SQS's 1 MiB message size (body + attribute names, types and values; system
 * attributes such as AWSTraceHeader do not count). Such a message moves as it was dead-lettered, and the
 * caller counts it (`unstamped`). Deliberately not done: trimming or rewriting anything of the message.
 */
import { createHash } from 'node:crypto';
import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';

export const STAMP_ORIGINAL_ID = 'svl.original-message-id';
export const STAMP_FROM = 'svl.redriven-from';
/** AWS: at most 10 message attributes per message. */
const MAX_ATTRIBUTES = 10;
/** AWS: a message (body + message attributes) is at most 1 MiB; so is a whole SendMessageBatch. */
export const MAX_MESSAGE_BYTES = 1_048_576;

/** The system attributes the mover needs from a receive. */
export const MOVER_SYSTEM_ATTRIBUTES = ['MessageGroupId', 'DeadLetterQueueSourceArn', 'AWSTraceHeader', 'SentTimestamp', 'ApproximateReceiveCount'] as const;

export const dedupIdFor = (dlqArn: string, messageId: string): string => createHash('sha256').update(`${dlqArn}\n${messageId}`).digest('hex');

export interface Outgoing {
  message: Message;
  /** Without Id: set per batch. */
  entry: Omit<SendMessageBatchRequestEntry, 'Id'>;
  /** Bytes counted against the batch payload limit. */
  bytes: number;
  /** Why the svl.* stamps were left off, or null when they are on. */
  unstamped: null | 'attributes' | 'size';
}

const attributeBytes = (k: string, a: MessageAttributeValue) =>
  Buffer.byteLength(k) + Buffer.byteLength(a.DataType ?? '') + Buffer.byteLength(a.StringValue ?? '') + (a.BinaryValue?.length ?? 0);

export function outgoing(m: Message, dlqArn: string, fifo: boolean): Outgoing {
  const attrs: Record<string, MessageAttributeValue> = {};
  let bytes = Buffer.byteLength(m.Body ?? '');
  for (const [k, a] of Object.entries(m.MessageAttributes ?? {})) {
    // Only the value fields SendMessage accepts (the receive shape also carries empty list fields).
    attrs[k] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: a.BinaryValue } : { DataType: a.DataType, StringValue: a.StringValue };
    bytes += attributeBytes(k, attrs[k]!);
  }
  let unstamped: Outgoing['unstamped'] = null;
  const stamps: Array<[string, MessageAttributeValue]> = [];
  for (const [k, v] of [[STAMP_ORIGINAL_ID, m.MessageId ?? ''], [STAMP_FROM, dlqArn]] as const) {
    if (k in attrs) continue; // redriven before: the first original id stays
    stamps.push([k, { DataType: 'String', StringValue: v }]);
  }
  // As many stamps as the 10-attribute limit leaves room for (the original id first)…
  const room = Math.max(0, MAX_ATTRIBUTES - Object.keys(attrs).length);
  if (stamps.length > room) unstamped = 'attributes';
  const added = stamps.slice(0, room);
  const stampBytes = added.reduce((n, [k, a]) => n + attributeBytes(k, a), 0);
  // …and none at all if they would push the message past 1 MiB.
  if (added.length > 0 && bytes + stampBytes > MAX_MESSAGE_BYTES) unstamped = 'size';
  else {
    for (const [k, a] of added) attrs[k] = a;
    bytes += stampBytes;
  }
  const trace = m.Attributes?.AWSTraceHeader;
  return {
    message: m,
    unstamped,
    bytes,
    entry: {
      MessageBody: m.Body ?? '',
      MessageAttributes: attrs,
      ...(trace && { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } } }),
      ...(fifo && { MessageGroupId: m.Attributes?.MessageGroupId, MessageDeduplicationId: dedupIdFor(dlqArn, m.MessageId ?? '') }),
    },
  };
}
