/**
 * ListObjectsV2 and ListObjects: prefix, delimiter (CommonPrefixes), max-keys, continuation-token /
 * start-after (V2), marker (V1), encoding-type=url, fetch-owner. Keys come from SQLite in UTF-8 byte
 * order. Continuation tokens are opaque (base64 of the last key or common prefix returned).
 */
import { s3Document, tag } from '../protocol/rest-xml.js';
import { invalidArgument, invalidEncodingType, invalidMaxKeys } from './errors.js';
import type { S3Context, S3Reply } from './http.js';
import { isoTime, ownerXml, requireBucket } from './bucket-ops.js';
import { MAX_KEYS_DEFAULT } from './constants.js';
import type { ObjectRow } from './store.js';
import { checksumType } from './object-ops.js';

interface Page {
  contents: ObjectRow[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned. */
  last?: string;
}

function page(ctx: S3Context, bucket: string, prefix: string, delimiter: string, after: string, maxKeys: number): Page {
  const contents: ObjectRow[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  let truncated = false;
  let lastPrefix: string | undefined;
  for (const row of ctx.s3.store.iterateObjects(bucket, prefix, after)) {
    let cp: string | undefined;
    if (delimiter) {
      const at = row.key.indexOf(delimiter, prefix.length);
      if (at >= 0) cp = row.key.slice(0, at + delimiter.length);
    }
    if (cp !== undefined && (cp === lastPrefix || cp === after)) continue; // already returned (this page or the previous one)
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (cp !== undefined) {
      prefixes.push(cp);
      lastPrefix = cp;
      last = cp;
    } else {
      contents.push(row);
      last = row.key;
    }
  }
  return { contents, prefixes, truncated, last };
}

function commonParams(ctx: S3Context): { prefix: string; delimiter: string; maxKeys: number; encode: (s: string) => string; url: boolean } {
  const q = ctx.query;
  const encodingType = q.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') throw invalidEncodingType(encodingType);
  const raw = q.get('max-keys');
  let maxKeys = MAX_KEYS_DEFAULT;
  if (raw !== null) {
    if (!/^-?\d{1,10}$/.test(raw) || Number(raw) > 2 ** 31 - 1) throw invalidMaxKeys(raw);
    maxKeys = Number(raw);
    if (maxKeys < 0) throw invalidArgument('Argument maxKeys must be an integer between 0 and 2147483647', 'maxKeys', raw);
    maxKeys = Math.min(maxKeys, MAX_KEYS_DEFAULT);
  }
  const url = encodingType === 'url';
  const encode = (s: string) => (url ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  return { prefix: q.get('prefix') ?? '', delimiter: q.get('delimiter') ?? '', maxKeys, encode, url };
}

function contentsXml(rows: ObjectRow[], encode: (s: string) => string, owner: boolean): string {
  return rows
    .map(
      (r) =>
        `<Contents>${tag('Key', encode(r.key))}${tag('LastModified', isoTime(r.modified_ms))}${tag('ETag', `"${r.etag}"`)}` +
        `${r.checksum_algorithm ? tag('ChecksumAlgorithm', r.checksum_algorithm) + tag('ChecksumType', checksumType(r.checksum ?? '')) : ''}` +
        `${tag('Size', r.size)}${owner ? ownerXml() : ''}${tag('StorageClass', (JSON.parse(r.headers) as Record<string, string>)['x-amz-storage-class'] ?? 'STANDARD')}</Contents>`,
    )
    .join('');
}

const prefixesXml = (prefixes: string[], encode: (s: string) => string) =>
  prefixes.map((p) => `<CommonPrefixes>${tag('Prefix', encode(p))}</CommonPrefixes>`).join('');

export function listObjectsV2(ctx: S3Context, bucket: string): S3Reply {
  requireBucket(ctx.s3, bucket);
  const { prefix, delimiter, maxKeys, encode, url } = commonParams(ctx);
  const token = ctx.query.get('continuation-token');
  const startAfter = ctx.query.get('start-after') ?? '';
  let after = startAfter;
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    if (!token || !decoded.startsWith('1:')) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
    after = decoded.slice(2);
  }
  const p = page(ctx, bucket, prefix, delimiter, after, maxKeys);
  const owner = ctx.query.get('fetch-owner') === 'true';
  const inner =
    tag('Name', bucket) +
    tag('Prefix', encode(prefix)) +
    (token !== null ? tag('ContinuationToken', token) : '') +
    (p.truncated && p.last !== undefined ? tag('NextContinuationToken', Buffer.from(`1:${p.last}`).toString('base64')) : '') +
    tag('KeyCount', p.contents.length + p.prefixes.length) +
    tag('MaxKeys', maxKeys) +
    (delimiter ? tag('Delimiter', encode(delimiter)) : '') +
    tag('IsTruncated', p.truncated) +
    (startAfter ? tag('StartAfter', encode(startAfter)) : '') +
    contentsXml(p.contents, encode, owner) +
    prefixesXml(p.prefixes, encode) +
    (url ? tag('EncodingType', 'url') : '');
  return { body: s3Document('ListBucketResult', inner) };
}

export function listObjects(ctx: S3Context, bucket: string): S3Reply {
  requireBucket(ctx.s3, bucket);
  const { prefix, delimiter, maxKeys, encode, url } = commonParams(ctx);
  const marker = ctx.query.get('marker') ?? '';
  const p = page(ctx, bucket, prefix, delimiter, marker, maxKeys);
  const inner =
    tag('Name', bucket) +
    tag('Prefix', encode(prefix)) +
    tag('Marker', encode(marker)) +
    // AWS returns NextMarker only with a delimiter; without one, clients continue from the last key.
    (p.truncated && delimiter && p.last !== undefined ? tag('NextMarker', encode(p.last)) : '') +
    tag('MaxKeys', maxKeys) +
    (delimiter ? tag('Delimiter', encode(delimiter)) : '') +
    tag('IsTruncated', p.truncated) +
    contentsXml(p.contents, encode, true) +
    prefixesXml(p.prefixes, encode) +
    (url ? tag('EncodingType', 'url') : '');
  return { body: s3Document('ListBucketResult', inner) };
}
