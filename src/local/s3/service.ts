/**
 * The S3 service: requests arrive before their body is read (router.ts `streamingService`), are
 * addressed path-style (`/bucket/key`) or virtual-hosted (`bucket.localhost`), and dispatched here by
 * method, bucket/key and sub-resource to one operation module (bucket-ops, object-ops, list-ops,
 * multipart-ops, notification-ops). Bodies stream to a temp file (body.ts; up to 1 MiB into memory;
 * larger ones written and hashed by a worker thread, body-writer.ts), are renamed into place (files.ts;
 * up to 64 KiB kept inline in the row instead; fsynced first on a durable emulator) and committed to SQLite
 * (store.ts; concurrent writes share one commit, group-commit.ts) before the response; `events` hears of
 * it inside that commit (`event`).
 *
 * Fidelity ledger
 * - Supported: CreateBucket (LocationConstraint, us-east-1's 200 for a bucket you own), HeadBucket,
 *   DeleteBucket, ListBuckets (prefix, region, pages), GetBucketLocation, Put/Get/DeleteBucketTagging, Put/Get/DeleteBucketPolicy
 *   (stored, not enforced), GetBucketAcl/GetBucketVersioning (a new bucket's answers), PutObject,
 *   GetObject (Range, conditional headers, response-* overrides), HeadObject, DeleteObject, DeleteObjects,
 *   CopyObject (metadata directive, copy-source conditions), conditional writes (If-None-Match: * and
 *   If-Match on PutObject, CopyObject, CompleteMultipartUpload: 412 PreconditionFailed, If-Match on a
 *   missing key 404 NoSuchKey, checked inside the commit transaction; If-None-Match other than *
 *   NotImplemented), ListObjectsV2, ListObjects,
 *   Create/UploadPart/Complete/Abort multipart upload, ListParts, ListMultipartUploads (no pagination);
 *   Content-MD5, x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256} headers and aws-chunked trailers verified,
 *   signed and unsigned aws-chunked bodies, signed payload SHA256 verified, Expect: 100-continue (node).
 * - Deliberately different: signatures are not verified and a request signed for another region than the
 *   bucket's is answered anyway (no PermanentRedirect); one account (every bucket is yours); ACLs as
 *   for a bucket created today (BucketOwnerEnforced): only private/bucket-owner-full-control accepted
 *   (PutObject: AccessControlListNotSupported, CreateBucket: InvalidBucketAclWithObjectOwnership);
 *   bucket policies are stored but not enforced; multipart objects get COMPOSITE
 *   checksums only (no FULL_OBJECT multipart checksums); no versioning (versionId never set); racing
 *   conditional writes never answer 409 ConditionalRequestConflict (commits are serialized: one wins, the other gets 412).
 * - Not yet supported (NotImplemented, 501): every other sub-resource (versioning writes, cors,
 *   lifecycle, website, encryption, object tagging, object lock, …), UploadPartCopy, POST uploads,
 *   SSE-C, presigned URL expiry checks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { LogFn } from '../log.js';
import type { StreamContext } from '../protocol/request.js';
import { header } from '../protocol/request.js';
import { S3Error, methodNotAllowed, notImplemented } from './errors.js';
import { NO_EVENTS, sequencer, type S3EventName, type S3EventSink } from './events.js';
import { newRequestIds, readBody, sendError, sendReply, type S3Context, type S3Reply } from './http.js';
import { BodyFiles } from './files.js';
import { S3Store, type InCommit } from './store.js';
import { GroupCommit } from '../store/group-commit.js';
import { MAX_CONFIG_BODY_BYTES } from './constants.js';
import * as buckets from './bucket-ops.js';
import * as objects from './object-ops.js';
import * as lists from './list-ops.js';
import * as multipart from './multipart-ops.js';
import { getNotificationConfiguration, putNotificationConfiguration } from './notification-ops.js';

export interface S3ServiceOptions {
  db: Db;
  clock: Clock;
  /** Durable emulators keep object bodies under `<stateDir>/s3`; in-memory ones in a temp dir. */
  stateDir?: string;
  log?: LogFn;
  /** The store's group commit, shared with SQS and SNS so one turn's writes of all three make one commit; its own when none is given. */
  commits?: GroupCommit;
}

/** Sub-resources answered NotImplemented (501). */
const UNSUPPORTED = new Set([
  'accelerate', 'analytics', 'attributes', 'cors', 'encryption', 'intelligent-tiering', 'inventory', 'legal-hold', 'lifecycle',
  'logging', 'metadataConfiguration', 'metadataTable', 'metrics', 'object-lock', 'ownershipControls', 'policyStatus',
  'publicAccessBlock', 'replication', 'requestPayment', 'restore', 'retention', 'select', 'session', 'tagging', 'torrent',
  'versioning', 'versions', 'website', 'acl', 'renameObject',
]);

