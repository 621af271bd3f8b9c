/**
 * SQS over the legacy AWS Query protocol (form-encoded request, XML response), as spoken by
 * botocore < 1.34.90 (e.g. Debian's python3-boto3), AWS CLI v1 < 1.32.90, aws-sdk JS v2 < 2.1491.
 *
 * The SQS service itself only knows JSON 1.0-shaped inputs/outputs; this module translates.
 * Every wire name below comes from the query-era model (botocore tag 1.34.89,
 * `botocore/data/sqs/2012-11-05/service-2.json`): all lists and maps are *flattened* and most carry
 * a `locationName` that differs from the JSON member name (e.g. `Attributes` ↔ `Attribute.N.Name`,
 * `Entries` ↔ `SendMessageBatchRequestEntry.N`, `queueUrls` ↔ `<QueueUrl>`).
 */
import type { AwsError } from '../../domain/aws-error.js';
import { decodeStructure, type QueryMembers, type QueryParams, type QueryShape } from '../protocol/query.js';
import { renderQueryError, renderQueryResponse, renderStructure } from '../protocol/xml.js';
import { renderQueryJsonError, renderQueryJsonResponse } from '../protocol/query-json.js';

/** XML namespace of every SQS Query response (model `xmlNamespace`). */
export const SQS_XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

const S: QueryShape = 'string';
const I: QueryShape = 'integer';
const L: QueryShape = 'long';

const flatList = (memberName: string, member: QueryShape = S): QueryShape => ({
  type: 'list',
  member,
  memberName,
  flattened: true,
});

/** QueueAttributeMap / MessageSystemAttributeMap: `<Attribute><Name/><Value/></Attribute>`. */
const NAME_VALUE_MAP: QueryShape = { type: 'map', keyName: 'Name', valueName: 'Value', value: S, flattened: true };
/** TagMap: `Tag.N.Key` / `Tag.N.Value`. */
const TAG_MAP: QueryShape = { type: 'map', keyName: 'Key', valueName: 'Value', value: S, flattened: true };

/** MessageAttributeValue and MessageSystemAttributeValue (same members, model order). */
const ATTRIBUTE_VALUE: QueryShape = {
  type: 'structure',
  members: {
    StringValue: { shape: S },
    BinaryValue: { shape: 'blob' },
    StringListValues: { shape: flatList('StringListValue'), name: 'StringListValue' },
    BinaryListValues: { shape: flatList('BinaryListValue', 'blob'), name: 'BinaryListValue' },
    DataType: { shape: S },
  },
};
/** MessageBodyAttributeMap / MessageBodySystemAttributeMap. */
const ATTRIBUTE_VALUE_MAP: QueryShape = {
  type: 'map',
  keyName: 'Name',
  valueName: 'Value',
  value: ATTRIBUTE_VALUE,
  flattened: true,
};

const QUEUE_URL = { QueueUrl: { shape: S } };
const MESSAGE_ATTRIBUTES: QueryMembers = {
  MessageAttributes: { shape: ATTRIBUTE_VALUE_MAP, name: 'MessageAttribute' },
  MessageSystemAttributes: { shape: ATTRIBUTE_VALUE_MAP, name: 'MessageSystemAttribute' },
};

const struct = (members: QueryMembers): QueryShape => ({ type: 'structure', members });

const BATCH_ERROR = flatList(
  'BatchResultErrorEntry',
  struct({ Id: { shape: S }, SenderFault: { shape: 'boolean' }, Code: { shape: S }, Message: { shape: S } }),
);
const ID_ONLY = struct({ Id: { shape: S } });

