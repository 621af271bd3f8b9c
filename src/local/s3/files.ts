/**
 * Where object bodies live on disk: `<root>/objects/<id>` (one file per stored object or part, named by
 * a random id, never by key), `<root>/tmp/` for uploads in progress. Bodies up to 64 KiB are not here:
 * they live inline in their SQLite row (object-ops.ts `commitObject`). Durable emulators use
 * `<stateDir>/s3`; in-memory ones a temp dir made on first use (most test processes never store a body
 * over 64 KiB: mkdtemp at start and a recursive rm at close were ~10-25 ms each) and removed on close. At start, temp files (half-received
 * uploads from a killed process) and body files no committed row references are deleted — that is
 * what makes "a half-received upload leaves nothing" true after kill -9. A durable emulator's body files
 * are also on disk (fdatasync) before the row that names them commits: an OS crash may lose the last
 * commits (SQLite's synchronous=NORMAL) but never leaves a committed row whose body was not written.
 * The directory is not fsynced after a rename (the row's commit is not fsynced either).
 */
import { close, fdatasync, mkdirSync, mkdtempSync, open, readdirSync, rmSync, write } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { BodyWriter } from './body-writer.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class BodyFiles {
  private dir: string | undefined;
  private readonly ephemeral: boolean;
  private bodyWriter: BodyWriter | undefined;

  constructor(stateDir?: string) {
    this.ephemeral = !stateDir;
    if (stateDir) this.dir = BodyFiles.made(join(stateDir, 's3'));
  }

  private static made(root: string): string {
    mkdirSync(join(root, 'objects'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    return root;
  }

  /** The body directory (an in-memory emulator's is made here, on first use). */
  get root(): string {
    return (this.dir ??= BodyFiles.made(mkdtempSync(join(tmpdir(), 'svl-s3-'))));
  }

  /** Writes large bodies off the main thread (made on first use); a durable emulator's are fsynced. */
  writer(): BodyWriter {
    return (this.bodyWriter ??= new BodyWriter(!this.ephemeral));
  }

  /** A fresh temp path for an upload in progress. */
  tempPath(): string {
    return join(this.root, 'tmp', randomUUID());
  }

  path(id: string): string {
    return join(this.root, 'objects', id);
  }

  /** Moves a completed temp file into place under a new id (atomic rename); returns the id. */
  async commitTemp(tmp: string): Promise<string> {
    const id = randomUUID();
    await rename(tmp, this.path(id));
    return id;
  }

  /**
   * Stores a received body under a new id: an in-memory one written in one go, a streamed one renamed
   * from its temp file. The file is unreferenced until the caller commits its row (the start-up sweep
   * removes it otherwise). Returns the id.
   */
  async commitBody(body: { data?: Buffer }, tmp: string): Promise<string> {
    if (!body.data) return this.commitTemp(tmp);
    const id = randomUUID();
    try {
      await this.writeFile(this.path(id), body.data);
    } catch (err) {
      await unlink(this.path(id)).catch(() => {});
      throw err;
    }
    return id;
  }

  /** Writes `data` to a new file (fdatasync'd on a durable emulator), with the callback API: one request per syscall. */
  private writeFile(path: string, data: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      open(path, 'w', 0o644, (err, fd) => {
        if (err) return reject(err);
        const done = (e?: Error | null) => close(fd, (c) => (e ?? c ? reject(e ?? c) : resolve()));
        const from = (at: number): void =>
          write(fd, data, at, data.length - at, null, (e, n) => {
            if (e) return done(e);
            if (at + n < data.length) return from(at + n);
            if (this.ephemeral) return done();
            fdatasync(fd, done);
          });
        from(0);
      });
    });
  }

  /** A file written by a stream or copied (CopyObject, CompleteMultipartUpload), on disk before its row commits (durable emulators). */
  async flushed(path: string): Promise<void> {
    if (this.ephemeral) return;
    await new Promise<void>((resolve, reject) =>
      open(path, 'r+', (err, fd) => {
        if (err) return reject(err);
        fdatasync(fd, (e) => close(fd, (c) => (e ?? c ? reject(e ?? c) : resolve())));
      }),
    );
  }

  async remove(id: string | undefined): Promise<void> {
    if (id) await unlink(this.path(id)).catch(() => {});
  }

  /** Deletes temp files and body files not in `referenced` (leftovers of a killed process). */
  sweep(referenced: (id: string) => boolean): void {
    if (this.dir === undefined) return; // an in-memory emulator's directory is not made yet: nothing to sweep
    for (const f of readdirSync(join(this.root, 'tmp'))) rmSync(join(this.root, 'tmp', f), { force: true, recursive: true });
    for (const f of readdirSync(join(this.root, 'objects'))) if (!referenced(f)) rmSync(this.path(f), { force: true });
  }

  close(): void {
    this.bodyWriter?.stop();
    if (this.ephemeral && this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
  }
}
