/**
 * Reading command values: inline text, `@file`, or `-` for stdin. Shared by commands that take payloads.
 * Text is UTF-8: bytes that are not are refused, never replaced with U+FFFD behind the user's back.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** `value` as given, the contents of `@path`, or all of stdin for `-`. */
export function readValue(value: string, flag: string): string {
  if (value === '-') return readStdinText(flag);
  if (value.startsWith('@')) {
    const path = value.slice(1);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new UsageError(`${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { hint: 'check the path after @ (use @- for stdin)' });
    }
    return decodeText(bytes, `${flag} from ${path}`);
  }
  return value;
}

/** All of stdin as UTF-8 text. */
export function readStdinText(what: string): string {
  return decodeText(readFileSync(0), `${what} from stdin`);
}

/** `bytes` as UTF-8 text; a UsageError naming the first bad byte when they are not UTF-8. */
function decodeText(bytes: Buffer, what: string): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const bad = firstBadByte(bytes);
  throw new UsageError(`The ${what} is not valid UTF-8 (first bad byte at offset ${bad}); it would not arrive as sent`, {
    hint: 'Message text is UTF-8: base64-encode binary data first (e.g. base64 < file.bin), and mark it with an attribute such as --attr encoding=base64',
  });
}

export interface MessageAttributeArg {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** The offset of the first byte that does not start a valid UTF-8 sequence. */
function firstBadByte(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || !isUtf8(b.subarray(i, i + len))) return i;
    i += len;
  }
  return -1;
}

/** `--attr name=value` (String) or `--attr name=Type:value` with Type String, Number, String.Array or Binary. */
export function parseAttrs(list: readonly string[] | undefined): Record<string, MessageAttributeArg> {
  const out: Record<string, MessageAttributeArg> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--attr must look like name=value or name=Type:value (got "${item}")`, { hint: 'e.g. --attr type=invoice or --attr size=Number:3' });
    const name = item.slice(0, eq);
    let rest = item.slice(eq + 1);
    let type = 'String';
    const m = /^(String\.Array|String|Number|Binary)(\.[A-Za-z0-9_.-]+)?:/.exec(rest);
    if (m) {
      type = m[1]! + (m[2] ?? '');
      rest = rest.slice(m[0].length);
    }
    if (rest === '') throw new UsageError(`--attr ${name}: the value is empty`, { hint: 'message attributes cannot be empty; give a value or drop the --attr' });
    if (m?.[1] === 'Number' && !Number.isFinite(Number(rest))) throw new UsageError(`--attr ${name}: "${rest}" is not a number`, { hint: `e.g. --attr ${name}=Number:3, or --attr ${name}=String:${rest}` });
    if (m?.[1] === 'String.Array') {
      let arr: unknown;
      try {
        arr = JSON.parse(rest);
      } catch {
        arr = undefined;
      }
      if (!Array.isArray(arr)) throw new UsageError(`--attr ${name}: a String.Array value must be a JSON array, e.g. '["a","b"]'`, { hint: `e.g. --attr ${name}=String.Array:'["a","b"]'` });
    }
    out[name] = m?.[1] === 'Binary' ? { DataType: type, BinaryValue: Buffer.from(rest).toString('base64') } : { DataType: type, StringValue: rest };
  }
  return out;
}
