// Asynchronous invocation on the fake clock: retries (default 2, after 1 and 2 minutes), event age,
// destinations (SQS, SNS, Lambda) with AWS's record, the DeadLetterConfig fallback, the
// Put/Get/Update/Delete/ListFunctionEventInvokeConfig operations and their bad input, and pending
// events surviving a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupLambda, eventually } from '../helpers/lambda.mjs';
import { rejectsWith } from '../helpers/emulator.mjs';
import { queueArnOf } from '../helpers/sns.mjs';
import { writeZip } from '../../dist/domain/zip.js';

let t;
before(async () => {
  t = await setupLambda();
});
after(() => t.close());

const ARN = (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

async function queue(ctx, name) {
  const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
  const { QueueUrl } = await ctx.sqs.send(new CreateQueueCommand({ QueueName: name }));
  return QueueUrl;
}

/** Receives (and deletes) whatever is in a queue right now. */
async function drain(ctx, url) {
  const { ReceiveMessageCommand, DeleteMessageCommand } = await import('@aws-sdk/client-sqs');
  const out = [];
  for (;;) {
    const r = await ctx.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    if (!r.Messages?.length) return out;
    for (const m of r.Messages) {
      out.push(m);
      await ctx.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

const waitMessages = (ctx, url, n, what) => {
  const got = [];
  return eventually(async () => {
    got.push(...(await drain(ctx, url)));
    return got.length >= n ? got : undefined;
  }, { what });
};

const invokeEvent = (ctx, name, payload) => ctx.send('Invoke', { FunctionName: name, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) });

test('Event success goes to the OnSuccess destination with AWS\'s invocation record', async () => {
  const ok = await queue(t, 'async-ok');
  await t.createFunction('async-echo');
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'async-echo', DestinationConfig: { OnSuccess: { Destination: queueArnOf('async-ok') } } });
  const r = await invokeEvent(t, 'async-echo', { n: 1 });
  assert.equal(r.StatusCode, 202);
  const [m] = await waitMessages(t, ok, 1, 'the success record');
  const rec = JSON.parse(m.Body);
  assert.equal(rec.version, '1.0');
  assert.equal(rec.timestamp, new Date(t.clock.now()).toISOString());
  assert.deepEqual(rec.requestContext, { requestId: r.$metadata.requestId, functionArn: `${ARN('async-echo')}:$LATEST`, condition: 'Success', approximateInvokeCount: 1 });
  assert.deepEqual(rec.requestPayload, { n: 1 });
  assert.deepEqual(rec.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
  assert.deepEqual(rec.responsePayload, { echo: { n: 1 } });
  assert.equal(t.emu.lambda.async.pendingCount(), 0);
});

test('a failing event is retried twice, after 1 and 2 minutes, then goes to OnFailure and the DLQ', async () => {
  const fail = await queue(t, 'async-fail');
  const dlq = await queue(t, 'async-dlq');
  await t.createFunction('async-fails', { handler: 'index.fail', DeadLetterConfig: { TargetArn: queueArnOf('async-dlq') } });
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'async-fails', DestinationConfig: { OnFailure: { Destination: queueArnOf('async-fail') } } });
  const r = await invokeEvent(t, 'async-fails', { message: 'nope' });
  const id = r.$metadata.requestId;
  const attempts = () => t.emu.lambda.async.pending()[0]?.attempts;
  await eventually(() => attempts() === 1, { what: 'the first attempt' });
  const logsCount = async () => (await t.logs('async-fails')).length;
  assert.equal(await logsCount(), 1);
  t.clock.advance(59_000);
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(attempts(), 1, 'no retry before a minute');
  t.clock.advance(1_000);
  await eventually(() => attempts() === 2, { what: 'the second attempt' });
  t.clock.advance(119_000);
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(attempts(), 2, 'the second retry waits two minutes');
  assert.deepEqual(await drain(t, fail), []);
  t.clock.advance(1_000);
  const [m] = await waitMessages(t, fail, 1, 'the failure record');
  const rec = JSON.parse(m.Body);
  assert.equal(rec.requestContext.condition, 'RetriesExhausted');
  assert.equal(rec.requestContext.approximateInvokeCount, 3);
  assert.equal(rec.requestContext.requestId, id);
  assert.deepEqual(rec.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
  assert.equal(rec.responsePayload.errorType, 'TypeError');
  assert.equal(rec.responsePayload.errorMessage, 'nope');
  assert.deepEqual(rec.requestPayload, { message: 'nope' });
  const [d] = await waitMessages(t, dlq, 1, 'the DLQ message');
  assert.equal(d.Body, JSON.stringify({ message: 'nope' }));
  assert.deepEqual(d.MessageAttributes, {
    RequestID: { DataType: 'String', StringValue: id },
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    ErrorMessage: { DataType: 'String', StringValue: 'nope' },
  });
  assert.equal(await logsCount(), 3);
  assert.equal(t.emu.lambda.async.pendingCount(), 0);
});

test('MaximumRetryAttempts 0: the first failure is final', async () => {
  const fail = await queue(t, 'async-noretry');
  await t.createFunction('async-noretry', { handler: 'index.fail' });
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'async-noretry', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: queueArnOf('async-noretry') } } });
  await invokeEvent(t, 'async-noretry', {});
  const [m] = await waitMessages(t, fail, 1, 'the failure record');
  assert.equal(JSON.parse(m.Body).requestContext.approximateInvokeCount, 1);
  assert.equal(JSON.parse(m.Body).requestContext.condition, 'RetriesExhausted');
});

