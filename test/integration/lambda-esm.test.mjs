// SQS event source mappings and SNS `lambda` subscriptions with the real SDK clients, on the fake clock:
// the mapping operations and their bad input, AWS's SQS event, deletes on success, partial batch
// failures ending in the DLQ after maxReceiveCount, FIFO group order, filters, batching window,
// enable/disable, persistence, and SNS delivering to functions (policy enforced).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupLambda, eventually } from '../helpers/lambda.mjs';
import { rejectsWith, waitIdle } from '../helpers/emulator.mjs';
import { queueArnOf } from '../helpers/sns.mjs';

let t;
let S;
before(async () => {
  t = await setupLambda();
  S = await import('@aws-sdk/client-sqs');
});
after(() => t.close());

async function makeQueue(ctx, name, attributes = {}) {
  const { QueueUrl } = await ctx.sqs.send(new S.CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl;
}
const sendBodies = async (ctx, url, bodies, extra = () => ({})) => {
  for (const [i, b] of bodies.entries()) await ctx.sqs.send(new S.SendMessageCommand({ QueueUrl: url, MessageBody: b, ...extra(i, b) }));
};
const counts = async (ctx, url) => {
  const a = (await ctx.sqs.send(new S.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes;
  return { visible: Number(a.ApproximateNumberOfMessages), inflight: Number(a.ApproximateNumberOfMessagesNotVisible) };
};
const waitLogs = (ctx, fn, n) => eventually(async () => {
  const l = await ctx.logs(fn);
  return l.length >= n ? l : undefined;
}, { what: `${n} invocation(s) of ${fn}` });
/** The events a `record` handler logged (one JSON line per invocation). */
const loggedEvents = (entries) => entries.map((e) => JSON.parse(e.text.split('\n').find((l) => l.includes('\tINFO\t{')).split('\tINFO\t')[1]));

test('CreateEventSourceMapping: 202 Creating, then Enabled; Get, List (filters, paging)', async () => {
  await makeQueue(t, 'esm-ops');
  await t.createFunction('esm-ops-fn', { handler: 'index.record' });
  const c = await t.send('CreateEventSourceMapping', { FunctionName: 'esm-ops-fn', EventSourceArn: queueArnOf('esm-ops'), BatchSize: 5, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
  assert.equal(c.$metadata.httpStatusCode, 202);
  assert.equal(c.State, 'Creating');
  assert.equal(c.StateTransitionReason, 'USER_INITIATED');
  assert.equal(c.BatchSize, 5);
  assert.equal(c.MaximumBatchingWindowInSeconds, 0);
  assert.equal(c.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:esm-ops-fn');
  assert.equal(c.EventSourceMappingArn, `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${c.UUID}`);
  assert.deepEqual(c.FunctionResponseTypes, ['ReportBatchItemFailures']);
  assert.deepEqual(c.ScalingConfig, { MaximumConcurrency: 2 });
  assert.ok(c.LastModified instanceof Date);
  await waitIdle(t.url);
  const g = await t.send('GetEventSourceMapping', { UUID: c.UUID });
  assert.equal(g.State, 'Enabled');
  const l1 = await t.send('ListEventSourceMappings', { EventSourceArn: queueArnOf('esm-ops') });
  assert.deepEqual(l1.EventSourceMappings.map((m) => m.UUID), [c.UUID]);
  const l2 = await t.send('ListEventSourceMappings', { FunctionName: 'esm-ops-fn' });
  assert.deepEqual(l2.EventSourceMappings.map((m) => m.UUID), [c.UUID]);
  assert.deepEqual((await t.send('ListEventSourceMappings', { FunctionName: 'nobody' })).EventSourceMappings, []);
  await rejectsWith(assert, t.send('CreateEventSourceMapping', { FunctionName: 'esm-ops-fn', EventSourceArn: queueArnOf('esm-ops') }), 'ResourceConflictException', `existing mapping with UUID ${c.UUID}`);
  const d = await t.send('DeleteEventSourceMapping', { UUID: c.UUID });
  assert.equal(d.$metadata.httpStatusCode, 202);
  assert.equal(d.State, 'Deleting');
  await rejectsWith(assert, t.send('GetEventSourceMapping', { UUID: c.UUID }), 'ResourceNotFoundException', 'The resource you requested does not exist.');
  await rejectsWith(assert, t.send('DeleteEventSourceMapping', { UUID: c.UUID }), 'ResourceNotFoundException');
});

test('event source mapping bad input, with AWS codes and texts', async () => {
  await makeQueue(t, 'esm-bad');
  await makeQueue(t, 'esm-bad.fifo', { FifoQueue: 'true' });
  await t.createFunction('esm-bad-fn');
  const create = (input) => t.send('CreateEventSourceMapping', { FunctionName: 'esm-bad-fn', EventSourceArn: queueArnOf('esm-bad'), ...input });
  await rejectsWith(assert, create({ BatchSize: 20 }), 'InvalidParameterValueException', 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
  await rejectsWith(assert, create({ BatchSize: 0 }), 'ValidationException', "Value '0' at 'batchSize'");
  await rejectsWith(assert, create({ BatchSize: 10001, MaximumBatchingWindowInSeconds: 1 }), 'ValidationException', 'less than or equal to 10000');
  await rejectsWith(assert, create({ MaximumBatchingWindowInSeconds: 301 }), 'ValidationException', 'less than or equal to 300');
  await rejectsWith(assert, create({ FunctionResponseTypes: ['Everything'] }), 'ValidationException', 'functionResponseTypes');
  await rejectsWith(assert, create({ ScalingConfig: { MaximumConcurrency: 1 } }), 'ValidationException', 'scalingConfig.maximumConcurrency');
  await rejectsWith(assert, create({ FilterCriteria: { Filters: [{ Pattern: '{not json' }] } }), 'InvalidParameterValueException', 'Invalid filter pattern definition.');
  await rejectsWith(assert, create({ EventSourceArn: queueArnOf('no-such-queue') }), 'InvalidParameterValueException', 'AWS.SimpleQueueService.NonExistentQueue');
  await rejectsWith(assert, create({ EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s' }), 'InvalidParameterValueException', 'only SQS');
  await rejectsWith(assert, create({ EventSourceArn: undefined }), 'InvalidParameterValueException');
  await rejectsWith(assert, create({ FunctionName: 'ghost' }), 'ResourceNotFoundException');
  await rejectsWith(assert, create({ EventSourceArn: queueArnOf('esm-bad.fifo'), BatchSize: 11, MaximumBatchingWindowInSeconds: 1 }), 'InvalidParameterValueException', 'FIFO');
  await rejectsWith(assert, t.send('UpdateEventSourceMapping', { UUID: '00000000-0000-0000-0000-000000000000', BatchSize: 2 }), 'ResourceNotFoundException');
  await rejectsWith(assert, t.send('ListEventSourceMappings', { MaxItems: 0 }), 'ValidationException');
  assert.deepEqual((await t.send('ListEventSourceMappings', { FunctionName: 'esm-bad-fn' })).EventSourceMappings, []);
});

test('a queue whose visibility timeout is shorter than the function timeout is refused, with AWS\'s text', async () => {
  const url = await makeQueue(t, 'esm-vis', { VisibilityTimeout: '30' });
  await t.createFunction('esm-vis-fn', { Timeout: 60 });
  const err = await rejectsWith(
    assert,
    t.send('CreateEventSourceMapping', { FunctionName: 'esm-vis-fn', EventSourceArn: queueArnOf('esm-vis') }),
    'InvalidParameterValueException',
  );
  assert.equal(err.message, 'Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.deepEqual((await t.send('ListEventSourceMappings', { FunctionName: 'esm-vis-fn' })).EventSourceMappings, [], 'nothing was created');
  // Equal is enough (AWS only refuses "less than"); raising the function timeout later is not re-checked, as on AWS.
  await t.sqs.send(new S.SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '60' } }));
  const m = await t.send('CreateEventSourceMapping', { FunctionName: 'esm-vis-fn', EventSourceArn: queueArnOf('esm-vis'), Enabled: false });
  await t.send('UpdateFunctionConfiguration', { FunctionName: 'esm-vis-fn', Timeout: 120 });
  await t.emu.lambda.whenActive('esm-vis-fn');
  assert.equal((await t.send('UpdateEventSourceMapping', { UUID: m.UUID, BatchSize: 5 })).BatchSize, 5);
  await t.send('DeleteEventSourceMapping', { UUID: m.UUID });
});

test('the poller invokes with AWS\'s SQS event and deletes the batch on success', async () => {
  const url = await makeQueue(t, 'esm-shape');
  await t.createFunction('esm-shape-fn', { handler: 'index.record' });
  await t.sqs.send(new S.SendMessageCommand({ QueueUrl: url, MessageBody: '{"foo": "bar"}', MessageAttributes: { Author: { DataType: 'String', StringValue: 'John Grisham' } } }));
  await t.send('CreateEventSourceMapping', { FunctionName: 'esm-shape-fn', EventSourceArn: queueArnOf('esm-shape'), BatchSize: 10 });
  const [event] = loggedEvents(await waitLogs(t, 'esm-shape-fn', 1));
  assert.equal(event.Records.length, 1);
  const r = event.Records[0];
  assert.deepEqual(Object.keys(r), ['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfMessageAttributes', 'md5OfBody', 'eventSource', 'eventSourceARN', 'awsRegion']);
  assert.equal(r.body, '{"foo": "bar"}');
  assert.equal(r.eventSource, 'aws:sqs');
  assert.equal(r.eventSourceARN, queueArnOf('esm-shape'));
  assert.equal(r.awsRegion, 'us-east-1');
  assert.equal(r.attributes.ApproximateReceiveCount, '1');
  assert.ok(r.attributes.SentTimestamp && r.attributes.SenderId && r.attributes.ApproximateFirstReceiveTimestamp);
  assert.deepEqual(r.messageAttributes, { Author: { stringValue: 'John Grisham', stringListValues: [], binaryListValues: [], dataType: 'String' } });
  assert.match(r.md5OfMessageAttributes, /^[0-9a-f]{32}$/);
  assert.match(r.md5OfBody, /^[0-9a-f]{32}$/);
  await eventually(async () => {
    const c = await counts(t, url);
    return c.visible === 0 && c.inflight === 0;
  }, { what: 'the message to be deleted' });
  // A message without attributes: {} and null (AWS-recorded).
  await sendBodies(t, url, ['plain']);
  const events = loggedEvents(await waitLogs(t, 'esm-shape-fn', 2));
  assert.deepEqual(events[1].Records[0].messageAttributes, {});
  assert.equal(events[1].Records[0].md5OfMessageAttributes, null);
});

test('ReportBatchItemFailures: listed messages return, the rest is deleted; they reach the DLQ after maxReceiveCount', async () => {
  const dlq = await makeQueue(t, 'esm-partial-dlq');
  const url = await makeQueue(t, 'esm-partial', { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArnOf('esm-partial-dlq'), maxReceiveCount: 2 }) });
  await t.createFunction('esm-partial-fn', { handler: 'index.batch' });
  await sendBodies(t, url, ['ok-1', 'fail-1', 'ok-2']);
  await t.send('CreateEventSourceMapping', { FunctionName: 'esm-partial-fn', EventSourceArn: queueArnOf('esm-partial'), BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
  await waitLogs(t, 'esm-partial-fn', 1);
  await eventually(async () => {
    const c = await counts(t, url);
    return c.visible === 0 && c.inflight === 1;
  }, { what: 'only the failed message to stay (in flight)' });
  // Visibility timeout: it comes back, fails again (receive count 2) ...
  t.clock.advance(30_000);
  await waitLogs(t, 'esm-partial-fn', 2);
  // ... and on the next receive SQS moves it to the DLQ (maxReceiveCount 2), as on AWS.
  t.clock.advance(30_000);
  const moved = await eventually(async () => {
    const r = await t.sqs.send(new S.ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    return r.Messages?.length ? r.Messages : undefined;
  }, { what: 'the failed message in the DLQ' });
  assert.deepEqual(moved.map((m) => m.Body), ['fail-1']);
  assert.equal(moved[0].Attributes.ApproximateReceiveCount, '3');
  assert.deepEqual(await counts(t, url), { visible: 0, inflight: 0 });
  assert.equal((await t.logs('esm-partial-fn')).length, 2);
});

test('a thrown error or a malformed batchItemFailures response fails the whole batch', async () => {
  const url = await makeQueue(t, 'esm-whole', { VisibilityTimeout: '30' });
  await t.createFunction('esm-whole-fn', { handler: 'index.batch' });
  await sendBodies(t, url, ['crash', 'fine']);
  const m = await t.send('CreateEventSourceMapping', { FunctionName: 'esm-whole-fn', EventSourceArn: queueArnOf('esm-whole'), BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
  await waitLogs(t, 'esm-whole-fn', 1);
  await waitIdle(t.url);
  assert.deepEqual(await counts(t, url), { visible: 0, inflight: 2 });
  await t.send('DeleteEventSourceMapping', { UUID: m.UUID });
  await t.sqs.send(new S.PurgeQueueCommand({ QueueUrl: url }));
  t.clock.advance(61_000);
  await sendBodies(t, url, ['malformed', 'fine']);
  await t.send('CreateEventSourceMapping', { FunctionName: 'esm-whole-fn', EventSourceArn: queueArnOf('esm-whole'), BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
  await waitLogs(t, 'esm-whole-fn', 2);
  await waitIdle(t.url);
  assert.deepEqual(await counts(t, url), { visible: 0, inflight: 2 });
});

test('without ReportBatchItemFailures a returned batchItemFailures is ignored: the batch is deleted', async () => {
  const url = await makeQueue(t, 'esm-noreport');
  await t.createFunction('esm-noreport-fn', { handler: 'index.batch' });
  await sendBodies(t, url, ['fail-a', 'ok-b']);
  await t.send('CreateEventSourceMapping', { FunctionName: 'esm-noreport-fn', EventSourceArn: queueArnOf('esm-noreport'), BatchSize: 10 });
  await waitLogs(t, 'esm-noreport-fn', 1);
  await eventually(async () => {
    const c = await counts(t, url);
    return c.visible === 0 && c.inflight === 0;
  }, { what: 'the whole batch to be deleted' });
});

test('FIFO queues are consumed in group order', async () => {
  const url = await makeQueue(t, 'esm-order.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  await t.createFunction('esm-order-fn', { handler: 'index.record' });
  const bodies = ['a1', 'b1', 'a2', 'a3', 'b2', 'a4', 'b3'];
  await sendBodies(t, url, bodies, (i, b) => ({ MessageGroupId: b[0] }));
  await t.send('CreateEventSourceMapping', { FunctionName: 'esm-order-fn', EventSourceArn: queueArnOf('esm-order.fifo'), BatchSize: 2, ScalingConfig: { MaximumConcurrency: 5 } });
  const seen = await eventually(async () => {
    const recs = loggedEvents(await t.logs('esm-order-fn')).flatMap((e) => e.Records);
    return recs.length >= bodies.length ? recs : undefined;
  }, { what: 'all messages' });
  const per = (g) => seen.filter((r) => r.attributes.MessageGroupId === g).map((r) => r.body);
  assert.deepEqual(per('a'), ['a1', 'a2', 'a3', 'a4']);
  assert.deepEqual(per('b'), ['b1', 'b2', 'b3']);
  assert.ok(seen.every((r) => r.attributes.SequenceNumber && r.attributes.MessageDeduplicationId));
});

test('FilterCriteria: non-matching messages are deleted without invoking', async () => {
  const url = await makeQueue(t, 'esm-filter');
  await t.createFunction('esm-filter-fn', { handler: 'index.record' });
  await t.send('CreateEventSourceMapping', { FunctionName: 'esm-filter-fn', EventSourceArn: queueArnOf('esm-filter'), BatchSize: 1, FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ['order'] } }) }] } });
  await waitIdle(t.url);
  await sendBodies(t, url, [JSON.stringify({ kind: 'noise' }), JSON.stringify({ kind: 'order', id: 7 }), 'not json']);
  await waitLogs(t, 'esm-filter-fn', 1);
  await eventually(async () => {
    const c = await counts(t, url);
    return c.visible === 0 && c.inflight === 0;
  }, { what: 'every message to be gone' });
  await waitIdle(t.url);
  const events = loggedEvents(await t.logs('esm-filter-fn'));
  assert.deepEqual(events.map((e) => JSON.parse(e.Records[0].body)), [{ kind: 'order', id: 7 }]);
});

test('MaximumBatchingWindowInSeconds gathers up to BatchSize records before invoking', async () => {
  const url = await makeQueue(t, 'esm-window');
  await t.createFunction('esm-window-fn', { handler: 'index.batch' });
  // Two pollers: the first takes 10 then 5 more within its window, the second takes 10.
  await sendBodies(t, url, Array.from({ length: 25 }, (_, i) => `ok-${i}`));
  await t.send('CreateEventSourceMapping', { FunctionName: 'esm-window-fn', EventSourceArn: queueArnOf('esm-window'), BatchSize: 20, MaximumBatchingWindowInSeconds: 5, ScalingConfig: { MaximumConcurrency: 2 } });
  await waitIdle(t.url);
  assert.equal((await t.logs('esm-window-fn')).length, 0, 'waits for the window while the batches are not full');
  t.clock.advance(5_000);
  const entries = await waitLogs(t, 'esm-window-fn', 2);
  const sizes = entries.map((e) => Number(/batch of (\d+)\n/.exec(e.text)[1])).sort((a, b) => a - b);
  assert.deepEqual(sizes, [10, 15]);
});

test('Enabled false stops consumption (Disabling -> Disabled); true resumes it', async () => {
  const url = await makeQueue(t, 'esm-toggle');
  await t.createFunction('esm-toggle-fn', { handler: 'index.record' });
  const m = await t.send('CreateEventSourceMapping', { FunctionName: 'esm-toggle-fn', EventSourceArn: queueArnOf('esm-toggle'), Enabled: false });
  await waitIdle(t.url);
  assert.equal((await t.send('GetEventSourceMapping', { UUID: m.UUID })).State, 'Disabled');
  await sendBodies(t, url, ['waiting']);
  await waitIdle(t.url);
  assert.deepEqual(await counts(t, url), { visible: 1, inflight: 0 });
  const u = await t.send('UpdateEventSourceMapping', { UUID: m.UUID, Enabled: true, BatchSize: 3 });
  assert.equal(u.State, 'Enabling');
  assert.equal(u.BatchSize, 3);
  await waitLogs(t, 'esm-toggle-fn', 1);
  assert.equal((await t.send('GetEventSourceMapping', { UUID: m.UUID })).State, 'Enabled');
  const d = await t.send('UpdateEventSourceMapping', { UUID: m.UUID, Enabled: false });
  assert.equal(d.State, 'Disabling');
  await waitIdle(t.url);
  assert.equal((await t.send('GetEventSourceMapping', { UUID: m.UUID })).State, 'Disabled');
});

test('mappings survive a restart and their pollers resume', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-lambda-esm-'));
  try {
    let t1 = await setupLambda({ stateDir });
    await makeQueue(t1, 'esm-restart');
    await t1.createFunction('esm-restart-fn', { handler: 'index.record' });
    const m = await t1.send('CreateEventSourceMapping', { FunctionName: 'esm-restart-fn', EventSourceArn: queueArnOf('esm-restart') });
    await waitIdle(t1.url);
    await t1.close();
    t1 = await setupLambda({ stateDir });
    try {
      assert.equal((await t1.send('GetEventSourceMapping', { UUID: m.UUID })).State, 'Enabled');
      const url = (await t1.sqs.send(new S.GetQueueUrlCommand({ QueueName: 'esm-restart' }))).QueueUrl;
      await sendBodies(t1, url, ['after restart']);
      const [event] = loggedEvents(await waitLogs(t1, 'esm-restart-fn', 1));
      assert.equal(event.Records[0].body, 'after restart');
    } finally {
      await t1.close();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test('SNS lambda subscriptions invoke the function asynchronously with AWS\'s SNS event', async () => {
  const { CreateTopicCommand, SubscribeCommand, PublishCommand } = await import('@aws-sdk/client-sns');
  const { TopicArn } = await t.sns.send(new CreateTopicCommand({ Name: 'to-lambda' }));
  await t.createFunction('sns-fn', { handler: 'index.record' });
  await t.send('AddPermission', { FunctionName: 'sns-fn', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: TopicArn });
  const sub = await t.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:sns-fn', ReturnSubscriptionArn: true }));
  const p = await t.sns.send(new PublishCommand({ TopicArn, Message: 'Hello world.', MessageAttributes: { attr1: { DataType: 'String', StringValue: 'v' } } }));
  const [event] = loggedEvents(await waitLogs(t, 'sns-fn', 1));
  const r = event.Records[0];
  assert.deepEqual(Object.keys(r), ['EventSource', 'EventVersion', 'EventSubscriptionArn', 'Sns']);
  assert.equal(r.EventSource, 'aws:sns');
  assert.equal(r.EventVersion, '1.0');
  assert.equal(r.EventSubscriptionArn, sub.SubscriptionArn);
  assert.equal(r.Sns.Type, 'Notification');
  assert.equal(r.Sns.MessageId, p.MessageId);
  assert.equal(r.Sns.TopicArn, TopicArn);
  assert.equal(r.Sns.Subject, null);
  assert.equal(r.Sns.Message, 'Hello world.');
  assert.equal(r.Sns.SignatureVersion, '1');
  assert.ok(r.Sns.Signature && r.Sns.SigningCertUrl && r.Sns.UnsubscribeUrl);
  assert.equal(r.Sns.SigningCertURL, undefined);
  assert.deepEqual(r.Sns.MessageAttributes, { attr1: { Type: 'String', Value: 'v' } });
  // No attributes: MessageAttributes is {} (AWS-recorded).
  await t.sns.send(new PublishCommand({ TopicArn, Message: 'second', Subject: 'subj' }));
  const events = loggedEvents(await waitLogs(t, 'sns-fn', 2));
  assert.deepEqual(events[1].Records[0].Sns.MessageAttributes, {});
  assert.equal(events[1].Records[0].Sns.Subject, 'subj');
});

test('SNS -> lambda without a function policy for the topic fails the delivery (subscription DLQ), as on AWS', async () => {
  const lines = [];
  const t2 = await setupLambda({ log: (l) => lines.push(l) });
  try {
    const { CreateTopicCommand, SubscribeCommand, PublishCommand } = await import('@aws-sdk/client-sns');
    const { TopicArn } = await t2.sns.send(new CreateTopicCommand({ Name: 'no-perm' }));
    const dlq = await makeQueue(t2, 'sub-dlq', { Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArnOf('sub-dlq') }] }) });
    await t2.createFunction('locked-fn', { handler: 'index.record' });
    await t2.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:locked-fn', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArnOf('sub-dlq') }) } }));
    await t2.sns.send(new PublishCommand({ TopicArn, Message: 'refused' }));
    assert.ok(lines.some((l) => l.includes('SNS DELIVERY FAILED') && l.includes('does not allow sns.amazonaws.com')));
    const r = await t2.sqs.send(new S.ReceiveMessageCommand({ QueueUrl: dlq }));
    assert.equal(JSON.parse(r.Messages[0].Body).Message, 'refused');
    await waitIdle(t2.url);
    assert.equal((await t2.logs('locked-fn')).length, 0);
    assert.equal(t2.emu.lambda.async.pendingCount(), 0);
  } finally {
    await t2.close();
  }
});
