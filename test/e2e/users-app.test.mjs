// `svl init users-app` end to end through the built CLI on an in-process emulator (fake clock): one
// command writes the project (spec declaring six functions + handlers + token key) and applies the flow,
// the functions first.
// Then the seed system works as a whole: login -> token; POST /users (authorizer with roles) -> topic ->
// posts queue -> create-post -> the welcome post GET /users/{id}/posts lists; concurrent creates of one
// id -> exactly one 201; a failed publish -> 503, the same POST again -> 200 and the welcome post; no
// token 401, a forged, expired, tampered, alg-none or key-less one 403; PUT /users/{id} with a base64
// image -> bucket -> notification -> image queue -> thumbnails, and an S3-shaped event for another bucket
// published to the topic is dropped; a poisoned message lands in users-app-posts-dlq after 5 receives and
// `svl dlq redrive` brings it back once the handler is fixed and `svl apply` redeployed the code; `svl graph`
// shows the whole system; destroy leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svl, root, NO_STACK } from '../helpers/cli.mjs';
import { lambdaE2eSuite, eventually } from '../helpers/lambda.mjs';
import { credentials, waitIdle } from '../helpers/emulator.mjs';
import { peek } from '../helpers/spawn.mjs';

let t;
let env;
let work;
lambdaE2eSuite('svl-users-app-', (s) => ({ t, env, work } = s));

const FUNCTIONS = ['users-app-authorizer', 'users-app-create-post', 'users-app-image-worker', 'users-app-login', 'users-app-posts', 'users-app-users'];
const json = (r) => {
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout);
};
const s3 = async () => {
  const S3 = await import('@aws-sdk/client-s3');
  const client = new S3.S3Client({ endpoint: t.url, region: 'us-east-1', credentials, forcePathStyle: true });
  return (Command, input) => client.send(new S3[`${Command}Command`](input));
};
const keys = async (prefix) => ((await (await s3())('ListObjectsV2', { Bucket: 'users-app-images', Prefix: prefix })).Contents ?? []).map((o) => o.Key);

