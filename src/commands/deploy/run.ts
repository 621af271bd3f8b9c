/**
 * The work of `svl deploy`: detect runtime and handler, zip the directory (svl's own zip writer, Unix
 * modes kept so a `bootstrap` stays executable), then CreateFunction or UpdateFunctionCode (and
 * UpdateFunctionConfiguration for changed settings), waiting until the function is ready to invoke.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getLambda } from '../../aws/clients.js';
import { mapAwsError } from '../../aws/errors.js';
import type { Target } from '../../aws/target.js';
import { SvlError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { zipDirectory } from '../../domain/zip-dir.js';
import { SUPPORTED_RUNTIMES } from '../../domain/runtimes.js';
import type { DeployFlags } from './index.js';
import { lambdaSdk } from '../../aws/sdk.js';

const MAX_ZIP = 50 * 1024 * 1024;
const LOCAL_ROLE = 'arn:aws:iam::000000000000:role/svl-lambda';

export interface DeployOptions {
  dir: string;
  name: string;
  runtime?: string;
  handler?: string;
  role?: string;
  timeout?: number;
  memory?: number;
  env?: Record<string, string>;
  /** Tags of the function (set when it is created, added when it is updated); `svl init` tags with svl:flow. */
  tags?: Record<string, string>;
}

export interface DeployResult {
  function: string;
  arn: string;
  action: 'created' | 'updated';
  runtime: string;
  handler: string;
  codeSize: number;
  codeSha256: string;
  state: string;
}

