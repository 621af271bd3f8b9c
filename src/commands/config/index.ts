/** `svl config`: what svl would talk to, resolved from flags and environment. Makes no AWS call. */
import { Argument, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { describe } from '../help.js';

export const name = 'config';
export const description = 'Show what svl talks to: local or AWS, region, profile, endpoints';
export const examples = ['svl config show', 'svl config show --local --json', 'svl config get endpoint.sqs --local'];

export const CONFIG_KEYS = ['kind', 'region', 'profile', 'account', 'endpoint.sqs', 'endpoint.sns', 'endpoint.lambda'] as const;

export function register(program: Command, ctx: CommandContext): Command {
  const config = program.command(name);

  describe(
    config.command('show', { isDefault: true }),
    'Print the resolved target and where each value came from (default)',
    ['svl config show --profile prod --region eu-west-1', 'SVL_LOCAL=1 svl config show --json'],
  ).action(async (_opts: unknown, cmd: Command) => {
    const { runConfigShow, renderConfigShow } = await import('./show.js');
    const ui = ctx.ui(cmd);
    ui.result(runConfigShow(ctx.target(cmd), ctx.env), (r) => renderConfigShow(r, ui));
  });

  describe(
    config.command('get').addArgument(new Argument('<key>', 'the setting to print').choices(CONFIG_KEYS)),
    'Print one resolved setting (for scripts)',
    ['svl config get region', 'export SQS_URL=$(svl config get endpoint.sqs --local)'],
  ).action(async (key: (typeof CONFIG_KEYS)[number], _opts: unknown, cmd: Command) => {
    const { runConfigGet } = await import('./show.js');
    const ui = ctx.ui(cmd);
    ui.result(runConfigGet(key, ctx.target(cmd)), (r) => r.value);
  });

  return config;
}