/** Request members per operation (JSON member name → wire name/shape). */
const INPUTS: Record<string, QueryMembers> = {
  CreateQueue: {
    QueueName: { shape: S },
    Attributes: { shape: NAME_VALUE_MAP, name: 'Attribute' },
    tags: { shape: TAG_MAP, name: 'Tag' },
  },
  GetQueueUrl: { QueueName: { shape: S }, QueueOwnerAWSAccountId: { shape: S } },
  ListQueues: { QueueNamePrefix: { shape: S }, NextToken: { shape: S }, MaxResults: { shape: I } },
  DeleteQueue: QUEUE_URL,
  GetQueueAttributes: { ...QUEUE_URL, AttributeNames: { shape: flatList('AttributeName') } },
  SetQueueAttributes: { ...QUEUE_URL, Attributes: { shape: NAME_VALUE_MAP, name: 'Attribute' } },
  SendMessage: {
    ...QUEUE_URL,
    MessageBody: { shape: S },
    DelaySeconds: { shape: I },
    ...MESSAGE_ATTRIBUTES,
    MessageDeduplicationId: { shape: S },
    MessageGroupId: { shape: S },
  },
  SendMessageBatch: {
    ...QUEUE_URL,
    Entries: {
      shape: flatList(
        'SendMessageBatchRequestEntry',
        struct({
          Id: { shape: S },
          MessageBody: { shape: S },
          DelaySeconds: { shape: I },
          ...MESSAGE_ATTRIBUTES,
          MessageDeduplicationId: { shape: S },
          MessageGroupId: { shape: S },
        }),
      ),
    },
  },
  ReceiveMessage: {
    ...QUEUE_URL,
    AttributeNames: { shape: flatList('AttributeName') },
    // Not in any query-era model (added with JSON); accepted in case a client sends it anyway.
    MessageSystemAttributeNames: { shape: flatList('MessageSystemAttributeName') },
    MessageAttributeNames: { shape: flatList('MessageAttributeName') },
    MaxNumberOfMessages: { shape: I },
    VisibilityTimeout: { shape: I },
    WaitTimeSeconds: { shape: I },
    ReceiveRequestAttemptId: { shape: S },
  },
  DeleteMessage: { ...QUEUE_URL, ReceiptHandle: { shape: S } },
  DeleteMessageBatch: {
    ...QUEUE_URL,
    Entries: {
      shape: flatList('DeleteMessageBatchRequestEntry', struct({ Id: { shape: S }, ReceiptHandle: { shape: S } })),
    },
  },
  ChangeMessageVisibility: { ...QUEUE_URL, ReceiptHandle: { shape: S }, VisibilityTimeout: { shape: I } },
  ChangeMessageVisibilityBatch: {
    ...QUEUE_URL,
    Entries: {
      shape: flatList(
        'ChangeMessageVisibilityBatchRequestEntry',
        struct({ Id: { shape: S }, ReceiptHandle: { shape: S }, VisibilityTimeout: { shape: I } }),
      ),
    },
  },
  PurgeQueue: QUEUE_URL,
  // TagQueue.Tags has no member locationName, but the TagMap shape's own locationName `Tag`
  // applies, so botocore sends `Tag.N.Key`; `Tags.N.Key` is accepted too.
  TagQueue: { ...QUEUE_URL, Tags: { shape: TAG_MAP, name: 'Tag', aliases: ['Tags'] } },
  UntagQueue: { ...QUEUE_URL, TagKeys: { shape: flatList('TagKey') } },
  ListQueueTags: QUEUE_URL,
  ListDeadLetterSourceQueues: { ...QUEUE_URL, NextToken: { shape: S }, MaxResults: { shape: I } },
  AddPermission: {
    ...QUEUE_URL,
    Label: { shape: S },
    AWSAccountIds: { shape: flatList('AWSAccountId') },
    Actions: { shape: flatList('ActionName') },
  },
  RemovePermission: { ...QUEUE_URL, Label: { shape: S } },
  StartMessageMoveTask: { SourceArn: { shape: S }, DestinationArn: { shape: S }, MaxNumberOfMessagesPerSecond: { shape: I } },
  ListMessageMoveTasks: { SourceArn: { shape: S }, MaxResults: { shape: I } },
  CancelMessageMoveTask: { TaskHandle: { shape: S } },
};

const MESSAGE = struct({
  MessageId: { shape: S },
  ReceiptHandle: { shape: S },
  MD5OfBody: { shape: S },
  Body: { shape: S },
  Attributes: { shape: NAME_VALUE_MAP, name: 'Attribute' },
  MD5OfMessageAttributes: { shape: S },
  MessageAttributes: { shape: ATTRIBUTE_VALUE_MAP, name: 'MessageAttribute' },
});

