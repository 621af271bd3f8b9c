/**
 * How an HTTP API reads a Lambda function's result (http-api-develop-integrations-lambda.html, "Lambda
 * function response format"). Pure: the function's JSON result in, the HTTP response (or why it is
 * malformed) out.
 *
 * Format 2.0: an object with `statusCode` is a response (statusCode, headers, multiValueHeaders, cookies
 * → one set-cookie each, body, isBase64Encoded); anything else that is valid JSON is inferred as 200,
 * content-type application/json, body = the result (a bare string's text, otherwise the JSON). Format 1.0:
 * the object with statusCode is required. A wrong type for a field is malformed (API Gateway answers 500).
 *
 * Deliberately not here: the gateway's own error bodies and CORS headers (invoke.ts, cors.ts).
 */

export interface HttpResponse {
  status: number;
  /** Lower-case name → values (a name may repeat: set-cookie, multiValueHeaders). */
  headers: Array<[string, string]>;
  body: Buffer;
}

export type ParsedResponse = { ok: true; response: HttpResponse } | { ok: false; error: string };

const MALFORMED = "The response from the Lambda function doesn't match the format that API Gateway expects.";

function wrongType(field: string): ParsedResponse {
  return { ok: false, error: `${MALFORMED} Lambda body contains the wrong type for field "${field}"` };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Reads a structured response (an object with statusCode), shared by both formats. */
function structured(result: Record<string, unknown>, allowCookies: boolean): ParsedResponse {
  const status = result.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return wrongType('statusCode');
  const headers: Array<[string, string]> = [];
  if (result.headers !== undefined && result.headers !== null) {
    if (!isObject(result.headers)) return wrongType('headers');
    const given = result.headers;
    for (const k in given) {
      if (!Object.hasOwn(given, k)) continue;
      const text = scalarText(given[k]);
      if (text === undefined) return wrongType('headers');
      headers.push([k.toLowerCase(), text]);
    }
  }
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (!isObject(result.multiValueHeaders)) return wrongType('multiValueHeaders');
    const seen = new Set(headers.map(([k]) => k));
    for (const [k, list] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(list)) return wrongType('multiValueHeaders');
      // `headers` wins over `multiValueHeaders` for the same name, as API Gateway merges them.
      if (seen.has(k.toLowerCase())) continue;
      for (const v of list) {
        const text = scalarText(v);
        if (text === undefined) return wrongType('multiValueHeaders');
        headers.push([k.toLowerCase(), text]);
      }
    }
  }
  if (allowCookies && result.cookies !== undefined && result.cookies !== null) {
    if (!Array.isArray(result.cookies) || result.cookies.some((c) => typeof c !== 'string')) return wrongType('cookies');
    // Both ship when a response has `cookies` and a set-cookie header: the array's entries first (as observed on AWS).
    headers.unshift(...(result.cookies as string[]).map((c): [string, string] => ['set-cookie', c]));
  }
  const b64 = result.isBase64Encoded;
  if (b64 !== undefined && b64 !== null && typeof b64 !== 'boolean') return wrongType('isBase64Encoded');
  let body = Buffer.alloc(0);
  if (result.body !== undefined && result.body !== null) {
    if (typeof result.body !== 'string') return wrongType('body');
    body = b64 ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  }
  return { ok: true, response: { status, headers, body } };
}

/** Payload format 2.0: `payload` is the function's result JSON text. */
export function parseResponseV2(payload: string): ParsedResponse {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return { ok: false, error: `${MALFORMED} The Lambda function returned a response that is not valid JSON.` };
  }
  if (isObject(result) && 'statusCode' in result) return structured(result, true);
  const body = typeof result === 'string' ? result : JSON.stringify(result);
  return { ok: true, response: { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body, 'utf8') } };
}

/** Payload format 1.0: the result must be an object with statusCode. */
export function parseResponseV1(payload: string): ParsedResponse {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return { ok: false, error: `${MALFORMED} The Lambda function returned a response that is not valid JSON.` };
  }
  if (!isObject(result) || !('statusCode' in result)) return { ok: false, error: `${MALFORMED} Lambda body contains the wrong type for field "statusCode"` };
  return structured(result, false);
}
