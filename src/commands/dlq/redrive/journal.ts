/**
 * The redrive journal: one NDJSON line per event of a client-side redrive, appended synchronously the
 * moment it happens, so a redrive killed at any point can be resumed (`--resume <journal>`) and audited.
 *
 *   {"type":"start","version":1,"dlq":{…},"to":{…}|null,"match":[…],"max":N|null,"total":N,…}
 *   {"type":"received","ids":[…],"until":"<ISO>"}   every receive, the moment it returns: these messages
 *                    are invisible in the DLQ until `until` (the receive's visibility timeout)
 *   {"type":"left","ids":[…],"why":"notMatching"|"beyondMax"|"groupOrder"}  received, deliberately not moved
 *   {"type":"moved","id":"<DLQ message id>","newId":"<id in the destination>","to":"orders",…}  per message,
 *                    written right after the send succeeded and before the DLQ copy is deleted
 *   {"type":"deleted","ids":[…]}      the DLQ copies removed after their send
 *   {"type":"failed","id":…,"code":…,"message":…}
 *   {"type":"resume"} / {"type":"end","moved":…,"interrupted":false}
 *
 * On resume, a message whose id has a "moved" line is deleted from the DLQ without being sent again, and
 * the messages the interrupted run received but did not finish (`outstanding`: received and neither
 * moved nor left, or moved and not deleted) are waited for until their visibility timeout has passed:
 * "done" means every one of them was seen again and handled. Only a send whose response was lost to the
 * kill can be sent twice: at most the batches in flight (workers x batches per worker). Appends are
 * plain write(2)s: a SIGKILL loses nothing already written.
 */
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { UsageError } from '../../../errors.js';

export const JOURNAL_VERSION = 1;

export interface JournalQueue {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
}

export interface JournalStart {
  type: 'start';
  version: number;
  at: string;
  dlq: JournalQueue;
  to: JournalQueue | null;
  match: string[];
  max: number | null;
  /** Messages the run set out to move (visible in the DLQ at the start, capped by --max); absent before 0.9. */
  total?: number;
}

export type LeftReason = 'notMatching' | 'beyondMax' | 'groupOrder';

export interface MovedLine {
  id: string;
  newId: string;
  to: string;
  group?: string;
  dedup?: string;
}

