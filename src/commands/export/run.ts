/** The work of `svl export`: find and validate the spec, generate the IaC text, write it or return it. */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { exportFlow, type ExportFormat } from '../../flows/export.js';
import { resolveSpecFile, readSpecFile } from '../../flows/files.js';
import type { FlowSpec } from '../../flows/spec.js';
import type { Ui } from '../../ui/index.js';
import type { ExportFlags } from './index.js';
import { shellQuote } from '../resume.js';

export interface ExportOptions {
  spec: FlowSpec;
  /** The spec file, relative to the working directory. */
  source: string;
  format?: ExportFormat;
  /** Absolute path of --out. */
  out?: string;
  outExists: boolean;
}

export interface ExportResult {
  format: ExportFormat;
  flow: string;
  source: string;
  /** The file written (absolute), with --out. */
  path?: string;
  content: string;
}

export function parseExport(file: string | undefined, flags: ExportFlags, cwd: string): ExportOptions {
  const path = resolveSpecFile(file, cwd);
  const spec = readSpecFile(path);
  const source = relative(cwd, path) || path;
  let out: string | undefined;
  let outExists = false;
  if (flags.out !== undefined) {
    if (flags.out.trim() === '') throw new UsageError('--out needs a file path', { hint: 'e.g. --out flow.tf' });
    out = resolve(cwd, flags.out);
    if (existsSync(out)) {
      if (statSync(out).isDirectory()) throw new UsageError(`--out: ${flags.out} is a directory`, { hint: `Name a file in it, e.g. --out ${flags.out.replace(/\/$/, '')}/${defaultFileName(spec.name, flags.format)}` });
      outExists = true;
    }
  }
  return { spec, source, format: flags.format, out, outExists };
}

const defaultFileName = (flow: string, format?: ExportFormat) => (format === 'cloudformation' ? `${flow}.template.json` : `${flow}.tf`);

export function runExport(o: ExportOptions & { format: ExportFormat; overwrite: boolean }): ExportResult {
  const content = exportFlow(o.spec, o.format);
  const result: ExportResult = { format: o.format, flow: o.spec.name, source: o.source, content };
  if (o.out === undefined) return result;
  try {
    // 'wx' fails if the file appeared since parse: never overwrite what was not confirmed.
    writeFileSync(o.out, content, { flag: o.overwrite ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`Refusing to overwrite ${o.out} without --yes`, { hint: 'Add --yes to confirm' });
    throw new UsageError(`--out: cannot write ${o.out} (${code ?? (err as Error).message})`, {
      hint: code === 'ENOENT' ? `Create the directory ${dirname(o.out)} first.` : undefined,
    });
  }
  return { ...result, path: o.out };
}

export function renderExport(r: ExportResult, ui: Ui): string {
  if (r.path === undefined) return r.content;
  const rel = relative(process.cwd(), r.path) || r.path;
  if (r.format === 'terraform') {
    const dir = dirname(rel);
    const chdir = dir === '.' ? '' : ` -chdir=${shellQuote(dir)}`;
    ui.hint(`Next: terraform${chdir} init && terraform${chdir} plan`);
  } else {
    const stack = /^[A-Za-z]/.test(r.flow) ? r.flow.replace(/_/g, '-') : `svl-${r.flow.replace(/_/g, '-')}`;
    ui.hint(`Next: aws cloudformation deploy --template-file ${shellQuote(rel)} --stack-name ${stack}`);
  }
  return r.path;
}
