/**
 * Random identifiers on the request and invocation paths (trace ids, API Gateway and S3 request ids, SQS message ids
 * and receipt handle nonces), shared by the services, from a pooled buffer of cryptographic random bytes, refilled 4 KB at a time:
 * one `randomFillSync` per ~100 ids instead of one or several per request. Same quality as `randomBytes`;
 * not for secrets that must never share a buffer with other values (nothing here is a secret).
 */
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.allocUnsafe(4096);
let offset = POOL.length;

/** The offset of `n` fresh bytes in POOL (read in place: no Buffer view per id). */
function take(n: number): number {
  if (offset + n > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const at = offset;
  offset += n;
  return at;
}

/** `n` random bytes as hex (2n characters). */
export function randomHex(n: number): string {
  const at = take(n);
  return POOL.toString('hex', at, at + n);
}

/** `n` random bytes as base64. */
export function randomBase64(n: number): string {
  const at = take(n);
  return POOL.toString('base64', at, at + n);
}

/** Two hex digits' character codes per byte value, and the scratch a UUID's 36 characters are written in. */
const HEX_CODES = new Uint16Array(256);
for (let b = 0; b < 256; b++) HEX_CODES[b] = ('0123456789abcdef'.charCodeAt(b >> 4) << 8) | '0123456789abcdef'.charCodeAt(b & 15);
const UUID_TEXT = Buffer.allocUnsafe(36);

/**
 * A random (version 4) UUID, `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, as `crypto.randomUUID` makes it, from the
 * pool: written as ASCII into a scratch buffer and read out as one string. randomUUID built each id from ~20
 * concatenated pieces, ~600 bytes of garbage per SQS message sent (a tenth of a send's allocation).
 */
export function randomUuid(): string {
  const at = take(16);
  let o = 0;
  for (let i = 0; i < 16; i++) {
    let b = POOL[at + i]!;
    if (i === 6) b = (b & 0x0f) | 0x40;
    else if (i === 8) b = (b & 0x3f) | 0x80;
    const c = HEX_CODES[b]!;
    UUID_TEXT[o++] = c >> 8;
    UUID_TEXT[o++] = c & 0xff;
    if (i === 3 || i === 5 || i === 7 || i === 9) UUID_TEXT[o++] = 0x2d;
  }
  return UUID_TEXT.toString('latin1', 0, 36);
}

let traceSecond = NaN;
let traceTime = '';

/**
 * An X-Ray trace id's root, `Root=1-<epoch seconds as 8 hex digits>-<24 random hex digits>`: what
 * Lambda's `_X_AMZN_TRACE_ID` and API Gateway's `x-amzn-trace-id` start with (the seconds' hex is made
 * once a second: ids are made many to a second).
 */
export function traceRoot(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== traceSecond) {
    traceSecond = second;
    traceTime = second.toString(16).padStart(8, '0');
  }
  return `Root=1-${traceTime}-${randomHex(12)}`;
}
