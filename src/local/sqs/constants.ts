/** SQS limits and defaults, as AWS documents and records them (see ../shared/reference/aws-wire.md §3). */
export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';

export const MAX_QUEUE_NAME = 80;
export const MAX_BATCH_ENTRIES = 10;
export const MAX_MESSAGE_SIZE = 1_048_576; // 1 MiB since Aug 2025
export const MIN_MESSAGE_SIZE_SETTING = 1024;
export const MAX_BATCH_PAYLOAD = 1_048_576;
export const MAX_MESSAGE_ATTRIBUTES = 10;
export const MAX_RECEIVE = 10;
export const MAX_WAIT_SECONDS = 20;
export const MAX_VISIBILITY_TIMEOUT = 43_200;
export const MAX_DELAY_SECONDS = 900;
export const DEDUP_WINDOW_MS = 5 * 60_000;
export const QUEUE_DELETED_RECENTLY_MS = 60_000;
export const PURGE_INTERVAL_MS = 60_000;
export const MAX_LIST_QUEUES = 1000;
export const MAX_MOVE_RATE = 500;
export const DEFAULT_MOVE_RATE = 500;
export const MAX_TAGS = 50;

/** Settable attributes with their defaults and inclusive integer ranges. */
export const INT_ATTRIBUTES: Record<string, { def: number; min: number; max: number }> = {
  DelaySeconds: { def: 0, min: 0, max: MAX_DELAY_SECONDS },
  MaximumMessageSize: { def: MAX_MESSAGE_SIZE, min: MIN_MESSAGE_SIZE_SETTING, max: MAX_MESSAGE_SIZE },
  MessageRetentionPeriod: { def: 345_600, min: 60, max: 1_209_600 },
  ReceiveMessageWaitTimeSeconds: { def: 0, min: 0, max: MAX_WAIT_SECONDS },
  VisibilityTimeout: { def: 30, min: 0, max: MAX_VISIBILITY_TIMEOUT },
  KmsDataKeyReusePeriodSeconds: { def: 300, min: 60, max: 86_400 },
};

export const FIFO_ONLY_ATTRIBUTES = ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'];

/** Attributes a client may set (CreateQueue / SetQueueAttributes). */
export const SETTABLE_ATTRIBUTES = new Set([
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** Every attribute GetQueueAttributes knows, in the order AWS lists them for `All`. */
export const ALL_QUEUE_ATTRIBUTES = [
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
];

export const MESSAGE_SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];

/** SenderId reported for messages sent with the emulator's static credentials. */
export const SENDER_ID = 'AIDAIT2UOQQY3AUEKVGXU';
