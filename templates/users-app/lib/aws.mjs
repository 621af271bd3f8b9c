// The three AWS calls the functions make: SNS Publish, S3 Put/Get object and S3 list keys. On AWS the
// Node.js runtime ships the AWS SDK v3 and the function's execution role signs the calls. On svl's
// emulator AWS_ENDPOINT_URL is set and the SDK is not shipped to handlers, so the same calls are plain
// HTTP requests to the emulator (it needs no signature): SNS's Query protocol and S3's REST API.
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
 * Writes an object. No `ACL: 'public-read'`: buckets created since April 2023 have ACLs disabled (Object
 * Ownership "bucket owner enforced") and Block Public Access on, so that call fails with
 * AccessControlListNotSupported; share objects with presigned URLs or CloudFront instead.
 */
export async function putObject(bucket, key, body, contentType = 'application/octet-stream') {
  if (!endpoint) {
    const { S3, s3 } = await aws();
    await s3.send(new S3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    return;
  }
  const res = await fetch(`${endpoint}/${bucket}/${keyPath(key)}`, { method: 'PUT', headers: { 'content-type': contentType }, body });
  if (!res.ok) throw new Error(`S3 PutObject ${key} failed: HTTP ${res.status} ${await res.text()}`);
}

/** The object's bytes, or undefined when there is no such key. */
export async function getObject(bucket, key) {
  if (!endpoint) {
    const { S3, s3 } = await aws();
    try {
      const out = await s3.send(new S3.GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (err.name === 'NoSuchKey') return undefined;
      throw err;
    }
  }
  const res = await fetch(`${endpoint}/${bucket}/${keyPath(key)}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`S3 GetObject ${key} failed: HTTP ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
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
