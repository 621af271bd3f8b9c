/**
 * What every API Gateway v2 operation shares: the operation context, the API lookup (regional, as on
 * AWS), the invoke endpoint, and deployments (made by CreateDeployment and by auto-deploy stages).
 */
import type { ApiGatewayStore } from './store.js';
import type { Deployment, Stage, StoredApi } from './model.js';
import * as E from './errors.js';
import { SHORT_ID_LENGTH } from './constants.js';
import { iso, newId, type Input } from './input.js';

export interface OpContext {
  store: ApiGatewayStore;
  now(): number;
  /** The SigV4 scope's region (us-east-1 for unsigned requests). */
  region: string;
  /** The emulator's origin as the client called it (`http://127.0.0.1:4566`). */
  baseUrl: string;
  /** The emulator's event log (one line per change). */
  log?: (line: string) => void;
}

/** An operation: input (body members, path labels, query members, all lower-camel) → body (undefined for 204). */
export type Handler = (input: Input, ctx: OpContext) => unknown;

/** The API `apiId` in the caller's region, or NotFoundException. */
export function requireApi(ctx: OpContext, apiId: unknown): StoredApi {
  const id = typeof apiId === 'string' ? apiId : '';
  const api = ctx.store.api(id);
  if (!api || api.region !== ctx.region) throw E.apiNotFound(id);
  return api;
}

/** `http://<apiId>.execute-api.localhost:<port>`: the emulator's port, the host form invoke URLs answer on. */
export function apiEndpoint(baseUrl: string, apiId: string): string {
  let port = '4566';
  let protocol = 'http:';
  try {
    const u = new URL(baseUrl);
    port = u.port || (u.protocol === 'https:' ? '443' : '80');
    protocol = u.protocol;
  } catch {
    // keep the defaults
  }
  return `${protocol}//${apiId}.execute-api.localhost:${port}`;
}

/** The API as GetApi answers it: without the stored region, with the endpoint of the port the caller used. */
export function apiOut(api: StoredApi, ctx: OpContext): Record<string, unknown> {
  const { region: _region, ...wire } = api;
  return { ...wire, apiEndpoint: apiEndpoint(ctx.baseUrl, api.apiId) };
}

/** Freezes the current routes, integrations and authorizers as a new deployment. */
export function deploy(ctx: OpContext, apiId: string, opts: { description?: string; autoDeployed: boolean }): Deployment {
  const deployment: Deployment = {
    deploymentId: newId(SHORT_ID_LENGTH),
    deploymentStatus: 'DEPLOYED',
    createdDate: iso(ctx.now()),
    autoDeployed: opts.autoDeployed,
    ...(opts.description !== undefined ? { description: opts.description } : {}),
  };
  ctx.store.put(apiId, 'deployment', deployment.deploymentId, { deployment, snapshot: ctx.store.snapshot(apiId) });
  return deployment;
}

/**
 * After a change to routes, integrations or authorizers: every auto-deploy stage gets a new deployment
 * (AWS deploys on each change; with no routes there is nothing to deploy). Call inside the transaction.
 */
export function autoDeploy(ctx: OpContext, apiId: string, only?: string): void {
  if (ctx.store.routes(apiId).length === 0) return;
  for (const stage of ctx.store.stages(apiId)) {
    if (!stage.autoDeploy || (only !== undefined && stage.stageName !== only)) continue;
    const d = deploy(ctx, apiId, { autoDeployed: true });
    const next: Stage = { ...stage, deploymentId: d.deploymentId, lastUpdatedDate: d.createdDate };
    ctx.store.put(apiId, 'stage', stage.stageName, next);
  }
}
