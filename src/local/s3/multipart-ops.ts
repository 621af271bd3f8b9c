/**
 * Multipart uploads: Create, UploadPart, Complete (ETag = MD5 of the parts' binary MD5s + `-N`;
 * EntityTooSmall, InvalidPart, InvalidPartOrder as AWS), Abort, ListParts, ListMultipartUploads (one
 * page). Parts are body files like objects; Complete concatenates them into a temp file, renames it into
 * place and commits the object and the upload's removal in one transaction. An upload created with a
 * checksum algorithm whose parts all carry that checksum gets AWS's COMPOSITE checksum (the checksum of
 * the parts' raw checksums, `-N`). No UploadPartCopy and no FULL_OBJECT multipart checksums.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createHash, randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { header } from '../protocol/request.js';
import { childText, childrenNamed, s3Document, tag } from '../protocol/rest-xml.js';
import { receiveBody } from './body.js';
import { checksumHeader, checksummer, CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './checksums.js';
import {
  aclNotSupported,
  entityTooSmall,
  invalidArgument,
  invalidPart,
  invalidPartOrder,
  malformedXml,
  noSuchUpload,
} from './errors.js';
import type { S3Context, S3Reply } from './http.js';
import type { ObjectRow, UploadRow } from './store.js';
import { aclHeadersAllowed, isoTime, ownerXml, parseBody, requireBucket } from './bucket-ops.js';
import { checkKey, objectAttributes, writeConditions } from './object-ops.js';
import { MAX_PART_NUMBER, MAX_PUT_BYTES, MIN_PART_BYTES, OWNER_ID, OWNER_NAME } from './constants.js';

function requireUpload(ctx: S3Context, bucket: string, key: string, uploadId: string): UploadRow {
  requireBucket(ctx.s3, bucket);
  const up = ctx.s3.store.upload(uploadId);
  if (!up || up.bucket !== bucket || up.key !== key) throw noSuchUpload(uploadId);
  return up;
}

export async function createMultipartUpload(ctx: S3Context, bucket: string, key: string): Promise<S3Reply> {
  await ctx.readBody();
  requireBucket(ctx.s3, bucket);
  checkKey(key);
  if (!aclHeadersAllowed(ctx)) throw aclNotSupported();
  const algorithm = header(ctx.req, 'x-amz-checksum-algorithm')?.toUpperCase();
  if (algorithm !== undefined && !CHECKSUM_ALGORITHMS.includes(algorithm as never)) {
    throw invalidArgument('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]', 'x-amz-checksum-algorithm', algorithm);
  }
  const attrs = objectAttributes(ctx);
  const id = randomBytes(48).toString('base64url');
  ctx.s3.store.createUpload({
    id,
    bucket,
    key,
    created_ms: ctx.s3.opts.clock.now(),
    headers: JSON.stringify(attrs.headers),
    metadata: JSON.stringify(attrs.metadata),
    checksum_algorithm: algorithm ?? null,
  });
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': 'AES256' };
  if (algorithm) headers['x-amz-checksum-algorithm'] = algorithm;
  return { headers, body: s3Document('InitiateMultipartUploadResult', `${tag('Bucket', bucket)}${tag('Key', key)}${tag('UploadId', id)}`) };
}

function partNumberOf(raw: string | null): number {
  if (raw === null || !/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PART_NUMBER) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw ?? '');
  }
  return Number(raw);
}

export async function uploadPart(ctx: S3Context, bucket: string, key: string, uploadId: string): Promise<S3Reply> {
  const partNumber = partNumberOf(ctx.query.get('partNumber'));
  requireUpload(ctx, bucket, key, uploadId);
  const body = await receiveBody(ctx.req, ctx.s3.files, MAX_PUT_BYTES);
  const file = await ctx.s3.files.commitBody(body, body.tmp ?? '').catch(async (err) => {
    if (body.tmp) await unlink(body.tmp).catch(() => {});
    throw err;
  });
  const out = ctx.s3.store.putPart({
    upload_id: uploadId,
    part_number: partNumber,
    file,
    size: body.size,
    etag: body.md5Hex,
    modified_ms: ctx.s3.opts.clock.now(),
    checksum: body.checksum ? `${body.checksum.algorithm}:${body.checksum.value}` : null,
  });
  if (out === false) {
    await ctx.s3.files.remove(file);
    throw noSuchUpload(uploadId);
  }
  if (out.replaced) void ctx.s3.files.remove(out.replaced);
  const headers: Record<string, string> = { etag: `"${body.md5Hex}"`, 'x-amz-server-side-encryption': 'AES256' };
  if (body.checksum) headers[checksumHeader(body.checksum.algorithm)] = body.checksum.value;
  return { headers };
}

export async function completeMultipartUpload(ctx: S3Context, bucket: string, key: string, uploadId: string): Promise<S3Reply> {
  const check = writeConditions(ctx, key);
  const body = await ctx.readBody();
  const up = requireUpload(ctx, bucket, key, uploadId);
  const doc = parseBody(body, 'CompleteMultipartUpload');
  const requested = childrenNamed(doc, 'Part').map((p) => {
    const n = childText(p, 'PartNumber');
    const etag = childText(p, 'ETag');
    if (n === undefined || etag === undefined || !/^\d+$/.test(n.trim())) throw malformedXml();
    return { partNumber: Number(n.trim()), etag: etag.trim().replace(/^"(.*)"$/, '$1') };
  });
  if (requested.length === 0) throw malformedXml();
  for (let i = 1; i < requested.length; i++) if (requested[i].partNumber <= requested[i - 1].partNumber) throw invalidPartOrder(uploadId);
  const stored = new Map(ctx.s3.store.parts(uploadId).map((p) => [p.part_number, p]));
  const parts = requested.map((r) => {
    const p = stored.get(r.partNumber);
    if (!p || p.etag !== r.etag) throw invalidPart(uploadId, r.partNumber, `"${r.etag}"`);
    return p;
  });
  parts.forEach((p, i) => {
    if (i < parts.length - 1 && p.size < MIN_PART_BYTES) throw entityTooSmall(p.size, MIN_PART_BYTES, p.part_number, `"${p.etag}"`);
  });
  const composite = compositeChecksum(up.checksum_algorithm as ChecksumAlgorithm | null, parts.map((p) => p.checksum));
  const md5s = createHash('md5');
  for (const p of parts) md5s.update(Buffer.from(p.etag, 'hex'));
  const etag = `${md5s.digest('hex')}-${parts.length}`;
  const tmp = ctx.s3.files.tempPath();
  try {
    // 4 MiB reads and an 8 MiB write buffer: a 256 MiB object is 64 reads per part set, not 4,096.
    const out = createWriteStream(tmp, { highWaterMark: 8 * 1024 * 1024 });
    for (const p of parts) await pipeline(createReadStream(ctx.s3.files.path(p.file), { highWaterMark: 4 * 1024 * 1024 }), out, { end: false });
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await ctx.s3.files.flushed(tmp);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw noSuchUpload(uploadId); // completed or aborted meanwhile
    throw err;
  }
  const row: ObjectRow = {
    bucket,
    key,
    file: '',
    size: parts.reduce((n, p) => n + p.size, 0),
    etag,
    modified_ms: ctx.s3.opts.clock.now(),
    headers: up.headers,
    metadata: up.metadata,
    checksum_algorithm: composite ? up.checksum_algorithm : null,
    checksum: composite ?? null,
  };
  // Commit the object and drop the upload together: a second Complete then answers NoSuchUpload.
  const file = await ctx.s3.files.commitTemp(tmp);
  row.file = file;
  let done: ReturnType<typeof ctx.s3.store.completeUpload>;
  try {
    done = await ctx.s3.commits.run(() => ctx.s3.store.completeUpload(uploadId, row, check, ctx.s3.event(ctx, 'ObjectCreated:CompleteMultipartUpload', bucket, key, { size: row.size, eTag: etag })));
  } catch (err) {
    await ctx.s3.files.remove(file);
    throw err;
  }
  if (!done) {
    await ctx.s3.files.remove(file);
    throw noSuchUpload(uploadId);
  }
  if (done.replaced) void ctx.s3.files.remove(done.replaced);
  for (const f of done.partFiles) void ctx.s3.files.remove(f);
  ctx.s3.opts.log?.(`S3 ${bucket} <- ${key} (${row.size} bytes, ${parts.length} parts)`);
  const location = `${ctx.stream.baseUrl}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const sum = composite ? `${tag(`Checksum${up.checksum_algorithm}`, composite)}${tag('ChecksumType', 'COMPOSITE')}` : '';
  return {
    headers: { 'x-amz-server-side-encryption': 'AES256' },
    body: s3Document('CompleteMultipartUploadResult', `${tag('Location', location)}${tag('Bucket', bucket)}${tag('Key', key)}${tag('ETag', `"${etag}"`)}${sum}`),
  };
}

export function abortMultipartUpload(ctx: S3Context, bucket: string, key: string, uploadId: string): S3Reply {
  requireUpload(ctx, bucket, key, uploadId);
  for (const f of ctx.s3.store.deleteUpload(uploadId)) void ctx.s3.files.remove(f);
  return { status: 204 };
}

export function listParts(ctx: S3Context, bucket: string, key: string, uploadId: string): S3Reply {
  requireUpload(ctx, bucket, key, uploadId);
  const rawMax = ctx.query.get('max-parts');
  const rawMarker = ctx.query.get('part-number-marker');
  if (rawMax !== null && !/^\d{1,10}$/.test(rawMax)) throw invalidArgument('Provided max-parts not an integer or within integer range', 'max-parts', rawMax);
  if (rawMarker !== null && !/^\d{1,10}$/.test(rawMarker)) {
    throw invalidArgument('Provided part-number-marker not an integer or within integer range', 'part-number-marker', rawMarker);
  }
  const maxParts = Math.min(rawMax === null ? 1000 : Number(rawMax), 1000);
  const marker = rawMarker === null ? 0 : Number(rawMarker);
  const all = ctx.s3.store.parts(uploadId).filter((p) => p.part_number > marker);
  const parts = all.slice(0, maxParts);
  const truncated = all.length > parts.length;
  const items = parts
    .map((p) => {
      const [alg, value] = p.checksum?.split(':') ?? [];
      return `<Part>${tag('PartNumber', p.part_number)}${tag('LastModified', isoTime(p.modified_ms))}${tag('ETag', `"${p.etag}"`)}${alg ? tag(`Checksum${alg}`, value) : ''}${tag('Size', p.size)}</Part>`;
    })
    .join('');
  const initiator = `<Initiator>${tag('ID', OWNER_ID)}${tag('DisplayName', OWNER_NAME)}</Initiator>`;
  const inner =
    `${tag('Bucket', bucket)}${tag('Key', key)}${tag('UploadId', uploadId)}${tag('PartNumberMarker', marker)}` +
    `${tag('NextPartNumberMarker', parts.length ? parts[parts.length - 1].part_number : 0)}${tag('MaxParts', maxParts)}${tag('IsTruncated', truncated)}` +
    `${items}${initiator}${ownerXml()}${tag('StorageClass', 'STANDARD')}`;
  return { body: s3Document('ListPartsResult', inner) };
}

export function listMultipartUploads(ctx: S3Context, bucket: string): S3Reply {
  requireBucket(ctx.s3, bucket);
  const prefix = ctx.query.get('prefix') ?? '';
  const uploads = ctx.s3.store.uploads(bucket).filter((u) => u.key.startsWith(prefix));
  const initiator = `<Initiator>${tag('ID', OWNER_ID)}${tag('DisplayName', OWNER_NAME)}</Initiator>`;
  const items = uploads
    .map((u) => `<Upload>${tag('Key', u.key)}${tag('UploadId', u.id)}${initiator}${ownerXml()}${tag('StorageClass', 'STANDARD')}${tag('Initiated', isoTime(u.created_ms))}</Upload>`)
    .join('');
  const inner = `${tag('Bucket', bucket)}<KeyMarker/><UploadIdMarker/>${tag('Prefix', prefix)}${tag('MaxUploads', 1000)}${tag('IsTruncated', false)}${items}`;
  return { body: s3Document('ListMultipartUploadsResult', inner) };
}

/** AWS's COMPOSITE checksum: the algorithm over the parts' raw checksums, then `-<parts>`; undefined unless every part has one. */
function compositeChecksum(algorithm: ChecksumAlgorithm | null, partChecksums: (string | null)[]): string | undefined {
  if (!algorithm) return undefined;
  const sum = checksummer(algorithm);
  if (!sum) return undefined;
  for (const c of partChecksums) {
    const [alg, value] = c?.split(':') ?? [];
    if (alg !== algorithm || !value) return undefined;
    sum.update(Buffer.from(value, 'base64'));
  }
  return `${sum.digest()}-${partChecksums.length}`;
}
