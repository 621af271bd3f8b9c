/**
 * The work of `svl doctor`: discover once (src/flows/doctor/discover.ts), run the pure checks per flow,
 * and with --fix show the plan, ask, apply the safe fixes and check again. Returns data; render.ts prints.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '../../aws/target.js';
import { flowNotFound } from '../../aws/inventory.js';
import { SvlError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { countBySeverity, findingLabel, fixStepTitle, planFixes, runChecks, type Finding, type NotChecked, type DoctorTarget } from '../../flows/doctor/index.js';
import { countCalls, discoverForDoctor, type CallCounter } from '../../flows/doctor/discover.js';
import type { DoctorFlags } from './index.js';

export interface DoctorOptions {
  flow?: string;
  all: boolean;
  fix: boolean;
}

export interface FlowReport {
  flow: string;
  findings: Finding[];
  notChecked: NotChecked[];
}

export interface DoctorResult {
  target: DoctorTarget;
  flows: FlowReport[];
  /** Checks that could not run anywhere on this target (no journal on AWS, Lambda denied, …). */
  notChecked: NotChecked[];
  summary: { flows: number; errors: number; warnings: number; notes: number; fixable: number };
  /**
   * The AWS calls made, per API; `repeated` lists any call a pass made twice. With --fix, the sums of
   * every pass, and `passes`: the check before fixing, the fixes, and (on the emulator) the check after.
   */
  calls: CallCounter & { passes?: Array<CallCounter & { pass: 'before' | 'fix' | 'after' }> };
  /** With --fix: what was applied (the findings above are those left afterwards). */
  fixed?: Array<{ change: string; findings: string[]; ok: boolean; error?: string }>;
  /**
   * With --fix on AWS: the fixes were applied but not checked again, since IAM and resource-policy
   * changes take a moment to propagate there; the findings above are those no applied fix addressed.
   */
  pendingPropagation?: boolean;
}

const FLOW_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function parseDoctor(flow: string | undefined, f: DoctorFlags, cwd = process.cwd()): DoctorOptions {
  const all = Boolean(f.all);
  const fix = Boolean(f.fix);
  if (flow !== undefined && all) throw new UsageError(`Give a flow or --all, not both (got "${flow}" and --all)`, { hint: `svl doctor ${flow}, or svl doctor --all` });
  if (flow !== undefined && !FLOW_NAME.test(flow)) throw new UsageError(`"${flow}" is not a flow name (1-64 letters, digits, - and _)`, { hint: 'list the flows with `svl status`' });
  if (flow === undefined && !all) return { flow: flowOfSpecHere(cwd), all, fix };
  return { flow, all, fix };
}

/** The flow of the one *.flow.json in `cwd`, as `svl apply` would pick it. */
function flowOfSpecHere(cwd: string): string {
  const hint = 'Name a flow (svl doctor orders) or check every flow (svl doctor --all).';
  // Only the name is read: the spec is validated by plan/apply, not here.
  let name: string | undefined;
  try {
    const found = readdirSync(cwd).filter((x) => x.endsWith('.flow.json'));
    if (found.length === 1) name = (JSON.parse(readFileSync(join(cwd, found[0]!), 'utf8')) as { name?: unknown }).name as string | undefined;
  } catch {
    name = undefined;
  }
  if (typeof name !== 'string' || !FLOW_NAME.test(name)) throw new UsageError('No flow to check: give its name, or --all.', { hint });
  return name;
}

