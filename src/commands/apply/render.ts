/** Rendering shared by init, plan, apply and destroy: the plan table and the flow graph from a spec. */
import { bucketSpecLines } from '../../flows/bucket-render.js';
import type { Ui } from '../../ui/index.js';
import type { Plan, PlanStep } from '../../flows/plan.js';
import { summarizePolicy } from '../../flows/plan.js';
import type { FlowSpec } from '../../flows/spec.js';

const SYMBOL: Record<PlanStep['action'], string> = { create: '+', update: '~', delete: '-' };

export function renderPlan(plan: Pick<Plan, 'steps'>, ui: Ui, title = 'Plan'): string {
  if (plan.steps.length === 0) return 'No changes: what exists already matches the flow.';
  const s = ui.style;
  const colour = (a: PlanStep['action'], t: string) => (a === 'create' ? s.green(t) : a === 'update' ? s.yellow(t) : s.red(t));
  const table = ui.table(
    ['', 'resource', 'name', 'details'],
    plan.steps.map((st) => [colour(st.action, SYMBOL[st.action]), st.kind, st.name, st.changes.join('\n')]),
  );
  const count = (a: PlanStep['action']) => plan.steps.filter((x) => x.action === a).length;
  return `${title}: ${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete\n${table}`;
}

/** topic -> subscription (filter) -> queue -> DLQ, from the spec. */
export function renderSpecGraph(spec: FlowSpec, ui: Ui): string {
  const s = ui.style;
  const lines = [`${s.bold(spec.topic.name)} ${s.dim(spec.topic.fifo ? '(SNS FIFO topic)' : '(SNS topic)')}`];
  spec.queues.forEach((q, i) => {
    const last = i === spec.queues.length - 1;
    const branch = last ? '└─' : '├─';
    const pad = last ? '   ' : '│  ';
    const filter = q.filterPolicy ? s.cyan(` [${summarizePolicy(q.filterPolicy)}]`) : '';
    lines.push(`${branch}▶ ${q.name}${q.rawDelivery ? s.dim(' raw') : ''}${filter}`);
    if (q.dlq) lines.push(`${pad}  └─ DLQ ${q.dlq.name} ${s.dim(`after ${q.dlq.maxReceiveCount} receives`)}`);
    if (q.consumer) lines.push(`${pad}  └─ λ ${q.consumer.function} ${s.dim(`batch ${q.consumer.batchSize}`)}`);
  });
  for (const api of spec.apis) {
    lines.push(`${s.bold(api.name)} ${s.dim('(HTTP API)')}`);
    api.routes.forEach((r, i) => lines.push(`${i === api.routes.length - 1 ? '└─' : '├─'} ${r.route} → λ ${r.function}${r.authorizer ? s.dim(` [authorizer ${r.authorizer}]`) : ''}`));
  }
  for (const b of spec.buckets ?? []) lines.push(...bucketSpecLines(b, s));
  return lines.join('\n');
}
