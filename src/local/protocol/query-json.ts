/**
 * The JSON variant of a Query-protocol response, which AWS SQS sends when a Query request asks for it
 * with `Accept: application/json`: the XML envelope as nested objects,
 * `{"<Action>Response": {"<Action>Result": {...}, "ResponseMetadata": {"RequestId": "…"}}}`, and errors as
 * `{"Error": {"Type", "Code", "Message"}, "RequestId"}` (LocalStack test_get_queue_attributes_json_format and
 * test_get_list_queues_fails_json_format, aws.validated).
 *
 * Members keep their JSON (model) names, lists are arrays and flattened maps lists of key/value objects
 * named like the XML entries (`"Attributes": [{"Name": "QueueArn", "Value": "arn:…"}]`). Scalars are
 * strings, as in the XML. Deliberately not done: the JSON form of requests (none exists; the request
 * stays form-encoded or a query string).
 */
import type { AwsError } from '../../domain/aws-error.js';
import type { QueryMembers, QueryShape } from './query.js';

export const QUERY_JSON_CONTENT_TYPE = 'application/json';

/** Whether a Query request asks for a JSON answer (`Accept: application/json`, XML not preferred). */
export function wantsQueryJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const a = accept.toLowerCase();
  return a.includes('application/json') && !a.includes('xml');
}

function jsonValue(shape: QueryShape, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof shape === 'string') {
    if (shape === 'boolean') return value === true || value === 'true' ? 'true' : 'false';
    return String(value);
  }
  if (shape.type === 'structure') return jsonStructure(value as Record<string, unknown>, shape.members);
  if (shape.type === 'list') return (Array.isArray(value) ? value : []).map((v) => jsonValue(shape.member, v));
  const keyName = shape.keyName ?? 'key';
  const valueName = shape.valueName ?? 'value';
  return Object.entries(value as Record<string, unknown>).map(([k, v]) => ({ [keyName]: k, [valueName]: jsonValue(shape.value, v) }));
}

function jsonStructure(value: Record<string, unknown>, members: QueryMembers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [jsonName, member] of Object.entries(members)) {
    const v = jsonValue(member.shape, value[jsonName]);
    if (v !== undefined) out[jsonName] = v;
  }
  return out;
}

/** The success document; `members` null: an operation without output (no `<Action>Result`). */
export function renderQueryJsonResponse(action: string, output: Record<string, unknown>, members: QueryMembers | null, requestId: string): string {
  const response: Record<string, unknown> = {};
  if (members !== null) response[`${action}Result`] = jsonStructure(output ?? {}, members);
  response.ResponseMetadata = { RequestId: requestId };
  return JSON.stringify({ [`${action}Response`]: response });
}

export function renderQueryJsonError(err: AwsError, requestId: string, message = err.message): string {
  return JSON.stringify({ Error: { Type: err.fault, Code: err.queryCode, Message: message }, RequestId: requestId });
}
