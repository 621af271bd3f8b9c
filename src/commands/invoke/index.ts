/** `svl invoke <function>`: sync (payload to stdout, untouched), --async (request id), --dry-run. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'invoke';
export const description = 'Invoke a Lambda function (sync, --async or --dry-run); the response payload goes to stdout';
export const examples = [
  `svl invoke resize --payload '{"key":"a.png"}' --local`,
  'svl invoke resize --payload @event.json --logs | jq .',
  'echo \'{"id":1}\' | svl invoke worker --async --wait',
  'svl invoke worker --dry-run',
];

export interface InvokeFlags {
  payload?: string;
  async?: boolean;
  wait?: boolean;
  waitTimeout?: string;
  dryRun?: boolean;
  qualifier?: string;
  logs?: boolean;
}

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<function>', 'function name or ARN')
    .option('--payload <json>', 'the event: JSON, @file, or - for stdin (default: stdin when piped, else {})')
    .option('--async', 'invoke asynchronously (InvocationType Event): prints the request id')
    .option('--wait', 'with --async: follow the invocation to its outcome (emulator: the invocation itself; AWS: SQS destinations/DLQ, else the log group)')
    .option('--wait-timeout <seconds>', 'with --wait: give up after this long (default 60)')
    .option('--dry-run', 'check the function and permissions without running it (InvocationType DryRun)')
    .option('--qualifier <version>', 'version or alias to invoke (default $LATEST)')
    .option('--logs', 'print the last 4 KB of the invocation log on stderr')
    .action(async (fn: string, opts: InvokeFlags, cmd: Command) => {
      const { parseInvoke, runInvoke, renderInvoke, invokeFailure } = await import('./run.js');
      const options = parseInvoke(fn, opts, process.stdin);
      const ui = ctx.ui(cmd);
      const result = await runInvoke(options, ctx.target(cmd), ui, ctx.signal);
      ui.result(result, (r) => renderInvoke(r, ui, options.logs));
      const failure = invokeFailure(result);
      if (failure) throw failure;
    });
}
