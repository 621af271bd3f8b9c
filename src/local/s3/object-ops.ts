/**
 * Object operations: PutObject, GetObject/HeadObject (Range, conditional headers, response-* overrides),
 * DeleteObject, DeleteObjects, CopyObject. Bodies are received by body.ts into a temp file, renamed into
 * place, then committed; the replaced body file is deleted after the commit. No versioning.
 */
import { createReadStream, openSync } from 'node:fs';
import { copyFile, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { header } from '../protocol/request.js';
import { childText, childrenNamed, s3Document, tag } from '../protocol/rest-xml.js';
import { receiveBody } from './body.js';
import { checksumHeader, checksummer, CHECKSUM_ALGORITHMS, validChecksumValue, type ChecksumAlgorithm } from './checksums.js';
import {
  S3Error,
  aclNotSupported,
  badChecksum,
  badDigest,
  invalidArgument,
  invalidChecksumValue,
  invalidDigest,
  invalidRange,
  invalidRequest,
  keyTooLong,
  malformedXml,
  noSuchBucket,
  noSuchKey,
  notImplemented,
  preconditionFailed,
} from './errors.js';
import type { S3Context, S3Reply } from './http.js';
import type { InCommit, ObjectRow, WriteCheck } from './store.js';
import { aclHeadersAllowed, isoTime, parseBody, requireBucket } from './bucket-ops.js';
import { INLINE_BODY_BYTES, MAX_DELETE_KEYS, MAX_KEY_BYTES, MAX_PUT_BYTES } from './constants.js';

/** Content headers stored with an object and returned on GET/HEAD. */
export const CONTENT_HEADERS = ['content-type', 'content-encoding', 'content-disposition', 'content-language', 'cache-control', 'expires'];

/** The content headers and user metadata an upload request sets. */
export function objectAttributes(ctx: S3Context): { headers: Record<string, string>; metadata: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const h of CONTENT_HEADERS) {
    let v = header(ctx.req, h);
    if (h === 'content-encoding' && v) v = v.split(',').map((s) => s.trim()).filter((s) => s && s.toLowerCase() !== 'aws-chunked').join(',');
    if (v) headers[h] = v;
  }
  headers['content-type'] ??= 'binary/octet-stream';
  const storage = header(ctx.req, 'x-amz-storage-class');
  if (storage && storage !== 'STANDARD') headers['x-amz-storage-class'] = storage;
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.req.headers)) {
    if (k.startsWith('x-amz-meta-') && v !== undefined) metadata[k.slice(11)] = Array.isArray(v) ? v.join(',') : v;
  }
  return { headers, metadata };
}

export function checkKey(key: string): void {
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) throw keyTooLong(bytes);
}

const quoted = (md5: string) => `"${md5}"`;

