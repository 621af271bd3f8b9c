/**
 * The compact form of an SNS publish's fan-out in the journal (`journal.ts`, see `fanOut`): the publish and
 * the hops it led to — each subscription's `sns.filtered`, or its `sns.delivered` with the `sqs.sent` of the
 * message it put in the queue — as one record of consecutive seqs from the publish's, written as the hops
 * happen and expanded into events only when read.
 *
 * What repeats publish after publish is stored once: the record's *shape* — per member its kind and the
 * numbers (svl_journal_text) of its resource(s) and of its frozen data document — is a text of its own,
 * referred to by number when a topic's publishes have the same one (the caller interns it). Per record
 * remain the publish itself, each SQS message id as its 16 bytes, and the times that differ from the one
 * before. Everything else is implied: a member's type (the record names the three types' numbers once), its
 * id (the publish's), its cause (the publish; a send's: the delivery before it).
 *
 * Layout: version byte 2; the numbers of the types `sns.filtered`, `sns.delivered`, `sqs.sent` (varints);
 * the publish as group-codec.ts writes a member, without its dt (the row's time is the publish's); the shape
 * (a value: `2n` for text n, or `2len + 1` and its bytes); the times: a count, then per change `k` (events
 * after the previous change) and the zigzag dt from then on; the SQS message ids, 16 bytes each, in order.
 * A shape is, per member: `1`, resource, data (filtered) or `2`, the queue's resource, resource, data
 * (delivered, then the send at the next seq). Decoded, a record is the members of group-codec.ts
 * (`DecodedMember`), so readers treat both forms alike.
 *
 * Deliberately not here: which hops qualify (fanout.ts), interning, or the journal's seqs and pending rows
 * (journal.ts).
 */
import { ByteReader, Bytes, putUuid, zigzag, type DecodedMember } from './group-codec.js';

export const FANOUT_VERSION = 2;

/** The shape last written for a publish resource, and its text's number. */
interface KnownShape {
  bytes: Buffer;
  ref: number;
}

/** Builds one fan-out record at a time (the journal has at most one open). */
export class FanOutWriter {
  private readonly head = new Bytes(256);
  private readonly shape = new Bytes(4096);
  private readonly times = new Bytes(256);
  private readonly ids = new Bytes(8192);
  /** Events so far after the publish (a delivery counts two), and the dt of the last one. */
  private events = 0;
  private lastDt = 0;
  private timeChanges = 0;
  /** Events at the last time change. */
  private changedAt = 0;
  /** A send whose delivery has not come yet: its dt and where its bytes start. */
  private sentDt = 0;
  private shapeMark = 0;
  private idsMark = 0;
  /** The publish's resource (shapes are remembered per topic). */
  private resource: string | number | null = null;
  private readonly known = new Map<string | number, KnownShape>();
  /** Members completed so far. */
  members = 0;

  /** Starts a record: the three types' numbers and the publish (its fields as group-codec.ts stores them). */
  start(types: readonly [number, number, number], publish: { type: string | number; cause: number; resource: string | number | null; id: string | null; data: string | number | null }): void {
    const h = this.head;
    h.at = 0;
    this.shape.at = this.times.at = this.ids.at = 0;
    this.members = this.events = this.lastDt = this.timeChanges = this.changedAt = 0;
    this.shapeMark = this.idsMark = 0;
    this.resource = publish.resource;
    h.room(1);
    h.buf[h.at++] = FANOUT_VERSION;
    for (const t of types) h.varint(t);
    h.value(publish.type);
    h.varint(zigzag(publish.cause));
    h.value(publish.resource);
    if (publish.id === null) h.varint(0);
    else {
      h.room(17);
      if (putUuid(h.buf, h.at + 1, publish.id)) {
        h.buf[h.at] = 1;
        h.at += 17;
      } else h.text(publish.id, 4, 3);
    }
    h.value(publish.data);
  }

  filtered(dt: number, resource: number, data: number): void {
    const s = this.shape;
    s.varint(1);
    s.varint(resource);
    s.varint(data);
    this.time(dt);
    this.members++;
    this.shapeMark = s.at;
    this.idsMark = this.ids.at;
  }

  /** The first half of a delivery: the SQS send it made. False (nothing kept) when the id is no UUID. */
  sent(dt: number, queue: number, id: string): boolean {
    const ids = this.ids;
    ids.room(16);
    if (!putUuid(ids.buf, ids.at, id)) return false;
    ids.at += 16;
    this.shape.varint(2);
    this.shape.varint(queue);
    this.sentDt = dt;
    return true;
  }

