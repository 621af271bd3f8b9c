/**
 * AWS JSON 1.0 (SQS): `X-Amz-Target: AmazonSQS.<Op>`, JSON body in and out. Errors carry `__type`
 * (`<namespace>#<Code>`), `message`, and — because SQS is `awsQueryCompatible` — the header
 * `x-amzn-query-error: <legacy query code>;Sender` that SDKs map to the old error codes.
 */
import type { AwsError } from '../../domain/aws-error.js';

export const JSON10_CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** A binary body, sent instead of `body` (e.g. a Lambda deployment package). */
  bodyBytes?: Buffer;
}

export function json10Response(output: unknown, requestId: string): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': JSON10_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: JSON.stringify(output ?? {}),
  };
}

export function json10Error(err: AwsError, requestId: string, queryCompatible: boolean): WireResponse {
  const headers: Record<string, string> = { 'content-type': JSON10_CONTENT_TYPE, 'x-amzn-requestid': requestId };
  if (queryCompatible) headers['x-amzn-query-error'] = `${err.queryCode};${err.fault}`;
  const type = err.namespace ? `${err.namespace}#${err.code}` : err.code;
  return { status: err.status, headers, body: JSON.stringify({ __type: type, message: err.message }) };
}

/** Parses a JSON 1.0 body; an empty body means `{}` (SDKs send `{}` for empty input). */
export function parseJson10Body(body: string): unknown {
  if (body.trim() === '') return {};
  return JSON.parse(body) as unknown;
}
