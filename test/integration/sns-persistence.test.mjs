// SNS state survives a restart on the same state directory: topics (attributes, tags), subscriptions
// (filter policy, raw delivery, pending http confirmations), the FIFO dedup window and a pending HTTP
// delivery, which is retried after the restart on the new emulator's clock.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupSns, startHttpEndpoint, tick } from '../helpers/sns.mjs';
import { waitIdle } from '../helpers/emulator.mjs';

const stateDir = mkdtempSync(join(tmpdir(), 'svl-sns-persist-'));
const ep = await startHttpEndpoint();
after(async () => {
  await ep.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const S = (StringValue) => ({ DataType: 'String', StringValue });

test('topics, subscriptions, FIFO dedup and a pending HTTP delivery survive a restart', async () => {
  // --- first run ---
  let t = await setupSns({ stateDir });
  const topic = await t.createTopic('persist', { DisplayName: 'Kept' }, { Tags: [{ Key: 'team', Value: 'core' }] });
  const filteredQ = await t.subscribeQueue(topic, { attributes: { FilterPolicy: JSON.stringify({ color: ['red'] }), RawMessageDelivery: 'true' } });
  const fifo = await t.createTopic('persist.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
  const fifoQ = await t.subscribeQueue(fifo);
  await t.call('Publish', { TopicArn: fifo, Message: 'once', MessageGroupId: 'g' });
  assert.equal((await t.drain(fifoQ.url)).length, 1);

  // An http subscription, confirmed, whose endpoint fails the first notification (a retry is pending).
  ep.respond = (r) => (r.headers['x-amz-sns-message-type'] === 'Notification' ? 500 : 200);
  const httpSub = await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: `${ep.url}/persist`, ReturnSubscriptionArn: true });
  const confirmation = JSON.parse((await ep.waitFor(1, 'the confirmation')).body);
  await t.call('ConfirmSubscription', { TopicArn: topic, Token: confirmation.Token });
  // And one still pending confirmation.
  await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: `${ep.url}/pending` });
  await ep.waitFor(2, 'the second confirmation');

  const { MessageId } = await t.call('Publish', { TopicArn: topic, Message: 'survives', MessageAttributes: { color: S('red') } });
  await ep.waitFor(3, 'the first (failing) notification');
  await t.httpIdle();
  assert.deepEqual(t.pendingHttp().map((p) => [p.kind, p.attempts]), [['notification', 1]]);
  assert.deepEqual((await t.drain(filteredQ.url)).map((m) => m.Body), ['survives']);
  const subsBefore = (await t.call('ListSubscriptions', {})).Subscriptions;
  await t.close();

  // --- second run, same directory, a fresh fake clock starting at the same instant ---
  ep.respond = () => 200;
  t = await setupSns({ stateDir, counterStart: 100 });
  try {
    const a = await t.topicAttrs(topic);
    assert.equal(a.DisplayName, 'Kept');
    assert.equal(a.SubscriptionsConfirmed, '2');
    assert.equal(a.SubscriptionsPending, '1');
    assert.deepEqual((await t.call('ListTagsForResource', { ResourceArn: topic })).Tags, [{ Key: 'team', Value: 'core' }]);
    assert.deepEqual((await t.call('ListTopics', {})).Topics.map((x) => x.TopicArn).sort(), [topic, fifo].sort());
    const subsAfter = (await t.call('ListSubscriptions', {})).Subscriptions;
    assert.deepEqual(subsAfter.map((s) => s.SubscriptionArn).sort(), subsBefore.map((s) => s.SubscriptionArn).sort());
    const fa = await t.subAttrs(filteredQ.subArn);
    assert.deepEqual(JSON.parse(fa.FilterPolicy), { color: ['red'] });
    assert.equal(fa.RawMessageDelivery, 'true');

    // The filter policy still filters.
    await t.call('Publish', { TopicArn: topic, Message: 'blue', MessageAttributes: { color: S('blue') } });
    await t.call('Publish', { TopicArn: topic, Message: 'red', MessageAttributes: { color: S('red') } });
    assert.deepEqual((await t.drain(filteredQ.url)).map((m) => m.Body), ['red']);

    // The FIFO dedup window survived: still a duplicate, until 5 minutes have passed.
    await t.call('Publish', { TopicArn: fifo, Message: 'once', MessageGroupId: 'g' });
    assert.deepEqual(await t.drain(fifoQ.url), []);
    t.clock.advance(5 * 60_000);
    await t.call('Publish', { TopicArn: fifo, Message: 'once', MessageGroupId: 'g' });
    assert.equal((await t.drain(fifoQ.url)).length, 1);

    // The pending HTTP delivery of 'survives' was due 20 s after the first run's publish: it has been
    // retried by now (the clock moved 5 minutes), and succeeded.
    const isSurvivor = (r) => r.url === '/sns/persist' && JSON.parse(r.body).MessageId === MessageId;
    for (let i = 0; i < 400 && ep.requests.filter(isSurvivor).length < 2; i++) await tick(5);
    assert.equal(ep.requests.filter(isSurvivor).length, 2, 'the failed notification was retried after the restart');
    await t.httpIdle();
    assert.deepEqual(t.pendingHttp().filter((p) => p.kind === 'notification'), []);
  } finally {
    await t.close();
  }
});

