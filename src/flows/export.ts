/**
 * Export a flow as infrastructure as code: Terraform (AWS provider >= 5) or a CloudFormation template.
 * Both describe exactly what `svl apply` creates from the same spec (see the desired-state functions in
 * plan.ts): the topic (FIFO settings), one SQS queue per subscriber with SQS-managed SSE, a DLQ whose
 * RedriveAllowPolicy admits only its source queue, a RedrivePolicy, the least-privilege queue policy
 * (sns.amazonaws.com, only from this topic), the subscription (raw delivery, filter policy and scope,
 * and a RedrivePolicy to its subscription DLQ, which gets the same least-privilege policy and a
 * RedriveAllowPolicy admitting no source queue), and Lambda event source mappings to existing functions. Topic and queues carry `svl:flow=<name>` and
 * the spec's tags, as apply tags them (apply does not tag subscriptions or event source mappings).
 * The spec's HTTP APIs (API, stage, integrations, authorizers, routes, Lambda permissions) come from
 * export-apis.ts; their functions are read like consumers' (data sources / parameters).
 *
 * References between resources are resource attributes, never ARNs spelled out, with one exception
 * forced by a dependency cycle: a queue's RedrivePolicy needs its DLQ's ARN and the DLQ's
 * RedriveAllowPolicy needs the queue's. Terraform breaks it with a separate
 * aws_sqs_queue_redrive_allow_policy resource; CloudFormation has no such resource, so there the DLQ
 * names its source queue's ARN with Fn::Sub over the pseudo parameters (the queue name is fixed by the
 * spec) — exactly what apply does when it creates DLQs before their queues.
 *
 * Output is deterministic: spec order for queues, sorted tags, names derived only from the spec.
 */
import { flowTags, type FlowSpec, type QueueSpec } from './spec.js';
import type { FunctionSpec } from './function-spec.js';
import { cfnFunctions, terraformFunctions } from './export-functions.js';
import { queuePolicyDocument } from './plan.js';
import { Call, Ref, Tpl, fromJson, hclIdentifier, renderBlock, type Block, type HclObject, type HclValue } from './hcl.js';
import { cloudFormationApis, exportedApiFunctions, terraformApis } from './export-apis.js';
import { cfnBuckets, cfnQueueStatements, destinationFunctions, terraformBuckets, terraformQueueStatements } from './export-s3.js';

export type ExportFormat = 'terraform' | 'cloudformation';

/** Where the declared functions' code is, as the exported file sees it (src/commands/export/run.ts). */
export interface ExportCode {
  /** Terraform: the code directory relative to the exported file's directory (default: as the spec writes it). */
  codePath?(f: FunctionSpec): string;
  /** CloudFormation: the S3 key of each function's package (default `<flow>/<function>.zip`). */
  codeKey?(f: FunctionSpec): string;
}

export function exportFlow(spec: FlowSpec, format: ExportFormat, code: ExportCode = {}): string {
  return format === 'terraform' ? exportTerraform(spec, code) : exportCloudFormation(spec, code);
}

const plainPath = (f: FunctionSpec) => f.code.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';

