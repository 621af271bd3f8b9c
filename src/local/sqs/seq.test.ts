/**
 * Message row ids (migration 17 and `allocSeq` in messages.ts): a database made by the schema before 17 keeps
 * every message row, column for column, and no id given out before (deleted rows included) is given again,
 * after the migration, after a restart, or after a transaction that raised the mark rolled back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../store/migrations.js';
import { openStore, type Db } from '../store/db.js';
import { FakeClock } from '../clock.js';
import { SqsService } from './service.js';

/** The migrations before 17 (found by its text: later ones follow it). */
const BEFORE = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE sqs_messages_v17'));
const ctx = { requestId: 'r', baseUrl: 'http://127.0.0.1:4566' };

const rows = (db: Db) => db.prepare(`SELECT * FROM sqs_messages ORDER BY seq`).all();
const mark = (db: Db) => db.prepare(`SELECT hwm FROM sqs_seq`).pluck().get() as number;
const maxSeq = (db: Db) => db.prepare(`SELECT max(seq) FROM sqs_messages`).pluck().get() as number;

test('migration 17 carries every message row and starts the mark past the highest id ever given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-seq-'));
  try {
    const old = new Database(join(dir, 'svl.db'));
    for (const m of MIGRATIONS.slice(0, BEFORE)) old.exec(m);
    old.pragma(`user_version = ${BEFORE}`);
    old.prepare(`INSERT INTO sqs_queues (name, fifo, attributes, created_ms, modified_ms) VALUES ('q', 0, '{}', 0, 0)`).run();
    old.prepare(`INSERT INTO sqs_queues (name, fifo, attributes, created_ms, modified_ms) VALUES ('f.fifo', 1, '{"FifoQueue":"true"}', 0, 0)`).run();
    const ins = old.prepare(
      `INSERT INTO sqs_messages (queue, id, body, md5_body, attrs, md5_attrs, sys_attrs, md5_sys, group_id, dedup_id, sequence_number,
         sender_id, sent_ms, visible_ms, inflight, receive_count, first_receive_ms, nonce, dlq_source)
       VALUES (?, ?, ?, 'md5', ?, ?, ?, ?, ?, ?, ?, 'AIDA', ?, ?, ?, ?, ?, ?, ?)`,
    );
    ins.run('q', 'm-1', 'one', '{"a":{"DataType":"String","StringValue":"x"}}', 'ma', null, null, null, null, null, 1000, 1000, 0, 0, null, null, null);
    ins.run('q', 'm-2', 'two', null, null, '{"AWSTraceHeader":{"DataType":"String","StringValue":"t"}}', 'ms', null, null, null, 1001, 9000, 1, 2, 1500, 'abc', 'arn:dlq');
    ins.run('f.fifo', 'm-3', 'three', null, null, null, null, 'g1', 'd1', '00000000000000000001', 1002, 1002, 0, 0, null, null, null);
    ins.run('q', 'm-4', 'four', null, null, null, null, null, null, null, 1003, 1003, 0, 0, null, null, null);
    // The newest row is deleted: AUTOINCREMENT remembered its id (4), max(seq) no longer shows it.
    old.prepare(`DELETE FROM sqs_messages WHERE seq = 4`).run();
    const before = rows(old);
    old.close();

    const store = openStore({ stateDir: dir });
    try {
      const db = store.db;
      // Migration 18 (after this one) adds each row's journal hop, none for rows from before.
      assert.deepEqual(rows(db), before.map((r) => ({ ...(r as object), jseq: null })));
      assert.equal(mark(db), 4);
      assert.equal(db.prepare(`SELECT count(*) FROM sqlite_sequence WHERE name = 'sqs_messages'`).pluck().get(), 0);
      const indexes = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'sqs_messages' ORDER BY name`).pluck().all();
      assert.deepEqual(indexes, ['sqs_messages_group_seq', 'sqs_messages_sent', 'sqs_messages_visible']);
      // The first message sent after the migration gets an id above the deleted one's.
      const svc = new SqsService({ db, clock: new FakeClock(5000) });
      await svc.request('SendMessage', { QueueUrl: 'q', MessageBody: 'five' }, ctx);
      const sent = db.prepare(`SELECT seq FROM sqs_messages WHERE body = 'five'`).pluck().get() as number;
      assert.ok(sent > 4, `new id ${sent}`);
      assert.ok(mark(db) >= sent);
      // Run again (its place in the list may move in a merge): rows and mark are kept (the rebuild is of its own
      // columns: the journal hop migration 18 adds is not among them).
      const withoutJseq = () => rows(db).map((r) => {
        const { jseq: _jseq, ...rest } = r as Record<string, unknown>;
        return rest;
      });
      const now = withoutJseq();
      const m = mark(db);
      db.transaction(() => db.exec(MIGRATIONS[BEFORE]!))();
      assert.deepEqual(withoutJseq(), now);
      assert.equal(mark(db), m);
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('row ids are never given twice: across a restart with the newest rows deleted, and after a raise of the mark rolled back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-seq-'));
  try {
    const seqs: number[] = [];
    let store = openStore({ stateDir: dir });
    let svc = new SqsService({ db: store.db, clock: new FakeClock(1000) });
    await svc.request('CreateQueue', { QueueName: 'q' }, ctx);
    const send = async (body: string) => {
      await svc.request('SendMessageBatch', { QueueUrl: 'q', Entries: [{ Id: 'a', MessageBody: `${body}-a` }, { Id: 'b', MessageBody: `${body}-b` }] }, ctx);
      const got = store.db.prepare(`SELECT seq FROM sqs_messages WHERE body IN (?, ?)`).pluck().all(`${body}-a`, `${body}-b`) as number[];
      seqs.push(...got);
      assert.ok(mark(store.db) >= maxSeq(store.db), 'every id is below the mark');
    };
    await send('first');
    // Every row deleted, then a restart: the ids continue past the deleted ones.
    store.db.prepare(`DELETE FROM sqs_messages`).run();
    store.close();
    store = openStore({ stateDir: dir });
    svc = new SqsService({ db: store.db, clock: new FakeClock(2000) });
    await send('second');
    // A raise of the mark rolled back (as if its transaction failed): the next send raises it again
    // before handing out an id above it.
    store.db.prepare(`UPDATE sqs_seq SET hwm = ?`).run(maxSeq(store.db));
    await send('third');
    store.db.prepare(`DELETE FROM sqs_messages`).run();
    store.close();
    store = openStore({ stateDir: dir });
    svc = new SqsService({ db: store.db, clock: new FakeClock(3000) });
    await send('fourth');
    store.close();
    assert.equal(new Set(seqs).size, seqs.length, `ids ${seqs.join(',')}`);
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, 'ids grow');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
