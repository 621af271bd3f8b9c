/**
 * Spinners (ora) only on an interactive stderr and never with --json. Elsewhere a quiet stand-in with the
 * same methods: intermediate text is dropped, but the final succeed/fail/warn line is still printed so
 * logs in CI keep the outcome.
 */
export interface Spinner {
  /** Replace the spinner text (e.g. progress counts). */
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  warn(text?: string): void;
  /** Remove the spinner without a final line. */
  stop(): void;
}

export interface SpinnerOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  enabled: boolean;
  color: boolean;
  /** Used by the quiet stand-in to print the final line. */
  line: (kind: 'success' | 'fail' | 'warn', text: string) => void;
}

export async function createSpinner(text: string, opts: SpinnerOptions): Promise<Spinner> {
  // A terminal that reports no width (a bare pseudo-terminal) would make ora count lines by dividing by
  // zero and spin on clearing them: use the quiet stand-in there too.
  const columns = (opts.stream as { columns?: number }).columns;
  if (!opts.enabled || !columns) return quietSpinner(text, opts.line);
  // ora (and its dependencies) cost tens of milliseconds to load; only pay that when a spinner shows.
  const { default: ora } = await import('ora');
  const s = ora({ text, stream: opts.stream, color: opts.color ? 'cyan' : false, isEnabled: true, discardStdin: false }).start();
  return {
    update: (t) => {
      s.text = t;
    },
    succeed: (t) => void s.succeed(t),
    fail: (t) => void s.fail(t),
    warn: (t) => void s.warn(t),
    stop: () => void s.stop(),
  };
}

function quietSpinner(initial: string, line: SpinnerOptions['line']): Spinner {
  let text = initial;
  return {
    update: (t) => {
      text = t;
    },
    succeed: (t) => line('success', t ?? text),
    fail: (t) => line('fail', t ?? text),
    warn: (t) => line('warn', t ?? text),
    stop: () => undefined,
  };
}
