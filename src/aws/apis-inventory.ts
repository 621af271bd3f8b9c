/**
 * Discovery of HTTP APIs for `svl status` and `svl graph`: each API with its flow (the `svl:flow` tag
 * GetApis returns), invoke URLs, and routes resolved to the functions their integrations and authorizers
 * name; optionally the SNS topics each function publishes to, as far as it can be seen — a topic ARN in
 * the function's environment variables (what the templates do). Read-only. A target without API
 * Gateway (or without rights to it) yields `available: false` with the reason, not an error.
 */
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { functionOfUri, invokeUrls, listApis, observeApi } from '../flows/apis-plan.js';
import { FLOW_TAG } from './inventory-model.js';
import { mapLimit } from './pool.js';
import type { Target } from './target.js';
import { lambdaSdk } from './sdk.js';

export interface ApiRouteInfo {
  route: string;
  function: string | null;
  authorizer: string | null;
  /** The authorizer's function, when the route has one. */
  authorizerFunction: string | null;
}

export interface ApiInfo {
  id: string;
  name: string;
  flow: string | null;
  /** The invoke URL (host form on the emulator) and, on the emulator, the path form that needs no DNS. */
  url: string;
  pathUrl?: string;
  cors: boolean;
  routes: ApiRouteInfo[];
  /** Topic names each route function publishes to (from topic ARNs in its environment), when asked for. */
  publishes?: Record<string, string[]>;
}

export interface ApiInventory {
  available: boolean;
  reason?: string;
  apis: ApiInfo[];
}

export async function discoverApis(
  target: Target,
  clients: { apigw: () => Promise<ApiGatewayV2Client>; lambda?: () => Promise<LambdaClient> },
  o: { flow?: string; publishes?: boolean } = {},
): Promise<ApiInventory> {
  let listed: Awaited<ReturnType<typeof listApis>>;
  let apigw: ApiGatewayV2Client;
  try {
    apigw = await clients.apigw();
    listed = await listApis(apigw);
  } catch (err) {
    return { available: false, reason: `${(err as { name?: string }).name ?? 'Error'}: ${(err as Error).message}`, apis: [] };
  }
  const chosen = listed.filter((a) => o.flow === undefined || a.Tags?.[FLOW_TAG] === o.flow);
  const endpoint = target.endpoints.lambda ?? target.endpoints.sqs;
  const apis = await mapLimit(chosen, 4, async (a): Promise<ApiInfo> => {
    const d = await observeApi(apigw, a);
    const integrations = new Map(d.integrations.map((i) => [i.id, i]));
    const authorizers = new Map(d.authorizers.map((z) => [z.id, z]));
    const routes = d.routes
      .map((r) => {
        const integ = r.target?.startsWith('integrations/') ? integrations.get(r.target.slice('integrations/'.length)) : undefined;
        const auth = r.authorizationType === 'CUSTOM' && r.authorizerId ? authorizers.get(r.authorizerId) : undefined;
        return { route: r.key, function: integ ? (functionOfUri(integ.uri) ?? integ.uri) : null, authorizer: auth?.name ?? null, authorizerFunction: auth ? (functionOfUri(auth.uri) ?? null) : null };
      })
      .sort((x, y) => routeOrder(x.route).localeCompare(routeOrder(y.route)));
    return { id: d.id, name: d.name, flow: d.tags[FLOW_TAG] ?? null, ...invokeUrls(target.kind, endpoint, d), cors: !!d.cors && Object.keys(d.cors).length > 0, routes };
  });
  apis.sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id));
  if (o.publishes && clients.lambda) {
    const lambda = await clients.lambda().catch(() => undefined);
    const fns = [...new Set(apis.flatMap((a) => a.routes.map((r) => r.function)).filter((f): f is string => !!f))];
    const topics = new Map<string, string[]>();
    if (lambda) {
      const { GetFunctionConfigurationCommand } = lambdaSdk();
      await mapLimit(fns, 8, async (fn) => {
        try {
          const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
          // A topic ARN as a value, or a topic name under a *TOPIC_NAME key (the templates' convention).
          const env = Object.entries(c.Environment?.Variables ?? {});
          const names = env.flatMap(([k, v]) => (/^arn:aws[\w-]*:sns:[^:]*:[^:]*:[^:]+$/.test(v) ? [v.split(':').pop()!] : /TOPIC_NAME$/i.test(k) && v ? [v] : []));
          topics.set(fn, [...new Set(names)].sort());
        } catch {
          topics.set(fn, []);
        }
      });
    }
    for (const a of apis) a.publishes = Object.fromEntries(a.routes.filter((r) => r.function && topics.get(r.function)?.length).map((r) => [r.function!, topics.get(r.function!)!]));
  }
  return { available: true, apis };
}

/** Routes sorted by path, then method (`$default` last). */
const routeOrder = (key: string) => (key === '$default' ? '\uffff' : `${key.split(' ')[1] ?? ''} ${key.split(' ')[0]}`);
