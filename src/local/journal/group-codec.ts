/**
 * The binary form of a journal group row (`journal.ts`, see `Row`): the events of consecutive seqs from the
 * row's seq, one after another, as varints and bytes instead of a JSON text. A fan-out's group was ~2.5 KB of
 * JSON per 77 events, a third of it message ids: here a UUID is its 16 bytes and a member ~6 bytes, so the
 * row is about a third of that, and writing it is a few byte stores instead of a template string per event.
 *
 * Per member, in order: `dt` (zigzag varint: ms after the row's time), `type` (a value), `cause` (zigzag
 * varint: seq minus cause, 0 for none), `resource` (a value), `id`, `data` (a value). A value is a varint
 * `2n` for the number n of a row of svl_journal_text (0: none), or `2len + 1` and that many UTF-8 bytes of
 * the text itself. An id is a varint: 0 none; 1 and a canonical lowercase UUID's 16 bytes; `4k + 2` the id
 * of member k (from 1) of the row; `4len + 3` and the UTF-8 bytes.
 * The first byte is the format's version: 1, or 3 (written by run.ts), where a member's data is a varint
 * `4n` for text n (0: none), `4len + 1` and the text's UTF-8 bytes, or `4k + 2` the data of member k (from 1)
 * of the row (a receive's messages share theirs, with its request id in it).
 *
 * Deliberately not here: which rows are grouped, interning, or turning numbers into texts (journal.ts).
 */

/** The fields of an event to encode; type / resource / data: a text number, a text, or null (data: JSON text). */
export interface CodecRow {
  seq: number;
  time_ms: number;
  type: string | number;
  cause: number | null;
  resource: string | number | null;
  id: string | null;
  data: string | number | null;
}

/** One decoded member; texts still as numbers or strings, `id` resolved, `data` a number or JSON text. */
export interface DecodedMember {
  dt: number;
  type: string | number;
  cause: number;
  resource: string | number;
  id: string | undefined;
  data: string | number;
}

const VERSION = 1;
/** The form with member references for data (run.ts writes it). */
export const GROUP_REF_VERSION = 3;

export const zigzag = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

/** A growable byte buffer with varints. */
export class Bytes {
  buf: Buffer;
  at = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n + 1024));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
  varint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.at++] = v;
  }
  text(s: string, shift: number, tag: number): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.room(len + 10);
    this.varint(len * shift + tag);
    this.at += this.buf.write(s, this.at, 'utf8');
  }
  value(v: string | number | null): void {
    if (v === null) this.varint(0);
    else if (typeof v === 'number') this.varint(v * 2);
    else this.text(v, 2, 1);
  }
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** Writes a canonical lowercase UUID as its 16 bytes at `o` of `buf` (room for them checked by the caller); false for any other id. */
export function putUuid(buf: Buffer, o: number, s: string): boolean {
  if (s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) return false;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const hi = a < 128 ? HEX[a]! : -1;
    const lo = b < 128 ? HEX[b]! : -1;
    if (hi < 0 || lo < 0) return false;
    buf[o++] = (hi << 4) | lo;
    i += 2;
  }
  return true;
}

/** encodeGroup's buffer, reused: each row is copied out of it. */
const scratch = new Bytes(64 * 1024);

/** Writes a canonical lowercase UUID as tag 1 and its 16 bytes; false (nothing written) for any other id. */
function uuid(b: Bytes, s: string): boolean {
  b.room(17);
  if (!putUuid(b.buf, b.at + 1, s)) return false;
  b.buf[b.at] = 1;
  b.at += 17;
  return true;
}

/**
 * The group of rows[from, to) (consecutive seqs). `idRef(k)`: the member number (from 1) of an earlier
 * member with the same id as rows[k], or 0 — the caller's choice of which repeats to refer to.
 */
export function encodeGroup(rows: readonly CodecRow[], from: number, to: number, idRef: (k: number) => number): Buffer {
  const b = scratch;
  b.at = 0;
  b.room(1);
  b.buf[b.at++] = VERSION;
  const head = rows[from]!;
  for (let k = from; k < to; k++) {
    const r = rows[k]!;
    b.varint(zigzag(r.time_ms - head.time_ms));
    b.value(r.type);
    b.varint(r.cause === null ? 0 : zigzag(r.seq - r.cause));
    b.value(r.resource);
    if (r.id === null) b.varint(0);
    else {
      const ref = idRef(k);
      if (ref > 0) b.varint(ref * 4 + 2);
      else if (!uuid(b, r.id)) b.text(r.id, 4, 3);
    }
    b.value(r.data);
  }
  const out = Buffer.allocUnsafe(b.at);
  b.buf.copy(out, 0, 0, b.at);
  return out;
}

const HEX_OF = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The canonical UUID whose 16 bytes are at `p` of `buf`. */
function uuidAt(buf: Uint8Array, p: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX_OF[buf[p + i]!]!;
  }
  return s;
}

/** A zigzag-encoded varint's signed value. */
export const unzig = (v: number): number => (v % 2 === 0 ? v / 2 : -(v + 1) / 2);

/**
 * A cursor over the bytes the journal's codecs write (this file's group rows, fanout-codec.ts's records and
 * their shapes): varints, zigzag numbers, utf-8 texts, values (a number, or a text of the length it gives)
 * and UUIDs as 16 bytes.
 */
export class ByteReader {
  constructor(
    private readonly buf: Uint8Array,
    private p = 0,
  ) {}

  get more(): boolean {
    return this.p < this.buf.length;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.p++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }

  signed(): number {
    return unzig(this.varint());
  }

  str(len: number): string {
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.p, len).toString('utf8');
    this.p += len;
    return s;
  }

  value(): string | number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : this.str((v - 1) / 2);
  }

  uuid(): string {
    const s = uuidAt(this.buf, this.p);
    this.p += 16;
    return s;
  }
}

/** The members of a group row written by `encodeGroup`. */
export function decodeGroup(buf: Uint8Array): DecodedMember[] {
  const r = new ByteReader(buf, 1);
  const refs = buf[0] === GROUP_REF_VERSION;
  const out: DecodedMember[] = [];
  while (r.more) {
    const dt = r.signed();
    const type = r.value();
    const cause = r.signed();
    const resource = r.value();
    const code = r.varint();
    let id: string | undefined;
    if (code === 1) id = r.uuid();
    else if (code % 4 === 2) id = out[(code - 2) / 4 - 1]?.id;
    else if (code % 4 === 3) id = r.str((code - 3) / 4);
    let data: string | number;
    if (!refs) data = r.value();
    else {
      const v = r.varint();
      if (v % 4 === 0) data = v / 4;
      else if (v % 4 === 1) data = r.str((v - 1) / 4);
      else data = out[(v - 2) / 4 - 1]?.data ?? 0;
    }
    out.push({ dt, type, cause, resource, id, data });
  }
  return out;
}
