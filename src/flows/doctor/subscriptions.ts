/**
 * Doctor checks of SNS subscriptions: the queue policy must let the topic send (and so must the
 * subscription's own DLQ), FIFO/standard pairing, confirmation, a redrive policy for failed deliveries,
 * and - from the emulator's journal - a consumer that fails the way a raw-delivery mismatch makes it fail.
 * Pure. Not here: queue-only checks (queues.ts).
 */
import type { QueueInfo, SubscriptionInfo } from '../../aws/inventory-model.js';
import { arnParts, sh, sinceLastChange, type CheckResult, type DoctorModel, type Finding, type NotChecked, type ResourceRef } from './model.js';
import { blockedSender } from './queues.js';

const topicRef = (arn: string): ResourceRef => ({ kind: 'topic', name: arn.split(':').pop()!, arn });
const subRef = (s: SubscriptionInfo): ResourceRef => ({ kind: 'subscription', name: `${s.topicArn.split(':').pop()} -> ${endpointName(s)}`, ...(s.arn && { arn: s.arn }) });
const endpointName = (s: SubscriptionInfo) => (s.protocol === 'sqs' || s.protocol === 'lambda' ? s.endpoint.split(':').pop()! : s.endpoint);

/**
 * Errors a handler throws when it parses the other form of an SNS-fed message. Envelope delivered, raw
 * expected: the envelope parses, the payload's fields are missing (a TypeError on undefined). Raw
 * delivered, envelope expected: `JSON.parse(body).Message` is undefined or the body is not JSON (a SyntaxError).
 */
const ENVELOPE_READ_AS_RAW = /Cannot read propert(?:y|ies) of undefined|undefined is not an object/i;
const RAW_READ_AS_ENVELOPE = /SyntaxError|Unexpected token|is not valid JSON|JSON\.parse/i;

/** Whether a message body is an SNS envelope (Type Notification, with Message, MessageId and TopicArn). */
export function isSnsEnvelope(body: string): boolean {
  try {
    const v = JSON.parse(body) as Record<string, unknown>;
    return !!v && typeof v === 'object' && v.Type === 'Notification' && typeof v.Message === 'string' && typeof v.TopicArn === 'string';
  } catch {
    return false;
  }
}

