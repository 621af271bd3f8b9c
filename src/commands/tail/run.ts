/**
 * The work of `svl tail`: find what to watch, pick the safe way to read it (src/commands/tail/sources.ts),
 * then hand every message that passes --since/--match to `emit` until --max, --timeout, Ctrl-C/SIGTERM
 * (ctx.signal) or the receive guard stops it - and always clean up (tap removed, held messages released).
 */
import { getSns, getSqs } from '../../aws/clients.js';
import { deadLetterSources, describeQueue, type QueueDetails } from '../../aws/dlq.js';
import { locateTopic } from '../../aws/locate.js';
import { cleanStaleTaps, snsFeedsOf } from '../../aws/taps.js';
import type { Target } from '../../aws/target.js';
import { UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import type { DecodedMessage, ReadVia } from '../decode.js';
import { sinceEpoch } from '../flags.js';
import { matches } from '../match.js';
import type { StopControl, StopReason } from '../stop.js';
import type { TailOptions } from './parse.js';
import { peekSource, receiveSource, tapSource, type TailSource } from './sources.js';

export interface TailSummary {
  watched: string;
  via: ReadVia;
  shown: number;
  /** Read but not shown: older than --since, not matching --match, or beyond --max. */
  skipped: number;
  seconds: number;
  stopped: StopReason | 'max' | 'guard';
  /** Why the guarded receive stopped. */
  guard: string | null;
  notes: string[];
}

export interface TailDeps {
  target: Target;
  ui: Pick<Ui, 'info' | 'warn'>;
  stop: StopControl;
  onCancel(fn: () => void | Promise<void>): void;
  emit(m: DecodedMessage): void;
}

async function openSource(o: TailOptions, d: TailDeps): Promise<{ source: TailSource; watched: string }> {
  const { target, ui } = d;
  const [sqs, sns] = await Promise.all([getSqs(target, ui), getSns(target, ui)]);
  const signal = d.stop.signal;
  const stale = await cleanStaleTaps({ sqs, sns }, signal);
  for (const s of stale) ui.info(`Removed a tap left behind by a killed tail: ${s.name} (${s.reason})`);

  if (o.kind === 'topic') {
    const t = await locateTopic(sns, o.name, target, signal);
    const source = await tapSource({ sqs, sns }, t.name, t.fifo, [{ topicArn: t.arn, subscriptionArn: null, filterPolicy: null, filterPolicyScope: null, raw: false }], t.name);
    return { source, watched: t.name };
  }

  let q: QueueDetails = await describeQueue(sqs, o.name, target, signal);
  if (o.kind === 'dlq') {
    if (q.redrive) {
      q = await describeQueue(sqs, q.redrive.deadLetterTargetArn, target, signal);
    } else if ((await deadLetterSources(sqs, sns, q, target, signal)).length === 0) {
      throw new UsageError(`${q.name} has no dead-letter queue and is not one`, { hint: `Tail the queue itself: svl tail queue ${q.name}` });
    }
  }
  const via = o.via === 'auto' ? (target.kind === 'local' ? 'peek' : o.kind === 'queue' ? 'tap?' : 'receive') : o.via;
  if (via === 'peek') return { source: peekSource(target, q.name, o), watched: q.name };
  if (via === 'tap' || via === 'tap?') {
    const feeds = await snsFeedsOf(sns, q.arn, signal);
    if (feeds.length > 0) return { source: await tapSource({ sqs, sns }, q.name, q.fifo, feeds, q.name), watched: q.name };
    if (via === 'tap') throw new UsageError(`${q.name} is not subscribed to any SNS topic, so there is nothing to tap`, { hint: 'Drop --via tap (a guarded receive is used)' });
  }
  return { source: receiveSource(sqs, q, q.name, { consume: o.consume }), watched: q.name };
}

export async function runTail(o: TailOptions, d: TailDeps): Promise<TailSummary> {
  const started = Date.now();
  const { source, watched } = await openSource(o, d);
  d.onCancel(async () => void (await source.close()));
  const notes: string[] = [];
  let shown = 0;
  let skipped = 0;
  let stopped: TailSummary['stopped'] | undefined;
  try {
    await source.prime?.(d.stop.signal);
    const since = o.since ? sinceEpoch(o.since, source.now()) : undefined;
    d.ui.info(`Tailing ${source.description}. Ctrl-C to stop.`);
    if (source.via === 'receive' && !o.consume) {
      d.ui.info('(On AWS every read is a receive: each message shown is received once - its receive count goes up by one - and held invisible until the tail ends, then given back.)');
    }
    if (source.via === 'tap') {
      if (o.since && o.since.kind !== 'now') d.ui.warn('A tap sees only messages published from now on; --since cannot reach back');
      if (o.kind === 'queue') d.ui.info(`(Messages sent to ${watched} directly, not through SNS, are not shown.)`);
    }
    while (!d.stop.signal.aborted) {
      const batch = await source.next(d.stop.signal);
      const shownNow: DecodedMessage[] = [];
      const skippedNow: DecodedMessage[] = [];
      for (const m of batch) {
        const old = since !== undefined && m.sentTimestamp !== null && m.sentTimestamp < since;
        if ((o.max !== undefined && shown >= o.max) || old || !matches(o.match, m)) {
          skippedNow.push(m);
          continue;
        }
        d.emit(m);
        shown++;
        shownNow.push(m);
      }
      skipped += skippedNow.length;
      await source.settle(shownNow, skippedNow);
      if (o.max !== undefined && shown >= o.max) {
        stopped = 'max';
        break;
      }
      if (source.stopReason !== undefined) {
        stopped = 'guard';
        break;
      }
    }
  } finally {
    const note = await source.close();
    if (note) notes.push(note);
  }
  return {
    watched,
    via: source.via,
    shown,
    skipped,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    stopped: stopped ?? d.stop.reason() ?? 'done',
    guard: source.stopReason ?? null,
    notes,
  };
}

/** `12 messages from orders in 3.4s`: what the tail showed, and for how long. */
export function tailCount(s: TailSummary, why?: string): string {
  const notes = [why, s.skipped ? `${s.skipped} not shown by --since/--match/--max` : undefined].filter(Boolean);
  return `${s.shown} message${s.shown === 1 ? '' : 's'} from ${s.watched} in ${s.seconds}s${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/**
 * The closing lines on stderr (stdout carries only the messages). A cancelled tail (Ctrl-C, SIGTERM)
 * prints only its notes here: its count is the `Cancelled: …` line of the error boundary.
 */
export function tailEpilogue(s: TailSummary, o: Pick<TailOptions, 'kind'>, ui: Pick<Ui, 'info' | 'warn' | 'hint'>, local: boolean): void {
  if (s.guard) {
    ui.warn(s.guard);
    ui.hint(`For a view with no receives, tail what feeds it (svl tail topic <topic>) or use the emulator; or take the messages with --consume.`);
  }
  for (const n of s.notes) ui.info(n);
  if (s.stopped === 'cancel') return;
  const why = { max: 'reached --max', timeout: 'timed out', done: 'done', guard: 'stopped by the receive guard' }[s.stopped];
  ui.info(tailCount(s, why));
  if (s.shown === 0 && !s.guard && o.kind !== 'dlq') {
    const send = o.kind === 'topic' ? `svl publish ${s.watched}` : `svl send ${s.watched}`;
    ui.hint(`Nothing arrived; try: ${send} '{"hello":"world"}'${local ? ' --local' : ''}`);
  }
}
