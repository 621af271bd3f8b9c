/**
 * Receiving an upload body: small ones (up to 1 MiB) into memory, hashed once complete; larger ones
 * streamed to a temp file and hashed as they arrive — MD5 for the ETag, the
 * requested checksum, SHA256 when the payload hash was signed; decoding `aws-chunked` bodies
 * (signed chunks — signatures stripped, not verified — and unsigned ones with checksum trailers), and
 * checking Content-MD5, `x-amz-checksum-*` headers and trailers and the declared length. The caller
 * renames the temp file into place and commits; on any error the temp file is removed here.
 * It deliberately does not verify SigV4 chunk or trailer signatures.
 */
import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { header } from '../protocol/request.js';
import { CHECKSUM_ALGORITHMS, checksumHeader, checksummer, validChecksumValue, type ChecksumAlgorithm } from './checksums.js';
import {
  S3Error,
  badChecksum,
  badDigest,
  contentSha256Mismatch,
  entityTooLarge,
  incompleteBody,
  invalidArgument,
  invalidChecksumValue,
  invalidDigest,
  invalidRequest,
  missingContentLength,
} from './errors.js';

export interface ReceivedBody {
  /** Small bodies stay in memory (one write when committed); larger ones are in the temp file. */
  data?: Buffer;
  size: number;
  md5Hex: string;
  /** The checksum the client sent (header or trailer), verified. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** The temp file holding a large body (absent for one in memory). */
  tmp?: string;
}

interface Expected {
  algorithm?: ChecksumAlgorithm;
  value?: string;
  /** The checksum arrives in the aws-chunked trailer under this header name. */
  trailer?: string;
}

/** Which checksum the request announces, from its headers (validated for format). */
function expectedChecksum(req: IncomingMessage): Expected {
  const trailer = header(req, 'x-amz-trailer')?.trim().toLowerCase();
  if (trailer) {
    const algorithm = CHECKSUM_ALGORITHMS.find((a) => checksumHeader(a) === trailer);
    if (!algorithm) throw invalidRequest(`The value specified in the x-amz-trailer header is not supported`);
    return { algorithm, trailer };
  }
  const present = CHECKSUM_ALGORITHMS.filter((a) => header(req, checksumHeader(a)) !== undefined);
  if (present.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  if (present.length === 0) return {};
  const algorithm = present[0];
  const value = header(req, checksumHeader(algorithm))!;
  if (!validChecksumValue(algorithm, value)) throw invalidChecksumValue(checksumHeader(algorithm));
  return { algorithm, value };
}

/** Content-MD5 as AWS checks it: base64 of 16 bytes (InvalidDigest otherwise). */
function expectedMd5(req: IncomingMessage): string | undefined {
  const v = header(req, 'content-md5');
  if (v === undefined) return undefined;
  const raw = Buffer.from(v, 'base64');
  if (raw.length !== 16 || raw.toString('base64') !== v) throw invalidDigest(v);
  return raw.toString('hex');
}

/** The decoded body length the request declares; throws EntityTooLarge / MissingContentLength. */
export function declaredLength(req: IncomingMessage, maxBytes: number): { length: number; chunked: boolean } {
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  const chunked = sha.startsWith('STREAMING-') || /(^|,)\s*aws-chunked\s*(,|$)/i.test(header(req, 'content-encoding') ?? '');
  const raw = chunked ? header(req, 'x-amz-decoded-content-length') : header(req, 'content-length');
  if (raw === undefined) {
    if (chunked || header(req, 'transfer-encoding')) throw missingContentLength();
    return { length: 0, chunked };
  }
  if (!/^\d{1,16}$/.test(raw.trim())) {
    throw chunked ? invalidArgument('x-amz-decoded-content-length must be a non-negative integer', 'x-amz-decoded-content-length', raw) : missingContentLength();
  }
  const length = Number(raw.trim());
  if (length > maxBytes) throw entityTooLarge(length, maxBytes);
  return { length, chunked };
}

/** Bodies up to this size are received into memory and written with one write at commit. */
export const SMALL_BODY_BYTES = 1024 * 1024;

/** Ends a temp-file stream and waits until its data is written and its descriptor closed. */
async function closeStream(out: WriteStream): Promise<void> {
  const closed = once(out, 'close');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  await closed;
}

/** Destroys a temp-file stream and waits for its descriptor to close (errors ignored: the file is removed next). */
async function discardStream(out: WriteStream): Promise<void> {
  if (out.closed) return;
  const closed = once(out, 'close').catch(() => {});
  out.destroy();
  await closed;
}

/**
 * The whole (plain, small) body of `req`, read with 'data'/'end' listeners: an async iterator over the
 * request costs more than a 1 KiB PUT's hashing. Rejects with IncompleteBody when the client goes away.
 */
function readWhole(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => void chunks.push(c);
    const settle = (err?: unknown) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err !== undefined) reject(err);
      // Copied: the chunks are views of the socket's read buffer.
      else resolve(chunks.length === 1 ? Buffer.from(chunks[0]!) : Buffer.concat(chunks));
    };
    const onEnd = () => settle();
    const onError = (err: unknown) => settle(err);
    const onClose = () => settle(incompleteBody());
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

