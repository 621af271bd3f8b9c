/**
 * The emulator's SNS keys, made on first use (never at start-up): the signing key, whose certificate
 * SigningCertURL serves, and the key of the https listener that serves that certificate (cert-server.ts).
 *
 * Why two keys. A signature is the dearest part of a publish, and its cost is the RSA key size: 2048 bits
 * cost ~690-770 µs of CPU per signature here, 1024 bits ~100-115 µs. The verifiers checked check the
 * algorithm (SHA1withRSA for SignatureVersion 1, SHA256withRSA for 2) but no key size: sns-validator (see
 * test/interop/sns-signature.test.mjs), and by reading their source aws-php-sns-message-validator and the
 * Java v2 SnsMessageManager (.NET's was not checked), so notifications are signed with RSA-1024. A TLS client, though, refuses a 1024-bit server key under
 * OpenSSL's default security level 2 ("ee key too small"), and verifiers fetch the certificate over
 * https: the listener has its own key, ECDSA P-256 (generated in well under a millisecond, accepted at
 * that level), and a self-signed certificate a client trusts (NODE_EXTRA_CA_CERTS).
 *
 * Where they live. A durable emulator keeps both in its state directory (private keys 0600):
 * sns-signing-key.pem / sns-signing-cert.pem, and sns-https-key.pem / sns-https-cert.pem (the file to
 * trust), so that notifications signed before a restart still verify after it and a certificate trusted
 * once stays trusted. A state directory from before keeps its signing key whatever its size (its queued
 * notifications were signed with it). An in-memory emulator makes both per process (~10 ms for the
 * RSA-1024 generation, at its first signature), and serves the https certificate on its http port at
 * HTTPS_CERT_PATH for a client to trust.
 *
 * Deliberately does not: sign (envelope.ts), build certificates (certificate.ts), cache keys across
 * processes (generation is cheap enough that one mechanism, lazy generation, serves every emulator), or
 * rotate keys.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { selfSignedCertificate } from './certificate.js';
import { realNow } from '../timers.js';

/** RSA modulus of a new signing key: the cheapest size every verifier accepts (see the header). */
export const SIGNING_KEY_BITS = 1024;

interface KeyPair {
  privateKey: KeyObject;
  privatePem: string;
  certPem: string;
}

/** The certificate for a key: self-signed, valid from a day ago to the end of 2049 (UTCTime's last year). */
const certificateFor = (privateKey: KeyObject, commonName: string): string =>
  selfSignedCertificate(privateKey, {
    commonName,
    altNames: ['localhost', '127.0.0.1', '::1'],
    notBefore: new Date(realNow() - 86_400_000),
    notAfter: new Date('2049-12-31T23:59:59Z'),
  });

/**
 * The signing certificate names sns.amazonaws.com, as AWS's own do: the Java v2 SnsMessageManager refuses
 * a certificate whose issuer and subject do not name Amazon.
 */
const SIGNING_CN = 'sns.amazonaws.com';
const HTTPS_CN = 'svl local sns https';

const newSigningKey = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: SIGNING_KEY_BITS }).privateKey;
const newHttpsKey = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const pemOf = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();

/** One key and certificate, in memory (`path` unset) or in a state directory's pair of files. */
class KeySlot {
  private pair: KeyPair | undefined;
  private files: { keyPath: string; certPath: string } | undefined;
  /** Bumped whenever the pair is replaced, so that derived values (the last signature) are dropped. */
  generation = 0;

  constructor(
    private readonly make: () => KeyObject,
    private readonly commonName: string,
  ) {}

  use(files: { keyPath: string; certPath: string } | undefined): void {
    this.files = files;
    this.pair = undefined;
    this.generation++;
  }

  /** Keeps a loaded pair but forgets the files (their emulator closed, or its directory went away). */
  detach(keyPath?: string): void {
    if (keyPath === undefined || this.files?.keyPath === keyPath) this.files = undefined;
  }

  get(): KeyPair {
    if (this.pair) return this.pair;
    if (this.files) {
      try {
        this.pair = this.loadOrCreate(this.files.keyPath, this.files.certPath);
      } catch {
        // The state directory is gone or unwritable (e.g. a durable emulator of this process closed and its
        // directory was removed): use a key of this process rather than fail the publish.
        this.files = undefined;
      }
    }
    if (!this.pair) {
      const privateKey = this.make();
      this.pair = { privateKey, privatePem: pemOf(privateKey), certPem: certificateFor(privateKey, this.commonName) };
    }
    this.generation++;
    return this.pair;
  }

  /**
   * A state directory's key, or a new one written there; a certificate that is missing, unreadable or of
   * another key is (re)made for the key.
   */
  private loadOrCreate(keyPath: string, certPath: string): KeyPair {
    let privateKey: KeyObject;
    let privatePem: string;
    if (existsSync(keyPath)) {
      privatePem = readFileSync(keyPath, 'utf8');
      privateKey = createPrivateKey(privatePem);
    } else {
      privateKey = this.make();
      privatePem = pemOf(privateKey);
      writeFileSync(keyPath, privatePem, { mode: 0o600 });
    }
    let certPem: string | undefined;
    if (existsSync(certPath)) {
      certPem = readFileSync(certPath, 'utf8');
      try {
        if (!new X509Certificate(certPem).checkPrivateKey(privateKey)) certPem = undefined;
      } catch {
        certPem = undefined;
      }
    }
    if (!certPem) {
      certPem = certificateFor(privateKey, this.commonName);
      writeFileSync(certPath, certPem);
    }
    return { privateKey, privatePem, certPem };
  }
}

const signing = new KeySlot(newSigningKey, SIGNING_CN);
const https = new KeySlot(newHttpsKey, HTTPS_CN);

/** The https listener's files beside the signing key's, in the same state directory. */
const httpsFiles = (keyPath: string) => ({ keyPath: join(dirname(keyPath), 'sns-https-key.pem'), certPath: join(dirname(keyPath), 'sns-https-cert.pem') });

/**
 * A durable emulator's keys are its state directory's (see the header). Nothing is read or generated
 * here: that waits for the first signature or the first https connection.
 */
export function useSigningKeyFile(keyPath: string, certPath: string): void {
  signing.use({ keyPath, certPath });
  https.use(httpsFiles(keyPath));
}

/** An emulator without a state directory: it stops using the last durable emulator's files (in this process). */
export function useNoSigningKeyFile(): void {
  signing.detach();
  https.detach();
}

/** A durable emulator closing: its key files stop being this process's (the loaded keys stay usable). */
export function releaseSigningKeyFile(keyPath: string): void {
  signing.detach(keyPath);
  https.detach(httpsFiles(keyPath).keyPath);
}

/** The signing key (made or loaded on first use). */
export const signingPrivateKey = (): KeyObject => signing.get().privateKey;
/** Changes whenever the signing key may have changed (a signature cached for an older key is stale). */
export const signingKeyGeneration = (): number => signing.generation;
/** The X.509 certificate (PEM) served at SigningCertURL. */
export const signingCertificatePem = (): string => signing.get().certPem;
/** The https listener's TLS key and certificate (PEM); the certificate is the one a client trusts. */
export function httpsCredentials(): { key: string; cert: string } {
  const p = https.get();
  return { key: p.privatePem, cert: p.certPem };
}

export const SIGNING_CERT_PATH = '/_svl/sns/SimpleNotificationService-svl.pem';
/** Where the emulator's http port serves the https listener's certificate, for a client to trust. */
export const HTTPS_CERT_PATH = '/_svl/sns/https-cert.pem';
