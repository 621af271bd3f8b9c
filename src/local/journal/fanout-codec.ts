/**
 * The compact form of an SNS publish's fan-out in the journal (`journal.ts`, see `fanOut`): the publish and
 * the hops it led to — each subscription's `sns.filtered`, or its `sns.delivered` with the `sqs.sent` of the
 * message it put in the queue — as one record of consecutive seqs from the publish's, written as the hops
 * happen into one scratch buffer and expanded into events only when read. A member is its kind, its time
 * after the publish's, and the numbers (svl_journal_text) of its resource and of its frozen data document;
 * everything else is implied: its type (the row names the three types' numbers once), its id (the
 * publish's), its cause (the publish; a send's: the delivery before it). An SQS message id is its 16 bytes.
 *
 * Layout: version byte 2; the numbers of the types `sns.filtered`, `sns.delivered`, `sqs.sent` (varints);
 * the publish as group-codec.ts writes a member, without its dt (the row's time is the publish's); then
 * per member: `1` (filtered), zigzag dt, resource, data; or `2` (delivered and sent), zigzag dt of the send,
 * the queue's resource, the message id's 16 bytes, zigzag dt of the delivery, resource, data.
 * Decoded, it is the members of group-codec.ts (`DecodedMember`), so readers treat both forms alike.
 *
 * Deliberately not here: which hops qualify, interning, or the journal's seqs and pending rows (journal.ts).
 */
import { putUuid, uuidAt, type DecodedMember } from './group-codec.js';

export const FANOUT_VERSION = 2;

/** Builds one fan-out record at a time (the journal has at most one open). */
export class FanOutWriter {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private at = 0;
  /** Where the member being written started (a send whose delivery has not come yet). */
  private memberStart = 0;
  /** Members completed so far. */
  members = 0;

  /** Starts a record: the three types' numbers and the publish (its fields as group-codec.ts stores them). */
  start(types: readonly [number, number, number], publish: { type: string | number; cause: number; resource: string | number | null; id: string | null; data: string | number | null }): void {
    this.at = 0;
    this.members = 0;
    this.room(32);
    this.buf[this.at++] = FANOUT_VERSION;
    for (const t of types) this.varint(t);
    this.value(publish.type);
    this.varint(zigzag(publish.cause));
    this.value(publish.resource);
    if (publish.id === null) this.varint(0);
    else {
      this.room(17);
      if (putUuid(this.buf, this.at + 1, publish.id)) {
        this.buf[this.at] = 1;
        this.at += 17;
      } else this.text(publish.id, 4, 3);
    }
    this.value(publish.data);
    this.memberStart = this.at;
  }

  filtered(dt: number, resource: number, data: number): void {
    this.room(32);
    this.varint(1);
    this.varint(zigzag(dt));
    this.varint(resource);
    this.varint(data);
    this.members++;
    this.memberStart = this.at;
  }

  /** The first half of a delivery: the SQS send it made. False (nothing kept) when the id is no UUID. */
  sent(dt: number, queue: number, id: string): boolean {
    this.room(48);
    const start = this.at;
    this.varint(2);
    this.varint(zigzag(dt));
    this.varint(queue);
    if (!putUuid(this.buf, this.at, id)) {
      this.at = start;
      return false;
    }
    this.at += 16;
    return true;
  }

  /** The second half: the delivery itself. */
  delivered(dt: number, resource: number, data: number): void {
    this.room(32);
    this.varint(zigzag(dt));
    this.varint(resource);
    this.varint(data);
    this.members++;
    this.memberStart = this.at;
  }

  /** Drops a send whose delivery never came (the record ends before it). */
  dropPartial(): void {
    this.at = this.memberStart;
  }

  /** The record so far (complete members only), as its own buffer. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.memberStart);
    this.buf.copy(out, 0, 0, this.memberStart);
    return out;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n + 1024));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  private value(v: string | number | null): void {
    this.room(10);
    if (v === null) this.varint(0);
    else if (typeof v === 'number') this.varint(v * 2);
    else this.text(v, 2, 1);
  }

  private text(s: string, shift: number, tag: number): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.room(len + 10);
    this.varint(len * shift + tag);
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  private varint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.at++] = v;
  }
}

const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);
const unzig = (v: number): number => (v % 2 === 0 ? v / 2 : -(v + 1) / 2);

/** The events of a fan-out record, as group-codec.ts decodes a group row's: member k is the event at seq + k. */
export function decodeFanOut(buf: Uint8Array): DecodedMember[] {
  let p = 1;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = buf[p++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  };
  const filtered = varint();
  const delivered = varint();
  const sent = varint();
  const str = (len: number): string => {
    const s = Buffer.from(buf.buffer, buf.byteOffset + p, len).toString('utf8');
    p += len;
    return s;
  };
  const value = (): string | number => {
    const v = varint();
    return v % 2 === 0 ? v / 2 : str((v - 1) / 2);
  };
  const type = value();
  const cause = unzig(varint());
  const resource = value();
  const code = varint();
  let pid: string | undefined;
  if (code === 1) {
    pid = uuidAt(buf, p);
    p += 16;
  } else if (code % 4 === 3) pid = str((code - 3) / 4);
  const publish: DecodedMember = { dt: 0, type, cause, resource, id: pid, data: value() };
  const out: DecodedMember[] = [publish];
  while (p < buf.length) {
    const kind = varint();
    const k = out.length;
    if (kind === 1) {
      const dt = unzig(varint());
      const resource = varint();
      out.push({ dt, type: filtered, cause: k, resource, id: publish.id, data: varint() });
    } else {
      const dtSent = unzig(varint());
      const queue = varint();
      const id = uuidAt(buf, p);
      p += 16;
      const dt = unzig(varint());
      const resource = varint();
      out.push({ dt, type: delivered, cause: k, resource, id: publish.id, data: varint() });
      out.push({ dt: dtSent, type: sent, cause: 1, resource: queue, id, data: 0 });
    }
  }
  return out;
}