/** Native move tasks (dlq redrive) advance on the emulator's clock: keep it moving while `fn` runs. */
async function withTicking(fn) {
  const timer = setInterval(() => t.clock.advance(1000), 5);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

test('users-app: init -> login -> users, posts through SNS/SQS/Lambda, 401/403, images -> thumbnails, poison -> DLQ -> redrive, graph, destroy', async () => {
  const cwd = mkdtempSync(join(work, 'app-'));
  const run = (args, opts = {}) => svl([...args, '--local'], { env, cwd, timeoutMs: 60_000, ...opts });

  // --- init: the project, the functions (tagged with the flow), the flow, the API URL and what to try
  const init = json(await run(['init', 'users-app', '--yes', '--json']));
  const project = join(cwd, 'users-app');
  assert.equal(init.specFile, join(project, 'users-app.flow.json'));
  assert.equal(init.code.dir, join(project, 'functions'));
  for (const f of ['login.mjs', 'authorizer.mjs', 'users.mjs', 'posts.mjs', 'create-post.mjs', 'image-worker.mjs', 'lib/store.mjs']) {
    assert.equal(readFileSync(join(project, 'functions', f), 'utf8'), readFileSync(join(root, 'templates', 'users-app', f), 'utf8'), f);
  }
  const secret = readFileSync(join(project, 'functions', '.token-secret'), 'utf8');
  assert.match(secret, /^[A-Za-z0-9_-]{43}\n$/);
  assert.deepEqual(init.code.deployed.map((d) => d.function).sort(), FUNCTIONS);
  // The spec declares them (code relative to it), so that `svl apply` deploys them: nothing to do right after init.
  const written = JSON.parse(readFileSync(init.specFile, 'utf8'));
  assert.deepEqual(written.functions.map((f) => [f.name, f.handler, f.code]).sort(), FUNCTIONS.map((fn) => [fn, `${fn.slice('users-app-'.length)}.handler`, './functions']));
  assert.equal(json(await run(['apply', init.specFile, '--json'])).changed, false);
  for (const fn of FUNCTIONS) {
    const f = await t.send('GetFunction', { FunctionName: fn });
    assert.equal(f.Tags['svl:flow'], 'users-app', fn);
  }
  assert.deepEqual((await t.send('GetFunctionConfiguration', { FunctionName: 'users-app-users' })).Environment.Variables, { BUCKET: 'users-app-images', TOPIC_NAME: 'users-app-new-user-added' });
  const [api] = init.applied.apis;
  assert.equal(init.apiUrl, `${t.url}/_aws/execute-api/${api.id}`);
  const human = await run(['init', 'users-app', '--yes']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`API: ${init.apiUrl.replace(/[.$]/g, '\\$&')}\n`));
  assert.match(human.stdout, /\$ export TOKEN=\$\(svl http users-app POST \/login .* --json --local \| jq -r \.json\.token\)\n\s+\$ svl http users-app POST \/users -H "authorization: Bearer \$TOKEN" .*--local\n\s+\$ svl http users-app GET \/users\/ada\/posts .*--local\n/);
  assert.match(human.stdout, /unchanged/);
  assert.equal(readFileSync(join(project, 'functions', '.token-secret'), 'utf8'), secret, 'init again keeps the token key');

  // --- login, then POST /users with the token: the user, and through SNS -> SQS -> Lambda its welcome post
  const login = json(await run(['http', 'users-app', 'POST', '/login', '-d', '{"username":"admin","password":"admin-demo"}', '--json']));
  assert.equal(login.status, 200);
  const auth = ['-H', `authorization: Bearer ${login.json.token}`];
  const wrong = await run(['http', 'users-app', 'POST', '/login', '-d', '{"username":"admin","password":"nope"}', '--json']);
  assert.equal(wrong.code, 1);
  assert.equal(JSON.parse(wrong.stdout).status, 401);

  const created = json(await run(['http', 'users-app', 'POST', '/users', ...auth, '-d', '{"userId":"ada","name":"Ada Lovelace"}', '--json']));
  assert.equal(created.status, 201);
  assert.deepEqual([created.json.userId, created.json.name, created.json.createdBy], ['ada', 'Ada Lovelace', 'admin']);
  const posts = await eventually(
    async () => {
      const r = json(await run(['http', 'users-app', 'GET', '/users/ada/posts', ...auth, '--json']));
      return r.json.posts.length ? r.json.posts : undefined;
    },
    { timeoutMs: 30_000, what: 'the welcome post of ada' },
  );
  assert.deepEqual(posts.map((p) => [p.postId, p.text]), [['welcome-ada', 'Welcome, Ada Lovelace!']]);
  const users = json(await run(['http', 'users-app', 'GET', '/users', ...auth, '--json']));
  assert.deepEqual(users.json.users.map((u) => u.userId), ['ada']);
  // the viewer may read but not write (roles from the authorizer's context)
  const viewer = json(await run(['http', 'users-app', 'POST', '/login', '-d', '{"username":"viewer","password":"viewer-demo"}', '--json']));
  const asViewer = ['-H', `authorization: Bearer ${viewer.json.token}`];
  assert.equal(json(await run(['http', 'users-app', 'GET', '/users/ada', ...asViewer, '--json'])).json.name, 'Ada Lovelace');
  const denied = await run(['http', 'users-app', 'POST', '/users', ...asViewer, '-d', '{"name":"Eve"}', '--json']);
  assert.equal(denied.code, 1);
  assert.equal(JSON.parse(denied.stdout).status, 403);
  assert.match(JSON.parse(denied.stdout).json.message, /writer role/);

  // --- concurrent creates of one id: S3's If-None-Match decides, exactly one 201 (the original's
  // check-then-write answered 201 several times, each overwriting the last); one welcome post, the winner's
  const racers = await Promise.all([1, 2, 3, 4, 5].map((i) => run(['http', 'users-app', 'POST', '/users', ...auth, '-d', JSON.stringify({ userId: 'race', name: `Racer ${i}` }), '--json'])));
  const raced = racers.map((r) => JSON.parse(r.stdout));
  assert.deepEqual(raced.map((r) => r.status).sort(), [201, 409, 409, 409, 409]);
  const winner = raced.find((r) => r.status === 201).json;
  assert.equal(winner.published, true);
  assert.equal(json(await run(['http', 'users-app', 'GET', '/users/race', ...auth, '--json'])).json.name, winner.name);
  const racePosts = await eventually(
    async () => {
      const r = json(await run(['http', 'users-app', 'GET', '/users/race/posts', ...auth, '--json']));
      return r.json.posts.length ? r.json.posts : undefined;
    },
    { timeoutMs: 30_000, what: 'the welcome post of race' },
  );
  assert.deepEqual(racePosts.map((p) => p.text), [`Welcome, ${winner.name}!`]);

  // --- a failed publish is recoverable: the user is kept unpublished (503), the same POST again publishes
  // it (200) and the welcome post follows; a different body for that id is still 409
  const usersEnv = (await t.send('GetFunctionConfiguration', { FunctionName: 'users-app-users' })).Environment.Variables;
  await t.send('UpdateFunctionConfiguration', { FunctionName: 'users-app-users', Environment: { Variables: { ...usersEnv, TOPIC_NAME: 'users-app-no-such-topic' } } });
  await t.emu.lambda.whenActive('users-app-users');
  const grace = ['http', 'users-app', 'POST', '/users', ...auth, '-d', '{"userId":"grace","name":"Grace Hopper"}', '--json'];
  const unannounced = await run(grace);
  assert.equal(unannounced.code, 1);
  assert.equal(JSON.parse(unannounced.stdout).status, 503);
  assert.match(JSON.parse(unannounced.stdout).json.message, /user grace is stored but its announcement failed: send the same request again/);
  assert.equal(json(await run(['http', 'users-app', 'GET', '/users/grace', ...auth, '--json'])).json.published, false);
  await t.send('UpdateFunctionConfiguration', { FunctionName: 'users-app-users', Environment: { Variables: usersEnv } });
  await t.emu.lambda.whenActive('users-app-users');
  const announced = json(await run(grace));
  assert.equal(announced.status, 200);
  assert.deepEqual([announced.json.userId, announced.json.name, announced.json.published], ['grace', 'Grace Hopper', true]);
  await eventually(async () => json(await run(['http', 'users-app', 'GET', '/users/grace/posts', ...auth, '--json'])).json.posts.length === 1, { timeoutMs: 30_000, what: 'the welcome post of grace' });
  const other = await run(['http', 'users-app', 'POST', '/users', ...auth, '-d', '{"userId":"grace","name":"Someone Else"}', '--json']);
  assert.equal(JSON.parse(other.stdout).status, 409);
  const again = await run(grace);
  assert.equal(JSON.parse(again.stdout).status, 409, 'a published user is not created twice');

  // --- login: a name from Object.prototype is no account
  const proto = await run(['http', 'users-app', 'POST', '/login', '-d', '{"username":"__proto__","password":"x"}', '--json']);
  assert.equal(JSON.parse(proto.stdout).status, 401);

  // --- no token: 401 from API Gateway; a forged one: 403 from the authorizer
  const none = await run(['http', 'users-app', 'GET', '/users', '--json']);
  assert.equal(none.code, 1);
  assert.equal(JSON.parse(none.stdout).status, 401);
  assert.doesNotMatch(none.stderr, NO_STACK);
  const forged = login.json.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  const bad = await run(['http', 'users-app', 'GET', '/users', '-H', `authorization: Bearer ${forged}`, '--json']);
  assert.equal(bad.code, 1);
  assert.equal(JSON.parse(bad.stdout).status, 403);
  // Tokens minted here with the project's key: a live one passes (so the minting is right), an expired
  // one, claims changed after signing, alg "none" and a key-less signature do not.
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const mint = (claims, { key = secret.trim(), alg = 'HS256' } = {}) => {
    const body = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
    return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
  };
  const nowS = Math.floor(Date.now() / 1000);
  const status = async (token) => JSON.parse((await run(['http', 'users-app', 'GET', '/users', '-H', `authorization: Bearer ${token}`, '--json'])).stdout).status;
  assert.equal(await status(mint({ sub: 'admin', roles: ['reader'], iat: nowS, exp: nowS + 600 })), 200);
  assert.equal(await status(mint({ sub: 'admin', roles: ['reader'], iat: nowS - 7200, exp: nowS - 3600 })), 403, 'expired');
  const [h, , sig] = viewer.json.token.split('.');
  assert.equal(await status(`${h}.${b64({ sub: 'viewer', roles: ['admin', 'writer', 'reader'], iat: nowS, exp: nowS + 600 })}.${sig}`), 403, 'tampered claims');
  assert.equal(await status(mint({ sub: 'admin', roles: ['reader'], exp: nowS + 600 }, { alg: 'none' })), 403, 'alg none');
  assert.equal(await status(mint({ sub: 'admin', roles: ['reader'], exp: nowS + 600 }, { key: '' })), 403, 'signed with an empty key');

  // --- PUT /users/ada with a base64 image: the object under uploads/, its notification, the thumbnails
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
  const put = json(await run(['http', 'users-app', 'PUT', '/users/ada', ...auth, '-d', JSON.stringify({ image: png.toString('base64'), imageType: 'image/png' }), '--json']));
  assert.equal(put.status, 200);
  assert.equal(put.json.image, 'uploads/ada/profile.png');
  await eventually(async () => (await keys('thumbnails/')).length === 2, { timeoutMs: 30_000, what: 'the thumbnails of ada' });
  assert.deepEqual(await keys('thumbnails/'), ['thumbnails/256/ada/profile.png', 'thumbnails/64/ada/profile.png']);
  const thumb = await (await s3())('GetObject', { Bucket: 'users-app-images', Key: 'thumbnails/64/ada/profile.png' });
  assert.equal(thumb.ContentType, 'image/png');
  assert.deepEqual(Buffer.from(await thumb.Body.transformToByteArray()), png);
  assert.deepEqual(await keys('uploads/'), ['uploads/ada/profile.png'], 'thumbnails are written outside the notified prefix');
  // S3's test event (sent when the notification was put) was skipped, not failed: nothing dead-lettered
  assert.ok((await t.logs('users-app-image-worker')).some((e) => e.text.includes('skipping the S3 test event of bucket users-app-images')));
  assert.deepEqual(await peek(t.url, 'users-app-images-dlq'), []);

  // --- a poisoned message: create-post reports it failed 5 times, SQS moves it to users-app-posts-dlq
  assert.equal((await run(['publish', 'users-app-new-user-added', '{"type":"user-renamed","user":{"userId":"ada"}}'])).code, 0);
  const dead = await eventually(
    async () => {
      await waitIdle(t.url, { timeoutMs: 20_000 });
      const d = await peek(t.url, 'users-app-posts-dlq');
      if (d.length) return d;
      t.clock.advance(31_000); // the queue's visibility timeout: the failed message is received again
      return undefined;
    },
    { timeoutMs: 60_000, what: 'the poisoned message in users-app-posts-dlq' },
  );
  assert.equal(dead.length, 1);
  assert.equal(JSON.parse(dead[0].Body).type, 'user-renamed');
  assert.equal(dead[0].Attributes.ApproximateReceiveCount, '5');
  assert.deepEqual(await peek(t.url, 'users-app-posts'), []);
  assert.deepEqual(await peek(t.url, 'users-app-images-dlq'), [], 'the image queue filters user events out');
  const failures = (await t.logs('users-app-create-post')).filter((e) => e.text.includes('unknown message type "user-renamed"'));
  assert.equal(failures.length, 5);

  // --- fix the handler (it now skips messages it does not know), deploy it, redrive: consumed, DLQ empty
  const file = join(project, 'functions', 'create-post.mjs');
  const source = readFileSync(file, 'utf8');
  const fixed = source.replace(
    "if (message?.type !== 'user-added') throw new Error(`unknown message type ${JSON.stringify(message?.type)}`);",
    "if (message?.type !== 'user-added') return console.log(`skipping a ${message?.type} message`);",
  );
  assert.notEqual(fixed, source);
  writeFileSync(file, fixed);
  // The spec declares the functions: apply redeploys those whose package changed (the six share the one
  // code directory, so all six), their code only, and nothing else of the flow.
  const fix = json(await run(['apply', join(project, 'users-app.flow.json'), '--yes', '--json']));
  assert.deepEqual(fix.done.map((s) => `${s.action} ${s.kind} ${s.name} ${s.changes.join(',')}`).sort(), FUNCTIONS.map((fn) => `update function ${fn} code`));
  const redrive = await withTicking(() => run(['dlq', 'redrive', 'users-app-posts-dlq', '--yes', '--json']));
  assert.equal(redrive.code, 0, redrive.stderr);
  await eventually(async () => (await t.logs('users-app-create-post')).some((e) => e.text.includes('skipping a user-renamed message')), { timeoutMs: 30_000, what: 'the fixed handler to take the redriven message' });
  await eventually(async () => (await peek(t.url, 'users-app-posts')).length === 0, { timeoutMs: 30_000, what: 'the redriven message to be deleted' });
  assert.deepEqual(await peek(t.url, 'users-app-posts-dlq'), []);

  // --- an S3-shaped event published to the topic (which the image queue also receives, filtered on the
  // type attribute) naming another bucket: the image worker logs and drops it, nothing is read or written
  // there. (The posts queue gets it too; the create-post fixed above skips it.)
  await (await s3())('CreateBucket', { Bucket: 'victim-bucket' });
  await (await s3())('PutObject', { Bucket: 'victim-bucket', Key: 'uploads/secret.png', Body: png });
  const N0 = await import('@aws-sdk/client-sns');
  const topic = ((await t.sns.send(new N0.ListTopicsCommand({}))).Topics ?? []).find((x) => x.TopicArn.endsWith(':users-app-new-user-added')).TopicArn;
  const injected = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'victim-bucket' }, object: { key: 'uploads/secret.png' } } }] };
  await t.sns.send(new N0.PublishCommand({ TopicArn: topic, Message: JSON.stringify(injected), MessageAttributes: { type: { DataType: 'String', StringValue: 'profile-image' } } }));
  await eventually(async () => (await t.logs('users-app-image-worker')).some((e) => e.text.includes('ignoring a record that is not an S3 event of bucket users-app-images: source "aws:s3", bucket "victim-bucket"')), { timeoutMs: 30_000, what: 'the image worker to drop the injected event' });
  await waitIdle(t.url, { timeoutMs: 20_000 });
  assert.deepEqual(((await (await s3())('ListObjectsV2', { Bucket: 'victim-bucket' })).Contents ?? []).map((o) => o.Key), ['uploads/secret.png']);
  assert.deepEqual(await keys('thumbnails/'), ['thumbnails/256/ada/profile.png', 'thumbnails/64/ada/profile.png']);
  assert.deepEqual(await peek(t.url, 'users-app-images-dlq'), []);
  assert.deepEqual(await peek(t.url, 'users-app-images'), [], 'the dropped event is deleted, not retried');
  assert.deepEqual(await peek(t.url, 'users-app-posts-dlq'), []);

  // --- graph: routes -> functions -> topic -> queues -> subscription DLQs, DLQs -> consumers; bucket -> queue
  const graph = await run(['graph', 'users-app']);
  assert.equal(graph.code, 0, graph.stderr);
  for (const line of [
    /POST \/users → λ users-app-users → topic users-app-new-user-added\s+\[authorizer token → λ users-app-authorizer\]/,
    /GET \/users\/\{userId\}\/posts → λ users-app-posts/,
    /POST \/login → λ users-app-login\n/,
    /topic users-app-new-user-added\n/,
    /sqs → queue users-app-posts {2}\(raw\)\n\s+├── undeliverable → queue users-app-posts-sub-dlq \(DLQ\)\n\s+├── dead-letter → queue users-app-posts-dlq \(DLQ\) after 5 receives\n\s+└── consumer → λ users-app-create-post/,
    /undeliverable → queue users-app-images-sub-dlq \(DLQ\)\n[\s│]*├── dead-letter → queue users-app-images-dlq \(DLQ\) after 5 receives\n[\s│]*└── consumer → λ users-app-image-worker/,
    /bucket users-app-images\n└── s3:ObjectCreated:\* → queue users-app-images {2}\[uploads\/\*\]/,
  ]) assert.match(graph.stdout, line);

  // --- doctor: the seed system, built by init and exercised above (poison, DLQ, redrive), has nothing to fix
  const doctor = await run(['doctor', 'users-app', '--json']);
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  const findings = json(doctor).flows.flatMap((f) => f.findings);
  // Not even a note: each SNS -> SQS subscription has its subscription DLQ (subscriptionDlq in the spec).
  assert.deepEqual(findings.map((f) => `${f.severity} ${f.id}: ${f.title}`), [], 'svl doctor users-app: no finding at all');

  // --- destroy (--force empties the bucket): nothing of the app is left
  const gone = json(await run(['destroy', 'users-app', '--yes', '--force', '--json'], { cwd: work }));
  assert.deepEqual(gone.deleted.map((s) => `${s.kind} ${s.name}`).sort(), [
    'api users-app',
    'bucket users-app-images',
    'consumer users-app-images -> λ users-app-image-worker',
    'consumer users-app-posts -> λ users-app-create-post',
    'dlq users-app-images-dlq',
    'dlq users-app-images-sub-dlq',
    'dlq users-app-posts-dlq',
    'dlq users-app-posts-sub-dlq',
    ...FUNCTIONS.map((f) => `function ${f}`),
    'queue users-app-images',
    'queue users-app-posts',
    'subscription users-app-new-user-added -> users-app-images',
    'subscription users-app-new-user-added -> users-app-posts',
    'topic users-app-new-user-added',
  ]);
  const S = await import('@aws-sdk/client-sqs');
  assert.deepEqual((await t.sqs.send(new S.ListQueuesCommand({ QueueNamePrefix: 'users-app' }))).QueueUrls ?? [], []);
  const N = await import('@aws-sdk/client-sns');
  assert.deepEqual(((await t.sns.send(new N.ListTopicsCommand({}))).Topics ?? []).filter((x) => x.TopicArn.includes('users-app')), []);
  assert.deepEqual(((await (await s3())('ListBuckets', {})).Buckets ?? []).map((b) => b.Name).filter((n) => n.startsWith('users-app')), []);
  assert.deepEqual((await t.send('ListFunctions', {})).Functions.map((f) => f.FunctionName).filter((n) => n.startsWith('users-app')), []);
  const A = await import('@aws-sdk/client-apigatewayv2');
  const apigw = new A.ApiGatewayV2Client({ endpoint: t.url, region: 'us-east-1', credentials });
  assert.deepEqual(((await apigw.send(new A.GetApisCommand({}))).Items ?? []).filter((a) => a.Name === 'users-app'), []);
  assert.deepEqual((await t.send('ListEventSourceMappings', {})).EventSourceMappings, []);
  assert.ok(existsSync(join(project, 'users-app.flow.json')), 'destroy leaves the project files alone');
});

