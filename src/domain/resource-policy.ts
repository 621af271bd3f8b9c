/**
 * A small evaluator of resource policies (SQS queue policies), enough to decide what AWS decides for
 * "may SNS topic X send to this queue": explicit Deny wins, then an Allow must match principal, action,
 * resource and every condition; no matching Allow means denied (there is no implicit allow for a
 * service principal, which is why fan-outs without a queue policy silently lose messages on AWS).
 *
 * Supported: Principal `*`, {AWS: "*"|arn|account}, {Service: name}; Action/NotAction with `*`/`?`
 * wildcards (case-insensitive); Resource/NotResource; condition operators String{Equals,NotEquals,
 * EqualsIgnoreCase,NotEqualsIgnoreCase,Like,NotLike}, Arn{Equals,Like,NotEquals,NotLike} (ArnEquals
 * takes wildcards like ArnLike, as on AWS), Numeric*, Date* (ISO 8601 or epoch seconds), Bool,
 * BinaryEquals, IpAddress/NotIpAddress (IPv4 and IPv6 CIDRs), Null; the `IfExists` suffix and the
 * `ForAnyValue:`/`ForAllValues:` prefixes on single-valued keys; on the context keys given by the caller
 * (aws:SourceArn, aws:SourceAccount, aws:SourceOwner...), matched case-insensitively.
 *
 * A key absent from the request context (AWS semantics): the condition is false, except for `...IfExists`
 * (true), negated operators (`...Not...`, `NotIpAddress`: true), `ForAllValues:` (true), and `Null`
 * (true when the policy says "true").
 *
 * Deliberately different: a condition operator not listed above (none is known to exist today, but AWS
 * adds some) makes its statement not match, in the emulator - an Allow then grants nothing and a Deny
 * denies nothing, where AWS would decide. `explainPolicy` reports such a case as `undecidable` instead
 * (svl doctor says "not checked" rather than guessing).
 */
import { BlockList, isIP } from 'node:net';

export interface RequestContext {
  principal: { service?: string; aws?: string };
  action: string;
  resource: string;
  keys: Record<string, string | undefined>;
}

export type Decision = 'allow' | 'deny' | 'implicit-deny';

type Json = unknown;
const asList = (v: Json): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const patterns = new Map<string, RegExp>();

/** `*` and `?` wildcards; compiled patterns are cached (policies are evaluated on every delivery). */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = patterns.get(key);
  if (!re) {
    re = new RegExp(
      '^' + pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('') + '$',
      caseInsensitive ? 'is' : 's',
    );
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(key, re);
  }
  return re.test(value);
}

function principalMatches(p: Json, ctx: RequestContext): boolean {
  if (p === '*') return true;
  if (!p || typeof p !== 'object') return false;
  const obj = p as Record<string, Json>;
  for (const s of asList(obj.Service)) if (typeof s === 'string' && ctx.principal.service && s === ctx.principal.service) return true;
  for (const a of asList(obj.AWS)) {
    if (a === '*') return true;
    if (typeof a === 'string' && ctx.principal.aws && (a === ctx.principal.aws || a === `arn:aws:iam::${ctx.principal.aws}:root`)) return true;
  }
  return false;
}

function actionMatches(statement: Record<string, Json>, action: string): boolean {
  if (statement.Action !== undefined) return asList(statement.Action).some((a) => typeof a === 'string' && wildcardMatch(a, action, true));
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((a) => typeof a === 'string' && wildcardMatch(a, action, true));
  return false;
}

function resourceMatches(statement: Record<string, Json>, resource: string): boolean {
  if (statement.Resource !== undefined) return asList(statement.Resource).some((r) => typeof r === 'string' && wildcardMatch(r, resource));
  if (statement.NotResource !== undefined) return !asList(statement.NotResource).some((r) => typeof r === 'string' && wildcardMatch(r, resource));
  // SQS queue policies may omit Resource; the queue itself is the resource.
  return true;
}

type Op = (actual: string, expected: string) => boolean;

