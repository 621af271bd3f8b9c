/**
 * Bucket operations: Create/Head/Delete/ListBuckets, GetBucketLocation, bucket tagging and policy, and
 * the trivial answers a new bucket gives to GetBucketAcl / GetBucketVersioning. Policies are stored as
 * given (validated as JSON), never enforced.
 */
import { header } from '../protocol/request.js';
import { XmlSyntaxError, child, childText, childrenNamed, parseXml, s3Document, tag, type XmlNode } from '../protocol/rest-xml.js';
import {
  bucketAlreadyOwnedByYou,
  invalidArgument,
  bucketNotEmpty,
  illegalLocationConstraint,
  invalidBucketName,
  invalidLocationConstraint,
  invalidTag,
  malformedPolicy,
  malformedXml,
  noSuchBucket,
  noSuchBucketPolicy,
  noSuchTagSet,
  S3Error,
} from './errors.js';
import type { S3Context, S3Reply } from './http.js';
import type { S3Service } from './service.js';
import type { BucketRow } from './store.js';
import { MAX_BUCKET_TAGS, OWNER_ID, OWNER_NAME } from './constants.js';

/** The bucket row, or NoSuchBucket. */
export function requireBucket(s3: S3Service, name: string): BucketRow {
  const row = s3.store.bucket(name);
  if (!row) throw noSuchBucket(name);
  return row;
}

/** AWS's bucket naming rules (general purpose buckets). */
export function validBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes('..') || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return false;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return false;
  return true;
}

export const isoTime = (ms: number) => new Date(ms).toISOString();
export const ownerXml = () => `<Owner>${tag('ID', OWNER_ID)}${tag('DisplayName', OWNER_NAME)}</Owner>`;

/** Parses an XML body, MalformedXML when it is not XML or its root is not `root`. */
export function parseBody(body: Buffer, root: string): XmlNode {
  try {
    const doc = parseXml(body.toString('utf8'));
    if (doc.name !== root) throw malformedXml();
    return doc;
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw malformedXml();
    throw err;
  }
}

/**
 * `x-amz-acl` / `x-amz-grant-*` on a bucket with ObjectOwnership BucketOwnerEnforced (every bucket
 * created today): only `private` and `bucket-owner-full-control` are accepted.
 */
export function aclHeadersAllowed(ctx: S3Context): boolean {
  const acl = header(ctx.req, 'x-amz-acl');
  if (acl !== undefined && acl !== 'private' && acl !== 'bucket-owner-full-control') return false;
  return !Object.keys(ctx.req.headers).some((h) => h.startsWith('x-amz-grant-'));
}

/** ListBuckets, with its 2024 parameters: prefix, bucket-region, max-buckets and continuation-token. */
export function listBuckets(ctx: S3Context): S3Reply {
  const q = ctx.query;
  const prefix = q.get('prefix') ?? '';
  const region = q.get('bucket-region');
  const rawMax = q.get('max-buckets');
  if (rawMax !== null && (!/^\d{1,5}$/.test(rawMax) || Number(rawMax) < 1 || Number(rawMax) > 10000)) {
    throw invalidArgument('Provided max-buckets not an integer or within integer range', 'max-buckets', rawMax);
  }
  const token = q.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64').toString('utf8') : '';
  const rows = ctx.s3.store.buckets().filter((b) => b.name.startsWith(prefix) && (!region || b.region === region) && b.name > after);
  const page = rawMax === null ? rows : rows.slice(0, Number(rawMax));
  const items = page
    .map((b) => `<Bucket>${tag('Name', b.name)}${tag('CreationDate', isoTime(b.created_ms))}${tag('BucketRegion', b.region)}</Bucket>`)
    .join('');
  const next = page.length < rows.length ? tag('ContinuationToken', Buffer.from(page[page.length - 1].name).toString('base64')) : '';
  return { body: s3Document('ListAllMyBucketsResult', `${ownerXml()}<Buckets>${items}</Buckets>${next}${prefix ? tag('Prefix', prefix) : ''}`) };
}

