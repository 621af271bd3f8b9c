// The resource-policy evaluator's condition operators, as AWS documents them: ArnEquals with wildcards,
// Null/Bool/Numeric/Date/IpAddress, IfExists and ForAnyValue/ForAllValues on absent keys, and what an
// operator it does not know gives (no grant for the emulator, `undecidable` for svl doctor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, explainPolicy, type RequestContext } from './resource-policy.js';

const queue = 'arn:aws:sqs:us-east-1:000000000000:billing';
const topic = 'arn:aws:sns:us-east-1:000000000000:orders';
const ctx = (keys: RequestContext['keys'] = { 'aws:SourceArn': topic, 'aws:SourceAccount': '000000000000' }): RequestContext => ({
  principal: { service: 'sns.amazonaws.com' },
  action: 'sqs:SendMessage',
  resource: queue,
  keys,
});
const allow = (Condition: object, effect = 'Allow') =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: effect, Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queue, Condition }] });
const decide = (Condition: object, keys?: RequestContext['keys']) => evaluatePolicy(allow(Condition), ctx(keys));

test('ArnEquals and ArnNotEquals take wildcards, as ArnLike does', () => {
  assert.equal(decide({ ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:*:000000000000:ord*' } }), 'allow');
  assert.equal(decide({ ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:*:000000000000:other*' } }), 'implicit-deny');
  assert.equal(decide({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:*:*:ord*' } }), 'implicit-deny');
  assert.equal(decide({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:*:*:billing*' } }), 'allow');
});

test('Null, Bool, StringNotEqualsIgnoreCase, Numeric*, Date*, IpAddress/NotIpAddress', () => {
  assert.equal(decide({ Null: { 'aws:SourceArn': 'false' } }), 'allow');
  assert.equal(decide({ Null: { 'aws:SourceArn': 'true' } }), 'implicit-deny');
  assert.equal(decide({ Null: { 'aws:SecureTransport': 'true' } }), 'allow');
  assert.equal(decide({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'TRUE' }), 'allow');
  assert.equal(decide({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'false' }), 'implicit-deny');
  assert.equal(decide({ StringNotEqualsIgnoreCase: { 'aws:SourceAccount': 'ABC' } }), 'allow');
  assert.equal(decide({ StringNotEqualsIgnoreCase: { 'aws:SourceArn': topic.toUpperCase() } }), 'implicit-deny');
  assert.equal(decide({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': '20' }), 'allow');
  assert.equal(decide({ NumericGreaterThanEquals: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': '20' }), 'implicit-deny');
  assert.equal(decide({ NumericNotEquals: { 'aws:MultiFactorAuthAge': ['1', '2'] } }, { 'aws:MultiFactorAuthAge': '20' }), 'allow');
  assert.equal(decide({ NumericEquals: { 'aws:MultiFactorAuthAge': 'x' } }, { 'aws:MultiFactorAuthAge': '20' }), 'implicit-deny');
  assert.equal(decide({ DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-12-05T00:00:00Z' }), 'allow');
  assert.equal(decide({ DateLessThan: { 'aws:EpochTime': '1577836800' } }, { 'aws:EpochTime': '1893456000' }), 'implicit-deny');
  assert.equal(decide({ DateNotEquals: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-12-05T00:00:00Z' }), 'allow');
  assert.equal(decide({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.1.1'] } }, { 'aws:SourceIp': '10.1.2.3' }), 'allow');
  assert.equal(decide({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:SourceIp': '2001:db8::1' }), 'allow');
  assert.equal(decide({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '11.0.0.1' }), 'implicit-deny');
  assert.equal(decide({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '11.0.0.1' }), 'allow');
});

test('an absent key: false, except IfExists, negated operators and ForAllValues; ForAnyValue stays false', () => {
  const none = {};
  assert.equal(decide({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, none), 'implicit-deny');
  assert.equal(decide({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '3600' } }, none), 'allow');
  assert.equal(decide({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, none), 'allow');
  assert.equal(decide({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } }, none), 'allow');
  assert.equal(decide({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }, none), 'implicit-deny');
  assert.equal(decide({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': 'b' }), 'allow');
});

test('an unknown operator: no grant and no denial for the emulator; undecidable for doctor when it decides', () => {
  const unknown = { StringMatchesRegex: { 'aws:SourceArn': '.*' } };
  assert.equal(decide(unknown), 'implicit-deny');
  assert.deepEqual(explainPolicy(allow(unknown), ctx()), { decision: 'undecidable', unsupported: 'StringMatchesRegex' });
  // A Deny with an unknown operator over a plain Allow: the emulator allows, doctor cannot say.
  const both = JSON.stringify({ Statement: [JSON.parse(allow({}, 'Allow')).Statement[0], JSON.parse(allow(unknown, 'Deny')).Statement[0]] });
  assert.equal(evaluatePolicy(both, ctx()), 'allow');
  assert.equal(explainPolicy(both, ctx()).decision, 'undecidable');
  // Decided without it: another condition of the same statement is false.
  assert.deepEqual(explainPolicy(allow({ ...unknown, StringEquals: { 'aws:SourceAccount': '1' } }), ctx()), { decision: 'implicit-deny' });
  assert.deepEqual(explainPolicy(allow({ ArnEquals: { 'aws:SourceArn': topic } }), ctx()), { decision: 'allow' });
});
