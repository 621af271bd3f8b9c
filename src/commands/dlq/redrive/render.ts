/** How a redrive reads to a person; `--json` prints the result object instead. */
import { SvlError } from '../../../errors.js';
import type { Ui } from '../../../ui/index.js';
import type { RedriveResult } from './run.js';

const n = (x: number) => x.toLocaleString('en-US');
const plural = (x: number, word: string) => `${n(x)} ${word}${x === 1 ? '' : 's'}`;

export function renderRedrive(r: RedriveResult, ui: Pick<Ui, 'table' | 'style' | 'hint'>, local: boolean): string {
  const l = local ? ' --local' : '';
  if (r.mode === 'dry-run') {
    const rows = r.messages.map((m) => [m.messageId, m.sentAt ?? '', m.groupId ?? '', m.to ?? ui.style.red('(nowhere: pass --to)'), preview(m.body, m.bodyIsJson)]);
    const head = `Dry run: ${plural(r.wouldMove, 'message')} of ${n(r.total)} in ${r.dlq} would move to ${r.to} (${r.strategy === 'native' ? 'native move task' : 'client-side'}); nothing moved.`;
    const more = r.wouldMove > r.messages.length ? `\n… and ${n(r.wouldMove - r.messages.length)} more` : '';
    ui.hint(`Run it without --dry-run to move them.${r.note ? ` (Note: ${r.note})` : ''}`);
    return rows.length > 0 ? `${head}\n${ui.table(['Message', 'Sent', 'Group', 'To', 'Body'], rows)}${more}` : head;
  }
  if (r.mode === 'native') {
    const to = r.to;
    if (r.outcome === 'not-waited') {
      ui.hint(`Follow it with \`svl dlq ls${l}\`; cancel it with \`svl dlq cancel ${r.dlq}${l}\``);
      return `Started a move task: ${r.dlq} → ${to} (${plural(r.toMove, 'message')}).`;
    }
    if (r.status === 'FAILED') return `The move task ${r.dlq} → ${to} failed after ${plural(r.moved, 'message')}: ${r.failureReason ?? 'no reason given'}`;
    if (r.toMove > 0) ui.hint(`Check the destination: svl status${l}`);
    return `Moved ${plural(r.moved, 'message')} from ${r.dlq} to ${to} in ${r.seconds}s (native move task).`;
  }
  if (r.alreadyFinished) return `The redrive in ${r.journal} had already finished (${plural(r.movedInAll, 'message')} moved from ${r.dlq}); nothing to do.`;
  const skipped = r.skipped.notMatching + r.skipped.beyondMax + r.skipped.groupOrder;
  const lines = [
    `Moved ${plural(r.moved, 'message')} from ${r.dlq} to ${r.destination ?? (Object.keys(r.destinations).join(', ') || 'their source queues')} in ${r.seconds}s (${n(r.rate)}/s).`,
    `  moved ${n(r.moved)} · skipped ${n(skipped)} · failed ${n(r.failed)}${r.recovered ? ` · ${n(r.recovered)} sent by the interrupted run, now deleted from the DLQ` : ''}`,
  ];
  if (skipped > 0) {
    const why = [
      r.skipped.notMatching && `${n(r.skipped.notMatching)} not matching --match`,
      r.skipped.beyondMax && `${n(r.skipped.beyondMax)} beyond --max`,
      r.skipped.groupOrder && `${n(r.skipped.groupOrder)} held back to keep their FIFO group in order`,
    ].filter(Boolean);
    lines.push(`  skipped: ${why.join(', ')} (still in ${r.dlq})`);
  }
  if (r.unstampedBecause.attributes) lines.push(`  ${plural(r.unstampedBecause.attributes, 'message')} had no room for both svl.* stamps (10 attributes at most): moved without them`);
  if (r.unstampedBecause.size) lines.push(`  ${plural(r.unstampedBecause.size, 'message')} too close to the 1 MiB limit for the svl.* stamps: moved without them`);
  if (r.resumed) lines.push(`  the whole redrive: ${n(r.movedInAll)} of ${n(r.total)} moved${r.done ? ', done' : ''}`);
  if (r.unseen.notMoved.length > 0) {
    lines.push(`  ${plural(r.unseen.notMoved.length, 'message')} the interrupted run received never came back to ${r.dlq}: not moved (${r.unseen.notMoved.slice(0, 5).join(', ')}${r.unseen.notMoved.length > 5 ? ', …' : ''})`);
  }
  if (r.unseen.moved > 0) lines.push(`  ${plural(r.unseen.moved, 'moved message')} whose DLQ copy was not seen again (deleted by the interrupted run)`);
  if (r.journal) lines.push(`  journal: ${r.journal}`);
  if (r.failures.length > 0) lines.push(ui.table(['Message', 'Code', 'Reason'], r.failures.map((f) => [f.id, f.code, f.message])));
  if (r.unseen.notMoved.length > 0) ui.hint(`Another consumer may have taken them; check the destination, then resume again later: svl dlq redrive --resume ${r.journal}${l}`);
  else if (skipped + r.failed > 0) ui.hint(`See what is left: svl dlq peek ${r.dlq}${l}`);
  else if (r.moved > 0) ui.hint(`Watch them being processed: svl tail queue ${r.destination ?? Object.keys(r.destinations)[0] ?? ''}${l}`);
  return lines.join('\n');
}

/** The exit status after a rendered redrive: failures and messages not accounted for -> 1 (a cancel was thrown by runRedrive). */
export function redriveError(r: RedriveResult, local: boolean): SvlError | undefined {
  const l = local ? ' --local' : '';
  if (r.mode === 'native' && r.status === 'FAILED') return new SvlError(`The move task failed: ${r.failureReason ?? 'unknown reason'}`, 1, { code: 'MoveTaskFailed', hint: 'Add --client-side to move the messages from this machine' });
  if (r.mode === 'client' && r.unseen.notMoved.length > 0) {
    return new SvlError(`Not done: ${plural(r.unseen.notMoved.length, 'message')} the interrupted run received did not come back to ${r.dlq} and were not moved`, 1, {
      code: 'MessagesUnaccounted',
      hint: `Check ${r.destination ?? 'the destination'} and the DLQ (svl dlq peek ${r.dlq}${l}); resume again later: svl dlq redrive --resume ${r.journal}${l}`,
    });
  }
  if (r.mode === 'client' && r.failed > 0) {
    return new SvlError(`${plural(r.failed, 'message')} could not be moved (still in ${r.dlq})`, 1, { code: 'PartialFailure', hint: `See the journal ${r.journal}; run the redrive again once the cause is fixed` });
  }
  return undefined;
}

function preview(body: unknown, json: boolean): string {
  const text = json ? JSON.stringify(body) : String(body);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
