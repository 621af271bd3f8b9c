/**
 * What the client-side mover sends for a dead letter: the same body, every message attribute and the
 * AWSTraceHeader, the FIFO group, a deduplication id derived from the DLQ message id (so a re-send within
 * SQS's 5-minute window is dropped, and never equal to the id the message was first sent with), and two
 * stamps when there is room: `svl.original-message-id` (kept from an earlier redrive) and
 * `svl.redriven-from` (the DLQ's ARN).
 */
import { createHash } from 'node:crypto';
import type { Message, MessageAttributeValue, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';

export const STAMP_ORIGINAL_ID = 'svl.original-message-id';
export const STAMP_FROM = 'svl.redriven-from';
/** AWS: at most 10 message attributes per message. */
const MAX_ATTRIBUTES = 10;

/** The system attributes the mover needs from a receive. */
export const MOVER_SYSTEM_ATTRIBUTES = ['MessageGroupId', 'DeadLetterQueueSourceArn', 'AWSTraceHeader', 'SentTimestamp', 'ApproximateReceiveCount'] as const;

export const dedupIdFor = (dlqArn: string, messageId: string): string => createHash('sha256').update(`${dlqArn}\n${messageId}`).digest('hex');

export interface Outgoing {
  message: Message;
  /** Without Id: set per batch. */
  entry: Omit<SendMessageBatchRequestEntry, 'Id'>;
  /** Bytes counted against the batch payload limit. */
  bytes: number;
  stamped: boolean;
}

export function outgoing(m: Message, dlqArn: string, fifo: boolean): Outgoing {
  const attrs: Record<string, MessageAttributeValue> = {};
  let bytes = Buffer.byteLength(m.Body ?? '');
  for (const [k, a] of Object.entries(m.MessageAttributes ?? {})) {
    // Only the value fields SendMessage accepts (the receive shape also carries empty list fields).
    attrs[k] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: a.BinaryValue } : { DataType: a.DataType, StringValue: a.StringValue };
  }
  let stamped = true;
  for (const [k, v] of [[STAMP_ORIGINAL_ID, m.MessageId ?? ''], [STAMP_FROM, dlqArn]] as const) {
    if (k in attrs) continue; // redriven before: the first original id stays
    if (Object.keys(attrs).length >= MAX_ATTRIBUTES) stamped = false;
    else attrs[k] = { DataType: 'String', StringValue: v };
  }
  for (const [k, a] of Object.entries(attrs)) bytes += Buffer.byteLength(k) + Buffer.byteLength(a.DataType ?? '') + Buffer.byteLength(a.StringValue ?? '') + (a.BinaryValue?.length ?? 0);
  const trace = m.Attributes?.AWSTraceHeader;
  return {
    message: m,
    stamped,
    bytes,
    entry: {
      MessageBody: m.Body ?? '',
      MessageAttributes: attrs,
      ...(trace && { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } } }),
      ...(fifo && { MessageGroupId: m.Attributes?.MessageGroupId, MessageDeduplicationId: dedupIdFor(dlqArn, m.MessageId ?? '') }),
    },
  };
}
