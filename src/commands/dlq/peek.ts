/** `svl dlq peek <dlq>`: decoded messages of a DLQ, side-effect free on the emulator, receive-count-aware on AWS. */
import { getSns, getSqs } from '../../aws/clients.js';
import { resolveDeadLetterQueue, type DlqSource } from '../../aws/dlq.js';
import { totalDepth } from '../../aws/inventory-model.js';
import type { Target } from '../../aws/target.js';
import type { Ui } from '../../ui/index.js';
import type { DecodedMessage, ReadVia } from '../decode.js';
import type { MatchExpr } from '../match.js';
import { renderMessageBlock } from '../message-block.js';
import { readSnapshot } from './read.js';

export const DEFAULT_PEEK_MAX = 10;

export interface DlqPeekOptions {
  dlq: string;
  max: number;
  match: MatchExpr[];
}

export interface DlqPeekResult {
  dlq: { name: string; arn: string; fifo: boolean };
  sources: DlqSource[];
  /** Messages in the DLQ (visible, in flight, delayed) when it was read. */
  total: number;
  via: ReadVia;
  messages: DecodedMessage[];
  /** Why reading stopped before --max (the receive guard), or null. */
  note: string | null;
}

export async function runDlqPeek(o: DlqPeekOptions, target: Target, ui: Pick<Ui, 'info'>, signal?: AbortSignal): Promise<DlqPeekResult> {
  const [sqs, sns] = await Promise.all([getSqs(target, ui), getSns(target, ui)]);
  const { dlq, sources } = await resolveDeadLetterQueue(sqs, sns, o.dlq, target, 'peek', signal);
  const snap = await readSnapshot(sqs, target, dlq, { max: o.max, match: o.match, signal });
  return {
    dlq: { name: dlq.name, arn: dlq.arn, fifo: dlq.fifo },
    sources,
    total: totalDepth(dlq.depth),
    via: snap.via,
    messages: snap.messages,
    note: snap.stoppedEarly,
  };
}

export function renderDlqPeek(r: DlqPeekResult, ui: Pick<Ui, 'style' | 'hint' | 'warn'>, local: boolean): string {
  const l = local ? ' --local' : '';
  if (r.note) ui.warn(r.note);
  const from = r.sources.map((s) => s.name).join(', ');
  const head = `${r.dlq.name}: ${r.total} message${r.total === 1 ? '' : 's'}${r.messages.length < r.total ? `, showing ${r.messages.length}` : ''} (dead letters of ${from})`;
  if (r.via === 'receive' && r.messages.length > 0) ui.hint('Read with a receive: each shown message\'s receive count went up by one; all were made visible again.');
  if (r.messages.length > 0) ui.hint(`Replay them: svl dlq redrive ${r.dlq.name}${l} (--dry-run first, --match to pick)`);
  return [head, '', ...r.messages.map((m) => renderMessageBlock(m, ui.style))].join('\n');
}
