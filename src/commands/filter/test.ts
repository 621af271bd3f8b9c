/** The work of `svl filter test` / `svl filter lint`: the same evaluator as the emulator's delivery. */
import type { Target } from '../../aws/target.js';
import { SvlError, UsageError } from '../../errors.js';
import { AwsError } from '../../domain/aws-error.js';
import { explainFilterPolicy, type FilterFailure } from '../../domain/filter-policy.js';
import { compileFilterPolicy, type FilterPolicyScope } from '../../domain/filter-policy-validate.js';
import type { Ui } from '../../ui/index.js';
import { parseAttrs, readValue, type MessageAttributeArg } from '../input.js';
import type { FilterTestFlags } from './index.js';

export interface FilterTestOptions {
  policy?: string;
  scope: FilterPolicyScope;
  message: string;
  attributes: Record<string, MessageAttributeArg>;
  topic?: string;
}

export interface PolicyVerdict {
  matches: boolean;
  failures: FilterFailure[];
}

export interface FilterTestResult {
  scope?: FilterPolicyScope;
  matches?: boolean;
  failures?: FilterFailure[];
  topic?: string;
  subscriptions?: Array<{ subscriptionArn: string; protocol: string; endpoint: string; filterPolicy: string | null; scope: FilterPolicyScope } & PolicyVerdict>;
}

export function parseFilterTest(f: FilterTestFlags): FilterTestOptions {
  if (f.policy === undefined && f.topic === undefined) throw new UsageError('Give a policy (--policy) or a topic (--topic) to test against.', { hint: 'e.g. svl filter test --policy \'{"type":["invoice"]}\' \'{"type":"invoice"}\'' });
  if (f.policy !== undefined && f.topic !== undefined) throw new UsageError('--policy and --topic exclude each other: --topic uses the policies of its subscriptions.', { hint: 'keep one of them' });
  return {
    policy: f.policy !== undefined ? readValue(f.policy, '--policy') : undefined,
    scope: f.scope,
    message: readValue(f.message, '--message'),
    attributes: parseAttrs(f.attr),
    topic: f.topic,
  };
}

/** Compiles a policy, turning AWS's validation error into a usage error with AWS's text. */
function compile(policy: string, scope: FilterPolicyScope) {
  try {
    return compileFilterPolicy(policy, scope);
  } catch (err) {
    if (err instanceof AwsError) throw new UsageError(err.message, { code: err.code, hint: 'Check the policy with `svl filter lint --policy ...`.' });
    throw err;
  }
}

export async function runFilterTest(o: FilterTestOptions, target: Target | undefined, ui: Ui): Promise<FilterTestResult> {
  const message = { body: o.message, attributes: o.attributes };
  if (o.policy !== undefined) {
    const verdict = explainFilterPolicy(compile(o.policy, o.scope), o.scope, message);
    return { scope: o.scope, matches: verdict.matches, failures: verdict.failures };
  }
  const { getSns } = await import('../../aws/clients.js');
  const sns = await getSns(target!, ui);
  const [{ snsSdk }, { findTopicArn, topicSubscriptions }, { mapLimit }] = await Promise.all([
    import('../../aws/sdk.js'),
    import('../../aws/locate.js'),
    import('../../aws/pool.js'),
  ]);
  const { GetSubscriptionAttributesCommand } = snsSdk();
  const topicArn = o.topic!.startsWith('arn:') ? o.topic! : await findTopicArn(sns, o.topic!);
  if (!topicArn) {
    throw new SvlError(`Topic "${o.topic}" does not exist.`, 1, { code: 'NotFound', hint: 'List topics with `svl status`, or pass the topic ARN.' });
  }
  // Pending subscriptions are left out: they receive nothing. Attributes are read 8 at a time, then
  // judged in the listing's order.
  const listed = await topicSubscriptions(sns, topicArn);
  const attributes = await mapLimit(listed, 8, async (s) => (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }))).Attributes ?? {});
  const subscriptions = listed.map((s, i) => {
    const a = attributes[i]!;
    const scope = (a.FilterPolicyScope as FilterPolicyScope | undefined) ?? 'MessageAttributes';
    const policy = a.FilterPolicy ?? null;
    const verdict = policy ? explainFilterPolicy(compile(policy, scope), scope, message) : { matches: true, failures: [] };
    return { subscriptionArn: s.SubscriptionArn, protocol: s.Protocol ?? '', endpoint: s.Endpoint ?? '', filterPolicy: policy, scope, ...verdict };
  });
  return { topic: topicArn, subscriptions };
}


export function renderFilterTest(r: FilterTestResult, ui: Ui): string {
  const s = ui.style;
  const reasons = (f: FilterFailure[]) => f.map((x) => `    ${s.dim(x.key)}: ${x.reason}`).join('\n');
  if (r.subscriptions) {
    if (r.subscriptions.length === 0) return `No confirmed subscriptions on ${r.topic}.`;
    const lines = r.subscriptions.map((x) => {
      const head = `${x.matches ? s.green('✔ receives') : s.red('✘ filtered')}  ${x.protocol}:${x.endpoint}${x.filterPolicy ? '' : s.dim(' (no filter policy)')}`;
      return x.matches || x.failures.length === 0 ? head : `${head}\n${reasons(x.failures)}`;
    });
    const n = r.subscriptions.filter((x) => x.matches).length;
    return `${lines.join('\n')}\n${n} of ${r.subscriptions.length} subscription(s) would receive this message.`;
  }
  if (r.matches) return s.green('✔ The message matches the policy.');
  return `${s.red('✘ The message does not match the policy.')}\n${reasons(r.failures ?? [])}`;
}

export function runFilterLint(policyArg: string, scope: FilterPolicyScope): { valid: true; scope: FilterPolicyScope; keys: number; branches: number } {
  const compiled = compile(readValue(policyArg, '--policy'), scope);
  const branches = compiled.branches ?? [];
  const keys = branches.reduce((m, b) => Math.max(m, (b as unknown as Map<string, unknown>).size ?? 0), 0);
  return { valid: true, scope, keys, branches: branches.length };
}
