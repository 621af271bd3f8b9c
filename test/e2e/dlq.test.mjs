// `svl dlq ls|peek|redrive|purge|cancel` end to end against an in-process emulator (fake clock; native
// move tasks run while the test advances it). Dead letters are made the way SQS makes them (a receive
// past maxReceiveCount), so they carry DeadLetterQueueSourceArn. Redrives are checked from the outside:
// bodies, attributes, FIFO order, the journal, and what is left in the DLQ.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, snsClient } from '../helpers/emulator.mjs';
import { inTerminal, localEnv, NO_STACK, svl } from '../helpers/cli.mjs';
import { ndjson, peek, spawnSvl } from '../helpers/spawn.mjs';

const Q = 'arn:aws:sqs:us-east-1:000000000000:';
let emu;
let clock;
let url;
let sqs;
let dir;
let n = 0;
const run = (args, opts = {}) => svl([...args, '--local'], { env: localEnv(url), cwd: dir, ...opts });
const start = (args) => spawnSvl([...args, '--local'], { env: localEnv(url), cwd: dir, timeoutMs: 60_000 });

/** Native move tasks advance on the emulator's clock: keep it moving while `fn` runs. */
async function withTicking(fn) {
  const timer = setInterval(() => clock.advance(1000), 5);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/** A source queue (maxReceiveCount 1) and its DLQ; FIFO when `fifo`. */
async function pair({ fifo = false } = {}) {
  const name = `src${++n}`;
  const sfx = fifo ? '.fifo' : '';
  const fifoAttrs = fifo ? { FifoQueue: 'true' } : {};
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq${sfx}`, Attributes: fifoAttrs }))).QueueUrl;
  const srcUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}${sfx}`, Attributes: { ...fifoAttrs, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `${Q}${name}-dlq${sfx}`, maxReceiveCount: 1 }) } }))).QueueUrl;
  return { name: `${name}${sfx}`, dlq: `${name}-dlq${sfx}`, srcUrl, dlqUrl, fifo };
}

const body = (i) => JSON.stringify({ i, tier: i % 2 ? 'gold' : 'silver', customer: { id: i % 7 } });
const attrs = (i) => ({ seq: { DataType: 'Number', StringValue: String(i) }, kind: { DataType: 'String', StringValue: `k${i % 3}` }, blob: { DataType: 'Binary', BinaryValue: Buffer.from([i % 256]) } });

/** Sends `count` messages to the source, then dead-letters them (a second receive past maxReceiveCount 1). */
async function fill(p, count, { groups = 3 } = {}) {
  for (let i = 0; i < count; i += 10) {
    const Entries = Array.from({ length: Math.min(10, count - i) }, (_, j) => ({
      Id: `e${j}`,
      MessageBody: body(i + j),
      MessageAttributes: attrs(i + j),
      ...(p.fifo && { MessageGroupId: `g${(i + j) % groups}`, MessageDeduplicationId: `d${i + j}` }),
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: p.srcUrl, Entries }));
  }
  for (let pass = 0; pass < 2 * count; pass++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: p.srcUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    if (!r.Messages?.length && (await peek(url, p.name)).length === 0) break;
  }
  const dead = await peek(url, p.dlq);
  assert.equal(dead.length, count, 'every message is a dead letter');
  return dead;
}

/** Every message of a queue with its attributes, from the side-effect-free peek. */
const contents = async (queue) =>
  (await peek(url, queue)).map((m) => ({ id: m.MessageId, body: JSON.parse(m.Body), attrs: m.MessageAttributes ?? {}, group: m.Attributes.MessageGroupId, count: m.Attributes.ApproximateReceiveCount }));

before(async () => {
  ({ emu, clock, url } = await startTestEmulator());
  sqs = await sqsClient(url);
  dir = mkdtempSync(join(tmpdir(), 'svl-dlq-'));
});