export function checkSubscriptions(m: DoctorModel): CheckResult {
  const findings: Finding[] = [];
  const notChecked: NotChecked[] = [];
  const inv = m.inventory;
  const queues = new Map(inv.queues.map((x) => [x.arn, x]));
  const topics = new Map(inv.topics.map((t) => [t.arn, t]));

  for (const s of inv.subscriptions) {
    const topic = topics.get(s.topicArn);
    const queue = s.protocol === 'sqs' ? queues.get(s.endpoint) : undefined;
    const where = `${s.topicArn.split(':').pop()} -> ${endpointName(s)}`;
    if (queue) {
      const f = blockedSender(m, {
        id: 'queue-policy-blocks-topic',
        queue,
        service: 'sns.amazonaws.com',
        sourceArn: s.topicArn,
        sender: topicRef(s.topicArn),
        why: 'SNS drops every message the queue policy refuses: publish succeeds, nothing arrives, and no error is shown anywhere.',
      }, notChecked);
      if (f) findings.push(f);
    }
    const dlq = s.deadLetterTargetArn ? queues.get(s.deadLetterTargetArn) : undefined;
    if (dlq) {
      const f = blockedSender(m, {
        id: 'subscription-dlq-blocks-topic',
        queue: dlq,
        service: 'sns.amazonaws.com',
        sourceArn: s.topicArn,
        sender: topicRef(s.topicArn),
        why: "SNS can only park a failed delivery in the subscription's DLQ if that queue's policy lets the topic send; otherwise the message is lost.",
      }, notChecked);
      if (f) findings.push({ ...f, title: `subscription DLQ ${dlq.name} (of ${where}) does not let topic ${topicRef(s.topicArn).name} send to it` });
    } else if (s.deadLetterTargetArn) {
      const d = arnParts(s.deadLetterTargetArn);
      const t = arnParts(s.topicArn);
      // Only a DLQ in the topic's own account and region is known to be missing (others are not listed).
      if (d.account === t.account && d.region === t.region && !m.known.queues.has(s.deadLetterTargetArn)) {
        const name = s.deadLetterTargetArn.split(':').pop()!;
        findings.push({
          id: 'subscription-dlq-missing',
          severity: 'error',
          flow: m.flow,
          title: `subscription ${where}'s dead-letter queue ${name} does not exist`,
          resources: [subRef(s), topicRef(s.topicArn)],
          why: 'A delivery that fails every retry has nowhere to go, so SNS discards it.',
          fix: { summary: `create ${name} again (and let topic ${topicRef(s.topicArn).name} send to it), or point the subscription's RedrivePolicy at an existing queue`, command: `aws sqs create-queue --queue-name ${name}${name.endsWith('.fifo') ? ' --attributes FifoQueue=true' : ''}` },
        });
      }
    }
    if (topic && queue) fifoPairing(m, topic.fifo, topic.name, topic.arn, queue, findings);
    if (!s.confirmed) {
      findings.push({
        id: 'subscription-pending-confirmation',
        severity: 'warning',
        flow: m.flow,
        title: `subscription ${where} (${s.protocol}) is still pending confirmation`,
        resources: [subRef(s), topicRef(s.topicArn)],
        why: 'SNS delivers nothing to an unconfirmed subscription; it is deleted after 3 days unless the endpoint confirms it.',
        fix: {
          summary: `confirm it with the token SNS sent to ${s.endpoint}, or subscribe again`,
          command: `aws sns confirm-subscription --topic-arn ${sh(s.topicArn)} --token <token from the confirmation message>`,
        },
      });
      continue;
    }
    if (!s.deadLetterTargetArn) {
      const sqs = s.protocol === 'sqs';
      const name = `${endpointName(s).replace(/\.fifo$/, '')}-sub-dlq${topic?.fifo ? '.fifo' : ''}`;
      const { region, account } = arnParts(s.topicArn);
      findings.push({
        id: 'subscription-without-dlq',
        // A queue endpoint fails only when it is gone or refuses (a note); an HTTP or Lambda endpoint fails often.
        severity: sqs ? 'note' : 'warning',
        flow: m.flow,
        title: `subscription ${where} (${s.protocol}) has no redrive policy`,
        resources: [subRef(s), topicRef(s.topicArn)],
        why: sqs
          ? 'If the queue is deleted, or its policy or key refuses SNS, the messages SNS cannot deliver are dropped instead of kept.'
          : 'Deliveries that still fail after SNS retries are dropped instead of kept for a redrive.',
        fix: {
          summary:
            `create a queue ${name} (policy: let topic ${topicRef(s.topicArn).name} send) and set it as the subscription's RedrivePolicy` +
            // A flow's queue: the spec declares it, and the next apply would otherwise leave it out of the flow.
            (queue?.flow ? `; in flow ${queue.flow}'s spec: "subscriptionDlq": true on queue ${queue.name}, then svl apply` : ''),
          command: `aws sns set-subscription-attributes --subscription-arn ${sh(s.arn ?? '<arn>')} --attribute-name RedrivePolicy --attribute-value ${sh(JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${region}:${account}:${name}` }))}`,
        },
      });
    }
    if (queue && m.journal) rawMismatch(m, s, queue, findings);
  }
  return { findings, notChecked };
}

function fifoPairing(m: DoctorModel, topicFifo: boolean, topicName: string, topicArn: string, queue: QueueInfo, out: Finding[]): void {
  if (topicFifo === queue.fifo) return;
  const resources: ResourceRef[] = [topicRef(topicArn), { kind: 'queue', name: queue.name, arn: queue.arn }];
  out.push(
    topicFifo
      ? {
          id: 'topic-queue-fifo-mismatch',
          severity: 'warning',
          flow: m.flow,
          title: `FIFO topic ${topicName} delivers to standard queue ${queue.name}`,
          resources,
          why: 'The standard queue drops the ordering and exactly-once processing the FIFO topic was chosen for.',
          fix: { summary: `subscribe a FIFO queue (${queue.name}.fifo) instead, if the consumer relies on order`, command: `aws sqs create-queue --queue-name ${queue.name}.fifo --attributes FifoQueue=true` },
        }
      : {
          id: 'topic-queue-fifo-mismatch',
          severity: 'error',
          flow: m.flow,
          title: `standard topic ${topicName} is subscribed by FIFO queue ${queue.name}`,
          resources,
          why: 'A standard topic cannot deliver to a FIFO queue: every message to it fails.',
          fix: { summary: `subscribe ${queue.name} to a FIFO topic, or use a standard queue`, command: `aws sns create-topic --name ${topicName}.fifo --attributes FifoTopic=true` },
        },
  );
}

/** A consumer of an SNS-fed queue failing with a parse error: it probably expects the other message form. */
function rawMismatch(m: DoctorModel, s: SubscriptionInfo, queue: QueueInfo, out: Finding[]): void {
  const consumers = m.inventory.consumers.filter((c) => c.eventSourceArn === queue.arn);
  for (const c of consumers) {
    const raw = s.rawMessageDelivery;
    // The error must be the one the delivered form causes, and a failing body (when still there) must be of that form.
    const failure = sinceLastChange(m, c, m.journal!.failures).find(
      (f) => (raw ? RAW_READ_AS_ENVELOPE : ENVELOPE_READ_AS_RAW).test(f.error) && (f.body === undefined || isSnsEnvelope(f.body) === !raw),
    );
    if (!failure) continue;
    out.push({
      id: 'raw-delivery-mismatch',
      severity: 'warning',
      flow: m.flow,
      title: `${c.functionName} fails to parse messages of ${queue.name}, which arrive ${raw ? 'raw' : 'wrapped in the SNS envelope'}`,
      resources: [{ kind: 'function', name: c.functionName, arn: c.functionArn }, { kind: 'queue', name: queue.name, arn: queue.arn }, subRef(s)],
      why: `The handler fails with "${failure.error.split('\n')[0]!.slice(0, 120)}", which is what parsing ${raw ? 'an SNS envelope out of a raw message' : 'the SNS envelope as the raw message'} looks like; every message will fail the same way.`,
      fix: {
        summary: raw ? 'turn RawMessageDelivery off, or parse the body itself (not JSON.parse(body).Message)' : 'turn RawMessageDelivery on, or parse JSON.parse(body).Message in the handler',
        command: `aws sns set-subscription-attributes --subscription-arn ${sh(s.arn ?? '<arn>')} --attribute-name RawMessageDelivery --attribute-value ${raw ? 'false' : 'true'}`,
      },
    });
  }
}
