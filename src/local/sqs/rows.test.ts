/**
 * The raw-row mapping of rows.ts: `toRow` names the columns by position, so its positions must be
 * ROW_COLUMNS' (the order every raw statement selects them in). A column added to one and not the other
 * would otherwise be read into the wrong field without any error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEAN_COLUMNS, ROW_COLUMNS, leanRow, toRow } from './rows.js';

test('toRow: each position of ROW_COLUMNS lands in the field of the same name, and nothing else is made', () => {
  const row = toRow([...ROW_COLUMNS]) as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(row), [...ROW_COLUMNS]);
  for (const c of ROW_COLUMNS) assert.equal(row[c], c, `column ${c}`);
});

test('leanRow: each position of LEAN_COLUMNS lands in the field of the same name; the row has every field of a whole one', () => {
  const row = leanRow([...LEAN_COLUMNS], 'the-queue') as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(row), [...ROW_COLUMNS]);
  for (const c of LEAN_COLUMNS) assert.equal(row[c], c, `column ${c}`);
  assert.equal(row.queue, 'the-queue');
  // Without the attribute columns (a receive that asks for no user attribute): null, not undefined.
  const bare = leanRow([...LEAN_COLUMNS.slice(0, -2)], 'q');
  assert.equal(bare.attrs, null);
  assert.equal(bare.md5_attrs, null);
});
