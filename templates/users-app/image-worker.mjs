// Consumer of the image queue, which the bucket notifies for every object created under uploads/. Each
// SQS message body is an S3 event; S3's own s3:TestEvent (sent once when the notification is set up) has
// no Records and is skipped, not treated as an error. Object keys arrive URL-encoded ("+" for a space).
// Thumbnails go under thumbnails/, outside the notified prefix: writing them into uploads/ would notify
// the queue again, forever. Failures are reported per message (batchItemFailures), never as
// {statusCode: 500}, which the event source mapping would take for success and delete the batch.
import { getObject, putObject } from './lib/aws.mjs';

const SIZES = [64, 256];

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
        if (r.eventSource !== 'aws:s3' || !r.eventName.startsWith('ObjectCreated:')) continue;
        await thumbnails(r.s3.bucket.name, decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
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
 * Where the resizing goes. Image libraries (sharp) are native modules that this template does not
 * bundle; add one as a dependency or a Lambda layer and scale `image` to `size` pixels here.
 */
function resize(image, _size) {
  return image;
}

const contentType = (key) => ({ png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' })[key.split('.').pop()] ?? 'application/octet-stream';
