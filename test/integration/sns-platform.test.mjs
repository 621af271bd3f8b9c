// SNS platform applications and endpoints (mobile push) with the real @aws-sdk/client-sns: create, get/set
// attributes, list, delete, endpoint idempotency, publish to an endpoint (logged, never sent) and AWS's
// errors. [AWS-rec] = LocalStack snapshot recorded against AWS (TestSNSPlatformApplicationCrud,
// TestSNSPlatformEndpointCrud).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns, expectSnsError, invalidParameter, ACCOUNT, REGION } from '../helpers/sns.mjs';

const lines = [];
let t;
before(async () => (t = await setupSns({ log: (l) => lines.push(l) })));
after(() => t.close());

const CREDS = { PlatformPrincipal: 'client-id', PlatformCredential: 'client-secret' };
const appNotFound = { name: 'NotFoundException', code: 'NotFound', status: 404, message: 'PlatformApplication does not exist' };
const endpointNotFound = { name: 'NotFoundException', code: 'NotFound', status: 404, message: 'Endpoint does not exist' };
const nullAttributes = { code: 'ValidationError', message: "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: Member must not be null" };

async function createApp(name = t.name('app'), Platform = 'ADM', Attributes = CREDS) {
  return (await t.call('CreatePlatformApplication', { Name: name, Platform, Attributes })).PlatformApplicationArn;
}
const createEndpoint = async (PlatformApplicationArn, Token = 'token_1', extra = {}) =>
  (await t.call('CreatePlatformEndpoint', { PlatformApplicationArn, Token, ...extra })).EndpointArn;

