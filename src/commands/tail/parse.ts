/** `svl tail` flags -> validated options, before any AWS call (every problem is a UsageError, exit 2). */
import type { Target } from '../../aws/target.js';
import { UsageError } from '../../errors.js';
import { parseCount, parseSeconds, parseSince, type Since } from '../flags.js';
import { parseMatches, type MatchExpr } from '../match.js';

const TAIL_KINDS = ['queue', 'topic', 'dlq'] as const;
export type TailKind = (typeof TAIL_KINDS)[number];
const VIAS = ['auto', 'peek', 'tap', 'receive'] as const;
export type Via = (typeof VIAS)[number];

export interface TailFlags {
  max?: string;
  timeout?: string;
  since?: string;
  match?: string[];
  all?: boolean;
  via?: string;
  consume?: boolean;
}

export interface TailOptions {
  kind: TailKind;
  name: string;
  via: Via;
  all: boolean;
  max?: number;
  timeoutSeconds?: number;
  since?: Since;
  match: MatchExpr[];
  consume: boolean;
}

export function parseTail(kind: string, name: string, f: TailFlags, target: Pick<Target, 'kind'>): TailOptions {
  if (!(TAIL_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`Unknown kind "${kind}": tail a queue, a topic or a dlq`, { hint: 'e.g. svl tail queue orders, svl tail topic events, svl tail dlq orders' });
  }
  const k = kind as TailKind;
  if (name.trim() === '') throw new UsageError(`Missing the ${k === 'topic' ? 'topic' : 'queue'} name`, { hint: `e.g. svl tail ${k} orders` });
  const via = (f.via ?? 'auto') as Via;
  if (!(VIAS as readonly string[]).includes(via)) throw new UsageError(`--via must be one of ${VIAS.join(', ')} (got "${f.via}")`, { hint: 'Leave it out: auto picks the safe way' });
  const o: TailOptions = {
    kind: k,
    name,
    via,
    all: Boolean(f.all),
    max: parseCount(f.max, '--max'),
    timeoutSeconds: parseSeconds(f.timeout, '--timeout'),
    since: parseSince(f.since),
    match: parseMatches(f.match),
    consume: Boolean(f.consume),
  };
  if (k === 'topic') {
    if (via === 'peek' || via === 'receive') throw new UsageError(`A topic holds no messages to ${via}: svl taps it`, { hint: 'Drop --via (topics are always tapped)' });
    if (o.consume) throw new UsageError('--consume deletes from a queue; a topic has nothing to delete', { hint: 'Drop --consume' });
    o.via = 'tap';
  }
  if (via === 'peek' && target.kind !== 'local') {
    throw new UsageError('--via peek needs the local emulator: on AWS every read of a queue is a receive', { hint: 'Use --local, or --via tap / --via receive' });
  }
  if (k === 'dlq' && via === 'tap') throw new UsageError('A dead-letter queue is not fed by SNS, so it cannot be tapped', { hint: 'Drop --via (the emulator peeks, AWS uses a guarded receive)' });
  if (o.consume) {
    if (via === 'peek' || via === 'tap') throw new UsageError(`--consume receives and deletes; it cannot be combined with --via ${via}`, { hint: 'Drop --via' });
    o.via = 'receive';
  }
  if (o.all && (target.kind !== 'local' || o.via === 'tap' || o.via === 'receive')) {
    const how = target.kind !== 'local' ? 'on AWS' : o.consume ? 'with --consume' : `with --via ${o.via}`;
    throw new UsageError(`--all shows in-flight and delayed messages, which only the emulator's peek can see (not ${how})`, { hint: 'Use --local without --via or --consume' });
  }
  return o;
}
