// A flow spec's subscription DLQ (`subscriptionDlq`) end to end: the built CLI (plan/apply/status/graph/
// doctor/destroy) against a real emulator, checked through the real SDK. What SNS cannot deliver to a
// queue - its policy refuses the topic, or it was deleted - ends in the declared DLQ, not lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, PublishCommand } from '@aws-sdk/client-sns';
import { DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand, ReceiveMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startTestEmulator, sqsClient, snsClient } from '../helpers/emulator.mjs';
import { svl, localEnv } from '../helpers/cli.mjs';

let emu, url, sqs, sns, env, cwd;
const ARN = 'arn:aws:sqs:us-east-1:000000000000:';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:sdlq';

before(async () => {
  ({ emu, url } = await startTestEmulator());
  sqs = await sqsClient(url);
  sns = await snsClient(url);
  env = localEnv(url);
  cwd = mkdtempSync(join(tmpdir(), 'svl-subdlq-'));
});
after(async () => {
  await emu.close();
  rmSync(cwd, { recursive: true, force: true });
});

const run = (args) => svl([...args, '--local'], { env, cwd });
const json = (r) => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};
const writeSpec = (a, b) =>
  writeFileSync(
    join(cwd, 'sdlq.flow.json'),
    JSON.stringify({ version: 1, name: 'sdlq', topic: { name: 'sdlq' }, queues: [{ id: 'a', name: 'sdlq-a', ...(a !== undefined && { subscriptionDlq: a }) }, { id: 'b', name: 'sdlq-b', ...(b !== undefined && { subscriptionDlq: b }) }] }),
  );
const queueUrl = async (name) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
const attrs = async (name) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: await queueUrl(name), AttributeNames: ['All'] }))).Attributes;
const queueNames = async () => ((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'sdlq' }))).QueueUrls ?? []).map((u) => u.split('/').pop()).sort();
const receive = async (name) => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: await queueUrl(name), MaxNumberOfMessages: 10 }))).Messages ?? [];
/** RedrivePolicy of the subscription of each queue, by queue name (absent: none). */
const subRedrive = async () => {
  const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC }))).Subscriptions ?? [];
  const out = {};
  for (const s of subs) {
    const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn }))).Attributes;
    out[s.Endpoint.split(':').pop()] = a.RedrivePolicy ? JSON.parse(a.RedrivePolicy) : null;
  }
  return out;
};
const steps = (out) => out.plan.steps.map((s) => `${s.action} ${s.kind} ${s.name}${s.changes.length ? ` (${s.changes.join('; ')})` : ''}`).sort();

test('apply creates the subscription DLQ with a topic-scoped policy and sets the RedrivePolicy; a second apply changes nothing', async () => {
  writeSpec(true, undefined);
  const out = json(await run(['apply', '--yes', '--json']));
  assert.ok(steps(out).includes('create dlq sdlq-a-sub-dlq'), steps(out).join('\n'));
  assert.ok(steps(out).includes('create subscription sdlq -> sdlq-a (DLQ sdlq-a-sub-dlq)'), steps(out).join('\n'));
  assert.deepEqual(out.queues[0].subscriptionDlq, { name: 'sdlq-a-sub-dlq', url: await queueUrl('sdlq-a-sub-dlq'), arn: `${ARN}sdlq-a-sub-dlq` });
  assert.deepEqual(await queueNames(), ['sdlq-a', 'sdlq-a-dlq', 'sdlq-a-sub-dlq', 'sdlq-b', 'sdlq-b-dlq']);
  assert.deepEqual(await subRedrive(), { 'sdlq-a': { deadLetterTargetArn: `${ARN}sdlq-a-sub-dlq` }, 'sdlq-b': null });

  const d = await attrs('sdlq-a-sub-dlq');
  assert.deepEqual(JSON.parse(d.Policy).Statement, [
    { Sid: 'AllowFlowTopic', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: `${ARN}sdlq-a-sub-dlq`, Condition: { ArnEquals: { 'aws:SourceArn': TOPIC } } },
  ]);
  assert.deepEqual(JSON.parse(d.RedriveAllowPolicy), { redrivePermission: 'denyAll' });
  assert.equal(d.MessageRetentionPeriod, '1209600');
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: await queueUrl('sdlq-a-sub-dlq') }))).Tags, { 'svl:flow': 'sdlq' });

  const again = json(await run(['apply', '--json']));
  assert.equal(again.changed, false);
  assert.deepEqual(again.plan.steps, []);
});

