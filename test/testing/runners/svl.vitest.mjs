// svl/testing under vitest with vi.useFakeTimers() on in the test process: the SDK round trips, waits
// and the emulator keep working (it captured the real timers at load), the test's frozen Date does not
// leak into the emulator's timestamps, and the optional matchers work through expect.extend.
import { describe, test, expect, beforeAll, afterAll, beforeEach, afterEach, vi } from 'vitest';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startSvl } from 'svl/testing';
import { svlMatchers } from 'svl/testing/matchers';
import { ordersFlow } from './shared-flow.mjs';

expect.extend(svlMatchers);

describe('svl/testing under vitest', () => {
  let svl;
  let sns;
  let failing = false;
  const shipped = [];
  beforeAll(async () => {
    svl = await startSvl({
      clock: 'fake',
      functions: {
        ship: async (event) => {
          for (const r of event.Records) shipped.push(JSON.parse(JSON.parse(r.body).Message));
          if (failing) throw new Error('out of stock');
        },
      },
      flows: [ordersFlow],
    });
    sns = new SNSClient(svl.clientConfig);
  });
  afterAll(async () => {
    sns.destroy();
    await svl.stop();
  });
  beforeEach(async () => {
    await svl.reset();
    shipped.length = 0;
    failing = false;
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('publish -> queue -> inline function, with the test process on fake timers', async () => {
    expect(vi.isFakeTimers()).toBe(true);
    vi.setSystemTime(new Date('2001-02-03T04:05:06Z'));
    await sns.send(new PublishCommand({ TopicArn: svl.arn.topic('orders'), Message: JSON.stringify({ order: 42 }) }));
    const [done] = await svl.events.waitFor({ type: 'lambda.completed', function: 'ship' });
    expect(done.data.outcome).toBe('ok');
    expect(shipped).toEqual([{ order: 42 }]);
    await expect(svl).toHaveDelivered('shipping');
    await expect(svl).toHaveInvoked('ship', { times: 1 });
    await expect(svl).not.toHaveDeadLettered('shipping');
    // The test's clock is frozen at 2001; the emulator's is its own.
    expect(new Date().getUTCFullYear()).toBe(2001);
    expect(new Date(done.timeMs).getUTCFullYear()).toBeGreaterThan(2020);
  });

  test('the 5th failure lands in the DLQ (fake emulator clock, fake test timers)', async () => {
    failing = true;
    await sns.send(new PublishCommand({ TopicArn: svl.arn.topic('orders'), Message: JSON.stringify({ order: 7 }) }));
    for (let n = 1; n <= 5; n++) {
      await svl.events.waitFor({ type: 'lambda.completed', function: 'ship' }, { count: n });
      await svl.clock.advance('31s');
    }
    await expect(svl).toHaveDeadLettered('shipping', { times: 1 });
    await expect(svl).toHaveInvoked('ship', { times: 5 });
    expect(svl.depth('shipping-dlq')).toBe(1);
    expect(JSON.parse(JSON.parse(svl.peek('shipping-dlq')[0].body).Message)).toEqual({ order: 7 });
  });

  test('an emulator started under fake timers with a real clock keeps real time (no skew, no hang)', async () => {
    vi.setSystemTime(new Date('2001-02-03T04:05:06Z'));
    const other = await startSvl();
    const sqs = new SQSClient(other.clientConfig);
    try {
      await sqs.send(new CreateQueueCommand({ QueueName: 'clocked' }));
      await sqs.send(new SendMessageCommand({ QueueUrl: other.url.queue('clocked'), MessageBody: 'now', DelaySeconds: 1 }));
      const [sent] = await other.events.waitFor({ type: 'sqs.sent', queue: 'clocked' });
      expect(new Date(sent.timeMs).getUTCFullYear()).toBeGreaterThan(2020);
      expect(other.peek('clocked')[0].state).toBe('delayed');
      // The 1-second delay ends (and the long poll answers) in real time although the test's timers never move.
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: other.url.queue('clocked'), WaitTimeSeconds: 10 }));
      expect(r.Messages?.map((m) => m.Body)).toEqual(['now']);
    } finally {
      sqs.destroy();
      await other.stop();
    }
  });

  test('a failed matcher says what it looked for and what it found', async () => {
    await expect(expect(svl).toHaveInvoked('ship')).rejects.toThrow(/expected at least one lambda\.invoked event matching \{ type: "lambda\.invoked", function: "ship" \}, found 0/);
  });
});
