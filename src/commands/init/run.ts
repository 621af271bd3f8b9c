/**
 * The work of `svl init`: plan the flow from the gathered answers (answers.ts), ask before changing a
 * real AWS account, write the spec, write and deploy the template's handler code when it has some (the
 * same code path as `svl deploy`), then apply — consumers included, in one run. A template that is a
 * whole project (users-app) goes into its own directory, with a secret file written once (the token
 * key), and its spec declares its functions (`functions`, code relative to the spec): apply deploys them,
 * and `svl apply` after editing a handler redeploys what changed. The functions are tagged with the flow
 * so that `svl destroy` removes them too. Returns
 * data; prints nothing but progress.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { Target } from '../../aws/target.js';
import { CancelledError, cancelled, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { applyFlow, prepareFlow, type ApplyResult } from '../../flows/apply.js';
import { writeSpecFile } from '../../flows/files.js';
import type { Plan } from '../../flows/plan.js';
import { assertApplicable } from '../../flows/preflight.js';
import { FLOW_TAG, type FlowSpec } from '../../flows/spec.js';
import { mapAwsError } from '../../aws/errors.js';
import { listTemplates, loadTemplate, templateCodeDir } from '../../flows/templates.js';
import { basePlanContext, flowClients } from '../flow-clients.js';
import { renderPlan, renderSpecGraph } from '../apply/render.js';
import { commandLine } from '../resume.js';
import { confirmAccount } from '../confirm-account.js';
import { runDeploy, type DeployResult } from '../deploy/run.js';
import type { InitOptions } from './answers.js';
import { writeWorkerDir } from './code.js';
import { stsSdk } from '../../aws/sdk.js';

export { gatherInit, type InitOptions } from './answers.js';

/** The account id, when the template has buckets (their names get it on AWS); one STS call. */
export async function templateAccount(template: string, target: Target, ui: Pick<Ui, 'warn'>): Promise<string | undefined> {
  const t = loadTemplate(template);
  if (!t.bucket && !(t.spec as { buckets?: unknown[] } | undefined)?.buckets?.length) return undefined;
  const { getSts } = await import('../../aws/clients.js');
  const { GetCallerIdentityCommand } = stsSdk();
  try {
    const id = await (await getSts(target)).send(new GetCallerIdentityCommand({}));
    return id.Account;
  } catch (err) {
    const e = mapAwsError(err, { target, operation: 'GetCallerIdentity' });
    // No credentials: nothing else would work either. Otherwise (an endpoint without STS, e.g. set in
    // the AWS config file) the names stay as the template has them, and the user is told.
    if (e.exitCode === 2) throw e;
    ui.warn(`Could not read the account id (${e.message}): the bucket names stay as the template has them, and a bucket name is global on AWS.`);
    return undefined;
  }
}

/**
 * The code's secret file (e.g. the token key), written once with random bytes and kept afterwards, and
 * a `.gitignore` beside it so that `git add .` in the project does not commit it. On AWS a project with
 * demo accounts also gets random passwords (`.demo-passwords.json`, same rules): the template's
 * `<name>-demo` passwords are published in the README and are only for the emulator on loopback.
 * Neither file is ever printed.
 */
