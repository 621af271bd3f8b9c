/** Numeric and time flags shared by `svl tail` and `svl dlq`: validated before any AWS call. */
import { UsageError } from '../errors.js';

/** A whole number in [min, max]. */
export function parseCount(value: string | undefined, flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be a whole number ${range} (got "${value}")`, { hint: `e.g. ${flag} ${Math.max(min, Math.min(max, 10))}` });
  }
  return n;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30`, `30s`, `1.5m`, `2h`, `1d`, `500ms` -> milliseconds; undefined when the text is not a duration. */
export function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2] ?? 's']!;
}

/** `--timeout 30` or `--timeout 5m`: seconds, more than 0. */
export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = durationMs(value);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} must be a duration such as 30, 30s, 5m or 1h (got "${value}")`, { hint: `e.g. ${flag} 5m` });
  return ms / 1000;
}

/** `--since`: how far back, or from when. Relative times are resolved against the queue's clock later. */
export type Since = { kind: 'ago'; ms: number } | { kind: 'at'; epochMs: number } | { kind: 'now' };

export function parseSince(value: string | undefined): Since | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === 'now') return { kind: 'now' };
  const ago = durationMs(v);
  if (ago !== undefined) return { kind: 'ago', ms: ago };
  // An ISO date or date-time (a date alone is midnight UTC); nothing looser, so typos do not parse.
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const t = Date.parse(v.replace(' ', 'T'));
    if (Number.isFinite(t)) return { kind: 'at', epochMs: t };
  }
  throw new UsageError(`--since must be a duration (90s, 10m, 2h, 1d), an ISO time (2026-01-01T12:00:00Z) or "now" (got "${value}")`, { hint: 'e.g. --since 10m' });
}

/** The epoch ms a Since stands for, given "now" on the clock the messages are stamped with. */
export function sinceEpoch(s: Since, now: number): number {
  if (s.kind === 'now') return now;
  if (s.kind === 'ago') return now - s.ms;
  return s.epochMs;
}

/** Commander's accumulator for a repeatable option (`--attr a=1 --attr b=2`). */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