test('a pending HTTP delivery is retried on the restarted emulator exactly when it falls due', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-sns-persist2-'));
  try {
    let t = await setupSns({ stateDir: dir });
    const topic = await t.createTopic('due');
    ep.respond = (r) => (r.headers['x-amz-sns-message-type'] === 'Notification' ? 500 : 200);
    const before = ep.requests.length;
    const { SubscriptionArn } = await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: `${ep.url}/due`, ReturnSubscriptionArn: true });
    const c = JSON.parse((await ep.waitFor(before + 1)).body);
    await (await fetch(c.SubscribeURL)).text();
    await t.call('Publish', { TopicArn: topic, Message: 'later' });
    await ep.waitFor(before + 2);
    await t.httpIdle();
    await t.close();

    ep.respond = () => 200;
    t = await setupSns({ stateDir: dir });
    try {
      assert.deepEqual(t.pendingHttp().map((p) => [p.kind, p.attempts, p.subscription_arn]), [['notification', 1, SubscriptionArn]]);
      t.clock.advance(19_999); // the new clock starts where the first one did: due at +20 s
      await waitIdle(t.url);
      assert.equal(ep.requests.length, before + 2, 'not before it is due');
      t.clock.advance(1);
      const retried = await ep.waitFor(before + 3, 'the retry after the restart');
      assert.equal(JSON.parse(retried.body).Message, 'later');
      assert.equal(retried.headers['x-amz-sns-subscription-arn'], SubscriptionArn);
      await t.httpIdle();
      assert.deepEqual(t.pendingHttp(), []);
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('notifications signed before a restart still verify with the key served after it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-sns-key-'));
  try {
    let t = await setupSns({ stateDir: dir });
    const topic = await t.createTopic('signed');
    const q = await t.subscribeQueue(topic);
    await t.call('Publish', { TopicArn: topic, Message: 'signed before' });
    await t.close();
    t = await setupSns({ stateDir: dir });
    try {
      const [m] = await t.drain(q.url);
      const n = JSON.parse(m.Body);
      const pem = await (await fetch(`${t.url}${new URL(n.SigningCertURL).pathname}`)).text();
      let canonical = '';
      for (const k of ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']) if (n[k] !== undefined) canonical += `${k}\n${n[k]}\n`;
      const { verify, createPrivateKey, X509Certificate } = await import('node:crypto');
      assert.equal(verify('RSA-SHA1', Buffer.from(canonical), pem, Buffer.from(n.Signature, 'base64')), true);
      // The key is the one kept in the state directory (owner-only), not a per-process one.
      const { readFileSync, statSync } = await import('node:fs');
      const keyFile = join(dir, 'sns-signing-key.pem');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(new X509Certificate(pem).checkPrivateKey(createPrivateKey(readFileSync(keyFile, 'utf8'))), true);
      // The certificate is kept too, so one trusted before the restart (NODE_EXTRA_CA_CERTS) stays trusted.
      assert.equal(readFileSync(join(dir, 'sns-signing-cert.pem'), 'utf8'), pem);
      // So is the https listener's (the certificate a client trusts to fetch SigningCertURL).
      const httpsCert = await (await fetch(`${t.url}/_svl/sns/https-cert.pem`)).text();
      assert.equal(readFileSync(join(dir, 'sns-https-cert.pem'), 'utf8'), httpsCert);
      assert.equal(statSync(join(dir, 'sns-https-key.pem')).mode & 0o777, 0o600);
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an emulator started before a durable one that closed and lost its state directory still signs (no 500)', async () => {
  const t0 = await setupSns();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'svl-sns-gone-'));
    const t1 = await setupSns({ stateDir: dir });
    await t1.close();
    rmSync(dir, { recursive: true, force: true });
    const topic = await t0.createTopic('after-gone');
    const q = await t0.subscribeQueue(topic);
    await t0.call('Publish', { TopicArn: topic, Message: 'still signed' });
    const [m] = await t0.drain(q.url);
    const n = JSON.parse(m.Body);
    const pem = await (await fetch(`${t0.url}${new URL(n.SigningCertURL).pathname}`)).text();
    let canonical = '';
    for (const k of ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']) if (n[k] !== undefined) canonical += `${k}\n${n[k]}\n`;
    const { verify } = await import('node:crypto');
    assert.equal(verify('RSA-SHA1', Buffer.from(canonical), pem, Buffer.from(n.Signature, 'base64')), true);
  } finally {
    await t0.close();
  }
});

