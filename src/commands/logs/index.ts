/** `svl logs <function>`: invocation logs (emulator) or the function's CloudWatch Logs group (AWS). */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'logs';
export const description = "Show a Lambda function's logs (--follow to stream them)";
export const examples = ['svl logs resize --local', 'svl logs resize --since 1h', 'svl logs worker --follow --json | jq .message'];

export interface LogsFlags {
  follow?: boolean;
  since?: string;
}

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<function>', 'function name')
    .option('--follow', 'keep printing new log events until Ctrl-C')
    .option('--since <age|time>', 'start this long ago (30s, 10m, 2h, 1d) or at an ISO time (default 10m)')
    .action(async (fn: string, opts: LogsFlags, cmd: Command) => {
      const { parseLogs, runLogs, renderLogEvent } = await import('./run.js');
      const options = parseLogs(fn, opts);
      const ui = ctx.ui(cmd);
      const printed = await runLogs(options, ctx.target(cmd), ui, (e) => ui.record(e, renderLogEvent), ctx.signal);
      if (ctx.signal.aborted) {
        const { cancelled } = await import('../../errors.js');
        throw cancelled({ done: `printed ${printed} log event${printed === 1 ? '' : 's'} of ${options.function}` });
      }
    });
}
