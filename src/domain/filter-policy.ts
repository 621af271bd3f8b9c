/**
 * SNS subscription filter policies: validation, matching and explanation (pure logic, no I/O).
 * One matcher serves the emulator's delivery path (`evaluateFilterPolicy`) and `svl filter test`
 * (`explainFilterPolicy`).
 *
 * Matching semantics imitated (Amazon SNS Developer Guide, "Amazon SNS subscription filter policies",
 * "String value matching", "Numeric value matching", "Key matching", "AND/OR logic", "IP address
 * matching", "Filter policy constraints"; and the AWS-recorded delivery cases of LocalStack's
 * `test_sns_filter_policy.py`):
 *
 *  - Keys of a policy are AND-ed, the values of one key are OR-ed, `$or` forks AND-branches; the
 *    message matches when any branch matches.
 *  - MessageAttributes scope: only `String`, `String.Array` and `Number` attributes take part
 *    ("Amazon SNS ignores message attributes with the Binary data type"). A `String.Array` value is a
 *    JSON array whose elements are matched one by one; `Number` values are numbers, so they match
 *    numeric conditions and bare numbers (`[100]` matches Number "100", "3.015e2" matches `= 301.5`) but
 *    not strings (`["100"]`).
 *  - MessageBody scope: the body must be a JSON object (otherwise nothing matches; AWS-recorded). Keys
 *    are dotted paths: `{"a":{"b":[…]}}`, `{"a.b":[…]}` and bodies `{"a":{"b":…}}` / `{"a.b":…}` are
 *    interchangeable (AWS-recorded). Arrays anywhere on the path are transparent: any element may match.
 *  - `anything-but` matches when the key holds at least one value outside the list ("it contains a
 *    value that isn't rugby or tennis"); it never matches a missing key.
 *  - `exists: true` needs a non-null, non-empty value ("The key must have a non-null and non-empty
 *    value"); `exists: false` is its complement, but in attribute scope it only matches when the
 *    message has at least one attribute ("An empty set of attributes results in the filter not
 *    matching"). `exists` works on leaves only: an intermediate object does not "exist".
 *  - Numbers compare as numbers within ±10^9 at a fixed precision of 6 decimals (documented accuracy:
 *    5 decimals; the compiler's ComparableNumber keeps 6, and moto's test
 *    `test_filtering_exact_number_float_accuracy` relies on 100.123456789 == 100.1234567).
 */
import {
  compileFilterPolicy,
  FILTER_POLICY_LIMITS,
  isCompiledFilterPolicy,
  looksLikeIp,
  parseIp,
  type CompiledFilterPolicy,
  type Condition,
  type FilterPolicyOptions,
  type FilterPolicyScope,
  type PolicyBranch,
} from './filter-policy-validate.js';

export {
  compileFilterPolicy,
  validateFilterPolicyScope,
  isCompiledFilterPolicy,
  FILTER_POLICY_LIMITS,
  type CompiledFilterPolicy,
  type Condition,
  type FilterPolicyApi,
  type FilterPolicyOptions,
  type FilterPolicyScope,
  type PolicyBranch,
} from './filter-policy-validate.js';

/** A message attribute as SNS shows it in notifications (`{Type, Value}`) or as Publish takes it. */
export type FilterMessageAttribute =
  | { Type: string; Value: string }
  | { DataType: string; StringValue?: string; BinaryValue?: unknown };

/**
 * A message to match. What the matcher derives from it (the parsed body, the attribute values) is cached
 * per message object, so one object evaluated against many policies (a fan-out) is read once; replacing
 * `body` or `attributes` starts afresh, but the attribute map must not be changed in place.
 */
export interface FilterMessage {
  /** The published Message string. */
  body: string;
  attributes?: Record<string, FilterMessageAttribute>;
}

export interface FilterFailure {
  /** Policy key (dotted path in MessageBody scope), or `(message body)`. */
  key: string;
  reason: string;
}

export interface FilterExplanation {
  matches: boolean;
  /** Why the message did not match; empty when it matches. With `$or`, the closest branch's failures. */
  failures: FilterFailure[];
}

