/**
 * API Gateway v2 (HTTP APIs): the stored shapes, in the API's own lower-camel JSON member names (what
 * GetApi/GetRoute/… answer), and the synchronous read interface the data plane (invoke URLs) uses.
 *
 * This file is the contract between the management API (store.ts, operations) and the data plane
 * (invoke.ts, route-select.ts, …): pure types and tiny pure helpers, no I/O, no HTTP.
 *
 * Deliberately not here: WebSocket APIs (protocolType 'WEBSOCKET' is refused), JWT validation,
 * request/response templates, VPC links, domain names.
 */

export type Tags = Record<string, string>;

export interface CorsConfiguration {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  /** Seconds, -1..86400. */
  maxAge?: number;
  allowCredentials?: boolean;
}

export interface Api {
  apiId: string;
  name: string;
  protocolType: 'HTTP';
  /** Always `$request.method $request.path` for HTTP APIs. */
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  /** `http://<apiId>.execute-api.localhost:<port>` — derived from the emulator's port when answered. */
  apiEndpoint: string;
  corsConfiguration?: CorsConfiguration;
  description?: string;
  disableExecuteApiEndpoint: boolean;
  disableSchemaValidation?: boolean;
  ipAddressType: 'ipv4' | 'dualstack';
  version?: string;
  /** ISO-8601 on the wire (the SDK parses it into a Date). */
  createdDate: string;
  tags: Tags;
}

/** What the store keeps besides the wire shape: the region the API lives in (its ARNs and SourceArn use it). */
export interface StoredApi extends Api {
  region: string;
}

export type IntegrationType = 'AWS_PROXY' | 'HTTP_PROXY';

export interface Integration {
  integrationId: string;
  integrationType: IntegrationType;
  /** AWS_PROXY: a Lambda function ARN (or `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`); HTTP_PROXY: a URL. */
  integrationUri?: string;
  /** HTTP_PROXY: the method used to call the URL (`ANY` passes the request's). AWS_PROXY: always `POST`. */
  integrationMethod?: string;
  payloadFormatVersion: '1.0' | '2.0';
  /** 50..30000, default 30000. */
  timeoutInMillis: number;
  connectionType: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  credentialsArn?: string;
  description?: string;
  /** Parameter mapping (`overwrite:path`, `append:header.x`, …); stored and answered, not applied by the data plane yet. */
  requestParameters?: Record<string, string>;
  responseParameters?: Record<string, Record<string, string>>;
  integrationSubtype?: string;
  tlsConfig?: { serverNameToVerify?: string };
  /** True for the integration a quick create made. */
  apiGatewayManaged?: boolean;
}

export type AuthorizationType = 'NONE' | 'CUSTOM' | 'JWT' | 'AWS_IAM';

export interface Route {
  routeId: string;
  /** `$default` or `METHOD /path` (METHOD is GET/POST/PUT/PATCH/DELETE/HEAD/OPTIONS/ANY). */
  routeKey: string;
  /** `integrations/<integrationId>`; absent for a route with no integration yet. */
  target?: string;
  authorizationType: AuthorizationType;
  authorizerId?: string;
  authorizationScopes?: string[];
  apiKeyRequired: boolean;
  operationName?: string;
  requestParameters?: Record<string, { required: boolean }>;
  apiGatewayManaged?: boolean;
}

export interface RouteSettings {
  dataTraceEnabled?: boolean;
  detailedMetricsEnabled?: boolean;
  loggingLevel?: 'ERROR' | 'INFO' | 'OFF';
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
}

export interface Stage {
  stageName: string;
  autoDeploy: boolean;
  stageVariables?: Record<string, string>;
  /** The deployment the stage serves; for auto-deploy stages, the latest automatic deployment. */
  deploymentId?: string;
  description?: string;
  createdDate: string;
  lastUpdatedDate: string;
  defaultRouteSettings: RouteSettings;
  routeSettings?: Record<string, RouteSettings>;
  accessLogSettings?: { destinationArn?: string; format?: string };
  clientCertificateId?: string;
  lastDeploymentStatusMessage?: string;
  apiGatewayManaged?: boolean;
  tags: Tags;
}

export interface Authorizer {
  authorizerId: string;
  name: string;
  authorizerType: 'REQUEST' | 'JWT';
  /** REQUEST: `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{lambdaArn}/invocations` (or a plain Lambda ARN). */
  authorizerUri?: string;
  authorizerPayloadFormatVersion?: '1.0' | '2.0';
  /** Only with payload format 2.0: the Lambda answers `{isAuthorized, context}`. */
  enableSimpleResponses?: boolean;
  /** e.g. `$request.header.Authorization`, `$request.querystring.token`, `$context.x`, `$stageVariables.x`. */
  identitySource: string[];
  /** 0..3600; 0 disables caching. Default 300 on AWS when omitted for REQUEST authorizers. */
  authorizerResultTtlInSeconds?: number;
  authorizerCredentialsArn?: string;
  identityValidationExpression?: string;
  jwtConfiguration?: { audience?: string[]; issuer?: string };
}

export interface Deployment {
  deploymentId: string;
  deploymentStatus: 'PENDING' | 'FAILED' | 'DEPLOYED';
  deploymentStatusMessage?: string;
  description?: string;
  createdDate: string;
  autoDeployed: boolean;
}

/** What a deployment froze: the routes, integrations and authorizers at the time it was made. */
export interface DeploymentSnapshot {
  routes: Route[];
  integrations: Integration[];
  authorizers: Authorizer[];
}

/**
 * The data plane's synchronous view of the management state (an in-memory cache kept in step with
 * SQLite: every write commits first, then updates the cache).
 *
 * With `stageName`, `routes`/`integration`/`authorizer` answer what that stage serves: for an auto-deploy
 * stage, the current definitions; for any other stage, its deployment's snapshot (nothing when it has no
 * deployment — AWS answers `{"message":"Not Found"}` then). Without `stageName`, the current definitions.
 */
export interface ApiGatewayReader {
  /** Changes whenever anything below may answer differently (what the data plane resolved from it is stale). */
  version(): number;
  api(apiId: string): StoredApi | undefined;
  apis(): StoredApi[];
  routes(apiId: string, stageName?: string): Route[];
  integration(apiId: string, integrationId: string, stageName?: string): Integration | undefined;
  authorizer(apiId: string, authorizerId: string, stageName?: string): Authorizer | undefined;
  stage(apiId: string, stageName: string): Stage | undefined;
  stages(apiId: string): Stage[];
}

/** `integrations/abc1234` → `abc1234`; undefined for anything else. */
export function targetIntegrationId(target: string | undefined): string | undefined {
  const m = /^integrations\/([A-Za-z0-9]+)$/.exec(target ?? '');
  return m?.[1];
}

/** The execute-api ARN prefix a Lambda permission's SourceArn is matched against: `arn:aws:execute-api:{region}:{account}:{apiId}`. */
export function executeApiArn(region: string, account: string, apiId: string): string {
  return `arn:aws:execute-api:${region}:${account}:${apiId}`;
}

/**
 * The Lambda function ARN an AWS_PROXY integration or REQUEST authorizer URI names: a plain function ARN,
 * or the `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations` form.
 */
export function lambdaArnOfUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const m = /^arn:[^:]+:apigateway:[^:]+:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri);
  if (m) return decodeURIComponent(m[1]!);
  return /^arn:[^:]+:lambda:/.test(uri) ? uri : undefined;
}