test('a delivery the queue policy refuses ends in the subscription DLQ; the queue without one loses nothing it should get', async () => {
  // Drift: sdlq-a's policy now admits another topic only, so SNS cannot deliver to it.
  const other = JSON.parse((await attrs('sdlq-a')).Policy);
  other.Statement[0].Condition.ArnEquals['aws:SourceArn'] = `${TOPIC}-other`;
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: await queueUrl('sdlq-a'), Attributes: { Policy: JSON.stringify(other) } }));
  await sns.send(new PublishCommand({ TopicArn: TOPIC, Message: '{"order":1}' }));
  assert.deepEqual(await receive('sdlq-a'), []);
  const parked = await receive('sdlq-a-sub-dlq');
  assert.equal(parked.length, 1);
  assert.equal(JSON.parse(parked[0].Body).Message, '{"order":1}', 'the SNS envelope, as the subscription would have delivered it');
  assert.equal(JSON.parse((await receive('sdlq-b'))[0].Body).Message, '{"order":1}');

  // status and graph show the subscription DLQ of sdlq-a (and its message), doctor sees no subscription note for it
  const status = json(await run(['status', 'sdlq', '--json']));
  const subA = status.topics[0].subscriptions.find((x) => x.queue === 'sdlq-a');
  assert.equal(subA.deadLetterQueue, 'sdlq-a-sub-dlq');
  assert.equal(subA.deadLetterDepth.inFlight + subA.deadLetterDepth.visible, 1);
  const human = await run(['status', 'sdlq']);
  assert.match(human.stdout, /sdlq-a-sub-dlq: 1 \(sub\)/);
  const graph = await run(['graph', 'sdlq']);
  assert.equal(graph.code, 0, graph.stderr);
  assert.match(graph.stdout, /sqs → queue sdlq-a\n│?\s*├── undeliverable → queue sdlq-a-sub-dlq \(DLQ\)\n/);
  // doctor: the drifted policy is an error (exit 1); of the two subscriptions only sdlq-b's lacks a DLQ
  const d = await run(['doctor', 'sdlq', '--json']);
  assert.equal(d.code, 1, d.stderr);
  const findings = JSON.parse(d.stdout).flows.flatMap((f) => f.findings);
  assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => f.id), ['queue-policy-blocks-topic']);
  const notes = findings.filter((f) => f.id === 'subscription-without-dlq').map((f) => f.title);
  assert.deepEqual(notes, ['subscription sdlq -> sdlq-b (sqs) has no redrive policy']);

  // The next apply restores the policy; the DLQ keeps what it holds.
  const out = json(await run(['apply', '--json']));
  assert.deepEqual(steps(out).map((s) => s.split(' (')[0]), ['update queue sdlq-a']);
});

test('changing the DLQ updates the subscription and deletes the old DLQ; removing it clears the RedrivePolicy', async () => {
  writeSpec({ name: 'sdlq-a-lost', retentionSeconds: 3600 }, true);
  const plan = json(await run(['plan', '--json']));
  assert.deepEqual(steps(plan).map((s) => s.split(' (')[0]), [
    'create dlq sdlq-a-lost',
    'create dlq sdlq-b-sub-dlq',
    'delete dlq sdlq-a-sub-dlq',
    'update subscription sdlq -> sdlq-a',
    'update subscription sdlq -> sdlq-b',
  ]);
  // Deleting the old DLQ (and what it holds) needs --yes, as every deletion apply makes.
  const refused = await run(['apply', '--json']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /Refusing to delete 1 resource\(s\) without --yes/);
  json(await run(['apply', '--yes', '--json']));
  assert.deepEqual(await subRedrive(), { 'sdlq-a': { deadLetterTargetArn: `${ARN}sdlq-a-lost` }, 'sdlq-b': { deadLetterTargetArn: `${ARN}sdlq-b-sub-dlq` } });
  assert.deepEqual(await queueNames(), ['sdlq-a', 'sdlq-a-dlq', 'sdlq-a-lost', 'sdlq-b', 'sdlq-b-dlq', 'sdlq-b-sub-dlq']);
  assert.equal((await attrs('sdlq-a-lost')).MessageRetentionPeriod, '3600');
  assert.equal(json(await run(['apply', '--json'])).changed, false);

  writeSpec(undefined, false);
  const removed = json(await run(['apply', '--yes', '--json']));
  assert.deepEqual(steps(removed).map((x) => x.split(' (')[0]), ['delete dlq sdlq-a-lost', 'delete dlq sdlq-b-sub-dlq', 'update subscription sdlq -> sdlq-a', 'update subscription sdlq -> sdlq-b']);
  for (const st of removed.plan.steps.filter((x) => x.kind === 'subscription')) assert.match(st.changes.join('; '), /^RedrivePolicy: \{"deadLetterTargetArn":.* -> \(none\)$/);
  assert.deepEqual(await subRedrive(), { 'sdlq-a': null, 'sdlq-b': null });
  assert.deepEqual(await queueNames(), ['sdlq-a', 'sdlq-a-dlq', 'sdlq-b', 'sdlq-b-dlq']);
  assert.equal(json(await run(['apply', '--json'])).changed, false);
});

test('a message for a deleted queue ends in its subscription DLQ; destroy removes the DLQ with the flow', async () => {
  writeSpec({ name: 'sdlq-a-undelivered' }, undefined); // a new name: a deleted queue's name is not reusable for 60 s
  json(await run(['apply', '--json']));
  await sqs.send(new DeleteQueueCommand({ QueueUrl: await queueUrl('sdlq-a') }));
  await sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'to nowhere' }));
  const parked = await receive('sdlq-a-undelivered');
  assert.deepEqual(parked.map((m) => JSON.parse(m.Body).Message), ['to nowhere']);

  const gone = json(await run(['destroy', 'sdlq', '--yes', '--json']));
  assert.ok(gone.deleted.some((s) => s.kind === 'dlq' && s.name === 'sdlq-a-undelivered'), JSON.stringify(gone.deleted));
  assert.deepEqual(await queueNames(), []);
});
