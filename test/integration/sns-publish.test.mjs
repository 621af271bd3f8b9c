// SNS Publish / PublishBatch delivery to SQS with the real SDK clients: the notification envelope field
// by field (reference §4.3, AWS-recorded key order), its signature verified with the key served at
// SigningCertURL, the UnsubscribeURL, raw delivery (body as published, attributes as SQS message
// attributes with the right MD5), MessageStructure=json, fan-out and X-Ray propagation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { setupSns, expectSnsError, invalidParameter } from '../helpers/sns.mjs';

let t;
before(async () => (t = await setupSns()));
after(() => t.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const S = (StringValue) => ({ DataType: 'String', StringValue });

/** SQS MD5OfMessageAttributes (reference §2.3), computed independently of the emulator. */
function md5OfAttributes(attrs) {
  const parts = [];
  const lp = (buf) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    parts.push(len, buf);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    lp(Buffer.from(name, 'utf8'));
    lp(Buffer.from(a.DataType, 'utf8'));
    if (a.StringValue !== undefined) {
      parts.push(Buffer.from([1]));
      lp(Buffer.from(a.StringValue, 'utf8'));
    } else {
      parts.push(Buffer.from([2]));
      lp(Buffer.from(a.BinaryValue));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}

/** Canonical string of a Notification (AWS "Verifying the signatures of Amazon SNS messages"). */
function canonicalNotification(n) {
  let s = '';
  for (const k of ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']) if (n[k] !== undefined) s += `${k}\n${n[k]}\n`;
  return s;
}

async function verifySignature(n) {
  // SigningCertURL is https (self-signed certificate, see sns-signature-interop); the emulator's http port serves it at the same path.
  const res = await fetch(`${t.url}${new URL(n.SigningCertURL).pathname}`);
  assert.equal(res.status, 200, 'SigningCertURL is served');
  const pem = await res.text();
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  const algorithm = n.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1';
  return verify(algorithm, Buffer.from(canonicalNotification(n), 'utf8'), pem, Buffer.from(n.Signature, 'base64'));
}

test('the notification envelope, field by field, in AWS key order; the SQS message itself has no attributes', async () => {
  const name = t.name('env');
  const topic = await t.createTopic(name);
  const q = await t.subscribeQueue(topic);
  t.clock.advance(1234); // a Timestamp with milliseconds
  const publishedAt = new Date(t.clock.now()).toISOString();
  const attrs = {
    attr1: { DataType: 'Number', StringValue: '99.12' },
    bin: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 250]) },
    list: { DataType: 'String.Array', StringValue: '["a","b"]' },
    str: S('v'),
  };
  const out = await t.call('Publish', { TopicArn: topic, Message: 'hello "world"\n', Subject: 'Greetings', MessageAttributes: attrs });
  assert.match(out.MessageId, UUID);
  assert.equal(out.SequenceNumber, undefined, 'no SequenceNumber on a standard topic');
  const [m] = await t.drain(q.url, { MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] });
  assert.equal(m.MessageAttributes, undefined, 'without raw delivery the SQS message carries no message attributes');
  assert.equal(m.MD5OfMessageAttributes, undefined);
  assert.equal(m.MD5OfBody, createHash('md5').update(m.Body).digest('hex'));
  const n = JSON.parse(m.Body);
  assert.deepEqual(Object.keys(n), [
    'Type',
    'MessageId',
    'TopicArn',
    'Subject',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertURL',
    'UnsubscribeURL',
    'MessageAttributes',
  ]);
  assert.equal(n.Type, 'Notification');
  assert.equal(n.MessageId, out.MessageId);
  assert.equal(n.TopicArn, topic);
  assert.equal(n.Subject, 'Greetings');
  assert.equal(n.Message, 'hello "world"\n');
  assert.equal(n.Timestamp, publishedAt);
  assert.match(n.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(n.Timestamp.endsWith('01.234Z'), 'milliseconds come from the emulator clock');
  assert.equal(n.SignatureVersion, '1');
  assert.match(n.Signature, /^[A-Za-z0-9+/]+={0,2}$/);
  assert.match(n.SigningCertURL, /^https:\/\/127\.0\.0\.1:\d+\/.*SimpleNotificationService-.*\.pem$/);
  assert.equal(n.UnsubscribeURL, `${t.url}/?Action=Unsubscribe&SubscriptionArn=${q.subArn}`);
  assert.deepEqual(n.MessageAttributes, {
    attr1: { Type: 'Number', Value: '99.12' },
    bin: { Type: 'Binary', Value: Buffer.from([0, 1, 2, 250]).toString('base64') },
    list: { Type: 'String.Array', Value: '["a","b"]' },
    str: { Type: 'String', Value: 'v' },
  });
  assert.equal(await verifySignature(n), true, 'the signature verifies with the served key');
  assert.equal(await verifySignature({ ...n, Message: 'tampered' }), false, 'a changed message does not verify');

  // Without Subject and attributes, those keys are absent.
  await t.call('Publish', { TopicArn: topic, Message: 'plain' });
  const [plain] = await t.notifications(q.url);
  assert.deepEqual(Object.keys(plain), ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL']);
  assert.equal(await verifySignature(plain), true);
});

test('SignatureVersion 2 topics sign with SHA256withRSA', async () => {
  const topic = await t.createTopic(t.name('sig2'), { SignatureVersion: '2' });
  const q = await t.subscribeQueue(topic);
  await t.call('Publish', { TopicArn: topic, Message: 'v2', Subject: 's' });
  const [n] = await t.notifications(q.url);
  assert.equal(n.SignatureVersion, '2');
  assert.equal(await verifySignature(n), true);
  const pem = await (await fetch(`${t.url}${new URL(n.SigningCertURL).pathname}`)).text();
  assert.equal(verify('RSA-SHA1', Buffer.from(canonicalNotification(n)), pem, Buffer.from(n.Signature, 'base64')), false, 'not a SHA1 signature');
});

test('GET on the UnsubscribeURL unsubscribes (Query over GET, XML UnsubscribeResponse)', async () => {
  const topic = await t.createTopic(t.name('unsub-url'));
  const q = await t.subscribeQueue(topic);
  await t.call('Publish', { TopicArn: topic, Message: 'first' });
  const [n] = await t.notifications(q.url);
  const res = await fetch(n.UnsubscribeURL);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<UnsubscribeResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/">/);
  assert.deepEqual((await t.call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions, []);
  await t.call('Publish', { TopicArn: topic, Message: 'second' });
  assert.deepEqual(await t.drain(q.url), []);
});

test('raw delivery: body as published, publish attributes become SQS message attributes with the right MD5 [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('raw'));
  const q = await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } });
  const attrs = {
    Foo: S('Bar'),
    num: { DataType: 'Number', StringValue: '1493147359900' },
    bin: { DataType: 'Binary', BinaryValue: Buffer.from('traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01') },
    'custom.type': { DataType: 'String.custom', StringValue: 'x' },
  };
  const body = '{"raw": true, "text": "ünïcode"}';
  await t.call('Publish', { TopicArn: topic, Message: body, Subject: 'ignored for raw', MessageAttributes: attrs });
  const [m] = await t.drain(q.url, { MessageAttributeNames: ['All'] });
  assert.equal(m.Body, body, 'the body is exactly the published message');
  assert.equal(m.MessageAttributes.Foo.StringValue, 'Bar');
  assert.equal(m.MessageAttributes.Foo.DataType, 'String');
  assert.equal(m.MessageAttributes.num.DataType, 'Number');
  assert.equal(m.MessageAttributes.num.StringValue, '1493147359900');
  assert.equal(m.MessageAttributes['custom.type'].DataType, 'String.custom');
  assert.deepEqual(Buffer.from(m.MessageAttributes.bin.BinaryValue), Buffer.from(attrs.bin.BinaryValue));
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attrs));

  // AWS-recorded single-attribute vector.
  await t.call('Publish', { TopicArn: topic, Message: 'm', MessageAttributes: { Foo: S('Bar') } });
  const [m2] = await t.drain(q.url, { MessageAttributeNames: ['All'] });
  assert.equal(m2.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');

  // Turning raw delivery off switches back to the envelope.
  await t.call('SetSubscriptionAttributes', { SubscriptionArn: q.subArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'false' });
  await t.call('Publish', { TopicArn: topic, Message: 'enveloped' });
  const [n] = await t.notifications(q.url);
  assert.equal(n.Type, 'Notification');
  assert.equal(n.Message, 'enveloped');
});

