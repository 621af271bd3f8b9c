/**
 * AWS REST-JSON (Lambda): the operation is named by method + path; inputs come from path labels, the
 * query string, headers and a JSON body. Errors carry the header `x-amzn-errortype: <Code>` (what the
 * JS SDK reads first) and a body `{"Type":"User","message":"…"}` — except ResourceNotFoundException,
 * which AWS sends with a capital `Message` (aws-wire.md §5).
 */
import type { AwsError } from '../../domain/aws-error.js';
import type { WireResponse } from './json10.js';

export interface RestRoute<Op extends string = string> {
  method: string;
  /** Path template with `{Label}` segments, e.g. `/2015-03-31/functions/{FunctionName}/invocations`. */
  path: string;
  op: Op;
  regex: RegExp;
  labels: string[];
}

export function restRoute<Op extends string>(method: string, path: string, op: Op): RestRoute<Op> {
  const labels: string[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      labels.push(m[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { method, path, op, regex: new RegExp(`^${source}/?$`), labels };
}

export interface RestMatch<Op extends string> {
  op: Op;
  labels: Record<string, string>;
}

/** Finds the route of a request; `undefined` when no route matches the path, `null` when only the method is wrong. */
export function matchRoute<Op extends string>(routes: readonly RestRoute<Op>[], method: string, path: string): RestMatch<Op> | null | undefined {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const labels: Record<string, string> = {};
    r.labels.forEach((l, i) => {
      try {
        labels[l] = decodeURIComponent(m[i + 1]!);
      } catch {
        labels[l] = m[i + 1]!;
      }
    });
    return { op: r.op, labels };
  }
  return pathMatched ? null : undefined;
}

export function restJsonResponse(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): WireResponse {
  const out: Record<string, string> = { 'x-amzn-requestid': requestId, ...headers };
  if (body === undefined) return { status, headers: out, body: '' };
  out['content-type'] ??= 'application/json';
  return { status, headers: out, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

export function restJsonError(err: AwsError, requestId: string): WireResponse {
  const messageKey = err.code === 'ResourceNotFoundException' ? 'Message' : 'message';
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code },
    body: JSON.stringify({ Type: err.fault === 'Receiver' ? 'Service' : 'User', [messageKey]: err.message }),
  };
}
