/**
 * The command that continues a cancelled one (`svl send q --ndjson f --skip 6540`, `svl apply x.flow.json`),
 * as a line a user can paste into a POSIX shell. Built from the invocation's own arguments, so every flag
 * the user gave (target, attributes, --json) carries over unchanged. It does not decide where to resume:
 * the command says which flags to replace.
 */
import type { Command } from 'commander';

/** Characters a shell passes through unquoted. */
const PLAIN = /^[A-Za-z0-9_\-.,:/@%+=]+$/;

/** One argument quoted for sh/bash/zsh: as is when safe, else in single quotes (`'` as `'\''`). */
export function shellQuote(arg: string): string {
  if (PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `svl <args>` as one shell line. */
export function commandLine(args: readonly string[]): string {
  return ['svl', ...args.map(shellQuote)].join(' ');
}

/** `args` without the given long flags and their values (`--skip 5` and `--skip=5`); `--` ends the flags. */
export function withoutFlags(args: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (flags.includes(a)) {
      i++;
      continue;
    }
    if (flags.some((f) => a.startsWith(`${f}=`))) continue;
    out.push(a);
  }
  return out;
}

/** The arguments svl was invoked with (after `svl`), as commander received them. */
export function invocationArgs(cmd: Command): string[] {
  let root = cmd;
  while (root.parent) root = root.parent;
  return [...((root as Command & { rawArgs?: string[] }).rawArgs ?? [])];
}

/** The target flags of an invocation (--local, --profile, --region, --endpoint-url), for a different command on the same target. */
export function targetArgs(flags: { local?: boolean; profile?: string; region?: string; endpointUrl?: string }): string[] {
  const out: string[] = [];
  if (flags.local) out.push('--local');
  if (flags.profile) out.push('--profile', flags.profile);
  if (flags.region) out.push('--region', flags.region);
  if (flags.endpointUrl) out.push('--endpoint-url', flags.endpointUrl);
  return out;
}
