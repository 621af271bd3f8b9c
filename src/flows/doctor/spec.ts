/**
 * `svl apply`/`svl plan` run the doctor's checks on the flow a spec describes, before creating it: the
 * spec becomes the model the checks read (the attributes plan.ts would set, the consumers' mappings and
 * function timeouts as the spec or the account knows them), so a spec is warned about exactly what
 * `svl doctor` would find once it exists. Pure.
 *
 * Deliberately left out: notes (advice such as a subscription DLQ - `subscriptionDlq` in the spec - would
 * be noise on every apply; `svl doctor` reports them) and the checks that need a live account (journal,
 * permissions, existing functions' configs).
 */
import type { ConsumerInfo, QueueInfo, SubscriptionInfo } from '../../aws/inventory-model.js';
import { parseRedrivePolicy } from '../../aws/inventory-model.js';
import type { FlowSpec } from '../spec.js';
import { desiredDlqAttributes, desiredQueueAttributes, desiredSubscriptionDlqAttributes, queueArnOf, topicArnOf, type PlanContext } from '../plan.js';
import { runChecks, type DoctorFunction, type DoctorModel, type Finding } from './index.js';

const functionArn = (fn: string, c: Pick<PlanContext, 'region' | 'account'>) => `arn:aws:lambda:${c.region}:${c.account}:function:${fn}`;

/** The doctor model of the flow `spec` would create; `timeouts` are the existing functions' (observe.ts). */
export function specModel(spec: FlowSpec, c: PlanContext, timeouts: ReadonlyMap<string, number> = new Map()): DoctorModel {
  const topicArn = topicArnOf(spec, c);
  const queues: QueueInfo[] = [];
  const subscriptions: SubscriptionInfo[] = [];
  const consumers: ConsumerInfo[] = [];
  const functions = new Map<string, DoctorFunction>();
  const queue = (name: string, attributes: Record<string, string>, deadLetterSources: string[]): QueueInfo => ({
    name,
    url: name,
    arn: queueArnOf(name, c),
    fifo: spec.topic.fifo,
    flow: spec.name,
    tags: {},
    depth: { visible: 0, inFlight: 0, delayed: 0 },
    oldestMessageAgeSeconds: null,
    redrive: parseRedrivePolicy(attributes.RedrivePolicy),
    policy: attributes.Policy ?? null,
    deadLetterSources,
    attributes,
  });
  for (const q of spec.queues) {
    const arn = queueArnOf(q.name, c);
    queues.push(queue(q.name, desiredQueueAttributes(spec, q, c), []));
    if (q.dlq) queues.push(queue(q.dlq.name, desiredDlqAttributes(spec, q, c), [arn]));
    if (q.subscriptionDlq) queues.push(queue(q.subscriptionDlq.name, desiredSubscriptionDlqAttributes(spec, q, c), [`${topicArn}:spec`]));
    subscriptions.push({
      arn: `${topicArn}:spec`,
      topicArn,
      protocol: 'sqs',
      endpoint: arn,
      confirmed: true,
      filterPolicy: null,
      filterPolicyScope: q.filterPolicyScope,
      filter: null,
      rawMessageDelivery: q.rawDelivery,
      deadLetterTargetArn: q.subscriptionDlq ? queueArnOf(q.subscriptionDlq.name, c) : null,
    });
    if (q.consumer) {
      const fn = q.consumer.function;
      consumers.push({
        uuid: `${q.name} -> ${fn}`,
        functionArn: functionArn(fn, c),
        functionName: fn,
        eventSourceArn: arn,
        state: 'Enabled',
        batchSize: q.consumer.batchSize,
        batchingWindowSeconds: q.consumer.batchingWindowSeconds,
        functionResponseTypes: q.consumer.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      });
      const timeout = q.consumer.timeout ?? timeouts.get(fn);
      functions.set(fn, { name: fn, arn: functionArn(fn, c), ...(timeout !== undefined && { timeout }), unreadable: {} });
    }
  }
  return {
    flow: spec.name,
    target: { kind: c.kind, region: c.region, account: c.account },
    inventory: { topics: [{ name: spec.topic.name, arn: topicArn, fifo: spec.topic.fifo, contentBasedDeduplication: spec.topic.contentBasedDeduplication, flow: spec.name, tags: {} }], subscriptions, queues, consumers, lambda: null },
    known: { queues: new Set(queues.map((q) => q.arn)), topics: new Set([topicArn]) },
    functions,
    apis: [],
    journal: null,
  };
}

/** The errors and warnings `svl doctor` would report on the flow `spec` describes. */
export function specFindings(spec: FlowSpec, c: PlanContext, timeouts?: ReadonlyMap<string, number>): Finding[] {
  return runChecks(specModel(spec, c, timeouts)).findings.filter((f) => f.severity !== 'note');
}

/** One warning line per finding, naming the check so `svl doctor` output and apply's read alike. */
export const specWarnings = (spec: FlowSpec, c: PlanContext, timeouts?: ReadonlyMap<string, number>): string[] =>
  specFindings(spec, c, timeouts).map((f) => `${f.title} [${f.id}]: ${f.why} Fix in the spec: ${f.fix.summary}.`);
