/**
 * The only place that constructs AWS SDK clients. One client per target and service for the process.
 * The SDK packages are loaded on first use (sdk.ts, with require: cheaper than import()) so `svl --help` and `--version` never load them; for
 * local targets the emulator is started on demand before the first client is handed out.
 */
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { STSClient } from '@aws-sdk/client-sts';
import { ensureLocalEmulator, type AutostartUi } from './local-autostart.js';
import { apigwSdk, lambdaSdk, logsSdk, s3Sdk, snsSdk, sqsSdk, stsSdk } from './sdk.js';
import type { Service, Target } from './target.js';

const clients = new Map<string, Promise<unknown>>();
const emulatorChecks = new Map<string, Promise<void>>();

/**
 * `cached`: a separate client made with the SDK's cacheMiddleware (each command's middleware resolved
 * once, not on every call) for a command making many calls (doctor's discovery, the redrive mover). Its
 * stack must be complete before its first call, so it is not the shared client (flow commands add a
 * counting middleware to that one); and only a send() without options uses the cache (any send with
 * options drops it), so an abort signal goes through aws/send.ts's sendAbortable.
 */
export interface ClientOptions {
  cached?: boolean;
}

export function getSqs(target: Target, ui: AutostartUi, o: ClientOptions = {}): Promise<SQSClient> {
  return client(target, 'sqs', ui, async (config) => new (sqsSdk()).SQSClient({ ...config, ...(o.cached && { cacheMiddleware: true }) }), o.cached ? 'cached' : '');
}

export function getSns(target: Target, ui: AutostartUi, o: ClientOptions = {}): Promise<SNSClient> {
  return client(target, 'sns', ui, async (config) => new (snsSdk()).SNSClient({ ...config, ...(o.cached && { cacheMiddleware: true }) }), o.cached ? 'cached' : '');
}

export function getLambda(target: Target, ui: AutostartUi): Promise<LambdaClient> {
  return client(target, 'lambda', ui, async (config) => new (lambdaSdk()).LambdaClient(config));
}

/**
 * API Gateway v2 (HTTP APIs). Not one of the target's per-service endpoints (`svl config show` lists
 * SQS, SNS and Lambda): on the emulator it is the emulator's endpoint; on AWS an endpoint given for every
 * service (--endpoint-url, SVL_ENDPOINT_URL, AWS_ENDPOINT_URL) applies, otherwise the SDK's own
 * (which honours AWS_ENDPOINT_URL_APIGATEWAYV2).
 */
export function getApiGatewayV2(target: Target, ui: AutostartUi): Promise<ApiGatewayV2Client> {
  const { endpoint: _sqsEndpoint, ...base } = clientConfig(target, 'sqs');
  const source = target.sources.endpoints.sqs;
  const shared = target.kind === 'local' || (source !== undefined && ['--endpoint-url', 'SVL_ENDPOINT_URL', 'AWS_ENDPOINT_URL'].includes(source));
  const endpoint = shared ? (target.endpoints.lambda ?? target.endpoints.sqs) : undefined;
  const config = { ...base, ...(endpoint !== undefined && { endpoint }) };
  return cached(JSON.stringify([target.kind, 'apigatewayv2', config.region, config.profile, config.endpoint]), async () => {
    if (target.kind === 'local' && config.endpoint) await emulatorReady(config.endpoint, ui);
    return new (apigwSdk()).ApiGatewayV2Client(config);
  });
}

/**
 * S3. On the emulator (an IP endpoint) path-style addressing, as the SDKs and the AWS CLI use for one;
 * its endpoint is the one the other services of the target use (the emulator's, or --endpoint-url /
 * SVL_ENDPOINT_URL); otherwise the SDK's own, which also honours AWS_ENDPOINT_URL_S3.
 */
