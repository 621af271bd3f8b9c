import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invokeTarget } from './invoke-url.js';

test('invokeTarget: the path form names the API in the path, the host form in the Host header', () => {
  assert.deepEqual(invokeTarget('/_aws/execute-api/abc123/prod/users', '127.0.0.1:4566'), { apiId: 'abc123', below: '/prod/users', pathForm: true });
  assert.deepEqual(invokeTarget('/_aws/execute-api/abc123', undefined), { apiId: 'abc123', below: '/', pathForm: true });
  assert.equal(invokeTarget('/_aws/execute-api/', undefined), undefined);
  assert.deepEqual(invokeTarget('/prod/users', 'ABC123.execute-api.localhost:4566'), { apiId: 'abc123', below: '/prod/users', pathForm: false });
  assert.deepEqual(invokeTarget('/', 'abc123.execute-api.localhost'), { apiId: 'abc123', below: '/', pathForm: false });
  assert.equal(invokeTarget('/prod/users', 'localhost:4566'), undefined);
});
