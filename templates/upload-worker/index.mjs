// An upload worker for AWS Lambda (Node.js runtime, ESM), fed by an SQS queue that an S3 bucket notifies
// (s3:ObjectCreated:*). Each SQS message body is an S3 event with one record per object; S3's own
// s3:TestEvent (sent once when the notification is configured) is skipped. Object keys arrive URL-encoded
// as S3 encodes them (a space is "+"): decode them before use. Partial batch failures are reported, so
// only failed messages return to the queue (and, after maxReceiveCount, to its DLQ).
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
        if (r.eventSource !== 'aws:s3') continue;
        await processUpload({ bucket: r.s3.bucket.name, key: decodeKey(r.s3.object.key), size: r.s3.object.size ?? 0, event: r.eventName });
      }
    } catch (err) {
      console.error(`message ${record.messageId} failed: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};

/** S3 event keys are URL-encoded with "+" for spaces. */
export const decodeKey = (key) => decodeURIComponent(key.replace(/\+/g, ' '));

async function processUpload({ bucket, key, size, event }) {
  // Your work here: read the object with @aws-sdk/client-s3 (GetObject), resize it, index it, ...
  console.log(`processing s3://${bucket}/${key} (${size} bytes, ${event})`);
}
