/** Lambda's pure mechanics: function names and ARNs, the FunctionConfiguration shape, input checks. */
import { createHash, randomUUID } from 'node:crypto';
import * as E from './errors.js';
import { MAX_ENV_BYTES, RESERVED_ENV_KEYS } from './constants.js';

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

export interface FunctionConfig {
  Runtime: string;
  Role: string;
  Handler: string;
  Description: string;
  Timeout: number;
  MemorySize: number;
  Environment: Record<string, string>;
  DeadLetterTargetArn?: string;
  Architectures: string[];
  EphemeralStorage: number;
  TracingMode: string;
  LogFormat: string;
  LogGroup?: string;
}

export interface FunctionState {
  State: 'Pending' | 'Active' | 'Failed';
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus: 'InProgress' | 'Successful' | 'Failed';
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
}

export interface EventInvokeConfig {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  OnSuccess?: string;
  OnFailure?: string;
  LastModifiedMs: number;
}

export interface LambdaFunction {
  name: string;
  arn: string;
  config: FunctionConfig;
  state: FunctionState;
  /** Base64 SHA-256 of the zip, as CodeSha256. */
  codeSha256: string;
  codeSize: number;
  revisionId: string;
  modifiedMs: number;
  tags: Record<string, string>;
  policy?: PolicyDocument;
  eventInvokeConfig?: EventInvokeConfig;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: string | { Service?: string; AWS?: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Id: 'default';
  Statement: PolicyStatement[];
}

const NAME_PATTERN = '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const NAME_RE = new RegExp(`^${NAME_PATTERN}$`);

export interface FunctionRef {
  name: string;
  qualifier?: string;
}

/**
 * `FunctionName` as AWS accepts it: a name, `123456789012:function:fn`, or a full ARN, each optionally
 * with `:qualifier`. A malformed value is a ValidationException with the model's pattern.
 */
export function parseFunctionName(value: unknown, field = 'functionName'): FunctionRef {
  if (typeof value !== 'string' || value === '') throw E.constraint(value, field, 'Member must not be null');
  if (value.length > 170) throw E.constraint(value, field, 'Member must have length less than or equal to 170');
  const m = NAME_RE.exec(value);
  if (!m) {
    throw E.constraint(value, field, `Member must satisfy regular expression pattern: ${NAME_PATTERN}`);
  }
  return { name: m[7]!, qualifier: m[9] };
}

export function validateNewFunctionName(name: string): void {
  if (!/^[a-zA-Z0-9-_]{1,64}$/.test(name)) {
    throw E.constraint(name, 'functionName', 'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?');
  }
}

export const functionArn = (region: string, account: string, name: string) => `arn:aws:lambda:${region}:${account}:function:${name}`;

/** `2024-01-01T00:00:00.000+0000`, the LastModified format of FunctionConfiguration. */
const lastModified = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export const codeSha256 = (zip: Buffer) => createHash('sha256').update(zip).digest('base64');
export const newRevisionId = () => randomUUID();

/** The FunctionConfiguration AWS returns (CreateFunction, GetFunctionConfiguration, …). `listed` omits the state fields as ListFunctions does. */
export function renderConfiguration(fn: LambdaFunction, listed = false): Output {
  const c = fn.config;
  const out: Output = {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: c.Runtime,
    Role: c.Role,
    Handler: c.Handler,
    CodeSize: fn.codeSize,
    Description: c.Description,
    Timeout: c.Timeout,
    MemorySize: c.MemorySize,
    LastModified: lastModified(fn.modifiedMs),
    CodeSha256: fn.codeSha256,
    Version: '$LATEST',
    Environment: { Variables: { ...c.Environment } },
    TracingConfig: { Mode: c.TracingMode },
    RevisionId: fn.revisionId,
    PackageType: 'Zip',
    Architectures: [...c.Architectures],
    EphemeralStorage: { Size: c.EphemeralStorage },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: c.LogFormat, LogGroup: c.LogGroup ?? `/aws/lambda/${fn.name}` },
  };
  if (c.DeadLetterTargetArn) out.DeadLetterConfig = { TargetArn: c.DeadLetterTargetArn };
  if (!listed) {
    out.State = fn.state.State;
    if (fn.state.StateReason) out.StateReason = fn.state.StateReason;
    if (fn.state.StateReasonCode) out.StateReasonCode = fn.state.StateReasonCode;
    out.LastUpdateStatus = fn.state.LastUpdateStatus;
    if (fn.state.LastUpdateStatusReason) out.LastUpdateStatusReason = fn.state.LastUpdateStatusReason;
    if (fn.state.LastUpdateStatusReasonCode) out.LastUpdateStatusReasonCode = fn.state.LastUpdateStatusReasonCode;
  }
  return out;
}

// ---- typed input accessors (Lambda's error shapes) ----

export function optString(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw E.invalidParameterValue(`${name} must be a string.`);
  return v;
}

export function reqString(input: Input, name: string, field: string): string {
  const v = optString(input, name);
  if (v === undefined) throw E.constraint(null, field, 'Member must not be null');
  return v;
}

export function optInt(input: Input, name: string, field: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw E.invalidParameterValue(`${name} must be an integer.`);
  if (v < min) throw E.constraint(String(v), field, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw E.constraint(String(v), field, `Member must have value less than or equal to ${max}`);
  return v;
}

export function optObject(input: Input, name: string): Input | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw E.invalidParameterValue(`${name} must be an object.`);
  return v as Input;
}

export function optBool(input: Input, name: string): boolean | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw E.invalidParameterValue(`${name} must be a boolean.`);
  return v;
}

/** Environment.Variables: key pattern, reserved keys, the 4 KB limit (AWS texts). */
export function validateEnvironment(env: Input | undefined): Record<string, string> | undefined {
  if (env === undefined) return undefined;
  const vars = env.Variables;
  if (vars === undefined || vars === null) return {};
  if (typeof vars !== 'object' || Array.isArray(vars)) throw E.invalidParameterValue('Environment.Variables must be a map.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars as Record<string, unknown>)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k)) {
      throw E.validation(
        "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
      );
    }
    if (typeof v !== 'string') throw E.invalidParameterValue(`Environment variable ${k} must be a string.`);
    out[k] = v;
  }
  const reserved = Object.keys(out).filter((k) => RESERVED_ENV_KEYS.has(k));
  if (reserved.length) {
    throw E.invalidParameterValue(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(out);
  if (Buffer.byteLength(measured, 'utf8') > MAX_ENV_BYTES) {
    throw E.invalidParameterValue(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
  return out;
}

export function validateRole(role: string): void {
  if (!/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(role)) {
    throw E.constraint(role, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
  }
}

/** A destination or dead-letter target: an SQS queue, SNS topic or Lambda function ARN. */
export function arnService(arn: string): 'sqs' | 'sns' | 'lambda' | 'events' | undefined {
  const m = /^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events):[a-z0-9-]+:\d{12}:.+$/.exec(arn);
  return m ? (m[1] as 'sqs' | 'sns' | 'lambda' | 'events') : undefined;
}
