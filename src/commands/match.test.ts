import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { matches, parseMatch, parseMatches } from './match.js';

const msg = (body: unknown, attributes: Record<string, string> = {}) => ({ body, bodyIsJson: typeof body === 'object' && body !== null, attributes });

describe('parseMatch', () => {
  it('reads the scope, the path, the operator and the value', () => {
    assert.deepEqual(parseMatch('customer.tier=gold'), { text: 'customer.tier=gold', scope: 'any', path: ['customer', 'tier'], negate: false, value: 'gold' });
    assert.deepEqual(parseMatch('body.id!=7').path, ['id']);
    assert.equal(parseMatch('body.id!=7').scope, 'body');
    assert.equal(parseMatch('body.id!=7').negate, true);
    assert.deepEqual(parseMatch('attr.svl.original-message-id=abc'), { text: 'attr.svl.original-message-id=abc', scope: 'attr', path: ['svl.original-message-id'], negate: false, value: 'abc' });
    assert.equal(parseMatch('note=a=b').value, 'a=b', 'only the first = separates');
    assert.equal(parseMatch('note=').value, '', 'an empty value matches an empty field');
    assert.deepEqual(parseMatch('body=hello').path, []);
  });

  it('rejects what cannot be a match expression, naming the flag and the expression', () => {
    for (const bad of ['tier', '=gold', ' =x', 'a..b=1', '.a=1', 'a.=1', 'attr.=x', 'attr=x', 'attr.bad name=x', 'a b=1']) {
      assert.throws(() => parseMatch(bad), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message.includes(`--match "${bad}"`), bad);
    }
    assert.deepEqual(parseMatches(undefined), []);
  });
});

describe('matches', () => {
  const order = msg({ id: 42, customer: { tier: 'gold', tags: ['vip', 'eu'] }, paid: true, note: null }, { type: 'invoice', region: 'eu-west-1' });

  it('compares body fields as text, whatever their JSON type', () => {
    assert.ok(matches([parseMatch('id=42')], order));
    assert.ok(matches([parseMatch('paid=true')], order));
    assert.ok(matches([parseMatch('note=null')], order));
    assert.ok(matches([parseMatch('customer.tier=gold')], order));
    assert.ok(!matches([parseMatch('customer.tier=silver')], order));
  });

  it('an array field matches when any item does; * is a wildcard', () => {
    assert.ok(matches([parseMatch('customer.tags=eu')], order));
    assert.ok(matches([parseMatch('region=eu-*')], order));
    assert.ok(!matches([parseMatch('region=us-*')], order));
    assert.ok(matches([parseMatch('id=4*')], order));
  });

  it('a bare path falls back to an attribute; attr. and body. are explicit', () => {
    assert.ok(matches([parseMatch('type=invoice')], order));
    assert.ok(matches([parseMatch('attr.type=invoice')], order));
    assert.ok(!matches([parseMatch('body.type=invoice')], order));
    assert.ok(!matches([parseMatch('attr.id=42')], order));
  });

  it('!= holds when the value differs or the field is missing; every expression must hold', () => {
    assert.ok(matches([parseMatch('type!=credit')], order));
    assert.ok(matches([parseMatch('missing!=x')], order));
    assert.ok(!matches([parseMatch('type!=invoice')], order));
    assert.ok(matches(parseMatches(['type=invoice', 'customer.tier=gold']), order));
    assert.ok(!matches(parseMatches(['type=invoice', 'customer.tier=silver']), order));
    assert.ok(matches([], order), 'no expression: everything matches');
  });

  it('text bodies match only as a whole (body=…)', () => {
    const text = msg('plain text', { kind: 'x' });
    assert.ok(matches([parseMatch('body=plain*')], text));
    assert.ok(!matches([parseMatch('body.kind=x')], text));
    assert.ok(matches([parseMatch('kind=x')], text), 'falls back to the attribute');
  });
});
