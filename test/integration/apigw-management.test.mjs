// The API Gateway v2 management API through the real @aws-sdk/client-apigatewayv2 against a started
// emulator: every implemented operation, AWS's statuses and error shapes, bad input, what each stage
// serves (the data plane's read interface), durability across a restart, and the AWS CLI.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as G from '@aws-sdk/client-apigatewayv2';
import { startTestEmulator, credentials, rejectsWith } from '../helpers/emulator.mjs';
import { aws, AWSCLI_INSTALL_HINT } from '../helpers/awscli.mjs';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:users';
const FN_URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}/invocations`;
const AUTH_FN = 'arn:aws:lambda:us-east-1:000000000000:function:auth';

const { emu, url } = await startTestEmulator();
const client = (region = 'us-east-1') => new G.ApiGatewayV2Client({ endpoint: url, region, credentials, maxAttempts: 1 });
const c = client();
const send = (cmd) => c.send(cmd);
after(() => emu.close());

const arnOf = (apiId, stage) => `arn:aws:apigateway:us-east-1::/apis/${apiId}${stage ? `/stages/${stage}` : ''}`;
const port = new URL(url).port;

async function newApi(extra = {}) {
  return send(new G.CreateApiCommand({ Name: 'users-api', ProtocolType: 'HTTP', ...extra }));
}

async function lambdaIntegration(ApiId, extra = {}) {
  return send(new G.CreateIntegrationCommand({ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '2.0', ...extra }));
}

/** A raw request to the management API (for what the SDK cannot send: malformed JSON, unknown paths). */
async function raw(method, path, body) {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: text ? JSON.parse(text) : undefined };
}

test('CreateApi/GetApi/GetApis/UpdateApi/DeleteApi: lower-camel members, 201/200/204, the endpoint on the emulator port', async () => {
  const api = await newApi({ Description: 'front door', Tags: { team: 'core' }, CorsConfiguration: { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['authorization'], MaxAge: 300, AllowCredentials: true } });
  assert.equal(api.$metadata.httpStatusCode, 201);
  assert.match(api.ApiId, /^[a-z0-9]{10}$/);
  assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${port}`);
  assert.equal(api.ProtocolType, 'HTTP');
  assert.equal(api.RouteSelectionExpression, '$request.method $request.path');
  assert.equal(api.ApiKeySelectionExpression, '$request.header.x-api-key');
  assert.equal(api.DisableExecuteApiEndpoint, false);
  assert.ok(api.CreatedDate instanceof Date);
  assert.deepEqual(api.Tags, { team: 'core' });
  assert.deepEqual(api.CorsConfiguration, { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['authorization'], MaxAge: 300, AllowCredentials: true });

  const got = await send(new G.GetApiCommand({ ApiId: api.ApiId }));
  assert.equal(got.$metadata.httpStatusCode, 200);
  assert.equal(got.Name, 'users-api');
  assert.equal(got.Description, 'front door');

  const updated = await send(new G.UpdateApiCommand({ ApiId: api.ApiId, Name: 'renamed', CorsConfiguration: { AllowOrigins: ['*'] }, DisableExecuteApiEndpoint: true }));
  assert.equal(updated.Name, 'renamed');
  assert.deepEqual(updated.CorsConfiguration, { AllowOrigins: ['*'] });
  assert.equal(updated.DisableExecuteApiEndpoint, true);
  assert.equal(updated.Description, 'front door', 'members not in the update are kept');

  await send(new G.DeleteCorsConfigurationCommand({ ApiId: api.ApiId }));
  assert.equal((await send(new G.GetApiCommand({ ApiId: api.ApiId }))).CorsConfiguration, undefined);

  const del = await send(new G.DeleteApiCommand({ ApiId: api.ApiId }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejectsWith(assert, send(new G.GetApiCommand({ ApiId: api.ApiId })), 'NotFoundException', `Invalid API identifier specified 000000000000:${api.ApiId}`);
  await rejectsWith(assert, send(new G.DeleteApiCommand({ ApiId: api.ApiId })), 'NotFoundException');
});

test('GetApis pages with maxResults/nextToken; APIs are regional', async () => {
  const made = [];
  for (let i = 0; i < 5; i++) made.push((await newApi({ Name: `page-${i}` })).ApiId);
  const seen = [];
  let NextToken;
  let pages = 0;
  do {
    const p = await send(new G.GetApisCommand({ MaxResults: '2', NextToken }));
    assert.ok(p.Items.length <= 2);
    seen.push(...p.Items.map((a) => a.ApiId));
    NextToken = p.NextToken;
    pages++;
  } while (NextToken);
  assert.ok(pages >= 3);
  for (const id of made) assert.ok(seen.includes(id), `${id} listed`);
  assert.equal(new Set(seen).size, seen.length, 'no API twice');

  const west = client('us-west-2');
  const w = await west.send(new G.CreateApiCommand({ Name: 'west', ProtocolType: 'HTTP' }));
  assert.ok(!(await send(new G.GetApisCommand({}))).Items.some((a) => a.ApiId === w.ApiId), 'us-west-2 API not listed in us-east-1');
  await rejectsWith(assert, send(new G.GetApiCommand({ ApiId: w.ApiId })), 'NotFoundException');
  assert.equal((await west.send(new G.GetApiCommand({ ApiId: w.ApiId }))).Name, 'west');

  await rejectsWith(assert, send(new G.GetApisCommand({ MaxResults: '0' })), 'BadRequestException', 'maxResults');
  await rejectsWith(assert, send(new G.GetApisCommand({ NextToken: 'not-a-token' })), 'BadRequestException', 'nextToken');
  for (const id of made) await send(new G.DeleteApiCommand({ ApiId: id }));
});

