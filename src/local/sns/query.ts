/**
 * SNS over the AWS Query protocol (form-encoded request, XML response) — the only protocol SNS
 * speaks (botocore/CLI, JS v3 `AwsQueryProtocol`, JS v2, the SubscribeURL GET of ConfirmSubscription).
 *
 * The SNS service itself only knows JSON-shaped inputs/outputs (Smithy member names, as the JS SDK
 * exposes them: `{TopicArn, Attributes: {k: v}, Tags: [{Key, Value}]}`); this module translates.
 * Wire names come from botocore's `data/sns/2010-03-31/service-2.json` (all 42 operations). SNS
 * has no member `locationName`s and nothing is flattened, so wire names equal member names and:
 * - lists are `Name.member.N` on input and `<Name><member>…</member></Name>` on output;
 * - maps are `Name.entry.N.key` / `Name.entry.N.value` and `<Name><entry><key/><value/></entry></Name>`,
 *   except MessageAttributeMap, whose key/value locationNames are `Name`/`Value`
 *   (`MessageAttributes.entry.N.Name`, `MessageAttributes.entry.N.Value.DataType`, …);
 * - a few members are lowercase on the wire because they are in the model (`phoneNumber`,
 *   `attributes`, `nextToken`, `isOptedOut`, `phoneNumbers`);
 * - `AuthenticateOnUnsubscribe` is a *string* in the model (kept as sent); `ReturnSubscriptionArn`,
 *   `IsInSandbox`, `isOptedOut`, `SenderFault` are booleans; `MaxResults` is an integer.
 */
import type { AwsError } from '../../domain/aws-error.js';
import { decodeStructure, type QueryMembers, type QueryParams, type QueryShape } from '../protocol/query.js';
import { renderQueryError, renderQueryResponse, renderStructure } from '../protocol/xml.js';

/** XML namespace of every SNS response (model `xmlNamespace`). */
export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

const S: QueryShape = 'string';
const I: QueryShape = 'integer';
const B: QueryShape = 'boolean';

const struct = (members: QueryMembers): QueryShape => ({ type: 'structure', members });
/** Non-flattened list: `Name.member.N` / `<Name><member/></Name>`. */
const list = (member: QueryShape = S): QueryShape => ({ type: 'list', member });

/** MapStringToString / TopicAttributesMap / SubscriptionAttributesMap: `entry.N.key/value`. */
const STRING_MAP: QueryShape = { type: 'map', value: S };

/** MessageAttributeMap: `MessageAttributes.entry.N.Name` + `…Value.{DataType,StringValue,BinaryValue}`. */
const MESSAGE_ATTRIBUTES: QueryShape = {
  type: 'map',
  keyName: 'Name',
  valueName: 'Value',
  value: struct({ DataType: { shape: S }, StringValue: { shape: S }, BinaryValue: { shape: 'blob' } }),
};

const TAG_LIST = list(struct({ Key: { shape: S }, Value: { shape: S } }));

const ATTRIBUTES = { Attributes: { shape: STRING_MAP } };
const NEXT_TOKEN = { NextToken: { shape: S } };
const TOPIC_ARN = { TopicArn: { shape: S } };
const SUBSCRIPTION_ARN = { SubscriptionArn: { shape: S } };
const RESOURCE_ARN = { ResourceArn: { shape: S } };
const ENDPOINT_ARN = { EndpointArn: { shape: S } };
const PLATFORM_APPLICATION_ARN = { PlatformApplicationArn: { shape: S } };
const PHONE_NUMBER = { PhoneNumber: { shape: S } };

/** Members shared by Publish and PublishBatchRequestEntry (after the target / Id). */
const MESSAGE = {
  Message: { shape: S },
  Subject: { shape: S },
  MessageStructure: { shape: S },
  MessageAttributes: { shape: MESSAGE_ATTRIBUTES },
  MessageDeduplicationId: { shape: S },
  MessageGroupId: { shape: S },
};

