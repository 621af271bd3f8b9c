/**
 * The HTTP side of an invoke URL: which API a request names (host or path form), reading its body under
 * the 10 MB limit, the headers API Gateway adds before the integration sees them, API Gateway's request
 * ids, and writing a response (`{"message"}` errors, repeated headers, content-length). No routing, no
 * integrations (invoke.ts).
 */
import { randomBase64, traceRoot } from '../random.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpResponse } from './response.js';

/** Invoke URL request bodies: 10 MB (HTTP API payload quota). */
export const MAX_INVOKE_BODY = 10 * 1024 * 1024;
const EXECUTE_API_PATH = '/_aws/execute-api/';
const EXECUTE_API_HOST = /^([a-z0-9]{1,32})\.execute-api\.localhost(:\d+)?$/i;

export interface InvokeTarget {
  apiId: string;
  /** The path below the API's origin, percent-encoded, starting with `/`. */
  below: string;
  pathForm: boolean;
}

/** Which API an invoke URL names, and the path below it. */
export function invokeTarget(path: string, host: string | undefined): InvokeTarget | undefined {
  if (path.startsWith(EXECUTE_API_PATH)) {
    const rest = path.slice(EXECUTE_API_PATH.length);
    const i = rest.indexOf('/');
    const apiId = i >= 0 ? rest.slice(0, i) : rest;
    if (!apiId) return undefined;
    return { apiId, below: i >= 0 ? rest.slice(i) : '/', pathForm: true };
  }
  const m = EXECUTE_API_HOST.exec(host ?? '');
  if (!m) return undefined;
  return { apiId: m[1]!.toLowerCase(), below: path || '/', pathForm: false };
}

export function messageResponse(status: number, message: string): HttpResponse {
  return { status, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify({ message })) };
}

const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

/**
 * Writes a response: `headers` (lower- or mixed-case names; a repeated name is sent once per value, its
 * values together where the name first appeared) without hop-by-hop headers, plus the content-length.
 */
export function send(res: ServerResponse, status: number, headers: Array<[string, string]>, body: Buffer): void {
  if (res.headersSent) return void res.destroy();
  // A flat [name, value, …] list (node:http writes each pair as one line): no per-response objects.
  const flat: string[] = [];
  let repeated = false;
  for (const [k, v] of headers) {
    const name = k.toLowerCase();
    if (HOP_BY_HOP.has(name) && name !== 'connection') continue;
    if (!repeated) for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) repeated = true;
    flat.push(name, v);
  }
  const out = repeated ? groupRepeated(flat) : flat;
  out.push('content-length', String(body.length));
  res.writeHead(status, out);
  res.end(body);
}

/** A flat header list with the values of each name moved up to where the name first appeared. */
function groupRepeated(flat: string[]): string[] {
  const grouped = new Map<string, string[]>();
  for (let i = 0; i < flat.length; i += 2) {
    const list = grouped.get(flat[i]!);
    if (list) list.push(flat[i + 1]!);
    else grouped.set(flat[i]!, [flat[i + 1]!]);
  }
  const out: string[] = [];
  for (const [name, values] of grouped) for (const v of values) out.push(name, v);
  return out;
}

/** Reads the request body; undefined when it is over `limit` bytes. */
export async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const body = emptyBody(req);
  if (body) return body;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return undefined;
  }
  // Not `for await`: leaving that loop early destroys the socket, and a chunked body over the limit would
  // get a connection reset instead of the 413. Over the limit, chunks are dropped until the body ends.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before the body ended'));
    });
  });
}

const EMPTY = Buffer.alloc(0);

/**
 * The body of a request that has none by HTTP's framing (RFC 9112 §6.3: a request with neither
 * Content-Length nor Transfer-Encoding, or Content-Length 0), without waiting for its end; undefined
 * otherwise. node:http drains such a request itself once the response is sent.
 */
export function emptyBody(req: IncomingMessage): Buffer | undefined {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return EMPTY;
  return undefined;
}

/** The client's address as API Gateway reports it (IPv4-mapped IPv6 unwrapped). */
export function sourceIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '127.0.0.1';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

const HOP_BY_HOP_REQUEST = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'proxy-connection', 'trailer']);

/** The request's headers plus those API Gateway adds (content-length, x-forwarded-for/-port/-proto, x-amzn-trace-id). */
export function withForwardedHeaders(req: IncomingMessage, bodyLength: number): string[] {
  const raw: string[] = [];
  let forwardedFor: string | undefined;
  let length = false;
  let port = false;
  let proto = false;
  let trace = false;
  const given = req.rawHeaders;
  for (let i = 0; i + 1 < given.length; i += 2) {
    const name = given[i]!.toLowerCase();
    // API Gateway appends the client to an existing x-forwarded-for list; hop-by-hop headers end at its edge.
    if (name === 'x-forwarded-for') forwardedFor = forwardedFor === undefined ? given[i + 1]! : `${forwardedFor}, ${given[i + 1]!}`;
    else if (!HOP_BY_HOP_REQUEST.has(name)) {
      raw.push(given[i]!, given[i + 1]!);
      if (name === 'content-length') length = true;
      else if (name === 'x-forwarded-port') port = true;
      else if (name === 'x-forwarded-proto') proto = true;
      else if (name === 'x-amzn-trace-id') trace = true;
    }
  }
  raw.push('x-forwarded-for', forwardedFor === undefined ? sourceIp(req) : `${forwardedFor}, ${sourceIp(req)}`);
  // API Gateway always passes content-length (`0` for a GET).
  if (!length) raw.push('content-length', String(bodyLength));
  if (!port) raw.push('x-forwarded-port', String(req.socket.localPort ?? 80));
  if (!proto) raw.push('x-forwarded-proto', 'http');
  if (!trace) raw.push('x-amzn-trace-id', traceRoot());
  return raw;
}

/** An id shaped like API Gateway's (`JuFZlhSeoAMEJBA=`): apigw-requestid and requestContext.requestId. */
export function awsRequestId(): string {
  const id = randomBase64(11).slice(0, 15);
  return `${id.includes('+') || id.includes('/') ? id.replace(/[+/]/g, 'A') : id}=`;
}

export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
