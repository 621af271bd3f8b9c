/**
 * REQUEST Lambda authorizers for HTTP APIs (http-api-lambda-authorizer.html): identity sources, the
 * result cache and how the authorizer's answer is read. Pure apart from the Clock the cache reads.
 *
 * - Identity sources (`$request.header.X` case-insensitive, `$request.querystring.x`, `$context.x`,
 *   `$stageVariables.x`): one missing or empty → 401 without invoking the authorizer.
 * - Answers: with simple responses `{isAuthorized, context}`; otherwise (and always for format 1.0) an
 *   IAM policy `{principalId, policyDocument, context}` evaluated for `execute-api:Invoke` on the routeArn.
 *   Anything else is malformed (500). `context` is kept as returned (arrays and maps included).
 * - Cache: the answer, by authorizer and identity-source values, for authorizerResultTtlInSeconds (0
 *   disables; no identity sources, no caching), on the emulator Clock; a cached policy is evaluated again
 *   for each route.
 *
 * Deliberately not here: JWT authorizers, invoking the function (invoke.ts), identityValidationExpression.
 */
import type { Clock } from '../clock.js';
import { evaluatePolicyDocument } from '../iam/policy.js';
import type { Json } from './event.js';

export interface IdentityLookup {
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  context(name: string): string | undefined;
  stageVariable(name: string): string | undefined;
}

/** The identity-source values in order, or undefined when one is missing (API Gateway answers 401). */
export function identityValues(sources: readonly string[], lookup: IdentityLookup): string[] | undefined {
  const out: string[] = [];
  for (const source of sources) {
    let v: string | undefined;
    let m: RegExpExecArray | null;
    if ((m = /^\$request\.header\.(.+)$/i.exec(source))) v = lookup.header(m[1]!.toLowerCase());
    else if ((m = /^\$request\.querystring\.(.+)$/i.exec(source))) v = lookup.query(m[1]!);
    else if ((m = /^\$context\.(.+)$/.exec(source))) v = lookup.context(m[1]!);
    else if ((m = /^\$stageVariables\.(.+)$/.exec(source))) v = lookup.stageVariable(m[1]!);
    if (v === undefined || v === '') return undefined;
    out.push(v);
  }
  return out;
}

export type AuthorizerDecision = { allow: true; context?: Json; principalId?: string } | { allow: false };

/** Reads the authorizer's result JSON; `error` when it is not a response API Gateway accepts. */
export function readAuthorizerResult(payload: string, opts: { simple: boolean; routeArn: string }): AuthorizerDecision | { error: string } {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return { error: 'The authorizer returned a response that is not valid JSON.' };
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return { error: 'The authorizer response is not a JSON object.' };
  const r = result as Record<string, Json>;
  const context = r.context === undefined || r.context === null ? undefined : r.context;
  if (context !== undefined && (typeof context !== 'object' || Array.isArray(context))) return { error: 'The authorizer response field "context" must be a map.' };
  if (opts.simple) {
    if (typeof r.isAuthorized !== 'boolean') return { error: 'The authorizer response must contain a boolean "isAuthorized" (simple responses are enabled).' };
    return r.isAuthorized ? { allow: true, context } : { allow: false };
  }
  const doc = r.policyDocument;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { error: 'The authorizer response must contain a "policyDocument" (simple responses are not enabled).' };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  // Authorizer policies name no Principal: they apply to the caller being authorized.
  const withPrincipal = { ...doc, Statement: statements.map((s) => (typeof s === 'object' && s !== null && !Array.isArray(s) ? { Principal: '*', ...s } : s)) };
  const decision = evaluatePolicyDocument(withPrincipal, { principal: { service: 'execute-api.amazonaws.com' }, action: 'execute-api:Invoke', resource: opts.routeArn, keys: {} });
  if (decision !== 'allow') return { allow: false };
  return { allow: true, context, principalId: typeof r.principalId === 'string' ? r.principalId : undefined };
}

/**
 * Authorizer answers (the function's raw result) by authorizer and identity values, each kept for its TTL.
 * The answer, not the decision, is kept: a cached IAM policy is evaluated again for the route at hand.
 */
export class AuthorizerCache {
  private readonly entries = new Map<string, { until: number; result: string }>();

  constructor(private readonly clock: Clock) {}

  private key(scope: string, identity: readonly string[]): string {
    return JSON.stringify([scope, ...identity]);
  }

  get(scope: string, identity: readonly string[]): string | undefined {
    const k = this.key(scope, identity);
    const hit = this.entries.get(k);
    if (!hit) return undefined;
    if (this.clock.now() >= hit.until) {
      this.entries.delete(k);
      return undefined;
    }
    return hit.result;
  }

  put(scope: string, identity: readonly string[], ttlSeconds: number, result: string): void {
    if (ttlSeconds <= 0 || identity.length === 0) return;
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(this.key(scope, identity), { until: this.clock.now() + ttlSeconds * 1000, result });
  }
}
