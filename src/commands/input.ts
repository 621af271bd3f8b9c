/** Reading command values: inline text, `@file`, or `-` for stdin. Shared by commands that take payloads. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** `value` as given, the contents of `@path`, or all of stdin for `-`. */
export function readValue(value: string, flag: string): string {
  if (value === '-') return readFileSync(0, 'utf8');
  if (value.startsWith('@')) {
    const path = value.slice(1);
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new UsageError(`${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { hint: 'check the path after @ (use @- for stdin)' });
    }
  }
  return value;
}

export interface MessageAttributeArg {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
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
