/**
 * Every doctor check, run over one flow's model: findings sorted errors first, then by id and title, and
 * the checks that could not run. Pure. Also the fix plan: the `--fix` actions of a list of findings,
 * merged so that one queue or topic gets one policy with every added statement.
 */
import { checkBuckets } from './buckets.js';
import { fixValue } from './fix-refresh.js';
import { checkJournal, checkLambda } from './lambda.js';
import { SEVERITY_ORDER, withStatement, type CheckResult, type DoctorModel, type Finding, type FixAction, type NotChecked, type PolicyStatement } from './model.js';
import { checkQueues } from './queues.js';
import { checkSubscriptions } from './subscriptions.js';

export * from './model.js';

const CHECKS: Array<(m: DoctorModel) => CheckResult> = [checkSubscriptions, checkQueues, checkBuckets, checkLambda, checkJournal];

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function runChecks(m: DoctorModel): CheckResult {
  const findings: Finding[] = [];
  const notChecked: NotChecked[] = [];
  for (const check of CHECKS) {
    const r = check(m);
    findings.push(...r.findings);
    notChecked.push(...r.notChecked);
  }
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${f.id}|${f.title}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || cmp(a.id, b.id) || cmp(a.title, b.title));
  const nc = new Map(notChecked.map((n) => [`${n.check}|${n.resources.map((r) => r.name).join(',')}`, n]));
  return { findings: unique, notChecked: [...nc.values()] };
}

/** Two findings' attributes for one queue: a VisibilityTimeout or MessageRetentionPeriod keeps the larger value. */
function mergeAttributes(into: Record<string, string>, add: Record<string, string>): void {
  for (const [k, v] of Object.entries(add)) into[k] = fixValue(k, into[k], v);
}

/**
 * One change `--fix` makes: a resource and the calls that converge it. `attributes`/`policy` are the
 * result on the state discovery read (what the plan shows); `statements` and `was` let fix-apply.ts
 * recompute it on the state read again just before writing (fix-refresh.ts).
 */
export type FixStep =
  | { kind: 'sqs-set-attributes'; queue: string; queueUrl: string; queueArn?: string; attributes: Record<string, string>; statements: PolicyStatement[]; was: Record<string, string | null>; findings: string[] }
  | { kind: 'sns-set-policy'; topic: string; topicArn: string; policy: string; statements: PolicyStatement[]; findings: string[] }
  | { kind: 'lambda-add-permission'; function: string; statementId: string; principal: string; sourceArn: string; sourceAccount?: string; findings: string[] };

/**
 * The fix steps of `findings` (only those with an action): attributes of one queue merged into one call,
 * policy statements added onto the current policy in one document per queue or topic.
 */
export function planFixes(findings: readonly Finding[]): FixStep[] {
  const queues = new Map<string, Extract<FixStep, { kind: 'sqs-set-attributes' }>>();
  const topics = new Map<string, Extract<FixStep, { kind: 'sns-set-policy' }>>();
  const others: FixStep[] = [];
  const keys = new Set<string>();
  for (const f of findings) {
    const a: FixAction | undefined = f.fix.action;
    if (!a) continue;
    const label = findingLabel(f);
    if (a.kind === 'sqs-set-attributes' || a.kind === 'sqs-add-policy-statement') {
      const step = queues.get(a.queueUrl) ?? { kind: 'sqs-set-attributes', queue: a.queue, queueUrl: a.queueUrl, attributes: {}, statements: [], was: {}, findings: [] };
      queues.set(a.queueUrl, step);
      if (a.kind === 'sqs-set-attributes') {
        mergeAttributes(step.attributes, a.attributes);
        Object.assign(step.was, a.was);
      } else {
        step.attributes.Policy = withStatement(step.attributes.Policy ?? a.policy, a.queueArn, a.statement);
        step.queueArn = a.queueArn;
        step.statements.push(a.statement);
      }
      step.findings.push(label);
    } else if (a.kind === 'sns-add-policy-statement') {
      const step = topics.get(a.topicArn) ?? { kind: 'sns-set-policy', topic: a.topic, topicArn: a.topicArn, policy: a.policy ?? '', statements: [], findings: [] };
      topics.set(a.topicArn, step);
      step.policy = withStatement(step.policy || a.policy, a.topicArn, a.statement);
      step.statements.push(a.statement);
      step.findings.push(label);
    } else {
      const key = `p|${a.function}|${a.statementId}`;
      if (keys.has(key)) continue;
      keys.add(key);
      others.push({ ...a, findings: [label] });
    }
  }
  return [...queues.values(), ...topics.values(), ...others];
}

/** How a fix step names the findings it addresses (`FixStep.findings`). */
export const findingLabel = (f: Pick<Finding, 'id' | 'title'>): string => `${f.id}: ${f.title}`;

export const fixStepTitle = (s: FixStep): string => {
  switch (s.kind) {
    case 'sqs-set-attributes':
      return `queue ${s.queue}: set ${Object.keys(s.attributes).sort().join(', ')}`;
    case 'sns-set-policy':
      return `topic ${s.topic}: set Policy`;
    case 'lambda-add-permission':
      return `λ ${s.function}: add permission for ${s.principal} from ${s.sourceArn.split(':').slice(5).join(':') || s.sourceArn}`;
  }
};

export const countBySeverity = (findings: readonly Finding[]) => ({
  errors: findings.filter((f) => f.severity === 'error').length,
  warnings: findings.filter((f) => f.severity === 'warning').length,
  notes: findings.filter((f) => f.severity === 'note').length,
});
