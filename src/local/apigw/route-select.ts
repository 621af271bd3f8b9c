/**
 * Route selection for HTTP APIs, as API Gateway does it (http-api-develop-routes.html, "Routing API
 * requests"): the most specific match wins. Paths are compared segment by segment — a literal segment
 * beats a `{variable}`, which beats a greedy `{proxy+}` — and for equally specific paths a route with the
 * request's method beats `ANY`; `$default` catches what nothing else matches. Pure: no I/O.
 *
 * Deliberately not here: stage selection (invoke.ts), which route keys are valid (the management API).
 * A greedy variable matches one or more segments (`/pets/{proxy+}` does not match `/pets`), a variable
 * exactly one non-empty segment; path parameters are percent-decoded, as AWS passes them.
 */

export interface RouteLike {
  routeKey: string;
}

export interface SelectedRoute<R extends RouteLike> {
  route: R;
  /** Decoded values of the route's path variables; empty for `$default` and literal routes. */
  pathParameters: Record<string, string>;
}

interface ParsedKey {
  method: string;
  segments: Segment[];
  /** Specificity of each segment (RANK). */
  ranks: number[];
}

type Segment = { kind: 'literal'; value: string } | { kind: 'var'; name: string } | { kind: 'greedy'; name: string };

const RANK = { literal: 2, var: 1, greedy: 0 } as const;

/** Parsed route keys by key (a pure function of the string: nothing to invalidate), bounded. */
const parsedKeys = new Map<string, ParsedKey | undefined>();
const PARSED_KEYS_KEPT = 10_000;

/** `GET /pets/{id}` → method and path segments; undefined for `$default` or anything unparsable. */
export function parseRouteKey(key: string): ParsedKey | undefined {
  if (parsedKeys.has(key)) return parsedKeys.get(key);
  const parsed = parseKey(key);
  if (parsedKeys.size >= PARSED_KEYS_KEPT) parsedKeys.clear();
  parsedKeys.set(key, parsed);
  return parsed;
}

function parseKey(key: string): ParsedKey | undefined {
  const m = /^([A-Z]+) (\/.*)$/.exec(key);
  if (!m) return undefined;
  const segments: Segment[] = splitPath(m[2]!).map((s) => {
    const v = /^\{([^{}]+?)(\+?)\}$/.exec(s);
    if (!v) return { kind: 'literal', value: s };
    return v[2] ? { kind: 'greedy', name: v[1]! } : { kind: 'var', name: v[1]! };
  });
  return { method: m[1]!, segments, ranks: segments.map((s) => RANK[s.kind]) };
}

/** `/a/b` → ['a', 'b']; `/` → []. Segments stay percent-encoded. */
export function splitPath(path: string): string[] {
  const p = path.startsWith('/') ? path.slice(1) : path;
  return p === '' ? [] : p.split('/');
}

/** The route an HTTP request goes to, or undefined (API Gateway then answers 404 `{"message":"Not Found"}`). */
export function selectRoute<R extends RouteLike>(routes: readonly R[], method: string, path: string): SelectedRoute<R> | undefined {
  const parts = splitPath(path);
  let best: { route: R; ranks: number[]; anyMethod: boolean; params: Record<string, string> } | undefined;
  for (const route of routes) {
    const key = parseRouteKey(route.routeKey);
    if (!key || (key.method !== method && key.method !== 'ANY')) continue;
    const params = match(key.segments, parts);
    if (!params) continue;
    const cand = { route, ranks: key.ranks, anyMethod: key.method === 'ANY', params };
    if (!best || better(cand, best)) best = cand;
  }
  if (best) return { route: best.route, pathParameters: best.params };
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

function better(a: { ranks: number[]; anyMethod: boolean }, b: { ranks: number[]; anyMethod: boolean }): boolean {
  const n = Math.max(a.ranks.length, b.ranks.length);
  for (let i = 0; i < n; i++) {
    // A path that ends (in a greedy variable) earlier is less specific than one that continues.
    const x = a.ranks[i] ?? -1;
    const y = b.ranks[i] ?? -1;
    if (x !== y) return x > y;
  }
  return !a.anyMethod && b.anyMethod;
}

function match(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.every((p) => p === '')) return undefined;
      params[s.name] = decode(rest.join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (s.kind === 'literal') {
      if (decode(part) !== decode(s.value)) return undefined;
    } else {
      if (part === '') return undefined;
      params[s.name] = decode(part);
    }
  }
  return parts.length === segments.length ? params : undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
