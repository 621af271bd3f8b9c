/**
 * `svl http` input: method, path, `-H name:value` headers and the `-d` body (text, @file as bytes, - for
 * stdin), validated before any call, every mistake a UsageError (exit 2) with a hint. Pure except for
 * reading the @file / stdin the user named.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import type { HttpFlags } from './index.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface HttpOptions {
  api: string;
  method: string;
  /** Path and query as given, starting with /. */
  path: string;
  stage: string;
  headers: Array<[string, string]>;
  body?: Buffer;
  event: boolean;
  fail: boolean;
}

export function parseHttp(api: string, method: string, path: string, f: HttpFlags, stdin: () => Buffer = () => readFileSync(0)): HttpOptions {
  const m = method.toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(m)) {
    throw new UsageError(`Unknown HTTP method "${method}".`, { hint: `Use one of ${HTTP_METHODS.join(', ')}, e.g. svl http ${api} GET /` });
  }
  if (/^https?:\/\//i.test(path)) {
    throw new UsageError(`"${path}" is a URL; svl http takes the API and a path.`, { hint: `Pass the path only, e.g. svl http ${api} ${m} ${new URL(path).pathname}${new URL(path).search}` });
  }
  if (!path.startsWith('/')) throw new UsageError(`The path "${path}" must start with /.`, { hint: `e.g. svl http ${api} ${m} /${path}` });
  if (/\s/.test(path)) throw new UsageError(`The path "${path}" contains whitespace.`, { hint: 'percent-encode it (a space is %20)' });
  if (!api.trim()) throw new UsageError('The API name or id is empty.', { hint: 'svl status lists the APIs of your flows' });
  const stage = f.stage ?? '$default';
  if (!/^(\$default|[A-Za-z0-9_-]{1,128})$/.test(stage)) throw new UsageError(`Invalid stage name "${stage}".`, { hint: 'Stage names are $default or 1-128 letters, digits, - and _' });

  const headers: Array<[string, string]> = [];
  for (const h of f.header ?? []) {
    const i = h.indexOf(':');
    const name = i < 0 ? '' : h.slice(0, i).trim();
    if (i < 0 || !TOKEN.test(name)) {
      throw new UsageError(`Bad header "${h}": expected name:value.`, { hint: `e.g. -H 'authorization: Bearer abc' (the name is letters, digits and !#$%&'*+-.^_\`|~)` });
    }
    const value = h.slice(i + 1).trim();
    // RFC 9110 field values: visible ASCII, spaces/tabs and obs-text bytes (0x80-0xFF); fetch refuses the
    // rest (control characters, and characters beyond one byte such as 'e' + a combining accent, or 日本).
    const bad = [...value].find((ch) => { const c = ch.codePointAt(0)!; return (c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff; });
    if (bad !== undefined) {
      const code = `U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      throw new UsageError(`Bad header "${name}": its value contains ${code}, which an HTTP header cannot carry.`, {
        hint: `HTTP header values are bytes: use ASCII, or percent-encode the text (e.g. -H '${name}: ${encodeURIComponent(value.replace(/[\x00-\x1f\x7f]/g, ''))}') and decode it in the handler`,
      });
    }
    headers.push([name, value]);
  }

  let body: Buffer | undefined;
  if (f.data !== undefined) {
    if (f.data === '-' || f.data === '@-') body = stdin();
    else if (f.data.startsWith('@')) {
      const file = f.data.slice(1);
      try {
        body = readFileSync(file);
      } catch (err) {
        throw new UsageError(`-d: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { hint: 'check the path after @ (use - for stdin, or drop the @ to send the text itself)' });
      }
    } else body = Buffer.from(f.data, 'utf8');
    if (m === 'GET' || m === 'HEAD') {
      throw new UsageError(`-d: a ${m} request has no body.`, { hint: `send it with POST, PUT or PATCH: svl http ${api} POST ${path} -d …` });
    }
    if (!headers.some(([n]) => n.toLowerCase() === 'content-type')) headers.push(['content-type', looksLikeJson(body) ? 'application/json' : 'text/plain; charset=utf-8']);
  }
  return { api, method: m, path, stage, headers, ...(body !== undefined && { body }), event: Boolean(f.event), fail: f.fail !== false };
}

function looksLikeJson(b: Buffer): boolean {
  try {
    JSON.parse(b.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
