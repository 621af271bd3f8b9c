/**
 * API Gateway v2's REST-JSON codec: which method + path is which operation (the model's table), the
 * input assembled from path labels, query string and the lower-camel JSON body, and the answer: the
 * model's success status (201 creates, 204 deletes), JSON body, and errors as
 * `x-amzn-ErrorType: <Code>` + `{"message": "…"}` (no `Type` member, unlike Lambda).
 * No state here; the handlers (apis.ts, routes.ts, …) do the work.
 */
import { AwsError } from '../../domain/aws-error.js';
import type { WireResponse } from '../protocol/json10.js';
import type { IncomingRequest } from '../protocol/request.js';
import * as E from './errors.js';
import type { Handler, OpContext } from './common.js';
import type { Input } from './input.js';
import * as apis from './apis.js';
import * as routes from './routes.js';
import * as integrations from './integrations.js';
import * as stages from './stages.js';
import * as authorizers from './authorizers.js';
import { deleteAccessLogSettings, deleteCorsConfiguration, deleteRouteSettings } from './extras.js';

interface Op {
  method: string;
  name: string;
  regex: RegExp;
  labels: string[];
  status: number;
  handler?: Handler;
}

const A = '/v2/apis/{apiId}';

/** [method, path, operation, success status, handler]; no handler = known but not implemented (named in the error). */
const TABLE: [string, string, string, number, Handler?][] = [
  ['POST', '/v2/apis', 'CreateApi', 201, apis.createApi],
  ['GET', '/v2/apis', 'GetApis', 200, apis.getApis],
  ['PUT', '/v2/apis', 'ImportApi', 201],
  ['GET', A, 'GetApi', 200, apis.getApi],
  ['PATCH', A, 'UpdateApi', 200, apis.updateApi],
  ['DELETE', A, 'DeleteApi', 204, apis.deleteApi],
  ['PUT', A, 'ReimportApi', 201],
  ['DELETE', `${A}/cors`, 'DeleteCorsConfiguration', 204, deleteCorsConfiguration],
  ['GET', `${A}/exports/{specification}`, 'ExportApi', 200],
  ['POST', `${A}/authorizers`, 'CreateAuthorizer', 201, authorizers.createAuthorizer],
  ['GET', `${A}/authorizers`, 'GetAuthorizers', 200, authorizers.getAuthorizers],
  ['GET', `${A}/authorizers/{authorizerId}`, 'GetAuthorizer', 200, authorizers.getAuthorizer],
  ['PATCH', `${A}/authorizers/{authorizerId}`, 'UpdateAuthorizer', 200, authorizers.updateAuthorizer],
  ['DELETE', `${A}/authorizers/{authorizerId}`, 'DeleteAuthorizer', 204, authorizers.deleteAuthorizer],
  ['POST', `${A}/deployments`, 'CreateDeployment', 201, stages.createDeployment],
  ['GET', `${A}/deployments`, 'GetDeployments', 200, stages.getDeployments],
  ['GET', `${A}/deployments/{deploymentId}`, 'GetDeployment', 200, stages.getDeployment],
  ['PATCH', `${A}/deployments/{deploymentId}`, 'UpdateDeployment', 200, stages.updateDeployment],
  ['DELETE', `${A}/deployments/{deploymentId}`, 'DeleteDeployment', 204, stages.deleteDeployment],
  ['POST', `${A}/integrations`, 'CreateIntegration', 201, integrations.createIntegration],
  ['GET', `${A}/integrations`, 'GetIntegrations', 200, integrations.getIntegrations],
  ['GET', `${A}/integrations/{integrationId}`, 'GetIntegration', 200, integrations.getIntegration],
  ['PATCH', `${A}/integrations/{integrationId}`, 'UpdateIntegration', 200, integrations.updateIntegration],
  ['DELETE', `${A}/integrations/{integrationId}`, 'DeleteIntegration', 204, integrations.deleteIntegration],
  ['POST', `${A}/integrations/{integrationId}/integrationresponses`, 'CreateIntegrationResponse', 201],
  ['GET', `${A}/integrations/{integrationId}/integrationresponses`, 'GetIntegrationResponses', 200],
  ['POST', `${A}/models`, 'CreateModel', 201],
  ['GET', `${A}/models`, 'GetModels', 200],
  ['POST', `${A}/routes`, 'CreateRoute', 201, routes.createRoute],
  ['GET', `${A}/routes`, 'GetRoutes', 200, routes.getRoutes],
  ['GET', `${A}/routes/{routeId}`, 'GetRoute', 200, routes.getRoute],
  ['PATCH', `${A}/routes/{routeId}`, 'UpdateRoute', 200, routes.updateRoute],
  ['DELETE', `${A}/routes/{routeId}`, 'DeleteRoute', 204, routes.deleteRoute],
  ['DELETE', `${A}/routes/{routeId}/requestparameters/{requestParameterKey}`, 'DeleteRouteRequestParameter', 204, routes.deleteRouteRequestParameter],
  ['POST', `${A}/routes/{routeId}/routeresponses`, 'CreateRouteResponse', 201],
  ['GET', `${A}/routes/{routeId}/routeresponses`, 'GetRouteResponses', 200],
  ['POST', `${A}/stages`, 'CreateStage', 201, stages.createStage],
  ['GET', `${A}/stages`, 'GetStages', 200, stages.getStages],
  ['GET', `${A}/stages/{stageName}`, 'GetStage', 200, stages.getStage],
  ['PATCH', `${A}/stages/{stageName}`, 'UpdateStage', 200, stages.updateStage],
  ['DELETE', `${A}/stages/{stageName}`, 'DeleteStage', 204, stages.deleteStage],
  ['DELETE', `${A}/stages/{stageName}/accesslogsettings`, 'DeleteAccessLogSettings', 204, deleteAccessLogSettings],
  ['DELETE', `${A}/stages/{stageName}/cache/authorizers`, 'ResetAuthorizersCache', 204],
  ['DELETE', `${A}/stages/{stageName}/routesettings/{routeKey}`, 'DeleteRouteSettings', 204, deleteRouteSettings],
  ['GET', '/v2/tags/{resourceArn}', 'GetTags', 200, apis.getTags],
  ['POST', '/v2/tags/{resourceArn}', 'TagResource', 201, apis.tagResource],
  ['DELETE', '/v2/tags/{resourceArn}', 'UntagResource', 204, apis.untagResource],
  ['POST', '/v2/domainnames', 'CreateDomainName', 201],
  ['GET', '/v2/domainnames', 'GetDomainNames', 200],
  ['POST', '/v2/vpclinks', 'CreateVpcLink', 201],
  ['GET', '/v2/vpclinks', 'GetVpcLinks', 200],
];

