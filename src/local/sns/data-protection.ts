/**
 * PutDataProtectionPolicy / GetDataProtectionPolicy (and CreateTopic's DataProtectionPolicy member): the
 * policy is validated as a JSON object, stored per topic and returned as sent. It is not applied: messages are never audited, masked or denied.
 * AWS-recorded (test_data_protection_policy_crud): the policy does not appear in GetTopicAttributes.
 * DeleteTopic deletes the row (registry.ts), so a re-created topic starts without a policy.
 */
import type { Db } from '../store/db.js';
import * as E from './errors.js';
import type { SnsContext, SnsService } from './service.js';
import type { Topic } from './registry.js';
import { arnParts, optString, type Input, type Output } from './ops-common.js';
import type { DATA_PROTECTION_OPERATIONS } from './constants.js';

export class SnsDataProtection {
  private readonly s;

  constructor(
    private readonly sns: SnsService,
    db: Db,
  ) {
    this.s = {
      get: db.prepare(`SELECT policy FROM sns_data_protection WHERE topic_arn = ?`),
      put: db.prepare(`INSERT OR REPLACE INTO sns_data_protection (topic_arn, policy) VALUES (?, ?)`),
    };
  }

  get ops(): Record<(typeof DATA_PROTECTION_OPERATIONS)[number], (i: Input, c: SnsContext) => Output> {
    return {
      PutDataProtectionPolicy: (i) => this.put(i),
      GetDataProtectionPolicy: (i) => this.get(i),
    };
  }

  /** ResourceArn must be an existing topic: malformed -> InvalidParameter, unknown -> NotFound (as the topic operations). */
  private topic(input: Input): Topic {
    const arn = optString(input, 'ResourceArn');
    if (!arn) throw E.invalidParameter('ResourceArn');
    const parts = arnParts(arn, 'ResourceArn');
    if (parts[0] !== 'arn' || parts[2] !== 'sns') throw E.invalidParameter('ResourceArn Reason: A resource ARN must be an SNS ARN'); // UNVERIFIED text
    const t = this.sns.registry.topics.get(arn);
    if (!t) throw E.topicNotFound();
    return t;
  }

  /** CreateTopic with a DataProtectionPolicy member: validated first, stored once the topic exists. */
  withCreateTopic(input: Input, create: () => Output): Output {
    const policy = optString(input, 'DataProtectionPolicy');
    if (policy === undefined || policy === '') return create();
    validate(policy);
    const out = create();
    const t = this.sns.registry.topics.get(out.TopicArn as string);
    if (t) this.s.put.run(t.arn, policy);
    return out;
  }

  private put(input: Input): Output {
    const t = this.topic(input);
    const policy = optString(input, 'DataProtectionPolicy');
    if (policy === undefined) throw E.invalidParameter('DataProtectionPolicy');
    validate(policy);
    this.s.put.run(t.arn, policy);
    this.sns.log(`SNS data protection policy ${t.name} (stored, not applied)`);
    return {};
  }

  /** A topic without a policy answers an empty string (the member is present, as AWS sends it). UNVERIFIED. */
  private get(input: Input): Output {
    const t = this.topic(input);
    const row = this.s.get.get(t.arn) as { policy: string } | undefined;
    return { DataProtectionPolicy: row?.policy ?? '' };
  }
}

/** A data protection policy must be a JSON object (same wording as the topic attribute; UNVERIFIED for these operations). */
function validate(policy: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    doc = undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw E.invalidParameter('DataProtectionPolicy: failed to parse JSON.');
}
