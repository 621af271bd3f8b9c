// Helpers for the interop suite (test/interop): widely used packages run unmodified against the emulator.
// An emulator on the system clock (the packages under test use real timers: heartbeats, polling loops),
// a real SQSClient that counts the commands a package sends, the emulator's peek endpoint, and bounded
// polling. Deliberately no fake clock here: these packages cannot be told to use the emulator's clock.
import * as SQS from '@aws-sdk/client-sqs';
import { credentials, startTestEmulator } from './emulator.mjs';

export { SQS };

/** An SQSClient on `url` that records the name of every command it sends (`sent`). */
export function countingSqsClient(url) {
  const client = new SQS.SQSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const sent = [];
  client.middlewareStack.add((next, context) => (args) => {
    sent.push(context.commandName);
    return next(args);
  }, { step: 'initialize', name: 'svlInteropCommandCounter' });
  return { client, sent };
}

/** An emulator on the real clock with a counting SQS client and small queue helpers; `close()` stops both. */
export async function setupInterop() {
  const { emu, url } = await startTestEmulator({ fake: false });
  const { client: sqs, sent } = countingSqsClient(url);
  const call = (op, input) => sqs.send(new SQS[`${op}Command`](input));
  return {
    emu,
    url,
    sqs,
    sent,
    call,
    async createQueue(name, Attributes = {}) {
      return (await call('CreateQueue', { QueueName: name, Attributes })).QueueUrl;
    },
    async arnOf(QueueUrl) {
      return (await call('GetQueueAttributes', { QueueUrl, AttributeNames: ['QueueArn'] })).Attributes.QueueArn;
    },
    /** Every message of queue `name` with its state, WITHOUT receiving it (`GET /_svl/sqs/peek`). */
    async peek(name) {
      const res = await fetch(`${url}/_svl/sqs/peek?queue=${encodeURIComponent(name)}`);
      if (res.status !== 200) throw new Error(`peek ${name}: HTTP ${res.status}`);
      return res.json();
    },
    async close() {
      sqs.destroy();
      await emu.close();
    },
  };
}

/** Polls `fn` (async) until it returns a truthy value; bounded: throws naming `what` after `timeoutMs`. */
export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 20, what = 'the condition' } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
