/**
 * svl/testing's view of the emulator's event journal: wait for a hop (`waitFor`), prove one did not
 * happen once everything settled (`expectNone`), a message's causal history (`trace`), everything since
 * the last reset (`all`). Filters name resources the way tests think of them (`queue: 'orders'`) and
 * are resolved to ARNs here.
 *
 * Deliberately not here: waiting by sleeping. Waits are woken by the journal itself, their timeouts are
 * real-time timers captured at load (fake timers in the test process do not stop them), and "nothing
 * happened" is decided by the emulator's idle signal, never by a guessed delay.
 */
import type { Journal, JournalEvent } from '../local/journal/journal.js';
import { realNow } from '../local/timers.js';
import { toMs, type Duration } from './duration.js';

export type { JournalEvent };

export interface EventFilter {
  /** An event type (`sqs.dead-lettered`), a prefix ending in `.` (`lambda.`), or several. */
  type?: string | string[];
  /** A queue name (or ARN): events on the queue, SNS deliveries to it, dead letters moved to it. */
  queue?: string;
  /** A topic name (or ARN): its publishes and the deliveries/filterings of its subscriptions. */
  topic?: string;
  /** A function name (or ARN): its invocations and completions, SNS deliveries to it. */
  function?: string;
  /** A message id or request id. */
  id?: string;
  match?: (e: JournalEvent) => boolean;
}

export interface WaitOptions {
  /** Real time to wait before failing (default 5 s). */
  timeout?: Duration;
  /** How many matching events to wait for (default 1). */
  count?: number;
}

export interface ExpectNoneOptions {
  /** `'settled'` (default): once the emulator is idle. A duration: after that much real time, then settled. */
  within?: 'settled' | Duration;
}

export interface Names {
  queueArn(nameOrArn: string): string;
  topicArn(nameOrArn: string): string;
  functionArn(nameOrArn: string): string;
}

type Matcher = (e: JournalEvent) => boolean;

export function compileFilter(filter: EventFilter, names: Names): Matcher {
  const types = filter.type === undefined ? undefined : Array.isArray(filter.type) ? filter.type : [filter.type];
  const q = filter.queue === undefined ? undefined : names.queueArn(filter.queue);
  const t = filter.topic === undefined ? undefined : names.topicArn(filter.topic);
  const f = filter.function === undefined ? undefined : names.functionArn(filter.function);
  return (e) => {
    if (types && !types.some((x) => (x.endsWith('.') ? e.type.startsWith(x) : e.type === x))) return false;
    if (filter.id !== undefined && e.id !== filter.id && e.data?.requestId !== filter.id) return false;
    const d = e.data ?? {};
    if (q !== undefined && e.resource !== q && d.endpoint !== q && d.deadLetterQueue !== q) return false;
    if (t !== undefined && e.resource !== t && !e.resource?.startsWith(`${t}:`)) return false;
    if (f !== undefined && e.resource !== f && d.endpoint !== f) return false;
    if (filter.match && !filter.match(e)) return false;
    return true;
  };
}

export function describeFilter(filter: EventFilter): string {
  const parts = Object.entries(filter)
    .filter(([k, v]) => v !== undefined && k !== 'match')
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  if (filter.match) parts.push('match: <function>');
  return `{ ${parts.join(', ')} }`;
}

export const formatEvent = (e: JournalEvent): string =>
  `#${e.seq} ${e.type}${e.resource ? ` ${e.resource}` : ''}${e.id ? ` id=${e.id}` : ''}${e.data ? ` ${JSON.stringify(e.data)}` : ''}`;

export class SvlEvents {
  constructor(
    private readonly journal: Journal,
    private readonly names: Names,
    private readonly settled: () => Promise<void>,
  ) {}

  /** Every event since the last reset (the journal's ring permitting), oldest first, optionally filtered. */
  all(filter?: EventFilter): JournalEvent[] {
    const m = filter ? compileFilter(filter, this.names) : () => true;
    const out: JournalEvent[] = [];
    let from = 0;
    for (;;) {
      const batch = this.journal.since(from, 5000);
      if (batch.length === 0) return out;
      for (const e of batch) if (m(e)) out.push(e);
      from = batch[batch.length - 1]!.seq;
    }
  }

  /**
   * Resolves with the first `count` matching events, from those already recorded or as they arrive;
   * rejects after `timeout` (real time) naming the filter and the last events seen.
   */
  async waitFor(filter: EventFilter, opts: WaitOptions = {}): Promise<JournalEvent[]> {
    const count = opts.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new TypeError(`svl/testing: waitFor's count must be a positive integer (got ${count}).`);
    const timeoutMs = toMs(opts.timeout ?? 5000, 'timeout');
    const m = compileFilter(filter, this.names);
    const found: JournalEvent[] = [];
    const deadline = realNow() + timeoutMs;
    let from = 0;
    for (;;) {
      for (;;) {
        const batch = this.journal.since(from, 5000);
        if (batch.length === 0) break;
        for (const e of batch) {
          if (m(e)) found.push(e);
          if (found.length >= count) return found;
        }
        from = batch[batch.length - 1]!.seq;
      }
      const left = deadline - realNow();
      if (left <= 0) {
        const recent = this.all().slice(-10).map(formatEvent);
        throw new Error(
          `svl/testing: timed out after ${timeoutMs} ms waiting for ${count} event(s) matching ${describeFilter(filter)}; saw ${found.length}.` +
            (recent.length ? `\nLast events:\n  ${recent.join('\n  ')}` : '\nNo events were recorded since the last reset.'),
        );
      }
      await this.journal.wait(from, left);
    }
  }

  /** Resolves once the emulator is idle (or after `within`, then idle) if no event matches; throws listing the ones that did. */
  async expectNone(filter: EventFilter, opts: ExpectNoneOptions = {}): Promise<void> {
    const within = opts.within ?? 'settled';
    if (within !== 'settled') {
      const ms = toMs(within, 'within');
      const m = compileFilter(filter, this.names);
      const deadline = realNow() + ms;
      let from = this.journal.head;
      for (let left = ms; left > 0; left = deadline - realNow()) {
        await this.journal.wait(from, left);
        from = this.journal.head;
        if (this.all().some(m)) break;
      }
    }
    await this.settled();
    const hits = this.all(filter);
    if (hits.length) {
      throw new Error(`svl/testing: expected no event matching ${describeFilter(filter)}, but ${hits.length} happened:\n  ${hits.slice(0, 10).map(formatEvent).join('\n  ')}`);
    }
  }

  /** A message's (or request's) history: its events and those they caused, oldest first. */
  trace(id: string): JournalEvent[] {
    return this.journal.related(id);
  }
}
