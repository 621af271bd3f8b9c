/**
 * All emulator time goes through a Clock, so tests can drive visibility timeouts, delays, long polls,
 * retention and retries with a fake clock instead of sleeping. The system clock is built on the real
 * timers captured at load (timers.ts), so fake timers installed later in a host test process
 * (svl/testing under vitest or jest) neither hang it nor skew it.
 */
import { realClearTimeout, realNow, realSetTimeout } from './timers.js';

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export class SystemClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return realNow();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    // Node caps timers at 2^31-1 ms; longer waits are re-armed.
    const max = 0x7fffffff;
    const arm = (remaining: number) => {
      const t = realSetTimeout(() => {
        if (remaining > max) {
          arm(remaining - max);
          return;
        }
        this.timers.delete(id);
        fn();
      }, Math.max(0, Math.min(remaining, max)));
      t.unref?.();
      this.timers.set(id, t);
    };
    arm(ms);
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const t = this.timers.get(handle.id);
    if (t) realClearTimeout(t);
    this.timers.delete(handle.id);
  }
}

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** A manually advanced clock. `advance(ms)` runs due timers in time order. */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Moves time forward, firing every timer that falls due, in order (timers may schedule timers). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.timers) if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}
