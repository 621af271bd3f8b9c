/** The work of `svl destroy`. */
import { existsSync } from 'node:fs';
import type { Target } from '../../aws/target.js';
import { CancelledError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { executeDestroy, planDestroy } from '../../flows/destroy.js';
import { readSpecFile, specFileName } from '../../flows/files.js';
import type { PlanStep } from '../../flows/plan.js';
import type { FlowSpec } from '../../flows/spec.js';
import { flowClients } from '../flow-clients.js';
import { renderPlan } from '../apply/render.js';

export interface DestroyResult {
  flow: string;
  deleted: PlanStep[];
  skipped: string[];
}

/** Ctrl-C (`cancel.signal`) stops between deletions; `cancel.resume` is the destroy that finishes the job. */
export async function runDestroy(what: string, target: Target, ui: Ui, cancel: { signal?: AbortSignal; resume?: string } = {}, opts: { force?: boolean } = {}): Promise<DestroyResult> {
  let spec: FlowSpec | undefined;
  let flow = what;
  if (what.endsWith('.json') || what.includes('/')) {
    spec = readSpecFile(what);
    flow = spec.name;
  } else {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(what)) throw new UsageError(`"${what}" is neither a flow name nor a .json spec file.`, { hint: 'pass a flow name (see `svl status`) or the path of its .flow.json' });
    if (existsSync(specFileName(what))) spec = readSpecFile(specFileName(what));
  }
  const clients = await flowClients(target, ui);
  try {
    const plan = await planDestroy(flow, spec, clients, opts);
    for (const s of plan.skipped) ui.warn(`Left alone: ${s}`);
    if (plan.steps.length === 0) return { flow, deleted: [], skipped: plan.skipped };
    if (!ui.json) ui.info(renderPlan(plan, ui, 'Destroy'));
    await ui.ask.confirmDestructive({ message: `Delete these ${plan.steps.length} resources of flow ${flow}?`, action: `destroy flow ${flow} (${plan.steps.length} resources)`, flag: '--yes' });
    const spinner = await ui.spinner(`Deleting ${plan.steps.length} resource(s)…`);
    try {
      const deleted = await executeDestroy(plan, clients, (s) => spinner.update(`Deleting ${s.kind} ${s.name}`), cancel);
      spinner.succeed(`Deleted ${deleted.length} resource(s)`);
      return { flow, deleted, skipped: plan.skipped };
    } catch (err) {
      if (err instanceof CancelledError) spinner.stop();
      else spinner.fail('Destroy failed');
      throw err;
    }
  } finally {
    clients.release();
  }
}

export function renderDestroy(r: DestroyResult, ui: Ui): string {
  const kept = r.skipped.filter((s) => s.includes('not empty'));
  const tail = kept.length ? `\nKept (not empty): ${kept.map((s) => s.split(' (')[0]).join(', ')}; \`svl destroy ${r.flow} --force\` empties and deletes them.` : '';
  if (r.deleted.length === 0) return kept.length ? `Nothing deleted.${tail}` : `Nothing to destroy: no resource is tagged svl:flow=${r.flow}.`;
  return `Flow ${ui.style.bold(r.flow)} destroyed: ${r.deleted.length} resource(s) deleted.${tail}`;
}
