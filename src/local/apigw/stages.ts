/**
 * Stages and deployments of HTTP APIs. A stage serves either the current definitions (autoDeploy: every
 * change to routes, integrations or authorizers deploys) or the snapshot of the deployment it names
 * (CreateDeployment freezes the routes, integrations and authorizers of that moment).
 *
 * Deliberately stored but not applied: access log settings, route settings (throttling, logging),
 * client certificates.
 */
import type { RouteSettings, Stage } from './model.js';
import * as E from './errors.js';
import { autoDeploy, deploy, requireApi, type Handler, type OpContext } from './common.js';
import { bool, iso, obj, page, str, strMap, tags, type Input } from './input.js';

const STAGE_NAME = /^(\$default|[A-Za-z0-9_-]{1,128})$/;
const STAGE_VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const STAGE_VARIABLE_VALUE = /^[A-Za-z0-9-._~:/?#&=,]{0,2048}$/;

function routeSettings(v: Input | undefined): RouteSettings | undefined {
  if (!v) return undefined;
  const out: RouteSettings = {};
  for (const k of ['dataTraceEnabled', 'detailedMetricsEnabled'] as const) {
    const b = bool(v, k);
    if (b !== undefined) out[k] = b;
  }
  const level = str(v, 'loggingLevel');
  if (level !== undefined) {
    if (!['ERROR', 'INFO', 'OFF'].includes(level)) throw E.badRequest(`Invalid loggingLevel specified: ${level}. Valid values are ERROR, INFO, OFF.`);
    out.loggingLevel = level as RouteSettings['loggingLevel'];
  }
  for (const k of ['throttlingBurstLimit', 'throttlingRateLimit'] as const) {
    const n = v[k];
    if (n === undefined || n === null) continue;
    if (typeof n !== 'number' || n < 0) throw E.invalidMember(k, 'expected a non-negative number');
    out[k] = n;
  }
  return out;
}

function apply(ctx: OpContext, apiId: string, input: Input, base: Stage): Stage {
  const s: Stage = { ...base };
  const auto = bool(input, 'autoDeploy');
  if (auto !== undefined) s.autoDeploy = auto;
  const vars = strMap(input, 'stageVariables');
  if (vars) {
    for (const [k, v] of Object.entries(vars)) {
      if (!STAGE_VARIABLE_NAME.test(k)) throw E.badRequest(`Invalid stage variable name: ${k}. Names may contain only A-Z, a-z, 0-9 and _.`);
      if (!STAGE_VARIABLE_VALUE.test(v)) throw E.badRequest(`Invalid stage variable value for ${k}: values may contain only A-Z, a-z, 0-9 and -._~:/?#&=,`);
    }
    s.stageVariables = vars;
  }
  const deploymentId = str(input, 'deploymentId');
  if (deploymentId !== undefined) {
    if (!ctx.store.get(apiId, 'deployment', deploymentId)) throw E.deploymentNotFound(deploymentId);
    if (s.autoDeploy) throw E.badRequest('A deploymentId cannot be set on a stage with autoDeploy enabled.');
    s.deploymentId = deploymentId;
  }
  const description = str(input, 'description', { max: 1024 });
  if (description !== undefined) s.description = description;
  const drs = routeSettings(obj(input, 'defaultRouteSettings'));
  if (drs) s.defaultRouteSettings = drs;
  const rs = obj(input, 'routeSettings');
  if (rs) s.routeSettings = Object.fromEntries(Object.entries(rs).map(([k, v]) => [k, routeSettings(obj(rs, k)) ?? (v as RouteSettings)]));
  const als = obj(input, 'accessLogSettings');
  if (als) s.accessLogSettings = { ...(typeof als.destinationArn === 'string' ? { destinationArn: als.destinationArn } : {}), ...(typeof als.format === 'string' ? { format: als.format } : {}) };
  const cc = str(input, 'clientCertificateId');
  if (cc !== undefined) s.clientCertificateId = cc;
  return s;
}

function requireStage(ctx: OpContext, apiId: string, name: unknown): Stage {
  const s = typeof name === 'string' ? ctx.store.get(apiId, 'stage', name) : undefined;
  if (!s) throw E.stageNotFound();
  return s;
}

/** Creates a stage (also used by quick create); call inside a transaction. */
export function addStage(ctx: OpContext, apiId: string, input: Input, managed = false): Stage {
  const name = str(input, 'stageName', { required: true, min: 1, max: 128 })!;
  if (!STAGE_NAME.test(name)) throw E.badRequest(`Invalid stage name: ${name}. Stage names may contain only A-Z, a-z, 0-9, - and _ (or be $default).`);
  if (ctx.store.get(apiId, 'stage', name)) throw E.conflict(`Stage ${name} already exists`);
  const now = iso(ctx.now());
  const base: Stage = { stageName: name, autoDeploy: false, createdDate: now, lastUpdatedDate: now, defaultRouteSettings: { detailedMetricsEnabled: false }, stageVariables: {}, tags: tags(input) ?? {}, ...(managed ? { apiGatewayManaged: true } : {}) };
  const stage = apply(ctx, apiId, input, base);
  ctx.store.put(apiId, 'stage', name, stage);
  if (stage.autoDeploy) autoDeploy(ctx, apiId, name);
  return ctx.store.get(apiId, 'stage', name)!;
}

export const createStage: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  return ctx.store.transaction(() => addStage(ctx, api.apiId, input));
};

