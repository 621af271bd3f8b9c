// Crash safety of group-committed publishes: publish under load from several SDK clients to a topic with two
// SQS subscribers, SIGKILL the emulator mid-stream, restart it on the same state directory, and account for
// every acknowledged publish: delivered exactly once to each queue. A publish is all or nothing: whatever
// reached one queue (acknowledged or not) reached the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, PublishBatchCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { credentials } from '../helpers/emulator.mjs';
import { freePort, startEmulatorProcess as startProcess, stopEmulatorProcess } from '../helpers/cli.mjs';
import { queueArnOf, snsQueuePolicy } from '../helpers/sns.mjs';

const cfg = (url) => ({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });

test('SIGKILL under publish load loses no acknowledged publish, duplicates none and half-delivers none', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-sns-crash-'));
  const port = await freePort();
  let { child, url } = await startProcess(stateDir, port);
  t.after(async () => {
    await stopEmulatorProcess(child);
    rmSync(stateDir, { recursive: true, force: true });
  });

  const sns = new SNSClient(cfg(url));
  const sqs = new SQSClient(cfg(url));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'crash' }));
  const queues = [];
  for (const name of ['crash-a', 'crash-b']) {
    const arn = queueArnOf(name);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { Policy: snsQueuePolicy(arn, TopicArn) } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn, Attributes: { RawMessageDelivery: 'true' } }));
    queues.push(QueueUrl);
  }

  // Load: 6 clients publishing (every third request a batch of 5) until the kill; record what was acknowledged.
  const acked = new Set();
  let stop = false;
  let n = 0;
  const workers = Array.from({ length: 6 }, async (_, w) => {
    const c = new SNSClient(cfg(url));
    try {
      while (!stop) {
        const k = n++;
        if (k % 3 === 0) {
          const entries = Array.from({ length: 5 }, (_, i) => ({ Id: `e${i}`, Message: `w${w}-${k}-${i}` }));
          const r = await c.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries }));
          for (const s of r.Successful ?? []) acked.add(entries.find((e) => e.Id === s.Id).Message);
        } else {
          await c.send(new PublishCommand({ TopicArn, Message: `w${w}-${k}` }));
          acked.add(`w${w}-${k}`);
        }
      }
    } catch {
      // the process died under this request: not acknowledged
    } finally {
      c.destroy();
    }
  });
  while (acked.size < 600) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  await new Promise((r) => child.once('exit', r));
  sns.destroy();
  sqs.destroy();

  ({ child, url } = await startProcess(stateDir, port));
  const c2 = new SQSClient(cfg(url));
  const drained = [];
  for (const QueueUrl of queues) {
    const seen = new Map();
    for (;;) {
      const r = await c2.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }));
      const msgs = r.Messages ?? [];
      if (msgs.length === 0) break;
      for (const m of msgs) seen.set(m.Body, (seen.get(m.Body) ?? 0) + 1);
      await c2.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
    }
    const missing = [...acked].filter((b) => !seen.has(b));
    assert.deepEqual(missing, [], `${missing.length} acknowledged publishes lost from ${QueueUrl}`);
    assert.deepEqual([...seen].filter(([, k]) => k > 1), [], 'no publish delivered twice');
    drained.push(new Set(seen.keys()));
  }
  assert.deepEqual([...drained[0]].sort(), [...drained[1]].sort(), 'every publish reached both queues or neither');
  c2.destroy();
});
