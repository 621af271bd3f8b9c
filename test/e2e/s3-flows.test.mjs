// Buckets in flows end to end: the built CLI against an in-process emulator (S3, SQS, SNS, Lambda),
// checked with the real SDK clients. `svl init upload-pipeline` creates bucket -> queue (policy scoped to
// the bucket and account) -> worker and the notification last; an uploaded object reaches the worker
// (its log line, the decoded key); apply again changes nothing; status/graph show the bucket; destroy
// keeps a non-empty bucket and says so, --force empties and deletes it. `svl tail` shows S3 events
// decoded and the test event for what it is. Bad bucket specs are refused before any call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { svl, root, NO_STACK } from '../helpers/cli.mjs';
import { lambdaE2eSuite, eventually } from '../helpers/lambda.mjs';
import { credentials, waitIdle } from '../helpers/emulator.mjs';
import { ndjson, spawnSvl } from '../helpers/spawn.mjs';
import { startGate } from '../helpers/gate.mjs';
import { localEnv } from '../helpers/cli.mjs';

let t;
let env;
let work;
lambdaE2eSuite('svl-s3-flows-', (s) => ({ t, env, work } = s));

const at = (cwd) => (args) => svl([...args, '--local'], { env, cwd });
const s3 = async () => {
  const S3 = await import('@aws-sdk/client-s3');
  const client = new S3.S3Client({ endpoint: t.url, region: 'us-east-1', credentials, forcePathStyle: true });
  return { S3, send: (Command, input) => client.send(new S3[`${Command}Command`](input)) };
};
const queueAttrs = async (name) => {
  const S = await import('@aws-sdk/client-sqs');
  const { QueueUrl } = await t.sqs.send(new S.GetQueueUrlCommand({ QueueName: name }));
  return (await t.sqs.send(new S.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
};
const bucketExists = async (name) => {
  const { send } = await s3();
  try {
    await send('HeadBucket', { Bucket: name });
    return true;
  } catch (err) {
    if (err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
};

test('init upload-pipeline: bucket -> queue -> worker; an upload reaches the worker; apply again changes nothing; status/graph; destroy keeps a non-empty bucket, --force deletes it', async () => {
  const cwd = mkdtempSync(join(work, 'up-'));
  const run = at(cwd);
  let r = await run(['init', 'upload-pipeline', 'up', '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  // bucket first, notification last
  const done = out.applied.done.map((s) => `${s.action} ${s.kind} ${s.name}`);
  assert.equal(done[0], 'create bucket up-bucket');
  assert.equal(done.at(-1), 'create notification up-bucket');
  assert.equal(readFileSync(join(cwd, 'up-worker', 'index.mjs'), 'utf8'), readFileSync(join(root, 'templates', 'upload-worker', 'index.mjs'), 'utf8'));
  const spec = JSON.parse(readFileSync(join(cwd, 'up.flow.json'), 'utf8'));
  assert.deepEqual(spec.buckets, [{ name: 'up-bucket', notifications: [{ id: 'up-bucket-queue-up-work', events: ['s3:ObjectCreated:*'], queue: 'up-work' }] }]);

  // what exists: tags, the queue's one policy with both statements, the notification configuration
  const { send } = await s3();
  assert.deepEqual((await send('GetBucketTagging', { Bucket: 'up-bucket' })).TagSet, [{ Key: 'svl:flow', Value: 'up' }]);
  const policy = JSON.parse((await queueAttrs('up-work')).Policy);
  assert.deepEqual(policy.Statement.map((s) => s.Principal.Service), ['sns.amazonaws.com', 's3.amazonaws.com']);
  assert.deepEqual(policy.Statement[1].Condition, { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::up-bucket' }, StringEquals: { 'aws:SourceAccount': '000000000000' } });
  const cfg = await send('GetBucketNotificationConfiguration', { Bucket: 'up-bucket' });
  assert.deepEqual(cfg.QueueConfigurations.map((c) => [c.Id, c.QueueArn, c.Events]), [['up-bucket-queue-up-work', 'arn:aws:sqs:us-east-1:000000000000:up-work', ['s3:ObjectCreated:*']]]);

  // an upload reaches the worker, which skipped the test event and reads the decoded key
  await send('PutObject', { Bucket: 'up-bucket', Key: 'in/my photo+1.jpg', Body: 'hello world' });
  await eventually(async () => (await t.logs('up-work-worker')).some((e) => e.text.includes('processing s3://up-bucket/in/my photo+1.jpg (11 bytes, ObjectCreated:Put)')), { timeoutMs: 20_000, what: 'the worker to log the upload' });
  assert.ok((await t.logs('up-work-worker')).some((e) => e.text.includes('skipping the S3 test event of bucket up-bucket')));

  // idempotent
  r = await run(['apply']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /No changes: flow up already matches/);
  r = await run(['plan', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).plan.steps, []);

  // status and graph show the bucket and its notification
  r = await run(['status', 'up', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const st = JSON.parse(r.stdout);
  assert.deepEqual(st.buckets.map((b) => [b.name, b.notifications.map((n) => [n.events, n.destination.kind, n.destination.name])]), [['up-bucket', [[['s3:ObjectCreated:*'], 'queue', 'up-work']]]]);
  r = await run(['status', 'up']);
  assert.match(r.stdout, /Buckets[\s\S]*up-bucket .*s3:ObjectCreated:\* .*queue up-work/);
  r = await run(['graph', 'up', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const g = JSON.parse(r.stdout);
  assert.ok(g.nodes.some((n) => n.kind === 'bucket' && n.name === 'up-bucket'));
  assert.deepEqual(g.edges.filter((e) => e.kind === 'notification').map((e) => [e.from, e.to, e.events]), [['arn:aws:s3:::up-bucket', 'arn:aws:sqs:us-east-1:000000000000:up-work', ['s3:ObjectCreated:*']]]);
  r = await run(['graph', 'up']);
  assert.match(r.stdout, /bucket up-bucket\n└── s3:ObjectCreated:\* → queue up-work/);

  // destroy: the non-empty bucket is reported and kept (its notification cleared); the rest goes
  r = await run(['destroy', 'up', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Left alone: bucket up-bucket \(not empty: not deleted; `svl destroy up --force` empties and deletes it\)/);
  assert.match(r.stdout, /Kept \(not empty\): bucket up-bucket/);
  assert.equal(await bucketExists('up-bucket'), true);
  assert.equal((await send('HeadObject', { Bucket: 'up-bucket', Key: 'in/my photo+1.jpg' })).ContentLength, 11);
  assert.deepEqual((await send('GetBucketNotificationConfiguration', { Bucket: 'up-bucket' })).QueueConfigurations ?? [], []);
  // again: nothing more to do, still kept
  r = await run(['destroy', 'up', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Nothing deleted\.\nKept \(not empty\): bucket up-bucket/);
  // --force empties and deletes it
  r = await run(['destroy', 'up', '--yes', '--force', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).deleted.map((s) => `${s.kind} ${s.name}`), ['bucket up-bucket']);
  assert.equal(await bucketExists('up-bucket'), false);
});

test('tail decodes S3 events (bucket, decoded key, size, event) and shows the test event for what it is', async () => {
  const cwd = mkdtempSync(join(work, 'tl-'));
  writeFileSync(
    join(cwd, 'tl.flow.json'),
    JSON.stringify({
      name: 'tl',
      topic: { name: 'tl-events' },
      queues: [{ id: 'in', name: 'tl-in', rawDelivery: true }],
      buckets: [{ name: 'tl-bucket', notifications: [{ events: ['s3:ObjectCreated:*'], suffix: '.txt', queue: 'in' }] }],
    }),
  );
  const run = at(cwd);
  let r = await run(['apply', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  const { send } = await s3();
  await send('PutObject', { Bucket: 'tl-bucket', Key: 'skipped.jpg', Body: 'x' }); // outside the suffix filter
  await send('PutObject', { Bucket: 'tl-bucket', Key: 'a b/ümlaut+plus.txt', Body: 'twelve bytes' });
  await waitIdle(t.url);
  r = await run(['tail', 'queue', 'tl-in', '--json', '--max', '2', '--timeout', '10']);
  assert.equal(r.code, 0, r.stderr);
  const [testEvent, created] = ndjson(r.stdout);
  assert.deepEqual(testEvent.s3, { test: true, bucket: 'tl-bucket', time: testEvent.body.Time });
  assert.equal(created.s3.test, false);
  assert.deepEqual(
    created.s3.records.map((x) => [x.event, x.bucket, x.key, x.size]),
    [['s3:ObjectCreated:Put', 'tl-bucket', 'a b/ümlaut+plus.txt', 12]],
  );
  assert.notEqual(created.s3.records[0].rawKey, 'a b/ümlaut+plus.txt', 'the event carries the key URL-encoded');
  r = await run(['tail', 'queue', 'tl-in', '--max', '2', '--timeout', '10']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /S3 test event: bucket tl-bucket's notification configuration was set/);
  assert.match(r.stdout, /s3:ObjectCreated:Put s3:\/\/tl-bucket\/a b\/ümlaut\+plus\.txt \(12 bytes\)/);
  // export: the bucket and its notification after the queue policy
  r = await svl(['export', 'tl.flow.json', '--format', 'terraform'], { env, cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /resource "aws_s3_bucket" "tl_bucket" \{\n\s+bucket = "tl-bucket"/);
  assert.match(r.stdout, /resource "aws_s3_bucket_notification" "tl_bucket" \{[\s\S]*depends_on = \[aws_sqs_queue_policy\.in\][\s\S]*queue \{[\s\S]*filter_suffix = "\.txt"/);
  r = await svl(['export', 'tl.flow.json', '--format', 'cloudformation'], { env, cwd });
  assert.equal(r.code, 0, r.stderr);
  const cfn = JSON.parse(r.stdout);
  assert.deepEqual(cfn.Resources.TlBucketBucket.DependsOn, ['InQueuePolicy']);
  // A bucket of the same flow in another region belongs to the flow deployed there: destroy leaves it.
  const S3 = await import('@aws-sdk/client-s3');
  const eu = new S3.S3Client({ endpoint: t.url, region: 'eu-west-1', credentials, forcePathStyle: true });
  await eu.send(new S3.CreateBucketCommand({ Bucket: 'tl-eu-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  await eu.send(new S3.PutBucketTaggingCommand({ Bucket: 'tl-eu-bucket', Tagging: { TagSet: [{ Key: 'svl:flow', Value: 'tl' }] } }));
  // destroy by name, without the spec file: the bucket is found by its tag (ListBuckets in the flow's region + GetBucketTagging)
  r = await at(work)(['destroy', 'tl', '--yes', '--force', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).deleted.some((s) => s.kind === 'bucket' && s.name === 'tl-bucket'), r.stdout);
  assert.equal(await bucketExists('tl-bucket'), false);
  assert.equal(await bucketExists('tl-eu-bucket'), true);
});

test('a bucket notifying the topic and a function: topic policy and Lambda permission before the notification; apply twice is idempotent', async () => {
  const cwd = mkdtempSync(join(work, 'fn-'));
  await t.createFunction('fn-thumbs');
  writeFileSync(
    join(cwd, 'fnf.flow.json'),
    JSON.stringify({
      name: 'fnf',
      topic: { name: 'fnf-events' },
      queues: [{ id: 'audit', name: 'fnf-audit' }],
      buckets: [
        {
          name: 'fnf-bucket',
          notifications: [
            { events: ['s3:ObjectRemoved:*'], topic: 'fnf-events' },
            { events: ['s3:ObjectCreated:*'], prefix: 'img/', function: 'fn-thumbs' },
          ],
        },
      ],
    }),
  );
  const run = at(cwd);
  let r = await run(['apply', '--yes', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const kinds = JSON.parse(r.stdout).done.map((s) => s.kind);
  assert.ok(kinds.indexOf('policy') < kinds.indexOf('notification') && kinds.indexOf('permission') < kinds.indexOf('notification'), kinds.join(','));
  const fnPolicy = JSON.parse((await t.send('GetPolicy', { FunctionName: 'fn-thumbs' })).Policy);
  const st = fnPolicy.Statement.find((s) => s.Sid === 'svl-s3-fnf-bucket');
  assert.equal(st.Principal.Service, 's3.amazonaws.com');
  const { send } = await s3();
  const cfg = await send('GetBucketNotificationConfiguration', { Bucket: 'fnf-bucket' });
  assert.equal(cfg.TopicConfigurations.length, 1);
  assert.equal(cfg.LambdaFunctionConfigurations[0].LambdaFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:fn-thumbs');
  r = await run(['apply', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /No changes/);
  // a changed filter: plan shows the notification update, apply carries it out, then nothing is left to do
  const file = join(cwd, 'fnf.flow.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"img/"', '"thumbs/"'));
  r = await run(['plan', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).plan.steps, [
    { action: 'update', kind: 'notification', name: 'fnf-bucket', changes: ['+ s3:ObjectCreated:* thumbs/* -> λ fn-thumbs', '- s3:ObjectCreated:* img/* -> λ fn-thumbs'] },
  ]);
  r = await run(['plan']);
  assert.match(r.stdout, /~ │ notification │ fnf-bucket/);
  assert.equal((await run(['apply', '--yes'])).code, 0);
  assert.equal((await send('GetBucketNotificationConfiguration', { Bucket: 'fnf-bucket' })).LambdaFunctionConfigurations[0].Filter.Key.FilterRules[0].Value, 'thumbs/');
  assert.deepEqual(JSON.parse((await run(['plan', '--json'])).stdout).plan.steps, []);
  r = await run(['destroy', 'fnf', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await bucketExists('fnf-bucket'), false, 'an empty bucket is deleted');
  assert.equal(JSON.parse((await t.send('GetPolicy', { FunctionName: 'fn-thumbs' }).catch(() => ({ Policy: '{"Statement":[]}' }))).Policy).Statement.some((s) => s.Sid === 'svl-s3-fnf-bucket'), false, 'the permission goes with the bucket');
});

test('users-demo gains the profile-images bucket -> users-profile-images (DLQ after 5) -> consumer', async () => {
  const cwd = mkdtempSync(join(work, 'ud-'));
  const run = at(cwd);
  let r = await run(['init', 'users-demo', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse((await queueAttrs('users-profile-images')).RedrivePolicy), { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:users-profile-images-dlq', maxReceiveCount: 5 });
  const { send } = await s3();
  const cfg = await send('GetBucketNotificationConfiguration', { Bucket: 'users-demo-profile-images' });
  assert.equal(cfg.QueueConfigurations[0].QueueArn, 'arn:aws:sqs:us-east-1:000000000000:users-profile-images');
  assert.equal((await t.send('ListEventSourceMappings', { FunctionName: 'users-profile-images-consumer' })).EventSourceMappings.length, 1);
  await send('PutObject', { Bucket: 'users-demo-profile-images', Key: 'ada.png', Body: 'png' });
  await eventually(async () => (await t.logs('users-profile-images-consumer')).some((e) => e.text.includes('processing s3://users-demo-profile-images/ada.png')), { timeoutMs: 20_000, what: 'the consumer to log the upload' });
  r = await run(['destroy', 'users-demo', '--yes', '--force']);
  assert.equal(r.code, 0, r.stderr);
});

test('bad bucket specs: every problem listed, exit 2, a hint, nothing created', async () => {
  const cwd = mkdtempSync(join(work, 'bad-'));
  writeFileSync(
    join(cwd, 'bad.flow.json'),
    JSON.stringify({
      name: 'bad',
      topic: { name: 'bad' },
      queues: [{ id: 'a', name: 'bad-a' }],
      buckets: [
        { name: 'Bad_Bucket', notifications: [{ events: ['s3:ObjectCreatd:*'], queue: 'a' }] },
        { name: 'bad-ok', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'nope' }, { events: ['s3:ObjectCreated:Put'], queue: 'a', topic: 'bad' }] },
      ],
    }),
  );
  for (const cmd of [['plan'], ['apply', '--yes']]) {
    const r = await at(cwd)(cmd);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /buckets\[0\]\.name: "Bad_Bucket" may contain only lowercase letters/);
    assert.match(r.stderr, /buckets\[0\]\.notifications\[0\]\.events\[0\]: "s3:ObjectCreatd:\*" is not an S3 event type; did you mean "s3:ObjectCreated:\*"\?/);
    assert.match(r.stderr, /buckets\[1\]\.notifications\[0\]\.queue: "nope" is not a queue of this flow/);
    assert.match(r.stderr, /buckets\[1\]\.notifications\[1\]: names queue and topic: a notification has exactly one destination/);
    assert.match(r.stderr, /\nHint: /);
    assert.doesNotMatch(r.stderr, NO_STACK);
  }
  assert.equal(await bucketExists('bad-ok'), false);
  const fifo = await at(cwd)(['init', 'upload-pipeline', 'ff', '--fifo', '--yes']);
  assert.equal(fifo.code, 2, fifo.stderr);
  assert.match(fifo.stderr, /--fifo: the upload-pipeline template's queue is notified by S3, and S3 event notifications cannot go to FIFO queues/);
  assert.match(fifo.stderr, /\nHint: /);
  const S = await import('@aws-sdk/client-sqs');
  assert.deepEqual((await t.sqs.send(new S.ListQueuesCommand({ QueueNamePrefix: 'bad' }))).QueueUrls ?? [], []);

  // a bucket owned by another flow is a conflict (exit 1), not taken over
  const { send } = await s3();
  await send('CreateBucket', { Bucket: 'taken-bucket' });
  await send('PutBucketTagging', { Bucket: 'taken-bucket', Tagging: { TagSet: [{ Key: 'svl:flow', Value: 'other' }] } });
  writeFileSync(join(cwd, 'bad.flow.json'), JSON.stringify({ name: 'tk', topic: { name: 'tk' }, queues: [{ id: 'a', name: 'tk-a' }], buckets: [{ name: 'taken-bucket', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'a' }] }] }));
  const r = await at(cwd)(['apply', '--yes']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /bucket taken-bucket belongs to flow "other"/);
  assert.match(r.stderr, /Hint: .*--adopt/);
  assert.deepEqual((await send('GetBucketNotificationConfiguration', { Bucket: 'taken-bucket' })).QueueConfigurations ?? [], []);
  // --adopt takes it over: tagged with this flow, its notification configured
  const adopted = await at(cwd)(['apply', '--yes', '--adopt']);
  assert.equal(adopted.code, 0, adopted.stderr);
  assert.deepEqual((await send('GetBucketTagging', { Bucket: 'taken-bucket' })).TagSet, [{ Key: 'svl:flow', Value: 'tk' }]);
  assert.equal((await send('GetBucketNotificationConfiguration', { Bucket: 'taken-bucket' })).QueueConfigurations.length, 1);
  assert.equal((await at(cwd)(['destroy', 'tk', '--yes'])).code, 0);
  assert.equal(await bucketExists('taken-bucket'), false);
});

test('Ctrl-C during apply after the bucket is created: what was done is listed, the next apply converges, then no changes', async () => {
  const cwd = mkdtempSync(join(work, 'cz-'));
  writeFileSync(join(cwd, 'cz.flow.json'), JSON.stringify({ name: 'cz', topic: { name: 'cz' }, queues: [{ id: 'a', name: 'cz-a' }], buckets: [{ name: 'cz-bucket', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'a' }] }] }));
  const gate = await startGate(t.url);
  try {
    gate.holdWhen((op) => op === 'CreateTopic');
    const r = await gate.interrupt(spawnSvl(['apply', 'cz.flow.json', '--local', '--yes'], { env: { ...localEnv(gate.url), SVL_CANCEL_GRACE_MS: '60000' }, cwd, timeoutMs: 120_000 }));
    assert.equal(r.code, 130, r.stderr);
    assert.doesNotMatch(r.stderr, NO_STACK);
    assert.match(r.stderr, /Error: Cancelled: applied 2 of \d+ changes to flow "cz" \(created bucket cz-bucket, topic cz\)\n/);
    assert.match(r.stderr, /Hint: the next apply converges from what exists: svl apply cz\.flow\.json --local --yes\n/);
  } finally {
    await gate.close();
  }
  const { send } = await s3();
  assert.deepEqual((await send('GetBucketNotificationConfiguration', { Bucket: 'cz-bucket' })).QueueConfigurations ?? [], [], 'the notification comes last: not configured yet');
  let r = await at(cwd)(['apply', 'cz.flow.json', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await send('GetBucketNotificationConfiguration', { Bucket: 'cz-bucket' })).QueueConfigurations.length, 1);
  r = await at(cwd)(['apply', 'cz.flow.json', '--yes']);
  assert.match(r.stdout, /^No changes/);
  assert.equal((await at(cwd)(['destroy', 'cz', '--yes'])).code, 0);
});
