/**
 * Pure SQS mechanics: digests, validation of names, bodies and message attributes, receipt handles.
 * No state (one scratch buffer that a receipt handle's bytes pass through, never kept across calls), no I/O.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { randomHex } from '../random.js';
import * as E from './errors.js';
import { MAX_MESSAGE_ATTRIBUTES, MAX_QUEUE_NAME, REGION as DEFAULT_REGION } from './constants.js';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string; // base64 on the wire
  StringListValues?: string[];
  BinaryListValues?: string[];
}
export type MessageAttributes = Record<string, MessageAttributeValue>;

/** `crypto.hash` (Node >= 20.12), one call and no Hash object: half the cost of createHash on a small body. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }).hash;
export const md5Hex = oneShot
  ? (data: string | Buffer): string => oneShot('md5', data, 'hex')
  : (data: string | Buffer): string => createHash('md5').update(data).digest('hex');
export const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');

/**
 * MD5OfMessageAttributes exactly as AWS (and the Java SDK's MessageMD5ChecksumInterceptor) computes it:
 * names sorted, each of name / DataType / value length-prefixed (4-byte big-endian), with a transport
 * byte 1 (string), 2 (binary), 3 (string list), 4 (binary list).
 */
export function md5OfAttributes(attrs: MessageAttributes | undefined): string | undefined {
  if (!attrs) return undefined;
  const names = Object.keys(attrs);
  if (names.length === 0) return undefined;
  if (names.length > 1) names.sort();
  return md5OfAsciiAttributes(attrs, names) ?? md5OfAttributeBytes(attrs, names);
}

/**
 * The usual case without a Buffer: string values and names in ASCII whose lengths have no byte >= 0x80
 * (any under 128). Their digest input is then a string whose UTF-8 is exactly the bytes AWS digests (each
 * length as 4 characters U+0000-U+007F, the transport byte 1 as U+0001), hashed in one call. Undefined
 * when a piece does not qualify (binary or list values, other text): `md5OfAttributeBytes` then.
 */
