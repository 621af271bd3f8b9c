/**
 * The Lambda events the data plane produced, kept per API Gateway request id for `svl http --event`
 * (read through `GET /_svl/apigw/events/<requestId>`). In memory only and bounded (the last
 * EVENTS_KEPT requests, each event's `body` cut to BODY_KEPT characters, so a few MB at most): a
 * debugging aid, not an audit log; it does not record responses or bodies of requests that never
 * reached a function (401/403/404 answered by the gateway itself).
 */
export const EVENTS_KEPT = 200;
/** The part of an event's `body` kept (characters; base64 for binary bodies). */
export const BODY_KEPT = 64 * 1024;

export interface RecordedEvent {
  requestId: string;
  apiId: string;
  routeKey: string;
  /** The function the route's integration invoked (or the authorizer's, for `kind: 'authorizer'`). */
  function: string;
  kind: 'integration' | 'authorizer';
  payloadFormatVersion: string;
  /** The event exactly as it was sent to the function. */
  event: unknown;
  at: number;
  /** Set when the event's `body` was longer than BODY_KEPT: its full length; `event.body` holds its start. */
  bodyTruncatedFrom?: number;
}

export class ApiEventRecorder {
  private readonly byRequest = new Map<string, RecordedEvent[]>();

  record(e: RecordedEvent): void {
    e = truncateBody(e);
    const list = this.byRequest.get(e.requestId);
    if (list) list.push(e);
    else {
      this.byRequest.set(e.requestId, [e]);
      // Maps iterate in insertion order: the first key is the oldest request.
      if (this.byRequest.size > EVENTS_KEPT) this.byRequest.delete(this.byRequest.keys().next().value!);
    }
  }

  /** Every event one request produced (authorizer first, then the integration), or undefined. */
  get(requestId: string): RecordedEvent[] | undefined {
    return this.byRequest.get(requestId);
  }
}

/** The event with its `body` cut to BODY_KEPT characters (a shallow copy; the original is what the function got). */
function truncateBody(e: RecordedEvent): RecordedEvent {
  const ev = e.event as { body?: unknown } | null;
  if (!ev || typeof ev !== 'object' || typeof ev.body !== 'string' || ev.body.length <= BODY_KEPT) return e;
  return { ...e, event: { ...ev, body: ev.body.slice(0, BODY_KEPT) }, bodyTruncatedFrom: ev.body.length };
}
