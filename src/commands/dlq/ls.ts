/** `svl dlq ls`: every dead-letter queue with its depth, oldest message, sources and running move task. */
import { getSns, getSqs } from '../../aws/clients.js';
import { latestMoveTask } from '../../aws/dlq.js';
import { arnName, discoverInventory, isDeadLetterQueue, totalDepth, type QueueDepth } from '../../aws/inventory.js';
import { mapLimit } from '../../aws/pool.js';
import type { Target } from '../../aws/target.js';
import type { Ui } from '../../ui/index.js';

export interface DlqRow {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  depth: QueueDepth;
  messages: number;
  /** Seconds since the oldest message was sent; null when unknown (AWS) or empty. */
  oldestMessageAgeSeconds: number | null;
  /** Names of the queues (and topics, for subscription DLQs) that dead-letter here. */
  sources: string[];
  moveTask: { status: string; moved: number; toMove: number; destination: string | null } | null;
}

export interface DlqLsResult {
  target: { kind: 'local' | 'aws'; region: string | null };
  dlqs: DlqRow[];
}

export async function runDlqLs(target: Target, ui: Pick<Ui, 'info'>, signal?: AbortSignal): Promise<DlqLsResult> {
  const [sqs, sns] = await Promise.all([getSqs(target, ui), getSns(target, ui)]);
  const inv = await discoverInventory({ target, sqs, sns, signal });
  const subTopic = new Map(inv.subscriptions.filter((s) => s.arn).map((s) => [s.arn!, arnName(s.topicArn)]));
  const dlqs = await mapLimit(inv.queues.filter(isDeadLetterQueue), 8, async (q): Promise<DlqRow> => {
    const task = await latestMoveTask(sqs, q.arn, target, signal).catch(() => null);
    const active = task && (task.Status === 'RUNNING' || task.Status === 'CANCELLING');
    return {
      name: q.name,
      url: q.url,
      arn: q.arn,
      fifo: q.fifo,
      depth: q.depth,
      messages: totalDepth(q.depth),
      oldestMessageAgeSeconds: q.oldestMessageAgeSeconds,
      sources: q.deadLetterSources.map((arn) => (subTopic.has(arn) ? `${subTopic.get(arn)} (subscription)` : arnName(arn))),
      moveTask: active
        ? { status: task.Status!, moved: task.ApproximateNumberOfMessagesMoved ?? 0, toMove: task.ApproximateNumberOfMessagesToMove ?? 0, destination: task.DestinationArn ? arnName(task.DestinationArn) : null }
        : null,
    };
  });
  dlqs.sort((a, b) => b.messages - a.messages || (a.name < b.name ? -1 : 1));
  return { target: { kind: target.kind, region: target.region ?? null }, dlqs };
}

function age(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function renderDlqLs(r: DlqLsResult, ui: Pick<Ui, 'table' | 'style' | 'hint'>): string {
  const l = r.target.kind === 'local' ? ' --local' : '';
  if (r.dlqs.length === 0) {
    ui.hint(`A DLQ is any queue named in another queue's (or subscription's) redrive policy; svl init fanout creates them.`);
    return 'No dead-letter queues.';
  }
  const rows = r.dlqs.map((d) => [
    d.name,
    d.messages > 0 ? ui.style.yellow(String(d.messages)) : '0',
    r.target.kind === 'local' ? age(d.oldestMessageAgeSeconds) : d.messages > 0 ? ui.style.dim('n/a') : '',
    d.sources.join(', '),
    d.moveTask ? `${d.moveTask.status} ${d.moveTask.moved}/${d.moveTask.toMove}${d.moveTask.destination ? ` → ${d.moveTask.destination}` : ''}` : '',
  ]);
  const full = r.dlqs.find((d) => d.messages > 0);
  if (full) ui.hint(`Look inside: svl dlq peek ${full.name}${l}   Replay: svl dlq redrive ${full.name}${l}`);
  if (r.target.kind !== 'local' && full) ui.hint('(The age of the oldest message needs a receive on AWS, so it is not shown.)');
  return ui.table(['DLQ', 'Messages', 'Oldest', 'Sources', 'Move task'], rows);
}