export function parseDeploy(dir: string, f: DeployFlags): DeployOptions {
  const problems: string[] = [];
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) problems.push(`<dir> "${dir}" is not a directory`);
  if (f.name === undefined) problems.push('--name is required');
  else if (!/^[a-zA-Z0-9-_]{1,64}$/.test(f.name)) problems.push(`--name "${f.name}" must be 1-64 letters, digits, - and _`);
  if (f.runtime !== undefined && !SUPPORTED_RUNTIMES.includes(f.runtime)) problems.push(`--runtime "${f.runtime}" is not one of ${SUPPORTED_RUNTIMES.join(', ')}`);
  if (f.handler !== undefined && !/^[^\s]{1,128}$/.test(f.handler)) problems.push(`--handler "${f.handler}" must be like index.handler`);
  if (f.role !== undefined && !/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(f.role)) problems.push(`--role "${f.role}" is not an IAM role ARN`);
  const int = (v: string | undefined, flag: string, min: number, max: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${flag} must be a whole number from ${min} to ${max} (got "${v}")`);
    return n;
  };
  const timeout = int(f.timeout, '--timeout', 1, 900);
  const memory = int(f.memory, '--memory', 128, 10_240);
  let env: Record<string, string> | undefined;
  for (const pair of f.env ?? []) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) problems.push(`--env "${pair}" must look like KEY=value (KEY: a letter, then letters, digits or _)`);
    else (env ??= {})[key] = pair.slice(eq + 1);
  }
  if (problems.length) throw new UsageError(problems.join('; '), { hint: 'see the options with `svl deploy --help`' });
  return { dir: abs, name: f.name!, runtime: f.runtime, handler: f.handler, role: f.role, timeout, memory, env };
}

/** Runtime and handler from the files when not given: a bootstrap, Python or Node sources. */
export function detect(dir: string, runtime?: string, handler?: string): { runtime: string; handler: string } {
  const has = (f: string) => existsSync(join(dir, f));
  const rt =
    runtime ??
    (has('bootstrap') ? 'provided.al2023' : readdirSync(dir).some((f) => f.endsWith('.py')) ? 'python3.12' : ['index.js', 'index.mjs', 'index.cjs', 'package.json'].some(has) || readdirSync(dir).some((f) => /\.(c|m)?js$/.test(f)) ? 'nodejs20.x' : undefined);
  if (!rt) throw new UsageError(`Cannot tell the runtime of ${dir}: no bootstrap, .py or .js files`, { hint: 'Pass --runtime (and --handler)' });
  if (handler) return { runtime: rt, handler };
  if (rt.startsWith('provided')) return { runtime: rt, handler: 'bootstrap' };
  const candidates = rt.startsWith('python') ? [['lambda_function.py', 'lambda_function.lambda_handler'], ['app.py', 'app.handler'], ['index.py', 'index.handler']] : [['index.mjs', 'index.handler'], ['index.js', 'index.handler'], ['index.cjs', 'index.handler'], ['app.js', 'app.handler'], ['app.mjs', 'app.handler']];
  const found = candidates.find(([file]) => has(file!));
  if (!found) throw new UsageError(`Cannot tell the handler of ${dir}`, { hint: 'Pass --handler, e.g. --handler index.handler' });
  return { runtime: rt, handler: found[1]! };
}

/** The package of a directory (src/domain/zip-dir.ts; `svl apply` zips declared functions the same way). */
export { zipDirectory };

export async function runDeploy(o: DeployOptions, target: Target, ui: Pick<Ui, 'info' | 'spinner'>, signal?: AbortSignal): Promise<DeployResult> {
  const { runtime, handler } = detect(o.dir, o.runtime, o.handler);
  const zip = zipDirectory(o.dir);
  if (zip.length > MAX_ZIP) throw new SvlError(`The package is ${(zip.length / 1048576).toFixed(1)} MB; a direct upload may be at most 50 MB`, 1, { hint: 'Leave out what the handler does not need (dev dependencies, tests)' });
  const lambda = await getLambda(target, ui);
  const L = lambdaSdk();
  const fail = (err: unknown, operation: string) => mapAwsError(err, { target, service: 'lambda', operation, resource: `function "${o.name}"` });
  const waiter = { client: lambda, maxWaitTime: 300, minDelay: 1, maxDelay: 5, abortSignal: signal };
  let exists = true;
  try {
    await lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: o.name }), { abortSignal: signal });
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw fail(err, 'GetFunctionConfiguration');
    exists = false;
  }
  const spinner = await ui.spinner(`${exists ? 'Updating' : 'Creating'} ${o.name} (${runtime}, ${(zip.length / 1024).toFixed(1)} KB)`);
  try {
    let conf;
    if (!exists) {
      const role = o.role ?? (target.kind === 'local' ? LOCAL_ROLE : undefined);
      if (!role) throw new UsageError(`--role is required to create ${o.name} on AWS`, { hint: 'Give the execution role ARN: --role arn:aws:iam::<account>:role/<name>' });
      conf = await lambda.send(new L.CreateFunctionCommand({ FunctionName: o.name, Role: role, Runtime: runtime as never, Handler: handler, Code: { ZipFile: zip }, Timeout: o.timeout, MemorySize: o.memory, ...(o.env && { Environment: { Variables: o.env } }), ...(o.tags && { Tags: o.tags }) }), { abortSignal: signal }).catch((e: unknown) => { throw fail(e, 'CreateFunction'); });
      await L.waitUntilFunctionActiveV2(waiter, { FunctionName: o.name }).catch((e: unknown) => { throw fail(e, 'GetFunction'); });
    } else {
      conf = await lambda.send(new L.UpdateFunctionCodeCommand({ FunctionName: o.name, ZipFile: zip }), { abortSignal: signal }).catch((e: unknown) => { throw fail(e, 'UpdateFunctionCode'); });
      if (o.tags && conf.FunctionArn) {
        const arn = conf.FunctionArn;
        await lambda.send(new L.TagResourceCommand({ Resource: arn, Tags: o.tags }), { abortSignal: signal }).catch((e: unknown) => { throw fail(e, 'TagResource'); });
      }
      await L.waitUntilFunctionUpdatedV2(waiter, { FunctionName: o.name }).catch((e: unknown) => { throw fail(e, 'GetFunction'); });
      const settings = { Runtime: o.runtime as never, Handler: o.handler, Role: o.role, Timeout: o.timeout, MemorySize: o.memory, ...(o.env && { Environment: { Variables: o.env } }) };
      if (Object.values(settings).some((v) => v !== undefined)) {
        conf = await lambda.send(new L.UpdateFunctionConfigurationCommand({ FunctionName: o.name, ...settings }), { abortSignal: signal }).catch((e: unknown) => { throw fail(e, 'UpdateFunctionConfiguration'); });
        await L.waitUntilFunctionUpdatedV2(waiter, { FunctionName: o.name }).catch((e: unknown) => { throw fail(e, 'GetFunction'); });
      }
    }
    const final = await lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: o.name }), { abortSignal: signal });
    spinner.stop();
    return {
      function: o.name,
      arn: final.FunctionArn ?? conf.FunctionArn ?? '',
      action: exists ? 'updated' : 'created',
      runtime: final.Runtime ?? runtime,
      handler: final.Handler ?? handler,
      codeSize: final.CodeSize ?? zip.length,
      codeSha256: final.CodeSha256 ?? '',
      state: final.State ?? 'Active',
    };
  } catch (err) {
    spinner.stop();
    throw err;
  }
}

export function renderDeploy(r: DeployResult, ui: Pick<Ui, 'success' | 'hint'>): string {
  ui.success(`${r.action === 'created' ? 'Created' : 'Updated'} ${r.function} (${r.runtime}, ${r.handler}, ${(r.codeSize / 1024).toFixed(1)} KB) — ${r.state}`);
  ui.hint(`Next: svl invoke ${r.function} --payload '{}'`);
  return r.arn;
}
