/** Help-text helpers shared by command modules, so every command's help reads the same way. */
import type { Command } from 'commander';

export function examplesText(examples: readonly string[]): string {
  return ['', 'Examples:', ...examples.map((e) => `  $ ${e}`)].join('\n');
}

/** Sets the one-line description and the Examples section of `cmd`. */
export function describe(cmd: Command, description: string, examples: readonly string[]): Command {
  cmd.description(description);
  if (examples.length > 0) cmd.addHelpText('after', examplesText(examples));
  return cmd;
}
