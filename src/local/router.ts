/**
 * Request -> (service, protocol, operation). Protocol code never touches state: it decodes the request
 * into an operation input, calls the service, and encodes the output or the AwsError.
 *
 * - `X-Amz-Target: AmazonSQS.<Op>` (JSON 1.0)                         -> SQS
 * - form body / query string with `Action=<Op>` (Query), SQS actions  -> SQS (also POSTs to a queue URL path)
 * - `/2015-03-31/functions…` and the other Lambda API-version paths (REST-JSON)   -> Lambda
 * - `/_svl/...`                                                        -> svl's own control API
 * - SigV4 scope `apigateway`, or an unsigned `/v2/apis…`/`/v2/tags/…` (REST-JSON) -> API Gateway v2 management
 * - Streaming, decided before the body is read (`streamingService`): SigV4 scope `s3`, a `<bucket>.localhost`
 *   host, or an unsigned request no other service claims -> S3; `<apiId>.execute-api.localhost` hosts and
 *   `/_aws/execute-api/<apiId>/…` -> API Gateway invoke URLs.
 *
 * The region of a request is its SigV4 credential scope's (Authorization header, or X-Amz-Credential
 * for presigned URLs); unsigned requests are in us-east-1. SQS and SNS resources are regional.
 *
 * SQS's Query codec (sqs/query.ts) is imported by the first SQS Query request (or Query error), not at
 * start: today's SDKs speak JSON 1.0 to SQS. Which actions are SQS's is the SQS service's to say (the codec
 * covers exactly its operations: sqs/query.test.ts).
 */
import { AwsError } from '../domain/aws-error.js';
import { header, type CredentialScope, type IncomingRequest } from './protocol/request.js';
import { json10Error, json10Response, parseJson10Body, type WireResponse } from './protocol/json10.js';
import { parseQueryParams } from './protocol/query.js';
import { QUERY_RESPONSE_CONTENT_TYPE } from './protocol/xml.js';
import { QUERY_JSON_CONTENT_TYPE, wantsQueryJson } from './protocol/query-json.js';
import type { SqsContext, SqsService } from './sqs/service.js';
import { invalidAction } from './sqs/errors.js';
import type { SnsService } from './sns/service.js';
import { SNS_QUERY_ACTIONS, snsQueryError, snsQueryInput, snsQueryOutput } from './sns/query.js';
import type { ControlApi } from './control.js';
import type { LambdaService } from './lambda/service.js';
import { LAMBDA_PATH, lambdaRest } from './lambda/operations.js';
import type { ApiGatewayService } from './apigw/service.js';

export type { CredentialScope, IncomingRequest };

let sqsQueryCodec: Promise<typeof import('./sqs/query.js')> | undefined;
const sqsQuery = () => (sqsQueryCodec ??= import('./sqs/query.js'));

export interface RouterServices {
  sqs: SqsService;
  sns: SnsService;
  control: ControlApi;
  lambda?: LambdaService;
  apigw?: ApiGatewayService;
  defaultBaseUrl: string;
}

/** The parts of a request known before its body is read (and the router's cache of its credential scope). */
export type RequestHead = Pick<IncomingRequest, 'method' | 'path' | 'search' | 'headers' | 'credentialScope'>;

const UNSIGNED: CredentialScope = Object.freeze({ header: false });

/**
 * The request's credential scope, read once per request (routing, region and caller all read it) and kept
 * on the request. A client signs every request of a day with the same credential, so the last one's
 * scope is reused when the credential is the same string (scopes are frozen: requests share them).
 */
function credentialScope(req: RequestHead): CredentialScope {
  return (req.credentialScope ??= readCredentialScope(req));
}

let lastCredential = '';
let lastScope: CredentialScope = UNSIGNED;

