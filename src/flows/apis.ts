/**
 * The `apis` section of a flow spec: API Gateway HTTP APIs in front of Lambda functions (routes,
 * REQUEST authorizers with payload 2.0 and simple responses, CORS). Validation only, with every problem
 * listed with its JSON path, by AWS's rules (route keys, limits of timeoutInMillis, authorizer TTL,
 * identity sources, CORS). It does not check that the functions exist: that needs the target, and is
 * `apiPreflightProblems` (called with what observation found).
 */
import { closest } from './suggest.js';

export interface CorsSpec {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
  allowCredentials: boolean;
}

export interface AuthorizerSpec {
  name: string;
  function: string;
  identitySource: string[];
  ttlSeconds: number;
  simpleResponses: boolean;
}

export interface RouteSpec {
  /** AWS route key: `$default` or `METHOD /path` (path variables `{id}`, greedy `{proxy+}` last). */
  route: string;
  function: string;
  authorizer?: string;
  timeoutMs: number;
}

export interface ApiSpec {
  name: string;
  cors?: CorsSpec;
  authorizers: AuthorizerSpec[];
  routes: RouteSpec[];
}

/** AWS limits (API Gateway quotas and the CreateApi/CreateIntegration/CreateAuthorizer references). */
export const API_LIMITS = {
  apiName: 128,
  authorizerName: 128,
  /** HTTP APIs: timeoutInMillis from 50 ms to 30 s. */
  timeoutMs: [50, 30_000],
  defaultTimeoutMs: 30_000,
  /** authorizerResultTtlInSeconds: 0 to 3600. */
  ttlSeconds: [0, 3600],
  /** CORS maxAge: up to 86400 seconds. */
  maxAge: [0, 86_400],
  routesPerApi: 300,
  authorizersPerApi: 10,
} as const;

export const ROUTE_METHODS = ['ANY', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;
const FUNCTION_RE = /^[A-Za-z0-9_-]{1,64}$/;
const IDENTITY_RE = /^\$(request\.header\.[^\s,]+|request\.querystring\.[^\s,]+|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)$/;
const KEYS = {
  api: ['name', 'cors', 'authorizers', 'routes'],
  cors: ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials'],
  authorizer: ['name', 'function', 'identitySource', 'ttlSeconds', 'simpleResponses'],
  route: ['route', 'function', 'authorizer', 'timeoutMs'],
} as const;

type Obj = Record<string, unknown>;
type Bad = (path: string, message: string) => void;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function unknownKeys(o: Obj, known: readonly string[], at: string, bad: Bad): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const guess = closest(k, known);
    bad(`${at}.${k}`, `unknown key${guess ? `; did you mean "${guess}"?` : ` (known here: ${known.join(', ')})`}`);
  }
}

/**
 * Why AWS would refuse a route key, or undefined when it is valid: `$default`, or an HTTP method (or
 * ANY) and a path starting with `/`, whose `{variables}` fill whole segments and whose greedy
 * `{name+}` can only be the last segment.
 */
