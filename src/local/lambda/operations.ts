/**
 * Lambda's REST-JSON operation table: which method + path is which operation, how its input is
 * assembled from path labels, query string, headers and body (as the model binds them), and how the
 * output becomes status, headers and body. The service below sees plain inputs, never HTTP.
 */
import { AwsError } from '../../domain/aws-error.js';
import { matchRoute, restJsonError, restJsonResponse, restRoute, type RestRoute } from '../protocol/rest-json.js';
import type { WireResponse } from '../protocol/json10.js';
import * as E from './errors.js';
import type { LambdaContext, LambdaService } from './service.js';
import type { Input, Output } from './model.js';
import { header, type IncomingRequest } from '../protocol/request.js';

type Op = string;

/** Success statuses AWS answers with (the model's, corrected by AWS recordings: DeleteFunction is 204). */
const STATUS: Record<string, number> = {
  CreateFunction: 201,
  AddPermission: 201,
  DeleteFunction: 204,
  RemovePermission: 204,
  TagResource: 204,
  UntagResource: 204,
  DeleteFunctionEventInvokeConfig: 204,
  CreateEventSourceMapping: 202,
  UpdateEventSourceMapping: 202,
  DeleteEventSourceMapping: 202,
};

const F = '/2015-03-31/functions/{FunctionName}';
const EIC = '/2019-09-25/functions/{FunctionName}/event-invoke-config';

const LAMBDA_ROUTES: RestRoute<Op>[] = [
  restRoute('POST', '/2015-03-31/functions', 'CreateFunction'),
  restRoute('GET', '/2015-03-31/functions', 'ListFunctions'),
  restRoute('GET', F, 'GetFunction'),
  restRoute('DELETE', F, 'DeleteFunction'),
  restRoute('GET', `${F}/configuration`, 'GetFunctionConfiguration'),
  restRoute('PUT', `${F}/configuration`, 'UpdateFunctionConfiguration'),
  restRoute('PUT', `${F}/code`, 'UpdateFunctionCode'),
  restRoute('POST', `${F}/invocations`, 'Invoke'),
  restRoute('POST', `${F}/policy`, 'AddPermission'),
  restRoute('GET', `${F}/policy`, 'GetPolicy'),
  restRoute('DELETE', `${F}/policy/{StatementId}`, 'RemovePermission'),
  restRoute('POST', '/2017-03-31/tags/{Resource}', 'TagResource'),
  restRoute('GET', '/2017-03-31/tags/{Resource}', 'ListTags'),
  restRoute('DELETE', '/2017-03-31/tags/{Resource}', 'UntagResource'),
  restRoute('GET', `${EIC}/list`, 'ListFunctionEventInvokeConfigs'),
  restRoute('PUT', EIC, 'PutFunctionEventInvokeConfig'),
  restRoute('POST', EIC, 'UpdateFunctionEventInvokeConfig'),
  restRoute('GET', EIC, 'GetFunctionEventInvokeConfig'),
  restRoute('DELETE', EIC, 'DeleteFunctionEventInvokeConfig'),
  restRoute('POST', '/2015-03-31/event-source-mappings', 'CreateEventSourceMapping'),
  restRoute('GET', '/2015-03-31/event-source-mappings', 'ListEventSourceMappings'),
  restRoute('GET', '/2015-03-31/event-source-mappings/{UUID}', 'GetEventSourceMapping'),
  restRoute('PUT', '/2015-03-31/event-source-mappings/{UUID}', 'UpdateEventSourceMapping'),
  restRoute('DELETE', '/2015-03-31/event-source-mappings/{UUID}', 'DeleteEventSourceMapping'),
  // Known operations the emulator does not implement: named, so the error says which.
  restRoute('GET', `${F}/versions`, 'ListVersionsByFunction'),
  restRoute('POST', `${F}/versions`, 'PublishVersion'),
  restRoute('GET', `${F}/aliases`, 'ListAliases'),
  restRoute('POST', `${F}/aliases`, 'CreateAlias'),
  restRoute('GET', `${F}/aliases/{Name}`, 'GetAlias'),
  restRoute('PUT', '/2017-10-31/functions/{FunctionName}/concurrency', 'PutFunctionConcurrency'),
  restRoute('GET', '/2019-09-30/functions/{FunctionName}/concurrency', 'GetFunctionConcurrency'),
  restRoute('GET', '/2016-08-19/account-settings', 'GetAccountSettings'),
  restRoute('POST', '/2014-11-13/functions/{FunctionName}/invoke-async', 'InvokeAsync'),
  restRoute('POST', '/2021-11-15/functions/{FunctionName}/response-streaming-invocations', 'InvokeWithResponseStream'),
  restRoute('POST', '/2021-10-31/functions/{FunctionName}/url', 'CreateFunctionUrlConfig'),
  restRoute('GET', '/2018-10-31/layers', 'ListLayers'),
];