export async function createBucket(ctx: S3Context, name: string): Promise<S3Reply> {
  const body = await ctx.readBody();
  if (!validBucketName(name)) throw invalidBucketName(name);
  let constraint: string | undefined;
  if (body.length) {
    const doc = parseBody(body, 'CreateBucketConfiguration');
    constraint = childText(doc, 'LocationConstraint')?.trim() || undefined;
  }
  if (!aclHeadersAllowed(ctx)) {
    throw new S3Error('InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting.", 400);
  }
  const requestRegion = ctx.region;
  let region: string;
  if (constraint === undefined) {
    if (requestRegion !== 'us-east-1') throw illegalLocationConstraint(undefined);
    region = 'us-east-1';
  } else {
    if (constraint === 'us-east-1' || !/^([a-z]{2}(-[a-z]+)+-\d{1,2}|EU)$/.test(constraint)) throw invalidLocationConstraint(constraint);
    region = constraint === 'EU' ? 'eu-west-1' : constraint;
    if (requestRegion !== 'us-east-1' && region !== requestRegion) throw illegalLocationConstraint(constraint);
  }
  const existing = ctx.s3.store.bucket(name);
  if (existing) {
    // us-east-1 answers 200 again for a bucket you own there (and "resets its ACL"); every other region BucketAlreadyOwnedByYou.
    if (existing.region === 'us-east-1' && region === 'us-east-1') return { headers: { location: `/${name}` } };
    throw bucketAlreadyOwnedByYou(name);
  }
  ctx.s3.store.createBucket(name, region, ctx.s3.opts.clock.now());
  ctx.s3.opts.log?.(`S3 bucket ${name} created (${region})`);
  return { headers: { location: region === 'us-east-1' ? `/${name}` : `http://${name}.s3.amazonaws.com/` } };
}

export function headBucket(ctx: S3Context, name: string): S3Reply {
  const row = requireBucket(ctx.s3, name);
  return { headers: { 'x-amz-bucket-region': row.region, 'x-amz-access-point-alias': 'false', 'content-type': 'application/xml' } };
}

export function deleteBucket(ctx: S3Context, name: string): S3Reply {
  requireBucket(ctx.s3, name);
  if (!ctx.s3.store.bucketIsEmpty(name)) throw bucketNotEmpty(name);
  for (const f of ctx.s3.store.deleteBucket(name)) void ctx.s3.files.remove(f);
  ctx.s3.events.bucketRemoved?.(name);
  ctx.s3.opts.log?.(`S3 bucket ${name} deleted`);
  return { status: 204 };
}

export function getBucketLocation(ctx: S3Context, name: string): S3Reply {
  const row = requireBucket(ctx.s3, name);
  return { body: s3Document('LocationConstraint', row.region === 'us-east-1' ? '' : row.region) };
}

export function getBucketAcl(ctx: S3Context, name: string): S3Reply {
  requireBucket(ctx.s3, name);
  const grant =
    '<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">' +
    `${tag('ID', OWNER_ID)}${tag('DisplayName', OWNER_NAME)}</Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList>`;
  return { body: s3Document('AccessControlPolicy', `${ownerXml()}${grant}`) };
}

export function getBucketVersioning(ctx: S3Context, name: string): S3Reply {
  requireBucket(ctx.s3, name);
  return { body: s3Document('VersioningConfiguration', '') };
}

export async function putBucketTagging(ctx: S3Context, name: string): Promise<S3Reply> {
  const body = await ctx.readBody();
  requireBucket(ctx.s3, name);
  const doc = parseBody(body, 'Tagging');
  const set = child(doc, 'TagSet');
  if (!set) throw malformedXml();
  const tags: { Key: string; Value: string }[] = [];
  for (const t of childrenNamed(set, 'Tag')) {
    const key = childText(t, 'Key');
    const value = childText(t, 'Value');
    if (key === undefined || value === undefined) throw malformedXml();
    if (key.length < 1 || key.length > 128) throw invalidTag('The TagKey you have provided is invalid');
    if (value.length > 256) throw invalidTag('The TagValue you have provided is invalid');
    if (key.startsWith('aws:')) throw invalidTag('System tags cannot be added/updated by requester');
    if (tags.some((x) => x.Key === key)) throw invalidTag('Cannot provide multiple Tags with the same key');
    tags.push({ Key: key, Value: value });
  }
  if (tags.length > MAX_BUCKET_TAGS) throw new S3Error('BadRequest', 'Bucket tag count cannot be greater than 50', 400);
  ctx.s3.store.setBucketField(name, 'tags', JSON.stringify(tags));
  return { status: 204 };
}

export function getBucketTagging(ctx: S3Context, name: string): S3Reply {
  const row = requireBucket(ctx.s3, name);
  const tags = row.tags ? (JSON.parse(row.tags) as { Key: string; Value: string }[]) : [];
  if (!tags.length) throw noSuchTagSet(name);
  const items = tags.map((t) => `<Tag>${tag('Key', t.Key)}${tag('Value', t.Value)}</Tag>`).join('');
  return { body: s3Document('Tagging', `<TagSet>${items}</TagSet>`) };
}

export function deleteBucketTagging(ctx: S3Context, name: string): S3Reply {
  requireBucket(ctx.s3, name);
  ctx.s3.store.setBucketField(name, 'tags', null);
  return { status: 204 };
}

export async function putBucketPolicy(ctx: S3Context, name: string): Promise<S3Reply> {
  const body = (await ctx.readBody(20 * 1024)).toString('utf8');
  requireBucket(ctx.s3, name);
  const text = body.trim();
  let doc: unknown;
  try {
    doc = text.startsWith('{') ? JSON.parse(text) : undefined;
  } catch {
    doc = undefined;
  }
  if (!doc || typeof doc !== 'object') throw malformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  const statements = (doc as { Statement?: unknown }).Statement;
  if (statements === undefined || (Array.isArray(statements) && statements.length === 0)) throw malformedPolicy('Missing required field Statement');
  ctx.s3.store.setBucketField(name, 'policy', body);
  return { status: 204 };
}

export function getBucketPolicy(ctx: S3Context, name: string): S3Reply {
  const row = requireBucket(ctx.s3, name);
  if (!row.policy) throw noSuchBucketPolicy(name);
  return { headers: { 'content-type': 'application/json' }, body: Buffer.from(row.policy, 'utf8') };
}

export function deleteBucketPolicy(ctx: S3Context, name: string): S3Reply {
  requireBucket(ctx.s3, name);
  ctx.s3.store.setBucketField(name, 'policy', null);
  return { status: 204 };
}
