/**
 * The work of `svl trace`: on the emulator, the journal's events about an id (or the latest publish / send /
 * root event with --last) shaped into a causal tree, and with --follow the hops that come after, live. On
 * AWS there is no journal: only the named functions' CloudWatch Logs lines that mention the id (aws.ts).
 *
 * Deliberately not here: the tree itself (src/domain/trace.ts) and how it is printed (render.ts).
 */
import { getSns, getSqs } from '../../aws/clients.js';
import { lastEvent, pollEvents, traceEvents, type EventQuery } from '../../aws/journal.js';
import { ensureLocalEmulator } from '../../aws/local-autostart.js';
import { locateQueue, locateTopic } from '../../aws/locate.js';
import type { Target } from '../../aws/target.js';
import { TraceBuilder, type JournalEvent, type TraceNode } from '../../domain/trace.js';
import { SvlError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';

export interface TraceFlags {
  last?: boolean;
  topic?: string;
  queue?: string;
  follow?: boolean;
  function?: string[];
  since?: string;
}

export interface TraceOptions {
  id: string | undefined;
  last: boolean;
  topic: string | undefined;
  queue: string | undefined;
  follow: boolean;
  functions: string[];
  since: string;
}

export interface TraceResult {
  id: string;
  /** Why this id (with --last): "latest publish on orders". */
  picked: string | null;
  roots: TraceNode[];
  /** The journal's head when read: --follow continues after it. */
  head: number;
}

const usage = (message: string, hint: string) => new UsageError(message, { hint });

export function parseTrace(id: string | undefined, f: TraceFlags, local: boolean): TraceOptions {
  if (f.topic !== undefined && f.queue !== undefined) throw usage('--topic and --queue cannot be combined', 'Pick one: svl trace --last --topic orders, or svl trace --last --queue orders-q');
  if (local && (f.topic !== undefined || f.queue !== undefined) && !f.last) throw usage('--topic and --queue pick what --last traces', 'Add --last: svl trace --last --topic orders --local');
  if (id !== undefined && f.last) throw usage('Give a message id or --last, not both', 'svl trace <message-id>, or svl trace --last [--topic t | --queue q]');
  if (id === undefined && !f.last) throw usage('Missing the message id or request id to trace (or --last)', 'e.g. svl trace 6f1c2e0a-… --local, or svl trace --last --topic orders --local');
  if (id !== undefined && !/^[\w.:/+=@-]{1,256}$/.test(id)) throw usage(`"${id}" is not a message id or request id`, 'Copy the MessageId printed by svl send / svl publish, or a Lambda request id');
  if (!local && f.last) throw usage('--last needs the emulator\'s journal: AWS keeps no record of hops', 'Trace a message id on AWS with --function <consumer>, or use --local');
  if (!local && f.follow) throw usage('--follow needs the emulator\'s journal: AWS keeps no record of hops', 'Use svl logs <function> --follow on AWS, or --local');
  if (!local && f.topic !== undefined) throw usage('--topic picks what --last traces, and --last needs the emulator\'s journal', 'On AWS give the message id, with --function <consumer> to search its logs');
  if (!local && id === undefined) throw usage('Missing the message id to look for', 'e.g. svl trace <message-id> --function worker');
  if (local && f.function?.length) throw usage('--function is for AWS: on the emulator the journal already knows the consumer', 'Drop --function (or --local)');
  const since = f.since ?? '1h';
  if (!/^\d+[smhd]$/.test(since)) throw usage(`--since must be an age like 30m, 2h or 1d (got "${since}")`, 'e.g. --since 2h');
  return { id, last: Boolean(f.last), topic: f.topic, queue: f.queue, follow: Boolean(f.follow), functions: f.function ?? [], since };
}

/** The id --last picks: the latest publish on the topic, send on the queue, or root event overall. */
async function pickLast(o: TraceOptions, target: Target, ui: Pick<Ui, 'info'>, signal?: AbortSignal): Promise<{ id: string; picked: string }> {
  let q: EventQuery = { root: true };
  let what = 'latest event the journal has';
  if (o.topic !== undefined) {
    const topic = await locateTopic(await getSns(target, ui), o.topic, target, signal);
    q = { types: ['sns.published'], resource: topic.arn };
    what = `latest publish on ${topic.name}`;
  } else if (o.queue !== undefined) {
    const queue = await locateQueue(await getSqs(target, ui), o.queue, target, signal);
    q = { types: ['sqs.sent'], resource: queue.arn };
    what = `latest send to ${queue.name}`;
  }
  const e = await lastEvent(target, q, signal);
  if (!e?.id) {
    const on = o.topic !== undefined ? ` on topic ${o.topic}` : o.queue !== undefined ? ` to queue ${o.queue}` : '';
    throw new SvlError(`The journal has no ${o.topic !== undefined ? 'publish' : o.queue !== undefined ? 'send' : 'event'}${on}`, 1, {
      code: 'NothingToTrace',
      hint: o.topic !== undefined ? `Publish one: svl publish ${o.topic} '{"hello":1}' --local` : o.queue !== undefined ? `Send one: svl send ${o.queue} '{"hello":1}' --local` : 'Publish or send a message first (svl publish / svl send --local)',
    });
  }
  return { id: e.id, picked: what };
}

export async function runTrace(o: TraceOptions, target: Target, ui: Pick<Ui, 'info' | 'spinner' | 'hint'>, signal?: AbortSignal): Promise<TraceResult & { builder: TraceBuilder }> {
  await ensureLocalEmulator(target.endpoints.sqs!, ui);
  const { id, picked } = o.last ? await pickLast(o, target, ui, signal) : { id: o.id!, picked: null };
  const got = await traceEvents(target, id, signal);
  if (!got.events) {
    const ring = got.size ? `it keeps the last ${got.size.toLocaleString('en-US')} events, so older ones are gone` : 'older events are dropped';
    throw new SvlError(`The emulator's journal knows nothing of ${id}`, 1, {
      code: 'NotFound',
      hint: `Check the id (a MessageId from svl send / svl publish, or a Lambda request id); the journal is a ring (${ring}); an id from AWS cannot be traced locally (drop --local).`,
    });
  }
  const builder = new TraceBuilder();
  for (const e of got.events) builder.add(e);
  const head = got.events.reduce((m, e) => Math.max(m, e.seq), 0);
  return { id, picked, roots: builder.roots, head, builder };
}

/** Depth of each node in the tree (for --follow's indentation). */
function depths(roots: TraceNode[]): Map<TraceNode, number> {
  const out = new Map<TraceNode, number>();
  const walk = (n: TraceNode, d: number) => {
    out.set(n, d);
    for (const c of n.children) walk(c, d + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

/**
 * --follow: long-polls the journal after `head` and hands each hop that belongs to the trace to `emit`,
 * with its depth, until `signal` aborts. Returns how many hops it showed.
 */
export async function followTrace(r: TraceResult & { builder: TraceBuilder }, target: Target, emit: (node: TraceNode, parent: JournalEvent | null, depth: number) => void, signal: AbortSignal): Promise<number> {
  const depth = depths(r.roots);
  let since = r.head;
  let shown = 0;
  while (!signal.aborted) {
    let page: { events: JournalEvent[]; next: number };
    try {
      page = await pollEvents(target, since, 20, signal);
    } catch (err) {
      if (signal.aborted) break;
      throw err;
    }
    for (const e of page.events) {
      const added = r.builder.add(e, { related: true });
      if (!added) continue;
      const d = added.parent ? (depth.get(added.parent) ?? 0) + 1 : 0;
      depth.set(added.node, d);
      shown++;
      emit(added.node, added.parent?.event ?? null, d);
    }
    since = Math.max(since, page.next);
  }
  return shown;
}
