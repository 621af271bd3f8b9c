/** `svl status [flow] [--watch [seconds]]`: one flow's topics, subscriptions and queue depths, or everything. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'status';
export const description = 'Show a flow (topics, subscriptions, filters, queue depths, DLQs), or every flow and untagged resource';
export const examples = [
  'svl status --local',
  'svl status orders --local',
  'svl status orders --watch 5',
  'svl status orders --json | jq ".queues[] | {name, depth}"',
];

export interface StatusFlags {
  watch?: string | boolean;
}

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('[flow]', 'a flow name (the svl:flow tag); omit it for an inventory of everything')
    .option('--watch [seconds]', 'refresh every few seconds (default 2) until Ctrl-C; with --json prints NDJSON')
    .action(async (flow: string | undefined, opts: StatusFlags, cmd: Command) => {
      const { parseStatus, runStatus, renderStatus, watchStatus, statusWarnings } = await import('./run.js');
      const options = parseStatus(flow, opts);
      const ui = ctx.ui(cmd);
      const target = ctx.target(cmd);
      if (options.watchSeconds !== undefined) {
        const shown = await watchStatus(options, target, ui, ctx.signal);
        const { cancelled } = await import('../../errors.js');
        throw cancelled({ done: `stopped watching after ${shown} refresh${shown === 1 ? '' : 'es'}` });
      }
      const result = await runStatus(options, target, ui, ctx.signal);
      ui.result(result, (r) => renderStatus(r, ui));
      for (const w of statusWarnings(result)) ui.warn(w);
      if (result.kind === 'overview' && result.flows.length + result.untagged.topics.length + result.untagged.queues.length === 0) {
        ui.hint(`Create a flow: svl init fanout demo${target.kind === 'local' ? ' --local' : ''}`);
      }
    });
}
