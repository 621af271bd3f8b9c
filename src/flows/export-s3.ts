/**
 * The bucket half of `svl export`: what apply creates for a spec's buckets, as Terraform and as
 * CloudFormation — the bucket (tagged like the rest), the queue-policy statements that let exactly this
 * bucket of this account send (merged into the queue's one policy by export.ts), the topic policy for a
 * topic destination, the Lambda permission for a function destination, and the notification
 * configuration, which depends on all of those: S3 validates every destination when the configuration
 * is put, so it must come after the policies (the ordering Terraform users most often get wrong).
 *
 * CloudFormation has no separate notification resource: the configuration is a property of the bucket,
 * so the bucket DependsOn the policies, and the policies name the bucket's ARN with Fn::Sub over its
 * fixed name (a GetAtt would close a cycle). Terraform references the bucket resource directly.
 */
import { defaultTopicStatement } from '../domain/topic-policy.js';
import { bucketsNotifying, s3GrantStatement } from './buckets.js';
import type { BucketSpec, NotificationSpec } from './bucket-spec.js';
import type { FlowSpec } from './spec.js';
import { Call, Ref, hclIdentifier, type Block, type HclValue } from './hcl.js';

const ACCOUNT_TF = 'data.aws_caller_identity.current.account_id';

/** Functions that buckets notify (each needs a data source / parameter, like a consumer's). */
export const destinationFunctions = (spec: FlowSpec): string[] => [
  ...new Set((spec.buckets ?? []).flatMap((b) => b.notifications.filter((n) => n.kind === 'function').map((n) => n.target))),
];

/** Terraform resource names of the buckets, in spec order, free of each other. */
function tfBucketIds(buckets: readonly BucketSpec[]): string[] {
  const used = new Set<string>();
  return buckets.map((b) => {
    const first = hclIdentifier(b.name, 'bucket');
    let id = first;
    for (let i = 2; used.has(id); i++) id = `${first}_${i}`;
    used.add(id);
    return id;
  });
}

/** The statements a queue's policy gets for the buckets that notify it (Terraform references). */
export function terraformQueueStatements(spec: FlowSpec, queueName: string, queueArn: HclValue): HclValue[] {
  const ids = tfBucketIds(spec.buckets ?? []);
  return bucketsNotifying(spec, 'queue', queueName).map((b, i) =>
    s3GrantStatement<HclValue>(i + 1, 'sqs:SendMessage', queueArn, new Ref(`aws_s3_bucket.${ids[spec.buckets!.findIndex((x) => x.name === b)]}.arn`), new Ref(ACCOUNT_TF)),
  );
}

export interface TerraformRefs {
  topic: string;
  /** Terraform name base of each queue, by queue name (`aws_sqs_queue.<base>`). */
  queueBase: Map<string, string>;
  /** Terraform name of each function, by function name. */
  functions: Map<string, string>;
  /** The address of a function: `data.aws_lambda_function.<id>`, or `aws_lambda_function.<id>` for one the spec declares. */
  address(fn: string): string;
}

const filterOf = (n: NotificationSpec) => ({ filter_prefix: n.prefix, filter_suffix: n.suffix });

