/**
 * Apply and destroy of a flow's HTTP APIs, carrying out the steps planApis (apis-plan.ts) listed, in
 * dependency order per API: the API, its `$default` stage, integrations, authorizers, routes, the Lambda
 * permissions, then what the spec no longer lists (routes before the authorizers and integrations they
 * use); finally the flow's stale APIs (permissions removed, then the API). Every call is idempotent as a
 * whole: after a failure the next apply re-observes and converges. It does not deploy functions and
 * does not decide plan or conflicts (apply.ts does, through these hooks).
 */
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { apiFunctions } from './apis.js';
import {
  authorizerUriOf,
  corsChanges,
  corsOf,
  desiredIntegrations,
  executeApiArnOf,
  functionArnOf,
  functionOfUri,
  listApis,
  matchIntegration,
  observeApi,
  permissionSid,
  type ObservedApi,
  type ObservedApis,
} from './apis-plan.js';
import { FLOW_TAG, flowTags, type FlowSpec } from './spec.js';
import type { PlanStep } from './plan.js';
import { apigwSdk, lambdaSdk } from '../aws/sdk.js';

export interface AppliedApi {
  name: string;
  id: string;
  /** The API's endpoint as API Gateway reports it. */
  endpoint: string;
}

export interface ApiApplyHooks {
  step(s: PlanStep): void;
  /** Throws once the apply is cancelled (between resource steps). */
  checkpoint(): void;
}

const isNotFound = (err: unknown) => ['NotFoundException', 'ResourceNotFoundException'].includes((err as { name?: string }).name ?? '');
const isConflict = (err: unknown) => (err as { name?: string }).name === 'ResourceConflictException';