test('MessageStructure=json: each protocol gets its own message, else "default"; AWS error texts [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('structure'));
  const enveloped = await t.subscribeQueue(topic);
  const raw = await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } });
  const msg = JSON.stringify({ default: 'for everyone', sqs: 'for queues', http: 'for http', lambda: 'for functions' });
  await t.call('Publish', { TopicArn: topic, Message: msg, MessageStructure: 'json' });
  assert.equal((await t.notifications(enveloped.url))[0].Message, 'for queues');
  assert.equal((await t.drain(raw.url))[0].Body, 'for queues');

  await t.call('Publish', { TopicArn: topic, Message: JSON.stringify({ default: 'only default', email: 'x' }), MessageStructure: 'json' });
  assert.equal((await t.notifications(enveloped.url))[0].Message, 'only default');
  assert.equal((await t.drain(raw.url))[0].Body, 'only default');

  const noDefault = invalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
  await expectSnsError(t.call('Publish', { TopicArn: topic, Message: JSON.stringify({ sqs: 'Test message' }), MessageStructure: 'json' }), noDefault);
  await expectSnsError(t.call('Publish', { TopicArn: topic, Message: JSON.stringify({ default: { object: 'test' } }), MessageStructure: 'json' }), noDefault);
  await expectSnsError(
    t.call('Publish', { TopicArn: topic, Message: '{"default": "x"', MessageStructure: 'json' }),
    invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse'),
  );
  await expectSnsError(
    t.call('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: [{ Id: '1', Message: JSON.stringify({ sqs: 'test sqs' }), MessageStructure: 'json' }] }),
    noDefault,
  );
  assert.deepEqual(await t.drain(enveloped.url), [], 'nothing was delivered by the refused publishes');
});

