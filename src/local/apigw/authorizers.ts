/**
 * Authorizers of HTTP APIs: REQUEST (a Lambda function; payload format 1.0 or 2.0; simple responses with
 * 2.0; identity sources; result TTL 0..3600) and JWT (issuer + audience, stored: the data plane does not
 * validate tokens). Create, Get, GetAuthorizers, Update, Delete.
 */
import type { Authorizer } from './model.js';
import * as E from './errors.js';
import { AUTHORIZER_TTL_DEFAULT_S, AUTHORIZER_TTL_MAX_S, SHORT_ID_LENGTH, LAMBDA_URI } from './constants.js';
import { autoDeploy, requireApi, type Handler, type OpContext } from './common.js';
import { bool, int, newId, obj, oneOf, page, str, strList, type Input } from './input.js';

const IDENTITY_SOURCE = /^\$(request\.(header|querystring)|context|stageVariables)\.[A-Za-z0-9._~!#$%&'*+^`|-]+$/;

function apply(input: Input, base: Partial<Authorizer>, creating: boolean): Authorizer {
  const a: Authorizer = { ...base, authorizerId: base.authorizerId!, name: base.name ?? '', authorizerType: base.authorizerType ?? 'REQUEST', identitySource: base.identitySource ?? [] };
  const name = str(input, 'name', { required: creating, min: 1, max: 128 });
  if (name !== undefined) a.name = name;
  const type = oneOf(input, 'authorizerType', ['REQUEST', 'JWT'] as const, creating);
  if (type !== undefined) a.authorizerType = type;
  const uri = str(input, 'authorizerUri', { min: 1, max: 2048 });
  if (uri !== undefined) a.authorizerUri = uri;
  const sources = strList(input, 'identitySource');
  if (creating && sources === undefined) throw E.missingMember('identitySource');
  if (sources !== undefined) a.identitySource = sources;
  const pfv = str(input, 'authorizerPayloadFormatVersion', { min: 1, max: 64 });
  if (pfv !== undefined) a.authorizerPayloadFormatVersion = pfv as Authorizer['authorizerPayloadFormatVersion'];
  const simple = bool(input, 'enableSimpleResponses');
  if (simple !== undefined) a.enableSimpleResponses = simple;
  const ttl = int(input, 'authorizerResultTtlInSeconds', 0, AUTHORIZER_TTL_MAX_S, `Invalid authorizerResultTtlInSeconds: it must be between 0 and ${AUTHORIZER_TTL_MAX_S} seconds.`);
  if (ttl !== undefined) a.authorizerResultTtlInSeconds = ttl;
  for (const k of ['authorizerCredentialsArn', 'identityValidationExpression'] as const) {
    const v = str(input, k, { max: 2048 });
    if (v !== undefined) a[k] = v;
  }
  const jwt = obj(input, 'jwtConfiguration');
  if (jwt) {
    const audience = strList(jwt, 'audience');
    const issuer = str(jwt, 'issuer');
    a.jwtConfiguration = { ...(audience ? { audience } : {}), ...(issuer !== undefined ? { issuer } : {}) };
  }

  for (const s of a.identitySource) if (!IDENTITY_SOURCE.test(s)) throw E.badRequest(`Invalid identity source specified: ${s}. Use $request.header.<name>, $request.querystring.<name>, $context.<name> or $stageVariables.<name>.`);

  if (a.authorizerType === 'REQUEST') {
    if (!a.authorizerUri) throw E.badRequest('AuthorizerUri is required for REQUEST authorizers.');
    if (!LAMBDA_URI.test(a.authorizerUri)) throw E.badRequest(`Invalid authorizer URI specified: ${a.authorizerUri}. A REQUEST authorizer takes a Lambda function ARN (or its apigateway invocation URI).`);
    if (a.authorizerPayloadFormatVersion === undefined) throw E.badRequest('AuthorizerPayloadFormatVersion is required for REQUEST authorizers of HTTP APIs. Supported values are 1.0 and 2.0.');
    if (a.authorizerPayloadFormatVersion !== '1.0' && a.authorizerPayloadFormatVersion !== '2.0') {
      throw E.badRequest(`Invalid authorizer payload format version specified: ${String(a.authorizerPayloadFormatVersion)}. Supported values are 1.0 and 2.0.`);
    }
    if (a.enableSimpleResponses && a.authorizerPayloadFormatVersion !== '2.0') throw E.badRequest('Simple responses (enableSimpleResponses) are supported only with authorizer payload format version 2.0.');
    a.enableSimpleResponses ??= false;
    a.authorizerResultTtlInSeconds ??= AUTHORIZER_TTL_DEFAULT_S;
    // With caching on, the identity sources are the cache key: AWS requires at least one.
    if (a.authorizerResultTtlInSeconds > 0 && a.identitySource.length === 0) throw E.badRequest('Identity source is required when authorizer caching is enabled (authorizerResultTtlInSeconds > 0).');
    delete a.jwtConfiguration;
  } else {
    if (!a.jwtConfiguration?.issuer) throw E.badRequest('JwtConfiguration with an issuer is required for JWT authorizers.');
    if (a.identitySource.length !== 1) throw E.badRequest('A JWT authorizer takes exactly one identity source, e.g. $request.header.Authorization.');
    if (a.authorizerUri || a.authorizerResultTtlInSeconds || a.enableSimpleResponses) throw E.badRequest('authorizerUri, authorizerResultTtlInSeconds and enableSimpleResponses apply only to REQUEST authorizers.');
  }
  return a;
}

function requireAuthorizer(ctx: OpContext, apiId: string, id: unknown): Authorizer {
  const a = typeof id === 'string' ? ctx.store.get(apiId, 'authorizer', id) : undefined;
  if (!a) throw E.authorizerNotFound(String(id ?? ''));
  return a;
}

export const createAuthorizer: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const a = apply(input, { authorizerId: newId(SHORT_ID_LENGTH) }, true);
  ctx.store.transaction(() => ctx.store.put(api.apiId, 'authorizer', a.authorizerId, a));
  return a;
};

export const getAuthorizer: Handler = (input, ctx) => requireAuthorizer(ctx, requireApi(ctx, input.apiId).apiId, input.authorizerId);

export const getAuthorizers: Handler = (input, ctx) => page(ctx.store.list(requireApi(ctx, input.apiId).apiId, 'authorizer'), input);

export const updateAuthorizer: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const current = requireAuthorizer(ctx, api.apiId, input.authorizerId);
  const a = apply(input, current, false);
  const users = ctx.store.list(api.apiId, 'route').filter((r) => r.authorizerId === a.authorizerId);
  if (a.authorizerType !== current.authorizerType && users.length) throw E.conflict(`Cannot change the type of authorizer ${a.authorizerId}: routes use it.`);
  ctx.store.transaction(() => {
    ctx.store.put(api.apiId, 'authorizer', a.authorizerId, a);
    autoDeploy(ctx, api.apiId);
  });
  return a;
};

export const deleteAuthorizer: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const a = requireAuthorizer(ctx, api.apiId, input.authorizerId);
  const user = ctx.store.list(api.apiId, 'route').find((r) => r.authorizerId === a.authorizerId);
  if (user) throw E.conflict(`Cannot delete authorizer ${a.authorizerId}: route ${user.routeId} (${user.routeKey}) uses it. Change the route's authorization first.`);
  ctx.store.transaction(() => ctx.store.remove(api.apiId, 'authorizer', a.authorizerId));
  return undefined;
};
