/**
 * The event journal: every hop of every message the emulator handles, with the id of the event that
 * caused it, for `svl trace`, `svl/testing` and `GET /_svl/events`.
 *
 * - An event is `{ seq, timeMs, type, cause?, resource?, id?, data? }`: `type` is `<service>.<what>`
 *   (`sns.published`, `sqs.received`, `lambda.completed`, …), `resource` the ARN it happened on, `id` the
 *   message id / request id the hop is about, `cause` the seq of the event that led to it.
 * - Durable with the rest of the state, a moment later: events are buffered and written every FLUSH_MS
 *   (20 ms), all of them in one transaction with multi-row INSERTs and the ring's prune (a group
 *   commit), after the state change they describe has committed and been acknowledged. A kill -9 can lose
 *   the journal events of the last 20 ms, never a message or any other state. An operation whose
 *   transaction rolls back after recording a hop (a storage error mid-batch) leaves that hop's event.
 *   A group commit (store/group-commit.ts: SQS and SNS Publish over HTTP, S3 writes) writes the pending
 *   events inside its transaction, just before its COMMIT (`beforeCommit`), so the group's commit holds
 *   them too and the timer's flush, finding nothing, commits nothing (that separate commit was ~150 us of
 *   CPU every few 50-subscriber publishes); if that commit fails they stay pending for the timer.
 *   Readers (`scan`, `since`, `related`, `waitFor`) write the buffer first, so they see every event recorded
 *   before they ask.
 * - Compact: type, resource and repeated data documents are stored as numbers of rows of
 *   svl_journal_text, and there is no index on id (random UUIDs made every event dirty a random page of
 *   it): each id's latest seq is kept in memory for causes (id-index.ts: a UUID as its 128 bits in typed
 *   arrays, outside V8's heap), and a trace scans the ring for an id.
 * - Bounded: a ring of `size` events (oldest dropped), pruned in bulk every `size / 10` records (at most
 *   every 500).
 * - Grouped: each run of consecutive seqs in a flush (up to GROUP: a batch's messages, a consumer's hops)
 *   is one row in the binary form of group-codec.ts (varints; a UUID as its 16 bytes; a repeated id as the
 *   number of the member that has it), its events expanded on read; the prune deletes rows whose events are
 *   all out of the ring, and readers leave out the pruned events of a row that straddles the bound (a reader
 *   finds the row holding a seq by its start, however long the row). Group rows written as JSON by earlier
 *   versions are still read.
 * - A publish's fan-out is one record (`fanOut`, then its hops through `hop` / `sent`): fanout.ts records it
 *   as the hops happen, in the form of fanout-codec.ts, with no event object, Row or id-map entry per hop.
 *   On read it is expanded like a group row (same prune, same straddling rule).
 * - SQS sends, receives and deletes (`sent`, `received`, `deleted`) are recorded as runs (run.ts): consecutive
 *   events of one type and queue written, as they happen, straight into the bytes of a group row (the form
 *   above, version 3: a member's data may name an earlier member's), up to GROUP events; any other event, the
 *   flush and every reader end the open run. An SQS message's row keeps the seq of its latest hop
 *   (sqs/rows.ts `jseq`, from the seq `sent` / `received` / `record` return) and hands it back as the cause
 *   of the next (`received` / `deleted` `last`, `lastOfRow`): SQS message ids stay out of the id map (an
 *   event source mapping's receives excepted: its invocation names them through `lastOf`). Looking every
 *   message up in the map at its receive and its delete, and adding it at its send, was a random probe of a
 *   table of every id in the ring each time, ~1.1 µs of the emulator's CPU per received and deleted message
 *   (perf, lean client, 60,000 messages: `causeOf` 67 of the journal's 153 ms). A row stored before rows kept
 *   it has none (null): its hop looks the id up as before. A received
 *   message's data is `{"receiveCount":n}` interned, or (with a request id) one JSON text per receive,
 *   written once in a run and named by member number by the receive's other messages.
 * - Cheap to record: `hop`, `sent`, `received` and `deleted` take positional arguments (the event objects
 *   callers built had several shapes, and reading their fields megamorphically cost more than the rest of
 *   absorbing a hop); a data
 *   document a caller passes frozen (`constantData`: an SNS subscription's delivery details, a filter's
 *   reasons) is encoded once and then known by reference; the two ids recorded last are held ahead of the
 *   id map.
 *
 * Cost (bench/journal-cost.mjs's phases: the emulator's CPU per operation against `--journal-size 0`, all
 * emulators loaded at once; median of 5 rounds on a busy shared machine, load ~13, each round noisy by
 * several %). The per-event journal before fan-out records, run in the same rounds: SNS publish to 10 / 50
 * subscribers +10.8% / +17.5%, SQS send +7.4%, receive+delete +17.5% (the same code measured +7.8% / +13.8% /
 * +7.3% / +6.8% on a quiet machine); now +7.4% / +9.7% / +4.4% / +10.0%, f50 better in every round (by 3.4
 * to 7.7 points): 140 instead of 253 us of CPU per 50-subscriber publish, so ~110 us, ~7.5%, expected on the
 * quiet machine. (bench/journal-cost.mjs run alone just after, load 4-13: f10 / f50 / send / receive +16.5%
 * (one round's outlier; the others +6 to +11%) / +11.4% / +3.2% / +11.5%: rerun it on a quiet machine.)
 * A journal-only loop of a 50-subscriber publish (77 events) costs ~48 us (was ~114): ~12 us the flush (a
 * commit every FLUSH_MS is a fixed ~30 us; one ~450-byte row a publish), ~5 us reading the clock per event,
 * ~4 us the message ids' bytes, the rest absorbing hops; in the emulator the same work costs more (cold
 * caches between requests), and explaining filter failures (for `sns.filtered`) ~1-2%.
 * Tried and not taken: FLUSH_MS 50 (f50 +10-12% then; it widens what a kill -9 can lose); writing the
 * pending events inside the operations' own transactions to save the flush's commit (no better within the
 * noise over 7-11 rounds: a WAL commit is ~30 us, under 1% a publish, and a write per operation loses
 * batching); GROUP 128; writing a publish's fan-out record inside the publish's own transaction (~8 us a
 * record in the emulator, saving the flush's commit, which measured ~150 us of CPU median in-process while
 * publishing to 50 subscribers): bench/journal-cost with and without it loaded at once, 3 rounds at load
 * ~12, journal cost per 50-subscriber publish 200 vs 167 us, f10 147 vs 127 us (noise +-30 us: not better).
 * Since: a hop resolves its resource and data numbers by position against the topic's last record (a string
 * and an object comparison instead of a Map lookup by text), and takes the caller's time instead of reading
 * the clock (one read per publish instead of 77): the journal-only loop of a 50-subscriber publish ~35 -> ~28 us.
 * In the emulator that gain is below what bench/journal-cost resolves on a loaded machine: before and after
 * loaded at once (3 rounds, load ~10), journal cost per 50-subscriber publish 247 vs 267 us, f10 153 vs 187,
 * send 9 vs 9, receive+delete 16 vs 16, with rounds apart by up to 120 us: rerun it on a quiet machine.
 * Riding on the group commit (beforeCommit, once the flush is due): no commit of the journal's own while
 * groups come (in process, 2000 publishes to 10 subscribers from 8 clients: 119 writes in groups, 0 by the
 * timer). bench/journal-cost f10/f50 (3 rounds, run one after the other, load 3-4), journal cost per publish,
 * medians: before 87/200, 60/87, 38/100 us; after 120/120, 106/167, 42/87 us: not resolved from the noise
 * (rounds apart by up to 100 us). Writing them at every group commit instead (a row and a journal page per
 * group) looked worse at f50 (94 against 72 us, one pair of runs), so groups before the due time leave them.
 * SQS runs (run.ts) and the publish id indexed lazily: a journal-only loop of the SQS pattern (per 10 messages
 * 10 sent, 10 received with a request id, 10 deleted; written every 200 messages as a group commit does)
 * 6.2-6.3 -> 3.2 us of CPU per message (5 rounds, load ~3), a third of it the commit's BEGIN/COMMIT (the
 * journal's pages: hence version 3's shared data). bench/journal-cost (3 rounds, base and this build run
 * alternately twice, load 3-5), journal cost per op f10 / f50 / send / receive+delete: before 80, 67 / 100,
 * 113 / 8, 8 / 12, 13 us; after 66, 60 / 60, 93 / 6, 6 / 12, 11 us: less than the loop's halving. The rest
 * is not in the journal's code (its functions sum to ~6 us per SQS message in a profile of the emulator):
 * in one on/off pair of profiles (--prof, 30,000 messages, load ~4), frame by frame, the SQS service's own
 * statements (insertRow, oldestVisible, markReceived) and the groups' BEGIN/COMMIT took 20-40% more with the
 * journal on; whether that is the WAL pages the journal adds (checkpoints, page cache) or the two emulators'
 * contention is not settled: strace -c of one on/off pair over the SQS phases counted only ~5% more pwrite64
 * (34,776 vs 33,218) and fsync (checkpoints: 56 vs 53) with the journal on.
 * Since: the earlier rounds measured after 200 publishes / 2,000 messages of warm-up, so they also counted
 * V8's tier-up compilation of the journal's code (`--trace-opt`: still optimizing 12,000 messages in); now
 * after 2,000 / 10,000. perf (cpu-clock, lean client) then showed the id index's probes at the receive and the
 * delete (`causeOf`) as the one concentrated cost, ~1.1 us a message: SQS rows keep their hop instead (see the
 * SQS runs above). Knocking parts out one at a time (SQS service only, 3-5 rounds each, quiet machine):
 * recording nothing +0%; only counting seqs (flush cycles, no encoding) +2.5% send / +4% receive+delete;
 * without the id index ~10% / ~9%; without the writes, or writing at every group commit (no timers), or
 * encoding at the flush instead of at the hop: no better than all of it (~11-12%) within the rounds' noise.
 * What is left is spread thin (perf: kernel I/O, V8 builtins, SQLite, the encoding). bench/journal-cost
 * after it, 11 rounds, quiet machine, median of the rounds' own ratios: f10 +7.9%, f50 +6.6%, send +9.1%,
 * receive+delete +7.1%, and with the lean client send +6.7%, receive+delete +5.1% (each round +-5 points).
 *
 * Deliberately not here: which hops a fan-out record takes and its open state (fanout.ts), the byte forms
 * (group-codec.ts, fanout-codec.ts; a run's bytes: run.ts), what the services record (each calls `record`,
 * or `fanOut` / `hop` / `sent` / `received` / `deleted`, where a hop happens) and how a trace tree is assembled (the CLI builds it from the events).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';
import type { CommitHook } from '../store/group-commit.js';
import type { Clock } from '../clock.js';
import { realClearTimeout, realSetImmediate, realSetTimeout } from '../timers.js';
import { decodeGroup, encodeGroup, type CodecRow } from './group-codec.js';
import { decodeFanOut, FANOUT_VERSION } from './fanout-codec.js';
import { FanOutRecorder, type FanOutJournal } from './fanout.js';
import { IdIndex } from './id-index.js';
import { RunWriter } from './run.js';

export interface JournalEvent {
  seq: number;
  timeMs: number;
  type: string;
  cause?: number;
  resource?: string;
  id?: string;
  data?: Record<string, unknown>;
}

/** What a read of the journal found, and the seq it read up to (`x-svl-next`). */
export interface JournalScan {
  events: JournalEvent[];
  last: number;
}

