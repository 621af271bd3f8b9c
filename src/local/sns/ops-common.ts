/**
 * Small helpers shared by every SNS operation group (service.ts, permissions, data protection, platform
 * applications/endpoints, SMS): parameter readers, ARN shape, paging and the errors these operations
 * share. No state, and nothing about topics or subscriptions themselves (service.ts).
 */
import { AwsError } from '../../domain/aws-error.js';
import * as E from './errors.js';

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

/** An optional string parameter; a non-string is InvalidParameter naming it. */
export function optString(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw E.invalidParameter(name);
  return v;
}

/** A required string parameter (missing or empty: "Invalid parameter: <name>"). UNVERIFIED wording for the missing case. */
export function reqString(input: Input, name: string): string {
  const v = optString(input, name);
  if (v === undefined || v === '') throw E.invalidParameter(name);
  return v;
}

/**
 * A required attribute map. AWS-recorded (test_create_platform_application_invalid_attributes[no-args],
 * test_set_platform_endpoint_attributes_invalid_attributes[Empty]): a missing map is a model validation error.
 */
export function reqAttributes(input: Input, member = 'attributes'): Record<string, string> {
  const raw = input.Attributes ?? input[member];
  if (raw === undefined || raw === null) throw nullMember(member);
  return stringMap(raw, member);
}

export function stringMap(raw: unknown, name: string): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw E.invalidParameter(name);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out[k] = String(v);
  return out;
}

export const nullMember = (member: string) =>
  E.validationError(`Value null at '${member}' failed to satisfy constraint: Member must not be null`);

/** AWS's texts for an ARN parameter with fewer than 6 elements (AWS-recorded for PlatformApplicationArn, TopicArn). */
export function arnParts(value: string, param: string): string[] {
  const parts = value.split(':');
  if (parts.length < 6) throw E.invalidParameter(`${param} Reason: An ARN must have at least 6 elements, not ${parts.length}`);
  return parts;
}

/** Pages with an opaque token (the base64 index of the next element); a token that is not one is InvalidParameter. */
export function page<T>(all: T[], token: string | undefined, size: number, tokenName = 'NextToken'): { items: T[]; next?: string } {
  let start = 0;
  if (token !== undefined && token !== '') {
    const n = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(n) || n < 0 || Buffer.from(String(n)).toString('base64') !== token) throw E.invalidParameter(tokenName);
    start = n;
  }
  const items = all.slice(start, start + size);
  const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
  return { items, next };
}

/** A `MaxResults` within the model's range, else ValidationError (the model constraint). */
export function maxResults(input: Input, max: number, code = 'ValidationError'): number {
  const v = input.MaxResults;
  if (v === undefined || v === null) return max;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    const bound = Number(v) < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`;
    throw new AwsError(code, `1 validation error detected: Value '${String(v)}' at 'maxResults' failed to satisfy constraint: Member must have value ${bound}`);
  }
  return v;
}

export const authorizationError = (message: string) => new AwsError('AuthorizationError', message, { status: 403 });

/**
 * True when a Publish targets a platform endpoint ARN (`…:endpoint/…`), which platform.ts answers. Here, not
 * there: Publish decides by it before the platform part is loaded.
 */
export function publishesToEndpoint(input: Input): boolean {
  return input.TopicArn === undefined && typeof input.TargetArn === 'string' && /^arn:[^:]+:sns:[^:]*:[^:]*:endpoint\//.test(input.TargetArn);
}

/** True when a Publish sends an SMS straight to a number (`PhoneNumber` without a topic or target), which sms.ts answers. */
export function publishesToPhone(input: Input): boolean {
  return input.PhoneNumber !== undefined && input.TopicArn === undefined && input.TargetArn === undefined;
}

/** A CreateTopic that carries a DataProtectionPolicy (anything but absent or empty), which data-protection.ts checks and stores. */
export function createsWithDataProtection(input: Input): boolean {
  const v = input.DataProtectionPolicy;
  return v !== undefined && v !== null && v !== '';
}
