/**
 * Publish / PublishBatch and fan-out. One publish is all or nothing: the FIFO dedup record, the SQS
 * deliveries (through the SQS service, which enforces queue policies) and the pending HTTP deliveries
 * commit together, so an acknowledged publish is never half-delivered after a crash. Its own transaction
 * when called alone; a savepoint in the group commit of its turn when a client sent it (service.ts
 * `request`), or in the transaction of whatever caused it (an S3 notification).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { SqsService } from '../sqs/service.js';
import { checkBody, checkMessageAttributes, sendCheckedFromService, type CheckedAttributes, type CheckedBody, type CheckedServiceMessage } from '../sqs/send.js';
import { AwsError } from '../../domain/aws-error.js';
import { sha256Hex } from '../sqs/model.js';
import * as E from './errors.js';
import type { SnsContext, SnsService, Input, Output } from './service.js';
import type { Subscription, Topic } from './registry.js';
import type { FilterFailure, FilterMessage } from '../../domain/filter-policy.js';
import { filterPolicies, type FilterPolicyEngine } from './filter-policies.js';
import { NO_JOURNAL, constantData } from '../journal/journal.js';
import { notificationEnvelope, notificationParts, type SnsMessageAttribute } from './envelope.js';
import { NotificationBodies, RawQueueBodies } from './queue-delivery.js';
import { DEDUP_WINDOW_MS, MAX_BATCH, MAX_MESSAGE_ATTRIBUTES, MAX_MESSAGE_BYTES, MAX_SUBJECT, SNS_PRINCIPAL } from './constants.js';

/**
 * A FIFO topic's sequence number: 20 digits, growing, non-consecutive (AWS API_Publish: "a large,
 * non-consecutive number"), and on another scale than a queue's own numbers, so the SequenceNumber an
 * SQS subscriber's queue assigns differs from the one in the envelope and the publish response, as on AWS
 * (AWS-recorded test_message_to_fifo_sqs: <sequence-number:1> on the queue, <sequence-number:2> in the body).
 */
export const snsSequenceNumber = (counter: number): string => (10n ** 19n + BigInt(counter) * 1000n).toString();

interface PreparedMessage {
  message: string;
  /** MessageStructure=json: the per-protocol messages. */
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes?: Record<string, SnsMessageAttribute>;
  groupId?: string;
  dedupId?: string;
  /** Bytes counted against the 256 KiB limit: the message plus attribute names, types and values. */
  size: number;
}

export interface PublishResult extends Record<string, unknown> {
  MessageId: string;
  SequenceNumber?: string;
}

export class Publisher {
  private readonly s;
  /**
   * One publish's writes, all or nothing: its own transaction, or a savepoint inside the caller's (a group
   * commit's, an S3 notification's), so a publish that fails midway leaves nothing of itself behind.
   */
  private readonly tx: (fn: () => unknown) => unknown;

  constructor(
    private readonly sns: SnsService,
    db: Db,
    private readonly clock: Clock,
    private readonly sqs: SqsService,
  ) {
    this.tx = db.transaction((fn: () => unknown) => fn());
    this.s = {
      dedupGet: db.prepare(`SELECT message_id, sequence_number, expires_ms FROM sns_dedup WHERE topic_arn = ? AND dedup_id = ?`),
      dedupPut: db.prepare(`INSERT OR REPLACE INTO sns_dedup (topic_arn, dedup_id, message_id, sequence_number, expires_ms) VALUES (?, ?, ?, ?, ?)`),
      dedupSweep: db.prepare(`DELETE FROM sns_dedup WHERE topic_arn = ? AND expires_ms <= ?`),
    };
  }

  publish(input: Input, ctx: SnsContext): Output {
    // Phone numbers and well-formed platform endpoint ARNs never get here (service.ts routes them to sms.ts
    // and platform.ts). What does is an ARN that mentions an endpoint but is none (AWS-recorded
    // test_publish_non_existent_target: 400 InvalidParameter).
    if (input.TopicArn === undefined && typeof input.TargetArn === 'string' && input.TargetArn.includes(':endpoint/')) {
      this.sns.topicArnShape(input, 'TargetArn');
      throw E.invalidParameter('TargetArn Reason: No endpoint found for the target arn specified');
    }
    const topic = this.sns.topicFrom(input, input.TopicArn !== undefined ? 'TopicArn' : 'TargetArn');
    const m = this.prepare(topic, input, 'messageAttributes');
    const r = this.fanOut(topic, [m], ctx)[0]!;
    return r;
  }

