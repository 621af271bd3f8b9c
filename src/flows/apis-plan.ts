/**
 * The HTTP APIs of a flow: what exists (observeApis: APIs found by their `svl:flow` tag or by name, their
 * stages, integrations, routes, authorizers, and the Lambda permissions svl gave them) and the plan from
 * there to the spec (planApis, pure). The desired-state helpers here feed both the plan and apply
 * (apis-apply.ts), so apply does exactly what the plan said. It does not deploy functions.
 *
 * Shape of what svl creates per API: protocol HTTP, the `$default` stage with autoDeploy, one AWS_PROXY
 * integration (payload 2.0) per function and timeout, one route per route key, REQUEST authorizers
 * (payload 2.0), and per function one Lambda permission (statement `svl-<apiId>`) for
 * apigateway.amazonaws.com from `arn:aws:execute-api:<region>:<account>:<apiId>/*\/*` — which also
 * covers the authorizer's `<apiId>/authorizers/<id>` source ARN.
 */
import type { ApiGatewayV2Client, Cors } from '@aws-sdk/client-apigatewayv2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { mapLimit } from '../aws/pool.js';
import { apigwSdk, lambdaSdk } from '../aws/sdk.js';
import { apiFunctions, type ApiSpec, type AuthorizerSpec, type CorsSpec } from './apis.js';
import { FLOW_TAG, type FlowSpec } from './spec.js';
import type { PlanStep } from './plan.js';

export interface ObservedIntegration {
  id: string;
  uri: string;
  type: string;
  payload: string;
  timeoutMs?: number;
}
export interface ObservedRoute {
  id: string;
  key: string;
  target?: string;
  authorizationType?: string;
  authorizerId?: string;
}
export interface ObservedAuthorizer {
  id: string;
  name: string;
  uri: string;
  identitySource: string[];
  ttlSeconds?: number;
  simpleResponses?: boolean;
  payload?: string;
}
export interface ObservedApi {
  id: string;
  name: string;
  endpoint: string;
  protocol: string;
  tags: Record<string, string>;
  cors?: Cors;
  stages: Array<{ name: string; autoDeploy: boolean }>;
  integrations: ObservedIntegration[];
  routes: ObservedRoute[];
  authorizers: ObservedAuthorizer[];
}

export interface ObservedApis {
  /** False when the target has no API Gateway (then a spec with APIs cannot be applied). */
  available: boolean;
  /** The spec's APIs that exist, by name. */
  apis: Map<string, ObservedApi>;
  /** APIs tagged with the flow that the spec no longer lists. */
  stale: ObservedApi[];
  /** Functions referenced by the spec's APIs that do not exist. */
  missingFunctions: Set<string>;
  /** Statement ids of each referenced function's resource policy (to know which permissions exist). */
  statements: Map<string, Set<string>>;
}

export interface ApiClients {
  apigw?: () => Promise<ApiGatewayV2Client | undefined>;
  lambda?: () => Promise<LambdaClient | undefined>;
}

export const permissionSid = (apiId: string) => `svl-${apiId}`;
export const functionArnOf = (fn: string, c: { region: string; account: string }) => `arn:aws:lambda:${c.region}:${c.account}:function:${fn}`;
export const authorizerUriOf = (fn: string, c: { region: string; account: string }) => `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${functionArnOf(fn, c)}/invocations`;
export const executeApiArnOf = (apiId: string, c: { region: string; account: string }) => `arn:aws:execute-api:${c.region}:${c.account}:${apiId}/*/*`;
/** The function a Lambda integration or authorizer URI names (plain ARN or the apigateway invocations path). */
export const functionOfUri = (uri: string): string | undefined => /:function:([A-Za-z0-9_-]+)(?::[^/]*)?(?:\/invocations)?$/.exec(uri)?.[1];

