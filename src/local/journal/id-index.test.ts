// The journal's id index: exact for UUIDs (all 128 bits are the key), other ids kept as they are, growth
// and eviction keep every entry above the bound, and `entries` gives back the ids as they were set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { IdIndex } from './id-index.js';

test('UUIDs and other ids: set, update, get, has; ids that differ in one digit or in case are distinct', () => {
  const ix = new IdIndex();
  const a = '0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f50';
  const b = '0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f51'; // last digit
  const c = '1b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f50'; // first digit
  const upper = a.toUpperCase();
  const others = ['', 'req-1', '0b4c1f3e-2d6a-4e55-9b1f-6a1c2d3e4f5g', '0b4c1f3e+2d6a-4e55-9b1f-6a1c2d3e4f50', 'ünïcödé ✓ 𝄞'.padEnd(36, 'x')];
  [a, b, c, upper, ...others].forEach((id, k) => ix.set(id, k + 1));
  assert.equal(ix.size, 9);
  [a, b, c, upper, ...others].forEach((id, k) => assert.equal(ix.get(id), k + 1, id));
  ix.set(a, 100);
  assert.equal(ix.get(a), 100);
  assert.equal(ix.size, 9);
  assert.equal(ix.has('ffffffff-ffff-4fff-bfff-ffffffffffff'), false);
  assert.equal(ix.get('00000000-0000-0000-0000-000000000000'), undefined);
});

test('growth keeps every entry; retain drops those at or below the bound and only those; entries round-trip', () => {
  const ix = new IdIndex();
  const ids = Array.from({ length: 20_000 }, () => randomUUID());
  ids.forEach((id, k) => ix.set(id, k + 1));
  ix.set('not-a-uuid', 5);
  ix.set('also-not', 15_000);
  assert.equal(ix.size, 20_002);
  ids.forEach((id, k) => assert.equal(ix.get(id), k + 1));
  assert.deepEqual(new Map(ix.entries()), new Map([...ids.map((id, k): [string, number] => [id, k + 1]), ['not-a-uuid', 5], ['also-not', 15_000]]));
  ix.retain(10_000);
  assert.equal(ix.size, 10_001);
  ids.forEach((id, k) => assert.equal(ix.get(id), k + 1 > 10_000 ? k + 1 : undefined));
  assert.equal(ix.get('not-a-uuid'), undefined);
  assert.equal(ix.get('also-not'), 15_000);
  // Still usable after a rebuild: new ids and updates.
  ix.set(ids[0]!, 30_000);
  assert.equal(ix.get(ids[0]!), 30_000);
  ix.clear();
  assert.equal(ix.size, 0);
  assert.equal(ix.get(ids[19_999]!), undefined);
});
