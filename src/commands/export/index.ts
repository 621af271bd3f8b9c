/** `svl export`: a flow spec as Terraform or CloudFormation, the same resources `svl apply` creates. */
import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'export';
export const description = 'Export a flow spec as Terraform or CloudFormation (the resources svl apply creates)';
export const examples = [
  'svl export --format terraform > flow.tf',
  'svl export orders.flow.json --format cloudformation --out orders.template.json',
  'svl export --format terraform --out infra/flow.tf --yes',
];

export interface ExportFlags {
  format?: 'terraform' | 'cloudformation';
  out?: string;
}

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('[file]', 'the flow spec (JSON); default: the one *.flow.json in the current directory')
    .addOption(new Option('--format <format>', 'what to write').choices(['terraform', 'cloudformation']))
    .option('--out <path>', 'write to this file instead of stdout (an existing file needs --yes)')
    .action(async (file: string | undefined, opts: ExportFlags, cmd: Command) => {
      const { parseExport, runExport, renderExport } = await import('./run.js');
      const ui = ctx.ui(cmd);
      const parsed = parseExport(file, opts, process.cwd());
      const format =
        parsed.format ??
        (await ui.ask.select({
          message: 'Export as',
          flag: '--format',
          choices: [
            { name: 'Terraform (HCL, AWS provider >= 5)', value: 'terraform' as const },
            { name: 'CloudFormation (JSON template)', value: 'cloudformation' as const },
          ],
        }));
      let overwrite = false;
      if (parsed.out !== undefined && parsed.outExists) {
        overwrite = await ui.ask.confirmDestructive({ message: `${parsed.out} exists. Overwrite it?`, action: `overwrite ${parsed.out}` });
      }
      ui.result(runExport({ ...parsed, format, overwrite }), (r) => renderExport(r, ui));
    });
}
