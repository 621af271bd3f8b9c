// SQS fidelity to AWS (issue 12), with the real @aws-sdk/client-sqs (JSON 1.0) against the emulator on the
// fake clock: FIFO delivery order across message groups, deduplication after a DeduplicationScope change,
// earlier receipt handles on standard queues, bare queue names as QueueUrl, message attribute names and
// values, empty collections in JSON answers, the Query API over GET, and long polls woken by a shortened
// visibility timeout. Each behaviour names the AWS recording it follows: LocalStack's AWS-validated
// tests (tests/aws/services/sqs/test_sqs.py and its .snapshot.json, marked aws.validated). The Query
// side (Debian's python3-boto3) is test/integration/py/sqs_query_fidelity.py, run at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { setupSqs, expectSqsError, invalidParameterValue, startLongPoll } from '../helpers/sqs.mjs';
import { requireQueryClient, runPython } from '../helpers/boto.mjs';
import { startTestEmulator } from '../helpers/emulator.mjs';

let t;
const LONG_POLL = { timeout: 15_000 };
before(async () => (t = await setupSqs()));
after(() => t.close());

const bodies = (msgs) => msgs.map((m) => m.Body);
const fifo = (name, attrs = {}) => t.createQueue(`${t.name(name)}.fifo`, { FifoQueue: 'true', ContentBasedDeduplication: 'true', ...attrs });
const send = (QueueUrl, MessageBody, MessageGroupId, extra = {}) => t.call('SendMessage', { QueueUrl, MessageBody, MessageGroupId, ...extra });
const counts = async (url) => {
  const a = await t.attrs(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  return [Number(a.ApproximateNumberOfMessages), Number(a.ApproximateNumberOfMessagesNotVisible)];
};
/** A raw JSON 1.0 call, to see the wire body the SDK would smooth over. */
async function rawJson(op, input) {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${op}` },
    body: JSON.stringify(input),
  });
  assert.equal(res.status, 200);
  return JSON.parse(await res.text());
}

// ---- FIFO delivery order ----

test('FIFO: one receive returns a group\'s messages together, in group order, before the next group [AWS-rec]', async () => {
  // LocalStack test_fifo_receive_message_group_id_ordering (aws.validated).
  const url = await fifo('order');
  await send(url, 'g1-m1', 'group-1');
  await send(url, 'g2-m1', 'group-2');
  await send(url, 'g1-m2', 'group-1');
  await send(url, 'g1-m3', 'group-1');
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['g1-m1', 'g1-m2', 'g1-m3', 'g2-m1']);
});

test('FIFO: a group visible again after its visibility timeout queues behind the groups that waited [AWS-rec]', async () => {
  // LocalStack test_fifo_messages_in_order_after_timeout and ..._after_terminate_visibility_timeout (aws.validated):
  // the returning group keeps its own order and comes after a group that was available all along.
  const url = await fifo('order-vis', { VisibilityTimeout: '30' });
  await send(url, 'g1-m1', 'group-1');
  await send(url, 'g1-m2', 'group-1');
  await send(url, 'g2-m1', 'group-2');
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 2 })), ['g1-m1', 'g1-m2']);
  t.clock.advance(30_000);
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['g2-m1', 'g1-m1', 'g1-m2']);
});

test('FIFO: ChangeMessageVisibility 0 on a group\'s head makes only that message available, after the waiting group [AWS-rec]', async () => {
  // LocalStack test_fifo_message_group_visibility_after_terminate_visibility_timeout (aws.validated).
  const url = await fifo('order-cmv', { VisibilityTimeout: '30' });
  await send(url, 'g1-m1', 'group-1');
  await send(url, 'g1-m2', 'group-1');
  await send(url, 'g2-m1', 'group-2');
  const got = await t.receive(url, { MaxNumberOfMessages: 2 });
  assert.deepEqual(bodies(got), ['g1-m1', 'g1-m2']);
  t.clock.advance(1_000);
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: 0 });
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 3 })), ['g2-m1', 'g1-m1']);
});

/** The eight sends of LocalStack's after-delete tests; the second `g1-m2` is a content-based duplicate. */
async function interleaved(url) {
  for (const [body, group] of [
    ['g1-m1', 'group-1'], ['g2-m1', 'group-2'], ['g1-m2', 'group-1'], ['g2-m2', 'group-2'],
    ['g1-m2', 'group-1'], ['g1-m3', 'group-1'], ['g1-m4', 'group-1'], ['g3-m1', 'group-3'],
  ]) await send(url, body, group);
}

test('FIFO: after the received messages of a group are deleted, the group takes its turn by its next message [AWS-rec]', async () => {
  // LocalStack test_fifo_message_group_visibility_after_delete (aws.validated; the "aws" ordering).
  const url = await fifo('order-del');
  await interleaved(url);
  const got = await t.receive(url, { MaxNumberOfMessages: 2 });
  assert.deepEqual(bodies(got), ['g1-m1', 'g1-m2']);
  for (const m of got) await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['g2-m1', 'g2-m2', 'g1-m3', 'g1-m4', 'g3-m1']);
});

test('FIFO: after a partial delete of a received batch the group stays locked [AWS-rec]', async () => {
  // LocalStack test_fifo_message_group_visibility_after_partial_delete (aws.validated).
  const url = await fifo('order-pdel');
  await interleaved(url);
  const got = await t.receive(url, { MaxNumberOfMessages: 2 });
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: got[0].ReceiptHandle });
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['g2-m1', 'g2-m2', 'g3-m1']);
});

test('standard queue: a message visible again comes before messages sent after it', async () => {
  // AWS keeps a returning message's place by its send time (LocalStack test_fifo_messages_in_order_after_timeout
  // for the FIFO case; AWS documents best-effort ordering for standard queues, and svl keeps it deterministic).
  const url = await t.createQueue(t.name('std-order'), { VisibilityTimeout: '10' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'A' });
  assert.deepEqual(bodies(await t.receive(url)), ['A']);
  t.clock.advance(5_000);
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'B' });
  t.clock.advance(5_000);
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'C' });
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['A', 'B', 'C']);
});

// ---- deduplication scope changes ----

test('DeduplicationScope queue -> messageGroup: ids seen before the switch still deduplicate in every group [AWS-rec]', async () => {
  // LocalStack test_fifo_change_to_high_throughput_after_creation (aws.validated): after the switch, Test3 in
  // group3 with the old id is dropped. (AWS also kept deduplicating a new id across groups right after the
  // switch, which the ledger attributes to attribute propagation; svl applies the new scope to new ids.)
  const url = await fifo('dedup-switch', { ContentBasedDeduplication: 'false', DeduplicationScope: 'queue' });
  const first = await send(url, 'Test1', 'group1', { MessageDeduplicationId: 'same-dedup' });
  const dup = await send(url, 'Test2', 'group2', { MessageDeduplicationId: 'same-dedup' });
  assert.equal(dup.MessageId, first.MessageId, 'a duplicate answers with the original MessageId');
  await t.call('SetQueueAttributes', { QueueUrl: url, Attributes: { DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' } });
  await send(url, 'Test3', 'group3', { MessageDeduplicationId: 'same-dedup' });
  await send(url, 'Test3b', 'group1', { MessageDeduplicationId: 'same-dedup' });
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })), ['Test1']);
});

test('DeduplicationScope messageGroup -> queue: ids seen in one group do not deduplicate another group [AWS-rec]', async () => {
  // LocalStack test_fifo_change_to_regular_throughput_after_creation (aws.validated): Test3 is delivered.
  const url = await fifo('dedup-back', { ContentBasedDeduplication: 'false', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
  await send(url, 'Test1', 'group1', { MessageDeduplicationId: 'same-dedup' });
  await send(url, 'Test2', 'group2', { MessageDeduplicationId: 'same-dedup' });
  await t.call('SetQueueAttributes', { QueueUrl: url, Attributes: { DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' } });
  await send(url, 'Test3', 'group3', { MessageDeduplicationId: 'same-dedup' });
  assert.deepEqual(bodies(await t.receive(url, { MaxNumberOfMessages: 10 })).sort(), ['Test1', 'Test2', 'Test3']);
});

// ---- receipt handles ----

test('standard queue: an earlier receive\'s receipt handle works for ChangeMessageVisibility and DeleteMessage [AWS-rec]', async () => {
  // LocalStack test_terminate_visibility_timeout_after_receive and test_remove_message_with_old_receipt_handle
  // (aws.validated).
  const url = await t.createQueue(t.name('old-handle'));
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'test' });
  const [first] = await t.receive(url, { VisibilityTimeout: 0 });
  const [second] = await t.receive(url, { VisibilityTimeout: 30 });
  assert.equal(second.MessageId, first.MessageId);
  assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 10 });
  t.clock.advance(10_000);
  assert.deepEqual(await counts(url), [1, 0], 'the earlier handle set the 10 s visibility, not the 30 s one');
  const [third] = await t.receive(url, { VisibilityTimeout: 30 });
  assert.equal(third.MessageId, first.MessageId);
  await t.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle });
  assert.deepEqual(await counts(url), [0, 0], 'the first handle deleted the message');
});

test('FIFO queue: an earlier receive\'s handle is still refused as expired', async () => {
  // LocalStack test_fifo_delete_message_with_expired_receipt_handle (aws.validated).
  const url = await fifo('old-handle-fifo');
  await send(url, 'x', 'g');
  const [first] = await t.receive(url, { VisibilityTimeout: 0 });
  await t.receive(url, { VisibilityTimeout: 30 });
  await expectSqsError(
    t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0 }),
    invalidParameterValue({ includes: 'The receipt handle has expired.' }),
  );
});

// ---- queue names where a URL is expected ----

test('a bare queue name is accepted as QueueUrl [AWS-rec]', async () => {
  // LocalStack test_posting_to_queue_via_queue_name (aws.validated): SendMessage with QueueUrl=<name> succeeds.
  const name = t.name('bare');
  const url = await t.createQueue(name);
  const sent = await t.call('SendMessage', { QueueUrl: name, MessageBody: 'Using name instead of URL' });
  assert.equal(sent.MD5OfMessageBody, '86a83f96652a1bfad3891e7d523750cb');
  await t.call('SetQueueAttributes', { QueueUrl: name, Attributes: { VisibilityTimeout: '45' } });
  assert.equal((await t.attrs(url, ['VisibilityTimeout'])).VisibilityTimeout, '45');
  const out = await t.call('GetQueueAttributes', { QueueUrl: name, AttributeNames: ['ApproximateNumberOfMessages'] });
  assert.equal(out.Attributes.ApproximateNumberOfMessages, '1');
  const fifoName = `${t.name('bare')}.fifo`;
  await t.createQueue(fifoName, { FifoQueue: 'true' });
  await t.call('SendMessage', { QueueUrl: fifoName, MessageBody: 'f', MessageGroupId: 'g', MessageDeduplicationId: 'd' });
  assert.deepEqual(bodies(await t.receive(fifoName)), ['f']);
  await expectSqsError(t.call('SendMessage', { QueueUrl: 'no-such-queue', MessageBody: 'x' }), { name: 'QueueDoesNotExist', code: 'AWS.SimpleQueueService.NonExistentQueue' });
});

// ---- attribute validation ----

test('message attribute names may contain accented letters; other symbols are refused [AWS-rec]', async () => {
  // LocalStack test_send_message_with_invalid_string_attributes (aws.validated): `attr.1øßä` is the valid
  // baseline, `!` `"` `§` `(` `?` are invalid. The SDK checks MD5OfMessageAttributes over the UTF-8 name.
  const url = await t.createQueue(t.name('attr-names'));
  const attrs = { 'attr.1øßä': { DataType: 'String', StringValue: 'Valida' } };
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'test', MessageAttributes: attrs });
  const [m] = await t.receive(url, { MessageAttributeNames: ['All'] });
  assert.deepEqual(m.MessageAttributes, attrs);
  for (const ch of ['!', '"', '§', '(', '?']) {
    await expectSqsError(
      t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes: { [`Invalid-${ch}-attr`]: { DataType: 'String', StringValue: 'Valid' } } }),
      invalidParameterValue(),
    );
  }
});

