import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STALE_AFTER_SECONDS, staleReason, TAP_HEARTBEAT_TAG } from './taps.js';
import { TAP_TAG, withoutTaps, type Inventory, type QueueInfo } from './inventory-model.js';

describe('stale taps', () => {
  const now = 1_800_000_000_000;
  const beat = (ageSeconds: number) => String(Math.floor(now / 1000) - ageSeconds);

  it('a tap whose tail (same host) is gone is stale at once; a live one is not', () => {
    const tags = { [TAP_TAG]: 'box:4242', [TAP_HEARTBEAT_TAG]: beat(5) };
    assert.match(staleReason(tags, now, 'box', () => false) ?? '', /pid 4242/);
    assert.equal(staleReason(tags, now, 'box', () => true), undefined);
  });

  it('another host: stale only when its heartbeat is older than STALE_AFTER_SECONDS', () => {
    assert.equal(staleReason({ [TAP_TAG]: 'elsewhere:1', [TAP_HEARTBEAT_TAG]: beat(10) }, now, 'box', () => false), undefined);
    assert.match(staleReason({ [TAP_TAG]: 'elsewhere:1', [TAP_HEARTBEAT_TAG]: beat(STALE_AFTER_SECONDS + 1) }, now, 'box') ?? '', /no heartbeat/);
    assert.match(staleReason({ [TAP_TAG]: 'elsewhere:1' }, now, 'box') ?? '', /ever/);
  });

  it('a queue without the tap tag is never ours to remove', () => {
    assert.equal(staleReason({ other: 'x' }, now, 'box', () => false), undefined);
  });
});

describe('inventory without taps', () => {
  const queue = (name: string, tags: Record<string, string> = {}): QueueInfo => ({
    name, url: `u/${name}`, arn: `arn:aws:sqs:r:1:${name}`, fifo: false, flow: null, tags,
    depth: { visible: 0, inFlight: 0, delayed: 0 }, oldestMessageAgeSeconds: null, redrive: null, policy: null, deadLetterSources: [],
  });
  it('drops tap queues and their subscriptions, keeps everything else', () => {
    const inv: Inventory = {
      topics: [],
      queues: [queue('orders'), queue('svl-tap-orders-abc123', { [TAP_TAG]: 'h:1' }), queue('svl-tap-lookalike')],
      subscriptions: [
        { arn: 's1', topicArn: 't', protocol: 'sqs', endpoint: 'arn:aws:sqs:r:1:orders', confirmed: true, filterPolicy: null, filterPolicyScope: 'MessageAttributes', filter: null, rawMessageDelivery: false, deadLetterTargetArn: null },
        { arn: 's2', topicArn: 't', protocol: 'sqs', endpoint: 'arn:aws:sqs:r:1:svl-tap-orders-abc123', confirmed: true, filterPolicy: null, filterPolicyScope: 'MessageAttributes', filter: null, rawMessageDelivery: false, deadLetterTargetArn: null },
      ],
      consumers: [],
      lambda: null,
    };
    const out = withoutTaps(inv);
    assert.deepEqual(out.queues.map((q) => q.name), ['orders', 'svl-tap-lookalike']);
    assert.deepEqual(out.subscriptions.map((s) => s.arn), ['s1']);
  });
});
