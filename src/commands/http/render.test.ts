import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUi } from '../../ui/index.js';
import { fakeIo } from '../../ui/test-streams.js';
import { renderHttp } from './render.js';
import type { HttpResult } from './run.js';

const ui = (color: boolean) => createUi({ json: false, yes: false, color, debug: false, env: color ? { FORCE_COLOR: '1' } : {}, io: fakeIo() });
const result = (o: Partial<HttpResult> = {}): HttpResult => ({
  api: { id: 'a1', name: 'users' },
  method: 'GET',
  url: 'http://127.0.0.1:4566/_aws/execute-api/a1/$default/users',
  status: 200,
  statusText: 'OK',
  headers: { 'content-type': 'application/json', 'apigw-requestid': 'r1' },
  cookies: ['a=1; Path=/'],
  body: '{"users":[]}',
  bodyEncoding: 'utf8',
  json: { users: [] },
  requestId: 'r1',
  elapsedMs: 12.3,
  ...o,
});

test('status line, sorted headers, cookies, pretty JSON body', () => {
  assert.equal(
    renderHttp(result(), ui(false)),
    ['HTTP 200 OK GET http://127.0.0.1:4566/_aws/execute-api/a1/$default/users (12 ms)', 'apigw-requestid: r1', 'content-type: application/json', 'set-cookie: a=1; Path=/', '', '{', '  "users": []', '}'].join('\n'),
  );
});

test('the status line is coloured by class: green 2xx, yellow 4xx, red 5xx', () => {
  assert.match(renderHttp(result(), ui(true)), /^\x1b\[32m/);
  assert.match(renderHttp(result({ status: 404, statusText: 'Not Found' }), ui(true)), /^\x1b\[33m/);
  assert.match(renderHttp(result({ status: 500, statusText: 'Internal Server Error' }), ui(true)), /^\x1b\[31m/);
});

test('binary bodies are summarised; text bodies printed as they are; events follow the body', () => {
  const bin = renderHttp(result({ headers: { 'content-type': 'image/png' }, cookies: [], body: Buffer.from([1, 2, 3]).toString('base64'), bodyEncoding: 'base64', json: undefined }), ui(false));
  assert.match(bin, /\n\(3 bytes of image\/png; --json shows them in base64\)$/);
  assert.match(renderHttp(result({ body: 'plain text', json: undefined }), ui(false)), /\n\nplain text$/);
  const withEvents = renderHttp(result({ events: [{ kind: 'authorizer', function: 'auth', routeKey: 'GET /users', payloadFormatVersion: '2.0', event: { type: 'REQUEST' } }] }), ui(false));
  assert.match(withEvents, /\n\nLambda event \(authorizer GET \/users -> λ auth, payload 2\.0\):\n\{\n {2}"type": "REQUEST"\n\}$/);
  assert.match(renderHttp(result({ events: [], eventNote: 'AWS does not expose it' }), ui(false)), /\nNo Lambda event: AWS does not expose it$/);
  const cut = renderHttp(result({ events: [{ kind: 'integration', function: 'f', routeKey: 'POST /up', payloadFormatVersion: '2.0', event: { body: 'abc' }, bodyTruncatedFrom: 70000 }] }), ui(false));
  assert.match(cut, /\n\(body cut: the emulator keeps the first 3 of its 70000 characters; the function got all of them\)$/);
});