export async function runDoctor(o: DoctorOptions, target: Target, ui: Ui, cancel: { signal?: AbortSignal; resume?: string } = {}): Promise<DoctorResult> {
  const spinner = await ui.spinner(o.flow ? `Checking flow ${o.flow}…` : 'Checking every flow…');
  let result: DoctorResult;
  try {
    result = await check(o, target, ui, cancel.signal);
  } finally {
    spinner.stop();
  }
  if (!o.fix) return result;
  const steps = planFixes(result.flows.flatMap((f) => f.findings));
  if (steps.length === 0) {
    ui.info('Nothing --fix can change by itself: the findings left need the changes described under "fix".');
    return { ...result, fixed: [] };
  }
  ui.info(`${steps.length} fix${steps.length === 1 ? '' : 'es'} to apply:\n${steps.map((s) => `  ~ ${fixStepTitle(s)}\n${s.findings.map((f) => `      ${ui.style.dim(f)}`).join('\n')}`).join('\n')}`);
  const { confirmAccount, needsAccountConfirmation } = await import('../confirm-account.js');
  if (needsAccountConfirmation(target)) await confirmAccount(target, ui, `Apply ${steps.length} fix(es)`);
  else await ui.ask.confirmDestructive({ message: `Apply ${steps.length} fix(es)?`, action: `apply ${steps.length} fix(es)`, flag: '--yes' });
  const { applyFixes } = await import('../../flows/doctor/fix-apply.js');
  const count = countCalls();
  let outcomes;
  try {
    outcomes = await applyFixes(steps, target, ui, { signal: cancel.signal, resume: cancel.resume, watch: count.watch });
  } finally {
    count.release();
  }
  const fixed = outcomes.map((x) => ({ change: fixStepTitle(x.step), findings: x.step.findings, ok: x.ok, ...(x.error && { error: x.error }) }));
  const passes: Array<[Pass, CallCounter]> = [['before', result.calls], ['fix', count.counter]];
  if (target.kind === 'aws' && outcomes.some((x) => x.ok)) {
    // Checking again at once would read state AWS may not have propagated yet and report it as final.
    const addressed = new Set(outcomes.filter((x) => x.ok).flatMap((x) => x.step.findings));
    const flows = result.flows.map((f) => ({ ...f, findings: f.findings.filter((x) => !addressed.has(findingLabel(x))) }));
    return { ...result, flows, summary: summaryOf(flows), calls: sumCalls(passes), fixed, pendingPropagation: true };
  }
  const after = await check(o, target, ui, cancel.signal);
  return { ...after, calls: sumCalls([...passes, ['after', after.calls]]), fixed };
}

type Pass = 'before' | 'fix' | 'after';

/** The calls of every pass, summed, with each pass kept under `passes`. */
function sumCalls(passes: Array<[Pass, CallCounter]>): DoctorResult['calls'] {
  const byApi: Record<string, number> = {};
  for (const [, c] of passes) for (const [api, n] of Object.entries(c.byApi)) byApi[api] = (byApi[api] ?? 0) + n;
  return {
    byApi,
    repeated: passes.flatMap(([, c]) => c.repeated),
    total: passes.reduce((n, [, c]) => n + c.total, 0),
    passes: passes.map(([pass, c]) => ({ pass, ...c })),
  };
}

async function check(o: DoctorOptions, target: Target, ui: Ui, signal?: AbortSignal): Promise<DoctorResult> {
  const d = await discoverForDoctor(target, ui, { flow: o.flow, signal });
  if (o.flow !== undefined && d.models.length === 0) throw flowNotFound(o.flow, d.allFlows, target);
  const flows = d.models.map((m): FlowReport => ({ flow: m.flow, ...runChecks(m) }));
  return { target: d.target, flows, notChecked: d.notChecked, summary: summaryOf(flows), calls: d.calls };
}

function summaryOf(flows: readonly FlowReport[]): DoctorResult['summary'] {
  const all = flows.flatMap((f) => f.findings);
  return { flows: flows.length, ...countBySeverity(all), fixable: all.filter((f) => f.fix.action).length };
}

/** The hint after the result, and the error that makes the exit code 1 when error-level findings remain. */
export function doctorOutcome(r: DoctorResult, o: DoctorOptions, target: Target): { hint?: string; error?: SvlError } {
  const local = target.kind === 'local' ? ' --local' : '';
  const self = `svl doctor ${o.flow ?? '--all'}${local}`;
  const failedFixes = (r.fixed ?? []).filter((x) => !x.ok).length;
  const pending = r.pendingPropagation ? `fixes applied on AWS can take a minute to propagate; check again with: ${self}` : undefined;
  const hint = r.summary.flows === 0
    ? `No flows here yet; create one with: svl init fanout demo${local}`
    : pending ?? (r.summary.fixable > 0 && !o.fix
      ? `${r.summary.fixable} of them can be fixed safely: ${self} --fix`
      : undefined);
  if (r.summary.errors === 0 && failedFixes === 0) return { hint };
  const what = `${r.summary.errors} error-level finding${r.summary.errors === 1 ? '' : 's'}${failedFixes ? ` (${failedFixes} fix${failedFixes === 1 ? '' : 'es'} failed)` : ''}`;
  return {
    hint: undefined,
    error: new SvlError(`${what} in ${o.flow ? `flow ${o.flow}` : `${r.summary.flows} flow${r.summary.flows === 1 ? '' : 's'}`}`, 1, {
      code: 'DoctorFindings',
      hint: r.summary.fixable > 0 && !o.fix
        ? `fix the safe ones with: ${self} --fix`
        : failedFixes
          ? `see why each fix failed above, then run: ${self} --fix`
          : pending
            ? `apply the fix shown under each error (--fix cannot make these changes); ${pending}`
          : r.summary.fixable > 0
            ? `changes just applied can take up to 60 s to show on AWS; check again with: ${self}`
            : 'apply the fix shown under each error (--fix cannot make these changes), then run it again',
    }),
  };
}