after(async () => {
  sqs.destroy();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

test('dlq ls and peek: depth, oldest, sources; decoded messages without any receive', async () => {
  const p = await pair();
  const dead = await fill(p, 25);
  const ls = await run(['dlq', 'ls', '--json']);
  assert.equal(ls.code, 0, ls.stderr);
  const row = JSON.parse(ls.stdout).dlqs.find((d) => d.name === p.dlq);
  assert.deepEqual([row.messages, row.sources, row.moveTask], [25, [p.name], null]);
  assert.equal(typeof row.oldestMessageAgeSeconds, 'number');
  const human = await run(['dlq', 'ls']);
  assert.match(human.stdout, new RegExp(`│ ${p.dlq}\\s+│ 25\\s+│`));
  assert.match(human.stderr, /svl dlq peek/);

  const r = await run(['dlq', 'peek', p.dlq, '--max', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.total, out.messages.length, out.via, out.sources[0].name], [25, 3, 'peek', p.name]);
  assert.deepEqual(out.messages[0].body, { i: 0, tier: 'silver', customer: { id: 0 } });
  assert.equal(out.messages[0].deadLetterSourceArn, Q + p.name);
  assert.equal(out.messages[0].attributes.kind, 'k0');
  const picked = await run(['dlq', 'peek', p.dlq, '--match', 'customer.id=3', '--json']);
  assert.deepEqual(JSON.parse(picked.stdout).messages.map((m) => m.body.i), [3, 10, 17, 24]);
  const text = await run(['dlq', 'peek', p.dlq, '--max', '1']);
  assert.match(text.stdout, new RegExp(`^${p.dlq}: 25 messages, showing 1 \\(dead letters of ${p.name}\\)`));
  assert.match(text.stdout, new RegExp(`dead-lettered from ${p.name}`));
  assert.deepEqual((await peek(url, p.dlq)).map((m) => m.Attributes.ApproximateReceiveCount), dead.map((m) => m.Attributes.ApproximateReceiveCount), 'peeking changed no receive count');
});

test('native redrive: 1,000 dead letters back in their source, bodies and attributes intact, DLQ empty', async () => {
  const p = await pair();
  const dead = await fill(p, 1000);
  const r = await withTicking(() => run(['dlq', 'redrive', p.dlq, '--yes', '--json']));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.mode, out.status, out.moved, out.outcome], ['native', 'COMPLETED', 1000, 'finished']);
  assert.deepEqual(await peek(url, p.dlq), []);
  const back = await contents(p.name);
  assert.equal(back.length, 1000);
  const sent = new Map(dead.map((m) => [m.MessageId, m]));
  for (const m of back) {
    const orig = sent.get(m.id);
    assert.ok(orig, 'a move task keeps the message id');
    assert.deepEqual(m.body, JSON.parse(orig.Body));
    assert.deepEqual(m.attrs, orig.MessageAttributes);
  }
});