export function routeKeyProblem(key: string): string | undefined {
  if (key === '$default') return undefined;
  const m = /^(\S+) (\S*)$/.exec(key);
  if (!m) return 'a route key is "$default" or "<METHOD> /<path>", e.g. "GET /users/{userId}"';
  const [, method, path] = m as unknown as [string, string, string];
  if (!(ROUTE_METHODS as readonly string[]).includes(method)) {
    const guess = closest(method.toUpperCase(), ROUTE_METHODS);
    return `unknown method "${method}" (methods: ${ROUTE_METHODS.join(', ')})${guess && guess !== method ? `; did you mean "${guess}"?` : ''}`;
  }
  if (!path.startsWith('/')) return `the path "${path}" must start with /`;
  if (path.length > 1 && path.endsWith('/')) return `the path "${path}" must not end with / (AWS ignores trailing slashes when routing)`;
  const segments = path === '/' ? [] : path.slice(1).split('/');
  const vars = new Set<string>();
  for (const [i, seg] of segments.entries()) {
    if (seg === '') return `the path "${path}" has an empty segment (//)`;
    if (seg.includes('{') || seg.includes('}')) {
      const v = /^\{([A-Za-z0-9._-]+)(\+?)\}$/.exec(seg);
      if (!v) return `"${seg}" in "${path}": a path variable fills a whole segment, like {userId} or a greedy {proxy+}`;
      if (v[2] && i !== segments.length - 1) return `"${seg}" in "${path}": a greedy path variable must be the last segment`;
      if (vars.has(v[1]!)) return `the path variable {${v[1]}} appears twice in "${path}"`;
      vars.add(v[1]!);
    } else if (!/^[A-Za-z0-9._~!$&'()*,;=:@%-]+$/.test(seg)) return `"${seg}" in "${path}" has characters a URL path segment cannot hold`;
  }
  return undefined;
}

const strings = (v: unknown, path: string, bad: Bad, what: string): string[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
    bad(path, `must be a list of ${what} (non-empty strings)`);
    return [];
  }
  return v as string[];
};

function validateCors(c: unknown, p: string, bad: Bad): CorsSpec | undefined {
  if (c === undefined || c === false) return undefined;
  // `true`: any origin, method and header — what a browser-facing API in development usually wants.
  if (c === true) return { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: [], allowCredentials: false };
  if (!isObj(c)) {
    bad(p, 'must be true, or an object with allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials');
    return undefined;
  }
  unknownKeys(c, KEYS.cors, p, bad);
  const cors: CorsSpec = {
    allowOrigins: strings(c.allowOrigins, `${p}.allowOrigins`, bad, 'origins'),
    allowMethods: strings(c.allowMethods, `${p}.allowMethods`, bad, 'methods'),
    allowHeaders: strings(c.allowHeaders, `${p}.allowHeaders`, bad, 'header names'),
    exposeHeaders: strings(c.exposeHeaders, `${p}.exposeHeaders`, bad, 'header names'),
    allowCredentials: false,
  };
  for (const m of cors.allowMethods) {
    if (m !== '*' && !(ROUTE_METHODS as readonly string[]).filter((x) => x !== 'ANY').includes(m)) bad(`${p}.allowMethods`, `"${m}" is not an HTTP method (or *)`);
  }
  for (const o of cors.allowOrigins) {
    if (o !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(o)) bad(`${p}.allowOrigins`, `"${o}" is not an origin like https://example.com (scheme and host, no path), or *`);
  }
  if (c.maxAge !== undefined) {
    const [min, max] = API_LIMITS.maxAge;
    if (typeof c.maxAge !== 'number' || !Number.isInteger(c.maxAge) || c.maxAge < min || c.maxAge > max) bad(`${p}.maxAge`, `must be an integer from ${min} to ${max} (seconds)`);
    else cors.maxAge = c.maxAge;
  }
  if (c.allowCredentials !== undefined) {
    if (typeof c.allowCredentials !== 'boolean') bad(`${p}.allowCredentials`, 'must be true or false');
    else cors.allowCredentials = c.allowCredentials;
  }
  if (cors.allowCredentials && cors.allowOrigins.includes('*')) {
    bad(`${p}.allowCredentials`, 'AWS refuses allowCredentials with allowOrigins "*": list the origins that may send credentials');
  }
  return cors;
}

function validateAuthorizer(a: unknown, p: string, bad: Bad): AuthorizerSpec | undefined {
  if (!isObj(a)) {
    bad(p, 'must be an object with a name and a function');
    return undefined;
  }
  unknownKeys(a, KEYS.authorizer, p, bad);
  let ok = true;
  if (typeof a.name !== 'string' || a.name.length < 1 || a.name.length > API_LIMITS.authorizerName) {
    bad(`${p}.name`, `is required (1-${API_LIMITS.authorizerName} characters)`);
    ok = false;
  }
  if (typeof a.function !== 'string' || !FUNCTION_RE.test(a.function)) {
    bad(`${p}.function`, 'must name a Lambda function (1-64 letters, digits, - and _)');
    ok = false;
  }
  let identitySource = ['$request.header.Authorization'];
  if (a.identitySource !== undefined) {
    const raw = typeof a.identitySource === 'string' ? [a.identitySource] : a.identitySource;
    if (!Array.isArray(raw) || raw.length === 0 || raw.some((x) => typeof x !== 'string')) {
      bad(`${p}.identitySource`, 'must be one identity source or a list of them, e.g. "$request.header.Authorization"');
    } else {
      identitySource = raw as string[];
      for (const s of identitySource) {
        if (!IDENTITY_RE.test(s)) bad(`${p}.identitySource`, `"${s}" is not an identity source: use $request.header.<name>, $request.querystring.<name>, $context.<variable> or $stageVariables.<name>`);
      }
    }
  }
  let ttlSeconds = 0;
  if (a.ttlSeconds !== undefined) {
    const [min, max] = API_LIMITS.ttlSeconds;
    if (typeof a.ttlSeconds !== 'number' || !Number.isInteger(a.ttlSeconds) || a.ttlSeconds < min || a.ttlSeconds > max) bad(`${p}.ttlSeconds`, `must be an integer from ${min} to ${max} (got ${JSON.stringify(a.ttlSeconds)})`);
    else ttlSeconds = a.ttlSeconds;
  }
  let simpleResponses = true;
  if (a.simpleResponses !== undefined) {
    if (typeof a.simpleResponses !== 'boolean') bad(`${p}.simpleResponses`, 'must be true or false');
    else simpleResponses = a.simpleResponses;
  }
  return ok ? { name: a.name as string, function: a.function as string, identitySource, ttlSeconds, simpleResponses } : undefined;
}

function validateRoute(r: unknown, p: string, authorizers: readonly string[], bad: Bad): RouteSpec | undefined {
  if (!isObj(r)) {
    bad(p, 'must be an object like { "route": "GET /users", "function": "get-users" }');
    return undefined;
  }
  unknownKeys(r, KEYS.route, p, bad);
  let ok = true;
  if (typeof r.route !== 'string') {
    bad(`${p}.route`, 'is required, e.g. "POST /users" or "$default"');
    ok = false;
  } else {
    const problem = routeKeyProblem(r.route);
    if (problem) {
      bad(`${p}.route`, `"${r.route}": ${problem}`);
      ok = false;
    }
  }
  if (typeof r.function !== 'string' || !FUNCTION_RE.test(r.function)) {
    bad(`${p}.function`, 'must name a Lambda function (1-64 letters, digits, - and _)');
    ok = false;
  }
  if (r.authorizer !== undefined) {
    if (typeof r.authorizer !== 'string') bad(`${p}.authorizer`, 'must be the name of one of the API\'s authorizers');
    else if (!authorizers.includes(r.authorizer)) {
      const guess = closest(r.authorizer, authorizers);
      bad(`${p}.authorizer`, `"${r.authorizer}" is not an authorizer of this API${guess ? `; did you mean "${guess}"?` : authorizers.length ? ` (authorizers: ${authorizers.join(', ')})` : ' (it has none: add it under authorizers)'}`);
    }
  }
  let timeoutMs: number = API_LIMITS.defaultTimeoutMs;
  if (r.timeoutMs !== undefined) {
    const [min, max] = API_LIMITS.timeoutMs;
    if (typeof r.timeoutMs !== 'number' || !Number.isInteger(r.timeoutMs) || r.timeoutMs < min || r.timeoutMs > max) bad(`${p}.timeoutMs`, `must be an integer from ${min} to ${max} (an HTTP API integration times out after at most 30 s; got ${JSON.stringify(r.timeoutMs)})`);
    else timeoutMs = r.timeoutMs;
  }
  if (!ok) return undefined;
  return { route: r.route as string, function: r.function as string, ...(typeof r.authorizer === 'string' && { authorizer: r.authorizer }), timeoutMs };
}

/** Validates the spec's `apis` (undefined: none); problems go to `bad` with their JSON paths. */
export function validateApis(raw: unknown, bad: Bad): ApiSpec[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    bad('apis', 'must be a list of HTTP APIs, e.g. [{ "name": "users", "routes": [{ "route": "GET /users", "function": "list-users" }] }]');
    return [];
  }
  const apis: ApiSpec[] = [];
  const names = new Map<string, string>();
  raw.forEach((a: unknown, i: number) => {
    const p = `apis[${i}]`;
    if (!isObj(a)) return bad(p, 'must be an object with a name and routes');
    unknownKeys(a, KEYS.api, p, bad);
    const name = a.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > API_LIMITS.apiName) bad(`${p}.name`, `is required (1-${API_LIMITS.apiName} characters)`);
    else if (names.has(name)) bad(`${p}.name`, `"${name}" is already the name of ${names.get(name)}: svl finds APIs by name, so each needs its own`);
    else names.set(name, p);
    const cors = validateCors(a.cors, `${p}.cors`, bad);

    const authorizers: AuthorizerSpec[] = [];
    if (a.authorizers !== undefined && !Array.isArray(a.authorizers)) bad(`${p}.authorizers`, 'must be a list of authorizers');
    else if (Array.isArray(a.authorizers)) {
      if (a.authorizers.length > API_LIMITS.authorizersPerApi) bad(`${p}.authorizers`, `at most ${API_LIMITS.authorizersPerApi} authorizers per API (AWS quota)`);
      a.authorizers.forEach((x: unknown, j: number) => {
        const az = validateAuthorizer(x, `${p}.authorizers[${j}]`, bad);
        if (!az) return;
        if (authorizers.some((o) => o.name === az.name)) bad(`${p}.authorizers[${j}].name`, `"${az.name}" is already the name of another authorizer of this API`);
        else authorizers.push(az);
      });
    }
    const authorizerNames = Array.isArray(a.authorizers) ? a.authorizers.map((x: unknown) => (isObj(x) && typeof x.name === 'string' ? x.name : '')).filter(Boolean) : [];

    const routes: RouteSpec[] = [];
    if (!Array.isArray(a.routes) || a.routes.length === 0) bad(`${p}.routes`, 'must list at least one route, e.g. { "route": "GET /users", "function": "list-users" }');
    else {
      if (a.routes.length > API_LIMITS.routesPerApi) bad(`${p}.routes`, `at most ${API_LIMITS.routesPerApi} routes per API (AWS quota)`);
      const keys = new Map<string, string>();
      a.routes.forEach((x: unknown, j: number) => {
        const rp = `${p}.routes[${j}]`;
        const r = validateRoute(x, rp, authorizerNames, bad);
        if (!r) return;
        const first = keys.get(r.route);
        if (first !== undefined) bad(`${rp}.route`, `"${r.route}" is already the route of ${first}: AWS allows each route key once per API`);
        else keys.set(r.route, rp);
        routes.push(r);
      });
    }
    if (typeof name === 'string') apis.push({ name, ...(cors && { cors }), authorizers, routes });
  });
  return apis;
}

