/**
 * CORS for HTTP APIs (http-api-cors.html): with a corsConfiguration, API Gateway answers preflight
 * requests itself (204) when no route takes them — an OPTIONS or ANY route, or `$default`, does take them
 * (AWS's advice for a `$default` route with an authorizer is an unauthorized `OPTIONS /{proxy+}` route) —
 * and adds the configured headers to responses for an allowed Origin, ignoring CORS headers the
 * integration returned. Pure.
 *
 * A preflight is an OPTIONS request with both `Origin` and `Access-Control-Request-Method`; a plain
 * OPTIONS request is routed like any other. Origins match exactly (scheme://host[:port], case-insensitive)
 * or through `*` / a `*` wildcard label (`https://*.example.com`). Deliberately not here: validating the
 * configuration (the management API does).
 */
import type { CorsConfiguration } from './model.js';

/** The Origin to echo in access-control-allow-origin, or undefined when the origin is not allowed. */
export function allowedOrigin(cors: CorsConfiguration, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  const list = cors.allowOrigins ?? [];
  if (list.includes('*')) return '*';
  const o = origin.toLowerCase();
  for (const allowed of list) {
    const a = allowed.toLowerCase();
    if (a === o) return origin;
    if (a.includes('*')) {
      const re = new RegExp(`^${a.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
      if (re.test(o)) return origin;
    }
  }
  return undefined;
}

export function isPreflight(method: string, headers: { origin?: string; requestMethod?: string }): boolean {
  return method === 'OPTIONS' && !!headers.origin && !!headers.requestMethod;
}

/** The headers of API Gateway's 204 answer to a preflight (none but the status when the origin is not allowed). */
export function preflightHeaders(cors: CorsConfiguration, origin: string | undefined, requestHeaders: string | undefined): Array<[string, string]> {
  const allow = allowedOrigin(cors, origin);
  if (!allow) return [];
  const out: Array<[string, string]> = [['access-control-allow-origin', allow]];
  if (cors.allowCredentials) out.push(['access-control-allow-credentials', 'true']);
  if (cors.allowMethods?.length) out.push(['access-control-allow-methods', cors.allowMethods.join(',')]);
  if (cors.allowHeaders?.length) {
    // `*` allows whatever the browser asked for.
    const value = cors.allowHeaders.includes('*') && requestHeaders ? requestHeaders : cors.allowHeaders.join(',');
    out.push(['access-control-allow-headers', value.toLowerCase()]);
  }
  if (cors.exposeHeaders?.length) out.push(['access-control-expose-headers', cors.exposeHeaders.join(',')]);
  if (cors.maxAge !== undefined && cors.maxAge >= 0) out.push(['access-control-max-age', String(cors.maxAge)]);
  return out;
}

/** A non-preflight response's headers with the integration's CORS headers replaced by the configured ones. */
export function withCorsHeaders(cors: CorsConfiguration, origin: string | undefined, headers: Array<[string, string]>): Array<[string, string]> {
  const out = headers.filter(([k]) => !k.toLowerCase().startsWith('access-control-'));
  const allow = allowedOrigin(cors, origin);
  if (!allow) return out;
  out.push(['access-control-allow-origin', allow]);
  if (cors.allowCredentials) out.push(['access-control-allow-credentials', 'true']);
  if (cors.exposeHeaders?.length) out.push(['access-control-expose-headers', cors.exposeHeaders.join(',')]);
  return out;
}
