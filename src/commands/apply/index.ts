/** `svl plan [file]` and `svl apply [file]`: compare a flow spec with what exists; make it so. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { describe } from '../help.js';

export const name = 'apply';
export const description = 'Create or update the resources of a flow spec (idempotent)';
export const examples = ['svl apply', 'svl apply orders.flow.json --local', 'svl apply orders.flow.json --adopt --yes'];

export function register(program: Command, ctx: CommandContext): Command {
  describe(
    program.command('plan').argument('[file]', 'flow spec (default: the *.flow.json here)'),
    'Show what `svl apply` would create, update or delete (changes nothing)',
    ['svl plan', 'svl plan orders.flow.json --json | jq .steps'],
  ).action(async (file: string | undefined, _opts: unknown, cmd: Command) => {
    const { runPlan } = await import('./run.js');
    const { renderPlan } = await import('./render.js');
    const ui = ctx.ui(cmd);
    ui.result(await runPlan(file, ctx.target(cmd), ui), (r) => renderPlan(r.plan, ui) + (r.plan.conflicts.length ? `\n${ui.style.red('Conflicts:')}\n  - ${r.plan.conflicts.join('\n  - ')}` : ''));
  });

  return program
    .command(name)
    .argument('[file]', 'flow spec (default: the *.flow.json here)')
    .option('--adopt', 'take over existing resources of the same names that svl does not manage')
    .action(async (file: string | undefined, opts: { adopt?: boolean }, cmd: Command) => {
      const [{ runApply, renderApply }, { commandLine, invocationArgs }] = await Promise.all([import('./run.js'), import('../resume.js')]);
      const ui = ctx.ui(cmd);
      const cancel = { signal: ctx.signal, resume: commandLine(invocationArgs(cmd)) };
      ui.result(await runApply(file, Boolean(opts.adopt), ctx.target(cmd), ui, cancel), (r) => renderApply(r, ui));
    });
}