const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
/** A policy date: ISO 8601 or epoch seconds; NaN when neither. */
const date = (s: string) => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s));
const cmpWith = (parse: (s: string) => number, f: (a: number, b: number) => boolean): Op => (a, e) => {
  const x = parse(a);
  const y = parse(e);
  return !Number.isNaN(x) && !Number.isNaN(y) && f(x, y);
};

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits] = cidr.split('/');
  const family = isIP(base);
  if (!family || isIP(ip) !== family) return false;
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  const list = new BlockList();
  try {
    list.addSubnet(base, prefix, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false;
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** Positive operators; each `...Not...` form below is "matches none of the values". */
const OPS: Record<string, Op> = {
  StringEquals: (a, e) => a === e,
  StringEqualsIgnoreCase: (a, e) => a.toLowerCase() === e.toLowerCase(),
  StringLike: (a, e) => wildcardMatch(e, a),
  // AWS matches ArnEquals and ArnLike the same way: wildcards allowed in every part.
  ArnEquals: (a, e) => wildcardMatch(e, a),
  ArnLike: (a, e) => wildcardMatch(e, a),
  NumericEquals: cmpWith(num, (x, y) => x === y),
  NumericLessThan: cmpWith(num, (x, y) => x < y),
  NumericLessThanEquals: cmpWith(num, (x, y) => x <= y),
  NumericGreaterThan: cmpWith(num, (x, y) => x > y),
  NumericGreaterThanEquals: cmpWith(num, (x, y) => x >= y),
  DateEquals: cmpWith(date, (x, y) => x === y),
  DateLessThan: cmpWith(date, (x, y) => x < y),
  DateLessThanEquals: cmpWith(date, (x, y) => x <= y),
  DateGreaterThan: cmpWith(date, (x, y) => x > y),
  DateGreaterThanEquals: cmpWith(date, (x, y) => x >= y),
  Bool: (a, e) => a.toLowerCase() === e.toLowerCase(),
  BinaryEquals: (a, e) => a === e,
  IpAddress: (a, e) => inCidr(a, e),
};
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
};

/** A statement's Condition: it matches, it does not, or it uses an operator this evaluator does not know. */
type ConditionResult = { match: true } | { match: false; unsupported?: string };

function conditionsMatch(cond: Json, keys: RequestContext['keys']): ConditionResult {
  if (cond === undefined) return { match: true };
  if (!cond || typeof cond !== 'object') return { match: false };
  let unsupported: string | undefined;
  for (const [rawOp, block] of Object.entries(cond as Record<string, Json>)) {
    const set = /^(ForAnyValue|ForAllValues):/.exec(rawOp)?.[1];
    let op = set ? rawOp.slice(set.length + 1) : rawOp;
    const ifExists = op !== 'Null' && op.endsWith('IfExists');
    if (ifExists) op = op.slice(0, -'IfExists'.length);
    const negatedOf = NEGATED[op];
    const positive = OPS[negatedOf ?? op];
    if (op !== 'Null' && !positive) {
      unsupported ??= rawOp;
      continue;
    }
    if (!block || typeof block !== 'object') return { match: false };
    for (const [rawKey, expected] of Object.entries(block as Record<string, Json>)) {
      const key = Object.keys(keys).find((k) => k.toLowerCase() === rawKey.toLowerCase());
      const actual = key ? keys[key] : undefined;
      const values = asList(expected).map(String);
      if (op === 'Null') {
        // {"Null": {"k": "true"}} holds when k is absent from the request, "false" when it is present.
        if (!values.some((v) => (v.toLowerCase() === 'true') === (actual === undefined))) return { match: false };
        continue;
      }
      if (actual === undefined) {
        // AWS: an absent key fails the condition, except IfExists, negated operators and ForAllValues (vacuously true).
        if (set === 'ForAnyValue') return { match: false };
        if (ifExists || negatedOf || set === 'ForAllValues') continue;
        return { match: false };
      }
      const any = values.some((v) => positive!(actual, v));
      if (negatedOf ? any : !any) return { match: false };
    }
  }
  return unsupported ? { match: false, unsupported } : { match: true };
}

const parsed = new Map<string, Json>();

/** Parsed policy documents, cached by their text; undefined when the text is not JSON. */
function parsePolicy(text: string): Json {
  if (parsed.has(text)) return parsed.get(text);
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (parsed.size > 1000) parsed.clear();
  parsed.set(text, doc);
  return doc;
}

export function evaluatePolicy(policyJson: string | undefined, ctx: RequestContext): Decision {
  if (!policyJson) return 'implicit-deny';
  const doc = parsePolicy(policyJson);
  if (doc === undefined) return 'implicit-deny';
  return evaluatePolicyDocument(doc, ctx);
}

/** Like `evaluatePolicy`, for a policy document that is already parsed (a JSON value). */
export function evaluatePolicyDocument(doc: Json, ctx: RequestContext): Decision {
  return explainPolicyDocument(doc, ctx).decision;
}

/**
 * The decision with what could not be evaluated: `undecidable` when a statement whose principal, action and
 * resource match uses a condition operator this evaluator does not know, and the outcome depends on it (an
 * Allow that would grant, a Deny that would override a grant). `evaluatePolicy` treats such a statement as
 * not matching (see the header).
 */
export function explainPolicy(policyJson: string | undefined, ctx: RequestContext): { decision: Decision | 'undecidable'; unsupported?: string } {
  if (!policyJson) return { decision: 'implicit-deny' };
  const doc = parsePolicy(policyJson);
  if (doc === undefined) return { decision: 'implicit-deny' };
  const r = explainPolicyDocument(doc, ctx);
  if (r.decision === 'allow' && r.unsupportedDeny) return { decision: 'undecidable', unsupported: r.unsupportedDeny };
  if (r.decision === 'implicit-deny' && r.unsupportedAllow) return { decision: 'undecidable', unsupported: r.unsupportedAllow };
  return { decision: r.decision };
}

function explainPolicyDocument(doc: Json, ctx: RequestContext): { decision: Decision; unsupportedAllow?: string; unsupportedDeny?: string } {
  const statements = asList((doc as Record<string, Json>)?.Statement) as Record<string, Json>[];
  let allowed = false;
  let unsupportedAllow: string | undefined;
  let unsupportedDeny: string | undefined;
  for (const s of statements) {
    if (!s || typeof s !== 'object') continue;
    const principalOk = s.Principal !== undefined ? principalMatches(s.Principal, ctx) : s.NotPrincipal !== undefined ? !principalMatches(s.NotPrincipal, ctx) : false;
    if (!principalOk || !actionMatches(s, ctx.action) || !resourceMatches(s, ctx.resource)) continue;
    const c = conditionsMatch(s.Condition, ctx.keys);
    if (!c.match) {
      if (c.unsupported && s.Effect === 'Deny') unsupportedDeny ??= c.unsupported;
      if (c.unsupported && s.Effect === 'Allow') unsupportedAllow ??= c.unsupported;
      continue;
    }
    if (s.Effect === 'Deny') return { decision: 'deny' };
    if (s.Effect === 'Allow') allowed = true;
  }
  return { decision: allowed ? 'allow' : 'implicit-deny', unsupportedAllow, unsupportedDeny };
}