test('client-side redrive: 1,000 back with bodies, attributes and stamps; every move journaled; DLQ empty', async () => {
  const p = await pair();
  const dead = await fill(p, 1000);
  const journal = join(dir, 'client.ndjson');
  const r = await run(['dlq', 'redrive', p.dlq, '--client-side', '--journal', journal, '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.mode, out.moved, out.failed, out.skipped, out.interrupted], ['client', 1000, 0, { notMatching: 0, beyondMax: 0, groupOrder: 0 }, false]);
  assert.deepEqual(out.destinations, { [p.name]: 1000 });
  assert.deepEqual(await peek(url, p.dlq), []);
  const back = await contents(p.name);
  assert.equal(back.length, 1000);
  const orig = new Map(dead.map((m) => [m.MessageId, m]));
  for (const m of back) {
    const o = orig.get(m.attrs['svl.original-message-id'].StringValue);
    assert.ok(o, 'stamped with the original message id');
    assert.deepEqual(m.body, JSON.parse(o.Body));
    assert.equal(m.attrs['svl.redriven-from'].StringValue, Q + p.dlq);
    const { 'svl.original-message-id': _a, 'svl.redriven-from': _b, ...kept } = m.attrs;
    assert.deepEqual(kept, o.MessageAttributes, 'every original attribute kept (Number, String, Binary)');
    assert.equal(m.count, '0');
  }
  assert.equal(new Set(back.map((m) => m.attrs['svl.original-message-id'].StringValue)).size, 1000, 'no duplicates');
  const lines = ndjson(readFileSync(journal, 'utf8'));
  assert.equal(lines[0].type, 'start');
  assert.equal(lines.filter((l) => l.type === 'moved').length, 1000);
  assert.equal(lines.filter((l) => l.type === 'deleted').flatMap((l) => l.ids).length, 1000);
  assert.deepEqual(lines.at(-1).type, 'end');
  assert.equal(lines.at(-1).interrupted, false);

  // The journal of a finished redrive: resuming it says so, exit 0, moves nothing, writes nothing.
  const size = readFileSync(journal, 'utf8').length;
  const again = await run(['dlq', 'redrive', '--resume', journal, '--yes']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `The redrive in ${journal} had already finished (1,000 messages moved from ${p.dlq}); nothing to do.\n`);
  const json = JSON.parse((await run(['dlq', 'redrive', '--resume', journal, '--json'])).stdout);
  assert.deepEqual([json.mode, json.resumed, json.alreadyFinished, json.done, json.moved, json.movedInAll], ['client', true, true, true, 0, 1000]);
  assert.equal(readFileSync(journal, 'utf8').length, size, 'the journal is unchanged');
  assert.equal((await peek(url, p.name)).length, 1000, 'nothing moved again');
});

test('FIFO pair: client-side (pipelined: several batches in flight per worker) and native redrives keep every group in order', async () => {
  for (const [mode, env] of [[['--client-side'], {}], [['--client-side', '--workers', '8'], {}], [[], {}]]) {
    const p = await pair({ fifo: true });
    await fill(p, 300, { groups: 3 });
    const r = await withTicking(() => run(['dlq', 'redrive', p.dlq, ...mode, '--yes', '--json'], { env: { ...localEnv(url), ...env } }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).moved, 300);
    assert.deepEqual(await peek(url, p.dlq), []);
    const back = await contents(p.name);
    assert.equal(back.length, 300);
    for (const g of ['g0', 'g1', 'g2']) {
      const order = back.filter((m) => m.group === g).map((m) => m.body.i);
      assert.equal(order.length, 100);
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `${mode.join(' ') || 'native'}: group ${g} in order`);
    }
  }
});

test('--match moves only matching messages and --max caps the move; the rest stay visible in the DLQ', async () => {
  const p = await pair();
  await fill(p, 100);
  const gold = await run(['dlq', 'redrive', p.dlq, '--match', 'tier=gold', '--match', 'attr.kind=k1', '--yes', '--json']);
  assert.equal(gold.code, 0, gold.stderr);
  const out = JSON.parse(gold.stdout);
  const want = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 2 === 1 && i % 3 === 1);
  assert.equal(out.moved, want.length);
  assert.equal(out.skipped.notMatching, 100 - want.length);
  assert.deepEqual((await contents(p.name)).map((m) => m.body.i).sort((a, b) => a - b), want);
  const left = await peek(url, p.dlq);
  assert.equal(left.length, 100 - want.length);
  assert.ok(left.every((m) => m.State === 'visible'), 'skipped messages were released');

  const capped = await run(['dlq', 'redrive', p.dlq, '--max', '7', '--yes', '--json']);
  assert.equal(JSON.parse(capped.stdout).moved, 7);
  assert.equal((await peek(url, p.dlq)).length, 100 - want.length - 7);
  const text = await run(['dlq', 'redrive', p.dlq, '--max', '3', '--match', 'tier=silver', '--yes']);
  assert.match(text.stdout, new RegExp(`^Moved 3 messages from ${p.dlq} to ${p.name} in [\\d.]+s`));
  assert.match(text.stdout, /moved 3 · skipped \d+ · failed 0/);
  assert.match(text.stdout, new RegExp(`journal: ${dir}/svl-redrive-${p.dlq}-\\d{8}T\\d{6}Z(-\\d+)?\\.ndjson`));
});

test('--dry-run lists what would move and moves nothing', async () => {
  const p = await pair();
  await fill(p, 20);
  const r = await run(['dlq', 'redrive', p.dlq, '--dry-run', '--match', 'tier=gold', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.mode, out.strategy, out.total, out.wouldMove], ['dry-run', 'client', 20, 10]);
  assert.deepEqual(out.messages.map((m) => m.to), Array(10).fill(p.name));
  const native = JSON.parse((await run(['dlq', 'redrive', p.dlq, '--dry-run', '--json'])).stdout);
  assert.deepEqual([native.strategy, native.wouldMove], ['native', 20]);
  const text = await run(['dlq', 'redrive', p.dlq, '--dry-run', '--max', '2']);
  assert.match(text.stdout, new RegExp(`Dry run: 2 messages of 20 in ${p.dlq} would move to ${p.name} \\(client-side\\); nothing moved`));
  assert.equal((await peek(url, p.dlq)).length, 20);
  assert.equal((await peek(url, p.name)).length, 0);
});

