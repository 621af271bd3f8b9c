import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBase64, randomHex, randomUuid, traceRoot } from './random.js';

test('pooled ids have the asked length and do not repeat across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = randomHex(12);
    assert.match(id, /^[0-9a-f]{24}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 1000);
  assert.equal(Buffer.from(randomBase64(11), 'base64').length, 11);
});

test('traceRoot: an X-Ray root of the current epoch second and 24 random hex digits', () => {
  const before = Math.floor(Date.now() / 1000);
  const a = traceRoot();
  const b = traceRoot();
  const after = Math.floor(Date.now() / 1000);
  for (const root of [a, b]) {
    const m = /^Root=1-([0-9a-f]{8})-[0-9a-f]{24}$/.exec(root);
    assert.ok(m, root);
    const second = parseInt(m[1]!, 16);
    assert.ok(second >= before && second <= after, root);
  }
  assert.notEqual(a, b);
});

test('randomUuid: version 4 UUIDs in the form of crypto.randomUUID, distinct across pool refills', () => {
  const seen = new Set<string>();
  const nibbles = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = randomUuid();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(id);
    nibbles.add(id[0]!);
  }
  assert.equal(seen.size, 2000);
  // Every hex digit turns up in the first place (the bytes are random, not a fixed or shifted pattern).
  assert.equal(nibbles.size, 16);
});
