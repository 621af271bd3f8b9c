/**
 * The self-signed certificate builder and the SNS keys (signing-key.ts): what node:crypto's X509Certificate
 * reads back (fields, extensions, self-signature; RSA and EC), that nothing is generated before it is
 * needed, the key files of a state directory (made, reused, a state directory from before certificates or
 * with a certificate of another key brought up to date, an older 2048-bit key kept), and why the https
 * listener has its own key: a TLS client at OpenSSL's default security level refuses the RSA-1024 signing
 * key and accepts the listener's P-256 one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from './certificate.js';
import { SIGNING_KEY_BITS, httpsCredentials, releaseSigningKeyFile, signingCertificatePem, signingPrivateKey, useSigningKeyFile } from './signing-key.js';

const key = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

test('selfSignedCertificate: a v3 sha256WithRSA certificate Node parses, self-signed, with the names and validity asked for', () => {
  const k = key();
  const pem = selfSignedCertificate(k, {
    commonName: 'sns.svl.local',
    altNames: ['localhost', '127.0.0.1', '::1'],
    notBefore: new Date('2026-01-02T03:04:05Z'),
    notAfter: new Date('2049-12-31T23:59:59Z'),
  });
  assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
  const c = new X509Certificate(pem);
  assert.equal(c.subject, 'CN=sns.svl.local');
  assert.equal(c.issuer, c.subject);
  assert.equal(c.verify(c.publicKey), true);
  assert.equal(c.checkPrivateKey(k), true);
  assert.equal(c.ca, true);
  assert.equal(c.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  assert.equal(c.checkHost('localhost'), 'localhost');
  assert.equal(c.checkIP('::1'), '::1');
  assert.equal(new Date(c.validFrom).toISOString(), '2026-01-02T03:04:05.000Z');
  assert.equal(new Date(c.validTo).toISOString(), '2049-12-31T23:59:59.000Z');
  assert.match(c.serialNumber, /^[0-9A-F]+$/);
  // Serial numbers are random: two certificates for one key differ.
  assert.notEqual(new X509Certificate(selfSignedCertificate(k, { commonName: 'x', altNames: [], notBefore: new Date(), notAfter: new Date('2049-01-01') })).serialNumber, c.serialNumber);
});

test('selfSignedCertificate: an EC key gets an ecdsa-with-SHA256 certificate without keyEncipherment', () => {
  const k = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const c = new X509Certificate(selfSignedCertificate(k, { commonName: 'ec', altNames: ['127.0.0.1'], notBefore: new Date(), notAfter: new Date('2049-01-01') }));
  assert.equal(c.verify(c.publicKey), true);
  assert.equal(c.checkPrivateKey(k), true);
  assert.equal(c.publicKey.asymmetricKeyType, 'ec');
  assert.equal(c.ca, true);
  assert.equal(c.checkIP('127.0.0.1'), '127.0.0.1');
  // keyUsage (RFC 5280 §4.2.1.3) 0x84: digitalSignature and keyCertSign, no keyEncipherment.
  assert.ok(c.raw.includes(Buffer.from([0x03, 0x02, 0x02, 0x84])));
});

const tmp = () => mkdtempSync(join(tmpdir(), 'svl-sns-cert-'));

test('useSigningKeyFile: nothing is made before it is needed; an RSA-1024 key (0600) and its certificate are made by the first signature, then reused', () => {
  const dir = tmp();
  try {
    const keyFile = join(dir, 'sns-signing-key.pem');
    const certFile = join(dir, 'sns-signing-cert.pem');
    useSigningKeyFile(keyFile, certFile);
    assert.deepEqual(readdirSync(dir), [], 'no key generated at start (start-up stays fast)');
    const signature = sign('sha1', Buffer.from('x'), signingPrivateKey());
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const first = readFileSync(certFile, 'utf8');
    assert.equal(signingCertificatePem(), first);
    const cert = new X509Certificate(first);
    assert.equal(verify('sha1', Buffer.from('x'), cert.publicKey, signature), true);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, SIGNING_KEY_BITS);
    assert.equal(SIGNING_KEY_BITS, 1024);
    assert.equal(cert.subject, 'CN=sns.amazonaws.com', 'names Amazon, as the Java v2 SnsMessageManager requires');
    assert.deepEqual(readdirSync(dir).sort(), ['sns-signing-cert.pem', 'sns-signing-key.pem'], 'the https key waits for its first connection');
    useSigningKeyFile(keyFile, certFile);
    assert.equal(signingCertificatePem(), first, 'a restart serves the same certificate');
  } finally {
    releaseSigningKeyFile(join(dir, 'sns-signing-key.pem'));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('useSigningKeyFile: a key without certificate is certified, a certificate of another key or not a certificate is replaced, an older 2048-bit key is kept', () => {
  const dir = tmp();
  try {
    const keyFile = join(dir, 'sns-signing-key.pem');
    const certFile = join(dir, 'sns-signing-cert.pem');
    const old = key();
    writeFileSync(keyFile, old.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    useSigningKeyFile(keyFile, certFile); // a state directory from before certificates: key only
    const certified = new X509Certificate(signingCertificatePem());
    assert.equal(certified.checkPrivateKey(old), true, 'its notifications, signed before, still verify');
    assert.equal(certified.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(readFileSync(certFile, 'utf8'), signingCertificatePem());

    writeFileSync(certFile, selfSignedCertificate(key(), { commonName: 'other', altNames: [], notBefore: new Date(), notAfter: new Date('2049-01-01') }));
    useSigningKeyFile(keyFile, certFile);
    assert.equal(new X509Certificate(signingCertificatePem()).checkPrivateKey(createPrivateKey(readFileSync(keyFile, 'utf8'))), true, 'a certificate of another key is replaced');

    writeFileSync(certFile, 'not a certificate');
    useSigningKeyFile(keyFile, certFile);
    signingCertificatePem();
    assert.match(readFileSync(certFile, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    assert.equal(existsSync(keyFile), true);
  } finally {
    releaseSigningKeyFile(join(dir, 'sns-signing-key.pem'));
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * GET https://127.0.0.1:<port>/ from a server with `creds`, trusting `ca`, at OpenSSL security level 2: the
 * default of OpenSSL >= 3.2 (node 24 bundles 3.5) and of distributions' system OpenSSL (curl, Python, PHP).
 * Node 20's bundled OpenSSL 3.0 defaults to level 1, which would let a 1024-bit server key through.
 */
