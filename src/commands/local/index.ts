/** `svl local`: the embedded emulator (SQS today; SNS and Lambda land in later parts). */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { describe } from '../help.js';

export const name = 'local';
export const description = 'Run the embedded AWS emulator (start, status, stop, reset)';
export const examples = [
  'svl local start                 # foreground, logs one line per event',
  'svl local start --detach        # background; pid and log under ~/.svl/local',
  'svl local status --json',
  'svl local stop',
  'aws --endpoint-url http://127.0.0.1:4566 sqs list-queues',
];

export function register(program: Command, ctx: CommandContext): Command {
  const local = program.command(name);

  describe(
    local
      .command('start')
      .option('--port <port>', 'port to listen on (default: 4566, or the port of SVL_LOCAL_ENDPOINT)')
      .option('--host <host>', 'address to bind; loopback unless you mean it (default: 127.0.0.1, or the host of SVL_LOCAL_ENDPOINT)')
      .addOption(new Option('--state-dir <dir>', 'where the SQLite state lives (default: ~/.svl/local)').conflicts('inMemory'))
      .option('--in-memory', 'keep nothing on disk (tests, throwaway runs)')
      .option('--detach', 'run in the background and return once it answers')
      .option('--quiet', 'no event log')
      .option('--journal-size <events>', 'events the journal keeps for `svl trace` (a ring; 0 turns it off; default 100000)'),
    'Start the emulator (SQS on the AWS wire protocols, durable in SQLite)',
    ['svl local start --detach', 'svl local start --port 4567 --in-memory'],
  ).action(async (opts: StartFlags, cmd: Command) => {
    const { parseStart, runStart, renderStart } = await import('./start.js');
    const ui = ctx.ui(cmd);
    const parsed = parseStart(opts, ctx.env);
    const result = await runStart(parsed, ctx, ui);
    ui.result(result, (r) => renderStart(r, ui));
  });

  describe(
    local.command('status').option('--port <port>', 'port of the emulator (default: 4566, or the port of SVL_LOCAL_ENDPOINT)'),
    'Show whether the emulator runs: endpoint, pid, uptime, state dir, queue and message counts',
    ['svl local status', 'svl local status --json | jq .counts'],
  ).action(async (opts: { port?: string }, cmd: Command) => {
    const { runStatus, renderStatus } = await import('./status.js');
    const ui = ctx.ui(cmd);
    ui.result(await runStatus(opts, ctx.env), (r) => renderStatus(r, ui));
  });

  describe(
    local.command('stop').option('--port <port>', 'port of the emulator (default: 4566, or the port of SVL_LOCAL_ENDPOINT)'),
    'Stop the emulator gracefully (in-flight requests finish, the database is closed cleanly)',
    ['svl local stop'],
  ).action(async (opts: { port?: string }, cmd: Command) => {
    const { runStop } = await import('./status.js');
    const ui = ctx.ui(cmd);
    ui.result(await runStop(opts, ctx.env), (r) => `Stopped the emulator (pid ${r.pid}) on ${r.endpoint}.`);
  });

  describe(
    local
      .command('reset')
      .option('--state-dir <dir>', 'the state directory to wipe (default: ~/.svl/local)')
      .option('--port <port>', 'port of the emulator, to check it is stopped (default: 4566)'),
    'Wipe the emulator state (all queues and messages); refuses without --yes',
    ['svl local reset --yes'],
  ).action(async (opts: { stateDir?: string; port?: string }, cmd: Command) => {
    const { runReset } = await import('./status.js');
    const ui = ctx.ui(cmd);
    await ui.ask.confirmDestructive({ message: 'Wipe all emulator state (queues, messages)?', action: 'wipe the emulator state', flag: '--yes' });
    ui.result(await runReset(opts, ctx.env), (r) => `Wiped ${r.stateDir} (${r.removed.length} files).`);
  });

  return local;
}

export interface StartFlags {
  port?: string;
  journalSize?: string;
  host?: string;
  stateDir?: string;
  inMemory?: boolean;
  detach?: boolean;
  quiet?: boolean;
}
