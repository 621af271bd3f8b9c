/**
 * HTTP_PROXY integrations (http-api-develop-integrations-http.html): the request is forwarded to the
 * integration URI — `{name}` / `{name+}` placeholders filled from the route's path parameters, the full
 * request path appended for the `$default` route — with its query string, headers and body; the answer
 * comes back as it is (hop-by-hop headers aside).
 *
 * Deliberately not here: parameter mapping, VPC links, TLS settings; the timeout is invoke.ts's.
 */
import type { Integration } from './model.js';
import type { RequestFacts } from './event.js';
import type { HttpResponse } from './response.js';

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/** The URL an HTTP_PROXY integration calls for this request. */
export function proxyUrl(uri: string, pathParameters: Record<string, string>, defaultRoutePath: string | undefined, rawQueryString: string): string {
  let url = uri.replace(/\{([^{}]+?)\+?\}/g, (all, name: string) => {
    const v = pathParameters[name];
    return v === undefined ? all : v.split('/').map(encodeURIComponent).join('/');
  });
  if (defaultRoutePath !== undefined) url = url.replace(/\/$/, '') + defaultRoutePath;
  if (rawQueryString) url += (url.includes('?') ? '&' : '?') + rawQueryString;
  return url;
}

export async function forwardHttp(
  integration: Integration,
  req: RequestFacts,
  pathParameters: Record<string, string>,
  defaultRoutePath: string | undefined,
): Promise<HttpResponse | { error: string }> {
  if (!integration.integrationUri) return { error: `integration ${integration.integrationId} has no integrationUri` };
  const url = proxyUrl(integration.integrationUri, pathParameters, defaultRoutePath, req.rawQueryString);
  const method = !integration.integrationMethod || integration.integrationMethod === 'ANY' ? req.method : integration.integrationMethod;
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(name)) headers.append(name, req.rawHeaders[i + 1]!);
  }
  try {
    const res = await fetch(url, { method, headers, body: method === 'GET' || method === 'HEAD' || req.body.length === 0 ? undefined : req.body, redirect: 'manual' });
    const out: Array<[string, string]> = [];
    res.headers.forEach((v, k) => {
      if (!HOP_BY_HOP.has(k) && k !== 'set-cookie') out.push([k, v]);
    });
    for (const c of res.headers.getSetCookie()) out.push(['set-cookie', c]);
    return { status: res.status, headers: out, body: Buffer.from(await res.arrayBuffer()) };
  } catch (err) {
    return { error: `the HTTP integration ${url} could not be reached: ${(err as Error).message}` };
  }
}