/** Every function an API invokes (routes and authorizers), each once, in spec order. */
export const apiFunctions = (api: ApiSpec): string[] => [...new Set([...api.routes.map((r) => r.function), ...api.authorizers.map((a) => a.function)])];

/**
 * What apply would be refused for because a referenced function does not exist (neither deployed nor
 * deployed by the command itself): every reference, with its path.
 */
export function apiPreflightProblems(apis: readonly ApiSpec[], missing: ReadonlySet<string>): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const say = (fn: string) => `function "${fn}" does not exist on this target: deploy it first (svl deploy <handler dir> --name ${fn}), or fix the name`;
  apis.forEach((api, i) => {
    api.authorizers.forEach((a, j) => {
      if (missing.has(a.function)) out.push({ path: `apis[${i}].authorizers[${j}].function`, message: say(a.function) });
    });
    api.routes.forEach((r, j) => {
      if (missing.has(r.function)) out.push({ path: `apis[${i}].routes[${j}].function`, message: say(r.function) });
    });
  });
  return out;
}

/** The spec's `apis` as written to disk (stable key order; defaults spelled out). */
export function apisToJson(apis: readonly ApiSpec[]): unknown[] {
  return apis.map((a) => ({
    name: a.name,
    ...(a.cors && { cors: a.cors }),
    ...(a.authorizers.length && { authorizers: a.authorizers }),
    routes: a.routes.map((r) => ({ route: r.route, function: r.function, ...(r.authorizer && { authorizer: r.authorizer }), timeoutMs: r.timeoutMs })),
  }));
}
