import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  InvalidParameterException,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { parseQueryParams } from '../protocol/query.js';
import { AwsError } from '../../domain/aws-error.js';
import { SNS_QUERY_ACTIONS, SNS_XMLNS, snsQueryError, snsQueryInput, snsQueryOutput } from './query.js';

// Request bodies produced by botocore's QuerySerializer (see test/fixtures/sns-query/generate.py).
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/sns-query/', import.meta.url));
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders';
const SUB = `${TOPIC}:0c4b8e32-6d2c-4a4f-9f5e-2b1c3d4e5f60`;
const HEAD = `<?xml version="1.0"?>`;
const NS = `xmlns="${SNS_XMLNS}"`;
const meta = (rid: string) => `<ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata>`;

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));

test('SNS_QUERY_ACTIONS covers every operation of the SNS model', () => {
  assert.equal(SNS_XMLNS, 'http://sns.amazonaws.com/doc/2010-03-31/');
  assert.equal(SNS_QUERY_ACTIONS.length, 42);
  for (const op of [
    'CreateTopic', 'DeleteTopic', 'ListTopics', 'GetTopicAttributes', 'SetTopicAttributes', 'Subscribe',
    'ConfirmSubscription', 'Unsubscribe', 'ListSubscriptions', 'ListSubscriptionsByTopic',
    'GetSubscriptionAttributes', 'SetSubscriptionAttributes', 'Publish', 'PublishBatch', 'TagResource',
    'UntagResource', 'ListTagsForResource', 'AddPermission', 'RemovePermission', 'GetDataProtectionPolicy',
    'PutDataProtectionPolicy', 'CreatePlatformEndpoint', 'GetSMSAttributes', 'VerifySMSSandboxPhoneNumber',
  ]) {
    assert.ok(SNS_QUERY_ACTIONS.includes(op), op);
    // Every known action decodes and renders (even the ones the emulator answers with an error).
    assert.ok(snsQueryInput(op, {}));
    assert.match(snsQueryOutput(op, {}, 'r'), new RegExp(`^<\\?xml version="1.0"\\?><${op}Response `));
  }
});

for (const file of fixtures) {
  test(`botocore body ${file} decodes to the JSON-shaped input`, () => {
    const body = readFileSync(FIXTURES + file, 'utf8');
    const expected = JSON.parse(readFileSync(FIXTURES + file.replace(/\.txt$/, '.json'), 'utf8'));
    const params = parseQueryParams(body);
    assert.equal(params.Action, expected.action);
    assert.equal(params.Version, '2010-03-31');
    assert.deepEqual(snsQueryInput(params.Action, params), expected.input);
  });
}

test('unknown actions decode to undefined; unknown parameters are ignored', () => {
  assert.equal(snsQueryInput('SendMessage', { Action: 'SendMessage' }), undefined);
  assert.equal(snsQueryInput('__proto__', {}), undefined);
  assert.equal(snsQueryInput('toString', {}), undefined);
  assert.deepEqual(snsQueryInput('DeleteTopic', { Action: 'DeleteTopic', Version: '2010-03-31', TopicArn: TOPIC, X: 'y' }), {
    TopicArn: TOPIC,
  });
  assert.throws(() => snsQueryOutput('SendMessage', {}, 'r'), /unknown SNS action SendMessage/);
});

test('booleans and integers convert only from canonical text; AuthenticateOnUnsubscribe stays a string', () => {
  const sub = (v: string) =>
    snsQueryInput('Subscribe', parseQueryParams(`TopicArn=t&Protocol=sqs&ReturnSubscriptionArn=${v}`));
  assert.equal(sub('true')?.ReturnSubscriptionArn, true);
  assert.equal(sub('false')?.ReturnSubscriptionArn, false);
  assert.equal(sub('yes')?.ReturnSubscriptionArn, 'yes');
  assert.deepEqual(snsQueryInput('ListOriginationNumbers', parseQueryParams('MaxResults=20')), { MaxResults: 20 });
  assert.deepEqual(snsQueryInput('ListOriginationNumbers', parseQueryParams('MaxResults=abc')), { MaxResults: 'abc' });
  assert.deepEqual(
    snsQueryInput('ConfirmSubscription', parseQueryParams('TopicArn=t&Token=k&AuthenticateOnUnsubscribe=true')),
    { TopicArn: 't', Token: 'k', AuthenticateOnUnsubscribe: 'true' },
  );
});

