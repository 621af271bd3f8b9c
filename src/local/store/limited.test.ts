/**
 * LimitedStatement on a real (in-memory) database: the rows of every limit, written into the SQL (0 to 64)
 * or bound (above), are the rows `LIMIT ?` gives; a limit's statement is made once; a result mode applies to both kinds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from './db.js';
import { LimitedStatement } from './limited.js';

test('every limit reads what LIMIT ? reads, written up to 64 and bound beyond; each written statement made once', () => {
  const store = openStore({ inMemory: true });
  try {
    const db = store.db;
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, k TEXT)');
    const ins = db.prepare('INSERT INTO t (n, k) VALUES (?, ?)');
    for (let n = 1; n <= 300; n++) ins.run(n, n % 3 === 0 ? 'a' : 'b');
    const reference = db.prepare('SELECT n FROM t WHERE k = ? AND n > ? ORDER BY n LIMIT ?').pluck();
    const texts: string[] = [];
    const limited = new LimitedStatement(
      db,
      (limit) => {
        texts.push(limit);
        return `SELECT n FROM t WHERE k = ? AND n > ? ORDER BY n LIMIT ${limit}`;
      },
      (s) => s.pluck(),
    );
    for (const limit of [0, 1, 10, 64, 65, 100, 250]) {
      assert.deepEqual(limited.all(limit, 'b', 7), reference.all('b', 7, limit), `LIMIT ${limit}`);
      assert.deepEqual(limited.all(limit, 'a', 0), reference.all('a', 0, limit), `LIMIT ${limit}, other parameters`);
    }
    assert.deepEqual(texts, ['0', '1', '10', '64', '?'], 'one statement per written limit, one bound statement for the rest');
  } finally {
    store.close();
  }
});
