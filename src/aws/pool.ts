/**
 * Bounded concurrency for fan-out over AWS calls: enough parallelism that 100 queues take a handful
 * of round trips, few enough calls in flight that AWS does not throttle (SQS/SNS control-plane APIs
 * have modest per-account rates).
 */

/**
 * A limiter shared by many callers: `limit(fn)` runs `fn` once fewer than `max` limited calls are in
 * flight, in the order they asked. Nested phases (list, then describe each) share one budget.
 */
export function createLimiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const next = () => {
    if (active >= max) return;
    const start = waiting.shift();
    if (start) {
      active++;
      start();
    }
  };
  return (fn) =>
    new Promise((resolve, reject) => {
      waiting.push(() => {
        Promise.resolve()
          .then(fn)
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

/** Runs `fn` over `items` with at most `max` in flight; results in input order. */
export function mapLimit<T, R>(items: readonly T[], max: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const limit = createLimiter(max);
  return Promise.all(items.map((t) => limit(() => fn(t))));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
