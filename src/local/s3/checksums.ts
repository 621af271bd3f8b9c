/**
 * The checksums S3 verifies on upload: MD5 (ETag, Content-MD5), CRC32, CRC32C, SHA1, SHA256 (the
 * `x-amz-checksum-*` headers and aws-chunked trailers), all incremental so bodies are hashed while they
 * stream to disk. CRC32 uses node's zlib.crc32 (Node >= 20.15); CRC32C is a table-driven pure-JS CRC
 * (Castagnoli polynomial, reflected); CRC64NVME is table-driven on two 32-bit halves (reflected
 * polynomial 0x9A6C9329AC4BC9B5), so no BigInt arithmetic per byte.
 */
import { createHash, type Hash } from 'node:crypto';
import * as zlib from 'node:zlib';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256' | 'CRC64NVME';
export const CHECKSUM_ALGORITHMS: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];
const HEADERS = Object.fromEntries(CHECKSUM_ALGORITHMS.map((a) => [a, `x-amz-checksum-${a.toLowerCase()}`])) as Record<ChecksumAlgorithm, string>;
/** The header carrying a checksum of `a` (names made once: every upload asks for each of them). */
export const checksumHeader = (a: ChecksumAlgorithm): string => HEADERS[a];

const CRC32C_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC32C of `buf` continuing from `crc` (0 to start), as an unsigned 32-bit integer. */
export function crc32c(buf: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < buf.length; i++) c = CRC32C_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const CRC32_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

const [CRC64_LO, CRC64_HI] = (() => {
  const lo = new Uint32Array(256);
  const hi = new Uint32Array(256);
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    lo[n] = Number(c & 0xffffffffn);
    hi[n] = Number(c >> 32n);
  }
  return [lo, hi];
})();

/** CRC64/NVME of `buf` continuing from `[hi, lo]` (start with [0, 0]); returns the new [hi, lo]. */
export function crc64nvme(buf: Uint8Array, crc: [number, number] = [0, 0]): [number, number] {
  let hi = ~crc[0] >>> 0;
  let lo = ~crc[1] >>> 0;
  for (let i = 0; i < buf.length; i++) {
    const idx = (lo ^ buf[i]) & 0xff;
    lo = (((lo >>> 8) | ((hi & 0xff) << 24)) ^ CRC64_LO[idx]) >>> 0;
    hi = ((hi >>> 8) ^ CRC64_HI[idx]) >>> 0;
  }
  return [~hi >>> 0, ~lo >>> 0];
}

const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC32 (zlib's) of `buf` continuing from `crc`. */
export function crc32(buf: Uint8Array, crc = 0): number {
  if (zlibCrc32) return zlibCrc32(buf, crc);
  let c = ~crc;
  for (let i = 0; i < buf.length; i++) c = CRC32_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const u32base64 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString('base64');
};

/** An incremental checksum; `digest()` is base64, as the headers carry it. */
export interface Checksummer {
  update(buf: Uint8Array): void;
  digest(): string;
}

export function checksummer(algorithm: ChecksumAlgorithm): Checksummer | undefined {
  switch (algorithm) {
    case 'CRC32':
    case 'CRC32C': {
      const f = algorithm === 'CRC32' ? crc32 : crc32c;
      let c = 0;
      return { update: (b) => void (c = f(b, c)), digest: () => u32base64(c) };
    }
    case 'SHA1':
    case 'SHA256': {
      const h: Hash = createHash(algorithm.toLowerCase());
      return { update: (b) => void h.update(b), digest: () => h.digest('base64') };
    }
    case 'CRC64NVME': {
      let c: [number, number] = [0, 0];
      return {
        update: (b) => void (c = crc64nvme(b, c)),
        digest: () => {
          const out = Buffer.alloc(8);
          out.writeUInt32BE(c[0], 0);
          out.writeUInt32BE(c[1], 4);
          return out.toString('base64');
        },
      };
    }
    default:
      return undefined;
  }
}

/** Byte length of a valid checksum value per algorithm (base64-decoded). */
export const CHECKSUM_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, SHA1: 20, SHA256: 32, CRC64NVME: 8 };

/** Whether `value` is the base64 of a checksum of `algorithm`. */
export function validChecksumValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return false;
  return Buffer.from(value, 'base64').length === CHECKSUM_BYTES[algorithm];
}
