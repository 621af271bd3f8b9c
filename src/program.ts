/**
 * The commander program: global options, help layout, the command registry. Commander's own exits
 * (help, version, usage errors) become exceptions for the error boundary in src/cli.ts.
 */
import { Command, CommanderError, Option } from 'commander';
import { registerCommands, type Invoked } from './commands/index.js';
import type { CommandContext } from './commands/context.js';
import { examplesText } from './commands/help.js';
import { UsageError } from './errors.js';

const ROOT_EXAMPLES = [
  'svl config show --local',
  'svl local start',
  'svl init fanout demo --queues a,b --local --yes',
];

/** Help and version "errors" are successes: commander signals them by exiting with code 0. */
export class CommanderExit extends Error {
  constructor(readonly exitCode: 0) {
    super('commander exit');
  }
}

export function buildProgram(ctx: CommandContext & { ready(): Promise<void> }, invoked?: Invoked): Command {
  const program = new Command('svl')
    .description('Build and operate AWS messaging flows (SNS -> SQS -> Lambda), against AWS or the embedded emulator.')
    .version(ctx.version, '-v, --version', 'print the svl version')
    .helpOption('-h, --help', 'show help for a command')
    .addOption(new Option('--profile <name>', 'AWS profile to use (env: SVL_PROFILE, AWS_PROFILE)'))
    .addOption(new Option('--region <region>', 'AWS region (env: SVL_REGION, AWS_REGION, AWS_DEFAULT_REGION)'))
    .addOption(new Option('--endpoint-url <url>', 'send AWS calls to this URL (env: SVL_ENDPOINT_URL, AWS_ENDPOINT_URL[_SQS|_SNS|_LAMBDA])'))
    .addOption(new Option('--local', 'use the local emulator on http://127.0.0.1:4566, starting it if needed (env: SVL_LOCAL=1)'))
    .addOption(new Option('--json', 'print results as JSON on stdout, errors as JSON on stderr (env: SVL_JSON=1)'))
    .addOption(new Option('-y, --yes', 'never prompt; confirm destructive actions'))
    .addOption(new Option('--no-color', 'disable colours (also NO_COLOR=1, FORCE_COLOR=0)'))
    .addOption(new Option('--debug', 'show stack traces and debug output (env: SVL_DEBUG=1)'))
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    // Commander would print its own "error: ..." line; the error boundary prints ours instead.
    .configureOutput({ outputError: () => undefined })
    .addHelpText('after', () => examplesText(ROOT_EXAMPLES))
    // The Ui (chalk & co.) loads only once an action is about to run, not for --help or usage errors.
    .hook('preAction', () => ctx.ready());
  registerCommands(program, ctx, invoked);
  // Set after registration so that every subcommand gets it too: each knows its own name for the hint.
  forEachCommand(program, (cmd) =>
    cmd.exitOverride((err) => {
      throw fromCommander(err, cmd);
    }),
  );
  return program;
}

function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}

function fromCommander(err: CommanderError, cmd: Command): Error {
  if (err.exitCode === 0) return new CommanderExit(0);
  const path = commandPath(cmd);
  const hint = `Run \`${path} --help\``;
  // Commander has already printed the help on stderr: `svl` or `svl config` alone, or `svl help <unknown>`.
  if (err.code === 'commander.help') {
    const unknown = cmd.args[0] === 'help' ? cmd.args[1] : undefined;
    return new UsageError(unknown ? `Unknown command '${unknown}'` : `Missing command for \`${path}\``, { hint });
  }
  const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
  return new UsageError(message.charAt(0).toUpperCase() + message.slice(1), { hint });
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
