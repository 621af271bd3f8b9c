/** Validation of subscription attributes (Subscribe `Attributes`, SetSubscriptionAttributes). */
import * as E from './errors.js';
import { validateFilterPolicy } from './filter-policy.js';
import { validateFilterPolicyScope, type FilterPolicyApi, type FilterPolicyScope } from './filter-policy-validate.js';
import type { SnsService } from './service.js';

/**
 * Returns the value to store. `scopeOrValue` is the FilterPolicyScope in effect when validating a
 * FilterPolicy. Subscribe errors read `Invalid parameter: Attributes Reason: <Name>: …`,
 * SetSubscriptionAttributes errors `Invalid parameter: <Name>: …` (AWS-recorded).
 */
export function validateSubscriptionAttribute(
  svc: SnsService,
  protocol: string,
  name: string,
  value: string,
  api: FilterPolicyApi,
  scopeOrValue: string,
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
      return validateFilterPolicyScope(value, { api });
    case 'FilterPolicy':
      validateFilterPolicy(value, scopeOrValue as FilterPolicyScope, { api });
      return value;
    case 'RedrivePolicy': {
      let p: { deadLetterTargetArn?: unknown };
      try {
        p = JSON.parse(value) as typeof p;
      } catch {
        throw E.invalidParameter(`${prefix}RedrivePolicy: failed to parse JSON.`);
      }
      const arn = p?.deadLetterTargetArn;
      if (typeof arn !== 'string' || !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(arn)) {
        throw E.invalidParameter(`${prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn`);
      }
      return JSON.stringify({ deadLetterTargetArn: arn });
    }
    case 'DeliveryPolicy': {
      try {
        const p = JSON.parse(value) as unknown;
        if (!p || typeof p !== 'object') throw new Error('not an object');
      } catch {
        throw E.invalidParameter(`${prefix}DeliveryPolicy: failed to parse JSON.`);
      }
      return value;
    }
    default:
      void svc;
      return value;
  }
}
