/**
 * HTTP/HTTPS deliveries: SubscriptionConfirmation and Notification POSTs with AWS's headers, retried
 * with the subscription's (or topic's) delivery policy; after the last retry the message goes to the
 * subscription's DLQ if it has a RedrivePolicy. Pending deliveries are rows in SQLite, so they survive a
 * restart. Retry delays run on the emulator Clock (tests use the fake clock).
 * The UnsubscribeConfirmation AWS POSTs after an http/https endpoint is unsubscribed is sent once, not
 * stored or retried (the subscription it names is gone; AWS's retries for it are undocumented).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { SnsService } from './service.js';
import type { Subscription, Topic } from './registry.js';
import { confirmationEnvelope, unsubscribeConfirmationEnvelope, type SnsMessageAttribute } from './envelope.js';
import { DEFAULT_DELIVERY_POLICY } from './constants.js';
import { realSetImmediate } from '../timers.js';

interface DeliveryRow {
  id: number;
  subscription_arn: string;
  topic_arn: string;
  kind: 'notification' | 'confirmation';
  message_id: string;
  body: string;
  raw: number;
  attempts: number;
  next_ms: number;
  /** Raw deliveries: the publish's message attributes (JSON), for the subscription DLQ. */
  dlq_attrs: string | null;
}

/** A subscription's effective delivery policy, in the shape AWS reports (AWS-recorded test_subscribe_external_http_endpoint_content_type). */
export interface EffectiveSubscriptionPolicy {
  healthyRetryPolicy: RetryPolicy;
  sicklyRetryPolicy: unknown;
  throttlePolicy: unknown;
  requestPolicy: { headerContentType: string } & Record<string, unknown>;
  guaranteed: boolean;
}

export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  backoffFunction: string;
}

const REQUEST_TIMEOUT_MS = 15_000;

