import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseQueryParams } from '../protocol/query.js';
import { AwsError } from '../../domain/aws-error.js';
import { SQS_QUERY_ACTIONS, SQS_XMLNS, sqsQueryError, sqsQueryInput, sqsQueryOutput } from './query.js';

// Request bodies captured from a query-era botocore client (see test/fixtures/sqs-query/generate.py).
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/sqs-query/', import.meta.url));
const Q = 'http://localhost:4566/000000000000/q1';
const HEAD = `<?xml version="1.0"?>`;
const meta = (rid: string) => `<ResponseMetadata><RequestId>${rid}</RequestId></ResponseMetadata>`;

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt'));

test('every SQS operation has a botocore request fixture', () => {
  const actions = fixtures.map((f) => JSON.parse(readFileSync(FIXTURES + f.replace(/\.txt$/, '.json'), 'utf8')).action);
  assert.equal(SQS_QUERY_ACTIONS.length, 23);
  assert.deepEqual([...actions].sort(), [...SQS_QUERY_ACTIONS].sort());
});

for (const file of fixtures) {
  test(`botocore body ${file} decodes to the JSON 1.0 input`, () => {
    const body = readFileSync(FIXTURES + file, 'utf8');
    const expected = JSON.parse(readFileSync(FIXTURES + file.replace(/\.txt$/, '.json'), 'utf8'));
    const params = parseQueryParams(body);
    assert.equal(params.Action, expected.action);
    assert.equal(params.Version, '2012-11-05');
    assert.deepEqual(sqsQueryInput(params.Action, params), expected.input);
  });
}

test('QueueUrl falls back to the request path URL only when the parameter is absent', () => {
  const p = parseQueryParams('Action=DeleteMessage&ReceiptHandle=rh');
  assert.deepEqual(sqsQueryInput('DeleteMessage', p, Q), { QueueUrl: Q, ReceiptHandle: 'rh' });
  const withUrl = parseQueryParams(`Action=PurgeQueue&QueueUrl=${encodeURIComponent(Q)}`);
  assert.deepEqual(sqsQueryInput('PurgeQueue', withUrl, 'http://other/1/x'), { QueueUrl: Q });
  // Operations without a QueueUrl member never get one.
  assert.deepEqual(sqsQueryInput('ListQueues', {}, Q), {});
});

test('unknown actions return undefined (caller answers InvalidAction)', () => {
  assert.equal(sqsQueryInput('Nope', {}), undefined);
  assert.equal(sqsQueryInput('toString', {}), undefined);
  assert.throws(() => sqsQueryOutput('Nope', {}, 'r'));
});

test('integer members: integer strings become numbers, other text stays for the service to reject', () => {
  const p = parseQueryParams(
    `Action=ReceiveMessage&QueueUrl=q&MaxNumberOfMessages=11&WaitTimeSeconds=abc&VisibilityTimeout=1.5`,
  );
  assert.deepEqual(sqsQueryInput('ReceiveMessage', p), {
    QueueUrl: 'q',
    MaxNumberOfMessages: 11,
    WaitTimeSeconds: 'abc',
    VisibilityTimeout: '1.5',
  });
  const batch = parseQueryParams(
    'ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=x',
  );
  assert.deepEqual(sqsQueryInput('ChangeMessageVisibilityBatch', batch), {
    Entries: [{ Id: 'a', VisibilityTimeout: 'x' }],
  });
});

test('sparse and unsorted indices are ordered by index number', () => {
  const p = parseQueryParams(
    'SendMessageBatchRequestEntry.10.Id=ten&SendMessageBatchRequestEntry.10.MessageBody=b10' +
      '&SendMessageBatchRequestEntry.2.Id=two&SendMessageBatchRequestEntry.2.MessageBody=b2' +
      '&SendMessageBatchRequestEntry.2.MessageAttribute.5.Name=z&SendMessageBatchRequestEntry.2.MessageAttribute.5.Value.DataType=String' +
      '&SendMessageBatchRequestEntry.2.MessageAttribute.5.Value.StringValue=last' +
      '&SendMessageBatchRequestEntry.2.MessageAttribute.3.Name=a&SendMessageBatchRequestEntry.2.MessageAttribute.3.Value.DataType=Number' +
      '&SendMessageBatchRequestEntry.2.MessageAttribute.3.Value.StringValue=1',
  );
  const input = sqsQueryInput('SendMessageBatch', p) as { Entries: Array<Record<string, unknown>> };
  assert.deepEqual(
    input.Entries.map((e) => e.Id),
    ['two', 'ten'],
  );
  assert.deepEqual(input.Entries[0].MessageAttributes, {
    a: { DataType: 'Number', StringValue: '1' },
    z: { DataType: 'String', StringValue: 'last' },
  });
  assert.deepEqual(Object.keys(input.Entries[0].MessageAttributes as object), ['a', 'z']);
});

