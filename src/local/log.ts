/**
 * The emulator's event log: one line per meaningful event (`SQS orders <- 10 msgs`). This and src/ui are
 * the only places that write to the console.
 *
 * Lines are stamped when they are logged and written together once per turn of the event loop (a loaded
 * emulator logs several lines a turn: one write instead of one each), and at once when the process
 * exits or `flush()` is called (before anything else is printed, so the order on the terminal holds).
 * A quiet emulator's log is `SILENT`: callers whose lines cost something to build skip them (`isSilent`).
 */
import { realSetImmediate } from './timers.js';

export type LogFn = (line: string) => void;

export interface Logger extends LogFn {
  /** Writes the lines logged so far now. */
  flush(): void;
}

/** A log that writes nothing (`svl local start --quiet`, in-process emulators without a log). */
export const SILENT: Logger = Object.assign(() => {}, { flush: () => {} });

/** Whether lines given to `log` go nowhere (so there is no point formatting them). */
export function isSilent(log: LogFn): boolean {
  return log === SILENT;
}

export function createLogger(opts: { quiet?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  if (opts.quiet) return SILENT;
  const stream = opts.stream ?? process.stderr;
  let pending = '';
  let scheduled = false;
  let stampedMs = NaN;
  let stamp = '';
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    stream.write(text);
  };
  process.on('exit', flush);
  const log = (line: string) => {
    const now = Date.now();
    if (now !== stampedMs) {
      stampedMs = now;
      stamp = new Date(now).toISOString().slice(11, 23);
    }
    pending += `${stamp} ${line}\n`;
    if (!scheduled) {
      scheduled = true;
      realSetImmediate(flush);
    }
  };
  return Object.assign(log, { flush });
}
