/**
 * The journal's id -> latest seq index (see `Journal.latest`), kept out of V8's heap: a message id or
 * request id in the canonical lowercase UUID form (every id the emulator makes) is stored as its 128 bits
 * in an open-addressing table of typed arrays (16 bytes of key and 8 of seq a slot), any other id in a
 * plain Map. Exact: the key is the whole UUID, not a hash of it.
 *
 * Why: a Map<string, number> of 100,000 ids (a queue 100,000 messages deep) held ~10 MB of strings and
 * entries that survive every young-generation collection, which made V8 grow its young generation from 8
 * to 32 MB and old space by as much again; bench/cpu.mjs --queued 100000 --in-memory ended above 200 MB of
 * RSS. The typed arrays are one allocation that the garbage collector neither scans nor copies.
 *
 * Deliberately not here: which ids are evicted and when (the journal calls `retain` with its bound);
 * ordering (nothing reads the entries in insertion order).
 */

/** Hex digit value of a char code, -1 for anything but 0-9 a-f (an upper-case UUID goes to the Map). */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** Positions of the 32 hex digits in `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
const DIGITS: number[] = [];
for (let i = 0; i < 36; i++) if (i !== 8 && i !== 13 && i !== 18 && i !== 23) DIGITS.push(i);

const MIN_SLOTS = 1024;

export class IdIndex {
  /** Four 32-bit words of key per slot. */
  private keys = new Uint32Array(MIN_SLOTS * 4);
  /** The seq of each slot; 0: empty (seqs start at 1). */
  private seqs = new Float64Array(MIN_SLOTS);
  private used = 0;
  /** Ids not in the UUID form. */
  private readonly other = new Map<string, number>();
  /** The parsed words of the id last looked up (no allocation per call). */
  private readonly w = new Uint32Array(4);

  get size(): number {
    return this.used + this.other.size;
  }

  get(id: string): number | undefined {
    if (!this.parse(id)) return this.other.get(id);
    const s = this.find();
    const seq = this.seqs[s]!;
    return seq === 0 ? undefined : seq;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  set(id: string, seq: number): void {
    if (!this.parse(id)) {
      this.other.set(id, seq);
      return;
    }
    this.setAt(this.find(), seq);
  }

  /**
   * The slot of a UUID (-1 for any other id: use get / set), for a lookup and then a set of the same id with
   * one parse and one probe (`seqAt`, `setAt`), and its 16 bytes (`putParsed`) without parsing it again. Valid
   * until the next call of any other method.
   */
  at(id: string): number {
    return this.parse(id) ? this.find() : -1;
  }

  /** The seq at a slot from `at`, or undefined when the id is not in the index. */
  seqAt(s: number): number | undefined {
    const seq = this.seqs[s]!;
    return seq === 0 ? undefined : seq;
  }

  /** Sets the seq of the id `at` looked up last, at the slot it gave. */
  setAt(s: number, seq: number): void {
    if (this.seqs[s] === 0) {
      if ((this.used + 1) * 4 > this.seqs.length * 3) {
        const [a, b, c, d] = this.w;
        this.resize(this.seqs.length * 2, 0);
        this.w[0] = a!;
        this.w[1] = b!;
        this.w[2] = c!;
        this.w[3] = d!;
        s = this.find();
      }
      this.keys.set(this.w, s * 4);
      this.used++;
    }
    this.seqs[s] = seq;
  }

  /** Writes the 16 bytes of the UUID `at` looked up last (big-endian, as group-codec.ts stores one) at `o` of `buf`. */
  putParsed(buf: Uint8Array, o: number): void {
    const w = this.w;
    for (let k = 0; k < 4; k++) {
      const v = w[k]!;
      buf[o++] = v >>> 24;
      buf[o++] = (v >>> 16) & 0xff;
      buf[o++] = (v >>> 8) & 0xff;
      buf[o++] = v & 0xff;
    }
  }

  /** Drops every id whose seq is at or below `bound`. */
  retain(bound: number): void {
    for (const [k, seq] of this.other) if (seq <= bound) this.other.delete(k);
    let live = 0;
    for (let s = 0; s < this.seqs.length; s++) if (this.seqs[s]! > bound) live++;
    let slots = MIN_SLOTS;
    while (live * 2 > slots) slots *= 2;
    this.resize(slots, bound);
  }

  clear(): void {
    this.other.clear();
    this.keys = new Uint32Array(MIN_SLOTS * 4);
    this.seqs = new Float64Array(MIN_SLOTS);
    this.used = 0;
  }

  *entries(): IterableIterator<[string, number]> {
    yield* this.other;
    const k = this.keys;
    for (let s = 0; s < this.seqs.length; s++) {
      const seq = this.seqs[s]!;
      if (seq === 0) continue;
      const hex = [k[s * 4]!, k[s * 4 + 1]!, k[s * 4 + 2]!, k[s * 4 + 3]!].map((x) => x.toString(16).padStart(8, '0')).join('');
      yield [`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, seq];
    }
  }

  /** Reads a canonical lowercase UUID into `w`; false for any other id. */
  private parse(id: string): boolean {
    if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
    const w = this.w;
    for (let word = 0; word < 4; word++) {
      let v = 0;
      for (let d = word * 8; d < word * 8 + 8; d++) {
        const c = id.charCodeAt(DIGITS[d]!);
        const h = c < 128 ? HEX[c]! : -1;
        if (h < 0) return false;
        v = (v << 4) | h;
      }
      w[word] = v >>> 0;
    }
    return true;
  }

  /** The slot of the key in `w`: its own, or the empty one where it would go (linear probing). */
  private find(): number {
    const w = this.w;
    const k = this.keys;
    const mask = this.seqs.length - 1;
    // The low word is random (UUID v4): a good enough hash once mixed with another.
    let s = (w[3]! ^ w[1]!) & mask;
    for (;;) {
      if (this.seqs[s] === 0) return s;
      const o = s * 4;
      if (k[o] === w[0] && k[o + 1] === w[1] && k[o + 2] === w[2] && k[o + 3] === w[3]) return s;
      s = (s + 1) & mask;
    }
  }

  /** Rebuilds the table with `slots` slots, keeping the entries whose seq is above `bound`. */
  private resize(slots: number, bound: number): void {
    const oldKeys = this.keys;
    const oldSeqs = this.seqs;
    this.keys = new Uint32Array(slots * 4);
    this.seqs = new Float64Array(slots);
    this.used = 0;
    const w = this.w;
    for (let s = 0; s < oldSeqs.length; s++) {
      const seq = oldSeqs[s]!;
      if (seq === 0 || seq <= bound) continue;
      w[0] = oldKeys[s * 4]!;
      w[1] = oldKeys[s * 4 + 1]!;
      w[2] = oldKeys[s * 4 + 2]!;
      w[3] = oldKeys[s * 4 + 3]!;
      const t = this.find();
      this.keys.set(w, t * 4);
      this.seqs[t] = seq;
      this.used++;
    }
  }
}