/** Ids in the journal's lines of `type`. */
const journalIds = (text, type) => ndjson(text.split('\n').slice(0, -1).join('\n')).filter((l) => l.type === type).flatMap((l) => (type === 'moved' ? [l.id] : l.ids));

/**
 * Starts a client-side redrive and SIGKILLs it once its journal shows `moved` moves and, at that same
 * moment, messages it had received but not sent (the pipeline's batches waiting on --rate).
 */
async function killWithReceivedNotSent(p, journal, moved) {
  // --rate keeps sends behind the receives: each worker's batches wait their turn to be sent.
  const job = start(['dlq', 'redrive', p.dlq, '--client-side', '--workers', '8', '--rate', '400', '--journal', journal, '--yes']);
  let held = [];
  for (let i = 0; i < 2000; i++) {
    const text = readFileSafe(journal);
    const sent = new Set(journalIds(text, 'moved'));
    held = journalIds(text, 'received').filter((id) => !sent.has(id));
    if (sent.size >= moved && held.length > 0) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const killed = await job.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  // What the file says now (the process may have written more after the last look).
  const text = readFileSync(journal, 'utf8');
  const sent = new Set(journalIds(text, 'moved'));
  held = journalIds(text, 'received').filter((id) => !sent.has(id));
  assert.ok(sent.size >= moved && held.length > 0, `killed with ${sent.size} moved and ${held.length} received but not sent`);
  return held;
}

/** 4 batches in flight per worker, 10 messages each: the most a kill can make the resume send twice. */
const DUPLICATE_BOUND = 4 * 8 * 10;

/** Every dead letter is in the destination, the DLQ is empty, and duplicates stay within the bound. */
async function assertAllMoved(p, dead) {
  assert.deepEqual(await peek(url, p.dlq), [], 'the DLQ is empty');
  const back = await contents(p.name);
  const ids = back.map((m) => m.attrs['svl.original-message-id'].StringValue);
  assert.deepEqual(new Set(ids), new Set(dead.map((m) => m.MessageId)), 'every dead letter is back');
  const duplicates = back.length - dead.length;
  assert.ok(duplicates >= 0 && duplicates <= DUPLICATE_BOUND, `duplicates within the batches in flight (got ${duplicates})`);
}

test('SIGKILL with batches received but not sent, then --resume once they are visible again: done, every message moved, DLQ empty', async () => {
  const p = await pair();
  const dead = await fill(p, 1000);
  const journal = join(dir, 'killed.ndjson');
  await killWithReceivedNotSent(p, journal, 300);
  const before = await peek(url, p.name);
  assert.ok(before.length > 0 && before.length < 1000, `killed halfway (${before.length} moved)`);
  clock.advance(120_000); // what the killed run held invisible comes back

  const r = await run(['dlq', 'redrive', '--resume', journal, '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.resumed, out.done, out.movedInAll, out.total, out.unseen.notMoved], [true, true, 1000, 1000, []]);
  // Moved, and deleted by the killed run after its last journal line: its deletes in flight.
  assert.ok(out.unseen.moved <= DUPLICATE_BOUND);
  await assertAllMoved(p, dead);
  const lines = ndjson(readFileSync(journal, 'utf8'));
  assert.ok(lines.some((l) => l.type === 'resume'));
  assert.equal(new Set(lines.filter((l) => l.type === 'moved').map((l) => l.id)).size, 1000, 'the journal accounts for every message');
  // Deleted by the killed run after its last journal line: the result counts them.
  assert.equal(new Set(lines.filter((l) => l.type === 'deleted').flatMap((l) => l.ids)).size + out.unseen.moved, 1000);
});

test('SIGKILL, then --resume while the killed run\'s messages are still invisible: the resume waits for them, then is done', async () => {
  const p = await pair();
  const dead = await fill(p, 400);
  const journal = join(dir, 'killed-invisible.ndjson');
  const held = await killWithReceivedNotSent(p, journal, 50);
  const dlq = await peek(url, p.dlq);
  assert.ok(held.every((id) => dlq.find((m) => m.MessageId === id)?.State === 'inflight'), 'the killed run\'s received messages are still invisible');

  const job = start(['dlq', 'redrive', '--resume', journal, '--yes', '--json']);
  await job.waitFor(/Waiting for \d+ message\(s\) the interrupted run still held/);
  assert.equal(job.child.exitCode, null, 'not done while they are invisible');
  clock.advance(120_000); // their visibility timeout ends
  const r = await job.done;
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.done, out.movedInAll, out.total, out.unseen.notMoved], [true, 400, 400, []]);
  await assertAllMoved(p, dead);
});

test('Ctrl-C winds the mover down: batches in flight finished, "Cancelled: moved N of M", the --resume hint, exit 130; the resume finishes the job', async () => {
  const p = await pair();
  await fill(p, 300);
  const journal = join(dir, 'cancelled.ndjson');
  const job = start(['dlq', 'redrive', p.dlq, '--client-side', '--rate', '100', '--journal', journal, '--yes', '--json']);
  await job.waitFor(/Journal:/);
  for (let i = 0; i < 1000 && journalIds(readFileSafe(journal), 'moved').length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  const r = await job.kill('SIGINT');
  assert.equal(r.code, 130, r.stderr);
  const partial = JSON.parse(r.stdout);
  assert.deepEqual([partial.mode, partial.interrupted, partial.done], ['client', true, false]);
  assert.ok(partial.moved > 0 && partial.moved < 300);
  const { error } = JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('{')));
  assert.deepEqual(error, {
    code: 'Cancelled',
    message: `Cancelled: moved ${partial.moved} of 300 messages`,
    hint: `continue with: svl dlq redrive --resume ${journal} --local`,
    requestId: null,
    exitCode: 130,
  });
  const lines = ndjson(readFileSync(journal, 'utf8'));
  assert.equal(lines.at(-1).type, 'end');
  assert.equal(lines.at(-1).interrupted, true);
  const moved = new Set(lines.filter((l) => l.type === 'moved').map((l) => l.id));
  assert.equal(new Set(lines.filter((l) => l.type === 'deleted').flatMap((l) => l.ids)).size, moved.size, 'every batch sent was also deleted');
  assert.equal((await peek(url, p.name)).length, moved.size);
  assert.ok((await peek(url, p.dlq)).every((m) => m.State === 'visible'), 'nothing left held invisible');
  const resumed = await run(['dlq', 'redrive', '--resume', journal, '--yes', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).done, true);
  assert.deepEqual(await peek(url, p.dlq), []);
  assert.equal((await peek(url, p.name)).length, 300);
});

