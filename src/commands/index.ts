/**
 * The command registry: a short declarative list.
 *
 * A command module (src/commands/<name>.ts or src/commands/<name>/index.ts) exports:
 *
 *   export const name = 'config';                         // what users type after `svl`
 *   export const description = 'Show the resolved target'; // one line, shown in `svl --help`
 *   export const examples = ['svl config show --local'];  // shown under "Examples:" in its help
 *   export function register(program: Command, ctx: CommandContext): Command {
 *     return program.command(name).option(...).action(async (opts, cmd) => {
 *       const { runX, renderX } = await import('./x.js');   // heavy code loads only when it runs
 *       const ui = ctx.ui(cmd);
 *       ui.result(await runX(parseX(opts), ctx.target(cmd)), (r) => renderX(r, ui));
 *     });
 *   }
 *
 * The registry sets the description and the Examples section of the returned command, so every
 * command has both. Registration must stay cheap (no SDK, ora or inquirer imports at module level):
 * `svl --help` loads every module in this list.
 */
import type { Command } from 'commander';
import * as config from './config/index.js';
import * as local from './local/index.js';
import * as init from './init/index.js';
import * as apply from './apply/index.js';
import * as destroy from './destroy/index.js';
import * as filter from './filter/index.js';
import * as exportCmd from './export/index.js';
import * as status from './status/index.js';
import * as graph from './graph/index.js';
import * as send from './send/index.js';
import * as publish from './publish/index.js';
import type { CommandContext } from './context.js';
import { describe } from './help.js';

export interface CommandModule {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly string[];
  register(program: Command, ctx: CommandContext): Command;
}

export const commands: readonly CommandModule[] = [
  config,
  // ---- more commands go here, in the order `svl --help` should list them ----
  init,
  apply,
  status,
  graph,
  destroy,
  send,
  publish,
  exportCmd,
  filter,
  local,
];

/**
 * Commands announced in `svl --help` before they exist. They are NOT registered (typing one is an
 * unknown command); an entry disappears from the list by itself once a module of that name is added.
 */
export const planned: readonly { name: string; description: string }[] = [
  { name: 'init', description: 'Scaffold a flow from a template (e.g. fanout: SNS topic -> SQS queues + DLQs)' },
  { name: 'apply', description: 'Create or update the resources of a flow' },
  { name: 'status', description: 'Show a flow: topics, queues, depths, DLQ counts, functions' },
  { name: 'graph', description: 'Draw a flow as a graph' },
  { name: 'destroy', description: 'Delete the resources of a flow' },
  { name: 'send', description: 'Send messages to an SQS queue' },
  { name: 'publish', description: 'Publish messages to an SNS topic' },
  { name: 'tail', description: 'Stream the messages arriving on a queue' },
  { name: 'dlq', description: 'Inspect dead-letter queues and redrive their messages' },
  { name: 'invoke', description: 'Invoke a Lambda function (sync or --async)' },
  { name: 'filter', description: 'Test SNS filter policies against messages' },
  { name: 'local', description: 'Run the embedded AWS emulator (start, stop, status)' },
];

export function registerCommands(program: Command, ctx: CommandContext): void {
  for (const m of commands) describe(m.register(program, ctx), m.description, m.examples);
}

export function plannedHelp(): string {
  const registered = new Set(commands.map((c) => c.name));
  const rest = planned.filter((p) => !registered.has(p.name));
  if (rest.length === 0) return '';
  const width = Math.max(...rest.map((p) => p.name.length));
  return ['Coming soon (not available yet):', ...rest.map((p) => `  ${p.name.padEnd(width)}  ${p.description}`)].join('\n');
}
