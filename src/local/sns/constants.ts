/** SNS limits and defaults (AWS documentation; ../shared/reference/aws-wire.md §4). */
export const MAX_MESSAGE_BYTES = 262_144; // 256 KiB, message plus attributes
export const MAX_SUBJECT = 100;
export const MAX_MESSAGE_ATTRIBUTES = 10;
export const PAGE_SIZE = 100;
export const DEDUP_WINDOW_MS = 5 * 60_000;
export const MAX_BATCH = 10;
export const SNS_PRINCIPAL = 'sns.amazonaws.com';

export const TOPIC_SETTABLE = new Set([
  'DeliveryPolicy',
  'DisplayName',
  'Policy',
  'KmsMasterKeyId',
  'SignatureVersion',
  'TracingConfig',
  'FifoTopic',
  'ContentBasedDeduplication',
  'ArchivePolicy',
  'FifoThroughputScope',
  'DataProtectionPolicy',
  'HTTPSuccessFeedbackRoleArn',
  'HTTPSuccessFeedbackSampleRate',
  'HTTPFailureFeedbackRoleArn',
  'SQSSuccessFeedbackRoleArn',
  'SQSSuccessFeedbackSampleRate',
  'SQSFailureFeedbackRoleArn',
  'LambdaSuccessFeedbackRoleArn',
  'LambdaSuccessFeedbackSampleRate',
  'LambdaFailureFeedbackRoleArn',
  'ApplicationSuccessFeedbackRoleArn',
  'ApplicationSuccessFeedbackSampleRate',
  'ApplicationFailureFeedbackRoleArn',
  'FirehoseSuccessFeedbackRoleArn',
  'FirehoseSuccessFeedbackSampleRate',
  'FirehoseFailureFeedbackRoleArn',
]);

export const SUBSCRIPTION_SETTABLE = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);

export const PROTOCOLS = new Set(['sqs', 'lambda', 'http', 'https', 'email', 'email-json', 'sms', 'application', 'firehose']);

/** The default HTTP delivery policy AWS reports as EffectiveDeliveryPolicy. */
export const DEFAULT_DELIVERY_POLICY = {
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: 'linear',
    },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
};

/**
 * The operations of SNS's occasional parts, which are imported by the first of their operations and not at
 * start (service.ts, `optionalParts`). Each part's `ops` is typed by its list, so the compiler keeps the two
 * identical.
 */
export const PLATFORM_OPERATIONS = [
  'CreatePlatformApplication',
  'GetPlatformApplicationAttributes',
  'SetPlatformApplicationAttributes',
  'ListPlatformApplications',
  'DeletePlatformApplication',
  'CreatePlatformEndpoint',
  'GetEndpointAttributes',
  'SetEndpointAttributes',
  'ListEndpointsByPlatformApplication',
  'DeleteEndpoint',
] as const;
export const SMS_OPERATIONS = [
  'SetSMSAttributes',
  'GetSMSAttributes',
  'CheckIfPhoneNumberIsOptedOut',
  'ListPhoneNumbersOptedOut',
  'OptInPhoneNumber',
  'GetSMSSandboxAccountStatus',
  'CreateSMSSandboxPhoneNumber',
  'VerifySMSSandboxPhoneNumber',
  'ListSMSSandboxPhoneNumbers',
  'DeleteSMSSandboxPhoneNumber',
  'ListOriginationNumbers',
] as const;
export const DATA_PROTECTION_OPERATIONS = ['PutDataProtectionPolicy', 'GetDataProtectionPolicy'] as const;
