/** `svl dlq redrive` flags -> validated options, before any AWS call (problems are UsageErrors, exit 2). */
import { existsSync } from 'node:fs';
import { UsageError } from '../../../errors.js';
import { parseCount } from '../../flags.js';
import { parseMatch, parseMatches, type MatchExpr } from '../../match.js';
import { readJournal, type JournalState } from './journal.js';

/** AWS: MaxNumberOfMessagesPerSecond of a move task is 1-500. */
export const NATIVE_MAX_RATE = 500;
/** 8 loops x 4 batches keep ~32 calls in flight: on a 20 ms round trip that, not CPU, is what limits a move (bench:dlq). */
const DEFAULT_WORKERS = 8;
const MAX_WORKERS = 32;

export interface RedriveFlags {
  to?: string;
  max?: string;
  rate?: string;
  match?: string[];
  dryRun?: boolean;
  journal?: string;
  resume?: string;
  workers?: string;
  clientSide?: boolean;
  /** false with --no-wait. */
  wait?: boolean;
}

export interface RedriveOptions {
  dlq: string;
  to?: string;
  max?: number;
  rate?: number;
  match: MatchExpr[];
  dryRun: boolean;
  /** The client-side mover was asked for (explicitly, or by a flag only it supports). */
  clientSide: boolean;
  workers: number;
  journal?: string;
  resume?: JournalState;
  wait: boolean;
}

/** `local`: the command runs with --local (hints that name a command repeat it). */
export function parseRedrive(dlq: string | undefined, f: RedriveFlags, local = false): RedriveOptions {
  const l = local ? ' --local' : '';
  const workers = parseCount(f.workers, '--workers', 1, MAX_WORKERS) ?? DEFAULT_WORKERS;
  const rate = parseCount(f.rate, '--rate', 1);
  if (f.resume !== undefined) {
    const given = (['to', 'max', 'match', 'journal', 'dryRun', 'clientSide'] as const).filter((k) => f[k] !== undefined && f[k] !== false);
    if (given.length > 0) {
      throw new UsageError(`--resume continues a redrive as its journal recorded it; drop ${given.map(flagName).join(', ')}`, {
        hint: '--rate, --workers and --yes may change on resume',
      });
    }
    const state = readJournal(f.resume);
    const s = state.start;
    if (dlq !== undefined && ![s.dlq.name, s.dlq.url, s.dlq.arn].includes(dlq)) {
      throw new UsageError(`The journal ${f.resume} is a redrive of ${s.dlq.name}, not ${dlq}`, { hint: `Drop the queue argument: svl dlq redrive --resume ${f.resume}${l}` });
    }
    return {
      dlq: s.dlq.arn,
      to: s.to?.arn,
      max: s.max ?? undefined,
      rate,
      match: s.match.map(parseMatch),
      dryRun: false,
      clientSide: true,
      workers,
      journal: f.resume,
      resume: state,
      wait: true,
    };
  }
  if (dlq === undefined || dlq.trim() === '') throw new UsageError('Missing the dead-letter queue', { hint: `svl dlq redrive <dlq>${l} (or --resume <journal>)` });
  if (f.to !== undefined && f.to.trim() === '') throw new UsageError('--to needs a queue name, URL or ARN', { hint: 'e.g. --to orders' });
  const o: RedriveOptions = {
    dlq,
    to: f.to,
    max: parseCount(f.max, '--max'),
    rate,
    match: parseMatches(f.match),
    dryRun: Boolean(f.dryRun),
    clientSide: Boolean(f.clientSide),
    workers,
    journal: f.journal,
    wait: f.wait !== false,
  };
  o.clientSide ||= o.match.length > 0 || o.max !== undefined || f.journal !== undefined || f.workers !== undefined;
  if (f.journal !== undefined && existsSync(f.journal)) {
    throw new UsageError(`The journal ${f.journal} already exists`, { hint: `Continue that redrive with: svl dlq redrive --resume ${f.journal}${l}; or pass another --journal` });
  }
  if (!o.wait && o.clientSide) throw new UsageError('--no-wait applies to native move tasks; the client-side mover runs in this process', { hint: 'Drop --no-wait' });
  if (rate !== undefined && rate > NATIVE_MAX_RATE && !o.clientSide) {
    throw new UsageError(`A native move task moves at most ${NATIVE_MAX_RATE} messages per second (--rate ${rate})`, { hint: 'Lower --rate, or add --client-side' });
  }
  return o;
}

const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
