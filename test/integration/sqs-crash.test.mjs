// Crash safety: send under load from several SDK clients, SIGKILL the emulator process mid-stream,
// restart it on the same state directory, and account for every acknowledged message: each is there
// exactly once. In-flight visibility, delays and FIFO dedup windows survive the restart too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { credentials } from '../helpers/emulator.mjs';
import { drainBodies } from '../helpers/sqs.mjs';
import { bin, freePort, startEmulatorProcess as startProcess, stopEmulatorProcess } from '../helpers/cli.mjs';

const client = (url) => new SQSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });

test('SIGKILL under load loses no acknowledged message and duplicates none', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-crash-'));
  const port = await freePort();
  let { child, url } = await startProcess(stateDir, port);
  t.after(async () => {
    await stopEmulatorProcess(child);
    rmSync(stateDir, { recursive: true, force: true });
  });

  const c = client(url);
  const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'crash' }));
  const { QueueUrl: fifoUrl } = await c.send(
    new CreateQueueCommand({ QueueName: 'crash.fifo', Attributes: { FifoQueue: 'true' } }),
  );
  // State that must survive: a delayed message, an in-flight message, a FIFO dedup entry.
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'delayed', DelaySeconds: 900 }));
  await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'inflight' }));
  const got = await c.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 3600 }));
  assert.equal(got.Messages?.[0]?.Body, 'inflight');
  const first = await c.send(
    new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: 'once', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }),
  );

  // Load: 4 clients sending batches of 10 until the kill; record what was acknowledged.
  const acked = new Set();
  let stop = false;
  let n = 0;
  const workers = Array.from({ length: 4 }, async (_, w) => {
    const wc = client(url);
    while (!stop) {
      const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `w${w}-${n++}` }));
      try {
        const r = await wc.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
        for (const s of r.Successful ?? []) acked.add(entries.find((e) => e.Id === s.Id).MessageBody);
      } catch {
        return; // the process died under this request: not acknowledged
      }
    }
  });
  while (acked.size < 3000) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  await new Promise((r) => child.once('exit', r));
  assert.ok(acked.size >= 3000);

  ({ child, url } = await startProcess(stateDir, port));
  const c2 = client(url);
  const attrs = await c2.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  assert.equal(attrs.Attributes.ApproximateNumberOfMessagesDelayed, '1', 'the delayed message is still delayed');
  assert.equal(attrs.Attributes.ApproximateNumberOfMessagesNotVisible, '1', 'the in-flight message is still in flight');

  // FIFO dedup window survives: the duplicate is accepted with the original id and not enqueued.
  const dup = await c2.send(
    new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: 'once', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }),
  );
  assert.equal(dup.MessageId, first.MessageId);
  const fifoAttrs = await c2.send(new GetQueueAttributesCommand({ QueueUrl: fifoUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  assert.equal(fifoAttrs.Attributes.ApproximateNumberOfMessages, '1');

  // Drain: every acknowledged body exactly once (unacknowledged sends may or may not be there).
  const seen = await drainBodies(c2, QueueUrl);
  const missing = [...acked].filter((b) => !seen.has(b));
  assert.deepEqual(missing, [], `${missing.length} acknowledged messages lost`);
  const doubled = [...seen].filter(([, k]) => k > 1);
  assert.deepEqual(doubled, [], 'no message delivered twice');
  assert.ok(!seen.has('inflight') && !seen.has('delayed'), 'in-flight and delayed messages stayed hidden');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
});

test('a second emulator on the same state directory refuses clearly', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-lock-'));
  const { child } = await startProcess(stateDir, await freePort());
  // The first emulator may still be writing into the directory (its SNS signing key is made after start):
  // it is gone before the directory is removed.
  t.after(async () => {
    await stopEmulatorProcess(child);
    rmSync(stateDir, { recursive: true, force: true });
  });
  const second = spawn(process.execPath, [bin, 'local', 'start', '--port', String(await freePort()), '--state-dir', stateDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let stderr = '';
  second.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => second.once('exit', r));
  assert.equal(code, 2);
  assert.match(stderr, /Another emulator \(pid \d+\) is already using the state directory/);
  assert.match(stderr, /Hint:/);
});
