/**
 * The shape of a stored SQS message row and the columns a statement reads into it: the whole row
 * (ROW_COLUMNS, named by `toRow`) or, for a receive that shows little, a lean subset (RowNeeds, `leanRow`).
 * No statements and no state here; messages.ts runs them.
 */
export interface MessageRow {
  seq: number;
  queue: string;
  id: string;
  body: string;
  md5_body: string;
  attrs: string | null;
  md5_attrs: string | null;
  sys_attrs: string | null;
  md5_sys: string | null;
  group_id: string | null;
  dedup_id: string | null;
  sequence_number: string | null;
  sender_id: string;
  sent_ms: number;
  visible_ms: number;
  inflight: number;
  receive_count: number;
  first_receive_ms: number | null;
  nonce: string | null;
  dlq_source: string | null;
  /**
   * The seq of the message's latest event in the event journal (journal.ts), the cause of its next hop; null
   * for rows stored before the column (the journal then looks the message id up), 0 when no journal kept it.
   */
  jseq: number | null;
}

/**
 * Every column of a message row, in MessageRow's order. Statements that return rows read them raw (as
 * arrays) and `toRow` names them: better-sqlite3 builds a named row key by key in native code, which cost
 * ~7 µs per 20-column row against ~3 µs raw (one received message, one FIFO scan row).
 */
export const ROW_COLUMNS = [
  'seq', 'queue', 'id', 'body', 'md5_body', 'attrs', 'md5_attrs', 'sys_attrs', 'md5_sys', 'group_id', 'dedup_id',
  'sequence_number', 'sender_id', 'sent_ms', 'visible_ms', 'inflight', 'receive_count', 'first_receive_ms', 'nonce', 'dlq_source', 'jseq',
] as const;
export const ROW = ROW_COLUMNS.join(', ');

/** A raw row as a MessageRow, by position in ROW_COLUMNS (messages.test.ts checks the two agree). */
export const toRow = (a: unknown[]): MessageRow => ({
  seq: a[0] as number,
  queue: a[1] as string,
  id: a[2] as string,
  body: a[3] as string,
  md5_body: a[4] as string,
  attrs: a[5] as string | null,
  md5_attrs: a[6] as string | null,
  sys_attrs: a[7] as string | null,
  md5_sys: a[8] as string | null,
  group_id: a[9] as string | null,
  dedup_id: a[10] as string | null,
  sequence_number: a[11] as string | null,
  sender_id: a[12] as string,
  sent_ms: a[13] as number,
  visible_ms: a[14] as number,
  inflight: a[15] as number,
  receive_count: a[16] as number,
  first_receive_ms: a[17] as number | null,
  nonce: a[18] as string | null,
  dlq_source: a[19] as string | null,
  jseq: a[20] as number | null,
});
export const toRows = (rows: unknown[]): MessageRow[] => (rows as unknown[][]).map(toRow);

/**
 * What a receive's answer shows besides MessageId, body and its MD5 (see `rowColumns`). better-sqlite3 makes a
 * JS value per column per row: a 10-message walk of a 10,000-row queue cost ~48 µs reading all 20 columns and
 * ~25 µs reading LEAN_COLUMNS' 7 (one loaded run), whether the columns held strings or NULL. A receive asking
 * for no system attribute (the usual request) reads only the columns its answer and its bookkeeping use.
 */
export interface RowNeeds {
  /** User message attributes are asked for (`attrs`, `md5_attrs`). */
  attrs: boolean;
  /** A system attribute is asked for: the whole row is read. */
  system: boolean;
}
export const ALL_COLUMNS: RowNeeds = { attrs: true, system: true };
/** The columns of a receive that asks for no system attribute, in the order `leanRow` reads them. */
export const LEAN_COLUMNS = ['seq', 'id', 'body', 'md5_body', 'visible_ms', 'inflight', 'receive_count', 'jseq', 'attrs', 'md5_attrs'] as const;

/** The columns read for `needs`, prefixed (ROW_COLUMNS, or LEAN_COLUMNS without the attributes when not asked for). */
export function rowColumns(needs: RowNeeds, prefix = ''): string {
  const cols = needs.system ? ROW_COLUMNS : needs.attrs ? LEAN_COLUMNS : LEAN_COLUMNS.slice(0, -2);
  return cols.map((c) => `${prefix}${c}`).join(', ');
}
export const needsKey = (n: RowNeeds): number => (n.system ? 2 : n.attrs ? 1 : 0);

/**
 * A raw row of LEAN_COLUMNS as a MessageRow: the columns not read are null (or 0, or ''): no receive that
 * reads lean rows shows them, and a lean row is never written back (a message moved to its DLQ is read
 * again whole).
 */
export const leanRow = (a: unknown[], queue: string): MessageRow => ({
  seq: a[0] as number,
  queue,
  id: a[1] as string,
  body: a[2] as string,
  md5_body: a[3] as string,
  attrs: (a[8] ?? null) as string | null,
  md5_attrs: (a[9] ?? null) as string | null,
  sys_attrs: null,
  md5_sys: null,
  group_id: null,
  dedup_id: null,
  sequence_number: null,
  sender_id: '',
  sent_ms: 0,
  visible_ms: a[4] as number,
  inflight: a[5] as number,
  receive_count: a[6] as number,
  first_receive_ms: null,
  nonce: null,
  dlq_source: null,
  jseq: a[7] as number | null,
});
