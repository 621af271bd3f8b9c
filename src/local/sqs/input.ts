/** Typed accessors for protocol-agnostic request inputs, raising SQS's errors for wrong types. */
import * as E from './errors.js';

export type Input = Record<string, unknown>;

export function reqString(input: Input, name: string): string {
  const v = input[name];
  if (v === undefined || v === null || v === '') throw E.missingParameter(name);
  if (typeof v !== 'string') throw E.invalidParameter(name, JSON.stringify(v), `${name} must be a string.`);
  return v;
}

export function optString(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw E.invalidParameter(name, JSON.stringify(v), `${name} must be a string.`);
  return v;
}

/** Integer parameter; Query sends strings, JSON sends numbers. `reason` is AWS's text for the range error. */
export function optInt(input: Input, name: string, min: number, max: number, reason: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw E.invalidParameter(name, typeof v === 'string' ? v : JSON.stringify(v), reason);
  return n;
}

export function optList(input: Input, name: string): unknown[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw E.invalidParameterValue(`${name} must be a list.`);
  return v;
}

export function optStringList(input: Input, name: string): string[] | undefined {
  const v = optList(input, name);
  if (v && !v.every((x) => typeof x === 'string')) throw E.invalidParameterValue(`${name} must be a list of strings.`);
  return v as string[] | undefined;
}

export function optMap(input: Input, name: string): Record<string, unknown> | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw E.invalidParameterValue(`${name} must be a map.`);
  return v as Record<string, unknown>;
}

export function stringMap(input: Input, name: string): Record<string, string> | undefined {
  const m = optMap(input, name);
  if (!m) return undefined;
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== 'string') throw E.invalidParameterValue(`${name}.${k} must be a string.`);
  }
  return m as Record<string, string>;
}