interface Expectations {
  length: number;
  chunked: boolean;
  md5Expected?: string;
  expected: Expected;
  /** The signed payload hash (x-amz-content-sha256 as 64 hex digits), to verify. */
  signedSha?: string;
}

/** What the request's headers announce about its body (every header error thrown before anything is read). */
function expectations(req: IncomingMessage, maxBytes: number): Expectations {
  const { length, chunked } = declaredLength(req, maxBytes);
  const md5Expected = expectedMd5(req);
  const expected = expectedChecksum(req);
  if (expected.trailer && !chunked) throw invalidRequest('The x-amz-trailer header requires an aws-chunked body.');
  const shaHeader = header(req, 'x-amz-content-sha256');
  const signedSha = shaHeader && /^[0-9a-f]{64}$/i.test(shaHeader) ? shaHeader : undefined;
  return { length, chunked, md5Expected, expected, signedSha };
}

/** Checks the computed digests against what the request announced; returns the verified checksum, if any. */
function verify(x: Expectations, d: { md5: string; sha256?: string; checksum?: string }, trailers: Record<string, string>): ReceivedBody['checksum'] {
  if (x.md5Expected !== undefined && x.md5Expected !== d.md5) {
    throw badDigest(Buffer.from(x.md5Expected, 'hex').toString('base64'), Buffer.from(d.md5, 'hex').toString('base64'));
  }
  if (x.signedSha && d.sha256 !== x.signedSha.toLowerCase()) throw contentSha256Mismatch(x.signedSha, d.sha256 ?? '');
  const { algorithm, trailer } = x.expected;
  if (!algorithm) return undefined;
  const value = trailer ? trailers[trailer] : x.expected.value;
  if (value === undefined) throw invalidRequest(`The trailer ${trailer} was announced but not sent.`);
  if (!validChecksumValue(algorithm, value)) throw invalidChecksumValue(trailer ?? checksumHeader(algorithm));
  if (d.checksum !== undefined && d.checksum !== value) throw badChecksum(algorithm);
  return { algorithm, value };
}

/**
 * Receives the body of `req`, verifying what the headers announce: into memory when it declares at most
 * SMALL_BODY_BYTES, else streamed into a temp file (`newTemp()`, created here, removed here on error,
 * returned as `tmp`).
 */
export async function receiveBody(req: IncomingMessage, newTemp: () => string, maxBytes: number): Promise<ReceivedBody> {
  const x = expectations(req, maxBytes);
  if (x.length <= SMALL_BODY_BYTES) return receiveSmall(req, x);
  return receiveLarge(req, x, newTemp());
}

/** A small body: in memory, hashed in one call per digest once complete. */
async function receiveSmall(req: IncomingMessage, x: Expectations): Promise<ReceivedBody> {
  const trailers: Record<string, string> = {};
  let data: Buffer;
  try {
    if (x.chunked) {
      const chunks: Buffer[] = [];
      let size = 0;
      await decodeAwsChunked(
        req,
        async (buf) => {
          size += buf.length;
          if (size > x.length) throw invalidRequest('The decoded body is longer than x-amz-decoded-content-length.');
          chunks.push(Buffer.from(buf)); // copied: aws-chunked slices share the socket's buffer
        },
        trailers,
      );
      data = Buffer.concat(chunks);
    } else data = await readWhole(req);
    if (!req.complete) throw incompleteBody();
  } catch (err) {
    // The client went away mid-body (socket reset): nothing is stored, and it is not the emulator's fault.
    if (!(err instanceof S3Error) && !req.complete) throw incompleteBody();
    throw err;
  }
  if (data.length !== x.length) throw x.chunked ? invalidRequest('The decoded body length does not match x-amz-decoded-content-length.') : incompleteBody();
  const md5 = createHash('md5').update(data).digest('hex');
  const sha256 = x.signedSha ? createHash('sha256').update(data).digest('hex') : undefined;
  let checksum: string | undefined;
  if (x.expected.algorithm) {
    const sum = checksummer(x.expected.algorithm);
    sum?.update(data);
    checksum = sum?.digest();
  }
  return { data, size: data.length, md5Hex: md5, checksum: verify(x, { md5, sha256, checksum }, trailers) };
}

/**
 * How much a large body's temp-file stream buffers before a write waits for 'drain': big writes, few
 * syscalls, instead of one awaited write per socket read.
 */
const WRITE_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * A large body: streamed into the temp file as it arrives (the socket's chunks queued as they are, no
 * copy), hashed incrementally on this thread. Hashing in a worker thread was tried and measured slower by
 * the clock on this 2-core machine (the copy into transferable chunks and the second busy thread cost
 * more than the MD5 they moved), so it is not done.
 */
