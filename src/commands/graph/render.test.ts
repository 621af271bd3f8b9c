import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Graph } from '../../aws/inventory-model.js';
import { nodeIds, renderDot, renderMermaid, renderText } from './render.js';

const Q = 'arn:aws:sqs:us-east-1:1:';
const T = 'arn:aws:sns:us-east-1:1:';
const F = 'arn:aws:lambda:us-east-1:1:function:';

const graph: Graph = {
  nodes: [
    { id: `${T}orders`, kind: 'topic', name: 'orders' },
    { id: `${Q}billing`, kind: 'queue', name: 'billing' },
    { id: `${Q}billing-dlq`, kind: 'queue', name: 'billing-dlq', deadLetter: true },
    { id: `${Q}spare`, kind: 'queue', name: 'spare' },
    { id: 'https:https://example.com/h', kind: 'endpoint', name: 'https://example.com/h' },
    { id: `${F}bill`, kind: 'function', name: 'bill' },
  ],
  edges: [
    { from: `${T}orders`, to: `${Q}billing`, kind: 'subscription', subscription: 's1', protocol: 'sqs', filter: 'type=invoice|credit; amount>100', raw: true },
    { from: `${T}orders`, to: 'https:https://example.com/h', kind: 'subscription', subscription: null, protocol: 'https', filter: null, pending: true },
    { from: `${T}orders`, to: `${Q}billing-dlq`, kind: 'subscription-dead-letter', subscription: 's1' },
    { from: `${Q}billing`, to: `${Q}billing-dlq`, kind: 'dead-letter', maxReceiveCount: 3 },
    { from: `${Q}billing`, to: `${F}bill`, kind: 'event-source', state: 'Enabled', batchSize: 10 },
  ],
};

describe('renderText', () => {
  it('draws one tree per topic, subscription DLQs under their subscription, free queues as roots', () => {
    assert.equal(
      renderText(graph),
      [
        'topic orders',
        '├── sqs → queue billing  [type=invoice|credit; amount>100]  (raw)',
        '│   ├── undeliverable → queue billing-dlq (DLQ)',
        '│   ├── dead-letter → queue billing-dlq (DLQ) after 3 receives',
        '│   └── consumer → λ bill (batch 10)',
        '└── https → https://example.com/h  (pending confirmation)',
        'queue spare',
      ].join('\n'),
    );
  });

  it('marks a cycle of DLQs instead of recursing forever', () => {
    const g: Graph = {
      nodes: [
        { id: 'a', kind: 'queue', name: 'a', deadLetter: true },
        { id: 'b', kind: 'queue', name: 'b', deadLetter: true },
      ],
      edges: [
        { from: 'a', to: 'b', kind: 'dead-letter', maxReceiveCount: 1 },
        { from: 'b', to: 'a', kind: 'dead-letter', maxReceiveCount: 1 },
      ],
    };
    assert.equal(renderText(g), ['queue a (DLQ)', '└── dead-letter → queue b (DLQ) after 1 receives', '    └── dead-letter → queue a (DLQ) after 1 receives (cycle)'].join('\n'));
  });
});

describe('renderMermaid', () => {
  it('is a flowchart LR with escaped labels, dashed DLQ edges and a dlq class', () => {
    const text = renderMermaid(graph);
    assert.equal(text.split('\n')[0], 'flowchart LR');
    assert.match(text, /^ {2}t_orders\{\{"orders"\}\}$/m);
    assert.match(text, /^ {2}q_billing\[\("billing"\)\]$/m);
    assert.match(text, /^ {2}t_orders -->\|"type=invoice#124;credit; amount#gt;100 · raw"\| q_billing$/m);
    assert.match(text, /^ {2}q_billing -\.->\|"DLQ after 3"\| q_billing_dlq$/m);
    assert.match(text, /^ {2}q_billing ==>\|"batch 10"\| f_bill$/m);
    assert.match(text, /^ {2}t_orders -\.->\|"pending"\| e_example_com_h$/m);
    assert.match(text, /^ {2}class q_billing_dlq dlq$/m);
  });
});

describe('renderDot', () => {
  it('is a digraph with quoted ids and escaped labels', () => {
    const text = renderDot(graph, 'my "flow"');
    assert.equal(text.split('\n')[0], 'digraph "my \\"flow\\"" {');
    assert.match(text, /"t_orders" \[label="orders", shape=hexagon\];/);
    assert.match(text, /"q_billing_dlq" \[label="billing-dlq\\n\(DLQ\)", shape=cylinder, color=red\];/);
    assert.match(text, /"q_billing" -> "q_billing_dlq" \[label="DLQ after 3", style=dashed, color=red\];/);
    assert.ok(text.endsWith('}'));
  });
});

describe('nodeIds', () => {
  it('derives ids from names and keeps them unique', () => {
    const ids = nodeIds([
      { id: '1', kind: 'queue', name: 'a-b' },
      { id: '2', kind: 'queue', name: 'a_b' },
      { id: '3', kind: 'queue', name: 'a.b' },
    ]);
    assert.deepEqual([...ids.values()], ['q_a_b', 'q_a_b_2', 'q_a_b_3']);
  });
});
