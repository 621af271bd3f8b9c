/**
 * The work of `svl export`: find and validate the spec, generate the IaC text, write it or return it.
 * A spec that declares functions: Terraform zips their code directories itself (paths relative to the
 * exported file); for CloudFormation the packages are written next to the template, in
 * `<flow>-functions/<function>-<sha>.zip` (the key parameters' defaults are `<flow>/<that file name>`, so
 * a changed package gets a new key and CloudFormation updates the function).
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { codeSha256, zipDirectory } from '../../domain/zip-dir.js';
import { codeDirOf, resolveFunctionCode } from '../../flows/function-spec.js';
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
  /** The spec file's directory (declared functions' code is relative to it). */
  specDir: string;
}

export interface ExportResult {
  format: ExportFormat;
  flow: string;
  source: string;
  /** The file written (absolute), with --out. */
  path?: string;
  content: string;
  /** CloudFormation with declared functions: the packages written next to the template (absolute), and their S3 prefix. */
  packages?: { dir: string; files: string[]; prefix: string };
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
  return { spec, source, format: flags.format, out, outExists, specDir: dirname(path) };
}

const defaultFileName = (flow: string, format?: ExportFormat) => (format === 'cloudformation' ? `${flow}.template.json` : `${flow}.tf`);

export function runExport(o: ExportOptions & { format: ExportFormat; overwrite: boolean }): ExportResult {
  const fns = o.spec.functions ?? [];
  const outDir = o.out ? dirname(o.out) : process.cwd();
  const dirs = fns.length ? resolveFunctionCode(fns, o.specDir, o.source) : new Map<string, string>();
  const zips = new Map(o.format === 'cloudformation' ? fns.map((f) => {
    const zip = zipDirectory(dirs.get(f.name)!);
    return [f.name, { zip, file: `${f.name}-${Buffer.from(codeSha256(zip), 'base64').toString('hex').slice(0, 12)}.zip` }] as const;
  }) : []);
  const prefix = o.spec.name;
  const content = exportFlow(o.spec, o.format, {
    codePath: (f) => relative(outDir, codeDirOf(f, o.specDir)).split('\\').join('/') || '.',
    codeKey: (f) => `${prefix}/${zips.get(f.name)!.file}`,
  });
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
  if (!zips.size) return { ...result, path: o.out };
  const dir = join(outDir, `${o.spec.name}-functions`);
  mkdirSync(dir, { recursive: true });
  for (const { zip, file } of zips.values()) writeFileSync(join(dir, file), zip);
  return { ...result, path: o.out, packages: { dir, files: [...zips.values()].map((z) => join(dir, z.file)), prefix } };
}

export function renderExport(r: ExportResult, ui: Ui): string {
  if (r.path === undefined) {
    if (r.format === 'cloudformation' && r.content.includes('"CodeBucket"')) ui.warn('The function packages are written only with --out (next to the template): export again with --out <file>.');
    return r.content;
  }
  const rel = relative(process.cwd(), r.path) || r.path;
  if (r.format === 'terraform') {
    const dir = dirname(rel);
    const chdir = dir === '.' ? '' : ` -chdir=${shellQuote(dir)}`;
    ui.hint(`Next: terraform${chdir} init && terraform${chdir} plan`);
  } else {
    const stack = /^[A-Za-z]/.test(r.flow) ? r.flow.replace(/_/g, '-') : `svl-${r.flow.replace(/_/g, '-')}`;
    if (r.packages) {
      const dir = relative(process.cwd(), r.packages.dir) || r.packages.dir;
      ui.info(`Function packages: ${r.packages.files.map((f) => basename(f)).join(', ')} in ${dir}/`);
      ui.hint(
        `Next: aws s3 cp ${shellQuote(`${dir}/`)} s3://<bucket>/${r.packages.prefix}/ --recursive && ` +
          `aws cloudformation deploy --template-file ${shellQuote(rel)} --stack-name ${stack} --capabilities CAPABILITY_IAM --parameter-overrides CodeBucket=<bucket>`,
      );
    } else ui.hint(`Next: aws cloudformation deploy --template-file ${shellQuote(rel)} --stack-name ${stack}`);
  }
  return r.path;
}
