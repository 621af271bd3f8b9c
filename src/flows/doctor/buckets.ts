/**
 * Doctor checks of S3 buckets' notifications: the queue or topic they notify must let S3 send from that
 * bucket (the function case is a Lambda permission, lambda.ts). Pure.
 */
import { explainPolicy } from '../../domain/resource-policy.js';
import { arnParts, sh, statementSid, withStatement, type CheckResult, type DoctorModel, type Finding, type NotChecked, type PolicyStatement } from './model.js';
import { blockedSender, undecidable } from './queues.js';

export function checkBuckets(m: DoctorModel): CheckResult {
  const findings: Finding[] = [];
  const notChecked: NotChecked[] = [];
  const queues = new Map(m.inventory.queues.map((x) => [x.arn, x]));
  const topics = new Map(m.inventory.topics.map((x) => [x.arn, x]));
  for (const b of m.inventory.buckets ?? []) {
    for (const n of b.notifications) {
      const queue = n.kind === 'queue' ? queues.get(n.arn) : undefined;
      if (queue) {
        const f = blockedSender(m, {
          id: 'queue-policy-blocks-bucket',
          queue,
          service: 's3.amazonaws.com',
          sourceArn: b.arn,
          account: arnParts(queue.arn).account,
          sender: { kind: 'bucket', name: b.name, arn: b.arn },
          why: 'S3 drops every event notification the queue policy refuses, without an error anyone sees.',
        }, notChecked);
        if (f) findings.push(f);
      }
      const topic = n.kind === 'topic' ? topics.get(n.arn) : undefined;
      if (!topic?.attributes) continue;
      const account = arnParts(topic.arn).account;
      const { decision, unsupported } = explainPolicy(topic.attributes.Policy, {
        principal: { service: 's3.amazonaws.com' },
        action: 'SNS:Publish',
        resource: topic.arn,
        keys: { 'aws:SourceArn': b.arn, 'aws:SourceAccount': account },
      });
      if (decision === 'allow') continue;
      if (decision === 'undecidable') {
        notChecked.push({ check: 'topic-policy-blocks-bucket', flow: m.flow, resources: [{ kind: 'topic', name: topic.name, arn: topic.arn }, { kind: 'bucket', name: b.name, arn: b.arn }], reason: undecidable(unsupported) });
        continue;
      }
      const statement: PolicyStatement = {
        Sid: statementSid('AllowBucket', b.name, b.arn),
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'SNS:Publish',
        Resource: topic.arn,
        Condition: { ArnLike: { 'aws:SourceArn': b.arn }, StringEquals: { 'aws:SourceAccount': account } },
      };
      const policy = topic.attributes.Policy ?? null;
      findings.push({
        id: 'topic-policy-blocks-bucket',
        severity: 'error',
        flow: m.flow,
        title: `topic ${topic.name} does not let bucket ${b.name} publish to it${decision === 'deny' ? ' (an explicit Deny)' : ''}`,
        resources: [{ kind: 'topic', name: topic.name, arn: topic.arn }, { kind: 'bucket', name: b.name, arn: b.arn }],
        why: 'S3 drops every event notification the topic policy refuses, without an error anyone sees.',
        fix: decision === 'deny'
          ? { summary: `remove or narrow the Deny statement of ${topic.name}'s policy that matches s3.amazonaws.com`, command: `aws sns get-topic-attributes --topic-arn ${sh(topic.arn)}` }
          : {
              summary: `add a statement to ${topic.name}'s policy allowing s3.amazonaws.com to SNS:Publish from ${b.name}`,
              command: `aws sns set-topic-attributes --topic-arn ${sh(topic.arn)} --attribute-name Policy --attribute-value ${sh(withStatement(policy, topic.arn, statement))}`,
              action: { kind: 'sns-add-policy-statement', topic: topic.name, topicArn: topic.arn, policy, statement },
            },
      });
    }
  }
  return { findings, notChecked };
}
