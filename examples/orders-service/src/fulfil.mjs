// The `fulfil` Lambda function: reads orders from the fulfilment queue (SNS envelopes), sends each valid
// one to the shipments queue, and reports the invalid ones as batch item failures so that only they are
// retried (and, after maxReceiveCount receives, land in the DLQ).
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';

let sqs;
// The client is created on first use from the environment (AWS_ENDPOINT_URL, AWS_REGION, credentials):
// on AWS the function's role, in tests the emulator's `svl.env`.
const client = () => (sqs ??= new SQSClient({}));

export function parseOrder(body) {
  const envelope = JSON.parse(body);
  const order = JSON.parse(envelope.Message);
  if (!order.id || !Array.isArray(order.items) || order.items.length === 0) throw new Error(`order ${order.id ?? '?'} has no items`);
  return order;
}

export async function handler(event) {
  const batchItemFailures = [];
  for (const record of event.Records) {
    try {
      const order = parseOrder(record.body);
      await client().send(
        new SendMessageCommand({
          QueueUrl: process.env.SHIPMENTS_QUEUE_URL,
          MessageBody: JSON.stringify({ orderId: order.id, parcels: order.items.length }),
        }),
      );
    } catch (err) {
      console.error(`cannot fulfil ${record.messageId}: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
