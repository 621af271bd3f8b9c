import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedOrigin, isPreflight, preflightHeaders, withCorsHeaders } from './cors.js';

const cors = { allowOrigins: ['https://app.example.com', 'https://*.example.org'], allowMethods: ['GET', 'POST'], allowHeaders: ['Authorization', 'Content-Type'], exposeHeaders: ['x-total'], maxAge: 300, allowCredentials: true };

test('origins match exactly, case-insensitively, or through a wildcard label', () => {
  assert.equal(allowedOrigin(cors, 'https://app.example.com'), 'https://app.example.com');
  assert.equal(allowedOrigin(cors, 'HTTPS://APP.example.com'), 'HTTPS://APP.example.com');
  assert.equal(allowedOrigin(cors, 'https://a.example.org'), 'https://a.example.org');
  assert.equal(allowedOrigin(cors, 'https://evil.com'), undefined);
  assert.equal(allowedOrigin(cors, undefined), undefined);
  assert.equal(allowedOrigin({ allowOrigins: ['*'] }, 'https://x.test'), '*');
});

test('a preflight needs OPTIONS, Origin and Access-Control-Request-Method', () => {
  assert.equal(isPreflight('OPTIONS', { origin: 'https://a', requestMethod: 'POST' }), true);
  assert.equal(isPreflight('OPTIONS', { origin: 'https://a' }), false);
  assert.equal(isPreflight('GET', { origin: 'https://a', requestMethod: 'POST' }), false);
});

test('preflight headers come from the configuration', () => {
  assert.deepEqual(preflightHeaders(cors, 'https://app.example.com', 'authorization'), [
    ['access-control-allow-origin', 'https://app.example.com'],
    ['access-control-allow-credentials', 'true'],
    ['access-control-allow-methods', 'GET,POST'],
    ['access-control-allow-headers', 'authorization,content-type'],
    ['access-control-expose-headers', 'x-total'],
    ['access-control-max-age', '300'],
  ]);
  assert.deepEqual(preflightHeaders(cors, 'https://evil.com', undefined), []);
  assert.deepEqual(preflightHeaders({ allowOrigins: ['*'], allowHeaders: ['*'] }, 'https://x', 'X-Custom,Authorization'), [
    ['access-control-allow-origin', '*'],
    ['access-control-allow-headers', 'x-custom,authorization'],
  ]);
});

test('responses get the configured headers for an allowed origin; the integration\'s CORS headers are dropped', () => {
  const h: Array<[string, string]> = [['content-type', 'text/plain'], ['access-control-allow-origin', '*']];
  assert.deepEqual(withCorsHeaders(cors, 'https://app.example.com', h), [
    ['content-type', 'text/plain'],
    ['access-control-allow-origin', 'https://app.example.com'],
    ['access-control-allow-credentials', 'true'],
    ['access-control-expose-headers', 'x-total'],
  ]);
  assert.deepEqual(withCorsHeaders(cors, 'https://evil.com', h), [['content-type', 'text/plain']]);
});