test('tolerated variants: TagQueue Tags.N.*, unindexed AttributeName, empty list marker', () => {
  assert.deepEqual(sqsQueryInput('TagQueue', parseQueryParams('QueueUrl=q&Tags.1.Key=k&Tags.1.Value=v')), {
    QueueUrl: 'q',
    Tags: { k: 'v' },
  });
  assert.deepEqual(sqsQueryInput('GetQueueAttributes', parseQueryParams('QueueUrl=q&AttributeName=All')), {
    QueueUrl: 'q',
    AttributeNames: ['All'],
  });
  assert.deepEqual(sqsQueryInput('ReceiveMessage', parseQueryParams('QueueUrl=q&MessageAttributeNames=')), {
    QueueUrl: 'q',
    MessageAttributeNames: [],
  });
  assert.deepEqual(
    sqsQueryInput('ReceiveMessage', parseQueryParams('QueueUrl=q&MessageSystemAttributeName.1=SenderId')),
    { QueueUrl: 'q', MessageSystemAttributeNames: ['SenderId'] },
  );
});

test('SendMessage XML', () => {
  const xml = sqsQueryOutput(
    'SendMessage',
    { MD5OfMessageBody: 'b', MD5OfMessageAttributes: 'a', MessageId: 'id-1', SequenceNumber: undefined },
    'rid',
  );
  assert.equal(
    xml,
    `${HEAD}<SendMessageResponse xmlns="${SQS_XMLNS}"><SendMessageResult><MD5OfMessageBody>b</MD5OfMessageBody>` +
      `<MD5OfMessageAttributes>a</MD5OfMessageAttributes><MessageId>id-1</MessageId></SendMessageResult>` +
      `${meta('rid')}</SendMessageResponse>`,
  );
});

test('ReceiveMessage XML with system attributes and message attributes', () => {
  const xml = sqsQueryOutput(
    'ReceiveMessage',
    {
      Messages: [
        {
          MessageId: 'm1',
          ReceiptHandle: 'rh+/=',
          MD5OfBody: 'md5',
          Body: '<a href="x">\r\n&</a>',
          Attributes: { SenderId: 'AIDA', SentTimestamp: '1714481635123' },
          MD5OfMessageAttributes: 'mmd5',
          MessageAttributes: {
            s: { StringValue: 'v', DataType: 'String' },
            b: { BinaryValue: 'AAE=', DataType: 'Binary.custom' },
          },
        },
        { MessageId: 'm2', ReceiptHandle: 'rh2', MD5OfBody: 'x', Body: 'plain' },
      ],
    },
    'rid',
  );
  assert.equal(
    xml,
    `${HEAD}<ReceiveMessageResponse xmlns="${SQS_XMLNS}"><ReceiveMessageResult>` +
      '<Message><MessageId>m1</MessageId><ReceiptHandle>rh+/=</ReceiptHandle><MD5OfBody>md5</MD5OfBody>' +
      '<Body>&lt;a href=&quot;x&quot;&gt;&#xD;\n&amp;&lt;/a&gt;</Body>' +
      '<Attribute><Name>SenderId</Name><Value>AIDA</Value></Attribute>' +
      '<Attribute><Name>SentTimestamp</Name><Value>1714481635123</Value></Attribute>' +
      '<MD5OfMessageAttributes>mmd5</MD5OfMessageAttributes>' +
      '<MessageAttribute><Name>s</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute>' +
      '<MessageAttribute><Name>b</Name><Value><BinaryValue>AAE=</BinaryValue><DataType>Binary.custom</DataType></Value></MessageAttribute>' +
      '</Message>' +
      '<Message><MessageId>m2</MessageId><ReceiptHandle>rh2</ReceiptHandle><MD5OfBody>x</MD5OfBody><Body>plain</Body></Message>' +
      `</ReceiveMessageResult>${meta('rid')}</ReceiveMessageResponse>`,
  );
  assert.equal(
    sqsQueryOutput('ReceiveMessage', {}, 'r'),
    `${HEAD}<ReceiveMessageResponse xmlns="${SQS_XMLNS}"><ReceiveMessageResult/>${meta('r')}</ReceiveMessageResponse>`,
  );
});

