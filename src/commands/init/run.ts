/** The work of `svl init`: gather answers (flags first, then prompts), plan, apply, write the spec. */
import { resolve } from 'node:path';
import type { Target } from '../../aws/target.js';
import { UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { applyFlow, prepareFlow, type ApplyResult } from '../../flows/apply.js';
import { checkSpecFile, specFileName, writeSpecFile } from '../../flows/files.js';
import type { Plan } from '../../flows/plan.js';
import type { FlowSpec } from '../../flows/spec.js';
import { listTemplates, loadTemplate, templateSpec, type FanoutParams } from '../../flows/templates.js';
import { basePlanContext, flowClients } from '../flow-clients.js';
import { renderPlan, renderSpecGraph } from '../apply/render.js';
import type { InitFlags } from './index.js';

export function runList() {
  return { templates: listTemplates().map((t) => ({ name: t.id, description: t.description })) };
}

export function renderList(r: ReturnType<typeof runList>, ui: Ui): string {
  const w = Math.max(...r.templates.map((t) => t.name.length));
  return ['Templates:', ...r.templates.map((t) => `  ${ui.style.bold(t.name.padEnd(w))}  ${t.description}`)].join('\n');
}

export interface InitOptions {
  spec: FlowSpec;
  template: string;
  file: string;
  dryRun: boolean;
  force: boolean;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Flags first; prompts (only on a terminal) for what they do not give; template defaults otherwise. */
export async function gatherInit(template: string, flowName: string | undefined, f: InitFlags, ui: Ui): Promise<InitOptions> {
  const t = loadTemplate(template);
  const problems: string[] = [];
  if (flowName !== undefined && !NAME_RE.test(flowName)) problems.push(`name "${flowName}" must be 1-64 letters, digits, - and _`);
  let mrc: number | undefined;
  if (f.maxReceiveCount !== undefined) {
    mrc = Number(f.maxReceiveCount);
    if (!/^\d+$/.test(f.maxReceiveCount) || mrc < 1 || mrc > 1000) problems.push(`--max-receive-count must be an integer from 1 to 1000 (got ${f.maxReceiveCount})`);
  }
  let queues: string[] | undefined;
  if (f.queues !== undefined) {
    queues = f.queues.split(',').map((q) => q.trim()).filter(Boolean);
    if (queues.length === 0) problems.push('--queues must name at least one queue');
    for (const q of queues) if (!/^[A-Za-z0-9_-]{1,60}$/.test(q)) problems.push(`--queues: "${q}" must be letters, digits, - and _`);
    if (new Set(queues).size !== queues.length) problems.push('--queues lists a queue twice');
  }
  const filters: Record<string, Record<string, unknown>> = {};
  for (const item of f.filter ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      problems.push(`--filter must look like queue='{"key":["value"]}' (got ${item})`);
      continue;
    }
    try {
      const p = JSON.parse(item.slice(eq + 1)) as unknown;
      if (!p || typeof p !== 'object' || Array.isArray(p)) throw new Error('a filter policy is a JSON object');
      filters[item.slice(0, eq)] = p as Record<string, unknown>;
    } catch (err) {
      problems.push(`--filter ${item.slice(0, eq)}: invalid JSON (${(err as Error).message})`);
    }
  }
  if (problems.length) throw new UsageError(`Invalid options:\n  - ${problems.join('\n  - ')}`, { hint: 'see the options with `svl init --help`' });
  if (t.spec && (f.queues || f.fifo || f.filter || f.maxReceiveCount || f.raw)) {
    throw new UsageError(`The ${t.id} template is fixed: --queues, --fifo, --filter, --max-receive-count and --raw do not apply.`, { hint: `drop those flags, or pick another template (svl init --list)` });
  }

  let spec: FlowSpec;
  if (t.spec) {
    spec = templateSpec(t);
  } else {
    const d = t.defaults!;
    const ask = ui.ask;
    const name = flowName ?? (await ask.input({ message: 'Flow name (names the topic, prefixes the queues)', flag: '<name>', default: d.name, validate: (v: string) => NAME_RE.test(v) || 'letters, digits, - and _ (1-64)' }));
    const fifo = f.fifo ?? (queues === undefined && ask.interactive ? await ask.confirm({ message: 'FIFO (ordered, deduplicated)?', flag: '--fifo', default: d.fifo }) : d.fifo);
    const qs =
      queues ??
      (await ask.input({ message: 'Subscriber queues (comma-separated)', flag: '--queues', default: d.queues.join(',') }))
        .split(',')
        .map((q: string) => q.trim())
        .filter(Boolean);
    const maxReceiveCount =
      mrc ?? Number(await ask.input({ message: 'Receives before a message goes to its DLQ', flag: '--max-receive-count', default: String(d.maxReceiveCount), validate: (v: string) => (/^\d+$/.test(v) && +v >= 1 && +v <= 1000) || '1 to 1000' }));
    const chosenFilters = { ...(f.filter ? {} : d.filters), ...filters };
    if (!f.filter && ask.interactive) {
      for (const q of qs) {
        const answer = await ask.input({
          message: `Filter policy for ${q} (JSON, empty for everything)`,
          flag: '--filter',
          required: false,
          default: chosenFilters[q] ? JSON.stringify(chosenFilters[q]) : '',
          validate: (v: string) => {
            if (v.trim() === '') return true;
            try {
              const p = JSON.parse(v) as unknown;
              return (!!p && typeof p === 'object' && !Array.isArray(p)) || 'a JSON object, e.g. {"type":["invoice"]}';
            } catch {
              return 'not valid JSON';
            }
          },
        });
        if (answer.trim()) chosenFilters[q] = JSON.parse(answer) as Record<string, unknown>;
        else delete chosenFilters[q];
      }
    }
    for (const q of Object.keys(filters)) {
      if (!qs.includes(q)) throw new UsageError(`--filter ${q}=…: there is no queue "${q}" (queues: ${qs.join(', ')}).`, { hint: 'name one of those queues before the =, e.g. --filter <queue>=<policy>' });
    }
    // Template defaults for queues the user did not keep are dropped.
    for (const q of Object.keys(chosenFilters)) if (!qs.includes(q)) delete chosenFilters[q];
    const params: FanoutParams = { name, queues: qs, fifo, contentBasedDeduplication: d.contentBasedDeduplication, maxReceiveCount, raw: f.raw ?? d.raw, filters: chosenFilters };
    spec = templateSpec(t, params);
  }
  await validateFilters(spec);
  const file = resolve(f.out ?? specFileName(spec.name));
  if (!f.dryRun && !f.force) checkSpecFile(file, spec, 'Use another flow name or --out, apply that file with `svl apply`, or pass --force.');
  return { spec, template: t.id, file, dryRun: Boolean(f.dryRun), force: Boolean(f.force) };
}

/** Filter policies are checked with AWS's rules before anything is created. */
async function validateFilters(spec: FlowSpec): Promise<void> {
  const { validateFilterPolicy } = await import('../../domain/filter-policy.js');
  for (const q of spec.queues) {
    if (!q.filterPolicy) continue;
    try {
      validateFilterPolicy(JSON.stringify(q.filterPolicy), q.filterPolicyScope);
    } catch (err) {
      throw new UsageError(`--filter ${q.id}: ${(err as Error).message}`, { hint: 'check the policy with `svl filter test --policy <json> <message>`' });
    }
  }
}

export interface InitResult {
  flow: string;
  template: string;
  specFile: string | null;
  dryRun: boolean;
  plan: Plan;
  applied: ApplyResult | null;
  apiCalls: number;
  elapsedMs: number;
  target: 'aws' | 'local';
  spec: FlowSpec;
}

export async function runInit(o: InitOptions, target: Target, ui: Ui): Promise<InitResult> {
  const t0 = performance.now();
  const clients = await flowClients(target, ui);
  try {
    const base = await basePlanContext(target, clients);
    const prepared = await prepareFlow(o.spec, clients, base);
    const { plan } = prepared;
    for (const w of plan.warnings) ui.warn(w);
    if (o.dryRun) {
      return { flow: o.spec.name, template: o.template, specFile: null, dryRun: true, plan, applied: null, apiCalls: clients.calls(), elapsedMs: performance.now() - t0, target: target.kind, spec: o.spec };
    }
    if (!ui.json) ui.info(renderPlan(plan, ui));
    // The spec is written before applying, so that after a failure halfway `svl apply` can converge.
    writeSpecFile(o.file, o.spec, true);
    const spinner = await ui.spinner(`Applying ${plan.steps.length} change(s)…`);
    let n = 0;
    let applied: ApplyResult;
    try {
      applied = await applyFlow(o.spec, clients, prepared, { onStep: (s) => spinner.update(`Applying (${++n}/${plan.steps.length}) ${s.action} ${s.kind} ${s.name}`) });
      spinner.succeed(plan.steps.length ? `Applied ${plan.steps.length} change(s)` : 'Nothing to change');
    } catch (err) {
      spinner.fail('Apply failed');
      throw err;
    }
    return { flow: o.spec.name, template: o.template, specFile: o.file, dryRun: false, plan, applied, apiCalls: clients.calls(), elapsedMs: performance.now() - t0, target: target.kind, spec: o.spec };
  } finally {
    clients.release();
  }
}

export function renderInit(r: InitResult, ui: Ui): string {
  if (r.dryRun) return `${renderPlan(r.plan, ui, 'Plan (dry run, nothing created)')}\n\n${renderSpecGraph(r.spec, ui)}`;
  const local = r.target === 'local' ? ' --local' : '';
  const first = r.spec.queues[0]!;
  const next = [
    `svl publish ${r.spec.topic.name} '{"type":"invoice","id":1}'${r.spec.topic.fifo ? ' --group g1' : ''}${local}`,
    `svl status ${r.flow}${local}`,
    `svl graph ${r.flow}${local}`,
    `svl send ${first.name} 'hello'${r.spec.topic.fifo ? ' --group g1' : ''}${local}`,
    `svl destroy ${r.flow}${local}`,
  ];
  return [
    renderSpecGraph(r.spec, ui),
    '',
    `Flow ${ui.style.bold(r.flow)} ready${r.specFile ? `; spec written to ${r.specFile}` : ''} (${Math.round(r.elapsedMs)} ms, ${r.apiCalls} API calls).`,
    '',
    'Next:',
    ...next.map((c) => `  $ ${c}`),
  ].join('\n');
}
