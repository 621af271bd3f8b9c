// The lean S3 load client of bench/s3.mjs, run as its own process (forked) so that its CPU is not the
// server's and is measured on its own. It sends real PutObject requests, each SigV4-signed when it is sent
// (fresh x-amz-date, SHA-256 of the body as x-amz-content-sha256, a CRC32 checksum header as the current
// SDKs send by default), over keep-alive HTTP/1.1 connections, through the lean client of bench/aws-http.mjs
// (signing, node:net HTTP; why not node:http or the SDK is said there). It deliberately does not tolerate
// errors: any non-2xx answer fails the run.
//
// Protocol (IPC with the parent): receives a job, answers { warmed: true } after the warm-up, waits for
// { go: true }, runs, sends its result and exits.
// - { mode: 'put', url, bucket, prefix, connections, objects, warm }: `objects` PUTs of 1 KiB with
//   `connections` in flight; result { samples (ms, sorted), seconds, cpuMs (this process, measured phase) }.
// - { mode: 'latency', url, bucket, queueUrl, samples, warm }: one probe at a time: a ReceiveMessage
//   long-poll (SQS JSON 1.0, WaitTimeSeconds 20) is sent, then the PUT; the time from writing the PUT to
//   receiving the message naming its key is one sample (messages are deleted after the sample is taken).
//   Result { samples, putSamples (PUT answered), seconds, cpuMs }, or { lost: key } when nothing came in 20 s.
import { crc32 } from 'node:zlib';
import { Pool, encodePath, sha256Hex, sign, sqsCall } from './aws-http.mjs';

export const BODY = Buffer.alloc(1024, 'x');

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
