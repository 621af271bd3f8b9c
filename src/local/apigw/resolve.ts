/**
 * What an invoke-URL request names in an API's state, resolved once and reused: the stage (a named stage's
 * first path segment, else `$default`), the route (route-select.ts), the route's authorizer and its
 * integration (stage variables substituted), and for a Lambda integration the function ARN and the
 * execute-api SourceArn its permission must allow. All of it is a pure function of the management state
 * and of (API, method, path form, path), so a resolution is cached until the store's version changes
 * (any write, any reload), bounded (RESOLUTIONS_KEPT, then the cache starts over).
 *
 * AWS rules imitated (http-api-stages.html, http-api-develop-routes.html): a path whose first segment names
 * a stage goes to that stage and the route is matched below it; anything else goes to `$default`, with the
 * whole path (none → 404); the path form (`/_aws/execute-api/<apiId>/$default/…`) also accepts `$default`
 * as the stage segment (LocalStack's convention). Not here: anything that varies per request (headers, body,
 * authorizer decisions, the request id) — invoke.ts.
 */
import { executeApiArn, lambdaArnOfUri, targetIntegrationId, type ApiGatewayReader, type Authorizer, type Integration, type Route, type StoredApi } from './model.js';
import { selectRoute, splitPath, type SelectedRoute } from './route-select.js';
import { safeDecode, type InvokeTarget } from './invoke-url.js';

/** Resolutions kept before the cache is emptied (distinct paths with path variables are unbounded). */
export const RESOLUTIONS_KEPT = 10_000;

/** A request the API's stages serve. */
export interface Resolution {
  stage: string;
  /** The path routes are matched against (below a named stage), percent-encoded. */
  routePath: string;
  /** The path as the access line and the event report it, percent-encoded (with a named stage's prefix). */
  rawPath: string;
  /** `rawPath` percent-decoded, as HTTP APIs deliver it (rawPath, http.path, 1.0 path). */
  decodedPath: string;
  stageVariables?: Record<string, string>;
  /** `arn:aws:execute-api:<region>:<account>:<apiId>`. */
  apiArn: string;
  /** Undefined when no route takes the request. */
  selected?: SelectedRoute<Route>;
  /** A CUSTOM route's authorizer; null when the route names one the stage does not have. */
  authorizer?: Authorizer | null;
  /** The route's integration with stage variables substituted in its URI; undefined when it has none. */
  integration?: Integration;
  /** For an AWS_PROXY integration: the function it names (undefined: it names none), and its name. */
  functionArn?: string;
  functionName?: string;
  /** The SourceArn the function's resource policy must allow: `<apiArn>/<stage>/<METHOD>/<route path>`. */
  sourceArn?: string;
}

export class Resolver {
  private readonly cache = new Map<string, Resolution | null>();
  private version = -1;

  constructor(
    private readonly reader: ApiGatewayReader,
    private readonly account: string,
  ) {}

  /** The stage, route and integration a request names; null when no stage serves it (404). */
  resolve(api: StoredApi, method: string, target: InvokeTarget): Resolution | null {
    const version = this.reader.version();
    if (version !== this.version || this.cache.size >= RESOLUTIONS_KEPT) {
      this.cache.clear();
      this.version = version;
    }
    const key = `${api.apiId} ${method} ${target.pathForm ? 'p' : 'h'} ${target.below}`;
    let r = this.cache.get(key);
    if (r === undefined) {
      r = this.compute(api, method, target);
      this.cache.set(key, r);
    }
    return r;
  }

  private compute(api: StoredApi, method: string, target: InvokeTarget): Resolution | null {
    const at = this.stageOf(api, target);
    if (!at) return null;
    const { stage, routePath, rawPath } = at;
    const apiArn = executeApiArn(api.region, this.account, api.apiId);
    const stageVariables = this.reader.stage(api.apiId, stage)?.stageVariables;
    const r: Resolution = { stage, routePath, rawPath, decodedPath: safeDecode(rawPath), stageVariables, apiArn };
    const selected = selectRoute(this.reader.routes(api.apiId, stage), method, routePath);
    if (!selected) return r;
    r.selected = selected;
    const route = selected.route;
    if (route.authorizationType === 'CUSTOM' && route.authorizerId) r.authorizer = this.reader.authorizer(api.apiId, route.authorizerId, stage) ?? null;
    const integrationId = targetIntegrationId(route.target);
    const stored = integrationId ? this.reader.integration(api.apiId, integrationId, stage) : undefined;
    if (!stored) return r;
    r.integration = { ...stored, integrationUri: withStageVariables(stored.integrationUri, stageVariables) };
    if (r.integration.integrationType !== 'HTTP_PROXY') {
      r.functionArn = lambdaArnOfUri(r.integration.integrationUri);
      r.functionName = r.functionArn && (r.functionArn.split(':')[6] ?? r.functionArn);
      r.sourceArn = `${apiArn}/${stage}/${routeArnTail(route, method)}`;
    }
    return r;
  }

  private stageOf(api: StoredApi, target: InvokeTarget): { stage: string; routePath: string; rawPath: string } | undefined {
    const segs = splitPath(target.below);
    const first = segs[0] !== undefined ? safeDecode(segs[0]) : undefined;
    const rest = `/${segs.slice(1).join('/')}`;
    if (first !== undefined && first !== '$default' && this.reader.stage(api.apiId, first)) return { stage: first, routePath: rest, rawPath: target.below };
    if (!this.reader.stage(api.apiId, '$default')) return undefined;
    if (target.pathForm && first === '$default') return { stage: '$default', routePath: rest, rawPath: rest };
    return { stage: '$default', routePath: target.below, rawPath: target.below };
  }
}

/** `${stageVariables.name}` in an integration URI, replaced by the stage's value (http-api-stages.stage-variables-reference.html). */
export function withStageVariables(uri: string | undefined, vars: Record<string, string> | undefined): string | undefined {
  return uri?.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (all, name: string) => vars?.[name] ?? all);
}

/** The route part of an execute-api SourceArn: `GET/users/{id}`, `$default` for the default route. */
function routeArnTail(route: Route, method: string): string {
  if (route.routeKey === '$default') return '$default';
  const i = route.routeKey.indexOf(' ');
  return `${method}/${route.routeKey.slice(i + 2)}`;
}