export class HttpDelivery {
  private readonly s;
  private readonly inFlight = new Set<number>();
  /** UnsubscribeConfirmation POSTs in flight (sent once, outside the deliveries table). */
  private oneShots = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(
    private readonly sns: SnsService,
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO sns_deliveries (subscription_arn, topic_arn, kind, message_id, body, raw, attempts, next_ms, dlq_attrs) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
      ),
      due: db.prepare(`SELECT * FROM sns_deliveries WHERE next_ms <= ? ORDER BY next_ms, id LIMIT 100`),
      // Deliveries whose request is in flight are not due again until they fail (then next_ms moves on).
      next: db.prepare(`SELECT min(next_ms) AS t FROM sns_deliveries WHERE id NOT IN (SELECT value FROM json_each(?))`),
      done: db.prepare(`DELETE FROM sns_deliveries WHERE id = ?`),
      retry: db.prepare(`UPDATE sns_deliveries SET attempts = ?, next_ms = ? WHERE id = ?`),
      pending: db.prepare(`SELECT count(*) AS n FROM sns_deliveries`),
      dropKind: db.prepare(`DELETE FROM sns_deliveries WHERE subscription_arn = ? AND kind = ?`),
      dropAll: db.prepare(`DELETE FROM sns_deliveries WHERE subscription_arn = ?`),
    };
  }

  /** Called inside the publish transaction. `attributes` (raw deliveries) go with the message to a DLQ. */
  enqueue(topic: Topic, sub: Subscription, messageId: string, body: string, raw: boolean, now: number, attributes?: Record<string, unknown>): void {
    const attrs = raw && attributes && Object.keys(attributes).length ? JSON.stringify(attributes) : null;
    this.s.insert.run(sub.arn, topic.arn, 'notification', messageId, body, raw ? 1 : 0, now, attrs);
  }

  sendConfirmation(topic: Topic, sub: Subscription, baseUrl: string): void {
    const messageId = randomUUID();
    const body = JSON.stringify(
      confirmationEnvelope({ messageId, token: sub.token!, topicArn: topic.arn, timestampMs: this.clock.now(), baseUrl }),
    );
    this.s.insert.run(sub.arn, topic.arn, 'confirmation', messageId, body, 0, this.clock.now(), null);
    this.kick();
  }

  /** A confirmed subscription needs no more SubscriptionConfirmation retries. */
  confirmed(sub: Subscription): void {
    this.s.dropKind.run(sub.arn, 'confirmation');
  }

  /** An unsubscribed endpoint gets nothing more (in-flight requests finish; their rows are gone). */
  unsubscribed(sub: Subscription): void {
    this.s.dropAll.run(sub.arn);
  }

  /** POSTs AWS's UnsubscribeConfirmation to a confirmed http/https endpoint just unsubscribed (once, no retries). */
  sendUnsubscribeConfirmation(sub: Subscription, baseUrl: string): void {
    if (this.stopped) return;
    const messageId = randomUUID();
    const body = JSON.stringify(
      unsubscribeConfirmationEnvelope({ messageId, token: sub.token ?? randomBytes(32).toString('hex'), topicArn: sub.topicArn, subscriptionArn: sub.arn, timestampMs: this.clock.now(), baseUrl }),
    );
    this.oneShots++;
    void post(sub.endpoint, { contentType: 'text/plain; charset=UTF-8', messageType: 'UnsubscribeConfirmation', messageId, topicArn: sub.topicArn, body })
      .then((res) => res.arrayBuffer().then(() => this.sns.log(`SNS UnsubscribeConfirmation -> ${sub.endpoint}: HTTP ${res.status}`)))
      .catch((err: Error) => this.sns.log(`SNS UnsubscribeConfirmation -> ${sub.endpoint} failed: ${err.message}`))
      .finally(() => this.oneShots--);
  }

  pendingCount(): number {
    return (this.s.pending.get() as { n: number }).n;
  }

  resume(): void {
    this.stopped = false;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Why HTTP delivery is not idle (for `GET /_svl/idle`): requests in flight, or deliveries due now. Retries waiting on the clock are idle. */
  busy(): string[] {
    const out: string[] = [];
    if (this.inFlight.size > 0) out.push(`${this.inFlight.size} SNS HTTP delivery(ies) in flight`);
    if (this.oneShots > 0) out.push(`${this.oneShots} SNS UnsubscribeConfirmation(s) in flight`);
    const due = (this.s.due.all(this.clock.now()) as DeliveryRow[]).filter((r) => !this.inFlight.has(r.id)).length;
    if (!this.stopped && due > 0) out.push(`${due} SNS HTTP delivery(ies) due`);
    return out;
  }

  /** Processes what is due now and arms a timer for the next due delivery. */
  kick(): void {
    if (this.stopped) return;
    realSetImmediate(() => this.runDue());
  }

  private arm(): void {
    if (this.stopped) return;
    const next = (this.s.next.get(JSON.stringify([...this.inFlight])) as { t: number | null }).t;
    if (next === null) return;
    if (this.timer && next >= this.timerAt) return;
    this.clock.clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.runDue();
    }, Math.max(0, next - this.clock.now()));
  }

  private runDue(): void {
    if (this.stopped) return;
    const rows = (this.s.due.all(this.clock.now()) as DeliveryRow[]).filter((r) => !this.inFlight.has(r.id));
    for (const r of rows) void this.attempt(r);
    this.arm();
  }

  /**
   * The topic's `http` delivery policy (defaults filled in member by member), overridden by the
   * subscription's DeliveryPolicy unless the topic sets disableSubscriptionOverrides.
   */
  effectivePolicy(sub: Subscription): EffectiveSubscriptionPolicy {
    const topic = this.sns.registry.topics.get(sub.topicArn);
    const d = DEFAULT_DELIVERY_POLICY.http;
    const http = topicHttpPolicy(topic?.attrs.DeliveryPolicy);
    const own = http.disableSubscriptionOverrides === true ? {} : obj(parse(sub.attrs.DeliveryPolicy));
    return {
      healthyRetryPolicy: { ...d.defaultHealthyRetryPolicy, ...obj(http.defaultHealthyRetryPolicy), ...obj(own.healthyRetryPolicy) } as RetryPolicy,
      sicklyRetryPolicy: own.sicklyRetryPolicy ?? http.defaultSicklyRetryPolicy ?? null,
      throttlePolicy: own.throttlePolicy ?? http.defaultThrottlePolicy ?? null,
      requestPolicy: { ...d.defaultRequestPolicy, ...obj(http.defaultRequestPolicy), ...obj(own.requestPolicy) },
      guaranteed: own.guaranteed === true,
    };
  }

  /** Delay before retry number `n` (1-based), in ms: no-delay, min-delay, backoff, max-delay phases. */
  static retryDelayMs(p: RetryPolicy, n: number): number {
    if (n <= p.numNoDelayRetries) return 0;
    if (n <= p.numNoDelayRetries + p.numMinDelayRetries) return p.minDelayTarget * 1000;
    const backoffCount = Math.max(1, p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries);
    const k = n - p.numNoDelayRetries - p.numMinDelayRetries;
    if (k > backoffCount) return p.maxDelayTarget * 1000;
    const frac = backoffCount === 1 ? 1 : (k - 1) / (backoffCount - 1);
    const shaped = p.backoffFunction === 'exponential' ? frac * frac * frac : p.backoffFunction === 'geometric' ? frac * frac : frac;
    return Math.round((p.minDelayTarget + (p.maxDelayTarget - p.minDelayTarget) * shaped) * 1000);
  }

  private async attempt(r: DeliveryRow): Promise<void> {
    const sub = this.sns.registry.subs.get(r.subscription_arn);
    if (!sub) {
      this.s.done.run(r.id); // unsubscribed meanwhile: nothing to deliver to
      return;
    }
    this.inFlight.add(r.id);
    let ok = false;
    let why = '';
    // Confirmations are always text/plain; notifications use the requestPolicy (AWS-recorded).
    const contentType = r.kind === 'notification' ? this.effectivePolicy(sub).requestPolicy.headerContentType : 'text/plain; charset=UTF-8';
    try {
      const res = await post(sub.endpoint, {
        contentType,
        messageType: r.kind === 'confirmation' ? 'SubscriptionConfirmation' : 'Notification',
        messageId: r.message_id,
        topicArn: r.topic_arn,
        body: r.body,
        extra: {
          ...(r.kind === 'notification' ? { 'x-amz-sns-subscription-arn': sub.arn } : {}),
          ...(r.raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
        },
      });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
      why = `HTTP ${res.status}`;
    } catch (err) {
      why = (err as Error).message;
    } finally {
      this.inFlight.delete(r.id);
    }
    if (this.stopped) return;
    const topic = this.sns.registry.topics.get(r.topic_arn);
    const attempt = r.attempts + 1;
    // The outcome in the journal, caused by the message's latest hop (its sns.delivery-queued or an earlier attempt).
    const journal = (type: 'sns.delivered' | 'sns.delivery-failed', extra: Record<string, unknown> = {}) => {
      if (r.kind !== 'notification') return;
      this.sns.journal.record({
        type,
        resource: sub.arn,
        id: r.message_id,
        cause: this.sns.journal.lastOf(r.message_id),
        data: { protocol: sub.protocol, endpoint: sub.endpoint, attempt, ...extra },
      });
    };
    if (ok) {
      this.s.done.run(r.id);
      journal('sns.delivered');
      if (topic && r.kind === 'notification') this.sns.registry.addStats(topic, { delivered: 1 });
      this.sns.log(`SNS ${topic?.name ?? r.topic_arn} -> ${sub.endpoint} ${r.kind} delivered`);
      return;
    }
    const policy = this.effectivePolicy(sub).healthyRetryPolicy;
    const attempts = attempt;
    if (attempts > policy.numRetries) {
      this.db.transaction(() => {
        this.s.done.run(r.id);
        journal('sns.delivery-failed', { error: why, final: true });
        if (topic && r.kind === 'notification') {
          this.sns.registry.addStats(topic, { failed: 1 });
          const attributes = r.dlq_attrs ? (JSON.parse(r.dlq_attrs) as Record<string, SnsMessageAttribute>) : undefined;
          this.sns.publisher.deadLetter(topic, sub, r.body, attributes, {}, { requestId: '', baseUrl: '' }, new Error(why));
        }
      })();
      this.sns.log(`SNS DELIVERY FAILED ${topic?.name ?? r.topic_arn} -> ${sub.endpoint}: ${why}; gave up after ${attempts} attempts`);
      return;
    }
    const delay = HttpDelivery.retryDelayMs(policy, attempts);
    journal('sns.delivery-failed', { error: why, retryInMs: delay });
    this.s.retry.run(attempts, this.clock.now() + delay, r.id);
    this.sns.log(`SNS ${topic?.name ?? r.topic_arn} -> ${sub.endpoint}: ${why}; retry ${attempts}/${policy.numRetries} in ${delay / 1000}s`);
    this.arm();
  }
}

/**
 * The `http` member of a topic's DeliveryPolicy attribute: `{}` when the attribute is absent, not JSON,
 * or has no `http` object. Shared by the topic's EffectiveDeliveryPolicy and the subscriptions' policy.
 */
export function topicHttpPolicy(raw: string | undefined): Record<string, unknown> {
  return obj(parse(raw)?.http);
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function parse(raw: string | undefined): any {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** One POST as SNS sends it to an http/https endpoint: its user agent and x-amz-sns-* headers, no redirects, a timeout. */
function post(
  endpoint: string,
  m: { contentType: string; messageType: string; messageId: string; topicArn: string; body: string; extra?: Record<string, string> },
): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': m.contentType,
      'user-agent': 'Amazon Simple Notification Service Agent',
      'x-amz-sns-message-type': m.messageType,
      'x-amz-sns-message-id': m.messageId,
      'x-amz-sns-topic-arn': m.topicArn,
      ...m.extra,
    },
    body: m.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}
