// HTTP APIs in flows, end to end through the built CLI on an in-process emulator: `svl init http-api`
// writes and deploys the handlers and applies the API; `svl http` calls it (status, headers, body,
// --event, exit codes); apply again changes nothing; status prints the invoke URLs; graph shows routes
// -> functions -> topics; destroy removes the API. Then users-api (REQUEST authorizer with roles in its
// context, POST /users publishes to new-user-added-topic), spec validation of apis, and svl http's bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svl, root, NO_STACK } from '../helpers/cli.mjs';
import { lambdaE2eSuite, eventually } from '../helpers/lambda.mjs';

let t;
let env;
let work;
lambdaE2eSuite('svl-http-api-', (s) => ({ t, env, work } = s));

const at = (cwd) => (args, opts = {}) => svl([...args, '--local'], { env, cwd, ...opts });
const json = (r) => {
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout);
};

test('init http-api -> svl http answers from the handler -> apply again: no changes -> status URL -> graph routes -> destroy', async () => {
  const cwd = mkdtempSync(join(work, 'hello-'));
  const run = at(cwd);
  const init = json(await run(['init', 'http-api', '--yes', '--json']));
  // the handlers, in the user's project, deployed one function each with its own handler
  assert.equal(readFileSync(join(cwd, 'hello-api-worker', 'hello.mjs'), 'utf8'), readFileSync(join(root, 'templates', 'http-api', 'hello.mjs'), 'utf8'));
  assert.deepEqual(init.code.deployed.map((d) => [d.function, d.handler]), [['hello-api-hello', 'hello.handler'], ['hello-api-echo', 'echo.handler']]);
  assert.deepEqual(
    init.applied.done.filter((s) => !['topic', 'queue', 'dlq', 'subscription'].includes(s.kind)).map((s) => `${s.action} ${s.kind} ${s.name}`),
    [
      'create api hello-api',
      'create stage hello-api $default',
      'create integration hello-api -> λ hello-api-hello',
      'create integration hello-api -> λ hello-api-echo',
      'create route hello-api GET /hello',
      'create route hello-api GET /hello/{name}',
      'create route hello-api POST /echo',
      'create permission hello-api -> λ hello-api-hello',
      'create permission hello-api -> λ hello-api-echo',
    ],
  );
  const [api] = init.applied.apis;
  assert.equal(api.name, 'hello-api');
  const spec = JSON.parse(readFileSync(join(cwd, 'hello-api.flow.json'), 'utf8'));
  assert.deepEqual(spec.apis[0].routes[1], { route: 'GET /hello/{name}', function: 'hello-api-hello', timeoutMs: 5000 });

  // what AWS would hold: tags, $default stage with autoDeploy, payload 2.0 integrations, scoped permissions
  const A = await import('@aws-sdk/client-apigatewayv2');
  const apigw = new A.ApiGatewayV2Client({ endpoint: t.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const got = await apigw.send(new A.GetApiCommand({ ApiId: api.id }));
  assert.equal(got.Tags['svl:flow'], 'hello-api');
  assert.equal(got.ProtocolType, 'HTTP');
  assert.deepEqual(got.CorsConfiguration.AllowOrigins, ['*']);
  const stage = await apigw.send(new A.GetStageCommand({ ApiId: api.id, StageName: '$default' }));
  assert.equal(stage.AutoDeploy, true);
  const integrations = (await apigw.send(new A.GetIntegrationsCommand({ ApiId: api.id }))).Items;
  assert.deepEqual(integrations.map((i) => [i.IntegrationType, i.PayloadFormatVersion, i.TimeoutInMillis]).sort(), [['AWS_PROXY', '2.0', 5000], ['AWS_PROXY', '2.0', 5000]]);
  const policy = JSON.parse((await t.send('GetPolicy', { FunctionName: 'hello-api-hello' })).Policy);
  const st = policy.Statement.find((s) => s.Sid === `svl-${api.id}`);
  assert.deepEqual(st.Principal, { Service: 'apigateway.amazonaws.com' });
  assert.equal(st.Condition.ArnLike['AWS:SourceArn'], `arn:aws:execute-api:us-east-1:000000000000:${api.id}/*/*`);

  // svl http: the handler's answer, by API name and by id
  let r = json(await run(['http', 'hello-api', 'GET', '/hello/Ada', '--json']));
  assert.equal(r.status, 200);
  assert.equal(r.json.message, 'Hello, Ada!');
  assert.equal(r.json.route, 'GET /hello/{name}');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.ok(r.requestId);
  assert.equal(r.url, `${t.url}/_aws/execute-api/${api.id}/$default/hello/Ada`);
  r = json(await run(['http', api.id, 'GET', '/hello?name=Bob', '--json']));
  assert.equal(r.json.message, 'Hello, Bob!');
  // human output: status line, headers, pretty JSON body
  const human = await run(['http', 'hello-api', 'GET', '/hello']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^HTTP 200 OK GET /);
  assert.match(human.stdout, /\ncontent-type: application\/json\n/);
  assert.match(human.stdout, /\n\{\n {2}"message": "Hello, world!",\n/);

  // --event: the Lambda event the route produced, as the function received it
  r = json(await run(['http', 'hello-api', 'POST', '/echo?x=1', '-H', 'X-Trace: abc', '-d', '{"a":1}', '--event', '--json']));
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.body, { a: 1 });
  assert.equal(r.events.length, 1);
  const [e] = r.events;
  assert.equal(e.kind, 'integration');
  assert.equal(e.function, 'hello-api-echo');
  assert.equal(e.routeKey, 'POST /echo');
  assert.equal(e.event.version, '2.0');
  assert.equal(e.event.rawQueryString, 'x=1');
  assert.equal(e.event.headers['x-trace'], 'abc');
  assert.equal(e.event.headers['content-type'], 'application/json');
  assert.equal(e.event.body, '{"a":1}');
  assert.equal(e.event.requestContext.requestId, r.requestId);
  const humanEvent = await run(['http', 'hello-api', 'POST', '/echo', '-d', '{"b":2}', '--event']);
  assert.match(humanEvent.stdout, /Lambda event \(route POST \/echo -> λ hello-api-echo, payload 2\.0\):\n\{\n {2}"version": "2\.0",/);
  // a request answered by API Gateway itself has no event, and says why
  r = await run(['http', 'hello-api', 'GET', '/nope', '--event', '--json']);
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout).events, []);
  assert.match(JSON.parse(r.stdout).eventNote, /reached no function/);

  // 4xx/5xx: the response is printed, then exit 1 with a hint (curl --fail-with-body); --no-fail exits 0
  r = await run(['http', 'hello-api', 'POST', '/echo', '-d', 'not json']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^HTTP 400 Bad Request/);
  assert.match(r.stderr, /Error: HTTP 400 Bad Request from POST \/echo: the body must be JSON\nHint: /);
  assert.doesNotMatch(r.stderr, NO_STACK);
  r = await run(['http', 'hello-api', 'GET', '/nope']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /HTTP 404 Not Found from GET \/nope: Not Found\nHint: No route of hello-api matches GET \/nope/);
  r = await run(['http', 'hello-api', 'GET', '/nope', '--no-fail']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP 404 Not Found/);

  // apply again: no changes; plan: no steps
  const again = json(await run(['apply', '--json']));
  assert.equal(again.changed, false, JSON.stringify(again.plan.steps));
  assert.deepEqual(json(await run(['plan', '--json'])).plan.steps, []);

  // status prints both invoke URLs; graph shows routes -> functions
  const status = json(await run(['status', 'hello-api', '--json']));
  const port = new URL(t.url).port;
  assert.deepEqual(
    status.apis.map((a) => [a.name, a.id, a.flow, a.url, a.pathUrl]),
    [['hello-api', api.id, 'hello-api', `http://${api.id}.execute-api.localhost:${port}/`, `${t.url}/_aws/execute-api/${api.id}/$default/`]],
  );
  const statusText = await run(['status', 'hello-api']);
  assert.match(statusText.stdout, /HTTP APIs/);
  assert.ok(statusText.stdout.includes(`http://${api.id}.execute-api.localhost:${port}/`));
  const graph = await run(['graph', 'hello-api']);
  assert.equal(graph.code, 0, graph.stderr);
  assert.match(graph.stdout, new RegExp(`API hello-api \\(${api.id}\\)`));
  assert.match(graph.stdout, /├─ POST \/echo → λ hello-api-echo\n├─ GET \/hello → λ hello-api-hello\n└─ GET \/hello\/\{name\} → λ hello-api-hello/);
  assert.deepEqual(json(await run(['graph', 'hello-api', '--json'])).apis[0].routes.map((x) => [x.route, x.function]), [['POST /echo', 'hello-api-echo'], ['GET /hello', 'hello-api-hello'], ['GET /hello/{name}', 'hello-api-hello']]);

  // a changed spec: one route less, a timeout changed -> the plan says so and apply converges
  spec.apis[0].routes = spec.apis[0].routes.filter((x) => x.route !== 'GET /hello').map((x) => (x.function === 'hello-api-echo' ? { ...x, timeoutMs: 8000 } : x));
  writeFileSync(join(cwd, 'hello-api.flow.json'), JSON.stringify(spec, null, 2));
  const plan = json(await run(['plan', '--json'])).plan.steps.map((s) => `${s.action} ${s.kind} ${s.name}`);
  assert.deepEqual(plan, ['create integration hello-api -> λ hello-api-echo', 'update route hello-api POST /echo', 'delete route hello-api GET /hello', 'delete integration hello-api -> λ hello-api-echo']);
  json(await run(['apply', '--yes', '--json']));
  assert.equal(json(await run(['apply', '--json'])).changed, false);
  r = await run(['http', 'hello-api', 'GET', '/hello']);
  assert.equal(r.code, 1);
  assert.equal(json(await run(['http', 'hello-api', 'POST', '/echo', '-d', '{}', '--json'])).status, 200);

  // export: the API as IaC (details in src/flows/export.test.ts)
  const cfn = JSON.parse((await run(['export', 'hello-api.flow.json', '--format', 'cloudformation'])).stdout);
  assert.deepEqual(Object.values(cfn.Resources).map((x) => x.Type).filter((x) => /ApiGateway|Permission/.test(x)).sort(), [
    'AWS::ApiGatewayV2::Api', 'AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Route', 'AWS::ApiGatewayV2::Route', 'AWS::ApiGatewayV2::Stage', 'AWS::Lambda::Permission', 'AWS::Lambda::Permission',
  ]);
  assert.match((await run(['export', 'hello-api.flow.json', '--format', 'terraform'])).stdout, /resource "aws_apigatewayv2_api" "hello_api" \{/);

  // destroy removes the API (and its permissions)
  const destroyed = json(await run(['destroy', 'hello-api', '--yes', '--json']));
  assert.ok(destroyed.deleted.some((s) => s.kind === 'api' && s.name === 'hello-api'));
  r = await run(['http', 'hello-api', 'GET', '/hello']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /No HTTP API "hello-api" on the emulator\.\nHint: /);
  const after = JSON.parse((await t.send('GetPolicy', { FunctionName: 'hello-api-hello' }).catch(() => ({ Policy: '{"Statement":[]}' }))).Policy);
  assert.ok(!after.Statement.some((s) => s.Sid === `svl-${api.id}`), 'the permission is removed with the API');
});

test('init users-api: the authorizer (roles in its context) guards the routes; POST /users publishes to new-user-added-topic', async () => {
  const cwd = mkdtempSync(join(work, 'users-'));
  const run = at(cwd);
  const init = json(await run(['init', 'users-api', '--yes', '--json']));
  assert.ok(init.applied.done.some((s) => s.kind === 'authorizer' && s.name === 'users-api roles'));
  assert.ok(existsSync(join(cwd, 'users-api-worker', 'authorizer.mjs')));

  // no Authorization header: 401 without invoking anything; an unknown caller: 403
  let r = await run(['http', 'users-api', 'GET', '/users', '--json']);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).status, 401);
  assert.equal(JSON.parse(r.stderr).error.hint.startsWith("The authorizer refused the request"), true);
  assert.equal(JSON.parse((await run(['http', 'users-api', 'GET', '/users', '-H', 'authorization: Bearer nobody', '--json'])).stdout).status, 403);

  // an admin creates a user; the event shows the authorizer's context with its roles array
  r = json(await run(['http', 'users-api', 'POST', '/users', '-H', 'authorization: Bearer admin', '-d', '{"userId":"ada","name":"Ada"}', '--event', '--json']));
  assert.equal(r.status, 201);
  assert.deepEqual(r.json, { userId: 'ada', name: 'Ada', email: null, createdBy: 'admin' });
  assert.deepEqual(r.events.map((e) => [e.kind, e.function]), [['authorizer', 'users-api-authorizer'], ['integration', 'users-api-users']]);
  assert.deepEqual(r.events[1].event.requestContext.authorizer.lambda, { user: 'admin', roles: ['admin', 'writer', 'reader'] });

  // a reader reads it back; a reader may not write (the function's own 403)
  r = json(await run(['http', 'users-api', 'GET', '/users/ada', '-H', 'authorization: Bearer reader', '--json']));
  assert.deepEqual(r.json.name, 'Ada');
  r = await run(['http', 'users-api', 'PUT', '/users/ada', '-H', 'authorization: Bearer reader', '-d', '{"name":"Ada L."}', '--json']);
  assert.equal(JSON.parse(r.stdout).status, 403);
  assert.match(r.stderr, /writer role required/);

  // the "user added" event went through new-user-added-topic to the flow's queue
  await eventually(async () => {
    const s = json(await run(['status', 'users-api', '--json']));
    return s.queues.find((q) => q.name === 'users-api-posts')?.depth.visible === 1;
  }, { timeoutMs: 20_000, what: 'the user-added message in users-api-posts' });

  // graph: routes -> function -> topic, with the authorizer
  const graph = await run(['graph', 'users-api']);
  assert.match(graph.stdout, /POST \/users → λ users-api-users → topic new-user-added-topic {2}\[authorizer roles → λ users-api-authorizer\]/);

  // the authorizer taken out of the spec: routes updated, then the authorizer deleted; GET /users is open
  const file = join(cwd, 'users-api.flow.json');
  const spec = JSON.parse(readFileSync(file, 'utf8'));
  spec.apis[0].routes = spec.apis[0].routes.map(({ authorizer: _a, ...x }) => x);
  delete spec.apis[0].authorizers;
  writeFileSync(file, JSON.stringify(spec, null, 2));
  const steps = json(await run(['apply', '--yes', '--json'])).done.map((s) => `${s.action} ${s.kind} ${s.name}`);
  assert.deepEqual(steps.filter((s) => s.startsWith('update route')).length, 4, steps.join('\n'));
  assert.ok(steps.includes('delete authorizer users-api roles'), steps.join('\n'));
  assert.equal(json(await run(['apply', '--json'])).changed, false);
  assert.equal(json(await run(['http', 'users-api', 'GET', '/users', '--json'])).status, 200);
  json(await run(['destroy', 'users-api', '--yes', '--json']));
});

