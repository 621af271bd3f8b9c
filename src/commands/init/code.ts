/**
 * The handler code a template comes with (templates/<dir>/), written into the user's project as
 * `./<flow>-worker/`. Never overwrites: an existing directory is refused unless it already holds exactly
 * the template's files, or --force is given. Deploying the code is deploy's job (src/commands/deploy).
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';

export const workerDirOf = (flow: string, cwd = process.cwd()) => resolve(cwd, `${flow}-worker`);

/** Every file under `dir`, as paths relative to it. */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** True when `dir` holds the template's files, unchanged (a re-run of the same init). */
function sameAsTemplate(from: string, dir: string): boolean {
  return filesOf(from).every((f) => existsSync(join(dir, f)) && readFileSync(join(dir, f)).equals(readFileSync(join(from, f))));
}

/** Refuses (UsageError, exit 2) to write over an existing directory or file at `dir`. */
export function checkWorkerDir(from: string, dir: string): void {
  if (!existsSync(dir)) return;
  if (statSync(dir).isDirectory() && sameAsTemplate(from, dir)) return;
  throw new UsageError(`${dir} already exists; svl init does not overwrite it.`, {
    hint: 'Use another flow name, move that directory away, or pass --force to overwrite the template files in it.',
  });
}

/** Writes the template's files into `dir` (created as needed); returns whether anything was written. */
export function writeWorkerDir(from: string, dir: string, force: boolean): boolean {
  if (!force) checkWorkerDir(from, dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) rmSync(dir); // --force: a file of that name makes way
  else if (existsSync(dir) && sameAsTemplate(from, dir)) return false;
  cpSync(from, dir, { recursive: true, force: true });
  return true;
}
