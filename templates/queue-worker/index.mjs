// A queue worker for AWS Lambda (Node.js runtime, ESM). Reports partial batch failures so that only the
// failed messages return to the queue (and, after maxReceiveCount, to its DLQ); the others are deleted.
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records ?? []) {
    try {
      const job = JSON.parse(record.body);
      await processJob(job);
    } catch (err) {
      console.error(`job ${record.messageId} failed: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};

async function processJob(job) {
  if (!job || typeof job !== 'object') throw new Error('a job is a JSON object');
  console.log(`processing job ${job.id ?? '(no id)'}`);
}
