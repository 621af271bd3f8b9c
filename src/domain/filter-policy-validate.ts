/**
 * Validation and compilation of SNS subscription filter policies (pure logic, no I/O).
 *
 * AWS behaviour imitated (docs: "Filter policy constraints in Amazon SNS"
 * https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html, "AND/OR logic",
 * "String value matching", "Numeric value matching", "Key matching", "IP address matching"), plus the
 * 54 AWS-recorded validation errors of LocalStack's `test_sns_filter_policy.py` snapshots:
 *
 *  - Error code `InvalidParameter`, HTTP 400. Message prefix depends on the API: Subscribe says
 *    `Invalid parameter: Attributes Reason: FilterPolicy: …`, SetSubscriptionAttributes says
 *    `Invalid parameter: FilterPolicy: …`.
 *  - The policy is compiled by SNS's rule compiler (the same compiler lineage as aws/event-ruler,
 *    2022 generation: `anything-but` accepts only a nested `prefix`); its messages carry Jackson's
 *    location suffix `\n at [Source: (String)"<compact policy>"; line: 1, column: N]`, reproduced here.
 *    CIDR errors come without that suffix (they escape the compiler as plain IllegalArgumentException).
 *  - SNS-level checks (no location suffix): `Filter policy scope MessageAttributes does not support
 *    nested filter policy`, `Filter policy can not have more than 5 keys`, `Filter policy is too complex`
 *    (> 150 combinations; nested keys multiply by their depth, `$or` branches add up:
 *    doc example `3 x 4 x 2 x 3 = 72`).
 *
 * Order of checks (only matters for policies with several faults): size, JSON syntax, structure
 * (object/array shape, empty arrays/objects, nested-in-attribute-scope at the end of each nested
 * object), key count, complexity, then the match expressions in document order. This order fits every
 * AWS-recorded case and the peers' cases (see the test fixture).
 */
import { AwsError } from './aws-error.js';
import {
  JsonSyntaxError,
  fromValue,
  jacksonLocation,
  jacksonRedactedLocation,
  nodeText,
  parseJson,
  toCompact,
  type PArray,
  type PNode,
  type PObject,
} from './filter-policy-json.js';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';
/** Which API carries the policy; it only changes the error message prefix. */
export type FilterPolicyApi = 'Subscribe' | 'SetSubscriptionAttributes';

export interface FilterPolicyOptions {
  /** Defaults to `SetSubscriptionAttributes` (prefix `Invalid parameter: FilterPolicy: `). */
  api?: FilterPolicyApi;
}

/** Limits from "Filter policy constraints in Amazon SNS". */
export const FILTER_POLICY_LIMITS = {
  maxKeys: 5,
  maxCombinations: 150,
  maxSizeBytes: 256 * 1024,
  /** Numeric matching range: -10^9 .. 10^9 ("five digits of accuracy after the decimal point"). */
  maxNumber: 1e9,
} as const;

/** Field names that stop `$or` from being an OR (docs "OR operator": reserved keywords). */
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after', 'date-on-or-after',
  'date-before', 'date-on-or-before', 'in-date-range',
]);

// ---------------------------------------------------------------------------------------------
// Compiled form

export interface IpAddr {
  family: 4 | 6;
  value: bigint;
}

export interface NumericBound {
  value: number;
  inclusive: boolean;
}

/** One condition of a policy key's array; the conditions of one key are OR-ed. */
export type Condition = { text: string } & (
  | { op: 'equals'; value: string | number | boolean | null; ip?: IpAddr }
  | { op: 'prefix' | 'suffix' | 'equals-ignore-case'; value: string }
  | { op: 'anything-but'; strings: string[]; numbers: number[]; prefix?: string }
  | { op: 'numeric'; lower?: NumericBound; upper?: NumericBound }
  | { op: 'exists'; value: boolean }
  | { op: 'cidr'; family: 4 | 6; low: bigint; high: bigint }
);

/** One AND-ed set of keys (a policy without `$or` has exactly one). Keys are dotted paths in body scope. */
export type PolicyBranch = ReadonlyMap<string, readonly Condition[]>;

const compiledRegistry = new WeakSet<object>();

