/** `svl send <queue> [body]`: one message, or one per line with --ndjson. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../flags.js';

export const name = 'send';
export const description = 'Send a message to an SQS queue (body as text, @file or stdin), or many with --ndjson';
export const examples = [
  `svl send orders '{"id":1}' --local`,
  'svl send orders @order.json --attr type=invoice --attr amount=Number:120',
  'echo \'{"id":2}\' | svl send orders.fifo --group customer-7 --dedup order-2',
  'svl send orders --ndjson orders.ndjson --json',
];

export const NDJSON_HELP = `
--ndjson: one message per line (blank lines are skipped)
  "some text"        a JSON string: its value is the body
  {"id": 1}          other JSON without a "body" key: the line itself is the body
  {"body": {"id": 1}, "attributes": {"type": "invoice", "amount": 120}, "group": "g1", "dedup": "d1"%EXTRA%}
                     an envelope: a string body is sent as is, any other as JSON; its values win over
                     the flags (attributes: string -> String, number -> Number, array -> String.Array)
Sent in batches of 10 (in order, one batch at a time, for FIFO); a line that fails is reported with its
number and the others still go out; exit 1 if any failed. A line that is not UTF-8 fails (base64-encode
binary data). Ctrl-C stops after the batches in flight are acknowledged and prints the command that
continues: the same one with --skip <lines done>.`;

export interface SendFlags {
  attr?: string[];
  group?: string;
  dedup?: string;
  delay?: string;
  ndjson?: string;
  skip?: string;
}


export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<queue>', 'queue name, URL or ARN')
    .argument('[body]', 'message body: text, @file, or - for stdin (default: stdin when piped)')
    .option('--attr <name=[Type:]value>', 'a message attribute (repeatable); Type: String, Number, String.Array, Binary', collect)
    .option('--group <id>', 'MessageGroupId (required by FIFO queues)')
    .option('--dedup <id>', 'MessageDeduplicationId (FIFO queues without content-based deduplication)')
    .option('--delay <seconds>', 'DelaySeconds for the message, 0-900 (standard queues)')
    .option('--ndjson <file|->', 'send one message per line of a file or stdin (format below)')
    .option('--skip <lines>', 'with --ndjson: pass over the first N input lines (to continue a cancelled run)')
    .addHelpText('after', NDJSON_HELP.replace('%EXTRA%', ', "delay": 5'))
    .action(async (queue: string, body: string | undefined, opts: SendFlags, cmd: Command) => {
      const { parseSend, runSend, renderSend } = await import('./run.js');
      const { bulkError } = await import('../bulk.js');
      const options = parseSend(queue, body, opts);
      const ui = ctx.ui(cmd);
      const { commandLine, invocationArgs, withoutFlags } = await import('../resume.js');
      const resume = (lines: number) => commandLine([...withoutFlags(invocationArgs(cmd), ['--skip']), '--skip', String(lines)]);
      const result = await runSend(options, ctx.target(cmd), ui, ctx.signal, resume);
      ui.result(result, (r) => renderSend(r, ui));
      if ('failed' in result) {
        const err = bulkError(result);
        if (err) throw err;
      }
    });
}
