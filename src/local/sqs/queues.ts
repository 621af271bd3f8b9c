/**
 * The queue registry: queue records cached in memory and written through to SQLite (queue metadata is
 * small and changes rarely; messages stay in SQLite only).
 *
 * Queues are regional: a queue is identified by its key, the bare name in the default region (us-east-1,
 * so rows and receipt handles written before regions existed keep their meaning) and `<region>/<name>`
 * in any other region. Messages, dedup records and receipt handles refer to the key (`Queue.name`).
 */
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import * as E from './errors.js';
import { parseRedriveAllowPolicy, parseRedrivePolicy, type RedriveAllowPolicy, type RedrivePolicy } from './attributes.js';
import { parseQueueArn, queueArn } from './model.js';
import { QUEUE_DELETED_RECENTLY_MS } from './constants.js';

export interface Queue {
  /** The storage key: `orders` in the default region, `eu-west-1/orders` elsewhere (see queueKey). */
  name: string;
  /** The queue's name as AWS shows it (in its URL and ARN). */
  queueName: string;
  region: string;
  fifo: boolean;
  arn: string;
  attrs: Record<string, string>;
  tags: Record<string, string>;
  createdMs: number;
  modifiedMs: number;
  lastPurgeMs: number | null;
  seqCounter: number;
  redrive?: RedrivePolicy;
  allow?: RedriveAllowPolicy;
}

interface QueueRow {
  name: string;
  region: string;
  fifo: number;
  attributes: string;
  tags: string;
  created_ms: number;
  modified_ms: number;
  last_purge_ms: number | null;
  seq_counter: number;
}

