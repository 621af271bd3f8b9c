// HTTP subscriptions against a local node:http endpoint, with the real SDK clients: the
// SubscriptionConfirmation POST (AWS headers, Token, SubscribeURL, signature), pending until confirmed,
// confirmation by GETting the SubscribeURL, Notification POSTs with AWS's headers, the delivery policy's
// content type, and retries on the fake clock (20 s, numRetries 3) ending in the subscription DLQ.
// [AWS-rec] = TestSNSSubscriptionHttp snapshots recorded against AWS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { setupSns, startHttpEndpoint, snsQueuePolicy, tick } from '../helpers/sns.mjs';
import { waitIdle } from '../helpers/emulator.mjs';

let t;
let ep;
before(async () => {
  t = await setupSns();
  ep = await startHttpEndpoint();
});
after(async () => {
  await ep.close();
  await t.close();
});

const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];

async function verifies(doc, fields) {
  // SigningCertURL is https (a self-signed certificate); the emulator's http port serves it at the same path.
  assert.match(doc.SigningCertURL, /^https:\/\/127\.0\.0\.1:\d+\/.*\.pem$/);
  const pem = await (await fetch(`${t.url}${new URL(doc.SigningCertURL).pathname}`)).text();
  const canonical = fields.filter((k) => doc[k] !== undefined).map((k) => `${k}\n${doc[k]}\n`).join('');
  return verify(doc.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1', Buffer.from(canonical), pem, Buffer.from(doc.Signature, 'base64'));
}

/** Subscribes the endpoint (path `/sns/<tag>`), confirms through the SubscribeURL unless `confirm: false`; returns the requests seen for it. */
async function httpSubscription(topic, { tag = t.name('ep'), attributes, confirm = true } = {}) {
  const endpoint = `${ep.url}/${tag}`;
  const before = ep.requests.length;
  const { SubscriptionArn } = await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: endpoint, Attributes: attributes, ReturnSubscriptionArn: true });
  await ep.waitFor(before + 1, 'the SubscriptionConfirmation');
  const requests = () => ep.requests.filter((r) => r.url === `/sns/${tag}`);
  const confirmation = JSON.parse(requests()[0].body);
  if (confirm) {
    const res = await fetch(confirmation.SubscribeURL);
    assert.equal(res.status, 200);
  }
  return { subArn: SubscriptionArn, endpoint, confirmation, requests };
}

async function waitForRequests(sub, n) {
  for (let i = 0; i < 400 && sub.requests().length < n; i++) await tick(5);
  assert.equal(sub.requests().length, n, `expected ${n} request(s) at ${sub.endpoint}`);
  return sub.requests()[n - 1];
}

