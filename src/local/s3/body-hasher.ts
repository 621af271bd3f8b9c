/**
 * Hashing of large (streamed) upload bodies in a worker thread (hash-worker.ts): the caller copies the body
 * into 4 MiB chunks, writes each to the temp file and then transfers it here (moved, not copied) to be
 * hashed while the next chunks arrive, so MD5 (half the main thread's CPU of a big PUT before) runs on another core. At
 * most 32 MiB per upload wait for the worker (`push` resolves once it caught up). One worker per process,
 * started on the first large upload, keeping the process alive only while it hashes; a worker that dies fails
 * the uploads it was hashing (500 InternalError) and the next upload starts a new one.
 * It deliberately does not hash small bodies (body.ts hashes those in one call on the main thread: posting
 * them would cost more than hashing them).
 */
import { Worker } from 'node:worker_threads';
import type { ChecksumAlgorithm } from './checksums.js';
import type { HashAnswer, HashRequest } from './hash-worker.js';

export const HASH_CHUNK_BYTES = 4 * 1024 * 1024;
const MAX_PENDING_BYTES = 32 * 1024 * 1024;

export interface Digests {
  md5: string;
  sha256?: string;
  checksum?: string;
}

interface Upload {
  pending: number;
  /** Resolves a `push` waiting for the worker to catch up. */
  caughtUp?: () => void;
  done?: (d: Digests) => void;
  fail: (err: Error) => void;
}

let worker: Worker | undefined;
let nextId = 0;
const uploads = new Map<number, Upload>();

/** The worker keeps the process alive only while it hashes something. */
function track(id: number, u: Upload | undefined): void {
  if (u) uploads.set(id, u);
  else uploads.delete(id);
  if (uploads.size === 0) worker?.unref();
  else if (u && uploads.size === 1) worker?.ref();
}

function hashWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./hash-worker.js', import.meta.url));
  w.on('message', (m: HashAnswer) => {
    const u = uploads.get(m.id);
    if (!u) return;
    if (m.op === 'ack') {
      u.pending -= m.length;
      if (u.pending <= MAX_PENDING_BYTES / 2 && u.caughtUp) {
        const go = u.caughtUp;
        u.caughtUp = undefined;
        go();
      }
      return;
    }
    track(m.id, undefined);
    u.done?.({ md5: m.md5, sha256: m.sha256, checksum: m.checksum });
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    const failed = [...uploads.values()];
    uploads.clear();
    for (const u of failed) u.fail(err);
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the S3 hashing worker exited (${code})`)));
  worker = w;
  return w;
}

/** One upload's hashes, computed by the worker from the chunks it is given. */
export class BodyHasher {
  private readonly id = ++nextId;
  private readonly w: Worker;
  private readonly upload: Upload;
  private failure: Error | undefined;
  private finished = false;

  constructor(opts: { sha256: boolean; algorithm?: ChecksumAlgorithm }) {
    this.w = hashWorker();
    this.upload = {
      pending: 0,
      fail: (err) => {
        this.failure = err;
        const go = this.upload.caughtUp;
        this.upload.caughtUp = undefined;
        go?.();
      },
    };
    track(this.id, this.upload);
    this.post({ op: 'start', id: this.id, sha256: opts.sha256, algorithm: opts.algorithm });
  }

  private post(m: HashRequest): void {
    this.w.postMessage(m);
  }

  /** Hashes the first `length` bytes of `buffer`, which is transferred to the worker (unusable here afterwards). */
  push(buffer: ArrayBuffer, length: number): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    this.upload.pending += length;
    this.w.postMessage({ op: 'data', id: this.id, buffer, length } satisfies HashRequest, [buffer]);
    if (this.upload.pending <= MAX_PENDING_BYTES) return undefined;
    return new Promise<void>((resolve) => (this.upload.caughtUp = resolve)).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  /** The digests once every pushed chunk is hashed. */
  digest(): Promise<Digests> {
    if (this.failure) return Promise.reject(this.failure);
    this.finished = true;
    return new Promise<Digests>((resolve, reject) => {
      this.upload.done = resolve;
      this.upload.fail = reject;
      this.post({ op: 'end', id: this.id });
    });
  }

  /** Forgets the upload (an error before `digest`). */
  abort(): void {
    if (this.finished || !uploads.has(this.id)) return;
    track(this.id, undefined);
    this.post({ op: 'abort', id: this.id });
  }
}
