/**
 * One emulator per state directory. The lock file holds the owner's pid; a lock left by a dead process
 * (SIGKILL, crash) is taken over, a live one makes the second emulator refuse with a clear error (exit 2).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SvlError } from '../../errors.js';
import { isAlive } from '../../pid.js';

export interface StateLock {
  path: string;
  release(): void;
}


export function readLockPid(stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(stateDir, 'emulator.lock'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function acquireStateLock(stateDir: string): StateLock {
  const path = join(stateDir, 'emulator.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            if (readLockPid(stateDir) === process.pid) unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readLockPid(stateDir);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new SvlError(`Another emulator (pid ${owner}) is already using the state directory ${stateDir}.`, 2, {
          code: 'StateDirLocked',
          hint: 'stop it with `svl local stop`, or pass a different --state-dir',
        });
      }
      // Stale lock from a process that no longer exists: take it over.
      try {
        unlinkSync(path);
      } catch {
        /* raced with another starter; retry once */
      }
    }
  }
  throw new SvlError(`Could not lock the state directory ${stateDir}: another emulator took it while this one started.`, 2, {
    code: 'StateDirLocked',
    hint: 'check with `svl local status`, or pass a different --state-dir',
  });
}
