/**
 * The Lambda event an HTTP API builds from a request, payload format 2.0 and 1.0, field for field as
 * API Gateway builds it (http-api-develop-integrations-lambda.html), plus the REQUEST authorizer's 2.0
 * event (http-api-lambda-authorizer.html). Pure: the request arrives as plain facts (raw header pairs,
 * body bytes, times, ids), so a fixed input gives an exact event.
 *
 * AWS rules imitated: header names lower-cased, duplicate headers (2.0) and query parameters (2.0)
 * joined with ','; the Cookie header becomes `cookies` (split on `; `) and leaves `headers` in 2.0;
 * 2.0 omits keys that have no value (cookies, queryStringParameters, pathParameters, stageVariables,
 * body), 1.0 sets them to null and takes the last value of a duplicate; `rawPath` and `http.path` keep the
 * stage prefix of a named stage and arrive percent-decoded (`rawQueryString` stays encoded); bodies whose
 * content type is not text are base64 (`isBase64Encoded`).
 *
 * Deliberately not here: mTLS `authentication`, JWT authorizer claims; x-forwarded-* and x-amzn-trace-id
 * are added as AWS adds them, but the emulator's client is the source IP.
 */

export interface RequestFacts {
  method: string;
  /** The path the client asked for below the API's origin, percent-decoded as HTTP APIs deliver it, with the stage prefix of a named stage. */
  rawPath: string;
  /** The query string without `?` ('' when none). */
  rawQueryString: string;
  /** node:http's flat `[name, value, name, value, …]` list, names as sent. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  protocol: string;
  requestId: string;
  /** Epoch milliseconds the request arrived. */
  timeEpoch: number;
  apiId: string;
  accountId: string;
  domainName: string;
  stage: string;
  stageVariables?: Record<string, string>;
}

export interface RouteFacts {
  routeKey: string;
  pathParameters: Record<string, string>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Content types API Gateway passes as text; everything else (no content type, form posts, `+json`
 * vendor types) is base64-encoded. AWS does not document the list; this is the split observed on AWS.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return t.startsWith('text/') || t === 'application/json' || t === 'application/xml' || t === 'application/javascript';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The last second formatted (requests arrive many to a second). */
let lastTime = { second: NaN, text: '' };

/** `04/Dec/2026:23:01:02 +0000`, the `time` / `requestTime` format. */
export function formatRequestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second === lastTime.second) return lastTime.text;
  const d = new Date(second * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const text = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  lastTime = { second, text };
  return text;
}

/** Header name (lower case) → its values in arrival order. */
export function headerValues(rawHeaders: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = out.get(name);
    if (list) list.push(rawHeaders[i + 1]!);
    else out.set(name, [rawHeaders[i + 1]!]);
  }
  return out;
}

/** `headerValues(req.rawHeaders)`, worked out once per request (the event, its body and an authorizer all read it). */
const headerMaps = new WeakMap<RequestFacts, Map<string, string[]>>();
export function headersOf(req: RequestFacts): Map<string, string[]> {
  let m = headerMaps.get(req);
  if (!m) headerMaps.set(req, (m = headerValues(req.rawHeaders)));
  return m;
}

/** Query parameter name → decoded values in order (`a` alone is `a=''`; `+` is a space). */
export function queryValues(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const i = pair.indexOf('=');
    const k = decodeQuery(i >= 0 ? pair.slice(0, i) : pair);
    const v = decodeQuery(i >= 0 ? pair.slice(i + 1) : '');
    const list = out.get(k) ?? [];
    list.push(v);
    out.set(k, list);
  }
  return out;
}

function decodeQuery(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function joined(values: Map<string, string[]>, except?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of values) if (k !== except) out[k] = v.length === 1 ? v[0]! : v.join(',');
  return out;
}

function lastOf(values: Map<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of values) out[k] = v[v.length - 1]!;
  return out;
}

function nonEmpty<T extends object>(o: T | undefined): T | undefined {
  if (o) for (const k in o) if (Object.hasOwn(o, k)) return o;
  return undefined;
}

/** The body as the event carries it. */
export function eventBody(req: RequestFacts): { body?: string; isBase64Encoded: boolean } {
  if (req.body.length === 0) return { isBase64Encoded: false };
  const type = headersOf(req).get('content-type')?.[0];
  return isTextContentType(type) ? { body: req.body.toString('utf8'), isBase64Encoded: false } : { body: req.body.toString('base64'), isBase64Encoded: true };
}

function cookiesOf(headers: Map<string, string[]>): string[] | undefined {
  const raw = headers.get('cookie');
  if (!raw) return undefined;
  const list = raw.flatMap((v) => v.split(';')).map((c) => c.trim()).filter((c) => c !== '');
  return list.length ? list : undefined;
}

function userAgent(headers: Map<string, string[]>): string {
  return headers.get('user-agent')?.join(',') ?? '';
}