/** The API Gateway shape of a spec's CORS configuration. */
export function corsOf(c: CorsSpec | undefined): Cors | undefined {
  if (!c) return undefined;
  return {
    AllowOrigins: c.allowOrigins,
    AllowMethods: c.allowMethods,
    AllowHeaders: c.allowHeaders,
    ExposeHeaders: c.exposeHeaders,
    ...(c.maxAge !== undefined && { MaxAge: c.maxAge }),
    AllowCredentials: c.allowCredentials,
  };
}

const sameList = (a: readonly string[] = [], b: readonly string[] = [], ci = false) => {
  const norm = (xs: readonly string[]) => [...xs].map((x) => (ci ? x.toLowerCase() : x)).sort().join('\n');
  return norm(a) === norm(b);
};

/** What differs between the CORS configuration that exists and the spec's (empty: same). */
export function corsChanges(now: Cors | undefined, want: CorsSpec | undefined): string[] {
  const w = corsOf(want);
  if (!w) return now && Object.keys(now).length ? ['cors: -> (none)'] : [];
  if (!now) return ['cors: (none) -> set'];
  const out: string[] = [];
  if (!sameList(now.AllowOrigins, w.AllowOrigins)) out.push(`cors.allowOrigins -> ${w.AllowOrigins!.join(', ') || '(none)'}`);
  if (!sameList(now.AllowMethods, w.AllowMethods, true)) out.push(`cors.allowMethods -> ${w.AllowMethods!.join(', ') || '(none)'}`);
  if (!sameList(now.AllowHeaders, w.AllowHeaders, true)) out.push(`cors.allowHeaders -> ${w.AllowHeaders!.join(', ') || '(none)'}`);
  if (!sameList(now.ExposeHeaders, w.ExposeHeaders, true)) out.push(`cors.exposeHeaders -> ${w.ExposeHeaders!.join(', ') || '(none)'}`);
  if ((now.MaxAge ?? undefined) !== w.MaxAge) out.push(`cors.maxAge -> ${w.MaxAge ?? '(unset)'}`);
  if (Boolean(now.AllowCredentials) !== Boolean(w.AllowCredentials)) out.push(`cors.allowCredentials -> ${Boolean(w.AllowCredentials)}`);
  return out;
}

/** The integrations an API needs: one per function and timeout, keyed `<function>@<timeoutMs>`. */
export function desiredIntegrations(api: ApiSpec): Array<{ key: string; fn: string; timeoutMs: number }> {
  const out = new Map<string, { key: string; fn: string; timeoutMs: number }>();
  for (const r of api.routes) {
    const key = `${r.function}@${r.timeoutMs}`;
    if (!out.has(key)) out.set(key, { key, fn: r.function, timeoutMs: r.timeoutMs });
  }
  return [...out.values()];
}

/** The existing integration that serves `fn` with `timeoutMs` as svl makes them, if any. */
export function matchIntegration(o: ObservedApi, fn: string, timeoutMs: number): ObservedIntegration | undefined {
  return o.integrations.find((i) => i.type === 'AWS_PROXY' && functionOfUri(i.uri) === fn && i.payload === '2.0' && (i.timeoutMs ?? 30_000) === timeoutMs);
}

/** What differs between an existing authorizer and the spec's. */
export function authorizerChanges(o: ObservedAuthorizer, a: AuthorizerSpec): string[] {
  const out: string[] = [];
  if (functionOfUri(o.uri) !== a.function) out.push(`function ${functionOfUri(o.uri) ?? o.uri} -> ${a.function}`);
  if (!sameList(o.identitySource, a.identitySource)) out.push(`identitySource -> ${a.identitySource.join(', ')}`);
  if ((o.ttlSeconds ?? 0) !== a.ttlSeconds) out.push(`ttlSeconds ${o.ttlSeconds ?? 0} -> ${a.ttlSeconds}`);
  if (Boolean(o.simpleResponses) !== a.simpleResponses) out.push(`simpleResponses -> ${a.simpleResponses}`);
  if (o.payload !== '2.0') out.push(`payload ${o.payload ?? '(unset)'} -> 2.0`);
  return out;
}

const isNotFound = (err: unknown) => ['NotFoundException', 'ResourceNotFoundException'].includes((err as { name?: string }).name ?? '');