test("a topic's delivery counters: counted at once, written after the publish's commit (at the latest when the emulator stops), kept across a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-sns-stats-'));
  try {
    let t = await setupSns({ stateDir: dir });
    const topic = await t.createTopic('counted');
    await t.subscribeQueue(topic);
    await t.call('Publish', { TopicArn: topic, Message: 'one' });
    await t.call('Publish', { TopicArn: topic, Message: 'two' });
    const stored = () => t.emu.store.db.prepare('SELECT published, delivered FROM sns_topics WHERE arn = ?').get(topic);
    const live = () => t.emu.sns.stats().find((s) => s.topic === 'counted');
    assert.deepEqual({ published: live().published, delivered: live().delivered }, { published: 2, delivered: 2 }, 'counted at once');
    assert.deepEqual({ ...stored() }, { published: 0, delivered: 0 }, 'not written by the publishes themselves');
    t.emu.sns.registry.flushStats(); // what the timer does STATS_FLUSH_MS after the first publish
    assert.deepEqual({ ...stored() }, { published: 2, delivered: 2 });
    await t.call('Publish', { TopicArn: topic, Message: 'three' });
    await t.close(); // stopping writes what is pending
    t = await setupSns({ stateDir: dir });
    try {
      assert.deepEqual({ published: live().published, delivered: live().delivered }, { published: 3, delivered: 3 });
    } finally {
      await t.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a durable emulator's https certificate is made once it has answered its first request, or soon after start without one", async () => {
  const { startEmulator } = await import('../../dist/local/server.js');
  const { existsSync, readFileSync } = await import('node:fs');
  const { eventually } = await import('../helpers/lambda.mjs');
  for (const firstRequest of [true, false]) {
    const dir = mkdtempSync(join(tmpdir(), 'svl-sns-https-'));
    const emu = await startEmulator({ port: 0, stateDir: dir, loadOnFirstUse: true });
    try {
      if (firstRequest) assert.equal((await fetch(`${emu.url}/_svl/health`)).status, 200);
      const cert = join(dir, 'sns-https-cert.pem');
      await eventually(() => existsSync(cert) && existsSync(join(dir, 'sns-https-key.pem')), { timeoutMs: 5000, intervalMs: 5, what: 'the https certificate files' });
      assert.equal(await (await fetch(`${emu.url}/_svl/sns/https-cert.pem`)).text(), readFileSync(cert, 'utf8'), 'the certificate served is the one kept');
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
