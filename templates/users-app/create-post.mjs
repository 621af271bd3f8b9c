// Consumer of the posts queue (SQS -> Lambda, raw delivery from the topic): writes a welcome post for
// every "user added" event. A message it cannot handle is reported in batchItemFailures, so SQS returns
// just that one to the queue and, after maxReceiveCount (5) receives, moves it to users-app-posts-dlq.
// Returning {statusCode: 500} instead, as HTTP handlers do, would be a SUCCESS for the event source
// mapping: the whole batch would be deleted and the failure lost.
import { putPost } from './lib/store.mjs';

export const handler = async (event) => {
  const batchItemFailures = [];
  for (const record of event.Records ?? []) {
    try {
      await handle(JSON.parse(record.body));
    } catch (err) {
      console.error(`message ${record.messageId} failed: ${err.message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};

async function handle(message) {
  if (message?.type !== 'user-added') throw new Error(`unknown message type ${JSON.stringify(message?.type)}`);
  const { user } = message;
  // The post id is derived from the user: a message received twice (SQS delivers at least once) writes
  // the same post again instead of a second one.
  await putPost({ userId: user.userId, postId: `welcome-${user.userId}`, text: `Welcome, ${user.name}!`, author: 'users-app', createdAt: user.createdAt ?? new Date().toISOString() });
  console.log(`welcome post written for ${user.userId}`);
}
