import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyUrl } from './http-proxy.js';

test('proxyUrl fills path variables (segments re-encoded), appends the $default path and the query string', () => {
  assert.equal(proxyUrl('http://b/pets/{proxy}', { proxy: 'dogs/a b' }, undefined, 'x=1'), 'http://b/pets/dogs/a%20b?x=1');
  assert.equal(proxyUrl('http://b/users/{id}/x', { id: '7' }, undefined, ''), 'http://b/users/7/x');
  assert.equal(proxyUrl('http://b/', {}, '/store/checkout', ''), 'http://b/store/checkout');
  assert.equal(proxyUrl('http://b/base?k=v', {}, undefined, 'x=1'), 'http://b/base?k=v&x=1');
  assert.equal(proxyUrl('http://b/{missing}', {}, undefined, ''), 'http://b/{missing}');
});
