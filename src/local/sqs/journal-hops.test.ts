/**
 * An SQS message's journal hops name their causes through its row (rows.ts `jseq`, migration 18): each hop is
 * caused by the message's previous one, through receives, visibility changes and expiries, deletes and a move to
 * its DLQ, after a restart too; a row stored before the column (jseq NULL) is looked up by its id; a row's hop
 * from before the journal was cleared names nothing. The SQS service and the journal as the emulator wires them,
 * on a real database, time from a fake clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/db.js';
import { FakeClock } from '../clock.js';
import { Journal, type JournalEvent } from '../journal/journal.js';
import { SqsService } from './service.js';

const ctx = { requestId: 'req-test', baseUrl: 'http://127.0.0.1:4566' };
const ARN = 'arn:aws:sqs:us-east-1:000000000000';

function emulator(store: Store, clock: FakeClock) {
  const svc = new SqsService({ db: store.db, clock });
  const journal = new Journal(store.db, clock);
  svc.messages.journal = journal;
  const call = async (action: string, input: Record<string, unknown>) => (await svc.request(action, input, ctx)) as Record<string, unknown>;
  /** The message's events, oldest first. */
  const hops = (id: string): JournalEvent[] => journal.since(0, 10_000, { id });
  return { svc, journal, call, hops };
}

type Msg = { MessageId: string; ReceiptHandle: string };
const receive = async (call: (a: string, i: Record<string, unknown>) => Promise<Record<string, unknown>>, queue: string, visibility: number) =>
  ((await call('ReceiveMessage', { QueueUrl: queue, MaxNumberOfMessages: 10, VisibilityTimeout: visibility })).Messages as Msg[] | undefined) ?? [];

/** Each event's cause is the one before it, the first has none; the types in order. */
function chained(events: JournalEvent[], types: string[]): void {
  assert.deepEqual(events.map((e) => e.type), types);
  events.forEach((e, k) => assert.equal(e.cause, k === 0 ? undefined : events[k - 1]!.seq, `cause of ${e.type} (#${k})`));
}

test('every hop of a message is caused by its previous one: receives, a visibility change, an expiry, a delete, a move to the DLQ and a receive there', async () => {
  const store = openStore({ inMemory: true });
  const clock = new FakeClock(1_000_000);
  try {
    const { call, hops } = emulator(store, clock);
    await call('CreateQueue', { QueueName: 'dlq' });
    await call('CreateQueue', { QueueName: 'src', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${ARN}:dlq`, maxReceiveCount: 3 }) } });
    const batch = (await call('SendMessageBatch', { QueueUrl: 'src', Entries: [{ Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'two' }] })).Successful as Array<{ MessageId: string }>;
    const [one, two] = batch.map((m) => m.MessageId) as [string, string];

    // One receive of both; `two` is deleted at once, `one` made visible again with ChangeMessageVisibility 0.
    let got = await receive(call, 'src', 30);
    assert.equal(got.length, 2);
    await call('DeleteMessageBatch', { QueueUrl: 'src', Entries: [{ Id: 'x', ReceiptHandle: got.find((m) => m.MessageId === two)!.ReceiptHandle }] });
    chained(hops(two), ['sqs.sent', 'sqs.received', 'sqs.deleted']);
    await call('ChangeMessageVisibility', { QueueUrl: 'src', ReceiptHandle: got.find((m) => m.MessageId === one)!.ReceiptHandle, VisibilityTimeout: 0 });
    // Received again (no expiry: it was made visible), then left to expire, then received a third time.
    got = await receive(call, 'src', 1);
    assert.deepEqual(got.map((m) => m.MessageId), [one]);
    clock.advance(1_001);
    got = await receive(call, 'src', 1);
    assert.deepEqual(got.map((m) => m.MessageId), [one]);
    // It expires again: the fourth receive moves it to the DLQ (maxReceiveCount 3), where it is received and deleted.
    clock.advance(1_001);
    assert.deepEqual(await receive(call, 'src', 1), []);
    got = await receive(call, 'dlq', 30);
    assert.deepEqual(got.map((m) => m.MessageId), [one]);
    await call('DeleteMessage', { QueueUrl: 'dlq', ReceiptHandle: got[0]!.ReceiptHandle });
    chained(hops(one), [
      'sqs.sent', 'sqs.received', 'sqs.visibility-changed', 'sqs.received', 'sqs.visibility-expired', 'sqs.received',
      'sqs.visibility-expired', 'sqs.dead-lettered', 'sqs.received', 'sqs.deleted',
    ]);
  } finally {
    store.close();
  }
});

test('after a restart the rows still name the causes; a row stored before rows kept them (jseq NULL) is looked up by id; after clear() a kept hop names nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-sqs-hops-'));
  try {
    const clock = new FakeClock(2_000_000);
    let store = openStore({ stateDir: dir });
    let e = emulator(store, clock);
    await e.call('CreateQueue', { QueueName: 'q' });
    const sent = await Promise.all(['a', 'b', 'c'].map(async (body) => (await e.call('SendMessage', { QueueUrl: 'q', MessageBody: body })).MessageId as string));
    e.journal.flush();
    store.close();

    store = openStore({ stateDir: dir });
    e = emulator(store, clock);
    // `b` as a row from before migration 18: no kept hop.
    store.db.prepare('UPDATE sqs_messages SET jseq = NULL WHERE id = ?').run(sent[1]);
    const got = await receive(e.call, 'q', 30);
    assert.equal(got.length, 3);
    for (const id of sent) chained(e.hops(id), ['sqs.sent', 'sqs.received']);
    // The receive wrote each row's hop, `b`'s too: its delete needs no lookup.
    const kept = store.db.prepare('SELECT id, jseq FROM sqs_messages').all() as Array<{ id: string; jseq: number | null }>;
    for (const r of kept) assert.equal(r.jseq, e.hops(r.id).at(-1)!.seq, r.id);
    await e.call('DeleteMessage', { QueueUrl: 'q', ReceiptHandle: got.find((m) => m.MessageId === sent[1])!.ReceiptHandle });
    chained(e.hops(sent[1]!), ['sqs.sent', 'sqs.received', 'sqs.deleted']);

    // svl/testing's reset drops the journal: `a`'s row still keeps a seq, which names no event now.
    e.journal.clear();
    await e.call('DeleteMessage', { QueueUrl: 'q', ReceiptHandle: got.find((m) => m.MessageId === sent[0])!.ReceiptHandle });
    chained(e.hops(sent[0]!), ['sqs.deleted']);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