function requestContextV2(req: RequestFacts, route: RouteFacts, headers: Map<string, string[]>, authorizer?: Json): Record<string, Json> {
  const ctx: Record<string, Json> = {
    accountId: req.accountId,
    apiId: req.apiId,
  };
  if (authorizer !== undefined) ctx.authorizer = authorizer;
  ctx.domainName = req.domainName;
  ctx.domainPrefix = domainPrefix(req.domainName);
  ctx.http = { method: req.method, path: req.rawPath, protocol: req.protocol, sourceIp: req.sourceIp, userAgent: userAgent(headers) };
  ctx.requestId = req.requestId;
  ctx.routeKey = route.routeKey;
  ctx.stage = req.stage;
  ctx.time = formatRequestTime(req.timeEpoch);
  ctx.timeEpoch = req.timeEpoch;
  return ctx;
}

/** `abc123` of `abc123.execute-api.localhost`. */
function domainPrefix(domainName: string): string {
  const i = domainName.indexOf('.');
  return i < 0 ? domainName : domainName.slice(0, i);
}

/** Payload format 2.0. `authorizer` is what `requestContext.authorizer` holds (e.g. `{lambda: context}`). */
export function buildEventV2(req: RequestFacts, route: RouteFacts, authorizer?: Json): Record<string, Json> {
  const headers = headersOf(req);
  const cookies = cookiesOf(headers);
  const event: Record<string, Json> = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: req.rawPath,
    rawQueryString: req.rawQueryString,
  };
  if (cookies) event.cookies = cookies;
  event.headers = joined(headers, 'cookie');
  const query = req.rawQueryString ? nonEmpty(joined(queryValues(req.rawQueryString))) : undefined;
  if (query) event.queryStringParameters = query;
  event.requestContext = requestContextV2(req, route, headers, authorizer);
  const { body, isBase64Encoded } = eventBody(req);
  if (body !== undefined) event.body = body;
  const params = nonEmpty(route.pathParameters);
  if (params) event.pathParameters = params;
  event.isBase64Encoded = isBase64Encoded;
  const vars = nonEmpty(req.stageVariables);
  if (vars) event.stageVariables = vars;
  return event;
}

/** The `resource` / `resourcePath` of a 1.0 event: the route's path (`$default` for the default route). */
function resourceOf(routeKey: string): string {
  const i = routeKey.indexOf(' ');
  return i >= 0 ? routeKey.slice(i + 1) : routeKey;
}

/** Payload format 1.0. `authorizer` is what `requestContext.authorizer` holds (the authorizer's context). */
export function buildEventV1(req: RequestFacts, route: RouteFacts, authorizer?: Record<string, Json>): Record<string, Json> {
  const headers = headersOf(req);
  const query = queryValues(req.rawQueryString);
  const multiHeaders: Record<string, Json> = {};
  for (const [k, v] of headers) multiHeaders[k] = v;
  const multiQuery: Record<string, Json> = {};
  for (const [k, v] of query) multiQuery[k] = v;
  const { body, isBase64Encoded } = eventBody(req);
  const resource = resourceOf(route.routeKey);
  const requestContext: Record<string, Json> = {
    accountId: req.accountId,
    apiId: req.apiId,
  };
  if (authorizer !== undefined) requestContext.authorizer = authorizer;
  Object.assign(requestContext, {
    domainName: req.domainName,
    domainPrefix: domainPrefix(req.domainName),
    extendedRequestId: req.requestId,
    httpMethod: req.method,
    identity: {
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: req.sourceIp,
      user: null,
      userAgent: userAgent(headers),
      userArn: null,
    },
    path: req.rawPath,
    protocol: req.protocol,
    requestId: req.requestId,
    requestTime: formatRequestTime(req.timeEpoch),
    requestTimeEpoch: req.timeEpoch,
    resourceId: route.routeKey,
    resourcePath: resource,
    stage: req.stage,
  });
  return {
    version: '1.0',
    resource,
    path: req.rawPath,
    httpMethod: req.method,
    headers: lastOf(headers),
    multiValueHeaders: multiHeaders,
    queryStringParameters: query.size ? lastOf(query) : null,
    multiValueQueryStringParameters: query.size ? multiQuery : null,
    requestContext,
    pathParameters: nonEmpty(route.pathParameters) ?? null,
    stageVariables: nonEmpty(req.stageVariables) ?? null,
    body: body ?? null,
    isBase64Encoded,
  };
}

/** The REQUEST authorizer's payload format 2.0 event: the request without its body, plus routeArn and identity values. */
export function buildAuthorizerEventV2(req: RequestFacts, route: RouteFacts, routeArn: string, identitySource: string[]): Record<string, Json> {
  const full = buildEventV2(req, route);
  const out: Record<string, Json> = { version: '2.0', type: 'REQUEST', routeArn, identitySource, routeKey: route.routeKey, rawPath: req.rawPath, rawQueryString: req.rawQueryString };
  for (const k of ['cookies', 'headers', 'queryStringParameters', 'requestContext', 'pathParameters', 'stageVariables']) {
    if (full[k] !== undefined) out[k] = full[k]!;
  }
  return out;
}

export type { Json };