export async function putObject(ctx: S3Context, bucket: string, key: string): Promise<S3Reply> {
  const { s3 } = ctx;
  requireBucket(s3, bucket);
  checkKey(key);
  if (!aclHeadersAllowed(ctx)) throw aclNotSupported();
  const attrs = objectAttributes(ctx);
  const check = writeConditions(ctx, key);
  const body = await receiveBody(ctx.req, s3.files, MAX_PUT_BYTES);
  const row: ObjectRow = {
    bucket,
    key,
    file: '',
    size: body.size,
    etag: body.md5Hex,
    modified_ms: s3.opts.clock.now(),
    headers: JSON.stringify(attrs.headers),
    metadata: JSON.stringify(attrs.metadata),
    checksum_algorithm: body.checksum?.algorithm ?? null,
    checksum: body.checksum?.value ?? null,
  };
  await commitObject(ctx, body.tmp ?? '', row, body, check, s3.event(ctx, 'ObjectCreated:Put', bucket, key, { size: row.size, eTag: row.etag }));
  const headers: Record<string, string> = { etag: quoted(row.etag), 'x-amz-server-side-encryption': 'AES256' };
  if (body.checksum) {
    headers[checksumHeader(body.checksum.algorithm)] = body.checksum.value;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return { headers };
}

/**
 * Stores the body and commits `row` (its `file`/`body` set here) with `inCommit` (the event) in the same
 * transaction; returns the sequencer. A small body goes inline into the row (one SQLite commit, no file);
 * a larger in-memory one is written to a new file, a streamed one renamed from its temp file `tmp`.
 */
export async function commitObject(ctx: S3Context, tmp: string, row: ObjectRow, received: { data?: Buffer } = {}, check?: WriteCheck, inCommit?: InCommit): Promise<number> {
  const { s3 } = ctx;
  if (row.body || (received.data && received.data.length <= INLINE_BODY_BYTES)) {
    row.file = '';
    row.body ??= received.data;
    const out = await s3.commits.run(() => s3.store.putObject(row, check, inCommit));
    if (!out) throw noSuchBucket(row.bucket);
    if (out.replaced) void s3.files.remove(out.replaced);
    s3.opts.log?.(`S3 ${row.bucket} <- ${row.key} (${row.size} bytes)`);
    return out.seq;
  }
  let id: string;
  try {
    id = await s3.files.commitBody(received, tmp);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  row.file = id;
  let out: ReturnType<typeof s3.store.putObject>;
  try {
    out = await s3.commits.run(() => s3.store.putObject(row, check, inCommit));
  } catch (err) {
    await s3.files.remove(id);
    throw err;
  }
  if (!out) {
    await s3.files.remove(id);
    throw noSuchBucket(row.bucket);
  }
  if (out.replaced) void s3.files.remove(out.replaced);
  s3.opts.log?.(`S3 ${row.bucket} <- ${row.key} (${row.size} bytes)`);
  return out.seq;
}

/**
 * Conditional writes (PutObject, CopyObject, CompleteMultipartUpload): `If-None-Match: *` refuses to
 * replace an existing key, `If-Match: <etag>` to write unless the key exists with that ETag (404
 * NoSuchKey when it does not exist). Checked by the store inside the commit transaction.
 */
export function writeConditions(ctx: S3Context, key: string): WriteCheck | undefined {
  const ifNoneMatch = header(ctx.req, 'if-none-match');
  const ifMatch = header(ctx.req, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') throw notImplemented('If-None-Match');
  return (existing) => {
    if (ifNoneMatch !== undefined && existing) throw preconditionFailed('If-None-Match');
    if (ifMatch === undefined) return;
    if (!existing) throw noSuchKey(key);
    if (!etagMatches(ifMatch, existing.etag)) throw preconditionFailed('If-Match');
  };
}

const stripQuotes = (s: string) => s.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
const etagMatches = (list: string, etag: string) => list.split(',').some((t) => t.trim() === '*' || stripQuotes(t) === etag);
function httpDate(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * RFC 7232 preconditions as S3 evaluates them: If-Match / If-Unmodified-Since fail with 412;
 * If-None-Match / If-Modified-Since answer 304 (GET/HEAD). A true If-Match overrides a false
 * If-Unmodified-Since; a false If-None-Match overrides a true If-Modified-Since.
 */
function checkPreconditions(get: (h: string) => string | undefined, row: ObjectRow, prefix = ''): 304 | undefined {
  const modifiedS = Math.floor(row.modified_ms / 1000) * 1000;
  const ifMatch = get(`${prefix}if-match`);
  const ifUnmodified = httpDate(get(`${prefix}if-unmodified-since`));
  const ifNoneMatch = get(`${prefix}if-none-match`);
  const ifModified = httpDate(get(`${prefix}if-modified-since`));
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, row.etag)) throw preconditionFailed(`${prefix ? 'x-amz-copy-source-' : ''}If-Match`);
  } else if (ifUnmodified !== undefined && modifiedS > ifUnmodified) throw preconditionFailed(`${prefix ? 'x-amz-copy-source-' : ''}If-Unmodified-Since`);
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, row.etag)) {
      if (prefix) throw preconditionFailed('x-amz-copy-source-If-None-Match');
      return 304;
    }
  } else if (ifModified !== undefined && modifiedS <= ifModified) {
    if (prefix) throw preconditionFailed('x-amz-copy-source-If-Modified-Since');
    return 304;
  }
  return undefined;
}

/** Parses `bytes=a-b` / `bytes=a-` / `bytes=-n`; undefined to ignore (bad syntax, several ranges), InvalidRange when unsatisfiable. */
function parseRange(value: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!value) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw invalidRange(value, size);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw invalidRange(value, size);
  return { start, end };
}

/** Multipart objects' checksums end in `-<parts>` (COMPOSITE); the others cover the whole body. */
export const checksumType = (checksum: string) => (/-\d+$/.test(checksum) ? 'COMPOSITE' : 'FULL_OBJECT');

