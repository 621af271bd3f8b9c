/**
 * AddPermission / RemovePermission (statements of the topic's Policy, the Label as Sid) and the check
 * that a publisher from another account is allowed by that policy.
 *
 * Who the caller is: the emulator has no IAM, so it takes the caller's account from the access key id
 * of the request's SigV4 Authorization header when that id is 12 digits (the convention LocalStack uses);
 * any other access key is the emulator's own account. Enforced: Publish and PublishBatch from another
 * account need an Allow for SNS:Publish in the topic policy (the default policy only allows the owner);
 * an explicit Deny stops the owner too. Not enforced: the other topic actions, IAM identity policies.
 * Does not evaluate policies itself: src/local/iam/policy.ts does (the same evaluator SQS queue policies use).
 */
import * as E from './errors.js';
import { evaluatePolicy } from '../iam/policy.js';
import type { Topic } from './registry.js';
import type { SnsContext, SnsService } from './service.js';
import { defaultTopicPolicy } from './service.js';
import { authorizationError, reqString, type Input, type Output } from './ops-common.js';

/** The actions AddPermission accepts (AWS documents them as the topic policy actions). */
const TOPIC_ACTIONS = new Set([
  'GetTopicAttributes',
  'SetTopicAttributes',
  'AddPermission',
  'RemovePermission',
  'DeleteTopic',
  'Subscribe',
  'ListSubscriptionsByTopic',
  'Publish',
]);

interface PolicyDoc {
  Version?: string;
  Id?: string;
  Statement?: unknown;
  [k: string]: unknown;
}

export class SnsPermissions {
  constructor(private readonly sns: SnsService) {}

  get ops(): Record<string, (i: Input, c: SnsContext) => Output> {
    return {
      AddPermission: (i) => this.addPermission(i),
      RemovePermission: (i) => this.removePermission(i),
    };
  }

  private policyOf(t: Topic): PolicyDoc {
    try {
      const doc = JSON.parse(t.attrs.Policy ?? defaultTopicPolicy(t.arn, this.sns.account)) as PolicyDoc;
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc;
    } catch {
      // fall through: a topic policy is validated as JSON when set, so this is not expected
    }
    return { Version: '2008-10-17', Statement: [] };
  }

  private statements(doc: PolicyDoc): Array<Record<string, unknown>> {
    const s = doc.Statement;
    return (Array.isArray(s) ? s : s === undefined ? [] : [s]) as Array<Record<string, unknown>>;
  }

  private save(t: Topic, doc: PolicyDoc): void {
    this.sns.registry.setTopicAttributes(t, { ...t.attrs, Policy: JSON.stringify(doc) });
  }

  /** AWS-recorded texts (test_add_permission_errors): duplicate Label, unknown action, unknown topic. */
  private addPermission(input: Input): Output {
    const t = this.sns.topicFrom(input, 'TopicArn');
    const label = reqString(input, 'Label');
    const accounts = input.AWSAccountId;
    const actions = input.ActionName;
    // UNVERIFIED: AWS's wording for missing/empty account and action lists.
    if (!Array.isArray(accounts) || accounts.length === 0) throw E.invalidParameter('AWSAccountId');
    if (!Array.isArray(actions) || actions.length === 0) throw E.invalidParameter('ActionName');
    for (const a of accounts) {
      if (typeof a !== 'string' || !(/^\d{12}$/.test(a) || a === '*' || /^arn:aws[\w-]*:iam::\d{12}:/.test(a))) {
        throw E.invalidParameter(`AWSAccountId Reason: ${String(a)} is not a valid account id`); // UNVERIFIED text
      }
    }
    for (const a of actions) {
      if (typeof a !== 'string' || !TOPIC_ACTIONS.has(a)) throw E.invalidParameter('Policy statement action out of service scope!');
    }
    const doc = this.policyOf(t);
    const statements = this.statements(doc);
    if (statements.some((s) => s?.Sid === label)) throw E.invalidParameter('Statement already exists');
    const principals = (accounts as string[]).map((a) => (/^\d{12}$/.test(a) ? `arn:aws:iam::${a}:root` : a));
    const names = (actions as string[]).map((a) => `SNS:${a}`);
    // AWS-recorded (test_topic_add_permission / _multiple_permissions): one value is a string, several a list.
    statements.push({
      Sid: label,
      Effect: 'Allow',
      Principal: { AWS: principals.length === 1 ? principals[0] : principals },
      Action: names.length === 1 ? names[0] : names,
      Resource: t.arn,
    });
    this.save(t, { ...doc, Statement: statements });
    this.sns.log(`SNS permission ${t.name} + ${label} (${names.join(', ')} for ${principals.join(', ')})`);
    return {};
  }

  /** AWS-recorded (test_remove_permission_errors): unknown topic is NotFound; an unknown Label changes nothing. */
  private removePermission(input: Input): Output {
    const t = this.sns.topicFrom(input, 'TopicArn');
    const label = reqString(input, 'Label');
    const doc = this.policyOf(t);
    const statements = this.statements(doc);
    const kept = statements.filter((s) => s?.Sid !== label);
    if (kept.length !== statements.length) {
      this.save(t, { ...doc, Statement: kept });
      this.sns.log(`SNS permission ${t.name} - ${label}`);
    }
    return {};
  }

  /**
   * Throws AuthorizationError (403) when the caller may not publish to the topic of `input` (see the header).
   * UNVERIFIED: the exact AuthorizationError text AWS writes for a cross-account publish.
   */
  authorizePublish(input: Input, ctx: SnsContext): void {
    const arn = typeof input.TopicArn === 'string' ? input.TopicArn : typeof input.TargetArn === 'string' ? input.TargetArn : undefined;
    if (!arn) return;
    const t = this.sns.registry.topics.get(arn);
    if (!t) return; // the publish itself reports the missing topic
    const caller = ctx.callerAccount ?? this.sns.account;
    const owner = caller === this.sns.account;
    // No Policy: the default one allows the owner only (its one statement is conditioned on
    // AWS:SourceOwner), so the answer needs no evaluation on the hot path of every publish.
    if (!t.attrs.Policy) {
      if (owner) return;
      throw authorizationError(`User: arn:aws:iam::${caller}:root is not authorized to perform: SNS:Publish on resource: ${t.arn}`);
    }
    const decision = evaluatePolicy(t.attrs.Policy, {
      principal: { aws: caller },
      action: 'SNS:Publish',
      resource: t.arn,
      keys: { 'AWS:SourceOwner': caller, 'aws:SourceAccount': caller, 'aws:PrincipalAccount': caller },
    });
    if (decision === 'deny' || (!owner && decision !== 'allow')) {
      throw authorizationError(`User: arn:aws:iam::${caller}:root is not authorized to perform: SNS:Publish on resource: ${t.arn}`);
    }
  }
}
