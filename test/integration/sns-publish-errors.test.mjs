// Bad Publish / PublishBatch input with the real @aws-sdk/client-sns: message, subject, size limits,
// message attributes, batch rules and FIFO-only parameters, with the error codes, statuses and texts
// recorded against AWS (LocalStack snapshots: test_publish_too_long_message, test_empty_or_wrong_message_attributes,
// test_publish_batch_*). A refused request delivers nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSns, expectSnsError, invalidParameter, invalidParameterValue } from '../helpers/sns.mjs';

let t;
let topic;
let q;
before(async () => {
  t = await setupSns();
  topic = await t.createTopic('errors');
  q = await t.subscribeQueue(topic);
});
after(() => t.close());

const publish = (input) => t.call('Publish', { TopicArn: topic, ...input });
const batch = (entries) => t.call('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: entries });
const S = (StringValue) => ({ DataType: 'String', StringValue });

async function nothingDelivered() {
  assert.deepEqual(await t.drain(q.url), [], 'a refused publish delivers nothing');
}

test('empty or missing Message: "Invalid parameter: Empty message" [AWS-rec]', async () => {
  const empty = invalidParameter('Invalid parameter: Empty message');
  await expectSnsError(publish({ Message: '' }), empty);
  await expectSnsError(publish({}), empty);
  await expectSnsError(batch([{ Id: '1', Message: '' }, { Id: '2', Message: 'ok' }]), empty);
  await nothingDelivered();
});

test('Subject: empty, too long, with a line break or control character [AWS-rec "Invalid parameter: Subject"]', async () => {
  const bad = invalidParameter('Invalid parameter: Subject');
  for (const Subject of ['', 'x'.repeat(101), 'two\nlines', 'tab\there', 'bell\u0007']) await expectSnsError(publish({ Message: 'm', Subject }), bad);
  await expectSnsError(batch([{ Id: '1', Message: 'm', Subject: 'x'.repeat(101) }]), bad);
  await nothingDelivered();
  await publish({ Message: 'm', Subject: 'x'.repeat(100) });
  assert.equal((await t.notifications(q.url))[0].Subject, 'x'.repeat(100), '100 printable ASCII characters are fine');
});

test('message size: over 256 KiB refused, attributes count, exactly 262,144 bytes accepted [AWS-rec]', async () => {
  const tooLong = invalidParameter('Invalid parameter: Message too long');
  await expectSnsError(publish({ Message: 'This is a test message'.repeat(12000) }), tooLong);
  await expectSnsError(publish({ Message: 'é'.repeat(131_073) }), tooLong, 'bytes, not characters');
  const attrs = { attr1: { DataType: 'Number', StringValue: '1' } };
  const attrsLen = 'attr1'.length + 'Number'.length + '1'.length;
  const atLimit = 'a'.repeat(262_144 - attrsLen);
  await expectSnsError(publish({ Message: atLimit + 'a', MessageAttributes: attrs }), tooLong);
  await nothingDelivered();
  await publish({ Message: atLimit, MessageAttributes: attrs });
  const [n] = await t.notifications(q.url);
  assert.equal(n.Message.length, atLimit.length);
});

test('message attribute validation: codes, statuses and texts, for Publish and PublishBatch alike [AWS-rec]', async () => {
  const cases = [
    [{ attr1: S('') }, "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."],
    [{ attr1: { DataType: 'String' } }, "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."],
    [{ attr1: { DataType: 'Binary', BinaryValue: new Uint8Array() } }, "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'Binary'."],
    [{ attr1: { DataType: 'String', BinaryValue: Buffer.from('123') } }, "The message attribute 'attr1' with type 'String' must use field 'String'."],
    [{ attr1: { DataType: 'Number', BinaryValue: Buffer.from('123') } }, "The message attribute 'attr1' with type 'Number' must use field 'String'."],
    [{ attr1: { DataType: 'Binary', StringValue: '123' } }, "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."],
    [{ attr1: { DataType: 'InvalidType', StringValue: '123' } }, "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."],
    [{ attr1: { DataType: 'String.', StringValue: 'prefixed-1' } }, "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."],
    [{ attr1: { DataType: 'Stringprefixed', StringValue: 'prefixed-1' } }, "The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."],
    [{ ['a'.repeat(257)]: S('123') }, 'Length of message attribute name must be less than 256 bytes.'],
    [{ 'a^*?': S('123') }, "Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots."],
    [{ '.abc': S('123') }, "Invalid message attribute name starting with character '.' was found."],
    [{ 'abc.': S('123') }, "Invalid message attribute name ending with character '.' was found."],
    [{ 'a..bc': S('123') }, "Message attribute name can not have successive '.' character."],
  ];
  for (const [MessageAttributes, message] of cases) {
    await expectSnsError(publish({ Message: 'test message', MessageAttributes }), invalidParameterValue(message));
    // One bad entry fails the whole batch.
    await expectSnsError(batch([{ Id: '1', Message: 'test-batch', MessageAttributes }, { Id: '3', Message: 'valid-batch' }]), invalidParameterValue(message));
  }
  await expectSnsError(publish({ Message: 'm', MessageAttributes: { attr1: { StringValue: 'value' } } }), {
    name: 'ValidationError',
    code: 'ValidationError',
    message: "1 validation error detected: Value null at 'messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null",
  });
  await expectSnsError(batch([{ Id: '1', Message: 'm', MessageAttributes: { attr1: { StringValue: 'value' } } }, { Id: '3', Message: 'valid-batch' }]), {
    name: 'ValidationError',
    code: 'ValidationError',
    message:
      "1 validation error detected: Value null at 'publishBatchRequestEntries.1.member.messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null",
  });
  await expectSnsError(publish({ Message: 'm', MessageAttributes: { n: { DataType: 'Number', StringValue: 'twelve' } } }), { name: 'InvalidParameterValueException', code: 'ParameterValueInvalid', includes: "'n'" });
  await nothingDelivered();

  // Custom type suffixes are fine [AWS-rec test_message_attributes_prefixes].
  await publish({ Message: 'm', MessageAttributes: { attr1: { DataType: 'String.prefixed', StringValue: 'prefixed-1' } } });
  await publish({ Message: 'm', MessageAttributes: { attr1: { DataType: 'String.  prefixed.', StringValue: 'prefixed-1' } } });
  assert.deepEqual((await t.notifications(q.url)).map((n) => n.MessageAttributes.attr1.Type), ['String.prefixed', 'String.  prefixed.']);
});

test('PublishBatch request rules: too many, empty, repeated and invalid ids [AWS-rec]', async () => {
  await expectSnsError(batch(Array.from({ length: 11 }, (_, i) => ({ Id: `Id_${i}`, Message: 'Too many messages' }))), {
    name: 'TooManyEntriesInBatchRequestException',
    code: 'TooManyEntriesInBatchRequest',
    message: 'The batch request contains more entries than permissible.',
  });
  await expectSnsError(batch([]), { name: 'EmptyBatchRequestException', code: 'EmptyBatchRequest' });
  await expectSnsError(batch([{ Id: '1', Message: 'a' }, { Id: '1', Message: 'b' }]), {
    name: 'BatchEntryIdsNotDistinctException',
    code: 'BatchEntryIdsNotDistinct',
    message: 'Two or more batch entries in the request have the same Id.',
  });
  const invalidId = (message) => ({ name: 'InvalidBatchEntryIdException', code: 'InvalidBatchEntryId', message });
  await expectSnsError(batch([{ Id: 'message.id', Message: 'test message' }]), invalidId('The Id of a batch entry in the batch request contains an impermissible character: message.id'));
  await expectSnsError(batch([{ Id: 'msg@123#test', Message: 'test message' }]), invalidId('The Id of a batch entry in the batch request contains an impermissible character: msg@123#test'));
  const long = 'a'.repeat(81);
  await expectSnsError(batch([{ Id: long, Message: 'test message' }]), invalidId(`The Id of a batch entry in the batch request is too long: ${long}`));
  await nothingDelivered();
  const ok = await batch([{ Id: 'a'.repeat(80), Message: 'eighty' }]);
  assert.equal(ok.Successful[0].Id, 'a'.repeat(80));
  assert.equal((await t.notifications(q.url))[0].Message, 'eighty');
});

test('PublishBatch total size counts every entry and its attributes [AWS-rec BatchRequestTooLong]', async () => {
  const tooLong = { name: 'BatchRequestTooLongException', code: 'BatchRequestTooLong', message: 'The length of all the messages put together is more than the limit.' };
  await expectSnsError(batch([{ Id: '1', Message: 'a'.repeat(131_072) }, { Id: '2', Message: 'b'.repeat(131_073) }]), tooLong);
  const attrs = { attr1: { DataType: 'Number', StringValue: '1' } };
  const body = 'a'.repeat(262_144 - ('attr1'.length + 'Number'.length + 1));
  await expectSnsError(batch([{ Id: '1', Message: body, MessageAttributes: attrs }, { Id: '2', Message: 'b' }]), tooLong);
  await nothingDelivered();
  const ok = await batch([{ Id: '1', Message: 'a'.repeat(131_072) }, { Id: '2', Message: 'b'.repeat(131_072) }]);
  assert.equal(ok.Successful.length, 2);
  assert.equal((await t.drain(q.url)).length, 2);
});

test('FIFO-only parameters on a standard topic, TargetArn, PhoneNumber', async () => {
  await expectSnsError(
    publish({ Message: 'm', MessageDeduplicationId: 'd' }),
    invalidParameter('Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type'),
  );
  await nothingDelivered();
  const viaTarget = await t.call('Publish', { TargetArn: topic, Message: 'via TargetArn' });
  const [n] = await t.notifications(q.url);
  assert.equal(n.MessageId, viaTarget.MessageId);
  assert.equal(n.Message, 'via TargetArn');
  // An SMS is accepted, logged and never sent (sns-sms.test.mjs); a bad number is refused.
  assert.match((await t.call('Publish', { PhoneNumber: '+15551234567', Message: 'sms' })).MessageId, /^[0-9a-f-]{36}$/);
  await expectSnsError(t.call('Publish', { PhoneNumber: '+1a234', Message: 'sms' }), { name: 'InvalidParameterException', code: 'InvalidParameter' });
  await expectSnsError(t.call('Publish', { Message: 'nowhere' }), { name: 'InvalidParameterException', code: 'InvalidParameter' });
});