/** `timeMs`: when it happened, if not now (a visibility timeout that ran out before anyone looked). */
export type NewJournalEvent = Omit<JournalEvent, 'seq' | 'timeMs'> & { seq?: number; timeMs?: number };

/** The journal as services see it: record a hop, find the latest hop of an id (to name it as a cause). */
export interface JournalSink {
  /** Records a hop; `seq` (from `reserve`) when its number had to be known before it happened. */
  record(e: NewJournalEvent): number;
  /**
   * Records an SNS publish (`sns.published`) whose fan-out follows: the `sns.filtered` and `sns.delivered`
   * hops recorded next with it as their cause, and the `sqs.sent` of each delivery, are kept as one compact
   * record (fanout-codec.ts) instead of an event each. Read back, they are the same events.
   */
  fanOut(e: NewJournalEvent): number;
  /**
   * `record` of a fan-out's hop, without an event object (the hot path of a publish): `sns.filtered` (seq
   * undefined) or `sns.delivered` (at the seq reserved for it), about the message `id`, caused by the publish.
   */
  hop(type: 'sns.filtered' | 'sns.delivered', seq: number | undefined, resource: string, id: string, cause: number, data: Readonly<Record<string, unknown>>, timeMs?: number): number;
  /**
   * `record` of an `sqs.sent`, without an event object (the hot path of every send). Its seq is for the
   * message's row to keep (sqs/rows.ts `jseq`): the message id is not put in the id index (`lastOf`).
   */
  sent(resource: string, id: string, cause: number | undefined, data: Record<string, unknown> | undefined, timeMs?: number): number;
  /**
   * `record` of an `sqs.received` of the message `id` (data `{ receiveCount, requestId?, consumer? }`, the
   * last two when not empty), without an event object (every receive). Its cause is `last`, the message
   * row's latest event (`jseq`; 0: none), or, when null (a row stored before rows kept it), the id's latest
   * event in the id index (`lastOf`). The id index learns of the receive only then, or when a
   * `consumer` (svl's own: an event source mapping, whose invocation names its receive through `lastOf`)
   * received it.
   */
  received(resource: string, id: string, receiveCount: number, requestId: string | undefined, consumer: string | undefined, timeMs?: number, last?: number | null): number;
  /** `record` of an `sqs.deleted` of the message `id`, without an event object (every delete): caused by `last` as `received` is. */
  deleted(resource: string, id: string, timeMs?: number, last?: number | null): number;
  /**
   * The latest event of an SQS message, the cause of its next hop, from its row's `jseq` (undefined when
   * that event is no longer in the ring), or from the id index when the row has none (null: stored before).
   */
  lastOfRow(id: string, jseq: number | null): number | undefined;
  /** A seq for an event recorded later (an SNS delivery names it as the cause of the SQS send it makes). */
  reserve(): number;
  lastOf(id: string): number | undefined;
  /** The event `seq` (from lastOf), or undefined when it is gone or was never recorded. */
  get(seq: number): JournalEvent | undefined;
}

