/**
 * The emulator's event log: one line per meaningful event (`SQS orders <- 10 msgs`). This and src/ui are
 * the only places that write to the console.
 */
export type LogFn = (line: string) => void;

export function createLogger(opts: { quiet?: boolean; stream?: NodeJS.WritableStream } = {}): LogFn {
  if (opts.quiet) return () => {};
  const stream = opts.stream ?? process.stderr;
  return (line: string) => {
    const t = new Date().toISOString().slice(11, 23);
    stream.write(`${t} ${line}\n`);
  };
}
