/**
 * Topics and subscriptions: cached in memory, written through to SQLite. A topic's delivery counters
 * (svl's own, shown by /_svl/health; not AWS attributes) are the exception: counted in memory at once and
 * written at most every STATS_FLUSH_MS, and when the service stops, rather than in every publish's commit
 * (a page of every publish's write to disk, ~15% of it). A crash loses at most that much of the counts,
 * never a message.
 */
import { atomic, type Db } from '../store/db.js';
import { realClearTimeout, realSetTimeout } from '../timers.js';
import type { Clock } from '../clock.js';
import type { CompiledFilterPolicy } from '../../domain/filter-policy-validate.js';
import { filterPolicies, filterPoliciesLoaded } from './filter-policies.js';

/** How long a topic's delivery counters may wait in memory before they are written. */
export const STATS_FLUSH_MS = 1000;

export interface Topic {
  arn: string;
  name: string;
  fifo: boolean;
  attrs: Record<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  createdMs: number;
  seqCounter: number;
  stats: { published: number; delivered: number; failed: number; filtered: number };
}

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  attrs: Record<string, string>;
  confirmed: boolean;
  token: string | null;
  createdMs: number;
  /**
   * The compiled FilterPolicy (validated when set), cached for delivery; a stored one is compiled once the
   * filter-policy engine is loaded (compileStoredFilters).
   */
  filter?: CompiledFilterPolicy;
}

interface TopicRow {
  arn: string;
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
  created_ms: number;
  seq_counter: number;
  published: number;
  delivered: number;
  failed: number;
  filtered: number;
}
interface SubRow {
  arn: string;
  topic_arn: string;
  protocol: string;
  endpoint: string;
  attributes: string;
  confirmed: number;
  token: string | null;
  created_ms: number;
}

