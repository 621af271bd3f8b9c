/** `svl graph [flow] [--format text|mermaid|dot]`: draw what exists, as discovered from the account. */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'graph';
export const description = 'Draw a flow (or everything) as discovered: topic -> subscriptions -> queues -> DLQs -> consumers';
export const examples = [
  'svl graph orders --local',
  'svl graph orders --format mermaid > orders.mmd',
  'svl graph --format dot | dot -Tsvg > all.svg',
  'svl graph orders --json | jq ".edges[] | select(.kind == \\"dead-letter\\")"',
];

export type GraphFormat = 'text' | 'mermaid' | 'dot';

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('[flow]', 'a flow name (the svl:flow tag); omit it to draw every topic and queue')
    .addOption(new Option('--format <format>', 'text (a tree), mermaid (flowchart LR) or dot (Graphviz)').choices(['text', 'mermaid', 'dot']).default('text'))
    .action(async (flow: string | undefined, opts: { format: GraphFormat }, cmd: Command) => {
      const { runGraph, renderGraph } = await import('./run.js');
      const ui = ctx.ui(cmd);
      const target = ctx.target(cmd);
      const result = await runGraph({ flow }, target, ui, ctx.signal);
      ui.result(result, (r) => renderGraph(r, opts.format));
      if (result.consumers.available === false) {
        // The emulator has no Lambda service yet: not worth a warning there.
        const note = `Lambda consumers not shown (${result.consumers.reason ?? 'Lambda not available'})`;
        if (target.kind === 'local') ui.debug(note);
        else ui.warn(note);
      }
    });
}
