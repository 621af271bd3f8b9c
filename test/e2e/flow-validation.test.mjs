// Validation before anything changes, through the built CLI against an in-process emulator: every
// class of bad spec is refused by `svl plan` and `svl apply` with exit 2, each problem with its JSON
// path, and nothing exists afterwards; a queue whose visibility timeout is shorter than its existing
// consumer function's timeout is refused with Lambda's words; the init wizard asks again after a bad
// answer; and the AWS-account question (asked for AWS, never for --local).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { svl, inTerminal, NO_STACK } from '../helpers/cli.mjs';
import { lambdaE2eSuite, fixtures } from '../helpers/lambda.mjs';

let t;
let env;
let work;
lambdaE2eSuite('svl-validate-', (s) => ({ t, env, work } = s));

const dir = (files = {}) => {
  const d = mkdtempSync(join(work, 'd-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(d, name), typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return d;
};
const run = (args, cwd, extra = {}) => svl([...args, '--local'], { env, cwd, ...extra });
const queueNames = async (prefix) => ((await t.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? []).map((u) => u.split('/').pop());
const topicNames = async () => ((await t.sns.send(new ListTopicsCommand({}))).Topics ?? []).map((x) => x.TopicArn.split(':').pop());

/** A valid standard spec for flow `name`, changed by `edit`. */
const spec = (name, edit = (s) => s) =>
  edit({ version: 1, name, topic: { name }, queues: [{ id: 'a', name: `${name}-a`, consumer: undefined }, { id: 'b', name: `${name}-b` }] });
const fifoSpec = (name, edit = (s) => s) => edit({ version: 1, name, topic: { name: `${name}.fifo`, fifo: true }, queues: [{ id: 'a', name: `${name}-a.fifo` }] });

describe('bad specs: plan and apply exit 2, every problem with its JSON path, nothing created', () => {
  const long = 'q'.repeat(78);
  const cases = [
    ['unknown top-level key, did you mean', spec('v1', (s) => ({ ...s, queue: [] })), [/^ {2}- queue: unknown key; did you mean "queues"\?$/m]],
    ['unknown keys at every level', spec('v2', (s) => ({ ...s, topic: { name: 'v2', fifoo: true }, queues: [{ name: 'v2-a', visiblityTimeout: 60, dlq: { maxRecieveCount: 3 }, consumer: { function: 'f', batchsize: 5 } }] })), [
      /topic\.fifoo: unknown key; did you mean "fifo"\?/,
      /queues\[0\]\.visiblityTimeout: unknown key; did you mean "visibilityTimeout"\?/,
      /queues\[0\]\.dlq\.maxRecieveCount: unknown key; did you mean "maxReceiveCount"\?/,
      /queues\[0\]\.consumer\.batchsize: unknown key; did you mean "batchSize"\?/,
    ]],
    ['unknown key with nothing close lists the known ones', spec('v3', (s) => ({ ...s, topic: { name: 'v3', zzz: 1 } })), [/topic\.zzz: unknown key \(known here: name, fifo, contentBasedDeduplication\)/]],
    ['unknown version', spec('v4', (s) => ({ ...s, version: 2 })), [/version: unknown version 2: this svl reads version 1/]],
    ['invalid filter policy, with SNS\'s message', spec('v5', (s) => ({ ...s, queues: [{ name: 'v5-a', filterPolicy: { type: 'invoice' } }] })), [/queues\[0\]\.filterPolicy: Invalid parameter: FilterPolicy: "type" must be an object or an array/]],
    ['filter policy nested in MessageAttributes scope', spec('v6', (s) => ({ ...s, queues: [{ name: 'v6-a', filterPolicy: { order: { type: ['x'] } } }] })), [/queues\[0\]\.filterPolicy: Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy/]],
    ['filter policy too complex (AWS limit)', spec('v7', (s) => ({ ...s, queues: [{ name: 'v7-a', filterPolicy: { a: Array.from({ length: 151 }, (_, i) => `v${i}`) } }] })), [/queues\[0\]\.filterPolicy: Invalid parameter: FilterPolicy: Filter policy is too complex/]],
    ['bad filterPolicyScope', spec('v8', (s) => ({ ...s, queues: [{ name: 'v8-a', filterPolicyScope: 'Body', filterPolicy: { a: ['b'] } }] })), [/queues\[0\]\.filterPolicyScope: must be MessageAttributes or MessageBody \(got "Body"\)/]],
    ['queue names: characters and length', spec('v9', (s) => ({ ...s, queues: [{ name: 'v9 a' }, { name: `v9-${long}` }] })), [/queues\[0\]\.name: "v9 a" must be 1-80 characters/, /queues\[1\]\.name: "v9-q+" must be 1-80 characters/]],
    ['FIFO topic name without .fifo; standard topic with a .fifo name', spec('v10', (s) => ({ ...s, topic: { name: 'v10', fifo: true } })), [/topic\.name: "v10" must end in \.fifo/]],
    ['a FIFO topic needs FIFO queues', fifoSpec('v11', (s) => ({ ...s, queues: [{ name: 'v11-a' }] })), [/queues\[0\]\.name: "v11-a" must end in \.fifo: the topic is FIFO, and FIFO topics deliver only to FIFO queues/]],
    ['a standard topic cannot feed a FIFO queue', spec('v12', (s) => ({ ...s, queues: [{ name: 'v12-a.fifo' }] })), [/queues\[0\]\.name: "v12-a\.fifo" ends in \.fifo but the topic is standard/]],
    ['DLQ type must match its queue', fifoSpec('v13', (s) => ({ ...s, queues: [{ name: 'v13-a.fifo', dlq: { name: 'v13-dead' } }] })), [/queues\[0\]\.dlq\.name: "v13-dead" is a standard queue but its source queue is FIFO: a DLQ must be of the same type as its queue/]],
    ['queue limits', spec('v14', (s) => ({ ...s, queues: [{ name: 'v14-a', visibilityTimeout: 43_201, retentionSeconds: 59, delaySeconds: 901, dlq: { maxReceiveCount: 1001, retentionSeconds: 1_209_601 } }] })), [
      /queues\[0\]\.visibilityTimeout: must be an integer from 0 to 43200 \(got 43201\)/,
      /queues\[0\]\.retentionSeconds: must be an integer from 60 to 1209600 \(got 59\)/,
      /queues\[0\]\.delaySeconds: must be an integer from 0 to 900 \(got 901\)/,
      /queues\[0\]\.dlq\.maxReceiveCount: must be an integer from 1 to 1000 \(got 1001\)/,
      /queues\[0\]\.dlq\.retentionSeconds: must be an integer from 60 to 1209600/,
    ]],
    ['consumer batch rules (standard)', spec('v15', (s) => ({ ...s, queues: [{ name: 'v15-a', consumer: { function: 'f', batchSize: 100 } }, { name: 'v15-b', consumer: { function: 'f', batchSize: 10_001, batchingWindowSeconds: 301 } }, { name: 'v15-c', consumer: { function: 'bad fn' } }] })), [
      /queues\[0\]\.consumer\.batchingWindowSeconds: a batch size over 10 \(here 100\) needs a batching window of at least 1 second/,
      /queues\[1\]\.consumer\.batchSize: must be an integer from 1 to 10000 \(got 10001\)/,
      /queues\[1\]\.consumer\.batchingWindowSeconds: must be an integer from 0 to 300 \(got 301\)/,
      /queues\[2\]\.consumer\.function: must name a Lambda function/,
    ]],
    ['consumer batch rules (FIFO)', fifoSpec('v16', (s) => ({ ...s, queues: [{ name: 'v16-a.fifo', consumer: { function: 'f', batchSize: 11, batchingWindowSeconds: 1 } }] })), [
      /queues\[0\]\.consumer\.batchSize: must be an integer from 1 to 10 for a FIFO queue \(got 11\)/,
      /queues\[0\]\.consumer\.batchingWindowSeconds: Lambda does not support a batching window for FIFO queues/,
    ]],
    ['visibility timeout shorter than the consumer timeout the spec gives', spec('v17', (s) => ({ ...s, queues: [{ name: 'v17-a', visibilityTimeout: 30, consumer: { function: 'f', timeout: 60 } }] })), [
      /queues\[0\]\.visibilityTimeout: Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds/,
    ]],
    ['duplicate ids and names (a queue named like another queue\'s DLQ)', spec('v18', (s) => ({ ...s, queues: [{ id: 'x', name: 'v18-a' }, { id: 'x', name: 'v18-a-dlq' }] })), [
      /queues\[1\]\.id: "x" is already the id of queues\[0\]/,
      /queues\[1\]\.name: "v18-a-dlq" is already used by queues\[0\]\.dlq\.name/,
    ]],
    ['tags: limits, reserved prefixes, svl\'s own', spec('v19', (s) => ({ ...s, tags: { 'aws:team': 'x', 'svl:flow': 'y', ok: 'v'.repeat(257), ['k'.repeat(129)]: 'v' } })), [
      /tags\["aws:team"\]: the aws: prefix is reserved for AWS/,
      /tags\["svl:flow"\]: is set by svl/,
      /tags\["ok"\]: tag values must be at most 256 characters \(got 257\)/,
      /tags\["k+"\]: tag keys must be 1-128 characters/,
    ]],
    ['too many tags', spec('v20', (s) => ({ ...s, tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v'])) })), [/tags: at most 49 tags \(AWS allows 50 per queue or topic, and svl adds svl:flow\); got 50/]],
    ['content-based deduplication on a standard topic; wrong types', spec('v21', (s) => ({ ...s, topic: { name: 'v21', contentBasedDeduplication: true }, queues: [{ name: 'v21-a', rawDelivery: 'yes', visibilityTimeout: '30' }] })), [
      /topic\.contentBasedDeduplication: only FIFO topics support content-based deduplication/,
      /queues\[0\]\.rawDelivery: must be true or false/,
      /queues\[0\]\.visibilityTimeout: must be an integer from 0 to 43200 \(got "30"\)/,
    ]],
    ['subscription DLQ: FIFO topic needs a FIFO DLQ, a standard topic a standard one', fifoSpec('v22', (s) => ({ ...s, queues: [{ name: 'v22-a.fifo', subscriptionDlq: { name: 'v22-undeliverable' } }] })), [
      /queues\[0\]\.subscriptionDlq\.name: "v22-undeliverable" must end in \.fifo: SNS needs a FIFO queue as the dead-letter queue of a FIFO topic's subscription/,
    ]],
    ['subscription DLQ: wrong shapes, keys, limits and names', spec('v23', (s) => ({ ...s, queues: [{ name: 'v23-a', subscriptionDlq: 'v23-a-sub-dlq' }, { name: 'v23-b', subscriptionDlq: { nmae: 'x', retentionSeconds: 59 } }, { name: 'v23-c', subscriptionDlq: { name: 'v23-c.fifo' } }, { name: 'v23-d', subscriptionDlq: { name: 'v23 d' } }] })), [
      /queues\[0\]\.subscriptionDlq: must be true \(a DLQ named v23-a-sub-dlq\), an object such as \{ "name": "v23-a-sub-dlq" \}, or false for none/,
      /queues\[1\]\.subscriptionDlq\.nmae: unknown key; did you mean "name"\?/,
      /queues\[1\]\.subscriptionDlq\.retentionSeconds: must be an integer from 60 to 1209600 \(got 59\)/,
      /queues\[2\]\.subscriptionDlq\.name: "v23-c\.fifo" ends in \.fifo but the topic is standard: the dead-letter queue of a standard topic's subscription must be a standard queue/,
      /queues\[3\]\.subscriptionDlq\.name: "v23 d" must be 1-80 characters/,
    ]],
    ['subscription DLQ: its own name, not a queue\'s or a DLQ\'s, nor shared', spec('v24', (s) => ({ ...s, queues: [{ name: 'v24-a', subscriptionDlq: { name: 'v24-a-dlq' } }, { name: 'v24-b', subscriptionDlq: { name: 'v24-b' } }, { name: 'v24-c', subscriptionDlq: { name: 'v24-shared' } }, { name: 'v24-d', subscriptionDlq: { name: 'v24-shared' } }] })), [
      /queues\[0\]\.subscriptionDlq\.name: "v24-a-dlq" is already used by queues\[0\]\.dlq\.name/,
      /queues\[1\]\.subscriptionDlq\.name: "v24-b" is already used by queues\[1\]\.name/,
      /queues\[3\]\.subscriptionDlq\.name: "v24-shared" is already used by queues\[2\]\.subscriptionDlq\.name/,
    ]],
    ['not an object', [1, 2], [/\$: must be a JSON object/]],
  ];
  for (const [what, body, expected] of cases) {
    test(what, async () => {
      const name = body.name ?? 'arr';
      const cwd = dir({ [`${name}.flow.json`]: body });
      for (const cmd of [['plan'], ['apply', '--yes']]) {
        const r = await run(cmd, cwd);
        assert.equal(r.code, 2, `${cmd[0]}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /^Error: Invalid .*\.flow\.json:\n/);
        for (const re of expected) assert.match(r.stderr, re);
        assert.match(r.stderr, /\nHint: /);
        assert.doesNotMatch(r.stderr, NO_STACK);
      }
      if (body.name) {
        assert.deepEqual(await queueNames(body.name), [], 'no queue created');
        assert.ok(!(await topicNames()).some((n) => n.startsWith(body.name)), 'no topic created');
      }
    });
  }

  test('--json: one JSON error on stderr (code InvalidFlowSpec, every problem in its message), nothing on stdout', async () => {
    const cwd = dir({ 'j.flow.json': spec('j', (s) => ({ ...s, version: 3, nmae: 'x' })) });
    const r = await run(['plan', '--json'], cwd);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const { error } = JSON.parse(r.stderr);
    assert.equal(error.code, 'InvalidFlowSpec');
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /\n {2}- nmae: unknown key; did you mean "name"\?\n {2}- version: unknown version 3/);
    assert.match(error.hint, /Fix the listed fields/);
  });

  test('a valid spec with every optional field still plans and applies', async () => {
    const cwd = dir({
      'ok.flow.json': spec('okv', (s) => ({
        ...s,
        tags: { team: 'core' },
        queues: [
          {
            id: 'a',
            name: 'okv-a',
            visibilityTimeout: 60,
            retentionSeconds: 60,
            delaySeconds: 900,
            rawDelivery: true,
            filterPolicyScope: 'MessageBody',
            filterPolicy: { order: { type: ['x'] } },
            dlq: { name: 'okv-dead', maxReceiveCount: 1000, retentionSeconds: 1_209_600 },
            subscriptionDlq: { name: 'okv-undeliverable', retentionSeconds: 60 },
          },
        ],
      })),
    });
    assert.equal((await run(['plan'], cwd)).code, 0);
    const r = await run(['apply', '--yes'], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await queueNames('okv')).sort(), ['okv-a', 'okv-dead', 'okv-undeliverable']);
    assert.equal((await run(['destroy', 'okv', '--yes'], cwd)).code, 0);
  });
});

test('plan and apply refuse a queue whose visibility timeout is shorter than its existing consumer function\'s timeout (Lambda\'s words), before creating anything', async () => {
  const cwd = dir({ 'vt.flow.json': spec('vt', (s) => ({ ...s, queues: [{ name: 'vt-a', visibilityTimeout: 30, consumer: { function: 'vt-slow' } }] })) });
  let r = await run(['deploy', join(fixtures, 'node-cjs'), '--name', 'vt-slow', '--handler', 'index.echo', '--timeout', '60'], cwd);
  assert.equal(r.code, 0, r.stderr);
  for (const cmd of [['plan'], ['apply', '--yes']]) {
    r = await run(cmd, cwd);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /queues\[0\]\.visibilityTimeout: Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds \(function vt-slow exists with a 60 s timeout\)/);
    assert.match(r.stderr, /Hint: /);
  }
  assert.deepEqual(await queueNames('vt'), []);
  assert.ok(!(await topicNames()).includes('vt'));
  // At 60 seconds it plans the consumer.
  writeFileSync(join(cwd, 'vt.flow.json'), JSON.stringify(spec('vt', (s) => ({ ...s, queues: [{ name: 'vt-a', visibilityTimeout: 60, consumer: { function: 'vt-slow' } }] }))));
  r = await run(['plan', '--json'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).plan.steps.some((s) => s.kind === 'consumer' && s.action === 'create'));
});

test('the init wizard asks again after each bad answer (name, queues, number, filter JSON, filter rules) and keeps the good ones', async () => {
  const cwd = dir({ 'taken.flow.json': '{}' });
  const steps = [
    { expect: 'Flow name', send: 'taken\r' },
    { expect: 'taken.flow.json exists here: choose another name', send: '\x15bad name!\r' },
    { expect: 'must be 1-64 letters, digits, - and _', send: '\x15wz\r' },
    { expect: 'FIFO', send: 'n\r' },
    { expect: 'Subscriber queues', send: '\x15a,a\r' },
    { expect: 'lists a queue twice', send: '\x15alpha,beta\r' },
    { expect: 'Receives before a message goes to its DLQ', send: '\x150\r' },
    { expect: 'must be an integer from 1 to 1000', send: '\x154\r' },
    { expect: 'Filter policy for alpha', send: '{not json\r' },
    { expect: 'invalid JSON', send: '\x15{"kind":"a"}\r' },
    { expect: 'Invalid parameter: FilterPolicy: "kind" must be an object or an array', send: '\x15{"kind":["a"]}\r' },
    { expect: 'Filter policy for beta', send: '\r' },
  ];
  const { code, out } = await inTerminal(steps, ['init', 'fanout', '--local'], { cwd, env });
  assert.equal(code, 0, out);
  assert.match(out, /Flow wz ready/);
  const written = JSON.parse(readFileSync(join(cwd, 'wz.flow.json'), 'utf8'));
  assert.deepEqual(written.queues.map((q) => q.name), ['wz-alpha', 'wz-beta']);
  assert.deepEqual(written.queues[0].filterPolicy, { kind: ['a'] });
  assert.equal(written.queues[0].dlq.maxReceiveCount, 4);
  assert.doesNotMatch(out, /AWS account/, '--local never asks for the account');
  assert.equal(readFileSync(join(cwd, 'taken.flow.json'), 'utf8'), '{}');
  assert.equal((await run(['destroy', 'wz', '--yes'], cwd)).code, 0);
});

describe('the AWS-account question (the emulator reached through the AWS config file, so svl sees an AWS target)', () => {
  // endpoint_url in the shared config file is the SDK's own setting: svl has no endpoint of its own and
  // treats the target as AWS. The emulator has no STS, so the account shows as unidentified.
  const awsEnv = (cwd) => {
    writeFileSync(join(cwd, 'aws-config'), `[default]\nregion = us-east-1\nendpoint_url = ${t.url}\n`);
    return { AWS_CONFIG_FILE: join(cwd, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'no-credentials'), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  };

  test('apply asks, with the region, and declining creates nothing (exit 130)', async () => {
    const cwd = dir({ 'acc.flow.json': spec('acc1') });
    const { code, out } = await inTerminal([{ expect: 'AWS account[^?]*region us-east-1\\?', send: 'n\r' }], ['apply'], { cwd, env: awsEnv(cwd) });
    assert.equal(code, 130, out);
    // (the terminal wraps long lines)
    assert.match(out.replace(/\s+/g, ' '), /Apply 7 change\(s\) of flow acc1 in an AWS account that could not be identified \(STS GetCallerIdentity failed: /);
    assert.match(out, /Did not apply/);
    assert.deepEqual(await queueNames('acc1'), []);
    assert.ok(!(await topicNames()).includes('acc1'));
  });

  test('apply: accepting applies', async () => {
    const cwd = dir({ 'acc.flow.json': spec('acc2') });
    const { code, out } = await inTerminal([{ expect: 'AWS account', send: 'y\r' }], ['apply'], { cwd, env: awsEnv(cwd) });
    assert.equal(code, 0, out);
    assert.match(out, /Flow acc2 applied/);
    assert.deepEqual((await queueNames('acc2')).sort(), ['acc2-a', 'acc2-a-dlq', 'acc2-b', 'acc2-b-dlq']);
    assert.equal((await run(['destroy', 'acc2', '--yes'], cwd)).code, 0);
  });

  test('without a terminal and without --yes, apply and init refuse before creating anything (exit 2); --yes goes ahead', async () => {
    const cwd = dir({ 'acc.flow.json': spec('acc3') });
    const env3 = awsEnv(cwd);
    let r = await svl(['apply'], { cwd, env: env3 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Refusing to apply 7 change\(s\) of flow acc3 in an AWS account without --yes when not interactive/);
    assert.match(r.stderr, /Hint: Add --yes to confirm/);
    const cwd2 = dir();
    r = await svl(['init', 'fanout', 'acc4', '--queues', 'a'], { cwd: cwd2, env: awsEnv(cwd2) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Refusing to create flow acc4 \(4 change\(s\)\) in an AWS account without --yes/);
    assert.deepEqual(await queueNames('acc3'), []);
    assert.deepEqual(await queueNames('acc4'), []);
    r = await svl(['apply', '--yes'], { cwd, env: env3 });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /AWS account/);
    assert.equal((await run(['destroy', 'acc3', '--yes'], cwd)).code, 0);
  });

  test('init queue-worker on AWS needs --role for a function it creates: refused (exit 2) before anything is written or created', async () => {
    const cwd = dir();
    const r = await svl(['init', 'queue-worker', 'accw', '--yes'], { cwd, env: awsEnv(cwd) });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--role is required to create accw-work-worker on AWS/);
    assert.match(r.stderr, /Hint: .*--role arn:aws:iam::<account>:role\/<name>/);
    assert.deepEqual(await queueNames('accw'), []);
    assert.equal(existsSync(join(cwd, 'accw-worker')), false);
    assert.equal(existsSync(join(cwd, 'accw.flow.json')), false);
    for (const [args, re] of [
      [['init', 'queue-worker', 'accx', '--role', 'admin'], /--role "admin" is not an IAM role ARN/],
      [['init', 'fanout', 'accy', '--role', 'arn:aws:iam::123456789012:role/x'], /--role: the fanout template deploys no function/],
    ]) {
      const bad = await svl([...args, '--local', '--yes'], { cwd, env });
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, re);
    }
  });

  test('--local never asks', async () => {
    const cwd = dir({ 'acc.flow.json': spec('acc5') });
    const { code, out } = await inTerminal([], ['apply', '--local'], { cwd, env });
    assert.equal(code, 0, out);
    assert.doesNotMatch(out, /AWS account/);
    assert.match(out, /Flow acc5 applied/);
    assert.equal((await run(['destroy', 'acc5', '--yes'], cwd)).code, 0);
  });
});