/**
 * Marks a data document the caller records again and again (a subscription's delivery details) and never
 * changes: the journal encodes it once, then knows it by reference. Returns it, frozen.
 */
export function constantData<T extends Record<string, unknown>>(data: T): Readonly<T> {
  return Object.freeze(data);
}

/** A journal that keeps nothing (services constructed on their own, e.g. in unit tests). */
export const NO_JOURNAL: JournalSink = {
  record: () => 0,
  fanOut: () => 0,
  hop: () => 0,
  sent: () => 0,
  received: () => 0,
  deleted: () => 0,
  reserve: () => 0,
  lastOf: () => undefined,
  lastOfRow: () => undefined,
  get: () => undefined,
};

export const DEFAULT_JOURNAL_SIZE = 100_000;
const PRUNE_EVERY = 500;
/** Rows per INSERT statement when the pending events are written. */
const MANY = 64;
/** How long recorded events wait to be written: all those of these milliseconds go in one commit. */
const FLUSH_MS = 20;
/**
 * When the flush falls due: from then until FLUSH_MS the next group commit (`beforeCommit`) carries the
 * pending events in its own commit; the timer writes them only if none came. Before it, groups leave them
 * buffered, so they are still written in bulk, not a row per group commit.
 */
const DUE_MS = 15;
/**
 * At most this many events of consecutive seqs in one group row (see `grouped`): ~2 KB, within a 4 KB page
 * without overflow.
 */
const GROUP = 32;

/**
 * A stored event: type, resource and data are their text, or the number of their row in svl_journal_text.
 * A group row holds `n` events of consecutive seqs from `seq`: its type is `-n`, its data a blob of
 * group-codec.ts, or (written by earlier versions) a JSON array of one `[dt, type, cause, resource, id,
 * data]` per event (`dt`: ms after time_ms; `cause`: seq minus cause, 0 for none; type / resource / data: a
 * text number, a text, or 0 for none; data a document inline; id: the id, 0 for none, or the number (from
 * 1) of an earlier member of the row with the same id).
 */
export interface Row extends Omit<CodecRow, 'data'> {
  /** A group row's: its events (group-codec.ts), or (rows from before that form) a JSON text. */
  data: string | number | Buffer | null;
}

/** Texts kept once and named by number (at most this many; later ones are stored in full). */
const TEXT_LIMIT = 20_000;
/**
 * Recent data documents, to intern one the second time it is seen. Only SNS hops' data are candidates: a
 * subscription's delivery details and a filter's reasons repeat publish after publish, while other hops'
 * data carry request ids, counts and durations that repeat within a batch and never again.
 */
const DATA_CANDIDATES = 2_000;

export interface EventFilter {
  /** Event types, or prefixes ending in `.` (`sqs.`). */
  types?: string[];
  id?: string;
  resource?: string;
  /** Only events that no other event caused (a publish, a send from a client: where a trace starts). */
  root?: boolean;
}

type Waiter = () => void;

/**
 * The journal. Its members that are public but not in JournalSink (nextSeq, pending, intern, remember, …) are
 * FanOutJournal's, for fanout.ts: not for services.
 */
