/**
 * Named SQS errors. `code` is the JSON 1.0 `__type` short name; `queryCode` is the legacy Query code
 * that AWS also sends in `x-amzn-query-error`. HTTP statuses and messages follow responses recorded
 * against AWS (../shared/reference/aws-wire.md §1.5).
 */
import { AwsError } from '../../domain/aws-error.js';
import { MAX_BATCH_ENTRIES, MAX_BATCH_PAYLOAD } from './constants.js';

const MODELED = new Set([
  'BatchEntryIdsNotDistinct', 'BatchRequestTooLong', 'EmptyBatchRequest', 'InvalidAddress', 'InvalidAttributeName',
  'InvalidAttributeValue', 'InvalidBatchEntryId', 'InvalidIdFormat', 'InvalidMessageContents', 'InvalidSecurity',
  'MessageNotInflight', 'OverLimit', 'PurgeQueueInProgress', 'QueueDeletedRecently', 'QueueDoesNotExist',
  'QueueNameExists', 'ReceiptHandleIsInvalid', 'RequestThrottled', 'ResourceNotFoundException',
  'TooManyEntriesInBatchRequest', 'UnsupportedOperation',
]);

function sqsError(code: string, queryCode: string, message: string, status = 400): AwsError {
  return new AwsError(code, message, {
    status,
    queryCode,
    namespace: MODELED.has(code) ? 'com.amazonaws.sqs' : 'com.amazon.coral.service',
  });
}

export const queueDoesNotExist = () =>
  sqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
export const queueNameExists = (attr: string) =>
  sqsError('QueueNameExists', 'QueueAlreadyExists', `A queue already exists with the same name and a different value for attribute ${attr}`);
// AWS-recorded text (LocalStack test_create_queue_recently_deleted, aws.validated): "another with", no "queue".
export const queueDeletedRecently = () =>
  sqsError(
    'QueueDeletedRecently',
    'AWS.SimpleQueueService.QueueDeletedRecently',
    'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
  );
export const invalidParameterValue = (message: string) =>
  sqsError('InvalidParameterValueException', 'InvalidParameterValue', message);
export const invalidParameter = (name: string, value: unknown, reason: string) =>
  invalidParameterValue(`Value ${value === undefined ? '' : String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
export const missingParameter = (name: string) =>
  sqsError('MissingRequiredParameterException', 'MissingParameter', `The request must contain the parameter ${name}.`);
export const invalidAttributeName = (message: string) => sqsError('InvalidAttributeName', 'InvalidAttributeName', message);
export const unknownAttribute = (name: string) => invalidAttributeName(`Unknown Attribute ${name}.`);
export const invalidAttributeValue = (name: string, reason: string) =>
  sqsError('InvalidAttributeValue', 'InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: ${reason}`);
export const tooManyEntries = (n: number) =>
  sqsError(
    'TooManyEntriesInBatchRequest',
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${n}.`,
  );
export const emptyBatchOf = (entryType: string) =>
  sqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', `There should be at least one ${entryType} in the request.`);
export const batchIdRepeated = (id: string) =>
  sqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
export const invalidBatchEntryId = () =>
  sqsError(
    'InvalidBatchEntryId',
    'AWS.SimpleQueueService.InvalidBatchEntryId',
    'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
  );
export const batchRequestTooLong = (size: number) =>
  sqsError(
    'BatchRequestTooLong',
    'AWS.SimpleQueueService.BatchRequestTooLong',
    `Batch requests cannot be longer than ${MAX_BATCH_PAYLOAD} bytes. You have sent ${size} bytes.`,
  );
export const purgeInProgress = (name: string) =>
  sqsError(
    'PurgeQueueInProgress',
    'AWS.SimpleQueueService.PurgeQueueInProgress',
    `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
    403,
  );
export const receiptHandleIsInvalid = (rh: string) =>
  sqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${rh}" is not a valid receipt handle.`);
export const INVALID_CHARS_MESSAGE =
  'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';
export const invalidMessageContents = () => sqsError('InvalidMessageContents', 'InvalidMessageContents', INVALID_CHARS_MESSAGE);
export const resourceNotFound = (message: string) =>
  sqsError('ResourceNotFoundException', 'ResourceNotFoundException', message, 404);
export const invalidAction = (action: string) =>
  new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`, { namespace: 'com.amazon.coral.service' });

/** A service principal (e.g. SNS) refused by the queue policy. */
export const accessDenied = (queueArn: string, service: string, sourceArn: string, decision: string) =>
  sqsError(
    'AccessDeniedException',
    'AccessDenied',
    `Access to the resource ${queueArn} is denied: the queue policy does not allow ${service} to sqs:SendMessage` +
      ` from ${sourceArn}${decision === 'deny' ? ' (an explicit Deny matched)' : ''}.`,
    403,
  );
