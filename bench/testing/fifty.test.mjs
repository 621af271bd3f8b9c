// Benchmark fixture (not part of npm test; bench/testing.mjs runs it): a test file of 50 publish ->
// waitFor cases against one svl/testing emulator, reset between cases, as an application suite would be.
import { writeFileSync } from 'node:fs';
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { startSvl } from 'svl/testing';

let svl;
let sns;
// Where the time goes, for bench/testing.mjs (SVL_BENCH_OUT): startSvl, the cases, the process's CPU.
const phases = {};
let casesStart;
before(async () => {
  const t0 = performance.now();
  svl = await startSvl({
    functions: { ship: async (event) => ({ batchItemFailures: [], n: event.Records.length }) },
    flows: [{ name: 'orders', topic: { name: 'orders' }, queues: [{ name: 'shipping', consumer: { function: 'ship', batchSize: 1 } }, { name: 'audit', dlq: false }] }],
  });
  sns = new SNSClient(svl.clientConfig);
  phases.startMs = performance.now() - t0;
  casesStart = performance.now();
});
after(async () => {
  phases.casesMs = performance.now() - casesStart;
  const cpu = process.cpuUsage();
  phases.cpuMs = (cpu.user + cpu.system) / 1000;
  if (process.env.SVL_BENCH_OUT) writeFileSync(process.env.SVL_BENCH_OUT, JSON.stringify(phases));
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