export class Journal implements JournalSink, FanOutJournal, CommitHook {
  nextSeq: number;
  /** Rows recorded, waiting for the flush. */
  pending: Row[] = [];
  private flushScheduled = false;
  /** Between DUE_MS and FLUSH_MS of a scheduled flush: a group commit may write the pending events. */
  private flushDue = false;
  /** The scheduled flush's number: its timers do nothing once a group commit wrote its events. */
  private flushCycle = 0;
  private sincePrune = 0;
  /** Records between prunes: a tenth of the ring, at most PRUNE_EVERY. */
  private readonly pruneEvery: number;
  /**
   * The latest seq of each id in the ring, for causes (an id's next hop names the previous one). It evicts
   * only ids whose latest event is out of the ring (see `keep`), so an id it evicted has no event left in it:
   * once `latestComplete`, a miss means "never recorded, or pruned", without a query. (There is no index on
   * id: message ids are random, and such an index made each event dirty a random page of it.)
   */
  private readonly latest = new IdIndex();
  private latestComplete: boolean;
  /** The ids recorded last, not yet in `latest` (see `remember`), and which of the two is newer. */
  private idA: string | undefined;
  private seqA = 0;
  private idB: string | undefined;
  private seqB = 0;
  private aNewer = false;
  /**
   * Events at or below this seq are pruned: readers leave them out of a group row that straddles it (the
   * prune deletes only rows whose events are all below it), so the ring holds `size` events, not rows.
   */
  private floor = 0;
  private readonly waiters = new Set<Waiter>();
  /** The fan-out being recorded (fanout.ts). */
  private readonly fan: FanOutRecorder;
  /** The run of SQS hops being recorded (run.ts). */
  private readonly run = new RunWriter();
  /** The numbers of `sqs.sent`, `sqs.received`, `sqs.deleted` (null: interning is full, no runs). */
  private runTypes: [number, number, number] | null | undefined;
  /** The data of an `sqs.received` with neither request id nor consumer, by receive count: its text's number. */
  private readonly receivedData: Array<string | number> = [];
  /** The last `sqs.received` data with a request id or consumer, and its stored form (`receivedText`). */
  private lastReceived: { n: number; requestId: string | undefined; consumer: string | undefined; stored: string | number | null } = { n: -1, requestId: undefined, consumer: undefined, stored: null };
  /** The slot in `latest` of the id of the SQS hop being recorded (IdIndex `at`); -1: none (held in idA / idB, or no UUID). */
  private slot = -1;
  readonly textOfNumber = (n: number): string | undefined => this.textOf.get(n);
  /** Interned texts: number -> text and text -> number (svl_journal_text, loaded at open). */
  private readonly textOf = new Map<number, string>();
  private readonly numberOf = new Map<string, number>();
  /**
   * The numbers of the SNS event types (their data are candidates for interning, see DATA_CANDIDATES);
   * a type stored as its text (past TEXT_LIMIT) is matched by `snsTypes.has(text)` never, its data kept whole.
   */
  private readonly snsTypes = new Set<string | number>();
  /** Frozen data documents (`constantData`) and their stored form, so each is encoded once. */
  private readonly constants = new WeakMap<object, string | number | null>();
  /** Data documents seen once lately: a second sighting interns it. */
  private readonly dataSeen = new Set<string>();
  /** Texts interned inside a transaction, written again after it (a rollback must not leave a number without its text). */
  private textPending: Array<[number, string]> = [];
  private nextText = 1;
  private readonly inserts = new Map<number, Statement>();
  private readonly s;
  /** A flush's transaction, made once (better-sqlite3 builds a wrapper per `transaction` call). */
  private readonly write: (rows: Row[], texts: Array<[number, string]>) => void;
  /** What `beforeCommit` wrote into a group transaction, and the prune's state before it, until its outcome. */
  private inGroup: Row[] = [];
  private inGroupTexts: Array<[number, string]> = [];
  private inGroupPrune = 0;
  private inGroupFloor = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly size = DEFAULT_JOURNAL_SIZE,
  ) {
    this.s = {
      insert: db.prepare(`INSERT INTO svl_journal (seq, time_ms, type, cause, resource, id, data) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      since: db.prepare(`SELECT * FROM svl_journal WHERE seq > ? ORDER BY seq LIMIT ?`),
      before: db.prepare(`SELECT * FROM svl_journal WHERE seq < ? ORDER BY seq DESC LIMIT ?`),
      all: db.prepare(`SELECT * FROM svl_journal ORDER BY seq`),
      // The row holding `seq`: its own, or the group row that starts at or before it.
      bySeq: db.prepare(`SELECT * FROM svl_journal WHERE seq <= ? ORDER BY seq DESC LIMIT 1`),
      ids: db.prepare(`SELECT * FROM svl_journal WHERE id IS NOT NULL OR type < 0 ORDER BY seq`),
      // Rows whose events are all at or below the bound (a group row's last seq is seq - type - 1; a text
      // type is greater than any number).
      prune: db.prepare(`DELETE FROM svl_journal WHERE seq <= ? AND (type >= 0 OR seq - type - 1 <= ?)`),
      // The last seq: of the last row, or of the last event of the last (group) row.
      max: db.prepare(`SELECT CASE WHEN type < 0 THEN seq - type - 1 ELSE seq END AS seq FROM svl_journal ORDER BY seq DESC LIMIT 1`),
      clear: db.prepare(`DELETE FROM svl_journal`),
      texts: db.prepare(`SELECT n, text FROM svl_journal_text`),
      putText: db.prepare(`INSERT OR IGNORE INTO svl_journal_text (n, text) VALUES (?, ?)`),
    };
    for (const r of this.s.texts.all() as Array<{ n: number; text: string }>) {
      this.textOf.set(r.n, r.text);
      this.numberOf.set(r.text, r.n);
      if (r.text.startsWith('sns.')) this.snsTypes.add(r.n);
      this.nextText = Math.max(this.nextText, r.n + 1);
    }
    this.pruneEvery = Math.max(1, Math.min(PRUNE_EVERY, Math.floor(size / 10)));
    this.write = db.transaction((rows: Row[], texts: Array<[number, string]>) => {
      for (const [n, text] of texts) this.s.putText.run(n, text);
      this.insertAll(this.grouped(rows));
      // The ring's prune in the same commit, in bulk.
      if (this.sincePrune >= this.pruneEvery) {
        this.sincePrune = 0;
        const bound = this.nextSeq - 1 - this.size;
        this.s.prune.run(bound, bound);
        if (bound > this.floor) this.floor = bound;
      }
    });
    this.nextSeq = ((this.s.max.get() as { seq: number } | undefined)?.seq ?? 0) + 1;
    // An empty ring (a new state, or in memory): nothing to load. Otherwise loaded on the first miss.
    this.latestComplete = this.nextSeq === 1;
    // What the ring held at most after its last prune (the prune's bound is not stored).
    this.floor = Math.max(0, this.head - size - this.pruneEvery + 1);
    this.fan = new FanOutRecorder(this, clock);
  }

  /** The seq the next event gets (events so far: everything below it). */
  get head(): number {
    return this.nextSeq - 1;
  }

  reserve(): number {
    if (this.fan.head !== undefined) {
      // A delivery's seq, recorded after the send it causes.
      const reserved = this.fan.reserve();
      if (reserved !== 0) return reserved;
      this.fan.close();
    }
    return this.nextSeq++;
  }

  fanOut(e: NewJournalEvent): number {
    if (this.fan.head !== undefined) this.fan.close();
    const types = this.fan.types();
    const time = e.timeMs ?? this.clock.now();
    if (types === null || e.seq !== undefined || !Number.isInteger(time)) return this.record({ ...e, timeMs: time });
    const seq = this.nextSeq++;
    const type = this.intern(e.type);
    let data: string | number | null = null;
    if (e.data) data = Object.isFrozen(e.data) ? this.constant(e.data, type) : this.encode(e.data, type);
    const head: Row = { seq, time_ms: time, type, cause: e.cause || null, resource: e.resource === undefined ? null : this.intern(e.resource), id: e.id ?? null, data };
    this.fan.start(types, head);
    this.recorded();
    return seq;
  }

  /** What every recorded event does: a flush scheduled, the prune counted, waiters woken. */
  private recorded(): void {
    this.scheduleFlush();
    this.sincePrune++;
    if (this.waiters.size) this.wake();
  }

  counted(n: number): void {
    this.sincePrune += n;
  }

  /** The number of a frozen data document's text (interned at once: the caller said it repeats), or 0. */
  constantRef(doc: Readonly<Record<string, unknown>>): number {
    const known = this.constants.get(doc);
    if (typeof known === 'number') return known;
    const n = this.intern(JSON.stringify(doc));
    if (typeof n !== 'number') return 0;
    this.constants.set(doc, n);
    return n;
  }

  record(e: NewJournalEvent): number {
    if (this.fan.head !== undefined) {
      const absorbed = this.fan.absorb(e.type, e.seq, e.resource, e.id, e.cause, e.data, e.timeMs);
      if (absorbed !== 0) return absorbed;
      this.fan.close();
    }
    return this.put(e.seq, e.timeMs, e.type, e.cause, e.resource, e.id, e.data);
  }

  hop(type: 'sns.filtered' | 'sns.delivered', seq: number | undefined, resource: string, id: string, cause: number, data: Readonly<Record<string, unknown>>, timeMs?: number): number {
    if (this.fan.head !== undefined) {
      const absorbed = this.fan.absorb(type, seq, resource, id, cause, data, timeMs);
      if (absorbed !== 0) return absorbed;
      this.fan.close();
    }
    return this.put(seq, timeMs, type, cause, resource, id, data);
  }

  sent(resource: string, id: string, cause: number | undefined, data: Record<string, unknown> | undefined, timeMs?: number): number {
    if (this.fan.head !== undefined) {
      const absorbed = this.fan.sent(resource, id, cause, data, timeMs);
      if (absorbed !== 0) return absorbed;
      this.fan.close();
    }
    const time = timeMs ?? this.clock.now();
    const types = this.sqsTypes();
    const seq = types === null ? 0 : this.runEvent(types[0], resource, time, cause ?? 0);
    if (seq === 0) return this.put(undefined, time, 'sqs.sent', cause, resource, id, data);
    // Not indexed: the row keeps the seq (see JournalSink.sent).
    this.run.id(id);
    this.run.data(data === undefined ? null : Object.isFrozen(data) ? this.constant(data, types![0]) : this.encode(data, types![0]));
    this.recorded();
    return seq;
  }

  received(resource: string, id: string, receiveCount: number, requestId: string | undefined, consumer: string | undefined, timeMs?: number, last: number | null = null): number {
    const cause = this.hopCause(id, last);
    const time = timeMs ?? this.clock.now();
    const types = this.sqsTypes();
    const seq = types === null ? 0 : this.runEvent(types[1], resource, time, cause ?? 0);
    if (seq === 0) return this.put(undefined, time, 'sqs.received', cause, resource, id, receivedDoc(receiveCount, requestId, consumer));
    this.runId(id);
    this.run.data(this.receivedText(receiveCount, requestId, consumer));
    if (last === null || consumer) this.runIndexed(id, seq);
    else this.recorded();
    return seq;
  }

  deleted(resource: string, id: string, timeMs?: number, last: number | null = null): number {
    const cause = this.hopCause(id, last);
    const time = timeMs ?? this.clock.now();
    const types = this.sqsTypes();
    const seq = types === null ? 0 : this.runEvent(types[2], resource, time, cause ?? 0);
    if (seq === 0) return this.put(undefined, time, 'sqs.deleted', cause, resource, id, undefined);
    this.runId(id);
    this.run.data(null);
    if (last === null) this.runIndexed(id, seq);
    else this.recorded();
    return seq;
  }

  lastOfRow(id: string, jseq: number | null): number | undefined {
    return jseq === null ? this.lastOf(id) : this.live(jseq);
  }

  /**
   * The cause of an SQS hop: `last` as the message's row keeps it (see `live`), or, when null, its id's latest
   * event in the id index, its slot left in `slot` (`causeOf`: `lastOfRow` with the slot kept for the update).
   */
  private hopCause(id: string, last: number | null): number | undefined {
    if (last === null) return this.causeOf(id);
    if (this.fan.head !== undefined) this.fan.close();
    this.slot = -1;
    return this.live(last);
  }

  /**
   * An event seq an SQS row kept (`jseq`) as a cause: undefined for none (0), or for an event out of the ring
   * (pruned, or dropped by `clear`), as the id index forgets an id whose latest event left the ring.
   */
  private live(seq: number): number | undefined {
    return seq > this.floor && seq > this.nextSeq - 1 - this.size ? seq : undefined;
  }

  /** The numbers of the SQS hops' types, interned on first use; null when runs cannot be kept. */
  private sqsTypes(): [number, number, number] | null {
    if (this.runTypes !== undefined) return this.runTypes;
    const t = [this.intern('sqs.sent'), this.intern('sqs.received'), this.intern('sqs.deleted')];
    this.runTypes = t.every((n) => typeof n === 'number') ? (t as [number, number, number]) : null;
    return this.runTypes;
  }

  /**
   * Takes the next seq into the open run of SQS hops (run.ts) when the event is its next one (same type and
   * queue, the seq after its last, room left), or into a new run (the open one joins the pending rows), and
   * writes its fields up to its id: its seq, or 0 when no run can take it (a time in fractions of a ms, a
   * queue's text that cannot be interned).
   */
  private runEvent(type: number, resourceText: string, time: number, cause: number): number {
    if (!Number.isInteger(time)) return 0;
    const run = this.run;
    const seq = this.nextSeq;
    if (run.seq !== 0 && (run.type !== type || run.resourceText !== resourceText || run.seq + run.members !== seq || run.members >= GROUP)) this.pending.push(run.finish());
    if (run.seq === 0) {
      const resource = this.intern(resourceText);
      if (typeof resource !== 'number') return 0;
      run.start(seq, time, type, resourceText, resource);
    }
    this.nextSeq = seq + 1;
    run.member(time, cause);
    return seq;
  }

  /** The id of the run's member being written: from the id index's parse of it (`slot`) when it has one. */
  private runId(id: string): void {
    if (this.slot >= 0) this.run.parsedId(this.latest);
    else this.run.id(id);
  }

  /** `seq` is the latest of `id` (at its slot in `latest`, found by `causeOf`), and the event is recorded. */
  private runIndexed(id: string, seq: number): void {
    if (this.slot >= 0) {
      this.latest.setAt(this.slot, seq);
      this.bound();
    } else if (id) this.remember(id, seq);
    this.recorded();
  }

  /**
   * `lastOf(id)` for an SQS hop about to be recorded, leaving the id's slot in `latest` in `slot` (one parse
   * and one probe for the lookup and the update that follows).
   */
  private causeOf(id: string): number | undefined {
    if (this.fan.head !== undefined) this.fan.close();
    this.slot = -1;
    if (id === this.idA) return this.seqA;
    if (id === this.idB) return this.seqB;
    const s = this.latest.at(id);
    if (s >= 0) {
      const known = this.latest.seqAt(s);
      // A miss is final once the ring is loaded and every fan-out record's ids are indexed (lastOf does both).
      if (known !== undefined || (this.latestComplete && !this.fan.unindexedIds)) {
        this.slot = s;
        return known;
      }
    }
    const found = this.lastOf(id);
    if (id !== this.idA && id !== this.idB) this.slot = this.latest.at(id);
    return found;
  }

  /**
   * The stored data of an `sqs.received` (`receivedDoc`): with neither request id nor consumer,
   * `{"receiveCount":n}` interned; otherwise its JSON text, made once for the messages of one receive.
   */
  private receivedText(n: number, requestId: string | undefined, consumer: string | undefined): string | number | null {
    if (!requestId && !consumer) {
      const known = this.receivedData[n];
      if (known !== undefined) return known;
      const text = JSON.stringify(receivedDoc(n, undefined, undefined));
      if (n > 16) return text;
      const v = this.intern(text);
      this.receivedData[n] = v;
      return v;
    }
    if (n !== this.lastReceived.n || requestId !== this.lastReceived.requestId || consumer !== this.lastReceived.consumer) {
      const text = JSON.stringify(receivedDoc(n, requestId, consumer));
      this.lastReceived = { n, requestId, consumer, stored: this.numberOf.get(text) ?? text };
    }
    return this.lastReceived.stored;
  }

  /** An event as its own pending row (positional: callers' event objects have many shapes). */
  private put(
    at: number | undefined,
    timeMs: number | undefined,
    typeText: string,
    cause: number | undefined,
    resource: string | undefined,
    id: string | undefined,
    doc: Readonly<Record<string, unknown>> | undefined,
  ): number {
    const seq = at ?? this.nextSeq++;
    const type = this.intern(typeText);
    let data: string | number | null = null;
    if (doc) data = Object.isFrozen(doc) ? this.constant(doc, type) : this.encode(doc, type);
    this.pending.push({
      seq,
      time_ms: timeMs ?? this.clock.now(),
      type,
      cause: cause || null,
      resource: resource === undefined ? null : this.intern(resource),
      id: id ?? null,
      data,
    });
    if (id) this.remember(id, seq);
    this.recorded();
    return seq;
  }

  /** A data document's stored form: its JSON text, or the number of that text when it repeats (SNS hops). */
  private encode(doc: Record<string, unknown>, type: string | number): string | number | null {
    const text = JSON.stringify(doc);
    if (text === '{}') return null;
    return this.numberOf.get(text) ?? (this.snsTypes.has(type) ? this.internData(text) : text);
  }

  /** A frozen data document (see `constantData`): encoded the first times it is seen, then by reference. */
  private constant(doc: Record<string, unknown>, type: string | number): string | number | null {
    const known = this.constants.get(doc);
    if (known !== undefined) return known;
    const stored = this.encode(doc, type);
    // Cached once its text has a number (the second sighting interns it): a number never changes meaning.
    if (typeof stored === 'number' || stored === null) this.constants.set(doc, stored);
    return stored;
  }

  /** The latest event about `id` (a message id or request id), for naming it as the cause of the next hop. */
  lastOf(id: string): number | undefined {
    if (this.fan.head !== undefined) this.fan.close();
    if (id === this.idA) return this.seqA;
    if (id === this.idB) return this.seqB;
    let known = this.latest.get(id);
    if (known === undefined && this.fan.indexIds()) known = this.latest.get(id);
    if (known !== undefined || this.latestComplete) return known;
    this.loadLatest();
    return this.latest.get(id);
  }

  /** Fills `latest` from the ring (once, after a restart on a durable state). */
  private loadLatest(): void {
    this.flush();
    // Everything recorded is in the table now, read below.
    this.fan.forgetUnindexed();
    this.settle();
    const known = new Map(this.latest.entries());
    this.latest.clear();
    for (const r of this.s.ids.iterate() as Iterable<Row>) {
      for (const ev of this.expand(r)) if (ev.id !== undefined) this.remember(ev.id, ev.seq);
    }
    // Recorded since the start: newer than anything in the table (and already in it, flushed above).
    for (const [id, seq] of known) this.remember(id, seq);
    this.settle();
    this.latestComplete = true;
  }

  get(seq: number): JournalEvent | undefined {
    this.closeOpen();
    for (const r of this.pending) {
      if (r.seq === seq && !isGroup(r)) return this.toEvent(r);
      if (isGroup(r) && r.seq <= seq && seq <= lastSeq(r)) return this.expand(r).find((e) => e.seq === seq);
    }
    return this.stored(seq);
  }

  /** The written event `seq`, from its own row or its group's. */
  private stored(seq: number): JournalEvent | undefined {
    if (seq <= this.floor) return undefined;
    const r = this.s.bySeq.get(seq) as Row | undefined;
    if (!r) return undefined;
    if (!isGroup(r)) return r.seq === seq ? this.toEvent(r) : undefined;
    return this.expand(r).find((e) => e.seq === seq);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const cycle = ++this.flushCycle;
    realSetTimeout(() => {
      if (cycle !== this.flushCycle) return;
      this.flushDue = true;
      realSetTimeout(() => cycle === this.flushCycle && this.flush(), FLUSH_MS - DUE_MS).unref();
    }, DUE_MS).unref();
  }

  /** The number of a text (types, ARNs), interning it on first use; the text itself past TEXT_LIMIT. */
  intern(text: string): string | number {
    const known = this.numberOf.get(text);
    if (known !== undefined) return known;
    if (this.numberOf.size >= TEXT_LIMIT) return text;
    const n = this.nextText++;
    this.numberOf.set(text, n);
    this.textOf.set(n, text);
    if (text.startsWith('sns.')) this.snsTypes.add(n);
    this.s.putText.run(n, text);
    if (this.db.inTransaction) {
      this.textPending.push([n, text]);
      this.scheduleFlush();
    }
    return n;
  }

  /** A data document: in full the first time, interned when it comes again (a subscription's delivery details do). */
  internData(text: string): string | number {
    if (this.dataSeen.delete(text)) return this.intern(text);
    this.dataSeen.add(text);
    if (this.dataSeen.size > DATA_CANDIDATES) this.dataSeen.delete(this.dataSeen.values().next().value!);
    return text;
  }

  private text(v: string | number): string {
    return typeof v === 'number' ? (this.textOf.get(v) ?? `#${v}`) : v;
  }

  private toEvent(r: Row): JournalEvent {
    const ev: JournalEvent = { seq: r.seq, timeMs: r.time_ms, type: this.text(r.type) };
    if (r.cause !== null) ev.cause = r.cause;
    if (r.resource !== null) ev.resource = this.text(r.resource);
    if (r.id !== null) ev.id = r.id;
    if (r.data !== null) ev.data = JSON.parse(this.text(r.data as string | number)) as Record<string, unknown>;
    return ev;
  }

  /** The events of a stored row, one or (a group row) several, in seq order; pruned ones left out. */
  private expand(r: Row): JournalEvent[] {
    if (!isGroup(r)) return r.seq > this.floor ? [this.toEvent(r)] : [];
    if (typeof r.data !== 'string') return this.expandBinary(r);
    // A JSON group row (written before the binary form).
    const members = JSON.parse(r.data as string) as Member[];
    const out: JournalEvent[] = [];
    for (let k = 0; k < members.length; k++) {
      const m = members[k]!;
      // An id written as a member number: that (earlier) member's id, resolved in place for the next ones.
      if (typeof m[4] === 'number' && m[4] !== 0) m[4] = members[m[4] - 1]![4];
      const seq = r.seq + k;
      if (seq <= this.floor) continue;
      const [dt, type, cause, resource, id, data] = m;
      const ev: JournalEvent = { seq, timeMs: r.time_ms + dt, type: this.text(type) };
      if (cause !== 0) ev.cause = seq - cause;
      if (resource !== 0) ev.resource = this.text(resource);
      if (id !== 0) ev.id = id as string;
      if (data !== 0) ev.data = typeof data === 'object' ? data : (JSON.parse(this.text(data)) as Record<string, unknown>);
      out.push(ev);
    }
    return out;
  }

  /** The events of a binary group row (group-codec.ts) or fan-out record (fanout-codec.ts). */
  private expandBinary(r: Row): JournalEvent[] {
    const out: JournalEvent[] = [];
    const buf = r.data as unknown as Uint8Array;
    const members = buf[0] === FANOUT_VERSION ? decodeFanOut(buf, this.textOfNumber) : decodeGroup(buf);
    for (let k = 0; k < members.length; k++) {
      const seq = r.seq + k;
      if (seq <= this.floor) continue;
      const m = members[k]!;
      const ev: JournalEvent = { seq, timeMs: r.time_ms + m.dt, type: this.text(m.type) };
      if (m.cause !== 0) ev.cause = seq - m.cause;
      if (m.resource !== 0) ev.resource = this.text(m.resource);
      if (m.id !== undefined) ev.id = m.id;
      if (m.data !== 0) ev.data = JSON.parse(this.text(m.data)) as Record<string, unknown>;
      out.push(ev);
    }
    return out;
  }

  /** Events after `seq`, oldest first, matching `filter`. */
  since(seq: number, limit = 1000, filter?: EventFilter): JournalEvent[] {
    return this.scan(seq, limit, filter).events;
  }

  /**
   * Events after `seq` matching `filter`, and `last`: the seq of the last event examined (matching or
   * not), where a reader continues from (`seq` when there was nothing after it).
   */
  scan(seq: number, limit = 1000, filter?: EventFilter): JournalScan {
    this.flush();
    const events: JournalEvent[] = [];
    let last = seq;
    // From the row holding seq + 1: a group or fan-out row may start before it.
    const holder = this.s.bySeq.get(seq + 1) as Row | undefined;
    let from = holder && isGroup(holder) && lastSeq(holder) > seq ? holder.seq - 1 : seq;
    scan: for (;;) {
      const rows = this.s.since.all(from, 1000) as Row[];
      if (rows.length === 0) break;
      for (const r of rows) {
        from = r.seq;
        for (const ev of this.expand(r)) {
          if (ev.seq <= seq) continue;
          last = ev.seq;
          if (matches(ev, filter)) events.push(ev);
          if (events.length >= limit) break scan;
        }
      }
    }
    return { events, last };
  }

  /** The most recent event matching `filter` (`svl trace --last`), or undefined. */
  newest(filter?: EventFilter): JournalEvent | undefined {
    this.flush();
    let from = this.nextSeq;
    for (;;) {
      const rows = this.s.before.all(from, 1000) as Row[];
      if (rows.length === 0) return undefined;
      for (const r of rows) {
        from = r.seq;
        const evs = this.expand(r);
        for (let k = evs.length - 1; k >= 0; k--) if (matches(evs[k]!, filter)) return evs[k];
      }
    }
  }

  /** Every event about an id, and the events they caused, transitively (the raw material of a trace). */
  related(id: string, limit = 5000): JournalEvent[] {
    this.flush();
    // One pass over the ring (there is no index on id, and a group row's events are inside it).
    const bySeq = new Map<number, JournalEvent>();
    const byId = new Map<string, JournalEvent[]>();
    const causedBy = new Map<number, JournalEvent[]>();
    const add = <K>(m: Map<K, JournalEvent[]>, k: K, ev: JournalEvent) => {
      const list = m.get(k);
      if (list) list.push(ev);
      else m.set(k, [ev]);
    };
    for (const r of this.s.all.iterate() as Iterable<Row>) {
      for (const ev of this.expand(r)) {
        bySeq.set(ev.seq, ev);
        if (ev.id !== undefined) add(byId, ev.id, ev);
        if (ev.cause !== undefined) add(causedBy, ev.cause, ev);
      }
    }
    const seen = new Map<number, JournalEvent>();
    const ids = new Set<string>([id]);
    const queue: JournalEvent[] = [...(byId.get(id) ?? [])];
    // The causes upstream of the first hop about the id (a trace starts at the first event).
    const first = queue[0];
    let up = first?.cause;
    while (up !== undefined && seen.size < limit) {
      const ev = bySeq.get(up);
      if (!ev) break;
      queue.push(ev);
      up = ev.cause;
    }
    while (queue.length && seen.size < limit) {
      const ev = queue.shift()!;
      if (seen.has(ev.seq)) continue;
      seen.set(ev.seq, ev);
      for (const c of causedBy.get(ev.seq) ?? []) queue.push(c);
      // Ids this hop hands on: its own, and the invocation a received message went to. (Not a batch's other
      // messages: their histories are theirs; the invocation names them.)
      const next = [ev.id, ev.data?.requestId];
      for (const other of next) {
        if (typeof other !== 'string' || ids.has(other)) continue;
        ids.add(other);
        for (const o of byId.get(other) ?? []) queue.push(o);
      }
    }
    return [...seen.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * Resolves with the events after `seq` (matching `filter`) as soon as there are any, or with none once
   * `waitMs` has passed or `signal` aborts. Real time: a long poll is a wire concern, not emulator time.
   */
  wait(seq: number, waitMs: number, filter?: EventFilter, signal?: AbortSignal): Promise<JournalScan> {
    const now = this.scan(seq, 1000, filter);
    if (now.events.length > 0 || waitMs <= 0 || signal?.aborted) return Promise.resolve(now);
    return new Promise((resolve) => {
      let last = now.last;
      const done = (got: JournalScan) => {
        this.waiters.delete(check);
        realClearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(got);
      };
      const check: Waiter = () => {
        const got = this.scan(last, 1000, filter);
        if (got.events.length > 0) return done(got);
        // Only what was actually scanned (flushed and examined) is behind the reader, never the head:
        // an event recorded in this tick but not yet seen is read by the next scan.
        last = got.last;
      };
      // On timeout or abort, a last scan: events recorded since the last wake are not lost.
      const finish = () => done(this.scan(last, 1000, filter));
      const onAbort = finish;
      const timer = realSetTimeout(finish, waitMs);
      signal?.addEventListener('abort', onAbort);
      this.waiters.add(check);
    });
  }

  /** Drops every event (svl/testing's reset). */
  clear(): void {
    this.pending = [];
    this.fan.clear();
    this.run.clear();
    this.latest.clear();
    this.idA = this.idB = undefined;
    this.latestComplete = true;
    // Every event so far is gone: a cause an SQS row kept from before (`jseq`) names none (`live`).
    this.floor = this.head;
    this.s.clear.run();
  }

  /** Writes the events recorded outside a transaction. */
  flush(): void {
    this.endFlushCycle();
    this.closeOpen();
    // Never inside someone else's transaction: its rollback would take the events with it.
    if (this.db.inTransaction) return this.scheduleFlush();
    if (this.pending.length === 0 && this.textPending.length === 0) return;
    const rows = this.pending;
    const texts = this.textPending;
    this.pending = [];
    this.textPending = [];
    try {
      this.write(rows, texts);
    } catch {
      // The database is closed (the emulator stopped): the last tick's events are lost, nothing else.
    }
  }

  /** The scheduled flush is done (by its timer, a reader or a group commit): its timers do nothing, the next event schedules the next. */
  private endFlushCycle(): void {
    this.flushScheduled = false;
    this.flushDue = false;
    this.flushCycle++;
  }

  /** The open fan-out record and run of SQS hops join the pending rows (before anything writes or reads them). */
  private closeOpen(): void {
    if (this.fan.head !== undefined) this.fan.close();
    if (this.run.seq !== 0) this.pending.push(this.run.finish());
  }

  /**
   * GroupCommit's hook (CommitHook): once the flush is due (DUE_MS), the pending events, and the texts
   * interned in transactions, written inside a group transaction just before its COMMIT, so the group's
   * commit holds them and the timer's flush has nothing to commit. Written in a savepoint (`write`, nested): a failing write leaves nothing
   * behind and keeps them pending, and never fails the group's requests. Events a request recorded before
   * its savepoint rolled back are written all the same, as the timer's flush would.
   */
  beforeCommit(): void {
    if (!this.flushDue) return;
    this.closeOpen();
    this.endFlushCycle();
    if (this.pending.length === 0 && this.textPending.length === 0) return;
    const rows = this.pending;
    const texts = this.textPending;
    this.pending = [];
    this.textPending = [];
    this.inGroupPrune = this.sincePrune;
    this.inGroupFloor = this.floor;
    try {
      this.write(rows, texts);
    } catch {
      this.requeue(rows, texts);
      return;
    }
    this.inGroup = rows;
    this.inGroupTexts = texts;
  }

  /** GroupCommit's hook: a group transaction that rolled back (its COMMIT failed) took the events written into it. */
  afterCommit(committed: boolean): void {
    const rows = this.inGroup;
    const texts = this.inGroupTexts;
    if (rows.length === 0 && texts.length === 0) return;
    this.inGroup = [];
    this.inGroupTexts = [];
    if (!committed) this.requeue(rows, texts);
  }

  /** Events (and texts) that were not written after all: pending again, ahead of those recorded since, for the timer's flush. */
  private requeue(rows: Row[], texts: Array<[number, string]>): void {
    this.pending = this.pending.length ? rows.concat(this.pending) : rows;
    this.textPending = this.textPending.length ? texts.concat(this.textPending) : texts;
    this.sincePrune = Math.max(this.sincePrune, this.inGroupPrune);
    this.floor = this.inGroupFloor;
    this.scheduleFlush();
  }

  /**
   * The rows to write: each run of consecutive seqs (up to GROUP) as one group row, so a batch's messages
   * cost one row, one B-tree cell and one encoding, not one per event. Fan-out records are written as they are.
   */
  private grouped(rows: Row[]): Row[] {
    if (rows.length < 2) return rows;
    // Reserved seqs (an SNS hop, recorded after the send it causes) make the order nearly sorted: placed
    // by seq into slots when the span allows, instead of a comparator sort.
    let sorted = true;
    let min = rows[0]!.seq;
    let max = min;
    for (let i = 1; i < rows.length; i++) {
      const seq = rows[i]!.seq;
      if (seq < rows[i - 1]!.seq) sorted = false;
      if (seq < min) min = seq;
      else if (seq > max) max = seq;
    }
    if (!sorted && max - min < rows.length * 4) {
      const slots: Array<Row | undefined> = new Array(max - min + 1);
      for (const r of rows) slots[r.seq - min] = r;
      rows = [];
      for (const r of slots) if (r) rows.push(r);
    } else if (!sorted) rows.sort((a, b) => a.seq - b.seq);
    const out: Row[] = [];
    let i = 0;
    while (i < rows.length) {
      // A fan-out record is written as it is.
      if (isGroup(rows[i]!)) {
        out.push(rows[i]!);
        i++;
        continue;
      }
      let j = i + 1;
      // A time in fractions of a ms (a fake clock advanced so) is not grouped: the codec stores whole ms.
      if (Number.isInteger(rows[i]!.time_ms)) {
        while (j < rows.length && j - i < GROUP && rows[j]!.seq === rows[j - 1]!.seq + 1 && Number.isInteger(rows[j]!.time_ms) && !isGroup(rows[j]!)) j++;
      }
      if (j - i === 1) out.push(rows[i]!);
      else out.push(this.group(rows, i, j));
      i = j;
    }
    return out;
  }

  /** The group row of rows[from, to): its events in the binary form of group-codec.ts. */
  private group(rows: Row[], from: number, to: number): Row {
    const head = rows[from]!;
    // The last two ids written in full and their member numbers: a publish's hops repeat its message id
    // between its deliveries' SQS message ids, each repeat stored as the number of the member that has it.
    let idA: string | null = null;
    let idB: string | null = null;
    let atA = 0;
    let atB = 0;
    let usedA = -1;
    let usedB = -1;
    const idRef = (k: number): number => {
      const id = rows[k]!.id;
      if (id === idA) {
        usedA = k;
        return atA;
      }
      if (id === idB) {
        usedB = k;
        return atB;
      }
      // Written in full; replaces the one used less lately.
      if (usedA <= usedB) {
        idA = id;
        atA = k - from + 1;
        usedA = k;
      } else {
        idB = id;
        atB = k - from + 1;
        usedB = k;
      }
      return 0;
    };
    return { seq: head.seq, time_ms: head.time_ms, type: -(to - from), cause: null, resource: null, id: null, data: encodeGroup(rows as readonly CodecRow[], from, to, idRef) };
  }

  /** Multi-row INSERTs of up to MANY rows: one statement per 64 events instead of one per event. */
  private insertAll(rows: Row[]): void {
    for (let i = 0; i < rows.length; i += MANY) {
      const chunk = rows.length - i >= MANY ? MANY : rows.length - i;
      let stmt = this.inserts.get(chunk);
      if (!stmt) {
        stmt = this.db.prepare(`INSERT INTO svl_journal (seq, time_ms, type, cause, resource, id, data) VALUES ${Array(chunk).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
        this.inserts.set(chunk, stmt);
      }
      const params: unknown[] = new Array(chunk * 7);
      for (let k = 0; k < chunk; k++) {
        const r = rows[i + k]!;
        const o = k * 7;
        params[o] = r.seq;
        params[o + 1] = r.time_ms;
        params[o + 2] = r.type;
        params[o + 3] = r.cause;
        params[o + 4] = r.resource;
        params[o + 5] = r.id;
        params[o + 6] = r.data;
      }
      stmt.run(params);
    }
  }


  /**
   * The two ids recorded last are held here, ahead of `latest`: a publish records its message id between
   * each delivery's SQS message id, so its fan-out writes the map once for it, not once per subscriber.
   */
  remember(id: string, seq: number): void {
    if (id === this.idA) {
      this.seqA = seq;
      this.aNewer = true;
    } else if (id === this.idB) {
      this.seqB = seq;
      this.aNewer = false;
    } else if (this.aNewer) {
      if (this.idB !== undefined) this.keep(this.idB, this.seqB);
      this.idB = id;
      this.seqB = seq;
      this.aNewer = false;
    } else {
      if (this.idA !== undefined) this.keep(this.idA, this.seqA);
      this.idA = id;
      this.seqA = seq;
      this.aNewer = true;
    }
  }

  /** Moves the two held ids into `latest`. */
  private settle(): void {
    const [a, sa, b, sb, aNewer] = [this.idA, this.seqA, this.idB, this.seqB, this.aNewer];
    this.idA = this.idB = undefined;
    // The older first: `latest` is oldest first.
    if (aNewer) {
      if (b !== undefined) this.keep(b, sb);
      if (a !== undefined) this.keep(a, sa);
    } else {
      if (a !== undefined) this.keep(a, sa);
      if (b !== undefined) this.keep(b, sb);
    }
  }

  /**
   * One lookup: an id's entry is updated in place. Past twice `size` ids, the map is rebuilt
   * without the ids whose latest event is out of the ring (at or below head - size: `size` events came
   * after it): at most `size` remain, each with its own latest seq in the ring. In bulk, because evicting
   * from the front of a Map one entry at a time (entries().next() after deletes) walks the deleted slots
   * each time: it cost ~1.4 ms per 50-subscriber publish once the map was full.
   * (An entry of an id also held in idA/idB may be older than its latest: still a seq of its own.)
   */
  private keep(id: string, seq: number): void {
    this.latest.set(id, seq);
    this.bound();
  }

  /** Past twice `size` ids, `latest` keeps only the ids whose latest event is still in the ring (see `keep`). */
  private bound(): void {
    if (this.latest.size > this.size * 2) this.latest.retain(this.nextSeq - 1 - this.size);
  }

  /** `keep`, unless `latest` holds a later seq of the id (a fan-out record's ids, indexed late). */
  keepNewer(id: string, seq: number): void {
    const known = this.latest.get(id);
    if (known === undefined || known < seq) this.keep(id, seq);
  }

  private wake(): void {
    if (this.waiters.size === 0) return;
    // After the current transaction commits (and after the flush), so a waiter reads what it was told of.
    realSetImmediate(() => {
      this.flush();
      for (const w of [...this.waiters]) w();
    });
  }
}

/** The data of an `sqs.received`: the receive count, and the request id and consumer when not empty. */
function receivedDoc(receiveCount: number, requestId: string | undefined, consumer: string | undefined): Record<string, unknown> {
  return { receiveCount, ...(requestId && { requestId }), ...(consumer && { consumer }) };
}

/** One event of a group row: `[dt, type, cause, resource, id, data]` (see Row). */
type Member = [number, string | number, number, string | number, string | number, Record<string, unknown> | number];

function isGroup(r: Row): boolean {
  return typeof r.type === 'number' && r.type < 0;
}

/** The seq of a row's last event. */
function lastSeq(r: Row): number {
  return isGroup(r) ? r.seq - (r.type as number) - 1 : r.seq;
}

export function matches(ev: JournalEvent, filter?: EventFilter): boolean {
  if (!filter) return true;
  if (filter.id !== undefined && ev.id !== filter.id) return false;
  if (filter.resource !== undefined && ev.resource !== filter.resource) return false;
  if (filter.root && ev.cause !== undefined) return false;
  if (filter.types?.length && !filter.types.some((t) => (t.endsWith('.') ? ev.type.startsWith(t) : ev.type === t))) return false;
  return true;
}
