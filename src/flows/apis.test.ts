import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpecError, validateSpec } from './spec.js';
import { routeKeyProblem } from './apis.js';
import { invokeUrls, planApis, type ObservedApi, type ObservedApis } from './apis-plan.js';
import { preflightProblems } from './preflight.js';
import { specToJson } from './files.js';

const base = { name: 'f', topic: { name: 'f' }, queues: [{ name: 'f-a' }] };
const problems = (apis: unknown) => {
  try {
    validateSpec({ ...base, apis });
  } catch (err) {
    assert.ok(err instanceof SpecError);
    assert.equal(err.exitCode, 2);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
};
const users = {
  name: 'users',
  cors: true,
  authorizers: [{ name: 'roles', function: 'users-auth', ttlSeconds: 60 }],
  routes: [
    { route: 'POST /users', function: 'users-create', authorizer: 'roles' },
    { route: 'GET /users/{userId}', function: 'users-get', timeoutMs: 5000 },
  ],
};

describe('flow spec: apis', () => {
  it('a valid API gets defaults (payload 2.0 authorizer with simple responses, Authorization header, 30 s timeout)', () => {
    const s = validateSpec({ ...base, apis: [users] });
    assert.deepEqual(s.apis[0]!.authorizers[0], { name: 'roles', function: 'users-auth', identitySource: ['$request.header.Authorization'], ttlSeconds: 60, simpleResponses: true });
    assert.deepEqual(s.apis[0]!.routes, [
      { route: 'POST /users', function: 'users-create', authorizer: 'roles', timeoutMs: 30_000 },
      { route: 'GET /users/{userId}', function: 'users-get', timeoutMs: 5000 },
    ]);
    assert.deepEqual(s.apis[0]!.cors?.allowOrigins, ['*']);
    assert.deepEqual(validateSpec(base).apis, []);
  });

  it('route keys as AWS accepts them', () => {
    for (const ok of ['$default', 'GET /', 'ANY /{proxy+}', 'GET /users/{userId}', 'DELETE /a/b.c/{id}/x']) assert.equal(routeKeyProblem(ok), undefined, ok);
    assert.match(routeKeyProblem('get /users')!, /unknown method "get".*did you mean "GET"/);
    assert.match(routeKeyProblem('FETCH /users')!, /unknown method "FETCH"/);
    assert.match(routeKeyProblem('GET users')!, /must start with \//);
    assert.match(routeKeyProblem('GET /users/')!, /must not end with \//);
    assert.match(routeKeyProblem('GET /a//b')!, /empty segment/);
    assert.match(routeKeyProblem('GET /a/{proxy+}/b')!, /greedy path variable must be the last segment/);
    assert.match(routeKeyProblem('GET /a/x{id}')!, /fills a whole segment/);
    assert.match(routeKeyProblem('GET /a/{id}/{id}')!, /appears twice/);
    assert.match(routeKeyProblem('/users')!, /"\$default" or "<METHOD> \/<path>"/);
  });

  it('lists every bad field at once, with its path', () => {
    const p = problems([
      {
        name: 'users',
        cors: { allowOrigins: ['*'], allowCredentials: true, maxAge: -1, allowMethods: ['FETCH'] },
        authorizers: [{ name: 'roles', function: 'bad name', identitySource: 'Authorization', ttlSeconds: 7200 }],
        routes: [
          { route: 'get /users', function: 'f1' },
          { route: 'POST /users', function: 'f2', authorizer: 'role', timeoutMs: 31_000 },
          { route: 'POST /users', function: 'f3', extra: 1 },
        ],
      },
      { name: 'users', routes: [] },
    ]);
    assert.deepEqual(
      p.map((x) => x.split(':')[0]),
      [
        'apis[0].cors.allowMethods',
        'apis[0].cors.maxAge',
        'apis[0].cors.allowCredentials',
        'apis[0].authorizers[0].function',
        'apis[0].authorizers[0].identitySource',
        'apis[0].authorizers[0].ttlSeconds',
        'apis[0].routes[0].route',
        'apis[0].routes[1].authorizer',
        'apis[0].routes[1].timeoutMs',
        'apis[0].routes[2].extra',
        'apis[0].routes[2].route',
        'apis[1].name',
        'apis[1].routes',
      ],
    );
    assert.ok(p.some((x) => /"role" is not an authorizer of this API; did you mean "roles"\?/.test(x)));
    assert.ok(p.some((x) => /apis\[0\]\.routes\[2\]\.route: "POST \/users" is already the route of apis\[0\]\.routes\[1\]/.test(x)));
    assert.deepEqual(problems({ name: 'x' }), ['apis: must be a list of HTTP APIs, e.g. [{ "name": "users", "routes": [{ "route": "GET /users", "function": "list-users" }] }]']);
  });

  it('preflight: functions the routes and authorizers name must exist (or be deployed by the command)', () => {
    const spec = validateSpec({ ...base, apis: [users] });
    const apis: ObservedApis = { available: true, apis: new Map(), stale: [], missingFunctions: new Set(['users-auth', 'users-get']), statements: new Map() };
    assert.deepEqual(
      preflightProblems(spec, { apis }).map((p) => p.path),
      ['apis[0].authorizers[0].function', 'apis[0].routes[1].function'],
    );
    assert.match(preflightProblems(spec, { apis })[0]!.message, /svl deploy <handler dir> --name users-auth/);
    assert.deepEqual(preflightProblems(spec, { apis }, ['users-auth', 'users-get']), []);
  });

  it('the spec file keeps the APIs (written and read back the same)', () => {
    const spec = validateSpec({ ...base, apis: [users] });
    assert.deepEqual(validateSpec(JSON.parse(specToJson(spec))), spec);
    assert.equal(JSON.parse(specToJson(validateSpec(base))).apis, undefined);
  });
});

describe('plan: apis', () => {
  const spec = validateSpec({ ...base, apis: [users] });
  const none: ObservedApis = { available: true, apis: new Map(), stale: [], missingFunctions: new Set(), statements: new Map() };
  const fnArn = (fn: string) => `arn:aws:lambda:us-east-1:000000000000:function:${fn}`;
  const existing = (): ObservedApi => ({
    id: 'a1',
    name: 'users',
    endpoint: 'http://a1.execute-api.localhost:4566',
    protocol: 'HTTP',
    tags: { 'svl:flow': 'f' },
    cors: { AllowOrigins: ['*'], AllowMethods: ['*'], AllowHeaders: ['*'], ExposeHeaders: [], AllowCredentials: false },
    stages: [{ name: '$default', autoDeploy: true }],
    integrations: [
      { id: 'i1', uri: fnArn('users-create'), type: 'AWS_PROXY', payload: '2.0', timeoutMs: 30_000 },
      { id: 'i2', uri: fnArn('users-get'), type: 'AWS_PROXY', payload: '2.0', timeoutMs: 5000 },
    ],
    routes: [
      { id: 'r1', key: 'POST /users', target: 'integrations/i1', authorizationType: 'CUSTOM', authorizerId: 'z1' },
      { id: 'r2', key: 'GET /users/{userId}', target: 'integrations/i2', authorizationType: 'NONE' },
    ],
    authorizers: [
      { id: 'z1', name: 'roles', uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn('users-auth')}/invocations`, identitySource: ['$request.header.Authorization'], ttlSeconds: 60, simpleResponses: true, payload: '2.0' },
    ],
  });
  const observed = (o: ObservedApi): ObservedApis => ({
    ...none,
    apis: new Map([['users', o]]),
    statements: new Map(['users-create', 'users-get', 'users-auth'].map((fn) => [fn, new Set(['svl-a1'])])),
  });
  const brief = (p: ReturnType<typeof planApis>) => p.steps.map((s) => `${s.action} ${s.kind} ${s.name}`);

  it('nothing exists: the API, its $default stage, integrations, authorizer, routes and permissions', () => {
    assert.deepEqual(brief(planApis(spec, none)), [
      'create api users',
      'create stage users $default',
      'create integration users -> λ users-create',
      'create integration users -> λ users-get',
      'create authorizer users roles',
      'create route users POST /users',
      'create route users GET /users/{userId}',
      'create permission users -> λ users-create',
      'create permission users -> λ users-get',
      'create permission users -> λ users-auth',
    ]);
  });

  it('what exists matches: no steps (apply twice changes nothing)', () => {
    assert.deepEqual(planApis(spec, observed(existing())), { steps: [], conflicts: [], warnings: [] });
  });

  it('differences become updates and deletions; a foreign API of that name is a conflict', () => {
    const o = existing();
    o.cors = undefined;
    o.stages[0]!.autoDeploy = false;
    o.authorizers[0]!.ttlSeconds = 0;
    o.routes[1]!.authorizationType = 'CUSTOM';
    o.routes.push({ id: 'r3', key: 'DELETE /users/{userId}', target: 'integrations/i3' });
    o.integrations.push({ id: 'i3', uri: fnArn('users-delete'), type: 'AWS_PROXY', payload: '2.0', timeoutMs: 30_000 });
    const obs = observed(o);
    obs.statements.set('users-auth', new Set());
    assert.deepEqual(brief(planApis(spec, obs)), [
      'update api users',
      'update stage users $default',
      'update authorizer users roles',
      'update route users GET /users/{userId}',
      'create permission users -> λ users-auth',
      'delete route users DELETE /users/{userId}',
      'delete integration users -> λ users-delete',
    ]);
    o.tags = {};
    assert.deepEqual(planApis(spec, observed(o)).conflicts, ['API users (a1) exists and is not managed by svl']);
    assert.deepEqual(planApis(spec, observed(o), { adopt: true }).conflicts, []);
  });

  it('a changed timeout moves the route to a new integration and deletes the old one', () => {
    const s2 = validateSpec({ ...base, apis: [{ ...users, routes: [users.routes[0], { ...users.routes[1], timeoutMs: 9000 }] }] });
    assert.deepEqual(brief(planApis(s2, observed(existing()))), [
      'create integration users -> λ users-get',
      'update route users GET /users/{userId}',
      'delete integration users -> λ users-get',
    ]);
  });

  it('stale APIs of the flow are deleted; a target without API Gateway is a warning', () => {
    const stale = { ...existing(), id: 'old', name: 'gone' };
    assert.deepEqual(brief(planApis(validateSpec(base), { ...none, stale: [stale] })), ['delete api gone']);
    assert.match(planApis(spec, { ...none, available: false }).warnings[0]!, /no API Gateway/);
  });

  it('invoke URLs: both emulator forms, or the API endpoint on AWS', () => {
    assert.deepEqual(invokeUrls('local', 'http://127.0.0.1:4566', { id: 'a1', endpoint: '' }), {
      url: 'http://a1.execute-api.localhost:4566/',
      pathUrl: 'http://127.0.0.1:4566/_aws/execute-api/a1/$default/',
    });
    assert.deepEqual(invokeUrls('aws', undefined, { id: 'a1', endpoint: 'https://a1.execute-api.eu-west-1.amazonaws.com' }), { url: 'https://a1.execute-api.eu-west-1.amazonaws.com/' });
  });
});
