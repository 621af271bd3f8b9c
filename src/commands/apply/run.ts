/** The work of `svl plan` and `svl apply`. */
import { dirname } from 'node:path';
import type { Target } from '../../aws/target.js';
import { CancelledError, cancelled } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { applyFlow, prepareFlow, type ApplyResult } from '../../flows/apply.js';
import { readSpecFile, resolveSpecFile } from '../../flows/files.js';
import type { Plan } from '../../flows/plan.js';
import { assertApplicable } from '../../flows/preflight.js';
import { basePlanContext, flowClients } from '../flow-clients.js';
import { confirmAccount } from '../confirm-account.js';
import { renderPlan } from './render.js';

export async function runPlan(file: string | undefined, target: Target, ui: Ui): Promise<{ file: string; flow: string; plan: Plan }> {
  const path = resolveSpecFile(file);
  const spec = readSpecFile(path);
  const clients = await flowClients(target, ui);
  try {
    const { plan, observed } = await prepareFlow(spec, clients, { ...(await basePlanContext(target, clients)), specDir: dirname(path) });
    assertApplicable(spec, observed, path);
    for (const w of plan.warnings) ui.warn(w);
    return { file: path, flow: spec.name, plan };
  } finally {
    clients.release();
  }
}

export interface ApplyCommandResult extends ApplyResult {
  file: string;
  apiCalls: number;
  elapsedMs: number;
}

/** Ctrl-C: `signal` stops the apply between resource steps; `resume` is the command that converges. */
export async function runApply(file: string | undefined, adopt: boolean, target: Target, ui: Ui, cancel: { signal?: AbortSignal; resume?: string } = {}): Promise<ApplyCommandResult> {
  const t0 = performance.now();
  const path = resolveSpecFile(file);
  const spec = readSpecFile(path);
  const clients = await flowClients(target, ui);
  try {
    const base = { ...(await basePlanContext(target, clients)), adopt, specDir: dirname(path) };
    const prepared = await prepareFlow(spec, clients, base);
    if (cancel.signal?.aborted) throw cancelled({ done: 'nothing changed (stopped while reading what exists)', resume: cancel.resume });
    const { plan } = prepared;
    assertApplicable(spec, prepared.observed, path);
    for (const w of plan.warnings) ui.warn(w);
    if (!ui.json && plan.steps.length && !plan.conflicts.length) ui.info(renderPlan(plan, ui));
    if (plan.steps.length && !plan.conflicts.length) await confirmAccount(target, ui, `Apply ${plan.steps.length} change(s) of flow ${spec.name}`);
    const destructive = plan.steps.filter((s) => s.action === 'delete');
    if (destructive.length) {
      await ui.ask.confirmDestructive({ message: `Delete ${destructive.length} resource(s) the flow no longer lists?`, action: `delete ${destructive.length} resource(s)`, flag: '--yes' });
    }
    const spinner = await ui.spinner(`Applying ${plan.steps.length} change(s)…`);
    let n = 0;
    try {
      const r = await applyFlow(spec, clients, prepared, {
        onStep: (s) => spinner.update(`Applying (${++n}/${plan.steps.length}) ${s.action} ${s.kind} ${s.name}`),
        ...cancel,
      });
      if (plan.steps.length) spinner.succeed(`Applied ${plan.steps.length} change(s)`);
      else spinner.stop();
      return { ...r, file: path, apiCalls: clients.calls(), elapsedMs: performance.now() - t0 };
    } catch (err) {
      if (err instanceof CancelledError) spinner.stop();
      else spinner.fail('Apply failed');
      throw err;
    }
  } finally {
    clients.release();
  }
}

export function renderApply(r: ApplyCommandResult, ui: Ui): string {
  if (!r.changed) return `No changes: flow ${r.flow} already matches ${r.file}.`;
  const local = ui.style.dim(`(${Math.round(r.elapsedMs)} ms, ${r.apiCalls} API calls)`);
  const apis = (r.apis ?? []).map((a) => `\n  API ${a.name}: ${a.endpoint.replace(/\/+$/, '')}/ ${ui.style.dim(`(svl http ${a.name} GET /…)`)}`).join('');
  return `Flow ${ui.style.bold(r.flow)} applied: ${r.done.length} change(s) ${local}${apis}`;
}