test('users-app: --dir chooses the project directory; fixed-template flags are refused (exit 2, nothing created)', async () => {
  const cwd = mkdtempSync(join(work, 'dir-'));
  const run = (args) => svl([...args, '--local'], { env, cwd, timeoutMs: 60_000 });
  let r = await run(['init', 'users-app', '--queues', 'a,b', '--yes']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /The users-app template is fixed/);
  assert.doesNotMatch(r.stderr, NO_STACK);
  assert.equal(existsSync(join(cwd, 'users-app')), false);
  writeFileSync(join(cwd, 'a-file'), 'x');
  r = await run(['init', 'users-app', '--dir', 'a-file', '--yes']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--dir a-file is a file, not a directory\.\nHint: /);
  assert.doesNotMatch(r.stderr, NO_STACK);
  r = await run(['init', 'users-app', '--dir', 'apps/mine', '--dry-run', '--json']);
  const out = json(r);
  assert.equal(out.specFile, null);
  assert.ok(out.plan.steps.some((s) => s.kind === 'route' && s.name === 'users-app GET /users/{userId}/posts'));
  assert.equal(existsSync(join(cwd, 'apps')), false, 'a dry run writes nothing');
  await assert.rejects(t.send('GetFunctionConfiguration', { FunctionName: 'users-app-login' }), { name: 'ResourceNotFoundException' });
});

