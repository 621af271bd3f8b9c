import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, wildcardMatch, type RequestContext } from './policy.js';

const queue = 'arn:aws:sqs:us-east-1:000000000000:billing';
const topic = 'arn:aws:sns:us-east-1:000000000000:orders';
const ctx: RequestContext = {
  principal: { service: 'sns.amazonaws.com' },
  action: 'sqs:SendMessage',
  resource: queue,
  keys: { 'aws:SourceArn': topic, 'aws:SourceAccount': '000000000000' },
};
const policy = (statement: object | object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statement });
const allowSns = (extra: object = {}) => ({ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queue, ...extra });

test('no policy or an unparsable one denies', () => {
  assert.equal(evaluatePolicy(undefined, ctx), 'implicit-deny');
  assert.equal(evaluatePolicy('{not json', ctx), 'implicit-deny');
});

test('the least-privilege fan-out statement allows exactly its topic', () => {
  const p = policy(allowSns({ Condition: { ArnEquals: { 'aws:SourceArn': topic } } }));
  assert.equal(evaluatePolicy(p, ctx), 'allow');
  assert.equal(evaluatePolicy(p, { ...ctx, keys: { 'aws:SourceArn': `${topic}-other` } }), 'implicit-deny');
  assert.equal(evaluatePolicy(p, { ...ctx, action: 'sqs:ReceiveMessage' }), 'implicit-deny');
  assert.equal(evaluatePolicy(p, { ...ctx, resource: `${queue}-2` }), 'implicit-deny');
});

test('wildcard principals, actions and ArnLike conditions', () => {
  assert.equal(evaluatePolicy(policy({ Effect: 'Allow', Principal: '*', Action: 'SQS:*', Resource: '*' }), ctx), 'allow');
  assert.equal(evaluatePolicy(policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['sqs:Send*'], Resource: queue }), ctx), 'allow');
  const like = policy(allowSns({ Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:000000000000:ord*' } } }));
  assert.equal(evaluatePolicy(like, ctx), 'allow');
  assert.equal(evaluatePolicy(policy(allowSns({ Principal: { Service: 'events.amazonaws.com' } })), ctx), 'implicit-deny');
});

test('explicit deny beats allow; unknown condition operators never grant', () => {
  const p = policy([allowSns(), { Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Resource: queue }]);
  assert.equal(evaluatePolicy(p, ctx), 'deny');
  assert.equal(evaluatePolicy(policy(allowSns({ Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01' } } })), ctx), 'implicit-deny');
});

test('a condition on a missing key fails unless IfExists', () => {
  const noKeys = { ...ctx, keys: {} };
  assert.equal(evaluatePolicy(policy(allowSns({ Condition: { ArnEquals: { 'aws:SourceArn': topic } } })), noKeys), 'implicit-deny');
  assert.equal(evaluatePolicy(policy(allowSns({ Condition: { ArnEqualsIfExists: { 'aws:SourceArn': topic } } })), noKeys), 'allow');
});

test('wildcardMatch escapes regex characters', () => {
  assert.ok(wildcardMatch('arn:aws:sqs:*:q.fifo', 'arn:aws:sqs:us-east-1:q.fifo'));
  assert.ok(!wildcardMatch('a.c', 'abc'));
  assert.ok(wildcardMatch('a?c', 'abc'));
});
