/**
 * S3 bucket notifications, the part that talks to other services: the stored configuration per bucket
 * (table s3_notifications, cached in memory), PutBucketNotificationConfiguration's destination validation
 * and `s3:TestEvent`, and the delivery of object events (the S3EventSink the S3 service calls inside the
 * transaction of each create/delete) to SQS (SendMessage as s3.amazonaws.com, so the queue policy is evaluated),
 * SNS (Publish, Subject "Amazon S3 Notification") and Lambda (an asynchronous invocation).
 * It deliberately does not parse or check the configuration document (notifications.ts) nor build
 * records (event-record.ts), and never touches other services' tables.
 *
 * Fidelity ledger
 * - As AWS documents for PutBucketNotificationConfiguration: every SQS/SNS destination must exist and
 *   its policy must let s3.amazonaws.com send/publish with aws:SourceArn = the bucket ARN (and
 *   aws:SourceAccount = the bucket owner); each then receives an `s3:TestEvent`. A Lambda destination
 *   must exist and its resource policy allow s3.amazonaws.com for the bucket; it gets no test event. A
 *   failure refuses the whole configuration with InvalidArgument "Unable to validate the following
 *   destination configurations" and ArgumentNameN/ArgumentValueN per destination (AWS-recorded texts:
 *   "The destination queue does not exist"; a function: "<arn>, null" / "Not authorized to invoke
 *   function [<arn>]"). The texts for a queue/topic whose policy refuses and for a missing topic
 *   ("Permissions on the destination queue do not allow S3 to publish notifications from this bucket",
 *   "The destination topic does not exist") are UNVERIFIED. The emulator log shows the detail and a fix.
 *   Test events are sent once every destination validated (AWS may send some before another fails), on
 *   every validated PUT, also to destinations that were already configured (as AWS's API reference
 *   describes the PUT: it verifies each destination "by sending a test notification").
 * - `x-amz-skip-destination-validation: true` skips the destination checks and the test events.
 * - At event time a destination that is gone or whose policy now refuses drops the notification with a
 *   log line, as AWS does (silently).
 * - FIFO queues are not supported by S3 as destinations (documented), nor FIFO topics (they need a
 *   MessageGroupId S3 does not send): svl refuses them at configuration time like a destination that does
 *   not validate, with its own ArgumentValue text (UNVERIFIED: what AWS answers for one).
 * - Durability: delivery runs synchronously inside the transaction that commits the object, before the
 *   response: the object row and its destination writes (the SQS message, the SNS fan-out, the Lambda
 *   async-invocation row) are one SQLite commit, so after a crash an acknowledged object has its
 *   notifications (AWS gives at-least-once delivery). A delivery that throws (not a refusal, which is
 *   logged and journalled as dropped) is rolled back to a savepoint and logged; the object still commits.
 * - Cross-region destinations are accepted (AWS requires the bucket's region); not checked.
 * - EventBridgeConfiguration is stored and returned; nothing goes to EventBridge (svl emulates none).
 *   Events svl raises are the S3 service's (ObjectCreated:Put/Copy/CompleteMultipartUpload,
 *   ObjectRemoved:Delete); the other configurable events are accepted and never fire.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { LogFn } from '../log.js';
import type { SqsService } from '../sqs/service.js';
import type { SnsService } from '../sns/service.js';
import type { S3LambdaTarget } from '../lambda/service.js';
import { sendFromService } from '../sqs/send.js';
import { NO_JOURNAL, type JournalSink } from '../journal/journal.js';
import { defaultTopicPolicy } from '../sns/service.js';
import { evaluatePolicy } from '../iam/policy.js';
import { AwsError } from '../../domain/aws-error.js';
import { S3Error } from './errors.js';
import { EMPTY_CONFIG, parseNotificationConfiguration, ruleMatches, serializeNotificationConfiguration, type NotificationConfig, type NotificationRule } from './notifications.js';
import { bucketArn, encodeEventKey, eventMessage, testEventMessage, type RecordSource } from './event-record.js';

export const S3_PRINCIPAL = 's3.amazonaws.com';
export const NOTIFICATION_SUBJECT = 'Amazon S3 Notification';

export interface S3NotifierOptions {
  db: Db;
  sqs: SqsService;
  sns: SnsService;
  lambda: S3LambdaTarget;
  account: string;
  /** Origin of the emulator (SNS envelopes carry URLs under it). */
  endpoint: () => string;
  now: () => number;
  log?: LogFn;
  /** Where each notified object event and each delivery is recorded. */
  journal?: JournalSink;
}