/** True for values returned by `compileFilterPolicy`. */
export function isCompiledFilterPolicy(v: unknown): v is CompiledFilterPolicy {
  return typeof v === 'object' && v !== null && compiledRegistry.has(v);
}

export interface CompiledFilterPolicy {
  readonly scope: FilterPolicyScope;
  /** `null`: no policy (absent, empty string or `{}`), every message matches. */
  readonly branches: readonly PolicyBranch[] | null;
  /** Compact JSON of the policy as SNS re-serialises it ('' when there is none). */
  readonly source: string;
}

// ---------------------------------------------------------------------------------------------
// Errors

type Fault =
  | { kind: 'policy'; message: string; loc: number | null }
  | { kind: 'nested' }
  | { kind: 'internal' };

class PolicyFault extends Error {
  /** The compact policy the fault's location refers to (set once known). */
  compact = '';
  constructor(readonly fault: Fault) {
    super(fault.kind === 'policy' ? fault.message : fault.kind);
  }
}

function fail(message: string, loc: number | null): never {
  throw new PolicyFault({ kind: 'policy', message, loc });
}

function apiPrefix(api: FilterPolicyApi): string {
  return api === 'Subscribe' ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
}

function toAwsError(f: Fault, api: FilterPolicyApi, compact: string): AwsError {
  if (f.kind === 'internal') {
    // moto (test_subscribe_invalid_filter_policy) expects InternalError/500 for a bare number
    // outside ±10^9; message text UNVERIFIED.
    return new AwsError('InternalError', 'Internal Error', { status: 500, fault: 'Receiver' });
  }
  if (f.kind === 'nested') {
    return new AwsError(
      'InvalidParameter',
      `${apiPrefix(api)}Filter policy scope MessageAttributes does not support nested filter policy`,
    );
  }
  const where = f.loc === null ? '' : `\n at ${jacksonLocation(compact, 1, f.loc + 1)}`;
  return new AwsError('InvalidParameter', `${apiPrefix(api)}FilterPolicy: ${f.message}${where}`);
}

/**
 * Validates a FilterPolicyScope attribute value (AWS-recorded message
 * `Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or MessageAttributes`).
 */
export function validateFilterPolicyScope(scope: unknown, opts: FilterPolicyOptions = {}): FilterPolicyScope {
  if (scope === 'MessageAttributes' || scope === 'MessageBody') return scope;
  throw new AwsError(
    'InvalidParameter',
    `${apiPrefix(opts.api ?? 'SetSubscriptionAttributes')}FilterPolicyScope: Invalid value [${String(scope)}]. ` +
      'Please use either MessageBody or MessageAttributes',
  );
}

// ---------------------------------------------------------------------------------------------
// Jackson locations. `loc` values are 0-based offsets in the compact string; Jackson's column is loc+1.
// When Jackson's nextToken() hands out a token (or eagerly reads a field's value), its location is just
// past `{`/`[`, just past the opening quote of a string (strings are read lazily), or past a scalar.

function locAt(n: PNode): number {
  return n.kind === 'object' || n.kind === 'array' || n.kind === 'string' ? n.start + 1 : n.end;
}

/** Jackson getText() of a token, as used in "Invalid member in numeric match: X". */
function tokenText(n: PNode | undefined): string {
  if (n === undefined) return ']';
  switch (n.kind) {
    case 'object':
      return '{';
    case 'array':
      return '[';
    case 'string':
      return n.value;
    case 'number':
      return n.text;
    case 'boolean':
      return n.value ? 'true' : 'false';
    default:
      return 'null';
  }
}

// ---------------------------------------------------------------------------------------------
// IP addresses (imitates event-ruler's CIDR class: which strings count as IPs, and its messages)

