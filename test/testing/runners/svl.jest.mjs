// svl/testing under jest (ESM, --experimental-vm-modules) with jest.useFakeTimers() on in the test
// process (jest's default fakes Date, hrtime, nextTick, queueMicrotask and every timer): the emulator
// keeps the real ones it captured at load, so nothing hangs or skews; the optional matchers work.
import { describe, test, expect, beforeAll, afterAll, beforeEach, afterEach, jest } from '@jest/globals';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { startSvl } from 'svl/testing';
import { svlMatchers } from 'svl/testing/matchers';
import { ordersFlow } from './shared-flow.mjs';

expect.extend(svlMatchers);

describe('svl/testing under jest', () => {
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
    jest.useFakeTimers({ now: new Date('2001-02-03T04:05:06Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('publish -> queue -> inline function, with the test process on fake timers', async () => {
    await sns.send(new PublishCommand({ TopicArn: svl.arn.topic('orders'), Message: JSON.stringify({ order: 42 }) }));
    const [done] = await svl.events.waitFor({ type: 'lambda.completed', function: 'ship' });
    expect(done.data.outcome).toBe('ok');
    expect(shipped).toEqual([{ order: 42 }]);
    await expect(svl).toHaveDelivered('shipping');
    await expect(svl).toHaveInvoked('ship', { times: 1 });
    await expect(svl).not.toHaveDeadLettered('shipping');
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
  });
});
