/**
 * The work of `svl dlq redrive`: check the DLQ, the destination and the running tasks (bad input is a
 * UsageError before anything moves), choose the native move task or the client-side mover, confirm, move.
 */
import { resolve } from 'node:path';
import type { Message } from '@aws-sdk/client-sqs';
import { getSns, getSqs } from '../../../aws/clients.js';
import { describeQueue, latestMoveTask, resolveDeadLetterQueue, type DeadLetterQueue, type DlqSource, type QueueDetails } from '../../../aws/dlq.js';
import { arnName } from '../../../aws/inventory-model.js';
import type { Target } from '../../../aws/target.js';
import { cancelled, SvlError, UsageError } from '../../../errors.js';
import type { Ui } from '../../../ui/index.js';
import type { DecodedMessage } from '../../decode.js';
import type { StopControl } from '../../stop.js';
import { readSnapshot, SCAN_LIMIT } from '../read.js';
import { defaultJournalPath, Journal } from './journal.js';
import { emptyStats, moveMessages, type Destination, type MoverDeps, type MoverResult } from './mover.js';
import { runNative, type NativeResult } from './native.js';
import type { RedriveOptions } from './parse.js';

export interface ClientResult extends MoverResult {
  mode: 'client';
  dlq: string;
  destination: string | null;
  journal: string;
  resumed: boolean;
  interrupted: boolean;
  /** Every message of the run is in its destination (nothing failed, nothing the interrupted run held is unaccounted for). */
  done: boolean;
  /** --resume of a journal whose redrive had already finished: nothing was done. */
  alreadyFinished: boolean;
  /** The whole redrive (every run of the journal): moved so far, and what it set out to move. */
  movedInAll: number;
  total: number;
}

export interface DryRunResult {
  mode: 'dry-run';
  dlq: string;
  strategy: 'native' | 'client';
  destination: string | null;
  /** Where the messages would go, for people. */
  to: string;
  /** Visible messages in the DLQ. */
  total: number;
  scanned: number;
  wouldMove: number;
  messages: Array<DecodedMessage & { to: string | null }>;
  note: string | null;
}

export type RedriveResult = NativeResult | ClientResult | DryRunResult;

export interface RedriveDeps {
  target: Target;
  ui: Pick<Ui, 'info' | 'warn' | 'spinner' | 'ask'>;
  stop: StopControl;
  onCancel(fn: () => void | Promise<void>): void;
}

const DRY_RUN_LIST = 1000;
/** Slack for the difference between this machine's clock and SQS's when waiting out a visibility timeout. */
const CLOCK_MARGIN_MS = 2000;
const toDest = (q: QueueDetails): Destination => ({ name: q.name, url: q.url, arn: q.arn, fifo: q.fifo });
const sameAccountRegion = (a: string, b: string) => a.split(':').slice(3, 5).join(':') === b.split(':').slice(3, 5).join(':');

/** Why the native move task cannot do this redrive, or null when it can. */
function nativeBlocker(o: RedriveOptions, sources: readonly DlqSource[], dlq: QueueDetails, dest?: QueueDetails): string | null {
  if (o.clientSide) return o.resume ? 'resuming a journal' : o.match.length > 0 ? '--match' : o.max !== undefined ? '--max' : o.journal ? '--journal' : '--client-side';
  if (!sources.some((s) => s.kind === 'queue')) return `${dlq.name} is the DLQ of SNS subscriptions, which move tasks do not support`;
  if (dest && !sameAccountRegion(dest.arn, dlq.arn)) return `${dest.name} is in another account or region`;
  return null;
}

/** --to, else the queue a message came from (DeadLetterQueueSourceArn), else the DLQ's only source queue. */
function router({ dlq, sources, sourceUrls }: DeadLetterQueue, dest?: QueueDetails) {
  if (dest) {
    const only = toDest(dest);
    return () => only;
  }
  const queues = sources.filter((s) => s.kind === 'queue');
  if (queues.length === 0) {
    throw new UsageError(`${dlq.name} holds dead letters of SNS subscriptions: they have no source queue to return to`, { hint: 'Pass --to <queue>' });
  }
  const byArn = new Map<string, Destination>();
  for (const s of queues) byArn.set(s.arn, { name: s.name, arn: s.arn, fifo: dlq.fifo, url: sourceUrls.get(s.arn)! });
  const sole = queues.length === 1 ? byArn.get(queues[0]!.arn) : undefined;
  return (m: Pick<Message, 'Attributes'>): Destination | string => {
    const from = m.Attributes?.DeadLetterQueueSourceArn;
    if (from) return byArn.get(from) ?? `it came from ${arnName(from)}, which no longer redrives to ${dlq.name}; pass --to`;
    return sole ?? `its source queue is unknown and ${dlq.name} serves ${queues.length} queues; pass --to`;
  };
}

