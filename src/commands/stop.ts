/**
 * When a long-running command (`tail`, `dlq redrive`) should wind down: Ctrl-C or SIGTERM (both abort
 * ctx.signal, owned by src/cli.ts: reason 'cancel'), its own --timeout, or the command deciding it is
 * done. One AbortSignal for all, plus the reason, so the command can clean up (remove a tap, release
 * held messages, close the journal) and say why it stopped. It installs no signal handler of its own:
 * a cancelled command reports through the cancellation contract (exit 130), a timeout is a normal end.
 */
export type StopReason = 'cancel' | 'timeout' | 'done';

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
  if (parent.aborted) stop('cancel');
  else parent.addEventListener('abort', onParent, { once: true });
  const timer = o.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), o.timeoutMs) : undefined;
  return {
    signal: ac.signal,
    reason: () => why,
    stop,
    dispose() {
      parent.removeEventListener('abort', onParent);
      if (timer) clearTimeout(timer);
    },
  };
}
