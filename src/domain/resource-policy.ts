/**
 * A small evaluator of resource policies (SQS queue policies), enough to decide what AWS decides for
 * "may SNS topic X send to this queue": explicit Deny wins, then an Allow must match principal, action,
 * resource and every condition; no matching Allow means denied (there is no implicit allow for a
 * service principal, which is why fan-outs without a queue policy silently lose messages on AWS).
 *
 * Supported: Principal `*`, {AWS: "*"|arn|account}, {Service: name}; Action/NotAction with `*`/`?`
 * wildcards (case-insensitive); Resource/NotResource; condition operators StringEquals, StringLike,
 * StringNotEquals, StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike (and their
 * `IfExists` forms, and `ForAnyValue:`/`ForAllValues:` on single-valued keys), on the context keys
 * given by the caller (aws:SourceArn, aws:SourceAccount, aws:SourceOwner).
 */
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

function conditionsMatch(cond: Json, keys: RequestContext['keys']): boolean {
  if (cond === undefined) return true;
  if (!cond || typeof cond !== 'object') return false;
  for (const [rawOp, block] of Object.entries(cond as Record<string, Json>)) {
    let op = rawOp.replace(/^(ForAnyValue|ForAllValues):/, '');
    const ifExists = op.endsWith('IfExists');
    if (ifExists) op = op.slice(0, -'IfExists'.length);
    if (!block || typeof block !== 'object') return false;
    for (const [rawKey, expected] of Object.entries(block as Record<string, Json>)) {
      const key = Object.keys(keys).find((k) => k.toLowerCase() === rawKey.toLowerCase());
      const actual = key ? keys[key] : undefined;
      if (actual === undefined) {
        if (ifExists || /Not/.test(op)) continue;
        return false;
      }
      const values = asList(expected).map(String);
      let ok: boolean;
      switch (op) {
        case 'StringEquals':
        case 'ArnEquals':
          ok = values.some((v) => v === actual);
          break;
        case 'StringEqualsIgnoreCase':
          ok = values.some((v) => v.toLowerCase() === actual.toLowerCase());
          break;
        case 'StringLike':
        case 'ArnLike':
          ok = values.some((v) => wildcardMatch(v, actual));
          break;
        case 'StringNotEquals':
        case 'ArnNotEquals':
          ok = !values.some((v) => v === actual);
          break;
        case 'StringNotLike':
        case 'ArnNotLike':
          ok = !values.some((v) => wildcardMatch(v, actual));
          break;
        default:
          return false; // an operator we cannot evaluate never grants access
      }
      if (!ok) return false;
    }
  }
  return true;
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
  const statements = asList((doc as Record<string, Json>)?.Statement) as Record<string, Json>[];
  let allowed = false;
  for (const s of statements) {
    if (!s || typeof s !== 'object') continue;
    const principalOk = s.Principal !== undefined ? principalMatches(s.Principal, ctx) : s.NotPrincipal !== undefined ? !principalMatches(s.NotPrincipal, ctx) : false;
    if (!principalOk || !actionMatches(s, ctx.action) || !resourceMatches(s, ctx.resource) || !conditionsMatch(s.Condition, ctx.keys)) continue;
    if (s.Effect === 'Deny') return 'deny';
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
