/** `svl trace <id>` / `svl trace --last`: where a message went, hop by hop, from the emulator's journal. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../flags.js';
import type { TraceFlags } from './run.js';

export const name = 'trace';
export const description = 'Show where a message went: publish -> deliveries -> queue -> receives -> Lambda -> delete or DLQ';
export const examples = [
  'svl trace 6f1c2e0a-5b1d-4f0e-9a53-0c1d2e3f4a5b --local',
  'svl trace --last --topic orders --local',
  'svl trace --last --queue orders-q --follow --local',
  'svl trace <message-id> --function worker   # on AWS: the log lines that mention it',
  'svl trace <message-id> --queue orders      # on AWS: is it in orders\' DLQ, with its attributes',
];

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('[id]', 'a message id (SNS or SQS) or a Lambda request id')
    .option('--last', 'trace the most recent publish (--topic), send (--queue), or message overall')
    .option('--topic <topic>', 'with --last: the latest publish on this topic')
    .option('--queue <queue>', 'with --last: the latest send to this queue; on AWS: look for the message in its DLQ')
    .option('--follow', 'keep printing the hops that come next until Ctrl-C')
    .option('--function <name>', 'AWS: search this function\'s logs for the id (repeatable)', collect)
    .option('--since <age>', 'AWS: how far back to search the logs (default 1h)')
    .action(async (id: string | undefined, opts: TraceFlags, cmd: Command) => {
      const target = ctx.target(cmd);
      const ui = ctx.ui(cmd);
      const { parseTrace, runTrace, followTrace } = await import('./run.js');
      const o = parseTrace(id, opts, target.kind === 'local');
      if (target.kind !== 'local') {
        const { traceOnAws, renderAwsTrace } = await import('./aws.js');
        ui.result(await traceOnAws(o.id!, o.functions, o.since, target, o.queue, ui, ctx.signal), (r) => renderAwsTrace(r, ui.style));
        return;
      }
      const { renderTrace, renderFollowed } = await import('./render.js');
      const r = await runTrace(o, target, ui, ctx.signal);
      const tree = { id: r.id, picked: r.picked, roots: r.roots };
      if (r.picked) ui.hint(`Tracing the ${r.picked}: ${r.id}`);
      if (!o.follow) {
        ui.result(tree, (t) => renderTrace(t, ui.style));
        return;
      }
      // --follow: the tree, then each later hop as it happens (with --json: NDJSON, the tree first).
      ui.record(tree, (t) => renderTrace(t, ui.style));
      ui.hint('Following: new hops print as they happen. Ctrl-C to stop.');
      const shown = await followTrace(r, target, (node, parent, depth) => ui.record({ event: node.event, parent: parent?.seq ?? null, afterMs: node.afterMs }, () => renderFollowed(node, depth, ui.style)), ctx.signal);
      // Ctrl-C: exit 130 with the count. No partial on stdout: everything was shown, and with --json stdout
      // carries NDJSON lines only.
      const { cancelled } = await import('../../errors.js');
      throw cancelled({ done: `traced ${r.id}, ${shown} later hop${shown === 1 ? '' : 's'} followed` });
    });
}
