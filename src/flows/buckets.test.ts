import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpecError, validateSpec } from './spec.js';
import { bucketNameProblem } from './bucket-spec.js';
import { specToJson } from './files.js';
import { canonicalNotifications, desiredTopicPolicy, notificationConfiguration, desiredNotifications, type ObservedS3 } from './buckets.js';
import { desiredQueueAttributes, planFlow } from './plan.js';
import type { FlowClients, Observed } from './observe.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { planDestroyBuckets } from './buckets-aws.js';

const problems = (raw: unknown) => {
  try {
    validateSpec(raw);
  } catch (err) {
    assert.ok(err instanceof SpecError);
    assert.equal(err.exitCode, 2);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
};
const base = { name: 'up', topic: { name: 'up' }, queues: [{ id: 'work', name: 'up-work' }] };
const withBuckets = (buckets: unknown) => ({ ...base, buckets });
const ctx = { kind: 'local' as const, region: 'us-east-1', account: '000000000000' };

describe('flow spec: buckets', () => {
  it('a bucket notifying a queue of the flow (by id) resolves to the queue name, with a derived configuration id', () => {
    const s = validateSpec(withBuckets([{ name: 'up-uploads', notifications: [{ events: ['s3:ObjectCreated:*'], prefix: 'in/', suffix: '.jpg', queue: 'work' }] }]));
    assert.deepEqual(s.buckets, [{ name: 'up-uploads', notifications: [{ id: 'up-uploads-queue-up-work', events: ['s3:ObjectCreated:*'], prefix: 'in/', suffix: '.jpg', kind: 'queue', target: 'up-work' }] }]);
    // what is written to a spec file reads back to the same spec
    assert.deepEqual(validateSpec(JSON.parse(specToJson(s))), s);
  });

  it('derived ids of two notifications to the same destination do not collide (-2, -3… only when taken)', () => {
    const n = (prefix: string, extra = {}) => ({ events: ['s3:ObjectCreated:*'], prefix, queue: 'work', ...extra });
    const s = validateSpec(withBuckets([{ name: 'up-uploads', notifications: [n('a/'), n('b/'), n('c/', { id: 'up-uploads-queue-up-work-3' }), n('d/')] }]));
    assert.deepEqual(
      s.buckets![0]!.notifications.map((x) => x.id),
      ['up-uploads-queue-up-work', 'up-uploads-queue-up-work-2', 'up-uploads-queue-up-work-3', 'up-uploads-queue-up-work-4'],
    );
    assert.deepEqual(validateSpec(JSON.parse(specToJson(s))), s);
    // a written id equal to a derived one: the written one keeps it, the derived one moves on
    const w = validateSpec(withBuckets([{ name: 'up-uploads', notifications: [n('a/'), n('b/', { id: 'up-uploads-queue-up-work' })] }]));
    assert.deepEqual(w.buckets![0]!.notifications.map((x) => x.id), ['up-uploads-queue-up-work-2', 'up-uploads-queue-up-work']);
    assert.deepEqual(problems(withBuckets([{ name: 'up-uploads', notifications: [n('a/', { id: 'same' }), n('b/', { id: 'same' })] }])), [
      'buckets[0].notifications[1].id: "same" is already the id of another notification of this bucket',
    ]);
  });

  it('a spec without buckets has no buckets key (files of existing flows do not change)', () => {
    const s = validateSpec(base);
    assert.equal('buckets' in s, false);
    assert.doesNotMatch(specToJson(s), /buckets/);
  });

  it('bucket names follow the S3 naming rules', () => {
    assert.equal(bucketNameProblem('my-bucket.v2'), undefined);
    for (const [n, re] of [
      ['ab', /3-63 characters/],
      ['a'.repeat(64), /3-63 characters/],
      ['My_Bucket', /lowercase letters, digits, dots/],
      ['-abc', /begin and end/],
      ['abc.', /begin and end/],
      ['a..b', /two adjacent dots/],
      ['192.168.5.4', /IP address/],
      ['xn--abc', /reserved prefix xn--/],
      ['sthree-x', /reserved prefix sthree-/],
      ['abc-s3alias', /reserved suffix -s3alias/],
      ['abc--ol-s3', /reserved suffix --ol-s3/],
    ] as const) assert.match(bucketNameProblem(n) ?? '', re, n);
  });

  it('lists every bad bucket field at once, each with its path', () => {
    const p = problems(
      withBuckets([
        { name: 'Bad_Name', notifications: [{ events: ['s3:ObjectCreated:Putt'], queue: 'nope' }] },
        { name: 'ok-bucket', notifications: [{ events: [], topic: 'other' }, { events: ['s3:ObjectRemoved:*'] }, { events: ['s3:ObjectRemoved:*'], queue: 'work', function: 'f' }] },
        { name: 'ok-bucket', colour: 'red' },
        'x',
      ]),
    );
    assert.deepEqual(p, [
      'buckets[0].name: "Bad_Name" may contain only lowercase letters, digits, dots (.) and hyphens (-) (S3 bucket naming rules)',
      'buckets[0].notifications[0].events[0]: "s3:ObjectCreated:Putt" is not an S3 event type; did you mean "s3:ObjectCreated:Put"?',
      'buckets[0].notifications[0].queue: "nope" is not a queue of this flow (queues: work): svl manages the policy that lets the bucket send',
      'buckets[1].notifications[0].events: must list at least one S3 event type, e.g. ["s3:ObjectCreated:*"]',
      'buckets[1].notifications[0].topic: "other" is not this flow\'s topic ("up"): svl manages the policy that lets the bucket publish',
      'buckets[1].notifications[1]: needs a destination: "queue", "topic" or "function"',
      'buckets[1].notifications[2]: names queue and function: a notification has exactly one destination',
      'buckets[2].colour: unknown key (known here: name, notifications)',
      'buckets[2].name: "ok-bucket" is already used by buckets[1]',
      'buckets[3]: must be an object with a name',
    ]);
    assert.match(problems(withBuckets({}))[0]!, /^buckets: must be a list/);
    assert.match(problems(withBuckets([{ name: 'b-1', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'work', prefix: '' }] }]))[0]!, /prefix: must be a non-empty string/);
    assert.match(problems(withBuckets([{ name: 'b-1', notifications: [{ events: ['s3:ObjectCreated:*'], function: 'bad name' }] }]))[0]!, /function: "bad name" must name a Lambda function/);
    assert.match(problems(withBuckets([{ name: 'b-1', notifications: [{ events: ['s3:ObjectCreated:*', 's3:ObjectCreated:*'], queue: 'work' }] }]))[0]!, /lists s3:ObjectCreated:\* twice/);
  });

  it('overlapping configurations are refused as S3 refuses them; disjoint filters are fine', () => {
    const two = (a: object, b: object) => problems(withBuckets([{ name: 'b-1', notifications: [{ queue: 'work', ...a }, { function: 'fn', ...b }] }]));
    assert.match(two({ events: ['s3:ObjectCreated:*'] }, { events: ['s3:ObjectCreated:Put'] })[0]!, /notifications\[1\]: overlaps buckets\[0\]\.notifications\[0\] \(both get s3:ObjectCreated:Put/);
    assert.match(two({ events: ['s3:ObjectCreated:*'], prefix: 'a/' }, { events: ['s3:ObjectCreated:*'], prefix: 'a/b/' })[0]!, /overlaps/);
    assert.deepEqual(two({ events: ['s3:ObjectCreated:*'], prefix: 'a/' }, { events: ['s3:ObjectCreated:*'], prefix: 'b/' }), []);
    assert.deepEqual(two({ events: ['s3:ObjectCreated:*'], suffix: '.jpg' }, { events: ['s3:ObjectCreated:*'], suffix: '.png' }), []);
    assert.deepEqual(two({ events: ['s3:ObjectCreated:*'] }, { events: ['s3:ObjectRemoved:*'] }), []);
  });

  it('FIFO destinations are refused (S3 notifies only standard queues and topics)', () => {
    const fifo = { name: 'f', topic: { name: 'f.fifo', fifo: true }, queues: [{ id: 'a', name: 'f-a.fifo' }] };
    assert.match(problems({ ...fifo, buckets: [{ name: 'b-1', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'a' }] }] })[0]!, /FIFO queue: S3 event notifications cannot go to FIFO queues/);
    assert.match(problems({ ...fifo, buckets: [{ name: 'b-1', notifications: [{ events: ['s3:ObjectCreated:*'], topic: 'f.fifo' }] }] })[0]!, /FIFO topic/);
  });
});