async function receiveLarge(req: IncomingMessage, x: Expectations, tmpPath: string): Promise<ReceivedBody> {
  const md5 = createHash('md5');
  const sha = x.signedSha ? createHash('sha256') : undefined;
  const sum = x.expected.algorithm ? checksummer(x.expected.algorithm) : undefined;
  const out = createWriteStream(tmpPath, { highWaterMark: WRITE_BUFFER_BYTES });
  // A failed write (disk full) is seen at the next write or at the end; listened to so it is never unhandled.
  let writeError: Error | undefined;
  out.on('error', (err) => (writeError ??= err));
  let size = 0;
  const trailers: Record<string, string> = {};
  try {
    const write = async (buf: Buffer) => {
      if (!buf.length) return;
      size += buf.length;
      if (size > x.length) throw invalidRequest('The decoded body is longer than x-amz-decoded-content-length.');
      md5.update(buf);
      sha?.update(buf);
      sum?.update(buf);
      if (writeError) throw writeError;
      // The socket's chunks are never reused by node, so they are queued as they are (no copy).
      if (!out.write(buf)) await once(out, 'drain'); // rejects on 'error'
    };
    if (x.chunked) await decodeAwsChunked(req, write, trailers);
    else for await (const c of req) await write(c as Buffer);
    if (!req.complete) throw incompleteBody();
    if (size !== x.length) throw x.chunked ? invalidRequest('The decoded body length does not match x-amz-decoded-content-length.') : incompleteBody();
    const digests = { md5: md5.digest('hex'), sha256: sha?.digest('hex'), checksum: sum?.digest() };
    const checksum = verify(x, digests, trailers);
    if (writeError) throw writeError;
    await closeStream(out);
    return { size, md5Hex: digests.md5, checksum, tmp: tmpPath };
  } catch (err) {
    await discardStream(out);
    await unlink(tmpPath).catch(() => {});
    // The client went away mid-body (socket reset): nothing is stored, and it is not the emulator's fault.
    if (!(err instanceof S3Error) && !req.complete) throw incompleteBody();
    throw err;
  }
}

const CRLF = Buffer.from('\r\n');
const MAX_LINE = 8192;

/**
 * Decodes an aws-chunked body: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0[;…]\r\n`, then
 * trailer lines `name:value\r\n` and an empty line. Data goes to `write`; trailers (lower-cased names)
 * into `trailers`.
 */
async function decodeAwsChunked(req: IncomingMessage, write: (b: Buffer) => Promise<void>, trailers: Record<string, string>): Promise<void> {
  const malformed = () => new S3Error('IncompleteBody', 'The request body is not a valid aws-chunked encoding.', 400);
  let state: 'size' | 'data' | 'crlf' | 'trailer' | 'done' = 'size';
  let line = Buffer.alloc(0);
  let remaining = 0;
  for await (const c of req) {
    let buf = c as Buffer;
    while (buf.length) {
      if (state === 'data') {
        const n = Math.min(remaining, buf.length);
        await write(buf.subarray(0, n));
        remaining -= n;
        buf = buf.subarray(n);
        if (remaining === 0) state = 'crlf';
        continue;
      }
      if (state === 'done') {
        if (buf.toString('latin1').trim()) throw malformed();
        break;
      }
      // Line-oriented states: size lines, the CRLF after data, trailer lines.
      const at = buf.indexOf(CRLF);
      // A CRLF split across reads: keep the partial line.
      if (at < 0 || (line.length && line[line.length - 1] === 0x0d && buf[0] === 0x0a)) {
        if (line.length && line[line.length - 1] === 0x0d && buf[0] === 0x0a) {
          const full = line.subarray(0, line.length - 1);
          line = Buffer.alloc(0);
          buf = buf.subarray(1);
          state = onLine(full.toString('latin1'));
          continue;
        }
        line = Buffer.concat([line, buf]);
        if (line.length > MAX_LINE) throw malformed();
        break;
      }
      const full = line.length ? Buffer.concat([line, buf.subarray(0, at)]) : buf.subarray(0, at);
      line = Buffer.alloc(0);
      buf = buf.subarray(at + 2);
      state = onLine(full.toString('latin1'));
    }
  }
  if (state !== 'done' && !(state === 'trailer' && line.length === 0 && Object.keys(trailers).length === 0)) throw malformed();

  function onLine(text: string): typeof state {
    if (state === 'crlf') {
      if (text !== '') throw malformed();
      return 'size';
    }
    if (state === 'size') {
      const hex = text.split(';')[0].trim();
      if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw malformed();
      remaining = parseInt(hex, 16);
      return remaining === 0 ? 'trailer' : 'data';
    }
    // trailer
    if (text === '') return 'done';
    const colon = text.indexOf(':');
    if (colon <= 0) throw malformed();
    trailers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
    return 'trailer';
  }
}