test('users-app on an AWS target (--endpoint-url, --role): random demo passwords in a 0600 file, never printed; .gitignore keeps the secrets out of git', async () => {
  const cwd = mkdtempSync(join(work, 'aws-'));
  // The first test destroyed the same queue names: SQS refuses to reuse one for 60 s.
  await t.clock.advance(61_000);
  const target = ['--endpoint-url', t.url, '--region', 'us-east-1'];
  const awsEnv = { ...env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', SVL_LOCAL_ENDPOINT: undefined };
  const run = (args) => svl([...args, ...target], { env: awsEnv, cwd, timeoutMs: 60_000 });
  const init = await run(['init', 'users-app', '--role', 'arn:aws:iam::000000000000:role/users-app', '--yes']);
  assert.equal(init.code, 0, init.stderr);
  const functions = join(cwd, 'users-app', 'functions');
  const passwords = JSON.parse(readFileSync(join(functions, '.demo-passwords.json'), 'utf8'));
  assert.deepEqual(Object.keys(passwords).sort(), ['admin', 'editor', 'viewer']);
  for (const [name, pw] of Object.entries(passwords)) {
    assert.ok(pw.length >= 16 && pw !== `${name}-demo`, `${name}: a random password`);
    assert.ok(!init.stdout.includes(pw) && !init.stderr.includes(pw), `${name}'s password is never printed`);
  }
  assert.equal(statSync(join(functions, '.demo-passwords.json')).mode & 0o777, 0o600);
  assert.equal(statSync(join(functions, '.token-secret')).mode & 0o777, 0o600);
  assert.deepEqual(readFileSync(join(functions, '.gitignore'), 'utf8').split('\n').filter(Boolean), ['.token-secret', '.demo-passwords.json']);
  // The login line to try reads the password from the file.
  assert.match(init.stdout, /-d "\$\(jq -c '\{username:"admin",password:\.admin\}' \.\/users-app\/functions\/\.demo-passwords\.json\)"/);
  // The API's AWS-style URL (<id>.execute-api.localhost) needs DNS this machine may lack: the path form reaches the same API.
  const apiId = init.stdout.match(/https?:\/\/(\w+)\.execute-api\./)?.[1];
  assert.ok(apiId, init.stdout);
  const login = async (password) => (await fetch(`${t.url}/_aws/execute-api/${apiId}/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) })).status;
  assert.equal(await login(passwords.admin), 200);
  assert.equal(await login('admin-demo'), 401, 'the published demo password does not work on AWS');
  const gone = await run(['destroy', 'users-app', '--yes', '--force']);
  assert.equal(gone.code, 0, gone.stderr);
});