export class QueueRegistry {
  private readonly byName = new Map<string, Queue>();
  private readonly stmts;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** The region of queues stored before regions existed, and of unsigned requests. */
    readonly defaultRegion: string,
    readonly account: string,
  ) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO sqs_queues (name, region, fifo, attributes, tags, created_ms, modified_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateAttrs: db.prepare(`UPDATE sqs_queues SET attributes = ?, modified_ms = ? WHERE name = ?`),
      updateTags: db.prepare(`UPDATE sqs_queues SET tags = ? WHERE name = ?`),
      updatePurge: db.prepare(`UPDATE sqs_queues SET last_purge_ms = ? WHERE name = ?`),
      updateSeq: db.prepare(`UPDATE sqs_queues SET seq_counter = ? WHERE name = ?`),
      delete: db.prepare(`DELETE FROM sqs_queues WHERE name = ?`),
      deleteMessages: db.prepare(`DELETE FROM sqs_messages WHERE queue = ?`),
      deleteDedup: db.prepare(`DELETE FROM sqs_dedup WHERE queue = ?`),
      recordDeleted: db.prepare(`INSERT OR REPLACE INTO sqs_deleted_queues (name, deleted_ms) VALUES (?, ?)`),
      deletedAt: db.prepare(`SELECT deleted_ms FROM sqs_deleted_queues WHERE name = ?`),
      forgetDeleted: db.prepare(`DELETE FROM sqs_deleted_queues WHERE name = ?`),
    };
    for (const row of db.prepare(`SELECT * FROM sqs_queues`).all() as QueueRow[]) {
      this.byName.set(row.name, this.fromRow(row));
    }
  }

  private fromRow(row: QueueRow): Queue {
    const queueName = row.name.slice(row.name.indexOf('/') + 1);
    const q: Queue = {
      name: row.name,
      queueName,
      region: row.region,
      fifo: row.fifo === 1,
      arn: queueArn(queueName, row.region, this.account),
      attrs: JSON.parse(row.attributes) as Record<string, string>,
      tags: JSON.parse(row.tags) as Record<string, string>,
      createdMs: row.created_ms,
      modifiedMs: row.modified_ms,
      lastPurgeMs: row.last_purge_ms,
      seqCounter: row.seq_counter,
    };
    this.refreshDerived(q);
    return q;
  }

  private refreshDerived(q: Queue): void {
    q.redrive = parseRedrivePolicy(q.attrs.RedrivePolicy);
    q.allow = parseRedriveAllowPolicy(q.attrs.RedriveAllowPolicy);
  }

  /** Every queue of every region. */
  all(): Queue[] {
    return [...this.byName.values()];
  }

  /** The queues of one region. */
  inRegion(region: string): Queue[] {
    return this.all().filter((q) => q.region === region);
  }

  /** The storage key of queue `name` in `region`. */
  key(region: string, name: string): string {
    return region === this.defaultRegion ? name : `${region}/${name}`;
  }

  /** By storage key (`orders`, `eu-west-1/orders`). */
  get(key: string | undefined): Queue | undefined {
    return key === undefined ? undefined : this.byName.get(key);
  }

  /** Queue `name` of `region`, if it exists. */
  find(region: string, name: string | undefined): Queue | undefined {
    return name === undefined ? undefined : this.get(this.key(region, name));
  }

  /** Queue `name` of `region`, or QueueDoesNotExist. */
  require(region: string, name: string | undefined): Queue {
    const q = this.find(region, name);
    if (!q) throw E.queueDoesNotExist();
    return q;
  }

  byArn(arn: string): Queue | undefined {
    const p = parseQueueArn(arn);
    const q = p && this.find(p.region, p.name);
    return q && q.arn === arn ? q : undefined;
  }

  create(region: string, queueName: string, fifo: boolean, attrs: Record<string, string>, tags: Record<string, string>): Queue {
    const name = this.key(region, queueName);
    const now = this.clock.now();
    const deleted = this.stmts.deletedAt.get(name) as { deleted_ms: number } | undefined;
    if (deleted && now - deleted.deleted_ms < QUEUE_DELETED_RECENTLY_MS) throw E.queueDeletedRecently();
    const clean = applySse(stripEmpty(attrs), attrs);
    this.db.transaction(() => {
      if (deleted) this.stmts.forgetDeleted.run(name);
      this.stmts.insert.run(name, region, fifo ? 1 : 0, JSON.stringify(clean), JSON.stringify(tags), now, now);
    })();
    const q: Queue = {
      name,
      queueName,
      region,
      fifo,
      arn: queueArn(queueName, region, this.account),
      attrs: clean,
      tags,
      createdMs: now,
      modifiedMs: now,
      lastPurgeMs: null,
      seqCounter: 0,
    };
    this.refreshDerived(q);
    this.byName.set(name, q);
    return q;
  }

  setAttributes(q: Queue, attrs: Record<string, string>): void {
    const next = applySse(stripEmpty({ ...q.attrs, ...attrs }), attrs);
    const now = this.clock.now();
    this.stmts.updateAttrs.run(JSON.stringify(next), now, q.name);
    q.attrs = next;
    q.modifiedMs = now;
    this.refreshDerived(q);
  }

  setTags(q: Queue, tags: Record<string, string>): void {
    this.stmts.updateTags.run(JSON.stringify(tags), q.name);
    q.tags = tags;
  }

  markPurged(q: Queue, at: number): void {
    this.stmts.updatePurge.run(at, q.name);
    q.lastPurgeMs = at;
  }

  /** Next FIFO sequence counter; must be called inside the transaction that stores the message. */
  nextSequence(q: Queue): number {
    q.seqCounter += 1;
    this.stmts.updateSeq.run(q.seqCounter, q.name);
    return q.seqCounter;
  }

  delete(q: Queue): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      this.stmts.deleteMessages.run(q.name);
      this.stmts.deleteDedup.run(q.name);
      this.stmts.delete.run(q.name);
      this.stmts.recordDeleted.run(q.name, now);
    })();
    this.byName.delete(q.name);
  }

  /** Queues whose RedrivePolicy targets `dlq`. */
  sourcesOf(dlq: Queue): Queue[] {
    return this.all().filter((q) => q.redrive?.deadLetterTargetArn === dlq.arn);
  }
}

/**
 * KMS and SQS-managed SSE exclude each other, as on AWS (recorded): setting a KmsMasterKeyId turns
 * SqsManagedSseEnabled to "false", and it stays "false" when the key is later reset to ""; enabling
 * SqsManagedSseEnabled drops the key. KmsDataKeyReusePeriodSeconds only exists alongside a key.
 */
function applySse(next: Record<string, string>, changed: Record<string, string>): Record<string, string> {
  if (changed.SqsManagedSseEnabled === 'true' && !changed.KmsMasterKeyId) delete next.KmsMasterKeyId;
  if (changed.KmsMasterKeyId) next.SqsManagedSseEnabled = 'false';
  if (!next.KmsMasterKeyId) delete next.KmsDataKeyReusePeriodSeconds;
  return next;
}

function stripEmpty(attrs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== '') out[k] = v;
  return out;
}