function writeSecretFiles(dir: string, name: string | undefined, kind: Target['kind']): boolean {
  if (!name) return false;
  const ignore = join(dir, '.gitignore');
  const lines = [name, '.demo-passwords.json'];
  const have = existsSync(ignore) ? readFileSync(ignore, 'utf8').split('\n') : [];
  const add = lines.filter((l) => !have.includes(l));
  if (add.length) writeFileSync(ignore, `${[...have.filter(Boolean), ...add].join('\n')}\n`);
  if (kind === 'aws' && !existsSync(join(dir, '.demo-passwords.json'))) {
    const pw = () => randomBytes(18).toString('base64url');
    writeFileSync(join(dir, '.demo-passwords.json'), `${JSON.stringify({ admin: pw(), editor: pw(), viewer: pw() }, null, 2)}\n`, { mode: 0o600 });
  }
  if (existsSync(join(dir, name))) return false;
  writeFileSync(join(dir, name), `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  return true;
}

export function runList() {
  return {
    templates: listTemplates().map((t) => {
      const where = t.project ? `./${(t.spec as { name: string }).name}/${t.code?.dirName ?? `${(t.spec as { name: string }).name}-worker`}/ with the spec` : './<name>-worker/';
      return { name: t.id, description: t.description, code: templateCodeDir(t) ? `${t.consumer?.handlerDir ?? t.code!.handlerDir}/ (written to ${where} and deployed)` : null };
    }),
  };
}

export function renderList(r: ReturnType<typeof runList>, ui: Ui): string {
  const w = Math.max(...r.templates.map((t) => t.name.length));
  return [
    'Templates:',
    ...r.templates.map((t) => `  ${ui.style.bold(t.name.padEnd(w))}  ${t.description}${t.code ? `\n  ${' '.repeat(w)}  ${ui.style.cyan(`comes with code: ${t.code}`)}` : ''}`),
  ].join('\n');
}

/** A function init deployed (`svl deploy`'s result), or one the spec declares and apply deployed (or found unchanged). */
export type InitDeployed = Pick<DeployResult, 'function' | 'runtime' | 'handler'> & Partial<Omit<DeployResult, 'action'>> & { action: 'created' | 'updated' | 'unchanged' };

export interface InitResult {
  flow: string;
  template: string;
  specFile: string | null;
  dryRun: boolean;
  plan: Plan;
  applied: ApplyResult | null;
  /** The handler code written and the functions deployed from it (templates with code). */
  code: { dir: string; written: boolean; deployed: InitDeployed[] } | null;
  /** Where the flow's first HTTP API answers (the emulator's path-style URL on --local). */
  apiUrl?: string;
  apiCalls: number;
  elapsedMs: number;
  target: 'aws' | 'local';
  spec: FlowSpec;
}

/** Ctrl-C (`cancel.signal`) stops the apply between resource steps; `svl apply <spec file>` then converges. */
export async function runInit(o: InitOptions, target: Target, ui: Ui, cancel: { signal?: AbortSignal; targetArgs?: string[]; again?: string[] } = {}): Promise<InitResult> {
  const signal = cancel.signal;
  const t0 = performance.now();
  const clients = await flowClients(target, ui);
  // A spec that declares its functions (users-app) has apply deploy them; otherwise init deploys them first.
  const declared = o.spec.functions ?? [];
  const deploys = declared.length ? [] : (o.code?.functions ?? []);
  const specDir = dirname(o.file);
  // Until init writes the code, the plan zips the template's copy (or what is already in the project).
  const planSpec = declared.length && o.code ? { ...o.spec, functions: declared.map((f) => ({ ...f, code: existsSync(o.code!.dir) ? o.code!.dir : o.code!.from })) } : o.spec;
  const roleHint = 'Give the functions\' execution role: --role arn:aws:iam::<account>:role/<name>';
  try {
    const base = { ...(await basePlanContext(target, clients)), specDir, roleHint };
    let prepared = await prepareFlow(planSpec, clients, { ...base, deploys });
    const { plan, observed } = prepared;
    // Functions deployed here get the template's timeout; only the others are judged as they exist.
    const others = new Map([...(observed.functionTimeouts ?? [])].filter(([fn]) => !deploys.includes(fn)));
    assertApplicable(o.spec, { functionTimeouts: others, apis: observed.apis }, `flow "${o.spec.name}" (template ${o.template})`, deploys);
    const missing = deploys.filter((fn) => observed.missingFunctions?.has(fn) || observed.apis?.missingFunctions.has(fn));
    if (o.code && target.kind === 'aws' && !o.role && missing.length) {
      throw new UsageError(`--role is required to create ${missing.join(', ')} on AWS.`, { hint: 'Give the functions\' execution role: --role arn:aws:iam::<account>:role/<name>' });
    }
    for (const w of plan.warnings) ui.warn(w);
    const result = (applied: ApplyResult | null, code: InitResult['code']): InitResult => ({
      flow: o.spec.name, template: o.template, specFile: o.dryRun ? null : o.file, dryRun: o.dryRun, plan, applied, code,
      apiCalls: clients.calls(), elapsedMs: performance.now() - t0, target: target.kind, spec: o.spec,
    });
    if (o.dryRun) return result(null, o.code ? { dir: o.code.dir, written: false, deployed: [] } : null);
    if (!ui.json) {
      ui.info(renderPlan(plan, ui));
      if (o.code) ui.info(`Code: ${o.code.dir} (from the ${o.template} template), deployed as ${(declared.length ? declared.map((f) => f.name) : deploys).join(', ')}${declared.length ? ' (the spec\'s functions)' : ''}`);
    }
    await confirmAccount(target, ui, `Create flow ${o.spec.name} (${plan.steps.length} change(s)${deploys.length ? `, deploy ${deploys.join(', ')}` : ''})`);
    if (signal?.aborted) throw cancelled({ done: 'nothing created, no spec file written' });
    // The spec is written before applying, so that after a failure halfway `svl apply` can converge.
    mkdirSync(dirname(o.file), { recursive: true });
    writeSpecFile(o.file, o.spec, true);
    const rel = relative(process.cwd(), o.file);
    const resume = commandLine(['apply', rel.startsWith('..') || isAbsolute(rel) ? o.file : rel, ...(cancel.targetArgs ?? [])]);
    let code: InitResult['code'] = null;
    if (o.code) {
      const written = writeWorkerDir(o.code.from, o.code.dir, o.force);
      writeSecretFiles(o.code.dir, o.code.secretFile, target.kind);
      // Tagged like the rest of the flow, so that `svl destroy` removes the functions init deployed.
      const tags = { [FLOW_TAG]: o.spec.name };
      const deployed: InitDeployed[] = [];
      for (const fn of deploys) {
        // Between deploys: the same init again converges (unchanged handler files are not a conflict).
        if (signal?.aborted) {
          throw cancelled({
            done: `wrote ${o.file} and the handler code in ${o.code.dir}; deployed ${deployed.length ? deployed.map((d) => d.function).join(', ') : 'nothing yet'}; created nothing else`,
            ...(cancel.again ? { resume: commandLine(cancel.again) } : {}),
          });
        }
        deployed.push(await runDeploy({ dir: o.code.dir, name: fn, role: o.role, timeout: o.code.timeout, ...(o.code.handlers?.[fn] && { handler: o.code.handlers[fn] }), ...(o.code.env?.[fn] && { env: o.code.env[fn] }), tags }, target, ui, signal));
      }
      if (declared.length) {
        // The code is written: plan again from it (its secret file is part of the package), then apply deploys it.
        prepared = await prepareFlow(o.spec, clients, base);
        const steps = prepared.plan.steps.filter((s) => s.kind === 'function');
        for (const f of declared) {
          const s = steps.find((x) => x.name === f.name);
          deployed.push({ function: f.name, action: s?.action === 'create' ? 'created' : s ? 'updated' : 'unchanged', runtime: f.runtime, handler: f.handler });
        }
      }
      code = { dir: o.code.dir, written, deployed };
    }
    const total = prepared.plan.steps.length;
    const spinner = await ui.spinner(`Applying ${total} change(s)…`);
    let n = 0;
    try {
      const applied = await applyFlow(o.spec, clients, prepared, {
        onStep: (s) => spinner.update(`Applying (${++n}/${total}) ${s.action} ${s.kind} ${s.name}`),
        signal: cancel.signal,
        resume,
      });
      spinner.succeed(total ? `Applied ${total} change(s)` : 'Nothing to change');
      const api = applied.apis?.[0];
      const local = target.endpoints.lambda ?? target.endpoints.sqs ?? 'http://127.0.0.1:4566';
      const apiUrl = api ? (target.kind === 'local' ? `${local}/_aws/execute-api/${api.id}` : api.endpoint) : undefined;
      return { ...result(applied, code), ...(apiUrl && { apiUrl }) };
    } catch (err) {
      if (err instanceof CancelledError) spinner.stop();
      else spinner.fail('Apply failed');
      throw err;
    }
  } finally {
    clients.release();
  }
}

const specArg = (file: string) => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
};

export function renderInit(r: InitResult, ui: Ui): string {
  if (r.dryRun) return `${renderPlan(r.plan, ui, 'Plan (dry run, nothing created)')}\n\n${renderSpecGraph(r.spec, ui)}`;
  const local = r.target === 'local' ? ' --local' : '';
  const first = r.spec.queues[0]!;
  const group = r.spec.topic.fifo ? ' --group g1' : '';
  const rel = r.code ? relative(process.cwd(), r.code.dir) : '';
  const dir = r.code && (rel.startsWith('..') || rel === '' ? r.code.dir : `./${rel}`);
  const api = r.spec.apis[0];
  const route = api?.routes.find((x) => x.route.startsWith('GET ') && !x.authorizer) ?? api?.routes[0];
  const sample = route && route.route !== '$default' ? `${route.route.split(' ')[0] === 'ANY' ? 'GET' : route.route.split(' ')[0]} ${route.route.split(' ')[1]!.replace(/\{([^}+]+)\+?\}/g, '$1')}` : 'GET /';
  // A template's command is an svl command, or (with {{local}} in it) a whole shell line.
  // On AWS the demo accounts have random passwords (writeSecretFiles): the login line reads them from the file.
  const demo = (c: string) => (r.target === 'aws' && dir ? c.replace(/-d '\{\\?"username\\?":\\?"(\w+)\\?",\\?"password\\?":\\?"\w+-demo\\?"\}'/, (_m, u: string) => `-d "$(jq -c '{username:"${u}",password:.${u}}' ${dir}/.demo-passwords.json)"`) : c);
  const tried = loadTemplate(r.template).next?.map((c) => demo(c.includes('{{local}}') ? c.replace(/\{\{local\}\}/g, local) : `svl ${c}${local}`));
  const next = api
    ? [...(tried ?? [`svl http ${api.name} ${sample}${local}`, `svl http ${api.name} ${sample} --event${local}`]), `svl graph ${r.flow}${local}`, ...(r.code ? [r.spec.functions?.length && r.specFile ? `svl apply ${specArg(r.specFile)}${local}   # after editing a handler: deploys the functions whose code changed` : `svl deploy ${dir} --name ${r.code.deployed[0]?.function} --handler <file.export>${local}   # after editing a handler`] : [])]
    : r.code
    ? [`svl send ${first.name} '{"id":"job-1"}'${group}${local}`, ...r.code.deployed.slice(0, 1).map((d) => `svl logs ${d.function}${local}`), `svl deploy ${dir} --name ${r.code.deployed[0]?.function ?? first.consumer?.function}${local}   # after editing the handler`]
    : [`svl publish ${r.spec.topic.name} '{"type":"invoice","id":1}'${group}${local}`, `svl graph ${r.flow}${local}`, `svl send ${first.name} 'hello'${group}${local}`];
  // A flow that starts with an upload: the first thing to try is an upload (the AWS CLI; svl has no cp).
  const bucket = r.spec.buckets?.[0];
  if (bucket) next.splice(0, next.length, ...next.filter((c) => !c.startsWith('svl send ')));
  if (bucket && !api) next.unshift(`aws s3 cp ./photo.jpg s3://${bucket.name}/${r.target === 'local' ? ' --endpoint-url http://127.0.0.1:4566' : ''}`);
  next.push(`svl status ${r.flow}${local}`, `svl destroy ${r.flow}${local}${bucket ? ' --force   # --force also empties its buckets' : ''}`);
  const code = r.code ? `\nHandler code in ${dir}${r.code.written ? '' : ' (unchanged)'}; deployed ${r.code.deployed.map((d) => `${d.function} (${d.action})`).join(', ')}.` : '';
  return [
    renderSpecGraph(r.spec, ui),
    '',
    `Flow ${ui.style.bold(r.flow)} ready${r.specFile ? `; spec written to ${r.specFile}` : ''} (${Math.round(r.elapsedMs)} ms, ${r.apiCalls} API calls).${code}`,
    ...(r.apiUrl ? [`API: ${ui.style.bold(r.apiUrl)}`] : []),
    '',
    'Next:',
    ...next.map((c) => `  $ ${c}`),
  ].join('\n');
}