test('SIGTERM (kill, a container stopping) stops the mover like Ctrl-C: cancelled with what moved and the resume command, exit 130', async () => {
  const p = await pair();
  await fill(p, 100);
  const journal = join(dir, 'terminated.ndjson');
  const job = start(['dlq', 'redrive', p.dlq, '--client-side', '--rate', '50', '--journal', journal, '--yes']);
  await job.waitFor(/Journal:/);
  for (let i = 0; i < 1000 && journalIds(readFileSafe(journal), 'moved').length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  const r = await job.kill('SIGTERM');
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, '');
  const moved = new Set(journalIds(readFileSync(journal, 'utf8'), 'moved'));
  assert.match(r.stderr, new RegExp(`Error: Cancelled: moved ${moved.size} of 100 messages\\nHint: continue with: svl dlq redrive --resume ${journal} --local`));
  assert.doesNotMatch(r.stderr, NO_STACK);
  assert.equal((await peek(url, p.name)).length, moved.size, 'what the journal says moved is what moved');
  assert.ok((await peek(url, p.dlq)).every((m) => m.State === 'visible'), 'nothing left held invisible');
});

test('a 1 MiB dead letter (body + attributes = 1,048,576 bytes) moves client-side without the stamps, and the result says so', async () => {
  const p = await pair();
  const attrs = { kind: { DataType: 'String', StringValue: 'huge' }, seq: { DataType: 'Number', StringValue: '1' } };
  const attrBytes = Object.entries(attrs).reduce((n, [k, a]) => n + k.length + a.DataType.length + a.StringValue.length, 0);
  const big = 'x'.repeat(1_048_576 - attrBytes);
  await sqs.send(new SendMessageCommand({ QueueUrl: p.srcUrl, MessageBody: big, MessageAttributes: attrs }));
  await sqs.send(new SendMessageCommand({ QueueUrl: p.srcUrl, MessageBody: 'small' }));
  for (let i = 0; i < 4 && (await peek(url, p.dlq)).length < 2; i++) await sqs.send(new ReceiveMessageCommand({ QueueUrl: p.srcUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
  assert.equal((await peek(url, p.dlq)).length, 2);
  const journal = join(dir, 'big.ndjson');
  const r = await run(['dlq', 'redrive', p.dlq, '--client-side', '--journal', journal, '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Moved 2 messages from /);
  assert.match(r.stdout, /1 message too close to the 1 MiB limit for the svl\.\* stamps: moved without them/);
  assert.deepEqual(await peek(url, p.dlq), []);
  const back = await peek(url, p.name);
  const moved = back.find((m) => m.Body.length === big.length);
  assert.equal(moved.Body, big);
  assert.deepEqual(moved.MessageAttributes, attrs, 'moved as it was dead-lettered: no stamps');
  assert.equal(back.find((m) => m.Body === 'small').MessageAttributes['svl.redriven-from'].StringValue, Q + p.dlq, 'the small one is stamped');
  const json = JSON.parse((await run(['dlq', 'redrive', '--resume', journal, '--json'])).stdout);
  assert.deepEqual([json.alreadyFinished, json.moved], [true, 0]);
});

test('a subscription DLQ needs --to (client-side); dlq ls names the topic', async () => {
  const sns = await snsClient(url);
  const topic = `t${++n}`;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topic }));
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${topic}-sub-dlq` }))).QueueUrl;
  const target = (await sqs.send(new CreateQueueCommand({ QueueName: `${topic}-replay` }))).QueueUrl;
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Q + `${topic}-replay`, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Q + `${topic}-sub-dlq` }) } }));
  sns.destroy();
  await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: '{"undelivered":1}' }));
  const ls = JSON.parse((await run(['dlq', 'ls', '--json'])).stdout).dlqs.find((d) => d.name === `${topic}-sub-dlq`);
  assert.deepEqual(ls.sources, [`${topic} (subscription)`]);
  const noTo = await run(['dlq', 'redrive', `${topic}-sub-dlq`, '--yes']);
  assert.equal(noTo.code, 2);
  assert.match(noTo.stderr, /holds dead letters of SNS subscriptions: they have no source queue to return to/);
  const r = await run(['dlq', 'redrive', `${topic}-sub-dlq`, '--to', `${topic}-replay`, '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([JSON.parse(r.stdout).mode, JSON.parse(r.stdout).moved], ['client', 1]);
  assert.match(r.stderr, /Moving client-side: .* DLQ of SNS subscriptions/);
  assert.equal((await peek(url, `${topic}-replay`)).length, 1);
  void target;
});

test('--no-wait starts a move task that dlq ls shows and dlq cancel stops', async () => {
  const p = await pair();
  await fill(p, 50);
  const started = await run(['dlq', 'redrive', p.dlq, '--rate', '1', '--no-wait', '--yes', '--json']);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(JSON.parse(started.stdout).outcome, 'not-waited');
  clock.advance(3000);
  const row = JSON.parse((await run(['dlq', 'ls', '--json'])).stdout).dlqs.find((d) => d.name === p.dlq);
  assert.equal(row.moveTask.status, 'RUNNING');
  const again = await run(['dlq', 'redrive', p.dlq, '--yes']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /A move task is already running on .* \(\d+\/50 moved\)/);
  const cancel = await run(['dlq', 'cancel', p.dlq, '--json']);
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.ok(JSON.parse(cancel.stdout).moved >= 1);
  const none = await run(['dlq', 'cancel', p.dlq]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /No move task is running on .* \(the last one is CANCELLED\)/);
});

test('Ctrl-C while following a native move task: nobody to ask, so the task keeps running; exit 130 with the next steps', async () => {
  const p = await pair();
  await fill(p, 20);
  const job = start(['dlq', 'redrive', p.dlq, '--rate', '1', '--yes']);
  const { ListMessageMoveTasksCommand } = await import('@aws-sdk/client-sqs');
  const task = async () => (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: Q + p.dlq }))).Results?.[0];
  for (let i = 0; i < 500 && (await task())?.Status !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 10));
  const r = await job.kill('SIGINT');
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`Cancelled: stopped following the move task ${p.dlq} → ${p.name} at \\d+/20 moved; it keeps running on the server`));
  assert.match(r.stderr, new RegExp(`Hint: follow it with \`svl dlq ls --local\`; cancel it with \`svl dlq cancel ${p.dlq} --local\``));
  assert.equal((await task()).Status, 'RUNNING', 'the task was not cancelled');
  const cancel = await run(['dlq', 'cancel', p.dlq]);
  assert.match(cancel.stdout, new RegExp(`^Cancelled the move task on ${p.dlq}`));
});