async function all<T>(page: (token: string | undefined) => Promise<{ Items?: T[]; NextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...(p.Items ?? []));
    token = p.NextToken;
  } while (token);
  return out;
}

/** Every HTTP API of the target, with its tags (GetApis returns them). */
export async function listApis(apigw: ApiGatewayV2Client) {
  const { GetApisCommand } = apigwSdk();
  return all((NextToken) => apigw.send(new GetApisCommand({ NextToken })));
}

/** An API's stages, integrations, routes and authorizers. */
export async function observeApi(apigw: ApiGatewayV2Client, a: { ApiId?: string; Name?: string; ApiEndpoint?: string; ProtocolType?: string; Tags?: Record<string, string>; CorsConfiguration?: Cors }): Promise<ObservedApi> {
  const m = apigwSdk();
  const ApiId = a.ApiId!;
  const [stages, integrations, routes, authorizers] = await Promise.all([
    all((NextToken) => apigw.send(new m.GetStagesCommand({ ApiId, NextToken }))),
    all((NextToken) => apigw.send(new m.GetIntegrationsCommand({ ApiId, NextToken }))),
    all((NextToken) => apigw.send(new m.GetRoutesCommand({ ApiId, NextToken }))),
    all((NextToken) => apigw.send(new m.GetAuthorizersCommand({ ApiId, NextToken }))),
  ]);
  return {
    id: ApiId,
    name: a.Name ?? '',
    endpoint: a.ApiEndpoint ?? '',
    protocol: a.ProtocolType ?? 'HTTP',
    tags: a.Tags ?? {},
    cors: a.CorsConfiguration,
    stages: stages.map((s) => ({ name: s.StageName ?? '', autoDeploy: Boolean(s.AutoDeploy) })),
    integrations: integrations.map((i) => ({ id: i.IntegrationId!, uri: i.IntegrationUri ?? '', type: i.IntegrationType ?? '', payload: i.PayloadFormatVersion ?? '', timeoutMs: i.TimeoutInMillis })),
    routes: routes.map((r) => ({ id: r.RouteId!, key: r.RouteKey ?? '', target: r.Target, authorizationType: r.AuthorizationType, authorizerId: r.AuthorizerId })),
    authorizers: authorizers.map((z) => ({
      id: z.AuthorizerId!,
      name: z.Name ?? '',
      uri: z.AuthorizerUri ?? '',
      identitySource: z.IdentitySource ?? [],
      ttlSeconds: z.AuthorizerResultTtlInSeconds,
      simpleResponses: z.EnableSimpleResponses,
      payload: z.AuthorizerPayloadFormatVersion,
    })),
  };
}