/** The headers GET/HEAD return for an object. */
export function objectHeaders(row: ObjectRow): Record<string, string> {
  const headers: Record<string, string> = {
    ...(JSON.parse(row.headers) as Record<string, string>),
    etag: quoted(row.etag),
    'last-modified': new Date(row.modified_ms).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  };
  for (const [k, v] of Object.entries(JSON.parse(row.metadata) as Record<string, string>)) headers[`x-amz-meta-${k}`] = v;
  return headers;
}

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

/**
 * A response-* override as a header value: AWS answers InvalidArgument for one that cannot be sent as
 * ISO-8859-1 (a UTF-8 filename); control characters (a newline would split the header) likewise.
 */
function overrideValue(param: string, v: string): string {
  if (/[^\x00-\xff]/.test(v)) throw invalidArgument('Header value cannot be represented using ISO-8859-1.', param, v);
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(v)) throw invalidArgument('Header value contains invalid characters.', param, v);
  return v;
}

export function getObject(ctx: S3Context, bucket: string, key: string): S3Reply {
  const { s3 } = ctx;
  requireBucket(s3, bucket);
  const row = s3.store.object(bucket, key);
  if (!row) throw noSuchKey(key);
  const headers = objectHeaders(row);
  const not = checkPreconditions((h) => header(ctx.req, h), row);
  if (not === 304) {
    const keep: Record<string, string> = { etag: headers.etag, 'last-modified': headers['last-modified'] };
    return { status: 304, headers: { ...keep, 'content-length': '0' } };
  }
  for (const [param, h] of Object.entries(OVERRIDES)) {
    const v = ctx.query.get(param);
    if (v !== null) headers[h] = overrideValue(param, v);
  }
  const range = parseRange(header(ctx.req, 'range'), row.size);
  if (!range && row.checksum_algorithm && row.checksum && header(ctx.req, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
    headers[checksumHeader(row.checksum_algorithm as ChecksumAlgorithm)] = row.checksum;
    headers['x-amz-checksum-type'] = checksumType(row.checksum);
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? row.size - 1;
  const length = row.size === 0 ? 0 : end - start + 1;
  const status = range ? 206 : 200;
  if (range) headers['content-range'] = `bytes ${start}-${end}/${row.size}`;
  headers['content-length'] = String(length);
  if (ctx.method === 'HEAD' || length === 0) return { status, headers, body: Buffer.alloc(0) };
  if (row.body) return { status, headers, body: row.body.subarray(start, end + 1) };
  // Opened now, in the same turn as the lookup: a concurrent overwrite unlinks the old file only after its commit.
  const fd = openSync(s3.files.path(row.file), 'r');
  return { status, headers, stream: { readable: createReadStream('', { fd, start, end }), length } };
}

export async function deleteObject(ctx: S3Context, bucket: string, key: string): Promise<S3Reply> {
  const { s3 } = ctx;
  requireBucket(s3, bucket);
  const out = await s3.commits.run(() => s3.store.deleteObject(bucket, key, s3.event(ctx, 'ObjectRemoved:Delete', bucket, key)));
  if (out.file) void s3.files.remove(out.file);
  return { status: 204 };
}

/** Verifies Content-MD5 / x-amz-checksum-* of a small in-memory body (DeleteObjects). */
export function verifySmallBody(ctx: S3Context, body: Buffer): void {
  const md5 = header(ctx.req, 'content-md5');
  if (md5 !== undefined) {
    const raw = Buffer.from(md5, 'base64');
    if (raw.length !== 16) throw invalidDigest(md5);
    const actual = createHash('md5').update(body).digest('base64');
    if (actual !== md5) throw badDigest(md5, actual);
  }
  for (const a of CHECKSUM_ALGORITHMS) {
    const v = header(ctx.req, checksumHeader(a));
    if (v === undefined) continue;
    if (!validChecksumValue(a, v)) throw invalidChecksumValue(checksumHeader(a));
    const sum = checksummer(a);
    if (!sum) continue;
    sum.update(body);
    if (sum.digest() !== v) throw badChecksum(a);
  }
}

export async function deleteObjects(ctx: S3Context, bucket: string): Promise<S3Reply> {
  const { s3 } = ctx;
  const body = await ctx.readBody();
  requireBucket(s3, bucket);
  const hasDigest = header(ctx.req, 'content-md5') !== undefined || CHECKSUM_ALGORITHMS.some((a) => header(ctx.req, checksumHeader(a)) !== undefined);
  if (!hasDigest) throw invalidRequest('Missing required header for this request: Content-MD5');
  verifySmallBody(ctx, body);
  const doc = parseBody(body, 'Delete');
  const quiet = childText(doc, 'Quiet')?.trim() === 'true';
  const items = childrenNamed(doc, 'Object');
  if (items.length === 0 || items.length > MAX_DELETE_KEYS) throw malformedXml();
  const keys = items.map((o) => {
    const k = childText(o, 'Key');
    if (k === undefined) throw malformedXml();
    return k;
  });
  let out = '';
  // One commit for the whole request (and its notifications); body files go once it is committed.
  const files: string[] = [];
  await s3.commits.run(() => {
    for (const key of keys) {
      if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
        out += `<Error>${tag('Key', key)}${tag('Code', 'KeyTooLongError')}${tag('Message', 'Your key is too long')}</Error>`;
        continue;
      }
      const r = s3.store.deleteObject(bucket, key, s3.event(ctx, 'ObjectRemoved:Delete', bucket, key));
      if (r.file) files.push(r.file);
      if (!quiet) out += `<Deleted>${tag('Key', key)}</Deleted>`;
    }
  });
  for (const f of files) void s3.files.remove(f);
  return { body: s3Document('DeleteResult', out) };
}

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded. */
function parseCopySource(value: string): { bucket: string; key: string } {
  const [path, qs] = value.split('?', 2);
  if (qs && new URLSearchParams(qs).get('versionId') && new URLSearchParams(qs).get('versionId') !== 'null') {
    throw invalidArgument('Invalid version id specified', 'x-amz-copy-source', value);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', value);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalidArgument('Invalid copy source object key', 'x-amz-copy-source', value);
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

export async function copyObject(ctx: S3Context, bucket: string, key: string): Promise<S3Reply> {
  const { s3 } = ctx;
  requireBucket(s3, bucket);
  checkKey(key);
  if (!aclHeadersAllowed(ctx)) throw aclNotSupported();
  const src = parseCopySource(header(ctx.req, 'x-amz-copy-source')!);
  requireBucket(s3, src.bucket);
  const source = s3.store.object(src.bucket, src.key);
  if (!source) throw noSuchKey(src.key);
  checkPreconditions((h) => header(ctx.req, h), source, 'x-amz-copy-source-');
  const directive = header(ctx.req, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
  const storage = header(ctx.req, 'x-amz-storage-class');
  if (src.bucket === bucket && src.key === key && directive === 'COPY' && !storage) {
    throw invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const check = writeConditions(ctx, key);
  const attrs = directive === 'REPLACE' ? objectAttributes(ctx) : { headers: JSON.parse(source.headers), metadata: JSON.parse(source.metadata) };
  const tmp = s3.files.tempPath();
  if (!source.body) {
    await copyFile(s3.files.path(source.file), tmp).catch((err) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchKey(src.key); // overwritten or deleted meanwhile
      throw err;
    });
    await s3.files.flushed(tmp).catch(async (err) => {
      await unlink(tmp).catch(() => {});
      throw err;
    });
  }
  const row: ObjectRow = {
    ...source,
    bucket,
    key,
    file: '',
    modified_ms: s3.opts.clock.now(),
    headers: JSON.stringify(attrs.headers),
    metadata: JSON.stringify(attrs.metadata),
  };
  await commitObject(ctx, tmp, row, {}, check, s3.event(ctx, 'ObjectCreated:Copy', bucket, key, { size: row.size, eTag: row.etag }));
  const checksum = row.checksum_algorithm && row.checksum ? tag(`Checksum${row.checksum_algorithm}`, row.checksum) + tag('ChecksumType', checksumType(row.checksum)) : '';
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': 'AES256' };
  if (header(ctx.req, 'x-amz-copy-source-version-id')) headers['x-amz-copy-source-version-id'] = 'null';
  return { headers, body: s3Document('CopyObjectResult', `${tag('ETag', quoted(row.etag))}${tag('LastModified', isoTime(row.modified_ms))}${checksum}`) };
}

export { S3Error };
