/**
 * Making sure a state directory can hold the emulator's state before anything is written there, and
 * the typed errors (exit 2, with the fix) for one that cannot: a path that is a file or lies under a
 * file, a directory that cannot be created or written, a database that is not one.
 *
 * Deliberately does not use `mkdirSync(..., { recursive: true })`: on Linux it never returns for some
 * paths (e.g. under /proc). Each missing component is created on its own instead. It does not lock
 * the directory (lock.ts) nor open the database (db.ts).
 */
import { closeSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SvlError } from '../../errors.js';

const otherDir = 'pass another --state-dir (a directory you can write), or --in-memory';

/** The state directory is unusable: exit 2, the hint names another --state-dir. */
export function stateDirUnusable(dir: string, why: string, hint = otherDir, cause?: unknown): SvlError {
  return new SvlError(`The state directory ${dir} cannot be used: ${why}.`, 2, { code: 'StateDirUnusable', hint, cause });
}

/** The state database exists but cannot be read as one: exit 2, the hint says how to wipe it. */
export function stateDbCorrupt(dir: string, file: string, why: string, cause?: unknown): SvlError {
  return new SvlError(`The state database ${file} is damaged (${why}).`, 2, {
    code: 'StateDbCorrupt',
    hint: `wipe it with \`svl local reset --yes --state-dir ${dir}\` (loses its queues and messages), or ${otherDir}`,
    cause,
  });
}

/** What an errno from creating or writing in `dir` means, in words, with the code. */
function explain(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words = describeCode(code);
  return words ? `${words} (${code})` : (code ?? (err as Error).message);
}

function describeCode(code: string | undefined): string | undefined {
  switch (code) {
    case 'ENOTDIR':
      return 'part of the path is a file, not a directory';
    case 'EEXIST':
      return 'it is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOENT':
      return 'the file system does not allow creating it';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return undefined;
  }
}

/** Creates `dir` (and missing parents, mode 0700) and checks a file can be written in it; throws stateDirUnusable. */
export function prepareStateDir(dir: string): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw stateDirUnusable(abs, explain(err), undefined, err);
    }
    if (st) {
      if (!st.isDirectory()) {
        throw stateDirUnusable(abs, at === abs ? 'it is a file, not a directory' : `${at} is a file, not a directory`);
      }
      break;
    }
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw stateDirUnusable(abs, explain(err), undefined, err);
    }
  }
  // Root ignores permission bits, and read-only mounts only show on a write: try one.
  const probe = join(abs, `.svl-write-probe-${process.pid}`);
  try {
    const fd = openSync(probe, 'w', 0o600);
    try {
      writeSync(fd, 'ok');
    } finally {
      closeSync(fd);
    }
    unlinkSync(probe);
  } catch (err) {
    throw stateDirUnusable(abs, `cannot write in it, ${explain(err)}`, undefined, err);
  }
}
