/**
 * The redrive journal: one NDJSON line per event of a client-side redrive, appended synchronously the
 * moment it happens, so a redrive killed at any point can be resumed (`--resume <journal>`) and audited.
 *
 *   {"type":"start","version":1,"dlq":{…},"to":{…}|null,"match":[…],"max":N|null,…}
 *   {"type":"moved","id":"<DLQ message id>","newId":"<id in the destination>","to":"orders",…}  per message,
 *                    written right after the send succeeded and before the DLQ copy is deleted
 *   {"type":"deleted","ids":[…]}      the DLQ copies removed after their send
 *   {"type":"failed","id":…,"code":…,"message":…}
 *   {"type":"resume"} / {"type":"end","moved":…,"interrupted":false}
 *
 * On resume, a message whose id has a "moved" line is deleted from the DLQ without being sent again.
 * Only a send whose response was lost to the kill (at most one batch: sends are serialised) can be sent
 * twice. Appends are plain write(2)s: a SIGKILL loses nothing already written.
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
}

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
  static create(path: string, start: Omit<JournalStart, 'type' | 'version' | 'at'>): Journal {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      throw new UsageError(`Cannot create the journal ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
        hint: existsSync(path) ? `Continue that redrive with --resume ${path}, or pass another --journal` : 'Pass --journal <file> in a writable directory',
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
  /** The last run ended cleanly (not killed, not interrupted). */
  completed: boolean;
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
  const state: JournalState = { path, start: undefined as unknown as JournalStart, moved: new Set(), deleted: new Set(), failed: 0, completed: false };
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let l: Record<string, unknown>;
    try {
      l = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // A kill mid-write can only cut the last line of a run: the end of the file, or just before a
      // resume line. Anything else means this is not a journal.
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      if (next === undefined || next.startsWith('{"type":"resume"')) return;
      throw new UsageError(`--resume: ${path} line ${i + 1} is not JSON; is this a redrive journal?`, { hint: 'Pass the journal path the interrupted redrive printed' });
    }
    if (i === 0 || state.start === undefined) {
      if (l.type !== 'start' || typeof l.dlq !== 'object' || l.dlq === null) throw new UsageError(`--resume: ${path} does not start like a redrive journal`, { hint: 'Journals are written by svl dlq redrive (client-side moves)' });
      if (l.version !== JOURNAL_VERSION) throw new UsageError(`--resume: ${path} is a version ${String(l.version)} journal; this svl reads version ${JOURNAL_VERSION}`, { hint: 'Resume it with the svl version that wrote it' });
      state.start = l as unknown as JournalStart;
      return;
    }
    if (l.type === 'moved' && typeof l.id === 'string') state.moved.add(l.id);
    else if (l.type === 'deleted' && Array.isArray(l.ids)) for (const id of l.ids) state.deleted.add(String(id));
    else if (l.type === 'failed') state.failed++;
    state.completed = l.type === 'end' && l.interrupted === false;
  });
  if (state.start === undefined) throw new UsageError(`--resume: ${path} is empty`, { hint: 'Pass the journal path the interrupted redrive printed' });
  return state;
}

/** `svl-redrive-<dlq>-<UTC stamp>.ndjson` in the working directory (`-2`, `-3`… if taken). */
export function defaultJournalPath(dlq: string, now = new Date(), taken: (path: string) => boolean = existsSync): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = `svl-redrive-${dlq.replace(/[^A-Za-z0-9_.-]/g, '-')}-${stamp}`;
  let path = `${base}.ndjson`;
  for (let i = 2; taken(path); i++) path = `${base}-${i}.ndjson`;
  return path;
}
