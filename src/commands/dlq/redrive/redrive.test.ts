import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../errors.js';
import { dedupIdFor, MAX_MESSAGE_BYTES, outgoing, STAMP_FROM, STAMP_ORIGINAL_ID } from './entries.js';
import { defaultJournalPath, foldJournal, Journal, readJournal } from './journal.js';
import { parseRedrive } from './parse.js';

const DLQ = 'arn:aws:sqs:us-east-1:000000000000:orders-dlq';
const usage = (text: string) => (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message.includes(text);
let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'svl-journal-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('what the mover sends', () => {
  it('keeps body, attributes (binary too) and the trace header, and stamps the original id and the DLQ', () => {
    const o = outgoing(
      {
        MessageId: 'm-1',
        Body: '{"a":1}',
        Attributes: { AWSTraceHeader: 'Root=1-abc', MessageGroupId: 'g1' },
        MessageAttributes: { n: { DataType: 'Number', StringValue: '5', StringListValues: [] }, b: { DataType: 'Binary', BinaryValue: new Uint8Array([7]) } },
      },
      DLQ,
      false,
    );
    assert.equal(o.entry.MessageBody, '{"a":1}');
    assert.deepEqual(o.entry.MessageAttributes, {
      n: { DataType: 'Number', StringValue: '5' },
      b: { DataType: 'Binary', BinaryValue: new Uint8Array([7]) },
      [STAMP_ORIGINAL_ID]: { DataType: 'String', StringValue: 'm-1' },
      [STAMP_FROM]: { DataType: 'String', StringValue: DLQ },
    });
    assert.deepEqual(o.entry.MessageSystemAttributes, { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc' } });
    assert.equal(o.entry.MessageGroupId, undefined, 'no group for a standard destination');
    assert.equal(o.unstamped, null);
    assert.ok(o.bytes > 7);
  });

  it('FIFO: the group is kept and the deduplication id is derived from the DLQ message id, deterministically', () => {
    const o = outgoing({ MessageId: 'm-2', Body: 'x', Attributes: { MessageGroupId: 'g7' } }, DLQ, true);
    assert.equal(o.entry.MessageGroupId, 'g7');
    assert.equal(o.entry.MessageDeduplicationId, dedupIdFor(DLQ, 'm-2'));
    assert.equal(dedupIdFor(DLQ, 'm-2'), dedupIdFor(DLQ, 'm-2'));
    assert.notEqual(dedupIdFor(DLQ, 'm-2'), dedupIdFor(DLQ, 'm-3'));
    assert.match(dedupIdFor(DLQ, 'm-2'), /^[0-9a-f]{64}$/);
  });

  it('a message redriven before keeps its first original id; one with 10 attributes moves unstamped', () => {
    const again = outgoing({ MessageId: 'm-9', Body: 'x', MessageAttributes: { [STAMP_ORIGINAL_ID]: { DataType: 'String', StringValue: 'm-1' } } }, DLQ, false);
    assert.equal(again.entry.MessageAttributes?.[STAMP_ORIGINAL_ID]?.StringValue, 'm-1');
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    const full = outgoing({ MessageId: 'm-10', Body: 'x', MessageAttributes: ten }, DLQ, false);
    assert.equal(Object.keys(full.entry.MessageAttributes ?? {}).length, 10);
    assert.equal(full.unstamped, 'attributes');
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    const one = outgoing({ MessageId: 'm-11', Body: 'x', MessageAttributes: nine }, DLQ, false);
    assert.deepEqual([Object.keys(one.entry.MessageAttributes ?? {}).length, one.entry.MessageAttributes?.[STAMP_ORIGINAL_ID]?.StringValue, one.unstamped], [10, 'm-11', 'attributes'], 'room for the original id only');
  });

  it('stamps never push a message past 1 MiB: a message at the limit moves as it was, counted as unstamped for size', () => {
    const attrs = { kind: { DataType: 'String', StringValue: 'big' } };
    const attrBytes = 'kind'.length + 'String'.length + 'big'.length;
    const full = outgoing({ MessageId: 'm-big', Body: 'x'.repeat(MAX_MESSAGE_BYTES - attrBytes), MessageAttributes: attrs }, DLQ, false);
    assert.equal(full.bytes, MAX_MESSAGE_BYTES);
    assert.equal(full.unstamped, 'size');
    assert.deepEqual(Object.keys(full.entry.MessageAttributes ?? {}), ['kind']);
    const stampBytes = STAMP_ORIGINAL_ID.length + 6 + 'm-ok'.length + STAMP_FROM.length + 6 + DLQ.length;
    const fits = outgoing({ MessageId: 'm-ok', Body: 'x'.repeat(MAX_MESSAGE_BYTES - stampBytes), MessageAttributes: {} }, DLQ, false);
    assert.deepEqual([fits.bytes, fits.unstamped], [MAX_MESSAGE_BYTES, null], 'exactly at the limit with the stamps: stamped');
    const over = outgoing({ MessageId: 'm-ok', Body: 'x'.repeat(MAX_MESSAGE_BYTES - stampBytes + 1), MessageAttributes: {} }, DLQ, false);
    assert.deepEqual([over.bytes, over.unstamped], [MAX_MESSAGE_BYTES - stampBytes + 1, 'size']);
  });
});

describe('the journal', () => {
  it('records start, moved, deleted, failed and end lines that --resume reads back', () => {
    const path = join(dir, 'j1.ndjson');
    const j = Journal.create(path, { dlq: { name: 'orders-dlq', url: 'u', arn: DLQ, fifo: false }, to: null, match: ['type=x'], max: 5 });
    j.moved([{ id: 'a', newId: 'A', to: 'orders' }, { id: 'b', newId: 'B', to: 'orders' }]);
    j.deleted(['a']);
    j.failed('c', 'Boom', 'no');
    j.end({ interrupted: false, moved: 2 });
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.type), ['start', 'moved', 'moved', 'deleted', 'failed', 'end']);
    const s = readJournal(path);
    assert.deepEqual([...s.moved], ['a', 'b']);
    assert.deepEqual([...s.deleted], ['a']);
    assert.equal(s.failed, 1);
    assert.equal(s.finished, false, 'b was sent but its DLQ copy not deleted');
    assert.deepEqual([...s.outstanding.toDelete], ['b']);
    assert.equal(s.start.dlq.arn, DLQ);
    assert.deepEqual(s.start.match, ['type=x']);
    assert.throws(() => Journal.create(path, { dlq: s.start.dlq, to: null, match: [], max: null }), usage('Cannot create the journal'));
  });

  it('tolerates a last line cut by a kill; rejects files that are not journals', () => {
    const path = join(dir, 'j2.ndjson');
    const j = Journal.create(path, { dlq: { name: 'd', url: 'u', arn: DLQ, fifo: false }, to: null, match: [], max: null });
    j.moved([{ id: 'a', newId: 'A', to: 'q' }]);
    appendFileSync(path, '{"type":"moved","id":"b","ne');
    const s = readJournal(path);
    assert.deepEqual([...s.moved], ['a']);
    assert.equal(s.finished, false);
    const again = Journal.append(path);
    again.moved([{ id: 'b', newId: 'B2', to: 'q' }]);
    again.deleted(['a', 'b']);
    again.end({ interrupted: false });
    const resumed = readJournal(path);
    assert.deepEqual([...resumed.moved], ['a', 'b'], 'the cut line is skipped, the resumed run read');
    assert.equal(resumed.finished, true);
    const notJournal = join(dir, 'other.ndjson');
    writeFileSync(notJournal, '{"hello":1}\n');
    assert.throws(() => readJournal(notJournal), usage('is not a redrive journal (it does not start with a redrive "start" line)'));
    writeFileSync(notJournal, 'not json\n{"type":"start"}\n{}\n');
    assert.throws(() => readJournal(notJournal), usage('line 1 is not JSON'));
    writeFileSync(notJournal, 'just one line of text\n');
    assert.throws(() => readJournal(notJournal), usage('is not a redrive journal (line 1 is not JSON)'), 'a one-line text file is not mistaken for a cut journal');
    writeFileSync(notJournal, '');
    assert.throws(() => readJournal(notJournal), usage('is not a redrive journal (it is empty)'));
    writeFileSync(notJournal, JSON.stringify({ type: 'start', version: 99, dlq: {} }) + '\n');
    assert.throws(() => readJournal(notJournal), usage('version 99'));
    assert.throws(() => readJournal(join(dir, 'missing.ndjson')), usage('cannot read'));
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    assert.equal(defaultJournalPath('orders-dlq', at, () => false), 'svl-redrive-orders-dlq-20260102T030405Z.ndjson');
    const taken = new Set(['svl-redrive-orders-dlq-20260102T030405Z.ndjson', 'svl-redrive-orders-dlq-20260102T030405Z-2.ndjson']);
    assert.equal(defaultJournalPath('orders-dlq', at, (p) => taken.has(p)), 'svl-redrive-orders-dlq-20260102T030405Z-3.ndjson');
  });
});

