/**
 * The per-user signing key cache of in-memory emulators: where it lives, what it writes (modes, atomic),
 * what it refuses (corrupt or mismatched pairs), and, across fresh processes, that a second process signs
 * with the first one's key, that a corrupt cache is replaced, and that SVL_SIGNING_KEY_CACHE=0 turns it off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from './certificate.js';
import { CERT_FILE, KEY_FILE, keyCacheDir, readCachedKey, writeCachedKey } from './key-cache.js';

const pair = () => {
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const certPem = selfSignedCertificate(privateKey, { commonName: 't', altNames: ['localhost'], notBefore: new Date(0), notAfter: new Date('2049-01-01') });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem };
};
const tmp = () => mkdtempSync(join(tmpdir(), 'svl-keycache-'));

test('keyCacheDir: SVL_CACHE_DIR, else $XDG_CACHE_HOME/svl, else ~/.cache/svl; SVL_SIGNING_KEY_CACHE=0 turns it off', () => {
  assert.equal(keyCacheDir({ SVL_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }), '/c');
  assert.equal(keyCacheDir({ XDG_CACHE_HOME: '/x' }), join('/x', 'svl'));
  assert.match(keyCacheDir({})!, /[/\\]\.cache[/\\]svl$/);
  for (const off of ['0', 'false', 'off', 'no']) assert.equal(keyCacheDir({ SVL_SIGNING_KEY_CACHE: off, XDG_CACHE_HOME: '/x' }), undefined);
  assert.equal(keyCacheDir({ SVL_SIGNING_KEY_CACHE: '1', XDG_CACHE_HOME: '/x' }), join('/x', 'svl'));
});

test('writeCachedKey then readCachedKey: the same key and certificate, directory 0700 and files 0600, no temporary files left', () => {
  const root = tmp();
  try {
    const dir = join(root, 'nested', 'svl');
    const p = pair();
    writeCachedKey(p.privatePem, p.certPem, dir);
    const got = readCachedKey(dir)!;
    assert.equal(got.privatePem, p.privatePem);
    assert.equal(got.certPem, p.certPem);
    assert.equal(new X509Certificate(got.certPem).checkPrivateKey(got.privateKey), true);
    assert.deepEqual(readdirSync(dir).sort(), [CERT_FILE, KEY_FILE].sort());
    if (process.platform !== 'win32') {
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, KEY_FILE)).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, CERT_FILE)).mode & 0o777, 0o600);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('readCachedKey: none, a corrupt key, a corrupt certificate, a missing certificate, or a certificate of another key all read as absent', () => {
  const dir = tmp();
  try {
    assert.equal(readCachedKey(dir), undefined);
    assert.equal(readCachedKey(undefined), undefined);
    const a = pair();
    const b = pair();
    writeCachedKey(a.privatePem, a.certPem, dir);
    writeFileSync(join(dir, KEY_FILE), 'not a key');
    assert.equal(readCachedKey(dir), undefined);
    writeCachedKey(a.privatePem, 'not a certificate', dir);
    assert.equal(readCachedKey(dir), undefined);
    writeCachedKey(a.privatePem, b.certPem, dir);
    assert.equal(readCachedKey(dir), undefined);
    writeCachedKey(a.privatePem, a.certPem, dir);
    rmSync(join(dir, CERT_FILE));
    assert.equal(readCachedKey(dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeCachedKey: an unwritable cache directory is not an error (the next process generates its own key)', () => {
  const root = tmp();
  try {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const p = pair();
    writeCachedKey(p.privatePem, p.certPem, join(file, 'svl'));
    assert.equal(readCachedKey(join(file, 'svl')), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

// A fresh process (the key is per process): warms the key as svl/testing does, waits for it, prints its certificate.
const envelope = new URL('./envelope.js', import.meta.url).href;
const certOfFreshProcess = (env: Record<string, string>): string => {
  const code = `const e = await import(${JSON.stringify(envelope)}); e.warmSigningKey(); process.stdout.write(e.signingCertificatePem());`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

test('in-memory emulators: a second process signs with the cached key of the first; a corrupt cache is replaced; SVL_SIGNING_KEY_CACHE=0 writes and reads none', () => {
  const dir = tmp();
  try {
    const env = { SVL_CACHE_DIR: dir, SVL_SIGNING_KEY_CACHE: '' };
    const first = certOfFreshProcess(env);
    assert.equal(readFileSync(join(dir, CERT_FILE), 'utf8'), first);
    assert.equal(certOfFreshProcess(env), first);

    writeFileSync(join(dir, KEY_FILE), '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n');
    const replaced = certOfFreshProcess(env);
    assert.notEqual(replaced, first);
    assert.equal(readCachedKey(dir)?.certPem, replaced);

    const off = certOfFreshProcess({ ...env, SVL_SIGNING_KEY_CACHE: '0' });
    assert.notEqual(off, replaced);
    assert.equal(readCachedKey(dir)?.certPem, replaced);
    const other = tmp();
    try {
      certOfFreshProcess({ SVL_CACHE_DIR: other, SVL_SIGNING_KEY_CACHE: '0' });
      assert.equal(existsSync(join(other, KEY_FILE)), false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
