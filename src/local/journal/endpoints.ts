/**
 * The journal's `/_svl` endpoints, for `svl trace`, `svl/testing` out of process, and tests in any language:
 * - `GET /_svl/events?since=<seq>&wait=<seconds>&type=<t>,<prefix.>&id=<id>&resource=<arn>&limit=<n>`:
 *   the events after `since` (`since=now`: from the current head) as NDJSON, oldest first; with `wait`
 *   (up to 20 s), a long poll that answers as soon as one matching event exists. The `x-svl-next` header
 *   is the `since` of the next call. With `last=1`, only the most recent matching event (`since` and
 *   `wait` ignored), and `root=1` keeps only events nothing else caused (where a trace starts).
 * - `GET /_svl/trace?id=<message id | request id>`: every event about the id and what they caused
 *   (transitively, and the causes upstream of its first hop), as JSON, oldest first; 404 when the journal
 *   knows nothing of it.
 *
 * Deliberately not here: how the events are shaped into a tree (the CLI's `svl trace` does that).
 */
import type { WireResponse } from '../protocol/json10.js';
import type { EventFilter, Journal, JournalEvent } from './journal.js';

const MAX_WAIT_SECONDS = 20;

const json = (status: number, body: unknown, requestId: string): WireResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
  body: JSON.stringify(body),
});

/** An event as the endpoints print it: with its time as ISO text next to the epoch milliseconds. */
export const wireEvent = (e: JournalEvent) => ({ ...e, time: new Date(e.timeMs).toISOString() });

export async function journalEndpoint(journal: Journal, url: URL, requestId: string, signal?: AbortSignal): Promise<WireResponse | undefined> {
  if (url.pathname === '/_svl/events') {
    const p = url.searchParams;
    const sinceText = p.get('since') ?? '0';
    const since = sinceText === 'now' ? journal.head : Number(sinceText);
    const wait = Number(p.get('wait') ?? 0);
    const limit = Number(p.get('limit') ?? 1000);
    const bad = [
      !Number.isInteger(since) || since < 0 ? `since must be a sequence number (>= 0) or "now", not ${JSON.stringify(sinceText)}` : '',
      !Number.isFinite(wait) || wait < 0 || wait > MAX_WAIT_SECONDS ? `wait must be between 0 and ${MAX_WAIT_SECONDS} seconds` : '',
      !Number.isInteger(limit) || limit < 1 || limit > 10_000 ? 'limit must be between 1 and 10000' : '',
    ].filter(Boolean);
    if (bad.length) return json(400, { __type: 'InvalidParameterValue', message: bad.join('; ') }, requestId);
    const filter: EventFilter = {
      types: p.get('type')?.split(',').map((t) => t.trim()).filter(Boolean),
      id: p.get('id') ?? undefined,
      resource: p.get('resource') ?? undefined,
      root: p.get('root') === '1' || undefined,
    };
    if (p.get('last') === '1') {
      const last = journal.newest(filter);
      return {
        status: 200,
        headers: { 'content-type': 'application/x-ndjson', 'x-amzn-requestid': requestId, 'x-svl-next': String(journal.head), 'x-svl-head': String(journal.head), 'x-svl-size': String(journal.size) },
        body: last ? JSON.stringify(wireEvent(last)) + '\n' : '',
      };
    }
    const scanned = wait > 0 ? await journal.wait(since, wait * 1000, filter, signal) : journal.scan(since, limit, filter);
    const events = scanned.events.slice(0, limit);
    // Next: after the last event returned, or (none matched) after the last event examined; never the
    // head, which can be ahead of what was scanned.
    const next = events.length < scanned.events.length ? events[events.length - 1]!.seq : Math.max(since, scanned.last);
    return {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson', 'x-amzn-requestid': requestId, 'x-svl-next': String(next), 'x-svl-head': String(journal.head), 'x-svl-size': String(journal.size) },
      body: events.map((e) => JSON.stringify(wireEvent(e)) + '\n').join(''),
    };
  }
  if (url.pathname === '/_svl/trace') {
    const id = url.searchParams.get('id') ?? '';
    if (!id) return json(400, { __type: 'MissingParameter', message: 'id is required: a message id or a request id' }, requestId);
    const events = journal.related(id);
    if (events.length === 0) {
      return json(404, { __type: 'NotFound', message: `The journal knows nothing of ${id} (it keeps the last ${journal.size} events).`, size: journal.size, head: journal.head }, requestId);
    }
    return json(200, { id, events: events.map(wireEvent) }, requestId);
  }
  return undefined;
}