describe('buckets: desired state', () => {
  const spec = validateSpec(
    withBuckets([
      { name: 'up-uploads', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'work' }, { events: ['s3:ObjectRemoved:*'], topic: 'up' }] },
    ]),
  );
  it('a queue notified by a bucket and fed by the topic gets one policy with both statements', () => {
    const policy = JSON.parse(desiredQueueAttributes(spec, spec.queues[0]!, ctx).Policy!);
    assert.equal(policy.Statement.length, 2);
    assert.deepEqual(policy.Statement[0].Principal, { Service: 'sns.amazonaws.com' });
    assert.deepEqual(policy.Statement[1], {
      Sid: 'AllowBucket1',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: 'arn:aws:sqs:us-east-1:000000000000:up-work',
      Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::up-uploads' }, StringEquals: { 'aws:SourceAccount': '000000000000' } },
    });
  });

  it('the topic policy keeps the default statement and adds one per bucket', () => {
    const p = JSON.parse(desiredTopicPolicy(spec, 'arn:aws:sns:us-east-1:000000000000:up', ctx)!);
    assert.deepEqual(p.Statement.map((s: { Sid: string }) => s.Sid), ['__default_statement_ID', 'AllowBucket1']);
    assert.equal(p.Statement[1].Action, 'SNS:Publish');
    assert.equal(desiredTopicPolicy(validateSpec(base), 'arn', ctx), undefined);
  });

  it('the notification configuration round-trips through what S3 answers (rule names capitalised)', () => {
    const want = desiredNotifications(spec.buckets![0]!, ctx);
    const cfg = notificationConfiguration(want);
    assert.deepEqual(cfg.QueueConfigurations, [{ Id: 'up-uploads-queue-up-work', Events: ['s3:ObjectCreated:*'], QueueArn: 'arn:aws:sqs:us-east-1:000000000000:up-work' }]);
    const answered = JSON.parse(JSON.stringify(cfg).replace(/"prefix"/g, '"Prefix"'));
    assert.deepEqual(canonicalNotifications(answered), [...want].sort((a, b) => (a.id < b.id ? -1 : 1)));
  });
});