const VIRTUAL_HOST = /^(.+)\.localhost(:\d+)?$/i;

export class S3Service {
  readonly store: S3Store;
  readonly files: BodyFiles;
  /** Object writes share commits with the writes queued in the same event-loop turn (group-commit.ts). */
  readonly commits: GroupCommit;
  /** Where committed object creations and removals are reported (the notification module). */
  events: S3EventSink = NO_EVENTS;
  private inflight = 0;
  private readonly active = new Set<{ req: IncomingMessage; res: ServerResponse }>();
  private stopped = false;

  constructor(readonly opts: S3ServiceOptions) {
    this.store = new S3Store(opts.db);
    this.files = new BodyFiles(opts.stateDir);
    this.commits = opts.commits ?? new GroupCommit(opts.db);
  }

  attachEventSink(sink: S3EventSink): void {
    this.events = sink;
  }

  bucketRegion(name: string): string | undefined {
    return this.store.bucket(name)?.region;
  }

  /**
   * What an object write runs inside its commit transaction (store.ts `InCommit`): reports the change to
   * the event sink there, so the object and its notification deliveries commit together (one commit per
   * PUT, and no acknowledged object without its notifications after a crash). A sink that throws is
   * logged; the object still commits.
   */
  event(ctx: S3Context, eventName: S3EventName, bucket: string, key: string, object?: { size: number; eTag: string }): InCommit {
    return (seq) => {
      try {
        this.events.objectEvent({
          eventName,
          bucket,
          region: this.bucketRegion(bucket) ?? ctx.region,
          key,
          size: object?.size,
          eTag: object?.eTag,
          sequencer: sequencer(seq),
          requestId: ctx.requestId,
          hostId: ctx.hostId,
          sourceIp: ctx.sourceIp,
          timeMs: this.opts.clock.now(),
        });
      } catch (err) {
        this.opts.log?.(`S3 event sink failed for ${bucket}/${key}: ${(err as Error).message}`);
      }
    };
  }

