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
}

/** A request header's (first) value; names are lower case, as node:http gives them. */
export function header(req: Pick<IncomingRequest, 'headers'>, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
