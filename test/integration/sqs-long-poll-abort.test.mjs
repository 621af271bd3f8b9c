// A long poll's end when nobody waits for it any more: the client goes away, or the emulator stops. The
// server makes a request's AbortSignal only when asked for (server.ts `Call`), after the request may
// already be gone; these pin that the poll still ends without receiving, with the real SDK client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs, startLongPoll, SQS, tick } from '../helpers/sqs.mjs';
import { waitIdle } from '../helpers/emulator.mjs';

const LONG_POLL = { timeout: 15_000 };

test('a client that goes away ends its long poll without receiving: a message sent after it stays visible', LONG_POLL, async () => {
  const t = await setupSqs();
  try {
    const url = await t.createQueue(t.name('gone'));
    const ac = new AbortController();
    const before = t.clock.pendingTimers();
    const poll = t.sqs.send(new SQS.ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), { abortSignal: ac.signal });
    poll.catch(() => {});
    for (let i = 0; i < 200 && t.clock.pendingTimers() <= before; i++) await tick(5);
    assert.ok(t.clock.pendingTimers() > before, 'the long poll never reached the emulator');
    ac.abort();
    await assert.rejects(poll);
    // The server sees the connection close a little after the client drops it.
    for (let i = 0; i < 200 && t.clock.pendingTimers() > before; i++) await tick(5);
    assert.equal(t.clock.pendingTimers(), before, 'the long poll still waits after its client went away');
    await t.call('SendMessage', { QueueUrl: url, MessageBody: 'after' });
    await waitIdle(t.url);
    const a = await t.attrs(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    assert.deepEqual([a.ApproximateNumberOfMessages, a.ApproximateNumberOfMessagesNotVisible], ['1', '0']);
  } finally {
    await t.close();
  }
});

test('stopping the emulator ends a long poll in progress (close() does not wait out WaitTimeSeconds)', LONG_POLL, async () => {
  const t = await setupSqs();
  const url = await t.createQueue(t.name('stop'));
  const { response } = await startLongPoll(t, url, { WaitTimeSeconds: 20 });
  // The fake clock never reaches 20 s: only the abort can end the poll, and close() waits for it.
  await t.emu.close();
  const out = await response.catch((err) => ({ error: err }));
  assert.ok(out.error || out.Messages === undefined, 'the poll ended without messages');
  t.sqs.destroy();
});
