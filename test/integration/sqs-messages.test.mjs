// SQS SendMessage / ReceiveMessage content over JSON 1.0 with the real @aws-sdk/client-sqs: MD5
// digests (AWS-recorded vectors, reference §2), attribute filters, system attributes, size limits,
// invalid characters and message attribute validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupSqs, expectSqsError, invalidParameterValue, missingParameter } from '../helpers/sqs.mjs';

let t;
before(async () => (t = await setupSqs()));
after(() => t.close());

const S = (StringValue) => ({ DataType: 'String', StringValue });
const THREE = { 'Help.Me': S('Me'), Hello: S('There'), General: S('Kenobi') };
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

test('SendMessage returns the AWS MD5 of body and attributes; receive returns the same [AWS-rec vectors]', async () => {
  const url = await t.createQueue(t.name('md5'));
  const sent = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'msg', MessageAttributes: THREE });
  assert.equal(sent.MD5OfMessageBody, '6e2baaf3b97dbeef01c0043275f9a0e7');
  assert.equal(sent.MD5OfMessageAttributes, '4c360f3fdafd970e05fae2f149d997f5');
  assert.equal(sent.MD5OfMessageSystemAttributes, undefined, 'omitted when no system attributes were sent');
  assert.equal(sent.SequenceNumber, undefined, 'standard queues have no SequenceNumber');
  assert.match(sent.MessageId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const [m] = await t.receive(url, { MessageAttributeNames: ['All'] });
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.Body, 'msg');
  assert.equal(m.MD5OfBody, '6e2baaf3b97dbeef01c0043275f9a0e7');
  assert.equal(m.MD5OfMessageAttributes, '4c360f3fdafd970e05fae2f149d997f5');
  assert.deepEqual(m.MessageAttributes, THREE);
  assert.ok(m.ReceiptHandle.length > 0);

  for (const [body, md5] of [['test', '098f6bcd4621d373cade4e832627b4f6'], ['message-1', '3d6b824fd8c1520e9a047d21fee6fb1f']]) {
    assert.equal((await t.call('SendMessage', { QueueUrl: url, MessageBody: body })).MD5OfMessageBody, md5);
  }
});

test('MessageAttributeNames filters: none, All, *, .*, exact names, unknown names, Prefix.* — MD5 of the returned subset [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('filters'), { VisibilityTimeout: '0' });
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'msg', MessageAttributes: THREE });
  const recv = async (names) => (await t.receive(url, names === undefined ? {} : { MessageAttributeNames: names }))[0];
  for (const names of [undefined, [], ['NotThere'], ['AWS.'], ['..foo']]) {
    const m = await recv(names);
    assert.equal(m.Body, 'msg');
    assert.equal(m.MessageAttributes, undefined, `no attributes for ${JSON.stringify(names)}`);
    assert.equal(m.MD5OfMessageAttributes, undefined, `no attribute MD5 for ${JSON.stringify(names)}`);
  }
  for (const names of [['All'], ['*'], ['.*']]) {
    const m = await recv(names);
    assert.deepEqual(m.MessageAttributes, THREE, `all attributes for ${names}`);
    assert.equal(m.MD5OfMessageAttributes, '4c360f3fdafd970e05fae2f149d997f5');
  }
  const cases = [
    [['Hello', 'General'], ['General', 'Hello'], 'fca026605781cb4126a1e9044df24232'],
    [['Hello', 'NotThere'], ['Hello'], 'a311262e065454b75da111d535b8dacd'],
    [['Hel.*'], ['Hello', 'Help.Me'], '83fee93c1bcd8b9a5a923ffacdc636c7'],
    [['Help.*'], ['Help.Me'], undefined],
  ];
  for (const [names, keys, md5] of cases) {
    const m = await recv(names);
    assert.deepEqual(Object.keys(m.MessageAttributes).sort(), keys, `keys for ${names}`);
    if (md5) assert.equal(m.MD5OfMessageAttributes, md5, `MD5 for ${names}`);
  }
});

test('Number, Binary and custom-typed attributes: AWS MD5 vectors and round trip [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('types'));
  const num = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'n', MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } } });
  assert.equal(num.MD5OfMessageAttributes, '235c5c510d26fb653d073faed50ae77c');
  const bytes = Buffer.from('traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01', 'latin1');
  const bin = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'test', MessageAttributes: { attr1: { DataType: 'Binary', BinaryValue: bytes } } });
  assert.equal(bin.MD5OfMessageAttributes, '8cbe4db156db8a94db8b801b7addb984');
  const single = await t.call('SendMessage', { QueueUrl: url, MessageBody: 'f', MessageAttributes: { Foo: S('Bar') } });
  assert.equal(single.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');
  const book = await t.call('SendMessage', {
    QueueUrl: url,
    MessageBody: 'b',
    MessageAttributes: { Title: S('The Whistler'), Author: S('John Grisham'), WeeksOn: { DataType: 'Number', StringValue: '6' } },
  });
  assert.equal(book.MD5OfMessageAttributes, 'd25a6aea97eb8f585bfa92d314504a92');
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'c', MessageAttributes: { price: { DataType: 'Number.float', StringValue: '1.5' } } });

  const got = await t.receive(url, { MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] });
  const byBody = Object.fromEntries(got.map((m) => [m.Body, m]));
  assert.equal(got.length, 5);
  assert.deepEqual(Buffer.from(byBody.test.MessageAttributes.attr1.BinaryValue), bytes, 'binary bytes round-trip');
  assert.equal(byBody.test.MessageAttributes.attr1.DataType, 'Binary');
  assert.equal(byBody.test.MD5OfMessageAttributes, '8cbe4db156db8a94db8b801b7addb984');
  assert.deepEqual(byBody.n.MessageAttributes.timestamp, { DataType: 'Number', StringValue: '1493147359900' });
  assert.deepEqual(byBody.c.MessageAttributes.price, { DataType: 'Number.float', StringValue: '1.5' });
});