test('quick create: target + routeKey makes an AWS_PROXY 2.0 integration, the route and an auto-deploying $default stage', async () => {
  const api = await newApi({ Name: 'quick', Target: FN, RouteKey: 'POST /users' });
  const { Items: integrations } = await send(new G.GetIntegrationsCommand({ ApiId: api.ApiId }));
  assert.equal(integrations.length, 1);
  const [it] = integrations;
  assert.equal(it.IntegrationType, 'AWS_PROXY');
  assert.equal(it.IntegrationUri, FN);
  assert.equal(it.PayloadFormatVersion, '2.0');
  assert.equal(it.IntegrationMethod, 'POST');
  assert.equal(it.TimeoutInMillis, 30000);
  assert.equal(it.ApiGatewayManaged, true);
  const { Items: routes } = await send(new G.GetRoutesCommand({ ApiId: api.ApiId }));
  assert.deepEqual(routes.map((r) => [r.RouteKey, r.Target, r.AuthorizationType, r.ApiGatewayManaged]), [['POST /users', `integrations/${it.IntegrationId}`, 'NONE', true]]);
  const stage = await send(new G.GetStageCommand({ ApiId: api.ApiId, StageName: '$default' }));
  assert.equal(stage.AutoDeploy, true);
  assert.equal(stage.ApiGatewayManaged, true);
  assert.ok(stage.DeploymentId);
  const { Items: deployments } = await send(new G.GetDeploymentsCommand({ ApiId: api.ApiId }));
  assert.deepEqual(deployments.map((d) => [d.DeploymentId, d.AutoDeployed, d.DeploymentStatus]), [[stage.DeploymentId, true, 'DEPLOYED']]);

  // Without routeKey the route is $default; UpdateApi's Target re-points the managed integration.
  const plain = await newApi({ Name: 'quick2', Target: FN });
  assert.deepEqual((await send(new G.GetRoutesCommand({ ApiId: plain.ApiId }))).Items.map((r) => r.RouteKey), ['$default']);
  const other = 'arn:aws:lambda:us-east-1:000000000000:function:other';
  await send(new G.UpdateApiCommand({ ApiId: plain.ApiId, Target: other }));
  assert.equal((await send(new G.GetIntegrationsCommand({ ApiId: plain.ApiId }))).Items[0].IntegrationUri, other);
  await send(new G.UpdateApiCommand({ ApiId: plain.ApiId, RouteKey: 'GET /moved' }));
  assert.deepEqual((await send(new G.GetRoutesCommand({ ApiId: plain.ApiId }))).Items.map((r) => r.RouteKey), ['GET /moved']);
  await rejectsWith(assert, send(new G.UpdateApiCommand({ ApiId: plain.ApiId, RouteKey: 'GET moved' })), 'BadRequestException');
  assert.deepEqual((await send(new G.GetRoutesCommand({ ApiId: plain.ApiId }))).Items.map((r) => r.RouteKey), ['GET /moved'], 'a refused update changes nothing');
  await rejectsWith(assert, newApi({ Name: 'bad', Target: FN, RouteKey: 'FETCH /x' }), 'BadRequestException');
  await rejectsWith(assert, newApi({ Name: 'bad', RouteKey: 'GET /x' }), 'BadRequestException', 'Target');
  await rejectsWith(assert, newApi({ Name: 'bad', Target: 'my-function' }), 'BadRequestException', 'target');
  const proxied = await newApi({ Name: 'proxy', Target: 'https://example.com' });
  const [pi] = (await send(new G.GetIntegrationsCommand({ ApiId: proxied.ApiId }))).Items;
  assert.deepEqual([pi.IntegrationType, pi.IntegrationMethod, pi.PayloadFormatVersion], ['HTTP_PROXY', 'ANY', '1.0']);
  assert.ok(!(await send(new G.GetApisCommand({}))).Items.some((a) => a.Name === 'bad'), 'a refused quick create leaves no API behind');
});