describe('buckets: plan', () => {
  const spec = validateSpec(withBuckets([{ name: 'up-uploads', notifications: [{ events: ['s3:ObjectCreated:*'], queue: 'work' }] }]));
  const empty: Observed = { queues: new Map(), subs: [], stale: [], s3: { buckets: new Map(), permissions: new Map(), missingFunctions: new Set() } };

  it('nothing exists: the bucket is created first, its notification configured last', () => {
    const plan = planFlow(spec, empty, ctx);
    assert.deepEqual(plan.steps[0], { action: 'create', kind: 'bucket', name: 'up-uploads', changes: [] });
    assert.deepEqual(plan.steps.at(-1), { action: 'create', kind: 'notification', name: 'up-uploads', changes: ['+ s3:ObjectCreated:* -> queue up-work'] });
  });

  it('a bucket as applied: no bucket step; a changed filter is an update of the notification', () => {
    const applied: ObservedS3 = {
      buckets: new Map([['up-uploads', { name: 'up-uploads', tags: { 'svl:flow': 'up' }, notifications: desiredNotifications(spec.buckets![0]!, ctx) }]]),
      permissions: new Map(),
      missingFunctions: new Set(),
    };
    const steps = planFlow(spec, { ...empty, s3: applied }, ctx).steps.filter((s) => ['bucket', 'notification'].includes(s.kind));
    assert.deepEqual(steps, []);
    const changed = validateSpec(withBuckets([{ name: 'up-uploads', notifications: [{ events: ['s3:ObjectCreated:*'], suffix: '.jpg', queue: 'work' }] }]));
    const n = planFlow(changed, { ...empty, s3: applied }, ctx).steps.filter((s) => s.kind === 'notification');
    assert.deepEqual(n, [{ action: 'update', kind: 'notification', name: 'up-uploads', changes: ['+ s3:ObjectCreated:* *.jpg -> queue up-work', '- s3:ObjectCreated:* -> queue up-work'] }]);
  });

  it('a bucket of another flow, or not tagged, is a conflict unless adopted; one of another account always', () => {
    const obs = (tags: Record<string, string>, foreign = false): Observed => ({ ...empty, s3: { ...empty.s3!, buckets: new Map([['up-uploads', { name: 'up-uploads', tags, notifications: [], foreign }]]) } });
    assert.deepEqual(planFlow(spec, obs({ 'svl:flow': 'other' }), ctx).conflicts, ['bucket up-uploads belongs to flow "other"']);
    assert.deepEqual(planFlow(spec, obs({}), ctx).conflicts, ['bucket up-uploads exists and is not managed by svl']);
    assert.deepEqual(planFlow(spec, obs({}), { ...ctx, adopt: true }).conflicts, []);
    assert.match(planFlow(spec, obs({}, true), { ...ctx, adopt: true }).conflicts[0]!, /exists in another account/);
  });

  it('a function destination needs a Lambda permission; a missing function is a warning, its notification waits', () => {
    const fnSpec = validateSpec(withBuckets([{ name: 'up-uploads', notifications: [{ events: ['s3:ObjectCreated:*'], function: 'thumbs' }] }]));
    const steps = planFlow(fnSpec, empty, ctx).steps.map((s) => `${s.action} ${s.kind} ${s.name}`);
    assert.deepEqual(steps.slice(-2), ['create permission up-uploads -> λ thumbs', 'create notification up-uploads']);
    const missing = planFlow(fnSpec, { ...empty, s3: { ...empty.s3!, missingFunctions: new Set(['thumbs']) } }, ctx);
    assert.match(missing.warnings[0]!, /Lambda destination thumbs does not exist yet/);
    assert.equal(missing.steps.some((s) => s.kind === 'notification' || s.kind === 'permission'), false);
  });
});

