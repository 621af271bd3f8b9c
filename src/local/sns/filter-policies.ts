/**
 * SNS's filter-policy engine (src/domain/filter-policy*.ts: ~45 KB of code, ~2 ms of the emulator's start-up),
 * imported on first use rather than with the service: by the first Subscribe or SetSubscriptionAttributes
 * that sets a FilterPolicy, a FilterPolicyScope or a RedrivePolicy (whose JSON errors the engine's parser
 * words as AWS's Jackson does), or before the emulator starts when a stored subscription has a FilterPolicy
 * (SnsService.prepare). A subscription has a compiled filter only once the engine is loaded, so a publish,
 * which evaluates compiled filters only, never waits for it.
 *
 * Deliberately does not: validate, compile or evaluate anything itself (the engine does), nor load the engine
 * by itself (`filterPolicies()` throws when it is not loaded: a caller that can need it awaits
 * `loadFilterPolicies()` first).
 */
import type * as Policy from '../../domain/filter-policy.js';
import type * as Json from '../../domain/filter-policy-json.js';

export interface FilterPolicyEngine {
  /** Validation, compilation and evaluation of filter policies. */
  policy: typeof Policy;
  /** The JSON parser that words syntax errors as AWS does. */
  json: typeof Json;
}

let engine: FilterPolicyEngine | undefined;
let loading: Promise<FilterPolicyEngine> | undefined;

/** The engine, imported by the first call. */
export function loadFilterPolicies(): Promise<FilterPolicyEngine> {
  return (loading ??= Promise.all([import('../../domain/filter-policy.js'), import('../../domain/filter-policy-json.js')]).then(
    ([policy, json]) => (engine = { policy, json }),
  ));
}

/** The engine, which must be loaded (see the header). */
export function filterPolicies(): FilterPolicyEngine {
  if (!engine) throw new Error('the SNS filter-policy engine is used before it is loaded (await loadFilterPolicies() first)');
  return engine;
}

export const filterPoliciesLoaded = (): boolean => engine !== undefined;

/** Whether setting the subscription attribute `name` needs the engine. */
export const attributeNeedsFilterPolicies = (name: string): boolean => name === 'FilterPolicy' || name === 'FilterPolicyScope' || name === 'RedrivePolicy';