test('fan-out: one publish reaches every subscribed queue once, with the same MessageId', async () => {
  const name = t.name('fan');
  const topic = await t.createTopic(name);
  const queues = [await t.subscribeQueue(topic), await t.subscribeQueue(topic), await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } })];
  const { MessageId } = await t.call('Publish', { TopicArn: topic, Message: 'to all' });
  for (const q of queues.slice(0, 2)) {
    const ns = await t.notifications(q.url);
    assert.equal(ns.length, 1);
    assert.equal(ns[0].MessageId, MessageId);
    assert.equal(ns[0].UnsubscribeURL.endsWith(q.subArn), true, 'each envelope names its own subscription');
  }
  assert.deepEqual((await t.drain(queues[2].url)).map((m) => m.Body), ['to all']);
  const stats = await t.topicStats(name);
  assert.deepEqual({ published: stats.published, delivered: stats.delivered, failed: stats.failed }, { published: 1, delivered: 3, failed: 0 });
});

test('PublishBatch delivers every entry in order with its own MessageId, Subject and attributes', async () => {
  const topic = await t.createTopic(t.name('batch'));
  const q = await t.subscribeQueue(topic);
  const raw = await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } });
  const entries = Array.from({ length: 10 }, (_, i) => ({
    Id: `e-${i}_x`,
    Message: `message ${i}`,
    ...(i % 2 ? { Subject: `subject ${i}` } : {}),
    MessageAttributes: { index: { DataType: 'Number', StringValue: String(i) } },
  }));
  const out = await t.call('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: entries });
  assert.deepEqual(out.Successful.map((s) => s.Id), entries.map((e) => e.Id));
  assert.ok(out.Successful.every((s) => UUID.test(s.MessageId) && s.SequenceNumber === undefined));
  assert.equal(new Set(out.Successful.map((s) => s.MessageId)).size, 10);
  assert.deepEqual(out.Failed ?? [], []);
  const ns = await t.notifications(q.url);
  assert.equal(ns.length, 10);
  const byId = new Map(ns.map((n) => [n.MessageId, n]));
  for (const [i, s] of out.Successful.entries()) {
    const n = byId.get(s.MessageId);
    assert.equal(n.Message, `message ${i}`);
    assert.equal(n.Subject, i % 2 ? `subject ${i}` : undefined);
    assert.deepEqual(n.MessageAttributes, { index: { Type: 'Number', Value: String(i) } });
    assert.equal(await verifySignature(n), true);
  }
  const rawMessages = await t.drain(raw.url, { MessageAttributeNames: ['All'] });
  assert.deepEqual(rawMessages.map((m) => m.Body).sort(), entries.map((e) => e.Message).sort());
  for (const m of rawMessages) assert.equal(m.MD5OfMessageAttributes, md5OfAttributes({ index: { DataType: 'Number', StringValue: m.MessageAttributes.index.StringValue } }));
});

test('X-Amzn-Trace-Id on Publish becomes the AWSTraceHeader of the SQS message [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('xray'));
  const q = await t.subscribeQueue(topic);
  const trace = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1';
  const { PublishCommand } = await import('@aws-sdk/client-sns');
  const cmd = new PublishCommand({ TargetArn: topic, Message: 'X-Ray propagation test msg' });
  cmd.middlewareStack.add(
    (next) => (args) => {
      args.request.headers['X-Amzn-Trace-Id'] = trace;
      return next(args);
    },
    { step: 'build' },
  );
  await t.sns.send(cmd);
  const [m] = await t.drain(q.url, { MessageSystemAttributeNames: ['AWSTraceHeader'] });
  assert.equal(m.Attributes.AWSTraceHeader, trace);
  assert.equal(JSON.parse(m.Body).Message, 'X-Ray propagation test msg');
});

test('form-encoding-sensitive characters, Unicode and line breaks survive the Query codec, the envelope and raw delivery', async () => {
  const topic = await t.createTopic(t.name('codec'));
  const q = await t.subscribeQueue(topic);
  const raw = await t.subscribeQueue(topic, { attributes: { RawMessageDelivery: 'true' } });
  const msg = 'a&b=c+d%20e 😀 \r\n\t"quote" <xml>&amp; é\u2028';
  const attrs = { 'k.x': S('&=+% 😀<>') };
  await t.call('Publish', { TopicArn: topic, Message: msg, Subject: 'A&B=C+D%', MessageAttributes: attrs });
  const [n] = await t.notifications(q.url);
  assert.equal(n.Message, msg);
  assert.equal(n.Subject, 'A&B=C+D%');
  assert.deepEqual(n.MessageAttributes, { 'k.x': { Type: 'String', Value: '&=+% 😀<>' } });
  assert.equal(await verifySignature(n), true);
  const [m] = await t.drain(raw.url, { MessageAttributeNames: ['All'] });
  assert.equal(m.Body, msg);
  assert.deepEqual(m.MessageAttributes, attrs);
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attrs));
});
