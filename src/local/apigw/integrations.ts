/**
 * Integrations of HTTP APIs: AWS_PROXY (a Lambda function, payload format 1.0 or 2.0) and HTTP_PROXY (a
 * URL and method). Create, Get, GetIntegrations, Update, Delete.
 *
 * Deliberately refused: AWS and HTTP (non-proxy) and MOCK integrations (WebSocket/REST only on AWS),
 * private integrations over VPC links, AWS service integrations (integrationSubtype) — a
 * BadRequestException that says so.
 */
import type { Integration, IntegrationType } from './model.js';
import { targetIntegrationId } from './model.js';
import * as E from './errors.js';
import { CHILD_ID_LENGTH, TIMEOUT_DEFAULT_MS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS, LAMBDA_URI } from './constants.js';
import { autoDeploy, requireApi, type Handler, type OpContext } from './common.js';
import { bool, has, int, newId, obj, oneOf, page, str, strMap, type Input } from './input.js';

const TYPES = ['AWS', 'AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK'] as const;

/** The fields both Create and Update read; Update starts from the stored integration. */
function apply(input: Input, base: Partial<Integration>): Integration {
  const type = (oneOf(input, 'integrationType', TYPES) ?? base.integrationType) as (typeof TYPES)[number] | undefined;
  if (!type) throw E.missingMember('integrationType');
  if (type !== 'AWS_PROXY' && type !== 'HTTP_PROXY') {
    throw E.badRequest(`Integration type ${type} is not supported for HTTP APIs. Use AWS_PROXY (Lambda) or HTTP_PROXY.`);
  }
  if (has(input, 'integrationSubtype')) throw E.unsupported('AWS service integrations (integrationSubtype) are');
  const it: Integration = {
    ...base,
    integrationId: base.integrationId!,
    integrationType: type as IntegrationType,
    payloadFormatVersion: base.payloadFormatVersion ?? '1.0',
    timeoutInMillis: base.timeoutInMillis ?? TIMEOUT_DEFAULT_MS,
    connectionType: base.connectionType ?? 'INTERNET',
  };
  const uri = str(input, 'integrationUri', { min: 1, max: 2048 });
  if (uri !== undefined) it.integrationUri = uri;
  const method = str(input, 'integrationMethod', { min: 1, max: 64 });
  if (method !== undefined) it.integrationMethod = method;
  const pfv = str(input, 'payloadFormatVersion', { min: 1, max: 64 });
  const timeout = int(input, 'timeoutInMillis', TIMEOUT_MIN_MS, TIMEOUT_MAX_MS, `Invalid timeout specified: timeoutInMillis must be between ${TIMEOUT_MIN_MS} and ${TIMEOUT_MAX_MS}.`);
  if (timeout !== undefined) it.timeoutInMillis = timeout;
  const connectionType = oneOf(input, 'connectionType', ['INTERNET', 'VPC_LINK'] as const);
  if (connectionType === 'VPC_LINK') throw E.unsupported('private integrations (connectionType VPC_LINK) are');
  for (const k of ['description', 'credentialsArn'] as const) {
    const v = str(input, k, { max: k === 'description' ? 1024 : 2048 });
    if (v !== undefined) it[k] = v;
  }
  const rp = strMap(input, 'requestParameters');
  if (rp) it.requestParameters = rp;
  const resp = obj(input, 'responseParameters');
  if (resp) it.responseParameters = resp as Integration['responseParameters'];
  const tls = obj(input, 'tlsConfig');
  if (tls) it.tlsConfig = { ...(typeof tls.serverNameToVerify === 'string' ? { serverNameToVerify: tls.serverNameToVerify } : {}) };
  bool(input, 'apiGatewayManaged'); // read-only on AWS; ignored

  if (it.integrationType === 'AWS_PROXY') {
    if (!it.integrationUri) throw E.badRequest('Integration URI is required for AWS_PROXY integrations.');
    if (!LAMBDA_URI.test(it.integrationUri)) throw E.badRequest(`Invalid integration URI specified: ${it.integrationUri}. An AWS_PROXY integration of an HTTP API takes a Lambda function ARN.`);
    // HTTP APIs require the payload format for Lambda proxy integrations (API reference, PayloadFormatVersion).
    const v = pfv ?? (base.integrationType === 'AWS_PROXY' ? base.payloadFormatVersion : undefined);
    if (v === undefined) throw E.badRequest('PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs. Supported values are 1.0 and 2.0.');
    if (v !== '1.0' && v !== '2.0') throw E.badRequest(`Invalid payload format version specified: ${v}. Supported values for AWS_PROXY integrations are 1.0 and 2.0.`);
    it.payloadFormatVersion = v;
    it.integrationMethod = 'POST';
  } else {
    if (!it.integrationUri) throw E.badRequest('Integration URI is required for HTTP_PROXY integrations.');
    let url: URL | undefined;
    try {
      url = new URL(it.integrationUri);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw E.badRequest(`Invalid integration URI specified: ${it.integrationUri}. An HTTP_PROXY integration takes an http or https URL.`);
    if (!it.integrationMethod) throw E.badRequest('Integration method is required for HTTP_PROXY integrations.');
    if (!/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)$/.test(it.integrationMethod)) throw E.badRequest(`Invalid integration method specified: ${it.integrationMethod}`);
    const v = pfv ?? '1.0';
    if (v !== '1.0') throw E.badRequest(`Invalid payload format version specified: ${v}. HTTP_PROXY integrations support only 1.0.`);
    it.payloadFormatVersion = '1.0';
  }
  return it;
}

function requireIntegration(ctx: OpContext, apiId: string, id: unknown): Integration {
  const it = typeof id === 'string' ? ctx.store.get(apiId, 'integration', id) : undefined;
  if (!it) throw E.integrationNotFound(String(id ?? ''));
  return it;
}

export const createIntegration: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const it = apply(input, { integrationId: newId(CHILD_ID_LENGTH) });
  ctx.store.transaction(() => ctx.store.put(api.apiId, 'integration', it.integrationId, it));
  return it;
};

export const getIntegration: Handler = (input, ctx) => requireIntegration(ctx, requireApi(ctx, input.apiId).apiId, input.integrationId);

export const getIntegrations: Handler = (input, ctx) => page(ctx.store.list(requireApi(ctx, input.apiId).apiId, 'integration'), input);

export const updateIntegration: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const current = requireIntegration(ctx, api.apiId, input.integrationId);
  const it = apply(input, current);
  ctx.store.transaction(() => {
    ctx.store.put(api.apiId, 'integration', it.integrationId, it);
    autoDeploy(ctx, api.apiId);
  });
  return it;
};

export const deleteIntegration: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const it = requireIntegration(ctx, api.apiId, input.integrationId);
  const user = ctx.store.list(api.apiId, 'route').find((r) => targetIntegrationId(r.target) === it.integrationId);
  if (user) throw E.conflict(`Cannot delete integration ${it.integrationId}: it is the target of route ${user.routeId} (${user.routeKey}). Remove it from the route first.`);
  ctx.store.transaction(() => ctx.store.remove(api.apiId, 'integration', it.integrationId));
  return undefined;
};
