/** An HTTP request as the emulator's protocol codecs see it: body already read (and size-checked). */
export interface IncomingRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  requestId: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** The request's SigV4 credential scope, once the router has read it (router.ts `credentialScope`). */
  credentialScope?: CredentialScope;
}

/** What a SigV4 credential scope (`Credential=<key>/<date>/<region>/<service>/aws4_request`) names. */
export interface CredentialScope {
  /** From the Authorization header (as opposed to a presigned URL's X-Amz-Credential). */
  readonly header: boolean;
  readonly accessKey?: string;
  readonly region?: string;
  readonly service?: string;
}

/** What a streaming service (S3, API Gateway invoke URLs) gets besides the raw request and response. */
export interface StreamContext {
  requestId: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Path (still percent-encoded, as received) and query string (with its `?`, or empty). */
  path: string;
  search: string;
  /** Origin of the emulator as the client called it (`http://host:port`). */
  baseUrl: string;
  /** The SigV4 credential scope's region; undefined for unsigned requests. */
  region?: string;
}

/** A request header's (first) value; names are lower case, as node:http gives them. */
export function header(req: Pick<IncomingRequest, 'headers'>, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
