/**
 * Recording an SNS publish's fan-out as one compact record (fanout-codec.ts) while it happens: the record
 * `Journal.fanOut` opens at the publish, and the hops recorded next with the publish as their cause that it
 * takes (`absorb`): each subscription's `sns.filtered`, or its `sns.delivered` (at the seq reserved for it)
 * and the `sqs.sent` that delivery made. Each goes into the record's buffers — resources and frozen data by
 * number, SQS message ids as 16 bytes, the rest (the record's shape) a text stored once per topic — with no
 * event object, Row, id-map entry or codec pass per hop. A hop's numbers are those the topic's last record
 * resolved at the same position when its text and data document are the same (a string and an object
 * comparison), and its time the caller's (the publish's or the send's `now`, read once). Anything else recorded meanwhile (a blocked
 * delivery, a Lambda or HTTP subscription, a delayed queue, a reader) closes it into the journal's pending
 * rows; what follows is recorded event by event. Its ids (the SQS message ids, and the publish's) enter the
 * id map on the first `lastOf` that misses (`indexIds`; an id's first event is in the record, its send or the
 * publish: nothing newer of it can be there before).
 *
 * Deliberately not here: seqs, the pending rows, text numbering, the id map and the flush (the journal's,
 * reached through `FanOutJournal` on the journal itself: no callbacks or objects per hop, positional
 * arguments as `hop` / `sent` take them); the publish's own row (the journal builds it as any event's); the
 * byte form (fanout-codec.ts); reading records back (the journal expands them like group rows).
 */
import type { Clock } from '../clock.js';
import { decodeFanOut, FanOutWriter } from './fanout-codec.js';
import type { Row } from './journal.js';

/** At most this many events in one fan-out record (a publish to more subscribers goes on event by event). */
const FANOUT_SPAN = 1024;

/** Topics whose last record's numbers are kept (see `FanOutRecorder.resource`); past it they start afresh. */
const MEMO_TOPICS = 256;

/** A topic's last record: per position, the resource text and its number, the data document and its number. */
interface Memo {
  text: Array<string | undefined>;
  num: number[];
  doc: Array<Readonly<Record<string, unknown>> | undefined>;
  data: number[];
}

/** What recording a fan-out uses of the journal (journal.ts's `Journal`). */
export interface FanOutJournal {
  /** The seq the next event gets: a hop taken at it (or reserved) advances it. */
  nextSeq: number;
  /** The ring's size: records out of it need no indexing. */
  readonly size: number;
  /** The rows waiting for the flush: a closed record joins them. */
  readonly pending: Row[];
  /** The number of a text (svl_journal_text), or the text itself when interning is full. */
  intern(text: string): string | number;
  /** A record's shape: its text in full the first time, by number from the second. */
  internData(text: string): string | number;
  /** The number of a frozen data document's text, or 0. */
  constantRef(doc: Readonly<Record<string, unknown>>): number;
  /** The text of a number (a record's shape, when indexing its ids). */
  readonly textOfNumber: (n: number) => string | undefined;
  /** `seq` is now the latest event of `id`. */
  remember(id: string, seq: number): void;
  /** `seq` as the latest event of `id` in the id map, unless the map knows a later one. */
  keepNewer(id: string, seq: number): void;
  /**
   * `n` more events recorded towards the prune (a record's hops: the flush and the waiters' wake-up that its
   * publish scheduled come after them, and the flush closes the record first).
   */
  counted(n: number): void;
}

/** The journal's fan-out recording: at most one record open at a time. */
export class FanOutRecorder {
  /**
   * The open record: its publish's row (`head`, undefined when none is open), the seq its next member must
   * have, a delivery's reserved seq (`hop`, 0: none)
   * and, once recorded, the SQS send that delivery made (its seq is hop + 1).
   */
  head: Row | undefined;
  private next = 0;
  private hop = 0;
  private sentId: string | undefined;
  private sentTime = 0;
  private sentQueue = 0;
  private readonly writer = new FanOutWriter();
  /** What the last record of each topic resolved, by position (see `resource`); the open record's topic's. */
  private readonly memos = new Map<string | number, Memo>();
  private memo: Memo | undefined;
  /**
   * A fan-out record's shape (fanout-codec.ts): kept by number from its second sighting, like SNS data; inline
   * when its text cannot be stored (a flush timer firing after the database closed).
   */
  private readonly shapeRef = (text: string): string | number => {
    try {
      return this.j.internData(text);
    } catch {
      return text;
    }
  };
  /** The numbers of `sns.filtered`, `sns.delivered`, `sqs.sent` (null: interning is full, no fan-out records). */
  private typeNumbers: [number, number, number] | null | undefined;
  /**
   * Fan-out records whose SQS message ids are not yet in the id map: they go in on the first miss of `lastOf`
   * (an SQS message id's first event is its send, so no other event of it can be newer in the map).
   */
  private unindexed: Row[] = [];