test('MaximumEventAgeInSeconds: an event too old for its next retry is EventAgeExceeded', async () => {
  const fail = await queue(t, 'async-age');
  await t.createFunction('async-age', { handler: 'index.fail' });
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'async-age', MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: queueArnOf('async-age') } } });
  await invokeEvent(t, 'async-age', { old: true });
  await eventually(() => t.emu.lambda.async.pending().find((p) => p.function === 'async-age')?.attempts === 1, { what: 'the first attempt' });
  t.clock.advance(60_000);
  const [m] = await waitMessages(t, fail, 1, 'the event-age record');
  const rec = JSON.parse(m.Body);
  assert.equal(rec.requestContext.condition, 'EventAgeExceeded');
  assert.equal(rec.requestContext.approximateInvokeCount, 1);
  assert.equal(rec.responsePayload.errorType, 'TypeError');
});

test('destinations of type SNS topic and Lambda function', async () => {
  const { CreateTopicCommand, SubscribeCommand } = await import('@aws-sdk/client-sns');
  const { TopicArn } = await t.sns.send(new CreateTopicCommand({ Name: 'async-topic' }));
  const viaTopic = await queue(t, 'async-via-topic');
  const { SetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  await t.sqs.send(new SetQueueAttributesCommand({ QueueUrl: viaTopic, Attributes: { Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArnOf('async-via-topic') }] }) } }));
  await t.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArnOf('async-via-topic'), Attributes: { RawMessageDelivery: 'true' } }));
  await t.createFunction('async-to-topic');
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'async-to-topic', DestinationConfig: { OnSuccess: { Destination: TopicArn } } });
  await invokeEvent(t, 'async-to-topic', { via: 'sns' });
  const [m] = await waitMessages(t, viaTopic, 1, 'the record through SNS');
  assert.deepEqual(JSON.parse(m.Body).responsePayload, { echo: { via: 'sns' } });

  await t.createFunction('async-target', { handler: 'index.record' });
  await t.createFunction('async-to-fn');
  await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'async-to-fn', DestinationConfig: { OnSuccess: { Destination: ARN('async-target') } } });
  await invokeEvent(t, 'async-to-fn', { via: 'lambda' });
  const logs = await eventually(async () => {
    const l = await t.logs('async-target');
    return l.length ? l : undefined;
  }, { what: 'the target function to run' });
  assert.match(logs[0].text, /"condition":"Success"/);
  assert.match(logs[0].text, /"requestPayload":\{"via":"lambda"\}/);
});

test('event invoke config operations: Put replaces, Update merges, Get, List, Delete (204)', async () => {
  await t.createFunction('eic');
  await rejectsWith(assert, t.send('GetFunctionEventInvokeConfig', { FunctionName: 'eic' }), 'ResourceNotFoundException', `The function ${ARN('eic')} doesn't have an EventInvokeConfig`);
  const p = await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'eic', MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: queueArnOf('x') } } });
  assert.equal(p.FunctionArn, `${ARN('eic')}:$LATEST`);
  assert.equal(p.MaximumRetryAttempts, 1);
  assert.ok(p.LastModified instanceof Date);
  assert.deepEqual(p.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: queueArnOf('x') } });
  const u = await t.send('UpdateFunctionEventInvokeConfig', { FunctionName: 'eic', MaximumEventAgeInSeconds: 300 });
  assert.equal(u.MaximumRetryAttempts, 1);
  assert.equal(u.MaximumEventAgeInSeconds, 300);
  assert.equal(u.DestinationConfig.OnFailure.Destination, queueArnOf('x'));
  const replaced = await t.send('PutFunctionEventInvokeConfig', { FunctionName: 'eic', MaximumEventAgeInSeconds: 120 });
  assert.equal(replaced.MaximumRetryAttempts, undefined);
  assert.deepEqual(replaced.DestinationConfig, { OnSuccess: {}, OnFailure: {} });
  const g = await t.send('GetFunctionEventInvokeConfig', { FunctionName: 'eic' });
  assert.equal(g.MaximumEventAgeInSeconds, 120);
  const l = await t.send('ListFunctionEventInvokeConfigs', { FunctionName: 'eic' });
  assert.equal(l.FunctionEventInvokeConfigs.length, 1);
  const d = await t.send('DeleteFunctionEventInvokeConfig', { FunctionName: 'eic' });
  assert.equal(d.$metadata.httpStatusCode, 204);
  await rejectsWith(assert, t.send('DeleteFunctionEventInvokeConfig', { FunctionName: 'eic' }), 'ResourceNotFoundException');
  assert.deepEqual((await t.send('ListFunctionEventInvokeConfigs', { FunctionName: 'eic' })).FunctionEventInvokeConfigs, []);
});

