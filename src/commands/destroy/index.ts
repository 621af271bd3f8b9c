/** `svl destroy <flow|file>`: delete exactly what a flow owns (resources tagged svl:flow=<name>). */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'destroy';
export const description = 'Delete the resources of a flow (only those tagged svl:flow=<name>)';
export const examples = ['svl destroy orders --local --yes', 'svl destroy orders.flow.json', 'svl destroy orders --json --yes'];

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<flow|file>', 'flow name, or a flow spec file')
    .action(async (what: string, _opts: unknown, cmd: Command) => {
      const [{ runDestroy, renderDestroy }, { commandLine, invocationArgs }] = await Promise.all([import('./run.js'), import('../resume.js')]);
      const ui = ctx.ui(cmd);
      const cancel = { signal: ctx.signal, resume: commandLine(invocationArgs(cmd)) };
      ui.result(await runDestroy(what, ctx.target(cmd), ui, cancel), (r) => renderDestroy(r, ui));
    });
}