test('flow spec apis: every bad field listed (exit 2); functions that do not exist are refused before any change', async () => {
  const cwd = mkdtempSync(join(work, 'bad-'));
  const run = at(cwd);
  const spec = {
    name: 'badapi',
    topic: { name: 'badapi' },
    queues: [{ name: 'badapi-q' }],
    apis: [{ name: 'a', routes: [{ route: 'get /x', function: 'f' }, { route: 'GET /y/{id', function: 'f', authorizer: 'nope', timeoutMs: 60000 }] }],
  };
  writeFileSync(join(cwd, 'badapi.flow.json'), JSON.stringify(spec));
  let r = await run(['plan']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /apis\[0\]\.routes\[0\]\.route: "get \/x": unknown method "get" \(methods: .*\); did you mean "GET"\?/);
  assert.match(r.stderr, /apis\[0\]\.routes\[1\]\.route: "GET \/y\/\{id": "\{id" in "\/y\/\{id": a path variable fills a whole segment/);
  assert.match(r.stderr, /apis\[0\]\.routes\[1\]\.authorizer: "nope" is not an authorizer of this API/);
  assert.match(r.stderr, /apis\[0\]\.routes\[1\]\.timeoutMs: must be an integer from 50 to 30000/);
  assert.match(r.stderr, /\nHint: /);
  assert.doesNotMatch(r.stderr, NO_STACK);

  spec.apis = [{ name: 'a', routes: [{ route: 'GET /x', function: 'no-such-fn' }] }];
  writeFileSync(join(cwd, 'badapi.flow.json'), JSON.stringify(spec));
  r = await run(['apply', '--yes']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /apis\[0\]\.routes\[0\]\.function: function "no-such-fn" does not exist on this target: deploy it first \(svl deploy <handler dir> --name no-such-fn\)/);
  const status = await run(['status', '--json']);
  assert.ok(!JSON.parse(status.stdout).flows.some((f) => f.name === 'badapi'), 'nothing was created');
});

