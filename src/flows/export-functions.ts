/**
 * The functions a spec declares (function-spec.ts) as Terraform blocks and CloudFormation resources: the
 * package, an execution role with a least-privilege inline policy (unless the spec names a role), and the
 * function (handler, runtime, timeout, memory, environment, the flow's tags). export.ts then points the
 * mappings, permissions, integrations and notifications at these resources instead of reading existing
 * functions. Terraform zips the code directory itself (`archive_file`, a path relative to the exported
 * file); CloudFormation takes the package from S3 (`CodeBucket` parameter, one key parameter per function;
 * the command writes the zips, see src/commands/export/run.ts).
 *
 * What the policy grants, and how it is inferred from the spec (nothing else is read):
 * - CloudWatch Logs: create the function's log group `/aws/lambda/<name>`, its streams, put events;
 * - sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes on each queue whose consumer it is
 *   (what an event source mapping needs; ChangeMessageVisibility too, for partial batch responses);
 * - sns:Publish on the flow's topic when an environment value is the topic's name or ARN;
 * - s3:GetObject, s3:PutObject, s3:DeleteObject on the objects, and s3:ListBucket on the bucket, of each of
 *   the flow's buckets whose name is an environment value.
 * Anything else the code does (another service, a resource outside the flow) needs the spec's `role`.
 */
import { Call, Ref, Tpl, hclIdentifier, type Block, type HclValue } from './hcl.js';
import type { FunctionSpec } from './function-spec.js';
import type { FlowSpec } from './spec.js';

/** What a declared function's policy grants, from the spec (see the header). */
export interface InferredAccess {
  queues: string[];
  topic: boolean;
  buckets: string[];
}

export function inferAccess(spec: FlowSpec, f: FunctionSpec): InferredAccess {
  const values = new Set(Object.values(f.environment));
  const topicMentioned = [...values].some((v) => v === spec.topic.name || (v.startsWith('arn:') && v.split(':')[2] === 'sns' && v.endsWith(`:${spec.topic.name}`)));
  return {
    queues: spec.queues.filter((q) => q.consumer?.function === f.name).map((q) => q.name),
    topic: topicMentioned,
    buckets: (spec.buckets ?? []).filter((b) => values.has(b.name)).map((b) => b.name),
  };
}

