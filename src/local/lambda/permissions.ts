/**
 * The function's resource-based policy: AddPermission, RemovePermission, GetPolicy. Statements are
 * written as AWS writes them (Principal {Service}/{AWS}/"*", Condition ArnLike AWS:SourceArn,
 * StringEquals AWS:SourceAccount), and evaluated (../iam/policy.ts) when SNS invokes a function.
 */
import { evaluatePolicyDocument } from '../iam/policy.js';
import * as E from './errors.js';
import type { LambdaHandler, LambdaService } from './service.js';
import { newRevisionId, optString, reqString, type LambdaFunction, type PolicyStatement } from './model.js';

export function permissionOperations(svc: LambdaService): Record<string, LambdaHandler> {
  return {
    AddPermission(input) {
      const fn = svc.requireFunction(input.FunctionName, input.Qualifier);
      const sid = reqString(input, 'StatementId', 'statementId');
      if (!/^([a-zA-Z0-9-_.]+)$/.test(sid) || sid.length > 100) throw E.constraint(sid, 'statementId', 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)');
      const action = reqString(input, 'Action', 'action');
      if (!/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(action)) throw E.constraint(action, 'action', 'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])');
      const principal = reqString(input, 'Principal', 'principal');
      if (!/^[^\s]+$/.test(principal)) throw E.constraint(principal, 'principal', 'Member must satisfy regular expression pattern: [^\\s]+');
      const sourceArn = optString(input, 'SourceArn');
      const sourceAccount = optString(input, 'SourceAccount');
      if (sourceAccount !== undefined && !/^\d{12}$/.test(sourceAccount)) throw E.constraint(sourceAccount, 'sourceAccount', 'Member must satisfy regular expression pattern: \\d{12}');
      const rev = optString(input, 'RevisionId');
      if (rev !== undefined && rev !== fn.revisionId) {
        throw E.preconditionFailed('The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id');
      }
      const statements = fn.policy?.Statement ?? [];
      if (statements.some((s) => s.Sid === sid)) {
        throw E.resourceConflict(`The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
      }
      const statement: PolicyStatement = {
        Sid: sid,
        Effect: 'Allow',
        Principal: principalOf(principal),
        Action: action,
        Resource: fn.arn,
      };
      const condition: Record<string, Record<string, string>> = {};
      if (sourceAccount) condition.StringEquals = { 'AWS:SourceAccount': sourceAccount };
      if (sourceArn) condition.ArnLike = { 'AWS:SourceArn': sourceArn };
      if (Object.keys(condition).length) statement.Condition = condition;
      save(svc, fn, [...statements, statement]);
      return { Statement: JSON.stringify(statement) };
    },

    RemovePermission(input) {
      const fn = svc.requireFunction(input.FunctionName, input.Qualifier);
      const sid = reqString(input, 'StatementId', 'statementId');
      const rev = optString(input, 'RevisionId');
      if (rev !== undefined && rev !== fn.revisionId) {
        throw E.preconditionFailed('The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id');
      }
      const statements = fn.policy?.Statement ?? [];
      if (!statements.some((s) => s.Sid === sid)) throw E.resourceNotFound(`Statement ${sid} is not found in resource policy.`);
      save(svc, fn, statements.filter((s) => s.Sid !== sid));
      return {};
    },

    GetPolicy(input) {
      const fn = svc.requireFunction(input.FunctionName, input.Qualifier);
      if (!fn.policy || fn.policy.Statement.length === 0) throw E.resourceNotFound('The resource you requested does not exist.');
      return { Policy: JSON.stringify(fn.policy), RevisionId: fn.revisionId };
    },
  };
}

function principalOf(p: string): PolicyStatement['Principal'] {
  if (p === '*') return '*';
  if (/^\d{12}$/.test(p)) return { AWS: `arn:aws:iam::${p}:root` };
  if (p.startsWith('arn:')) return { AWS: p };
  return { Service: p };
}

function save(svc: LambdaService, fn: LambdaFunction, statements: PolicyStatement[]): void {
  svc.store.save({ ...fn, revisionId: newRevisionId(), policy: statements.length ? { Version: '2012-10-17', Id: 'default', Statement: statements } : undefined });
}

/**
 * Decisions per policy document, by service, source ARN and function: a policy is replaced (a new object)
 * whenever a permission changes, never edited in place, so a decision holds as long as its document does.
 * Bounded: a document's decisions are dropped past DECISIONS_KEPT.
 */
const decisions = new WeakMap<object, Map<string, boolean>>();
const DECISIONS_KEPT = 1000;

/** May `service` (e.g. sns.amazonaws.com) invoke the function on behalf of `sourceArn`? */
export function serviceMayInvoke(svc: LambdaService, fn: LambdaFunction, service: string, sourceArn: string): boolean {
  if (!fn.policy) return false;
  let known = decisions.get(fn.policy);
  if (!known) decisions.set(fn.policy, (known = new Map()));
  const key = `${service} ${sourceArn} ${svc.account} ${fn.arn}`;
  let allowed = known.get(key);
  if (allowed === undefined) {
    allowed =
      evaluatePolicyDocument(fn.policy, {
        principal: { service },
        action: 'lambda:InvokeFunction',
        resource: fn.arn,
        keys: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': svc.account },
      }) === 'allow';
    if (known.size >= DECISIONS_KEPT) known.clear();
    known.set(key, allowed);
  }
  return allowed;
}
