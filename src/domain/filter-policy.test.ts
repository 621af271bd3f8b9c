/**
 * SNS filter policies: table-driven conformance tests over test/fixtures/sns-filter/cases.json
 * (AWS-recorded LocalStack snapshot cases, LocalStack/moto peer cases, SNS Developer Guide examples),
 * plus unit tests of the explanation texts and API details.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { AwsError } from './aws-error.js';
import {
  compileFilterPolicy,
  evaluateFilterPolicy,
  explainFilterPolicy,
  validateFilterPolicy,
  validateFilterPolicyScope,
  type FilterMessageAttribute,
  type FilterPolicyApi,
  type FilterPolicyScope,
} from './filter-policy.js';

interface EvaluationCase {
  id: string;
  source: string;
  origin: string;
  aws_validated: boolean;
  scope: FilterPolicyScope;
  policy: unknown;
  body: string;
  attributes: Record<string, FilterMessageAttribute>;
  expect_match: boolean;
  note?: string;
}

interface ValidationCase {
  id: string;
  source: string;
  origin: string;
  aws_validated: boolean;
  api: FilterPolicyApi;
  scope: string;
  policy?: unknown;
  policy_raw?: string;
  policy_raw_generated?: { head: string; repeat: { char: string; count: number }; tail: string };
  expect_valid: boolean;
  expect_error?: { code: string; status?: number; message?: string; message_first_line?: string };
}

// dist/local/sns/filter-policy.test.js → repo root is three levels up.
const fixture = fileURLToPath(new URL('../../test/fixtures/sns-filter/cases.json', import.meta.url));
const cases = JSON.parse(readFileSync(fixture, 'utf8')) as { evaluation: EvaluationCase[]; validation: ValidationCase[] };

function label(c: { id: string; origin: string; aws_validated: boolean; source: string }): string {
  const src = c.source.length > 110 ? `${c.source.slice(0, 107)}...` : c.source;
  return `${c.id} [${c.aws_validated ? 'AWS' : c.origin}] ${src}`;
}

describe('filter policy evaluation (fixture)', () => {
  it('has enough cases', () => {
    assert.ok(cases.evaluation.length >= 150);
    assert.ok(cases.evaluation.some((c) => c.scope === 'MessageAttributes'));
    assert.ok(cases.evaluation.some((c) => c.scope === 'MessageBody'));
  });
  for (const c of cases.evaluation) {
    it(label(c), () => {
      const message = { body: c.body, attributes: c.attributes };
      const got = evaluateFilterPolicy(c.policy, c.scope, message);
      assert.equal(got, c.expect_match, c.note);
      // The explanation uses the same matcher: it must agree, and explain every non-match.
      const ex = explainFilterPolicy(c.policy, c.scope, message);
      assert.equal(ex.matches, got);
      if (got) assert.deepEqual(ex.failures, []);
      else assert.ok(ex.failures.length > 0 && ex.failures.every((f) => f.key !== '' && f.reason !== ''));
    });
  }
});

function policyOf(c: ValidationCase): unknown {
  if (c.policy_raw_generated) {
    const g = c.policy_raw_generated;
    return g.head + g.repeat.char.repeat(g.repeat.count) + g.tail;
  }
  return c.policy_raw ?? c.policy;
}

describe('filter policy validation (fixture)', () => {
  for (const c of cases.validation) {
    it(label(c), () => {
      const run = (): void => validateFilterPolicy(policyOf(c), c.scope as FilterPolicyScope, { api: c.api });
      // Policies given as JSON text must behave exactly like the same policy given as a value.
      const runText = (): void =>
        validateFilterPolicy(
          c.policy !== undefined && c.policy !== null ? JSON.stringify(c.policy, null, 1) : policyOf(c),
          c.scope as FilterPolicyScope,
          { api: c.api },
        );
      if (c.expect_valid) {
        assert.doesNotThrow(run);
        assert.doesNotThrow(runText);
        return;
      }
      const want = c.expect_error;
      assert.ok(want, 'invalid case needs expect_error');
      for (const fn of [run, runText]) {
        assert.throws(fn, (err: unknown) => {
          assert.ok(err instanceof AwsError, `expected AwsError, got ${String(err)}`);
          assert.equal(err.code, want.code);
          if (want.status !== undefined) assert.equal(err.status, want.status);
          if (want.message !== undefined) assert.equal(err.message, want.message);
          if (want.message_first_line !== undefined) assert.equal(err.message.split('\n')[0], want.message_first_line);
          return true;
        });
      }
    });
  }
});

describe('explanations', () => {
  const attrs = (a: Record<string, string>): Record<string, FilterMessageAttribute> =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, { Type: 'String', Value: v }]));

  it('reports a missing attribute', () => {
    const ex = explainFilterPolicy({ store: ['acme'] }, 'MessageAttributes', { body: 'x', attributes: {} });
    assert.deepEqual(ex, { matches: false, failures: [{ key: 'store', reason: 'attribute "store" is missing' }] });
  });

  it('reports a value that matched none of the conditions', () => {
    const ex = explainFilterPolicy('{"store": ["acme"]}', 'MessageAttributes', {
      body: 'x',
      attributes: attrs({ store: 'example_corp' }),
    });
    assert.deepEqual(ex.failures, [{ key: 'store', reason: '"example_corp" did not match any of ["acme"]' }]);
  });

  it('reports numeric ranges', () => {
    const ex = explainFilterPolicy({ price: [{ numeric: ['>', 200] }] }, 'MessageAttributes', {
      body: 'x',
      attributes: { price: { Type: 'Number', Value: '150' } },
    });
    assert.deepEqual(ex.failures, [{ key: 'price', reason: '150 is not in numeric range [">", 200]' }]);
  });

  it('reports every failing key of the closest $or branch', () => {
    const policy = { a: ['1'], $or: [{ b: ['2'], e: ['9'] }, { c: ['3'], d: ['4'] }] };
    const ex = explainFilterPolicy(policy, 'MessageBody', { body: '{"a": "1", "c": "3", "d": "5"}' });
    assert.equal(ex.matches, false);
    assert.deepEqual(ex.failures, [{ key: 'd', reason: '"5" did not match any of ["4"]' }]);
  });

  it('reports body problems and nested paths', () => {
    assert.deepEqual(explainFilterPolicy({ a: { b: ['x'] } }, 'MessageBody', { body: 'not json' }).failures, [
      { key: '(message body)', reason: 'message body is not valid JSON; a MessageBody-scope policy only matches JSON objects' },
    ]);
    assert.deepEqual(explainFilterPolicy({ a: { b: ['x'] } }, 'MessageBody', { body: '{"a": {}}' }).failures, [
      { key: 'a.b', reason: 'property "a.b" is missing from the message body' },
    ]);
    assert.deepEqual(explainFilterPolicy({ a: [{ exists: false }] }, 'MessageBody', { body: '{"a": [1, 2]}' }).failures, [
      { key: 'a', reason: 'property "a" is present ([1, 2]), but the policy requires it to be absent' },
    ]);
  });

  it('reports anything-but exclusions', () => {
    const ex = explainFilterPolicy({ e: [{ 'anything-but': { prefix: 'order-' } }] }, 'MessageBody', {
      body: '{"e": "order-1"}',
    });
    assert.deepEqual(ex.failures, [{ key: 'e', reason: '"order-1" is excluded by {"anything-but":{"prefix":"order-"}}' }]);
  });

  it('explains exists:false on a message without attributes', () => {
    const ex = explainFilterPolicy({ a: [{ exists: false }] }, 'MessageAttributes', { body: 'x', attributes: {} });
    assert.match(ex.failures[0]?.reason ?? '', /at least one attribute is present/);
  });
});

describe('API details', () => {
  it('accepts a compiled policy and keeps its scope', () => {
    const compiled = compileFilterPolicy('{"a": {"b": [{"prefix": "x"}]}}', 'MessageBody');
    assert.equal(compiled.source, '{"a":{"b":[{"prefix":"x"}]}}');
    assert.equal(evaluateFilterPolicy(compiled, 'MessageBody', { body: '{"a": {"b": "xyz"}}' }), true);
    assert.equal(evaluateFilterPolicy(compiled, 'MessageBody', { body: '{"a": {"b": "abc"}}' }), false);
  });

  it('accepts Publish-shaped attributes and ignores Binary ones', () => {
    const attributes = {
      n: { DataType: 'Number', StringValue: '42' },
      b: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) },
    };
    assert.equal(evaluateFilterPolicy({ n: [42] }, 'MessageAttributes', { body: '', attributes }), true);
    assert.equal(evaluateFilterPolicy({ b: [{ exists: false }] }, 'MessageAttributes', { body: '', attributes }), true);
  });

  it('matches null only against JSON null, never against a missing key', () => {
    const p = { a: [null] };
    assert.equal(evaluateFilterPolicy(p, 'MessageBody', { body: '{"a": null}' }), true);
    assert.equal(evaluateFilterPolicy(p, 'MessageBody', { body: '{"a": [1, null]}' }), true);
    assert.equal(evaluateFilterPolicy(p, 'MessageBody', { body: '{"b": 1}' }), false);
    assert.equal(evaluateFilterPolicy(p, 'MessageAttributes', { body: '', attributes: { a: { Type: 'String.Array', Value: '[null]' } } }), true);
    // exists:false treats null like absence; anything-but needs a real value.
    assert.equal(evaluateFilterPolicy({ a: [{ exists: false }] }, 'MessageBody', { body: '{"a": null}' }), true);
    assert.equal(evaluateFilterPolicy({ a: [{ 'anything-but': 'x' }] }, 'MessageBody', { body: '{"a": null}' }), false);
  });

  it('matches booleans and keys that contain dots', () => {
    assert.equal(evaluateFilterPolicy({ 'a.b': [true] }, 'MessageAttributes', { body: '', attributes: { 'a.b': { Type: 'String.Array', Value: '[false, true]' } } }), true);
    assert.equal(evaluateFilterPolicy({ 'a.b': [true] }, 'MessageAttributes', { body: '', attributes: { 'a.b': { Type: 'String', Value: 'true' } } }), false);
    assert.equal(evaluateFilterPolicy({ a: { 'b.c': [false] } }, 'MessageBody', { body: '{"a.b": {"c": false}}' }), true);
  });

  it('no policy, empty string and {} deliver everything', () => {
    for (const p of [null, undefined, '', '{}', {}]) {
      assert.equal(evaluateFilterPolicy(p, 'MessageBody', { body: 'plain text' }), true);
    }
  });

  it('compares numbers at 6 decimals and IPv6 addresses by value', () => {
    const body = (v: string): { body: string } => ({ body: `{"v": ${v}}` });
    assert.equal(evaluateFilterPolicy({ v: [{ numeric: ['=', 0.3] }] }, 'MessageBody', body('0.30000000000000004')), true);
    assert.equal(evaluateFilterPolicy({ v: [{ numeric: ['>', 0.3] }] }, 'MessageBody', body('0.300001')), true);
    assert.equal(evaluateFilterPolicy({ v: [{ numeric: ['<', 1e9] }] }, 'MessageBody', body('2e9')), false);
    assert.equal(evaluateFilterPolicy({ v: ['2001:db8::1'] }, 'MessageBody', { body: '{"v": "2001:0db8:0:0:0:0:0:1"}' }), true);
  });

  it('rejects an unknown scope with the AWS message', () => {
    assert.throws(
      () => validateFilterPolicyScope('Body', { api: 'Subscribe' }),
      (e: unknown) =>
        e instanceof AwsError &&
        e.message ===
          'Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes',
    );
  });

  it('survives very deep bodies and policies', () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    assert.equal(evaluateFilterPolicy({ a: { a: ['x'] } }, 'MessageBody', { body: deep }), false);
    const nested = (n: number): string => `${'{"a":'.repeat(n)}["x"]${'}'.repeat(n)}`;
    assert.throws(
      () => validateFilterPolicy(nested(300), 'MessageBody'),
      (e: unknown) => e instanceof AwsError && e.message === 'Invalid parameter: FilterPolicy: Filter policy is too complex',
    );
    // Jackson's StreamReadConstraints nesting limit.
    assert.throws(
      () => validateFilterPolicy(nested(5000), 'MessageBody'),
      (e: unknown) =>
        e instanceof AwsError &&
        e.message.startsWith(
          'Invalid parameter: FilterPolicy: failed to parse JSON. Document nesting depth (1001) exceeds the maximum allowed (1000',
        ),
    );
  });
});

it('explanations of repeated values (cached per key and value) are the texts of each value', () => {
  const policy = compileFilterPolicy({ kind: ['refund'], n: [{ numeric: ['<', 3] }] }, 'MessageAttributes');
  const explain = (kind: string, n: string, type = 'Number') =>
    explainFilterPolicy(policy, 'MessageAttributes', { body: '', attributes: { kind: { DataType: 'String', StringValue: kind }, n: { DataType: type, StringValue: n } } }).failures;
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(explain('order', '7'), [
      { key: 'kind', reason: '"order" did not match any of ["refund"]' },
      { key: 'n', reason: '7 is not in numeric range ["<", 3]' },
    ]);
    assert.deepEqual(explain('other', '7', 'String'), [
      { key: 'kind', reason: '"other" did not match any of ["refund"]' },
      { key: 'n', reason: '"7" is not a number, so it cannot match numeric range ["<", 3]' },
    ]);
  }
  for (let i = 0; i < 100; i++) assert.equal(explain(`v${i}`, '1')[0]!.reason, `"v${i}" did not match any of ["refund"]`);
});