test('control characters in a message attribute value are InvalidParameterValue [AWS-rec]', async () => {
  // LocalStack test_invalid_string_attributes_cause_invalid_parameter_value_error (aws.validated: the code)
  // and check_attributes in its provider (the text, the body check's, noted there as what AWS sends).
  const url = await t.createQueue(t.name('attr-ctl'));
  await expectSqsError(
    t.call('SendMessage', { QueueUrl: url, MessageBody: 'test', MessageAttributes: { attr1: { DataType: 'String', StringValue: `Invalid-${String.fromCharCode(8)},${String.fromCharCode(11)}` } } }),
    invalidParameterValue({
      message: 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    }),
  );
});

// ---- empty collections in JSON answers ----

test('JSON answers leave out empty Failed/Successful lists and an empty Attributes map [AWS-rec]', async () => {
  // LocalStack test_send_message_batch_with_oversized_contents_with_updated_maximum_message_size[sqs] (no
  // "Failed") and test_sqs_permission_lifecycle[sqs] (no "Attributes" once the Policy is gone), aws.validated.
  const url = await t.createQueue(t.name('empty-coll'));
  const sent = await rawJson('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: '1', MessageBody: 'a' }, { Id: '2', MessageBody: 'b' }] });
  assert.deepEqual(Object.keys(sent), ['Successful']);
  const failed = await rawJson('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: '1', MessageBody: 'a', DelaySeconds: 901 }] });
  assert.deepEqual(Object.keys(failed), ['Failed']);
  const got = await t.receive(url, { MaxNumberOfMessages: 10 });
  const vis = await rawJson('ChangeMessageVisibilityBatch', { QueueUrl: url, Entries: got.map((m, i) => ({ Id: `v${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 5 })) });
  assert.deepEqual(Object.keys(vis), ['Successful']);
  const del = await rawJson('DeleteMessageBatch', { QueueUrl: url, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) });
  assert.deepEqual(Object.keys(del), ['Successful']);
  assert.deepEqual(await rawJson('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['Policy'] }), {});
  // And the SDK reads the short forms as it reads AWS's.
  const viaSdk = await t.call('SendMessageBatch', { QueueUrl: url, Entries: [{ Id: '1', MessageBody: 'c' }] });
  assert.equal(viaSdk.Failed, undefined);
  assert.equal(viaSdk.Successful.length, 1);
});

// ---- Query API over GET ----

test('Query over GET: no Action is a 404 UnknownOperationException in XML, even when JSON is accepted [AWS-rec]', async () => {
  // LocalStack test_get_without_query_returns_unknown_operation and
  // test_get_without_query_json_format_returns_returns_xml (aws.validated).
  const url = await t.createQueue(t.name('get-none'));
  for (const headers of [{}, { accept: 'application/json' }]) {
    const res = await fetch(url, { headers });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /<UnknownOperationException/);
  }
});

test('Query over GET: CreateQueue and ListQueues on a queue URL are InvalidAction 400 [AWS-rec]', async () => {
  // LocalStack test_get_create_queue_fails, test_get_list_queues_fails, test_invalid_action_raises_exception
  // and test_get_list_queues_fails_json_format (aws.validated).
  const url = await t.createQueue(t.name('get-bad'));
  const other = t.name('get-bad-new');
  for (const [action, extra] of [['CreateQueue', `&QueueName=${other}`], ['ListQueues', ''], ['FooBar', '&Version=2012-11-05']]) {
    const res = await fetch(`${url}?Action=${action}${extra}`);
    const text = await res.text();
    assert.equal(res.status, 400, text);
    assert.match(text, /<Code>InvalidAction<\/Code>/);
    assert.match(text, /<Type>Sender<\/Type>/);
    assert.ok(text.includes(`<Message>The action ${action} is not valid for this endpoint.</Message>`), text);
  }
  await expectSqsError(t.call('GetQueueUrl', { QueueName: other }), { name: 'QueueDoesNotExist' });
  const res = await fetch(`${url}?Action=ListQueues`, { headers: { accept: 'application/json' } });
  assert.equal(res.status, 400);
  assert.match(res.headers.get('content-type'), /application\/json/);
  const doc = await res.json();
  assert.equal(doc.Error.Code, 'InvalidAction');
  assert.equal(doc.Error.Message, 'The action ListQueues is not valid for this endpoint.');
});

test('Query over GET with Accept: application/json answers JSON [AWS-rec]', async () => {
  // LocalStack test_get_queue_attributes_json_format (aws.validated).
  const url = await t.createQueue(t.name('get-json'));
  const res = await fetch(`${url}?Action=GetQueueAttributes&AttributeName.1=All`, { headers: { accept: 'application/json' } });
  assert.equal(res.status, 200);
  const doc = await res.json();
  const attrs = doc.GetQueueAttributesResponse.GetQueueAttributesResult.Attributes;
  const arn = attrs.find((a) => a.Name === 'QueueArn');
  assert.ok(arn && arn.Value.startsWith('arn:aws:sqs:') && arn.Value.endsWith(url.split('/').pop()), JSON.stringify(attrs));
  assert.equal(typeof doc.GetQueueAttributesResponse.ResponseMetadata.RequestId, 'string');
  const xml = await (await fetch(`${url}?Action=GetQueueAttributes&AttributeName.1=QueueArn`)).text();
  assert.match(xml, /<Attribute><Name>QueueArn<\/Name><Value>arn:aws:sqs:/, 'XML without the Accept header');
});

// ---- long polls and visibility ----

test('a long poll wakes when a visibility timeout shortened during the wait runs out', LONG_POLL, async () => {
  // AWS returns a message to a waiting long poll as soon as it becomes visible (LocalStack
  // test_receive_after_visibility_timeout and test_extend_message_visibility_timeout_set_in_queue, aws.validated).
  const url = await t.createQueue(t.name('poll-vis'));
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'back' });
  const [m] = await t.receive(url, { VisibilityTimeout: 30 });
  const { response } = await startLongPoll(t, url, { WaitTimeSeconds: 5 });
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 2 });
  t.clock.advance(2_000);
  const out = await response;
  assert.deepEqual(bodies(out.Messages ?? []), ['back'], 'returned by the poll that was waiting, 2 s into its 5 s');
});

test('a long poll wakes when an extended visibility timeout ends inside its wait', LONG_POLL, async () => {
  const url = await t.createQueue(t.name('poll-ext'));
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'later' });
  const [m] = await t.receive(url, { VisibilityTimeout: 1 });
  const { response } = await startLongPoll(t, url, { WaitTimeSeconds: 5 });
  await t.call('ChangeMessageVisibility', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 3 });
  t.clock.advance(1_000);
  t.clock.advance(2_000);
  const out = await response;
  assert.deepEqual(bodies(out.Messages ?? []), ['later']);
});

// ---- the Query side, with Debian's python3-boto3 ----

test('Query protocol (python3-boto3): bare queue names, signed GETs, accented attribute names, empty collections', async () => {
  const { emu, url } = await startTestEmulator({ fake: false });
  try {
    requireQueryClient();
    const { code, out } = await runPython([fileURLToPath(new URL('./py/sqs_query_fidelity.py', import.meta.url)), url]);
    assert.equal(code, 0, out);
    assert.match(out, /\(query protocol\)/, out);
    assert.match(out, /^OK$/m, out);
  } finally {
    await emu.close();
  }
});