function readCredentialScope(req: RequestHead): CredentialScope {
  const fromHeader = headerCredential(header(req, 'authorization'));
  if (fromHeader !== undefined && fromHeader === lastCredential) return lastScope;
  const credential =
    fromHeader ?? (req.search.includes('X-Amz-Credential') ? new URLSearchParams(req.search).get('X-Amz-Credential') ?? undefined : undefined);
  if (credential === undefined) return UNSIGNED;
  const [accessKey, , region, service, terminator] = credential.split('/');
  const scope: CredentialScope = Object.freeze({
    header: fromHeader !== undefined,
    accessKey,
    region: region && /^[a-z0-9-]{1,32}$/.test(region) ? region : undefined,
    service: terminator === 'aws4_request' && service && /^[a-z0-9-]+$/.test(service) ? service : undefined,
  });
  if (fromHeader !== undefined) {
    lastCredential = fromHeader;
    lastScope = scope;
  }
  return scope;
}

/** The `Credential=` value of an Authorization header: up to a comma or white space, never empty (else undefined). */
function headerCredential(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const at = authorization.indexOf('Credential=');
  if (at < 0) return undefined;
  const start = at + 11;
  let end = start;
  while (end < authorization.length) {
    const c = authorization.charCodeAt(end);
    // What /[^,\s]/ stops at: a comma, ASCII white space (tab to CR, space), and beyond ASCII whatever \s matches.
    if (c === 44 || c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(authorization[end]!))) break;
    end++;
  }
  return end > start ? authorization.slice(start, end) : undefined;
}

/** The region of the request, if signed. */
export function requestRegion(req: RequestHead): string | undefined {
  return credentialScope(req).region;
}

/** The caller's account when the Authorization header's access key id is a 12-digit account id (see sns/permissions.ts). */
function callerAccount(req: IncomingRequest): string | undefined {
  const scope = credentialScope(req);
  return scope.header && scope.accessKey && /^\d{12}$/.test(scope.accessKey) ? scope.accessKey : undefined;
}

let lastHost = '';
let lastBaseUrl = '';

/** `http://<Host header>`, or `fallback` without a usable Host (the last host's is kept: clients send the same one). */
export function baseUrl(req: RequestHead, fallback: string): string {
  const host = header(req, 'host');
  if (!host) return fallback;
  if (host === lastHost) return lastBaseUrl;
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) return fallback;
  lastHost = host;
  lastBaseUrl = `http://${host}`;
  return lastBaseUrl;
}

const EXECUTE_API_HOST = /^[a-z0-9]{1,32}\.execute-api\.localhost(:\d+)?$/i;
const EXECUTE_API_PATH = '/_aws/execute-api/';
const APIGW_MANAGEMENT_PATH = /^\/v2\/(apis|tags)(\/|$)/;

/**
 * Which streaming service answers a request, decided before its body is read (S3 bodies stream to disk;
 * invoke URLs take binary bodies); undefined for the buffered services. The SigV4 scope decides first:
 * a path-style PUT to a bucket named `2015-03-31` is S3's, not Lambda's.
 */
export function streamingService(req: RequestHead): 's3' | 'execute-api' | undefined {
  if (req.path.startsWith('/_svl/')) return undefined;
  const host = header(req, 'host') ?? '';
  if (req.path.startsWith(EXECUTE_API_PATH) || EXECUTE_API_HOST.test(host)) return 'execute-api';
  const { service } = credentialScope(req);
  if (service) return service === 's3' ? 's3' : undefined;
  if (/^[^:]+\.localhost(:\d+)?$/i.test(host)) return 's3'; // virtual-hosted style: <bucket>.localhost
  // Unsigned: whatever no other service claims is S3's (a browser or curl GET of an object).
  if (header(req, 'x-amz-target') || LAMBDA_PATH.test(req.path) || APIGW_MANAGEMENT_PATH.test(req.path) || isQueuePath(req.path)) return undefined;
  if (/(^\?|&)Action=/.test(req.search) || (header(req, 'content-type') ?? '').includes('application/x-www-form-urlencoded')) return undefined;
  return 's3';
}

/** Whether `route` gives this request to API Gateway's management API (the server loads it first when it loads it on first use). */
export function isApigwManagement(req: RequestHead): boolean {
  if (req.path.startsWith('/_svl/')) return false;
  const { service } = credentialScope(req);
  return service === 'apigateway' || (!service && APIGW_MANAGEMENT_PATH.test(req.path));
}

