// A lean AWS client for benchmarks, shared by the load generators (bench/s3-load.mjs, bench/sqs-load.mjs):
// SigV4 signing with node:crypto (the signing key derived once per day and service, as the SDKs cache it)
// and keep-alive HTTP/1.1 written and parsed over node:net, one request at a time per connection (no
// pipelining). node:http's client machinery (agent, ClientRequest, IncomingMessage, header objects) and the
// SDKs' middleware cost more CPU per request than the emulator's whole handling of it, so on a 2-core
// machine a benchmark driven by them measures the client. No retries, no response checksums: the same
// honest client for every target, so the figures compare servers, not clients. It deliberately does not
// tolerate errors: the callers fail the run on any non-2xx answer.
import { connect } from 'node:net';
import { createHash, createHmac, hash } from 'node:crypto';

const REGION = 'us-east-1';
const ACCESS_KEY = 'test';
const SECRET_KEY = 'test';

/** One-shot SHA-256 (crypto.hash, node >= 20.12; a Hash object otherwise). */
export const sha256Hex = hash ? (data) => hash('sha256', data, 'hex') : (data) => createHash('sha256').update(data).digest('hex');
const keys = new Map();
/** The SigV4 signing key of a day/service, derived once (what SDK signers cache). */
function signingKey(date, service) {
  const id = `${date}/${service}`;
  let key = keys.get(id);
  if (!key) {
    key = [date, REGION, service, 'aws4_request'].reduce((k, part) => createHmac('sha256', k).update(part).digest(), `AWS4${SECRET_KEY}`);
    keys.set(id, key);
  }
  return key;
}

/** RFC 3986 encoding of each path segment, as SigV4 wants S3 paths (not double-encoded). */
export const encodePath = (path) => path.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

/**
 * Adds x-amz-date and Authorization (SigV4, header auth) to `headers` (lower-case names, host included) of
 * a request to `path` (encoded) with the canonical `query` string and the payload hash `payload`.
 */
export function sign(method, path, query, headers, payload, service) {
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  headers['x-amz-date'] = amzDate;
  const names = Object.keys(headers).sort();
  let canonicalHeaders = '';
  for (const n of names) canonicalHeaders += `${n}:${String(headers[n]).trim()}\n`;
  const signedHeaders = names.join(';');
  const scope = `${date}/${REGION}/${service}/aws4_request`;
  const canonical = `${method}\n${path}\n${query}\n${canonicalHeaders}\n${signedHeaders}\n${payload}`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const signature = createHmac('sha256', signingKey(date, service)).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

/**
 * One keep-alive HTTP/1.1 connection, one request at a time. `send` writes the request (head and body in
 * one write) and resolves with { status, body } (body as a string) once the whole response is read.
 */
export class Connection {
  constructor(url) {
    this.url = url;
    this.socket = undefined;
    this.waiting = undefined;
    this.data = Buffer.alloc(0);
  }

  connect() {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.url.hostname, port: Number(this.url.port), noDelay: true }, () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
      // A socket this connection already let go (the server answered `Connection: close`) is not its
      // business any more: its close must not fail the request sent since on a new socket.
      socket.on('data', (d) => this.socket === socket && this.onData(d));
      socket.on('error', (err) => this.socket === socket && this.fail(err));
      socket.on('close', () => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        this.fail(new Error('the server closed the connection'));
      });
      this.socket = socket;
      this.data = Buffer.alloc(0);
    });
  }

  async send(method, path, headers, body) {
    if (this.waiting) throw new Error('one request at a time');
    if (!this.socket) await this.connect();
    let head = `${method} ${path} HTTP/1.1\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    head += '\r\n';
    const done = new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
    this.socket.write(body ? Buffer.concat([Buffer.from(head, 'latin1'), typeof body === 'string' ? Buffer.from(body) : body]) : Buffer.from(head, 'latin1'));
    return done;
  }

  fail(err) {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(err);
  }

  onData(d) {
    this.data = this.data.length ? Buffer.concat([this.data, d]) : d;
    const end = this.data.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const lines = this.data.toString('latin1', 0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(lines[0])?.[1]);
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(':');
      headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
    }
    let body;
    let rest;
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (this.data.length < end + 4 + length) return;
      body = this.data.toString('utf8', end + 4, end + 4 + length);
      rest = this.data.subarray(end + 4 + length);
    } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts = [];
      let at = end + 4;
      for (;;) {
        const eol = this.data.indexOf('\r\n', at);
        if (eol < 0) return;
        const size = parseInt(this.data.toString('latin1', at, eol), 16);
        if (size === 0) {
          const trailerEnd = this.data.indexOf('\r\n\r\n', eol); // eol itself when there are no trailers
          if (trailerEnd < 0) return;
          rest = this.data.subarray(trailerEnd + 4);
          break;
        }
        if (this.data.length < eol + 2 + size + 2) return;
        parts.push(this.data.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      return this.fail(new Error(`a response without Content-Length or chunked body: ${lines[0]}`));
    }
    if (rest.length) return this.fail(new Error('bytes after the response (the client never pipelines)'));
    this.data = Buffer.alloc(0);
    if (/close/i.test(headers.connection ?? '')) {
      // The next request goes on a new socket (moto's server closes after every answer).
      const socket = this.socket;
      this.socket = undefined;
      socket?.destroy();
    }
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve({ status, body });
  }

  close() {
    this.socket?.destroy();
  }
}

/** `n` connections handed out one request at a time: `send` waits for a free one. */
export class Pool {
  constructor(url, n) {
    this.free = Array.from({ length: n }, () => new Connection(url));
    this.all = [...this.free];
    this.queue = [];
  }

  async send(method, path, headers, body) {
    const c = this.free.pop() ?? (await new Promise((r) => this.queue.push(r)));
    try {
      return await c.send(method, path, headers, body);
    } finally {
      const next = this.queue.shift();
      if (next) next(c);
      else this.free.push(c);
    }
  }

  close() {
    for (const c of this.all) c.close();
  }
}

/**
 * The headers of a POST of `body` to `/` on `url`: `headers` with Host and Content-Length, SigV4-signed for
 * `service`. moto picks the service from the credential scope (an unsigned POST is S3's ListBuckets there).
 */
export function signedPost(url, body, headers, service) {
  return sign('POST', '/', '', { host: url.host, ...headers, 'content-length': String(Buffer.byteLength(body)) }, sha256Hex(body), service);
}

/** A signed SQS JSON 1.0 call; resolves with the parsed answer. */
export async function sqsCall(pool, url, action, input) {
  const body = JSON.stringify(input);
  const headers = signedPost(url, body, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` }, 'sqs');
  const r = await pool.send('POST', '/', headers, body);
  if (r.status !== 200) throw new Error(`SQS ${action}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body);
}