test('svl http: bad input is a usage error (exit 2) with a hint, before any request', async () => {
  const run = at(work);
  const cases = [
    [['http', 'x', 'FETCH', '/'], /Unknown HTTP method "FETCH"\.\nHint: Use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS/],
    [['http', 'x', 'GET', 'users'], /The path "users" must start with \/\.\nHint: e\.g\. svl http x GET \/users/],
    [['http', 'x', 'GET', 'http://example.com/a?b=1'], /is a URL; svl http takes the API and a path\.\nHint: Pass the path only, e\.g\. svl http x GET \/a\?b=1/],
    [['http', 'x', 'GET', '/', '-H', 'no-colon'], /Bad header "no-colon": expected name:value\.\nHint: /],
    [['http', 'x', 'GET', '/', '-H', 'bad name: v'], /Bad header "bad name: v"/],
    [['http', 'x', 'POST', '/', '-d', '@/no/such/file.json'], /-d: cannot read \/no\/such\/file\.json \(ENOENT\)\nHint: /],
    [['http', 'x', 'GET', '/', '-d', '{}'], /-d: a GET request has no body\.\nHint: /],
    [['http', 'x', 'GET', '/', '--stage', 'a/b'], /Invalid stage name "a\/b"/],
    [['http', 'no-such-api', 'GET', '/'], /No HTTP API "no-such-api" on the emulator\.\nHint: /],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.equal(r.stdout, '');
  }
});