export const getStage: Handler = (input, ctx) => requireStage(ctx, requireApi(ctx, input.apiId).apiId, input.stageName);

export const getStages: Handler = (input, ctx) => page(ctx.store.stages(requireApi(ctx, input.apiId).apiId), input);

export const updateStage: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const current = requireStage(ctx, api.apiId, input.stageName);
  const stage = { ...apply(ctx, api.apiId, input, current), lastUpdatedDate: iso(ctx.now()) };
  return ctx.store.transaction(() => {
    ctx.store.put(api.apiId, 'stage', stage.stageName, stage);
    if (stage.autoDeploy && !current.autoDeploy) autoDeploy(ctx, api.apiId, stage.stageName);
    return ctx.store.get(api.apiId, 'stage', stage.stageName)!;
  });
};

export const deleteStage: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const stage = requireStage(ctx, api.apiId, input.stageName);
  ctx.store.transaction(() => ctx.store.remove(api.apiId, 'stage', stage.stageName));
  return undefined;
};

// ---- deployments ----

export const createDeployment: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const description = str(input, 'description', { max: 1024 });
  const stageName = str(input, 'stageName', { min: 1, max: 128 });
  const stage = stageName !== undefined ? requireStage(ctx, api.apiId, stageName) : undefined;
  if (stage?.autoDeploy) throw E.badRequest(`Stage ${stage.stageName} has autoDeploy enabled: it is deployed on every change, not with CreateDeployment.`);
  if (ctx.store.routes(api.apiId).length === 0) throw E.badRequest('Unable to deploy API because no routes exist in this API');
  return ctx.store.transaction(() => {
    const d = deploy(ctx, api.apiId, { description, autoDeployed: false });
    if (stage) ctx.store.put(api.apiId, 'stage', stage.stageName, { ...stage, deploymentId: d.deploymentId, lastUpdatedDate: d.createdDate });
    return d;
  });
};

function requireDeployment(ctx: OpContext, apiId: string, id: unknown) {
  const d = typeof id === 'string' ? ctx.store.get(apiId, 'deployment', id) : undefined;
  if (!d) throw E.deploymentNotFound(String(id ?? ''));
  return d;
}

export const getDeployment: Handler = (input, ctx) => requireDeployment(ctx, requireApi(ctx, input.apiId).apiId, input.deploymentId).deployment;

export const getDeployments: Handler = (input, ctx) =>
  page(
    ctx.store.list(requireApi(ctx, input.apiId).apiId, 'deployment').map((d) => d.deployment),
    input,
  );

export const updateDeployment: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const rec = requireDeployment(ctx, api.apiId, input.deploymentId);
  const description = str(input, 'description', { max: 1024 });
  const deployment = { ...rec.deployment, ...(description !== undefined ? { description } : {}) };
  ctx.store.transaction(() => ctx.store.put(api.apiId, 'deployment', deployment.deploymentId, { ...rec, deployment }));
  return deployment;
};

export const deleteDeployment: Handler = (input, ctx) => {
  const api = requireApi(ctx, input.apiId);
  const rec = requireDeployment(ctx, api.apiId, input.deploymentId);
  const user = ctx.store.stages(api.apiId).find((s) => s.deploymentId === rec.deployment.deploymentId);
  if (user) throw E.badRequest(`Active stages pointing to this deployment must be moved or deleted (stage ${user.stageName}).`);
  ctx.store.transaction(() => ctx.store.remove(api.apiId, 'deployment', rec.deployment.deploymentId));
  return undefined;
};