export async function route(req: IncomingRequest, svc: RouterServices): Promise<WireResponse> {
  if (req.path.startsWith('/_svl/')) return svc.control.handle(req);
  if (svc.apigw && isApigwManagement(req)) {
    return svc.apigw.rest(req, { requestId: req.requestId, baseUrl: baseUrl(req, svc.defaultBaseUrl), region: requestRegion(req) });
  }
  if (svc.lambda && LAMBDA_PATH.test(req.path)) return lambdaRest(req, svc.lambda, { requestId: req.requestId, baseUrl: baseUrl(req, svc.defaultBaseUrl) });

  const target = header(req, 'x-amz-target');
  if (target) {
    const dot = target.indexOf('.');
    const prefix = dot > 0 ? target.slice(0, dot) : target;
    const op = dot > 0 ? target.slice(dot + 1) : '';
    if (prefix === 'AmazonSQS') return sqsJson(req, op, svc);
    return json10Error(
      new AwsError('UnknownOperationException', `Unknown target ${target}.`, { namespace: 'com.amazon.coral.service' }),
      req.requestId,
      false,
    );
  }

  const contentType = header(req, 'content-type') ?? '';
  const params =
    req.method === 'GET'
      ? parseQueryParams(req.search)
      : contentType.includes('application/x-www-form-urlencoded') || contentType === ''
        ? parseQueryParams(req.body || req.search)
        : undefined;
  const action = params?.Action;
  if (params && action) {
    const service = queryService(req, action, params, svc.sqs);
    if (service === 'sqs') return sqsQueryRequest(req, action, params, svc);
    if (service === 'sns') return snsQuery(req, action, params, svc);
    return xmlError(invalidAction(action), req.requestId, wantsQueryJson(header(req, 'accept')));
  }
  // A GET of a queue URL without an action: AWS answers 404 `<UnknownOperationException/>`, in XML even
  // when JSON is accepted (LocalStack test_get_without_query_returns_unknown_operation and
  // test_get_without_query_json_format_returns_returns_xml, aws.validated).
  if (req.method === 'GET' && isQueuePath(req.path)) {
    return {
      status: 404,
      headers: { 'content-type': QUERY_RESPONSE_CONTENT_TYPE, 'x-amzn-requestid': req.requestId },
      body: '<UnknownOperationException/>',
    };
  }
  return {
    status: 404,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': req.requestId },
    body: JSON.stringify({
      __type: 'UnknownOperationException',
      message: 'svl emulator: no service answers this request (expected an AWS JSON 1.0, Query or Lambda REST-JSON request, or /_svl/health).',
    }),
  };
}

/**
 * SQS and SNS both speak Query on this endpoint. The SigV4 credential scope names the service; without
 * it, the queue URL path or the action decides (AddPermission/RemovePermission exist in both: a
 * QueueUrl parameter means SQS).
 */
function queryService(req: IncomingRequest, action: string, params: Record<string, string>, sqs: SqsService): 'sqs' | 'sns' | undefined {
  const { header: signed, service } = credentialScope(req);
  const scope = signed ? service : undefined;
  if (scope === 'sqs' && sqs.hasOperation(action)) return 'sqs';
  if (scope === 'sns' && SNS_QUERY_ACTIONS.includes(action)) return 'sns';
  if (isQueuePath(req.path) || params.QueueUrl !== undefined) return sqs.hasOperation(action) ? 'sqs' : undefined;
  if (SNS_QUERY_ACTIONS.includes(action)) return 'sns';
  if (sqs.hasOperation(action)) return 'sqs';
  return undefined;
}

async function snsQuery(req: IncomingRequest, action: string, params: Record<string, string>, svc: RouterServices): Promise<WireResponse> {
  const headers = { 'content-type': QUERY_RESPONSE_CONTENT_TYPE, 'x-amzn-requestid': req.requestId };
  try {
    const input = snsQueryInput(action, params);
    if (!input) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
    const output = await svc.sns.request(action, input, {
      requestId: req.requestId,
      baseUrl: baseUrl(req, svc.defaultBaseUrl),
      traceHeader: header(req, 'x-amzn-trace-id'),
      callerAccount: callerAccount(req),
      region: requestRegion(req),
    });
    return { status: 200, headers, body: snsQueryOutput(action, output, req.requestId) };
  } catch (err) {
    if (err instanceof AwsError) return { status: err.status, headers, body: snsQueryError(err, req.requestId) };
    throw err;
  }
}

