/**
 * Where object bodies live on disk: `<root>/objects/<id>` (one file per stored object or part, named by
 * a random id, never by key), `<root>/tmp/` for uploads in progress. Bodies up to 64 KiB are not here:
 * they live inline in their SQLite row (object-ops.ts `commitObject`). Durable emulators use
 * `<stateDir>/s3`; in-memory ones a temp dir removed on close. At start, temp files (half-received
 * uploads from a killed process) and body files no committed row references are deleted — that is
 * what makes "a half-received upload leaves nothing" true after kill -9.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFile } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class BodyFiles {
  readonly root: string;
  private readonly ephemeral: boolean;

  constructor(stateDir?: string) {
    this.ephemeral = !stateDir;
    this.root = stateDir ? join(stateDir, 's3') : mkdtempSync(join(tmpdir(), 'svl-s3-'));
    mkdirSync(join(this.root, 'objects'), { recursive: true });
    mkdirSync(join(this.root, 'tmp'), { recursive: true });
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
      // The callback API: one request per syscall, without the FileHandle bookkeeping of fs/promises.
      await new Promise<void>((resolve, reject) => writeFile(this.path(id), body.data!, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      await unlink(this.path(id)).catch(() => {});
      throw err;
    }
    return id;
  }

  async remove(id: string | undefined): Promise<void> {
    if (id) await unlink(this.path(id)).catch(() => {});
  }

  /** Deletes temp files and body files not in `referenced` (leftovers of a killed process). */
  sweep(referenced: (id: string) => boolean): void {
    for (const f of readdirSync(join(this.root, 'tmp'))) rmSync(join(this.root, 'tmp', f), { force: true, recursive: true });
    for (const f of readdirSync(join(this.root, 'objects'))) if (!referenced(f)) rmSync(this.path(f), { force: true });
  }

  close(): void {
    if (this.ephemeral) rmSync(this.root, { recursive: true, force: true });
  }
}
