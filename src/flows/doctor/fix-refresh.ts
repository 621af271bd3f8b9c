/**
 * `svl doctor --fix` re-reads a queue's attributes or a topic's policy just before writing them, and
 * these pure functions decide what to write from that fresh state, so a change made since the discovery
 * is not overwritten by the stale value: policy statements are added onto the current policy (a
 * statement added meanwhile is kept), VisibilityTimeout and MessageRetentionPeriod only ever grow, and
 * any other attribute that changed since it was read is left as it is now (reported, not written).
 * The rules are planning's: `fixValue` is the one planFixes (index.ts) merges findings with, and what
 * differs is decided by the flow engine's attributeChanges (JSON attributes compared as documents).
 * Not here: the reads and writes (fix-apply.ts) or planning (index.ts).
 */
import { attributeChanges } from '../plan.js';
import { withStatement, type PolicyStatement } from './model.js';

/** Attributes that only ever grow when a fix raises them: the larger of the planned and current value wins. */
export const MAX_WINS = new Set(['VisibilityTimeout', 'MessageRetentionPeriod']);

/** The value a fix gives attribute `k` (planned `v`) where `cur` is already set: the larger one for MAX_WINS attributes, else `v`. */
export const fixValue = (k: string, cur: string | undefined, v: string): string => (MAX_WINS.has(k) && cur !== undefined && Number(cur) > Number(v) ? cur : v);

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
  const wanted: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.attributes)) if (!(k === 'Policy' && step.statements.length)) wanted[k] = fixValue(k, current[k], v);
  const attributes: Record<string, string> = {};
  const changed: string[] = [];
  for (const { key, to } of attributeChanges(current, wanted)) {
    const was = step.was[key];
    if (was !== undefined && (current[key] ?? null) !== was) changed.push(key);
    else attributes[key] = to;
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
