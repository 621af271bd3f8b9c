/** Raw stdout for the few outputs that must not wait for the Ui (e.g. `svl --version`); no dependencies. */
export function writeOut(text: string): void {
  process.stdout.write(text);
}