test('event invoke config bad input', async () => {
  await t.createFunction('eic-bad');
  const put = (input) => t.send('PutFunctionEventInvokeConfig', { FunctionName: 'eic-bad', ...input });
  await rejectsWith(assert, put({}), 'InvalidParameterValueException', 'You must specify at least one of error handling or destination setting.');
  await rejectsWith(assert, put({ MaximumRetryAttempts: 3 }), 'ValidationException', 'Member must have value less than or equal to 2');
  await rejectsWith(assert, put({ MaximumRetryAttempts: -1 }), 'ValidationException', 'greater than or equal to 0');
  await rejectsWith(assert, put({ MaximumEventAgeInSeconds: 59 }), 'ValidationException', 'greater than or equal to 60');
  await rejectsWith(assert, put({ MaximumEventAgeInSeconds: 21601 }), 'ValidationException', 'less than or equal to 21600');
  await rejectsWith(assert, put({ DestinationConfig: { OnSuccess: { Destination: 'not-an-arn' } } }), 'InvalidParameterValueException', 'is invalid');
  await rejectsWith(assert, put({ DestinationConfig: { OnFailure: { Destination: ARN('eic-bad') } } }), 'InvalidParameterValueException', "You can't specify the function as a destination for itself.");
  await rejectsWith(assert, put({ DestinationConfig: { OnFailure: { Destination: 'arn:aws:events:us-east-1:000000000000:event-bus/default' } } }), 'InvalidParameterValueException', 'EventBridge');
  await rejectsWith(assert, t.send('PutFunctionEventInvokeConfig', { FunctionName: 'ghost', MaximumRetryAttempts: 1 }), 'ResourceNotFoundException');
  await rejectsWith(assert, t.send('ListFunctionEventInvokeConfigs', { FunctionName: 'eic-bad', MaxItems: 51 }), 'ValidationException');
});

test('a destination that refuses the record is logged, and the event is not retried for it', async () => {
  const lines = [];
  const t2 = await setupLambda({ log: (l) => lines.push(l) });
  try {
    await t2.createFunction('to-missing');
    await t2.send('PutFunctionEventInvokeConfig', { FunctionName: 'to-missing', DestinationConfig: { OnSuccess: { Destination: queueArnOf('does-not-exist') } } });
    await invokeEvent(t2, 'to-missing', {});
    await eventually(() => lines.some((l) => l.includes('OnSuccess DELIVERY FAILED')), { what: 'the delivery failure log line' });
    assert.equal(t2.emu.lambda.async.pendingCount(), 0);
  } finally {
    await t2.close();
  }
});

test('pending async invocations survive a restart and are retried on the new emulator', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-lambda-async-'));
  try {
    let t1 = await setupLambda({ stateDir });
    const ok = await queue(t1, 'restart-ok');
    await t1.createFunction('restart-fn', { handler: 'index.fail' });
    await t1.send('PutFunctionEventInvokeConfig', { FunctionName: 'restart-fn', DestinationConfig: { OnSuccess: { Destination: queueArnOf('restart-ok') } } });
    const r = await invokeEvent(t1, 'restart-fn', { survive: true });
    await eventually(() => t1.emu.lambda.async.pending()[0]?.attempts === 1, { what: 'the first failed attempt' });
    await t1.close();

    t1 = await setupLambda({ stateDir });
    try {
      assert.deepEqual(t1.emu.lambda.async.pending().map((p) => [p.function, p.attempts, p.requestId]), [['restart-fn', 1, r.$metadata.requestId]]);
      // The function, its code and its config are back; fix the handler, then let the retry fall due.
      assert.equal((await t1.send('GetFunction', { FunctionName: 'restart-fn' })).Configuration.State, 'Active');
      await t1.send('UpdateFunctionCode', { FunctionName: 'restart-fn', ZipFile: writeZip([{ name: 'index.js', data: 'exports.fail = async (e) => ({ fixed: e });' }]) });
      await t1.emu.lambda.whenActive('restart-fn');
      t1.clock.advance(60_000);
      const [m] = await waitMessages(t1, ok, 1, 'the success record after the restart');
      const rec = JSON.parse(m.Body);
      assert.equal(rec.requestContext.requestId, r.$metadata.requestId);
      assert.equal(rec.requestContext.approximateInvokeCount, 2);
      assert.deepEqual(rec.responsePayload, { fixed: { survive: true } });
      assert.equal(t1.emu.lambda.async.pendingCount(), 0);
    } finally {
      await t1.close();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});
