/**
 * Optional matchers for vitest and jest (`expect.extend(svlMatchers)`), over an svl/testing instance:
 *
 *   await expect(svl).toHaveDelivered('billing');                 // a message reached the queue
 *   await expect(svl).toHaveInvoked('ship', { times: 2 });       // the function was invoked twice
 *   await expect(svl).not.toHaveDeadLettered('orders');          // nothing went to a DLQ
 *
 * Each waits until the emulator is idle, then counts events since the last reset, so no sleep or
 * polling is needed. The target is a resource name (or ARN) or a full event filter.
 *
 * Deliberately runner-agnostic: written against the `{ pass, message }` protocol both runners share,
 * so svl depends on neither (type augmentation for `expect` is left to the test project, see README).
 */
import type { EventFilter, JournalEvent } from './events.js';
import { describeFilter, formatEvent } from './events.js';

/** What the matchers need of an svl/testing instance (`startSvl`'s result). */
interface Observable {
  runUntilIdle(): Promise<void>;
  events: { all(filter?: EventFilter): JournalEvent[] };
}

export interface MatcherOptions {
  /** Exactly this many matching events (default: at least one). */
  times?: number;
}

interface MatcherContext {
  isNot?: boolean;
}

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

function isObservable(x: unknown): x is Observable {
  return !!x && typeof (x as Observable).runUntilIdle === 'function' && typeof (x as Observable).events?.all === 'function';
}

function matcher(what: string, type: string, key: 'queue' | 'function') {
  return async function (this: MatcherContext, received: unknown, target: string | EventFilter, opts: MatcherOptions = {}): Promise<MatcherResult> {
    if (!isObservable(received)) {
      throw new TypeError(`${what}: expect() must be given the svl/testing instance returned by startSvl() (got ${typeof received}).`);
    }
    const filter: EventFilter = typeof target === 'string' ? { type, [key]: target } : { type, ...target };
    await received.runUntilIdle();
    const hits = received.events.all(filter);
    const pass = opts.times === undefined ? hits.length > 0 : hits.length === opts.times;
    const expected = opts.times === undefined ? 'at least one' : `exactly ${opts.times}`;
    const seen = hits.length ? `:\n  ${hits.slice(0, 10).map(formatEvent).join('\n  ')}` : '';
    return {
      pass,
      message: () =>
        this.isNot
          ? `expected no ${type} event matching ${describeFilter(filter)}${opts.times !== undefined ? ` ${opts.times} time(s)` : ''}, but found ${hits.length}${seen}`
          : `expected ${expected} ${type} event matching ${describeFilter(filter)}, found ${hits.length}${seen}`,
    };
  };
}

/** `expect.extend(svlMatchers)` in vitest or jest. */
export const svlMatchers = {
  /** A message was sent to the queue (by SNS or a client). */
  toHaveDelivered: matcher('toHaveDelivered', 'sqs.sent', 'queue'),
  /** The function was invoked (by Invoke, SNS, an event source mapping or an async retry). */
  toHaveInvoked: matcher('toHaveInvoked', 'lambda.invoked', 'function'),
  /** A message of the queue (or to the DLQ) was moved to its dead-letter queue. */
  toHaveDeadLettered: matcher('toHaveDeadLettered', 'sqs.dead-lettered', 'queue'),
};

/** For `declare module 'vitest' { interface Assertion<T> extends SvlMatchers<T> {} }` and jest's `Matchers<R>`. */
export interface SvlMatchers<R = unknown> {
  toHaveDelivered(target: string | EventFilter, opts?: MatcherOptions): Promise<R>;
  toHaveInvoked(target: string | EventFilter, opts?: MatcherOptions): Promise<R>;
  toHaveDeadLettered(target: string | EventFilter, opts?: MatcherOptions): Promise<R>;
}

export default svlMatchers;
