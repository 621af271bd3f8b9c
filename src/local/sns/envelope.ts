/**
 * The JSON documents SNS sends: Notification (to SQS and HTTP) and SubscriptionConfirmation, with AWS's
 * key order and signature scheme (canonical `key\nvalue\n` lines, SignatureVersion 1 = SHA1withRSA,
 * 2 = SHA256withRSA). See ../shared/reference/aws-wire.md §4.3. The key and its certificate are
 * signing-key.ts's; this module does not make, store or serve them.
 */
import { sign as rsaSign } from 'node:crypto';
import { SIGNING_CERT_PATH, signingKeyGeneration, signingPrivateKey } from './signing-key.js';

export { SIGNING_CERT_PATH, signingCertificatePem } from './signing-key.js';

export interface SnsMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
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
function signingCertUrl(baseUrl: string): string {
  const port = certPorts.at(-1);
  if (port === undefined || !baseUrl) return `${baseUrl}${SIGNING_CERT_PATH}`;
  // Built once per (origin, port), not once per subscriber of every message.
  if (lastCertUrl?.baseUrl !== baseUrl || lastCertUrl.port !== port) {
    lastCertUrl = { baseUrl, port, url: `https://${new URL(baseUrl).hostname}:${port}${SIGNING_CERT_PATH}` };
  }
  return lastCertUrl.url;
}
let lastCertUrl: { baseUrl: string; port: number; url: string } | undefined;

/**
 * The signature covers only the message, not the subscription, so every subscriber of one publish gets
 * the same one: the last signature is reused rather than paying an RSA signing per subscriber. One slot
 * per algorithm, so a SignatureVersion 2 topic's notifications and its lambda events (always version 1)
 * do not evict each other.
 */
const lastSigned = new Map<'sha1' | 'sha256', { canonical: string; key: number; signature: string }>();

function sign(fields: Array<[string, string | undefined]>, version: string): string {
  let canonical = '';
  for (const [k, v] of fields) if (v !== undefined) canonical += `${k}\n${v}\n`;
  const algorithm = version === '2' ? 'sha256' : 'sha1';
  const key = signingPrivateKey(); // first: it may make the key, which changes the generation
  const last = lastSigned.get(algorithm);
  if (last?.canonical === canonical && last.key === signingKeyGeneration()) return last.signature;
  // RSASSA-PKCS1-v1_5 (node's default padding for an RSA key): SHA1withRSA / SHA256withRSA. The cheapest
  // call Node offers (measured, RSA-1024, CPU per signature, load ~5-10): crypto.sign with the KeyObject
  // ~110 µs (sha1 and sha256 alike), where `openssl speed rsa1024` signs in ~100 µs: what is left is
  // OpenSSL's own per-call set-up. createSign().update().sign() and privateEncrypt of the DigestInfo cost
  // the same; a PEM string instead of the KeyObject ~700 µs (parsed every call); a 3-prime 1024-bit key is
  // slower with OpenSSL 3.0 (`openssl speed -primes 3`: ~130-150 µs).
  const signature = rsaSign(algorithm, Buffer.from(canonical, 'utf8'), key).toString('base64');
  lastSigned.set(algorithm, { canonical, key: signingKeyGeneration(), signature });
  return signature;
}

/** ISO-8601 with milliseconds; the last one is kept (every delivery and entry of a publish shares its time). */
let lastTimestamp = { ms: NaN, iso: '' };
function isoTimestamp(ms: number): string {
  if (lastTimestamp.ms !== ms) lastTimestamp = { ms, iso: new Date(ms).toISOString() };
  return lastTimestamp.iso;
}

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

/**
 * The Notification document of one message for any of its subscriptions, in pieces: the same bytes as
 * `JSON.stringify(notificationEnvelope({...n, subscriptionArn}))` are `head + unsubscribeUrl(arn) + tail`,
 * built (and signed) once per message rather than once per subscriber. Only UnsubscribeURL differs between
 * subscribers, and it comes after every other key but MessageAttributes. `unsubscribeUrl` gives the JSON
 * string of a subscription's UnsubscribeURL. Each piece begins and ends with an ASCII character, so what is measured or digested of the shared ones holds for every subscription's text
 * (sns/queue-delivery.ts).
 */
export interface NotificationParts {
  head: string;
  unsubscribeUrl: (subscriptionArn: string) => string;
  tail: string;
}

export function notificationParts(n: Omit<NotificationInput, 'subscriptionArn'>): NotificationParts {
  const env = notificationEnvelope({ ...n, subscriptionArn: '' });
  const attributes = env.MessageAttributes;
  delete env.UnsubscribeURL;
  delete env.MessageAttributes;
  const body = JSON.stringify(env);
  const head = `${body.slice(0, -1)},"UnsubscribeURL":`;
  const tail = attributes === undefined ? '}' : `,"MessageAttributes":${JSON.stringify(attributes)}}`;
  const baseUrl = n.baseUrl;
  return { head, unsubscribeUrl: (subscriptionArn) => unsubscribeUrlJson(baseUrl, subscriptionArn), tail };
}

/**
 * The JSON string of a subscription's UnsubscribeURL, kept per subscription for the origin last asked for
 * (every publish through one listener has the same): one string per subscription, not one per delivery.
 */
function unsubscribeUrlJson(baseUrl: string, subscriptionArn: string): string {
  if (unsubscribeUrls.baseUrl !== baseUrl || unsubscribeUrls.byArn.size >= 10_000) unsubscribeUrls = { baseUrl, byArn: new Map() };
  let json = unsubscribeUrls.byArn.get(subscriptionArn);
  if (json === undefined) {
    json = JSON.stringify(`${baseUrl}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`);
    unsubscribeUrls.byArn.set(subscriptionArn, json);
  }
  return json;
}
let unsubscribeUrls = { baseUrl: '', byArn: new Map<string, string>() };

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
