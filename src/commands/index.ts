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
 * command has both. Start-up stays fast because only the module of the invoked command is loaded; the
 * others appear in `svl --help` from the usage line and description kept here (a unit test checks them
 * against the modules, so they cannot drift).
 */
import { Help, type Command } from 'commander';
import type { CommandContext } from './context.js';
import { describe } from './help.js';

export interface CommandModule {
  readonly name: string;
  readonly description: string;
  readonly examples: readonly string[];
  register(program: Command, ctx: CommandContext): Command;
}

export interface CommandEntry {
  readonly name: string;
  /** The command's line in `svl --help`, e.g. `init [options] [template] [name]`. */
  readonly usage: string;
  readonly description: string;
  /** The folder under src/commands/ whose index registers it (`plan` lives with `apply`). */
  readonly module: string;
}

/** In the order `svl --help` lists them. */
export const commands: readonly CommandEntry[] = [
  { name: 'config', usage: 'config', description: 'Show what svl talks to: local or AWS, region, profile, endpoints', module: 'config' },
  { name: 'init', usage: 'init [options] [template] [name]', description: 'Scaffold a flow from a template (fanout: SNS topic -> SQS queues, each with a DLQ; users-app: the whole seed system)', module: 'init' },
  { name: 'plan', usage: 'plan [file]', description: 'Show what `svl apply` would create, update or delete (changes nothing)', module: 'apply' },
  { name: 'apply', usage: 'apply [options] [file]', description: 'Create or update the resources of a flow spec (idempotent)', module: 'apply' },
  { name: 'status', usage: 'status [options] [flow]', description: 'Show a flow (topics, subscriptions, filters, queue depths, DLQs), or every flow and untagged resource', module: 'status' },
  { name: 'graph', usage: 'graph [options] [flow]', description: 'Draw a flow (or everything) as discovered: topic -> subscriptions -> queues -> DLQs -> consumers', module: 'graph' },
  { name: 'doctor', usage: 'doctor [options] [flow]', description: 'Find the misconfigurations that silently lose messages (queue policies, timeouts, DLQs, retries), with the fix for each', module: 'doctor' },
  { name: 'destroy', usage: 'destroy [options] <flow|file>', description: 'Delete the resources of a flow (only those tagged svl:flow=<name>)', module: 'destroy' },
  { name: 'send', usage: 'send [options] <queue> [body]', description: 'Send a message to an SQS queue (body as text, @file or stdin), or many with --ndjson', module: 'send' },
  { name: 'publish', usage: 'publish [options] <topic> [message]', description: 'Publish a message to an SNS topic (text, @file or stdin), or many with --ndjson', module: 'publish' },
  { name: 'deploy', usage: 'deploy [options] <dir>', description: 'Zip a handler directory and create or update a Lambda function', module: 'deploy' },
  { name: 'invoke', usage: 'invoke [options] <function>', description: 'Invoke a Lambda function (sync, --async or --dry-run); the response payload goes to stdout', module: 'invoke' },
  { name: 'http', usage: 'http [options] <api> <method> <path>', description: 'Send an HTTP request through an API Gateway HTTP API (local or AWS invoke URL): status, headers, body, and with --event the Lambda event', module: 'http' },
  { name: 'logs', usage: 'logs [options] <function>', description: "Show a Lambda function's logs (--follow to stream them)", module: 'logs' },
  { name: 'tail', usage: 'tail [options] <kind> <name>', description: 'Stream the messages of a queue, topic or DLQ without ever pushing one into a DLQ', module: 'tail' },
  { name: 'trace', usage: 'trace [options] [id]', description: 'Show where a message went: publish -> deliveries -> queue -> receives -> Lambda -> delete or DLQ', module: 'trace' },
  { name: 'dlq', usage: 'dlq', description: 'Inspect dead-letter queues and redrive their messages (native move task or a journaled client-side mover)', module: 'dlq' },
  { name: 'export', usage: 'export [options] [file]', description: 'Export a flow spec as Terraform or CloudFormation (the resources svl apply creates)', module: 'export' },
  { name: 'filter', usage: 'filter', description: 'Test SNS filter policies against messages, or lint them with AWS rules', module: 'filter' },
  { name: 'local', usage: 'local', description: 'Run the embedded AWS emulator (start, status, stop, reset)', module: 'local' },
];

/** Global options that take a value (so the word after them is not a command name). */
const VALUE_OPTIONS = new Set(['--profile', '--region', '--endpoint-url']);

/** The command `argv` invokes: its first word that is not an option (`help <cmd>` names `<cmd>`). */
export function invokedCommand(argv: readonly string[]): CommandEntry | undefined {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    words.push(a);
  }
  const name = words[0] === 'help' ? words[1] : words[0];
  return commands.find((c) => c.name === name);
}

export interface Invoked {
  entry: CommandEntry;
  module: CommandModule;
}

/** Loads the module of the invoked command, if any (nothing else is loaded). */
export async function loadInvoked(argv: readonly string[]): Promise<Invoked | undefined> {
  const entry = invokedCommand(argv);
  if (!entry) return undefined;
  return { entry, module: (await import(`./${entry.module}/index.js`)) as CommandModule };
}

/**
 * Registers the invoked command's module for real, and every other command as a stand-in with its
 * usage line and description (enough for `svl --help` and "did you mean" suggestions).
 */
export function registerCommands(program: Command, ctx: CommandContext, invoked?: Invoked): void {
  const real = new Set<string>();
  if (invoked) {
    const m = invoked.module;
    describe(m.register(program, ctx), m.description, m.examples);
    for (const c of program.commands) real.add(c.name());
  }
  const stand = new Map<Command, string>();
  for (const e of commands) {
    if (real.has(e.name)) continue;
    stand.set(program.command(e.name).description(e.description).allowUnknownOption().allowExcessArguments(), e.usage);
  }
  // The registry's order in help, whichever module registered first.
  const order = new Map(commands.map((c, i) => [c.name, i]));
  (program.commands as Command[]).sort((a, b) => (order.get(a.name()) ?? 0) - (order.get(b.name()) ?? 0));
  const help = new Help();
  program.configureHelp({ ...program.configureHelp(), subcommandTerm: (cmd: Command) => stand.get(cmd) ?? help.subcommandTerm(cmd) });
}
