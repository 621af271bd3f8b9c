// Emulator SNS signatures checked by standard verifiers, unmodified:
// - Node's X509Certificate: SigningCertURL serves an X.509 certificate (self-signed, sha256WithRSA) whose
//   public key verifies the signature over AWS's documented string to sign.
// - `sns-validator` (AWS's aws-js-sns-message-validator, npm, unmodified). Read in its index.js: it requires
//   SigningCertURL to be `https:` with a path ending `.pem` and a host matching `hostPattern` (default
//   /^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$/, tested against url.parse(...).host, i.e. with the
//   port), fetches the certificate with https.get (global agent) and verifies with crypto.createVerify
//   RSA-SHA1 (SignatureVersion 1) or RSA-SHA256 (2). Its constructor's documented first argument is that
//   hostPattern, so the cleanest unmodified setup is `new MessageValidator(/^127\.0\.0\.1:\d+$/)` (no DNS
//   games); the https fetch is satisfied by the emulator's https listener for the certificate, trusted
//   by running the validator in a child process with NODE_EXTRA_CA_CERTS pointing at that listener's own
//   certificate (the emulator's http port serves it at /_svl/sns/https-cert.pem). The listener's key is not
//   the signing key: notifications are signed with RSA-1024 (every verifier here checks no key size, and
//   it costs a seventh of an RSA-2048 signature), which TLS clients at OpenSSL security level 2 refuse.
// AWS sources: "Verifying the signatures of Amazon SNS messages" (docs.aws.amazon.com/sns/latest/dg/
// sns-verify-signature-of-message.html: download the certificate from SigningCertURL, extract the public
// key, build `key\nvalue\n` for Message, MessageId, Subject (if present), Timestamp, TopicArn, Type
// (+ SubscribeURL, Token for confirmations), verify SHA1withRSA / SHA256withRSA per SignatureVersion), and
// the SignatureVersion topic attribute (API_SetTopicAttributes; LocalStack's AWS-validated
// test_publish_signature_version snapshot records SignatureVersion "2" in the delivered envelope).
// UnsubscribeConfirmation (docs "HTTP/HTTPS unsubscribe confirmation JSON format") is signed, as the
// verification docs say, over Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type; it is
// checked here with Node's crypto only: sns-validator 0.3.5 (index.js validateSignature) uses its
// Token-less notification key list for every type but SubscriptionConfirmation, so it cannot verify an
// UnsubscribeConfirmation signed as AWS documents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, verify } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupSns, startHttpEndpoint } from '../helpers/sns.mjs';

const CHILD = fileURLToPath(new URL('../fixtures/sns-validator-child.mjs', import.meta.url));

let t;
let ep;
let dir;
before(async () => {
  t = await setupSns();
  ep = await startHttpEndpoint();
  dir = mkdtempSync(join(tmpdir(), 'svl-sns-sig-'));
});
after(async () => {
  await ep.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The certificate as the emulator serves it at SigningCertURL's path on its http port. */
const certificateOf = async (doc) => (await fetch(`${t.url}${new URL(doc.SigningCertURL).pathname}`)).text();
/** The https listener's certificate, the one a client trusts to fetch SigningCertURL. */
const httpsCertificate = async () => (await fetch(`${t.url}/_svl/sns/https-cert.pem`)).text();

/** Runs sns-validator on `docs` in a child that trusts `caFile`; one {ok} or {error} per document. */
function validate(docs, { hostPattern = '^127\\.0\\.0\\.1:\\d+$', caFile } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile };
    // At OpenSSL security level 2, as current OpenSSL (node 24) and distributions default to (node 20's is 1).
    const child = spawn(process.execPath, ['--tls-cipher-list=DEFAULT@SECLEVEL=2', CHILD, ...(hostPattern ? [hostPattern] : [])], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`validator child exited ${code}: ${err}`))));
    child.stdin.end(JSON.stringify(docs));
  });
}

async function documents() {
  const v1 = await t.createTopic(t.name('sig1'));
  const v2 = await t.createTopic(t.name('sig2'), { SignatureVersion: '2' });
  const q1 = await t.subscribeQueue(v1);
  const q2 = await t.subscribeQueue(v2);
  await t.call('Publish', { TopicArn: v1, Message: 'hello v1', Subject: 'with subject' });
  await t.call('Publish', { TopicArn: v2, Message: 'hello v2 "quoted"\nsecond line' });
  const [n1] = await t.notifications(q1.url);
  const [n2] = await t.notifications(q2.url);
  const before = ep.requests.length;
  await t.call('Subscribe', { TopicArn: v1, Protocol: 'http', Endpoint: `${ep.url}/sig` });
  await ep.waitFor(before + 1, 'the SubscriptionConfirmation');
  const confirmation = JSON.parse(ep.requests[before].body);
  return { n1, n2, confirmation };
}