test('SubscriptionConfirmation POST: AWS headers and body, signature; the subscription stays pending [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('confirm'));
  const sub = await httpSubscription(topic, { confirm: false });
  const [req] = sub.requests();
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['content-type'], 'text/plain; charset=UTF-8');
  assert.equal(req.headers['user-agent'], 'Amazon Simple Notification Service Agent');
  assert.equal(req.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
  assert.equal(req.headers['x-amz-sns-topic-arn'], topic);
  assert.equal(req.headers['x-amz-sns-subscription-arn'], undefined, 'confirmations do not name the subscription');
  const c = sub.confirmation;
  assert.equal(req.headers['x-amz-sns-message-id'], c.MessageId);
  assert.deepEqual(Object.keys(c).sort(), ['Message', 'MessageId', 'Signature', 'SignatureVersion', 'SigningCertURL', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']);
  assert.equal(c.Type, 'SubscriptionConfirmation');
  assert.equal(c.TopicArn, topic);
  assert.match(c.Token, /^[0-9a-f]{64,}$/);
  assert.equal(c.Message, `You have chosen to subscribe to the topic ${topic}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`);
  assert.equal(c.SubscribeURL, `${t.url}/?Action=ConfirmSubscription&TopicArn=${topic}&Token=${c.Token}`);
  assert.equal(c.Timestamp, new Date(t.clock.now()).toISOString());
  assert.equal(c.SignatureVersion, '1');
  assert.equal(await verifies(c, CONFIRMATION_FIELDS), true);

  assert.equal((await t.subAttrs(sub.subArn)).PendingConfirmation, 'true');
  const [listed] = (await t.call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions;
  assert.equal(listed.SubscriptionArn, 'PendingConfirmation');
  // A pending subscription receives nothing.
  await t.call('Publish', { TopicArn: topic, Message: 'while pending' });
  await waitIdle(t.url);
  assert.equal(sub.requests().length, 1);
  // Confirming with the Token through the API works too.
  assert.equal((await t.call('ConfirmSubscription', { TopicArn: topic, Token: c.Token })).SubscriptionArn, sub.subArn);
  await t.call('Publish', { TopicArn: topic, Message: 'after confirm' });
  assert.equal(JSON.parse((await waitForRequests(sub, 2)).body).Message, 'after confirm', 'the message published while pending is not replayed');
});

test('GET on the SubscribeURL confirms; Notification POSTs carry AWS headers and a verifiable envelope [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('notify'));
  const sub = await httpSubscription(topic);
  const a = await t.subAttrs(sub.subArn);
  assert.equal(a.PendingConfirmation, 'false');
  assert.equal((await t.call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions[0].SubscriptionArn, sub.subArn);
  assert.equal((await t.topicAttrs(topic)).SubscriptionsConfirmed, '1');

  const { MessageId } = await t.call('Publish', { TopicArn: topic, Message: 'test_external_http_endpoint', Subject: 'Hi', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } });
  const req = await waitForRequests(sub, 2);
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['content-type'], 'text/plain; charset=UTF-8');
  assert.equal(req.headers['user-agent'], 'Amazon Simple Notification Service Agent');
  assert.equal(req.headers['x-amz-sns-message-type'], 'Notification');
  assert.equal(req.headers['x-amz-sns-message-id'], MessageId);
  assert.equal(req.headers['x-amz-sns-topic-arn'], topic);
  assert.equal(req.headers['x-amz-sns-subscription-arn'], sub.subArn);
  assert.equal(req.headers['x-amz-sns-rawdelivery'], undefined);
  const n = JSON.parse(req.body);
  assert.deepEqual(Object.keys(n), ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes']);
  assert.equal(n.MessageId, MessageId);
  assert.equal(n.Message, 'test_external_http_endpoint');
  assert.equal(n.UnsubscribeURL, `${t.url}/?Action=Unsubscribe&SubscriptionArn=${sub.subArn}`);
  assert.deepEqual(n.MessageAttributes, { k: { Type: 'String', Value: 'v' } });
  assert.equal(await verifies(n, NOTIFICATION_FIELDS), true);
  assert.equal((await t.topicStats(topic.split(':').pop())).delivered, 1);
});

test('raw delivery over HTTP: the body as published and x-amz-sns-rawdelivery: true [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('raw'));
  const sub = await httpSubscription(topic, { attributes: { RawMessageDelivery: 'true' } });
  await t.call('Publish', { TopicArn: topic, Message: '{"raw":1}' });
  const req = await waitForRequests(sub, 2);
  assert.equal(req.body, '{"raw":1}');
  assert.equal(req.headers['x-amz-sns-rawdelivery'], 'true');
  assert.equal(req.headers['x-amz-sns-message-type'], 'Notification');
  assert.equal(req.headers['x-amz-sns-subscription-arn'], sub.subArn);
});

test('Content-Type of notifications follows the delivery policy: topic defaultRequestPolicy, subscription requestPolicy [AWS-rec]', async () => {
  const topic = await t.createTopic(t.name('ctype'), {
    DeliveryPolicy: JSON.stringify({ http: { defaultRequestPolicy: { headerContentType: 'application/json' } } }),
  });
  const viaTopic = await httpSubscription(topic);
  const viaSub = await httpSubscription(topic, { attributes: { RawMessageDelivery: 'true', DeliveryPolicy: JSON.stringify({ requestPolicy: { headerContentType: 'text/csv' } }) } });
  assert.equal(viaTopic.requests()[0].headers['content-type'], 'text/plain; charset=UTF-8', 'confirmations stay text/plain');
  await t.call('Publish', { TopicArn: topic, Message: 'a,b' });
  assert.equal((await waitForRequests(viaTopic, 2)).headers['content-type'], 'application/json');
  assert.equal((await waitForRequests(viaSub, 2)).headers['content-type'], 'text/csv');
});