  publishBatch(input: Input, ctx: SnsContext): Output {
    const topic = this.sns.topicFrom(input, 'TopicArn');
    const entries = input.PublishBatchRequestEntries;
    if (!Array.isArray(entries) || entries.length === 0) throw E.emptyBatch();
    if (entries.length > MAX_BATCH) throw E.tooManyEntries();
    const ids = new Set<string>();
    for (const e of entries as Input[]) {
      if (ids.has(String(e?.Id))) throw E.batchIdsNotDistinct();
      ids.add(String(e?.Id));
    }
    for (const e of entries as Input[]) {
      const id = String(e?.Id ?? '');
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw E.invalidBatchEntryId(id);
    }
    // AWS fails the whole request when any entry is invalid (AWS-recorded: message attributes, MessageStructure,
    // FIFO group/dedup ids — test_empty_or_wrong_message_attributes, test_publish_batch_exceptions); the
    // other entry checks are assumed to behave alike (UNVERIFIED). So `Failed` stays empty here.
    const ok = (entries as Input[]).map((e, i) => ({ id: e.Id as string, m: this.prepare(topic, e, `publishBatchRequestEntries.${i + 1}.member.messageAttributes`) }));
    // The batch limit counts bodies and attributes of every entry (AWS-recorded test_publish_batch_too_long_message).
    const total = ok.reduce((n, o) => n + o.m.size, 0);
    if (total > MAX_MESSAGE_BYTES) throw E.batchRequestTooLong();
    const results = this.fanOut(topic, ok.map((o) => o.m), ctx);
    return { Successful: ok.map((o, i) => ({ Id: o.id, ...results[i] })), Failed: [] };
  }

