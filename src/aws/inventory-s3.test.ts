import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, flowNames, groupByFlow, selectFlow, type Inventory } from './inventory-model.js';
import { renderMermaid, renderText } from '../commands/graph/render.js';

const Q = 'arn:aws:sqs:us-east-1:1:';
const T = 'arn:aws:sns:us-east-1:1:';
const F = 'arn:aws:lambda:us-east-1:1:function:';
const depth = { visible: 0, inFlight: 0, delayed: 0 };
const queue = (name: string, flow: string | null, extra = {}) => ({ name, url: `u/${name}`, arn: `${Q}${name}`, fifo: false, flow, tags: {}, depth, oldestMessageAgeSeconds: null, redrive: null, policy: null, deadLetterSources: [], ...extra });

const inv: Inventory = {
  topics: [{ name: 'up', arn: `${T}up`, fifo: false, contentBasedDeduplication: false, flow: 'up', tags: {} }],
  subscriptions: [{ arn: 's1', topicArn: `${T}up`, protocol: 'sqs', endpoint: `${Q}up-work`, confirmed: true, filterPolicy: null, filterPolicyScope: 'MessageAttributes', filter: null, rawMessageDelivery: true, deadLetterTargetArn: null }],
  queues: [queue('up-work', 'up'), queue('side', null)],
  consumers: [],
  lambda: null,
  buckets: [
    {
      name: 'up-bucket',
      arn: 'arn:aws:s3:::up-bucket',
      flow: 'up',
      tags: { 'svl:flow': 'up' },
      notifications: [
        { id: 'a', kind: 'queue', arn: `${Q}up-work`, events: ['s3:ObjectCreated:*'] },
        { id: 'b', kind: 'function', arn: `${F}thumbs`, events: ['s3:ObjectCreated:Put'], prefix: 'img/', suffix: '.jpg' },
        { id: 'c', kind: 'queue', arn: `${Q}side`, events: ['s3:ObjectRemoved:*'] },
      ],
    },
    { name: 'only-bucket', arn: 'arn:aws:s3:::only-bucket', flow: 'solo', tags: { 'svl:flow': 'solo' }, notifications: [] },
    { name: 'untagged', arn: 'arn:aws:s3:::untagged', flow: null, tags: {}, notifications: [] },
  ],
};

describe('buckets in the inventory', () => {
  it('a flow with only a bucket is a flow; a flow takes in the queues its buckets notify', () => {
    assert.deepEqual(flowNames(inv), ['solo', 'up']);
    const up = selectFlow(inv, 'up')!;
    assert.deepEqual(up.buckets!.map((b) => b.name), ['up-bucket']);
    assert.deepEqual(up.queues.map((q) => q.name), ['side', 'up-work']);
    assert.deepEqual(selectFlow(inv, 'solo')!.buckets!.map((b) => b.name), ['only-bucket']);
    assert.deepEqual(groupByFlow(inv).flows.map((f) => [f.name, f.buckets]), [['solo', ['only-bucket']], ['up', ['up-bucket']]]);
  });

  it('the graph has bucket nodes and notification edges (events, key filter) to queues and functions', () => {
    const g = buildGraph(selectFlow(inv, 'up')!);
    assert.equal(g.nodes[0]!.kind, 'bucket');
    assert.deepEqual(
      g.edges.filter((e) => e.kind === 'notification').map((e) => [e.to, e.events, e.filter]),
      [
        [`${Q}side`, ['s3:ObjectRemoved:*'], null],
        [`${Q}up-work`, ['s3:ObjectCreated:*'], null],
        [`${F}thumbs`, ['s3:ObjectCreated:Put'], 'img/*.jpg'],
      ],
    );
    assert.equal(
      renderText(g),
      [
        'topic up',
        '└── sqs → queue up-work  (raw)',
        'bucket up-bucket',
        '├── s3:ObjectRemoved:* → queue side',
        '├── s3:ObjectCreated:* → queue up-work',
        '└── s3:ObjectCreated:Put → λ thumbs  [img/*.jpg]',
      ].join('\n'),
    );
    assert.match(renderMermaid(g), /b_up_bucket\[\["up-bucket"\]\]\n[\s\S]*b_up_bucket -->\|"s3:ObjectCreated:Put · img\/\*\.jpg"\| f_thumbs/);
  });

  it('an inventory without buckets is unchanged (no buckets key)', () => {
    const { buckets: _b, ...plain } = inv;
    assert.equal('buckets' in selectFlow(plain, 'up')!, false);
  });
});
