/**
 * Routes of HTTP APIs: route keys (`$default` or `METHOD /path` with `{var}` segments and a final
 * `{proxy+}`), their integration target and authorization. Create, Get, GetRoutes, Update, Delete.
 *
 * Conflicts as AWS answers them (409): the same route key twice, and two routes whose paths have
 * differently named variables at the same level under the same parent (`/users/{id}` vs `/users/{userId}`).
 * Deliberately not here: WebSocket route keys, route responses, request models.
 */
import type { AuthorizationType, Route } from './model.js';
import { targetIntegrationId } from './model.js';
import * as E from './errors.js';
import { CHILD_ID_LENGTH, ROUTE_METHODS } from './constants.js';
import { autoDeploy, requireApi, type Handler, type OpContext } from './common.js';
import { bool, newId, obj, oneOf, page, str, strList, type Input } from './input.js';

const AUTH_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM', 'JWT'] as const;
/** A literal path segment: RFC 3986 pchar without `%`-escapes' ambiguity; `{`/`}` only as a whole variable. */
const LITERAL = /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/;
const VARIABLE = /^\{([A-Za-z0-9._-]+)\}$/;
const GREEDY = /^\{([A-Za-z0-9._-]+)\+\}$/;

/** Checks a route key; returns its path segments (empty for `$default` and `/`). */
export function parseRouteKey(key: string): { method: string; segments: string[] } {
  if (key === '$default') return { method: '$default', segments: [] };
  const m = /^([A-Z]+) (\/.*)$/.exec(key);
  if (!m || !(ROUTE_METHODS as readonly string[]).includes(m[1]!)) {
    throw E.badRequest(`Invalid route key: ${key}. A route key is $default, or an HTTP method (${ROUTE_METHODS.join(', ')}) and a path that starts with /, e.g. GET /users/{id}.`);
  }
  const path = m[2]!;
  if (path === '/') return { method: m[1]!, segments: [] };
  const segments = path.slice(1).split('/');
  const names = new Set<string>();
  segments.forEach((seg, i) => {
    const v = VARIABLE.exec(seg) ?? GREEDY.exec(seg);
    if (v) {
      if (GREEDY.test(seg) && i !== segments.length - 1) throw E.badRequest(`Invalid route key: ${key}. A greedy path variable ({${v[1]}+}) must be the last part of the path.`);
      if (names.has(v[1]!)) throw E.badRequest(`Invalid route key: ${key}. The path variable {${v[1]}} appears more than once.`);
      names.add(v[1]!);
      return;
    }
    if (!LITERAL.test(seg)) throw E.badRequest('One or more path parts appear to be invalid');
  });
  return { method: m[1]!, segments };
}

const varName = (seg: string) => (VARIABLE.exec(seg) ?? GREEDY.exec(seg))?.[1];

/** The route `key` would collide with among `routes` (other than `selfId`): a ConflictException, or nothing. */
export function checkConflicts(routes: Route[], key: string, selfId?: string): void {
  const mine = parseRouteKey(key).segments;
  for (const r of routes) {
    if (r.routeId === selfId) continue;
    if (r.routeKey === key) throw E.conflict(`Route with key ${key} already exists for this API`);
    if (r.routeKey === '$default' || key === '$default') continue;
    const theirs = parseRouteKey(r.routeKey).segments;
    for (let i = 0; i < Math.min(mine.length, theirs.length); i++) {
      const a = varName(mine[i]!);
      const b = varName(theirs[i]!);
      if (a !== undefined && b !== undefined && a !== b && GREEDY.test(mine[i]!) === GREEDY.test(theirs[i]!)) {
        throw E.conflict(`The provided route key "${key}" has a conflicting variable on the same hierarchical level as "${r.routeKey}"`);
      }
      if (mine[i] !== theirs[i]) break;
    }
  }
}