describe('buckets: destroy without a spec', () => {
  it("lists the client region's buckets only and passes over one answering 301 PermanentRedirect", async () => {
    const sent: Array<[string, Record<string, unknown>]> = [];
    const fake = {
      config: { region: async () => 'eu-west-1' },
      send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const name = cmd.constructor.name;
        sent.push([name, cmd.input]);
        if (name === 'ListBucketsCommand') return { Buckets: [{ Name: 'moved' }, { Name: 'mine' }] };
        if (name === 'GetBucketTaggingCommand') {
          if (cmd.input.Bucket === 'moved') throw Object.assign(new Error('redirect'), { name: 'PermanentRedirect', $metadata: { httpStatusCode: 301 } });
          return { TagSet: [{ Key: 'svl:flow', Value: 'up' }] };
        }
        if (name === 'ListObjectsV2Command') return { KeyCount: 0 };
        throw new Error(`unexpected ${name}`);
      },
    };
    const out = await planDestroyBuckets('up', undefined, { s3: async () => fake as unknown as S3Client } as unknown as FlowClients, false);
    assert.deepEqual(out.delete, ['mine']);
    assert.deepEqual(sent[0], ['ListBucketsCommand', { ContinuationToken: undefined, BucketRegion: 'eu-west-1' }]);
  });
});
