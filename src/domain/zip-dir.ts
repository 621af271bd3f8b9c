/**
 * A directory as a Lambda deployment package: every file (sorted, `.git` and `.DS_Store` left out, Unix
 * modes kept) through svl's zip writer, whose fixed timestamps make equal files give equal bytes — and so
 * an equal CodeSha256, which is how `svl apply` tells unchanged code. It does not upload anything.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeZip, type ZipInput } from './zip.js';

export function zipDirectory(dir: string): Buffer {
  const files: ZipInput[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === '.git' || name === '.DS_Store') continue;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) files.push({ name: relative(dir, p).split('\\').join('/'), data: readFileSync(p), mode: st.mode & 0o777 });
    }
  };
  walk(dir);
  return writeZip(files);
}

/** Lambda's CodeSha256 of a package: the base64 SHA-256 of the zip's bytes. */
export const codeSha256 = (zip: Buffer): string => createHash('sha256').update(zip).digest('base64');