export async function runRedrive(o: RedriveOptions, d: RedriveDeps): Promise<RedriveResult> {
  const { target, ui } = d;
  const l = target.kind === 'local' ? ' --local' : '';
  if (o.resume?.finished) {
    // Nothing to resume: say so without touching the queues.
    const s = o.resume.start;
    const moved = o.resume.moved.size;
    return { mode: 'client', dlq: s.dlq.name, destination: s.to?.name ?? null, journal: resolve(o.resume.path), resumed: true, interrupted: false, done: true, alreadyFinished: true, movedInAll: moved, total: s.total ?? moved, ...emptyMove() };
  }
  const [sqs, sns] = await Promise.all([getSqs(target, ui), getSns(target, ui)]);
  const dead = await resolveDeadLetterQueue(sqs, sns, o.dlq, target, 'redrive', d.stop.signal);
  const { dlq, sources } = dead;
  let dest: QueueDetails | undefined;
  if (o.to !== undefined) {
    dest = await describeQueue(sqs, o.to, target, d.stop.signal);
    if (dest.arn === dlq.arn) throw new UsageError(`--to ${dest.name} is the dead-letter queue itself`, { hint: 'Pick the queue the messages should go back to' });
    if (dest.fifo !== dlq.fifo) {
      const kind = (fifo: boolean) => (fifo ? 'FIFO' : 'standard');
      throw new UsageError(`--to ${dest.name} is a ${kind(dest.fifo)} queue but ${dlq.name} is ${kind(dlq.fifo)}: messages cannot move between the two types`, {
        hint: `Pick a ${kind(dlq.fifo)} queue`,
      });
    }
  }
  const running = await latestMoveTask(sqs, dlq.arn, target, d.stop.signal);
  if (running?.Status === 'RUNNING') {
    throw new SvlError(`A move task is already running on ${dlq.name} (${running.ApproximateNumberOfMessagesMoved ?? 0}/${running.ApproximateNumberOfMessagesToMove ?? '?'} moved)`, 1, {
      code: 'MoveTaskRunning',
      hint: `Wait for it (svl dlq ls), or cancel it: svl dlq cancel ${dlq.name}${target.kind === 'local' ? ' --local' : ''}`,
    });
  }
  const blocker = nativeBlocker(o, sources, dlq, dest);
  const route = blocker ? router(dead, dest) : undefined;
  const queueSources = sources.filter((s) => s.kind === 'queue');
  const destText = dest?.name ?? (queueSources.length === 1 ? queueSources[0]!.name : 'their source queues');

  if (o.dryRun) {
    const snap = await readSnapshot(sqs, target, dlq, { max: Math.min(o.max ?? SCAN_LIMIT, SCAN_LIMIT), match: o.match, signal: d.stop.signal });
    const messages = snap.messages.slice(0, DRY_RUN_LIST).map((m) => {
      const r = route?.({ Attributes: m.deadLetterSourceArn ? { DeadLetterQueueSourceArn: m.deadLetterSourceArn } : {} });
      return { ...m, to: r === undefined ? (dest?.name ?? (m.deadLetterSourceArn ? arnName(m.deadLetterSourceArn) : null)) : typeof r === 'string' ? null : r.name };
    });
    return {
      mode: 'dry-run',
      dlq: dlq.name,
      strategy: blocker ? 'client' : 'native',
      destination: dest?.name ?? null,
      to: destText,
      total: dlq.depth.visible,
      scanned: snap.scanned,
      wouldMove: Math.min(snap.matched, o.max ?? Infinity),
      messages,
      note: snap.stoppedEarly ?? (snap.scanned >= SCAN_LIMIT ? `only the first ${SCAN_LIMIT} messages were looked at` : null),
    };
  }

  if (dlq.depth.visible === 0 && !o.resume) {
    ui.info(`${dlq.name} has no visible messages; nothing to redrive.`);
    if (blocker) return { mode: 'client', dlq: dlq.name, destination: dest?.name ?? null, journal: '', resumed: false, interrupted: false, done: true, alreadyFinished: false, movedInAll: 0, total: 0, ...emptyMove() };
    return { mode: 'native', dlq: dlq.name, destination: dest?.name ?? null, to: destText, taskHandle: '', status: 'COMPLETED', moved: 0, toMove: 0, failureReason: null, seconds: 0, outcome: 'finished' };
  }
  const what = o.match.length > 0 || o.max !== undefined ? `up to ${o.max ?? dlq.depth.visible}${o.match.length ? ' matching' : ''} of ${dlq.depth.visible}` : `${dlq.depth.visible}`;
  await ui.ask.confirmDestructive({ message: `Move ${what} message(s) from ${dlq.name} to ${destText}?`, action: `redrive ${dlq.name}` });

  if (!blocker) {
    const r = await runNative({ sqs, target, dlq, dest: dest && toDest(dest), to: destText, rate: o.rate, wait: o.wait, ui, stop: d.stop, onCancel: d.onCancel });
    if (r.outcome === 'cancelled') throw cancelled({ done: `cancelled the move task ${dlq.name} → ${destText} after ${r.moved} of ${r.toMove} messages`, hint: `Start it again with: svl dlq redrive ${dlq.name}${l}`, partial: r });
    if (r.outcome === 'left-running') {
      throw cancelled({
        done: `stopped following the move task ${dlq.name} → ${destText} at ${r.moved}/${r.toMove} moved; it keeps running on the server`,
        hint: `follow it with \`svl dlq ls${l}\`; cancel it with \`svl dlq cancel ${dlq.name}${l}\``,
        partial: r,
      });
    }
    return r;
  }
  if (!o.clientSide) ui.info(`Moving client-side: ${blocker}.`);

  // Absolute, so the resume hint works from any directory.
  const journalPath = resolve(o.journal ?? defaultJournalPath(dlq.name));
  const prior = o.resume?.moved.size ?? 0;
  const total = o.resume ? (o.resume.start.total ?? prior + dlq.depth.visible) : Math.min(o.max ?? Infinity, dlq.depth.visible);
  const journal = o.resume
    ? Journal.append(journalPath)
    : Journal.create(journalPath, { dlq: toDest(dlq), to: dest ? toDest(dest) : null, match: o.match.map((m) => m.text), max: o.max ?? null, total }, l);
  ui.info(`${o.resume ? 'Resuming' : 'Journal'}: ${journalPath}`);
  const outstanding = o.resume && outstandingOf(o.resume, ui);
  const spinner = await ui.spinner(`Redriving ${dlq.name} → ${destText}…`);
  const started = Date.now();
  let result: MoverResult;
  try {
    result = await moveMessages({
      sqs: await getSqs(target, ui, { cached: true }),
      target,
      dlq,
      route: route!,
      match: o.match,
      // On resume, what the first run moved counts toward --max.
      max: o.max !== undefined ? Math.max(0, o.max - prior) : undefined,
      rate: o.rate,
      workers: o.workers,
      journal,
      alreadyMoved: o.resume?.moved ?? new Set(),
      outstanding,
      signal: d.stop.signal,
      progress: (s) => {
        const secs = (Date.now() - started) / 1000;
        const rate = secs > 0 ? s.moved / secs : 0;
        const left = Math.max(0, dlq.depth.visible - s.moved - s.recovered);
        spinner.update(`Redriving ${dlq.name} → ${destText}: ${s.moved} moved${s.failed ? `, ${s.failed} failed` : ''} · ${Math.round(rate)}/s${rate > 0 && left > 0 ? ` · ETA ${Math.ceil(left / rate)}s` : ''}`);
      },
    });
  } catch (err) {
    spinner.fail(`Redrive of ${dlq.name} stopped`);
    journal.end({ interrupted: true, error: (err as Error).message });
    throw err;
  }
  spinner.stop();
  const interrupted = d.stop.signal.aborted;
  journal.end({ interrupted, moved: result.moved, recovered: result.recovered, skipped: result.skipped, failed: result.failed, unseen: result.unseen.notMoved.length });
  const movedInAll = prior + result.moved;
  const r: ClientResult = {
    mode: 'client',
    dlq: dlq.name,
    destination: dest?.name ?? null,
    journal: journalPath,
    resumed: Boolean(o.resume),
    interrupted,
    done: !interrupted && result.failed === 0 && result.unseen.notMoved.length === 0,
    alreadyFinished: false,
    movedInAll,
    total,
    ...result,
  };
  // Sends and deletes in flight finished and were journaled; what was received and not sent was released.
  if (interrupted) throw cancelled({ done: `moved ${movedInAll.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} messages`, resume: `svl dlq redrive --resume ${journalPath}${l}`, partial: r });
  return r;
}

/** Resuming: the interrupted run's unfinished messages, and until when they can still be invisible. */
function outstandingOf(state: NonNullable<RedriveOptions['resume']>, ui: RedriveDeps['ui']): MoverDeps['outstanding'] {
  const { toMove, toDelete, untilMs } = state.outstanding;
  const ids = new Set([...toMove, ...toDelete]);
  if (ids.size === 0) return undefined;
  // Journals without receive lines (older svl): the mover's visibility timeout is at least 60 s.
  const until = (untilMs ?? Date.now() + 60_000) + CLOCK_MARGIN_MS;
  let said = false;
  return {
    ids,
    untilMs: until,
    waiting: (n, at) => {
      if (said) return;
      said = true;
      ui.info(`Waiting for ${n} message(s) the interrupted run still held in the DLQ (invisible until ${new Date(at).toISOString()} at the latest)…`);
    },
  };
}

function emptyMove(): MoverResult {
  return { ...emptyStats(), failures: [], unseen: { notMoved: [], moved: 0 }, seconds: 0, rate: 0 };
}
