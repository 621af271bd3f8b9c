/**
 * API Gateway v2 input readers: members of the parsed JSON body (lower-camel, as on the wire) checked
 * against the model's types and constraints, answering `BadRequestException` as AWS does. Also ids,
 * timestamps and list pages. No state, no HTTP.
 */
import { randomBytes } from 'node:crypto';
import * as E from './errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_TAGS } from './constants.js';

export type Input = Record<string, unknown>;

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A lower-case alphanumeric id like AWS's (`a1b2c3d4e5`). */
export function newId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ID_CHARS[bytes[i]! % ID_CHARS.length];
  return out;
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function has(input: Input, key: string): boolean {
  return input[key] !== undefined && input[key] !== null;
}

export function str(input: Input, key: string, opts: { required?: boolean; min?: number; max?: number } = {}): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) {
    if (opts.required) throw E.missingMember(key);
    return undefined;
  }
  if (typeof v !== 'string') throw E.invalidMember(key, 'expected a string');
  const min = opts.min ?? 0;
  if (v.length < min || (opts.max !== undefined && v.length > opts.max)) {
    throw E.invalidMember(key, opts.max !== undefined ? `a string with a length between [${min}-${opts.max}]` : `a string of at least ${min} characters`);
  }
  return v;
}

export function oneOf<T extends string>(input: Input, key: string, values: readonly T[], required = false): T | undefined {
  const v = str(input, key, { required });
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw E.badRequest(`Invalid ${key} specified: ${v}. Valid values are ${values.join(', ')}.`);
  return v as T;
}

export function bool(input: Input, key: string): boolean | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw E.invalidMember(key, 'expected a boolean');
  return v;
}

export function int(input: Input, key: string, min: number, max: number, message?: string): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw E.invalidMember(key, 'expected an integer');
  if (v < min || v > max) throw E.badRequest(message ?? `Invalid input for ${key}: an integer between ${min} and ${max}`);
  return v;
}

export function strList(input: Input, key: string): string[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw E.invalidMember(key, 'expected a list of strings');
  return v as string[];
}

export function strMap(input: Input, key: string): Record<string, string> | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) throw E.invalidMember(key, 'expected a map of strings');
  return { ...(v as Record<string, string>) };
}

export function obj(input: Input, key: string): Input | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw E.invalidMember(key, 'expected an object');
  return v as Input;
}

/** Tags as AWS checks them: at most 50, keys 1..128 not starting with `aws:`, values up to 256. */
export function tags(input: Input, key = 'tags'): Record<string, string> | undefined {
  const t = strMap(input, key);
  if (!t) return undefined;
  checkTags(t);
  return t;
}

export function checkTags(t: Record<string, string>): void {
  const keys = Object.keys(t);
  if (keys.length > MAX_TAGS) throw E.badRequest(`Too many tags: a resource can have at most ${MAX_TAGS} tags.`);
  for (const k of keys) {
    if (k.length < 1 || k.length > 128) throw E.badRequest(`Invalid tag key: ${k}. Tag keys are 1 to 128 characters long.`);
    if (k.toLowerCase().startsWith('aws:')) throw E.badRequest(`Invalid tag key: ${k}. Tag keys cannot start with 'aws:'.`);
    if (t[k]!.length > 256) throw E.badRequest(`Invalid tag value for key ${k}: tag values are at most 256 characters long.`);
  }
}

/** One page of `items` for `maxResults`/`nextToken` (query string members; strings in the model). */
export function page<T>(items: T[], input: Input): { items: T[]; nextToken?: string } {
  let size = DEFAULT_PAGE_SIZE;
  const max = input.maxResults;
  if (max !== undefined) {
    if (typeof max !== 'string' || !/^\d+$/.test(max) || Number(max) < 1 || Number(max) > MAX_PAGE_SIZE) {
      throw E.badRequest(`Invalid maxResults specified: ${String(max)}. It must be an integer between 1 and ${MAX_PAGE_SIZE}.`);
    }
    size = Number(max);
  }
  let start = 0;
  const token = input.nextToken;
  if (token !== undefined) {
    const m = typeof token === 'string' ? /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8')) : null;
    if (!m) throw E.badRequest('Invalid nextToken specified.');
    start = Number(m[1]);
  }
  const slice = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(`o${start + size}`, 'utf8').toString('base64url') : undefined;
  return next ? { items: slice, nextToken: next } : { items: slice };
}
