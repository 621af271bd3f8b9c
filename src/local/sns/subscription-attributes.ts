/** Validation of subscription attributes (Subscribe `Attributes`, SetSubscriptionAttributes). */
import * as E from './errors.js';
import type { FilterPolicyApi, FilterPolicyScope } from '../../domain/filter-policy-validate.js';
import { filterPolicies } from './filter-policies.js';

/**
 * Returns the value to store. FilterPolicy, FilterPolicyScope and RedrivePolicy need the filter-policy
 * engine loaded (filter-policies.ts). `scopeOrValue` is the FilterPolicyScope in effect when validating a
 * FilterPolicy. Subscribe errors read `Invalid parameter: Attributes Reason: <Name>: …`,
 * SetSubscriptionAttributes errors `Invalid parameter: <Name>: …` (AWS-recorded).
 */
export function validateSubscriptionAttribute(
  protocol: string,
  name: string,
  value: string,
  api: FilterPolicyApi,
  scopeOrValue: string,
  sub: { topicFifo: boolean; endpoint: string } = { topicFifo: false, endpoint: '' },
): string {
  const prefix = api === 'Subscribe' ? 'Attributes Reason: ' : '';
  switch (name) {
    case 'RawMessageDelivery': {
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') throw E.invalidParameter(`${prefix}RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
      if (v === 'true' && !['sqs', 'http', 'https', 'firehose'].includes(protocol)) {
        throw E.invalidParameter(`${prefix}Delivery protocol [${protocol}] does not support raw message delivery.`);
      }
      return v;
    }
    case 'FilterPolicyScope':
      return filterPolicies().policy.validateFilterPolicyScope(value, { api });
    case 'FilterPolicy':
      filterPolicies().policy.validateFilterPolicy(value, scopeOrValue as FilterPolicyScope, { api });
      return value;
    case 'RedrivePolicy': {
      let p: { deadLetterTargetArn?: unknown };
      const { JsonSyntaxError, jacksonRedactedLocation, parseJson } = filterPolicies().json;
      try {
        parseJson(value); // Jackson's wording of syntax errors (AWS-recorded prefix "RedrivePolicy: failed to parse JSON. ")
        p = JSON.parse(value) as typeof p;
      } catch (e) {
        const detail = e instanceof JsonSyntaxError ? ` ${e.message}\n at ${jacksonRedactedLocation(e.line, e.column)}` : '';
        throw E.invalidParameter(`${prefix}RedrivePolicy: failed to parse JSON.${detail}`);
      }
      const arn = p?.deadLetterTargetArn;
      if (typeof arn !== 'string' || !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(arn)) {
        throw E.invalidParameter(`${prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn`);
      }
      if (sub.topicFifo && sub.endpoint.endsWith('.fifo') && !arn.endsWith('.fifo')) {
        throw E.invalidParameter(`${prefix}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.`); // AWS-recorded
      }
      return JSON.stringify({ deadLetterTargetArn: arn });
    }
    case 'DeliveryPolicy': {
      let p: Record<string, unknown>;
      try {
        p = JSON.parse(value) as Record<string, unknown>;
        if (!p || typeof p !== 'object' || Array.isArray(p)) throw new Error('not an object');
      } catch {
        throw E.invalidParameter(`${prefix}DeliveryPolicy: failed to parse JSON.`);
      }
      // Stored in AWS's normalised shape (AWS-recorded test_subscribe_external_http_endpoint_content_type).
      return JSON.stringify({
        healthyRetryPolicy: p.healthyRetryPolicy ?? null,
        sicklyRetryPolicy: p.sicklyRetryPolicy ?? null,
        throttlePolicy: p.throttlePolicy ?? null,
        requestPolicy: p.requestPolicy ?? null,
        guaranteed: p.guaranteed === true,
      });
    }
    default:
      return value;
  }
}