async function tlsGet(creds: { key: string; cert: string }, ca: string): Promise<string> {
  const server = createServer(creds, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<string>((resolve, reject) =>
      get({ host: '127.0.0.1', port, path: '/', ca, agent: false, ciphers: 'DEFAULT@SECLEVEL=2' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      }).on('error', reject),
    );
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test('the https listener has its own P-256 key and certificate (sns-https-*.pem): a TLS client trusts it, and would refuse the RSA-1024 signing key', async () => {
  const dir = tmp();
  try {
    const keyFile = join(dir, 'sns-signing-key.pem');
    useSigningKeyFile(keyFile, join(dir, 'sns-signing-cert.pem'));
    const creds = httpsCredentials();
    assert.equal(statSync(join(dir, 'sns-https-key.pem')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(dir, 'sns-https-cert.pem'), 'utf8'), creds.cert);
    assert.equal(new X509Certificate(creds.cert).publicKey.asymmetricKeyType, 'ec');
    assert.equal(existsSync(keyFile), false, 'the signing key is not made for the https listener');
    assert.equal(await tlsGet(creds, creds.cert), 'ok');
    const signingKeyPem = signingPrivateKey().export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(tlsGet({ key: signingKeyPem, cert: signingCertificatePem() }, signingCertificatePem()), /too (small|weak)/i);
    useSigningKeyFile(keyFile, join(dir, 'sns-signing-cert.pem'));
    assert.equal(httpsCredentials().cert, creds.cert, 'a restart serves the same https certificate');
  } finally {
    releaseSigningKeyFile(join(dir, 'sns-signing-key.pem'));
    rmSync(dir, { recursive: true, force: true });
  }
});