  /** Validates one publish request against the topic; AWS's InvalidParameter texts. */
  private prepare(topic: Topic, input: Input, attributesPath: string): PreparedMessage {
    const message = input.Message;
    if (message === undefined || message === null || message === '') throw E.invalidParameter('Empty message');
    if (typeof message !== 'string') throw E.invalidParameter('Message');
    let subject: string | undefined;
    if (input.Subject !== undefined && input.Subject !== null) {
      subject = String(input.Subject);
      if (subject.length === 0 || subject.length > MAX_SUBJECT || !/^[\x20-\x7E]+$/.test(subject)) throw E.invalidParameter('Subject');
    }
    let perProtocol: Record<string, string> | undefined;
    let effective = message;
    if (input.MessageStructure !== undefined && input.MessageStructure !== null) {
      if (input.MessageStructure !== 'json') throw E.invalidParameter(`MessageStructure: Invalid value [${String(input.MessageStructure)}]. Must be json.`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        throw E.invalidParameter('Message Structure - JSON message body failed to parse');
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw E.invalidParameter('Message Structure - JSON message body failed to parse');
      const obj = parsed as Record<string, unknown>;
      if (typeof obj.default !== 'string') throw E.invalidParameter('Message Structure - No default entry in JSON message body');
      perProtocol = {};
      for (const [k, v] of Object.entries(obj)) if (typeof v === 'string') perProtocol[k] = v;
      effective = obj.default;
    }
    const { attributes, size: attributesSize } = validateAttributes(input.MessageAttributes, attributesPath);
    const size = Buffer.byteLength(message, 'utf8') + attributesSize;
    if (size > MAX_MESSAGE_BYTES) throw E.invalidParameter('Message too long');
    const groupId = typeof input.MessageGroupId === 'string' ? input.MessageGroupId : undefined;
    let dedupId = typeof input.MessageDeduplicationId === 'string' ? input.MessageDeduplicationId : undefined;
    if (groupId !== undefined && !/^[\x21-\x7E]{1,128}$/.test(groupId)) throw E.invalidParameter('MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    if (dedupId !== undefined && !/^[\x21-\x7E]{1,128}$/.test(dedupId)) throw E.invalidParameter('MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    if (topic.fifo) {
      if (groupId === undefined) throw E.invalidParameter('The MessageGroupId parameter is required for FIFO topics');
      if (dedupId === undefined) {
        if (topic.attrs.ContentBasedDeduplication !== 'true') {
          throw E.invalidParameter('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
        }
        dedupId = sha256Hex(message); // AWS-recorded: SHA-256 of the Message
      }
    } else if (dedupId !== undefined) {
      throw E.invalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    }
    return { message: effective, perProtocol, subject, attributes, groupId, dedupId, size };
  }

  /** Stores and delivers messages in one transaction; returns ids in input order. */
  private fanOut(topic: Topic, messages: PreparedMessage[], ctx: SnsContext): PublishResult[] {
    const now = this.clock.now();
    const subs = this.sns.registry.subscriptionsOf(topic.arn).filter((s) => s.confirmed);
    const failures: string[] = [];
    /** The filter-policy engine, once a subscription's filter needs it. */
    let policy: FilterPolicyEngine['policy'] | undefined;
    let delivered = 0;
    let filtered = 0;
    let failed = 0;
    let httpQueued = false;
    const results = this.tx(() => {
      if (topic.fifo) this.s.dedupSweep.run(topic.arn, now);
      const out = messages.map((m): PublishResult => {
        if (topic.fifo && m.dedupId !== undefined) {
          const seen = this.s.dedupGet.get(topic.arn, m.dedupId) as { message_id: string; sequence_number: string | null; expires_ms: number } | undefined;
          if (seen && seen.expires_ms > now) return { MessageId: seen.message_id, ...(seen.sequence_number ? { SequenceNumber: seen.sequence_number } : {}) };
        }
        const messageId = randomUUID();
        const journal = this.sns.journal;
        const journaled = journal !== NO_JOURNAL;
        // Its hops (filtered out, delivered, the SQS sends) are kept by the journal as one compact record.
        const published = journal.fanOut({
          type: 'sns.published',
          resource: topic.arn,
          id: messageId,
          cause: ctx.cause,
          data: m.subject !== undefined ? { subject: m.subject } : undefined,
          timeMs: now,
        });
        const seq = topic.fifo ? snsSequenceNumber(this.sns.registry.nextSequence(topic)) : undefined;
        if (topic.fifo && m.dedupId !== undefined) this.s.dedupPut.run(topic.arn, m.dedupId, messageId, seq ?? null, now + DEDUP_WINDOW_MS);
        // One filter message per distinct body: the matcher parses a body (and reads the attributes) once
        // per message object, however many subscribers' policies it is matched against.
        const filterMessages = new Map<string, FilterMessage>();
        // One notification document (signed once) per distinct body, whatever the number of subscribers:
        // only their UnsubscribeURLs differ (envelope.ts notificationParts). Its SQS bodies are digested
        // and checked from the shared parts (queue-delivery.ts), as are a raw delivery's body and attributes.
        const documents = new Map<string, NotificationBodies>();
        const documentOf = (body: string): NotificationBodies => {
          let d = documents.get(body);
          if (d === undefined) {
            d = new NotificationBodies(notificationParts({
              messageId,
              sequenceNumber: seq,
              topicArn: topic.arn,
              subject: m.subject,
              message: body,
              timestampMs: now,
              baseUrl: ctx.baseUrl,
              signatureVersion: topic.attrs.SignatureVersion ?? '1',
              fifo: topic.fifo,
              attributes: m.attributes,
            }));
            documents.set(body, d);
          }
          return d;
        };
        let rawBodies: RawQueueBodies | undefined;
        for (const sub of subs) {
          const body = m.perProtocol?.[sub.protocol] ?? m.message;
          if (sub.filter) {
            let fm = filterMessages.get(body);
            if (fm === undefined) filterMessages.set(body, (fm = { body, attributes: m.attributes }));
            // With a journal, one evaluation that also says why it failed (no dearer when it matches). A compiled
            // filter means the engine is loaded: looked up once per publish, not per subscription.
            policy ??= filterPolicies().policy;
            const verdict = journaled ? policy.explainFilterPolicy(sub.filter, sub.filter.scope, fm) : { matches: policy.evaluateFilterPolicy(sub.filter, sub.filter.scope, fm), failures: [] };
            if (!verdict.matches) {
              filtered++;
              journal.hop('sns.filtered', undefined, sub.arn, messageId, published, filteredData(sub, verdict.failures), now);
              continue;
            }
          }
          const raw = sub.attrs.RawMessageDelivery === 'true';
          // The notification document (signed) is built only where it is sent: to SQS and HTTP, and to a
          // lambda subscription's DLQ when the invoke is refused.
          const notification = (): string => (raw ? body : documentOf(body).text(sub.arn));
          if (sub.protocol === 'sqs') {
            const payload = raw ? (rawBodies ??= new RawQueueBodies(m.attributes)).body(body) : documentOf(body).checked(sub.arn);
            const attributes = raw ? rawBodies!.messageAttributes() : undefined;
            const hop = journal.reserve();
            const err = this.deliverToQueue(topic, sub.endpoint, payload, attributes, m, messageId, ctx, hop);
            if (!err) journal.hop('sns.delivered', hop, sub.arn, messageId, published, deliveredData(sub, raw), now);
            else {
              journal.record({
                seq: hop,
                type: err.code === 'AccessDenied' || err.code === 'AccessDeniedException' ? 'sns.blocked' : 'sns.delivery-failed',
                resource: sub.arn,
                id: messageId,
                cause: published,
                data: { protocol: 'sqs', endpoint: sub.endpoint, ...(raw && { raw: true }), error: `${err.code}: ${err.message}` },
              });
            }
            if (err) {
              failed++;
              failures.push(`${sub.endpoint}: ${err.message}`);
              this.deadLetterChecked(topic, sub, payload, attributes, m, ctx, err);
            } else delivered++;
          } else if (sub.protocol === 'http' || sub.protocol === 'https') {
            this.sns.http.enqueue(topic, sub, messageId, notification(), raw, now, m.attributes as Record<string, unknown> | undefined);
            journal.record({ type: 'sns.delivery-queued', resource: sub.arn, id: messageId, cause: published, data: deliveredData(sub, false) });
            httpQueued = true;
          } else if (sub.protocol === 'lambda' && this.sns.lambda) {
            const event = lambdaEvent(topic, sub, body, m, messageId, now, ctx);
            const hop = journal.reserve();
            const refused = this.sns.lambda.invokeFromSns(sub.endpoint, event, topic.arn, hop);
            journal.record({
              seq: hop,
              type: refused ? 'sns.blocked' : 'sns.delivered',
              resource: sub.arn,
              id: messageId,
              cause: published,
              data: refused ? { protocol: 'lambda', endpoint: sub.endpoint, error: refused } : deliveredData(sub, false),
            });
            if (refused) {
              failed++;
              failures.push(`${sub.endpoint}: ${refused}`);
              this.deadLetter(topic, sub, notification(), undefined, m, ctx, new Error(refused));
            } else delivered++;
          }
          // email, sms, application, firehose: stored, never delivered by the emulator (see ledger)
        }
        return seq ? { MessageId: messageId, SequenceNumber: seq } : { MessageId: messageId };
      });
      // Counted in memory; written a moment later (registry.ts flushStats), never one write per publish.
      this.sns.registry.addStats(topic, { published: messages.length, delivered, failed, filtered });
      return out;
    }) as PublishResult[];
    this.sns.log(`SNS ${topic.name} -> ${delivered} sub${delivered === 1 ? '' : 's'}${filtered ? ` (${filtered} filtered out)` : ''}`);
    for (const f of failures) {
      this.sns.log(
        `SNS DELIVERY FAILED ${topic.name} -> ${f}\n    Fix: give the queue a Policy allowing sns.amazonaws.com to sqs:SendMessage with Condition ArnEquals aws:SourceArn = ${topic.arn} (svl init/apply writes it for you).`,
      );
    }
    if (httpQueued) this.sns.http.kick();
    return results;
  }

  /**
   * Sends one notification to an SQS queue through the SQS service; returns the AWS error on failure. The
   * body and attributes come checked (queue-delivery.ts), once for all the queues of the message.
   */
  private deliverToQueue(
    topic: Topic,
    queueArn: string,
    body: CheckedBody,
    attributes: CheckedAttributes | undefined,
    m: PreparedMessage,
    messageId: string,
    ctx: SnsContext,
    cause?: number,
  ): AwsError | undefined {
    const queue = this.sqs.queues.byArn(queueArn);
    const message: CheckedServiceMessage = { body, attributes };
    if (queue?.fifo) {
      message.groupId = m.groupId ?? 'default';
      message.dedupId = m.dedupId ?? messageId;
    } else if (m.groupId !== undefined && !topic.fifo) {
      // A standard topic's MessageGroupId reaches standard queues as their MessageGroupId (fair queues;
      // AWS-recorded test_publish_message_group_id, 2025).
      message.groupId = m.groupId;
    }
    try {
      sendCheckedFromService(this.sqs, queue, message, { service: SNS_PRINCIPAL, sourceArn: topic.arn, sourceAccount: this.sns.account, cause }, ctx.traceHeader);
      return undefined;
    } catch (err) {
      if (err instanceof AwsError) return err;
      throw err;
    }
  }

  /** A failed delivery goes to the subscription's DLQ (RedrivePolicy), as AWS does; else it is dropped. */
  deadLetter(
    topic: Topic,
    sub: Subscription,
    body: string,
    attributes: Record<string, SnsMessageAttribute> | undefined,
    m: Pick<PreparedMessage, 'groupId' | 'dedupId'>,
    ctx: SnsContext,
    cause: AwsError | Error,
  ): void {
    if (!sub.attrs.RedrivePolicy) return;
    this.deadLetterChecked(topic, sub, checkBody(body), attributes && checkMessageAttributes(attributes), m, ctx, cause);
  }

  private deadLetterChecked(
    topic: Topic,
    sub: Subscription,
    body: CheckedBody,
    attributes: CheckedAttributes | undefined,
    m: Pick<PreparedMessage, 'groupId' | 'dedupId'>,
    ctx: SnsContext,
    cause: AwsError | Error,
  ): void {
    const policy = sub.attrs.RedrivePolicy ? (JSON.parse(sub.attrs.RedrivePolicy) as { deadLetterTargetArn: string }) : undefined;
    if (!policy) return;
    const err = this.deliverToQueue(topic, policy.deadLetterTargetArn, body, attributes, { ...m } as PreparedMessage, randomUUID(), ctx);
    if (err) this.sns.log(`SNS DLQ DELIVERY FAILED ${sub.arn} -> ${policy.deadLetterTargetArn}: ${err.message} (after: ${cause.message})`);
    else this.sns.log(`SNS ${topic.name}: undeliverable message moved to the subscription DLQ ${policy.deadLetterTargetArn}`);
  }
}

/**
 * The journal data of a subscription's deliveries (`{protocol, endpoint, raw?}`): one frozen document per
 * subscription, which the journal encodes once instead of at every publish.
 */
const delivered = new WeakMap<Subscription, { raw: boolean; data: Readonly<Record<string, unknown>> }>();
function deliveredData(sub: Subscription, raw: boolean): Readonly<Record<string, unknown>> {
  const known = delivered.get(sub);
  if (known?.raw === raw) return known.data;
  const data = constantData({ protocol: sub.protocol, endpoint: sub.endpoint, ...(raw && { raw: true }) });
  delivered.set(sub, { raw, data });
  return data;
}

/**
 * The journal data of a filtered-out delivery (`{endpoint, reasons}`): the same reasons come back publish
 * after publish (the same attribute values against the same policy), so each subscription keeps its last few
 * documents, frozen, for the journal to encode once.
 */
const filteredDocs = new WeakMap<Subscription, Array<Readonly<{ endpoint: string; reasons: FilterFailure[] }>>>();
const FILTERED_DOCS = 8;
function filteredData(sub: Subscription, reasons: FilterFailure[]): Readonly<Record<string, unknown>> {
  let docs = filteredDocs.get(sub);
  if (!docs) filteredDocs.set(sub, (docs = []));
  // Compared in place (a few string comparisons), not through a key built per publish.
  for (const doc of docs) if (sameReasons(doc.reasons, reasons)) return doc;
  if (docs.length >= FILTERED_DOCS) docs.shift();
  const data = constantData({ endpoint: sub.endpoint, reasons });
  docs.push(data);
  return data;
}

function sameReasons(a: FilterFailure[], b: FilterFailure[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.key !== b[i]!.key || a[i]!.reason !== b[i]!.reason) return false;
  return true;
}

/**
 * The event a `lambda` subscription invokes its function with (aws-wire.md §4.4): the notification with
 * `SigningCertUrl`/`UnsubscribeUrl` spelled that way, `Subject` null when absent, `MessageAttributes`
 * always present and `SignatureVersion` "1" (AWS-recorded).
 */
function lambdaEvent(topic: Topic, sub: Subscription, message: string, m: PreparedMessage, messageId: string, now: number, ctx: SnsContext): string {
  const env = notificationEnvelope({
    messageId,
    topicArn: topic.arn,
    subject: m.subject,
    message,
    timestampMs: now,
    subscriptionArn: sub.arn,
    baseUrl: ctx.baseUrl,
    signatureVersion: '1',
    fifo: false,
    attributes: m.attributes,
  });
  const sns = {
    Type: env.Type,
    MessageId: env.MessageId,
    TopicArn: env.TopicArn,
    Subject: m.subject ?? null,
    Message: env.Message,
    Timestamp: env.Timestamp,
    SignatureVersion: '1',
    Signature: env.Signature,
    SigningCertUrl: env.SigningCertURL,
    UnsubscribeUrl: env.UnsubscribeURL,
    MessageAttributes: env.MessageAttributes ?? {},
  };
  return JSON.stringify({ Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: sub.arn, Sns: sns }] });
}

/**
 * SNS message attributes: types String, String.Array, Number, Binary (custom `.suffix` allowed). Texts are
 * AWS-recorded (test_empty_or_wrong_message_attributes, test_message_attributes_prefixes). `path` names
 * the map in a ValidationError (`messageAttributes`, `publishBatchRequestEntries.N.member.messageAttributes`).
 */
function validateAttributes(raw: unknown, path: string): { attributes?: Record<string, SnsMessageAttribute>; size: number } {
  if (raw === undefined || raw === null) return { size: 0 };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw E.invalidParameter('MessageAttributes');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) return { size: 0 };
  const out: Record<string, SnsMessageAttribute> = {};
  let size = 0;
  for (const [name, v] of entries) {
    validateAttributeName(name);
    const a = (v ?? {}) as Record<string, unknown>;
    const type = a.DataType;
    if (type === undefined || type === null) {
      throw E.validationError(`Value null at '${path}.${name}.member.dataType' failed to satisfy constraint: Member must not be null`);
    }
    const base = typeof type === 'string' ? /^(String\.Array|String|Number|Binary)(\..+)?$/.exec(type)?.[1] : undefined;
    if (!base) {
      throw E.invalidParameterValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const hasString = typeof a.StringValue === 'string';
    const hasBinary = typeof a.BinaryValue === 'string';
    const empty = () => E.invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
    if (base === 'Binary') {
      if (!hasBinary && hasString) throw E.invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      if (!hasBinary || a.BinaryValue === '') throw empty();
      out[name] = { DataType: type as string, BinaryValue: a.BinaryValue as string };
      size += Buffer.byteLength(name) + Buffer.byteLength(type as string) + Buffer.from(a.BinaryValue as string, 'base64').length;
      continue;
    }
    if (!hasString && hasBinary) throw E.invalidParameterValue(`The message attribute '${name}' with type '${base === 'Number' ? 'Number' : 'String'}' must use field 'String'.`);
    if (!hasString || a.StringValue === '') throw empty();
    const value = a.StringValue as string;
    if (base === 'Number' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) {
      throw E.invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
    }
    if (base === 'String.Array') {
      let arr: unknown;
      try {
        arr = JSON.parse(value);
      } catch {
        arr = undefined;
      }
      if (!Array.isArray(arr)) throw E.invalidParameter(`Message attribute '${name}' with type 'String.Array' must contain a JSON array.`);
    }
    out[name] = { DataType: type as string, StringValue: value };
    size += Buffer.byteLength(name) + Buffer.byteLength(type as string) + Buffer.byteLength(value);
  }
  if (entries.length > MAX_MESSAGE_ATTRIBUTES * 5) throw E.invalidParameter('MessageAttributes Reason: too many message attributes');
  return { attributes: out, size };
}

/** Attribute names: ≤256 bytes of [A-Za-z0-9_.-], no leading/trailing/double dot, no aws./amazon. prefix (AWS-recorded texts). */
function validateAttributeName(name: string): void {
  if (Buffer.byteLength(name) > 256) throw E.invalidParameterValue('Length of message attribute name must be less than 256 bytes.');
  const bad = /[^A-Za-z0-9_.-]/.exec(name);
  if (bad) {
    const hex = bad[0].codePointAt(0)!.toString(16).toUpperCase();
    throw E.invalidParameterValue(
      `Invalid non-alphanumeric character '#x${hex}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
    );
  }
  if (name.startsWith('.')) throw E.invalidParameterValue("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith('.')) throw E.invalidParameterValue("Invalid message attribute name ending with character '.' was found.");
  if (name.includes('..')) throw E.invalidParameterValue("Message attribute name can not have successive '.' character.");
  if (name === '' || /^(aws\.|amazon\.)/i.test(name)) throw E.invalidParameterValue(`The message attribute name '${name}' is reserved or invalid.`); // UNVERIFIED text
}
