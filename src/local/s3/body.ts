/**
 * Receiving an upload body: small ones (up to 1 MiB) into memory, hashed once complete; larger ones
 * streamed to a temp file and hashed as they arrive, both off the main thread (body-writer.ts) — MD5 for
 * the ETag, the requested checksum, SHA256 when the payload hash was signed; decoding `aws-chunked` bodies
 * (signed chunks — signatures stripped, not verified — and unsigned ones with checksum trailers), and
 * checking Content-MD5, `x-amz-checksum-*` headers and trailers and the declared length. The caller
 * renames the temp file into place and commits; on any error the temp file is removed here.
 * It deliberately does not verify SigV4 chunk or trailer signatures.
 */
import type { IncomingMessage } from 'node:http';
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { header } from '../protocol/request.js';
import type { BodyWriter } from './body-writer.js';
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
  let algorithm: ChecksumAlgorithm | undefined;
  let value: string | undefined;
  for (const a of CHECKSUM_ALGORITHMS) {
    const v = header(req, checksumHeader(a));
    if (v === undefined) continue;
    if (algorithm) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
    algorithm = a;
    value = v;
  }
  if (!algorithm || value === undefined) return {};
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

/** One-shot digest (crypto.hash, node >= 20.12: no Hash object per call), a Hash object before that. */
const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'hex') => string }).hash;
const digestHex = (algorithm: string, data: Buffer): string => (oneShot ? oneShot(algorithm, data, 'hex') : createHash(algorithm).update(data).digest('hex'));

/** Bodies up to this size are received into memory and written with one write at commit. */
export const SMALL_BODY_BYTES = 1024 * 1024;

/**
 * The whole (plain, small) body of `req`, read by `pump` ('data'/'end' listeners: an async iterator over
 * the request costs more than a 1 KiB PUT's hashing). Rejects with IncompleteBody when the client goes away.
 */
async function readWhole(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pump(
    req,
    (c) => {
      chunks.push(c);
      return true;
    },
    neverPaused,
  );
  // Copied: the chunks are views of the socket's read buffer.
  return chunks.length === 1 ? Buffer.from(chunks[0]!) : Buffer.concat(chunks);
}

/** `pump`'s `drained` for a reader that never asks to pause. */
const neverPaused = (): Promise<void> => Promise.resolve();

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
 * SMALL_BODY_BYTES, else streamed into a temp file (`files.tempPath()`, written by `files.writer()`,
 * removed here on error, returned as `tmp`).
 */
export async function receiveBody(req: IncomingMessage, files: { tempPath(): string; writer(): BodyWriter }, maxBytes: number): Promise<ReceivedBody> {
  const x = expectations(req, maxBytes);
  if (x.length <= SMALL_BODY_BYTES) return receiveSmall(req, x);
  return receiveLarge(req, x, files.tempPath(), files.writer());
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
  const md5 = digestHex('md5', data);
  const sha256 = x.signedSha ? digestHex('sha256', data) : undefined;
  let checksum: string | undefined;
  if (x.expected.algorithm) {
    const sum = checksummer(x.expected.algorithm);
    sum?.update(data);
    checksum = sum?.digest();
  }
  return { data, size: data.length, md5Hex: md5, checksum: verify(x, { md5, sha256, checksum }, trailers) };
}

/**
 * Reads a plain body with 'data'/'end' listeners, handing each chunk to `onChunk` (which owns it from
 * then on); while `onChunk` answers false the request is paused until `drained()` resolves. Rejects with
 * what `onChunk` throws, or IncompleteBody when the client goes away.
 */
function pump(req: IncomingMessage, onChunk: (c: Buffer) => boolean, drained: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (err?: unknown) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err !== undefined) reject(err);
      else resolve();
    };
    const onData = (c: Buffer) => {
      let more: boolean;
      try {
        more = onChunk(c);
      } catch (err) {
        return settle(err);
      }
      if (more) return;
      req.pause();
      void drained().then(() => {
        if (!done) req.resume();
      });
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

/**
 * A large body: handed to the body writer's worker thread as it arrives (body-writer.ts: the socket's
 * chunks are transferred, not copied), which writes it to the temp file and hashes it there, so the MD5
 * and the disk writes run beside the main thread instead of on it. The digests come back once the file
 * is complete (and fsynced, on a durable emulator); they are verified here.
 */
async function receiveLarge(req: IncomingMessage, x: Expectations, tmpPath: string, writer: BodyWriter): Promise<ReceivedBody> {
  const upload = writer.open(tmpPath, { sha256: x.signedSha !== undefined, algorithm: x.expected.algorithm });
  let size = 0;
  const trailers: Record<string, string> = {};
  const count = (n: number) => {
    size += n;
    if (size > x.length) throw invalidRequest('The decoded body is longer than x-amz-decoded-content-length.');
  };
  try {
    if (x.chunked) {
      // The data slices of each socket chunk go once the decoder is done with that chunk, with its buffer.
      let views: Buffer[] = [];
      await decodeAwsChunked(
        req,
        async (buf) => {
          count(buf.length);
          views.push(buf);
        },
        trailers,
        async (chunk) => {
          if (views.length === 0) return;
          const more = upload.writeViews(views, chunk);
          views = [];
          if (!more) await upload.drained();
        },
      );
    } else {
      await pump(
        req,
        (c) => {
          count(c.length);
          return upload.write(c, true);
        },
        () => upload.drained(),
      );
    }
    if (!req.complete) throw incompleteBody();
    if (size !== x.length) throw x.chunked ? invalidRequest('The decoded body length does not match x-amz-decoded-content-length.') : incompleteBody();
    const digests = await upload.finish();
    const checksum = verify(x, digests, trailers);
    return { size, md5Hex: digests.md5, checksum, tmp: tmpPath };
  } catch (err) {
    await upload.abort();
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
 * trailer lines `name:value\r\n` and an empty line. Data goes to `write` (slices of the socket's chunks);
 * trailers (lower-cased names) into `trailers`; `consumed` hears of each socket chunk once the decoder is
 * done with it (it keeps no view of it).
 */
async function decodeAwsChunked(
  req: IncomingMessage,
  write: (b: Buffer) => Promise<void>,
  trailers: Record<string, string>,
  consumed?: (chunk: Buffer) => Promise<void>,
): Promise<void> {
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
    await consumed?.(c as Buffer);
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
