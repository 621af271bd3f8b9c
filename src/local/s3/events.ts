/**
 * The hook between the S3 emulator core and the notification module: S3Service calls
 * `events.objectEvent` once per object creation or removal, inside the transaction that commits it (so
 * deliveries written to SQLite commit with the object) and before the response is written, and
 * `bucketRemoved` once a bucket (with its notification configuration) is deleted. The core knows nothing
 * of notification configurations or destinations; the notification module attaches its sink with
 * `S3Service.attachEventSink`.
 */
export type S3EventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Post'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete'
  | 'ObjectRemoved:DeleteMarkerCreated';

export interface S3ObjectEvent {
  eventName: S3EventName;
  bucket: string;
  region: string;
  /** The object key, decoded (the notification module encodes it as AWS does). */
  key: string;
  /** Creations only. */
  size?: number;
  /** Creations only; without quotes, as in event records. */
  eTag?: string;
  versionId?: string;
  /** 16 upper-case hex digits of a per-bucket counter: increases per event on the bucket, hence per key. */
  sequencer: string;
  requestId: string;
  hostId: string;
  sourceIp: string;
  timeMs: number;
}

export interface S3EventSink {
  objectEvent(e: S3ObjectEvent): void;
  /** The bucket and its notification configuration row are gone (drop anything cached about it). */
  bucketRemoved?(bucket: string): void;
}

export const NO_EVENTS: S3EventSink = { objectEvent() {} };

/** The sequencer text of a per-bucket counter value. */
export const sequencer = (seq: number) => seq.toString(16).toUpperCase().padStart(16, '0');
