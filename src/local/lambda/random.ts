/**
 * Random identifiers on the invocation path (trace ids, API Gateway request ids) from a pooled buffer of
 * cryptographic random bytes, refilled 4 KB at a time: one `randomFillSync` per ~100 invocations instead
 * of several per invocation. Same quality as `randomBytes`; not for secrets that must never share a
 * buffer with other values (nothing here is a secret).
 */
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.allocUnsafe(4096);
let offset = POOL.length;

function take(n: number): Buffer {
  if (offset + n > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const out = POOL.subarray(offset, offset + n);
  offset += n;
  return out;
}

/** `n` random bytes as hex (2n characters). */
export function randomHex(n: number): string {
  return take(n).toString('hex');
}

/** `n` random bytes as base64. */
export function randomBase64(n: number): string {
  return take(n).toString('base64');
}
