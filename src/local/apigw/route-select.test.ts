import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteKey, selectRoute } from './route-select.js';

const routes = ['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', 'ANY /pets/dog/{id}', 'POST /users', 'GET /', '$default'].map((routeKey) => ({ routeKey }));
const pick = (method: string, path: string, list = routes) => selectRoute(list, method, path);

test('an exact method and path beats a path variable, which beats a greedy variable', () => {
  assert.deepEqual(pick('GET', '/pets/dog/1'), { route: { routeKey: 'GET /pets/dog/1' }, pathParameters: {} });
  assert.deepEqual(pick('GET', '/pets/dog/2'), { route: { routeKey: 'GET /pets/dog/{id}' }, pathParameters: { id: '2' } });
  assert.deepEqual(pick('GET', '/pets/cat/1'), { route: { routeKey: 'GET /pets/{proxy+}' }, pathParameters: { proxy: 'cat/1' } });
});

test('ANY loses to the specific method on the same path and wins over a less specific path', () => {
  assert.equal(pick('DELETE', '/pets/dog/2')?.route.routeKey, 'ANY /pets/dog/{id}');
  assert.equal(pick('GET', '/pets/dog/2')?.route.routeKey, 'GET /pets/dog/{id}');
  assert.deepEqual(pick('POST', '/pets/cat'), { route: { routeKey: 'ANY /{proxy+}' }, pathParameters: { proxy: 'pets/cat' } });
});

test('$default catches what nothing matches; without it nothing is selected', () => {
  assert.equal(pick('GET', '/')?.route.routeKey, 'GET /');
  assert.equal(pick('POST', '/')?.route.routeKey, '$default');
  const noDefault = routes.filter((r) => r.routeKey !== '$default' && !r.routeKey.startsWith('ANY'));
  assert.equal(pick('PUT', '/users', noDefault), undefined);
  assert.equal(pick('GET', '/users/extra', [{ routeKey: 'GET /users' }]), undefined);
});

test('a greedy variable needs at least one segment; a variable one non-empty segment', () => {
  const list = [{ routeKey: 'GET /files/{path+}' }, { routeKey: 'GET /users/{id}' }];
  assert.equal(pick('GET', '/files', list), undefined);
  assert.equal(pick('GET', '/files/', list), undefined);
  assert.deepEqual(pick('GET', '/files/a/b/c.txt', list)?.pathParameters, { path: 'a/b/c.txt' });
  assert.equal(pick('GET', '/users/', list), undefined);
});

test('path parameters are percent-decoded; literal segments compare decoded', () => {
  const list = [{ routeKey: 'GET /users/{id}' }, { routeKey: 'GET /a b' }];
  assert.deepEqual(pick('GET', '/users/j%C3%B6rg%20x', list)?.pathParameters, { id: 'jörg x' });
  assert.equal(pick('GET', '/a%20b', list)?.route.routeKey, 'GET /a b');
});

test('methods are matched exactly (GET does not serve HEAD)', () => {
  assert.equal(pick('HEAD', '/pets/dog/1', [{ routeKey: 'GET /pets/dog/1' }]), undefined);
});

test('parseRouteKey', () => {
  assert.deepEqual(parseRouteKey('GET /a/{b}/{c+}'), {
    method: 'GET',
    segments: [{ kind: 'literal', value: 'a' }, { kind: 'var', name: 'b' }, { kind: 'greedy', name: 'c' }],
    ranks: [2, 1, 0],
  });
  assert.equal(parseRouteKey('$default'), undefined);
  assert.deepEqual(parseRouteKey('GET /'), { method: 'GET', segments: [], ranks: [] });
  // Parsed once per key: the same answer again.
  assert.equal(parseRouteKey('GET /a/{b}/{c+}'), parseRouteKey('GET /a/{b}/{c+}'));
});