/** The statement ids of a function's resource policy; undefined when the function does not exist. */
export async function policyStatementIds(lambda: LambdaClient, fn: string): Promise<Set<string> | undefined> {
  const { GetPolicyCommand, GetFunctionConfigurationCommand } = lambdaSdk();
  try {
    const r = await lambda.send(new GetPolicyCommand({ FunctionName: fn }));
    const doc = JSON.parse(r.Policy ?? '{}') as { Statement?: Array<{ Sid?: string }> };
    return new Set((doc.Statement ?? []).map((s) => s.Sid ?? '').filter(Boolean));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  // No policy, or no function: GetPolicy answers ResourceNotFoundException for both.
  try {
    await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    return new Set();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** What exists of the spec's APIs (and the flow's stale ones). A spec without APIs tolerates a target without API Gateway. */
export async function observeApis(spec: FlowSpec, c: ApiClients): Promise<ObservedApis> {
  const empty: ObservedApis = { available: false, apis: new Map(), stale: [], missingFunctions: new Set(), statements: new Map() };
  let apigw: ApiGatewayV2Client | undefined;
  let listed: Awaited<ReturnType<typeof listApis>>;
  try {
    apigw = await c.apigw?.();
    if (!apigw) return empty;
    listed = await listApis(apigw);
  } catch (err) {
    if (spec.apis.length === 0) return empty; // no APIs wanted: a target without API Gateway (or rights to it) is fine
    throw err;
  }
  const wanted = new Set(spec.apis.map((a) => a.name));
  const byName = new Map<string, (typeof listed)[number]>();
  // Prefer the API tagged with this flow when several share a name.
  for (const a of listed) {
    if (!a.Name || !wanted.has(a.Name)) continue;
    const prev = byName.get(a.Name);
    if (!prev || (prev.Tags?.[FLOW_TAG] !== spec.name && a.Tags?.[FLOW_TAG] === spec.name)) byName.set(a.Name, a);
  }
  const staleListed = listed.filter((a) => a.Tags?.[FLOW_TAG] === spec.name && !(a.Name && byName.get(a.Name) === a));
  const [apis, stale] = await Promise.all([mapLimit([...byName.values()], 4, (a) => observeApi(apigw!, a)), mapLimit(staleListed, 4, (a) => observeApi(apigw!, a))]);

  const statements = new Map<string, Set<string>>();
  const missingFunctions = new Set<string>();
  const fns = [...new Set(spec.apis.flatMap(apiFunctions))];
  const lambda = fns.length ? await c.lambda?.() : undefined;
  if (lambda) {
    await mapLimit(fns, 8, async (fn) => {
      const sids = await policyStatementIds(lambda, fn);
      if (sids) statements.set(fn, sids);
      else missingFunctions.add(fn);
    });
  } else for (const fn of fns) missingFunctions.add(fn);
  return { available: true, apis: new Map(apis.map((a) => [a.name, a])), stale, missingFunctions, statements };
}

export interface ApiPlanContext {
  adopt?: boolean;
}

/**
 * The invoke URLs of an API. On the emulator (`endpoint` is its base URL) both forms it answers: the
 * host form `http://<apiId>.execute-api.localhost:<port>/` and the path form that needs no DNS,
 * `<endpoint>/_aws/execute-api/<apiId>/$default/`; on AWS the API's own endpoint.
 */
export function invokeUrls(kind: 'aws' | 'local', endpoint: string | undefined, api: { id: string; endpoint: string }): { url: string; pathUrl?: string } {
  if (kind === 'local' && endpoint) {
    const u = new URL(endpoint);
    const base = endpoint.replace(/\/+$/, '');
    return { url: `${u.protocol}//${api.id}.execute-api.localhost${u.port ? `:${u.port}` : ''}/`, pathUrl: `${base}/_aws/execute-api/${api.id}/$default/` };
  }
  return { url: `${api.endpoint.replace(/\/+$/, '')}/` };
}

/** The steps that make the spec's APIs exist as described (and delete the flow's stale APIs). Pure. */
export function planApis(spec: FlowSpec, obs: ObservedApis, c: ApiPlanContext = {}): { steps: PlanStep[]; conflicts: string[]; warnings: string[] } {
  const steps: PlanStep[] = [];
  const conflicts: string[] = [];
  const warnings: string[] = [];
  if (spec.apis.length && !obs.available) {
    warnings.push(`this target has no API Gateway; the APIs ${spec.apis.map((a) => a.name).join(', ')} are not applied.`);
    return { steps, conflicts, warnings };
  }
  for (const api of spec.apis) {
    const o = obs.apis.get(api.name);
    const label = (what: string) => `${api.name} ${what}`;
    if (o) {
      const owner = o.tags[FLOW_TAG];
      if (owner !== spec.name && !c.adopt) conflicts.push(owner ? `API ${api.name} (${o.id}) belongs to flow "${owner}"` : `API ${api.name} (${o.id}) exists and is not managed by svl`);
      if (o.protocol !== 'HTTP') conflicts.push(`API ${api.name} (${o.id}) is a ${o.protocol} API; the flow needs an HTTP API`);
      const changes = corsChanges(o.cors, api.cors);
      if (owner !== spec.name || Object.entries(spec.tags).some(([k, v]) => o.tags[k] !== v)) changes.push('tags');
      if (changes.length) steps.push({ action: 'update', kind: 'api', name: api.name, changes });
    } else steps.push({ action: 'create', kind: 'api', name: api.name, changes: [`HTTP, ${api.routes.length} route(s)${api.cors ? ', CORS' : ''}`] });

    const stage = o?.stages.find((s) => s.name === '$default');
    if (!stage) steps.push({ action: 'create', kind: 'stage', name: label('$default'), changes: ['autoDeploy'] });
    else if (!stage.autoDeploy) steps.push({ action: 'update', kind: 'stage', name: label('$default'), changes: ['autoDeploy: false -> true'] });

    const used = new Set<string>();
    for (const i of desiredIntegrations(api)) {
      const m = o && matchIntegration(o, i.fn, i.timeoutMs);
      if (m) used.add(m.id);
      else steps.push({ action: 'create', kind: 'integration', name: label(`-> λ ${i.fn}`), changes: [`AWS_PROXY 2.0, ${i.timeoutMs} ms`] });
    }
    const authIds = new Map<string, string>();
    for (const a of api.authorizers) {
      const m = o?.authorizers.find((x) => x.name === a.name);
      if (!m) steps.push({ action: 'create', kind: 'authorizer', name: label(a.name), changes: [`REQUEST λ ${a.function}, ${a.identitySource.join(', ')}${a.ttlSeconds ? `, cached ${a.ttlSeconds} s` : ''}`] });
      else {
        authIds.set(a.name, m.id);
        const ch = authorizerChanges(m, a);
        if (ch.length) steps.push({ action: 'update', kind: 'authorizer', name: label(a.name), changes: ch });
      }
    }
    for (const r of api.routes) {
      const m = o?.routes.find((x) => x.key === r.route);
      const integ = o && matchIntegration(o, r.function, r.timeoutMs);
      const authNote = r.authorizer ? `, authorizer ${r.authorizer}` : '';
      if (!m) {
        steps.push({ action: 'create', kind: 'route', name: label(r.route), changes: [`λ ${r.function}${authNote}`] });
        continue;
      }
      const ch: string[] = [];
      if (!integ || m.target !== `integrations/${integ.id}`) ch.push(`-> λ ${r.function} (${r.timeoutMs} ms)`);
      const wantAuth = r.authorizer ? authIds.get(r.authorizer) : undefined;
      if (r.authorizer && (m.authorizationType !== 'CUSTOM' || !wantAuth || m.authorizerId !== wantAuth)) ch.push(`authorizer -> ${r.authorizer}`);
      if (!r.authorizer && (m.authorizationType ?? 'NONE') !== 'NONE') ch.push('authorizer -> (none)');
      if (ch.length) steps.push({ action: 'update', kind: 'route', name: label(r.route), changes: ch });
    }
    for (const fn of apiFunctions(api)) {
      const has = o && obs.statements.get(fn)?.has(permissionSid(o.id));
      if (!has) steps.push({ action: 'create', kind: 'permission', name: label(`-> λ ${fn}`), changes: ['lambda:InvokeFunction for apigateway.amazonaws.com from this API'] });
    }
    if (o) {
      const keys = new Set(api.routes.map((r) => r.route));
      for (const r of o.routes) if (!keys.has(r.key)) steps.push({ action: 'delete', kind: 'route', name: label(r.key), changes: [r.id] });
      const names = new Set(api.authorizers.map((a) => a.name));
      for (const a of o.authorizers) if (!names.has(a.name)) steps.push({ action: 'delete', kind: 'authorizer', name: label(a.name), changes: [a.id] });
      // Integrations no route of the spec uses (after routes moved to the new ones).
      for (const i of o.integrations) if (!used.has(i.id)) steps.push({ action: 'delete', kind: 'integration', name: label(`-> ${functionOfUri(i.uri) ? `λ ${functionOfUri(i.uri)}` : i.uri}`), changes: [i.id] });
    }
  }
  for (const s of obs.stale) steps.push({ action: 'delete', kind: 'api', name: s.name, changes: [s.id] });
  return { steps, conflicts, warnings };
}
