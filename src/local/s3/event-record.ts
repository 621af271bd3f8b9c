/**
 * The JSON S3 sends to a notification destination: the event record (`{"Records":[…]}`) and the
 * `s3:TestEvent` sent when a configuration is applied, plus the key encoding AWS uses in records.
 * Pure functions; delivery (which destination, which API) is delivery.ts's.
 *
 * Shape and member order as AWS's documentation (notification-content-structure.html) and the records
 * LocalStack captured from real AWS (test_s3_notifications_sqs/sns snapshots, eventVersion 2.1):
 * - ObjectCreated:* carry size and eTag (no quotes); ObjectRemoved:Delete carries neither;
 *   ObjectRemoved:DeleteMarkerCreated carries the eTag of an empty body (d41d8cd9…) and no size
 *   (recorded test_object_created_put_versioned); versionId only when the event has one.
 * - The key is URL-encoded the way Java's URLEncoder does it (space -> '+', '@' -> %40, UTF-8 bytes as
 *   %XX) except that '/' stays as it is (recorded: "a@b" -> "a%40b", "testupload/dir1/testfile.txt"
 *   unchanged; documented: "red flower.jpg" -> "red+flower.jpg"). Characters outside those examples follow
 *   URLEncoder (unreserved: A-Z a-z 0-9 . - * _), which is UNVERIFIED for '*' and '~'.
 * - Deliberately different: principal ids are fixed emulator values (`AWS:<account>` for the caller, the
 *   account id for the bucket owner); AWS writes the caller's IAM unique id and the owner's canonical id.
 */
import type { S3ObjectEvent } from './events.js';

export const EVENT_VERSION = '2.1';
/** The ETag of an empty object, which AWS puts in DeleteMarkerCreated records. */
export const EMPTY_ETAG = 'd41d8cd98f00b204e9800998ecf8427e';

/** What a record is made of: events.ts's S3ObjectEvent (any event name, for the records of tests). */
export type RecordSource = Omit<S3ObjectEvent, 'eventName'> & { eventName: string };

const UNRESERVED = /[A-Za-z0-9.\-*_/]/;
/** Most keys need no encoding: one test instead of one per character. */
const ALL_UNRESERVED = /^[A-Za-z0-9.\-*_/]*$/;

/** A key as S3 event records write it (see the header: URLEncoder with '/' kept). */
export function encodeEventKey(key: string): string {
  if (ALL_UNRESERVED.test(key)) return key;
  let out = '';
  for (const ch of key) {
    if (ch === ' ') out += '+';
    else if (UNRESERVED.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `"abc"` -> `abc`: records carry the ETag without its quotes. */
const bareETag = (eTag: string) => eTag.replace(/^"|"$/g, '');

/** The record object (one element of `Records`). */
export function eventRecord(e: RecordSource, configurationId: string, account: string): Record<string, unknown> {
  const object: Record<string, unknown> = { key: encodeEventKey(e.key) };
  if (e.eventName.startsWith('ObjectCreated:')) {
    if (e.size !== undefined) object.size = e.size;
    if (e.eTag !== undefined) object.eTag = bareETag(e.eTag);
  } else if (e.eventName === 'ObjectRemoved:DeleteMarkerCreated') {
    object.eTag = EMPTY_ETAG;
  }
  if (e.versionId !== undefined && e.versionId !== 'null') object.versionId = e.versionId;
  object.sequencer = e.sequencer;
  return {
    eventVersion: EVENT_VERSION,
    eventSource: 'aws:s3',
    awsRegion: e.region,
    eventTime: new Date(e.timeMs).toISOString(),
    eventName: e.eventName,
    userIdentity: { principalId: `AWS:${account}` },
    requestParameters: { sourceIPAddress: e.sourceIp },
    responseElements: { 'x-amz-request-id': e.requestId, 'x-amz-id-2': e.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId,
      bucket: { name: e.bucket, ownerIdentity: { principalId: account }, arn: bucketArn(e.bucket) },
      object,
    },
  };
}

const str = JSON.stringify;

/** The parts of a message that depend only on region, event name, account, configuration and bucket. */
interface Template {
  head: string;
  identity: string;
  s3: string;
}
const templates = new Map<string, Template>();

function template(e: RecordSource, configurationId: string, account: string): Template {
  const id = `${e.region}\n${e.eventName}\n${account}\n${configurationId}\n${e.bucket}`;
  let t = templates.get(id);
  if (!t) {
    t = {
      head: `{"Records":[{"eventVersion":"${EVENT_VERSION}","eventSource":"aws:s3","awsRegion":${str(e.region)},"eventTime":"`,
      identity: `","eventName":${str(e.eventName)},"userIdentity":{"principalId":${str(`AWS:${account}`)}},"requestParameters":{"sourceIPAddress":`,
      s3:
        `},"s3":{"s3SchemaVersion":"1.0","configurationId":${str(configurationId)},` +
        `"bucket":{"name":${str(e.bucket)},"ownerIdentity":{"principalId":${str(account)}},"arn":${str(bucketArn(e.bucket))}},"object":`,
    };
    if (templates.size >= 1000) templates.clear();
    templates.set(id, t);
  }
  return t;
}

/**
 * The message body a destination receives: `{"Records":[record]}`, the text JSON.stringify makes of it
 * (same members, same order), written directly from parts cached per bucket and configuration: building
 * and serialising the nested record object was a noticeable part of a notified PUT's CPU.
 */
export function eventMessage(e: RecordSource, configurationId: string, account: string): string {
  const created = e.eventName.startsWith('ObjectCreated:');
  let object = `{"key":${str(encodeEventKey(e.key))}`;
  if (created) {
    if (e.size !== undefined) object += `,"size":${str(e.size)}`;
    if (e.eTag !== undefined) object += `,"eTag":${str(bareETag(e.eTag))}`;
  } else if (e.eventName === 'ObjectRemoved:DeleteMarkerCreated') object += `,"eTag":"${EMPTY_ETAG}"`;
  if (e.versionId !== undefined && e.versionId !== 'null') object += `,"versionId":${str(e.versionId)}`;
  object += `,"sequencer":${str(e.sequencer)}}`;
  const t = template(e, configurationId, account);
  return (
    `${t.head}${new Date(e.timeMs).toISOString()}${t.identity}${str(e.sourceIp)}},` +
    `"responseElements":{"x-amz-request-id":${str(e.requestId)},"x-amz-id-2":${str(e.hostId)}${t.s3}${object}}}]}`
  );
}

/** The `s3:TestEvent` body sent to queues and topics when a configuration is applied (AWS's documented form). */
export function testEventMessage(bucket: string, requestId: string, hostId: string, timeMs: number): string {
  return JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date(timeMs).toISOString(), Bucket: bucket, RequestId: requestId, HostId: hostId });
}

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