test('AWSTraceHeader: MD5OfMessageSystemAttributes, does not change MD5OfMessageAttributes, received as a system attribute', async () => {
  const url = await t.createQueue(t.name('trace'));
  const sent = await t.call('SendMessage', {
    QueueUrl: url,
    MessageBody: 'message-1',
    MessageAttributes: { MyAttribute: S('foobar') },
    MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE } },
  });
  assert.equal(sent.MD5OfMessageSystemAttributes, '5ae4d5d7636402d80f4eb6d213245a88');
  assert.equal(sent.MD5OfMessageAttributes, 'adb59cd4678ea5a855436b949cd07ab6', 'system attributes do not affect the attribute MD5');
  const [m] = await t.receive(url, { MessageSystemAttributeNames: ['AWSTraceHeader'] });
  assert.deepEqual(m.Attributes, { AWSTraceHeader: TRACE });
  assert.equal(m.MessageAttributes, undefined);

  await expectSqsError(
    t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageSystemAttributes: { SenderId: { DataType: 'String', StringValue: 'me' } } }),
    invalidParameterValue(),
  );
  await expectSqsError(
    t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageSystemAttributes: { AWSTraceHeader: { DataType: 'Number', StringValue: '1' } } }),
    invalidParameterValue(),
  );
});