/**
 * Validates a FilterPolicy for Subscribe/SetSubscriptionAttributes. Throws `AwsError('InvalidParameter')`
 * with SNS's message (see filter-policy-validate.ts); `null`/`undefined`/'' (no policy) are valid.
 */
export function validateFilterPolicy(
  policy: unknown,
  scope: FilterPolicyScope,
  opts: FilterPolicyOptions = {},
): void {
  compileFilterPolicy(policy, scope, opts);
}

/** Does the message pass the policy? `policy` may be a compiled policy (then its scope is used). */
export function evaluateFilterPolicy(policy: unknown, scope: FilterPolicyScope, message: FilterMessage): boolean {
  return run(toCompiled(policy, scope), message, false).matches;
}

/** Like `evaluateFilterPolicy`, with a human-readable reason per failed key. */
export function explainFilterPolicy(policy: unknown, scope: FilterPolicyScope, message: FilterMessage): FilterExplanation {
  return run(toCompiled(policy, scope), message, true);
}

function toCompiled(policy: unknown, scope: FilterPolicyScope): CompiledFilterPolicy {
  return isCompiledFilterPolicy(policy) ? policy : compileFilterPolicy(policy, scope);
}

// ---------------------------------------------------------------------------------------------
// Message values

type Leaf =
  | { kind: 'string'; v: string }
  | { kind: 'number'; v: number; raw: string }
  | { kind: 'boolean'; v: boolean }
  | { kind: 'null' };

function leafOf(v: unknown): Leaf | null {
  if (v === null) return { kind: 'null' };
  if (typeof v === 'string') return { kind: 'string', v };
  if (typeof v === 'number') return { kind: 'number', v, raw: String(v) };
  if (typeof v === 'boolean') return { kind: 'boolean', v };
  return null; // objects inside a String.Array are not matchable values
}

/** Values a message holds for one key; `present` says whether the key occurs at all. */
interface KeyValues {
  present: boolean;
  leaves: Leaf[];
}

interface MessageView {
  scope: FilterPolicyScope;
  get(key: string): KeyValues;
  /** Attribute scope: number of attributes that take part in filtering (non-Binary). */
  attributeCount: number;
  /** Set when the body cannot be filtered at all (MessageBody scope). */
  bodyProblem?: string;
}

const NO_VALUES: KeyValues = { present: false, leaves: [] };

function attributeLeaves(attr: FilterMessageAttribute): Leaf[] | null {
  const type = 'Type' in attr ? attr.Type : attr.DataType;
  const value = 'Type' in attr ? attr.Value : (attr.StringValue ?? '');
  if (type.startsWith('Binary')) return null; // "Amazon SNS ignores message attributes with the Binary data type"
  if (type === 'String.Array') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return []; // present, but no value can match (LocalStack unit case: "['anything']")
    }
    // A scalar is taken as a one-element array (moto test_filtering_string_array_with_number_no_array_match).
    const out: Leaf[] = [];
    const stack: unknown[] = [parsed];
    while (stack.length > 0) {
      const v = stack.pop();
      if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      else {
        const l = leafOf(v);
        if (l) out.push(l);
      }
    }
    return out;
  }
  if (type.startsWith('Number')) {
    const raw = value.trim();
    return [{ kind: 'number', v: raw === '' ? Number.NaN : Number(raw), raw }];
  }
  return [{ kind: 'string', v: value }];
}

function attributeView(attrs: Record<string, FilterMessageAttribute>): MessageView {
  const map = new Map<string, KeyValues>();
  for (const [name, attr] of Object.entries(attrs)) {
    const leaves = attributeLeaves(attr);
    if (leaves !== null) map.set(name, { present: true, leaves });
  }
  return { scope: 'MessageAttributes', get: (k) => map.get(k) ?? NO_VALUES, attributeCount: map.size };
}

/** Every key path of a policy, and every dotted prefix of one (to prune the body walk). */
interface PolicyPaths {
  keys: Set<string>;
  prefixes: Set<string>;
}

/** Policy-only data, computed once per compiled policy (its branches never change). */
const pathsCache = new WeakMap<readonly PolicyBranch[], PolicyPaths>();

