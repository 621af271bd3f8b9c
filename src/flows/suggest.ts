/**
 * "Did you mean": the closest known word to a mistyped one (case-insensitive edit distance, a close
 * prefix counts too). Pure; knows nothing about specs or flags — callers pass the words that exist.
 */

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[t.length]!;
}

/** The known word closest to `word`, when it is close enough to be what was meant. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  const lw = word.toLowerCase();
  const lb = best.toLowerCase();
  if (bestD <= allowed || (lw.length >= 3 && (lb.startsWith(lw) || lw.startsWith(lb)))) return best;
  return undefined;
}