describe('what a journal adds up to (foldJournal)', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  it('received and neither moved nor left: to move, waited for until its visibility timeout ends', () => {
    const s = foldJournal([
      { type: 'received', ids: ['a', 'b', 'c', 'd'], until: t(60) },
      { type: 'left', ids: ['d'], why: 'notMatching' },
      { type: 'moved', id: 'a' },
      { type: 'deleted', ids: ['a'] },
      { type: 'moved', id: 'b' },
      { type: 'received', ids: ['e'], until: t(70) },
      { type: 'failed', id: 'e', code: 'X', message: 'x' },
    ]);
    assert.deepEqual([...s.outstanding.toMove], ['c']);
    assert.deepEqual([...s.outstanding.toDelete], ['b']);
    assert.equal(s.outstanding.untilMs, Date.parse(t(60)), 'the failed message is not waited for');
    assert.equal(s.finished, false);
  });

  it('a message left by one run and received again by the next is outstanding again; the latest receive sets the wait', () => {
    const s = foldJournal([
      { type: 'received', ids: ['a'], until: t(60) },
      { type: 'left', ids: ['a'], why: 'groupOrder' },
      { type: 'resume' },
      { type: 'received', ids: ['a'], until: t(200) },
    ]);
    assert.deepEqual([...s.outstanding.toMove], ['a']);
    assert.equal(s.outstanding.untilMs, Date.parse(t(200)));
  });

  it('finished: a clean end with nothing outstanding; an interrupted end, or one with something outstanding, is not', () => {
    const done = [{ type: 'received', ids: ['a'], until: t(60) }, { type: 'moved', id: 'a' }, { type: 'deleted', ids: ['a'] }];
    assert.equal(foldJournal([...done, { type: 'end', interrupted: false }]).finished, true);
    assert.equal(foldJournal([...done, { type: 'end', interrupted: true }]).finished, false);
    assert.equal(foldJournal(done).finished, false, 'killed: no end line');
    assert.equal(foldJournal([...done, { type: 'received', ids: ['b'], until: t(9) }, { type: 'end', interrupted: false }]).finished, false);
    assert.equal(foldJournal([...done, { type: 'end', interrupted: false }, { type: 'resume' }]).finished, false, 'a resume killed right after it started');
    assert.equal(foldJournal([]).outstanding.untilMs, null);
  });
});

