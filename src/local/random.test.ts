import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBase64, randomHex, traceRoot } from './random.js';

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