test('system attributes: AttributeNames and MessageSystemAttributeNames are unioned; none asked means no Attributes [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('sysattrs'), { VisibilityTimeout: '0' });
  const sentAt = t.clock.now();
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'msg', MessageAttributes: { Foo: S('Bar') } });
  t.clock.advance(1500);

  let [m] = await t.receive(url);
  assert.equal(m.Attributes, undefined);
  [m] = await t.receive(url, { MessageSystemAttributeNames: ['All'] });
  assert.deepEqual(Object.keys(m.Attributes).sort(), ['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
  assert.equal(m.Attributes.SentTimestamp, String(sentAt), 'epoch milliseconds as a string');
  assert.equal(m.Attributes.ApproximateFirstReceiveTimestamp, String(sentAt + 1500));
  assert.equal(m.Attributes.ApproximateReceiveCount, '2');
  assert.match(m.Attributes.SenderId, /^[A-Z0-9]{12,}/);

  [m] = await t.receive(url, { AttributeNames: ['All'], MessageAttributeNames: ['All'] });
  assert.equal(m.Attributes.ApproximateReceiveCount, '3');
  assert.equal(m.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');
  [m] = await t.receive(url, { AttributeNames: ['SenderId'] });
  assert.deepEqual(Object.keys(m.Attributes), ['SenderId']);
  [m] = await t.receive(url, { AttributeNames: ['SenderId', 'SequenceNumber'] });
  assert.deepEqual(Object.keys(m.Attributes), ['SenderId'], 'SequenceNumber is absent on a standard queue');
  [m] = await t.receive(url, { MessageSystemAttributeNames: ['All'], AttributeNames: ['SenderId'] });
  assert.equal(Object.keys(m.Attributes).length, 4, 'All + SenderId = all');
  [m] = await t.receive(url, { MessageSystemAttributeNames: ['SentTimestamp'], AttributeNames: ['ApproximateReceiveCount'] });
  assert.deepEqual(Object.keys(m.Attributes).sort(), ['ApproximateReceiveCount', 'SentTimestamp']);
});

test('an X-Amzn-Trace-Id request header becomes the AWSTraceHeader system attribute [AWS-rec]', async () => {
  const url = await t.createQueue(t.name('xray'));
  const header = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1';
  const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
  const cmd = new SendMessageCommand({ QueueUrl: url, MessageBody: 'test' });
  cmd.middlewareStack.add((next) => (args) => {
    args.request.headers['x-amzn-trace-id'] = header;
    return next(args);
  }, { step: 'build' });
  await t.sqs.send(cmd);
  const [m] = await t.receive(url, { MessageSystemAttributeNames: ['AWSTraceHeader'] });
  assert.equal(m.Attributes.AWSTraceHeader, header);
});

test('message size: 1 MiB accepted at the default, the limit is inclusive and counts attributes [AWS-rec messages]', async () => {
  const url = await t.createQueue(t.name('size'));
  const big = 'a'.repeat(1_048_576);
  const sent = await t.call('SendMessage', { QueueUrl: url, MessageBody: big });
  const [m] = await t.receive(url);
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.Body.length, 1_048_576);
  await expectSqsError(
    t.call('SendMessage', { QueueUrl: url, MessageBody: big + 'a' }),
    invalidParameterValue({ message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.' }),
  );

  const small = await t.createQueue(t.name('size-1k'), { MaximumMessageSize: '1024' });
  await t.call('SendMessage', { QueueUrl: small, MessageBody: 'a'.repeat(1024) });
  await expectSqsError(
    t.call('SendMessage', { QueueUrl: small, MessageBody: 'a'.repeat(1025) }),
    invalidParameterValue({ message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.' }),
  );
  // name "k" + type "String" + value "x" = 8 bytes of attributes
  await t.call('SendMessage', { QueueUrl: small, MessageBody: 'a'.repeat(1016), MessageAttributes: { k: S('x') } });
  await expectSqsError(t.call('SendMessage', { QueueUrl: small, MessageBody: 'a'.repeat(1017), MessageAttributes: { k: S('x') } }), invalidParameterValue());
  // multi-byte characters count in UTF-8 bytes
  await expectSqsError(t.call('SendMessage', { QueueUrl: small, MessageBody: 'é'.repeat(513) }), invalidParameterValue());
  assert.equal((await t.attrs(small, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '2');
});

test('body characters outside the XML set are InvalidMessageContents (attribute values: InvalidParameterValue); allowed ones round-trip', async () => {
  const url = await t.createQueue(t.name('chars'));
  for (const bad of ['\u0000', 'a\u0001b', '\u0008', '\uFFFE', '\uFFFF', '\uD800']) {
    await expectSqsError(t.call('SendMessage', { QueueUrl: url, MessageBody: bad }), { name: 'InvalidMessageContents', code: 'InvalidMessageContents' });
  }
  await expectSqsError(
    t.call('SendMessage', { QueueUrl: url, MessageBody: 'ok', MessageAttributes: { a: S('bad\u0002') } }),
    // LocalStack test_invalid_string_attributes_cause_invalid_parameter_value_error (aws.validated).
    invalidParameterValue(),
  );
  const good = 'tab\there\nnewline\rcr ü € 😀 \uE000 \uFFFD';
  const sent = await t.call('SendMessage', { QueueUrl: url, MessageBody: good });
  const [m] = await t.receive(url);
  assert.equal(m.Body, good);
  assert.equal(m.MessageId, sent.MessageId);
});

test('empty or missing body is MissingParameter [AWS-rec message]', async () => {
  const url = await t.createQueue(t.name('empty'));
  await expectSqsError(
    t.call('SendMessage', { QueueUrl: url, MessageBody: '' }),
    missingParameter({ message: 'The request must contain the parameter MessageBody.' }),
  );
  await expectSqsError(t.call('SendMessage', { QueueUrl: url }), missingParameter({ message: 'The request must contain the parameter MessageBody.' }));
  await expectSqsError(t.call('SendMessage', { MessageBody: 'x' }), missingParameter({ message: 'The request must contain the parameter QueueUrl.' }));
});

test('message attribute validation: empty value [AWS-rec], bad names, more than 10, bad DataType, missing values', async () => {
  const url = await t.createQueue(t.name('attr-errors'));
  const send = (MessageAttributes) => t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageAttributes });
  await expectSqsError(
    send({ ErrorDetails: S('') }),
    invalidParameterValue({ message: "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'." }),
  );
  for (const name of ['AWS.foo', 'amazon.bar', '.lead', 'trail.', 'dou..ble', 'sp ace', 'a'.repeat(257)]) {
    await expectSqsError(send({ [name]: S('v') }), invalidParameterValue(), `name ${name}`);
  }
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, S('v')]));
  await expectSqsError(send(eleven), invalidParameterValue());
  const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, S('v')]));
  assert.ok((await send(ten)).MD5OfMessageAttributes);
  for (const DataType of ['Integer', 'string', 'Strings', '']) {
    await expectSqsError(send({ a: { DataType, StringValue: '1' } }), invalidParameterValue(), `DataType ${DataType}`);
  }
  await expectSqsError(send({ n: { DataType: 'Number', StringValue: 'twelve' } }), invalidParameterValue());
  await expectSqsError(send({ b: { DataType: 'Binary', StringValue: 'not bytes' } }), invalidParameterValue());
  await expectSqsError(send({ s: { DataType: 'String', StringListValues: ['a', 'b'] } }), invalidParameterValue());
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '1', 'only the valid send was stored');
});

test('standard queues refuse MessageDeduplicationId; DelaySeconds must be 0-900', async () => {
  const url = await t.createQueue(t.name('std-params'));
  await expectSqsError(t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd1' }), invalidParameterValue());
  await expectSqsError(t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 }), invalidParameterValue({ includes: 'DelaySeconds' }));
  await expectSqsError(t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: -1 }), invalidParameterValue({ includes: 'DelaySeconds' }));
  await t.call('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: 900 });
  assert.equal((await t.attrs(url, ['ApproximateNumberOfMessagesDelayed'])).ApproximateNumberOfMessagesDelayed, '1');
});
