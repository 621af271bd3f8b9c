/**
 * Random identifiers on the request and invocation paths (trace ids, API Gateway and S3 request ids, SQS receipt handle nonces),
 * shared by the services, from a pooled buffer of cryptographic random bytes, refilled 4 KB at a time:
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
