import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBase64, randomHex } from './random.js';

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
