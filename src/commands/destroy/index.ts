/** `svl destroy <flow|file>`: delete exactly what a flow owns (resources tagged svl:flow=<name>). */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'destroy';
export const description = 'Delete the resources of a flow (only those tagged svl:flow=<name>)';
export const examples = ['svl destroy orders --local --yes', 'svl destroy orders.flow.json', 'svl destroy orders --json --yes', 'svl destroy uploads --force --yes   # also empties its non-empty buckets'];

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<flow|file>', 'flow name, or a flow spec file')
    .option('--force', 'empty and delete the flow\'s non-empty buckets (without it they are reported and kept)')
    .action(async (what: string, opts: { force?: boolean }, cmd: Command) => {
      const [{ runDestroy, renderDestroy }, { commandLine, invocationArgs }] = await Promise.all([import('./run.js'), import('../resume.js')]);
      const ui = ctx.ui(cmd);
      const cancel = { signal: ctx.signal, resume: commandLine(invocationArgs(cmd)) };
      ui.result(await runDestroy(what, ctx.target(cmd), ui, cancel, { force: opts.force === true }), (r) => renderDestroy(r, ui));
    });
}
