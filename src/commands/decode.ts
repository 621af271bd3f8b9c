/**
 * What `svl tail` and `svl dlq peek` show of a message, from an SDK ReceiveMessage result or from the
 * emulator's peek: one flat shape (ids, times, receive count, group, attributes as strings) with the
 * body parsed when it is JSON and SNS envelopes unwrapped - the topic, subject and SNS message id kept,
 * the envelope's MessageAttributes turned into ordinary attributes.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { arnName } from '../aws/inventory-model.js';
import type { PeekedMessage, PeekState } from '../aws/peek.js';
import { decodeS3Event, type S3EventInfo } from './s3-event.js';

export type ReadVia = 'peek' | 'tap' | 'receive';

export interface SnsOrigin {
  topic: string;
  topicArn: string;
  messageId: string;
  subject: string | null;
  timestamp: string | null;
}

export interface DecodedMessage {
  /** The queue (or topic, for a topic tap) the message was read for. */
  source: string;
  messageId: string;
  /** ISO time the message was sent (SentTimestamp), or null when unknown. */
  sentAt: string | null;
  sentTimestamp: number | null;
  /** ApproximateReceiveCount as it was when read (a receive includes its own). */
  receiveCount: number | null;
  groupId: string | null;
  sequenceNumber: string | null;
  /** Peek only: visible, inflight or delayed. */
  state: PeekState | null;
  /** Message attributes, values as text (Binary as base64, String.Array as its JSON). */
  attributes: Record<string, string>;
  /** The body: parsed when it is a JSON object or array, else the text. */
  body: unknown;
  bodyIsJson: boolean;
  /** Set when the message is an SNS notification (unwrapped) or came through a topic tap. */
  sns: SnsOrigin | null;
  /** DeadLetterQueueSourceArn: the queue a dead letter came from. */
  deadLetterSourceArn: string | null;
  via: ReadVia;
  /** Set when the body is an S3 event notification (or S3's test event): s3-event.ts. */
  s3: S3EventInfo | null;
}

type AttrIn = { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array | string };

function attributeText(a: AttrIn): string {
  if (a.StringValue !== undefined) return a.StringValue;
  if (a.BinaryValue === undefined) return '';
  return typeof a.BinaryValue === 'string' ? a.BinaryValue : Buffer.from(a.BinaryValue).toString('base64');
}

function flatten(attrs: Record<string, AttrIn> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, a] of Object.entries(attrs ?? {})) out[name] = attributeText(a);
  return out;
}

/** A JSON object or array parsed; anything else (plain text, a bare number) stays text. */
export function parseBody(text: string): { body: unknown; bodyIsJson: boolean } {
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return { body: JSON.parse(text) as unknown, bodyIsJson: true };
    } catch {
      /* text that merely starts like JSON */
    }
  }
  return { body: text, bodyIsJson: false };
}

interface Envelope {
  Type: string;
  MessageId?: string;
  TopicArn: string;
  Subject?: string | null;
  Message: string;
  Timestamp?: string;
  MessageAttributes?: Record<string, { Type?: string; Value?: string }>;
}

/** An SNS Notification as SNS delivers it to SQS without raw delivery. */
function snsEnvelope(body: unknown): Envelope | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const e = body as Partial<Envelope>;
  if (e.Type !== 'Notification' || typeof e.TopicArn !== 'string' || typeof e.Message !== 'string') return undefined;
  return e as Envelope;
}

interface Raw {
  messageId: string;
  body: string;
  system: Record<string, string>;
  attributes: Record<string, string>;
  state: PeekState | null;
}

function decode(raw: Raw, source: string, via: ReadVia, topicArn?: string): DecodedMessage {
  const sys = raw.system;
  const sent = Number(sys.SentTimestamp);
  const count = Number(sys.ApproximateReceiveCount);
  let { body, bodyIsJson } = parseBody(raw.body);
  let attributes = raw.attributes;
  let sns: SnsOrigin | null = null;
  const env = snsEnvelope(body);
  if (env) {
    ({ body, bodyIsJson } = parseBody(env.Message));
    sns = { topic: arnName(env.TopicArn), topicArn: env.TopicArn, messageId: env.MessageId ?? '', subject: env.Subject ?? null, timestamp: env.Timestamp ?? null };
    const fromEnvelope: Record<string, string> = {};
    for (const [name, a] of Object.entries(env.MessageAttributes ?? {})) fromEnvelope[name] = a.Value ?? '';
    attributes = { ...attributes, ...fromEnvelope };
  } else if (topicArn) {
    // A raw-delivery tap of one topic: the topic is known even though the envelope is gone.
    sns = { topic: arnName(topicArn), topicArn, messageId: '', subject: null, timestamp: null };
  }
  return {
    source,
    messageId: raw.messageId,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    sentTimestamp: Number.isFinite(sent) && sent > 0 ? sent : null,
    receiveCount: sys.ApproximateReceiveCount !== undefined && Number.isFinite(count) ? count : null,
    groupId: sys.MessageGroupId ?? null,
    sequenceNumber: sys.SequenceNumber ?? null,
    state: raw.state,
    attributes,
    body,
    bodyIsJson,
    sns,
    deadLetterSourceArn: sys.DeadLetterQueueSourceArn ?? null,
    via,
    s3: decodeS3Event(body),
  };
}

export function decodeReceived(m: Message, source: string, via: ReadVia, topicArn?: string): DecodedMessage {
  return decode(
    { messageId: m.MessageId ?? '', body: m.Body ?? '', system: (m.Attributes ?? {}) as Record<string, string>, attributes: flatten(m.MessageAttributes), state: null },
    source,
    via,
    topicArn,
  );
}

export function decodePeeked(m: PeekedMessage, source: string): DecodedMessage {
  return decode({ messageId: m.MessageId, body: m.Body, system: m.Attributes, attributes: flatten(m.MessageAttributes), state: m.State }, source, 'peek');
}