test('ConfirmSubscription from a SubscribeURL (GET query string) decodes like a form body', () => {
  // The SubscribeURL SNS puts in the confirmation message: the ARN's colons are not percent-encoded.
  const url = new URL(
    'http://localhost:4566/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:000000000000:orders' +
      '&Token=2336412f37fb687f5d51e6e2425a8a587b0f2d8e5e9b2d9a1c1f0e2d3c4b5a69',
  );
  const params = parseQueryParams(url.searchParams);
  assert.equal(params.Action, 'ConfirmSubscription');
  assert.deepEqual(snsQueryInput(params.Action, params), {
    TopicArn: TOPIC,
    Token: '2336412f37fb687f5d51e6e2425a8a587b0f2d8e5e9b2d9a1c1f0e2d3c4b5a69',
  });
  assert.deepEqual(parseQueryParams(url.search), params);
});

test('XML: CreateTopic', () => {
  assert.equal(
    snsQueryOutput('CreateTopic', { TopicArn: TOPIC }, 'rid-1'),
    `${HEAD}<CreateTopicResponse ${NS}><CreateTopicResult><TopicArn>${TOPIC}</TopicArn></CreateTopicResult>` +
      `${meta('rid-1')}</CreateTopicResponse>`,
  );
});

test('XML: ListTopics with NextToken, and an empty page', () => {
  assert.equal(
    snsQueryOutput('ListTopics', { Topics: [{ TopicArn: TOPIC }, { TopicArn: `${TOPIC}.fifo` }], NextToken: 'tok+/=' }, 'r'),
    `${HEAD}<ListTopicsResponse ${NS}><ListTopicsResult><Topics><member><TopicArn>${TOPIC}</TopicArn></member>` +
      `<member><TopicArn>${TOPIC}.fifo</TopicArn></member></Topics><NextToken>tok+/=</NextToken></ListTopicsResult>` +
      `${meta('r')}</ListTopicsResponse>`,
  );
  assert.equal(
    snsQueryOutput('ListTopics', { Topics: [] }, 'r'),
    `${HEAD}<ListTopicsResponse ${NS}><ListTopicsResult><Topics/></ListTopicsResult>${meta('r')}</ListTopicsResponse>`,
  );
});

test('XML: GetTopicAttributes renders the map as entry/key/value, escaping values', () => {
  const policy = '{"Version":"2008-10-17","Statement":[{"Condition":{"StringEquals":{"AWS:SourceOwner":"0"}}}]}';
  assert.equal(
    snsQueryOutput('GetTopicAttributes', { Attributes: { TopicArn: TOPIC, Policy: policy, DisplayName: 'a & <b>' } }, 'r'),
    `${HEAD}<GetTopicAttributesResponse ${NS}><GetTopicAttributesResult><Attributes>` +
      `<entry><key>TopicArn</key><value>${TOPIC}</value></entry>` +
      `<entry><key>Policy</key><value>${policy.replace(/"/g, '&quot;')}</value></entry>` +
      `<entry><key>DisplayName</key><value>a &amp; &lt;b&gt;</value></entry>` +
      `</Attributes></GetTopicAttributesResult>${meta('r')}</GetTopicAttributesResponse>`,
  );
});

