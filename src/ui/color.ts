/**
 * Colour decisions, made per stream: stdout may be piped while stderr is a terminal.
 * Order: --no-color, then NO_COLOR (https://no-color.org), then FORCE_COLOR, then "is it a TTY".
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { envValue, type Env } from '../env.js';

export type ColorLevel = 0 | 1 | 2 | 3;

export function colorLevel(stream: { isTTY?: boolean }, env: Env, colorFlag = true): ColorLevel {
  if (!colorFlag) return 0;
  if (envValue(env, 'NO_COLOR') !== undefined) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force.toLowerCase() === 'false') return 0;
    if (force === '2' || force === '3') return Number(force) as ColorLevel;
    return 1; // FORCE_COLOR=1, =true or empty: basic colours even when piped
  }
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  if (/^(truecolor|24bit)$/i.test(env.COLORTERM ?? '')) return 3;
  return /256/.test(env.TERM ?? '') ? 2 : 1;
}

/** A chalk instance with an explicit level, so chalk's own argv/env sniffing never overrides ours. */
export function createStyle(level: ColorLevel): ChalkInstance {
  return new Chalk({ level });
}

export type Style = ChalkInstance;