/** One destination that did not validate: AWS's ArgumentName/ArgumentValue and the detail for the log. */
export interface DestinationFailure {
  name: string;
  value: string;
  detail: string;
  fix?: string;
}

export interface PutOptions {
  skipDestinationValidation: boolean;
  requestId: string;
  hostId: string;
}

const short = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);
const KIND_LABEL = { queue: 'queue', topic: 'topic', function: 'λ' } as const;

export class S3Notifier {
  private readonly s;
  /** bucket -> its configuration, read once: `put` is the only writer of the row, and the S3 service reports a bucket's deletion (`bucketRemoved`). */
  private readonly cache = new Map<string, NotificationConfig>();
  private readonly log: LogFn;
  /** Runs the deliveries of one event in a SAVEPOINT inside the object's transaction: a delivery that throws half-way leaves nothing. */
  private readonly savepoint: (fn: () => void) => void;

  constructor(private readonly opts: S3NotifierOptions) {
    this.log = opts.log ?? (() => {});
    this.s = {
      get: opts.db.prepare(`SELECT config FROM s3_notifications WHERE bucket = ?`),
      put: opts.db.prepare(`INSERT OR REPLACE INTO s3_notifications (bucket, config) VALUES (?, ?)`),
    };
    this.savepoint = opts.db.transaction((fn: () => void) => fn());
  }

  /** The bucket's configuration (empty when none was ever put). */
  config(bucket: string): NotificationConfig {
    let config = this.cache.get(bucket);
    if (config) return config;
    const row = this.s.get.get(bucket) as { config: string } | undefined;
    config = row ? (JSON.parse(row.config) as NotificationConfig) : EMPTY_CONFIG;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(bucket, config);
    return config;
  }

  /** The S3EventSink: the bucket was deleted, its configuration row with it. */
  bucketRemoved(bucket: string): void {
    this.cache.delete(bucket);
  }

  /** GetBucketNotificationConfiguration's document. */
  getXml(bucket: string): string {
    return serializeNotificationConfiguration(this.config(bucket));
  }

  /** PutBucketNotificationConfiguration: parse, validate destinations, send test events, store. */
  put(bucket: string, body: string, o: PutOptions): void {
    const config = parseNotificationConfiguration(body);
    if (!o.skipDestinationValidation) {
      const failures = this.validate(bucket, config.rules);
      if (failures.length) {
        this.log(
          `S3 ${bucket}: notification configuration REFUSED (Unable to validate the following destination configurations)` +
            failures.map((f) => `\n    ${f.name}: ${f.detail}${f.fix ? `\n      Fix: ${f.fix}` : ''}`).join(''),
        );
        const fields: Record<string, string> = {};
        failures.forEach((f, i) => {
          fields[`ArgumentName${i + 1}`] = f.name;
          fields[`ArgumentValue${i + 1}`] = f.value;
        });
        throw new S3Error('InvalidArgument', 'Unable to validate the following destination configurations', 400, fields);
      }
      this.sendTestEvents(bucket, config.rules, o);
    }
    this.cache.delete(bucket);
    this.s.put.run(bucket, JSON.stringify(config));
    const summary = config.rules.map((r) => `${KIND_LABEL[r.kind]} ${short(r.Arn)}`).join(', ');
    this.log(`S3 ${bucket}: notifications ${summary || 'cleared'}${config.eventBridge ? ' (+EventBridge, not delivered)' : ''}${o.skipDestinationValidation ? ' (destination validation skipped)' : ''}`);
  }

