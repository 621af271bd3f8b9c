/** The doctor's checks on a spec, before anything exists (what `svl plan`/`svl apply` warn about). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSpec } from '../spec.js';
import { specFindings, specModel, specWarnings } from './spec.js';
import { runChecks } from './index.js';

const ctx = { kind: 'aws' as const, region: 'eu-west-1', account: '123456789012' };

test('a spec built wrong: maxReceiveCount 1, a DLQ kept no longer, a consumer without partial failures and a short visibility', () => {
  const spec = validateSpec({
    name: 'shop',
    topic: { name: 'shop' },
    queues: [
      { name: 'shop-a', retentionSeconds: 1_209_600, dlq: { maxReceiveCount: 1, retentionSeconds: 1_209_600 } },
      { name: 'shop-b', visibilityTimeout: 30, consumer: { function: 'work', batchSize: 10, reportBatchItemFailures: false, timeout: 10 } },
    ],
  });
  assert.deepEqual(specFindings(spec, ctx).map((f) => f.id), ['batch-without-partial-failures', 'dlq-retention-not-longer', 'max-receive-count-one', 'visibility-below-six-times-timeout']);
  const w = specWarnings(spec, ctx);
  assert.match(w.find((x) => x.includes('[max-receive-count-one]'))!, /^queue shop-a dead-letters a message after its first receive \(maxReceiveCount 1\) \[max-receive-count-one\]: One failed/);
});

test('the same spec built right: no warnings (notes such as subscription-without-dlq are left out)', () => {
  const spec = validateSpec({
    name: 'shop',
    topic: { name: 'shop' },
    queues: [
      { name: 'shop-a', dlq: { maxReceiveCount: 5 } },
      { name: 'shop-b', visibilityTimeout: 60, consumer: { function: 'work', batchSize: 10, timeout: 10 } },
    ],
  });
  assert.deepEqual(specWarnings(spec, ctx), []);
});

test("an existing function's timeout counts when the spec does not give one", () => {
  const spec = validateSpec({ name: 's', topic: { name: 's' }, queues: [{ name: 's-q', visibilityTimeout: 60, consumer: { function: 'work', batchSize: 1 } }] });
  assert.deepEqual(specFindings(spec, ctx).map((f) => f.id), []);
  assert.deepEqual(specFindings(spec, ctx, new Map([['work', 30]])).map((f) => f.id), ['visibility-below-six-times-timeout']);
});

test('a spec with subscription DLQs: the doctor sees them (their topic-scoped policy lets SNS in), so not even a note is left', () => {
  const raw = (subscriptionDlq?: unknown) => ({ name: 'shop', topic: { name: 'shop.fifo', fifo: true }, queues: [{ name: 'shop-a.fifo', ...(subscriptionDlq !== undefined && { subscriptionDlq }) }] });
  const without = runChecks(specModel(validateSpec(raw()), ctx)).findings;
  assert.deepEqual(without.map((f) => `${f.severity} ${f.id}`), ['note subscription-without-dlq']);
  const m = specModel(validateSpec(raw(true)), ctx);
  assert.equal(m.inventory.subscriptions[0]!.deadLetterTargetArn, 'arn:aws:sqs:eu-west-1:123456789012:shop-a-sub-dlq.fifo');
  assert.deepEqual(runChecks(m).findings, []);
});
