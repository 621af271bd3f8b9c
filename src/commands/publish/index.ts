/** `svl publish <topic> [message]`: one message, or one per line with --ndjson. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../flags.js';
import { NDJSON_HELP } from '../send/index.js';

export const name = 'publish';
export const description = 'Publish a message to an SNS topic (text, @file or stdin), or many with --ndjson';
export const examples = [
  `svl publish orders '{"id":1}' --attr type=invoice --local`,
  'svl publish orders @order.json --subject "New order" --attr amount=Number:120',
  'svl publish orders.fifo --group customer-7 --dedup order-2 < order.json',
  'svl publish orders --ndjson - --json < events.ndjson',
];

export interface PublishFlags {
  attr?: string[];
  group?: string;
  dedup?: string;
  subject?: string;
  ndjson?: string;
  skip?: string;
}


export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<topic>', 'topic name or ARN')
    .argument('[message]', 'the message: text, @file, or - for stdin (default: stdin when piped)')
    .option('--attr <name=[Type:]value>', 'a message attribute (repeatable); Type: String, Number, String.Array, Binary', collect)
    .option('--group <id>', 'MessageGroupId (required by FIFO topics)')
    .option('--dedup <id>', 'MessageDeduplicationId (FIFO topics without content-based deduplication)')
    .option('--subject <text>', 'Subject (email endpoints and the JSON envelope), up to 100 characters')
    .option('--ndjson <file|->', 'publish one message per line of a file or stdin (format below)')
    .option('--skip <lines>', 'with --ndjson: pass over the first N input lines (to continue a cancelled run)')
    .addHelpText('after', NDJSON_HELP.replace('%EXTRA%', ', "subject": "s"'))
    .action(async (topic: string, message: string | undefined, opts: PublishFlags, cmd: Command) => {
      const { parsePublish, runPublish, renderPublish } = await import('./run.js');
      const { bulkError } = await import('../bulk.js');
      const options = parsePublish(topic, message, opts);
      const ui = ctx.ui(cmd);
      const { commandLine, invocationArgs, withoutFlags } = await import('../resume.js');
      const resume = (lines: number) => commandLine([...withoutFlags(invocationArgs(cmd), ['--skip']), '--skip', String(lines)]);
      const result = await runPublish(options, ctx.target(cmd), ui, ctx.signal, resume);
      ui.result(result, (r) => renderPublish(r, ui));
      if ('failed' in result) {
        const err = bulkError(result);
        if (err) throw err;
      }
    });
}
