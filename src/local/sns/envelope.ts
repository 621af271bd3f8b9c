/**
 * The JSON documents SNS sends: Notification (to SQS and HTTP) and SubscriptionConfirmation, with AWS's
 * key order and signature scheme (canonical `key\nvalue\n` lines, SignatureVersion 1 = SHA1withRSA,
 * 2 = SHA256withRSA). See ../shared/reference/aws-wire.md §4.3.
 */
import { generateKeyPairSync, createPrivateKey, createPublicKey, createSign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

let keys: { privateKey: KeyObject; publicPem: string } | undefined;

/** The emulator's signing key: generated once per process, on first use. */
function signingKeys() {
  if (!keys) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }
  return keys;
}

export const signingPublicKeyPem = (): string => signingKeys().publicPem;

/**
 * Durable emulators keep their signing key in the state directory (mode 0600), so that notifications
 * signed before a restart (queued messages, pending HTTP deliveries) still verify after it.
 */
export function useSigningKeyFile(path: string): void {
  let pem: string;
  if (existsSync(path)) pem = readFileSync(path, 'utf8');
  else {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(path, pem, { mode: 0o600 });
  }
  const privateKey = createPrivateKey(pem);
  lastSigned.clear();
  keys = { privateKey, publicPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
}
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
    env.SigningCertURL = `${n.baseUrl}${SIGNING_CERT_PATH}`;
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
  const ts = isoTimestamp(o.timestampMs);
  const message = `You have chosen to subscribe to the topic ${o.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
  // AWS writes the ARN unencoded (AWS-recorded test_subscribe_external_http_endpoint); ARNs need no escaping in a query.
  const subscribeUrl = `${o.baseUrl}/?Action=ConfirmSubscription&TopicArn=${o.topicArn}&Token=${o.token}`;
  return {
    Type: 'SubscriptionConfirmation',
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
        ['Type', 'SubscriptionConfirmation'],
      ],
      '1',
    ),
    SigningCertURL: `${o.baseUrl}${SIGNING_CERT_PATH}`,
  };
}