  /** The second half: the delivery itself. */
  delivered(dt: number, resource: number, data: number): void {
    const s = this.shape;
    s.varint(resource);
    s.varint(data);
    // The delivery's seq comes before its send's.
    this.time(dt);
    this.time(this.sentDt);
    this.members++;
    this.shapeMark = s.at;
    this.idsMark = this.ids.at;
  }

  /** Drops a send whose delivery never came (the record ends before it). */
  dropPartial(): void {
    this.shape.at = this.shapeMark;
    this.ids.at = this.idsMark;
  }

  /**
   * The record (complete members only), as its own buffer. `intern(text)`: the number of a shape's text, or
   * the text itself when it is not to be kept by number.
   */
  finish(intern: (text: string) => string | number): Buffer {
    const shape = this.shape.buf.subarray(0, this.shapeMark);
    const key = this.resource ?? 0;
    let ref: string | number | undefined;
    const known = this.known.get(key);
    if (known !== undefined && known.bytes.equals(shape)) ref = known.ref;
    else {
      ref = intern(shape.toString('latin1'));
      if (typeof ref === 'number') this.known.set(key, { bytes: Buffer.from(shape), ref });
    }
    const h = this.head;
    const headEnd = h.at;
    h.value(ref);
    h.varint(this.timeChanges);
    const out = Buffer.allocUnsafe(h.at + this.times.at + this.idsMark);
    h.buf.copy(out, 0, 0, h.at);
    this.times.buf.copy(out, h.at, 0, this.times.at);
    this.ids.buf.copy(out, h.at + this.times.at, 0, this.idsMark);
    h.at = headEnd;
    return out;
  }

  /** The dt of the next event: written only when it differs from the one before. */
  private time(dt: number): void {
    this.events++;
    if (dt === this.lastDt) return;
    this.times.varint(this.events - this.changedAt);
    this.times.varint(zigzag(dt));
    this.changedAt = this.events;
    this.lastDt = dt;
    this.timeChanges++;
  }
}

/**
 * The events of a fan-out record, as group-codec.ts decodes a group row's: member k is the event at seq + k.
 * `text(n)`: the text of a number (the shape's), undefined when unknown.
 */
export function decodeFanOut(buf: Uint8Array, text: (n: number) => string | undefined): DecodedMember[] {
  const r = new ByteReader(buf, 1);
  const filtered = r.varint();
  const delivered = r.varint();
  const sent = r.varint();
  const type = r.value();
  const cause = r.signed();
  const resource = r.value();
  const code = r.varint();
  let pid: string | undefined;
  if (code === 1) pid = r.uuid();
  else if (code % 4 === 3) pid = r.str((code - 3) / 4);
  const publish: DecodedMember = { dt: 0, type, cause, resource, id: pid, data: r.value() };
  const shapeRef = r.value();
  const shapeText = typeof shapeRef === 'number' ? text(shapeRef) : shapeRef;
  if (shapeText === undefined) throw new Error(`journal: the shape #${String(shapeRef)} of the fan-out record is missing`);
  const shape = new ByteReader(Buffer.from(shapeText, 'latin1'));
  // The time changes: [event number, dt] in order.
  const changes: number[] = [];
  let at = 0;
  for (let n = r.varint(); n > 0; n--) {
    at += r.varint();
    changes.push(at, r.signed());
  }
  let change = 0;
  let dt = 0;
  const out: DecodedMember[] = [publish];
  const nextDt = (): number => {
    if (change < changes.length && changes[change] === out.length) {
      dt = changes[change + 1]!;
      change += 2;
    }
    return dt;
  };
  while (shape.more) {
    const kind = shape.varint();
    const k = out.length;
    if (kind === 1) {
      const res = shape.varint();
      out.push({ dt: nextDt(), type: filtered, cause: k, resource: res, id: publish.id, data: shape.varint() });
    } else {
      const queue = shape.varint();
      const res = shape.varint();
      out.push({ dt: nextDt(), type: delivered, cause: k, resource: res, id: publish.id, data: shape.varint() });
      out.push({ dt: nextDt(), type: sent, cause: 1, resource: queue, id: r.uuid(), data: 0 });
    }
  }
  return out;
}
