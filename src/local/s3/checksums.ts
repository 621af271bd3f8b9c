/**
 * The checksums S3 verifies on upload: MD5 (ETag, Content-MD5), CRC32, CRC32C, SHA1, SHA256 (the
 * `x-amz-checksum-*` headers and aws-chunked trailers), all incremental so bodies are hashed while they
 * stream to disk. CRC32 uses node's zlib.crc32 (Node >= 20.15); CRC32C is a table-driven pure-JS CRC
 * (Castagnoli polynomial, reflected). CRC64NVME is accepted and stored but not verified (see service.ts).
 */
import { createHash, type Hash } from 'node:crypto';
import * as zlib from 'node:zlib';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256' | 'CRC64NVME';
export const CHECKSUM_ALGORITHMS: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'];
export const checksumHeader = (a: ChecksumAlgorithm) => `x-amz-checksum-${a.toLowerCase()}`;

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