test('SigningCertURL is https and serves a self-signed X.509 certificate that verifies v1, v2 and confirmation signatures', async () => {
  const { n1, n2, confirmation } = await documents();
  assert.equal(n1.SignatureVersion, '1');
  assert.equal(n2.SignatureVersion, '2');
  assert.equal(confirmation.Type, 'SubscriptionConfirmation');
  for (const doc of [n1, n2, confirmation]) assert.match(doc.SigningCertURL, /^https:\/\/127\.0\.0\.1:\d+\/.*SimpleNotificationService-.*\.pem$/);
  const pem = await certificateOf(n1);
  const cert = new X509Certificate(pem);
  assert.equal(cert.verify(cert.publicKey), true, 'self-signed');
  assert.equal(cert.ca, true);
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1', 'names the loopback address it is served on');
  assert.ok(new Date(cert.validTo) > new Date('2049-01-01'));
  assert.equal(cert.publicKey.asymmetricKeyDetails.modulusLength, 1024, 'RSA-1024: the cheapest key every verifier accepts');
  assert.equal(cert.subject, 'CN=sns.amazonaws.com');
  const canonical = (doc, keys) => keys.filter((k) => doc[k] !== undefined).map((k) => `${k}\n${doc[k]}\n`).join('');
  const N = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
  const C = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const sig = (doc) => Buffer.from(doc.Signature, 'base64');
  assert.equal(verify('RSA-SHA1', Buffer.from(canonical(n1, N)), cert.publicKey, sig(n1)), true);
  assert.equal(verify('RSA-SHA256', Buffer.from(canonical(n2, N)), cert.publicKey, sig(n2)), true);
  assert.equal(verify('RSA-SHA1', Buffer.from(canonical(confirmation, C)), cert.publicKey, sig(confirmation)), true);
  // The https listener serves the same certificate (fetched here trusting the listener's own certificate
  // explicitly, at OpenSSL security level 2, the default of current OpenSSL and of distributions).
  const https = await import('node:https');
  const tlsCert = await httpsCertificate();
  assert.notEqual(tlsCert, pem, 'the https listener has its own key');
  const served = await new Promise((resolve, reject) =>
    https.get(n1.SigningCertURL, { ca: tlsCert, ciphers: 'DEFAULT@SECLEVEL=2' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject),
  );
  assert.deepEqual(served, { status: 200, body: pem });
});

test('sns-validator (unmodified) accepts SignatureVersion 1 and 2 notifications and subscription confirmations', async () => {
  const { n1, n2, confirmation } = await documents();
  const caFile = join(dir, 'sns-cert.pem');
  writeFileSync(caFile, await httpsCertificate());
  const tampered = { ...n1, Message: 'tampered' };
  const results = await validate([n1, n2, confirmation, tampered], { caFile });
  assert.deepEqual(results, [{ ok: true }, { ok: true }, { ok: true }, { error: 'The message signature is invalid.' }]);
  // Its default host pattern only admits sns.<region>.amazonaws.com: the pattern argument is what lets it use the emulator.
  assert.deepEqual(await validate([n1], { caFile, hostPattern: '' }), [{ error: 'The certificate is located on an invalid domain.' }]);
});

test('an unsubscribed http endpoint gets a signed UnsubscribeConfirmation that verifies with the certificate', async () => {
  const topic = await t.createTopic(t.name('unsub'));
  const before = ep.requests.length;
  const { SubscriptionArn: pending } = await t.call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: `${ep.url}/unsub`, ReturnSubscriptionArn: true });
  await ep.waitFor(before + 1, 'the SubscriptionConfirmation');
  const confirmation = JSON.parse(ep.requests[before].body);
  assert.equal((await fetch(confirmation.SubscribeURL)).status, 200);
  await t.call('Unsubscribe', { SubscriptionArn: pending });
  await ep.waitFor(before + 2, 'the UnsubscribeConfirmation');
  const req = ep.requests[before + 1];
  assert.equal(req.headers['x-amz-sns-message-type'], 'UnsubscribeConfirmation');
  assert.equal(req.headers['x-amz-sns-topic-arn'], topic);
  const u = JSON.parse(req.body);
  assert.deepEqual(Object.keys(u), ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL']);
  assert.equal(u.Type, 'UnsubscribeConfirmation');
  assert.equal(req.headers['x-amz-sns-message-id'], u.MessageId);
  assert.equal(u.Message, `You have chosen to deactivate subscription ${pending}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`);
  assert.equal(u.SubscribeURL, `${t.url}/?Action=ConfirmSubscription&TopicArn=${topic}&Token=${u.Token}`);
  assert.match(u.SigningCertURL, /^https:\/\/127\.0\.0\.1:\d+\/.*\.pem$/);
  const cert = new X509Certificate(await certificateOf(u));
  const canonical = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'].map((k) => `${k}\n${u[k]}\n`).join('');
  assert.equal(verify('RSA-SHA1', Buffer.from(canonical), cert.publicKey, Buffer.from(u.Signature, 'base64')), true);
});
