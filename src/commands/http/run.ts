/**
 * The work of `svl http`: find the API (by id or name), build its invoke URL (on the emulator the path
 * form `/_aws/execute-api/<apiId>/<stage>/…`, which needs no DNS; on AWS the API's endpoint), send the
 * request with fetch, and return status, headers and body; with --event, the Lambda event(s) the
 * emulator recorded for the request id. Returns data; prints nothing but warnings. Does not follow
 * redirects (a 3xx is the answer, as curl without -L).
 */
import { isUtf8 } from 'node:buffer';
import { getApiGatewayV2 } from '../../aws/clients.js';
import { LOCAL_ENDPOINT, type Target } from '../../aws/target.js';
import { cancelled, SvlError, UsageError } from '../../errors.js';
import { closest } from '../../flows/suggest.js';
import type { Ui } from '../../ui/index.js';
import type { HttpOptions } from './parse.js';
import { apigwSdk } from '../../aws/sdk.js';

export { parseHttp } from './parse.js';

export interface HttpResult {
  api: { id: string; name: string };
  method: string;
  url: string;
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", " (set-cookie: see cookies). */
  headers: Record<string, string>;
  cookies: string[];
  /** The body as text (UTF-8), or base64 when it is not text (`bodyEncoding`). */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  /** The body parsed, when it is JSON. */
  json?: unknown;
  requestId: string | null;
  elapsedMs: number;
  /** With --event: the events the request produced (authorizer, integration), [] when none reached a function. */
  events?: unknown[];
  /** With --event: why there are no events to show (AWS, or nothing reached a function). */
  eventNote?: string;
}

interface FoundApi {
  id: string;
  name: string;
  endpoint: string;
}

async function resolveApi(query: string, target: Target, ui: Ui): Promise<FoundApi> {
  const apigw = await getApiGatewayV2(target, ui);
  const { GetApisCommand } = apigwSdk();
  const all: FoundApi[] = [];
  let token: string | undefined;
  do {
    const page = await apigw.send(new GetApisCommand({ NextToken: token }));
    for (const a of page.Items ?? []) if (a.ApiId) all.push({ id: a.ApiId, name: a.Name ?? '', endpoint: a.ApiEndpoint ?? '' });
    token = page.NextToken;
  } while (token);
  const byId = all.find((a) => a.id === query);
  if (byId) return byId;
  const named = all.filter((a) => a.name === query);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new UsageError(`${named.length} APIs are named "${query}": ${named.map((a) => a.id).join(', ')}.`, { hint: `Name the one to call by its id, e.g. svl http ${named[0]!.id} …` });
  }
  const guess = closest(query, all.map((a) => a.name));
  const where = target.kind === 'local' ? 'on the emulator' : `in ${target.region ?? 'this region'}`;
  throw new UsageError(`No HTTP API "${query}" ${where}.`, {
    hint: guess ? `Did you mean "${guess}"? (svl status lists the APIs of your flows)` : all.length ? `APIs: ${all.slice(0, 10).map((a) => a.name || a.id).join(', ')}` : 'Create one with `svl init http-api` or `svl apply` a flow with apis.',
  });
}

const localEndpoint = (target: Target) => target.endpoints.lambda ?? target.endpoints.sqs ?? LOCAL_ENDPOINT;

/** The URL a request to `path` of `stage` goes to. */
export function invokeUrl(target: Target, api: FoundApi, stage: string, path: string): string {
  const stagePart = stage === '$default' ? '' : `/${stage}`;
  if (target.kind === 'local') return `${localEndpoint(target)}/_aws/execute-api/${api.id}/${stage}${path}`;
  return `${api.endpoint.replace(/\/+$/, '')}${stagePart}${path}`;
}

const TEXTUAL = /^(text\/|application\/(json|[^;]*\+json|xml|[^;]*\+xml|javascript|x-www-form-urlencoded))/i;

