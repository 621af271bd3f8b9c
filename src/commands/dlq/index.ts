/** `svl dlq ls|peek|redrive|purge|cancel`: inspect dead-letter queues and replay their messages without losing any. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../flags.js';
import { describe } from '../help.js';
import type { RedriveFlags } from './redrive/parse.js';

export const name = 'dlq';
export const description = 'Inspect dead-letter queues and redrive their messages (native move task or a journaled client-side mover)';
export const examples = [
  'svl dlq ls --local',
  'svl dlq peek orders-dlq --max 5',
  'svl dlq redrive orders-dlq --dry-run',
  'svl dlq redrive orders-dlq --match customer.tier=gold --yes',
  'svl dlq redrive --resume svl-redrive-orders-dlq-20260101T120000Z.ndjson',
];

const REDRIVE_HELP = `
Without --match, --max or --client-side the DLQ's messages move with SQS's own move task
(StartMessageMoveTask), back to their source queues or to --to; Ctrl-C stops following it and asks
whether to cancel it (with nobody to ask, it keeps running: svl dlq cancel <dlq>). Otherwise svl moves
them itself: send first, delete from the DLQ after, batches of 10, --workers loops each with up to 4
batches in flight, --rate msg/s; body, attributes and FIFO group order kept; the original message id and
the DLQ stamped as attributes (svl.original-message-id, svl.redriven-from) when they fit. Every receive
and move is journaled (NDJSON, --journal or ./svl-redrive-<dlq>-<time>.ndjson): a killed redrive resumes
with --resume <journal>, waits for the messages the killed run still held, loses nothing, and sends
again at most the batches that were in flight (4 x --workers batches of 10).`;


export function register(program: Command, ctx: CommandContext): Command {
  const dlq = program.command(name);
  const local = (cmd: Command) => ctx.target(cmd).kind === 'local';

  describe(dlq.command('ls'), 'List every dead-letter queue: depth, oldest message, sources, running move task', ['svl dlq ls --json']).action(
    async (_opts: object, cmd: Command) => {
      const { runDlqLs, renderDlqLs } = await import('./ls.js');
      const ui = ctx.ui(cmd);
      ui.result(await runDlqLs(ctx.target(cmd), ui, ctx.signal), (r) => renderDlqLs(r, ui));
    },
  );

  describe(
    dlq
      .command('peek')
      .argument('<dlq>', 'dead-letter queue name, URL or ARN')
      .option('--max <n>', 'show at most N messages (default 10)')
      .option('--match <path=value>', 'only messages whose body field or attribute matches (repeatable)', collect),
    'Show the messages of a DLQ, decoded (side-effect free on the emulator, receive-count-aware on AWS)',
    ['svl dlq peek orders-dlq', 'svl dlq peek orders-dlq --max 100 --json | jq ".messages[].body"'],
  ).action(async (ref: string, opts: { max?: string; match?: string[] }, cmd: Command) => {
    const [{ parseCount }, { parseMatches }, { runDlqPeek, renderDlqPeek, DEFAULT_PEEK_MAX }] = await Promise.all([
      import('../flags.js'),
      import('../match.js'),
      import('./peek.js'),
    ]);
    const options = { dlq: ref, max: parseCount(opts.max, '--max', 1, 10_000) ?? DEFAULT_PEEK_MAX, match: parseMatches(opts.match) };
    const target = ctx.target(cmd);
    const ui = ctx.ui(cmd);
    ui.result(await runDlqPeek(options, target, ui, ctx.signal), (r) => renderDlqPeek(r, ui, local(cmd)));
  });

  describe(
    dlq
      .command('redrive')
      .argument('[dlq]', 'dead-letter queue name, URL or ARN (not needed with --resume)')
      .option('--to <queue>', 'move to this queue instead of the messages\' source queues')
      .option('--max <n>', 'move at most N messages (client-side)')
      .option('--rate <n>', 'at most N messages per second')
      .option('--match <path=value>', 'move only matching messages (client-side; repeatable)', collect)
      .option('--dry-run', 'list what would move; move nothing')
      .option('--client-side', 'move with svl\'s own mover even when a native move task could')
      .option('--workers <n>', 'client-side: parallel loops, each with up to 4 batches in flight (default 8)')
      .option('--journal <file>', 'client-side: where to write the journal')
      .option('--resume <journal>', 'continue an interrupted client-side redrive from its journal')
      .option('--no-wait', 'native: start the move task and return without following it')
      .addHelpText('after', REDRIVE_HELP),
    'Move the messages of a DLQ back to their source queues (or --to), natively or client-side with a journal',
    ['svl dlq redrive orders-dlq --yes', 'svl dlq redrive orders-dlq --to orders-replay --match type=invoice --max 100', 'svl dlq redrive --resume svl-redrive-orders-dlq-20260101T120000Z.ndjson'],
  ).action(async (ref: string | undefined, opts: RedriveFlags, cmd: Command) => {
    const { parseRedrive } = await import('./redrive/parse.js');
    const options = parseRedrive(ref, opts, local(cmd));
    const target = ctx.target(cmd);
    const ui = ctx.ui(cmd);
    const [{ runRedrive }, { renderRedrive, redriveError }, { stopControl }] = await Promise.all([
      import('./redrive/run.js'),
      import('./redrive/render.js'),
      import('../stop.js'),
    ]);
    const stop = stopControl(ctx.signal);
    // Ctrl-C: the mover winds down (batches in flight finished and journaled, held messages released)
    // and throws a CancelledError with what it moved and the --resume command; src/cli.ts prints it.
    const finished = (async () => {
      try {
        return await runRedrive(options, { target, ui, stop, onCancel: ctx.onCancel });
      } finally {
        stop.dispose();
      }
    })();
    ctx.onCancel(() => finished.then(() => undefined, () => undefined));
    const r = await finished;
    ui.result(r, (x) => renderRedrive(x, ui, local(cmd)));
    const err = redriveError(r, local(cmd));
    if (err) throw err;
  });

  describe(dlq.command('purge').argument('<dlq>', 'dead-letter queue name, URL or ARN'), 'Delete every message of a DLQ (type its name to confirm, or --yes)', [
    'svl dlq purge orders-dlq',
  ]).action(async (ref: string, _opts: object, cmd: Command) => {
    const { runDlqPurge } = await import('./purge.js');
    const ui = ctx.ui(cmd);
    const r = await runDlqPurge(ref, ctx.target(cmd), ui, ctx.globals(cmd).yes, ctx.signal);
    ui.result(r, (x) => `Purged ${x.dlq} (${x.purged} message${x.purged === 1 ? '' : 's'}).`);
  });

  describe(dlq.command('cancel').argument('<dlq>', 'dead-letter queue name, URL or ARN'), 'Cancel the move task running on a DLQ', ['svl dlq cancel orders-dlq']).action(
    async (ref: string, _opts: object, cmd: Command) => {
      const { runDlqCancel } = await import('./purge.js');
      const ui = ctx.ui(cmd);
      const r = await runDlqCancel(ref, ctx.target(cmd), ui, ctx.signal);
      ui.result(r, (x) => `Cancelled the move task on ${x.dlq} after ${x.moved} message${x.moved === 1 ? '' : 's'}.`);
    },
  );

  return dlq;
}
