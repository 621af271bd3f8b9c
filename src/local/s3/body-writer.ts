/**
 * Large upload bodies written and hashed off the main thread (body-worker.ts). The main thread only hands
 * over the request's chunks: node's HTTP parser gives every body chunk its own ArrayBuffer, so a chunk
 * that spans its whole buffer is transferred to the worker as it is (no copy, and its memory leaves the
 * main isolate at once instead of piling up as external memory that forces major GCs there); the data
 * slices of an aws-chunked socket chunk go with that chunk's buffer, transferred once (`writeViews`); any
 * other view is copied into a staging buffer. Chunks go in batches of ~1 MiB, one
 * message and one `writev` each. At most 16 MiB per upload may be waiting to be written: `write` returns
 * false past that and `drained()` resolves once it is down to 4 MiB (the caller pauses the request).
 *
 * One worker per S3 service, started by the first large upload (tens of ms), kept for the next ones and
 * unref'd (it never keeps the process alive); a worker that dies fails the uploads it held and the next
 * upload starts another. It deliberately does not handle small bodies (posting them would cost more than
 * hashing them: body.ts does that in memory), nor verify digests (body.ts does).
 */
import { Worker } from 'node:worker_threads';
import type { ChecksumAlgorithm } from './checksums.js';
import type { WriterAnswer, WriterRequest } from './body-worker.js';

export interface Digests {
  md5: string;
  sha256?: string;
  checksum?: string;
}

/** Bytes per message to the worker (and per writev). */
const BATCH_BYTES = 1024 * 1024;
/** An upload with this much not yet written stops reading (`write` returns false)… */
const HIGH_WATER_BYTES = 16 * 1024 * 1024;
/** …until it is down to this much. */
const LOW_WATER_BYTES = 4 * 1024 * 1024;

interface Pending {
  upload: BodyUpload;
  done?: (d: Digests) => void;
  closed?: () => void;
  fail: (err: Error) => void;
}

export class BodyWriter {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private stopped = false;

  /** `sync`: fsync each file before its digests are answered (durable emulators). */
  constructor(private readonly sync: boolean) {}

  /** Starts writing a body to `path` (created, or truncated), computing the digests asked for. */
  open(path: string, opts: { sha256: boolean; algorithm?: ChecksumAlgorithm }): BodyUpload {
    const id = ++this.nextId;
    const w = this.ensureWorker();
    const upload = new BodyUpload(id, this, (m, transfer) => w.postMessage(m, transfer));
    this.pending.set(id, { upload, fail: (err) => upload.failed(err) });
    w.postMessage({ op: 'open', id, path, sha256: opts.sha256, algorithm: opts.algorithm, sync: this.sync } satisfies WriterRequest);
    return upload;
  }

  /** Asks for the digests of upload `id` once all of it is written (and fsynced when durable). */
  end(id: number): Promise<Digests> {
    return new Promise<Digests>((resolve, reject) => {
      const p = this.pending.get(id);
      if (!p || !this.worker) return reject(p?.upload.error ?? new Error('the S3 body writer stopped'));
      p.done = resolve;
      p.fail = (err) => {
        p.upload.failed(err);
        reject(err);
      };
      this.worker.postMessage({ op: 'end', id } satisfies WriterRequest);
    });
  }