function policyPaths(branches: readonly PolicyBranch[]): PolicyPaths {
  const cached = pathsCache.get(branches);
  if (cached) return cached;
  const keys = new Set<string>();
  const prefixes = new Set<string>();
  for (const b of branches) {
    for (const k of b.keys()) {
      keys.add(k);
      for (let i = k.indexOf('.'); i !== -1; i = k.indexOf('.', i + 1)) prefixes.add(k.slice(0, i));
    }
  }
  const paths = { keys, prefixes };
  pathsCache.set(branches, paths);
  return paths;
}

/** What a message yields independently of any policy, computed on first use. */
interface MessageData {
  body: string;
  attributes: FilterMessage['attributes'];
  attributeView?: MessageView;
  /** The body parsed as a JSON object, or why a MessageBody-scope policy cannot match it. */
  parsedBody?: { object: Record<string, unknown> } | { problem: string };
}

const messageCache = new WeakMap<FilterMessage, MessageData>();

function messageData(message: FilterMessage): MessageData {
  let d = messageCache.get(message);
  if (d === undefined || d.body !== message.body || d.attributes !== message.attributes) {
    d = { body: message.body, attributes: message.attributes };
    messageCache.set(message, d);
  }
  return d;
}

function messageAttributeView(d: MessageData): MessageView {
  return (d.attributeView ??= attributeView(d.attributes ?? {}));
}

function parsedBody(d: MessageData): { object: Record<string, unknown> } | { problem: string } {
  if (d.parsedBody === undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(d.body);
    } catch {
      return (d.parsedBody = { problem: 'message body is not valid JSON' });
    }
    d.parsedBody =
      typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)
        ? { problem: 'message body is JSON but not a JSON object' }
        : { object: parsed as Record<string, unknown> };
  }
  return d.parsedBody;
}

function bodyView(d: MessageData, branches: readonly PolicyBranch[]): MessageView {
  const body = parsedBody(d);
  if ('problem' in body) return { scope: 'MessageBody', get: () => NO_VALUES, attributeCount: 0, bodyProblem: body.problem };
  // Flatten to dotted paths (arrays are transparent), only along paths the policy can use. The parsed
  // body is shared by every policy evaluated against the message: only read here.
  const { keys, prefixes } = policyPaths(branches);
  const map = new Map<string, KeyValues>();
  const stack: Array<[unknown, string]> = [];
  // Members and elements are pushed in reverse so values are collected in document order.
  const pushMembers = (obj: Record<string, unknown>, path: string): void => {
    const members = Object.entries(obj);
    for (let i = members.length - 1; i >= 0; i--) {
      const [k, v] = members[i] as [string, unknown];
      const p = path === '' ? k : `${path}.${k}`;
      if (keys.has(p) || prefixes.has(p)) stack.push([v, p]);
    }
  };
  pushMembers(body.object, '');
  while (stack.length > 0) {
    const [v, p] = stack.pop() as [unknown, string];
    if (Array.isArray(v)) {
      if (keys.has(p) && !map.has(p)) map.set(p, { present: true, leaves: [] });
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], p]);
    } else if (typeof v === 'object' && v !== null) {
      pushMembers(v as Record<string, unknown>, p);
    } else if (keys.has(p)) {
      let kv = map.get(p);
      if (!kv) map.set(p, (kv = { present: true, leaves: [] }));
      kv.leaves.push(leafOf(v) as Leaf);
    }
  }
  return { scope: 'MessageBody', get: (k) => map.get(k) ?? NO_VALUES, attributeCount: 0 };
}

// ---------------------------------------------------------------------------------------------
// Conditions

const MAX = FILTER_POLICY_LIMITS.maxNumber;

/** Fixed-point form used for numeric comparison (6 decimals, like the compiler's ComparableNumber). */
function fixed(n: number): number | null {
  return Number.isFinite(n) && n >= -MAX && n <= MAX ? Math.round(n * 1e6) : null;
}

function numbersEqual(a: number, b: number): boolean {
  const fa = fixed(a);
  const fb = fixed(b);
  return fa !== null && fb !== null ? fa === fb : a === b;
}

function ipEquals(s: string, ip: { family: 4 | 6; value: bigint }): boolean {
  if (!looksLikeIp(s)) return false;
  const p = parseIp(s);
  return p !== null && p.family === ip.family && p.value === ip.value;
}