describe('parseRedrive', () => {
  it('chooses the client-side mover for flags only it supports', () => {
    assert.equal(parseRedrive('d', {}).clientSide, false);
    assert.equal(parseRedrive('d', { match: ['a=1'] }).clientSide, true);
    assert.equal(parseRedrive('d', { max: '3' }).clientSide, true);
    assert.equal(parseRedrive('d', { clientSide: true }).clientSide, true);
    assert.equal(parseRedrive('d', { workers: '2' }).workers, 2);
    assert.equal(parseRedrive('d', {}).wait, true);
  });

  it('rejects bad flags before any AWS call', () => {
    assert.throws(() => parseRedrive(undefined, {}), usage('Missing the dead-letter queue'));
    assert.throws(() => parseRedrive('d', { rate: '0' }), usage('--rate'));
    assert.throws(() => parseRedrive('d', { rate: '600' }), usage('at most 500'));
    assert.doesNotThrow(() => parseRedrive('d', { rate: '600', clientSide: true }));
    assert.throws(() => parseRedrive('d', { workers: '99' }), usage('--workers'));
    assert.throws(() => parseRedrive('d', { match: ['nope'] }), usage('--match "nope"'));
    assert.throws(() => parseRedrive('d', { max: 'all' }), usage('--max'));
    assert.throws(() => parseRedrive('d', { to: ' ' }), usage('--to'));
    assert.throws(() => parseRedrive('d', { match: ['a=1'], wait: false }), usage('--no-wait'));
  });

  it('--resume takes everything from the journal and refuses flags that would change the redrive', () => {
    const path = join(dir, 'j3.ndjson');
    Journal.create(path, { dlq: { name: 'orders-dlq', url: 'u', arn: DLQ, fifo: false }, to: { name: 'replay', url: 'r', arn: 'arn:aws:sqs:us-east-1:000000000000:replay', fifo: false }, match: ['type=x'], max: 10 }).end({ interrupted: true });
    const o = parseRedrive(undefined, { resume: path, rate: '50' });
    assert.equal(o.dlq, DLQ);
    assert.equal(o.to, 'arn:aws:sqs:us-east-1:000000000000:replay');
    assert.equal(o.max, 10);
    assert.equal(o.rate, 50);
    assert.deepEqual(o.match.map((m) => m.text), ['type=x']);
    assert.equal(o.clientSide, true);
    assert.doesNotThrow(() => parseRedrive('orders-dlq', { resume: path }));
    assert.throws(() => parseRedrive('other-dlq', { resume: path }), usage('not other-dlq'));
    assert.throws(() => parseRedrive(undefined, { resume: path, match: ['a=1'] }), usage('drop --match'));
    assert.throws(() => parseRedrive(undefined, { resume: path, dryRun: true }), usage('--dry-run'));
    assert.throws(() => parseRedrive('d', { journal: path }), usage('already exists'));
    assert.throws(() => parseRedrive('other-dlq', { resume: path }, true), (e: unknown) => e instanceof UsageError && e.hint === `Drop the queue argument: svl dlq redrive --resume ${path} --local`);
    assert.throws(() => parseRedrive('d', { journal: path }, true), (e: unknown) => e instanceof UsageError && (e.hint ?? '').includes(`svl dlq redrive --resume ${path} --local`));
  });
});
