import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { emptyBody, invokeTarget, readLimited } from './invoke-url.js';

test('invokeTarget: the path form names the API in the path, the host form in the Host header', () => {
  assert.deepEqual(invokeTarget('/_aws/execute-api/abc123/prod/users', '127.0.0.1:4566'), { apiId: 'abc123', below: '/prod/users', pathForm: true });
  assert.deepEqual(invokeTarget('/_aws/execute-api/abc123', undefined), { apiId: 'abc123', below: '/', pathForm: true });
  assert.equal(invokeTarget('/_aws/execute-api/', undefined), undefined);
  assert.deepEqual(invokeTarget('/prod/users', 'ABC123.execute-api.localhost:4566'), { apiId: 'abc123', below: '/prod/users', pathForm: false });
  assert.deepEqual(invokeTarget('/', 'abc123.execute-api.localhost'), { apiId: 'abc123', below: '/', pathForm: false });
  assert.equal(invokeTarget('/prod/users', 'localhost:4566'), undefined);
});

test('readLimited: a chunked body over the limit is drained, not destroyed (the client then gets the 413)', async () => {
  const body = new PassThrough();
  const req = Object.assign(body, { headers: { 'transfer-encoding': 'chunked' }, complete: false }) as unknown as IncomingMessage;
  const read = readLimited(req, 10);
  for (let i = 0; i < 5; i++) body.write(Buffer.alloc(4));
  await new Promise((r) => setImmediate(r));
  assert.equal(body.destroyed, false, 'the socket stays open while the rest of the body arrives');
  (req as { complete: boolean }).complete = true;
  body.end();
  assert.equal(await read, undefined);

  const small = Object.assign(new PassThrough(), { headers: { 'content-length': '5' }, complete: true }) as unknown as IncomingMessage & PassThrough;
  const ok = readLimited(small, 10);
  small.end(Buffer.from('hello'));
  assert.equal((await ok)?.toString(), 'hello');
});

test('emptyBody: a request without Content-Length and Transfer-Encoding (or with Content-Length 0) has an empty body at once; any other is read', async () => {
  const req = (headers: Record<string, string>) => Object.assign(new PassThrough(), { headers, complete: false }) as unknown as IncomingMessage;
  assert.equal(emptyBody(req({}))?.length, 0);
  assert.equal(emptyBody(req({ 'content-length': '0' }))?.length, 0);
  assert.equal(emptyBody(req({ 'content-length': '3' })), undefined);
  assert.equal(emptyBody(req({ 'transfer-encoding': 'chunked' })), undefined);
  assert.equal((await readLimited(req({}), 10))?.length, 0, 'readLimited answers without waiting for the end of a body there is not');
});