  /** Each distinct destination that does not exist or would refuse S3 from this bucket. */
  validate(bucket: string, rules: NotificationRule[]): DestinationFailure[] {
    const failures: DestinationFailure[] = [];
    const seen = new Set<string>();
    const source = bucketArn(bucket);
    for (const r of rules) {
      if (seen.has(r.Arn)) continue;
      seen.add(r.Arn);
      const f = r.kind === 'queue' ? this.checkQueue(r.Arn, source) : r.kind === 'topic' ? this.checkTopic(r.Arn, source) : this.checkFunction(r.Arn, source);
      if (f) failures.push(f);
    }
    return failures;
  }

  private policyContext(resource: string, action: string, source: string) {
    return { principal: { service: S3_PRINCIPAL }, action, resource, keys: { 'aws:SourceArn': source, 'aws:SourceAccount': this.opts.account } };
  }

  private checkQueue(arn: string, source: string): DestinationFailure | undefined {
    const q = this.opts.sqs.queues.byArn(arn);
    if (!q) return { name: arn, value: 'The destination queue does not exist', detail: 'no such queue', fix: `create it: aws sqs create-queue --queue-name ${short(arn)}` };
    if (q.fifo) {
      return {
        name: arn,
        value: 'FIFO queues are not supported as S3 event notification destinations',
        detail: 'S3 cannot send to FIFO queues (AWS documents this; svl words the refusal itself)',
        fix: 'use a standard queue, or EventBridge to reach a FIFO queue',
      };
    }
    if (evaluatePolicy(q.attrs.Policy, this.policyContext(q.arn, 'sqs:SendMessage', source)) !== 'allow') {
      return {
        name: arn,
        value: 'Permissions on the destination queue do not allow S3 to publish notifications from this bucket',
        detail: `the queue policy does not allow ${S3_PRINCIPAL} to sqs:SendMessage with aws:SourceArn = ${source}`,
        fix: `give the queue a Policy with {"Effect":"Allow","Principal":{"Service":"${S3_PRINCIPAL}"},"Action":"sqs:SendMessage","Resource":"${arn}","Condition":{"ArnEquals":{"aws:SourceArn":"${source}"}}} (svl apply writes it for you)`,
      };
    }
    return undefined;
  }

  private topicPolicy(arn: string): string | undefined {
    const t = this.opts.sns.registry.topics.get(arn);
    return t ? (t.attrs.Policy ?? defaultTopicPolicy(t.arn, this.opts.account)) : undefined;
  }

  private checkTopic(arn: string, source: string): DestinationFailure | undefined {
    const policy = this.topicPolicy(arn);
    if (policy === undefined) return { name: arn, value: 'The destination topic does not exist', detail: 'no such topic', fix: `create it: aws sns create-topic --name ${short(arn)}` };
    if (this.opts.sns.registry.topics.get(arn)?.fifo) {
      return { name: arn, value: 'FIFO topics are not supported as S3 event notification destinations', detail: 'S3 cannot publish to FIFO topics (svl words the refusal itself)', fix: 'use a standard topic' };
    }
    if (evaluatePolicy(policy, this.policyContext(arn, 'sns:Publish', source)) !== 'allow') {
      return {
        name: arn,
        value: 'Permissions on the destination topic do not allow S3 to publish notifications from this bucket',
        detail: `the topic policy does not allow ${S3_PRINCIPAL} to sns:Publish with aws:SourceArn = ${source} (the default topic policy allows only the owner's account)`,
        fix: `add a statement {"Effect":"Allow","Principal":{"Service":"${S3_PRINCIPAL}"},"Action":"sns:Publish","Resource":"${arn}","Condition":{"ArnLike":{"aws:SourceArn":"${source}"}}} to the topic's Policy`,
      };
    }
    return undefined;
  }

  private checkFunction(arn: string, source: string): DestinationFailure | undefined {
    const why = this.opts.lambda.check(arn, source);
    return why ? { name: `${arn}, null`, value: `Not authorized to invoke function [${arn}]`, detail: why } : undefined;
  }