export function terraformBuckets(spec: FlowSpec, refs: TerraformRefs): Block[] {
  const buckets = spec.buckets ?? [];
  if (!buckets.length) return [];
  const ids = tfBucketIds(buckets);
  const blocks: Block[] = [{ type: 'data', labels: ['aws_caller_identity', 'current'], attrs: {} }];
  const topicBuckets = bucketsNotifying(spec, 'topic', spec.topic.name);
  if (topicBuckets.length) {
    blocks.push({
      type: 'resource',
      labels: ['aws_sns_topic_policy', 's3'],
      attrs: {
        arn: new Ref(`${refs.topic}.arn`),
        policy: new Call('jsonencode', [
          {
            Version: '2008-10-17',
            Statement: [
              defaultTopicStatement(new Ref(`${refs.topic}.arn`), new Ref(ACCOUNT_TF)),
              ...topicBuckets.map((b, i) => s3GrantStatement<HclValue>(i + 1, 'SNS:Publish', new Ref(`${refs.topic}.arn`), new Ref(`aws_s3_bucket.${ids[buckets.findIndex((x) => x.name === b)]}.arn`), new Ref(ACCOUNT_TF))),
            ],
          },
        ]),
      },
    });
  }
  buckets.forEach((b, i) => {
    const id = ids[i]!;
    const bucket = `aws_s3_bucket.${id}`;
    blocks.push({ type: 'resource', labels: ['aws_s3_bucket', id], attrs: { bucket: b.name, tags: new Ref('local.tags') } });
    const deps: string[] = [];
    const nested: Block[] = [];
    for (const fn of new Set(b.notifications.filter((n) => n.kind === 'function').map((n) => n.target))) {
      const pid = `${id}_${refs.functions.get(fn)!}`;
      blocks.push({
        type: 'resource',
        labels: ['aws_lambda_permission', pid],
        attrs: {
          statement_id: `svl-s3-${b.name}`,
          action: 'lambda:InvokeFunction',
          function_name: new Ref(`${refs.address(fn)}.function_name`),
          principal: 's3.amazonaws.com',
          source_arn: new Ref(`${bucket}.arn`),
          source_account: new Ref(ACCOUNT_TF),
        },
      });
      deps.push(`aws_lambda_permission.${pid}`);
    }
    for (const n of b.notifications) {
      if (n.kind === 'queue') {
        const base = refs.queueBase.get(n.target)!;
        nested.push({ type: 'queue', labels: [], attrs: { id: n.id, queue_arn: new Ref(`aws_sqs_queue.${base}.arn`), events: n.events, ...filterOf(n) } });
        deps.push(`aws_sqs_queue_policy.${base}`);
      } else if (n.kind === 'topic') {
        nested.push({ type: 'topic', labels: [], attrs: { id: n.id, topic_arn: new Ref(`${refs.topic}.arn`), events: n.events, ...filterOf(n) } });
        deps.push('aws_sns_topic_policy.s3');
      } else {
        nested.push({ type: 'lambda_function', labels: [], attrs: { id: n.id, lambda_function_arn: new Ref(`${refs.address(n.target)}.arn`), events: n.events, ...filterOf(n) } });
      }
    }
    if (!nested.length) return;
    blocks.push({
      type: 'resource',
      labels: ['aws_s3_bucket_notification', id],
      // S3 checks each destination's policy or permission when the configuration is put: they come first.
      attrs: { bucket: new Ref(`${bucket}.id`), depends_on: [...new Set(deps)].map((d) => new Ref(d)) },
      blocks: nested,
    });
  });
  blocks.push({
    type: 'output',
    labels: ['bucket_arns'],
    attrs: { description: 'ARN of each bucket of the flow, by bucket name', value: Object.fromEntries(buckets.map((b, i) => [b.name, new Ref(`aws_s3_bucket.${ids[i]}.arn`)])) },
  });
  return blocks;
}

