import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../store/db.js';
import { ApiGatewayStore } from './store.js';
import type { Route, StoredApi } from './model.js';

const api = (apiId: string): StoredApi => ({
  apiId,
  name: 'a',
  protocolType: 'HTTP',
  routeSelectionExpression: '$request.method $request.path',
  apiKeySelectionExpression: '$request.header.x-api-key',
  apiEndpoint: `http://${apiId}.execute-api.localhost:4566`,
  disableExecuteApiEndpoint: false,
  ipAddressType: 'ipv4',
  createdDate: '2026-01-01T00:00:00Z',
  tags: {},
  region: 'us-east-1',
});
const route = (routeId: string, routeKey: string): Route => ({ routeId, routeKey, authorizationType: 'NONE', apiKeyRequired: false });

test('a failed transaction leaves neither SQLite nor the cache changed', () => {
  const { db, close } = openStore({ inMemory: true });
  try {
    const s = new ApiGatewayStore(db);
    s.transaction(() => s.putApi(api('aaaaaaaaaa')));
    assert.throws(() =>
      s.transaction(() => {
        s.put('aaaaaaaaaa', 'route', 'r1', route('r1', 'GET /'));
        throw new Error('boom');
      }),
    );
    assert.deepEqual(s.routes('aaaaaaaaaa'), []);
    assert.deepEqual(new ApiGatewayStore(db).routes('aaaaaaaaaa'), []);
  } finally {
    close();
  }
});

test('a reopened store reads what was written, children in creation order, and deleting an API drops its children', () => {
  const { db, close } = openStore({ inMemory: true });
  try {
    const s = new ApiGatewayStore(db);
    s.transaction(() => {
      s.putApi(api('bbbbbbbbbb'));
      s.put('bbbbbbbbbb', 'route', 'r2', route('r2', 'GET /b'));
      s.put('bbbbbbbbbb', 'route', 'r1', route('r1', 'GET /a'));
      s.put('bbbbbbbbbb', 'route', 'r2', route('r2', 'GET /b2'));
    });
    const again = new ApiGatewayStore(db);
    assert.equal(again.api('bbbbbbbbbb')?.region, 'us-east-1');
    assert.deepEqual(again.routes('bbbbbbbbbb').map((r) => r.routeKey), ['GET /b2', 'GET /a']);
    s.transaction(() => s.deleteApi('bbbbbbbbbb'));
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM apigw_children').get() as { n: number }).n, 0);
  } finally {
    close();
  }
});
