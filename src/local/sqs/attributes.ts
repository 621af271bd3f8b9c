/**
 * Queue attribute validation and normalisation for CreateQueue / SetQueueAttributes, with AWS's
 * defaults, ranges and error codes (../shared/reference/aws-wire.md §3.2, §3.5).
 */
import * as E from './errors.js';
import { FIFO_ONLY_ATTRIBUTES, INT_ATTRIBUTES, SETTABLE_ATTRIBUTES } from './constants.js';
import { nameFromArn } from './model.js';

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface RedriveAllowPolicy {
  redrivePermission: 'allowAll' | 'denyAll' | 'byQueue';
  sourceQueueArns?: string[];
}

/** Effective attribute value as AWS reports it (explicit value, else default). */
export function effectiveAttribute(attrs: Record<string, string>, name: string, fifo: boolean): string | undefined {
  if (attrs[name] !== undefined) return attrs[name];
  const int = INT_ATTRIBUTES[name];
  if (int && name !== 'KmsDataKeyReusePeriodSeconds') return String(int.def);
  switch (name) {
    case 'SqsManagedSseEnabled':
      // Turning KMS on stores SqsManagedSseEnabled "false" (queues.ts); untouched queues report "true".
      return attrs.KmsMasterKeyId ? 'false' : 'true';
    case 'KmsDataKeyReusePeriodSeconds':
      return attrs.KmsMasterKeyId ? String(INT_ATTRIBUTES.KmsDataKeyReusePeriodSeconds!.def) : undefined;
    case 'FifoQueue':
      return fifo ? 'true' : undefined;
    case 'ContentBasedDeduplication':
      return fifo ? 'false' : undefined;
    case 'DeduplicationScope':
      return fifo ? 'queue' : undefined;
    case 'FifoThroughputLimit':
      return fifo ? 'perQueue' : undefined;
    default:
      return undefined;
  }
}

export function intAttribute(attrs: Record<string, string>, name: keyof typeof INT_ATTRIBUTES & string): number {
  const v = attrs[name];
  return v === undefined ? INT_ATTRIBUTES[name]!.def : Number(v);
}

export function parseRedrivePolicy(raw: string | undefined): RedrivePolicy | undefined {
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    if (!p.deadLetterTargetArn) return undefined;
    return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) };
  } catch {
    return undefined;
  }
}

export function parseRedriveAllowPolicy(raw: string | undefined): RedriveAllowPolicy | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as RedriveAllowPolicy;
  } catch {
    return undefined;
  }
}

const BOOL = new Set(['true', 'false']);

export interface AttributeContext {
  fifo: boolean;
  creating: boolean;
  queueArn: string;
  /** The queue's stored attributes when changing them (SetQueueAttributes); rules spanning two attributes see both. */
  current?: Record<string, string>;
  /** Looks up another queue by ARN: its FIFO-ness and RedriveAllowPolicy, or undefined if it does not exist. */
  lookup(arn: string): { fifo: boolean; allow?: RedriveAllowPolicy } | undefined;
}

/**
 * Validates the attributes of a request and returns them normalised (string values; `""` means "reset
 * to default"). Throws the AWS error for the first bad attribute.
 */
export function validateAttributes(input: unknown, ctx: AttributeContext): Record<string, string> {
  const given = input ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) throw E.invalidParameterValue('Attributes must be a map.');
  const out: Record<string, string> = {};
  // No attributes still goes through the checks below: they judge the queue as it will be (`ctx.current`).
  for (const [name, rawValue] of Object.entries(given as Record<string, unknown>)) {
    if (!SETTABLE_ATTRIBUTES.has(name)) throw E.unknownAttribute(name);
    const value = typeof rawValue === 'string' ? rawValue : rawValue === undefined || rawValue === null ? '' : String(rawValue);
    if (FIFO_ONLY_ATTRIBUTES.includes(name)) {
      if (name === 'FifoQueue') {
        // AWS-recorded: on a standard queue FifoQueue (even "false") is an unknown attribute, at creation
        // and later; on a FIFO queue SetQueueAttributes accepts "true" (a no-op) and refuses "false".
        if (!ctx.fifo) throw E.unknownAttribute(name);
        if (!BOOL.has(value.toLowerCase())) throw E.invalidAttributeValue(name, 'Must be true or false.');
        if (!ctx.creating && value.toLowerCase() !== 'true') {
          throw E.invalidAttributeValue('FifoQueue', 'Modifying queue type is not supported.');
        }
        if (ctx.creating) out[name] = 'true';
        continue;
      }
      if (!ctx.fifo) {
        // AWS-recorded: ContentBasedDeduplication is "Unknown Attribute" on a standard queue, the two
        // high-throughput attributes get a dedicated message.
        if (name === 'ContentBasedDeduplication') throw E.unknownAttribute(name);
        throw E.invalidAttributeName(`You can specify the ${name} only when FifoQueue is set to true.`);
      }
    }
    const int = INT_ATTRIBUTES[name];
    if (int) {
      if (!/^-?\d+$/.test(value.trim()) || Number(value) < int.min || Number(value) > int.max) {
        throw E.invalidAttributeValue(name, `Must be an integer from ${int.min} to ${int.max}.`);
      }
      out[name] = String(Number(value));
      continue;
    }
    switch (name) {
      case 'ContentBasedDeduplication':
      case 'SqsManagedSseEnabled':
        // Booleans are case-insensitive on AWS ("True" is accepted); stored and reported in lower case.
        if (!BOOL.has(value.toLowerCase())) throw E.invalidAttributeValue(name, 'Must be true or false.');
        out[name] = value.toLowerCase();
        continue;
      case 'DeduplicationScope':
        if (value !== 'queue' && value !== 'messageGroup') throw E.invalidAttributeValue(name, 'Must be queue or messageGroup.');
        break;
      case 'FifoThroughputLimit':
        if (value !== 'perQueue' && value !== 'perMessageGroupId') throw E.invalidAttributeValue(name, 'Must be perQueue or perMessageGroupId.');
        break;
      case 'Policy':
        if (value !== '') validatePolicyDocument(value);
        break;
      case 'RedrivePolicy':
        out[name] = value === '' || value === '{}' ? '' : validateRedrivePolicy(value, ctx);
        continue;
      case 'RedriveAllowPolicy':
        out[name] = value === '' || value === '{}' ? '' : validateRedriveAllowPolicy(value);
        continue;
      case 'KmsMasterKeyId':
        break;
    }
    out[name] = value;
  }
  // AWS-recorded: asking for KMS and SQS-managed encryption in one request is refused.
  if (out.KmsMasterKeyId && out.SqsManagedSseEnabled === 'true') {
    throw E.invalidAttributeName('You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.');
  }
  // Checked on the queue as it will be: the request's values over the current ones.
  const throughput = out.FifoThroughputLimit ?? ctx.current?.FifoThroughputLimit;
  const scope = out.DeduplicationScope ?? ctx.current?.DeduplicationScope;
  if (throughput === 'perMessageGroupId' && scope !== 'messageGroup') {
    throw E.invalidAttributeValue(
      'FifoThroughputLimit',
      'The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.',
    );
  }
  return out;
}

