// SNS -> SQS delivery as AWS authorises it: the queue Policy must let sns.amazonaws.com SendMessage
// (reference §4.3). Without it nothing is delivered and the topic's failure counter (GET /_svl/health
// `sns`) goes up; a subscription RedrivePolicy catches refused or impossible deliveries in a DLQ, with the
// body and attributes AWS records (test_redrive_policy_sqs_queue_subscription, test_publish_fifo_messages_to_dlq).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns, snsQueuePolicy, topicArnOf } from '../helpers/sns.mjs';

let t;
before(async () => (t = await setupSns()));
after(() => t.close());

const statement = (queueArn, extra) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn, ...extra }] });

/** A topic with one subscribed queue whose Policy is `policyFor(queueArn, topicArn)` (or none). */
async function fanout(policyFor) {
  const name = t.name('pol');
  const topic = await t.createTopic(name);
  const qname = t.name('q');
  const arn = `arn:aws:sqs:us-east-1:000000000000:${qname}`;
  const policy = policyFor ? policyFor(arn, topic) : false;
  const q = await t.subscribeQueue(topic, { name: qname, policy });
  return { name, topic, q };
}

async function deliveredBodies({ topic, q }, message = 'hello') {
  await t.call('Publish', { TopicArn: topic, Message: message });
  return (await t.notifications(q.url)).map((n) => n.Message);
}

test('no queue Policy: the publish succeeds but nothing is delivered; the topic counts a failure', async () => {
  const f = await fanout(undefined);
  const out = await t.call('Publish', { TopicArn: f.topic, Message: 'lost' });
  assert.ok(out.MessageId, 'Publish itself succeeds, as on AWS');
  assert.deepEqual(await t.drain(f.q.url), []);
  const stats = await t.topicStats(f.name);
  assert.deepEqual({ published: stats.published, delivered: stats.delivered, failed: stats.failed }, { published: 1, delivered: 0, failed: 1 });
  // Granting access afterwards does not resurrect the lost message, but later publishes arrive.
  await t.setQueuePolicy(f.q.url, snsQueuePolicy(f.q.arn, f.topic));
  assert.deepEqual(await deliveredBodies(f, 'after grant'), ['after grant']);
  assert.equal((await t.topicStats(f.name)).delivered, 1);
});

test('least-privilege policy (Service sns.amazonaws.com, ArnEquals aws:SourceArn = topic) delivers', async () => {
  const f = await fanout((q, topic) => snsQueuePolicy(q, topic));
  assert.deepEqual(await deliveredBodies(f), ['hello']);
  const stats = await t.topicStats(f.name);
  assert.equal(stats.failed, 0);
  assert.equal(stats.delivered, 1);
});

test('a policy for another topic refuses delivery', async () => {
  const f = await fanout((q) => snsQueuePolicy(q, topicArnOf('some-other-topic')));
  assert.deepEqual(await deliveredBodies(f), []);
  assert.equal((await t.topicStats(f.name)).failed, 1);
});