/** Result members per operation; `null` = the operation has no output (no `<…Result>` element). */
const OUTPUTS: Record<string, QueryMembers | null> = {
  CreateQueue: QUEUE_URL,
  GetQueueUrl: QUEUE_URL,
  ListQueues: { QueueUrls: { shape: flatList('QueueUrl') }, NextToken: { shape: S } },
  DeleteQueue: null,
  GetQueueAttributes: { Attributes: { shape: NAME_VALUE_MAP, name: 'Attribute' } },
  SetQueueAttributes: null,
  SendMessage: {
    MD5OfMessageBody: { shape: S },
    MD5OfMessageAttributes: { shape: S },
    MD5OfMessageSystemAttributes: { shape: S },
    MessageId: { shape: S },
    SequenceNumber: { shape: S },
  },
  SendMessageBatch: {
    Successful: {
      shape: flatList(
        'SendMessageBatchResultEntry',
        struct({
          Id: { shape: S },
          MessageId: { shape: S },
          MD5OfMessageBody: { shape: S },
          MD5OfMessageAttributes: { shape: S },
          MD5OfMessageSystemAttributes: { shape: S },
          SequenceNumber: { shape: S },
        }),
      ),
    },
    Failed: { shape: BATCH_ERROR },
  },
  ReceiveMessage: { Messages: { shape: flatList('Message', MESSAGE) } },
  DeleteMessage: null,
  DeleteMessageBatch: {
    Successful: { shape: flatList('DeleteMessageBatchResultEntry', ID_ONLY) },
    Failed: { shape: BATCH_ERROR },
  },
  ChangeMessageVisibility: null,
  ChangeMessageVisibilityBatch: {
    Successful: { shape: flatList('ChangeMessageVisibilityBatchResultEntry', ID_ONLY) },
    Failed: { shape: BATCH_ERROR },
  },
  PurgeQueue: null,
  TagQueue: null,
  UntagQueue: null,
  ListQueueTags: { Tags: { shape: TAG_MAP, name: 'Tag' } },
  // JSON `queueUrls` (lowercase) ↔ XML `<QueueUrl>` items.
  ListDeadLetterSourceQueues: { queueUrls: { shape: flatList('QueueUrl') }, NextToken: { shape: S } },
  AddPermission: null,
  RemovePermission: null,
  StartMessageMoveTask: { TaskHandle: { shape: S } },
  ListMessageMoveTasks: {
    Results: {
      shape: flatList(
        'ListMessageMoveTasksResultEntry',
        struct({
          TaskHandle: { shape: S },
          Status: { shape: S },
          SourceArn: { shape: S },
          DestinationArn: { shape: S },
          MaxNumberOfMessagesPerSecond: { shape: I },
          ApproximateNumberOfMessagesMoved: { shape: L },
          ApproximateNumberOfMessagesToMove: { shape: L },
          FailureReason: { shape: S },
          StartedTimestamp: { shape: L },
        }),
      ),
    },
  },
  CancelMessageMoveTask: { ApproximateNumberOfMessagesMoved: { shape: L } },
};

/** The operations this codec knows (same set as the JSON protocol). */
export const SQS_QUERY_ACTIONS: readonly string[] = Object.keys(INPUTS);

/**
 * Build the JSON 1.0-shaped input of `action` from Query params. Returns undefined for an unknown
 * action (the caller answers InvalidAction). Integer members become numbers only when they are
 * integer strings; other text is kept so the service reports InvalidParameterValue.
 *
 * Old SDKs POST to the queue URL path (`/000000000000/q1`) and omit `QueueUrl`; the caller passes
 * the URL derived from the path as `pathQueueUrl`, used only when the parameter is absent.
 */
export function sqsQueryInput(
  action: string,
  params: QueryParams,
  pathQueueUrl?: string,
): Record<string, unknown> | undefined {
  if (!Object.prototype.hasOwnProperty.call(INPUTS, action)) return undefined;
  const members = INPUTS[action];
  const input = decodeStructure(params, members);
  if ('QueueUrl' in members && input.QueueUrl === undefined && pathQueueUrl !== undefined) {
    input.QueueUrl = pathQueueUrl;
  }
  return input;
}

/**
 * Render the XML response for `action` from its JSON 1.0-shaped output (absent members omitted), or the
 * same response as JSON (`json` true: a Query request sent with `Accept: application/json`).
 */
export function sqsQueryOutput(action: string, output: Record<string, unknown>, requestId: string, json = false): string {
  if (!Object.prototype.hasOwnProperty.call(OUTPUTS, action)) {
    throw new Error(`sqsQueryOutput: unknown SQS action ${action}`);
  }
  const members = OUTPUTS[action];
  if (json) return renderQueryJsonResponse(action, output, members ?? null, requestId);
  const inner = members === null ? null : renderStructure(output ?? {}, members);
  return renderQueryResponse(action, inner, requestId, SQS_XMLNS);
}

/**
 * Render an SQS error as Query XML (or JSON, `json` true). AWS words NonExistentQueue differently on the
 * Query protocol: "The specified queue does not exist for this wsdl version." (JSON: "…does not exist.").
 */
export function sqsQueryError(err: AwsError, requestId: string, json = false): string {
  const message =
    err.queryCode === 'AWS.SimpleQueueService.NonExistentQueue' && err.message === 'The specified queue does not exist.'
      ? 'The specified queue does not exist for this wsdl version.'
      : err.message;
  return json ? renderQueryJsonError(err, requestId, message) : renderQueryError(err, requestId, SQS_XMLNS, message);
}

/**
 * Actions a queue URL does not answer: they are not about one queue (LocalStack test_get_create_queue_fails
 * and test_get_list_queues_fails, aws.validated: InvalidAction 400 "… is not valid for this endpoint.").
 */
export const NOT_FOR_QUEUE_ENDPOINT: ReadonlySet<string> = new Set(['CreateQueue', 'ListQueues']);
