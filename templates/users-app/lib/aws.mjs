// The AWS calls the functions make: SNS Publish, S3 Put object (plain or conditional), Get object and
// list keys. On AWS the Node.js runtime ships the AWS SDK v3 and the function's execution role signs the
// calls. On svl's emulator AWS_ENDPOINT_URL is set and the SDK is not shipped to handlers, so the same
// calls are plain HTTP requests to the emulator (it needs no signature): SNS's Query protocol and S3's
// REST API.
const endpoint = process.env.AWS_ENDPOINT_URL;
let sdk;

const aws = async () =>
  (sdk ??= Promise.all([import('@aws-sdk/client-sns'), import('@aws-sdk/client-s3')]).then(([SNS, S3]) => ({
    SNS,
    S3,
    sns: new SNS.SNSClient({}),
    s3: new S3.S3Client({}),
  })));

const keyPath = (key) => key.split('/').map(encodeURIComponent).join('/');

/** Publishes `message` (a string: SNS refuses anything else) with string message attributes. */
export async function publish(topicArn, message, attributes = {}) {
  if (typeof message !== 'string') throw new TypeError('an SNS message is a string: JSON.stringify it');
  if (!endpoint) {
    const { SNS, sns } = await aws();
    const MessageAttributes = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
    await sns.send(new SNS.PublishCommand({ TopicArn: topicArn, Message: message, MessageAttributes }));
    return;
  }
  const body = new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn: topicArn, Message: message });
  Object.entries(attributes).forEach(([k, v], i) => {
    body.set(`MessageAttributes.entry.${i + 1}.Name`, k);
    body.set(`MessageAttributes.entry.${i + 1}.Value.DataType`, 'String');
    body.set(`MessageAttributes.entry.${i + 1}.Value.StringValue`, v);
  });
  const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  if (!res.ok) throw new Error(`SNS Publish failed: HTTP ${res.status} ${await res.text()}`);
}

/**
 * S3 refused a conditional write: `If-None-Match: *` and the key exists, or `If-Match` and the object
 * changed since it was read (HTTP 412). AWS also answers 409 ConditionalRequestConflict when another
 * conditional write of the key is in flight; both mean "you lost the race: read again and decide".
 */
export class PreconditionFailed extends Error {
  constructor(key) {
    super(`the conditional write of ${key} lost to another writer`);
    this.name = 'PreconditionFailed';
  }
}

/**
 * Writes an object and answers its ETag. `ifNoneMatch: '*'` writes only if the key does not exist;
 * `ifMatch: <etag>` only if it still has that ETag. A lost race throws PreconditionFailed; `ifMatch` on
 * a key that no longer exists writes nothing and answers undefined.
 * Conditional writes need a recent SDK (PutObjectCommand IfMatch/IfNoneMatch, late 2024), which the
 * current Node.js runtimes ship.
 * No `ACL: 'public-read'`: buckets created since April 2023 have ACLs disabled (Object Ownership
 * "bucket owner enforced") and Block Public Access on, so that call fails with
 * AccessControlListNotSupported; share objects with presigned URLs or CloudFront instead.
 */
export async function putObject(bucket, key, body, contentType = 'application/octet-stream', { ifNoneMatch, ifMatch } = {}) {
  if (!endpoint) {
    const { S3, s3 } = await aws();
    try {
      const out = await s3.send(new S3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, IfNoneMatch: ifNoneMatch, IfMatch: ifMatch }));
      return out.ETag;
    } catch (err) {
      const status = err.$metadata?.httpStatusCode;
      if (status === 412 || (status === 409 && err.name === 'ConditionalRequestConflict')) throw new PreconditionFailed(key);
      if (ifMatch !== undefined && (status === 404 || err.name === 'NoSuchKey')) return undefined;
      throw err;
    }
  }
  const headers = { 'content-type': contentType, ...(ifNoneMatch && { 'if-none-match': ifNoneMatch }), ...(ifMatch && { 'if-match': ifMatch }) };
  const res = await fetch(`${endpoint}/${bucket}/${keyPath(key)}`, { method: 'PUT', headers, body });
  if (res.status === 412 || (res.status === 409 && (ifMatch || ifNoneMatch))) throw new PreconditionFailed(key);
  if (ifMatch !== undefined && res.status === 404) return undefined;
  if (!res.ok) throw new Error(`S3 PutObject ${key} failed: HTTP ${res.status} ${await res.text()}`);
  return res.headers.get('etag');
}

/** The object's bytes, or undefined when there is no such key. */
export async function getObject(bucket, key) {
  return (await readObject(bucket, key))?.body;
}

/** The object's bytes and ETag (for a conditional write back: `ifMatch`), or undefined when there is no such key. */
export async function readObject(bucket, key) {
  if (!endpoint) {
    const { S3, s3 } = await aws();
    try {
      const out = await s3.send(new S3.GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: Buffer.from(await out.Body.transformToByteArray()), etag: out.ETag };
    } catch (err) {
      if (err.name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
  const res = await fetch(`${endpoint}/${bucket}/${keyPath(key)}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`S3 GetObject ${key} failed: HTTP ${res.status} ${await res.text()}`);
  return { body: Buffer.from(await res.arrayBuffer()), etag: res.headers.get('etag') };
}

const unescapeXml = (s) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]);

/** Every key under `prefix` (ListObjectsV2, page after page). */
export async function listKeys(bucket, prefix) {
  const keys = [];
  let token;
  do {
    if (!endpoint) {
      const { S3, s3 } = await aws();
      const out = await s3.send(new S3.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(out.Contents ?? []).map((o) => o.Key));
      token = out.NextContinuationToken;
      continue;
    }
    const q = new URLSearchParams({ 'list-type': '2', prefix, ...(token && { 'continuation-token': token }) });
    const res = await fetch(`${endpoint}/${bucket}?${q}`);
    const xml = await res.text();
    if (!res.ok) throw new Error(`S3 ListObjectsV2 ${prefix} failed: HTTP ${res.status} ${xml}`);
    keys.push(...[...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1])));
    token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? unescapeXml(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? '') || undefined : undefined;
  } while (token);
  return keys;
}
