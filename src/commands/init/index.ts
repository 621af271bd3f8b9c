/**
 * `svl init`: scaffold a flow from a template, show the plan, apply it, write the spec file; a template
 * with code (queue-worker) also writes its handler to ./<name>-worker/ and deploys it.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../flags.js';

export const name = 'init';
export const description = 'Scaffold a flow from a template (fanout: SNS topic -> SQS queues, each with a DLQ; users-app: the whole seed system)';
export const examples = [
  'svl init fanout orders --queues billing,shipping --local --yes',
  `svl init fanout orders --queues billing,shipping --filter billing='{"type":["invoice"]}' --max-receive-count 3`,
  'svl init fanout payments --fifo --queues ledger,notify --dry-run',
  'svl init users-demo --local --yes',
  'svl init users-app --local --yes',
  'svl init users-app --dir ~/code/users-app --role arn:aws:iam::123456789012:role/users-app --yes',
  'svl init queue-worker jobs --local --yes',
  'svl init queue-worker jobs --role arn:aws:iam::123456789012:role/jobs-worker',
  'svl init --list',
];


export interface InitFlags {
  list?: boolean;
  queues?: string;
  fifo?: boolean;
  maxReceiveCount?: string;
  filter?: string[];
  raw?: boolean;
  dryRun?: boolean;
  out?: string;
  force?: boolean;
  role?: string;
  dir?: string;
}

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('[template]', 'template to start from (svl init --list)', 'fanout')
    .argument('[name]', 'flow name: names the topic and prefixes the queues')
    .option('--list', 'list the templates')
    .option('--queues <list>', 'subscriber queues, comma-separated (e.g. billing,shipping)')
    .option('--fifo', 'FIFO topic and queues (ordered, deduplicated)')
    .option('--max-receive-count <n>', 'receives before a message moves to its DLQ (1-1000)')
    .option('--filter <queue=json>', 'filter policy for a queue, e.g. billing=\'{"type":["invoice"]}\' (repeatable)', collect)
    .option('--raw', 'raw message delivery (the queue gets the message itself, not the SNS envelope)')
    .option('--dry-run', 'show the plan; create nothing, write nothing')
    .option('--out <file>', 'where to write the flow spec (default: <name>.flow.json)')
    .option('--force', 'overwrite an existing, different spec file (and the handler directory of a template with code)')
    .option('--dir <dir>', 'the project directory the spec and handler code are written to (default: the current one; ./<name> for users-app)')
    .option('--role <arn>', 'execution role of the functions a template with code deploys (required on AWS when creating them)')
    .action(async (template: string, flowName: string | undefined, opts: InitFlags, cmd: Command) => {
      const ui = ctx.ui(cmd);
      if (opts.list) {
        const { runList, renderList } = await import('./run.js');
        ui.result(runList(), (r) => renderList(r, ui));
        return;
      }
      const [{ gatherInit, runInit, renderInit, templateAccount }, { targetArgs, invocationArgs }] = await Promise.all([import('./run.js'), import('../resume.js')]);
      const target = ctx.target(cmd);
      // Bucket names are global: on AWS a template's buckets get the account id (one STS call). Not on an
      // endpoint the user named (an emulator or proxy: its buckets are its own, and it may have no STS).
      const account = target.kind === 'aws' && Object.keys(target.endpoints).length === 0 ? await templateAccount(template, target, ui) : undefined;
      const options = await gatherInit(template, flowName, opts, ui, account);
      const cancel = { signal: ctx.signal, targetArgs: targetArgs(cmd.optsWithGlobals()), again: invocationArgs(cmd) };
      ui.result(await runInit(options, target, ui, cancel), (r) => renderInit(r, ui));
    });
}