  private sendTestEvents(bucket: string, rules: NotificationRule[], o: PutOptions): void {
    const body = testEventMessage(bucket, o.requestId, o.hostId, this.opts.now());
    const sent = new Set<string>();
    for (const r of rules) {
      if (r.kind === 'function' || sent.has(r.Arn)) continue;
      sent.add(r.Arn);
      const err = r.kind === 'queue' ? this.toQueue(r.Arn, body, bucket) : this.toTopic(r.Arn, body, bucket);
      this.log(err ? `S3 ${bucket}: s3:TestEvent to ${r.Arn} FAILED: ${err}` : `S3 ${bucket}: s3:TestEvent -> ${KIND_LABEL[r.kind]} ${short(r.Arn)}`);
    }
  }

  /** The S3EventSink: inside the transaction that commits a create/delete (its deliveries commit with it). */
  objectEvent(e: RecordSource): void {
    const config = this.config(e.bucket);
    if (config.rules.length === 0) return;
    this.savepoint(() => this.deliver(e, config));
  }

  private deliver(e: RecordSource, config: NotificationConfig): void {
    const encodedKey = encodeEventKey(e.key);
    const sent: string[] = [];
    const journal = this.opts.journal ?? NO_JOURNAL;
    let origin: number | undefined;
    for (const r of config.rules) {
      if (!ruleMatches(r, e.eventName, encodedKey)) continue;
      // The object event is journalled once, when it notifies anything; each delivery is caused by it.
      origin ??= journal.record({
        type: e.eventName.startsWith('ObjectRemoved') ? 's3.object-removed' : 's3.object-created',
        resource: bucketArn(e.bucket),
        id: e.requestId,
        data: { eventName: e.eventName, key: e.key, ...(e.size !== undefined && { size: e.size }), ...(e.eTag !== undefined && { eTag: e.eTag }) },
      });
      const body = eventMessage(e, r.Id, this.opts.account);
      const hop = journal.reserve();
      const err = r.kind === 'queue' ? this.toQueue(r.Arn, body, e.bucket, hop) : r.kind === 'topic' ? this.toTopic(r.Arn, body, e.bucket, hop) : this.opts.lambda.invoke(r.Arn, body, bucketArn(e.bucket), hop);
      journal.record({
        seq: hop,
        type: err ? 's3.notification-dropped' : 's3.notified',
        resource: bucketArn(e.bucket),
        id: e.requestId,
        cause: origin,
        data: { destination: r.Arn, kind: r.kind, configurationId: r.Id, ...(err && { error: err }) },
      });
      if (err) this.log(`S3 NOTIFICATION DROPPED ${e.bucket} ${e.eventName} ${e.key} -> ${r.Arn}: ${err}`);
      else sent.push(`${KIND_LABEL[r.kind]} ${short(r.Arn)}`);
    }
    if (sent.length) this.log(`S3 ${e.bucket} ${e.eventName} ${e.key} -> ${sent.join(', ')}`);
  }

  /** SendMessage as s3.amazonaws.com from the bucket (the SQS service evaluates the queue policy); the error text, if any. */
  private toQueue(arn: string, body: string, bucket: string, cause?: number): string | undefined {
    try {
      sendFromService(this.opts.sqs, arn, { MessageBody: body }, { service: S3_PRINCIPAL, sourceArn: bucketArn(bucket), sourceAccount: this.opts.account, cause });
      return undefined;
    } catch (err) {
      if (err instanceof AwsError) return `${err.code}: ${err.message}`;
      throw err;
    }
  }

  /** Publish with S3's Subject, if the topic exists and its policy lets S3 from this bucket publish. */
  private toTopic(arn: string, body: string, bucket: string, cause?: number): string | undefined {
    const policy = this.topicPolicy(arn);
    if (policy === undefined) return 'the topic does not exist';
    if (evaluatePolicy(policy, this.policyContext(arn, 'sns:Publish', bucketArn(bucket))) !== 'allow') return `the topic policy does not allow ${S3_PRINCIPAL} to publish for ${bucketArn(bucket)}`;
    try {
      this.opts.sns.publisher.publish({ TopicArn: arn, Message: body, Subject: NOTIFICATION_SUBJECT }, { requestId: randomUUID(), baseUrl: this.opts.endpoint(), region: arn.split(':')[3], cause });
      return undefined;
    } catch (err) {
      if (err instanceof AwsError) return `${err.code}: ${err.message}`;
      throw err;
    }
  }
}