test('Principal "*" delivers; so do a service principal without condition, sqs:*, SourceAccount and ArnLike wildcards', async () => {
  const allowing = [
    (q) => statement(q, { Principal: '*' }),
    (q) => statement(q, { Principal: { Service: 'sns.amazonaws.com' } }),
    (q) => statement(q, { Principal: { Service: ['lambda.amazonaws.com', 'sns.amazonaws.com'] }, Action: 'sqs:*' }),
    (q) => statement(q, { Principal: { Service: 'sns.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '000000000000' } } }),
    (q) => statement(q, { Principal: { Service: 'sns.amazonaws.com' }, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:000000000000:pol-*' } } }),
  ];
  for (const [i, policy] of allowing.entries()) assert.deepEqual(await deliveredBodies(await fanout(policy)), ['hello'], `policy #${i} delivers`);
});

test('policies that do not grant SendMessage to SNS refuse delivery (wrong action, principal, account; explicit Deny wins)', async () => {
  const refusing = [
    (q, topic) => statement(q, { Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:ReceiveMessage', Condition: { ArnEquals: { 'aws:SourceArn': topic } } }),
    (q, topic) => statement(q, { Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': topic } } }),
    (q) => statement(q, { Principal: { Service: 'sns.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }),
    (q, topic) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: q },
          { Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage', Resource: q, Condition: { ArnEquals: { 'aws:SourceArn': topic } } },
        ],
      }),
  ];
  for (const [i, policy] of refusing.entries()) {
    const f = await fanout(policy);
    assert.deepEqual(await deliveredBodies(f), [], `policy #${i} refuses`);
    assert.equal((await t.topicStats(f.name)).failed, 1);
  }
});

test('one refused subscription does not stop the others', async () => {
  const name = t.name('mixed');
  const topic = await t.createTopic(name);
  const ok = await t.subscribeQueue(topic);
  const refused = await t.subscribeQueue(topic, { policy: false });
  await t.call('Publish', { TopicArn: topic, Message: 'm' });
  assert.equal((await t.notifications(ok.url)).length, 1);
  assert.deepEqual(await t.drain(refused.url), []);
  const s = await t.topicStats(name);
  assert.deepEqual({ delivered: s.delivered, failed: s.failed }, { delivered: 1, failed: 1 });
});

test('RedrivePolicy: a refused delivery lands in the subscription DLQ (envelope body; raw: body + SQS attributes)', async () => {
  const name = t.name('dlq');
  const topic = await t.createTopic(name);
  const dlq = await t.createQueue(t.name('dlq'));
  await t.setQueuePolicy(dlq.url, snsQueuePolicy(dlq.arn, topic));
  const redrive = { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) };
  const enveloped = await t.subscribeQueue(topic, { policy: false, attributes: redrive });
  const raw = await t.subscribeQueue(topic, { policy: false, attributes: { ...redrive, RawMessageDelivery: 'true' } });
  const attrs = { attr1: { DataType: 'Number', StringValue: '111' }, attr2: { DataType: 'Binary', BinaryValue: Buffer.from([2, 3, 4]) } };
  const { MessageId } = await t.call('Publish', { TopicArn: topic, Message: 'test_dlq_after_refusal', MessageAttributes: attrs });
  assert.deepEqual(await t.drain(enveloped.url), []);
  assert.deepEqual(await t.drain(raw.url), []);
  const inDlq = await t.drain(dlq.url, { MessageAttributeNames: ['All'] });
  assert.equal(inDlq.length, 2);
  const envelopeMsg = inDlq.find((m) => m.Body.startsWith('{'));
  const rawMsg = inDlq.find((m) => !m.Body.startsWith('{'));
  const n = JSON.parse(envelopeMsg.Body);
  assert.equal(n.Type, 'Notification');
  assert.equal(n.MessageId, MessageId);
  assert.equal(n.Message, 'test_dlq_after_refusal');
  assert.ok(n.UnsubscribeURL.endsWith(enveloped.subArn), 'the envelope of the failed subscription');
  assert.deepEqual(n.MessageAttributes, { attr1: { Type: 'Number', Value: '111' }, attr2: { Type: 'Binary', Value: 'AgME' } });
  assert.equal(envelopeMsg.MessageAttributes, undefined);
  assert.equal(rawMsg.Body, 'test_dlq_after_refusal');
  assert.equal(rawMsg.MessageAttributes.attr1.StringValue, '111');
  assert.deepEqual([...rawMsg.MessageAttributes.attr2.BinaryValue], [2, 3, 4]);
  assert.equal((await t.topicStats(name)).failed, 2);
});

test('RedrivePolicy: a deleted queue sends to the DLQ; a DLQ that refuses SNS loses the message', async () => {
  const topic = await t.createTopic(t.name('gone'));
  const dlq = await t.createQueue(t.name('dlq'));
  await t.setQueuePolicy(dlq.url, snsQueuePolicy(dlq.arn, topic));
  const q = await t.subscribeQueue(topic, { attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) } });
  await t.sqsCall('DeleteQueue', { QueueUrl: q.url });
  await t.call('Publish', { TopicArn: topic, Message: 'test_dlq_after_sqs_endpoint_deleted' });
  const [m] = await t.notifications(dlq.url);
  assert.equal(m.Message, 'test_dlq_after_sqs_endpoint_deleted');

  const closedDlq = await t.createQueue(t.name('closed-dlq')); // no Policy
  const q2 = await t.subscribeQueue(topic, { policy: false, attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: closedDlq.arn }) } });
  await t.call('Publish', { TopicArn: topic, Message: 'nowhere to go' });
  assert.deepEqual(await t.drain(q2.url), []);
  assert.deepEqual(await t.drain(closedDlq.url), []);
  assert.equal((await t.notifications(dlq.url)).length, 1, 'the first subscription still dead-letters into its DLQ');
});

test('FIFO: an undeliverable message goes to the FIFO DLQ with its group and dedup ids [AWS-rec test_publish_fifo_messages_to_dlq]', async () => {
  const topic = await t.createTopic(t.name('fifo-dlq') + '.fifo', { FifoTopic: 'true' });
  const dlq = await t.createQueue(t.name('dlq') + '.fifo', { FifoQueue: 'true' });
  await t.setQueuePolicy(dlq.url, snsQueuePolicy(dlq.arn, topic));
  const q = await t.subscribeQueue(topic, { attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) } });
  await t.sqsCall('DeleteQueue', { QueueUrl: q.url });
  const out = await t.call('PublishBatch', {
    TopicArn: topic,
    PublishBatchRequestEntries: [1, 2, 3].map((i) => ({
      Id: String(i),
      Message: `Test Message ${i}`,
      Subject: 'Subject',
      MessageGroupId: 'complexMessageGroupId',
      MessageDeduplicationId: `MessageDeduplicationId-${i}`,
    })),
  });
  const ms = await t.drain(dlq.url, { MessageSystemAttributeNames: ['All'] });
  assert.deepEqual(ms.map((m) => m.Attributes.MessageDeduplicationId), ['MessageDeduplicationId-1', 'MessageDeduplicationId-2', 'MessageDeduplicationId-3']);
  assert.ok(ms.every((m) => m.Attributes.MessageGroupId === 'complexMessageGroupId'));
  const bodies = ms.map((m) => JSON.parse(m.Body));
  assert.deepEqual(bodies.map((b) => b.SequenceNumber), out.Successful.map((s) => s.SequenceNumber));
  assert.deepEqual(bodies.map((b) => b.Message), ['Test Message 1', 'Test Message 2', 'Test Message 3']);
});
