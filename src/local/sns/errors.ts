/**
 * Named SNS errors (Query protocol codes and statuses from the SNS model; messages as AWS words them,
 * see ../shared/reference/aws-wire.md §4.1).
 */
import { AwsError } from '../../domain/aws-error.js';

export const invalidParameter = (message: string) => new AwsError('InvalidParameter', `Invalid parameter: ${message}`);
/** ParameterValueInvalid messages carry no "Invalid parameter: " prefix (AWS-recorded test_empty_or_wrong_message_attributes). */
export const invalidParameterValue = (message: string) =>
  new AwsError('InvalidParameterValue', message, { queryCode: 'ParameterValueInvalid' });
/** Model constraint violations (e.g. a message attribute without DataType), AWS-recorded. */
export const validationError = (message: string) => new AwsError('ValidationError', `1 validation error detected: ${message}`);
export const notFound = (message: string) => new AwsError('NotFound', message, { status: 404 });
export const topicNotFound = () => notFound('Topic does not exist');
export const subscriptionNotFound = () => notFound('Subscription does not exist');
export const resourceNotFound = () => new AwsError('ResourceNotFound', 'Resource does not exist', { status: 404 });
export const invalidAction = (action: string) =>
  new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
export const notSupported = (action: string) =>
  new AwsError('InvalidAction', `The svl emulator does not support ${action} yet.`);
export const emptyBatch = () => new AwsError('EmptyBatchRequest', 'The batch request doesn\'t contain any entries');
export const tooManyEntries = () =>
  new AwsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
export const batchIdsNotDistinct = () =>
  new AwsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
export const invalidBatchEntryId = (id: string) =>
  new AwsError(
    'InvalidBatchEntryId',
    id.length > 80
      ? `The Id of a batch entry in the batch request is too long: ${id}`
      : `The Id of a batch entry in the batch request contains an impermissible character: ${id}`,
  );
export const batchRequestTooLong = () =>
  new AwsError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
export const tagPolicy = (message: string) => new AwsError('TagPolicy', message);