/** `/<account>/<name>`, or `/queue/<region>/<account>/<name>` (queue URLs outside us-east-1). */
const isQueuePath = (path: string) => /^(\/queue\/[a-z0-9-]{1,32})?\/\d{12}\/[A-Za-z0-9_.-]+\/?$/.test(path);

/**
 * An SQS call's context from its HTTP request. The request's AbortSignal is made only when asked for (a
 * long poll; see server.ts), through a getter on the prototype: an object literal's getter is a new
 * closure and accessor per request.
 */
class HttpSqsContext implements SqsContext {
  readonly requestId: string;
  readonly traceHeader: string | undefined;
  readonly region: string | undefined;
  constructor(
    private readonly req: IncomingRequest,
    readonly baseUrl: string,
  ) {
    this.requestId = req.requestId;
    this.traceHeader = header(req, 'x-amzn-trace-id');
    this.region = requestRegion(req);
  }
  get signal(): AbortSignal {
    return this.req.signal;
  }
}

async function sqsJson(req: IncomingRequest, op: string, svc: RouterServices): Promise<WireResponse> {
  let input: unknown;
  try {
    input = parseJson10Body(req.body);
  } catch {
    return json10Error(
      new AwsError('SerializationException', 'The request body is not valid JSON.', { namespace: 'com.amazon.coral.service' }),
      req.requestId,
      true,
    );
  }
  try {
    if (!svc.sqs.hasOperation(op)) {
      throw new AwsError('UnknownOperationException', `Unknown operation ${op}.`, { namespace: 'com.amazon.coral.service', queryCode: 'InvalidAction' });
    }
    const output = await svc.sqs.request(op, input as Record<string, unknown>, new HttpSqsContext(req, baseUrl(req, svc.defaultBaseUrl)));
    return json10Response(output, req.requestId);
  } catch (err) {
    if (err instanceof AwsError) return json10Error(err, req.requestId, true);
    throw err;
  }
}

async function sqsQueryRequest(req: IncomingRequest, action: string, params: Record<string, string>, svc: RouterServices): Promise<WireResponse> {
  const json = wantsQueryJson(header(req, 'accept'));
  const { NOT_FOR_QUEUE_ENDPOINT, sqsQueryInput, sqsQueryOutput } = await sqsQuery();
  try {
    const base = baseUrl(req, svc.defaultBaseUrl);
    const pathQueueUrl = isQueuePath(req.path) ? `${base}${req.path.replace(/\/$/, '')}` : undefined;
    if (pathQueueUrl !== undefined && NOT_FOR_QUEUE_ENDPOINT.has(action)) throw invalidAction(action);
    const input = sqsQueryInput(action, params, pathQueueUrl);
    if (!input) throw invalidAction(action);
    const output = await svc.sqs.request(action, input, new HttpSqsContext(req, base));
    return {
      status: 200,
      headers: { 'content-type': json ? QUERY_JSON_CONTENT_TYPE : QUERY_RESPONSE_CONTENT_TYPE, 'x-amzn-requestid': req.requestId },
      body: sqsQueryOutput(action, output, req.requestId, json),
    };
  } catch (err) {
    if (err instanceof AwsError) return xmlError(err, req.requestId, json);
    throw err;
  }
}

/** A Query error, as XML or (`json`, for `Accept: application/json`) as JSON. */
async function xmlError(err: AwsError, requestId: string, json = false): Promise<WireResponse> {
  const { sqsQueryError } = await sqsQuery();
  return {
    status: err.status,
    headers: { 'content-type': json ? QUERY_JSON_CONTENT_TYPE : QUERY_RESPONSE_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: sqsQueryError(err, requestId, json),
  };
}
