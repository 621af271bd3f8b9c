/**
 * The boundary's guarantee on hints: every error a user sees has a `Hint:` line, and the svl commands a
 * hint suggests carry `--local` when the failed command ran with it (so they target the same place).
 * Pure string functions; src/cli.ts applies them. Commands should still write tailored hints: the
 * fallbacks here only say where to look next.
 */

/** Words after which a suggested command ends: `svl status`; or (svl dlq ls), or …: svl x. */
const COMMAND = /\bsvl ([a-z][a-z-]*(?:(?!`|;|\)|\n|, | or | then | \| |\.(?:\s|$)|: ).)*)/g;

/**
 * Adds ` --local` to each `svl <command> …` in `hint` that lacks it, `<command>` being one of `commands`
 * (so prose or a log line that happens to contain "svl" is left alone); `svl local …` never gets it.
 */
export function withLocalFlag(hint: string, commands: readonly string[]): string {
  return hint.replace(COMMAND, (whole: string, rest: string) => {
    const words = rest.trimEnd().split(/\s+/);
    if (words[0] === 'local' || !commands.includes(words[0]!)) return whole;
    if (words.some((w) => w === '--local' || w === '--endpoint-url' || w === '--profile' || w === '--help')) return whole;
    const trimmed = whole.trimEnd();
    return `${trimmed} --local${whole.slice(trimmed.length)}`;
  });
}

/** The hint an error without one gets: where the options are (usage), how to see more (failures), how to go on (cancel). */
export function fallbackHint(exitCode: number, argv: readonly string[]): string {
  if (exitCode === 130) return 'nothing more was done after the cancel; run the command again to continue';
  if (exitCode === 2) {
    const path: string[] = [];
    for (const a of argv) {
      if (a === '--' || a.startsWith('-') || !/^[a-z][a-z-]*$/.test(a) || path.length === 2) break;
      path.push(a);
    }
    return `see the options with \`svl ${path.length ? `${path.join(' ')} ` : ''}--help\``;
  }
  return 'rerun with --debug for the details';
}
