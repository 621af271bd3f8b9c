/** `svl filter`: test and lint SNS subscription filter policies with the emulator's own evaluator. */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../flags.js';
import { describe } from '../help.js';

export const name = 'filter';
export const description = 'Test SNS filter policies against messages, or lint them with AWS rules';
export const examples = [
  `svl filter test --policy '{"type":["invoice"]}' --message '{}' --attr type=invoice`,
  `svl filter test --policy @policy.json --scope MessageBody --message @order.json`,
  `svl filter test --topic orders --message @order.json --attr amount=Number:120 --local`,
  `svl filter lint --policy @policy.json`,
];

const scopeOption = () =>
  new Option('--scope <scope>', 'FilterPolicyScope').choices(['MessageAttributes', 'MessageBody']).default('MessageAttributes');

export function register(program: Command, ctx: CommandContext): Command {
  const filter = program.command(name);

  describe(
    filter
      .command('test')
      .option('--policy <json|@file>', 'the filter policy (omit with --topic)')
      .addOption(scopeOption())
      .option('--message <text|@file|->', 'the published message (the body)', '')
      .option('--attr <name=[Type:]value>', 'a message attribute (repeatable); Type: String, Number, String.Array, Binary', collect)
      .option('--topic <name|arn>', "evaluate against every subscription of a topic (AWS or --local)"),
    'Say whether a message matches a policy and, when not, which key failed and why',
    [`svl filter test --policy '{"store":["acme"]}' --attr store=acme`, 'svl filter test --topic orders --message @m.json --local --json'],
  ).action(async (opts: FilterTestFlags, cmd: Command) => {
    const { parseFilterTest, runFilterTest, renderFilterTest } = await import('./test.js');
    const ui = ctx.ui(cmd);
    const parsed = parseFilterTest(opts);
    const target = parsed.topic !== undefined ? ctx.target(cmd) : undefined;
    ui.result(await runFilterTest(parsed, target, ui), (r) => renderFilterTest(r, ui));
  });

  describe(
    filter.command('lint').requiredOption('--policy <json|@file>', 'the filter policy').addOption(scopeOption()),
    'Validate a filter policy with the rules and error messages AWS applies (exit 2 when invalid)',
    ['svl filter lint --policy @policy.json --scope MessageBody'],
  ).action(async (opts: { policy: string; scope: 'MessageAttributes' | 'MessageBody' }, cmd: Command) => {
    const { runFilterLint } = await import('./test.js');
    const ui = ctx.ui(cmd);
    ui.result(runFilterLint(opts.policy, opts.scope), (r) => `Valid ${r.scope} filter policy (${r.keys} key${r.keys === 1 ? "" : "s"}${r.branches > 1 ? `, ${r.branches} $or branches` : ""}).`);
  });

  return filter;
}

export interface FilterTestFlags {
  policy?: string;
  scope: 'MessageAttributes' | 'MessageBody';
  message: string;
  attr?: string[];
  topic?: string;
}
