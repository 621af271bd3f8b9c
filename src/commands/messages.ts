/**
 * What `svl send` and `svl publish` share before any AWS call: the message body (argument, @file, or
 * piped stdin), the common flags, and the parsing of `--ndjson` lines.
 *
 * An --ndjson line is one of:
 * - an object with a "body" key: an envelope `{"body": ..., "attributes": {...}, "group": ..., "dedup": ...}`
 *   (+ "delay" for send, "subject" for publish). A string body is sent as is, any other body as its JSON.
 *   Attribute values: a string (String), a number (Number), an array (String.Array) or an SQS/SNS shape
 *   `{"DataType": "Number", "StringValue": "5"}`. Other keys are an error, so a typo is not sent as data;
 * - a JSON string: its value is the body;
 * - any other JSON value (an object without "body", an array, a number): the line itself is the body.
 * Blank lines are skipped; they still count for line numbers.
 */
import { UsageError } from '../errors.js';
import { parseAttrs, readValue, type MessageAttributeArg } from './input.js';

/** AWS: at most 10 message attributes (SQS and SNS). */
export const MAX_ATTRIBUTES = 10;
export const MAX_DELAY_SECONDS = 900;

export interface OutgoingMessage {
  body: string;
  attributes: Record<string, MessageAttributeArg>;
  group?: string;
  dedup?: string;
  delay?: number;
  subject?: string;
}

export type Kind = 'send' | 'publish';

export interface LineFailure {
  line: number;
  code: string;
  message: string;
}

/** The body from the argument (text, `@file`, `-`), else from stdin when it is piped. */
export function resolveBody(arg: string | undefined, stdin: { isTTY?: boolean }, readStdin: () => string, what: string): string {
  let body: string;
  if (arg !== undefined) body = readValue(arg, what);
  else if (!stdin.isTTY) body = readStdin();
  else throw new UsageError(`Missing the ${what}`, { hint: `Pass it as an argument, as @file, or pipe it on stdin (or use --ndjson for many)` });
  if (body === '') {
    throw new UsageError(arg === undefined ? `Missing the ${what}: no argument, and stdin is empty` : `The ${what} is empty`, {
      hint: `Pass it as an argument, as @file, or pipe it on stdin`,
    });
  }
  return body;
}

const ID = /^[\x21-\x7E]{1,128}$/;

/** Group and deduplication ids: 1-128 printable ASCII characters (AWS). */
export function checkId(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && !ID.test(value)) throw new UsageError(`${flag} must be 1-128 printable ASCII characters without spaces (got "${value}")`, { hint: `e.g. ${flag} order-42` });
  return value;
}

export function parseDelay(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > MAX_DELAY_SECONDS) {
    throw new UsageError(`--delay must be a whole number of seconds from 0 to ${MAX_DELAY_SECONDS} (got "${value}")`, { hint: 'e.g. --delay 30' });
  }
  return n;
}

export function parseAttributeFlags(list: readonly string[] | undefined): Record<string, MessageAttributeArg> {
  const attrs = parseAttrs(list);
  if (Object.keys(attrs).length > MAX_ATTRIBUTES) throw new UsageError(`At most ${MAX_ATTRIBUTES} --attr per message (got ${Object.keys(attrs).length})`, { hint: 'SQS and SNS take at most 10 message attributes; put the rest in the body' });
  return attrs;
}

/** Subjects: up to 100 characters on one line (SNS). */
export function checkSubject(subject: string | undefined): string | undefined {
  if (subject === undefined) return undefined;
  if (subject === '' || subject.length > 100 || /[\r\n]/.test(subject)) throw new UsageError('--subject must be 1-100 characters on one line', { hint: 'e.g. --subject "Order shipped"' });
  return subject;
}

const ENVELOPE_KEYS: Record<Kind, readonly string[]> = {
  send: ['body', 'attributes', 'group', 'dedup', 'delay'],
  publish: ['body', 'attributes', 'group', 'dedup', 'subject'],
};

/**
 * One --ndjson line: a message (flag defaults merged, the line's own values win), a failure naming the
 * line, or null for a blank line.
 */
