import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../clock.js';
import { AuthorizerCache, identityValues, readAuthorizerResult } from './authorizer.js';

const lookup = {
  header: (n: string) => ({ authorization: 'tok', empty: '' } as Record<string, string>)[n],
  query: (n: string) => ({ token: 'q1' } as Record<string, string>)[n],
  context: (n: string) => ({ routeKey: 'GET /x' } as Record<string, string>)[n],
  stageVariable: (n: string) => ({ env: 'dev' } as Record<string, string>)[n],
};

test('identity sources: headers (case-insensitive), query, context and stage variables; a missing or empty one is undefined', () => {
  assert.deepEqual(identityValues(['$request.header.Authorization', '$request.querystring.token', '$context.routeKey', '$stageVariables.env'], lookup), ['tok', 'q1', 'GET /x', 'dev']);
  assert.equal(identityValues(['$request.header.X-Missing'], lookup), undefined);
  assert.equal(identityValues(['$request.header.Empty'], lookup), undefined);
  assert.equal(identityValues(['$request.querystring.Token'], lookup), undefined);
  assert.deepEqual(identityValues([], lookup), []);
});

const routeArn = 'arn:aws:execute-api:us-east-1:000000000000:abc/$default/GET/x';

test('simple responses: isAuthorized decides; context is kept as returned', () => {
  assert.deepEqual(readAuthorizerResult(JSON.stringify({ isAuthorized: true, context: { roles: ['a', 'b'], m: { k: 1 } } }), { simple: true, routeArn }), { allow: true, context: { roles: ['a', 'b'], m: { k: 1 } } });
  assert.deepEqual(readAuthorizerResult('{"isAuthorized":false}', { simple: true, routeArn }), { allow: false });
  assert.ok('error' in readAuthorizerResult('{"isAuthorized":"yes"}', { simple: true, routeArn }));
  assert.ok('error' in readAuthorizerResult('"allow"', { simple: true, routeArn }));
});

test('IAM policy responses are evaluated for execute-api:Invoke on the routeArn', () => {
  const policy = (effect: string, resource: string) => JSON.stringify({ principalId: 'u1', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] }, context: { a: 1 } });
  assert.deepEqual(readAuthorizerResult(policy('Allow', routeArn), { simple: false, routeArn }), { allow: true, context: { a: 1 }, principalId: 'u1' });
  assert.deepEqual(readAuthorizerResult(policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:abc/*'), { simple: false, routeArn }), { allow: true, context: { a: 1 }, principalId: 'u1' });
  assert.deepEqual(readAuthorizerResult(policy('Deny', routeArn), { simple: false, routeArn }), { allow: false });
  assert.deepEqual(readAuthorizerResult(policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:other/*'), { simple: false, routeArn }), { allow: false });
  assert.ok('error' in readAuthorizerResult('{"isAuthorized":true}', { simple: false, routeArn }));
});

test('the cache keeps an answer for its TTL on the clock, per identity; TTL 0 or no identity does not cache', () => {
  const clock = new FakeClock();
  const cache = new AuthorizerCache(clock);
  cache.put('api/auth', ['tok'], 10, '{"isAuthorized":true}');
  assert.equal(cache.get('api/auth', ['tok']), '{"isAuthorized":true}');
  assert.equal(cache.get('api/auth', ['other']), undefined);
  assert.equal(cache.get('api/other-auth', ['tok']), undefined);
  clock.advance(9_999);
  assert.equal(cache.get('api/auth', ['tok']), '{"isAuthorized":true}');
  clock.advance(1);
  assert.equal(cache.get('api/auth', ['tok']), undefined);
  cache.put('api/auth', ['tok'], 0, 'x');
  cache.put('api/auth', [], 10, 'x');
  assert.equal(cache.get('api/auth', ['tok']), undefined);
  assert.equal(cache.get('api/auth', []), undefined);
});
