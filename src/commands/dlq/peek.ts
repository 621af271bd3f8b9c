/**
 * `svl dlq peek <dlq>`: decoded messages of a DLQ, side-effect free on the emulator, receive-count-aware on
 * AWS. On the emulator each dead letter also says why it died when the journal knows (the consumer's last
 * error and log lines, src/domain/trace.ts); AWS keeps no such record, so `reason` is null there.
 */
import { getSns, getSqs } from '../../aws/clients.js';
import { resolveDeadLetterQueue, type DlqSource } from '../../aws/dlq.js';
import { totalDepth } from '../../aws/inventory-model.js';
import type { Target } from '../../aws/target.js';
import type { Ui } from '../../ui/index.js';
import type { DecodedMessage, ReadVia } from '../decode.js';
import type { MatchExpr } from '../match.js';
import { renderMessageBlock } from '../message-block.js';
import { readSnapshot } from './read.js';
import { traceEvents } from '../../aws/journal.js';
import { deathReason, logLines, type DeathReason } from '../../domain/trace.js';

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
  messages: Array<DecodedMessage & { reason: DeathReason | null }>;
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
    messages: await withReasons(snap.messages, target, signal),
    note: snap.stoppedEarly,
  };
}

/** Each message with why it died, from the emulator's journal (null on AWS or when the journal forgot it). */
async function withReasons(messages: DecodedMessage[], target: Target, signal?: AbortSignal): Promise<DlqPeekResult['messages']> {
  if (target.kind !== 'local') return messages.map((m) => ({ ...m, reason: null }));
  const out: DlqPeekResult['messages'] = [];
  for (let i = 0; i < messages.length; i += 8) {
    const chunk = messages.slice(i, i + 8);
    const reasons = await Promise.all(
      chunk.map(async (m) => {
        const original = m.attributes['svl.original-message-id'] ?? m.messageId;
        // An emulator without the journal (older) simply gives no reason.
        const got = await traceEvents(target, original, signal).catch(() => ({ events: undefined }));
        return got.events ? deathReason(got.events, original) : null;
      }),
    );
    chunk.forEach((m, j) => out.push({ ...m, reason: reasons[j] ?? null }));
  }
  return out;
}

/** The lines under a dead letter's header that say why it died. */
function reasonLines(r: DeathReason | null, style: Pick<Ui, 'style'>['style']): string[] {
  if (!r) return [];
  const out = [`${style.red('why:')} ${r.summary}`];
  if (r.logTail) out.push(...logLines(r.logTail).slice(-3).map((l) => style.dim(`log │ ${l}`)));
  return out;
}

export function renderDlqPeek(r: DlqPeekResult, ui: Pick<Ui, 'style' | 'hint' | 'warn'>, local: boolean): string {
  const l = local ? ' --local' : '';
  if (r.note) ui.warn(r.note);
  const from = r.sources.map((s) => s.name).join(', ');
  const head = `${r.dlq.name}: ${r.total} message${r.total === 1 ? '' : 's'}${r.messages.length < r.total ? `, showing ${r.messages.length}` : ''} (dead letters of ${from})`;
  if (r.via === 'receive' && r.messages.length > 0) ui.hint('Read with a receive: each shown message\'s receive count went up by one; all were made visible again.');
  if (r.messages.length > 0) ui.hint(`Replay them: svl dlq redrive ${r.dlq.name}${l} (--dry-run first, --match to pick)`);
  return [head, '', ...r.messages.map((m) => renderMessageBlock(m, ui.style, reasonLines(m.reason, ui.style)))].join('\n');
}
