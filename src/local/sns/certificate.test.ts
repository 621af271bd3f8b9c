/**
 * The self-signed certificate builder and the signing key/certificate files: what node:crypto's
 * X509Certificate reads back (fields, extensions, self-signature), and how a state directory from before
 * certificates (key only) or with a certificate of another key is brought up to date.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from './certificate.js';
import { signingCertificatePem, useSigningKeyFile, warmSigningKey } from './envelope.js';

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

test('useSigningKeyFile: creates key (0600) and certificate on first use, reuses them, certifies a key left by an older emulator, replaces a certificate of another key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-sns-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    useSigningKeyFile(keyFile, certFile);
    assert.equal(existsSync(keyFile), false, 'no key generated before it is needed (start-up stays fast)');
    const first = signingCertificatePem();
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(readFileSync(certFile, 'utf8'), first);
    assert.equal(new X509Certificate(first).checkPrivateKey(createPrivateKey(readFileSync(keyFile, 'utf8'))), true);
    useSigningKeyFile(keyFile, certFile);
    assert.equal(signingCertificatePem(), first, 'a restart serves the same certificate');

    rmSync(certFile); // a state directory from before certificates: key only
    useSigningKeyFile(keyFile, certFile);
    signingCertificatePem();
    const second = readFileSync(certFile, 'utf8');
    assert.equal(new X509Certificate(second).checkPrivateKey(createPrivateKey(readFileSync(keyFile, 'utf8'))), true);

    writeFileSync(certFile, selfSignedCertificate(key(), { commonName: 'other', altNames: [], notBefore: new Date(), notAfter: new Date('2049-01-01') }));
    useSigningKeyFile(keyFile, certFile);
    assert.equal(new X509Certificate(signingCertificatePem()).checkPrivateKey(createPrivateKey(readFileSync(keyFile, 'utf8'))), true, 'a certificate of another key is replaced');

    writeFileSync(certFile, 'not a certificate');
    useSigningKeyFile(keyFile, certFile);
    signingCertificatePem();
    assert.match(readFileSync(certFile, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('warmSigningKey: on a fresh state directory the key is generated in the background and written there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-sns-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    useSigningKeyFile(keyFile, certFile);
    warmSigningKey();
    assert.equal(existsSync(keyFile), false, 'generated off the event loop, not at once');
    while (!existsSync(certFile)) await new Promise((r) => setImmediate(r));
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(signingCertificatePem(), readFileSync(certFile, 'utf8'));
    useSigningKeyFile(keyFile, certFile);
    warmSigningKey(); // an existing key is loaded, not replaced
    assert.equal(signingCertificatePem(), readFileSync(certFile, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
