/**
 * The JSON documents SNS sends: Notification (to SQS and HTTP) and SubscriptionConfirmation, with AWS's
 * key order and signature scheme (canonical `key\nvalue\n` lines, SignatureVersion 1 = SHA1withRSA,
 * 2 = SHA256withRSA). See ../shared/reference/aws-wire.md §4.3.
 */
import { generateKeyPair, generateKeyPairSync, createPrivateKey, createSign, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { selfSignedCertificate } from './certificate.js';
import { keyCacheDir, readCachedKey, writeCachedKey } from './key-cache.js';
import { realNow } from '../timers.js';

export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

let keys: { privateKey: KeyObject; privatePem: string; certPem: string } | undefined;

/** The certificate for the signing key: self-signed, valid from a day ago to the end of 2049 (UTCTime's last year). */
const certificateFor = (privateKey: KeyObject, now = realNow()): string =>
  selfSignedCertificate(privateKey, {
    commonName: 'sns.svl.local',
    altNames: ['localhost', '127.0.0.1', '::1'],
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date('2049-12-31T23:59:59Z'),
  });

const newKey = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const setKeys = (privateKey: KeyObject, certPem: string, privatePem?: string) => {
  lastSigned.clear();
  keys = { privateKey, privatePem: privatePem ?? privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem };
};

/** An in-memory emulator's key: the per-user cached one when usable (see key-cache.ts). */
const useCachedKey = (): boolean => {
  const cached = readCachedKey(keyCacheDir());
  if (cached) setKeys(cached.privateKey, cached.certPem, cached.privatePem);
  return cached !== undefined;
};

/** A key generated for an in-memory emulator becomes this process's, and the cached one for the next. */
const setGeneratedKey = (privateKey: KeyObject) => {
  setKeys(privateKey, certificateFor(privateKey));
  writeCachedKey(keys!.privatePem, keys!.certPem, keyCacheDir());
};

/** Where a durable emulator keeps its key and certificate (`useSigningKeyFile`); unset in memory. */
let keyFiles: { keyPath: string; certPath: string } | undefined;

/**
 * The emulator's signing key and its certificate, on first use: loaded from (or generated into) the
 * state directory when it has one, else read from the per-user cache, else generated once per process.
 */
function signingKeys() {
  if (!keys && keyFiles) {
    try {
      loadOrCreateKeyFiles(keyFiles.keyPath, keyFiles.certPath);
    } catch {
      // The state directory is gone or unwritable (e.g. a durable emulator of this process closed and its
      // directory was removed): sign with a key of this process rather than fail the publish.
      keyFiles = undefined;
    }
  }
  if (!keys && !useCachedKey()) setGeneratedKey(newKey());
  return keys!;
}

/**
 * Generates the signing key in the background (libuv's thread pool, off the event loop), so the first
 * signature does not pay for it: the emulator calls this once it listens, svl/testing right after start.
 * An in-memory emulator reads the per-user cached key instead when there is one (~2 ms, see key-cache.ts).
 * A durable emulator whose state directory already has its key loads it instead (a few ms), and one
 * whose directory has none writes the background key there. A signature needed before it is ready gets
 * a key synchronously as before; the background key is then dropped.
 */
let warming = false;
export function warmSigningKey(): void {
  if (keys || warming) return;
  if (keyFiles && existsSync(keyFiles.keyPath)) {
    signingKeys();
    return;
  }
  if (!keyFiles && useCachedKey()) return;
  warming = true;
  const files = keyFiles;
  generateKeyPair('rsa', { modulusLength: 2048 }, (err, _publicKey, privateKey) => {
    warming = false;
    if (err || keys) return;
    // Another emulator in this process chose its key files meanwhile (a restart on the same or another state
    // directory): this key was made for a configuration that is gone, and must not become that one's key.
    if (files !== keyFiles) return;
    if (files) {
      // The state directory may have got a key meanwhile (another start); it wins over this one.
      try {
        if (existsSync(files.keyPath)) return void loadOrCreateKeyFiles(files.keyPath, files.certPath);
        writeFileSync(files.keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
        return void loadOrCreateKeyFiles(files.keyPath, files.certPath, privateKey);
      } catch {
        return; // the state directory went away (the emulator closed): the next use decides
      }
    }
    setGeneratedKey(privateKey);
  });
}

/** The X.509 certificate (PEM) served at SigningCertURL. */
export const signingCertificatePem = (): string => signingKeys().certPem;
/** The signing key (PKCS#8 PEM): also the TLS key of the https listener that serves the certificate. */
export const signingPrivateKeyPem = (): string => signingKeys().privatePem;

/**
 * Durable emulators keep their signing key and its certificate in the state directory (key mode 0600),
 * so that notifications signed before a restart (queued messages, pending HTTP deliveries) still verify
 * after it and a certificate trusted once (NODE_EXTRA_CA_CERTS) stays trusted. A state directory from
 * before certificates (key only) gets a certificate for its key; a certificate that no longer matches
 * the key is replaced.
 */
export function useSigningKeyFile(keyPath: string, certPath: string): void {
  // Nothing is read or generated here: an RSA key generation (~200 ms) on a fresh state directory
  // would delay the emulator's first answer. See `signingKeys` and `warmSigningKey`.
  keyFiles = { keyPath, certPath };
  keys = undefined;
  lastSigned.clear();
}

/**
 * An emulator without a state directory: it stops using the last durable emulator's files (in this
 * process), keeping its key if that one was loaded already.
 */
export function useNoSigningKeyFile(): void {
  keyFiles = undefined;
}

/** A durable emulator closing: its key files stop being this process's (the loaded key stays usable). */
export function releaseSigningKeyFile(keyPath: string): void {
  if (keyFiles?.keyPath === keyPath) keyFiles = undefined;
}

function loadOrCreateKeyFiles(keyPath: string, certPath: string, generated?: KeyObject): void {
  let privateKey: KeyObject;
  if (generated) privateKey = generated;
  else if (existsSync(keyPath)) privateKey = createPrivateKey(readFileSync(keyPath, 'utf8'));
  else {
    privateKey = newKey();
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
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
    certPem = certificateFor(privateKey);
    writeFileSync(certPath, certPem);
  }
  setKeys(privateKey, certPem);
}

/**
 * Origins of the https listeners serving the certificate (most recent last): SigningCertURL must be an
 * https URL for standard verifiers (sns-validator refuses any other scheme).
 */
const certPorts: number[] = [];
export function registerCertPort(port: number): () => void {
  certPorts.push(port);
  return () => {
    const i = certPorts.lastIndexOf(port);
    if (i >= 0) certPorts.splice(i, 1);
  };
}

/** SigningCertURL: the https listener on the host the client called, else (none running) the emulator's own origin. */
export function signingCertUrl(baseUrl: string): string {
  const port = certPorts.at(-1);
  if (port === undefined || !baseUrl) return `${baseUrl}${SIGNING_CERT_PATH}`;
  // Built once per (origin, port), not once per subscriber of every message.
  if (lastCertUrl?.baseUrl !== baseUrl || lastCertUrl.port !== port) {
    lastCertUrl = { baseUrl, port, url: `https://${new URL(baseUrl).hostname}:${port}${SIGNING_CERT_PATH}` };
  }
  return lastCertUrl.url;
}
let lastCertUrl: { baseUrl: string; port: number; url: string } | undefined;
export const SIGNING_CERT_PATH = '/_svl/sns/SimpleNotificationService-svl.pem';

/**
 * The signature covers only the message, not the subscription, so every subscriber of one publish gets
 * the same one: the last signature is reused rather than paying an RSA signing per subscriber. One slot
 * per algorithm, so a SignatureVersion 2 topic's notifications and its lambda events (always version 1)
 * do not evict each other.
 */
const lastSigned = new Map<'RSA-SHA1' | 'RSA-SHA256', { canonical: string; signature: string }>();

function sign(fields: Array<[string, string | undefined]>, version: string): string {
  const canonical = fields.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}\n${v}\n`).join('');
  const algorithm = version === '2' ? 'RSA-SHA256' : 'RSA-SHA1';
  const last = lastSigned.get(algorithm);
  if (last?.canonical === canonical) return last.signature;
  const signer = createSign(algorithm);
  signer.update(canonical, 'utf8');
  const signature = signer.sign(signingKeys().privateKey, 'base64');
  lastSigned.set(algorithm, { canonical, signature });
  return signature;
}

const isoTimestamp = (ms: number): string => new Date(ms).toISOString();

export interface NotificationInput {
  messageId: string;
  sequenceNumber?: string;
  topicArn: string;
  subject?: string;
  message: string;
  timestampMs: number;
  subscriptionArn: string;
  baseUrl: string;
  signatureVersion: string;
  fifo: boolean;
  attributes?: Record<string, SnsMessageAttribute>;
}

export function notificationEnvelope(n: NotificationInput): Record<string, unknown> {
  const ts = isoTimestamp(n.timestampMs);
  const env: Record<string, unknown> = { Type: 'Notification', MessageId: n.messageId };
  if (n.sequenceNumber) env.SequenceNumber = n.sequenceNumber;
  env.TopicArn = n.topicArn;
  if (n.subject !== undefined) env.Subject = n.subject;
  env.Message = n.message;
  env.Timestamp = ts;
  if (!n.fifo) {
    // FIFO notifications carry no signature (AWS-recorded).
    env.SignatureVersion = n.signatureVersion;
    env.Signature = sign(
      [
        ['Message', n.message],
        ['MessageId', n.messageId],
        ['Subject', n.subject],
        ['Timestamp', ts],
        ['TopicArn', n.topicArn],
        ['Type', 'Notification'],
      ],
      n.signatureVersion,
    );
    env.SigningCertURL = signingCertUrl(n.baseUrl);
  }
  env.UnsubscribeURL = `${n.baseUrl}/?Action=Unsubscribe&SubscriptionArn=${n.subscriptionArn}`;
  if (n.attributes && Object.keys(n.attributes).length) {
    env.MessageAttributes = Object.fromEntries(
      Object.entries(n.attributes).map(([k, a]) => [k, { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue }]),
    );
  }
  return env;
}

export function confirmationEnvelope(o: {
  messageId: string;
  token: string;
  topicArn: string;
  timestampMs: number;
  baseUrl: string;
}): Record<string, unknown> {
  const message = `You have chosen to subscribe to the topic ${o.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
  return controlEnvelope('SubscriptionConfirmation', message, o);
}

/**
 * What AWS POSTs to an http/https endpoint once it is unsubscribed (docs "HTTP/HTTPS unsubscribe
 * confirmation JSON format"): signed like a SubscriptionConfirmation, over Message, MessageId,
 * SubscribeURL, Timestamp, Token, TopicArn, Type (docs "Verifying the signatures of Amazon SNS messages").
 */
export function unsubscribeConfirmationEnvelope(o: {
  messageId: string;
  token: string;
  topicArn: string;
  subscriptionArn: string;
  timestampMs: number;
  baseUrl: string;
}): Record<string, unknown> {
  const message = `You have chosen to deactivate subscription ${o.subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
  return controlEnvelope('UnsubscribeConfirmation', message, o);
}

function controlEnvelope(
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
  message: string,
  o: { messageId: string; token: string; topicArn: string; timestampMs: number; baseUrl: string },
): Record<string, unknown> {
  const ts = isoTimestamp(o.timestampMs);
  // AWS writes the ARN unencoded (AWS-recorded test_subscribe_external_http_endpoint); ARNs need no escaping in a query.
  const subscribeUrl = `${o.baseUrl}/?Action=ConfirmSubscription&TopicArn=${o.topicArn}&Token=${o.token}`;
  return {
    Type: type,
    MessageId: o.messageId,
    Token: o.token,
    TopicArn: o.topicArn,
    Message: message,
    SubscribeURL: subscribeUrl,
    Timestamp: ts,
    SignatureVersion: '1',
    Signature: sign(
      [
        ['Message', message],
        ['MessageId', o.messageId],
        ['SubscribeURL', subscribeUrl],
        ['Timestamp', ts],
        ['Token', o.token],
        ['TopicArn', o.topicArn],
        ['Type', type],
      ],
      '1',
    ),
    SigningCertURL: signingCertUrl(o.baseUrl),
  };
}