test('GetQueueAttributes XML', () => {
  const xml = sqsQueryOutput(
    'GetQueueAttributes',
    { Attributes: { QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q1', Policy: '{"a":"b"}' } },
    'rid',
  );
  assert.equal(
    xml,
    `${HEAD}<GetQueueAttributesResponse xmlns="${SQS_XMLNS}"><GetQueueAttributesResult>` +
      '<Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:000000000000:q1</Value></Attribute>' +
      '<Attribute><Name>Policy</Name><Value>{&quot;a&quot;:&quot;b&quot;}</Value></Attribute>' +
      `</GetQueueAttributesResult>${meta('rid')}</GetQueueAttributesResponse>`,
  );
});

test('SendMessageBatch XML with Successful and Failed entries', () => {
  const xml = sqsQueryOutput(
    'SendMessageBatch',
    {
      Successful: [{ Id: 'a', MessageId: 'm', MD5OfMessageBody: 'x', SequenceNumber: '1000' }],
      Failed: [{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: 'too long' }],
    },
    'rid',
  );
  assert.equal(
    xml,
    `${HEAD}<SendMessageBatchResponse xmlns="${SQS_XMLNS}"><SendMessageBatchResult>` +
      '<SendMessageBatchResultEntry><Id>a</Id><MessageId>m</MessageId><MD5OfMessageBody>x</MD5OfMessageBody>' +
      '<SequenceNumber>1000</SequenceNumber></SendMessageBatchResultEntry>' +
      '<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>InvalidParameterValue</Code>' +
      '<Message>too long</Message></BatchResultErrorEntry>' +
      `</SendMessageBatchResult>${meta('rid')}</SendMessageBatchResponse>`,
  );
});

test('ListQueues and ListDeadLetterSourceQueues XML (flattened QueueUrl)', () => {
  assert.equal(
    sqsQueryOutput('ListQueues', { QueueUrls: [Q, `${Q}2`], NextToken: 't' }, 'rid'),
    `${HEAD}<ListQueuesResponse xmlns="${SQS_XMLNS}"><ListQueuesResult><QueueUrl>${Q}</QueueUrl>` +
      `<QueueUrl>${Q}2</QueueUrl><NextToken>t</NextToken></ListQueuesResult>${meta('rid')}</ListQueuesResponse>`,
  );
  assert.equal(
    sqsQueryOutput('ListQueues', { QueueUrls: [] }, 'rid'),
    `${HEAD}<ListQueuesResponse xmlns="${SQS_XMLNS}"><ListQueuesResult/>${meta('rid')}</ListQueuesResponse>`,
  );
  assert.match(
    sqsQueryOutput('ListDeadLetterSourceQueues', { queueUrls: [Q] }, 'r'),
    new RegExp(`<ListDeadLetterSourceQueuesResult><QueueUrl>${Q}</QueueUrl></ListDeadLetterSourceQueuesResult>`),
  );
});

test('ListQueueTags, ListMessageMoveTasks and CancelMessageMoveTask XML', () => {
  assert.match(
    sqsQueryOutput('ListQueueTags', { Tags: { team: 'a&b' } }, 'r'),
    /<ListQueueTagsResult><Tag><Key>team<\/Key><Value>a&amp;b<\/Value><\/Tag><\/ListQueueTagsResult>/,
  );
  assert.match(
    sqsQueryOutput(
      'ListMessageMoveTasks',
      { Results: [{ TaskHandle: 'h', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 0, StartedTimestamp: 1714481635123 }] },
      'r',
    ),
    /<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry><TaskHandle>h<\/TaskHandle><Status>RUNNING<\/Status>/,
  );
  assert.match(
    sqsQueryOutput('CancelMessageMoveTask', { ApproximateNumberOfMessagesMoved: 7 }, 'r'),
    /<CancelMessageMoveTaskResult><ApproximateNumberOfMessagesMoved>7<\/ApproximateNumberOfMessagesMoved>/,
  );
});

test('operations without output render no Result element', () => {
  for (const action of ['DeleteMessage', 'DeleteQueue', 'SetQueueAttributes', 'PurgeQueue', 'TagQueue', 'UntagQueue',
    'ChangeMessageVisibility', 'AddPermission', 'RemovePermission']) {
    assert.equal(
      sqsQueryOutput(action, {}, 'rid'),
      `${HEAD}<${action}Response xmlns="${SQS_XMLNS}">${meta('rid')}</${action}Response>`,
    );
  }
});

test('error XML; NonExistentQueue uses the Query-protocol wording', () => {
  const missing = new AwsError('QueueDoesNotExist', 'The specified queue does not exist.', {
    queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
  });
  assert.equal(
    sqsQueryError(missing, 'rid'),
    `${HEAD}<ErrorResponse xmlns="${SQS_XMLNS}"><Error><Type>Sender</Type>` +
      '<Code>AWS.SimpleQueueService.NonExistentQueue</Code>' +
      '<Message>The specified queue does not exist for this wsdl version.</Message><Detail/></Error>' +
      '<RequestId>rid</RequestId></ErrorResponse>',
  );
  const invalid = new AwsError('InvalidParameterValueException', 'Value 11 for parameter MaxNumberOfMessages is invalid.', {
    queryCode: 'InvalidParameterValue',
  });
  assert.match(sqsQueryError(invalid, 'r'), /<Code>InvalidParameterValue<\/Code><Message>Value 11 for parameter/);
});

test("the Query codec's actions are exactly the SQS service's operations (the router asks the service which actions are SQS's)", async () => {
  const { openStore } = await import('../store/db.js');
  const { FakeClock } = await import('../clock.js');
  const { SqsService } = await import('./service.js');
  const store = openStore({ inMemory: true });
  try {
    const svc = new SqsService({ db: store.db, clock: new FakeClock(0) });
    for (const action of SQS_QUERY_ACTIONS) assert.ok(svc.hasOperation(action), `${action} is an SQS operation`);
    const ops = Object.keys((svc as unknown as { ops: Record<string, unknown> }).ops);
    assert.deepEqual([...ops].sort(), [...SQS_QUERY_ACTIONS].sort());
  } finally {
    store.close();
  }
});