test('dlq purge: refused without --yes when not interactive; purges with it', async () => {
  const p = await pair();
  await fill(p, 5);
  const refused = await run(['dlq', 'purge', p.dlq]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /Refusing to purge .* without --yes/);
  assert.equal((await peek(url, p.dlq)).length, 5);
  const r = await run(['dlq', 'purge', p.dlq, '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { dlq: p.dlq, purged: 5 });
  assert.deepEqual(await peek(url, p.dlq), []);
  await sqs.send(new PurgeQueueCommand({ QueueUrl: p.srcUrl })).catch(() => undefined);
});

test('bad input: unknown queue, not a DLQ, wrong destination type, bad --match, bad flags: exit 2 and nothing moved', async () => {
  const p = await pair();
  await fill(p, 10);
  const fifo = await pair({ fifo: true });
  const stale = join(dir, 'exists.ndjson');
  writeFileSync(stale, '');
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'orders to replay on Monday\n');
  const other = join(dir, 'other.ndjson');
  writeFileSync(other, '{"level":"info","msg":"hello"}\n');
  const cases = [
    [['dlq', 'redrive', p.name, '--yes'], new RegExp(`"${p.name}" is not a dead-letter queue[^\\n]*\\nHint: Its dead-letter queue is ${p.dlq}: svl dlq redrive ${p.dlq} --local`)],
    [['dlq', 'redrive', p.dlq, '--to', fifo.name, '--yes'], new RegExp(`--to ${fifo.name} is a FIFO queue but ${p.dlq} is standard`)],
    [['dlq', 'redrive', fifo.dlq, '--to', p.name, '--yes'], /is a standard queue but .* is FIFO/],
    [['dlq', 'redrive', p.dlq, '--to', p.dlq, '--yes'], /is the dead-letter queue itself/],
    [['dlq', 'redrive', p.dlq, '--match', 'tier', '--yes'], /--match "tier": expected path=value/],
    [['dlq', 'redrive', p.dlq, '--match', 'a..b=1', '--yes'], /empty or invalid segment/],
    [['dlq', 'redrive', p.dlq, '--rate', '0', '--yes'], /--rate must be a whole number/],
    [['dlq', 'redrive', p.dlq, '--rate', '900', '--yes'], /at most 500 messages per second/],
    [['dlq', 'redrive', p.dlq, '--workers', '99', '--yes'], /--workers must be a whole number from 1 to 32/],
    [['dlq', 'redrive', p.dlq, '--max', 'all', '--yes'], /--max must be a whole number/],
    [['dlq', 'redrive', p.dlq, '--match', 'a=1', '--no-wait', '--yes'], /--no-wait applies to native move tasks/],
    [['dlq', 'redrive', p.dlq, '--journal', stale, '--yes'], /already exists/],
    [['dlq', 'redrive', '--yes'], /Missing the dead-letter queue/],
    [['dlq', 'redrive', '--resume', join(dir, 'missing.ndjson'), '--yes'], /--resume: cannot read/],
    [['dlq', 'redrive', '--resume', stale, '--yes'], /is not a redrive journal \(it is empty\)/],
    [['dlq', 'redrive', '--resume', text, '--yes'], new RegExp(`--resume: ${text} is not a redrive journal \\(line 1 is not JSON\\)\\nHint: Pass the \\.ndjson journal`)],
    [['dlq', 'redrive', '--resume', other, '--yes'], /is not a redrive journal \(it does not start with a redrive "start" line\)/],
    [['dlq', 'redrive', '--journal', stale, p.dlq, '--yes'], new RegExp(`Hint: Continue that redrive with: svl dlq redrive --resume ${stale} --local`)],
    [['dlq', 'redrive', p.dlq, '--yes', '--resume', stale, '--match', 'a=1'], /drop --match/],
    [['dlq', 'redrive', p.dlq], /Refusing to redrive .* without --yes/],
    [['dlq', 'peek', p.name], /is not a dead-letter queue/],
    [['dlq', 'peek', p.dlq, '--max', '0'], /--max must be a whole number from 1 to 10000/],
    [['dlq', 'peek', p.dlq, '--match', 'x'], /--match "x"/],
    [['dlq', 'purge', p.name, '--yes'], /is not a dead-letter queue/],
    [['dlq', 'cancel', p.name], /is not a dead-letter queue/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /Hint: /, `${args.join(' ')} has a hint`);
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.equal(r.stdout, '', args.join(' '));
  }
  // Not found is an operational failure (exit 1) for every command, dlq included.
  for (const [args, re] of [
    [['dlq', 'redrive', 'no-such-dlq', '--yes'], /Queue "no-such-dlq" not found/],
    [['dlq', 'redrive', p.dlq, '--to', 'nowhere', '--yes'], /Queue "nowhere" not found/],
    [['dlq', 'purge', 'no-such-dlq', '--yes'], /not found/],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.match(r.stderr, /Hint: .*svl status --local/, `${args.join(' ')} has a hint`);
  }
  assert.equal((await peek(url, p.dlq)).length, 10, 'nothing moved');
  assert.ok((await peek(url, p.dlq)).every((m) => m.State === 'visible'));
  assert.equal((await peek(url, p.name)).length, 0);
});

/** Runs svl in a pseudo-terminal (prompts shown), typing `steps` ({expect, send}) as a person would. */
const atTerminal = (steps, args) => inTerminal(steps, [...args, '--local'], { cwd: dir, env: localEnv(url) });

test('at a terminal: purge asks for the queue name and does nothing unless it is typed exactly', async () => {
  const p = await pair();
  await fill(p, 3);
  const wrong = await atTerminal([{ expect: 'Type the queue name', send: 'orders\r' }], ['dlq', 'purge', p.dlq]);
  assert.equal(wrong.code, 130, wrong.out);
  assert.match(wrong.out, new RegExp(`"orders" is not ${p.dlq}; nothing purged`));
  assert.equal((await peek(url, p.dlq)).length, 3);
  const right = await atTerminal([{ expect: 'Type the queue name', send: `${p.dlq}\r` }], ['dlq', 'purge', p.dlq]);
  assert.equal(right.code, 0, right.out);
  assert.match(right.out, new RegExp(`Purged ${p.dlq} \\(3 messages\\)`));
  assert.deepEqual(await peek(url, p.dlq), []);
});

test('at a terminal: Ctrl-C while following a move task offers to cancel it', async () => {
  const p = await pair();
  await fill(p, 20);
  const r = await atTerminal(
    [
      { expect: 'Move 20 message\\(s\\) from', send: 'y\r' },
      { expect: 'Yes', send: '\u0003' },
      { expect: 'Cancel the move task too', send: 'y\r' },
    ],
    ['dlq', 'redrive', p.dlq, '--rate', '1'],
  );
  assert.equal(r.code, 130, r.out);
  assert.match(r.out, new RegExp(`Cancelled: cancelled the move task ${p.dlq} → ${p.name} after \\d+ of 20 messages`));
  const { ListMessageMoveTasksCommand } = await import('@aws-sdk/client-sqs');
  const [task] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: Q + p.dlq }))).Results;
  assert.equal(task.Status, 'CANCELLED');
});

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
