import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refreshPolicy, refreshQueueAttributes } from './fix-refresh.js';

const arn = 'arn:aws:sqs:us-east-1:000000000000:q';
const st = { Sid: 'AllowTopict', Effect: 'Allow' as const, Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:000000000000:t' } } };
const added = { Sid: 'AddedMeanwhile', Effect: 'Allow', Principal: '*', Action: 'sqs:ReceiveMessage', Resource: arn };

test('refreshQueueAttributes: the statements go onto the policy as it is now, so a statement added since the discovery is kept', () => {
  const stale = JSON.stringify({ Version: '2012-10-17', Statement: [] });
  const step = { attributes: { Policy: refreshPolicy(stale, arn, [st]) }, statements: [st], queueArn: arn, was: {} };
  const now = JSON.stringify({ Version: '2012-10-17', Statement: [added] });
  const { attributes, changed } = refreshQueueAttributes(step, { Policy: now });
  assert.deepEqual(changed, []);
  assert.deepEqual(JSON.parse(attributes.Policy!).Statement, [added, st]);
  assert.deepEqual(refreshQueueAttributes(step, { Policy: attributes.Policy! }).attributes, {}, 'already there: nothing to write');
});

test('refreshQueueAttributes: VisibilityTimeout and MessageRetentionPeriod only grow; another attribute changed meanwhile is left alone', () => {
  const step = { attributes: { VisibilityTimeout: '60', MessageRetentionPeriod: '1209600', RedrivePolicy: '{"maxReceiveCount":5}' }, statements: [], was: { RedrivePolicy: '{"maxReceiveCount":1}' } };
  assert.deepEqual(refreshQueueAttributes(step, { VisibilityTimeout: '5', MessageRetentionPeriod: '345600', RedrivePolicy: '{"maxReceiveCount":1}' }), { attributes: step.attributes, changed: [] });
  const raced = refreshQueueAttributes(step, { VisibilityTimeout: '300', MessageRetentionPeriod: '345600', RedrivePolicy: '{"maxReceiveCount":3}' });
  assert.deepEqual(raced, { attributes: { MessageRetentionPeriod: '1209600' }, changed: ['RedrivePolicy'] });
});