test('retries: a 500 is retried after 20 s (fake clock); after numRetries=3 the message goes to the subscription DLQ', async () => {
  const name = t.name('retry');
  const topic = await t.createTopic(name);
  const dlq = await t.createQueue(t.name('dlq'));
  await t.setQueuePolicy(dlq.url, snsQueuePolicy(dlq.arn, topic));
  const sub = await httpSubscription(topic, { attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) } });
  const failing = ep.respond;
  ep.respond = (r) => (r.url.endsWith(sub.endpoint.split('/').pop()) ? 500 : 200);
  try {
    const { MessageId } = await t.call('Publish', { TopicArn: topic, Message: 'flaky' });
    await waitForRequests(sub, 2); // first attempt
    for (let retry = 1; retry <= 3; retry++) {
      await t.httpIdle();
      assert.deepEqual(t.pendingHttp().map((p) => p.attempts), [retry], `attempt ${retry} recorded`);
      assert.equal((await t.health()).counts.pendingHttpDeliveries, 1, 'GET /_svl/health shows the pending delivery');
      t.clock.advance(19_999);
      await waitIdle(t.url);
      assert.equal(sub.requests().length, 1 + retry, `no retry before 20 s (retry ${retry})`);
      t.clock.advance(1);
      const again = await waitForRequests(sub, 2 + retry);
      assert.equal(JSON.parse(again.body).MessageId, MessageId, 'the same notification is retried');
      assert.equal(again.headers['x-amz-sns-message-id'], MessageId);
    }
    await t.httpIdle();
    assert.deepEqual(t.pendingHttp(), [], 'given up after 1 attempt + 3 retries');
    t.clock.advance(60_000);
    await waitIdle(t.url);
    assert.equal(sub.requests().length, 5, 'no fifth attempt');
    const [dead] = await t.notifications(dlq.url);
    assert.equal(dead.MessageId, MessageId);
    assert.equal(dead.Message, 'flaky');
    const stats = await t.topicStats(name);
    assert.equal(stats.failed, 1);
    assert.equal(stats.delivered, 0);
  } finally {
    ep.respond = failing;
  }
});

/** The HTTP delivery hops of a published message in the journal (GET /_svl/trace). */
async function httpHops(messageId) {
  const res = await fetch(`${t.url}/_svl/trace?id=${encodeURIComponent(messageId)}`);
  assert.equal(res.status, 200);
  return (await res.json()).events.filter((e) => e.type.startsWith('sns.deliver'));
}