export async function runHttp(o: HttpOptions, target: Target, ui: Ui, signal?: AbortSignal): Promise<HttpResult> {
  const api = await resolveApi(o.api, target, ui);
  const url = invokeUrl(target, api, o.stage, o.path);
  const t0 = performance.now();
  let res: Response;
  try {
    res = await fetch(url, { method: o.method, headers: o.headers, body: o.body, redirect: 'manual', signal });
  } catch (err) {
    if (signal?.aborted) throw cancelled({ done: `no response yet from ${o.method} ${o.path}` });
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new SvlError(`${o.method} ${url} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`, 1, {
      code: cause?.code ?? 'FetchFailed',
      hint: target.kind === 'local' ? 'Is the emulator running? svl local status' : 'Check the network and that the API endpoint is reachable (svl status shows its URL).',
      cause: err,
    });
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  const elapsedMs = performance.now() - t0;
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  const cookies = res.headers.getSetCookie();
  const type = headers['content-type'] ?? '';
  const text = (!type || TEXTUAL.test(type)) && isUtf8(bytes);
  const body = text ? bytes.toString('utf8') : bytes.toString('base64');
  let json: unknown;
  if (text && body && /json/i.test(type)) {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  const requestId = headers['apigw-requestid'] ?? null;
  const result: HttpResult = {
    api: { id: api.id, name: api.name },
    method: o.method,
    url,
    status: res.status,
    statusText: res.statusText,
    headers,
    cookies,
    body,
    bodyEncoding: text ? 'utf8' : 'base64',
    ...(json !== undefined && { json }),
    requestId,
    elapsedMs: Math.round(elapsedMs * 10) / 10,
  };
  if (o.event) Object.assign(result, await readEvents(target, requestId));
  return result;
}

async function readEvents(target: Target, requestId: string | null): Promise<Pick<HttpResult, 'events' | 'eventNote'>> {
  if (target.kind !== 'local') {
    return { events: [], eventNote: 'AWS does not expose the Lambda event of a request: log it in the handler (print JSON.stringify(event)) and read it with svl logs <function>, or try the same request against the emulator (--local).' };
  }
  if (!requestId) return { events: [], eventNote: 'the response has no apigw-requestid header, so its event cannot be looked up' };
  const r = await fetch(`${localEndpoint(target)}/_svl/apigw/events/${encodeURIComponent(requestId)}`).catch(() => undefined);
  if (r?.status === 200) return { events: ((await r.json()) as { events: unknown[] }).events };
  if (r?.status === 404) return { events: [], eventNote: 'the request reached no function: API Gateway answered it itself (no route, authorizer refusal, missing identity, CORS preflight…)' };
  return { events: [], eventNote: `this emulator does not record API Gateway events (HTTP ${r?.status ?? 'no answer'} from /_svl/apigw/events): update svl` };
}

/** 4xx/5xx fail the command (exit 1) after the response was printed, unless --no-fail. */
export function httpFailure(r: HttpResult, o: HttpOptions): SvlError | undefined {
  if (!o.fail || r.status < 400) return undefined;
  const msg = r.json && typeof r.json === 'object' && typeof (r.json as { message?: unknown }).message === 'string' ? `: ${(r.json as { message: string }).message}` : '';
  const hint =
    r.status === 404 && msg.includes('Not Found')
      ? `No route of ${r.api.name || r.api.id} matches ${r.method} ${o.path}. Its routes: svl graph`
      : (r.status === 401 && msg === ': Unauthorized') || (r.status === 403 && msg === ': Forbidden')
        ? 'The authorizer refused the request (or its identity source, e.g. the authorization header, is missing): check the -H headers.'
        : r.status >= 500
          ? `The integration failed: svl logs <function> shows why${r.requestId ? ` (request ${r.requestId})` : ''}; the emulator log has the integrationErrorMessage.`
          : '--no-fail exits 0 whatever the status.';
  return new SvlError(`HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''} from ${r.method} ${o.path}${msg}`, 1, { code: `Http${r.status}`, requestId: r.requestId ?? undefined, hint });
}
