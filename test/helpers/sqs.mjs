// SQS test helpers on top of the emulator harness: one emulator + real SQSClient per test file,
// unique queue names, an error matcher for the JSON protocol's query-compatible errors, and a way
// to know that a long poll has reached the emulator before the fake clock is advanced.
import assert from 'node:assert/strict';
import * as SQS from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, tick } from './emulator.mjs';

export { SQS, tick };

/** Starts an in-memory emulator with a fake clock and an SQS client; `close()` stops both. */
export async function setupSqs() {
  const { emu, clock, url } = await startTestEmulator();
  const sqs = await sqsClient(url);
  let counter = 0;
  return {
    emu,
    clock,
    url,
    sqs,
    /** A queue name unique within this emulator. */
    name: (prefix = 'q') => `${prefix}-${++counter}`,
    /** Sends a command by name: `call('SendMessage', {...})`. */
    call: (op, input) => sqs.send(new SQS[`${op}Command`](input)),
    async createQueue(name, Attributes, extra = {}) {
      const out = await sqs.send(new SQS.CreateQueueCommand({ QueueName: name, Attributes, ...extra }));
      return out.QueueUrl;
    },
    async arnOf(QueueUrl) {
      const out = await sqs.send(new SQS.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      return out.Attributes.QueueArn;
    },
    async attrs(QueueUrl, names = ['All']) {
      const out = await sqs.send(new SQS.GetQueueAttributesCommand({ QueueUrl, AttributeNames: names }));
      return out.Attributes ?? {};
    },
    async receive(QueueUrl, extra = {}) {
      const out = await sqs.send(new SQS.ReceiveMessageCommand({ QueueUrl, ...extra }));
      return out.Messages ?? [];
    },
    async close() {
      sqs.destroy();
      await emu.close();
    },
  };
}

/**
 * Expects an SDK error. `name` is the SDK's error name: the modeled exception class (`QueueDoesNotExist`),
 * or — for errors outside the SQS model — the legacy Query code, because the query-compatible SDK picks
 * the `x-amzn-query-error` code first. `code` is that legacy Query code (`err.Code`), `type` the short
 * name of the JSON `__type`, `status` the HTTP status, `message` the exact text (for AWS-recorded
 * messages) or `includes` a fragment.
 */
export async function expectSqsError(promise, { name, code, type, status = 400, message, includes }) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name}, but the call succeeded`);
  assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
  if (code !== undefined) assert.equal(err.Code, code, `query code for ${name}`);
  if (type !== undefined) assert.equal(String(err.__type).split('#').pop(), type, `__type for ${name}`);
  assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status for ${name}`);
  assert.equal(err.$fault, 'client');
  if (message !== undefined) assert.equal(err.message, message);
  if (includes !== undefined) assert.ok(String(err.message).includes(includes), `message "${err.message}" lacks "${includes}"`);
  return err;
}

/** Shorthands for the errors most tests expect. */
export const invalidParameterValue = (extra = {}) => ({
  name: 'InvalidParameterValue',
  code: 'InvalidParameterValue',
  type: 'InvalidParameterValueException',
  ...extra,
});
export const missingParameter = (extra = {}) => ({
  name: 'MissingParameter',
  code: 'MissingParameter',
  type: 'MissingRequiredParameterException',
  ...extra,
});

/**
 * Sends a ReceiveMessage (a long poll) and resolves once the emulator has armed a timer for it, so that
 * a following `clock.advance()` applies to the waiting poll. Resolves to `{ response }`, the pending
 * response promise (wrapped: an async function returning a promise would wait for it).
 */
export async function startLongPoll(t, QueueUrl, extra = {}) {
  const before = t.clock.pendingTimers();
  const pending = t.sqs.send(new SQS.ReceiveMessageCommand({ QueueUrl, ...extra }));
  pending.catch(() => {}); // the caller awaits it; avoid an unhandled rejection in between
  for (let i = 0; i < 200 && t.clock.pendingTimers() <= before; i++) await tick(5);
  assert.ok(t.clock.pendingTimers() > before, 'the long poll never reached the emulator');
  return { response: pending };
}

/** Resolves whether `promise` settles within a few real event-loop turns (it should not, while polling). */
export async function settlesSoon(promise, ms = 50) {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await tick(ms);
  return settled;
}

/**
 * Receives and deletes until a receive comes back empty (hiding what it got for 10 minutes, so nothing comes
 * back twice by expiry); returns how often each body was seen. The crash tests' "every acknowledged message
 * exactly once" check.
 */
export async function drainBodies(client, QueueUrl) {
  const seen = new Map();
  for (;;) {
    const r = await client.send(new SQS.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
    const msgs = r.Messages ?? [];
    if (msgs.length === 0) return seen;
    for (const m of msgs) seen.set(m.Body, (seen.get(m.Body) ?? 0) + 1);
    await client.send(new SQS.DeleteMessageBatchCommand({ QueueUrl, Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
  }
}
