/**
 * Deployment packages on disk: each zip (by SHA-256) is extracted once into `<base>/tasks/<sha>/`, the
 * function's LAMBDA_TASK_ROOT. Extraction goes to a temporary sibling that is renamed into place, so a
 * crash never leaves a half-extracted task directory behind. `<base>` is `<stateDir>/lambda` for a
 * durable emulator and a private temporary directory (removed on stop) for an in-memory one.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readZip } from '../../../domain/zip.js';
import { PYTHON_BOOTSTRAP } from './python-bootstrap.js';

export class CodeDirs {
  readonly base: string;
  private readonly temporary: boolean;

  constructor(stateDir: string | undefined) {
    if (stateDir) {
      this.base = join(stateDir, 'lambda');
      mkdirSync(this.base, { recursive: true, mode: 0o700 });
      this.temporary = false;
    } else {
      this.base = mkdtempSync(join(tmpdir(), 'svl-lambda-'));
      this.temporary = true;
    }
  }

  /** The extracted task directory of a zip (extracting it on first use). */
  taskDir(sha256Base64: string, zip: () => Buffer | undefined): string {
    const key = Buffer.from(sha256Base64, 'base64').toString('hex');
    const dir = join(this.base, 'tasks', key);
    if (existsSync(dir)) return dir;
    const buf = zip();
    if (!buf) throw new Error(`deployment package ${sha256Base64} is missing from the store`);
    mkdirSync(join(this.base, 'tasks'), { recursive: true });
    const tmp = mkdtempSync(join(this.base, 'tasks', `.${key}-`));
    try {
      for (const e of readZip(buf)) {
        const target = join(tmp, e.name);
        if (e.isDirectory) {
          mkdirSync(target, { recursive: true });
          continue;
        }
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, e.read());
        if (e.mode !== undefined) chmodSync(target, e.mode & 0o777);
      }
      renameSync(tmp, dir);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      if (existsSync(dir)) return dir; // extracted concurrently
      throw err;
    }
    return dir;
  }

  /** Path of svl's Python runtime client (written on first use). */
  pythonBootstrap(): string {
    const p = join(this.base, 'runtime', 'svl_python_bootstrap.py');
    if (!existsSync(p)) {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, PYTHON_BOOTSTRAP);
    }
    return p;
  }

  /** Task directories no longer referenced by any function. */
  prune(keepShas: Iterable<string>): void {
    const keep = new Set([...keepShas].map((s) => Buffer.from(s, 'base64').toString('hex')));
    const tasks = join(this.base, 'tasks');
    if (!existsSync(tasks)) return;
    for (const name of readdirSafe(tasks)) if (!keep.has(name)) rmSync(join(tasks, name), { recursive: true, force: true });
  }

  close(): void {
    if (this.temporary) rmSync(this.base, { recursive: true, force: true });
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
}
