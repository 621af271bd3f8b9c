// Benchmark fixture (not part of npm test; bench/testing.mjs runs it): a test file of 50 publish ->
// waitFor cases against one svl/testing emulator, reset between cases, as an application suite would be.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { startSvl } from 'svl/testing';

let svl;
let sns;
before(async () => {
  svl = await startSvl({
    functions: { ship: async (event) => ({ batchItemFailures: [], n: event.Records.length }) },
    flows: [{ name: 'orders', topic: { name: 'orders' }, queues: [{ name: 'shipping', consumer: { function: 'ship', batchSize: 1 } }, { name: 'audit', dlq: false }] }],
  });
  sns = new SNSClient(svl.clientConfig);
});
after(async () => {
  sns.destroy();
  await svl.stop();
});
beforeEach(() => svl.reset());

for (let i = 0; i < 50; i++) {
  test(`order ${i} reaches the consumer`, async () => {
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: svl.arn.topic('orders'), Message: JSON.stringify({ order: i }) }));
    const [done] = await svl.events.waitFor({ type: 'lambda.completed', function: 'ship' });
    assert.equal(done.data.outcome, 'ok');
    const [audited] = await svl.events.waitFor({ type: 'sqs.sent', queue: 'audit' });
    assert.equal(svl.events.trace(MessageId).some((e) => e.seq === audited.seq), true);
  });
}
