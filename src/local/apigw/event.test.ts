import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuthorizerEventV2, buildEventV1, buildEventV2, formatRequestTime, isTextContentType, type RequestFacts } from './event.js';

const base: RequestFacts = {
  method: 'POST',
  rawPath: '/prod/users/42',
  rawQueryString: 'a=1&a=2&b=x%20y&flag',
  rawHeaders: ['Host', 'abc123.execute-api.localhost:4566', 'Content-Type', 'application/json', 'X-Dup', 'one', 'x-dup', 'two', 'Cookie', 'c1=v1; c2=v2', 'User-Agent', 'test-agent'],
  body: Buffer.from('{"name":"ada"}'),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  requestId: 'JuFZlhSeoAMEJBA=',
  timeEpoch: Date.UTC(2026, 11, 4, 23, 1, 2, 345),
  apiId: 'abc123',
  accountId: '000000000000',
  domainName: 'abc123.execute-api.localhost',
  stage: 'prod',
  stageVariables: { env: 'dev' },
};
const route = { routeKey: 'POST /users/{id}', pathParameters: { id: '42' } };

test('the request time format', () => {
  assert.equal(formatRequestTime(base.timeEpoch), '04/Dec/2026:23:01:02 +0000');
  assert.equal(formatRequestTime(Date.UTC(2026, 0, 9, 3, 4, 5)), '09/Jan/2026:03:04:05 +0000');
});

test('payload 2.0, field for field', () => {
  assert.deepEqual(buildEventV2(base, route, { lambda: { roles: ['admin'] } }), {
    version: '2.0',
    routeKey: 'POST /users/{id}',
    rawPath: '/prod/users/42',
    rawQueryString: 'a=1&a=2&b=x%20y&flag',
    cookies: ['c1=v1', 'c2=v2'],
    headers: { host: 'abc123.execute-api.localhost:4566', 'content-type': 'application/json', 'x-dup': 'one,two', 'user-agent': 'test-agent' },
    queryStringParameters: { a: '1,2', b: 'x y', flag: '' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      authorizer: { lambda: { roles: ['admin'] } },
      domainName: 'abc123.execute-api.localhost',
      domainPrefix: 'abc123',
      http: { method: 'POST', path: '/prod/users/42', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test-agent' },
      requestId: 'JuFZlhSeoAMEJBA=',
      routeKey: 'POST /users/{id}',
      stage: 'prod',
      time: '04/Dec/2026:23:01:02 +0000',
      timeEpoch: Date.UTC(2026, 11, 4, 23, 1, 2, 345),
    },
    body: '{"name":"ada"}',
    pathParameters: { id: '42' },
    isBase64Encoded: false,
    stageVariables: { env: 'dev' },
  });
});

test('payload 2.0 omits keys without values', () => {
  const e = buildEventV2({ ...base, method: 'GET', rawPath: '/', rawQueryString: '', rawHeaders: ['Host', 'h'], body: Buffer.alloc(0), stage: '$default', stageVariables: undefined }, { routeKey: '$default', pathParameters: {} });
  assert.deepEqual(Object.keys(e), ['version', 'routeKey', 'rawPath', 'rawQueryString', 'headers', 'requestContext', 'isBase64Encoded']);
  assert.equal(e.rawQueryString, '');
  assert.equal((e.requestContext as Record<string, unknown>).authorizer, undefined);
  assert.deepEqual((e.requestContext as { http: unknown }).http, { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' });
});

test('binary and non-text bodies are base64; text types are not', () => {
  const bytes = Buffer.from([0, 1, 2, 255]);
  const e = buildEventV2({ ...base, rawHeaders: ['Content-Type', 'image/png'], body: bytes }, route);
  assert.equal(e.isBase64Encoded, true);
  assert.equal(e.body, bytes.toString('base64'));
  assert.equal(buildEventV2({ ...base, rawHeaders: [], body: Buffer.from('x') }, route).isBase64Encoded, true);
  for (const t of ['text/plain; charset=utf-8', 'Application/JSON', 'application/xml', 'application/javascript', 'text/csv']) assert.equal(isTextContentType(t), true, t);
  for (const t of ['application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png', 'application/vnd.api+json', undefined]) assert.equal(isTextContentType(t), false, String(t));
});

test('payload 1.0, field for field', () => {
  assert.deepEqual(buildEventV1(base, route, { user: 'u1' }), {
    version: '1.0',
    resource: '/users/{id}',
    path: '/prod/users/42',
    httpMethod: 'POST',
    headers: { host: 'abc123.execute-api.localhost:4566', 'content-type': 'application/json', 'x-dup': 'two', cookie: 'c1=v1; c2=v2', 'user-agent': 'test-agent' },
    multiValueHeaders: { host: ['abc123.execute-api.localhost:4566'], 'content-type': ['application/json'], 'x-dup': ['one', 'two'], cookie: ['c1=v1; c2=v2'], 'user-agent': ['test-agent'] },
    queryStringParameters: { a: '2', b: 'x y', flag: '' },
    multiValueQueryStringParameters: { a: ['1', '2'], b: ['x y'], flag: [''] },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      authorizer: { user: 'u1' },
      domainName: 'abc123.execute-api.localhost',
      domainPrefix: 'abc123',
      extendedRequestId: 'JuFZlhSeoAMEJBA=',
      httpMethod: 'POST',
      identity: {
        accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null,
        cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: '127.0.0.1', user: null, userAgent: 'test-agent', userArn: null,
      },
      path: '/prod/users/42',
      protocol: 'HTTP/1.1',
      requestId: 'JuFZlhSeoAMEJBA=',
      requestTime: '04/Dec/2026:23:01:02 +0000',
      requestTimeEpoch: Date.UTC(2026, 11, 4, 23, 1, 2, 345),
      resourceId: 'POST /users/{id}',
      resourcePath: '/users/{id}',
      stage: 'prod',
    },
    pathParameters: { id: '42' },
    stageVariables: { env: 'dev' },
    body: '{"name":"ada"}',
    isBase64Encoded: false,
  });
});

test('payload 1.0 sets keys without values to null', () => {
  const e = buildEventV1({ ...base, rawQueryString: '', body: Buffer.alloc(0), stageVariables: undefined }, { routeKey: '$default', pathParameters: {} });
  assert.equal(e.queryStringParameters, null);
  assert.equal(e.multiValueQueryStringParameters, null);
  assert.equal(e.pathParameters, null);
  assert.equal(e.stageVariables, null);
  assert.equal(e.body, null);
  assert.equal(e.resource, '$default');
});

test('the REQUEST authorizer 2.0 event: the request without its body, with routeArn and identitySource', () => {
  const e = buildAuthorizerEventV2(base, route, 'arn:aws:execute-api:us-east-1:000000000000:abc123/prod/POST/users/42', ['tok']);
  assert.deepEqual(Object.keys(e), ['version', 'type', 'routeArn', 'identitySource', 'routeKey', 'rawPath', 'rawQueryString', 'cookies', 'headers', 'queryStringParameters', 'requestContext', 'pathParameters', 'stageVariables']);
  assert.equal(e.type, 'REQUEST');
  assert.deepEqual(e.identitySource, ['tok']);
});