/** Request members per operation, in model order. */
const INPUTS: Record<string, QueryMembers> = {
  AddPermission: {
    ...TOPIC_ARN,
    Label: { shape: S },
    // Member names are singular in the model (no locationName): `AWSAccountId.member.N`.
    AWSAccountId: { shape: list() },
    ActionName: { shape: list() },
  },
  CheckIfPhoneNumberIsOptedOut: { phoneNumber: { shape: S } },
  ConfirmSubscription: { ...TOPIC_ARN, Token: { shape: S }, AuthenticateOnUnsubscribe: { shape: S } },
  CreatePlatformApplication: { Name: { shape: S }, Platform: { shape: S }, ...ATTRIBUTES },
  CreatePlatformEndpoint: {
    ...PLATFORM_APPLICATION_ARN,
    Token: { shape: S },
    CustomUserData: { shape: S },
    ...ATTRIBUTES,
  },
  CreateSMSSandboxPhoneNumber: { ...PHONE_NUMBER, LanguageCode: { shape: S } },
  CreateTopic: { Name: { shape: S }, ...ATTRIBUTES, Tags: { shape: TAG_LIST }, DataProtectionPolicy: { shape: S } },
  DeleteEndpoint: ENDPOINT_ARN,
  DeletePlatformApplication: PLATFORM_APPLICATION_ARN,
  DeleteSMSSandboxPhoneNumber: PHONE_NUMBER,
  DeleteTopic: TOPIC_ARN,
  GetDataProtectionPolicy: RESOURCE_ARN,
  GetEndpointAttributes: ENDPOINT_ARN,
  GetPlatformApplicationAttributes: PLATFORM_APPLICATION_ARN,
  GetSMSAttributes: { attributes: { shape: list() } },
  GetSMSSandboxAccountStatus: {},
  GetSubscriptionAttributes: SUBSCRIPTION_ARN,
  GetTopicAttributes: TOPIC_ARN,
  ListEndpointsByPlatformApplication: { ...PLATFORM_APPLICATION_ARN, ...NEXT_TOKEN },
  ListOriginationNumbers: { ...NEXT_TOKEN, MaxResults: { shape: I } },
  ListPhoneNumbersOptedOut: { nextToken: { shape: S } },
  ListPlatformApplications: NEXT_TOKEN,
  ListSMSSandboxPhoneNumbers: { ...NEXT_TOKEN, MaxResults: { shape: I } },
  ListSubscriptions: NEXT_TOKEN,
  ListSubscriptionsByTopic: { ...TOPIC_ARN, ...NEXT_TOKEN },
  ListTagsForResource: RESOURCE_ARN,
  ListTopics: NEXT_TOKEN,
  OptInPhoneNumber: { phoneNumber: { shape: S } },
  Publish: { ...TOPIC_ARN, TargetArn: { shape: S }, ...PHONE_NUMBER, ...MESSAGE },
  PublishBatch: {
    ...TOPIC_ARN,
    PublishBatchRequestEntries: { shape: list(struct({ Id: { shape: S }, ...MESSAGE })) },
  },
  PutDataProtectionPolicy: { ...RESOURCE_ARN, DataProtectionPolicy: { shape: S } },
  RemovePermission: { ...TOPIC_ARN, Label: { shape: S } },
  SetEndpointAttributes: { ...ENDPOINT_ARN, ...ATTRIBUTES },
  SetPlatformApplicationAttributes: { ...PLATFORM_APPLICATION_ARN, ...ATTRIBUTES },
  SetSMSAttributes: { attributes: { shape: STRING_MAP } },
  SetSubscriptionAttributes: { ...SUBSCRIPTION_ARN, AttributeName: { shape: S }, AttributeValue: { shape: S } },
  SetTopicAttributes: { ...TOPIC_ARN, AttributeName: { shape: S }, AttributeValue: { shape: S } },
  Subscribe: {
    ...TOPIC_ARN,
    Protocol: { shape: S },
    Endpoint: { shape: S },
    ...ATTRIBUTES,
    ReturnSubscriptionArn: { shape: B },
  },
  TagResource: { ...RESOURCE_ARN, Tags: { shape: TAG_LIST } },
  Unsubscribe: SUBSCRIPTION_ARN,
  UntagResource: { ...RESOURCE_ARN, TagKeys: { shape: list() } },
  VerifySMSSandboxPhoneNumber: { ...PHONE_NUMBER, OneTimePassword: { shape: S } },
};

const SUBSCRIPTIONS = {
  Subscriptions: {
    shape: list(
      struct({
        SubscriptionArn: { shape: S },
        Owner: { shape: S },
        Protocol: { shape: S },
        Endpoint: { shape: S },
        TopicArn: { shape: S },
      }),
    ),
  },
  ...NEXT_TOKEN,
};

/**
 * Result members per operation, in model order. `null` = no output in the model (no `<…Result>`
 * element); `{}` = an empty output structure (AWS still sends `<…Result/>`, botocore requires it).
 */