test('CreatePlatformApplication returns app/<platform>/<name>; Get/List show Enabled, never the credentials [AWS-rec]', async () => {
  const name = t.name('app');
  const arn = await createApp(name);
  assert.equal(arn, `arn:aws:sns:${REGION}:${ACCOUNT}:app/ADM/${name}`);
  assert.deepEqual((await t.call('GetPlatformApplicationAttributes', { PlatformApplicationArn: arn })).Attributes, { Enabled: 'true' });
  const listed = (await t.call('ListPlatformApplications', {})).PlatformApplications.find((a) => a.PlatformApplicationArn === arn);
  assert.deepEqual(listed, { PlatformApplicationArn: arn, Attributes: { Enabled: 'true' } });
  // GCM takes a credential alone.
  assert.match(await createApp(t.name('gcm'), 'GCM', { PlatformCredential: 'server-key' }), /:app\/GCM\//);
});

test('SetPlatformApplicationAttributes merges [AWS-rec]; DeletePlatformApplication deletes it and its endpoints [AWS-rec]', async () => {
  const arn = await createApp();
  await t.call('SetPlatformApplicationAttributes', { PlatformApplicationArn: arn, Attributes: { SuccessFeedbackSampleRate: '50' } });
  assert.deepEqual((await t.call('GetPlatformApplicationAttributes', { PlatformApplicationArn: arn })).Attributes, { Enabled: 'true', SuccessFeedbackSampleRate: '50' });
  const ep = await createEndpoint(arn);
  await t.call('DeletePlatformApplication', { PlatformApplicationArn: arn });
  await t.call('DeletePlatformApplication', { PlatformApplicationArn: arn }); // idempotent
  await expectSnsError(t.call('ListEndpointsByPlatformApplication', { PlatformApplicationArn: arn }), appNotFound);
  await expectSnsError(t.call('GetEndpointAttributes', { EndpointArn: ep }), endpointNotFound);
  assert.equal((await t.call('ListPlatformApplications', {})).PlatformApplications.some((a) => a.PlatformApplicationArn === arn), false);
});

test('platform application errors: name, platform, attributes, ARN, unknown application [AWS-rec]', async () => {
  await expectSnsError(t.call('CreatePlatformApplication', { Name: 'a'.repeat(257), Platform: 'ADM', Attributes: CREDS }), invalidParameter(`Invalid parameter: ${'a'.repeat(257)} Reason: must be at most 256 characters long`));
  await expectSnsError(t.call('CreatePlatformApplication', { Name: '', Platform: 'ADM', Attributes: CREDS }), invalidParameter('Invalid parameter:  Reason: cannot be empty'));
  await expectSnsError(
    t.call('CreatePlatformApplication', { Name: '@name', Platform: 'ADM', Attributes: CREDS }),
    invalidParameter("Invalid parameter: @name Reason: must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"),
  );
  await expectSnsError(t.call('CreatePlatformApplication', { Name: 'x', Platform: 'AAA', Attributes: CREDS }), invalidParameter('Invalid parameter: Platform Reason: AAA is not supported'));
  await expectSnsError(t.call('CreatePlatformApplication', { Name: 'x', Platform: 'ADM' }), nullAttributes);
  await expectSnsError(
    t.call('CreatePlatformApplication', { Name: 'x', Platform: 'ADM', Attributes: { PlatformPrincipal: 'p' } }),
    invalidParameter('Invalid parameter: Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential'),
  );
  await expectSnsError(
    t.call('CreatePlatformApplication', { Name: 'x', Platform: 'ADM', Attributes: { PlatformCredential: 'c' } }),
    invalidParameter('Invalid parameter: Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal'),
  );
  const badArn = invalidParameter('Invalid parameter: PlatformApplicationArn Reason: An ARN must have at least 6 elements, not 1');
  await expectSnsError(t.call('GetPlatformApplicationAttributes', { PlatformApplicationArn: 'nope' }), badArn);
  await expectSnsError(t.call('SetPlatformApplicationAttributes', { PlatformApplicationArn: 'nope', Attributes: { Enabled: 'true' } }), badArn);
  const missing = `arn:aws:sns:${REGION}:${ACCOUNT}:app/ADM/missing`;
  await expectSnsError(t.call('GetPlatformApplicationAttributes', { PlatformApplicationArn: missing }), appNotFound);
  await expectSnsError(t.call('SetPlatformApplicationAttributes', { PlatformApplicationArn: missing, Attributes: { Enabled: 'true' } }), appNotFound);
  // A missing map is reported before the application is looked up [AWS-rec].
  await expectSnsError(t.call('SetPlatformApplicationAttributes', { PlatformApplicationArn: missing }), nullAttributes);
  await expectSnsError(t.call('CreatePlatformEndpoint', { PlatformApplicationArn: missing, Token: 't' }), appNotFound);
  await expectSnsError(t.call('ListPlatformApplications', { NextToken: '!!' }), invalidParameter('Invalid parameter: NextToken'));
});

test('CreatePlatformEndpoint: endpoint/<platform>/<app>/<id>, idempotent for the same token and attributes [AWS-rec]', async () => {
  const name = t.name('app');
  const app = await createApp(name);
  const ep = await createEndpoint(app);
  assert.match(ep, new RegExp(`^arn:aws:sns:${REGION}:${ACCOUNT}:endpoint/ADM/${name}/[0-9a-f-]{36}$`));
  assert.equal(await createEndpoint(app), ep);
  await expectSnsError(
    createEndpoint(app, 'token_1', { Attributes: { Enabled: 'false' } }),
    invalidParameter(`Invalid parameter: Token Reason: Endpoint ${ep} already exists with the same Token, but different attributes.`),
  );
  assert.deepEqual((await t.call('GetEndpointAttributes', { EndpointArn: ep })).Attributes, { Enabled: 'true', Token: 'token_1' });
  assert.deepEqual((await t.call('ListEndpointsByPlatformApplication', { PlatformApplicationArn: app })).Endpoints, [{ EndpointArn: ep, Attributes: { Enabled: 'true', Token: 'token_1' } }]);
  // CustomUserData as a parameter; the attribute wins when both are given [AWS-rec].
  const custom = await createEndpoint(app, 'token_2', { CustomUserData: 'bar' });
  assert.deepEqual((await t.call('GetEndpointAttributes', { EndpointArn: custom })).Attributes, { CustomUserData: 'bar', Enabled: 'true', Token: 'token_2' });
  const both = await createEndpoint(app, 'token_3', { CustomUserData: 'bar', Attributes: { CustomUserData: 'foo' } });
  assert.equal((await t.call('GetEndpointAttributes', { EndpointArn: both })).Attributes.CustomUserData, 'foo');
});

test('SetEndpointAttributes and DeleteEndpoint [AWS-rec]', async () => {
  const app = await createApp();
  const ep = await createEndpoint(app);
  await t.call('SetEndpointAttributes', { EndpointArn: ep, Attributes: { Enabled: 'false' } });
  assert.deepEqual((await t.call('GetEndpointAttributes', { EndpointArn: ep })).Attributes, { Enabled: 'false', Token: 'token_1' });
  await t.call('SetEndpointAttributes', { EndpointArn: ep, Attributes: { Token: 'token_9' } });
  assert.equal((await t.call('GetEndpointAttributes', { EndpointArn: ep })).Attributes.Token, 'token_9');
  await t.call('DeleteEndpoint', { EndpointArn: ep });
  await t.call('DeleteEndpoint', { EndpointArn: ep }); // idempotent
  assert.deepEqual((await t.call('ListEndpointsByPlatformApplication', { PlatformApplicationArn: app })).Endpoints, []);
});

test('endpoint errors: attribute names, CustomUserData size, ARN shape, unknown endpoint, missing Token [AWS-rec]', async () => {
  const app = await createApp();
  const ep = await createEndpoint(app);
  for (const name of ['PlatformPrincipal', 'PlatformCredential', 'InvalidKey']) {
    const msg = invalidParameter(`Invalid parameter: Attributes Reason: Invalid attribute name: ${name}`);
    await expectSnsError(createEndpoint(app, 'token_x', { Attributes: { [name]: 'v' } }), msg);
    await expectSnsError(t.call('SetEndpointAttributes', { EndpointArn: ep, Attributes: { [name]: 'v' } }), msg);
  }
  const tooLong = invalidParameter('Invalid parameter: Attributes Reason: Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding');
  await expectSnsError(createEndpoint(app, 'token_x', { Attributes: { CustomUserData: 'x'.repeat(2049) } }), tooLong);
  await expectSnsError(t.call('SetEndpointAttributes', { EndpointArn: ep, Attributes: { CustomUserData: 'é'.repeat(1025) } }), tooLong);
  await expectSnsError(t.call('SetEndpointAttributes', { EndpointArn: ep }), nullAttributes);
  await expectSnsError(
    t.call('SetEndpointAttributes', { EndpointArn: `arn:aws:sns:${REGION}:${ACCOUNT}:endpoint/ADM/nope`, Attributes: { Enabled: 'true' } }),
    invalidParameter('Invalid parameter: EndpointArn Reason: Wrong number of slashes in relative portion of the ARN.'),
  );
  const missing = `${ep.slice(0, ep.lastIndexOf('/'))}/00000000-0000-0000-0000-000000000000`;
  await expectSnsError(t.call('GetEndpointAttributes', { EndpointArn: missing }), endpointNotFound);
  await expectSnsError(t.call('SetEndpointAttributes', { EndpointArn: missing, Attributes: { Enabled: 'true' } }), endpointNotFound);
  await expectSnsError(t.call('GetEndpointAttributes', { EndpointArn: 'nope' }), invalidParameter('Invalid parameter: EndpointArn Reason: An ARN must have at least 6 elements, not 1'));
  await expectSnsError(t.call('CreatePlatformEndpoint', { PlatformApplicationArn: app }), invalidParameter('Invalid parameter: Token Reason: cannot be empty'));
  await expectSnsError(createEndpoint(app, 'token_x', { Attributes: { Enabled: 'maybe' } }), invalidParameter('Invalid parameter: Attributes Reason: Invalid value for attribute: Enabled: maybe'));
});

test('Publish to an endpoint ARN answers a MessageId and logs the message; unknown and disabled endpoints fail as on AWS', async () => {
  const app = await createApp();
  const ep = await createEndpoint(app);
  const { MessageId } = await t.call('Publish', { TargetArn: ep, Message: 'hello phone' });
  assert.match(MessageId, /^[0-9a-f-]{36}$/);
  assert.ok(lines.some((l) => l.includes(`id=${MessageId}`) && l.includes('push not sent')), lines.join('\n'));
  await expectSnsError(t.call('Publish', { TargetArn: ep, Message: '' }), invalidParameter('Invalid parameter: Empty message'));
  await expectSnsError(t.call('Publish', { TargetArn: ep, Message: '{}', MessageStructure: 'json' }), invalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body'));
  await t.call('SetEndpointAttributes', { EndpointArn: ep, Attributes: { Enabled: 'false' } });
  await expectSnsError(t.call('Publish', { TargetArn: ep, Message: 'x' }), { name: 'EndpointDisabledException', code: 'EndpointDisabled', message: 'Endpoint is disabled' });
  await t.call('DeleteEndpoint', { EndpointArn: ep });
  await expectSnsError(t.call('Publish', { TargetArn: ep, Message: 'x' }), invalidParameter('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified'));
});
