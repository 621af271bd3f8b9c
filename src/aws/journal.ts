/**
 * The emulator's event journal as the CLI reads it (`GET /_svl/trace`, `GET /_svl/events`, see
 * src/local/journal/endpoints.ts): every event about an id, the most recent event matching a filter, and a
 * long poll for what comes next. Only the emulator has it; AWS keeps no such record.
 *
 * Deliberately not here: shaping events into a tree (src/domain/trace.ts) or printing them.
 */
import { SvlError } from '../errors.js';
import type { JournalEvent } from '../domain/trace.js';
import type { Target } from './target.js';

export type { JournalEvent };

export interface EventQuery {
  types?: string[];
  id?: string;
  resource?: string;
  root?: boolean;
}

const endpointOf = (target: Target): string => {
  const endpoint = target.endpoints.sqs ?? target.endpoints.sns;
  if (target.kind !== 'local' || !endpoint) throw new SvlError('The event journal needs the local emulator', 2, { code: 'UsageError', hint: 'Use --local' });
  return endpoint;
};

async function get(target: Target, path: string, signal?: AbortSignal): Promise<Response> {
  const endpoint = endpointOf(target);
  try {
    return await fetch(new URL(path, endpoint), { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new SvlError(`Could not reach the local emulator on ${endpoint} (${(err as Error).message})`, 1, { code: 'EmulatorUnreachable', hint: 'check it with `svl local status`', cause: err });
  }
}

const oldEmulator = (status: number, message?: string) =>
  new SvlError(`The emulator's journal endpoint answered ${status}${message ? `: ${message}` : ''}`, 1, {
    code: 'JournalFailed',
    hint: 'An older emulator may lack it: restart it with `svl local stop && svl local start`',
  });

/** Every event about `id` and what it caused (oldest first), or undefined with the journal's size when it knows nothing of it. */
export async function traceEvents(target: Target, id: string, signal?: AbortSignal): Promise<{ events: JournalEvent[] } | { events: undefined; size: number | undefined }> {
  const res = await get(target, `/_svl/trace?id=${encodeURIComponent(id)}`, signal);
  const body = (await res.json().catch(() => ({}))) as { events?: JournalEvent[]; size?: number; message?: string; __type?: string };
  if (res.status === 404 && body.__type === 'NotFound') return { events: undefined, size: body.size };
  if (!res.ok) throw oldEmulator(res.status, body.message);
  return { events: body.events ?? [] };
}

const query = (q: EventQuery): string => {
  const p = new URLSearchParams();
  if (q.types?.length) p.set('type', q.types.join(','));
  if (q.id) p.set('id', q.id);
  if (q.resource) p.set('resource', q.resource);
  if (q.root) p.set('root', '1');
  return p.toString();
};

const parseNdjson = (text: string): JournalEvent[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalEvent);

/** The most recent event matching `q`, or undefined. */
export async function lastEvent(target: Target, q: EventQuery, signal?: AbortSignal): Promise<JournalEvent | undefined> {
  const res = await get(target, `/_svl/events?last=1&${query(q)}`, signal);
  if (!res.ok) throw oldEmulator(res.status);
  return parseNdjson(await res.text())[0];
}

/** The events after `since` (waiting up to `waitSeconds` for one), and the `since` of the next call. */
export async function pollEvents(target: Target, since: number, waitSeconds: number, signal?: AbortSignal): Promise<{ events: JournalEvent[]; next: number }> {
  const res = await get(target, `/_svl/events?since=${since}&wait=${waitSeconds}`, signal);
  if (!res.ok) throw oldEmulator(res.status);
  const events = parseNdjson(await res.text());
  return { events, next: Number(res.headers.get('x-svl-next') ?? events.at(-1)?.seq ?? since) };
}