  constructor(
    private readonly j: FanOutJournal,
    private readonly clock: Clock,
  ) {}

  /** The numbers of the three member types, interned on first use; null when fan-out records cannot be kept. */
  types(): [number, number, number] | null {
    if (this.typeNumbers !== undefined) return this.typeNumbers;
    const t = [this.j.intern('sns.filtered'), this.j.intern('sns.delivered'), this.j.intern('sqs.sent')];
    this.typeNumbers = t.every((n) => typeof n === 'number') ? (t as [number, number, number]) : null;
    return this.typeNumbers;
  }

  /** Opens a record at the publish's row `head` (`types`: from `types()`). */
  start(types: [number, number, number], head: Row): void {
    const seq = head.seq;
    this.writer.start(types, { type: head.type, cause: head.cause === null ? 0 : seq - head.cause, resource: head.resource, id: head.id, data: head.data as string | number | null });
    this.head = head;
    this.next = seq + 1;
    const key = head.resource ?? 0;
    let memo = this.memos.get(key);
    if (memo === undefined) {
      if (this.memos.size >= MEMO_TOPICS) this.memos.clear();
      this.memos.set(key, (memo = { text: [], num: [], doc: [], data: [] }));
    }
    this.memo = memo;
  }

  /** A delivery's seq, recorded after the send it causes (see `absorb`), or 0 when the record cannot take it. */
  reserve(): number {
    const j = this.j;
    // Room for the delivery and its send.
    if (this.hop === 0 && j.nextSeq === this.next && j.nextSeq - this.head!.seq < FANOUT_SPAN - 2) {
      this.hop = j.nextSeq;
      return j.nextSeq++;
    }
    return 0;
  }

  /**
   * Takes `e` into the open fan-out when it is its next hop (see `filtered`, `sent`, `delivered`): its seq, or 0
   * (the caller then closes the record and records `e` on its own).
   */
  absorb(
    type: string,
    at: number | undefined,
    resourceText: string | undefined,
    id: string | undefined,
    cause: number | undefined,
    doc: Readonly<Record<string, unknown>> | undefined,
    timeMs: number | undefined,
  ): number {
    if (type === 'sns.filtered') return at === undefined ? this.filtered(resourceText, id, cause, doc, timeMs) : 0;
    if (type === 'sns.delivered') return at === undefined ? 0 : this.delivered(at, resourceText, id, cause, doc, timeMs);
    if (type === 'sqs.sent') return at === undefined ? this.sent(resourceText, id, cause, doc, timeMs) : 0;
    return 0;
  }

  /** A filtered-out subscription, at the next seq: its seq, or 0 when the record cannot take it. */
  filtered(resourceText: string | undefined, id: string | undefined, cause: number | undefined, doc: Readonly<Record<string, unknown>> | undefined, timeMs: number | undefined): number {
    const j = this.j;
    const head = this.head!;
    const seq = j.nextSeq;
    const k = seq - head.seq;
    if (this.hop !== 0 || seq !== this.next || k >= FANOUT_SPAN || cause !== head.seq || id !== head.id || id === undefined) return 0;
    const resource = this.resource(k, resourceText);
    const data = this.data(k, doc);
    const time = timeMs ?? this.clock.now();
    if (resource === 0 || data === 0 || !Number.isInteger(time)) return 0;
    this.writer.filtered(time - head.time_ms, resource, data);
    j.nextSeq = this.next = seq + 1;
    return seq;
  }

  /** The SQS send a reserved delivery made, at the seq after it: its seq, or 0. */
  sent(queueText: string | undefined, id: string | undefined, cause: number | undefined, doc: Readonly<Record<string, unknown>> | undefined, timeMs: number | undefined): number {
    const j = this.j;
    const hop = this.hop;
    const seq = hop + 1;
    if (hop === 0 || this.sentId !== undefined || cause !== hop || j.nextSeq !== seq || doc !== undefined || id === undefined) return 0;
    const queue = this.resource(seq - this.head!.seq, queueText);
    const time = timeMs ?? this.clock.now();
    if (queue === 0 || !Number.isInteger(time) || !this.writer.sent(time - this.head!.time_ms, queue, id)) return 0;
    j.nextSeq = seq + 1;
    this.sentId = id;
    this.sentTime = time;
    this.sentQueue = queue;
    return seq;
  }

