/**
 * Doctor checks of queues and their dead-letter queues: who may send to a queue (topics, buckets), the
 * visibility timeout against the Lambda consumer's timeout, DLQ retention, maxReceiveCount, a consumed
 * queue without a DLQ, a DLQ that is missing, of the other type, or refuses its source. Pure: a model in,
 * findings out. Not here: subscriptions (subscriptions.ts), functions (lambda.ts).
 */
import type { QueueInfo } from '../../aws/inventory-model.js';
import { explainPolicy } from '../../domain/resource-policy.js';
import {
  arnParts,
  seconds,
  setQueueAttributesCommand,
  sh,
  statementSid,
  withStatement,
  type CheckResult,
  type DoctorModel,
  type Finding,
  type NotChecked,
  type PolicyStatement,
  type ResourceRef,
} from './model.js';

/** AWS's advice for a queue read by Lambda: visibility >= 6 x the function timeout + the batching window. */
export const VISIBILITY_FACTOR = 6;
const MAX_VISIBILITY = 43_200;
const MAX_RETENTION = 1_209_600;
const SAFE_MAX_RECEIVE = 5;

const q = (x: QueueInfo): ResourceRef => ({ kind: 'queue', name: x.name, arn: x.arn });
const attr = (x: QueueInfo, k: string) => x.attributes?.[k];

/** The statement letting `service` (from `sourceArn`) send to a queue: what apply writes, by Sid. */
export function sendStatement(sid: string, service: string, queueArn: string, sourceArn: string, account?: string): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: service },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnLike: { 'aws:SourceArn': sourceArn }, ...(account && { StringEquals: { 'aws:SourceAccount': account } }) },
  };
}

/** Whether `service` from `sourceArn` may send to `queue` under its policy (AWS: no policy, no send). */
export function queueAdmits(queue: QueueInfo, service: string, sourceArn: string): ReturnType<typeof explainPolicy> {
  const account = arnParts(sourceArn).account || arnParts(queue.arn).account;
  return explainPolicy(queue.policy ?? undefined, {
    principal: { service },
    action: 'sqs:SendMessage',
    resource: queue.arn,
    keys: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': account, 'aws:SourceOwner': account },
  });
}

/**
 * A finding for a queue whose policy keeps a sender out; the fix adds one Allow statement (unless a Deny
 * wins). A policy whose answer depends on a condition operator svl cannot evaluate goes to `notChecked`.
 */
export function blockedSender(
  m: DoctorModel,
  o: { id: string; queue: QueueInfo; service: string; sourceArn: string; sender: ResourceRef; why: string; account?: string },
  notChecked: NotChecked[],
): Finding | undefined {
  const { decision, unsupported } = queueAdmits(o.queue, o.service, o.sourceArn);
  if (decision === 'allow') return undefined;
  if (decision === 'undecidable') {
    notChecked.push({ check: o.id, flow: m.flow, resources: [q(o.queue), o.sender], reason: undecidable(unsupported) });
    return undefined;
  }
  const statement = sendStatement(statementSid(o.sender.kind === 'bucket' ? 'AllowBucket' : 'AllowTopic', o.sender.name, o.sourceArn), o.service, o.queue.arn, o.sourceArn, o.account);
  const policy = withStatement(o.queue.policy, o.queue.arn, statement);
  const denied = decision === 'deny';
  return {
    id: o.id,
    severity: 'error',
    flow: m.flow,
    title: `queue ${o.queue.name} does not let ${o.sender.kind} ${o.sender.name} send to it${denied ? ' (an explicit Deny)' : ''}`,
    resources: [q(o.queue), o.sender],
    why: o.why,
    fix: denied
      ? { summary: `remove or narrow the Deny statement of ${o.queue.name}'s policy that matches ${o.service}`, command: `aws sqs get-queue-attributes --queue-url ${sh(o.queue.url)} --attribute-names Policy` }
      : {
          summary: `add a statement to ${o.queue.name}'s policy allowing ${o.service} to sqs:SendMessage from ${o.sender.name}`,
          command: setQueueAttributesCommand(o.queue.url, { Policy: policy }),
          action: { kind: 'sqs-add-policy-statement', queue: o.queue.name, queueUrl: o.queue.url, queueArn: o.queue.arn, policy: o.queue.policy, statement },
        },
  };
}

