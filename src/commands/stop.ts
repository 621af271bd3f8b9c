/**
 * When a long-running command (`tail`, `dlq redrive`) should wind down: Ctrl-C (ctx.signal, owned by
 * src/cli.ts), SIGTERM, its own --timeout, or the command deciding it is done. One AbortSignal for all,
 * plus the reason, so the command can clean up (remove a tap, release held messages, close the
 * journal) and say why it stopped.
 *
 * SIGTERM (`kill`, `timeout 60 svl tail …`, a container stopping) is a graceful stop here, not an exit:
 * the command's own cleanup runs and it returns normally. The listener is installed only while the
 * command runs and only once, so a second SIGTERM kills the process the default way.
 */
export type StopReason = 'cancel' | 'terminate' | 'timeout' | 'done';

export interface StopControl {
  readonly signal: AbortSignal;
  reason(): StopReason | undefined;
  stop(reason: StopReason): void;
  dispose(): void;
}

export function stopControl(parent: AbortSignal, o: { timeoutMs?: number } = {}): StopControl {
  const ac = new AbortController();
  let why: StopReason | undefined;
  const stop = (r: StopReason) => {
    if (ac.signal.aborted) return;
    why = r;
    ac.abort(Object.assign(new Error(`stopped (${r})`), { name: 'AbortError', stopReason: r }));
  };
  const onParent = () => stop('cancel');
  const onTerm = () => stop('terminate');
  if (parent.aborted) stop('cancel');
  else parent.addEventListener('abort', onParent, { once: true });
  process.once('SIGTERM', onTerm);
  const timer = o.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), o.timeoutMs) : undefined;
  return {
    signal: ac.signal,
    reason: () => why,
    stop,
    dispose() {
      parent.removeEventListener('abort', onParent);
      process.removeListener('SIGTERM', onTerm);
      if (timer) clearTimeout(timer);
    },
  };
}