const IPV4_RE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_RE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** Looks like an IP literal (the compiler's regexes); says nothing about validity. */
export function looksLikeIp(s: string): boolean {
  return IPV4_RE.test(s) || IPV6_RE.test(s);
}

/** Parses an IPv4/IPv6 literal; `null` when not a valid address. */
export function parseIp(s: string): IpAddr | null {
  if (IPV4_RE.test(s)) {
    let v = 0n;
    for (const part of s.split('.')) {
      if (part.length > 10) return null;
      const n = Number(part);
      if (n > 255) return null;
      v = (v << 8n) | BigInt(n);
    }
    return { family: 4, value: v };
  }
  if (!IPV6_RE.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return null;
    groups = head;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return { family: 6, value: v };
}

/** Java's String.split("/"): trailing empty strings are dropped. */
function javaSplitSlash(s: string): string[] {
  const parts = s.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 0 ? [''] : parts;
}

function compileCidr(text: string): { family: 4 | 6; low: bigint; high: bigint } {
  // AWS-recorded messages (no location suffix): "Malformed CIDR, one '/' required",
  // "Malformed CIDR, mask bits must be an integer", "Nonstandard IP address: <ip>".
  const parts = javaSplitSlash(text);
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required", null);
  const [ipText, maskText] = parts as [string, string];
  if (!/^[+-]?\d{1,10}$/.test(maskText) || Math.abs(Number(maskText)) > 2147483647) {
    fail('Malformed CIDR, mask bits must be an integer', null);
  }
  const mask = Number(maskText);
  if (mask < 0) fail('Malformed CIDR, mask bits must not be negative', null);
  if (!looksLikeIp(ipText)) fail(`Nonstandard IP address: ${ipText}`, null);
  const ip = parseIp(ipText);
  if (ip === null) fail(`Invalid IP address: ${ipText}`, null);
  const bits = ip.family === 4 ? 32 : 128;
  if (ip.family === 4 && mask > 31) fail('IPv4 mask bits must be < 32', null);
  if (ip.family === 6 && mask > 127) fail('IPv6 mask bits must be < 128', null);
  // Docs ("IP address matching"): the subnet; the host bits of the given address are ignored.
  const hostMask = (1n << BigInt(bits - mask)) - 1n;
  return { family: ip.family, low: ip.value & ~hostMask, high: ip.value | hostMask };
}

// ---------------------------------------------------------------------------------------------
// Structure pass, branch expansion, limits

/** "$or" is an OR only when followed by an array of ≥ 2 objects without reserved field names (docs). */
function isOr(key: string, value: PNode): boolean {
  if (key !== '$or' || value.kind !== 'array' || value.items.length < 2) return false;
  return value.items.every((it) => it.kind === 'object' && it.entries.every((e) => !RESERVED_IN_OR.has(e.key)));
}

const MAX_DEPTH = 150; // any leaf deeper than this makes the policy "too complex" anyway

function checkStructure(obj: PObject, depth: number, scope: FilterPolicyScope): void {
  if (depth > MAX_DEPTH) fail('Filter policy is too complex', null);
  for (const { key, value } of obj.entries) {
    if (isOr(key, value)) {
      for (const branch of (value as PArray).items as PObject[]) {
        if (branch.entries.length === 0) fail('Empty objects are not allowed', branch.end);
        checkStructure(branch, depth, scope);
      }
    } else if (value.kind === 'object') {
      if (value.entries.length === 0) fail('Empty objects are not allowed', value.end);
      checkStructure(value, depth + 1, scope);
    } else if (value.kind === 'array') {
      if (value.items.length === 0) fail('Empty arrays are not allowed', value.end);
    } else {
      fail(`"${key}" must be an object or an array`, locAt(value));
    }
  }
  if (depth > 1 && scope === 'MessageAttributes') throw new PolicyFault({ kind: 'nested' });
}

/**
 * Combinations, per the constraints page: values multiply across keys, a nested key's values count
 * once per nesting level (`3 x 4 x 2 x 3 = 72`), and `$or` branches add up
 * (AWS-accepted: `(3*6) + (3*4*4) + (3*4*7) = 150`).
 */
function combinations(obj: PObject, depth: number): number {
  let total = 1;
  for (const { key, value } of obj.entries) {
    if (isOr(key, value)) {
      let sum = 0;
      for (const b of (value as PArray).items as PObject[]) sum += combinations(b, depth);
      total *= sum;
    } else if (value.kind === 'object') total *= combinations(value, depth + 1);
    else if (value.kind === 'array') total *= value.items.length * depth;
    if (total > 1e12) return total;
  }
  return total;
}

function branchCount(obj: PObject): number {
  let total = 1;
  for (const { key, value } of obj.entries) {
    if (isOr(key, value)) {
      let sum = 0;
      for (const b of (value as PArray).items as PObject[]) sum += branchCount(b);
      total *= sum;
    } else if (value.kind === 'object') total *= branchCount(value);
    if (total > 1e6) return total;
  }
  return total;
}

/** Expands `$or` into AND-branches of dotted path → value array (event-ruler's JsonRuleCompiler model). */
function expand(obj: PObject, path: string, rules: Map<string, PArray>[]): Map<string, PArray>[] {
  for (const { key, value } of obj.entries) {
    if (isOr(key, value)) {
      const current = rules.map((r) => new Map(r));
      const next: Map<string, PArray>[] = [];
      for (const b of (value as PArray).items as PObject[]) {
        const copy = current.length > 0 ? current.map((r) => new Map(r)) : [new Map<string, PArray>()];
        next.push(...expand(b, path, copy));
      }
      rules = next;
    } else if (value.kind === 'object') {
      rules = expand(value, `${path}${key}.`, rules);
    } else if (value.kind === 'array') {
      if (rules.length === 0) rules = [new Map()];
      for (const r of rules) r.set(`${path}${key}`, value);
    }
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Match expressions (the compiler pass; messages and locations as AWS reports them)

const MAX = FILTER_POLICY_LIMITS.maxNumber;
const RANGE_MESSAGE = 'Value must be between -1.0E9 and 1.0E9, inclusive'; // UNVERIFIED text (event-ruler style)

function checkNumber(v: number, loc: number): void {
  if (!(v >= -MAX && v <= MAX)) fail(RANGE_MESSAGE, loc);
}

function compileNumeric(arr: PArray, text: string): Condition {
  const items = arr.items;
  const t0 = items[0];
  if (t0 === undefined || t0.kind !== 'string') {
    fail(`Invalid member in numeric match: ${tokenText(t0)}`, t0 === undefined ? arr.end : locAt(t0));
  }
  const op = t0.value;
  const t1 = items[1];
  const t1Loc = t1 === undefined ? arr.end : locAt(t1);
  const num = (n: PNode | undefined): n is Extract<PNode, { kind: 'number' }> => n !== undefined && n.kind === 'number';
  switch (op) {
    case '=': {
      if (!num(t1)) fail('Value of equals must be numeric', t1Loc);
      if (items[2] !== undefined) fail('Too many elements in numeric expression', locAt(items[2]));
      checkNumber(t1.value, arr.end);
      return { op: 'numeric', lower: { value: t1.value, inclusive: true }, upper: { value: t1.value, inclusive: true }, text };
    }
    case '>':
    case '>=': {
      if (!num(t1)) fail(`Value of ${op} must be numeric`, t1Loc);
      const lower = { value: t1.value, inclusive: op === '>=' };
      const t2 = items[2];
      if (t2 === undefined) {
        checkNumber(lower.value, arr.end);
        return { op: 'numeric', lower, text };
      }
      if (t2.kind !== 'string') fail(`Bad value in numeric range: ${tokenText(t2)}`, locAt(t2));
      const op2 = t2.value;
      if (op2 !== '<' && op2 !== '<=') fail(`Bad numeric range operator: ${op2}`, t2.end);
      const t3 = items[3];
      if (!num(t3)) fail(`Value of ${op2} must be numeric`, t3 === undefined ? arr.end : locAt(t3));
      if (items[4] !== undefined) fail('Too many terms in numeric range expression', locAt(items[4]));
      if (lower.value >= t3.value) fail('Bottom must be less than top', arr.end);
      checkNumber(lower.value, arr.end);
      checkNumber(t3.value, arr.end);
      return { op: 'numeric', lower, upper: { value: t3.value, inclusive: op2 === '<=' }, text };
    }
    case '<':
    case '<=': {
      if (!num(t1)) fail(`Value of ${op} must be numeric`, t1Loc);
      if (items[2] !== undefined) fail('Too many elements in numeric expression', locAt(items[2]));
      checkNumber(t1.value, arr.end);
      return { op: 'numeric', upper: { value: t1.value, inclusive: op === '<=' }, text };
    }
    default:
      return fail(`Unrecognized numeric range operator: ${op}`, t1Loc);
  }
}

function compileAnythingBut(value: PNode, text: string): Condition {
  if (value.kind === 'object') {
    const first = value.entries[0];
    if (first === undefined) fail('Anything-But expression name not found', value.end);
    // AWS-recorded: suffix, exists, equals-ignore-case, … → "Unsupported anything-but pattern: <op>".
    if (first.key !== 'prefix') fail(`Unsupported anything-but pattern: ${first.key}`, locAt(first.value));
    if (first.value.kind !== 'string') fail('prefix match pattern must be a string', locAt(first.value));
    if (first.value.value === '') fail('Null prefix not allowed', first.value.end);
    const extra = value.entries[1];
    if (extra !== undefined) fail('Only one key allowed in match expression', locAt(extra.value));
    return { op: 'anything-but', strings: [], numbers: [], prefix: first.value.value, text };
  }
  if (value.kind === 'string') return { op: 'anything-but', strings: [value.value], numbers: [], text };
  if (value.kind === 'number') {
    checkNumber(value.value, value.end);
    return { op: 'anything-but', strings: [], numbers: [value.value], text };
  }
  if (value.kind !== 'array') {
    fail('Value of anything-but must be an array or single string/number value.', locAt(value));
  }
  const strings: string[] = [];
  const numbers: number[] = [];
  for (const it of value.items) {
    if (it.kind === 'string') strings.push(it.value);
    else if (it.kind === 'number') {
      checkNumber(it.value, it.end);
      numbers.push(it.value);
    } else fail('Inside anything but list, start|null|boolean is not supported.', locAt(it));
  }
  if ((strings.length > 0) === (numbers.length > 0)) {
    fail('Inside anything but list, either all values are number or string, mixed type is not supported', value.end);
  }
  return { op: 'anything-but', strings, numbers, text };
}

function compileMatchExpression(obj: PObject, compact: string): Condition {
  const text = nodeText(compact, obj);
  const first = obj.entries[0];
  if (first === undefined) fail('Match expression name not found', obj.end);
  const { key: name, value } = first;
  const extra = obj.entries[1];
  const onlyOne = (message = 'Only one key allowed in match expression'): void => {
    if (extra !== undefined) fail(message, locAt(extra.value));
  };
  switch (name) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case': {
      if (value.kind !== 'string') fail(`${name} match pattern must be a string`, locAt(value));
      onlyOne();
      return { op: name, value: value.value, text };
    }
    case 'numeric': {
      if (value.kind !== 'array') fail('Value of numeric must be an array.', locAt(value));
      const c = compileNumeric(value, text);
      onlyOne('Too many elements in numeric expression');
      return c;
    }
    case 'anything-but': {
      const c = compileAnythingBut(value, text);
      onlyOne(value.kind === 'object' ? undefined : 'Too many elements in numeric expression');
      return c;
    }
    case 'exists': {
      if (value.kind !== 'boolean') fail('exists match pattern must be either true or false.', locAt(value));
      onlyOne();
      return { op: 'exists', value: value.value, text };
    }
    case 'cidr': {
      // AWS-recorded: a non-string cidr gets the prefix message.
      if (value.kind !== 'string') fail('prefix match pattern must be a string', locAt(value));
      const range = compileCidr(value.value);
      onlyOne();
      return { op: 'cidr', ...range, text };
    }
    default:
      // `exactly` and `wildcard` (event-ruler) are not documented for SNS: rejected like any unknown name.
      return fail(`Unrecognized match type ${name}`, locAt(value));
  }
}

function compileValues(arr: PArray, compact: string): Condition[] {
  const out: Condition[] = [];
  for (const it of arr.items) {
    const text = nodeText(compact, it);
    switch (it.kind) {
      case 'object':
        out.push(compileMatchExpression(it, compact));
        break;
      case 'string': {
        // The compiler turns IP-literal strings into an address match ("10.0.0.1" == "10.00.0.1").
        const ip = looksLikeIp(it.value) ? parseIp(it.value) : null;
        out.push(ip ? { op: 'equals', value: it.value, ip, text } : { op: 'equals', value: it.value, text });
        break;
      }
      case 'number':
        if (!(Math.abs(it.value) <= MAX)) throw new PolicyFault({ kind: 'internal' });
        out.push({ op: 'equals', value: it.value, text });
        break;
      case 'boolean':
        out.push({ op: 'equals', value: it.value, text });
        break;
      case 'null':
        out.push({ op: 'equals', value: null, text });
        break;
      default:
        fail('Match value must be String, number, true, false, or null', locAt(it));
    }
  }
  return out;
}

/** Document-order walk over every key's value array (the order the compiler reports errors in). */
function compileAll(obj: PObject, compact: string, out: Map<PArray, Condition[]>): void {
  for (const { key, value } of obj.entries) {
    if (isOr(key, value)) for (const b of (value as PArray).items as PObject[]) compileAll(b, compact, out);
    else if (value.kind === 'object') compileAll(value, compact, out);
    else if (value.kind === 'array') out.set(value, compileValues(value, compact));
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function compileOrThrow(policy: unknown, scope: FilterPolicyScope): CompiledFilterPolicy {
  if (policy === null || policy === undefined || (typeof policy === 'string' && policy.trim() === '')) {
    return { scope, branches: null, source: '' };
  }
  let root: PNode;
  if (typeof policy === 'string') {
    // Size limit: "The maximum size of a filter policy is 256 KB." Message text UNVERIFIED.
    if (byteLength(policy) > FILTER_POLICY_LIMITS.maxSizeBytes) fail('Filter policy can not be larger than 256 KB', null);
    try {
      root = parseJson(policy);
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        // AWS-recorded first lines: "FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): …"
        fail(`failed to parse JSON. ${e.message}\n at ${jacksonRedactedLocation(e.line, e.column)}`, null);
      }
      throw e;
    }
  } else {
    try {
      root = fromValue(policy);
    } catch (e) {
      if (e instanceof JsonSyntaxError) fail(`failed to parse JSON. ${e.message}`, null);
      throw e;
    }
  }
  const compact = toCompact(root);
  try {
    return compileTree(root, compact, scope, typeof policy === 'string');
  } catch (e) {
    if (e instanceof PolicyFault) e.compact = compact;
    throw e;
  }
}

function compileTree(root: PNode, compact: string, scope: FilterPolicyScope, fromString: boolean): CompiledFilterPolicy {
  if (!fromString && byteLength(compact) > FILTER_POLICY_LIMITS.maxSizeBytes) {
    fail('Filter policy can not be larger than 256 KB', null);
  }
  if (root.kind !== 'object') fail('Filter is not an object', locAt(root));
  // `{}`: no filtering (moto test_filtering_exact_string_message_body_empty_filter_policy_match).
  if (root.entries.length === 0) return { scope, branches: null, source: compact };

  checkStructure(root, 1, scope);

  // Keys: at most 5 per AND-branch; in body scope only leaf keys count (constraints page:
  // "only the keys key_d and key_f are counted"). The expansion is kept for the branches below.
  const skeleton = branchCount(root) <= FILTER_POLICY_LIMITS.maxCombinations ? expand(root, '', []) : undefined;
  if (skeleton?.some((b) => b.size > FILTER_POLICY_LIMITS.maxKeys)) {
    fail(`Filter policy can not have more than ${FILTER_POLICY_LIMITS.maxKeys} keys`, null);
  }
  if (combinations(root, 1) > FILTER_POLICY_LIMITS.maxCombinations) fail('Filter policy is too complex', null);

  const conditions = new Map<PArray, Condition[]>();
  compileAll(root, compact, conditions);
  const branches = (skeleton ?? expand(root, '', [])).map(
    (b) => new Map([...b].map(([path, arr]) => [path, conditions.get(arr) ?? []] as const)),
  );
  return { scope, branches, source: compact };
}

/**
 * Compiles (and thereby validates) a filter policy. `policy` is the FilterPolicy attribute string, or an
 * already-parsed value; `null`/`undefined`/'' mean "no policy". Throws AwsError on an invalid policy.
 */
export function compileFilterPolicy(
  policy: unknown,
  scope: FilterPolicyScope,
  opts: FilterPolicyOptions = {},
): CompiledFilterPolicy {
  const api = opts.api ?? 'SetSubscriptionAttributes';
  const s = validateFilterPolicyScope(scope, opts);
  try {
    const compiled = compileOrThrow(policy, s);
    compiledRegistry.add(compiled);
    return compiled;
  } catch (e) {
    if (e instanceof PolicyFault) throw toAwsError(e.fault, api, e.compact);
    throw e;
  }
}
