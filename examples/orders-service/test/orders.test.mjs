// The orders service against svl/testing: the real flow (orders.flow.json, applied as `svl apply` would),
// the real handler running inline in this process, SDK clients pointed at the in-process emulator.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand } from '@aws-sdk/client-sqs';
import { startSvl } from 'svl/testing';
import { handler } from '../src/fulfil.mjs';

const flowFile = fileURLToPath(new URL('../orders.flow.json', import.meta.url));
let svl;
let sns;

before(async () => {
  svl = await startSvl({ clock: 'fake', functions: { fulfil: { handler, timeout: 10 } }, flows: [flowFile] });
  // The inline handler runs in this process: give it the emulator's endpoint and credentials.
  Object.assign(process.env, svl.env, { SHIPMENTS_QUEUE_URL: svl.url.queue('shipments') });
  sns = new SNSClient(svl.clientConfig);
  // The shipments queue belongs to another service: created here as that service would.
  const sqs = new SQSClient(svl.clientConfig);
  await sqs.send(new CreateQueueCommand({ QueueName: 'shipments' }));
  sqs.destroy();
});
after(async () => {
  sns.destroy();
  await svl.stop();
});
beforeEach(() => svl.reset());

const publish = (order, tier = 'standard') =>
  sns.send(new PublishCommand({
    TopicArn: svl.arn.topic('orders'),
    Message: JSON.stringify(order),
    MessageAttributes: { tier: { DataType: 'String', StringValue: tier } },
  }));

test('a valid order is fulfilled: one shipment, nothing left in the fulfilment queue', async () => {
  await publish({ id: 'o-1', items: ['book', 'pen'] });
  await svl.events.waitFor({ type: 'sqs.sent', queue: 'shipments' });
  await svl.runUntilIdle();
  assert.deepEqual(svl.peek('shipments').map((m) => JSON.parse(m.body)), [{ orderId: 'o-1', parcels: 2 }]);
  assert.equal(svl.depth('fulfilment'), 0);
});

test('only gold orders reach the VIP desk (filter policy)', async () => {
  await publish({ id: 'o-2', items: ['watch'] }, 'gold');
  await publish({ id: 'o-3', items: ['sock'] }, 'standard');
  await svl.runUntilIdle();
  assert.equal(svl.depth('vip-desk'), 1);
  const filtered = svl.events.all({ type: 'sns.filtered' });
  assert.equal(filtered.length, 1);
  assert.equal(filtered[0].data.endpoint, svl.arn.queue('vip-desk'));
});

test('an invalid order is retried, then dead-lettered after 3 receives; valid ones are not held back', async () => {
  await publish({ id: 'bad' });
  await publish({ id: 'o-4', items: ['lamp'] });
  for (let receive = 1; receive <= 3; receive++) {
    await svl.runUntilIdle();
    await svl.clock.advance('31s'); // the failed item's visibility timeout, jumped over
  }
  const [dead] = await svl.events.waitFor({ type: 'sqs.dead-lettered', queue: 'fulfilment' });
  assert.equal(dead.data.deadLetterQueue, svl.arn.queue('fulfilment-dlq'));
  assert.equal(svl.depth('fulfilment-dlq'), 1);
  assert.equal(JSON.parse(JSON.parse(svl.peek('fulfilment-dlq')[0].body).Message).id, 'bad');
  assert.deepEqual(svl.peek('shipments').map((m) => JSON.parse(m.body).orderId), ['o-4']);
  // Each receive of the bad order was an invocation of fulfil that reported it as a batch item failure.
  const received = svl.events.all({ type: 'sqs.received', queue: 'fulfilment', match: (e) => e.id === dead.id });
  assert.deepEqual(received.map((e) => e.data.receiveCount), [1, 2, 3]);
});

test('nothing is shipped for an order that was never published', async () => {
  await svl.events.expectNone({ type: 'sqs.sent', queue: 'shipments' });
});
