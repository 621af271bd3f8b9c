/**
 * The Lambda events the data plane produced, kept per API Gateway request id for `svl http --event`
 * (read through `GET /_svl/apigw/events/<requestId>`). In memory only and bounded (the last
 * EVENTS_KEPT requests): a debugging aid, not an audit log; it does not record responses or bodies of
 * requests that never reached a function (401/403/404 answered by the gateway itself).
 */
export const EVENTS_KEPT = 200;

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
}

export class ApiEventRecorder {
  private readonly byRequest = new Map<string, RecordedEvent[]>();

  record(e: RecordedEvent): void {
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
