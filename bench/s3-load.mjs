// The lean S3 load client of bench/s3.mjs, run as its own process (forked) so that its CPU is not the
// server's and is measured on its own. It sends real PutObject requests, each SigV4-signed with node:crypto
// when it is sent (fresh x-amz-date, SHA-256 of the body as x-amz-content-sha256, a CRC32 checksum header as
// the current SDKs send by default), over keep-alive HTTP/1.1 connections; the signing key is derived once
// per day, as the SDKs cache it. HTTP is written and parsed here over node:net (a request line, headers and
// the body in one write; the status line, headers and a Content-Length or chunked body read back), one
// request at a time per connection (no pipelining): node:http's client machinery (agent, ClientRequest,
// IncomingMessage, header objects) cost more CPU per 1 KiB PUT than the server's whole handling of it, so
// on a 2-core machine it measured the client. No SDK, no retries, no middleware: the same honest client for
// every target, so the figures compare servers, not clients. It deliberately does not tolerate errors: any
// non-2xx answer fails the run.
//
// Protocol (IPC with the parent): receives a job, answers { warmed: true } after the warm-up, waits for
// { go: true }, runs, sends its result and exits.
// - { mode: 'put', url, bucket, prefix, connections, objects, warm }: `objects` PUTs of 1 KiB with
//   `connections` in flight; result { samples (ms, sorted), seconds, cpuMs (this process, measured phase) }.
// - { mode: 'latency', url, bucket, queueUrl, samples, warm }: one probe at a time: a ReceiveMessage
//   long-poll (SQS JSON 1.0, WaitTimeSeconds 20) is sent, then the PUT; the time from writing the PUT to
//   receiving the message naming its key is one sample (messages are deleted after the sample is taken).
//   Result { samples, putSamples (PUT answered), seconds, cpuMs }, or { lost: key } when nothing came in 20 s.
import { connect } from 'node:net';
import { createHash, createHmac, hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

const REGION = 'us-east-1';
const ACCESS_KEY = 'test';
const SECRET_KEY = 'test';
export const BODY = Buffer.alloc(1024, 'x');

/** One-shot SHA-256 (crypto.hash, node >= 20.12; a Hash object otherwise). */
const sha256Hex = hash ? (data) => hash('sha256', data, 'hex') : (data) => createHash('sha256').update(data).digest('hex');
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
class Connection {
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
class Pool {
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

/** The x-amz-checksum-crc32 value: the big-endian CRC32, base64. */
function crc32Base64(data) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
}

/** A signed PutObject of BODY (checksums computed per request, as a client does). */
function putObject(pool, url, bucket, key) {
  const path = encodePath(`/${bucket}/${key}`);
  const headers = {
    host: url.host,
    'content-type': 'application/octet-stream',
    'content-length': String(BODY.length),
    'x-amz-checksum-crc32': crc32Base64(BODY),
    'x-amz-content-sha256': sha256Hex(BODY),
  };
  sign('PUT', path, '', headers, headers['x-amz-content-sha256'], 's3');
  return pool.send('PUT', path, headers, BODY).then((r) => {
    if (r.status !== 200) throw new Error(`PutObject ${key}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  });
}

/** A signed SQS JSON 1.0 call; resolves with the parsed answer. */
async function sqsCall(pool, url, action, input) {
  const body = JSON.stringify(input);
  const headers = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(body)),
    'x-amz-target': `AmazonSQS.${action}`,
  };
  sign('POST', '/', '', headers, sha256Hex(body), 'sqs');
  const r = await pool.send('POST', '/', headers, body);
  if (r.status !== 200) throw new Error(`SQS ${action}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  return JSON.parse(r.body);
}

/** The decoded object key of an S3 event message body, or undefined. */
function eventKey(body) {
  try {
    const key = JSON.parse(body).Records?.[0]?.s3?.object?.key;
    return key === undefined ? undefined : decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

async function putLoad(job, pool, url) {
  const run = async (prefix, n, samples) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: job.connections }, async () => {
        for (let i = next++; i < n; i = next++) {
          const t0 = performance.now();
          await putObject(pool, url, job.bucket, `${prefix}${i}.bin`);
          samples?.push(performance.now() - t0);
        }
      }),
    );
  };
  await run(`warm/${job.prefix}`, job.warm);
  process.send({ warmed: true });
  await new Promise((r) => process.once('message', r));
  const samples = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(`uploads/${job.prefix}`, job.objects, samples);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  return { samples, seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function latencyProbes(job, pool, url) {
  // The long poll has its own connection (one connection would queue the PUT behind it).
  const poll = new Pool(url, 1);
  const samples = [];
  const putSamples = [];
  const probe = async (key, keep) => {
    let t0 = 0;
    let tPut = 0;
    const received = (async () => {
      for (;;) {
        const r = await sqsCall(poll, url, 'ReceiveMessage', { QueueUrl: job.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 });
        const t = performance.now();
        const messages = r.Messages ?? [];
        if (messages.length === 0) return undefined;
        await sqsCall(poll, url, 'DeleteMessageBatch', { QueueUrl: job.queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) });
        if (messages.some((m) => eventKey(m.Body) === key)) return t;
      }
    })();
    // Let the receive request reach the server first (it is written before the PUT, on its own socket).
    await new Promise((r) => setImmediate(r));
    t0 = performance.now();
    await putObject(pool, url, job.bucket, key);
    tPut = performance.now();
    const t1 = await received;
    if (t1 === undefined) return false;
    if (keep) {
      samples.push(t1 - t0);
      putSamples.push(tPut - t0);
    }
    return true;
  };
  for (let i = 0; i < job.warm; i++) if (!(await probe(`warm/${i}.bin`, false))) return { lost: `warm/${i}.bin` };
  process.send({ warmed: true });
  await new Promise((r) => process.once('message', r));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < job.samples; i++) if (!(await probe(`probe/${i}.bin`, true))) return { lost: `probe/${i}.bin` };
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  putSamples.sort((a, b) => a - b);
  return { samples, putSamples, seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

if (process.send) {
  process.once('message', async (job) => {
    const url = new URL(job.url);
    const pool = new Pool(url, job.connections ?? 1);
    try {
      const result = job.mode === 'latency' ? await latencyProbes(job, pool, url) : await putLoad(job, pool, url);
      process.send(result, () => process.exit(0));
    } catch (err) {
      process.send({ error: String(err?.message ?? err) }, () => process.exit(1));
    }
  });
}
