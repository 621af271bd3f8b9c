import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkFilter, checkFlowName, checkMaxReceiveCount, checkQueues } from './answers.js';

describe('init answers are checked as typed, with the spec\'s rules', () => {
  it('names and queue lists, including the AWS length of the longest derived name', () => {
    assert.equal(checkFlowName('orders'), true);
    assert.match(String(checkFlowName('bad name')), /must be 1-64/);
    assert.match(String(checkFlowName('x'.repeat(65))), /must be 1-64/);
    assert.equal(checkQueues('a, b ,c', 'orders', false), true);
    assert.match(String(checkQueues(' , ', 'orders', false)), /at least one queue/);
    assert.match(String(checkQueues('a,a', 'orders', false)), /twice/);
    assert.match(String(checkQueues('a b', 'orders', false)), /"a b" must be letters/);
    const q = 'q'.repeat(80 - 'orders--dlq'.length);
    assert.equal(checkQueues(q, 'orders', false), true);
    assert.match(String(checkQueues(q, 'orders', true)), /orders-q+-dlq\.fifo \(85 characters; SQS allows 80\)/);
  });

  it('numbers and filter policies (JSON, object, SNS rules)', () => {
    assert.equal(checkMaxReceiveCount('1000'), true);
    for (const bad of ['0', '1001', '1.5', 'x', '']) assert.match(String(checkMaxReceiveCount(bad)), /from 1 to 1000/, bad);
    assert.equal(checkFilter(''), true);
    assert.equal(checkFilter('{"type":["invoice"],"amount":[{"numeric":[">",100]}]}'), true);
    assert.match(String(checkFilter('{oops')), /^invalid JSON/);
    assert.match(String(checkFilter('["a"]')), /a filter policy is a JSON object/);
    assert.match(String(checkFilter('{"type":"invoice"}')), /^Invalid parameter: FilterPolicy: "type" must be an object or an array/);
  });
});
