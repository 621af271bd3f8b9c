/** Unit tests of the doctor's pure checks and fix plan: models built by hand, no I/O. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumerInfo, Inventory, QueueInfo, SubscriptionInfo, TopicInfo } from '../../aws/inventory-model.js';
import { planFixes, runChecks, withStatement, type DoctorFunction, type DoctorModel } from './index.js';
import { redriveAllows } from './queues.js';

const A = '123456789012';
const qArn = (n: string) => `arn:aws:sqs:eu-west-1:${A}:${n}`;
const tArn = (n: string) => `arn:aws:sns:eu-west-1:${A}:${n}`;
const fArn = (n: string) => `arn:aws:lambda:eu-west-1:${A}:function:${n}`;

function queue(name: string, o: Partial<QueueInfo> & { attrs?: Record<string, string> } = {}): QueueInfo {
  const { attrs, ...rest } = o;
  return {
    name,
    url: `https://sqs.eu-west-1.amazonaws.com/${A}/${name}`,
    arn: qArn(name),
    fifo: name.endsWith('.fifo'),
    flow: 'f',
    tags: {},
    depth: { visible: 0, inFlight: 0, delayed: 0 },
    oldestMessageAgeSeconds: null,
    redrive: null,
    policy: null,
    deadLetterSources: [],
    attributes: { VisibilityTimeout: '30', MessageRetentionPeriod: '345600', ...attrs },
    ...rest,
  };
}
const topic = (name: string, attributes: Record<string, string> = {}): TopicInfo => ({ name, arn: tArn(name), fifo: name.endsWith('.fifo'), contentBasedDeduplication: false, flow: 'f', tags: {}, attributes });
const sub = (topicName: string, endpoint: string, o: Partial<SubscriptionInfo> = {}): SubscriptionInfo => ({
  arn: `${tArn(topicName)}:abc`,
  topicArn: tArn(topicName),
  protocol: 'sqs',
  endpoint,
  confirmed: true,
  filterPolicy: null,
  filterPolicyScope: 'MessageAttributes',
  filter: null,
  rawMessageDelivery: false,
  deadLetterTargetArn: null,
  ...o,
});
const consumer = (q: string, fn: string, o: Partial<ConsumerInfo> = {}): ConsumerInfo => ({ uuid: `u-${q}`, functionArn: fArn(fn), functionName: fn, eventSourceArn: qArn(q), state: 'Enabled', batchSize: 1, functionResponseTypes: ['ReportBatchItemFailures'], batchingWindowSeconds: 0, ...o });
const fn = (name: string, o: Partial<DoctorFunction> = {}): DoctorFunction => ({ name, arn: fArn(name), timeout: 10, role: null, deadLetterTarget: null, onFailure: null, policy: null, unreadable: {}, ...o });

const allowTopic = (q: string, t: string) =>
  JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: qArn(q), Condition: { ArnEquals: { 'aws:SourceArn': tArn(t) } } }] });

function model(inv: Partial<Inventory>, o: Partial<DoctorModel> = {}): DoctorModel {
  const inventory: Inventory = { topics: [], subscriptions: [], queues: [], consumers: [], lambda: { available: true }, ...inv };
  return {
    flow: 'f',
    target: { kind: 'aws', region: 'eu-west-1', account: A },
    inventory,
    known: { queues: new Set(inventory.queues.map((q) => q.arn)), topics: new Set(inventory.topics.map((t) => t.arn)) },
    functions: new Map(),
    apis: [],
    journal: null,
    ...o,
  };
}
const ids = (m: DoctorModel) => runChecks(m).findings.map((f) => f.id);

test('queue-policy-blocks-topic: no policy, a policy for another topic, and an explicit Deny; a matching Allow passes', () => {
  const subs = [sub('orders', qArn('billing'), { deadLetterTargetArn: qArn('sdlq') })];
  const sdlq = queue('sdlq', { policy: allowTopic('sdlq', 'orders') });
  assert.ok(ids(model({ topics: [topic('orders')], queues: [queue('billing'), sdlq], subscriptions: subs })).includes('queue-policy-blocks-topic'));
  assert.ok(ids(model({ topics: [topic('orders')], queues: [queue('billing', { policy: allowTopic('billing', 'other') }), sdlq], subscriptions: subs })).includes('queue-policy-blocks-topic'));
  const deny = JSON.stringify({ Statement: [JSON.parse(allowTopic('billing', 'orders')).Statement[0], { Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '*' }] });
  const denied = runChecks(model({ topics: [topic('orders')], queues: [queue('billing', { policy: deny }), sdlq], subscriptions: subs })).findings.find((f) => f.id === 'queue-policy-blocks-topic')!;
  assert.match(denied.title, /explicit Deny/);
  assert.equal(denied.fix.action, undefined, 'a Deny is not fixed by adding an Allow');
  assert.ok(!ids(model({ topics: [topic('orders')], queues: [queue('billing', { policy: allowTopic('billing', 'orders') }), sdlq], subscriptions: subs })).includes('queue-policy-blocks-topic'));
});

test('subscription-dlq-blocks-topic and subscription-without-dlq (a note for SQS, a warning for Lambda)', () => {
  const m = model({ topics: [topic('t')], queues: [queue('q', { policy: allowTopic('q', 't') }), queue('sdlq')], subscriptions: [sub('t', qArn('q'), { deadLetterTargetArn: qArn('sdlq') }), sub('t', fArn('fn'), { protocol: 'lambda', arn: `${tArn('t')}:l` })] });
  const r = runChecks(m).findings;
  assert.ok(r.some((f) => f.id === 'subscription-dlq-blocks-topic' && f.title.includes('sdlq')));
  const noDlq = r.filter((f) => f.id === 'subscription-without-dlq');
  assert.deepEqual(noDlq.map((f) => f.severity), ['warning']);
  const sqsOnly = runChecks(model({ topics: [topic('t')], queues: [queue('q', { policy: allowTopic('q', 't') })], subscriptions: [sub('t', qArn('q'))] })).findings;
  assert.deepEqual(sqsOnly.map((f) => [f.id, f.severity]), [['subscription-without-dlq', 'note']]);
  assert.match(sqsOnly[0]!.fix.summary, /create a queue q-sub-dlq .*; in flow f's spec: "subscriptionDlq": true on queue q, then svl apply$/);
});

test('visibility: below the function timeout is an error, below 6 x timeout + window a warning; the fix is 6 x + window', () => {
  const base = { queues: [queue('q', { attrs: { VisibilityTimeout: '5' }, redrive: { deadLetterTargetArn: qArn('dlq'), maxReceiveCount: 5 } }), queue('dlq', { attrs: { MessageRetentionPeriod: '1209600' }, deadLetterSources: [qArn('q')] })], consumers: [consumer('q', 'work', { batchingWindowSeconds: 2 })] };
  const fns = new Map([['work', fn('work', { timeout: 10 })]]);
  const err = runChecks(model(base, { functions: fns })).findings;
  assert.deepEqual(err.map((f) => f.id), ['visibility-below-function-timeout']);
  assert.deepEqual(err[0]!.fix.action, { kind: 'sqs-set-attributes', queue: 'q', queueUrl: base.queues[0]!.url, attributes: { VisibilityTimeout: '62' } });
  base.queues[0]!.attributes!.VisibilityTimeout = '30';
  assert.deepEqual(ids(model(base, { functions: fns })), ['visibility-below-six-times-timeout']);
  base.queues[0]!.attributes!.VisibilityTimeout = '62';
  assert.deepEqual(ids(model(base, { functions: fns })), []);
});

test('DLQs: retention not longer, maxReceiveCount 1, missing (same account only), type mismatch, RedriveAllowPolicy', () => {
  const src = (o: Partial<QueueInfo> = {}) => queue('q', { redrive: { deadLetterTargetArn: qArn('dlq'), maxReceiveCount: 1 }, ...o });
  const dlq = (attrs: Record<string, string> = {}, name = 'dlq') => queue(name, { attrs: { MessageRetentionPeriod: '345600', ...attrs }, deadLetterSources: [qArn('q')] });
  const r = runChecks(model({ queues: [src(), dlq({ RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [qArn('other')] }) })] })).findings;
  assert.deepEqual(r.map((f) => f.id).sort(), ['dlq-redrive-not-allowed', 'dlq-retention-not-longer', 'max-receive-count-one']);
  const allow = r.find((f) => f.id === 'dlq-redrive-not-allowed')!;
  assert.deepEqual(JSON.parse((allow.fix.action as { attributes: Record<string, string> }).attributes.RedriveAllowPolicy!).sourceQueueArns, [qArn('other'), qArn('q')]);
  assert.deepEqual(ids(model({ queues: [src({ redrive: { deadLetterTargetArn: qArn('dlq'), maxReceiveCount: 5 } })] })), ['dlq-missing']);
  const elsewhere = src({ redrive: { deadLetterTargetArn: `arn:aws:sqs:us-east-1:${A}:dlq`, maxReceiveCount: 5 } });
  assert.deepEqual(ids(model({ queues: [elsewhere] })), [], 'a DLQ in another region is not known to be missing');
  const fifo = queue('q.fifo', { redrive: { deadLetterTargetArn: qArn('dlq'), maxReceiveCount: 5 } });
  assert.ok(ids(model({ queues: [fifo, dlq({ MessageRetentionPeriod: '1209600' })] })).includes('dlq-type-mismatch'));
  assert.deepEqual(redriveAllows(JSON.stringify({ redrivePermission: 'allowAll' }), qArn('q')), { ok: true });
  assert.deepEqual(redriveAllows(JSON.stringify({ redrivePermission: 'denyAll' }), qArn('q')), { ok: false, sources: [] });
});

test('Lambda: a queue read without a DLQ, batches without ReportBatchItemFailures', () => {
  const m = model({ queues: [queue('q', { attrs: { VisibilityTimeout: '60' } })], consumers: [consumer('q', 'work', { batchSize: 10, functionResponseTypes: [] })] }, { functions: new Map([['work', fn('work')]]) });
  assert.deepEqual(ids(m).sort(), ['batch-without-partial-failures', 'lambda-queue-without-dlq']);
  const batch = runChecks(m).findings.find((f) => f.id === 'batch-without-partial-failures')!;
  assert.equal(batch.fix.action, undefined, 'the handler must change before the flag: --fix does not flip it');
  assert.match(batch.fix.summary, /^change work to return \{ batchItemFailures: \[\{ itemIdentifier: <messageId> \}.*deploy it, then turn on ReportBatchItemFailures/);
});

test('dlq-retention-not-longer: skipped for a FIFO source (AWS resets the enqueue time); the 14-day fallback warns', () => {
  const fifoDlq = queue('dlq.fifo', { attrs: { MessageRetentionPeriod: '345600' }, deadLetterSources: [qArn('q.fifo')] });
  const fifo = queue('q.fifo', { redrive: { deadLetterTargetArn: qArn('dlq.fifo'), maxReceiveCount: 5 } });
  assert.ok(!ids(model({ queues: [fifo, fifoDlq] })).includes('dlq-retention-not-longer'));
  const src = queue('q', { attrs: { MessageRetentionPeriod: '1209600' }, redrive: { deadLetterTargetArn: qArn('dlq'), maxReceiveCount: 5 } });
  const dlq = queue('dlq', { attrs: { MessageRetentionPeriod: '1209600' }, deadLetterSources: [qArn('q')] });
  const f = runChecks(model({ queues: [src, dlq] })).findings.find((x) => x.id === 'dlq-retention-not-longer')!;
  assert.match(f.fix.summary, /messages already in q for more than 7 days then expire at once/);
  assert.equal(f.fix.action, undefined);
});

test('async invocations: no failure destination; a missing one; the role is reported as not checked; permissions', () => {
  const subs = [sub('t', fArn('h'), { protocol: 'lambda', deadLetterTargetArn: qArn('sdlq') })];
  const queues = [queue('sdlq', { policy: allowTopic('sdlq', 't') })];
  const snsPolicy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: fArn('h'), Condition: { ArnLike: { 'AWS:SourceArn': tArn('t') } } }] });
  const none = runChecks(model({ topics: [topic('t')], subscriptions: subs, queues }, { functions: new Map([['h', fn('h', { policy: null })]]) })).findings;
  assert.deepEqual(none.map((f) => f.id).sort(), ['async-without-failure-destination', 'lambda-permission-blocks-topic']);
  const perm = none.find((f) => f.id === 'lambda-permission-blocks-topic')!;
  assert.deepEqual(perm.fix.action, { kind: 'lambda-add-permission', function: 'h', statementId: 'svl-doctor-topic-t-dbd3a170', principal: 'sns.amazonaws.com', sourceArn: tArn('t') });
  const missing = runChecks(model({ topics: [topic('t')], subscriptions: subs, queues }, { functions: new Map([['h', fn('h', { policy: snsPolicy, onFailure: qArn('gone') })]]) }));
  assert.deepEqual(missing.findings.map((f) => f.id), ['async-failure-target-missing']);
  const present = runChecks(model({ topics: [topic('t')], subscriptions: subs, queues: [...queues, queue('fails')] }, { functions: new Map([['h', fn('h', { policy: snsPolicy, onFailure: qArn('fails'), role: 'arn:aws:iam::1:role/r' })]]) }));
  assert.deepEqual(present.findings, []);
  assert.deepEqual(present.notChecked.map((n) => [n.check, n.reason]), [['async-failure-target-not-allowed', 'whether role arn:aws:iam::1:role/r may send to fails needs its IAM policies, which svl does not read']]);
  const unreadable = runChecks(model({ topics: [topic('t')], subscriptions: subs, queues }, { functions: new Map([['h', fn('h', { policy: undefined, onFailure: undefined, unreadable: { policy: 'lambda:GetPolicy failed: AccessDeniedException', 'event-invoke-config': 'denied' } })]]) }));
  assert.deepEqual(unreadable.findings, []);
  assert.deepEqual(unreadable.notChecked.map((n) => n.check).sort(), ['async-without-failure-destination', 'lambda-permission-blocks-topic']);
});

test('APIs: integration timeout below the function timeout; a missing invoke permission', () => {
  const m = model({}, { functions: new Map([['api', fn('api', { timeout: 60 })]]), apis: [{ id: 'a1', name: 'shop', flow: 'f', routes: [{ route: 'GET /orders', function: 'api', integrationTimeoutMs: 30_000 }] }] });
  assert.deepEqual(ids(m), ['lambda-permission-blocks-api', 'api-timeout-below-function']);
  const allowed = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: fArn('api'), Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:eu-west-1:${A}:a1/*/*` } } }] });
  const ok = model({}, { functions: new Map([['api', fn('api', { timeout: 20, policy: allowed })]]), apis: m.apis });
  assert.deepEqual(ids(ok), []);
});

test('buckets: queue and topic policies must admit the bucket', () => {
  const bucket = { name: 'up', arn: 'arn:aws:s3:::up', flow: 'f', tags: {}, notifications: [{ id: 'n1', kind: 'queue' as const, arn: qArn('q'), events: ['s3:ObjectCreated:*'] }, { id: 'n2', kind: 'topic' as const, arn: tArn('t'), events: ['s3:ObjectRemoved:*'] }] };
  const r = runChecks(model({ buckets: [bucket], queues: [queue('q')], topics: [topic('t', { Policy: '{"Statement":[]}' })] })).findings;
  assert.deepEqual(r.map((f) => f.id).sort(), ['queue-policy-blocks-bucket', 'topic-policy-blocks-bucket']);
});

test('FIFO pairing: standard topic -> FIFO queue is an error, FIFO topic -> standard queue a warning', () => {
  const fifoQ = queue('q.fifo', { policy: allowTopic('q.fifo', 't') });
  assert.equal(runChecks(model({ topics: [topic('t')], queues: [fifoQ], subscriptions: [sub('t', fifoQ.arn, { deadLetterTargetArn: 'arn:aws:sqs:x:y:z' })] })).findings.find((f) => f.id === 'topic-queue-fifo-mismatch')!.severity, 'error');
  const q = queue('q', { policy: allowTopic('q', 't.fifo') });
  assert.equal(runChecks(model({ topics: [topic('t.fifo')], queues: [q], subscriptions: [sub('t.fifo', q.arn, { deadLetterTargetArn: 'arn:aws:sqs:x:y:z' })] })).findings.find((f) => f.id === 'topic-queue-fifo-mismatch')!.severity, 'warning');
});

test('journal: statusCode >= 400 returned to SQS, parse errors on SNS-fed messages, s3:TestEvent failures', () => {
  const q = queue('q', { policy: allowTopic('q', 't'), attrs: { VisibilityTimeout: '60' }, redrive: { deadLetterTargetArn: qArn('dlq'), maxReceiveCount: 5 } });
  const dlq = queue('dlq', { attrs: { MessageRetentionPeriod: '1209600' }, deadLetterSources: [q.arn] });
  const journal = {
    errorResults: [{ functionArn: fArn('work'), statusCode: 502, messages: 1, requestId: 'r1', at: '2026-12-05T10:00:00.000Z' }],
    failures: [{ functionArn: fArn('work'), error: "TypeError: Cannot read properties of undefined (reading 'id')", messageIds: ['m1'], at: '2026-12-05T10:00:00.000Z' }],
    testEvents: [{ queueArn: dlq.arn, messageId: 'm2', receiveCount: 2, inDeadLetterQueue: true }],
  };
  const m = model({ topics: [topic('t')], queues: [q, dlq], subscriptions: [sub('t', q.arn, { deadLetterTargetArn: qArn('dlq') })], consumers: [consumer('q', 'work')] }, { journal, functions: new Map([['work', fn('work', { timeout: 10 })]]) });
  dlq.policy = allowTopic('dlq', 't');
  const r = runChecks(m).findings;
  assert.deepEqual(r.map((f) => f.id), ['function-returns-error-to-sqs', 'handler-throws-on-s3-test-event', 'raw-delivery-mismatch']);
  assert.match(r[0]!.title, /returned statusCode 502 to its SQS event source 1 time since its last change \(last at 2026-12-05T10:00:00.000Z\)/);
  assert.match(r[1]!.title, /failed on the s3:TestEvent of q \(now in dlq\)/);
  assert.match(r[2]!.title, /wrapped in the SNS envelope/);
  // Invocations before the function's last change (code or configuration), or the mapping's, no longer count.
  const later = (o: { fn?: string; mapping?: string }) =>
    runChecks(model({ ...m.inventory, consumers: [consumer('q', 'work', { lastModified: o.mapping ?? null })] }, { journal, functions: new Map([['work', fn('work', { timeout: 10, lastModified: o.fn })]]) })).findings.map((f) => f.id);
  assert.deepEqual(later({ fn: '2026-12-05T11:00:00.000+0000' }), ['handler-throws-on-s3-test-event']);
  assert.deepEqual(later({ mapping: '2026-12-05T11:00:00.000Z' }), ['handler-throws-on-s3-test-event']);
  assert.deepEqual(later({ fn: '2026-12-05T09:00:00.000+0000', mapping: '2026-12-05T09:30:00.000Z' }), ['function-returns-error-to-sqs', 'handler-throws-on-s3-test-event', 'raw-delivery-mismatch']);
});

test('planFixes: one queue gets one call with every attribute and every policy statement merged', () => {
  const q = queue('q', { attrs: { VisibilityTimeout: '5' }, policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'keep', Effect: 'Allow', Principal: '*', Action: 'sqs:ReceiveMessage' }] }) });
  const m = model(
    { topics: [topic('t'), topic('u')], queues: [q], subscriptions: [sub('t', q.arn, { deadLetterTargetArn: 'arn:aws:sqs:x:y:z' }), sub('u', q.arn, { deadLetterTargetArn: 'arn:aws:sqs:x:y:z' })], consumers: [consumer('q', 'w')] },
    { functions: new Map([['w', fn('w', { timeout: 10 })]]) },
  );
  const steps = planFixes(runChecks(m).findings);
  assert.equal(steps.length, 1);
  const step = steps[0] as Extract<(typeof steps)[number], { kind: 'sqs-set-attributes' }>;
  assert.equal(step.attributes.VisibilityTimeout, '60');
  const sids = JSON.parse(step.attributes.Policy!).Statement.map((s: { Sid: string }) => s.Sid);
  assert.equal(sids[0], 'keep');
  assert.match(sids[1], /^AllowTopict[0-9a-f]{8}$/);
  assert.match(sids[2], /^AllowTopicu[0-9a-f]{8}$/);
  assert.equal(step.findings.length, 3);
});

test('withStatement: never removes or changes a statement; a taken Sid gets a suffix; the same statement is not added twice', () => {
  const st = { Sid: 'S', Effect: 'Allow' as const, Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: qArn('q'), Condition: {} };
  assert.deepEqual(JSON.parse(withStatement(null, qArn('q'), st)).Statement, [st]);
  const twice = withStatement(withStatement('{"Statement":[{"Sid":"S","Effect":"Deny"},{"Sid":"T"}]}', qArn('q'), st), qArn('q'), st);
  assert.deepEqual(JSON.parse(twice).Statement, [{ Sid: 'S', Effect: 'Deny' }, { Sid: 'T' }, { ...st, Sid: 'S2' }]);
});

test('topics whose names differ only by punctuation (ab, a-b) get distinct Sids, and --fix keeps both', () => {
  const allowAb = JSON.stringify({ Statement: [{ ...JSON.parse(allowTopic('q', 'ab')).Statement[0], Sid: 'AllowTopicab' }] });
  const q = queue('q', { policy: allowAb });
  const m = model({ topics: [topic('ab'), topic('a-b')], queues: [q], subscriptions: [sub('ab', q.arn), sub('a-b', q.arn, { arn: `${tArn('a-b')}:x` })] });
  const steps = planFixes(runChecks(m).findings);
  const policy = (steps[0] as Extract<(typeof steps)[number], { kind: 'sqs-set-attributes' }>).attributes.Policy!;
  const fixed = model({ topics: [topic('ab'), topic('a-b')], queues: [queue('q', { policy })], subscriptions: m.inventory.subscriptions });
  assert.deepEqual(ids(fixed).filter((id) => id !== 'subscription-without-dlq'), [], 'both topics allowed after one --fix');
  assert.equal(JSON.parse(policy).Statement[0].Sid, 'AllowTopicab', 'the existing statement is kept');
  assert.deepEqual(planFixes(runChecks(fixed).findings), [], 'a second --fix has nothing to do');
});

test('lambda permission ids: a hash of the source ARN, and a new id when the policy already uses it (a stale statement)', () => {
  const subs = [sub('t-1', fArn('w'), { protocol: 'lambda' }), sub('t1', fArn('w'), { protocol: 'lambda', arn: `${tArn('t1')}:y` })];
  const base = model({ topics: [topic('t-1'), topic('t1')], subscriptions: subs }, { functions: new Map([['w', fn('w', { policy: null, onFailure: qArn('x') })]]) });
  const idsOf = (m: DoctorModel) => planFixes(runChecks(m).findings).map((s) => (s.kind === 'lambda-add-permission' ? s.statementId : s.kind));
  const [a, b] = idsOf(base);
  assert.match(a!, /^svl-doctor-topic-t-1-[0-9a-f]{8}$/);
  assert.match(b!, /^svl-doctor-topic-t1-[0-9a-f]{8}$/);
  // A statement under that id that no longer lets the topic in (another source ARN): AddPermission would conflict.
  const stale = JSON.stringify({ Statement: [{ Sid: a, Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: fArn('w'), Condition: { ArnLike: { 'AWS:SourceArn': tArn('gone') } } }] });
  const m = model(base.inventory, { functions: new Map([['w', fn('w', { policy: stale, onFailure: qArn('x') })]]) });
  assert.deepEqual(idsOf(m), [`${a}-2`, b]);
});

test('a policy with a condition operator svl cannot evaluate: not checked, with the operator, never a finding', () => {
  const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: qArn('q'), Condition: { StringMatchesRegex: { 'aws:SourceArn': '.*' } } }] });
  const r = runChecks(model({ topics: [topic('t')], queues: [queue('q', { policy })], subscriptions: [sub('t', qArn('q'))] }));
  assert.deepEqual(r.findings.map((f) => f.id), ['subscription-without-dlq']);
  assert.deepEqual(r.notChecked.map((n) => [n.check, n.reason]), [['queue-policy-blocks-topic', 'the policy uses the condition operator StringMatchesRegex, which svl cannot evaluate']]);
});

test('subscription-dlq-missing: a RedrivePolicy naming a queue that does not exist in the topic account', () => {
  const m = model({ topics: [topic('t')], queues: [queue('q', { policy: allowTopic('q', 't') })], subscriptions: [sub('t', qArn('q'), { deadLetterTargetArn: qArn('gone') })] });
  const f = runChecks(m).findings.find((x) => x.id === 'subscription-dlq-missing')!;
  assert.equal(f.severity, 'error');
  assert.equal(f.title, "subscription t -> q's dead-letter queue gone does not exist");
  const other = model({ topics: [topic('t')], queues: [queue('q', { policy: allowTopic('q', 't') })], subscriptions: [sub('t', qArn('q'), { deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:999999999999:gone' })] });
  assert.ok(!ids(other).includes('subscription-dlq-missing'));
});

test('a consumer whose function cannot be read: the visibility checks are reported as not checked, with the reason', () => {
  const m = model(
    { queues: [queue('q', { attrs: { VisibilityTimeout: '5' }, redrive: { deadLetterTargetArn: qArn('dlq'), maxReceiveCount: 5 } }), queue('dlq', { attrs: { MessageRetentionPeriod: '1209600' }, deadLetterSources: [qArn('q')] })], consumers: [consumer('q', 'work')] },
    { functions: new Map([['work', fn('work', { timeout: undefined, unreadable: { configuration: 'lambda:GetFunctionConfiguration failed: AccessDeniedException: not authorized' } })]]) },
  );
  const r = runChecks(m);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.notChecked.map((n) => [n.check, n.reason]), [['visibility-below-function-timeout', 'lambda:GetFunctionConfiguration failed: AccessDeniedException: not authorized']]);
});

test('an API whose account could not be identified: its permission is not checked (no finding with a made-up SourceArn)', () => {
  const m = model({}, {
    target: { kind: 'aws', region: 'eu-west-1', account: '<account>' },
    functions: new Map([['h', fn('h', { timeout: 10 })]]),
    apis: [{ id: 'a1', name: 'api', flow: 'f', routes: [{ route: '$default', function: 'h', integrationTimeoutMs: null }] }],
  });
  const r = runChecks(m);
  assert.ok(!r.findings.some((f) => f.id === 'lambda-permission-blocks-api'));
  assert.deepEqual(r.notChecked.map((n) => [n.check, n.reason]), [['lambda-permission-blocks-api', 'the AWS account could not be identified']]);
});

test('raw-delivery-mismatch: only an error of the delivered form, on a body of that form (when still there)', () => {
  const q = queue('q', { policy: allowTopic('q', 't'), attrs: { VisibilityTimeout: '60' }, redrive: { deadLetterTargetArn: qArn('dlq'), maxReceiveCount: 5 } });
  const dlq = queue('dlq', { policy: allowTopic('dlq', 't'), attrs: { MessageRetentionPeriod: '1209600' }, deadLetterSources: [q.arn] });
  const envelope = JSON.stringify({ Type: 'Notification', MessageId: 'x', TopicArn: tArn('t'), Message: '{}' });
  const found = (raw: boolean, error: string, body?: string) => {
    const journal = { errorResults: [], testEvents: [], failures: [{ functionArn: fArn('work'), error, messageIds: ['m1'], at: '2026-12-05T10:00:00.000Z', ...(body !== undefined && { body }) }] };
    const m = model({ topics: [topic('t')], queues: [q, dlq], subscriptions: [sub('t', q.arn, { deadLetterTargetArn: dlq.arn, rawMessageDelivery: raw })], consumers: [consumer('q', 'work')] }, { journal, functions: new Map([['work', fn('work')]]) });
    return ids(m).includes('raw-delivery-mismatch');
  };
  const typeError = "TypeError: Cannot read properties of undefined (reading 'id')";
  const syntaxError = 'SyntaxError: "undefined" is not valid JSON';
  assert.ok(found(false, typeError));
  assert.ok(found(false, typeError, envelope));
  assert.ok(!found(false, typeError, '{"order":{}}'), 'the failing body is not an envelope: something else is wrong');
  assert.ok(!found(false, syntaxError), 'an envelope parses: a SyntaxError has another cause');
  assert.ok(found(true, syntaxError, '{"order":{}}'));
  assert.ok(!found(true, syntaxError, envelope));
  assert.ok(!found(true, typeError), 'raw delivery: a TypeError is not the envelope-parsing signature');
});

test('planFixes: two findings raising one attribute of a queue keep the larger value, in either order', () => {
  const action = (v: string) => ({ id: 'x', severity: 'warning' as const, flow: 'f', title: v, resources: [], why: '', fix: { summary: '', command: '', action: { kind: 'sqs-set-attributes' as const, queue: 'q', queueUrl: 'u', attributes: { VisibilityTimeout: v, MessageRetentionPeriod: v } } } });
  for (const order of [['180', '60'], ['60', '180']]) {
    const [step] = planFixes(order.map(action));
    assert.deepEqual((step as { attributes: Record<string, string> }).attributes, { VisibilityTimeout: '180', MessageRetentionPeriod: '180' });
  }
});
