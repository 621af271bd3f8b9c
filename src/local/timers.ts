/**
 * The host's real timers, captured when the emulator is loaded: a test process that later installs fake
 * timers (`vi.useFakeTimers()`, `jest.useFakeTimers()`, sinon) replaces the globals, and an emulator
 * running in that process (svl/testing) must neither hang on timers that never fire nor read a frozen
 * `Date.now()`. Emulator code calls these instead of the globals; emulator *time* still goes through
 * `Clock` (clock.ts), which is built on them.
 *
 * Deliberately not here: anything that decides what time it is for AWS semantics (that is the Clock).
 */
const g = globalThis;

export const realSetTimeout: typeof setTimeout = g.setTimeout.bind(g) as typeof setTimeout;
export const realClearTimeout: typeof clearTimeout = g.clearTimeout.bind(g) as typeof clearTimeout;
export const realSetImmediate: typeof setImmediate = g.setImmediate.bind(g) as typeof setImmediate;
export const realClearImmediate: typeof clearImmediate = g.clearImmediate.bind(g) as typeof clearImmediate;
export const realSetInterval: typeof setInterval = g.setInterval.bind(g) as typeof setInterval;
export const realClearInterval: typeof clearInterval = g.clearInterval.bind(g) as typeof clearInterval;
export const realQueueMicrotask: typeof queueMicrotask = g.queueMicrotask.bind(g);
const dateNow = Date.now;
const RealDate = Date;
/** An HTTP date (`Date` header) of epoch milliseconds, with the real Date whatever it has been replaced with since. */
export const realUtcString = (ms: number): string => new RealDate(ms).toUTCString();
/** Epoch milliseconds from the real system clock, whatever `Date` has been replaced with since. */
export const realNow = (): number => dateNow();
const hrtimeBigint = process.hrtime.bigint.bind(process.hrtime);
/** Monotonic nanoseconds, for durations (jest's fake timers also replace `process.hrtime`). */
export const realHrtimeNs = (): bigint => hrtimeBigint();
