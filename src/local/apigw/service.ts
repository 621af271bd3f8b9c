/**
 * API Gateway v2 (HTTP APIs). The management API (REST-JSON, `/v2/apis…`, `/v2/tags/…`) arrives buffered
 * like the other services' requests and is answered by rest.ts and the operation files; invoke URLs
 * (`<apiId>.execute-api.localhost`, `/_aws/execute-api/…`) are handed over before their body is read, so
 * binary bodies arrive as bytes. State: store.ts (SQLite, migration 7, cached in memory); the data plane
 * reads it through `store` (model.ts `ApiGatewayReader`).
 *
 * Fidelity ledger (management API)
 * - Supported: CreateApi (HTTP; quick create with `target` [+ `routeKey`]: an AWS_PROXY payload-2.0
 *   integration for a Lambda ARN, HTTP_PROXY for a URL, the route (`$default` without routeKey) and an
 *   auto-deploying `$default` stage), GetApi(s), UpdateApi (quick-create target/routeKey too), DeleteApi
 *   (children go with it); Integrations (AWS_PROXY 1.0/2.0, HTTP_PROXY, timeoutInMillis 50..30000,
 *   default 30000); Routes (route-key grammar, `{var}`, final `{proxy+}`, duplicates and conflicting
 *   variables → 409); Stages (`$default` and named, autoDeploy, stageVariables, route settings stored);
 *   Deployments (Create/Get(s)/Update/Delete); Authorizers (REQUEST: Lambda, payload 1.0/2.0, simple
 *   responses with 2.0, identity sources, TTL 0..3600; JWT stored); DeleteCorsConfiguration,
 *   DeleteRouteRequestParameter, DeleteAccessLogSettings, DeleteRouteSettings; TagResource/UntagResource/
 *   GetTags on APIs and stages. Lists page with maxResults/nextToken. APIs are regional (the SigV4
 *   scope's region; us-east-1 unsigned). Each change writes one log line (`APIGW CreateRoute <apiId> …`).
 * - What a stage serves: an auto-deploy stage serves the current definitions, and every change to
 *   routes, integrations or authorizers records an automatic deployment (`autoDeployed: true`) and moves
 *   the stage's deploymentId to it; any other stage serves the snapshot its deployment froze (routes,
 *   integrations, authorizers at CreateDeployment time), and nothing without one. API-level settings
 *   (CORS, disableExecuteApiEndpoint) apply immediately, not per deployment (AWS deploys them too).
 * - Error texts verified against recorded AWS answers: `Invalid API identifier specified
 *   <account>:<apiId>` (404), `Route key is required`, `One or more path parts appear to be invalid`,
 *   `Unable to deploy API because no routes exist in this API` (400), the route-variable conflict
 *   (409). UNVERIFIED (phrasing modelled on AWS's; code and status per the model): the other not-found
 *   texts (route, integration, authorizer, deployment, tag resource; a stage's is REST API v1's recorded
 *   `Invalid stage identifier specified`), `Invalid protocol specified. Must be one of [HTTP,
 *   WEBSOCKET]`, the duplicate route key / stage conflicts, and the validation texts (bad route key, timeout range, payload format, identity source, TTL, CORS, paging).
 * - Ids: lower-case alphanumerics, 10 characters for APIs, 7 for routes and integrations, 6 for
 *   authorizers and deployments (as in the AWS CLI reference examples).
 * - Deliberately different: deleting an integration a route targets, or an authorizer a route uses, is
 *   refused with ConflictException (AWS's exact answer UNVERIFIED); apiKeyRequired=true is refused
 *   (HTTP APIs have no API keys); REQUEST authorizers without authorizerResultTtlInSeconds get 300
 *   (UNVERIFIED default). No throttling: TooManyRequestsException is never answered.
 * - Not supported (answered with BadRequestException naming the operation or feature): WebSocket APIs,
 *   ImportApi/ReimportApi/ExportApi, models, route and integration responses, ResetAuthorizersCache,
 *   domain names, API mappings, VPC links (and VPC_LINK integrations), AWS service integrations
 *   (integrationSubtype), portals. A path no operation answers is a NotFoundException.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import { SILENT, type LogFn } from '../log.js';
import type { SnsService } from '../sns/service.js';
import type { LambdaService } from '../lambda/service.js';
import type { IncomingRequest, StreamContext } from '../protocol/request.js';
import type { WireResponse } from '../protocol/json10.js';
import { ApiEventRecorder } from './recorder.js';
import { ApiGatewayStore } from './store.js';
import { apigwRest } from './rest.js';
import { DEFAULT_REGION } from './constants.js';
import { ApiDataPlane } from './invoke.js';

export interface ApiGatewayServiceOptions {
  db: Db;
  clock: Clock;
  sns: SnsService;
  lambda: LambdaService;
  log?: LogFn;
}

export class ApiGatewayService {
  /** The Lambda events of recent requests, for `svl http --event` (recorder.ts). */
  readonly events = new ApiEventRecorder();

  /** The management state, read synchronously by the data plane (see model.ts `ApiGatewayReader`). */
  readonly store: ApiGatewayStore;

  constructor(readonly opts: ApiGatewayServiceOptions) {
    this.store = new ApiGatewayStore(opts.db);
  }

  /** One management API request (`/v2/apis…`, `/v2/tags/…`). */
  async rest(req: IncomingRequest, ctx: { requestId: string; baseUrl: string; region?: string }): Promise<WireResponse> {
    return apigwRest(req, { store: this.store, now: () => this.opts.clock.now(), region: ctx.region ?? DEFAULT_REGION, baseUrl: ctx.baseUrl, log: this.opts.log });
  }

  /** One request to an invoke URL; the body is still unread on `req` (the data plane: invoke.ts). */
  async invoke(req: IncomingMessage, res: ServerResponse, ctx: StreamContext): Promise<void> {
    this.dataPlane ??= new ApiDataPlane({ reader: this.store, lambda: this.opts.lambda, clock: this.opts.clock, log: this.opts.log ?? SILENT, record: (e) => this.events.record(e) });
    return this.dataPlane.invoke(req, res, ctx);
  }

  private dataPlane?: ApiDataPlane;

  start(): void {}
  stop(): void {}

  /** Why API Gateway is not idle (empty when it is). */
  busy(): string[] {
    return this.dataPlane?.busy() ?? [];
  }
}