function apply(ctx: OpContext, apiId: string, input: Input, base: Partial<Route>): Route {
  const route: Route = { ...base, routeId: base.routeId!, routeKey: base.routeKey ?? '', authorizationType: base.authorizationType ?? 'NONE', apiKeyRequired: base.apiKeyRequired ?? false };
  const key = str(input, 'routeKey', { max: 128 });
  if (key !== undefined) route.routeKey = key;
  if (!route.routeKey) throw E.badRequest('Route key is required');
  parseRouteKey(route.routeKey);

  const target = str(input, 'target', { max: 128 });
  if (target !== undefined) {
    if (target === '') delete route.target;
    else {
      const id = targetIntegrationId(target);
      if (!id) throw E.badRequest(`Invalid target specified: ${target}. A route targets integrations/<integrationId>.`);
      if (!ctx.store.get(apiId, 'integration', id)) throw E.integrationNotFound(id);
      route.target = target;
    }
  }

  const authType = oneOf(input, 'authorizationType', AUTH_TYPES) as AuthorizationType | undefined;
  if (authType !== undefined) route.authorizationType = authType;
  const authorizerId = str(input, 'authorizerId');
  if (authorizerId !== undefined) {
    if (authorizerId === '') delete route.authorizerId;
    else route.authorizerId = authorizerId;
  }
  if (authType === 'NONE' || authType === 'AWS_IAM') delete route.authorizerId;
  if (route.authorizationType === 'CUSTOM' || route.authorizationType === 'JWT') {
    if (!route.authorizerId) throw E.badRequest(`An authorizerId is required when authorizationType is ${route.authorizationType}.`);
    const a = ctx.store.get(apiId, 'authorizer', route.authorizerId);
    if (!a) throw E.authorizerNotFound(route.authorizerId);
    const want = route.authorizationType === 'CUSTOM' ? 'REQUEST' : 'JWT';
    if (a.authorizerType !== want) throw E.badRequest(`Authorization type ${route.authorizationType} requires a ${want} authorizer; ${a.authorizerId} is ${a.authorizerType}.`);
  } else if (route.authorizerId) {
    throw E.badRequest(`An authorizerId can only be set when authorizationType is CUSTOM or JWT (it is ${route.authorizationType}).`);
  }

  const scopes = strList(input, 'authorizationScopes');
  if (scopes) route.authorizationScopes = scopes;
  const akr = bool(input, 'apiKeyRequired');
  if (akr === true) throw E.badRequest('API keys are not supported for HTTP APIs (apiKeyRequired must be false).');
  if (akr !== undefined) route.apiKeyRequired = akr;
  const op = str(input, 'operationName', { min: 1, max: 64 });
  if (op !== undefined) route.operationName = op;
  const rp = obj(input, 'requestParameters');
  if (rp) route.requestParameters = rp as Route['requestParameters'];

  checkConflicts(ctx.store.list(apiId, 'route'), route.routeKey, route.routeId);
  return route;
}

function requireRoute(ctx: OpContext, apiId: string, id: unknown): Route {
  const r = typeof id === 'string' ? ctx.store.get(apiId, 'route', id) : undefined;
  if (!r) throw E.routeNotFound(String(id ?? ''));
  return r;
}

/** Creates a route (also used by quick create); call inside a transaction. */
export function addRoute(ctx: OpContext, apiId: string, input: Input, extra: Partial<Route> = {}): Route {
  const route = apply(ctx, apiId, input, { routeId: newId(CHILD_ID_LENGTH), ...extra });
  ctx.store.put(apiId, 'route', route.routeId, route);
  return route;
}

export const createRoute: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  return ctx.store.transaction(() => {
    const route = addRoute(ctx, api.apiId, input);
    autoDeploy(ctx, api.apiId);
    return route;
  });
};

export const getRoute: Handler = (input, ctx) => requireRoute(ctx, requireApi(ctx, input.apiId).apiId, input.routeId);

export const getRoutes: Handler = (input, ctx) => page(ctx.store.list(requireApi(ctx, input.apiId).apiId, 'route'), input);

export const updateRoute: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const route = apply(ctx, api.apiId, input, requireRoute(ctx, api.apiId, input.routeId));
  ctx.store.transaction(() => {
    ctx.store.put(api.apiId, 'route', route.routeId, route);
    autoDeploy(ctx, api.apiId);
  });
  return route;
};

export const deleteRoute: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const route = requireRoute(ctx, api.apiId, input.routeId);
  ctx.store.transaction(() => {
    ctx.store.remove(api.apiId, 'route', route.routeId);
    autoDeploy(ctx, api.apiId);
  });
  return undefined;
};

export const deleteRouteRequestParameter: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const route = requireRoute(ctx, api.apiId, input.routeId);
  const key = String(input.requestParameterKey ?? '');
  if (!route.requestParameters?.[key]) throw E.badRequest(`Invalid request parameter key: ${key} is not a request parameter of route ${route.routeId}.`);
  const requestParameters = { ...route.requestParameters };
  delete requestParameters[key];
  ctx.store.transaction(() => {
    ctx.store.put(api.apiId, 'route', route.routeId, { ...route, requestParameters });
    autoDeploy(ctx, api.apiId);
  });
  return undefined;
};