test('integrations: AWS_PROXY 1.0/2.0, HTTP_PROXY, timeouts, update, delete, and their errors', async () => {
  const { ApiId } = await newApi();
  const v2 = await lambdaIntegration(ApiId, { TimeoutInMillis: 5000, Description: 'users' });
  assert.equal(v2.$metadata.httpStatusCode, 201);
  assert.match(v2.IntegrationId, /^[a-z0-9]{7}$/);
  assert.deepEqual([v2.IntegrationType, v2.PayloadFormatVersion, v2.TimeoutInMillis, v2.ConnectionType, v2.IntegrationMethod], ['AWS_PROXY', '2.0', 5000, 'INTERNET', 'POST']);
  const v1 = await lambdaIntegration(ApiId, { PayloadFormatVersion: '1.0', IntegrationUri: FN_URI });
  assert.equal(v1.PayloadFormatVersion, '1.0');
  assert.equal(v1.TimeoutInMillis, 30000);
  const http = await send(new G.CreateIntegrationCommand({ ApiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com/{proxy}', IntegrationMethod: 'ANY' }));
  assert.deepEqual([http.IntegrationType, http.PayloadFormatVersion, http.IntegrationMethod], ['HTTP_PROXY', '1.0', 'ANY']);

  const got = await send(new G.GetIntegrationCommand({ ApiId, IntegrationId: v2.IntegrationId }));
  assert.equal(got.Description, 'users');
  assert.deepEqual((await send(new G.GetIntegrationsCommand({ ApiId }))).Items.map((i) => i.IntegrationId), [v2.IntegrationId, v1.IntegrationId, http.IntegrationId]);
  const up = await send(new G.UpdateIntegrationCommand({ ApiId, IntegrationId: v2.IntegrationId, TimeoutInMillis: 50, PayloadFormatVersion: '1.0' }));
  assert.deepEqual([up.TimeoutInMillis, up.PayloadFormatVersion, up.IntegrationUri], [50, '1.0', FN]);

  for (const TimeoutInMillis of [49, 30001]) {
    await rejectsWith(assert, lambdaIntegration(ApiId, { TimeoutInMillis }), 'BadRequestException', 'timeoutInMillis');
    await rejectsWith(assert, send(new G.UpdateIntegrationCommand({ ApiId, IntegrationId: v2.IntegrationId, TimeoutInMillis })), 'BadRequestException');
  }
  await rejectsWith(assert, lambdaIntegration(ApiId, { PayloadFormatVersion: undefined }), 'BadRequestException', 'PayloadFormatVersion');
  await rejectsWith(assert, lambdaIntegration(ApiId, { PayloadFormatVersion: '3.0' }), 'BadRequestException');
  await rejectsWith(assert, lambdaIntegration(ApiId, { IntegrationUri: 'not-an-arn' }), 'BadRequestException');
  await rejectsWith(assert, send(new G.CreateIntegrationCommand({ ApiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com' })), 'BadRequestException', 'method');
  await rejectsWith(assert, send(new G.CreateIntegrationCommand({ ApiId, IntegrationType: 'MOCK' })), 'BadRequestException', 'MOCK');
  await rejectsWith(assert, send(new G.CreateIntegrationCommand({ ApiId, IntegrationType: 'SOAP' })), 'BadRequestException');
  await rejectsWith(assert, send(new G.GetIntegrationCommand({ ApiId, IntegrationId: 'nope123' })), 'NotFoundException', 'nope123');
  await rejectsWith(assert, lambdaIntegration('nope000000'), 'NotFoundException', 'Invalid API identifier specified 000000000000:nope000000');

  // An integration a route targets cannot go; once the route is gone it can.
  const route = await send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /users', Target: `integrations/${v1.IntegrationId}` }));
  await rejectsWith(assert, send(new G.DeleteIntegrationCommand({ ApiId, IntegrationId: v1.IntegrationId })), 'ConflictException', route.RouteId);
  await send(new G.DeleteRouteCommand({ ApiId, RouteId: route.RouteId }));
  const del = await send(new G.DeleteIntegrationCommand({ ApiId, IntegrationId: v1.IntegrationId }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejectsWith(assert, send(new G.DeleteIntegrationCommand({ ApiId, IntegrationId: v1.IntegrationId })), 'NotFoundException');
});

test('routes: route keys, path variables, {proxy+}, duplicates and conflicts, update, delete', async () => {
  const { ApiId } = await newApi();
  const it = await lambdaIntegration(ApiId);
  const Target = `integrations/${it.IntegrationId}`;
  const keys = ['POST /users', 'GET /users/{userId}', 'GET /users/{userId}/orders/{orderId}', 'ANY /files/{proxy+}', 'GET /', '$default', 'OPTIONS /users', 'HEAD /h', 'PATCH /p', 'PUT /p', 'DELETE /p'];
  const made = [];
  for (const RouteKey of keys) {
    const r = await send(new G.CreateRouteCommand({ ApiId, RouteKey, Target }));
    assert.equal(r.$metadata.httpStatusCode, 201);
    assert.match(r.RouteId, /^[a-z0-9]{7}$/);
    assert.deepEqual([r.RouteKey, r.Target, r.AuthorizationType, r.ApiKeyRequired], [RouteKey, Target, 'NONE', false]);
    made.push(r);
  }
  assert.deepEqual((await send(new G.GetRoutesCommand({ ApiId }))).Items.map((r) => r.RouteKey), keys);
  assert.equal((await send(new G.GetRoutesCommand({ ApiId, MaxResults: '3' }))).Items.length, 3);

  for (const RouteKey of ['FETCH /x', 'GET x', 'get /x', 'GET', 'GET /a/{proxy+}/b', 'GET /a//b', 'GET /a/{id}/{id}', 'GET /a/b{c']) {
    await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey })), 'BadRequestException', undefined);
  }
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /a//b' })), 'BadRequestException', 'One or more path parts appear to be invalid');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: '' })), 'BadRequestException', 'Route key is required');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'POST /users' })), 'ConflictException', 'POST /users');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'DELETE /users/{id}' })), 'ConflictException', 'conflicting variable on the same hierarchical level');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /x', Target: 'integrations/nope123' })), 'NotFoundException', 'nope123');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /x', Target: 'lambda/xyz' })), 'BadRequestException', 'integrations/');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /x', AuthorizationType: 'CUSTOM' })), 'BadRequestException', 'authorizerId');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /x', AuthorizationType: 'MAGIC' })), 'BadRequestException');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /x', ApiKeyRequired: true })), 'BadRequestException', 'API keys');

  const [post] = made;
  const up = await send(new G.UpdateRouteCommand({ ApiId, RouteId: post.RouteId, RouteKey: 'POST /people' }));
  assert.equal(up.RouteKey, 'POST /people');
  assert.equal(up.Target, Target, 'target kept');
  await rejectsWith(assert, send(new G.UpdateRouteCommand({ ApiId, RouteId: post.RouteId, RouteKey: 'GET /users/{userId}' })), 'ConflictException');
  assert.equal((await send(new G.GetRouteCommand({ ApiId, RouteId: post.RouteId }))).RouteKey, 'POST /people', 'a refused update changes nothing');
  const del = await send(new G.DeleteRouteCommand({ ApiId, RouteId: post.RouteId }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejectsWith(assert, send(new G.GetRouteCommand({ ApiId, RouteId: post.RouteId })), 'NotFoundException', `Invalid Route identifier specified ${post.RouteId}`);
  await rejectsWith(assert, send(new G.UpdateRouteCommand({ ApiId, RouteId: 'nope123', RouteKey: 'GET /z' })), 'NotFoundException');
});

test('authorizers: REQUEST Lambda authorizers (2.0, simple responses, identity sources, TTL), routes using them, and validation', async () => {
  const { ApiId } = await newApi();
  const a = await send(
    new G.CreateAuthorizerCommand({ ApiId, Name: 'roles', AuthorizerType: 'REQUEST', AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${AUTH_FN}/invocations`, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 60 }),
  );
  assert.equal(a.$metadata.httpStatusCode, 201);
  assert.match(a.AuthorizerId, /^[a-z0-9]{6}$/);
  assert.deepEqual([a.Name, a.AuthorizerType, a.AuthorizerPayloadFormatVersion, a.EnableSimpleResponses, a.IdentitySource, a.AuthorizerResultTtlInSeconds], ['roles', 'REQUEST', '2.0', true, ['$request.header.Authorization'], 60]);
  const noCache = await send(new G.CreateAuthorizerCommand({ ApiId, Name: 'nocache', AuthorizerType: 'REQUEST', AuthorizerUri: AUTH_FN, AuthorizerPayloadFormatVersion: '1.0', IdentitySource: [], AuthorizerResultTtlInSeconds: 0 }));
  assert.deepEqual([noCache.EnableSimpleResponses, noCache.AuthorizerResultTtlInSeconds], [false, 0]);
  const jwt = await send(new G.CreateAuthorizerCommand({ ApiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example', Audience: ['app'] } }));
  assert.deepEqual(jwt.JwtConfiguration, { Issuer: 'https://issuer.example', Audience: ['app'] });

  assert.equal((await send(new G.GetAuthorizerCommand({ ApiId, AuthorizerId: a.AuthorizerId }))).Name, 'roles');
  assert.deepEqual((await send(new G.GetAuthorizersCommand({ ApiId }))).Items.map((x) => x.Name), ['roles', 'nocache', 'jwt']);
  const up = await send(new G.UpdateAuthorizerCommand({ ApiId, AuthorizerId: a.AuthorizerId, AuthorizerResultTtlInSeconds: 3600, IdentitySource: ['$request.header.Authorization', '$request.querystring.token'] }));
  assert.deepEqual([up.AuthorizerResultTtlInSeconds, up.IdentitySource, up.EnableSimpleResponses], [3600, ['$request.header.Authorization', '$request.querystring.token'], true]);

  const base = { ApiId, Name: 'bad', AuthorizerType: 'REQUEST', AuthorizerUri: AUTH_FN, AuthorizerPayloadFormatVersion: '2.0', IdentitySource: ['$request.header.Authorization'] };
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, AuthorizerResultTtlInSeconds: 3601 })), 'BadRequestException', 'authorizerResultTtlInSeconds');
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, AuthorizerResultTtlInSeconds: -1 })), 'BadRequestException');
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, AuthorizerPayloadFormatVersion: '1.0', EnableSimpleResponses: true })), 'BadRequestException', '2.0');
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, IdentitySource: ['Authorization'] })), 'BadRequestException', 'identity source');
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, IdentitySource: [] })), 'BadRequestException', 'caching');
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, AuthorizerUri: undefined })), 'BadRequestException', 'AuthorizerUri');
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, AuthorizerPayloadFormatVersion: undefined })), 'BadRequestException', 'PayloadFormatVersion');
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, AuthorizerType: 'TOKEN' })), 'BadRequestException');
  await rejectsWith(assert, send(new G.CreateAuthorizerCommand({ ...base, Name: undefined })), 'BadRequestException', 'name');
  await rejectsWith(assert, send(new G.GetAuthorizerCommand({ ApiId, AuthorizerId: 'nope12' })), 'NotFoundException', 'nope12');

  // Routes use them: CUSTOM needs a REQUEST authorizer, JWT a JWT one; one in use cannot be deleted.
  const it = await lambdaIntegration(ApiId);
  const r = await send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /me', Target: `integrations/${it.IntegrationId}`, AuthorizationType: 'CUSTOM', AuthorizerId: a.AuthorizerId }));
  assert.deepEqual([r.AuthorizationType, r.AuthorizerId], ['CUSTOM', a.AuthorizerId]);
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /jwt', AuthorizationType: 'CUSTOM', AuthorizerId: jwt.AuthorizerId })), 'BadRequestException', 'REQUEST');
  await rejectsWith(assert, send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /nope', AuthorizationType: 'CUSTOM', AuthorizerId: 'nope12' })), 'NotFoundException', 'nope12');
  await rejectsWith(assert, send(new G.DeleteAuthorizerCommand({ ApiId, AuthorizerId: a.AuthorizerId })), 'ConflictException', r.RouteId);
  const open = await send(new G.UpdateRouteCommand({ ApiId, RouteId: r.RouteId, AuthorizationType: 'NONE' }));
  assert.deepEqual([open.AuthorizationType, open.AuthorizerId], ['NONE', undefined]);
  const del = await send(new G.DeleteAuthorizerCommand({ ApiId, AuthorizerId: a.AuthorizerId }));
  assert.equal(del.$metadata.httpStatusCode, 204);
});

test('stages and deployments: named stages serve their deployment snapshot, auto-deploy stages the current routes', async () => {
  const { ApiId } = await newApi();
  await rejectsWith(assert, send(new G.CreateDeploymentCommand({ ApiId })), 'BadRequestException', 'Unable to deploy API because no routes exist in this API');
  const it = await lambdaIntegration(ApiId);
  const Target = `integrations/${it.IntegrationId}`;
  await send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /v1', Target }));

  const prod = await send(new G.CreateStageCommand({ ApiId, StageName: 'prod', StageVariables: { table: 'users-prod' }, Description: 'live', Tags: { env: 'prod' } }));
  assert.equal(prod.$metadata.httpStatusCode, 201);
  assert.deepEqual([prod.StageName, prod.AutoDeploy, prod.StageVariables, prod.DeploymentId, prod.Tags], ['prod', false, { table: 'users-prod' }, undefined, { env: 'prod' }]);
  assert.deepEqual(prod.DefaultRouteSettings, { DetailedMetricsEnabled: false });
  assert.ok(prod.CreatedDate instanceof Date && prod.LastUpdatedDate instanceof Date);
  assert.deepEqual(emu.apigw.store.routes(ApiId, 'prod'), [], 'a stage without a deployment serves nothing');

  const d = await send(new G.CreateDeploymentCommand({ ApiId, StageName: 'prod', Description: 'first' }));
  assert.equal(d.$metadata.httpStatusCode, 201);
  assert.deepEqual([d.DeploymentStatus, d.AutoDeployed, d.Description], ['DEPLOYED', false, 'first']);
  assert.equal((await send(new G.GetStageCommand({ ApiId, StageName: 'prod' }))).DeploymentId, d.DeploymentId);
  assert.equal((await send(new G.GetDeploymentCommand({ ApiId, DeploymentId: d.DeploymentId }))).Description, 'first');
  assert.equal((await send(new G.UpdateDeploymentCommand({ ApiId, DeploymentId: d.DeploymentId, Description: 'renamed' }))).Description, 'renamed');

  const dev = await send(new G.CreateStageCommand({ ApiId, StageName: '$default', AutoDeploy: true }));
  assert.ok(dev.DeploymentId, 'an auto-deploy stage is deployed at once when routes exist');
  await send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /v2', Target }));
  const store = emu.apigw.store;
  assert.deepEqual(store.routes(ApiId, 'prod').map((r) => r.routeKey), ['GET /v1'], 'prod serves its snapshot');
  assert.deepEqual(store.routes(ApiId, '$default').map((r) => r.routeKey), ['GET /v1', 'GET /v2'], '$default serves the current routes');
  assert.equal(store.integration(ApiId, it.IntegrationId, 'prod').integrationId, it.IntegrationId);
  assert.equal(store.stage(ApiId, 'prod').stageVariables.table, 'users-prod');
  assert.deepEqual(store.stages(ApiId).map((s) => s.stageName), ['prod', '$default']);
  const autoDeployed = (await send(new G.GetDeploymentsCommand({ ApiId }))).Items.filter((x) => x.AutoDeployed);
  assert.ok(autoDeployed.length >= 2, 'each change deploys the auto-deploy stage');
  assert.equal((await send(new G.GetStageCommand({ ApiId, StageName: '$default' }))).DeploymentId, autoDeployed.at(-1).DeploymentId);

  await rejectsWith(assert, send(new G.CreateDeploymentCommand({ ApiId, StageName: '$default' })), 'BadRequestException', 'autoDeploy');
  await rejectsWith(assert, send(new G.CreateDeploymentCommand({ ApiId, StageName: 'nope' })), 'NotFoundException');
  await rejectsWith(assert, send(new G.CreateStageCommand({ ApiId, StageName: 'prod' })), 'ConflictException', 'prod');
  await rejectsWith(assert, send(new G.CreateStageCommand({ ApiId, StageName: 'bad name!' })), 'BadRequestException', 'stage name');
  await rejectsWith(assert, send(new G.CreateStageCommand({ ApiId, StageName: 'v', StageVariables: { 'bad-name': 'x' } })), 'BadRequestException', 'stage variable');
  await rejectsWith(assert, send(new G.CreateStageCommand({ ApiId, StageName: 'v', DeploymentId: 'nope12' })), 'NotFoundException', 'nope12');
  await rejectsWith(assert, send(new G.GetStageCommand({ ApiId, StageName: 'nope' })), 'NotFoundException', 'Invalid stage identifier specified');
  await rejectsWith(assert, send(new G.GetDeploymentCommand({ ApiId, DeploymentId: 'nope12' })), 'NotFoundException', 'nope12');
  await rejectsWith(assert, send(new G.DeleteDeploymentCommand({ ApiId, DeploymentId: d.DeploymentId })), 'BadRequestException', 'prod');

  const up = await send(new G.UpdateStageCommand({ ApiId, StageName: 'prod', StageVariables: { table: 'users-v2' }, DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 } }));
  assert.deepEqual([up.StageVariables, up.DefaultRouteSettings.ThrottlingBurstLimit, up.DeploymentId], [{ table: 'users-v2' }, 10, d.DeploymentId]);
  const toAuto = await send(new G.UpdateStageCommand({ ApiId, StageName: 'prod', AutoDeploy: true }));
  assert.notEqual(toAuto.DeploymentId, d.DeploymentId, 'turning autoDeploy on deploys');
  assert.deepEqual(store.routes(ApiId, 'prod').map((r) => r.routeKey), ['GET /v1', 'GET /v2']);
  assert.deepEqual((await send(new G.GetStagesCommand({ ApiId }))).Items.map((s) => s.StageName), ['prod', '$default']);

  const del = await send(new G.DeleteStageCommand({ ApiId, StageName: 'prod' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejectsWith(assert, send(new G.DeleteStageCommand({ ApiId, StageName: 'prod' })), 'NotFoundException');
  assert.equal((await send(new G.DeleteDeploymentCommand({ ApiId, DeploymentId: d.DeploymentId }))).$metadata.httpStatusCode, 204);
});

test('tags on APIs and stages: TagResource, UntagResource, GetTags', async () => {
  const { ApiId } = await newApi({ Tags: { a: '1' } });
  await send(new G.CreateStageCommand({ ApiId, StageName: 'prod' }));
  const tagged = await send(new G.TagResourceCommand({ ResourceArn: arnOf(ApiId), Tags: { b: '2', a: 'one' } }));
  assert.equal(tagged.$metadata.httpStatusCode, 201);
  assert.deepEqual((await send(new G.GetTagsCommand({ ResourceArn: arnOf(ApiId) }))).Tags, { a: 'one', b: '2' });
  const untagged = await send(new G.UntagResourceCommand({ ResourceArn: arnOf(ApiId), TagKeys: ['a'] }));
  assert.equal(untagged.$metadata.httpStatusCode, 204);
  assert.deepEqual((await send(new G.GetApiCommand({ ApiId }))).Tags, { b: '2' });
  await send(new G.TagResourceCommand({ ResourceArn: arnOf(ApiId, 'prod'), Tags: { env: 'prod' } }));
  assert.deepEqual((await send(new G.GetStageCommand({ ApiId, StageName: 'prod' }))).Tags, { env: 'prod' });
  await rejectsWith(assert, send(new G.GetTagsCommand({ ResourceArn: arnOf('nope000000') })), 'NotFoundException');
  await rejectsWith(assert, send(new G.GetTagsCommand({ ResourceArn: 'arn:aws:sqs:us-east-1:000000000000:q' })), 'BadRequestException');
  await rejectsWith(assert, send(new G.TagResourceCommand({ ResourceArn: arnOf(ApiId), Tags: { 'aws:x': 'y' } })), 'BadRequestException', 'aws:');
});

test('bad input answers AWS-shaped errors, never a 500', async () => {
  const { ApiId } = await newApi();
  // Malformed JSON and a non-object body.
  for (const body of ['{"name":', '[1,2]']) {
    const r = await raw('POST', '/v2/apis', body);
    assert.equal(r.status, 400);
    assert.equal(r.type, 'BadRequestException');
    assert.deepEqual(Object.keys(r.body), ['message']);
  }
  const routeBody = await raw('POST', `/v2/apis/${ApiId}/routes`, '{not json');
  assert.deepEqual([routeBody.status, routeBody.type], [400, 'BadRequestException']);
  // Wrong member types.
  const typed = await raw('POST', '/v2/apis', JSON.stringify({ name: 5, protocolType: 'HTTP' }));
  assert.deepEqual([typed.status, typed.type], [400, 'BadRequestException']);
  const timeout = await raw('POST', `/v2/apis/${ApiId}/integrations`, JSON.stringify({ integrationType: 'AWS_PROXY', integrationUri: FN, payloadFormatVersion: '2.0', timeoutInMillis: '100' }));
  assert.deepEqual([timeout.status, timeout.type], [400, 'BadRequestException']);
  // Unknown API on every kind of child.
  const missing = { ApiId: 'zzzzzzzzzz' };
  for (const cmd of [new G.GetRoutesCommand(missing), new G.GetIntegrationsCommand(missing), new G.GetStagesCommand(missing), new G.GetAuthorizersCommand(missing), new G.GetDeploymentsCommand(missing), new G.CreateRouteCommand({ ...missing, RouteKey: 'GET /' }), new G.UpdateApiCommand({ ...missing, Name: 'x' })]) {
    await rejectsWith(assert, send(cmd), 'NotFoundException', 'Invalid API identifier specified 000000000000:zzzzzzzzzz');
  }
  const nf = await raw('GET', '/v2/apis/zzzzzzzzzz');
  assert.deepEqual([nf.status, nf.type, nf.body], [404, 'NotFoundException', { message: 'Invalid API identifier specified 000000000000:zzzzzzzzzz' }]);
  // Missing and invalid members of CreateApi.
  await rejectsWith(assert, send(new G.CreateApiCommand({ ProtocolType: 'HTTP' })), 'BadRequestException', 'name');
  await rejectsWith(assert, send(new G.CreateApiCommand({ Name: 'x' })), 'BadRequestException', 'protocolType');
  await rejectsWith(assert, send(new G.CreateApiCommand({ Name: 'x', ProtocolType: 'GRPC' })), 'BadRequestException', 'Invalid protocol specified');
  await rejectsWith(assert, send(new G.CreateApiCommand({ Name: 'x', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' })), 'BadRequestException', 'WebSocket');
  await rejectsWith(assert, send(new G.CreateApiCommand({ Name: 'x'.repeat(129), ProtocolType: 'HTTP' })), 'BadRequestException');
  await rejectsWith(assert, send(new G.CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', CorsConfiguration: { MaxAge: 86401 } })), 'BadRequestException', 'maxAge');
  await rejectsWith(assert, send(new G.CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['*'], AllowCredentials: true } })), 'BadRequestException');
  await rejectsWith(assert, send(new G.UpdateApiCommand({ ApiId, Target: FN })), 'BadRequestException', 'quick create');
  // Operations the emulator does not implement, and paths no operation answers.
  await rejectsWith(assert, send(new G.GetDomainNamesCommand({})), 'BadRequestException', 'GetDomainNames');
  await rejectsWith(assert, send(new G.ImportApiCommand({ Body: '{}' })), 'BadRequestException', 'ImportApi');
  await rejectsWith(assert, send(new G.GetModelsCommand({ ApiId })), 'BadRequestException', 'GetModels');
  const unknown = await raw('GET', `/v2/apis/${ApiId}/nothing/here`);
  assert.deepEqual([unknown.status, unknown.type], [404, 'NotFoundException']);
  const wrongMethod = await raw('PUT', `/v2/apis/${ApiId}/routes`, '{}');
  assert.deepEqual([wrongMethod.status, wrongMethod.type], [404, 'NotFoundException']);
});

test('DeleteApi deletes its routes, integrations, stages, authorizers and deployments', async () => {
  const { ApiId } = await newApi({ Target: FN, RouteKey: 'GET /x' });
  await send(new G.CreateAuthorizerCommand({ ApiId, Name: 'a', AuthorizerType: 'REQUEST', AuthorizerUri: AUTH_FN, AuthorizerPayloadFormatVersion: '2.0', IdentitySource: ['$request.header.Authorization'] }));
  assert.equal(emu.apigw.store.routes(ApiId).length, 1);
  await send(new G.DeleteApiCommand({ ApiId }));
  assert.equal(emu.apigw.store.api(ApiId), undefined);
  assert.deepEqual(emu.apigw.store.routes(ApiId), []);
  assert.deepEqual(emu.apigw.store.stages(ApiId), []);
  await rejectsWith(assert, send(new G.GetRoutesCommand({ ApiId })), 'NotFoundException');
});

test('the management state survives a restart on the same state directory', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-apigw-persist-'));
  try {
    let run = await startTestEmulator({ stateDir });
    let cl = new G.ApiGatewayV2Client({ endpoint: run.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const api = await cl.send(new G.CreateApiCommand({ Name: 'durable', ProtocolType: 'HTTP', Tags: { k: 'v' }, CorsConfiguration: { AllowOrigins: ['https://a.example'] } }));
    const ApiId = api.ApiId;
    const it = await cl.send(new G.CreateIntegrationCommand({ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FN, PayloadFormatVersion: '1.0', TimeoutInMillis: 1234 }));
    const auth = await cl.send(new G.CreateAuthorizerCommand({ ApiId, Name: 'a', AuthorizerType: 'REQUEST', AuthorizerUri: AUTH_FN, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 30 }));
    const route = await cl.send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /users/{id}', Target: `integrations/${it.IntegrationId}`, AuthorizationType: 'CUSTOM', AuthorizerId: auth.AuthorizerId }));
    await cl.send(new G.CreateStageCommand({ ApiId, StageName: 'prod', StageVariables: { a: 'b' } }));
    const dep = await cl.send(new G.CreateDeploymentCommand({ ApiId, StageName: 'prod' }));
    await cl.send(new G.CreateRouteCommand({ ApiId, RouteKey: 'POST /users', Target: `integrations/${it.IntegrationId}` }));
    const snapshot = async (client) => ({
      api: await client.send(new G.GetApiCommand({ ApiId })),
      integrations: (await client.send(new G.GetIntegrationsCommand({ ApiId }))).Items,
      routes: (await client.send(new G.GetRoutesCommand({ ApiId }))).Items,
      authorizers: (await client.send(new G.GetAuthorizersCommand({ ApiId }))).Items,
      stages: (await client.send(new G.GetStagesCommand({ ApiId }))).Items,
      deployments: (await client.send(new G.GetDeploymentsCommand({ ApiId }))).Items,
    });
    const strip = ({ api: { $metadata: _m, ApiEndpoint: _e, ...api }, ...rest }) => ({ api, ...rest });
    const before = strip(await snapshot(cl));
    await run.emu.close();

    run = await startTestEmulator({ stateDir });
    cl = new G.ApiGatewayV2Client({ endpoint: run.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const afterRestart = await snapshot(cl);
      assert.deepEqual(strip(afterRestart), before);
      assert.equal(afterRestart.api.ApiEndpoint, `http://${ApiId}.execute-api.localhost:${new URL(run.url).port}`, 'the endpoint follows the new port');
      assert.equal((await cl.send(new G.GetRouteCommand({ ApiId, RouteId: route.RouteId }))).AuthorizerId, auth.AuthorizerId);
      assert.equal((await cl.send(new G.GetStageCommand({ ApiId, StageName: 'prod' }))).DeploymentId, dep.DeploymentId);
      assert.deepEqual(run.emu.apigw.store.routes(ApiId, 'prod').map((r) => r.routeKey), ['GET /users/{id}'], 'the deployment snapshot survives');
      assert.equal(run.emu.apigw.store.authorizer(ApiId, auth.AuthorizerId, 'prod').authorizerResultTtlInSeconds, 30);
      await cl.send(new G.DeleteApiCommand({ ApiId }));
      await run.emu.close();
      run = await startTestEmulator({ stateDir });
      cl = new G.ApiGatewayV2Client({ endpoint: run.url, region: 'us-east-1', credentials, maxAttempts: 1 });
      await rejectsWith(assert, cl.send(new G.GetApiCommand({ ApiId })), 'NotFoundException');
      assert.deepEqual(run.emu.apigw.store.routes(ApiId), [], 'no child outlives its API');
    } finally {
      await run.emu.close();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('AWS CLI: create-api, get-apis, integrations, routes, stages, deployments, tags, errors', async () => {
  const run = async (args) => {
    const r = await aws(args, { url });
    assert.equal(r.code, 0, `aws ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  };
  const version = await aws(['--version']);
  assert.equal(version.code, 0, `aws --version failed: ${version.stderr}\n${AWSCLI_INSTALL_HINT}`);

  const api = await run(['apigatewayv2', 'create-api', '--name', 'cli-api', '--protocol-type', 'HTTP', '--tags', 'team=cli']);
  assert.match(api.ApiId, /^[a-z0-9]{10}$/);
  assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${port}`);
  assert.deepEqual(api.Tags, { team: 'cli' });
  const listed = await run(['apigatewayv2', 'get-apis']);
  assert.ok(listed.Items.some((a) => a.ApiId === api.ApiId && a.Name === 'cli-api'));

  const it = await run(['apigatewayv2', 'create-integration', '--api-id', api.ApiId, '--integration-type', 'AWS_PROXY', '--integration-uri', FN, '--payload-format-version', '2.0', '--timeout-in-millis', '10000']);
  assert.deepEqual([it.PayloadFormatVersion, it.TimeoutInMillis], ['2.0', 10000]);
  const route = await run(['apigatewayv2', 'create-route', '--api-id', api.ApiId, '--route-key', 'GET /users/{userId}', '--target', `integrations/${it.IntegrationId}`]);
  assert.equal(route.RouteKey, 'GET /users/{userId}');
  const auth = await run(['apigatewayv2', 'create-authorizer', '--api-id', api.ApiId, '--name', 'roles', '--authorizer-type', 'REQUEST', '--authorizer-uri', AUTH_FN, '--authorizer-payload-format-version', '2.0', '--enable-simple-responses', '--identity-source', '$request.header.Authorization']);
  assert.equal(auth.EnableSimpleResponses, true);
  const stage = await run(['apigatewayv2', 'create-stage', '--api-id', api.ApiId, '--stage-name', 'prod', '--stage-variables', 'table=users']);
  assert.deepEqual(stage.StageVariables, { table: 'users' });
  const dep = await run(['apigatewayv2', 'create-deployment', '--api-id', api.ApiId, '--stage-name', 'prod']);
  assert.equal(dep.DeploymentStatus, 'DEPLOYED');
  assert.equal((await run(['apigatewayv2', 'get-stage', '--api-id', api.ApiId, '--stage-name', 'prod'])).DeploymentId, dep.DeploymentId);
  assert.deepEqual((await run(['apigatewayv2', 'get-routes', '--api-id', api.ApiId])).Items.map((r) => r.RouteId), [route.RouteId]);
  await run(['apigatewayv2', 'tag-resource', '--resource-arn', arnOf(api.ApiId), '--tags', 'env=test']);
  assert.deepEqual((await run(['apigatewayv2', 'get-tags', '--resource-arn', arnOf(api.ApiId)])).Tags, { team: 'cli', env: 'test' });
  await run(['apigatewayv2', 'untag-resource', '--resource-arn', arnOf(api.ApiId), '--tag-keys', 'team']);
  assert.deepEqual((await run(['apigatewayv2', 'get-tags', '--resource-arn', arnOf(api.ApiId)])).Tags, { env: 'test' });

  const dup = await aws(['apigatewayv2', 'create-route', '--api-id', api.ApiId, '--route-key', 'GET /users/{userId}'], { url });
  assert.ok([254, 255].includes(dup.code), `exit ${dup.code}: ${dup.stderr}`);
  assert.match(dup.stderr, /\(ConflictException\) when calling the CreateRoute operation/);
  const bad = await aws(['apigatewayv2', 'create-integration', '--api-id', api.ApiId, '--integration-type', 'AWS_PROXY', '--integration-uri', FN, '--payload-format-version', '2.0', '--timeout-in-millis', '40000'], { url });
  assert.ok([254, 255].includes(bad.code), `exit ${bad.code}: ${bad.stderr}`);
  assert.match(bad.stderr, /\(BadRequestException\) when calling the CreateIntegration operation/);

  await run(['apigatewayv2', 'delete-api', '--api-id', api.ApiId]);
  const gone = await aws(['apigatewayv2', 'get-api', '--api-id', api.ApiId], { url });
  assert.ok([254, 255].includes(gone.code), `exit ${gone.code}: ${gone.stderr}`);
  assert.match(gone.stderr, new RegExp(`\\(NotFoundException\\) when calling the GetApi operation: Invalid API identifier specified 000000000000:${api.ApiId}`));
});

test('DeleteRouteRequestParameter removes one request parameter; each change is one log line', async () => {
  const lines = [];
  const run = await startTestEmulator({ log: (l) => lines.push(l) });
  const cl = new G.ApiGatewayV2Client({ endpoint: run.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  try {
    const { ApiId } = await cl.send(new G.CreateApiCommand({ Name: 'logged', ProtocolType: 'HTTP' }));
    const r = await cl.send(new G.CreateRouteCommand({ ApiId, RouteKey: 'GET /q', RequestParameters: { 'route.request.querystring.id': { Required: true } } }));
    assert.deepEqual(r.RequestParameters, { 'route.request.querystring.id': { Required: true } });
    const del = await cl.send(new G.DeleteRouteRequestParameterCommand({ ApiId, RouteId: r.RouteId, RequestParameterKey: 'route.request.querystring.id' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.deepEqual((await cl.send(new G.GetRouteCommand({ ApiId, RouteId: r.RouteId }))).RequestParameters, {});
    await rejectsWith(assert, cl.send(new G.DeleteRouteRequestParameterCommand({ ApiId, RouteId: r.RouteId, RequestParameterKey: 'route.request.querystring.id' })), 'BadRequestException');
    await cl.send(new G.GetRoutesCommand({ ApiId }));
    const apigw = lines.filter((l) => l.startsWith('APIGW '));
    assert.deepEqual(apigw, [`APIGW CreateApi ${ApiId} logged`, `APIGW CreateRoute ${ApiId} GET /q`, `APIGW DeleteRouteRequestParameter ${ApiId} ${r.RouteId}`]);
  } finally {
    await run.emu.close();
  }
});
