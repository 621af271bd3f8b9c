/** `svl tail queue|topic|dlq <name>`: stream messages, never raising a receive count on a queue with a DLQ. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../flags.js';
import type { TailFlags } from './parse.js';

export const name = 'tail';
export const description = 'Stream the messages of a queue, topic or DLQ without ever pushing one into a DLQ';
export const examples = [
  'svl tail queue orders --local',
  'svl tail topic order-events --match type=invoice',
  'svl tail dlq orders --since 1h --max 20',
  'svl tail queue orders --json --timeout 5m | jq .body',
];

const HOW = `
How it reads (never raising the receive count of a queue that has a redrive policy):
  --local (emulator)   peeks: a side-effect-free view of the queue, what is there then what arrives
                       (--all adds messages that were in flight or delayed when the tail started)
  queue fed by SNS     taps: an ephemeral queue (svl-tap-…) subscribed to the same topics with the same
                       filter policy and raw setting; removed on exit, Ctrl-C and SIGTERM; taps left by
                       a killed tail are removed by the next tail
  topic                taps the topic itself
  any other queue      a guarded receive: each message is received once, held invisible while the tail
                       runs and released at the end; with a redrive policy it refuses maxReceiveCount 1
                       and stops before a message could reach maxReceiveCount
  --consume            receives and deletes what it shows (asks first; --yes to confirm)

--match path=value (repeatable, all must hold): a body field (customer.tier=gold), else an attribute of
that name; body.<path> or attr.<name> to be explicit; != negates; * is a wildcard.
--since 10m | 2h | 2026-01-01T12:00:00Z | now   --timeout 30s | 5m   --max N
--json prints one JSON object per message (NDJSON); the summary goes to stderr.
Ctrl-C or SIGTERM ends it with its count (exit 130); --max and --timeout are a normal end (exit 0).`;


export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<kind>', 'queue, topic or dlq (dlq: the DLQ of the named queue, or a DLQ by name)')
    .argument('<name>', 'name, URL or ARN')
    .option('--max <n>', 'stop after N messages')
    .option('--timeout <duration>', 'stop after this long (30, 30s, 5m, 1h)')
    .option('--since <when>', 'only messages sent since then (10m, 2h, an ISO time, or now)')
    .option('--match <path=value>', 'only messages whose body field or attribute matches (repeatable)', collect)
    .option('--all', 'emulator: also show messages in flight or delayed when the tail starts')
    .option('--via <how>', 'auto (default), peek, tap or receive')
    .option('--consume', 'receive and delete what is shown (asks for confirmation)')
    .addHelpText('after', HOW)
    .action(async (kind: string, ref: string, opts: TailFlags, cmd: Command) => {
      const { parseTail } = await import('./parse.js');
      const target = ctx.target(cmd);
      const options = parseTail(kind, ref, opts, target);
      const ui = ctx.ui(cmd);
      if (options.consume) {
        await ui.ask.confirmDestructive({ message: `Delete every message this tail shows from ${ref}?`, action: `delete messages from ${ref} (--consume)` });
      }
      const [{ runTail, tailEpilogue, tailCount }, { renderMessageBlock }, { stopControl }, { cancelled, SvlError }] = await Promise.all([
        import('./run.js'),
        import('../message-block.js'),
        import('../stop.js'),
        import('../../errors.js'),
      ]);
      const stop = stopControl(ctx.signal, { timeoutMs: options.timeoutSeconds !== undefined ? options.timeoutSeconds * 1000 : undefined });
      const started = Date.now();
      try {
        const summary = await runTail(options, {
          target,
          ui,
          stop,
          onCancel: ctx.onCancel,
          emit: (m) => ui.record(m, (x) => `${renderMessageBlock(x, ui.style)}\n`),
        });
        tailEpilogue(summary, options, ui, target.kind === 'local');
        // Ctrl-C or SIGTERM: the count is the `Cancelled:` line (exit 130). No partial on stdout: with
        // --json it carries NDJSON messages only.
        if (summary.stopped === 'cancel') throw cancelled({ done: tailCount(summary) });
      } catch (err) {
        // Stopped while still finding what to watch (a call aborted): nothing was shown yet.
        if (!stop.signal.aborted || err instanceof SvlError) throw err;
        const seconds = Math.round((Date.now() - started) / 100) / 10;
        if (stop.reason() === 'cancel') throw cancelled({ done: `0 messages from ${ref} in ${seconds}s (stopped before the tail started)` });
        ui.info(`0 messages from ${ref} in ${seconds}s (timed out before the tail started)`);
      } finally {
        stop.dispose();
      }
    });
}