/** Removes svl's permission for `apiId` from each function (gone already is fine). */
async function removePermissions(lambda: LambdaClient | undefined, apiId: string, fns: Iterable<string>): Promise<void> {
  if (!lambda) return;
  const { RemovePermissionCommand } = lambdaSdk();
  for (const fn of new Set(fns)) {
    try {
      await lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: permissionSid(apiId) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** The functions an existing API invokes (its Lambda integrations and authorizers). */
export const observedFunctions = (o: ObservedApi): string[] =>
  [...o.integrations.map((i) => functionOfUri(i.uri)), ...o.authorizers.map((a) => functionOfUri(a.uri))].filter((x): x is string => !!x);

export async function applyApis(
  spec: FlowSpec,
  clients: { apigw: ApiGatewayV2Client; lambda?: LambdaClient },
  obs: ObservedApis,
  steps: readonly PlanStep[],
  ctx: { region: string; account: string },
  hooks: ApiApplyHooks,
): Promise<AppliedApi[]> {
  const m = apigwSdk();
  const { AddPermissionCommand } = lambdaSdk();
  const { apigw, lambda } = clients;
  const tags = flowTags(spec);
  const mark = (action: PlanStep['action'], kind: PlanStep['kind'], name: string) => {
    const s = steps.find((x) => x.action === action && x.kind === kind && x.name === name);
    if (s) hooks.step(s);
    return !!s;
  };
  const has = (action: PlanStep['action'], kind: PlanStep['kind'], name: string) => steps.some((x) => x.action === action && x.kind === kind && x.name === name);
  const out: AppliedApi[] = [];

  for (const api of spec.apis) {
    hooks.checkpoint();
    const label = (what: string) => `${api.name} ${what}`;
    let o = obs.apis.get(api.name);
    let id: string;
    let endpoint: string;
    if (!o) {
      const r = await apigw.send(new m.CreateApiCommand({ Name: api.name, ProtocolType: 'HTTP', CorsConfiguration: corsOf(api.cors), Tags: tags }));
      id = r.ApiId!;
      endpoint = r.ApiEndpoint ?? '';
      mark('create', 'api', api.name);
    } else {
      id = o.id;
      endpoint = o.endpoint;
      if (has('update', 'api', api.name)) {
        if (corsChanges(o.cors, api.cors).length) {
          if (api.cors) await apigw.send(new m.UpdateApiCommand({ ApiId: id, CorsConfiguration: corsOf(api.cors) }));
          else await apigw.send(new m.DeleteCorsConfigurationCommand({ ApiId: id }));
        }
        await apigw.send(new m.TagResourceCommand({ ResourceArn: `arn:aws:apigateway:${ctx.region}::/apis/${id}`, Tags: tags }));
        mark('update', 'api', api.name);
      }
    }
    const routes = o?.routes ?? [];
    const authorizers = o?.authorizers ?? [];

    hooks.checkpoint();
    if (has('create', 'stage', label('$default'))) {
      await apigw.send(new m.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true, Tags: tags }));
      mark('create', 'stage', label('$default'));
    } else if (has('update', 'stage', label('$default'))) {
      await apigw.send(new m.UpdateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
      mark('update', 'stage', label('$default'));
    }

    // Integrations: the spec's, existing ones reused; ids by `<function>@<timeout>`.
    const integrationIds = new Map<string, string>();
    for (const i of desiredIntegrations(api)) {
      hooks.checkpoint();
      const existing = o && matchIntegration(o, i.fn, i.timeoutMs);
      if (existing) integrationIds.set(i.key, existing.id);
      else {
        const r = await apigw.send(
          new m.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: functionArnOf(i.fn, ctx), PayloadFormatVersion: '2.0', TimeoutInMillis: i.timeoutMs }),
        );
        integrationIds.set(i.key, r.IntegrationId!);
        mark('create', 'integration', label(`-> λ ${i.fn}`));
      }
    }

    const authorizerIds = new Map<string, string>();
    for (const a of api.authorizers) {
      hooks.checkpoint();
      const existing = authorizers.find((x) => x.name === a.name);
      const params = {
        ApiId: id,
        Name: a.name,
        AuthorizerType: 'REQUEST' as const,
        AuthorizerUri: authorizerUriOf(a.function, ctx),
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: a.simpleResponses,
        IdentitySource: a.identitySource,
        AuthorizerResultTtlInSeconds: a.ttlSeconds,
      };
      if (!existing) {
        const r = await apigw.send(new m.CreateAuthorizerCommand(params));
        authorizerIds.set(a.name, r.AuthorizerId!);
        mark('create', 'authorizer', label(a.name));
      } else {
        authorizerIds.set(a.name, existing.id);
        if (has('update', 'authorizer', label(a.name))) {
          await apigw.send(new m.UpdateAuthorizerCommand({ ...params, AuthorizerId: existing.id }));
          mark('update', 'authorizer', label(a.name));
        }
      }
    }

    for (const r of api.routes) {
      hooks.checkpoint();
      const target = `integrations/${integrationIds.get(`${r.function}@${r.timeoutMs}`)}`;
      const auth = r.authorizer
        ? { AuthorizationType: 'CUSTOM' as const, AuthorizerId: authorizerIds.get(r.authorizer) }
        : { AuthorizationType: 'NONE' as const };
      const existing = routes.find((x) => x.key === r.route);
      if (!existing) {
        await apigw.send(new m.CreateRouteCommand({ ApiId: id, RouteKey: r.route, Target: target, ...auth }));
        mark('create', 'route', label(r.route));
      } else if (has('update', 'route', label(r.route))) {
        await apigw.send(new m.UpdateRouteCommand({ ApiId: id, RouteId: existing.id, Target: target, ...auth }));
        mark('update', 'route', label(r.route));
      }
    }

    for (const fn of apiFunctions(api)) {
      hooks.checkpoint();
      if (!has('create', 'permission', label(`-> λ ${fn}`)) || !lambda) continue;
      try {
        await lambda.send(
          new AddPermissionCommand({ FunctionName: fn, StatementId: permissionSid(id), Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: executeApiArnOf(id, ctx) }),
        );
      } catch (err) {
        if (!isConflict(err)) throw err; // the statement exists already (a re-run after a failure)
      }
      mark('create', 'permission', label(`-> λ ${fn}`));
    }

    // What the spec no longer lists: routes first (they reference authorizers and integrations).
    const gone = (kind: PlanStep['kind']) => steps.filter((s) => s.action === 'delete' && s.kind === kind && s.name.startsWith(`${api.name} `) && o);
    for (const s of gone('route')) {
      hooks.checkpoint();
      await ignoreNotFound(apigw.send(new m.DeleteRouteCommand({ ApiId: id, RouteId: s.changes[0]! })));
      hooks.step(s);
    }
    for (const s of gone('authorizer')) {
      hooks.checkpoint();
      await ignoreNotFound(apigw.send(new m.DeleteAuthorizerCommand({ ApiId: id, AuthorizerId: s.changes[0]! })));
      hooks.step(s);
    }
    for (const s of gone('integration')) {
      hooks.checkpoint();
      await ignoreNotFound(apigw.send(new m.DeleteIntegrationCommand({ ApiId: id, IntegrationId: s.changes[0]! })));
      hooks.step(s);
    }
    // Functions this API no longer invokes lose its permission.
    if (o) {
      const now = new Set(apiFunctions(api));
      await removePermissions(lambda, id, observedFunctions(o).filter((fn) => !now.has(fn)));
    }
    o = undefined;
    out.push({ name: api.name, id, endpoint });
  }

  for (const s of obs.stale) {
    hooks.checkpoint();
    await removePermissions(lambda, s.id, observedFunctions(s));
    await ignoreNotFound(apigw.send(new m.DeleteApiCommand({ ApiId: s.id })));
    const st = steps.find((x) => x.action === 'delete' && x.kind === 'api' && x.changes[0] === s.id);
    if (st) hooks.step(st);
  }
  return out;
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** The flow's APIs (tagged `svl:flow=<flow>`), for destroy, with what they invoke. */
export async function findFlowApis(apigw: ApiGatewayV2Client, flow: string): Promise<ObservedApi[]> {
  const listed = (await listApis(apigw)).filter((a) => a.Tags?.[FLOW_TAG] === flow);
  const out: ObservedApi[] = [];
  for (const a of listed) out.push(await observeApi(apigw, a));
  return out;
}

/** Destroy steps for the flow's APIs: one per API (its routes, integrations, authorizers and stage go with it). */
export const destroyApiSteps = (apis: readonly ObservedApi[]): PlanStep[] =>
  apis.map((a) => ({ action: 'delete', kind: 'api', name: a.name, changes: [a.id, `${a.routes.length} route(s)`] }));

/** Deletes one API: its Lambda permissions first, then the API (gone already is fine). */
export async function destroyApi(clients: { apigw: ApiGatewayV2Client; lambda?: LambdaClient }, api: ObservedApi): Promise<void> {
  const { DeleteApiCommand } = apigwSdk();
  await removePermissions(clients.lambda, api.id, observedFunctions(api));
  await ignoreNotFound(clients.apigw.send(new DeleteApiCommand({ ApiId: api.id })));
}
