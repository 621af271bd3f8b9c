// Consumer of the image queue, which the bucket notifies for every object created under uploads/. Each
// SQS message body is an S3 event; S3's own s3:TestEvent (sent once when the notification is set up) has
// no Records and is skipped, not treated as an error. Object keys arrive URL-encoded ("+" for a space).
// Thumbnails go under thumbnails/, outside the notified prefix: writing them into uploads/ would notify
// the queue again, forever. Failures are reported per message (batchItemFailures), never as
// {statusCode: 500}, which the event source mapping would take for success and delete the batch.
// Thumbnails are COPIES of the upload, not smaller images: no image library is bundled (see resize()).
import { getObject, putObject } from './lib/aws.mjs';

const SIZES = [64, 256];

const bucket = () => {
  const b = process.env.BUCKET;
  if (!b) throw new Error('BUCKET is not set: the function needs the name of the image bucket');
  return b;
};

export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records ?? []) {
    try {
      const body = JSON.parse(record.body);
      if (body.Event === 's3:TestEvent') {
        console.log(`skipping the S3 test event of bucket ${body.Bucket}`);
        continue;
      }
      for (const r of body.Records ?? []) {
        // The bucket is the configured one (env BUCKET), never the message's: the original read and wrote
        // whatever bucket the message named, and this queue is also subscribed to the users topic (with a
        // filter), so anyone allowed to publish there could make it copy objects across buckets. Records
        // that are not S3's own events for this bucket are logged and dropped, not retried.
        if (r?.eventSource !== 'aws:s3' || r.s3?.bucket?.name !== bucket()) {
          console.warn(`ignoring a record that is not an S3 event of bucket ${bucket()}: source ${JSON.stringify(r?.eventSource)}, bucket ${JSON.stringify(r?.s3?.bucket?.name)}`);
          continue;
        }
        if (typeof r.eventName !== 'string' || !r.eventName.startsWith('ObjectCreated:')) continue;
        const key = decodeURIComponent(String(r.s3.object?.key).replace(/\+/g, ' '));
        if (!key.startsWith('uploads/')) {
          console.warn(`ignoring ${key}: only uploads/ is notified`);
          continue;
        }
        await thumbnails(bucket(), key);
      }
    } catch (err) {
      console.error(`message ${record.messageId} failed: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};

async function thumbnails(bucket, key) {
  const image = await getObject(bucket, key);
  if (image === undefined) {
    console.log(`s3://${bucket}/${key} is gone; nothing to do`);
    return;
  }
  const name = key.replace(/^uploads\//, '');
  for (const size of SIZES) await putObject(bucket, `thumbnails/${size}/${name}`, resize(image, size), contentType(key));
  console.log(`thumbnails of s3://${bucket}/${key}: ${SIZES.map((s) => `thumbnails/${s}/${name}`).join(', ')}`);
}

/**
 * Does NOT resize: it answers the image unchanged, so every "thumbnail" is a full-size copy. Decoding
 * and scaling PNG, JPEG, GIF and WebP takes an image library (sharp is a native module), which this
 * template does not bundle. Add one as a dependency or a Lambda layer and scale `image` to `size`
 * pixels here; the rest of the pipeline (keys, content types, notifications) stays as it is.
 */
function resize(image, _size) {
  return image;
}

const contentType = (key) => ({ png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' })[key.split('.').pop()] ?? 'application/octet-stream';