export function getS3(target: Target, ui: AutostartUi): Promise<S3Client> {
  const config = s3ClientConfig(target);
  const endpoint = config.endpoint;
  return cached(JSON.stringify([target.kind, 's3', config.region, config.profile, endpoint]), async () => {
    if (target.kind === 'local' && endpoint) await emulatorReady(endpoint, ui);
    return new (s3Sdk()).S3Client(config);
  });
}

/** S3's config: an endpoint meant for every service (not SQS's own) with path-style addressing. */
export function s3ClientConfig(target: Target) {
  const generic = target.kind === 'local' || ['--endpoint-url', 'SVL_ENDPOINT_URL', 'AWS_ENDPOINT_URL'].includes(target.sources.endpoints.sqs ?? '');
  const endpoint = generic ? target.endpoints.sqs : undefined;
  const { endpoint: _ignored, ...base } = clientConfig(target, 'sqs');
  return { ...base, ...(endpoint !== undefined && { endpoint, forcePathStyle: true }) };
}

/**
 * STS, only to say which account a command will change (GetCallerIdentity). Never for the emulator
 * (it has no STS): region, profile and credentials as the other clients; the endpoint is the SDK's own
 * (the AWS_ENDPOINT_URL_STS variable and the profile's endpoint_url apply as usual).
 */
export function getSts(target: Target): Promise<STSClient> {
  // The region, profile and credentials every client gets; not the target's endpoint (STS keeps the SDK's own).
  const { endpoint: _endpoint, ...config } = clientConfig(target, 'sqs');
  return cached(JSON.stringify([target.kind, 'sts', config.region, config.profile]), async () => {
    const { STSClient } = stsSdk();
    return new STSClient(config);
  });
}

/**
 * CloudWatch Logs, for a function's log group on AWS (`svl logs`, `svl invoke`'s follow, `svl trace`).
 * Region, profile and credentials of the target's Lambda client. A fresh client each time, not shared:
 * the caller destroys it when its read or follow ends.
 */
export async function newCloudWatchLogs(target: Target): Promise<CloudWatchLogsClient> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { CloudWatchLogsClient } = logsSdk();
  return new CloudWatchLogsClient(clientConfig(target, 'lambda'));
}

/** What every client gets; exported for tests and for the emulator's own integration tests. */
export function clientConfig(target: Target, service: Service) {
  const endpoint = target.endpoints[service];
  return {
    ...(target.region !== undefined && { region: target.region }),
    ...(target.profile !== undefined && { profile: target.profile }),
    ...(endpoint !== undefined && { endpoint }),
    ...(target.credentials !== undefined && { credentials: target.credentials }),
  };
}

type ClientConfig = ReturnType<typeof clientConfig>;

function client<C>(target: Target, service: Service, ui: AutostartUi, make: (config: ClientConfig) => Promise<C>, variant = ''): Promise<C> {
  const config = clientConfig(target, service);
  return cached(JSON.stringify([target.kind, service, config.region, config.profile, config.endpoint, variant]), async () => {
    if (target.kind === 'local' && config.endpoint) await emulatorReady(config.endpoint, ui);
    return make(config);
  });
}

/** One client per key for the whole invocation. */
function cached<C>(key: string, make: () => Promise<C>): Promise<C> {
  let p = clients.get(key) as Promise<C> | undefined;
  if (!p) {
    // svl supports Node 20 on purpose (package.json engines); the SDK's "upgrade to Node 22" warning
    // would be noise on every command. Still overridable by setting the variable explicitly.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    p = make();
    // A failed start is not cached: the next call may try again (e.g. after `svl local start`).
    p.catch(() => clients.delete(key));
    clients.set(key, p);
  }
  return p;
}

function emulatorReady(endpoint: string, ui: AutostartUi): Promise<void> {
  let p = emulatorChecks.get(endpoint);
  if (!p) {
    p = ensureLocalEmulator(endpoint, ui);
    p.catch(() => emulatorChecks.delete(endpoint));
    emulatorChecks.set(endpoint, p);
  }
  return p;
}