// ---------------------------------------------------------------------------------------------------
// CloudFormation

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const bucketArnSub = (name: string): Json => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${name}` });
const account: Json = { Ref: 'AWS::AccountId' };

export function cfnQueueStatements(spec: FlowSpec, queueName: string, queueArn: Json): Json[] {
  return bucketsNotifying(spec, 'queue', queueName).map((b, i) => s3GrantStatement<Json>(i + 1, 'sqs:SendMessage', queueArn, bucketArnSub(b), account));
}

/** A CloudFormation logical id from a bucket name. */
const bucketId = (name: string, used: Set<string>): string => {
  const first = `${name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}Bucket`;
  let id = first;
  for (let i = 2; used.has(id); i++) id = `${first}${i}`;
  used.add(id);
  return id;
};

export interface CfnRefs {
  /** Logical id base of each queue, by queue name (`<base>Queue`, `<base>QueuePolicy`). */
  queueBase: Map<string, string>;
  /** Logical id of each function's name: a parameter (existing function) or its AWS::Lambda::Function (declared). */
  fnParam: Map<string, string>;
  used: Set<string>;
}

/** Resources (and outputs) for the buckets, merged into the template by export.ts. */
export function cfnBuckets(spec: FlowSpec, tags: Json, refs: CfnRefs): { resources: Record<string, Json>; outputs: Record<string, Json> } {
  const resources: Record<string, Json> = {};
  const outputs: Record<string, Json> = {};
  const buckets = spec.buckets ?? [];
  const topicBuckets = bucketsNotifying(spec, 'topic', spec.topic.name);
  if (topicBuckets.length) {
    refs.used.add('TopicPolicy');
    resources.TopicPolicy = {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'Topic' }],
        PolicyDocument: {
          Version: '2008-10-17',
          Statement: [
            defaultTopicStatement({ Ref: 'Topic' }, account),
            ...topicBuckets.map((b, i): Json => s3GrantStatement<Json>(i + 1, 'SNS:Publish', { Ref: 'Topic' }, bucketArnSub(b), account)),
          ],
        },
      },
    };
  }
  for (const b of buckets) {
    const id = bucketId(b.name, refs.used);
    const deps: string[] = [];
    const rules = (n: NotificationSpec): Json => {
      const r = [...(n.prefix !== undefined ? [{ Name: 'prefix', Value: n.prefix }] : []), ...(n.suffix !== undefined ? [{ Name: 'suffix', Value: n.suffix }] : [])];
      return r.length ? { Filter: { S3Key: { Rules: r } } } : {};
    };
    // CloudFormation's configurations take one event each (no Id): one entry per event.
    const queue: Json[] = [];
    const topic: Json[] = [];
    const lambda: Json[] = [];
    for (const n of b.notifications) {
      for (const event of n.events) {
        if (n.kind === 'queue') {
          const base = refs.queueBase.get(n.target)!;
          queue.push({ Event: event, Queue: { 'Fn::GetAtt': [`${base}Queue`, 'Arn'] }, ...(rules(n) as object) });
          deps.push(`${base}QueuePolicy`);
        } else if (n.kind === 'topic') {
          topic.push({ Event: event, Topic: { Ref: 'Topic' }, ...(rules(n) as object) });
          deps.push('TopicPolicy');
        } else {
          lambda.push({ Event: event, Function: { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${${refs.fnParam.get(n.target)!}}` }, ...(rules(n) as object) });
        }
      }
    }
    for (const fn of new Set(b.notifications.filter((n) => n.kind === 'function').map((n) => n.target))) {
      const pid = `${id}${refs.fnParam.get(fn)!.replace(/FunctionName$/, '')}Permission`;
      refs.used.add(pid);
      resources[pid] = {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: refs.fnParam.get(fn)! }, Principal: 's3.amazonaws.com', SourceArn: bucketArnSub(b.name), SourceAccount: account },
      };
      deps.push(pid);
    }
    const props: Record<string, Json> = { BucketName: b.name, Tags: tags };
    const cfg: Record<string, Json> = {};
    if (queue.length) cfg.QueueConfigurations = queue;
    if (topic.length) cfg.TopicConfigurations = topic;
    if (lambda.length) cfg.LambdaConfigurations = lambda;
    if (Object.keys(cfg).length) props.NotificationConfiguration = cfg;
    const unique = [...new Set(deps)];
    resources[id] = { Type: 'AWS::S3::Bucket', ...(unique.length && { DependsOn: unique }), Properties: props };
    outputs[`${id}Arn`] = { Description: `ARN of the bucket ${b.name}`, Value: { 'Fn::GetAtt': [id, 'Arn'] } };
  }
  return { resources, outputs };
}
