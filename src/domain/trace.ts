/**
 * The causal tree of a message or invocation, built from the emulator's journal events (`svl trace`), and
 * why a dead letter died (`svl dlq peek`). Pure: events in, a tree out.
 *
 * - Each event's parent is the event that caused it (`cause`). An event whose cause is outside the set
 *   (a batch invocation caused by another message's receive) hangs under the receive that named its request
 *   id, else under the latest earlier event about the same id, else it is a root.
 * - `TraceBuilder.add(e, { related: true })` adds an event only when it belongs to the trace (caused by one of
 *   its events, or about one of its ids), for `--follow`.
 *
 * Deliberately not here: fetching events (src/aws/journal.ts) and rendering (src/commands/trace/render.ts).
 */

export interface JournalEvent {
  seq: number;
  timeMs: number;
  /** ISO time, as the endpoints print it. */
  time?: string;
  type: string;
  cause?: number;
  resource?: string;
  id?: string;
  data?: Record<string, unknown>;
}

export interface TraceNode {
  event: JournalEvent;
  /** Milliseconds since the parent event (null for a root). */
  afterMs: number | null;
  children: TraceNode[];
}

const requestIdOf = (e: JournalEvent): string | undefined => (typeof e.data?.requestId === 'string' ? e.data.requestId : undefined);

export class TraceBuilder {
  readonly roots: TraceNode[] = [];
  private readonly bySeq = new Map<number, TraceNode>();
  /** Ids the trace is about (message ids, request ids) -> their latest node. */
  private readonly latestById = new Map<string, TraceNode>();
  /** Request ids named by receives -> the receive's node. */
  private readonly byRequestId = new Map<string, TraceNode>();

  get size(): number {
    return this.bySeq.size;
  }

  /** Whether `e` belongs to the trace: caused by one of its events or about one of its ids. */
  related(e: JournalEvent): boolean {
    if (e.cause !== undefined && this.bySeq.has(e.cause)) return true;
    return e.id !== undefined && (this.latestById.has(e.id) || this.byRequestId.has(e.id));
  }

  /** Adds `e` (events must come oldest first); with `related`, only when it belongs. Returns its node and parent. */
  add(e: JournalEvent, o: { related?: boolean } = {}): { node: TraceNode; parent: TraceNode | undefined } | undefined {
    if (this.bySeq.has(e.seq)) return undefined;
    if (o.related && !this.related(e)) return undefined;
    const parent =
      (e.cause !== undefined ? this.bySeq.get(e.cause) : undefined) ??
      (e.id !== undefined ? (this.byRequestId.get(e.id) ?? this.latestById.get(e.id)) : undefined);
    const node: TraceNode = { event: e, afterMs: parent ? Math.max(0, e.timeMs - parent.event.timeMs) : null, children: [] };
    if (parent) parent.children.push(node);
    else this.roots.push(node);
    this.bySeq.set(e.seq, node);
    if (e.id !== undefined) this.latestById.set(e.id, node);
    const rid = requestIdOf(e);
    if (rid !== undefined) this.byRequestId.set(rid, node);
    return { node, parent };
  }
}

/** The trees of `events` (every event kept; normally one root). */
export function buildTrace(events: readonly JournalEvent[]): TraceNode[] {
  const b = new TraceBuilder();
  for (const e of [...events].sort((x, y) => x.seq - y.seq)) b.add(e);
  return b.roots;
}

/** Why a dead letter died, as far as the journal knows. */
export interface DeathReason {
  /** One line: "journal-fails failed: Error: boom (2 receives)". */
  summary: string;
  receiveCount: number | null;
  /** The consumer's last invocation, when a function consumed it. */
  function: string | null;
  requestId: string | null;
  outcome: string | null;
  errorType: string | null;
  error: string | null;
  logTail: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const fnName = (arn: string | undefined): string | null => (arn ? (arn.split(':')[6] ?? arn) : null);

/** The error message inside a Lambda error payload (`{"errorType","errorMessage"}`), else the text. */
export function errorText(error: string | null): string | null {
  if (error === null) return null;
  try {
    const p = JSON.parse(error) as { errorMessage?: unknown };
    if (typeof p.errorMessage === 'string') return p.errorMessage;
  } catch {
    /* not JSON */
  }
  return error;
}

/** A function's own log lines: without the runtime's START/END/REPORT lines and the time/request id columns. */
export function logLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !/^(START|END|REPORT|INIT_START) /.test(l))
    .map((l) => l.replace(/^\S+Z\t[0-9a-f-]{36}\t/, '').replace(/\t/g, ' '));
}

/**
 * The consumer's last error for message `messageId`: its receives name the invocations they fed
 * (`data.requestId`); the last completed invocation that did not succeed is the reason. Without one, what
 * the receives say (received N times, never deleted). Null when the journal knows nothing of it.
 */
export function deathReason(events: readonly JournalEvent[], messageId: string): DeathReason | null {
  const mine = events.filter((e) => e.id === messageId);
  if (mine.length === 0) return null;
  const receives = mine.filter((e) => e.type === 'sqs.received');
  const dead = [...mine].reverse().find((e) => e.type === 'sqs.dead-lettered');
  const count = typeof dead?.data?.receiveCount === 'number' ? dead.data.receiveCount : receives.length || null;
  const requestIds = new Set(receives.map(requestIdOf).filter((r): r is string => r !== undefined));
  const completions = events.filter((e) => e.type === 'lambda.completed' && e.id !== undefined && requestIds.has(e.id));
  const failed = [...completions].reverse().find((e) => e.data?.outcome !== 'ok');
  const times = count === null ? '' : ` (${count} receive${count === 1 ? '' : 's'})`;
  if (failed) {
    const fn = fnName(failed.resource);
    const outcome = str(failed.data?.outcome);
    const errorType = str(failed.data?.errorType);
    const error = str(failed.data?.error);
    const what = outcome === 'timeout' ? 'timed out' : `failed: ${[errorType, errorText(error)].filter(Boolean).join(': ')}`;
    return { summary: `${fn ?? 'the function'} ${what}${times}`, receiveCount: count, function: fn, requestId: failed.id ?? null, outcome, errorType, error, logTail: str(failed.data?.logTail) };
  }
  const last = completions.at(-1);
  const summary =
    receives.length === 0
      ? 'never received: moved here without a consumer receiving it'
      : last
        ? `received${times}; the last invocation of ${fnName(last.resource)} succeeded, yet it was not deleted (a batch item failure?)`
        : `received${times} and never deleted${requestIds.size ? '' : ' by a client (ReceiveMessage)'}`;
  return { summary, receiveCount: count, function: fnName(last?.resource), requestId: last?.id ?? null, outcome: str(last?.data?.outcome), errorType: null, error: null, logTail: null };
}
