// Lambda functions over REST-JSON with the real @aws-sdk/client-lambda: CRUD, state, tags, permissions,
// and every bad input of those operations answered with AWS's error code, status and text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setupLambda, fixtureZip, ROLE } from '../helpers/lambda.mjs';
import { rejectsWith } from '../helpers/emulator.mjs';
import { writeZip } from '../../dist/domain/zip.js';

let t;
before(async () => {
  t = await setupLambda();
});
after(() => t.close());

const ARN = (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

test('CreateFunction answers 201 Pending with AWS defaults; the function becomes Active', async () => {
  const zip = fixtureZip('node-cjs');
  const out = await t.send('CreateFunction', { FunctionName: 'crud1', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.echo', Code: { ZipFile: zip } });
  assert.equal(out.$metadata.httpStatusCode, 201);
  assert.equal(out.State, 'Pending');
  assert.equal(out.StateReasonCode, 'Creating');
  assert.equal(out.FunctionArn, ARN('crud1'));
  assert.equal(out.Timeout, 3);
  assert.equal(out.MemorySize, 128);
  assert.equal(out.Version, '$LATEST');
  assert.equal(out.PackageType, 'Zip');
  assert.equal(out.Description, '');
  assert.deepEqual(out.Architectures, ['x86_64']);
  assert.deepEqual(out.EphemeralStorage, { Size: 512 });
  assert.deepEqual(out.TracingConfig, { Mode: 'PassThrough' });
  assert.deepEqual(out.LoggingConfig, { LogFormat: 'Text', LogGroup: '/aws/lambda/crud1' });
  assert.equal(out.CodeSize, zip.length);
  assert.equal(out.CodeSha256, createHash('sha256').update(zip).digest('base64'));
  assert.match(out.LastModified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  assert.match(out.RevisionId, /^[0-9a-f-]{36}$/);
  const { waitUntilFunctionActiveV2 } = t.L;
  const w = await waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 5 }, { FunctionName: 'crud1' });
  assert.equal(w.state, 'SUCCESS');
  const g = await t.send('GetFunction', { FunctionName: 'crud1' });
  assert.equal(g.Configuration.State, 'Active');
  assert.equal(g.Configuration.LastUpdateStatus, 'Successful');
  assert.equal(g.Code.RepositoryType, 'S3');
  // Code.Location serves the package itself.
  const res = await fetch(g.Code.Location);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), zip);
  assert.equal(g.Tags, undefined);
});

test('GetFunction/GetFunctionConfiguration accept a name, a partial ARN, a full ARN and $LATEST', async () => {
  await t.createFunction('names1');
  for (const name of ['names1', '000000000000:function:names1', ARN('names1'), `${ARN('names1')}:$LATEST`]) {
    const c = await t.send('GetFunctionConfiguration', { FunctionName: name });
    assert.equal(c.FunctionName, 'names1', name);
  }
  const q = await t.send('GetFunction', { FunctionName: 'names1', Qualifier: '$LATEST' });
  assert.equal(q.Configuration.FunctionName, 'names1');
});

test('a missing function is ResourceNotFoundException 404 with the ARN, as AWS words it', async () => {
  const err = await rejectsWith(assert, t.send('GetFunction', { FunctionName: 'nope' }), 'ResourceNotFoundException', `Function not found: ${ARN('nope')}`);
  assert.equal(err.$metadata.httpStatusCode, 404);
  await rejectsWith(assert, t.send('GetFunctionConfiguration', { FunctionName: 'nope' }), 'ResourceNotFoundException');
  await rejectsWith(assert, t.send('DeleteFunction', { FunctionName: 'nope' }), 'ResourceNotFoundException');
  await rejectsWith(assert, t.send('UpdateFunctionConfiguration', { FunctionName: 'nope', Timeout: 5 }), 'ResourceNotFoundException');
  await rejectsWith(assert, t.send('Invoke', { FunctionName: 'nope' }), 'ResourceNotFoundException');
  // Versions are not supported: any other qualifier names a version that does not exist.
  await t.createFunction('qual1');
  await rejectsWith(assert, t.send('GetFunction', { FunctionName: 'qual1', Qualifier: '7' }), 'ResourceNotFoundException', `${ARN('qual1')}:7`);
});