function validatePolicyDocument(value: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw E.invalidAttributeValue('Policy', 'Policy must be valid JSON.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw E.invalidAttributeValue('Policy', 'Policy must be a JSON object.');
  const st = (doc as { Statement?: unknown }).Statement;
  if (st === undefined || (typeof st !== 'object' && !Array.isArray(st))) {
    throw E.invalidAttributeValue('Policy', 'Policy document must contain a Statement.');
  }
}

function validateRedrivePolicy(value: string, ctx: AttributeContext): string {
  const bad = (reason: string) => E.invalidParameter('RedrivePolicy', value, reason);
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw bad('Redrive policy is not a valid JSON map.');
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad('Redrive policy is not a valid JSON map.');
  for (const k of Object.keys(p)) {
    if (k !== 'deadLetterTargetArn' && k !== 'maxReceiveCount') throw bad(`Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].`);
  }
  if (p.deadLetterTargetArn === undefined) throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (p.maxReceiveCount === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  const count = typeof p.maxReceiveCount === 'number' ? p.maxReceiveCount : Number(String(p.maxReceiveCount).trim() || NaN);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw bad(`Invalid value for maxReceiveCount: ${String(p.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  const arn = p.deadLetterTargetArn;
  if (typeof arn !== 'string' || !nameFromArn(arn)) throw bad('Invalid value for deadLetterTargetArn.');
  const dlq = ctx.lookup(arn);
  if (!dlq) throw bad('Dead letter target does not exist.');
  if (dlq.fifo !== ctx.fifo) throw bad('Dead-letter queue must be same type of queue as the source.');
  if (arn === ctx.queueArn) throw bad('Dead-letter queue cannot be the queue itself.');
  const allow = dlq.allow;
  if (allow?.redrivePermission === 'denyAll' || (allow?.redrivePermission === 'byQueue' && !allow.sourceQueueArns?.includes(ctx.queueArn))) {
    throw bad('Queue ' + ctx.queueArn + ' does not have permission to use ' + arn + ' as a dead-letter queue.');
  }
  return JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: count });
}

function validateRedriveAllowPolicy(value: string): string {
  const bad = (reason: string) => E.invalidParameter('RedriveAllowPolicy', value, reason);
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw bad('Redrive allow policy is not a valid JSON map.');
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad('Redrive allow policy is not a valid JSON map.');
  const perm = p.redrivePermission;
  if (perm !== 'allowAll' && perm !== 'denyAll' && perm !== 'byQueue') {
    throw bad('Invalid value for redrivePermission. Valid values are allowAll, denyAll and byQueue.');
  }
  const arns = p.sourceQueueArns;
  if (perm === 'byQueue') {
    if (!Array.isArray(arns) || arns.length === 0) throw bad('sourceQueueArns must be provided when redrivePermission is byQueue.');
    if (arns.length > 10) throw bad('Maximum number of source queue ARNs is 10.');
    if (!arns.every((a) => typeof a === 'string' && nameFromArn(a))) throw bad('Invalid value for sourceQueueArns.');
  } else if (arns !== undefined) {
    throw bad('sourceQueueArns may only be provided when redrivePermission is byQueue.');
  }
  return JSON.stringify(perm === 'byQueue' ? { redrivePermission: perm, sourceQueueArns: arns } : { redrivePermission: perm });
}
