/** Human rendering of `svl status`: one table for a flow, or the inventory tables. */
import { totalDepth, type QueueDepth } from '../../aws/inventory-model.js';
import type { Cell, Ui } from '../../ui/index.js';
import { renderApisTable } from './apis.js';
import type { ConsumerStatus, FlowStatus, OverviewStatus, QueueStatus, StatusResult } from './run.js';

export function formatAge(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86_400)}d ${Math.floor((seconds % 86_400) / 3600)}h`;
}

/** `orders-dlq: 3`, red when messages wait there, yellow when they are only in flight or delayed. */
function dlqCell(name: string | null, depth: QueueDepth | null, ui: Ui): string {
  if (!name) return '';
  if (!depth) return `${name}: ?`;
  const n = totalDepth(depth);
  const text = `${name}: ${n}`;
  return depth.visible > 0 ? ui.style.red.bold(text) : n > 0 ? ui.style.yellow(text) : text;
}

const depthCells = (q: QueueStatus | undefined): Cell[] =>
  q ? [q.depth.visible, q.depth.inFlight, q.depth.delayed, formatAge(q.oldestMessageAgeSeconds)] : ['', '', '', ''];

export function renderStatus(r: StatusResult, ui: Ui): string {
  const where = r.target.kind === 'local' ? 'local emulator' : (r.target.region ?? 'AWS');
  const main = r.kind === 'flow' ? renderFlow(r, ui, where) : renderOverview(r, ui, where);
  const withConsumers = r.consumers.length > 0 ? `${main}\n${renderConsumers(r.consumers, ui)}` : main;
  return r.apis?.length ? `${withConsumers}\n${renderApisTable(r.apis, ui)}` : withConsumers;
}

const MAX_ERROR_CHARS = 80;

/** One row per event source mapping: which function reads which queue, its state, and its last error. */
export function renderConsumers(consumers: readonly ConsumerStatus[], ui: Ui): string {
  const rows: Cell[][] = consumers.map((c) => {
    const state = c.state === 'Enabled' ? c.state : ui.style.yellow(c.state);
    const reason = c.stateTransitionReason && c.stateTransitionReason !== 'USER_INITIATED' ? ` (${c.stateTransitionReason})` : '';
    let last = ui.style.dim('-');
    if (c.lastError) {
      const text = `${c.lastError.type}: ${c.lastError.message}`.replace(/\s+/g, ' ');
      const at = c.lastError.at ? ui.style.dim(` at ${c.lastError.at.slice(11, 19)}`) : '';
      last = `${ui.style.red(text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text)}${at}`;
    } else if (c.lastProcessingResult) last = c.lastProcessingResult;
    return [c.queue, `λ ${c.function}`, `${state}${reason}`, c.batchSize ?? '', last];
  });
  return `${ui.style.bold('Lambda consumers')}\n${ui.table(['Queue', 'Function', 'State', 'Batch', 'Last error'], rows)}`;
}

function renderFlow(r: FlowStatus, ui: Ui, where: string): string {
  const byName = new Map(r.queues.map((q) => [q.name, q]));
  const shown = new Set<string>();
  const rows: Cell[][] = [];
  for (const t of r.topics) {
    if (t.subscriptions.length === 0) rows.push([t.name, ui.style.dim('(no subscriptions)'), '', '', '', '', '', '', '']);
    t.subscriptions.forEach((s, i) => {
      const q = s.queue !== null ? byName.get(s.queue) : undefined;
      if (s.queue) shown.add(s.queue);
      const sub = `${s.protocol}${s.confirmed ? '' : ' (pending)'}${s.rawMessageDelivery ? ' raw' : ''}`;
      const dlqs = [dlqCell(q?.deadLetterQueue ?? null, q?.deadLetterDepth ?? null, ui), s.deadLetterQueue ? `${dlqCell(s.deadLetterQueue, s.deadLetterDepth, ui)} (sub)` : ''].filter(Boolean);
      rows.push([i === 0 ? t.name : '', sub, s.filter ?? '', s.queue ?? s.endpoint, ...depthCells(q), dlqs.join('\n')]);
    });
  }
  for (const q of r.queues) {
    if (shown.has(q.name) || q.isDeadLetterQueue) continue;
    rows.push(['', '', '', q.name, ...depthCells(q), dlqCell(q.deadLetterQueue, q.deadLetterDepth, ui)]);
  }
  const head = `${ui.style.bold(`Flow ${r.flow}`)} ${ui.style.dim(`(${where})`)}`;
  const table = `${head}\n${ui.table(['Topic', 'Subscription', 'Filter', 'Queue', 'Visible', 'In flight', 'Delayed', 'Oldest', 'DLQ'], rows)}`;
  if (!r.buckets?.length) return table;
  const bucketRows: Cell[][] = r.buckets.flatMap((b) =>
    b.notifications.length === 0
      ? [[b.name, ui.style.dim('(no notifications)'), '', '']]
      : b.notifications.map((n, i) => [i === 0 ? b.name : '', n.events.join('\n'), n.prefix !== null || n.suffix !== null ? `${n.prefix ?? ''}*${n.suffix ?? ''}` : '', `${n.destination.kind === 'function' ? 'λ' : n.destination.kind} ${n.destination.name}`]),
  );
  return `${table}\n${ui.style.bold('Buckets')}\n${ui.table(['Bucket', 'Events', 'Keys', 'Destination'], bucketRows)}`;
}

function renderOverview(r: OverviewStatus, ui: Ui, where: string): string {
  const out: string[] = [];
  if (r.flows.length > 0) {
    const rows = r.flows.map((f) => {
      const dlq = f.deadLetterMessages > 0 ? ui.style.red.bold(String(f.deadLetterMessages)) : '0';
      return [f.name, f.topics.length, f.queues.length, f.subscriptions, f.depth.visible, f.depth.inFlight, f.depth.delayed, dlq];
    });
    out.push(`${ui.style.bold('Flows')} ${ui.style.dim(`(${where})`)}`, ui.table(['Flow', 'Topics', 'Queues', 'Subscriptions', 'Visible', 'In flight', 'Delayed', 'DLQ messages'], rows));
  }
  if (r.untagged.topics.length > 0) {
    const rows = r.untagged.topics.map((t) => [t.name, t.fifo ? 'FIFO' : 'standard', t.subscriptions]);
    out.push(ui.style.bold('Untagged topics'), ui.table(['Topic', 'Type', 'Subscriptions'], rows));
  }
  if (r.untagged.queues.length > 0) {
    const rows = r.untagged.queues.map((q) => [q.isDeadLetterQueue ? `${q.name} ${ui.style.dim('(DLQ)')}` : q.name, ...depthCells(q), dlqCell(q.deadLetterQueue, q.deadLetterDepth, ui)]);
    out.push(ui.style.bold('Untagged queues'), ui.table(['Queue', 'Visible', 'In flight', 'Delayed', 'Oldest', 'DLQ'], rows));
  }
  if (out.length === 0) return `No topics or queues found (${where}).`;
  return out.join('\n');
}
