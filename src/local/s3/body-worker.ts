/**
 * The worker thread of body-writer.ts: it owns the temp files of large uploads in progress. For each batch
 * of chunks the main thread transfers (moved, not copied) it starts one positional `writev` in the libuv
 * pool, then hashes the same chunks here while the kernel copies them: MD5 for the ETag, SHA-256 when the
 * payload hash was signed, the requested x-amz-checksum. A durable upload (`sync`) is flushed as it goes
 * (an `fdatasync` whenever 32 MiB more were written and none is running, so the disk writes overlap the
 * upload) and fsynced before its digests are answered; the caller then renames the file into place.
 * Each written batch is acknowledged (the main thread's backpressure). It deliberately knows nothing of
 * HTTP, S3 or the expected digests (body.ts verifies them), and never unlinks: the caller removes a temp
 * file it does not keep.
 */
import { parentPort } from 'node:worker_threads';
import { createHash, type Hash } from 'node:crypto';
import { close, fdatasync, fsync, open, writev } from 'node:fs';
import { checksummer, type ChecksumAlgorithm, type Checksummer } from './checksums.js';

export type WriterRequest =
  | { op: 'open'; id: number; path: string; sha256: boolean; algorithm?: ChecksumAlgorithm; sync: boolean }
  | { op: 'data'; id: number; chunks: Uint8Array[] }
  | { op: 'end'; id: number }
  | { op: 'abort'; id: number };

export type WriterAnswer =
  | { op: 'written'; id: number; bytes: number }
  | { op: 'done'; id: number; md5: string; sha256?: string; checksum?: string }
  | { op: 'failed'; id: number; message: string; code?: string }
  | { op: 'closed'; id: number };

/** An fdatasync is started once this much more was written since the last one began. */
const SYNC_EVERY_BYTES = 32 * 1024 * 1024;

interface Job {
  id: number;
  /** undefined until open() answered. */
  fd?: number;
  md5: Hash;
  sha256?: Hash;
  sum?: Checksummer;
  sync: boolean;
  /** Next write position, and where the last fdatasync began. */
  at: number;
  syncedAt: number;
  /** writev calls (and an open or fdatasync) in flight. */
  busy: number;
  /** Batches that arrived before open() answered. */
  queued: Uint8Array[][];
  error?: NodeJS.ErrnoException;
  ending?: 'end' | 'abort';
}

const jobs = new Map<number, Job>();
const port = parentPort!;
const answer = (m: WriterAnswer) => port.postMessage(m);

function start(job: Job, chunks: Uint8Array[]): void {
  let bytes = 0;
  for (const c of chunks) bytes += c.byteLength;
  const at = job.at;
  job.at += bytes;
  job.busy++;
  // The write first (it runs in the pool), then the hashing here while the kernel copies the same bytes.
  writev(job.fd!, chunks, at, (err, written) => {
    job.busy--;
    if (!err && written !== bytes) err = Object.assign(new Error(`short write (${written} of ${bytes} bytes)`), { code: 'EIO' });
    if (err) job.error ??= err;
    answer({ op: 'written', id: job.id, bytes });
    if (job.sync && !job.error && job.at - job.syncedAt >= SYNC_EVERY_BYTES && job.ending === undefined) {
      job.syncedAt = job.at;
      job.busy++;
      fdatasync(job.fd!, (e) => {
        job.busy--;
        if (e) job.error ??= e;
        settle(job);
      });
    }
    settle(job);
  });
  if (job.ending === 'abort') return;
  for (const c of chunks) {
    job.md5.update(c);
    job.sha256?.update(c);
    job.sum?.update(c);
  }
}

/** Once nothing is in flight: an ended job is fsynced (when durable), closed and answered; an aborted one closed. */
function settle(job: Job): void {
  if (job.busy > 0 || job.ending === undefined || jobs.get(job.id) !== job) return;
  jobs.delete(job.id);
  const finish = (err?: NodeJS.ErrnoException | null) => {
    if (err) job.error ??= err;
    const done = () => {
      if (job.ending === 'abort') answer({ op: 'closed', id: job.id });
      else if (job.error) answer({ op: 'failed', id: job.id, message: job.error.message, code: job.error.code });
      else answer({ op: 'done', id: job.id, md5: job.md5.digest('hex'), sha256: job.sha256?.digest('hex'), checksum: job.sum?.digest() });
    };
    if (job.fd === undefined) return done();
    close(job.fd, (e) => {
      if (e) job.error ??= e;
      done();
    });
  };
  if (job.ending === 'end' && job.sync && !job.error && job.fd !== undefined) fsync(job.fd, finish);
  else finish();
}

port.on('message', (m: WriterRequest) => {
  if (m.op === 'open') {
    const job: Job = {
      id: m.id,
      md5: createHash('md5'),
      sha256: m.sha256 ? createHash('sha256') : undefined,
      sum: m.algorithm ? checksummer(m.algorithm) : undefined,
      sync: m.sync,
      at: 0,
      syncedAt: 0,
      busy: 1,
      queued: [],
    };
    jobs.set(m.id, job);
    open(m.path, 'w', 0o644, (err, fd) => {
      job.busy--;
      if (err) job.error = err;
      else job.fd = fd;
      const queued = job.queued;
      job.queued = [];
      if (!job.error) for (const chunks of queued) start(job, chunks);
      else for (const chunks of queued) answer({ op: 'written', id: job.id, bytes: chunks.reduce((n, c) => n + c.byteLength, 0) });
      settle(job);
    });
    return;
  }
  const job = jobs.get(m.id);
  if (!job) return;
  if (m.op === 'data') {
    if (job.error || job.ending === 'abort') answer({ op: 'written', id: job.id, bytes: m.chunks.reduce((n, c) => n + c.byteLength, 0) });
    else if (job.fd === undefined) job.queued.push(m.chunks);
    else start(job, m.chunks);
    return;
  }
  job.ending = m.op;
  settle(job);
});