const OUTPUTS: Record<string, QueryMembers | null> = {
  AddPermission: null,
  CheckIfPhoneNumberIsOptedOut: { isOptedOut: { shape: B } },
  ConfirmSubscription: SUBSCRIPTION_ARN,
  CreatePlatformApplication: PLATFORM_APPLICATION_ARN,
  CreatePlatformEndpoint: ENDPOINT_ARN,
  CreateSMSSandboxPhoneNumber: {},
  CreateTopic: TOPIC_ARN,
  DeleteEndpoint: null,
  DeletePlatformApplication: null,
  DeleteSMSSandboxPhoneNumber: {},
  DeleteTopic: null,
  GetDataProtectionPolicy: { DataProtectionPolicy: { shape: S } },
  GetEndpointAttributes: ATTRIBUTES,
  GetPlatformApplicationAttributes: ATTRIBUTES,
  GetSMSAttributes: { attributes: { shape: STRING_MAP } },
  GetSMSSandboxAccountStatus: { IsInSandbox: { shape: B } },
  GetSubscriptionAttributes: ATTRIBUTES,
  GetTopicAttributes: ATTRIBUTES,
  ListEndpointsByPlatformApplication: {
    Endpoints: { shape: list(struct({ ...ENDPOINT_ARN, ...ATTRIBUTES })) },
    ...NEXT_TOKEN,
  },
  ListOriginationNumbers: {
    ...NEXT_TOKEN,
    PhoneNumbers: {
      shape: list(
        struct({
          CreatedAt: { shape: 'timestamp' },
          PhoneNumber: { shape: S },
          Status: { shape: S },
          Iso2CountryCode: { shape: S },
          RouteType: { shape: S },
          NumberCapabilities: { shape: list() },
        }),
      ),
    },
  },
  ListPhoneNumbersOptedOut: { phoneNumbers: { shape: list() }, nextToken: { shape: S } },
  ListPlatformApplications: {
    PlatformApplications: { shape: list(struct({ ...PLATFORM_APPLICATION_ARN, ...ATTRIBUTES })) },
    ...NEXT_TOKEN,
  },
  ListSMSSandboxPhoneNumbers: {
    PhoneNumbers: { shape: list(struct({ ...PHONE_NUMBER, Status: { shape: S } })) },
    ...NEXT_TOKEN,
  },
  ListSubscriptions: SUBSCRIPTIONS,
  ListSubscriptionsByTopic: SUBSCRIPTIONS,
  ListTagsForResource: { Tags: { shape: TAG_LIST } },
  ListTopics: { Topics: { shape: list(struct(TOPIC_ARN)) }, ...NEXT_TOKEN },
  OptInPhoneNumber: {},
  Publish: { MessageId: { shape: S }, SequenceNumber: { shape: S } },
  PublishBatch: {
    Successful: {
      shape: list(struct({ Id: { shape: S }, MessageId: { shape: S }, SequenceNumber: { shape: S } })),
    },
    Failed: {
      shape: list(
        struct({ Id: { shape: S }, Code: { shape: S }, Message: { shape: S }, SenderFault: { shape: B } }),
      ),
    },
  },
  PutDataProtectionPolicy: null,
  RemovePermission: null,
  SetEndpointAttributes: null,
  SetPlatformApplicationAttributes: null,
  SetSMSAttributes: {},
  SetSubscriptionAttributes: null,
  SetTopicAttributes: null,
  Subscribe: SUBSCRIPTION_ARN,
  TagResource: {},
  Unsubscribe: null,
  UntagResource: {},
  VerifySMSSandboxPhoneNumber: {},
};

/** Every operation of the SNS model (2010-03-31), alphabetical as in the model. */
export const SNS_QUERY_ACTIONS: readonly string[] = Object.keys(INPUTS);

const has = (obj: object, key: string) => Object.prototype.hasOwnProperty.call(obj, key);

/**
 * Build the JSON-shaped input of `action` from Query params (a POST form body or, for the
 * SubscribeURL of ConfirmSubscription, a GET query string — same map). Returns undefined for an
 * unknown action (the caller answers InvalidAction). Booleans/integers are converted only when the
 * text is `true`/`false` / an integer; anything else is kept so the service can report it.
 * `Action`, `Version` and unknown parameters are ignored.
 */
export function snsQueryInput(action: string, params: QueryParams): Record<string, unknown> | undefined {
  if (!has(INPUTS, action)) return undefined;
  return decodeStructure(params, INPUTS[action]);
}

/** Render the XML response of `action` from its JSON-shaped output (absent members omitted). */
export function snsQueryOutput(action: string, output: Record<string, unknown> | undefined, requestId: string): string {
  if (!has(OUTPUTS, action)) throw new Error(`snsQueryOutput: unknown SNS action ${action}`);
  const members = OUTPUTS[action];
  const inner = members === null ? null : renderStructure(output ?? {}, members);
  return renderQueryResponse(action, inner, requestId, SNS_XMLNS);
}

/**
 * Render an SNS error as Query XML, as SNS writes it (no `<Detail/>`, unlike SQS):
 * `<ErrorResponse><Error><Type>Sender</Type><Code>{queryCode}</Code><Message/></Error><RequestId/></ErrorResponse>`.
 * SNS codes are the model's `error.code` (`NotFound`, `InvalidParameter`, `ParameterValueInvalid`,
 * `AuthorizationError`, …), not the exception shape names; the HTTP status is `err.status`.
 */
export function snsQueryError(err: AwsError, requestId: string): string {
  return renderQueryError(err, requestId, SNS_XMLNS, err.message, { detail: false });
}