test('ListFunctions pages with Marker/MaxItems and omits State, as AWS does', async () => {
  for (const n of ['list-a', 'list-b', 'list-c']) await t.createFunction(n);
  const all = await t.send('ListFunctions', {});
  const names = all.Functions.map((f) => f.FunctionName);
  for (const n of ['list-a', 'list-b', 'list-c']) assert.ok(names.includes(n));
  assert.equal(all.Functions[0].State, undefined);
  assert.equal(all.Functions[0].LastUpdateStatus, undefined);
  const seen = [];
  let marker;
  do {
    const page = await t.send('ListFunctions', { MaxItems: 2, Marker: marker });
    assert.ok(page.Functions.length <= 2);
    seen.push(...page.Functions.map((f) => f.FunctionName));
    marker = page.NextMarker;
  } while (marker);
  assert.deepEqual(seen, names);
  await rejectsWith(assert, t.send('ListFunctions', { MaxItems: 0 }), 'ValidationException');
  await rejectsWith(assert, t.send('ListFunctions', { Marker: '!!!' }), 'InvalidParameterValueException');
  await rejectsWith(assert, t.send('ListFunctions', { FunctionVersion: 'SOME' }), 'ValidationException');
});

test('UpdateFunctionConfiguration changes settings, keeps the rest, and checks RevisionId', async () => {
  const created = await t.createFunction('upd1', { Environment: { Variables: { FIRST: '1' } }, Description: 'first' });
  const u = await t.send('UpdateFunctionConfiguration', { FunctionName: 'upd1', Timeout: 10, MemorySize: 256, Environment: { Variables: { SECOND: '2' } } });
  assert.equal(u.Timeout, 10);
  assert.equal(u.MemorySize, 256);
  assert.equal(u.Description, 'first');
  assert.deepEqual(u.Environment.Variables, { SECOND: '2' });
  assert.equal(u.LastUpdateStatus, 'InProgress');
  assert.notEqual(u.RevisionId, created.RevisionId);
  await t.emu.lambda.whenActive('upd1');
  const g = await t.send('GetFunctionConfiguration', { FunctionName: 'upd1' });
  assert.equal(g.LastUpdateStatus, 'Successful');
  await rejectsWith(assert, t.send('UpdateFunctionConfiguration', { FunctionName: 'upd1', Timeout: 5, RevisionId: created.RevisionId }), 'PreconditionFailedException', 'does not match the latest Revision Id');
  // A DLQ can be set and removed.
  const d = await t.send('UpdateFunctionConfiguration', { FunctionName: 'upd1', DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' } });
  assert.deepEqual(d.DeadLetterConfig, { TargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' });
  await t.emu.lambda.whenActive('upd1');
  const r = await t.send('UpdateFunctionConfiguration', { FunctionName: 'upd1', DeadLetterConfig: {} });
  assert.equal(r.DeadLetterConfig, undefined);
});

test('UpdateFunctionCode replaces the package: new CodeSha256, the next invoke runs the new code', async () => {
  await t.createFunction('code1', { handler: 'index.handler', fixture: 'node-esm', runtime: 'nodejs20.x' });
  assert.equal((await t.invoke('code1', {})).json.esm, true);
  const zip = writeZip([{ name: 'index.js', data: 'exports.handler = async () => "version two";' }]);
  const u = await t.send('UpdateFunctionCode', { FunctionName: 'code1', ZipFile: zip });
  assert.equal(u.CodeSha256, createHash('sha256').update(zip).digest('base64'));
  assert.equal(u.CodeSize, zip.length);
  await t.emu.lambda.whenActive('code1');
  assert.equal((await t.invoke('code1', {})).json, 'version two');
  await rejectsWith(assert, t.send('UpdateFunctionCode', { FunctionName: 'code1', ZipFile: Buffer.from('not a zip') }), 'InvalidParameterValueException', 'Could not unzip uploaded file');
  await rejectsWith(assert, t.send('UpdateFunctionCode', { FunctionName: 'code1' }), 'InvalidParameterValueException');
  await rejectsWith(assert, t.send('UpdateFunctionCode', { FunctionName: 'code1', S3Bucket: 'b', S3Key: 'k' }), 'InvalidParameterValueException', 'S3Bucket');
});

test('DeleteFunction answers 204; the function is gone; $LATEST cannot be deleted alone', async () => {
  await t.createFunction('del1');
  await rejectsWith(assert, t.send('DeleteFunction', { FunctionName: 'del1', Qualifier: '$LATEST' }), 'InvalidParameterValueException', '$LATEST version cannot be deleted without deleting the function.');
  const d = await t.send('DeleteFunction', { FunctionName: 'del1' });
  assert.equal(d.$metadata.httpStatusCode, 204);
  await rejectsWith(assert, t.send('GetFunction', { FunctionName: 'del1' }), 'ResourceNotFoundException');
  // The name can be used again.
  await t.createFunction('del1');
});

test('CreateFunction of an existing name is ResourceConflictException 409', async () => {
  await t.createFunction('dup1');
  const err = await rejectsWith(assert, t.createFunction('dup1'), 'ResourceConflictException', 'Function already exist: dup1');
  assert.equal(err.$metadata.httpStatusCode, 409);
});

test('CreateFunction bad input: every field, with AWS codes and texts', async () => {
  const zip = fixtureZip('node-cjs');
  const base = { FunctionName: 'bad1', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.echo', Code: { ZipFile: zip } };
  const cases = [
    [{ FunctionName: 'has space' }, 'ValidationException', "at 'functionName' failed to satisfy constraint"],
    [{ FunctionName: 'x'.repeat(65) }, 'ValidationException', 'functionName'],
    [{ Role: 'not-a-role' }, 'ValidationException', "at 'role' failed to satisfy constraint"],
    [{ Role: undefined }, 'ValidationException', "Value null at 'role'"],
    [{ Code: undefined }, 'ValidationException', "Value null at 'code'"],
    [{ Code: {} }, 'InvalidParameterValueException', 'Please provide a source for function code.'],
    [{ Code: { ZipFile: Buffer.from('PK nonsense') } }, 'InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.'],
    [{ Code: { S3Bucket: 'b', S3Key: 'k.zip' } }, 'InvalidParameterValueException', 'S3Bucket'],
    [{ Code: { ImageUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/x:1' } }, 'InvalidParameterValueException', 'container images'],
    [{ Runtime: undefined }, 'InvalidParameterValueException', 'Runtime and Handler are mandatory parameters for functions created with deployment packages.'],
    [{ Handler: undefined }, 'InvalidParameterValueException', 'Runtime and Handler are mandatory'],
    [{ Runtime: 'cobol1.0' }, 'InvalidParameterValueException', "Value cobol1.0 at 'runtime' failed to satisfy constraint"],
    [{ Handler: 'has space.handler' }, 'ValidationException', "at 'handler'"],
    [{ Timeout: 0 }, 'ValidationException', "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [{ Timeout: 901 }, 'ValidationException', 'Member must have value less than or equal to 900'],
    [{ MemorySize: 64 }, 'ValidationException', "Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"],
    [{ MemorySize: 10241 }, 'ValidationException', 'less than or equal to 10240'],
    [{ Environment: { Variables: { AWS_REGION: 'x' } } }, 'InvalidParameterValueException', 'Reserved keys used in this request: AWS_REGION'],
    [{ Environment: { Variables: { '1bad': 'x' } } }, 'ValidationException', 'Map keys must satisfy constraint'],
    // The model's key pattern [a-zA-Z]([a-zA-Z0-9_])+ needs two characters.
    [{ Environment: { Variables: { A: 'x' } } }, 'ValidationException', 'Map keys must satisfy constraint'],
    [{ Environment: { Variables: { BIG: 'x'.repeat(4100) } } }, 'InvalidParameterValueException', 'exceeded the 4KB limit'],
    [{ DeadLetterConfig: { TargetArn: 'arn:aws:s3:::bucket' } }, 'InvalidParameterValueException', 'dead-letter target must be an SQS queue or an SNS topic'],
    [{ Publish: true }, 'InvalidParameterValueException', 'versions are not supported'],
    [{ Layers: ['arn:aws:lambda:us-east-1:000000000000:layer:l:1'] }, 'InvalidParameterValueException', 'layers are not supported'],
    [{ PackageType: 'Image' }, 'InvalidParameterValueException', 'PackageType Zip'],
    [{ Architectures: ['sparc'] }, 'ValidationException', 'architectures'],
    [{ EphemeralStorage: { Size: 100 } }, 'ValidationException', 'ephemeralStorage.size'],
    [{ TracingConfig: { Mode: 'Loud' } }, 'ValidationException', 'tracingConfig.mode'],
    [{ Tags: { 'aws:reserved': 'x' } }, 'InvalidParameterValueException', "reserved prefix 'aws:'"],
  ];
  for (const [change, code, text] of cases) {
    const input = { ...base, ...change };
    for (const k of Object.keys(change)) if (change[k] === undefined) delete input[k];
    await rejectsWith(assert, t.send('CreateFunction', input), code, text);
  }
  await rejectsWith(assert, t.send('GetFunction', { FunctionName: 'bad1' }), 'ResourceNotFoundException');
});

test('a zip entry that escapes the task directory is refused', async () => {
  const evil = writeZip([{ name: '../evil.js', data: 'x' }]);
  await rejectsWith(assert, t.send('CreateFunction', { FunctionName: 'evil', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.h', Code: { ZipFile: evil } }), 'InvalidParameterValueException', 'Could not unzip');
});

test('tags: TagResource, ListTags, UntagResource, GetFunction Tags; bad ARNs and unknown functions', async () => {
  await t.createFunction('tag1', { Tags: { team: 'core' } });
  assert.deepEqual((await t.send('ListTags', { Resource: ARN('tag1') })).Tags, { team: 'core' });
  const tg = await t.send('TagResource', { Resource: ARN('tag1'), Tags: { env: 'dev', team: 'edge' } });
  assert.equal(tg.$metadata.httpStatusCode, 204);
  assert.deepEqual((await t.send('GetFunction', { FunctionName: 'tag1' })).Tags, { team: 'edge', env: 'dev' });
  await t.send('UntagResource', { Resource: ARN('tag1'), TagKeys: ['team'] });
  assert.deepEqual((await t.send('ListTags', { Resource: ARN('tag1') })).Tags, { env: 'dev' });
  await rejectsWith(assert, t.send('ListTags', { Resource: ARN('ghost') }), 'ResourceNotFoundException', ARN('ghost'));
  await rejectsWith(assert, t.send('ListTags', { Resource: 'tag1' }), 'ValidationException', "at 'resource'");
  await rejectsWith(assert, t.send('TagResource', { Resource: ARN('tag1'), Tags: { 'aws:x': '1' } }), 'InvalidParameterValueException');
  await rejectsWith(assert, t.send('UntagResource', { Resource: ARN('tag1'), TagKeys: [] }), 'ValidationException');
});

test('permissions: AddPermission writes AWS statements, GetPolicy returns them, RemovePermission removes them', async () => {
  await t.createFunction('perm1');
  await rejectsWith(assert, t.send('GetPolicy', { FunctionName: 'perm1' }), 'ResourceNotFoundException', 'The resource you requested does not exist.');
  const topic = 'arn:aws:sns:us-east-1:000000000000:t1';
  const a = await t.send('AddPermission', { FunctionName: 'perm1', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: topic });
  assert.equal(a.$metadata.httpStatusCode, 201);
  assert.deepEqual(JSON.parse(a.Statement), {
    Sid: 'sns',
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: 'lambda:InvokeFunction',
    Resource: ARN('perm1'),
    Condition: { ArnLike: { 'AWS:SourceArn': topic } },
  });
  await t.send('AddPermission', { FunctionName: 'perm1', StatementId: 'acct', Action: 'lambda:*', Principal: '111122223333', SourceAccount: '111122223333' });
  const p = await t.send('GetPolicy', { FunctionName: 'perm1' });
  const doc = JSON.parse(p.Policy);
  assert.equal(doc.Version, '2012-10-17');
  assert.equal(doc.Id, 'default');
  assert.deepEqual(doc.Statement.map((s) => s.Sid), ['sns', 'acct']);
  assert.deepEqual(doc.Statement[1].Principal, { AWS: 'arn:aws:iam::111122223333:root' });
  assert.deepEqual(doc.Statement[1].Condition, { StringEquals: { 'AWS:SourceAccount': '111122223333' } });
  assert.match(p.RevisionId, /^[0-9a-f-]{36}$/);
  await rejectsWith(assert, t.send('AddPermission', { FunctionName: 'perm1', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' }), 'ResourceConflictException', 'The statement id (sns) provided already exists.');
  await rejectsWith(assert, t.send('AddPermission', { FunctionName: 'perm1', StatementId: 'bad id', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' }), 'ValidationException', 'statementId');
  await rejectsWith(assert, t.send('AddPermission', { FunctionName: 'perm1', StatementId: 'x', Action: 'invoke', Principal: 'sns.amazonaws.com' }), 'ValidationException', "at 'action'");
  await rejectsWith(assert, t.send('AddPermission', { FunctionName: 'perm1', StatementId: 'x', Action: 'lambda:InvokeFunction' }), 'ValidationException', "Value null at 'principal'");
  await rejectsWith(assert, t.send('AddPermission', { FunctionName: 'perm1', StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: '*', SourceAccount: '12' }), 'ValidationException', 'sourceAccount');
  await rejectsWith(assert, t.send('AddPermission', { FunctionName: 'perm1', StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: '*', RevisionId: 'stale' }), 'PreconditionFailedException');
  await rejectsWith(assert, t.send('AddPermission', { FunctionName: 'ghost', StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: '*' }), 'ResourceNotFoundException');
  const r = await t.send('RemovePermission', { FunctionName: 'perm1', StatementId: 'sns' });
  assert.equal(r.$metadata.httpStatusCode, 204);
  await rejectsWith(assert, t.send('RemovePermission', { FunctionName: 'perm1', StatementId: 'sns' }), 'ResourceNotFoundException', 'Statement sns is not found in resource policy.');
  await t.send('RemovePermission', { FunctionName: 'perm1', StatementId: 'acct' });
  await rejectsWith(assert, t.send('GetPolicy', { FunctionName: 'perm1' }), 'ResourceNotFoundException');
});

test('REST-JSON edges: unknown paths, unsupported operations and malformed bodies are AWS-shaped errors', async () => {
  const raw = (method, path, body, headers = {}) => fetch(`${t.url}${path}`, { method, body, headers: { 'content-type': 'application/json', ...headers } });
  let res = await raw('GET', '/2015-03-31/nothing-here');
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('x-amzn-errortype'), 'UnknownOperationException');
  res = await raw('POST', '/2015-03-31/functions', '{not json');
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidRequestContentException');
  assert.equal((await res.json()).Type, 'User');
  res = await raw('POST', '/2015-03-31/functions', '[1,2]');
  assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidRequestContentException');
  // The body shape of ResourceNotFoundException uses a capital Message (AWS-recorded).
  res = await raw('GET', '/2015-03-31/functions/ghost');
  assert.deepEqual(await res.json(), { Type: 'User', Message: `Function not found: ${ARN('ghost')}` });
  // Operations the emulator does not implement say so, AWS-shaped.
  await rejectsWith(assert, t.send('PublishVersion', { FunctionName: 'perm1' }), 'InvalidParameterValueException', 'PublishVersion is not supported');
  await rejectsWith(assert, t.send('ListAliases', { FunctionName: 'perm1' }), 'InvalidParameterValueException', 'ListAliases');
  await rejectsWith(assert, t.send('GetAccountSettings', {}), 'InvalidParameterValueException', 'GetAccountSettings');
  // The health endpoint lists Lambda.
  const health = await (await fetch(`${t.url}/_svl/health`)).json();
  assert.ok(health.services.includes('lambda'));
  assert.equal(typeof health.lambda.functions, 'number');
});
