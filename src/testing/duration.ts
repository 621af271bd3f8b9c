/**
 * Durations as tests write them: a number of milliseconds, or `'31s'`, `'500ms'`, `'2m'`, `'1h'`, `'1.5s'`
 * (svl/testing's `clock.advance`, `waitFor`'s timeout). Deliberately nothing fancier (no `'1m30s'`).
 */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

export function toMs(d: Duration | string, what = 'duration'): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) throw new TypeError(`svl/testing: ${what} must be a non-negative number of milliseconds (got ${d}).`);
    return d;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(String(d));
  if (!m) throw new TypeError(`svl/testing: ${what} ${JSON.stringify(d)} is not a duration; write e.g. 31000, '31s', '500ms', '2m' or '1h'.`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}
