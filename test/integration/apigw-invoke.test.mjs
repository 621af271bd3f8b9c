// The API Gateway v2 data plane end to end: APIs made with the real @aws-sdk/client-apigatewayv2, Node
// handlers deployed with the real Lambda client, then real HTTP requests to both invoke URL forms
// (`<apiId>.execute-api.localhost` by Host header, `/_aws/execute-api/<apiId>/…`): every event field,
// route precedence, response rules, timeouts, authorizers, CORS, the Lambda permission check, binary
// and oversized bodies.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import * as G from '@aws-sdk/client-apigatewayv2';
import { credentials } from '../helpers/emulator.mjs';
import { setupLambda, eventually } from '../helpers/lambda.mjs';

const ACCOUNT = '000000000000';
const lines = [];
let t;
let gw;
let port;
let api;
const fnArn = (name) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const uriOf = (name) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn(name)}/invocations`;
const gsend = (Command, input) => gw.send(new G[`${Command}Command`](input));

/** One HTTP request; `host` set → the `<apiId>.execute-api.localhost` form, else the path form. Headers may repeat (arrays). */
function call(method, path, { apiId = api, hostForm = false, headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (hostForm) h.host = `${apiId}.execute-api.localhost:${port}`;
    const fullPath = hostForm ? path : `/_aws/execute-api/${apiId}${path}`;
    const req = request({ host: '127.0.0.1', port, method, path: fullPath, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        let json;
        try {
          json = JSON.parse(buf.toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, raw: res.rawHeaders, buf, text: buf.toString('utf8'), json });
      });
    });
    req.on('error', reject);
    if (!Array.isArray(body)) {
      if (body !== undefined) req.write(body);
      return void req.end();
    }
    // An array body is written chunk by chunk, each once the previous one was flushed to the socket
    // (with transfer-encoding: chunked, no content-length): the server sees the body arrive over time.
    (async () => {
      for (const part of body) if (!req.destroyed) await new Promise((r) => req.write(part, r));
      req.end();
    })();
  });
}

async function integration(fn, extra = {}) {
  return (await gsend('CreateIntegration', { ApiId: api, IntegrationType: 'AWS_PROXY', IntegrationUri: uriOf(fn), PayloadFormatVersion: '2.0', ...extra })).IntegrationId;
}
async function route(key, integrationId, extra = {}) {
  return gsend('CreateRoute', { ApiId: api, RouteKey: key, Target: `integrations/${integrationId}`, ...extra });
}
async function permit(fn, sourceArn, sid = `apigw-${fn}`) {
  await t.send('AddPermission', { FunctionName: fn, StatementId: sid, Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: sourceArn });
}
const invocations = async (fn) => (await t.logs(fn)).length;

before(async () => {
  t = await setupLambda({ log: (l) => lines.push(l) });
  port = new URL(t.url).port;
  gw = new G.ApiGatewayV2Client({ endpoint: t.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  for (const [name, handler] of [['echo', 'index.event'], ['reply', 'index.reply'], ['auth', 'index.authorizer'], ['policy', 'index.policy'], ['noperm', 'index.event']]) {
    await t.createFunction(name, { fixture: 'apigw', handler, Timeout: 10 });
  }
  api = (await gsend('CreateApi', { Name: 'users-api', ProtocolType: 'HTTP' })).ApiId;
  const echo = await integration('echo');
  const echo1 = await integration('echo', { PayloadFormatVersion: '1.0' });
  const reply = await integration('reply');
  const reply1 = await integration('reply', { PayloadFormatVersion: '1.0' });
  const slow = await integration('reply', { TimeoutInMillis: 50 });
  const noperm = await integration('noperm');
  const simple = (
    await gsend('CreateAuthorizer', {
      ApiId: api, Name: 'simple', AuthorizerType: 'REQUEST', AuthorizerUri: uriOf('auth'), AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true, IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 300,
    })
  ).AuthorizerId;
  const iam = (
    await gsend('CreateAuthorizer', {
      ApiId: api, Name: 'iam', AuthorizerType: 'REQUEST', AuthorizerUri: uriOf('policy'), AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: false, IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 0,
    })
  ).AuthorizerId;
  await route('GET /users/{id}', echo);
  await route('GET /users/me', echo);
  await route('ANY /users/{proxy+}', echo);
  await route('GET /v1/{id}', echo1);
  await route('POST /reply', reply);
  await route('POST /reply1', reply1);
  await route('POST /slow', slow);
  await route('GET /noperm', noperm);
  await route('GET /secure', echo, { AuthorizationType: 'CUSTOM', AuthorizerId: simple });
  await route('GET /iam', echo, { AuthorizationType: 'CUSTOM', AuthorizerId: iam });
  await route('$default', echo);
  await gsend('CreateStage', { ApiId: api, StageName: '$default', AutoDeploy: true });
  await gsend('CreateStage', { ApiId: api, StageName: 'prod', AutoDeploy: true, StageVariables: { env: 'prod' } });
  const base = `arn:aws:execute-api:us-east-1:${ACCOUNT}:${api}`;
  await permit('echo', `${base}/*`);
  await permit('reply', `${base}/*/*/*`);
  await permit('auth', `${base}/authorizers/${simple}`);
  await permit('policy', `${base}/authorizers/*`);
});
after(() => t?.close());

test('an unknown API is 404 {"message":"Not Found"} in both URL forms, with apigw-requestid', async () => {
  for (const hostForm of [false, true]) {
    const r = await call('GET', '/users/1', { apiId: 'nope000000', hostForm });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { message: 'Not Found' });
    assert.match(r.headers['apigw-requestid'], /^[A-Za-z0-9]{15}=$/);
  }
});

test('payload 2.0 on the $default stage (host form): every field as AWS builds it', async () => {
  const r = await call('GET', '/users/42?a=1&a=2&q=x%20y', {
    hostForm: true,
    headers: { 'X-Dup': ['one', 'two'], Cookie: 'c1=v1; c2=v2', 'User-Agent': 'svl-test/1' },
  });
  assert.equal(r.status, 200);
  const e = r.json;
  assert.deepEqual(Object.keys(e), ['version', 'routeKey', 'rawPath', 'rawQueryString', 'cookies', 'headers', 'queryStringParameters', 'requestContext', 'pathParameters', 'isBase64Encoded']);
  assert.equal(e.version, '2.0');
  assert.equal(e.routeKey, 'GET /users/{id}');
  assert.equal(e.rawPath, '/users/42');
  assert.equal(e.rawQueryString, 'a=1&a=2&q=x%20y');
  assert.deepEqual(e.cookies, ['c1=v1', 'c2=v2']);
  assert.equal(e.headers['x-dup'], 'one,two');
  assert.equal(e.headers['user-agent'], 'svl-test/1');
  assert.equal(e.headers.host, `${api}.execute-api.localhost:${port}`);
  assert.equal(e.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(e.headers['x-forwarded-proto'], 'http');
  assert.equal(e.headers['content-length'], '0');
  assert.equal(e.headers.connection, undefined, 'hop-by-hop headers end at API Gateway');
  assert.match(e.headers['x-amzn-trace-id'], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  assert.equal(e.headers.cookie, undefined);
  assert.ok(Object.keys(e.headers).every((k) => k === k.toLowerCase()));
  assert.deepEqual(e.queryStringParameters, { a: '1,2', q: 'x y' });
  assert.deepEqual(e.pathParameters, { id: '42' });
  assert.equal(e.isBase64Encoded, false);
  const now = t.clock.now();
  assert.deepEqual(e.requestContext, {
    accountId: ACCOUNT,
    apiId: api,
    domainName: `${api}.execute-api.localhost`,
    domainPrefix: api,
    http: { method: 'GET', path: '/users/42', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'svl-test/1' },
    requestId: r.headers['apigw-requestid'],
    routeKey: 'GET /users/{id}',
    stage: '$default',
    time: new Date(now).toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1/$2/$3:$4 +0000'),
    timeEpoch: now,
  });
  assert.ok(lines.includes(`APIGW ${api} $default GET /users/42 200 0ms route="GET /users/{id}"`), lines.filter((l) => l.startsWith('APIGW')).join('\n'));
});

test('a named stage (path form): rawPath and http.path keep the stage prefix; stage variables arrive', async () => {
  const r = await call('POST', '/prod/users/7/orders', { headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
  assert.equal(r.status, 200);
  assert.equal(r.json.rawPath, '/prod/users/7/orders');
  assert.equal(r.json.requestContext.http.path, '/prod/users/7/orders');
  assert.equal(r.json.requestContext.stage, 'prod');
  assert.equal(r.json.routeKey, 'ANY /users/{proxy+}');
  assert.deepEqual(r.json.pathParameters, { proxy: '7/orders' });
  assert.deepEqual(r.json.stageVariables, { env: 'prod' });
  assert.equal(r.json.body, '{"n":1}');
  assert.equal(r.json.rawQueryString, '');
  assert.equal('queryStringParameters' in r.json, false);
  assert.equal('cookies' in r.json, false);
  // The path form also takes `$default` as the stage segment (LocalStack's convention).
  const d = await call('GET', '/$default/users/7');
  assert.equal(d.json.requestContext.stage, '$default');
  assert.equal(d.json.rawPath, '/users/7');
});

test('the path arrives percent-decoded (rawPath, http.path, path parameters); the query string stays encoded', async () => {
  const r = await call('GET', '/users/a%20b%40c?q=x%20y%26z');
  assert.equal(r.json.routeKey, 'GET /users/{id}');
  assert.equal(r.json.rawPath, '/users/a b@c');
  assert.equal(r.json.requestContext.http.path, '/users/a b@c');
  assert.deepEqual(r.json.pathParameters, { id: 'a b@c' });
  assert.equal(r.json.rawQueryString, 'q=x%20y%26z');
  assert.deepEqual(r.json.queryStringParameters, { q: 'x y&z' });
});

test('route precedence: exact, then variables, then greedy, ANY after the method, then $default', async () => {
  const key = async (method, path) => (await call(method, path)).json.routeKey;
  assert.equal(await key('GET', '/users/me'), 'GET /users/me');
  assert.equal(await key('GET', '/users/9'), 'GET /users/{id}');
  assert.equal(await key('DELETE', '/users/9'), 'ANY /users/{proxy+}');
  assert.equal(await key('GET', '/users/9/x'), 'ANY /users/{proxy+}');
  assert.equal(await key('GET', '/elsewhere'), '$default');
  // An API with neither a matching route nor $default answers 404.
  const bare = (await gsend('CreateApi', { Name: 'bare', ProtocolType: 'HTTP' })).ApiId;
  await gsend('CreateStage', { ApiId: bare, StageName: '$default', AutoDeploy: true });
  const r = await call('GET', '/anything', { apiId: bare });
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { message: 'Not Found' });
});

test('payload 1.0: resource, path, multi-value headers and query parameters, identity', async () => {
  const r = await call('GET', '/v1/5?x=1&x=2', { headers: { 'X-Dup': ['a', 'b'], 'User-Agent': 'ua' } });
  assert.equal(r.status, 200);
  const e = r.json;
  assert.equal(e.version, '1.0');
  assert.equal(e.resource, '/v1/{id}');
  assert.equal(e.path, '/v1/5');
  assert.equal(e.httpMethod, 'GET');
  assert.equal(e.headers['x-dup'], 'b');
  assert.deepEqual(e.multiValueHeaders['x-dup'], ['a', 'b']);
  assert.deepEqual(e.queryStringParameters, { x: '2' });
  assert.deepEqual(e.multiValueQueryStringParameters, { x: ['1', '2'] });
  assert.deepEqual(e.pathParameters, { id: '5' });
  assert.equal(e.stageVariables, null);
  assert.equal(e.body, null);
  assert.equal(e.requestContext.identity.sourceIp, '127.0.0.1');
  assert.equal(e.requestContext.identity.userAgent, 'ua');
  assert.equal(e.requestContext.resourcePath, '/v1/{id}');
});

const ask = (what, path = '/reply') => call('POST', path, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(what) });

test('2.0 responses: a bare string or object is 200 application/json; structured responses keep status, headers, cookies', async () => {
  let r = await ask({ result: 'hello' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.text, 'hello');
  r = await ask({ result: { a: [1, 2] } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { a: [1, 2] });
  r = await ask({ result: { statusCode: 201, headers: { 'X-Made': 'yes' }, cookies: ['s=1; Path=/', 't=2'], body: 'made' } });
  assert.equal(r.status, 201);
  assert.equal(r.headers['x-made'], 'yes');
  assert.deepEqual(r.headers['set-cookie'], ['s=1; Path=/', 't=2']);
  assert.equal(r.text, 'made');
  assert.match(r.headers['apigw-requestid'], /=$/);
  r = await ask({ result: { statusCode: 200, isBase64Encoded: true, headers: { 'content-type': 'image/png' }, body: Buffer.from([0, 255, 7]).toString('base64') } });
  assert.deepEqual([...r.buf], [0, 255, 7]);
});

test('a malformed response, a function error: 500 Internal Server Error, and the access line says why', async () => {
  let r = await ask({ result: { statusCode: 200, body: { not: 'a string' } } });
  assert.equal(r.status, 500);
  assert.deepEqual(r.json, { message: 'Internal Server Error' });
  assert.ok(lines.some((l) => l.includes('POST /reply 500') && l.includes('integrationErrorMessage="The response from the Lambda function doesn\'t match the format that API Gateway expects. Lambda body contains the wrong type for field "body""')));
  r = await ask({ throw: 'kaboom' });
  assert.equal(r.status, 500);
  assert.deepEqual(r.json, { message: 'Internal Server Error' });
  assert.ok(lines.some((l) => l.includes('integrationErrorMessage="The Lambda function returned the following error: kaboom.')));
});

test('1.0 responses need statusCode', async () => {
  let r = await ask({ result: 'hello' }, '/reply1');
  assert.equal(r.status, 500);
  assert.deepEqual(r.json, { message: 'Internal Server Error' });
  r = await ask({ result: { statusCode: 202, multiValueHeaders: { 'x-m': ['1', '2'] }, body: 'ok' } }, '/reply1');
  assert.equal(r.status, 202);
  assert.equal(r.text, 'ok');
  assert.equal(r.headers['x-m'], '1, 2');
});

test('an integration timeout is 503 Service Unavailable while the function runs on', async () => {
  const finished = () => lines.filter((l) => /^λ reply 200 .*\[apigw\]/.test(l)).length;
  const before = finished();
  const pending = ask({ sleepMs: 1500, result: 'late' }, '/slow');
  await eventually(() => t.emu.apigw.busy().some((b) => b.includes('waiting on an integration')), { what: 'the request to wait on its integration' });
  t.clock.advance(50);
  const r = await pending;
  assert.equal(r.status, 503);
  assert.deepEqual(r.json, { message: 'Service Unavailable' });
  assert.ok(lines.some((l) => l.includes('POST /slow 503') && l.includes('integration timeout of 50 ms')));
  // The function was not stopped: its invocation completes (and is logged) after the 503.
  assert.equal(finished(), before);
  await eventually(() => finished() > before, { what: 'the slow invocation to finish' });
});

test('authorizer: no identity → 401 without invoking; deny → 403; allow → context (arrays and maps) in requestContext.authorizer.lambda; cached for the TTL', async () => {
  let r = await call('GET', '/secure');
  assert.equal(r.status, 401);
  assert.deepEqual(r.json, { message: 'Unauthorized' });
  assert.equal(await invocations('auth'), 0);
  r = await call('GET', '/secure', { headers: { authorization: 'deny' } });
  assert.equal(r.status, 403);
  assert.deepEqual(r.json, { message: 'Forbidden' });
  assert.equal(await invocations('auth'), 1);
  r = await call('GET', '/secure', { headers: { authorization: 'allow' } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.requestContext.authorizer, { lambda: { user: 'u-1', roles: ['admin', 'reader'], profile: { team: 'core', level: 3 }, active: true } });
  assert.equal(await invocations('auth'), 2);
  // Cached by identity value: neither allow nor deny invokes the authorizer again within the TTL.
  assert.equal((await call('GET', '/secure', { headers: { authorization: 'allow' } })).status, 200);
  assert.equal((await call('GET', '/secure', { headers: { authorization: 'deny' } })).status, 403);
  assert.equal(await invocations('auth'), 2);
  t.clock.advance(300_000);
  assert.equal((await call('GET', '/secure', { headers: { authorization: 'allow' } })).status, 200);
  assert.equal(await invocations('auth'), 3);
});

test('authorizer with IAM policy responses: Allow for the routeArn passes with its context, Deny is 403', async () => {
  let r = await call('GET', '/iam', { headers: { authorization: 'allow' } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.requestContext.authorizer.lambda, { tier: 'gold', scopes: ['read'] });
  r = await call('GET', '/iam', { headers: { authorization: 'nope' } });
  assert.equal(r.status, 403);
  assert.deepEqual(r.json, { message: 'Forbidden' });
});

test('CORS: API Gateway answers preflights no route takes; an ANY route takes them; responses get the headers for allowed origins', async () => {
  const cors = (
    await gsend('CreateApi', {
      Name: 'cors-api',
      ProtocolType: 'HTTP',
      CorsConfiguration: { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['authorization', 'content-type'], ExposeHeaders: ['x-total'], MaxAge: 600, AllowCredentials: true },
    })
  ).ApiId;
  const echo = (await gsend('CreateIntegration', { ApiId: cors, IntegrationType: 'AWS_PROXY', IntegrationUri: uriOf('echo'), PayloadFormatVersion: '2.0' })).IntegrationId;
  await gsend('CreateRoute', { ApiId: cors, RouteKey: 'GET /items', Target: `integrations/${echo}` });
  await gsend('CreateRoute', { ApiId: cors, RouteKey: 'ANY /open/{proxy+}', Target: `integrations/${echo}` });
  await gsend('CreateStage', { ApiId: cors, StageName: '$default', AutoDeploy: true });
  await permit('echo', `arn:aws:execute-api:us-east-1:${ACCOUNT}:${cors}/*`, 'cors-api');
  const before = await invocations('echo');
  const preflight = { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' };

  let r = await call('OPTIONS', '/items', { apiId: cors, headers: preflight });
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
  assert.equal(r.headers['access-control-allow-origin'], 'https://app.example');
  assert.equal(r.headers['access-control-allow-methods'], 'GET,POST');
  assert.equal(r.headers['access-control-allow-headers'], 'authorization,content-type');
  assert.equal(r.headers['access-control-max-age'], '600');
  assert.equal(r.headers['access-control-allow-credentials'], 'true');
  assert.ok(r.headers['apigw-requestid']);
  assert.equal(await invocations('echo'), before, 'API Gateway answered the preflight itself');
  r = await call('OPTIONS', '/items', { apiId: cors, headers: { ...preflight, origin: 'https://evil.example' } });
  assert.equal(r.status, 204);
  assert.equal(r.headers['access-control-allow-origin'], undefined);
  // A plain OPTIONS request (no Access-Control-Request-Method) is routed like any other: nothing takes it here.
  assert.equal((await call('OPTIONS', '/items', { apiId: cors, headers: { origin: 'https://app.example' } })).status, 404);

  // ANY takes the preflight to the integration; the configured CORS headers are added to its answer.
  r = await call('OPTIONS', '/open/x', { apiId: cors, headers: preflight });
  assert.equal(r.status, 200);
  assert.equal(r.json.requestContext.http.method, 'OPTIONS');
  assert.equal(r.headers['access-control-allow-origin'], 'https://app.example');
  assert.equal(r.headers['access-control-allow-methods'], 'GET,POST');
  assert.equal(await invocations('echo'), before + 1);

  r = await call('GET', '/items', { apiId: cors, headers: { origin: 'https://app.example' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['access-control-allow-origin'], 'https://app.example');
  assert.equal(r.headers['access-control-expose-headers'], 'x-total');
  assert.equal(r.headers['access-control-allow-credentials'], 'true');
  assert.equal(r.headers['access-control-allow-methods'], undefined);
  r = await call('GET', '/items', { apiId: cors, headers: { origin: 'https://evil.example' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['access-control-allow-origin'], undefined);
});

test('without a permission for apigateway.amazonaws.com: 500, and the log gives the add-permission fix', async () => {
  const r = await call('GET', '/noperm');
  assert.equal(r.status, 500);
  assert.deepEqual(r.json, { message: 'Internal Server Error' });
  assert.equal(await invocations('noperm'), 0);
  const fix = `aws lambda add-permission --function-name noperm --statement-id apigateway --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:us-east-1:${ACCOUNT}:${api}/$default/GET/noperm'`;
  assert.ok(lines.some((l) => l.includes(fix)), lines.filter((l) => l.includes('noperm')).join('\n'));
  assert.ok(lines.some((l) => l.includes('GET /noperm 500') && l.includes("integrationErrorMessage=\"The IAM role configured on the integration or API Gateway doesn't have permissions")));
});

test('binary request bodies arrive base64-encoded; text bodies as text', async () => {
  const bytes = Buffer.from([0, 1, 2, 250, 251, 255]);
  let r = await call('PUT', '/users/1/avatar', { headers: { 'content-type': 'application/octet-stream' }, body: bytes });
  assert.equal(r.json.isBase64Encoded, true);
  assert.equal(r.json.body, bytes.toString('base64'));
  r = await call('PUT', '/users/1/note', { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'héllo' });
  assert.equal(r.json.isBase64Encoded, false);
  assert.equal(r.json.body, 'héllo');
});

test('a body over 10 MB is 413 Request Entity Too Large', async () => {
  const r = await call('POST', '/users/1', { headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(10 * 1024 * 1024 + 1) });
  assert.equal(r.status, 413);
  assert.deepEqual(r.json, { message: 'Request Entity Too Large' });
});

test('a chunked body (no content-length) over 10 MB is also 413, not a connection reset', async () => {
  const mb = Buffer.alloc(1024 * 1024, 0x61);
  const r = await call('POST', '/users/1', { headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' }, body: Array(11).fill(mb) });
  assert.equal(r.status, 413);
  assert.deepEqual(r.json, { message: 'Request Entity Too Large' });
});

test('authorizer failures are 500: the function throws, answers a malformed result, or may not be invoked (the log gives the fix)', async () => {
  const base = `arn:aws:execute-api:us-east-1:${ACCOUNT}:${api}`;
  const make = async (name, fn, simple = true) =>
    (await gsend('CreateAuthorizer', {
      ApiId: api, Name: name, AuthorizerType: 'REQUEST', AuthorizerUri: uriOf(fn), AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: simple, IdentitySource: ['$request.querystring.token'], AuthorizerResultTtlInSeconds: 0,
    })).AuthorizerId;
  const echo = await integration('echo');
  const throwing = await make('throwing', 'reply');
  const malformed = await make('malformed', 'echo');
  const unpermitted = await make('unpermitted', 'noperm');
  await route('GET /auth-throws', echo, { AuthorizationType: 'CUSTOM', AuthorizerId: throwing });
  await route('GET /auth-malformed', echo, { AuthorizationType: 'CUSTOM', AuthorizerId: malformed });
  await route('GET /auth-noperm', echo, { AuthorizationType: 'CUSTOM', AuthorizerId: unpermitted });
  await permit('reply', `${base}/authorizers/${throwing}`, 'auth-throws');
  await permit('echo', `${base}/authorizers/${malformed}`, 'auth-malformed');
  // The reply handler parses the (absent) body of the authorizer event and throws.
  for (const path of ['/auth-throws', '/auth-malformed', '/auth-noperm']) {
    const r = await call('GET', `${path}?token=t`);
    assert.equal(r.status, 500, path);
    assert.deepEqual(r.json, { message: 'Internal Server Error' });
  }
  assert.ok(lines.some((l) => l.includes('GET /auth-throws 500') && l.includes('authorizer error: the authorizer function failed')));
  assert.ok(lines.some((l) => l.includes('GET /auth-malformed 500') && l.includes('isAuthorized')));
  assert.ok(lines.some((l) => l.includes(`--function-name noperm`) && l.includes(`--source-arn '${base}/authorizers/${unpermitted}'`)));
  assert.equal(await invocations('noperm'), 0);
});

test('HTTP_PROXY: the request goes to the integration URI (greedy variable and stage variables filled, full path for $default) and its answer comes back', async () => {
  const { createServer } = await import('node:http');
  const seen = [];
  const backend = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(207, { 'content-type': 'text/plain', 'x-backend': 'yes', 'set-cookie': ['a=1', 'b=2'] });
      res.end('from backend');
    });
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  try {
    const origin = `http://127.0.0.1:${backend.address().port}`;
    const proxyApi = (await gsend('CreateApi', { Name: 'proxy', ProtocolType: 'HTTP' })).ApiId;
    const greedy = (await gsend('CreateIntegration', { ApiId: proxyApi, IntegrationType: 'HTTP_PROXY', IntegrationUri: `${origin}/backend/{proxy}`, IntegrationMethod: 'ANY', PayloadFormatVersion: '1.0' })).IntegrationId;
    const whole = (await gsend('CreateIntegration', { ApiId: proxyApi, IntegrationType: 'HTTP_PROXY', IntegrationUri: origin, IntegrationMethod: 'ANY', PayloadFormatVersion: '1.0' })).IntegrationId;
    await gsend('CreateRoute', { ApiId: proxyApi, RouteKey: 'ANY /pets/{proxy+}', Target: `integrations/${greedy}` });
    await gsend('CreateRoute', { ApiId: proxyApi, RouteKey: '$default', Target: `integrations/${whole}` });
    await gsend('CreateStage', { ApiId: proxyApi, StageName: '$default', AutoDeploy: true });

    let r = await call('PUT', '/pets/dogs/1?x=1', { apiId: proxyApi, headers: { 'content-type': 'application/json', 'x-client': 'c' }, body: '{"a":1}' });
    assert.equal(r.status, 207);
    assert.equal(r.text, 'from backend');
    assert.equal(r.headers['x-backend'], 'yes');
    assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
    assert.ok(r.headers['apigw-requestid']);
    assert.equal(seen[0].method, 'PUT');
    assert.equal(seen[0].url, '/backend/dogs/1?x=1');
    assert.equal(seen[0].headers['x-client'], 'c');
    assert.equal(seen[0].body, '{"a":1}');
    r = await call('GET', '/store/checkout', { apiId: proxyApi });
    assert.equal(r.status, 207);
    assert.equal(seen[1].url, '/store/checkout');
    // Stage variables fill the integration URI.
    const sv = (await gsend('CreateIntegration', { ApiId: proxyApi, IntegrationType: 'HTTP_PROXY', IntegrationUri: `${origin}/\${stageVariables.seg}/x`, IntegrationMethod: 'GET', PayloadFormatVersion: '1.0' })).IntegrationId;
    await gsend('CreateRoute', { ApiId: proxyApi, RouteKey: 'GET /sv', Target: `integrations/${sv}` });
    await gsend('CreateStage', { ApiId: proxyApi, StageName: 'live', AutoDeploy: true, StageVariables: { seg: 'from-stage' } });
    r = await call('GET', '/live/sv', { apiId: proxyApi });
    assert.equal(r.status, 207);
    assert.equal(seen[2].url, '/from-stage/x');
  } finally {
    backend.close();
  }
});

test('a payload 1.0 authorizer answers IAM policies; a cached policy is evaluated again for each route', async () => {
  const v1 = (
    await gsend('CreateAuthorizer', {
      ApiId: api, Name: 'v1', AuthorizerType: 'REQUEST', AuthorizerUri: uriOf('policy'), AuthorizerPayloadFormatVersion: '1.0',
      IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 300,
    })
  ).AuthorizerId;
  const echo = await integration('echo');
  await route('GET /v1auth/a', echo, { AuthorizationType: 'CUSTOM', AuthorizerId: v1 });
  await route('GET /v1auth/b', echo, { AuthorizationType: 'CUSTOM', AuthorizerId: v1 });
  const before = await invocations('policy');
  let r = await call('GET', '/v1auth/a', { headers: { authorization: 'allow' } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.requestContext.authorizer, { lambda: { tier: 'gold', scopes: ['read'] }, principalId: 'user-7' });
  assert.equal(await invocations('policy'), before + 1);
  // The cached policy allows only /v1auth/a (the methodArn it was asked about): /v1auth/b is refused without a call.
  r = await call('GET', '/v1auth/b', { headers: { authorization: 'allow' } });
  assert.equal(r.status, 403);
  assert.equal(await invocations('policy'), before + 1);
});

test('an API with disableExecuteApiEndpoint answers 403 Forbidden on its invoke URLs', async () => {
  const closed = (await gsend('CreateApi', { Name: 'closed', ProtocolType: 'HTTP', DisableExecuteApiEndpoint: true })).ApiId;
  await gsend('CreateStage', { ApiId: closed, StageName: '$default', AutoDeploy: true });
  for (const hostForm of [false, true]) {
    const r = await call('GET', '/anything', { apiId: closed, hostForm });
    assert.equal(r.status, 403);
    assert.deepEqual(r.json, { message: 'Forbidden' });
  }
});

test('a quick-created API (CreateApi with a Lambda target) serves every path through $default once the permission exists', async () => {
  const quick = (await gsend('CreateApi', { Name: 'quick', ProtocolType: 'HTTP', Target: fnArn('echo') })).ApiId;
  let r = await call('POST', '/any/where?x=1', { apiId: quick, headers: { 'content-type': 'text/plain' }, body: 'hi' });
  assert.equal(r.status, 500, 'no permission yet');
  await permit('echo', `arn:aws:execute-api:us-east-1:${ACCOUNT}:${quick}/*/$default`, 'quick');
  r = await call('POST', '/any/where?x=1', { apiId: quick, hostForm: true, headers: { 'content-type': 'text/plain' }, body: 'hi' });
  assert.equal(r.status, 200);
  assert.equal(r.json.routeKey, '$default');
  assert.equal(r.json.rawPath, '/any/where');
  assert.equal(r.json.body, 'hi');
  assert.ok(lines.some((l) => l.includes(`--source-arn 'arn:aws:execute-api:us-east-1:${ACCOUNT}:${quick}/$default/$default'`)));
});

test('a change to an API (new route, stage variables, integration, new stage, deleted route) takes effect on the very next request', async () => {
  const a = (await gsend('CreateApi', { Name: 'changing', ProtocolType: 'HTTP' })).ApiId;
  const echo = (await gsend('CreateIntegration', { ApiId: a, IntegrationType: 'AWS_PROXY', IntegrationUri: uriOf('echo'), PayloadFormatVersion: '2.0' })).IntegrationId;
  await gsend('CreateRoute', { ApiId: a, RouteKey: 'GET /things/{id}', Target: `integrations/${echo}` });
  await gsend('CreateStage', { ApiId: a, StageName: '$default', AutoDeploy: true, StageVariables: { v: 'one' } });
  await permit('echo', `arn:aws:execute-api:us-east-1:${ACCOUNT}:${a}/*`, 'changing');
  const get = () => call('GET', '/things/1', { apiId: a });

  let r = await get();
  assert.equal(r.status, 200);
  assert.equal(r.json.routeKey, 'GET /things/{id}');
  assert.deepEqual(r.json.pathParameters, { id: '1' });
  assert.deepEqual(r.json.stageVariables, { v: 'one' });

  const exact = (await gsend('CreateRoute', { ApiId: a, RouteKey: 'GET /things/1', Target: `integrations/${echo}` })).RouteId;
  r = await get();
  assert.equal(r.json.routeKey, 'GET /things/1', 'the more specific route created after the first request wins');
  assert.equal(r.json.pathParameters, undefined);

  await gsend('UpdateStage', { ApiId: a, StageName: '$default', StageVariables: { v: 'two' } });
  assert.deepEqual((await get()).json.stageVariables, { v: 'two' });

  await gsend('UpdateIntegration', { ApiId: a, IntegrationId: echo, PayloadFormatVersion: '1.0' });
  r = await get();
  assert.equal(r.json.version, '1.0');
  assert.equal(r.json.resource, '/things/1');

  await gsend('DeleteRoute', { ApiId: a, RouteId: exact });
  assert.equal((await get()).json.resource, '/things/{id}');

  // A stage named like the path's first segment now takes the request: nothing matches `/1` below it.
  await gsend('CreateStage', { ApiId: a, StageName: 'things', AutoDeploy: true });
  r = await get();
  assert.equal(r.status, 404);
  assert.deepEqual(r.json, { message: 'Not Found' });
});
