/**
 * The raw-row mapping of messages.ts: `toRow` names the columns by position, so its positions must be
 * ROW_COLUMNS' (the order every raw statement selects them in). A column added to one and not the other
 * would otherwise be read into the wrong field without any error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROW_COLUMNS, toRow } from './messages.js';

test('toRow: each position of ROW_COLUMNS lands in the field of the same name, and nothing else is made', () => {
  const row = toRow([...ROW_COLUMNS]) as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(row), [...ROW_COLUMNS]);
  for (const c of ROW_COLUMNS) assert.equal(row[c], c, `column ${c}`);
});
