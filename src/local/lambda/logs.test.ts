import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/db.js';
import { InvocationLogs } from './logs.js';

const count = (db: ReturnType<typeof openStore>['db']) => (db.prepare('SELECT COUNT(*) AS n FROM lambda_logs').get() as { n: number }).n;

test('logs are queued, written together, and every read sees every finished invocation', () => {
  const { db, close } = openStore({ inMemory: true });
  try {
    const logs = new InvocationLogs(db);
    logs.add('f', 'r1', 1, 2, 'ok', 'START r1\n');
    logs.add('f', 'r2', 3, 4, 'error', 'START r2\n');
    assert.equal(count(db), 0, 'not written on the invocation path');
    assert.deepEqual(
      logs.list('f').map((r) => [r.requestId, r.outcome]),
      [['r1', 'ok'], ['r2', 'error']],
    );
    assert.equal(count(db), 2);
    logs.add('f', 'r3', 5, 6, 'ok', 'START r3\n');
    assert.deepEqual(logs.forRequest('f', 'r3').map((r) => r.text), ['START r3\n']);
  } finally {
    close();
  }
});

test('stop() writes what is queued, and later logs at once', () => {
  const { db, close } = openStore({ inMemory: true });
  try {
    const logs = new InvocationLogs(db);
    logs.add('f', 'r1', 1, 2, 'ok', 'a');
    logs.stop();
    assert.equal(count(db), 1);
    logs.add('f', 'r2', 1, 2, 'ok', 'b');
    assert.equal(count(db), 2);
  } finally {
    close();
  }
});

test('a flush after the database closed is dropped, not thrown', () => {
  const { db, close } = openStore({ inMemory: true });
  const logs = new InvocationLogs(db);
  logs.add('f', 'r1', 1, 2, 'ok', 'a');
  close();
  assert.doesNotThrow(() => logs.flush());
});

test('a failed write keeps the queued logs for the next one', () => {
  const { db, close } = openStore({ inMemory: true });
  try {
    const logs = new InvocationLogs(db);
    logs.add('f', 'r1', 1, 2, 'ok', 'START r1\n');
    // A write that fails inside the transaction (a trigger refusing inserts stands in for a full disk).
    db.exec(`CREATE TEMP TRIGGER refuse BEFORE INSERT ON lambda_logs BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    assert.throws(() => logs.flush(), /disk full/);
    assert.equal(count(db), 0);
    db.exec('DROP TRIGGER refuse');
    logs.flush();
    assert.deepEqual(logs.list('f').map((r) => r.requestId), ['r1']);
  } finally {
    close();
  }
});

test('a large queue is written in order, every field of every row, across several multi-row statements, and pruned to the kept number', () => {
  const { db, close } = openStore({ inMemory: true });
  try {
    const logs = new InvocationLogs(db);
    for (let i = 0; i < 1450; i++) logs.add(i % 10 === 0 ? 'g' : 'f', `r${i}`, i, i + 0.5, i % 7 === 0 ? 'error' : 'ok', `START r${i}\n`);
    logs.flush();
    const f = logs.list('f', { limit: 2000 });
    // 1,305 for f: pruned to the last 1,000 at its 1,100th, 1,200th and 1,300th, then 5 more.
    assert.equal(f.length, 1000 + 5);
    const fIds = [...Array(1450).keys()].filter((i) => i % 10 !== 0);
    assert.deepEqual(f.map((r) => r.requestId), fIds.slice(-f.length).map((i) => `r${i}`));
    const last = f[f.length - 1]!;
    assert.deepEqual([last.function, last.startedMs, last.durationMs, last.outcome, last.text], ['f', 1449, 1449.5, 'error', 'START r1449\n']);
    assert.deepEqual(logs.list('g', { limit: 2000 }).map((r) => r.requestId), [...Array(145).keys()].map((k) => `r${k * 10}`));
  } finally {
    close();
  }
});