export class SnsRegistry {
  readonly topics = new Map<string, Topic>();
  readonly subs = new Map<string, Subscription>();
  /** Subscriptions per topic, in creation order. */
  private readonly byTopic = new Map<string, Subscription[]>();
  /** Subscriptions removed since start, per topic (SubscriptionsDeleted). */
  readonly deletedCount = new Map<string, number>();
  /** Stored subscriptions with a FilterPolicy, loaded before the filter-policy engine was (compileStoredFilters). */
  private uncompiled: Subscription[] = [];
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.s = {
      insertTopic: db.prepare(`INSERT INTO sns_topics (arn, name, fifo, attributes, tags, created_ms) VALUES (?, ?, ?, ?, ?, ?)`),
      topicAttrs: db.prepare(`UPDATE sns_topics SET attributes = ? WHERE arn = ?`),
      topicTags: db.prepare(`UPDATE sns_topics SET tags = ? WHERE arn = ?`),
      topicSeq: db.prepare(`UPDATE sns_topics SET seq_counter = ? WHERE arn = ?`),
      topicStats: db.prepare(`UPDATE sns_topics SET published = ?, delivered = ?, failed = ?, filtered = ? WHERE arn = ?`),
      deleteTopic: db.prepare(`DELETE FROM sns_topics WHERE arn = ?`),
      deleteTopicSubs: db.prepare(`DELETE FROM sns_subscriptions WHERE topic_arn = ?`),
      deleteTopicDedup: db.prepare(`DELETE FROM sns_dedup WHERE topic_arn = ?`),
      deleteTopicDataProtection: db.prepare(`DELETE FROM sns_data_protection WHERE topic_arn = ?`),
      insertSub: db.prepare(
        `INSERT INTO sns_subscriptions (arn, topic_arn, protocol, endpoint, attributes, confirmed, token, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      subAttrs: db.prepare(`UPDATE sns_subscriptions SET attributes = ? WHERE arn = ?`),
      subConfirm: db.prepare(`UPDATE sns_subscriptions SET confirmed = 1 WHERE arn = ?`),
      deleteSub: db.prepare(`DELETE FROM sns_subscriptions WHERE arn = ?`),
    };
    for (const r of db.prepare(`SELECT * FROM sns_topics ORDER BY created_ms, rowid`).all() as TopicRow[]) {
      this.topics.set(r.arn, {
        arn: r.arn,
        name: r.name,
        fifo: r.fifo === 1,
        attrs: JSON.parse(r.attributes) as Record<string, string>,
        tags: JSON.parse(r.tags) as Topic['tags'],
        createdMs: r.created_ms,
        seqCounter: r.seq_counter,
        stats: { published: r.published, delivered: r.delivered, failed: r.failed, filtered: r.filtered },
      });
    }
    for (const r of db.prepare(`SELECT * FROM sns_subscriptions ORDER BY created_ms, rowid`).all() as SubRow[]) {
      this.addSub({
        arn: r.arn,
        topicArn: r.topic_arn,
        protocol: r.protocol,
        endpoint: r.endpoint,
        attrs: JSON.parse(r.attributes) as Record<string, string>,
        confirmed: r.confirmed === 1,
        token: r.token,
        createdMs: r.created_ms,
      }, true);
    }
  }

  private addSub(s: Subscription, stored = false): void {
    if (stored && s.attrs.FilterPolicy && !filterPoliciesLoaded()) this.uncompiled.push(s);
    else s.filter = compileFilter(s.attrs);
    this.subs.set(s.arn, s);
    const list = this.byTopic.get(s.topicArn) ?? [];
    list.push(s);
    this.byTopic.set(s.topicArn, list);
  }

  /** Whether stored subscriptions wait for the filter-policy engine to compile their FilterPolicy. */
  needsFilterPolicies(): boolean {
    return this.uncompiled.length > 0;
  }

  /** Compiles the stored FilterPolicies that waited for the engine (which must be loaded now). */
  compileStoredFilters(): void {
    for (const s of this.uncompiled) if (this.subs.get(s.arn) === s) s.filter = compileFilter(s.attrs);
    this.uncompiled = [];
  }

  subscriptionsOf(topicArn: string): Subscription[] {
    return this.byTopic.get(topicArn) ?? [];
  }

  createTopic(t: Omit<Topic, 'createdMs' | 'seqCounter' | 'stats'>): Topic {
    const topic: Topic = { ...t, createdMs: this.clock.now(), seqCounter: 0, stats: { published: 0, delivered: 0, failed: 0, filtered: 0 } };
    this.s.insertTopic.run(t.arn, t.name, t.fifo ? 1 : 0, JSON.stringify(t.attrs), JSON.stringify(t.tags), topic.createdMs);
    this.topics.set(t.arn, topic);
    return topic;
  }

  setTopicAttributes(t: Topic, attrs: Record<string, string>): void {
    this.s.topicAttrs.run(JSON.stringify(attrs), t.arn);
    t.attrs = attrs;
  }

  setTopicTags(t: Topic, tags: Topic['tags']): void {
    this.s.topicTags.run(JSON.stringify(tags), t.arn);
    t.tags = tags;
  }

  nextSequence(t: Topic): number {
    t.seqCounter += 1;
    this.s.topicSeq.run(t.seqCounter, t.arn);
    return t.seqCounter;
  }

  addStats(t: Topic, d: Partial<Topic['stats']>): void {
    const p = d.published ?? 0;
    const dl = d.delivered ?? 0;
    const f = d.failed ?? 0;
    const fl = d.filtered ?? 0;
    if (!p && !dl && !f && !fl) return;
    t.stats.published += p;
    t.stats.delivered += dl;
    t.stats.failed += f;
    t.stats.filtered += fl;
    this.statsDirty.add(t);
    if (this.statsWriteThrough) this.flushStats();
    else if (this.statsTimer === undefined) {
      this.statsTimer = realSetTimeout(() => this.flushStats(), STATS_FLUSH_MS);
      this.statsTimer.unref?.(); // counters never keep a process alive (an in-memory emulator's are lost anyway)
    }
  }

  private readonly statsDirty = new Set<Topic>();
  private statsTimer: ReturnType<typeof realSetTimeout> | undefined;
  private statsWriteThrough = false;

  /** Writes the counters counted since the last write (one small transaction, or the caller's). */
  flushStats(): void {
    if (this.statsTimer !== undefined) realClearTimeout(this.statsTimer);
    this.statsTimer = undefined;
    if (this.statsDirty.size === 0 || !this.db.open) return;
    atomic(this.db, () => {
      for (const t of this.statsDirty) this.s.topicStats.run(t.stats.published, t.stats.delivered, t.stats.failed, t.stats.filtered, t.arn);
    });
    this.statsDirty.clear();
  }

  /** The service stopping: counters written now, and from now on with each change (no timer outlives the store). */
  stopDeferringStats(): void {
    this.statsWriteThrough = true;
    this.flushStats();
  }

  deleteTopic(t: Topic): void {
    this.db.transaction(() => {
      this.s.deleteTopicSubs.run(t.arn);
      this.s.deleteTopicDedup.run(t.arn);
      this.s.deleteTopicDataProtection.run(t.arn);
      this.s.deleteTopic.run(t.arn);
    })();
    for (const s of this.subscriptionsOf(t.arn)) this.subs.delete(s.arn);
    this.byTopic.delete(t.arn);
    this.topics.delete(t.arn);
  }

  createSubscription(s: Omit<Subscription, 'createdMs' | 'filter'>): Subscription {
    const sub: Subscription = { ...s, createdMs: this.clock.now() };
    this.s.insertSub.run(s.arn, s.topicArn, s.protocol, s.endpoint, JSON.stringify(s.attrs), s.confirmed ? 1 : 0, s.token, sub.createdMs);
    this.addSub(sub);
    return sub;
  }

  setSubscriptionAttributes(s: Subscription, attrs: Record<string, string>): void {
    this.s.subAttrs.run(JSON.stringify(attrs), s.arn);
    s.attrs = attrs;
    s.filter = compileFilter(attrs);
  }

  confirm(s: Subscription): void {
    this.s.subConfirm.run(s.arn);
    s.confirmed = true;
  }

  deleteSubscription(s: Subscription): void {
    this.s.deleteSub.run(s.arn);
    this.subs.delete(s.arn);
    const list = this.byTopic.get(s.topicArn);
    if (list) this.byTopic.set(s.topicArn, list.filter((x) => x !== s));
    this.deletedCount.set(s.topicArn, (this.deletedCount.get(s.topicArn) ?? 0) + 1);
  }
}

function compileFilter(attrs: Record<string, string>): CompiledFilterPolicy | undefined {
  if (!attrs.FilterPolicy) return undefined;
  const scope = attrs.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
  return filterPolicies().policy.compileFilterPolicy(attrs.FilterPolicy, scope);
}
