import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpecError, validateSpec } from './spec.js';
import { preflightProblems } from './preflight.js';
import { specToJson } from './files.js';
import { closest, editDistance } from './suggest.js';

const problems = (raw: unknown) => {
  try {
    validateSpec(raw);
  } catch (err) {
    assert.ok(err instanceof SpecError);
    assert.equal(err.exitCode, 2);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
};
const base = { name: 'f', topic: { name: 'f' }, queues: [{ name: 'f-a' }] };

describe('flow spec validation', () => {
  it('a minimal spec gets AWS defaults; version 1 is accepted, others refused', () => {
    const s = validateSpec(base);
    assert.equal(s.version, 1);
    assert.deepEqual(s.queues[0], { id: 'f-a', name: 'f-a', visibilityTimeout: 30, retentionSeconds: 345_600, delaySeconds: 0, rawDelivery: false, filterPolicy: undefined, filterPolicyScope: 'MessageAttributes', dlq: { name: 'f-a-dlq', maxReceiveCount: 5, retentionSeconds: 1_209_600 }, consumer: undefined });
    assert.deepEqual(problems({ ...base, version: 1 }), []);
    assert.match(problems({ ...base, version: '1' })[0]!, /^version: unknown version "1"/);
  });

  it('lists every problem at once, each with its JSON path', () => {
    const p = problems({ name: 'f', topic: { name: 'f', fifo: true }, queues: [{ name: 'f-a', consumer: { function: 'w', batchSize: 20 } }, { name: 'f-b.fifo', dlq: { maxReceiveCount: 0 } }] });
    assert.deepEqual(p.map((x) => x.split(':')[0]), ['topic.name', 'queues[0].name', 'queues[0].consumer.batchSize', 'queues[1].dlq.maxReceiveCount']);
  });

  it('batch size over 10 needs a batching window; FIFO has neither', () => {
    assert.deepEqual(problems({ ...base, queues: [{ name: 'f-a', consumer: { function: 'w', batchSize: 11, batchingWindowSeconds: 1 } }] }), []);
    assert.match(problems({ ...base, queues: [{ name: 'f-a', consumer: { function: 'w', batchSize: 11 } }] })[0]!, /needs a batching window of at least 1 second/);
  });

  it('the consumer timeout the spec knows is compared with the visibility timeout, in Lambda\'s words', () => {
    assert.deepEqual(problems({ ...base, queues: [{ name: 'f-a', visibilityTimeout: 60, consumer: { function: 'w', timeout: 60 } }] }), []);
    assert.match(problems({ ...base, queues: [{ name: 'f-a', consumer: { function: 'w', timeout: 31 } }] })[0]!, /Queue visibility timeout: 30 seconds is less than Function timeout: 31 seconds/);
  });

  it('existing function timeouts are checked before apply (preflight)', () => {
    const s = validateSpec({ ...base, queues: [{ name: 'f-a', consumer: { function: 'w' } }, { name: 'f-b', visibilityTimeout: 900, consumer: { function: 'w' } }] });
    assert.deepEqual(preflightProblems(s, { functionTimeouts: new Map([['w', 30]]) }), []);
    const p = preflightProblems(s, { functionTimeouts: new Map([['w', 60]]) });
    assert.deepEqual(p.map((x) => x.path), ['queues[0].visibilityTimeout']);
    assert.match(p[0]!.message, /^Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds/);
    assert.deepEqual(preflightProblems(s, {}), []);
  });
});

describe('subscription DLQ (subscriptionDlq)', () => {
  const q = (subscriptionDlq: unknown, fifo = false) =>
    validateSpec(fifo ? { name: 'f', topic: { name: 'f.fifo', fifo: true }, queues: [{ name: 'f-a.fifo', subscriptionDlq }] } : { ...base, queues: [{ name: 'f-a', subscriptionDlq }] }).queues[0]!;

  it('absent, false or null: none; true: the name svl doctor suggests, 14 days; an object: its name and retention', () => {
    for (const none of [undefined, false, null]) assert.equal('subscriptionDlq' in q(none), false, String(none));
    assert.deepEqual(q(true).subscriptionDlq, { name: 'f-a-sub-dlq', retentionSeconds: 1_209_600 });
    assert.deepEqual(q(true, true).subscriptionDlq, { name: 'f-a-sub-dlq.fifo', retentionSeconds: 1_209_600 });
    assert.deepEqual(q({ name: 'f-lost', retentionSeconds: 3600 }).subscriptionDlq, { name: 'f-lost', retentionSeconds: 3600 });
  });

  it('survives the spec file round trip (what init writes is what apply reads)', () => {
    const spec = validateSpec({ ...base, queues: [{ name: 'f-a', subscriptionDlq: { name: 'f-lost', retentionSeconds: 3600 } }] });
    assert.deepEqual(validateSpec(JSON.parse(specToJson(spec))), spec);
  });

  it('refuses a DLQ of the other type, a taken name, a bad shape, with the path of each', () => {
    assert.match(problems({ ...base, queues: [{ name: 'f-a', subscriptionDlq: 3 }] })[0]!, /^queues\[0\]\.subscriptionDlq: must be true \(a DLQ named f-a-sub-dlq\)/);
    assert.match(problems({ name: 'f', topic: { name: 'f.fifo', fifo: true }, queues: [{ name: 'f-a.fifo', subscriptionDlq: { name: 'f-x' } }] })[0]!, /^queues\[0\]\.subscriptionDlq\.name: "f-x" must end in \.fifo: SNS needs a FIFO queue/);
    assert.match(problems({ ...base, queues: [{ name: 'f-a', subscriptionDlq: { name: 'f-a-dlq' } }] })[0]!, /^queues\[0\]\.subscriptionDlq\.name: "f-a-dlq" is already used by queues\[0\]\.dlq\.name/);
    assert.match(problems({ ...base, queues: [{ name: 'f-a', subscriptionDlq: { name: 'f-b' } }, { name: 'f-b' }] })[0]!, /^queues\[1\]\.name: "f-b" is already used by queues\[0\]\.subscriptionDlq\.name/);
    assert.match(problems({ ...base, queues: [{ name: 'f-a', subscriptionDlq: { retention: 60 } }] })[0]!, /^queues\[0\]\.subscriptionDlq\.retention: unknown key; did you mean "retentionSeconds"\?/);
  });
});

describe('did you mean', () => {
  it('suggests the closest known word when it is close, and nothing otherwise', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('nmae', 'name'), 1);
    assert.equal(closest('nmae', ['version', 'name', 'topic']), 'name');
    assert.equal(closest('visiblityTimeout', ['visibilityTimeout', 'delaySeconds']), 'visibilityTimeout');
    assert.equal(closest('queue', ['queues', 'topic']), 'queues');
    assert.equal(closest('FIFO', ['fifo', 'name']), 'fifo');
    assert.equal(closest('retention', ['retentionSeconds', 'name']), 'retentionSeconds');
    assert.equal(closest('zzz', ['name', 'fifo']), undefined);
  });
});