const OPS: Op[] = TABLE.map(([method, path, name, status, handler]) => {
  const labels: string[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (!m) return seg;
      labels.push(m[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { method, name, regex: new RegExp(`^${source}/?$`), labels, status, handler };
});

function match(method: string, path: string): { op: Op; labels: Record<string, string> } {
  let pathMatched: Op | undefined;
  for (const op of OPS) {
    const m = op.regex.exec(path);
    if (!m) continue;
    pathMatched ??= op;
    if (op.method !== method) continue;
    const labels: Record<string, string> = {};
    op.labels.forEach((l, i) => {
      try {
        labels[l] = decodeURIComponent(m[i + 1]!);
      } catch {
        throw E.badRequest(`Invalid ${l} specified: ${m[i + 1]}`);
      }
    });
    return { op, labels };
  }
  throw E.unknownOperation(method, path);
}

function buildInput(req: Pick<IncomingRequest, 'body' | 'search'>, labels: Record<string, string>): Input {
  const input: Input = {};
  if (req.body.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body);
    } catch (err) {
      throw E.malformedBody((err as Error).message);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw E.malformedBody('the body must be a JSON object.');
    Object.assign(input, parsed);
  }
  for (const [k, v] of new URLSearchParams(req.search)) {
    if (k === 'tagKeys') ((input.tagKeys as string[] | undefined) ?? (input.tagKeys = [])) && (input.tagKeys as string[]).push(v);
    else if (k === 'maxResults' || k === 'nextToken') input[k] = v;
  }
  // Path labels win over body members of the same name, as the SDKs bind them.
  Object.assign(input, labels);
  return input;
}

/** `APIGW CreateRoute abc123defg GET /users`: what changed, on which API. */
function logChange(ctx: OpContext, name: string, labels: Record<string, string>, out: unknown): void {
  if (!ctx.log) return;
  const o = (out ?? {}) as Record<string, unknown>;
  const apiId = labels.apiId ?? (typeof o.apiId === 'string' ? o.apiId : undefined) ?? labels.resourceArn ?? '';
  const what = [o.name, o.routeKey, o.stageName, o.integrationUri, o.deploymentId, labels.routeId, labels.integrationId, labels.authorizerId, labels.stageName].find((v) => typeof v === 'string');
  ctx.log(`APIGW ${name} ${apiId}${what ? ` ${String(what)}` : ''}`);
}

export function errorResponse(err: AwsError, requestId: string): WireResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code },
    body: JSON.stringify({ message: err.message }),
  };
}

/** One management request → response. Unknown paths and unimplemented operations answer AWS-shaped errors. */
export function apigwRest(req: Pick<IncomingRequest, 'method' | 'path' | 'search' | 'body' | 'requestId'>, ctx: OpContext): WireResponse {
  try {
    const { op, labels } = match(req.method, req.path);
    if (!op.handler) throw E.notImplemented(op.name);
    const out = op.handler(buildInput(req, labels), ctx);
    if (op.method !== 'GET') logChange(ctx, op.name, labels, out);
    const headers: Record<string, string> = { 'x-amzn-requestid': req.requestId };
    if (op.status === 204 || out === undefined) return { status: op.status, headers, body: '' };
    return { status: op.status, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(out) };
  } catch (err) {
    if (err instanceof AwsError) return errorResponse(err, req.requestId);
    throw err;
  }
}