/** The not-checked reason of a policy svl cannot decide. */
export const undecidable = (op: string | undefined) => `the policy uses the condition operator ${op}, which svl cannot evaluate`;

export function checkQueues(m: DoctorModel): CheckResult {
  const findings: Finding[] = [];
  const inv = m.inventory;
  const byArn = new Map(inv.queues.map((x) => [x.arn, x]));

  const notChecked: NotChecked[] = [];
  for (const c of inv.consumers) {
    const queue = byArn.get(c.eventSourceArn);
    const fn = m.functions.get(c.functionName);
    if (queue && fn?.unreadable.configuration) {
      notChecked.push({ check: 'visibility-below-function-timeout', flow: m.flow, resources: [q(queue), { kind: 'function', name: fn.name }], reason: fn.unreadable.configuration });
    }
    if (!queue || fn?.timeout === undefined) continue;
    const visibility = seconds(attr(queue, 'VisibilityTimeout'));
    if (visibility === undefined) continue;
    const window = c.batchingWindowSeconds ?? 0;
    const advised = Math.min(MAX_VISIBILITY, VISIBILITY_FACTOR * fn.timeout + window);
    const fix = {
      summary: `raise VisibilityTimeout of ${queue.name} from ${visibility} to ${advised} seconds (${VISIBILITY_FACTOR} x the ${fn.timeout} s function timeout${window ? ` + the ${window} s batching window` : ''})`,
      command: setQueueAttributesCommand(queue.url, { VisibilityTimeout: String(advised) }),
      action: { kind: 'sqs-set-attributes' as const, queue: queue.name, queueUrl: queue.url, attributes: { VisibilityTimeout: String(advised) } },
    };
    const resources: ResourceRef[] = [q(queue), { kind: 'function', name: fn.name, arn: fn.arn }];
    if (visibility < fn.timeout) {
      findings.push({
        id: 'visibility-below-function-timeout',
        severity: 'error',
        flow: m.flow,
        title: `queue ${queue.name}'s visibility timeout (${visibility} s) is shorter than ${fn.name}'s timeout (${fn.timeout} s)`,
        resources,
        why: 'A message becomes visible again while the function still works on it, so it is processed twice (and AWS refuses to create new mappings on such a queue).',
        fix,
      });
    } else if (visibility < advised) {
      findings.push({
        id: 'visibility-below-six-times-timeout',
        severity: 'warning',
        flow: m.flow,
        title: `queue ${queue.name}'s visibility timeout (${visibility} s) is below AWS's advice of ${advised} s for ${fn.name}`,
        resources,
        why: 'Lambda retries throttled batches within the visibility timeout; a short one lets messages be received again, and dead-lettered early, while a retry is still pending.',
        fix,
      });
    }
  }

  for (const queue of inv.queues) {
    const r = queue.redrive;
    const consumed = inv.consumers.filter((c) => c.eventSourceArn === queue.arn);
    if (!r) {
      if (consumed.length && queue.deadLetterSources.length === 0) {
        const dlq = queue.fifo ? `${queue.name.slice(0, -5)}-dlq.fifo` : `${queue.name}-dlq`;
        const dlqArn = `arn:aws:sqs:${arnParts(queue.arn).region}:${arnParts(queue.arn).account}:${dlq}`;
        findings.push({
          id: 'lambda-queue-without-dlq',
          severity: 'warning',
          flow: m.flow,
          title: `queue ${queue.name} is read by ${consumed.map((c) => c.functionName).join(', ')} but has no dead-letter queue`,
          resources: [q(queue), ...consumed.map((c): ResourceRef => ({ kind: 'function', name: c.functionName, arn: c.functionArn }))],
          why: 'A message the function always fails on is retried until it expires, blocking nothing but burning invocations, and is then lost without a trace.',
          fix: {
            summary: `create ${dlq} and set a RedrivePolicy on ${queue.name} (maxReceiveCount ${SAFE_MAX_RECEIVE}), or add a dlq to the queue in the flow spec and run svl apply`,
            command: `aws sqs create-queue --queue-name ${dlq}${queue.fifo ? ` --attributes FifoQueue=true` : ''} && ${setQueueAttributesCommand(queue.url, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: SAFE_MAX_RECEIVE }) })}`,
          },
        });
      }
      continue;
    }
    const dlq = byArn.get(r.deadLetterTargetArn);
    if (r.maxReceiveCount === 1) {
      const policy = JSON.stringify({ deadLetterTargetArn: r.deadLetterTargetArn, maxReceiveCount: SAFE_MAX_RECEIVE });
      findings.push({
        id: 'max-receive-count-one',
        severity: 'warning',
        flow: m.flow,
        title: `queue ${queue.name} dead-letters a message after its first receive (maxReceiveCount 1)`,
        resources: [q(queue), ...(dlq ? [q(dlq)] : [])],
        why: 'One failed or throttled attempt - a deploy, a cold start timing out, a consumer killed mid-batch - moves a good message to the DLQ.',
        fix: {
          summary: `set maxReceiveCount of ${queue.name} to ${SAFE_MAX_RECEIVE}`,
          command: setQueueAttributesCommand(queue.url, { RedrivePolicy: policy }),
          action: { kind: 'sqs-set-attributes', queue: queue.name, queueUrl: queue.url, attributes: { RedrivePolicy: policy }, was: { RedrivePolicy: attr(queue, 'RedrivePolicy') ?? null } },
        },
      });
    }
    if (!dlq) {
      const dp = arnParts(r.deadLetterTargetArn);
      const qp = arnParts(queue.arn);
      // A DLQ in another account or region is not listed here: only a same-place one is known missing.
      if (dp.account === qp.account && dp.region === qp.region && !m.known.queues.has(r.deadLetterTargetArn)) {
        const name = r.deadLetterTargetArn.split(':').pop()!;
        findings.push({
          id: 'dlq-missing',
          severity: 'error',
          flow: m.flow,
          title: `queue ${queue.name}'s dead-letter queue ${name} does not exist`,
          resources: [q(queue)],
          why: 'Messages that exhaust their receives have nowhere to go, so they stay in the queue and are retried until they expire.',
          fix: { summary: `create ${name} again (or point the RedrivePolicy at an existing queue)`, command: `aws sqs create-queue --queue-name ${name}${queue.fifo ? ' --attributes FifoQueue=true' : ''}` },
        });
      }
      continue;
    }
    if (dlq.fifo !== queue.fifo) {
      findings.push({
        id: 'dlq-type-mismatch',
        severity: 'error',
        flow: m.flow,
        title: `queue ${queue.name} is ${queue.fifo ? 'FIFO' : 'standard'} but its DLQ ${dlq.name} is ${dlq.fifo ? 'FIFO' : 'standard'}`,
        resources: [q(queue), q(dlq)],
        why: 'SQS can only move messages to a dead-letter queue of the same type, so failed messages are never moved.',
        fix: { summary: `create a ${queue.fifo ? 'FIFO' : 'standard'} DLQ and point ${queue.name}'s RedrivePolicy at it`, command: `aws sqs create-queue --queue-name ${queue.fifo ? `${queue.name.slice(0, -5)}-dlq.fifo --attributes FifoQueue=true` : `${queue.name}-dlq`}` },
      });
    }
    const allow = redriveAllows(attr(dlq, 'RedriveAllowPolicy'), queue.arn);
    if (!allow.ok) {
      const fixable = allow.sources !== undefined && allow.sources.length < 10;
      const next = JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [...(allow.sources ?? []), queue.arn] });
      findings.push({
        id: 'dlq-redrive-not-allowed',
        severity: 'error',
        flow: m.flow,
        title: `DLQ ${dlq.name}'s RedriveAllowPolicy does not admit its source queue ${queue.name}`,
        resources: [q(queue), q(dlq)],
        why: 'SQS will not move failed messages into a dead-letter queue that refuses their source queue, so they are retried until they expire.',
        fix: fixable
          ? {
              summary: `add ${queue.name} to the sourceQueueArns of ${dlq.name}'s RedriveAllowPolicy`,
              command: setQueueAttributesCommand(dlq.url, { RedriveAllowPolicy: next }),
              action: { kind: 'sqs-set-attributes', queue: dlq.name, queueUrl: dlq.url, attributes: { RedriveAllowPolicy: next }, was: { RedriveAllowPolicy: attr(dlq, 'RedriveAllowPolicy') ?? null } },
            }
          : { summary: `allow ${queue.name} in ${dlq.name}'s RedriveAllowPolicy (byQueue admits at most 10 sources)`, command: setQueueAttributesCommand(dlq.url, { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'allowAll' }) }) },
      });
    }
    const retention = seconds(attr(queue, 'MessageRetentionPeriod'));
    const dlqRetention = seconds(attr(dlq, 'MessageRetentionPeriod'));
    // A FIFO queue resets the enqueue time when it dead-letters a message, so its DLQ's retention starts afresh.
    if (!queue.fifo && retention !== undefined && dlqRetention !== undefined && dlqRetention <= retention) {
      const canRaise = retention < MAX_RETENTION;
      findings.push({
        id: 'dlq-retention-not-longer',
        severity: 'warning',
        flow: m.flow,
        title: `DLQ ${dlq.name} keeps messages ${days(dlqRetention)}, not longer than its source ${queue.name} (${days(retention)})`,
        resources: [q(queue), q(dlq)],
        why: 'A message keeps its original enqueue time when it is dead-lettered, so it can expire from the DLQ almost at once, before anyone looks at it.',
        fix: canRaise
          ? {
              summary: `raise MessageRetentionPeriod of ${dlq.name} to ${MAX_RETENTION} seconds (14 days)`,
              command: setQueueAttributesCommand(dlq.url, { MessageRetentionPeriod: String(MAX_RETENTION) }),
              action: { kind: 'sqs-set-attributes', queue: dlq.name, queueUrl: dlq.url, attributes: { MessageRetentionPeriod: String(MAX_RETENTION) } },
            }
          : {
              summary: `lower MessageRetentionPeriod of ${queue.name} below 14 days (here 7), so ${dlq.name} can keep messages longer - messages already in ${queue.name} for more than 7 days then expire at once`,
              command: setQueueAttributesCommand(queue.url, { MessageRetentionPeriod: String(7 * 86_400) }),
            },
      });
    }
  }
  return { findings, notChecked };
}

const days = (s: number) => (s % 86_400 === 0 ? `${s / 86_400} day${s === 86_400 ? '' : 's'}` : s % 3600 === 0 ? `${s / 3600} h` : `${s} s`);

/** Whether a DLQ's RedriveAllowPolicy admits `source`; `sources` is its byQueue list (when it has one). */
export function redriveAllows(text: string | undefined, source: string): { ok: boolean; sources?: string[] } {
  if (!text) return { ok: true };
  try {
    const p = JSON.parse(text) as { redrivePermission?: string; sourceQueueArns?: unknown };
    if (p.redrivePermission === 'denyAll') return { ok: false, sources: [] };
    if (p.redrivePermission === 'byQueue') {
      const sources = Array.isArray(p.sourceQueueArns) ? p.sourceQueueArns.filter((s): s is string => typeof s === 'string') : [];
      return { ok: sources.includes(source), sources };
    }
    return { ok: true };
  } catch {
    return { ok: true };
  }
}