/** Path prefixes of the Lambda API (API versions): requests under them belong to Lambda even when no route matches. */
export const LAMBDA_PATH = /^\/(2014-11-13|2015-03-31|2016-08-19|2017-03-31|2017-10-31|2018-10-31|2019-09-25|2019-09-30|2020-04-22|2020-06-30|2021-07-20|2021-10-31|2021-11-15|2024-08-31|2025-\d\d-\d\d)\//;

/** Lambda needs no abort signal: invocations run to their own timeout. */
export type LambdaRequest = Omit<IncomingRequest, 'signal'>;


export async function lambdaRest(req: LambdaRequest, svc: LambdaService, ctx: LambdaContext): Promise<WireResponse> {
  try {
    const match = matchRoute(LAMBDA_ROUTES, req.method, req.path);
    if (!match) throw E.unknownOperation(req.method, req.path);
    const op = match.op;
    if (!(await svc.hasOperation(op))) throw E.notImplemented(op);
    const input = buildInput(req, op, match.labels);
    const output = await svc.call(op, input, ctx);
    return render(op, output, req.requestId);
  } catch (err) {
    if (err instanceof AwsError) return restJsonError(err, req.requestId);
    throw err;
  }
}

function buildInput(req: LambdaRequest, op: Op, labels: Record<string, string>): Input {
  const input: Input = {};
  if (op === 'Invoke') {
    input.Payload = req.body;
    const type = header(req, 'x-amz-invocation-type');
    const logType = header(req, 'x-amz-log-type');
    const cc = header(req, 'x-amz-client-context');
    if (type !== undefined) input.InvocationType = type;
    if (logType !== undefined) input.LogType = logType;
    if (cc !== undefined) input.ClientContext = cc;
  } else if (req.body.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body);
    } catch (err) {
      throw E.invalidRequestContent(`Could not parse request body into json: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw E.invalidRequestContent('Could not parse request body into json: the body must be a JSON object.');
    Object.assign(input, parsed);
  }
  const q = new URLSearchParams(req.search);
  for (const [k, v] of q) {
    if (k === 'tagKeys') (input.TagKeys = (input.TagKeys as string[] | undefined) ?? []) && (input.TagKeys as string[]).push(v);
    else if (k === 'MaxItems') input.MaxItems = /^\d+$/.test(v) ? Number(v) : v;
    else if (['Qualifier', 'Marker', 'FunctionVersion', 'MasterRegion', 'EventSourceArn', 'FunctionName', 'RevisionId'].includes(k)) input[k] = v;
  }
  Object.assign(input, labels);
  return input;
}

function render(op: Op, out: Output, requestId: string): WireResponse {
  if (op === 'Invoke') {
    const status = out.StatusCode as number;
    const headers: Record<string, string> = {};
    if (out.FunctionError) headers['x-amz-function-error'] = String(out.FunctionError);
    if (out.LogResult) headers['x-amz-log-result'] = String(out.LogResult);
    if (out.ExecutedVersion) headers['x-amz-executed-version'] = String(out.ExecutedVersion);
    if (status !== 200) return restJsonResponse(status, undefined, requestId, headers);
    return restJsonResponse(200, String(out.Payload ?? ''), requestId, { ...headers, 'content-type': 'application/json' });
  }
  const status = STATUS[op] ?? 200;
  if (status === 204) return restJsonResponse(204, undefined, requestId);
  return restJsonResponse(status, out, requestId);
}