  /** A delivery, at the seq reserved for it, after the send it made: its seq, or 0. */
  delivered(at: number, resourceText: string | undefined, id: string | undefined, cause: number | undefined, doc: Readonly<Record<string, unknown>> | undefined, timeMs: number | undefined): number {
    const head = this.head!;
    const seq = this.hop;
    if (this.sentId === undefined || at !== seq || cause !== head.seq || id !== head.id) return 0;
    const k = seq - head.seq;
    const resource = this.resource(k, resourceText);
    const data = this.data(k, doc);
    const time = timeMs ?? this.clock.now();
    if (resource === 0 || data === 0 || !Number.isInteger(time)) return 0;
    this.writer.delivered(time - head.time_ms, resource, data);
    this.next = seq + 2;
    this.hop = 0;
    this.sentId = undefined;
    return seq;
  }

  /**
   * The number of the resource of the event at position `k` of the record (seq minus the publish's), or 0:
   * the topic's last record resolved the same text there (its subscriptions in the same order), so that is
   * one string comparison — the same string object publish after publish — instead of a lookup by text.
   * A subscription added or removed moves the texts: a position whose text differs is interned afresh.
   */
  private resource(k: number, text: string | undefined): number {
    const m = this.memo!;
    if (text === undefined) return 0;
    if (m.text[k] === text) return m.num[k]!;
    const n = this.j.intern(text);
    if (typeof n !== 'number') return 0;
    m.text[k] = text;
    m.num[k] = n;
    return n;
  }

  /** The number of the frozen data document of the event at `k` (as `resource`, by identity), or 0. */
  private data(k: number, doc: Readonly<Record<string, unknown>> | undefined): number {
    const m = this.memo!;
    if (doc === undefined) return 0;
    if (m.doc[k] === doc) return m.data[k]!;
    if (!Object.isFrozen(doc)) return 0;
    const n = this.j.constantRef(doc);
    if (n === 0) return 0;
    m.doc[k] = doc;
    m.data[k] = n;
    return n;
  }

  /** Ends the open fan-out: its record (or, with no member, its publish alone) joins the pending rows. */
  close(): void {
    const j = this.j;
    const head = this.head!;
    this.head = undefined;
    this.memo = undefined;
    j.counted(this.next - head.seq - 1 + (this.sentId !== undefined ? 1 : 0));
    if (this.sentId !== undefined) {
      // A send whose delivery is not recorded yet: an event of its own, as is the delivery when it comes.
      this.writer.dropPartial();
      j.pending.push({ seq: this.hop + 1, time_ms: this.sentTime, type: this.typeNumbers![2], cause: this.hop, resource: this.sentQueue, id: this.sentId, data: null });
      j.remember(this.sentId, this.hop + 1);
      this.sentId = undefined;
    }
    this.hop = 0;
    if (this.writer.members === 0) {
      j.pending.push(head);
      if (head.id !== null) j.remember(head.id, head.seq);
    } else {
      const row: Row = { seq: head.seq, time_ms: head.time_ms, type: -(this.next - head.seq), cause: null, resource: null, id: null, data: this.writer.finish(this.shapeRef) };
      j.pending.push(row);
      // Records out of the ring need no indexing.
      const bound = j.nextSeq - 1 - j.size;
      while (this.unindexed.length && lastSeq(this.unindexed[0]!) <= bound) this.unindexed.shift();
      // Its ids, the publish's too, enter the id map when a lookup misses (`indexIds`).
      this.unindexed.push(row);
    }
  }

  /** Whether records wait to have their SQS message ids put into the id map (`indexIds`). */
  get unindexedIds(): boolean {
    return this.unindexed.length > 0;
  }

  /**
   * Puts the ids of the fan-out records recorded since the last lookup into the id map: each SQS message id
   * at its send, the publish's message id at its last hop in the record; false when there were none.
   */
  indexIds(): boolean {
    if (this.unindexed.length === 0) return false;
    const j = this.j;
    const rows = this.unindexed;
    this.unindexed = [];
    const bound = j.nextSeq - 1 - j.size;
    for (const r of rows) {
      const members = decodeFanOut(r.data as Buffer, j.textOfNumber);
      const publishId = members[0]!.id;
      let publishLast = r.seq;
      for (let k = 1; k < members.length; k++) {
        const id = members[k]!.id;
        const seq = r.seq + k;
        if (id === publishId) publishLast = seq;
        if (id === undefined || id === publishId || seq <= bound) continue;
        j.keepNewer(id, seq);
      }
      if (publishId !== undefined && publishLast > bound) j.keepNewer(publishId, publishLast);
    }
    return true;
  }

  /** Forgets the records waiting to be indexed (the journal reads every id from the table instead). */
  forgetUnindexed(): void {
    this.unindexed = [];
  }

  /** Drops the open record and the records waiting to be indexed (the journal's `clear`). */
  clear(): void {
    this.head = undefined;
    this.memo = undefined;
    this.hop = 0;
    this.sentId = undefined;
    this.unindexed = [];
  }
}

/** The seq of a fan-out record's last event (its type is minus its number of events). */
function lastSeq(r: Row): number {
  return r.seq - (r.type as number) - 1;
}