export const LAMBDA_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** The policy document, generic in how ARNs are written (Terraform references or CloudFormation intrinsics). */
export function functionPolicy<T>(access: InferredAccess, arn: { logGroup: T; queue(name: string): T; topic: T; bucket(name: string): T; objects(name: string): T }) {
  const statements: Array<Record<string, unknown>> = [
    { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arn.logGroup },
  ];
  if (access.queues.length) {
    statements.push({ Sid: 'ConsumeQueues', Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'], Resource: access.queues.map(arn.queue) });
  }
  if (access.topic) statements.push({ Sid: 'PublishTopic', Effect: 'Allow', Action: 'sns:Publish', Resource: arn.topic });
  if (access.buckets.length) {
    statements.push({ Sid: 'BucketObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: access.buckets.map(arn.objects) });
    statements.push({ Sid: 'BucketList', Effect: 'Allow', Action: 's3:ListBucket', Resource: access.buckets.map(arn.bucket) });
  }
  return { Version: '2012-10-17', Statement: statements };
}

// ---------------------------------------------------------------------------------------------------
// Terraform

export interface TfFunctionRefs {
  /** Terraform name of each declared function (`aws_lambda_function.<id>`), by function name. */
  ids: Map<string, string>;
  queue(name: string): string;
  topic: string;
  bucket(name: string): string;
  /** The code directory as a path relative to the exported file's directory. */
  codePath(f: FunctionSpec): string;
}

export function terraformFunctions(spec: FlowSpec, refs: TfFunctionRefs): Block[] {
  const blocks: Block[] = [];
  for (const f of spec.functions ?? []) {
    const id = refs.ids.get(f.name)!;
    blocks.push({
      type: 'data',
      labels: ['archive_file', id],
      attrs: {
        type: 'zip',
        source_dir: new Tpl([new Ref('path.module'), `/${refs.codePath(f)}`]),
        output_path: new Tpl([new Ref('path.module'), `/.svl-build/${f.name}.zip`]),
      },
    });
    let role: HclValue = f.role ?? '';
    if (!f.role) {
      const access = inferAccess(spec, f);
      blocks.push({
        type: 'resource',
        labels: ['aws_iam_role', id],
        attrs: { name: f.name.length <= 59 ? `${f.name}-role` : undefined, assume_role_policy: new Call('jsonencode', [LAMBDA_TRUST as unknown as HclValue]), tags: new Ref('local.tags') },
      });
      const doc = functionPolicy<HclValue>(access, {
        logGroup: `arn:aws:logs:*:*:log-group:/aws/lambda/${f.name}:*`,
        queue: (q) => new Ref(`${refs.queue(q)}.arn`),
        topic: new Ref(`${refs.topic}.arn`),
        bucket: (b) => new Ref(`${refs.bucket(b)}.arn`),
        objects: (b) => new Tpl([new Ref(`${refs.bucket(b)}.arn`), '/*']),
      });
      blocks.push({
        type: 'resource',
        labels: ['aws_iam_role_policy', id],
        attrs: { name: 'least-privilege', role: new Ref(`aws_iam_role.${id}.id`), policy: new Call('jsonencode', [doc as unknown as HclValue]) },
      });
      role = new Ref(`aws_iam_role.${id}.arn`);
    }
    const hasEnv = Object.keys(f.environment).length > 0;
    blocks.push({
      type: 'resource',
      labels: ['aws_lambda_function', id],
      attrs: {
        function_name: f.name,
        role,
        handler: f.handler,
        runtime: f.runtime,
        timeout: f.timeout,
        memory_size: f.memory,
        filename: new Ref(`data.archive_file.${id}.output_path`),
        source_code_hash: new Ref(`data.archive_file.${id}.output_base64sha256`),
        tags: new Ref('local.tags'),
        // The policy is in place before the function runs (its first logs, its first batch).
        depends_on: f.role ? undefined : [new Ref(`aws_iam_role_policy.${id}`)],
      },
      blocks: hasEnv ? [{ type: 'environment', labels: [], attrs: { variables: Object.fromEntries(Object.entries(f.environment).sort(([a], [b]) => (a < b ? -1 : 1))) } }] : undefined,
    });
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------------
// CloudFormation

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export interface CfnFunctionRefs {
  /** Logical id of each declared function's AWS::Lambda::Function, by function name. */
  ids: Map<string, string>;
  /** Logical id of a queue, by queue name. */
  queue(name: string): string;
  /** The S3 key of a function's package (the default of its key parameter). */
  codeKey(f: FunctionSpec): string;
  used: Set<string>;
}

export function cfnFunctions(spec: FlowSpec, tags: Json, refs: CfnFunctionRefs): { parameters: Record<string, Json>; resources: Record<string, Json> } {
  const parameters: Record<string, Json> = {};
  const resources: Record<string, Json> = {};
  const fns = spec.functions ?? [];
  if (!fns.length) return { parameters, resources };
  parameters.CodeBucket = { Type: 'String', MinLength: 3, Description: 'S3 bucket holding the functions\' packages (svl export writes them next to the template; upload them with aws s3 cp)' };
  for (const f of fns) {
    const id = refs.ids.get(f.name)!;
    const key = `${id}CodeKey`;
    refs.used.add(key);
    parameters[key] = { Type: 'String', Default: refs.codeKey(f), MinLength: 1, Description: `S3 key of the package of ${f.name} in CodeBucket` };
    let role: Json = f.role ?? '';
    if (!f.role) {
      const roleId = `${id}Role`;
      refs.used.add(roleId);
      const doc = functionPolicy<Json>(inferAccess(spec, f), {
        logGroup: { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${f.name}:*` },
        queue: (q) => ({ 'Fn::GetAtt': [refs.queue(q), 'Arn'] }),
        topic: { Ref: 'Topic' },
        // By name, not GetAtt: a bucket that notifies this function depends on it (through its permission).
        bucket: (b) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${b}` }),
        objects: (b) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${b}/*` }),
      });
      resources[roleId] = {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: LAMBDA_TRUST as unknown as Json, Policies: [{ PolicyName: 'least-privilege', PolicyDocument: doc as unknown as Json }], Tags: tags },
      };
      role = { 'Fn::GetAtt': [roleId, 'Arn'] };
    }
    const props: Record<string, Json> = {
      FunctionName: f.name,
      Role: role,
      Handler: f.handler,
      Runtime: f.runtime,
      Timeout: f.timeout,
      MemorySize: f.memory,
      Code: { S3Bucket: { Ref: 'CodeBucket' }, S3Key: { Ref: key } },
    };
    if (Object.keys(f.environment).length) props.Environment = { Variables: f.environment };
    props.Tags = tags;
    resources[id] = { Type: 'AWS::Lambda::Function', Properties: props };
  }
  return { parameters, resources };
}

/** Terraform and CloudFormation names of the declared functions: `hclIdentifier`, `<Name>Function`. */
export const tfFunctionId = (name: string) => hclIdentifier(name, 'function');