export function parseNdjsonLine(text: string, line: number, kind: Kind, defaults: OutgoingMessage): OutgoingMessage | LineFailure | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const bad = (message: string, code = 'InvalidLine'): LineFailure => ({ line, code, message });
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    return bad(`not valid JSON (${(err as Error).message})`, 'MalformedLine');
  }
  if (typeof value === 'string') return value === '' ? bad('the body is empty') : { ...defaults, body: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('body' in value)) return { ...defaults, body: trimmed };

  const e = value as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !ENVELOPE_KEYS[kind].includes(k));
  if (unknown.length > 0) return bad(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (an object with "body" is an envelope: ${ENVELOPE_KEYS[kind].join(', ')})`);
  const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
  if (body === '' || body === undefined) return bad('the body is empty');
  const out: OutgoingMessage = { ...defaults, body, attributes: { ...defaults.attributes } };
  if (e.attributes !== undefined) {
    if (typeof e.attributes !== 'object' || e.attributes === null || Array.isArray(e.attributes)) return bad('"attributes" must be an object');
    for (const [name, v] of Object.entries(e.attributes)) {
      const attr = attributeValue(v);
      if (!attr) return bad(`attribute "${name}": use a string, a number, an array, or {"DataType": ..., "StringValue": ...}`);
      out.attributes[name] = attr;
    }
    if (Object.keys(out.attributes).length > MAX_ATTRIBUTES) return bad(`more than ${MAX_ATTRIBUTES} attributes`);
  }
  for (const key of ['group', 'dedup', 'subject'] as const) {
    if (e[key] === undefined) continue;
    if (typeof e[key] !== 'string') return bad(`"${key}" must be a string`);
    if (key !== 'subject' && !ID.test(e[key])) return bad(`"${key}" must be 1-128 printable ASCII characters without spaces`);
    out[key] = e[key];
  }
  if (e.delay !== undefined) {
    if (typeof e.delay !== 'number' || !Number.isInteger(e.delay) || e.delay < 0 || e.delay > MAX_DELAY_SECONDS) return bad(`"delay" must be a whole number from 0 to ${MAX_DELAY_SECONDS}`);
    out.delay = e.delay;
  }
  return out;
}

function attributeValue(v: unknown): MessageAttributeArg | undefined {
  if (typeof v === 'string') return v === '' ? undefined : { DataType: 'String', StringValue: v };
  if (typeof v === 'number' && Number.isFinite(v)) return { DataType: 'Number', StringValue: String(v) };
  if (Array.isArray(v)) return { DataType: 'String.Array', StringValue: JSON.stringify(v) };
  if (typeof v === 'object' && v !== null) {
    const a = v as Record<string, unknown>;
    if (typeof a.DataType !== 'string') return undefined;
    if (typeof a.StringValue === 'string') return { DataType: a.DataType, StringValue: a.StringValue };
    if (typeof a.BinaryValue === 'string') return { DataType: a.DataType, BinaryValue: a.BinaryValue };
  }
  return undefined;
}

export const isFailure = (x: OutgoingMessage | LineFailure): x is LineFailure => 'code' in x;

export interface SendProblem {
  code: string;
  message: string;
  /** The flag that fixes it (or the envelope key, without the dashes). */
  flag: '--group' | '--dedup' | '--delay';
  /** true: the value is missing; false: it must go. */
  missing: boolean;
}

/** What a FIFO or standard destination would reject, checked before sending (AWS rejects it too, less clearly). */
export function fifoProblem(m: OutgoingMessage, dest: { fifo: boolean; contentBasedDeduplication: boolean; kind: 'queue' | 'topic' }): SendProblem | undefined {
  if (dest.fifo) {
    if (m.group === undefined) return { code: 'MissingGroupId', flag: '--group', missing: true, message: `a FIFO ${dest.kind} needs a message group id` };
    if (m.dedup === undefined && !dest.contentBasedDeduplication) {
      return { code: 'MissingDeduplicationId', flag: '--dedup', missing: true, message: `the FIFO ${dest.kind} has no content-based deduplication, so every message needs a deduplication id` };
    }
    if (m.delay !== undefined) return { code: 'InvalidDelay', flag: '--delay', missing: false, message: 'FIFO queues take no per-message delay (set the queue\'s DelaySeconds instead)' };
  } else if (m.dedup !== undefined) {
    return { code: 'InvalidDeduplicationId', flag: '--dedup', missing: false, message: `a deduplication id applies to FIFO ${dest.kind}s only` };
  }
  return undefined;
}

/** The usage error for a single message's problem, naming the destination and the flag. */
export function problemError(p: SendProblem, name: string): UsageError {
  return new UsageError(`${name}: ${p.message}`, { hint: p.missing ? `Pass ${p.flag} <id>` : `Drop ${p.flag}` });
}

/** The same problem as a line failure of --ndjson. */
export function problemFailure(p: SendProblem, line: number): LineFailure {
  const key = p.flag.slice(2);
  return { line, code: p.code, message: p.missing ? `${p.message}: give "${key}" on the line or pass ${p.flag}` : `${p.message}: drop "${key}"` };
}

/** The SDK wants Binary attribute values as bytes; the flags parse them to base64. */
export function sdkAttributes(attrs: Record<string, MessageAttributeArg>) {
  const out: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }> = {};
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue, 'base64') } : { DataType: a.DataType, StringValue: a.StringValue };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Bytes a message counts against a batch's payload limit: body plus attribute names, types and values. */
export function payloadBytes(m: OutgoingMessage): number {
  let n = Buffer.byteLength(m.body);
  for (const [name, a] of Object.entries(m.attributes)) {
    n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue ?? '') + (a.BinaryValue ? Buffer.from(a.BinaryValue, 'base64').length : 0);
  }
  return n;
}