function leafMatches(c: Condition, l: Leaf): boolean {
  switch (c.op) {
    case 'equals':
      if (c.value === null) return l.kind === 'null';
      if (typeof c.value === 'string') {
        return l.kind === 'string' && (l.v === c.value || (c.ip !== undefined && ipEquals(l.v, c.ip)));
      }
      if (typeof c.value === 'number') return l.kind === 'number' && numbersEqual(l.v, c.value);
      return l.kind === 'boolean' && l.v === c.value;
    case 'prefix':
      return l.kind === 'string' && l.v.startsWith(c.value);
    case 'suffix':
      return l.kind === 'string' && l.v.endsWith(c.value);
    case 'equals-ignore-case':
      return (
        l.kind === 'string' &&
        (l.v.toLowerCase() === c.value.toLowerCase() || l.v.toUpperCase() === c.value.toUpperCase())
      );
    case 'anything-but': {
      if (l.kind === 'null') return false;
      if (c.prefix !== undefined) return !(l.kind === 'string' && l.v.startsWith(c.prefix));
      if (l.kind === 'string') return !c.strings.includes(l.v);
      if (l.kind === 'number') return !c.numbers.some((n) => numbersEqual(l.v, n));
      return true;
    }
    case 'numeric': {
      if (l.kind !== 'number') return false;
      const v = fixed(l.v);
      if (v === null) return false;
      if (c.lower) {
        const lo = fixed(c.lower.value) as number;
        if (c.lower.inclusive ? v < lo : v <= lo) return false;
      }
      if (c.upper) {
        const hi = fixed(c.upper.value) as number;
        if (c.upper.inclusive ? v > hi : v >= hi) return false;
      }
      return true;
    }
    case 'cidr': {
      if (l.kind !== 'string' || !looksLikeIp(l.v)) return false;
      const ip = parseIp(l.v);
      return ip !== null && ip.family === c.family && ip.value >= c.low && ip.value <= c.high;
    }
    case 'exists':
      return false; // handled per key
  }
}

function hasValue(kv: KeyValues): boolean {
  return kv.leaves.some((l) => l.kind !== 'null');
}

function conditionMatches(c: Condition, kv: KeyValues, view: MessageView): boolean {
  if (c.op === 'exists') {
    if (c.value) return hasValue(kv);
    return !hasValue(kv) && (view.scope !== 'MessageAttributes' || view.attributeCount > 0);
  }
  return kv.leaves.some((l) => leafMatches(c, l));
}

// ---------------------------------------------------------------------------------------------
// Explanations

function leafText(l: Leaf): string {
  switch (l.kind) {
    case 'string':
      return JSON.stringify(l.v);
    case 'number':
      return l.raw;
    case 'boolean':
      return String(l.v);
    default:
      return 'null';
  }
}

function valuesText(leaves: Leaf[]): string {
  return leaves.length === 1 ? leafText(leaves[0] as Leaf) : `[${leaves.map(leafText).join(', ')}]`;
}

/** `{"numeric":[">",200]}` → `[">", 200]`. */
function numericText(c: Condition): string {
  try {
    const parsed = JSON.parse(c.text) as { numeric: unknown[] };
    return `[${parsed.numeric.map((x) => JSON.stringify(x)).join(', ')}]`;
  } catch {
    return c.text;
  }
}

/**
 * Explanations of one value (a single string or number) against a key's conditions: the same values fail the
 * same policies publish after publish, and building the text was most of what explaining cost. Per
 * conditions array (one per key of a compiled policy, whose scope is fixed), at most EXPLAINED values, each
 * kept as its failure (frozen, shared by every explanation that has it), by the value itself: no key text is
 * built per lookup.
 */
const explained = new WeakMap<readonly Condition[], { key: string; strings: Map<string, FilterFailure>; numbers: Map<string, FilterFailure> }>();
const EXPLAINED = 64;

