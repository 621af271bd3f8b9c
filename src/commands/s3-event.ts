/**
 * S3 event notifications as `svl tail` and `svl dlq peek` show them: a message body (already unwrapped
 * from an SNS envelope) that is an S3 event is summarised record by record — event name, bucket, the
 * object key decoded as S3 encodes it (form encoding: `+` is a space, then percent-decoding), size — and
 * S3's `s3:TestEvent` (sent once when a notification configuration is put) is named for what it is.
 * Pure; anything that is not an S3 event gives null. It does not fetch the objects.
 */

export interface S3EventRecord {
  event: string;
  bucket: string;
  /** The object key, decoded. */
  key: string;
  /** The key as the event carries it (URL-encoded). */
  rawKey: string;
  /** Bytes; null for removals (S3 sends no size then). */
  size: number | null;
  eTag: string | null;
  time: string | null;
}

export type S3EventInfo = { test: true; bucket: string; time: string | null } | { test: false; records: S3EventRecord[] };

/** `a+b%2Bc.jpg` -> `a b+c.jpg`; a malformed escape leaves the key as it came. */
export function decodeS3Key(raw: string): string {
  const spaced = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function decodeS3Event(body: unknown): S3EventInfo | null {
  if (!isObj(body)) return null;
  if (body.Event === 's3:TestEvent' && body.Service === 'Amazon S3') return { test: true, bucket: str(body.Bucket) ?? '', time: str(body.Time) };
  if (!Array.isArray(body.Records) || body.Records.length === 0) return null;
  const records: S3EventRecord[] = [];
  for (const r of body.Records) {
    if (!isObj(r) || r.eventSource !== 'aws:s3' || !isObj(r.s3)) return null;
    const bucket = isObj(r.s3.bucket) ? str(r.s3.bucket.name) : null;
    const object = isObj(r.s3.object) ? r.s3.object : {};
    const rawKey = str(object.key) ?? '';
    records.push({
      event: `s3:${str(r.eventName) ?? ''}`.replace(/^s3:s3:/, 's3:'),
      bucket: bucket ?? '',
      key: decodeS3Key(rawKey),
      rawKey,
      size: typeof object.size === 'number' ? object.size : null,
      eTag: str(object.eTag),
      time: str(r.eventTime),
    });
  }
  return { test: false, records };
}

/** One line per record: `s3:ObjectCreated:Put s3://bucket/my photo.jpg (1,234 bytes)`, or the test event's. */
export function describeS3Event(e: S3EventInfo): string[] {
  if (e.test) return [`S3 test event: bucket ${e.bucket}'s notification configuration was set (no object; consumers skip it)`];
  return e.records.map((r) => `${r.event} s3://${r.bucket}/${r.key}${r.size !== null ? ` (${r.size.toLocaleString('en-US')} bytes)` : ''}`);
}
