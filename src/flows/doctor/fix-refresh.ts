/**
 * `svl doctor --fix` re-reads a queue's attributes or a topic's policy just before writing them, and
 * these pure functions decide what to write from that fresh state, so a change made since the discovery
 * is not overwritten by the stale value: policy statements are added onto the current policy (a
 * statement added meanwhile is kept), VisibilityTimeout and MessageRetentionPeriod only ever grow, and
 * any other attribute that changed since it was read is left as it is now (reported, not written).
 * Not here: the reads and writes (fix-apply.ts) or planning (index.ts).
 */
import { withStatement, type PolicyStatement } from './model.js';

/** Attributes that only ever grow when a fix raises them: the larger of the planned and current value wins. */
export const MAX_WINS = new Set(['VisibilityTimeout', 'MessageRetentionPeriod']);

export interface QueueRefresh {
  /** What to send in SetQueueAttributes (may be empty: nothing left to change). */
  attributes: Record<string, string>;
  /** Attributes not written because they changed since the discovery read them. */
  changed: string[];
}

export function refreshQueueAttributes(
  step: { attributes: Record<string, string>; statements: readonly PolicyStatement[]; queueArn?: string; was: Record<string, string | null> },
  current: Record<string, string>,
): QueueRefresh {
  const attributes: Record<string, string> = {};
  const changed: string[] = [];
  for (const [k, v] of Object.entries(step.attributes)) {
    if (k === 'Policy' && step.statements.length) continue;
    if (MAX_WINS.has(k)) {
      const now = Number(current[k]);
      if (!(Number.isFinite(now) && now >= Number(v))) attributes[k] = v;
      continue;
    }
    const was = step.was[k];
    if (was !== undefined && (current[k] ?? null) !== was && current[k] !== v) {
      changed.push(k);
      continue;
    }
    if (current[k] !== v) attributes[k] = v;
  }
  if (step.statements.length) {
    const policy = refreshPolicy(current.Policy, step.queueArn ?? '', step.statements);
    if (policy !== current.Policy) attributes.Policy = policy;
  }
  return { attributes, changed };
}

/** `statements` added onto the policy as it is now (each only if not already there). */
export function refreshPolicy(current: string | undefined | null, resourceArn: string, statements: readonly PolicyStatement[]): string {
  let policy = current ?? null;
  for (const s of statements) policy = withStatement(policy, resourceArn, s);
  return policy ?? '';
}