function md5OfAsciiAttributes(attrs: MessageAttributes, names: string[]): string | undefined {
  let input = '';
  for (const name of names) {
    const a = attrs[name]!;
    const value = a.StringValue;
    if (value === undefined || !asciiPiece(name) || !asciiPiece(a.DataType) || !asciiPiece(value)) return undefined;
    input += `${lengthChars(name.length)}${name}${lengthChars(a.DataType.length)}${a.DataType}\u0001${lengthChars(value.length)}${value}`;
  }
  return md5Hex(input);
}
/** ASCII (a string's UTF-8 is as long as it only then) and a length whose 4 bytes are all under 0x80. */
const asciiPiece = (s: string): boolean => (s.length & 0x80808080) === 0 && Buffer.byteLength(s, 'utf8') === s.length;
const lengthChars = (n: number): string =>
  String.fromCharCode((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

function md5OfAttributeBytes(attrs: MessageAttributes, names: string[]): string {
  // The pieces in order (a number is a transport byte; a string or a buffer gets its 4-byte length),
  // then written into one buffer: one allocation per digest, not three per field.
  const pieces: Array<string | Buffer | number> = [];
  for (const name of names) {
    const a = attrs[name]!;
    pieces.push(name, a.DataType);
    if (a.StringValue !== undefined) pieces.push(1, a.StringValue);
    else if (a.BinaryValue !== undefined) pieces.push(2, Buffer.from(a.BinaryValue, 'base64'));
    else if (a.StringListValues && a.StringListValues.length) pieces.push(3, ...a.StringListValues);
    else if (a.BinaryListValues && a.BinaryListValues.length) pieces.push(4, ...a.BinaryListValues.map((b) => Buffer.from(b, 'base64')));
  }
  let size = 0;
  for (const p of pieces) size += typeof p === 'number' ? 1 : 4 + (typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length);
  const buf = Buffer.allocUnsafe(size);
  let o = 0;
  for (const p of pieces) {
    if (typeof p === 'number') buf[o++] = p;
    else if (typeof p === 'string') {
      const n = buf.write(p, o + 4, 'utf8');
      buf.writeUInt32BE(n, o);
      o += 4 + n;
    } else {
      buf.writeUInt32BE(p.length, o);
      p.copy(buf, o + 4);
      o += 4 + p.length;
    }
  }
  return md5Hex(buf);
}

const QUEUE_NAME_RE = /^[A-Za-z0-9_-]+$/;

/** Queue names: 1-80 of [A-Za-z0-9_-], FIFO queues end in `.fifo` (counted in the 80). */
export function validateQueueName(name: unknown, fifo: boolean): string {
  if (typeof name !== 'string' || name.length === 0) throw E.missingParameter('QueueName');
  const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
  if (name.length > MAX_QUEUE_NAME || !QUEUE_NAME_RE.test(base) || base.length === 0) {
    throw E.invalidParameterValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
  if (fifo && !name.endsWith('.fifo')) throw E.invalidParameterValue('The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
  if (!fifo && name.endsWith('.fifo')) throw E.invalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  return name;
}

/** `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF`; lone surrogates are invalid. */
// eslint-disable-next-line no-control-regex
const INVALID_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
export function hasInvalidChars(s: string): boolean {
  return INVALID_CHARS.test(s);
}

/**
 * Letters with accents (Latin-1 and Latin Extended-A: `attr.1øßä`) are allowed, as on AWS (LocalStack
 * test_send_message_with_invalid_string_attributes, aws.validated); `§`, `!`, `?` and the like are not.
 */
const ATTR_NAME_RE = /^[A-Za-z0-9_.\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u017F-]+$/;
const DATA_TYPE_RE = /^(String|Number|Binary)(\..+)?$/;

/** Validates message (user) attributes; returns the normalised map and its byte size. */
export function validateMessageAttributes(input: unknown): { attrs: MessageAttributes | undefined; size: number } {
  if (input === undefined || input === null) return { attrs: undefined, size: 0 };
  if (typeof input !== 'object' || Array.isArray(input)) throw E.invalidParameterValue('MessageAttributes must be a map.');
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length === 0) return { attrs: undefined, size: 0 };
  if (entries.length > MAX_MESSAGE_ATTRIBUTES) {
    throw E.invalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`);
  }
  const out: MessageAttributes = {};
  let size = 0;
  for (const [name, raw] of entries) {
    if (
      name.length === 0 ||
      name.length > 256 ||
      !ATTR_NAME_RE.test(name) ||
      /^(aws\.|amazon\.)/i.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..')
    ) {
      throw E.invalidParameterValue(`Message (user) attribute name '${name}' is invalid.`);
    }
    if (!raw || typeof raw !== 'object') throw E.invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value.`);
    const v = raw as Record<string, unknown>;
    const dataType = v.DataType;
    if (typeof dataType !== 'string' || dataType.length === 0) {
      throw E.invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    }
    const m = DATA_TYPE_RE.exec(dataType);
    if (!m || dataType.length > 256) {
      throw E.invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (v.StringListValues !== undefined || v.BinaryListValues !== undefined) {
      if ((Array.isArray(v.StringListValues) && v.StringListValues.length) || (Array.isArray(v.BinaryListValues) && v.BinaryListValues.length)) {
        // AWS documents list values as "reserved for future use" and rejects them.
        throw E.invalidParameterValue(`Message (user) attribute '${name}' has an invalid value: list values are not supported.`);
      }
    }
    const base = m[1]!;
    if (base === 'Binary') {
      if (typeof v.BinaryValue !== 'string' || v.BinaryValue.length === 0) {
        throw E.invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type 'Binary'.`);
      }
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v.BinaryValue)) {
        throw E.invalidParameterValue(`Message (user) attribute '${name}' has an invalid binary value.`);
      }
      out[name] = { DataType: dataType, BinaryValue: v.BinaryValue };
      size += Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.from(v.BinaryValue, 'base64').length;
    } else {
      if (typeof v.StringValue !== 'string' || v.StringValue.length === 0) {
        throw E.invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type '${base}'.`);
      }
      // InvalidParameterValue here, not the body's InvalidMessageContents, with the same text (LocalStack
      // test_invalid_string_attributes_cause_invalid_parameter_value_error, aws.validated).
      if (hasInvalidChars(v.StringValue)) throw E.invalidParameterValue(E.INVALID_CHARS_MESSAGE);
      if (base === 'Number' && !isValidNumber(v.StringValue)) {
        throw E.invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      out[name] = { DataType: dataType, StringValue: v.StringValue };
      size += Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.byteLength(v.StringValue);
    }
  }
  return { attrs: out, size };
}

/** SQS Number attributes: up to 38 significant digits, between -10^128 and 10^126. */
export function isValidNumber(s: string): boolean {
  const t = s.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return false;
  const digits = t.replace(/[eE].*$/, '').replace(/[^0-9]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length > 38) return false;
  const n = Number(t);
  return Number.isFinite(n) && n <= 1e126 && n >= -1e128;
}

/** 1-128 alphanumeric and punctuation characters: MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId. */
export const GROUP_ID_RE = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
export function validateGroupOrDedupId(param: 'MessageGroupId' | 'MessageDeduplicationId', value: unknown): string {
  if (typeof value !== 'string' || !GROUP_ID_RE.test(value)) {
    throw E.invalidParameter(
      param,
      value,
      `${param} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
  return value;
}

const BATCH_ID_RE = /^[A-Za-z0-9_-]{1,80}$/;
export const isValidBatchEntryId = (id: unknown): id is string => typeof id === 'string' && BATCH_ID_RE.test(id);

/**
 * Receipt handles are opaque to clients. Ours encode the queue, the message's row id and a nonce that
 * changes at every receive (AWS needs the latest handle for ChangeMessageVisibility).
 */
export interface ReceiptHandle {
  queue: string;
  seq: number;
  nonce: string;
}
/** A receipt handle's nonce: 12 random bytes as hex, from the emulator's pooled random bytes (../random.ts). */
/** A receipt handle's nonce: this many random bytes, written as twice as many lower-case hex digits. */
const NONCE_BYTES = 12;
export function newNonce(): string {
  return randomHex(NONCE_BYTES);
}
/**
 * A handle's bytes are made and read in this buffer (a handle is at most 2048 base64 characters, 1536
 * bytes; an encoded one is ~60), not in a Buffer per handle: one string out (encode), only the parts'
 * strings out (decode).
 */
const HANDLE_BYTES = Buffer.allocUnsafe(2048);
export function encodeReceiptHandle(h: ReceiptHandle): string {
  const text = `svl1\u0000${h.queue}\u0000${h.seq}\u0000${h.nonce}`;
  if (text.length * 3 > HANDLE_BYTES.length) return Buffer.from(text, 'utf8').toString('base64');
  const n = HANDLE_BYTES.write(text, 0, 'utf8');
  return HANDLE_BYTES.toString('base64', 0, n);
}
const HEX_NONCE_BYTES = 2 * NONCE_BYTES;
/**
 * The parts of `svl1 NUL queue NUL seq NUL nonce`, found by their NUL bytes in the decoded bytes: the same
 * parts as splitting the UTF-8 text at U+0000 (a 0 byte only ever decodes to U+0000, and nothing else does).
 */
export function decodeReceiptHandle(rh: string): ReceiptHandle | undefined {
  if (typeof rh !== 'string' || rh.length < 8 || rh.length > 2048 || !/^[A-Za-z0-9+/]+={0,2}$/.test(rh)) return undefined;
  const buf = HANDLE_BYTES;
  const n = buf.write(rh, 0, 'base64');
  // "svl1" and its NUL.
  if (n < 5 || buf[0] !== 0x73 || buf[1] !== 0x76 || buf[2] !== 0x6c || buf[3] !== 0x31 || buf[4] !== 0) return undefined;
  const q = buf.indexOf(0, 5);
  if (q < 0 || q >= n) return undefined;
  const s = buf.indexOf(0, q + 1);
  if (s < 0 || s >= n) return undefined;
  // Exactly four parts: no NUL in the nonce; and the nonce is newNonce's lower-case hex digits.
  if (n - (s + 1) !== HEX_NONCE_BYTES) return undefined;
  for (let i = s + 1; i < n; i++) {
    const c = buf[i]!;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return undefined;
  }
  const seq = Number(buf.toString('utf8', q + 1, s));
  if (!Number.isSafeInteger(seq) || seq <= 0) return undefined;
  return { queue: buf.toString('utf8', 5, q), seq, nonce: buf.toString('latin1', s + 1, n) };
}

/** FIFO sequence numbers: large, increasing, 20-digit numeric strings like AWS's. */
export function sequenceNumber(counter: number): string {
  return (10n ** 19n + BigInt(counter)).toString();
}

export function queueArn(name: string, region: string, account: string): string {
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

/** Queue name from an ARN `arn:aws:sqs:<region>:<account>:<name>`, or undefined. */
export function nameFromArn(arn: unknown): string | undefined {
  return parseQueueArn(arn)?.name;
}

/** Region and name of a queue ARN `arn:aws:sqs:<region>:<account>:<name>`, or undefined. */
export function parseQueueArn(arn: unknown): { region: string; account: string; name: string } | undefined {
  if (typeof arn !== 'string') return undefined;
  const m = /^arn:aws[a-z-]*:sqs:([a-z0-9-]*):(\d{12}):([A-Za-z0-9_.-]{1,80})$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/**
 * Queue URLs svl hands out: `<origin>/<account>/<name>` in the default region (us-east-1, unchanged since
 * svl's first release) and `<origin>/queue/<region>/<account>/<name>` in any other region (LocalStack's
 * `path` strategy): a distinct URL per region that needs no DNS, since SDKs send requests to the QueueUrl.
 */
export function queueUrlPath(region: string, account: string, name: string): string {
  return region === DEFAULT_REGION ? `/${account}/${name}` : `/queue/${region}/${account}/${name}`;
}

/**
 * Any URL whose last two path segments are `<account>/<name>` (AWS, LocalStack and svl styles). The
 * region comes from the URL when it names one (`/queue/<region>/…`, `sqs.<region>.<domain>`,
 * `<region>.queue.<domain>`), else it is undefined and the request's region applies, as LocalStack does
 * for its legacy `localhost:4566/<account>/<name>` form.
 */
export function parseQueueUrl(url: unknown): { region?: string; account: string; name: string } | undefined {
  if (typeof url !== 'string' || url.length === 0) return undefined;
  let path = url;
  let host = '';
  try {
    const u = new URL(url);
    path = u.pathname;
    host = u.hostname;
  } catch {
    /* a bare path is fine too */
  }
  const segs = path.split('/').filter(Boolean);
  if (segs.length < 2) return undefined;
  const name = segs[segs.length - 1]!;
  const account = segs[segs.length - 2]!;
  if (!/^\d{12}$/.test(account)) return undefined;
  const region =
    (segs.length === 4 && segs[0] === 'queue' ? segs[1] : undefined) ??
    /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(host)?.[1] ??
    /^([a-z]{2}(?:-[a-z]+)+-\d+)\.queue\./.exec(host)?.[1];
  return { region: region && /^[a-z0-9-]{1,32}$/.test(region) ? region : undefined, account, name };
}