  /** Answers one S3 request; the body is still unread on `req`. */
  async handle(req: IncomingMessage, res: ServerResponse, stream: StreamContext): Promise<void> {
    const ids = newRequestIds();
    const ctx = this.context(req, res, stream, ids);
    this.inflight++;
    // Shutdown (`stop`) destroys the requests in flight: a stalled upload or a slow download ends then
    // instead of holding close() open (the server has no request timeout). A client that goes away ends
    // its own request (body readers see 'close', downloads' pipelines are destroyed). Tracked here rather
    // than by listening to the request's AbortSignal: making one per request cost ~2% of a small PUT.
    const entry = { req, res };
    this.active.add(entry);
    if (this.stopped) S3Service.destroy(entry);
    let reply: S3Reply | undefined;
    try {
      reply = await this.dispatch(ctx);
      await sendReply(ctx, reply);
    } catch (err) {
      reply?.stream?.readable.destroy();
      if (err instanceof S3Error) return sendError(ctx, err);
      this.opts.log?.(`S3 ERROR ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
      sendError(ctx, new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500));
    } finally {
      this.active.delete(entry);
      this.inflight--;
      if (this.stopped && this.inflight === 0) this.files.close();
    }
  }

  private context(req: IncomingMessage, res: ServerResponse, stream: StreamContext, ids: { requestId: string; hostId: string }): S3Context {
    const host = header(req, 'host') ?? '';
    const vhost = VIRTUAL_HOST.exec(host)?.[1];
    let bucket: string | undefined;
    let key: string | undefined;
    const rawPath = stream.path || '/';
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    if (vhost) {
      bucket = vhost;
      key = rawPath.length > 1 ? decode(rawPath.slice(1)) : undefined;
    } else {
      const rest = rawPath.slice(1);
      const slash = rest.indexOf('/');
      const b = slash < 0 ? rest : rest.slice(0, slash);
      bucket = b ? decode(b) : undefined;
      key = slash >= 0 && slash < rest.length - 1 ? decode(rest.slice(slash + 1)) : undefined;
    }
    return {
      s3: this,
      req,
      res,
      stream,
      method: req.method ?? 'GET',
      ...ids,
      bucket,
      key,
      query: new URLSearchParams(stream.search),
      region: stream.region ?? 'us-east-1',
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      readBody: (limit = MAX_CONFIG_BODY_BYTES) => readBody(req, limit),
    };
  }

  private async dispatch(ctx: S3Context): Promise<S3Reply> {
    const { method, bucket, key, query } = ctx;
    if (!bucket) {
      if (method === 'GET' || method === 'HEAD') return buckets.listBuckets(ctx);
      throw methodNotAllowed(method, 'SERVICE', 'GET, HEAD');
    }
    if (key === undefined) return this.bucketRequest(ctx, bucket, method, query);
    if (query.has('uploadId') || query.has('uploads')) return this.multipartRequest(ctx, bucket, key, method, query);
    const sub = [...query.keys()].find((k) => UNSUPPORTED.has(k));
    if (sub) throw notImplemented();
    switch (method) {
      case 'PUT':
        return header(ctx.req, 'x-amz-copy-source') !== undefined ? objects.copyObject(ctx, bucket, key) : objects.putObject(ctx, bucket, key);
      case 'GET':
      case 'HEAD':
        return objects.getObject(ctx, bucket, key);
      case 'DELETE':
        return objects.deleteObject(ctx, bucket, key);
      case 'POST':
        throw notImplemented();
      default:
        throw methodNotAllowed(method, 'OBJECT', 'GET, HEAD, PUT, DELETE, POST');
    }
  }

  private async bucketRequest(ctx: S3Context, bucket: string, method: string, query: URLSearchParams): Promise<S3Reply> {
    const has = (k: string) => query.has(k);
    if (has('notification')) {
      buckets.requireBucket(this, bucket);
      if (method === 'GET') return getNotificationConfiguration(ctx);
      if (method === 'PUT') return putNotificationConfiguration(ctx);
      throw methodNotAllowed(method, 'BUCKET', 'GET, PUT');
    }
    if (has('tagging')) {
      if (method === 'PUT') return buckets.putBucketTagging(ctx, bucket);
      if (method === 'GET') return buckets.getBucketTagging(ctx, bucket);
      if (method === 'DELETE') return buckets.deleteBucketTagging(ctx, bucket);
    }
    if (has('policy')) {
      if (method === 'PUT') return buckets.putBucketPolicy(ctx, bucket);
      if (method === 'GET') return buckets.getBucketPolicy(ctx, bucket);
      if (method === 'DELETE') return buckets.deleteBucketPolicy(ctx, bucket);
    }
    if (method === 'GET' && has('location')) return buckets.getBucketLocation(ctx, bucket);
    if (method === 'GET' && has('acl')) return buckets.getBucketAcl(ctx, bucket);
    if (method === 'GET' && has('versioning')) return buckets.getBucketVersioning(ctx, bucket);
    if (method === 'GET' && has('uploads')) return multipart.listMultipartUploads(ctx, bucket);
    if (method === 'POST' && has('delete')) return objects.deleteObjects(ctx, bucket);
    if ([...query.keys()].some((k) => UNSUPPORTED.has(k) || k === 'uploads' || k === 'delete' || k === 'location')) throw notImplemented();
    switch (method) {
      case 'PUT':
        return buckets.createBucket(ctx, bucket);
      case 'HEAD':
        return buckets.headBucket(ctx, bucket);
      case 'DELETE':
        return buckets.deleteBucket(ctx, bucket);
      case 'GET':
        return query.get('list-type') === '2' ? lists.listObjectsV2(ctx, bucket) : lists.listObjects(ctx, bucket);
      case 'POST':
        throw notImplemented();
      default:
        throw methodNotAllowed(method, 'BUCKET', 'GET, HEAD, PUT, DELETE, POST');
    }
  }

  private async multipartRequest(ctx: S3Context, bucket: string, key: string, method: string, query: URLSearchParams): Promise<S3Reply> {
    if (method === 'POST' && query.has('uploads')) return multipart.createMultipartUpload(ctx, bucket, key);
    const uploadId = query.get('uploadId') ?? '';
    if (method === 'PUT' && query.has('partNumber')) {
      if (header(ctx.req, 'x-amz-copy-source') !== undefined) throw notImplemented('x-amz-copy-source');
      return multipart.uploadPart(ctx, bucket, key, uploadId);
    }
    if (method === 'POST') return multipart.completeMultipartUpload(ctx, bucket, key, uploadId);
    if (method === 'DELETE') return multipart.abortMultipartUpload(ctx, bucket, key, uploadId);
    if (method === 'GET') return multipart.listParts(ctx, bucket, key, uploadId);
    throw methodNotAllowed(method, 'MULTIPARTUPLOAD', 'GET, PUT, POST, DELETE');
  }

  start(): void {
    const referenced = this.store.referencedFiles();
    this.files.sweep((id) => referenced.has(id));
  }

  private static destroy(r: { req: IncomingMessage; res: ServerResponse }): void {
    r.req.destroy();
    r.res.destroy();
  }

  /** Ends the requests in flight; in-memory emulators remove their body directory once the last is done. */
  stop(): void {
    this.stopped = true;
    for (const r of this.active) S3Service.destroy(r);
    if (this.inflight === 0) this.files.close();
  }

  /** Why S3 is not idle (empty when it is). */
  busy(): string[] {
    return this.inflight > 0 ? [`S3: ${this.inflight} request(s) in flight`] : [];
  }
}