test('a retry that succeeds is delivered once; subscription DeliveryPolicy sets the delay and count; raw DLQ keeps attributes', async () => {
  const topic = await t.createTopic(t.name('recover'));
  let fail = true;
  const sub = await httpSubscription(topic);
  const saved = ep.respond;
  ep.respond = (r) => (r.url === new URL(sub.endpoint).pathname && fail ? 503 : 200);
  try {
    const { MessageId: recovered } = await t.call('Publish', { TopicArn: topic, Message: 'eventually' });
    await waitForRequests(sub, 2);
    await t.httpIdle();
    fail = false;
    t.clock.advance(20_000);
    assert.equal(JSON.parse((await waitForRequests(sub, 3)).body).Message, 'eventually');
    await t.httpIdle();
    assert.deepEqual(t.pendingHttp(), []);
    t.clock.advance(120_000);
    await waitIdle(t.url);
    assert.equal(sub.requests().length, 3, 'no more attempts after a success');
    // The journal has each attempt's outcome, each caused by the hop before it.
    const hops = await httpHops(recovered);
    assert.deepEqual(hops.map((e) => [e.type, e.data.attempt, e.data.error]), [
      ['sns.delivery-queued', undefined, undefined],
      ['sns.delivery-failed', 1, 'HTTP 503'],
      ['sns.delivered', 2, undefined],
    ]);
    assert.equal(hops[1].data.retryInMs, 20_000);
    assert.equal(hops[1].cause, hops[0].seq);
    assert.equal(hops[2].cause, hops[1].seq);
    assert.equal(hops[2].resource, sub.subArn);

    // numRetries 1, 5 s delay; raw delivery: the DLQ gets the body and the attributes.
    const dlq = await t.createQueue(t.name('dlq'));
    await t.setQueuePolicy(dlq.url, snsQueuePolicy(dlq.arn, topic));
    fail = true;
    await t.call('SetSubscriptionAttributes', { SubscriptionArn: sub.subArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' });
    await t.call('SetSubscriptionAttributes', { SubscriptionArn: sub.subArn, AttributeName: 'RedrivePolicy', AttributeValue: JSON.stringify({ deadLetterTargetArn: dlq.arn }) });
    await t.call('SetSubscriptionAttributes', {
      SubscriptionArn: sub.subArn,
      AttributeName: 'DeliveryPolicy',
      AttributeValue: JSON.stringify({ healthyRetryPolicy: { numRetries: 1, minDelayTarget: 5, maxDelayTarget: 5 } }),
    });
    const { MessageId: doomed } = await t.call('Publish', { TopicArn: topic, Message: 'raw and doomed', MessageAttributes: { a: { DataType: 'String', StringValue: 'x' } } });
    await waitForRequests(sub, 4);
    await t.httpIdle();
    t.clock.advance(4_999);
    await waitIdle(t.url);
    assert.equal(sub.requests().length, 4);
    t.clock.advance(1);
    await waitForRequests(sub, 5);
    await t.httpIdle();
    assert.deepEqual(t.pendingHttp(), []);
    const [m] = await t.drain(dlq.url, { MessageAttributeNames: ['All'] });
    assert.equal(m.Body, 'raw and doomed');
    assert.deepEqual(m.MessageAttributes, { a: { DataType: 'String', StringValue: 'x' } });
    const failed = (await httpHops(doomed)).filter((e) => e.type === 'sns.delivery-failed');
    assert.deepEqual(failed.map((e) => [e.data.attempt, e.data.error, e.data.final]), [[1, 'HTTP 503', undefined], [2, 'HTTP 503', true]]);
  } finally {
    ep.respond = saved;
  }
});

test('an unreachable endpoint is retried; Unsubscribe drops pending retries', async () => {
  const topic = await t.createTopic(t.name('unreachable'));
  const sub = await httpSubscription(topic);
  // A second, confirmed subscription whose endpoint refuses connections.
  const dead = await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: 'http://127.0.0.1:9/dead', ReturnSubscriptionArn: true });
  const token = t.emu.sns.registry.subs.get(dead.SubscriptionArn).token;
  await t.call('ConfirmSubscription', { TopicArn: topic, Token: token });
  await t.httpIdle();
  await t.call('Publish', { TopicArn: topic, Message: 'm' });
  await waitForRequests(sub, 2);
  await t.httpIdle();
  const pending = t.pendingHttp().filter((p) => p.subscription_arn === dead.SubscriptionArn && p.kind === 'notification');
  assert.equal(pending.length, 1);
  assert.equal(pending[0].attempts, 1, 'the refused connection counts as a failed attempt');
  assert.equal(pending[0].next_ms, t.clock.now() + 20_000);
  assert.deepEqual(t.pendingHttp().filter((p) => p.subscription_arn === dead.SubscriptionArn).map((p) => p.kind), ['notification'], 'confirming dropped the confirmation retries');
  await t.call('Unsubscribe', { SubscriptionArn: dead.SubscriptionArn });
  assert.deepEqual(t.pendingHttp().filter((p) => p.subscription_arn === dead.SubscriptionArn), [], 'dropped by Unsubscribe');
  t.clock.advance(20_000);
  await t.httpIdle();
  // The healthy subscription got exactly one notification.
  assert.equal(sub.requests().length, 2);
});