  /** Stops upload `id`: resolves once its file is closed (or the worker is gone). */
  abort(id: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const p = this.pending.get(id);
      if (!p || !this.worker) return resolve();
      p.closed = resolve;
      p.fail = () => resolve();
      this.worker.postMessage({ op: 'abort', id } satisfies WriterRequest);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    if (this.stopped) throw new Error('the S3 body writer is stopped');
    const w = new Worker(new URL('./body-worker.js', import.meta.url));
    w.unref();
    w.on('message', (m: WriterAnswer) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.op === 'written') return p.upload.written(m.bytes);
      this.pending.delete(m.id);
      if (m.op === 'done') p.done?.({ md5: m.md5, sha256: m.sha256, checksum: m.checksum });
      else if (m.op === 'closed') p.closed?.();
      else p.fail(Object.assign(new Error(m.message), { code: m.code }));
    });
    const dead = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      const failed = [...this.pending.values()];
      this.pending.clear();
      for (const p of failed) p.fail(err);
    };
    w.on('error', dead);
    w.on('exit', (code) => dead(new Error(`the S3 body writer thread exited (${code})`)));
    this.worker = w;
    return w;
  }

  /** Ends the worker (uploads still in progress fail). */
  stop(): void {
    this.stopped = true;
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

/** One body being written: `write` chunks, then `finish` (digests, file complete) or `abort` (file closed). */
export class BodyUpload {
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private staging: Buffer | undefined;
  private stagingAt = 0;
  /** Bytes handed over and not yet written. */
  private outstanding = 0;
  private waiting: (() => void) | undefined;
  error: Error | undefined;

  constructor(
    private readonly id: number,
    private readonly writer: Pick<BodyWriter, 'end' | 'abort'>,
    private readonly post: (m: WriterRequest, transfer: ArrayBuffer[]) => void,
  ) {}

  /**
   * Queues `buf`. `owned`: the caller gives the chunk up (it is transferred when it spans its whole
   * ArrayBuffer, so it must not be used afterwards); otherwise it is copied. False: wait for `drained()`.
   */
  write(buf: Uint8Array, owned: boolean): boolean {
    if (this.error) throw this.error;
    const n = buf.byteLength;
    if (n === 0) return true;
    this.outstanding += n;
    if (owned && buf.byteOffset === 0 && buf.buffer.byteLength === n && !(buf.buffer instanceof SharedArrayBuffer)) {
      this.closeStaging();
      this.add(buf);
    } else {
      let from = 0;
      while (from < n) {
        this.staging ??= Buffer.allocUnsafeSlow(BATCH_BYTES);
        const take = Math.min(n - from, BATCH_BYTES - this.stagingAt);
        this.staging.set(buf.subarray(from, from + take), this.stagingAt);
        this.stagingAt += take;
        from += take;
        if (this.stagingAt === BATCH_BYTES) this.closeStaging();
      }
    }
    if (this.batchBytes >= BATCH_BYTES) this.flush();
    return this.outstanding < HIGH_WATER_BYTES;
  }

  /**
   * Queues `views`, slices of `owner`, a chunk the caller gives up (an aws-chunked socket chunk once decoded):
   * when `owner` spans its whole ArrayBuffer it is transferred once with the views (no copy); otherwise
   * the views are copied. False: wait for `drained()`.
   */
  writeViews(views: Uint8Array[], owner: Uint8Array): boolean {
    if (this.error) throw this.error;
    const whole = owner.byteOffset === 0 && owner.buffer.byteLength === owner.byteLength && !(owner.buffer instanceof SharedArrayBuffer);
    if (!whole || views.some((v) => v.buffer !== owner.buffer)) {
      let more = true;
      for (const v of views) more = this.write(v, false);
      return more;
    }
    this.closeStaging();
    for (const v of views) {
      if (v.byteLength === 0) continue;
      this.outstanding += v.byteLength;
      this.add(v);
    }
    if (this.batchBytes >= BATCH_BYTES) this.flush();
    return this.outstanding < HIGH_WATER_BYTES;
  }

  private closeStaging(): void {
    if (!this.staging) return;
    if (this.stagingAt > 0) this.add(this.staging.subarray(0, this.stagingAt));
    this.staging = undefined;
    this.stagingAt = 0;
  }

  private add(chunk: Uint8Array): void {
    this.batch.push(chunk);
    this.batchBytes += chunk.byteLength;
  }

  private flush(): void {
    this.closeStaging();
    if (this.batch.length === 0) return;
    const chunks = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    // Each buffer once: several views may share one (writeViews).
    this.post({ op: 'data', id: this.id, chunks }, [...new Set(chunks.map((c) => c.buffer as ArrayBuffer))]);
  }

  /** Resolves once at most LOW_WATER_BYTES wait to be written (or the upload failed). */
  drained(): Promise<void> {
    if (this.outstanding <= LOW_WATER_BYTES || this.error) return Promise.resolve();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The worker wrote `bytes` more. */
  written(bytes: number): void {
    this.outstanding -= bytes;
    if (this.waiting && this.outstanding <= LOW_WATER_BYTES) this.wake();
  }

  failed(err: Error): void {
    this.error ??= err;
    this.wake();
  }

  private wake(): void {
    const go = this.waiting;
    this.waiting = undefined;
    go?.();
  }

  /** Everything written (and fsynced when durable), the file closed: the digests. */
  finish(): Promise<Digests> {
    if (this.error) return Promise.reject(this.error);
    this.flush();
    return this.writer.end(this.id);
  }

  /** Stops: the file is closed (not removed). */
  abort(): Promise<void> {
    this.batch = [];
    this.staging = undefined;
    return this.writer.abort(this.id);
  }
}