function explainKey(key: string, conds: readonly Condition[], kv: KeyValues, view: MessageView): FilterFailure {
  const leaf = kv.present && kv.leaves.length === 1 ? kv.leaves[0]! : undefined;
  if (leaf === undefined || (leaf.kind !== 'string' && leaf.kind !== 'number')) return { key, reason: explainKeyText(key, conds, kv, view) };
  let known = explained.get(conds);
  if (known === undefined) explained.set(conds, (known = { key, strings: new Map(), numbers: new Map() }));
  // (The label names the key: conditions shared by two keys are explained afresh.)
  else if (known.key !== key) return { key, reason: explainKeyText(key, conds, kv, view) };
  const texts = leaf.kind === 'string' ? known.strings : known.numbers;
  const value = leaf.kind === 'string' ? leaf.v : leaf.raw;
  let failure = texts.get(value);
  if (failure === undefined) {
    failure = Object.freeze({ key, reason: explainKeyText(key, conds, kv, view) });
    if (texts.size >= EXPLAINED) texts.clear();
    texts.set(value, failure);
  }
  return failure;
}

function explainKeyText(key: string, conds: readonly Condition[], kv: KeyValues, view: MessageView): string {
  const label = view.scope === 'MessageAttributes' ? `attribute "${key}"` : `property "${key}"`;
  const wantsAbsent = conds.some((c) => c.op === 'exists' && !c.value);
  if (wantsAbsent && !hasValue(kv) && view.scope === 'MessageAttributes' && view.attributeCount === 0) {
    return 'the message has no attributes, and {"exists":false} only matches when at least one attribute is present';
  }
  if (!kv.present) return view.scope === 'MessageAttributes' ? `${label} is missing` : `${label} is missing from the message body`;
  if (!hasValue(kv)) {
    const what = kv.leaves.length > 0 ? 'null' : 'empty';
    return `${label} is ${what}, which matches none of [${conds.map((c) => c.text).join(', ')}]`;
  }
  const shown = valuesText(kv.leaves);
  if (conds.length === 1) {
    const c = conds[0] as Condition;
    if (c.op === 'numeric') {
      return kv.leaves.some((l) => l.kind === 'number')
        ? `${shown} is not in numeric range ${numericText(c)}`
        : `${shown} is not a number, so it cannot match numeric range ${numericText(c)}`;
    }
    if (c.op === 'exists' && !c.value) return `${label} is present (${shown}), but the policy requires it to be absent`;
    if (c.op === 'anything-but') return `${shown} is excluded by ${c.text}`;
  }
  return `${shown} did not match any of [${conds.map((c) => c.text).join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** No failure (a branch that matches); frozen, shared. */
const NO_FAILURES: FilterFailure[] = Object.freeze([]) as unknown as FilterFailure[];

function anyConditionMatches(conds: readonly Condition[], kv: KeyValues, view: MessageView): boolean {
  for (let i = 0; i < conds.length; i++) if (conditionMatches(conds[i]!, kv, view)) return true;
  return false;
}

/** The keys of `branch` the message fails (explained, or only the first one); NO_FAILURES when it matches. */
function branchFailures(branch: PolicyBranch, view: MessageView, explain: boolean): FilterFailure[] {
  let failures: FilterFailure[] | undefined;
  for (const [key, conds] of branch) {
    const kv = view.get(key);
    if (anyConditionMatches(conds, kv, view)) continue;
    (failures ??= []).push(explain ? explainKey(key, conds, kv, view) : { key, reason: '' });
    if (!explain) break;
  }
  return failures ?? NO_FAILURES;
}

function run(policy: CompiledFilterPolicy, message: FilterMessage, explain: boolean): FilterExplanation {
  const branches = policy.branches;
  if (branches === null) return { matches: true, failures: [] };
  const data = messageData(message);
  const view = policy.scope === 'MessageAttributes' ? messageAttributeView(data) : bodyView(data, branches);
  if (view.bodyProblem !== undefined) {
    return {
      matches: false,
      failures: [{ key: '(message body)', reason: `${view.bodyProblem}; a MessageBody-scope policy only matches JSON objects` }],
    };
  }
  let best: FilterFailure[] | null = null;
  for (const b of branches) {
    const f = branchFailures(b, view, explain);
    if (f.length === 0) return { matches: true, failures: [] };
    if (best === null || f.length < best.length) best = f;
  }
  return { matches: false, failures: explain ? (best ?? []) : [] };
}