export class Journal {
  private fd: number;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
  }

  /** A new journal; refuses to overwrite one (that is what --resume is for). */
  static create(path: string, start: Omit<JournalStart, 'type' | 'version' | 'at'>, local = ''): Journal {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      throw new UsageError(`Cannot create the journal ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
        hint: existsSync(path) ? `Continue that redrive with: svl dlq redrive --resume ${path}${local}; or pass another --journal` : 'Pass --journal <file> in a writable directory',
      });
    }
    const j = new Journal(path, fd);
    j.write({ type: 'start', version: JOURNAL_VERSION, at: new Date().toISOString(), ...start });
    return j;
  }

  static append(path: string): Journal {
    const j = new Journal(path, openSync(path, 'a'));
    // A kill mid-write may have left half a line: end it, so the resume line stands on its own.
    const text = readFileSync(path, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) appendFileSync(j.fd, '\n');
    j.write({ type: 'resume', at: new Date().toISOString() });
    return j;
  }

  private write(line: object): void {
    appendFileSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  moved(lines: readonly MovedLine[]): void {
    if (lines.length === 0) return;
    const at = new Date().toISOString();
    // One write for the batch: a kill leaves all of its lines or none of them.
    appendFileSync(this.fd, lines.map((l) => `${JSON.stringify({ type: 'moved', ...l, at })}\n`).join(''));
  }

  /** Written as soon as a receive returns, before anything is done with the messages. */
  received(ids: readonly string[], untilMs: number): void {
    if (ids.length > 0) this.write({ type: 'received', ids, until: new Date(untilMs).toISOString() });
  }

  left(ids: readonly string[], why: LeftReason): void {
    if (ids.length > 0) this.write({ type: 'left', ids, why, at: new Date().toISOString() });
  }

  deleted(ids: readonly string[]): void {
    if (ids.length > 0) this.write({ type: 'deleted', ids, at: new Date().toISOString() });
  }

  failed(id: string, code: string, message: string): void {
    this.write({ type: 'failed', id, code, message, at: new Date().toISOString() });
  }

  end(summary: Record<string, unknown>): void {
    this.write({ type: 'end', at: new Date().toISOString(), ...summary });
    closeSync(this.fd);
  }
}

export interface JournalState {
  path: string;
  start: JournalStart;
  /** DLQ message ids already sent to their destination. */
  moved: Set<string>;
  /** DLQ message ids known to be deleted from the DLQ. */
  deleted: Set<string>;
  failed: number;
  /** Received by an earlier run and not finished: to move (`toMove`) or to delete from the DLQ (`toDelete`). */
  outstanding: { toMove: Set<string>; toDelete: Set<string>; untilMs: number | null };
  /** The last run ended cleanly (not killed, not interrupted) with nothing outstanding: nothing left to do. */
  finished: boolean;
}

/**
 * What the lines of a journal add up to (pure; the order of lines matters: a message left by one run
 * may be received again by a resume, and then its last line decides).
 */
export function foldJournal(lines: ReadonlyArray<Record<string, unknown>>): Omit<JournalState, 'path' | 'start'> {
  const moved = new Set<string>();
  const deleted = new Set<string>();
  /** The last thing that happened to a received message: still with us, or deliberately left/failed. */
  const last = new Map<string, { state: 'received' | 'left'; until: number }>();
  let failed = 0;
  let cleanEnd = false;
  const ids = (l: Record<string, unknown>) => (Array.isArray(l.ids) ? l.ids.map(String) : []);
  for (const l of lines) {
    cleanEnd = false;
    if (l.type === 'received') {
      const until = Date.parse(String(l.until));
      for (const id of ids(l)) {
        last.set(id, { state: 'received', until: Number.isFinite(until) ? until : 0 });
        deleted.delete(id);
      }
    } else if (l.type === 'left') for (const id of ids(l)) last.set(id, { state: 'left', until: 0 });
    else if (l.type === 'moved' && typeof l.id === 'string') moved.add(l.id);
    else if (l.type === 'deleted') for (const id of ids(l)) deleted.add(id);
    else if (l.type === 'failed') {
      failed++;
      if (typeof l.id === 'string') last.set(l.id, { state: 'left', until: 0 });
    } else if (l.type === 'end') cleanEnd = l.interrupted === false;
  }
  const toMove = new Set<string>();
  const toDelete = new Set<string>();
  let untilMs: number | null = null;
  for (const id of moved) if (!deleted.has(id)) toDelete.add(id);
  for (const [id, { state, until }] of last) {
    if (state !== 'received' || deleted.has(id)) continue;
    if (!moved.has(id)) toMove.add(id);
    if (toMove.has(id) || toDelete.has(id)) untilMs = Math.max(untilMs ?? 0, until);
  }
  return { moved, deleted, failed, outstanding: { toMove, toDelete, untilMs }, finished: cleanEnd && toMove.size === 0 && toDelete.size === 0 };
}

/** Reads a journal for --resume: every problem is a UsageError naming the file and line. */
export function readJournal(path: string): JournalState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--resume: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { hint: 'Pass the journal path the interrupted redrive printed' });
  }
  const lines = text.split('\n');
  const notJournal = (why: string) =>
    new UsageError(`--resume: ${path} is not a redrive journal (${why})`, { hint: 'Pass the .ndjson journal an interrupted svl dlq redrive printed (Journal: …)' });
  let start: JournalStart | undefined;
  const events: Array<Record<string, unknown>> = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let l: Record<string, unknown>;
    try {
      l = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      if (start === undefined) throw notJournal(`line ${i + 1} is not JSON`);
      // A kill mid-write can only cut the last line of a run: the end of the file, or just before a
      // resume line. Anything else means the file was damaged or is something else.
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      if (next === undefined || next.startsWith('{"type":"resume"')) return;
      throw notJournal(`line ${i + 1} is not JSON`);
    }
    if (start === undefined) {
      if (l === null || typeof l !== 'object' || l.type !== 'start' || typeof l.dlq !== 'object' || l.dlq === null) throw notJournal('it does not start with a redrive "start" line');
      if (l.version !== JOURNAL_VERSION) throw new UsageError(`--resume: ${path} is a version ${String(l.version)} journal; this svl reads version ${JOURNAL_VERSION}`, { hint: 'Resume it with the svl version that wrote it' });
      start = l as unknown as JournalStart;
      return;
    }
    events.push(l);
  });
  if (start === undefined) throw notJournal('it is empty');
  return { path, start, ...foldJournal(events) };
}

/** `svl-redrive-<dlq>-<UTC stamp>.ndjson` in the working directory (`-2`, `-3`… if taken). */
export function defaultJournalPath(dlq: string, now = new Date(), taken: (path: string) => boolean = existsSync): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = `svl-redrive-${dlq.replace(/[^A-Za-z0-9_.-]/g, '-')}-${stamp}`;
  let path = `${base}.ndjson`;
  for (let i = 2; taken(path); i++) path = `${base}-${i}.ndjson`;
  return path;
}
