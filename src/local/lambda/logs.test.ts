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
