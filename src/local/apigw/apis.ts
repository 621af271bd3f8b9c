/**
 * HTTP APIs themselves: CreateApi (with quick create: `target` [+ `routeKey`] makes the integration, the
 * route and an auto-deploying `$default` stage), GetApi, GetApis, UpdateApi, DeleteApi (children go with
 * it), and tags on APIs and stages (TagResource, UntagResource, GetTags).
 *
 * Deliberately refused: WebSocket APIs, ImportApi/ReimportApi/ExportApi (OpenAPI).
 */
import type { CorsConfiguration, StoredApi } from './model.js';
import { targetIntegrationId } from './model.js';
import * as E from './errors.js';
import { API_ID_LENGTH, API_KEY_SELECTION_EXPRESSION, CHILD_ID_LENGTH, HTTP_ROUTE_SELECTION_EXPRESSION, LAMBDA_URI, TIMEOUT_DEFAULT_MS } from './constants.js';
import { apiEndpoint, apiOut, autoDeploy, requireApi, type Handler, type OpContext } from './common.js';
import { bool, checkTags, has, int, iso, newId, obj, oneOf, page, str, strList, tags, type Input } from './input.js';
import { addRoute, checkConflicts, parseRouteKey } from './routes.js';
import { addStage } from './stages.js';

const CORS_METHODS = /^(\*|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/;

function cors(input: Input): CorsConfiguration | undefined {
  const c = obj(input, 'corsConfiguration');
  if (!c) return undefined;
  const out: CorsConfiguration = {};
  for (const k of ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders'] as const) {
    const v = strList(c, k);
    if (v) out[k] = v;
  }
  for (const m of out.allowMethods ?? []) if (!CORS_METHODS.test(m)) throw E.badRequest(`Invalid CORS configuration: ${m} is not an HTTP method (allowMethods takes GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or *).`);
  const maxAge = int(c, 'maxAge', -1, 86400, 'Invalid CORS configuration: maxAge must be between -1 and 86400 seconds.');
  if (maxAge !== undefined) out.maxAge = maxAge;
  const creds = bool(c, 'allowCredentials');
  if (creds !== undefined) out.allowCredentials = creds;
  // Browsers refuse credentials with a wildcard origin; AWS refuses the configuration.
  if (out.allowCredentials && (out.allowOrigins ?? []).includes('*')) throw E.badRequest("allow-credentials is not supported with allow-origin '*'. Specify the origins instead.");
  return out;
}

function applyCommon(input: Input, api: StoredApi): StoredApi {
  const out: StoredApi = { ...api };
  const name = str(input, 'name', { min: 1, max: 128 });
  if (name !== undefined) out.name = name;
  const rse = str(input, 'routeSelectionExpression');
  if (rse !== undefined && rse !== HTTP_ROUTE_SELECTION_EXPRESSION) throw E.badRequest(`Invalid route selection expression specified: ${rse}. HTTP APIs use ${HTTP_ROUTE_SELECTION_EXPRESSION}.`);
  const c = cors(input);
  if (c) out.corsConfiguration = c;
  const description = str(input, 'description', { max: 1024 });
  if (description !== undefined) out.description = description;
  const version = str(input, 'version', { min: 1, max: 64 });
  if (version !== undefined) out.version = version;
  const disable = bool(input, 'disableExecuteApiEndpoint');
  if (disable !== undefined) out.disableExecuteApiEndpoint = disable;
  const dsv = bool(input, 'disableSchemaValidation');
  if (dsv !== undefined) out.disableSchemaValidation = dsv;
  const ip = oneOf(input, 'ipAddressType', ['ipv4', 'dualstack'] as const);
  if (ip !== undefined) out.ipAddressType = ip;
  str(input, 'apiKeySelectionExpression');
  return out;
}

/** Quick create: an AWS_PROXY (Lambda ARN) or HTTP_PROXY (URL) integration, its route, and `$default` auto-deploying. */
function quickCreate(ctx: OpContext, apiId: string, target: string, routeKey: string, credentialsArn?: string): void {
  const isUrl = /^https?:\/\/[^/]/.test(target);
  if (!isUrl && !LAMBDA_URI.test(target)) throw E.badRequest(`Invalid target specified: ${target}. Quick create takes a Lambda function ARN or an http(s) URL.`);
  const integrationId = newId(CHILD_ID_LENGTH);
  const integration = {
    integrationId,
    integrationType: isUrl ? ('HTTP_PROXY' as const) : ('AWS_PROXY' as const),
    integrationUri: target,
    integrationMethod: isUrl ? 'ANY' : 'POST',
    payloadFormatVersion: isUrl ? ('1.0' as const) : ('2.0' as const),
    timeoutInMillis: TIMEOUT_DEFAULT_MS,
    connectionType: 'INTERNET' as const,
    apiGatewayManaged: true,
    ...(credentialsArn ? { credentialsArn } : {}),
  };
  ctx.store.put(apiId, 'integration', integrationId, integration);
  addRoute(ctx, apiId, { routeKey, target: `integrations/${integrationId}` }, { apiGatewayManaged: true });
  addStage(ctx, apiId, { stageName: '$default', autoDeploy: true }, true);
}

export const createApi: Handler = (input, ctx) => {
  const name = str(input, 'name', { required: true, min: 1, max: 128 })!;
  const protocol = str(input, 'protocolType', { required: true })!;
  if (protocol === 'WEBSOCKET') throw E.unsupported('WebSocket APIs are');
  if (protocol !== 'HTTP') throw E.badRequest('Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]');
  const target = str(input, 'target', { min: 1, max: 2048 });
  const routeKey = str(input, 'routeKey');
  if (routeKey !== undefined && target === undefined) throw E.badRequest('RouteKey can only be specified together with Target (quick create).');
  const credentialsArn = str(input, 'credentialsArn');
  const apiId = newId(API_ID_LENGTH);
  const base: StoredApi = {
    apiId,
    name,
    protocolType: 'HTTP',
    routeSelectionExpression: HTTP_ROUTE_SELECTION_EXPRESSION,
    apiKeySelectionExpression: API_KEY_SELECTION_EXPRESSION,
    apiEndpoint: apiEndpoint(ctx.baseUrl, apiId),
    disableExecuteApiEndpoint: false,
    ipAddressType: 'ipv4',
    createdDate: iso(ctx.now()),
    tags: tags(input) ?? {},
    region: ctx.region,
  };
  const api = applyCommon(input, base);
  ctx.store.transaction(() => {
    ctx.store.putApi(api);
    if (target !== undefined) quickCreate(ctx, apiId, target, routeKey ?? '$default', credentialsArn);
  });
  return apiOut(api, ctx);
};

export const getApi: Handler = (input, ctx) => apiOut(requireApi(ctx, input.apiId), ctx);

export const getApis: Handler = (input, ctx) => {
  const apis = ctx.store.apis().filter((a) => a.region === ctx.region);
  const p = page(apis, input);
  return { ...p, items: p.items.map((a) => apiOut(a, ctx)) };
};

export const updateApi: Handler = (input, ctx) => {
  const current = requireApi(ctx, input.apiId);
  if (has(input, 'protocolType')) throw E.badRequest('The protocol type of an API cannot be changed.');
  const api = applyCommon(input, current);
  const target = str(input, 'target', { min: 1, max: 2048 });
  const routeKey = str(input, 'routeKey');
  ctx.store.transaction(() => {
    ctx.store.putApi(api);
    if (target !== undefined || routeKey !== undefined) {
      // Quick-create members update what quick create made (the managed route and integration).
      const route = ctx.store.list(api.apiId, 'route').find((r) => r.apiGatewayManaged);
      const integrationId = targetIntegrationId(route?.target);
      const integration = integrationId ? ctx.store.get(api.apiId, 'integration', integrationId) : undefined;
      if (!route || !integration) throw E.badRequest('Target and RouteKey can only be updated on an API made with quick create.');
      if (target !== undefined) ctx.store.put(api.apiId, 'integration', integration.integrationId, { ...integration, integrationUri: target });
      if (routeKey !== undefined) {
        parseRouteKey(routeKey);
        checkConflicts(ctx.store.list(api.apiId, 'route'), routeKey, route.routeId);
        ctx.store.put(api.apiId, 'route', route.routeId, { ...route, routeKey });
      }
      autoDeploy(ctx, api.apiId);
    }
  });
  return apiOut(api, ctx);
};

export const deleteApi: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  ctx.store.transaction(() => ctx.store.deleteApi(api.apiId));
  return undefined;
};

