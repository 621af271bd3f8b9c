/**
 * Reading `--ndjson` input for send and publish: which sources are accepted, `--skip N`, the lines of the
 * input as bytes (so text that is not UTF-8 can be reported by line, never replaced), and how many
 * messages a file holds (for "sent 6,540 of 50,000"). It does not parse lines (messages.ts) nor send them (bulk.ts).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';

/** `--ndjson <file|->`: the input must be readable (a file, or a pipe such as `<(…)`) before anything is sent. */
export function checkNdjsonSource(source: string): string {
  if (source === '-') return source;
  try {
    if (statSync(source).isDirectory()) throw new Error('a directory');
  } catch (err) {
    throw new UsageError(`--ndjson: cannot read ${source} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { hint: 'check the path (or pass - to read stdin)' });
  }
  return source;
}

/** `--skip N`: a whole number of input lines, 0 or more. */
export function parseSkip(value: string | undefined, ndjson: boolean): number {
  if (value === undefined) return 0;
  if (!ndjson) throw new UsageError('--skip applies to --ndjson input only', { hint: 'Add --ndjson <file|->, or drop --skip' });
  const n = Number(value);
  if (value.trim() === '' || !/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new UsageError(`--skip must be a whole number of lines, 0 or more (got "${value}")`, { hint: 'e.g. --skip 6540 (the number a cancelled run printed)' });
  }
  return n;
}

/** The lines of a byte stream, as bytes (decoding is the caller's, so invalid UTF-8 can be reported, not replaced). */
export async function* byteLines(input: Readable): AsyncGenerator<Buffer> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      yield buf.subarray(start, nl);
      start = nl + 1;
    }
    rest = buf.subarray(start);
  }
  if (rest.length) yield rest;
}

/** Messages (non-blank lines) after the first `skip` lines of a regular file; undefined for pipes. */
export function countMessages(path: string, skip: number): number | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
  } catch {
    return undefined;
  }
  let count = 0;
  let line = 0;
  let blank = true;
  // Read in chunks: the file may be far larger than memory should hold.
  const buf = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      for (let i = 0; i < n; i++) {
        const b = buf[i]!;
        if (b === 10) {
          line++;
          if (line > skip && !blank) count++;
          blank = true;
        } else if (b !== 32 && b !== 9 && b !== 13) blank = false;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (!blank && line + 1 > skip) count++;
  return count;
}