const sortedTags = (spec: FlowSpec): Array<[string, string]> => Object.entries(flowTags(spec)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Picks, for each queue in spec order, a base name from which every name derived for it is still free;
 * `derive(base)` lists those names. Collisions (ids `a-b` and `a_b`, or `a` and `a_dlq`) get `2`, `3`, ...
 */
function allocateBases(queues: readonly QueueSpec[], candidate: (q: QueueSpec) => string, derive: (base: string) => string[], used = new Set<string>()): string[] {
  return queues.map((q) => {
    const first = candidate(q);
    let base = first;
    for (let i = 2; derive(base).some((n) => used.has(n)); i++) base = `${first}${i}`;
    for (const n of derive(base)) used.add(n);
    return base;
  });
}

// ---------------------------------------------------------------------------------------------------
// Terraform

export function exportTerraform(spec: FlowSpec, code: ExportCode = {}): string {
  const fifo = spec.topic.fifo;
  const topic = 'aws_sns_topic.topic';
  const bases = allocateBases(
    spec.queues,
    (q) => hclIdentifier(q.id, 'queue'),
    (b) => [`aws_sqs_queue.${b}`, `aws_sqs_queue.${b}_dlq`, `aws_sqs_queue.${b}_sub_dlq`],
  );
  const functions = new Map<string, string>();
  const usedFns = new Set<string>();
  // Consumers' functions, those the HTTP APIs invoke, then those buckets notify (export-s3.ts): one data source each.
  // Declared functions (export-functions.ts) are resources; the others are read as data sources.
  const declared = new Set((spec.functions ?? []).map((f) => f.name));
  for (const fn of [...spec.queues.map((q) => q.consumer?.function), ...exportedApiFunctions(spec), ...destinationFunctions(spec), ...declared]) {
    if (fn === undefined || functions.has(fn)) continue;
    const first = hclIdentifier(fn, 'consumer');
    let n = first;
    for (let i = 2; usedFns.has(n); i++) n = `${first}_${i}`;
    usedFns.add(n);
    functions.set(fn, n);
  }

  const blocks: Block[] = [
    {
      type: 'terraform',
      labels: [],
      attrs: {},
      blocks: [
        {
          type: 'required_providers',
          labels: [],
          attrs: { aws: { source: 'hashicorp/aws', version: '>= 5.0' }, archive: declared.size ? { source: 'hashicorp/archive', version: '>= 2.0' } : undefined },
        },
      ],
    },
    { type: 'locals', labels: [], attrs: { tags: Object.fromEntries(sortedTags(spec)) } },
    ...[...functions].filter(([fn]) => !declared.has(fn)).map(([fn, id]): Block => ({ type: 'data', labels: ['aws_lambda_function', id], attrs: { function_name: fn } })),
    {
      type: 'resource',
      labels: ['aws_sns_topic', 'topic'],
      attrs: {
        name: spec.topic.name,
        fifo_topic: fifo ? true : undefined,
        content_based_deduplication: fifo ? spec.topic.contentBasedDeduplication : undefined,
        tags: new Ref('local.tags'),
      },
    },
  ];
  const address = (fn: string) => `${declared.has(fn) ? '' : 'data.'}aws_lambda_function.${functions.get(fn)!}`;
  const queueAddr = new Map(spec.queues.map((q, i) => [q.name, `aws_sqs_queue.${bases[i]}`]));
  const bucketIds = new Map<string, string>();
  for (const bk of spec.buckets ?? []) {
    const first = hclIdentifier(bk.name, 'bucket');
    let id = first;
    for (let i = 2; [...bucketIds.values()].includes(id); i++) id = `${first}_${i}`;
    bucketIds.set(bk.name, id);
  }
  blocks.push(
    ...terraformFunctions(spec, {
      ids: functions,
      queue: (n) => queueAddr.get(n)!,
      topic,
      bucket: (n) => `aws_s3_bucket.${bucketIds.get(n)!}`,
      codePath: code.codePath ?? plainPath,
    }),
  );

  spec.queues.forEach((q, i) => {
    const b = bases[i]!;
    const queue = `aws_sqs_queue.${b}`;
    const dlq = `aws_sqs_queue.${b}_dlq`;
    if (q.dlq) {
      blocks.push({
        type: 'resource',
        labels: ['aws_sqs_queue', `${b}_dlq`],
        attrs: {
          name: q.dlq.name,
          fifo_queue: fifo ? true : undefined,
          message_retention_seconds: q.dlq.retentionSeconds,
          sqs_managed_sse_enabled: true,
          tags: new Ref('local.tags'),
        },
      });
    }
    blocks.push({
      type: 'resource',
      labels: ['aws_sqs_queue', b],
      attrs: {
        name: q.name,
        fifo_queue: fifo ? true : undefined,
        visibility_timeout_seconds: q.visibilityTimeout,
        message_retention_seconds: q.retentionSeconds,
        delay_seconds: q.delaySeconds,
        sqs_managed_sse_enabled: true,
        redrive_policy: q.dlq ? new Call('jsonencode', [{ deadLetterTargetArn: new Ref(`${dlq}.arn`), maxReceiveCount: q.dlq.maxReceiveCount }]) : undefined,
        tags: new Ref('local.tags'),
      },
    });
    if (q.dlq) {
      // A separate resource: inline on the DLQ it would reference the queue, which references the DLQ.
      blocks.push({
        type: 'resource',
        labels: ['aws_sqs_queue_redrive_allow_policy', `${b}_dlq`],
        attrs: {
          queue_url: new Ref(`${dlq}.url`),
          redrive_allow_policy: new Call('jsonencode', [{ redrivePermission: 'byQueue', sourceQueueArns: [new Ref(`${queue}.arn`)] }]),
        },
      });
    }
    blocks.push({
      type: 'resource',
      labels: ['aws_sqs_queue_policy', b],
      attrs: {
        queue_url: new Ref(`${queue}.url`),
        policy: new Call('jsonencode', [
          queuePolicyDocument<HclValue, HclValue>(new Ref(`${queue}.arn`), new Ref(`${topic}.arn`), new Tpl([new Ref(`${queue}.arn`), '/svl']), terraformQueueStatements(spec, q.name, new Ref(`${queue}.arn`))),
        ]),
      },
    });
    const subDlq = `aws_sqs_queue.${b}_sub_dlq`;
    if (q.subscriptionDlq) {
      blocks.push({
        type: 'resource',
        labels: ['aws_sqs_queue', `${b}_sub_dlq`],
        attrs: {
          name: q.subscriptionDlq.name,
          fifo_queue: fifo ? true : undefined,
          message_retention_seconds: q.subscriptionDlq.retentionSeconds,
          sqs_managed_sse_enabled: true,
          redrive_allow_policy: new Call('jsonencode', [{ redrivePermission: 'denyAll' }]),
          tags: new Ref('local.tags'),
        },
      });
      blocks.push({
        type: 'resource',
        labels: ['aws_sqs_queue_policy', `${b}_sub_dlq`],
        attrs: {
          queue_url: new Ref(`${subDlq}.url`),
          policy: new Call('jsonencode', [queuePolicyDocument<HclValue>(new Ref(`${subDlq}.arn`), new Ref(`${topic}.arn`), new Tpl([new Ref(`${subDlq}.arn`), '/svl']))]),
        },
      });
    }
    blocks.push({
      type: 'resource',
      labels: ['aws_sns_topic_subscription', b],
      attrs: {
        topic_arn: new Ref(`${topic}.arn`),
        protocol: 'sqs',
        endpoint: new Ref(`${queue}.arn`),
        raw_message_delivery: q.rawDelivery,
        filter_policy: q.filterPolicy ? new Call('jsonencode', [fromJson(q.filterPolicy)]) : undefined,
        filter_policy_scope: q.filterPolicy ? q.filterPolicyScope : undefined,
        redrive_policy: q.subscriptionDlq ? new Call('jsonencode', [{ deadLetterTargetArn: new Ref(`${subDlq}.arn`) }]) : undefined,
        // Apply sets the queue policies before subscribing: no message is published into a queue that refuses it.
        depends_on: [new Ref(`aws_sqs_queue_policy.${b}`), ...(q.subscriptionDlq ? [new Ref(`aws_sqs_queue_policy.${b}_sub_dlq`)] : [])],
      },
    });
    if (q.consumer) {
      const c = q.consumer;
      blocks.push({
        type: 'resource',
        labels: ['aws_lambda_event_source_mapping', b],
        attrs: {
          event_source_arn: new Ref(`${queue}.arn`),
          function_name: new Ref(`${address(c.function)}.arn`),
          enabled: true,
          batch_size: c.batchSize,
          // Lambda supports no batching window on FIFO queues; 0 is the default, so it is left out there.
          maximum_batching_window_in_seconds: fifo && c.batchingWindowSeconds === 0 ? undefined : c.batchingWindowSeconds,
          function_response_types: c.reportBatchItemFailures ? ['ReportBatchItemFailures'] : undefined,
          // A declared function's role must let it read the queue before Lambda accepts the mapping.
          depends_on: declared.has(c.function) && !spec.functions!.find((f) => f.name === c.function)!.role ? [new Ref(`aws_iam_role_policy.${functions.get(c.function)!}`)] : undefined,
        },
      });
    }
  });

  blocks.push(...terraformBuckets(spec, { topic, queueBase: new Map(spec.queues.map((q, i) => [q.name, bases[i]!])), functions, address }));
  const urls = (entries: Array<[string, string]>): HclObject => Object.fromEntries(entries.map(([k, ref]) => [k, new Ref(ref)]));
  const apis = terraformApis(spec, address);
  blocks.push(...apis.blocks);
  blocks.push({ type: 'output', labels: ['topic_arn'], attrs: { description: `ARN of the SNS topic ${spec.topic.name}`, value: new Ref(`${topic}.arn`) } });
  blocks.push({
    type: 'output',
    labels: ['queue_urls'],
    attrs: { description: 'URL of each queue of the flow, by queue name', value: urls(spec.queues.map((q, i) => [q.name, `aws_sqs_queue.${bases[i]}.url`])) },
  });
  if (spec.queues.some((q) => q.dlq)) {
    blocks.push({
      type: 'output',
      labels: ['dlq_urls'],
      attrs: {
        description: 'URL of each dead-letter queue, by DLQ name',
        value: urls(spec.queues.flatMap((q, i) => (q.dlq ? [[q.dlq.name, `aws_sqs_queue.${bases[i]}_dlq.url`] as [string, string]] : []))),
      },
    });
  }

  if (spec.queues.some((q) => q.subscriptionDlq)) {
    blocks.push({
      type: 'output',
      labels: ['subscription_dlq_urls'],
      attrs: {
        description: "URL of each subscription's dead-letter queue, by its name",
        value: urls(spec.queues.flatMap((q, i) => (q.subscriptionDlq ? [[q.subscriptionDlq.name, `aws_sqs_queue.${bases[i]}_sub_dlq.url`] as [string, string]] : []))),
      },
    });
  }

  if (apis.endpoints.length) {
    blocks.push({ type: 'output', labels: ['api_endpoints'], attrs: { description: 'Invoke URL of each HTTP API of the flow, by API name', value: urls(apis.endpoints) } });
  }
  const header = [
    `# Flow "${spec.name}", exported by \`svl export --format terraform\`.`,
    declared.size
      ? '# The same resources `svl apply` creates from the spec, the functions it declares included (zipped from their code'
      : '# The same resources `svl apply` creates from the spec. Lambda functions must already exist.',
    ...(declared.size ? ['# directories, each with a least-privilege role); the functions it only names must already exist.'] : []),
  ];
  return `${header.join('\n')}\n\n${blocks.map((b) => renderBlock(b)).join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------
// CloudFormation

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const SUFFIXES = ['Queue', 'Dlq', 'QueuePolicy', 'Subscription', 'EventSourceMapping', 'QueueUrl', 'DlqUrl', 'SubscriptionDlq', 'SubscriptionDlqPolicy', 'SubscriptionDlqUrl'];

/** A CloudFormation logical id (alphanumeric) from any text: `billing-v2` -> `BillingV2`. */
export function logicalId(raw: string, fallback: string): string {
  const s = raw
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return s === '' ? fallback : s;
}

export function exportCloudFormation(spec: FlowSpec, code: ExportCode = {}): string {
  const fifo = spec.topic.fifo;
  const tags = sortedTags(spec).map(([Key, Value]) => ({ Key, Value }));
  const used = new Set(['Topic', 'TopicArn']);
  const bases = allocateBases(spec.queues, (q) => logicalId(q.id, 'Flow'), (b) => SUFFIXES.map((s) => b + s), used);
  const ref = (id: string): Json => ({ Ref: id });
  const arn = (id: string): Json => ({ 'Fn::GetAtt': [id, 'Arn'] });

  const parameters: Record<string, Json> = {};
  const fnParam = new Map<string, string>();
  const consumerOf = new Map(spec.queues.flatMap((q) => (q.consumer ? [[q.consumer.function, q.name] as const] : [])).reverse());
  const apiFunctions = new Set(exportedApiFunctions(spec));
  const declared = new Set((spec.functions ?? []).map((f) => f.name));
  // Declared functions are resources: their Ref is the function name, as a parameter's would be.
  for (const fn of declared) {
    const first = `${logicalId(fn, 'Consumer')}Function`;
    let id = first;
    for (let i = 2; used.has(id) || used.has(`${id}Role`) || used.has(`${id}CodeKey`); i++) id = `${first}${i}`;
    used.add(id);
    fnParam.set(fn, id);
  }
  for (const fn of [...spec.queues.map((q) => q.consumer?.function), ...apiFunctions, ...destinationFunctions(spec)]) {
    if (fn === undefined || fnParam.has(fn)) continue;
    const first = `${logicalId(fn, 'Consumer')}FunctionName`;
    let id = first;
    for (let i = 2; used.has(id); i++) id = `${first}${i}`;
    used.add(id);
    fnParam.set(fn, id);
    const q = consumerOf.get(fn);
    const what = q
      ? `Name or ARN of the existing Lambda function that consumes ${q}`
      : apiFunctions.has(fn)
        ? 'Name of the existing Lambda function an HTTP API of the flow invokes'
        : 'Name of the existing Lambda function a bucket of the flow notifies';
    parameters[id] = { Type: 'String', Default: fn, MinLength: 1, Description: what };
  }

  const topicProps: Record<string, Json> = { TopicName: spec.topic.name };
  if (fifo) Object.assign(topicProps, { FifoTopic: true, ContentBasedDeduplication: spec.topic.contentBasedDeduplication });
  topicProps.Tags = tags;
  const resources: Record<string, Json> = { Topic: { Type: 'AWS::SNS::Topic', Properties: topicProps } };
  const outputs: Record<string, Json> = { TopicArn: { Description: `ARN of the SNS topic ${spec.topic.name}`, Value: ref('Topic') } };

  spec.queues.forEach((q, i) => {
    const b = bases[i]!;
    const [queue, dlq] = [`${b}Queue`, `${b}Dlq`];
    if (q.dlq) {
      const props: Record<string, Json> = { QueueName: q.dlq.name };
      if (fifo) props.FifoQueue = true;
      Object.assign(props, {
        MessageRetentionPeriod: q.dlq.retentionSeconds,
        SqsManagedSseEnabled: true,
        // Fn::Sub, not Fn::GetAtt: the queue's RedrivePolicy already depends on this DLQ (see the header).
        RedriveAllowPolicy: { redrivePermission: 'byQueue', sourceQueueArns: [{ 'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${q.name}` }] },
        Tags: tags,
      });
      resources[dlq] = { Type: 'AWS::SQS::Queue', Properties: props };
    }
    const props: Record<string, Json> = { QueueName: q.name };
    if (fifo) props.FifoQueue = true;
    Object.assign(props, {
      VisibilityTimeout: q.visibilityTimeout,
      MessageRetentionPeriod: q.retentionSeconds,
      DelaySeconds: q.delaySeconds,
      SqsManagedSseEnabled: true,
    });
    if (q.dlq) props.RedrivePolicy = { deadLetterTargetArn: arn(dlq), maxReceiveCount: q.dlq.maxReceiveCount };
    props.Tags = tags;
    resources[queue] = { Type: 'AWS::SQS::Queue', Properties: props };
    resources[`${b}QueuePolicy`] = {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: { Queues: [ref(queue)], PolicyDocument: queuePolicyDocument<Json, Json>(arn(queue), ref('Topic'), { 'Fn::Sub': `\${${queue}.Arn}/svl` }, cfnQueueStatements(spec, q.name, arn(queue))) },
    };
    const subDlq = `${b}SubscriptionDlq`;
    if (q.subscriptionDlq) {
      const props: Record<string, Json> = { QueueName: q.subscriptionDlq.name };
      if (fifo) props.FifoQueue = true;
      Object.assign(props, {
        MessageRetentionPeriod: q.subscriptionDlq.retentionSeconds,
        SqsManagedSseEnabled: true,
        RedriveAllowPolicy: { redrivePermission: 'denyAll' },
        Tags: tags,
      });
      resources[subDlq] = { Type: 'AWS::SQS::Queue', Properties: props };
      resources[`${subDlq}Policy`] = {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: { Queues: [ref(subDlq)], PolicyDocument: queuePolicyDocument<Json>(arn(subDlq), ref('Topic'), { 'Fn::Sub': `\${${subDlq}.Arn}/svl` }) },
      };
    }
    const sub: Record<string, Json> = { TopicArn: ref('Topic'), Protocol: 'sqs', Endpoint: arn(queue), RawMessageDelivery: q.rawDelivery };
    if (q.filterPolicy) Object.assign(sub, { FilterPolicy: q.filterPolicy as Json, FilterPolicyScope: q.filterPolicyScope });
    if (q.subscriptionDlq) sub.RedrivePolicy = { deadLetterTargetArn: arn(subDlq) };
    resources[`${b}Subscription`] = { Type: 'AWS::SNS::Subscription', DependsOn: q.subscriptionDlq ? [`${b}QueuePolicy`, `${subDlq}Policy`] : `${b}QueuePolicy`, Properties: sub };
    if (q.consumer) {
      const c = q.consumer;
      const esm: Record<string, Json> = { EventSourceArn: arn(queue), FunctionName: ref(fnParam.get(c.function)!), Enabled: true, BatchSize: c.batchSize };
      if (!(fifo && c.batchingWindowSeconds === 0)) esm.MaximumBatchingWindowInSeconds = c.batchingWindowSeconds;
      if (c.reportBatchItemFailures) esm.FunctionResponseTypes = ['ReportBatchItemFailures'];
      resources[`${b}EventSourceMapping`] = { Type: 'AWS::Lambda::EventSourceMapping', Properties: esm };
    }
    outputs[`${b}QueueUrl`] = { Description: `URL of the queue ${q.name}`, Value: ref(queue) };
    if (q.dlq) outputs[`${b}DlqUrl`] = { Description: `URL of the dead-letter queue ${q.dlq.name}`, Value: ref(dlq) };
    if (q.subscriptionDlq) outputs[`${subDlq}Url`] = { Description: `URL of the subscription dead-letter queue ${q.subscriptionDlq.name}`, Value: ref(subDlq) };
  });

  const fns = cfnFunctions(spec, tags, {
    ids: fnParam,
    queue: (n) => `${bases[spec.queues.findIndex((q) => q.name === n)]}Queue`,
    codeKey: code.codeKey ?? ((f) => `${spec.name}/${f.name}.zip`),
    used,
  });
  Object.assign(parameters, fns.parameters);
  Object.assign(resources, fns.resources);
  const apis = cloudFormationApis(spec, (fn) => fnParam.get(fn)!, used);
  Object.assign(resources, apis.resources);
  Object.assign(outputs, apis.outputs);
  const s3 = cfnBuckets(spec, tags, { queueBase: new Map(spec.queues.map((q, i) => [q.name, bases[i]!])), fnParam, used });
  Object.assign(resources, s3.resources);
  Object.assign(outputs, s3.outputs);
  const n = spec.queues.length;
  const template: Record<string, Json> = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `svl flow "${spec.name}": SNS topic ${spec.topic.name} fanning out to ${n} SQS queue${n === 1 ? '' : 's'} (exported by svl export)`,
  };
  if (Object.keys(parameters).length) template.Parameters = parameters;
  template.Resources = resources;
  template.Outputs = outputs;
  return `${JSON.stringify(template, null, 2)}\n`;
}