// ---- tags: arn:aws:apigateway:{region}::/apis/{apiId}[/stages/{stageName}] ----

type Tagged = { kind: 'api'; api: StoredApi } | { kind: 'stage'; api: StoredApi; stageName: string };

function tagged(ctx: OpContext, arn: unknown): Tagged {
  const s = typeof arn === 'string' ? arn : '';
  const m = /^arn:aws[a-zA-Z-]*:apigateway:([a-z0-9-]+)::\/apis\/([a-z0-9]+)(?:\/stages\/([^/]+))?$/.exec(s);
  if (!m) throw E.badRequest(`Invalid resource ARN specified: ${s}. Tags apply to arn:aws:apigateway:<region>::/apis/<apiId> and …/stages/<stageName>.`);
  const api = ctx.store.api(m[2]!);
  if (!api || api.region !== m[1] || api.region !== ctx.region) throw E.resourceNotFound(s);
  if (m[3] === undefined) return { kind: 'api', api };
  if (!ctx.store.stage(api.apiId, m[3])) throw E.resourceNotFound(s);
  return { kind: 'stage', api, stageName: m[3] };
}

function currentTags(ctx: OpContext, t: Tagged): Record<string, string> {
  return t.kind === 'api' ? t.api.tags : ctx.store.stage(t.api.apiId, t.stageName)!.tags;
}

function setTags(ctx: OpContext, t: Tagged, next: Record<string, string>): void {
  ctx.store.transaction(() => {
    if (t.kind === 'api') ctx.store.putApi({ ...t.api, tags: next });
    else ctx.store.put(t.api.apiId, 'stage', t.stageName, { ...ctx.store.stage(t.api.apiId, t.stageName)!, tags: next });
  });
}

export const tagResource: Handler = (input, ctx) => {
  const t = tagged(ctx, input.resourceArn);
  const add = tags(input) ?? {};
  const next = { ...currentTags(ctx, t), ...add };
  checkTags(next);
  setTags(ctx, t, next);
  return {};
};

export const untagResource: Handler = (input, ctx) => {
  const t = tagged(ctx, input.resourceArn);
  const keys = input.tagKeys;
  if (!Array.isArray(keys) || keys.length === 0) throw E.missingMember('tagKeys');
  const next = { ...currentTags(ctx, t) };
  for (const k of keys as string[]) delete next[k];
  setTags(ctx, t, next);
  return undefined;
};

export const getTags: Handler = (input, ctx) => ({ tags: currentTags(ctx, tagged(ctx, input.resourceArn)) });