test('XML: ListSubscriptionsByTopic renders subscriptions as members in model order', () => {
  assert.equal(
    snsQueryOutput(
      'ListSubscriptionsByTopic',
      {
        NextToken: 'n',
        Subscriptions: [
          { TopicArn: TOPIC, Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q', Protocol: 'sqs', Owner: '000000000000', SubscriptionArn: SUB },
          { SubscriptionArn: 'PendingConfirmation', Owner: '000000000000', Protocol: 'https', Endpoint: 'https://x/?a=1&b=2', TopicArn: TOPIC },
        ],
      },
      'r',
    ),
    `${HEAD}<ListSubscriptionsByTopicResponse ${NS}><ListSubscriptionsByTopicResult><Subscriptions>` +
      `<member><SubscriptionArn>${SUB}</SubscriptionArn><Owner>000000000000</Owner><Protocol>sqs</Protocol>` +
      `<Endpoint>arn:aws:sqs:us-east-1:000000000000:q</Endpoint><TopicArn>${TOPIC}</TopicArn></member>` +
      `<member><SubscriptionArn>PendingConfirmation</SubscriptionArn><Owner>000000000000</Owner><Protocol>https</Protocol>` +
      `<Endpoint>https://x/?a=1&amp;b=2</Endpoint><TopicArn>${TOPIC}</TopicArn></member>` +
      `</Subscriptions><NextToken>n</NextToken></ListSubscriptionsByTopicResult>${meta('r')}</ListSubscriptionsByTopicResponse>`,
  );
});

test('XML: Publish with and without SequenceNumber', () => {
  assert.equal(
    snsQueryOutput('Publish', { MessageId: 'm-1' }, 'r'),
    `${HEAD}<PublishResponse ${NS}><PublishResult><MessageId>m-1</MessageId></PublishResult>${meta('r')}</PublishResponse>`,
  );
  assert.equal(
    snsQueryOutput('Publish', { SequenceNumber: '10000000000000000001', MessageId: 'm-2' }, 'r'),
    `${HEAD}<PublishResponse ${NS}><PublishResult><MessageId>m-2</MessageId>` +
      `<SequenceNumber>10000000000000000001</SequenceNumber></PublishResult>${meta('r')}</PublishResponse>`,
  );
});

test('XML: PublishBatch with Successful and Failed members', () => {
  assert.equal(
    snsQueryOutput(
      'PublishBatch',
      {
        Successful: [{ Id: 'a', MessageId: 'm1', SequenceNumber: '1' }, { Id: 'b', MessageId: 'm2' }],
        Failed: [
          { Id: 'c', Code: 'InvalidParameter', Message: 'Invalid parameter: Message too long', SenderFault: true },
          { Id: 'd', Code: 'InternalError', SenderFault: false },
        ],
      },
      'r',
    ),
    `${HEAD}<PublishBatchResponse ${NS}><PublishBatchResult><Successful>` +
      `<member><Id>a</Id><MessageId>m1</MessageId><SequenceNumber>1</SequenceNumber></member>` +
      `<member><Id>b</Id><MessageId>m2</MessageId></member></Successful><Failed>` +
      `<member><Id>c</Id><Code>InvalidParameter</Code><Message>Invalid parameter: Message too long</Message><SenderFault>true</SenderFault></member>` +
      `<member><Id>d</Id><Code>InternalError</Code><SenderFault>false</SenderFault></member>` +
      `</Failed></PublishBatchResult>${meta('r')}</PublishBatchResponse>`,
  );
  // AWS always sends both lists; an empty one is an empty element.
  assert.match(
    snsQueryOutput('PublishBatch', { Successful: [{ Id: 'a', MessageId: 'm' }], Failed: [] }, 'r'),
    /<\/Successful><Failed\/><\/PublishBatchResult>/,
  );
});

test('XML: ListTagsForResource renders tags as Key/Value members', () => {
  assert.equal(
    snsQueryOutput('ListTagsForResource', { Tags: [{ Key: 'team', Value: 'payments' }, { Key: 'empty', Value: '' }] }, 'r'),
    `${HEAD}<ListTagsForResourceResponse ${NS}><ListTagsForResourceResult><Tags>` +
      `<member><Key>team</Key><Value>payments</Value></member><member><Key>empty</Key><Value></Value></member>` +
      `</Tags></ListTagsForResourceResult>${meta('r')}</ListTagsForResourceResponse>`,
  );
});

test('XML: operations without output have no Result; empty outputs get an empty Result', () => {
  for (const op of ['DeleteTopic', 'SetTopicAttributes', 'Unsubscribe', 'SetSubscriptionAttributes', 'AddPermission', 'RemovePermission', 'PutDataProtectionPolicy']) {
    assert.equal(snsQueryOutput(op, {}, 'r'), `${HEAD}<${op}Response ${NS}>${meta('r')}</${op}Response>`);
  }
  assert.equal(
    snsQueryOutput('DeleteTopic', undefined, 'r2'),
    `${HEAD}<DeleteTopicResponse ${NS}>${meta('r2')}</DeleteTopicResponse>`,
  );
  for (const op of ['TagResource', 'UntagResource']) {
    assert.equal(snsQueryOutput(op, {}, 'r'), `${HEAD}<${op}Response ${NS}><${op}Result/>${meta('r')}</${op}Response>`);
  }
});

test('XML: lowercase model members, booleans and timestamps of the other operations', () => {
  assert.match(snsQueryOutput('CheckIfPhoneNumberIsOptedOut', { isOptedOut: false }, 'r'), /<CheckIfPhoneNumberIsOptedOutResult><isOptedOut>false<\/isOptedOut><\/CheckIfPhoneNumberIsOptedOutResult>/);
  assert.match(
    snsQueryOutput('GetSMSAttributes', { attributes: { DefaultSMSType: 'Promotional' } }, 'r'),
    /<GetSMSAttributesResult><attributes><entry><key>DefaultSMSType<\/key><value>Promotional<\/value><\/entry><\/attributes>/,
  );
  assert.match(
    snsQueryOutput('ListOriginationNumbers', { PhoneNumbers: [{ CreatedAt: 1704164645, NumberCapabilities: ['SMS', 'VOICE'] }] }, 'r'),
    /<PhoneNumbers><member><CreatedAt>2024-01-02T03:04:05.000Z<\/CreatedAt><NumberCapabilities><member>SMS<\/member><member>VOICE<\/member><\/NumberCapabilities><\/member><\/PhoneNumbers>/,
  );
});

test('XML: errors use the Query code, the fault as Type, the SNS namespace and no Detail', () => {
  assert.equal(
    snsQueryError(new AwsError('NotFoundException', 'Topic does not exist', { status: 404, queryCode: 'NotFound' }), 'e-1'),
    `${HEAD}<ErrorResponse ${NS}><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message>` +
      `</Error><RequestId>e-1</RequestId></ErrorResponse>`,
  );
  assert.match(
    snsQueryError(new AwsError('InternalError', 'a < b', { status: 500, fault: 'Receiver' }), 'e-2'),
    /<Error><Type>Receiver<\/Type><Code>InternalError<\/Code><Message>a &lt; b<\/Message>/,
  );
});

// ---------------------------------------------------------------------------------------------
// The real JS SDK v3 (@aws-sdk/client-sns, AwsQueryProtocol) against a tiny server answering with
// our XML: its request bodies must decode to the command input, and it must read our XML back.

interface SdkCase {
  name: string;
  /** An SNS command (typed loosely so one table can hold them all). */
  command: { input: object };
  /** Expected decoded request (JSON shapes: blobs as base64); defaults to the command input. */
  request?: Record<string, unknown>;
  /** Rendered by us; the SDK must return exactly this (besides $metadata). */
  output: Record<string, unknown>;
}

const SDK_CASES: SdkCase[] = [
  {
    name: 'CreateTopic',
    command: new CreateTopicCommand({
      Name: 'orders.fifo',
      Attributes: { FifoTopic: 'true', DisplayName: 'a & b' },
      Tags: [{ Key: 'team', Value: 'payments' }],
    }),
    output: { TopicArn: `${TOPIC}.fifo` },
  },
  {
    name: 'ListTopics',
    command: new ListTopicsCommand({ NextToken: 'p1' }),
    output: { Topics: [{ TopicArn: TOPIC }, { TopicArn: `${TOPIC}-2` }], NextToken: 'p2' },
  },
  { name: 'ListTopics (single)', command: new ListTopicsCommand({}), output: { Topics: [{ TopicArn: TOPIC }] } },
  { name: 'ListTopics (empty)', command: new ListTopicsCommand({}), output: { Topics: [] } },
  {
    name: 'GetTopicAttributes',
    command: new GetTopicAttributesCommand({ TopicArn: TOPIC }),
    output: {
      Attributes: {
        TopicArn: TOPIC,
        Policy: '{"Statement":[{"Effect":"Allow"}]}',
        DisplayName: 'x & <y> "z"\r\nnext',
        SubscriptionsPending: '0',
        Empty: '',
      },
    },
  },
  {
    name: 'Subscribe',
    command: new SubscribeCommand({
      TopicArn: TOPIC,
      Protocol: 'sqs',
      Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q',
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: '{"a":["b"]}' },
      ReturnSubscriptionArn: true,
    }),
    output: { SubscriptionArn: SUB },
  },
  {
    name: 'ConfirmSubscription',
    command: new ConfirmSubscriptionCommand({ TopicArn: TOPIC, Token: 'tok', AuthenticateOnUnsubscribe: 'true' }),
    output: { SubscriptionArn: SUB },
  },
  {
    name: 'ListSubscriptionsByTopic',
    command: new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC }),
    output: {
      Subscriptions: [
        { SubscriptionArn: SUB, Owner: '000000000000', Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q', TopicArn: TOPIC },
        { SubscriptionArn: 'PendingConfirmation', Owner: '000000000000', Protocol: 'https', Endpoint: 'https://h/?a=1&b=2', TopicArn: TOPIC },
      ],
      NextToken: 'n',
    },
  },
  {
    name: 'Publish',
    command: new PublishCommand({
      TopicArn: TOPIC,
      Message: 'héllo & <w> 😀',
      Subject: 's',
      MessageAttributes: {
        str: { DataType: 'String', StringValue: 'v' },
        bin: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
      },
    }),
    request: {
      TopicArn: TOPIC,
      Message: 'héllo & <w> 😀',
      Subject: 's',
      MessageAttributes: {
        str: { DataType: 'String', StringValue: 'v' },
        bin: { DataType: 'Binary', BinaryValue: 'AAH+/w==' },
      },
    },
    output: { MessageId: 'm-1' },
  },
  {
    name: 'Publish (FIFO)',
    command: new PublishCommand({ TopicArn: `${TOPIC}.fifo`, Message: 'm', MessageGroupId: 'g', MessageDeduplicationId: 'd' }),
    output: { MessageId: 'm-2', SequenceNumber: '10000000000000000002' },
  },
  {
    name: 'PublishBatch',
    command: new PublishBatchCommand({
      TopicArn: TOPIC,
      PublishBatchRequestEntries: [
        { Id: 'a', Message: 'one', MessageAttributes: { k: { DataType: 'Number', StringValue: '1' } } },
        { Id: 'b', Message: 'two', Subject: 's' },
      ],
    }),
    output: {
      Successful: [{ Id: 'a', MessageId: 'm1', SequenceNumber: '1' }],
      Failed: [
        { Id: 'b', Code: 'InvalidParameter', Message: 'bad', SenderFault: true },
        { Id: 'c', Code: 'InternalError', SenderFault: false },
      ],
    },
  },
  {
    name: 'TagResource',
    command: new TagResourceCommand({ ResourceArn: TOPIC, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '' }] }),
    output: {},
  },
  { name: 'UntagResource', command: new UntagResourceCommand({ ResourceArn: TOPIC, TagKeys: ['a', 'b'] }), output: {} },
  { name: 'UntagResource (no keys)', command: new UntagResourceCommand({ ResourceArn: TOPIC, TagKeys: [] }), output: {} },
  {
    name: 'GetTopicAttributes (empty map)',
    command: new GetTopicAttributesCommand({ TopicArn: TOPIC }),
    output: { Attributes: {} },
  },
  {
    name: 'CreateTopic (empty map)',
    command: new CreateTopicCommand({ Name: 'orders', Attributes: {}, Tags: [] }),
    // Like botocore, the SDK sends nothing for an empty map (and `Tags=` for an empty list).
    request: { Name: 'orders', Tags: [] },
    output: { TopicArn: TOPIC },
  },
  {
    name: 'ListTagsForResource',
    command: new ListTagsForResourceCommand({ ResourceArn: TOPIC }),
    output: { Tags: [{ Key: 'team', Value: 'payments' }, { Key: 'empty', Value: '' }] },
  },
  { name: 'DeleteTopic', command: new DeleteTopicCommand({ TopicArn: TOPIC }), output: {} },
];

