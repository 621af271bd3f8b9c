/**
 * The HTTP side of S3 (REST-XML): the per-request context operations receive, their reply shape, and
 * how replies and errors are written (request ids, `<Error>` documents, HEAD without bodies).
 * Operations never write to the response themselves; they return an `S3Reply` or throw an `S3Error`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { StreamContext } from '../protocol/request.js';
import { XML_DECL, tag } from '../protocol/rest-xml.js';
import { S3Error, entityTooLarge } from './errors.js';
import type { S3Service } from './service.js';
import { randomBase64, randomHex } from '../random.js';

export interface S3Context {
  s3: S3Service;
  req: IncomingMessage;
  res: ServerResponse;
  stream: StreamContext;
  method: string;
  /** S3's request id (16 upper-case hex digits) and extended request id, as in x-amz-request-id / x-amz-id-2. */
  requestId: string;
  hostId: string;
  bucket?: string;
  /** Decoded object key; undefined for bucket-level requests. */
  key?: string;
  query: URLSearchParams;
  /** The request's SigV4 region, us-east-1 when unsigned. */
  region: string;
  sourceIp: string;
  /** Reads the (small, configuration) body into memory; EntityTooLarge beyond `limit`. */
  readBody(limit?: number): Promise<Buffer>;
}

export interface S3Reply {
  status?: number;
  headers?: Record<string, string>;
  /** XML (content-type application/xml) or bytes. */
  body?: string | Buffer;
  /** A streamed body (GetObject) with its length. */
  stream?: { readable: Readable; length: number };
}

/** An S3 request's x-amz-request-id (16 hex digits) and x-amz-id-2 (48 random bytes, base64), from the pooled random bytes. */
export function newRequestIds(): { requestId: string; hostId: string } {
  return { requestId: randomHex(8).toUpperCase(), hostId: randomBase64(48) };
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(entityTooLarge(size, limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function errorDocument(err: S3Error, ctx: Pick<S3Context, 'requestId' | 'hostId'>): string {
  const fields = Object.entries(err.fields)
    .map(([k, v]) => tag(k, v))
    .join('');
  return `${XML_DECL}<Error>${tag('Code', err.code)}${tag('Message', err.message)}${fields}${tag('RequestId', ctx.requestId)}${tag('HostId', ctx.hostId)}</Error>`;
}

function baseHeaders(ctx: Pick<S3Context, 'requestId' | 'hostId'>): Record<string, string> {
  return { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': ctx.hostId, server: 'AmazonS3' };
}

/**
 * Writes a reply; HEAD replies keep their headers (Content-Length included) but send no body. Resolves
 * once a streamed body is sent or abandoned: a client that goes away mid-download destroys the read
 * stream (and closes its file) through `pipeline`, never leaving it open.
 */
export async function sendReply(ctx: S3Context, reply: S3Reply): Promise<void> {
  const { res } = ctx;
  if (res.destroyed) {
    reply.stream?.readable.destroy();
    return;
  }
  const headers: Record<string, string> = { ...baseHeaders(ctx), ...reply.headers };
  const head = ctx.method === 'HEAD';
  if (reply.stream) {
    headers['content-length'] ??= String(reply.stream.length);
    res.writeHead(reply.status ?? 200, headers);
    if (head) {
      reply.stream.readable.destroy();
      res.end();
      return;
    }
    const { readable } = reply.stream;
    // pipeline destroys both sides on an error or an early close; the failure is the client's, not ours.
    await new Promise<void>((resolve) => pipeline(readable, res, () => resolve()));
    // A destroyed file stream closes its descriptor asynchronously: the request is not done (S3 not idle)
    // until it has, so a test that awaits idleness after a client went away sees no object file open.
    if (readable.destroyed && !readable.closed) await new Promise<void>((resolve) => readable.once('close', () => resolve()));
    return;
  }
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  if (typeof reply.body === 'string') headers['content-type'] ??= 'application/xml';
  if (!('content-length' in headers)) headers['content-length'] = String(body?.length ?? 0);
  res.writeHead(reply.status ?? 200, headers);
  res.end(head ? undefined : body);
}

/** Writes an S3 error; HEAD gets the status only (as AWS: no body). Closes the connection when the body was not read. */
export function sendError(ctx: S3Context, err: S3Error): void {
  const { res, req } = ctx;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = ctx.method === 'HEAD' ? '' : errorDocument(err, ctx);
  const headers: Record<string, string> = { ...baseHeaders(ctx), ...err.headers, 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) };
  if (!req.complete) headers.connection = 'close';
  res.writeHead(err.status, headers);
  res.end(body || undefined);
  if (!req.complete) req.resume();
}
