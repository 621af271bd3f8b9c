/** Raw stdout for the few outputs that must not wait for the Ui (e.g. `svl --version`); no dependencies. */
export function writeOut(text: string): void {
  process.stdout.write(text);
}

/** Raw stderr for the error boundary's own notices (a signal received); no dependencies. */
export function writeErr(text: string): void {
  process.stderr.write(text);
}
