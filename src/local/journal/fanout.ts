/**
 * Recording an SNS publish's fan-out as one compact record (fanout-codec.ts) while it happens: the record
 * `Journal.fanOut` opens at the publish, and the hops recorded next with the publish as their cause that it
 * takes (`absorb`): each subscription's `sns.filtered`, or its `sns.delivered` (at the seq reserved for it)
 * and the `sqs.sent` that delivery made. Each goes into the record's buffers — resources and frozen data by
 * number, SQS message ids as 16 bytes, the rest (the record's shape) a text stored once per topic — with no
 * event object, Row, id-map entry or codec pass per hop. Anything else recorded meanwhile (a blocked
 * delivery, a Lambda or HTTP subscription, a delayed queue, a reader) closes it into the journal's pending
 * rows; what follows is recorded event by event. Its SQS message ids enter the id map on the first `lastOf`
 * that misses (`indexIds`; an SQS message's first event is its send: nothing newer of it can be there
 * before).
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
  /** What every recorded event does: a flush scheduled, the prune counted, waiters woken. */
  recorded(): void;
}

/** The journal's fan-out recording: at most one record open at a time. */
export class FanOutRecorder {
  /**
   * The open record: its publish's row (`head`, undefined when none is open), the seq its next member must
   * have, the seq of its latest member (its id's latest event), a delivery's reserved seq (`hop`, 0: none)
   * and, once recorded, the SQS send that delivery made (its seq is hop + 1).
   */
  head: Row | undefined;
  private next = 0;
  private last = 0;
  private hop = 0;
  private sentId: string | undefined;
  private sentTime = 0;
  private sentQueue = 0;
  private readonly writer = new FanOutWriter();
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
    this.last = seq;
  }

  /** A delivery's seq, recorded after the send it causes (see `absorb`), or 0 when the record cannot take it. */
  reserve(): number {
    const j = this.j;
    if (this.hop === 0 && j.nextSeq === this.next && j.nextSeq - this.head!.seq < FANOUT_SPAN - 1) {
      this.hop = j.nextSeq;
      return j.nextSeq++;
    }
    return 0;
  }

  /**
   * Takes `e` into the open fan-out when it is its next hop: a filtered-out subscription, the SQS send of the
   * delivery whose seq was reserved, or that delivery; resource and data known by number. Its seq, or 0.
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
    const j = this.j;
    const head = this.head!;
    if (resourceText === undefined || j.nextSeq - head.seq >= FANOUT_SPAN) return 0;
    let seq: number;
    if (this.hop === 0 || this.sentId !== undefined) {
      // sns.filtered (at the next seq) or sns.delivered (at the reserved one, after its send)
      const delivery = this.hop !== 0;
      if (type !== (delivery ? 'sns.delivered' : 'sns.filtered') || at !== (delivery ? this.hop : undefined)) return 0;
      if (cause !== head.seq || id !== head.id || id === undefined || !doc || !Object.isFrozen(doc)) return 0;
      if (!delivery && j.nextSeq !== this.next) return 0;
      const resource = j.intern(resourceText);
      const data = j.constantRef(doc);
      const time = timeMs ?? this.clock.now();
      if (typeof resource !== 'number' || data === 0 || !Number.isInteger(time)) return 0;
      if (delivery) {
        this.writer.delivered(time - head.time_ms, resource, data);
        seq = this.hop;
        this.next = seq + 2;
        this.hop = 0;
        this.sentId = undefined;
      } else {
        this.writer.filtered(time - head.time_ms, resource, data);
        seq = j.nextSeq++;
        this.next = seq + 1;
      }
      this.last = seq;
    } else {
      // The SQS send a reserved delivery made, at the seq after it.
      if (type !== 'sqs.sent' || at !== undefined || cause !== this.hop || j.nextSeq !== this.hop + 1 || doc !== undefined || id === undefined) return 0;
      const queue = j.intern(resourceText);
      const time = timeMs ?? this.clock.now();
      if (typeof queue !== 'number' || !Number.isInteger(time) || !this.writer.sent(time - head.time_ms, queue, id)) return 0;
      seq = j.nextSeq++;
      this.sentId = id;
      this.sentTime = time;
      this.sentQueue = queue;
    }
    j.recorded();
    return seq;
  }

  /** Ends the open fan-out: its record (or, with no member, its publish alone) joins the pending rows. */
  close(): void {
    const j = this.j;
    const head = this.head!;
    this.head = undefined;
    if (this.sentId !== undefined) {
      // A send whose delivery is not recorded yet: an event of its own, as is the delivery when it comes.
      this.writer.dropPartial();
      j.pending.push({ seq: this.hop + 1, time_ms: this.sentTime, type: this.typeNumbers![2], cause: this.hop, resource: this.sentQueue, id: this.sentId, data: null });
      j.remember(this.sentId, this.hop + 1);
      this.sentId = undefined;
    }
    this.hop = 0;
    if (this.writer.members === 0) j.pending.push(head);
    else {
      const row: Row = { seq: head.seq, time_ms: head.time_ms, type: -(this.next - head.seq), cause: null, resource: null, id: null, data: this.writer.finish(this.shapeRef) };
      j.pending.push(row);
      // Records out of the ring need no indexing.
      const bound = j.nextSeq - 1 - j.size;
      while (this.unindexed.length && lastSeq(this.unindexed[0]!) <= bound) this.unindexed.shift();
      this.unindexed.push(row);
    }
    if (head.id !== null) j.remember(head.id, this.last);
  }

  /**
   * Puts the SQS message ids of the fan-out records recorded since the last lookup into the id map; false
   * when there were none.
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
      for (let k = 1; k < members.length; k++) {
        const id = members[k]!.id;
        const seq = r.seq + k;
        if (id === undefined || id === publishId || seq <= bound) continue;
        j.keepNewer(id, seq);
      }
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
    this.hop = 0;
    this.sentId = undefined;
    this.unindexed = [];
  }
}

/** The seq of a fan-out record's last event (its type is minus its number of events). */
function lastSeq(r: Row): number {
  return r.seq - (r.type as number) - 1;
}
