/** `svl deploy <dir> --name <fn>`: zip a handler directory and create or update the function. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { collect } from '../flags.js';

export const name = 'deploy';
export const description = 'Zip a handler directory and create or update a Lambda function';
export const examples = [
  'svl deploy ./handler --name resize --local',
  'svl deploy ./worker --name jobs-work-worker --runtime nodejs22.x --handler index.handler --timeout 30',
  'svl deploy ./py --name report --runtime python3.12 --handler app.handler --role arn:aws:iam::123456789012:role/report',
];

export interface DeployFlags {
  name?: string;
  runtime?: string;
  handler?: string;
  role?: string;
  timeout?: string;
  memory?: string;
  env?: string[];
}


export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('<dir>', 'directory holding the handler code (zipped as is, node_modules included)')
    .option('--name <function>', 'function name (required)')
    .option('--runtime <runtime>', 'e.g. nodejs20.x, python3.12, provided.al2023 (default: detected from the files)')
    .option('--handler <file.export>', 'e.g. index.handler (default: detected from the files)')
    .option('--role <arn>', 'execution role ARN (required on AWS when creating; a placeholder on the emulator)')
    .option('--timeout <seconds>', 'Timeout, 1-900')
    .option('--memory <MB>', 'MemorySize, 128-10240')
    .option('--env <KEY=value>', 'an environment variable (repeatable)', collect)
    .action(async (dir: string, opts: DeployFlags, cmd: Command) => {
      const { parseDeploy, runDeploy, renderDeploy } = await import('./run.js');
      const options = parseDeploy(dir, opts);
      const ui = ctx.ui(cmd);
      const result = await runDeploy(options, ctx.target(cmd), ui, ctx.signal).catch(async (err: unknown) => {
        if (!ctx.signal.aborted) throw err;
        // Ctrl-C aborts the call in flight: the function may be created, or updated in part. Deploy is idempotent.
        const [{ cancelled }, { commandLine, invocationArgs }] = await Promise.all([import('../../errors.js'), import('../resume.js')]);
        const resume = commandLine(invocationArgs(cmd));
        throw cancelled({ done: `deploy of ${options.name} interrupted; the function may be created or updated in part`, resume, hint: `deploy again to converge: ${resume}` });
      });
      ui.result(result, (r) => renderDeploy(r, ui));
    });
}
