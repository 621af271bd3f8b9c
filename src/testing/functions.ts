/**
 * Deploys svl/testing's `functions`: a directory (zipped and created like `aws lambda create-function`
 * would; its handler runs in a real Runtime API process, as any function of the emulator) or an inline
 * handler (a function of the test process, run by the runtime's inline mode: breakpoints and coverage
 * work). Both go through the Lambda service's CreateFunction, so they are ordinary functions to Invoke,
 * event source mappings and SNS.
 *
 * Deliberately not here: building code (TypeScript, bundling): a directory is zipped as it is.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { randomUUID } from 'node:crypto';
import { writeZip, type ZipInput } from '../domain/zip.js';
import type { LambdaService } from '../local/lambda/service.js';
import type { InlineHandler } from '../local/lambda/runtime/inline.js';

interface FunctionOptions {
  /** Seconds (default 3, as AWS). */
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
}

export interface InlineFunction extends FunctionOptions {
  handler: InlineHandler;
}

export interface DirectoryFunction extends FunctionOptions {
  /** The code directory (zipped as is). */
  dir: string;
  /** `file.export` (default `index.handler`). */
  handler?: string;
  /** Default nodejs20.x. */
  runtime?: string;
}

/** A directory path, a directory function, or an inline handler (with or without options). */
export type FunctionDefinition = string | InlineHandler | InlineFunction | DirectoryFunction;

const PLACEHOLDER = writeZip([
  { name: 'index.mjs', data: "export const handler = () => { throw new Error('svl/testing inline function: its handler runs in the test process'); };\n" },
]);

function zipDir(dir: string): Buffer {
  const files: ZipInput[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === '.git') continue;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) files.push({ name: relative(dir, p).split('\\').join('/'), data: readFileSync(p), mode: st.mode & 0o777 });
    }
  };
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new Error(`svl/testing: function directory ${dir} does not exist.`);
  }
  if (!st.isDirectory()) throw new Error(`svl/testing: ${dir} is not a directory (a function's code is a directory, or an inline { handler }).`);
  walk(dir);
  return writeZip(files);
}

export async function deployFunction(lambda: LambdaService, baseUrl: string, name: string, def: FunctionDefinition): Promise<void> {
  const d: InlineFunction | DirectoryFunction = typeof def === 'string' ? { dir: def } : typeof def === 'function' ? { handler: def } : def;
  const inline = typeof d.handler === 'function';
  if (!inline && !('dir' in d && typeof d.dir === 'string')) {
    throw new TypeError(`svl/testing: function ${name} needs a handler function (inline) or a dir (its code directory).`);
  }
  const zip = inline ? PLACEHOLDER : zipDir((d as DirectoryFunction).dir);
  lambda.runtime.setInline(name, inline ? (d as InlineFunction).handler : undefined);
  const input: Record<string, unknown> = {
    FunctionName: name,
    Runtime: inline ? 'nodejs20.x' : ((d as DirectoryFunction).runtime ?? 'nodejs20.x'),
    Role: 'arn:aws:iam::000000000000:role/svl-testing',
    Handler: inline ? 'index.handler' : ((d as DirectoryFunction).handler ?? 'index.handler'),
    Code: { ZipFile: zip.toString('base64') },
    ...(d.timeout !== undefined && { Timeout: d.timeout }),
    ...(d.memorySize !== undefined && { MemorySize: d.memorySize }),
    ...(d.environment && { Environment: { Variables: d.environment } }),
  };
  const ctx = { requestId: randomUUID(), baseUrl };
  if (lambda.store.get(name)) {
    await lambda.call('UpdateFunctionCode', { FunctionName: name, ZipFile: input.Code && (input.Code as { ZipFile: string }).ZipFile }, ctx);
    await lambda.whenActive(name);
    const { Code: _c, FunctionName: _f, ...config } = input;
    await lambda.call('UpdateFunctionConfiguration', { FunctionName: name, ...config }, ctx);
  } else {
    await lambda.call('CreateFunction', input, ctx);
  }
  await lambda.whenActive(name);
}
