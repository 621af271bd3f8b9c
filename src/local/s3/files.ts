/**
 * Where object bodies live on disk: `<root>/objects/<id>` (one file per stored object or part, named by
 * a random id, never by key), `<root>/tmp/` for uploads in progress. Durable emulators use
 * `<stateDir>/s3`; in-memory ones a temp dir removed on close. At start, temp files (half-received
 * uploads from a killed process) and body files no committed row references are deleted — that is
 * what makes "a half-received upload leaves nothing" true after kill -9.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
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

  async remove(id: string | undefined): Promise<void> {
    if (id) await unlink(this.path(id)).catch(() => {});
  }

  removeSync(id: string): void {
    try {
      unlinkSync(this.path(id));
    } catch {
      // already gone
    }
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
