/**
 * A run of SQS hops written straight into one group row: consecutive `sqs.sent`, `sqs.received` or
 * `sqs.deleted` events of one queue (a batch's messages, a consumer's receives and deletes, the sends of
 * several clients in one group commit) go, as they are recorded, into the bytes of group-codec.ts's form
 * (version 3: version 1's, with a member's data possibly the number of an earlier member that has the same),
 * with no event object, Row or codec pass per event: the type and the queue are numbers resolved once per
 * run, a message id its 16 bytes copied from the id index's parse of it (id-index.ts `putParsed`), a
 * received message's data an interned text (`{"receiveCount":1}`) or, with a request id, written once per
 * receive and named by member number by its other messages (a run was ~60 bytes a message larger without).
 * A run holds at most GROUP events, like a group row the flush makes.
 *
 * Deliberately not here: seqs, interning, the id map, when an event may join or a run ends (journal.ts: any
 * event that is not the run's next closes it, and so do the flush and every reader); reading rows back
 * (group-codec.ts `decodeGroup`, through the journal's expand).
 */
import { Bytes, GROUP_REF_VERSION, putUuid, zigzag } from './group-codec.js';
import type { IdIndex } from './id-index.js';
import type { Row } from './journal.js';

export class RunWriter {
  /** The open run's first seq; 0 when none is open. */
  seq = 0;
  /** Its events so far. */
  members = 0;
  /** The number of its type and its queue's text (the text compared, the number written). */
  type = 0;
  resourceText = '';
  private resource = 0;
  private time = 0;
  private readonly b = new Bytes(4096);
  /** The last data text written in full in the run, and the member (from 1) that has it. */
  private lastText: string | undefined;
  private lastTextAt = 0;

  /** Opens a run at `seq`: its events' type (a text number), queue, and the time its members' dt count from. */
  start(seq: number, time: number, type: number, resourceText: string, resource: number): void {
    this.seq = seq;
    this.members = 0;
    this.time = time;
    this.type = type;
    this.resourceText = resourceText;
    this.resource = resource;
    const b = this.b;
    b.at = 0;
    b.room(1);
    b.buf[b.at++] = GROUP_REF_VERSION;
    this.lastText = undefined;
  }

  /**
   * The next member's fields before its id (the event at seq + members): its time, and `cause` (its cause's
   * seq, 0 for none).
   */
  member(time: number, cause: number): void {
    const b = this.b;
    const seq = this.seq + this.members++;
    b.varint(zigzag(time - this.time));
    b.varint(this.type * 2);
    b.varint(cause === 0 ? 0 : zigzag(seq - cause));
    b.varint(this.resource * 2);
  }

  /** The member's id: the UUID `ix.at` parsed last, as its 16 bytes. */
  parsedId(ix: IdIndex): void {
    const b = this.b;
    b.room(17);
    b.buf[b.at] = 1;
    ix.putParsed(b.buf, b.at + 1);
    b.at += 17;
  }

  /** The member's id, any id (a UUID not in canonical form, or another id: its text). */
  id(id: string): void {
    const b = this.b;
    b.room(17);
    if (putUuid(b.buf, b.at + 1, id)) {
      b.buf[b.at] = 1;
      b.at += 17;
    } else b.text(id, 4, 3);
  }

  /**
   * The member's data: a text number, its JSON text, or null for none. A text the same as the last one
   * written in the run (a receive's messages share theirs) is the number of the member that has it.
   */
  data(v: string | number | null): void {
    const b = this.b;
    if (v === null) b.varint(0);
    else if (typeof v === 'number') b.varint(v * 4);
    else if (v === this.lastText) b.varint(this.lastTextAt * 4 + 2);
    else {
      b.text(v, 4, 1);
      this.lastText = v;
      this.lastTextAt = this.members;
    }
  }

  /** Ends the run: its group row. */
  finish(): Row {
    const b = this.b;
    const data = Buffer.allocUnsafe(b.at);
    b.buf.copy(data, 0, 0, b.at);
    const row: Row = { seq: this.seq, time_ms: this.time, type: -this.members, cause: null, resource: null, id: null, data };
    this.seq = 0;
    this.members = 0;
    return row;
  }

  /** Drops the open run (the journal's `clear`). */
  clear(): void {
    this.seq = 0;
    this.members = 0;
  }
}