type SdkOutput = { $metadata: { httpStatusCode?: number } } & Record<string, unknown>;

interface Reply {
  status: number;
  xml: string;
}

async function withServer(
  respond: (params: Record<string, string>, req: IncomingMessage) => Reply,
  run: (client: SNSClient) => Promise<void>,
): Promise<void> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = parseQueryParams(Buffer.concat(chunks).toString('utf8'));
      let reply: Reply;
      try {
        reply = respond(params, req);
      } catch (e) {
        reply = { status: 599, xml: String(e) };
      }
      res.writeHead(reply.status, { 'content-type': 'text/xml' });
      res.end(reply.xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SNSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    await run(client);
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('the JS SDK v3 SNSClient sends bodies we decode and reads the XML we render', async (t) => {
  let current: SdkCase | undefined;
  const last: { seen?: { params: Record<string, string>; contentType?: string } } = {};
  const lastRequest = () => last.seen;
  await withServer(
    (params, req) => {
      last.seen = { params, contentType: req.headers['content-type'] };
      const c = current!;
      return { status: 200, xml: snsQueryOutput(params.Action, c.output, `rid-${c.name}`) };
    },
    async (client) => {
      for (const c of SDK_CASES) {
        await t.test(c.name, async () => {
          current = c;
          last.seen = undefined;
          const { $metadata, ...result } = (await client.send(c.command as never)) as SdkOutput;
          assert.equal($metadata.httpStatusCode, 200);
          assert.deepEqual(result, c.output);
          const seen = lastRequest();
          assert.ok(seen, 'request reached the server');
          assert.match(seen.contentType ?? '', /^application\/x-www-form-urlencoded/);
          assert.equal(seen.params.Version, '2010-03-31');
          const action = c.command.constructor.name.replace(/Command$/, '');
          assert.equal(seen.params.Action, action);
          assert.deepEqual(snsQueryInput(action, seen.params), c.request ?? c.command.input);
        });
      }
    },
  );
});

test('the JS SDK v3 maps our error XML to its modeled exceptions', async () => {
  const errors: Record<string, AwsError> = {
    GetTopicAttributes: new AwsError('NotFoundException', 'Topic does not exist', { status: 404, queryCode: 'NotFound' }),
    Publish: new AwsError('InvalidParameterException', 'Invalid parameter: TopicArn', { queryCode: 'InvalidParameter' }),
    ListTopics: new AwsError('InvalidAction', 'The action ListTopics is not valid for this endpoint.'),
  };
  await withServer(
    (params) => {
      const err = errors[params.Action];
      return { status: err.status, xml: snsQueryError(err, `err-${params.Action}`) };
    },
    async (client) => {
      await assert.rejects(client.send(new GetTopicAttributesCommand({ TopicArn: TOPIC })), (e: unknown) => {
        assert.ok(e instanceof NotFoundException, String(e));
        assert.equal(e.name, 'NotFoundException');
        assert.equal(e.message, 'Topic does not exist');
        assert.equal(e.$metadata.httpStatusCode, 404);
        assert.equal(e.$fault, 'client');
        return true;
      });
      await assert.rejects(client.send(new PublishCommand({ TopicArn: 'x', Message: 'm' })), (e: unknown) => {
        assert.ok(e instanceof InvalidParameterException, String(e));
        assert.equal(e.message, 'Invalid parameter: TopicArn');
        assert.equal(e.$metadata.httpStatusCode, 400);
        return true;
      });
      // An unmodeled code still surfaces with its name and message.
      await assert.rejects(client.send(new ListTopicsCommand({})), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, 'InvalidAction');
        assert.equal(e.message, 'The action ListTopics is not valid for this endpoint.');
        return true;
      });
    },
  );
});
