/**
 * Cross-checks the SQS Query codec against a real query-era botocore (Debian python3-boto3, which
 * CI's .ci/run installs): botocore must read our XML back into the JSON-shaped output we rendered,
 * map our error XML to its modeled exceptions, and every request body it sends must decode to the
 * parameters it was given. Driven by test/fixtures/sqs-query/botocore-roundtrip.py (one process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseQueryParams } from '../protocol/query.js';
import { AwsError } from '../../domain/aws-error.js';
import { sqsQueryError, sqsQueryInput, sqsQueryOutput } from './query.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/sqs-query/', import.meta.url));
const PYTHON = '/usr/bin/python3';
const Q = 'http://localhost:4566/000000000000/q1';
const ARN = 'arn:aws:sqs:us-east-1:000000000000:dlq';

interface OutputCase {
  action: string;
  /** A valid request for the client call (botocore validates it before "sending"). */
  params: Record<string, unknown>;
  output: Record<string, unknown>;
}

/** Outputs in canonical form: what botocore parses must equal them exactly. */
const OUTPUTS: OutputCase[] = [
  { action: 'CreateQueue', params: { QueueName: 'q1' }, output: { QueueUrl: Q } },
  { action: 'GetQueueUrl', params: { QueueName: 'q1' }, output: { QueueUrl: Q } },
  { action: 'ListQueues', params: {}, output: { QueueUrls: [Q, `${Q}-2`], NextToken: 'tok' } },
  { action: 'ListQueues', params: {}, output: {} },
  {
    action: 'GetQueueAttributes',
    params: { QueueUrl: Q, AttributeNames: ['All'] },
    output: { Attributes: { QueueArn: `${ARN}`, Policy: '{"Version":"2012-10-17"}', DelaySeconds: '0' } },
  },
  {
    action: 'SendMessage',
    params: { QueueUrl: Q, MessageBody: 'x' },
    output: {
      MD5OfMessageBody: '9dd4e461268c8034f5c8564e155c67a6',
      MD5OfMessageAttributes: '3ae8f24a165a8cedc005670c81a27295',
      MD5OfMessageSystemAttributes: '5ae4d5d7636402d80f4eb6d213245a88',
      MessageId: 'f8a4c3a0-1b2c-4d5e-8f90-123456789abc',
      SequenceNumber: '18849496460467696128',
    },
  },
  {
    action: 'SendMessageBatch',
    params: { QueueUrl: Q, Entries: [{ Id: 'a', MessageBody: 'x' }] },
    output: {
      Successful: [
        { Id: 'a', MessageId: 'm1', MD5OfMessageBody: 'x1' },
        { Id: 'c', MessageId: 'm3', MD5OfMessageBody: 'x3', MD5OfMessageAttributes: 'y3', SequenceNumber: '1' },
      ],
      Failed: [
        { Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: 'Message must be shorter than 1024 bytes.' },
        { Id: 'd', SenderFault: false, Code: 'InternalError' },
      ],
    },
  },
  {
    action: 'ReceiveMessage',
    params: { QueueUrl: Q, AttributeNames: ['All'], MessageAttributeNames: ['All'] },
    output: {
      Messages: [
        {
          MessageId: 'm1',
          ReceiptHandle: 'AQEB+x/y==',
          MD5OfBody: 'md5',
          Body: 'hello & <world> "quoted" \'apos\'\r\nline2\ttab é€😀',
          Attributes: {
            SenderId: 'AIDAIENQZJOLO23YVJ4VO',
            SentTimestamp: '1714481635123',
            ApproximateReceiveCount: '1',
            ApproximateFirstReceiveTimestamp: '1714481635200',
          },
          MD5OfMessageAttributes: 'fca026605781cb4126a1e9044df24232',
          MessageAttributes: {
            General: { StringValue: 'Kenobi', DataType: 'String' },
            Num: { StringValue: '-1.5e3', DataType: 'Number' },
            Bin: { BinaryValue: 'AAH+/w==', DataType: 'Binary' },
            Lists: { StringListValues: ['a', 'b'], BinaryListValues: ['eg=='], DataType: 'String' },
          },
        },
        { MessageId: 'm2', ReceiptHandle: 'rh2', MD5OfBody: 'md5b', Body: '' },
      ],
    },
  },
  { action: 'ReceiveMessage', params: { QueueUrl: Q }, output: {} },
  {
    action: 'DeleteMessageBatch',
    params: { QueueUrl: Q, Entries: [{ Id: 'a', ReceiptHandle: 'r' }] },
    output: {
      Successful: [{ Id: 'a' }],
      Failed: [{ Id: 'b', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "x" is not a valid receipt handle.' }],
    },
  },
  {
    action: 'ChangeMessageVisibilityBatch',
    params: { QueueUrl: Q, Entries: [{ Id: 'a', ReceiptHandle: 'r', VisibilityTimeout: 1 }] },
    output: { Successful: [{ Id: 'a' }, { Id: 'b' }] },
  },
  { action: 'ListQueueTags', params: { QueueUrl: Q }, output: { Tags: { team: 'payments', empty: '' } } },
  { action: 'ListDeadLetterSourceQueues', params: { QueueUrl: Q }, output: { queueUrls: [Q], NextToken: 'n' } },
  { action: 'StartMessageMoveTask', params: { SourceArn: ARN }, output: { TaskHandle: 'eyJ0In0=' } },
  {
    action: 'ListMessageMoveTasks',
    params: { SourceArn: ARN },
    output: {
      Results: [
        {
          TaskHandle: 'h',
          Status: 'RUNNING',
          SourceArn: ARN,
          DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:q1',
          MaxNumberOfMessagesPerSecond: 50,
          ApproximateNumberOfMessagesMoved: 12,
          ApproximateNumberOfMessagesToMove: 3000000000,
          StartedTimestamp: 1714481635123,
        },
        { Status: 'FAILED', SourceArn: ARN, FailureReason: 'AWS.SimpleQueueService.NonExistentQueue', StartedTimestamp: 1 },
      ],
    },
  },
  { action: 'CancelMessageMoveTask', params: { TaskHandle: 'h' }, output: { ApproximateNumberOfMessagesMoved: 5 } },
  { action: 'DeleteMessage', params: { QueueUrl: Q, ReceiptHandle: 'r' }, output: {} },
  { action: 'PurgeQueue', params: { QueueUrl: Q }, output: {} },
  { action: 'TagQueue', params: { QueueUrl: Q, Tags: { a: 'b' } }, output: {} },
];

interface ErrorCase {
  action: string;
  params: Record<string, unknown>;
  err: AwsError;
  /** botocore's modeled exception class name, or ClientError. */
  exception: string;
  message: string;
}

const ERRORS: ErrorCase[] = [
  {
    action: 'GetQueueUrl',
    params: { QueueName: 'nope' },
    err: new AwsError('QueueDoesNotExist', 'The specified queue does not exist.', {
      queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
    }),
    exception: 'QueueDoesNotExist',
    message: 'The specified queue does not exist for this wsdl version.',
  },
  {
    action: 'PurgeQueue',
    params: { QueueUrl: Q },
    err: new AwsError('PurgeQueueInProgress', 'Only one PurgeQueue operation on q1 is allowed every 60 seconds.', {
      queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress',
      status: 403,
    }),
    exception: 'PurgeQueueInProgress',
    message: 'Only one PurgeQueue operation on q1 is allowed every 60 seconds.',
  },
  {
    action: 'ReceiveMessage',
    params: { QueueUrl: Q, MaxNumberOfMessages: 11 },
    err: new AwsError(
      'InvalidParameterValueException',
      'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
      { queryCode: 'InvalidParameterValue' },
    ),
    exception: 'ClientError',
    message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
  },
];

interface PyResult {
  botocore: string;
  responses: Array<{
    result?: Record<string, unknown>;
    requestId?: string;
    error?: Record<string, unknown>;
    exception?: string;
    status?: number;
  }>;
  requests: Array<{ body: string }>;
}

const REQUESTS = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(FIXTURES + f, 'utf8')) as { action: string; input: Record<string, unknown> });

function runBotocore(): PyResult {
  const job = {
    responses: [
      ...OUTPUTS.map((c, i) => ({ action: c.action, params: c.params, xml: sqsQueryOutput(c.action, c.output, `req-${i}`) })),
      ...ERRORS.map((c, i) => ({ action: c.action, params: c.params, status: c.err.status, xml: sqsQueryError(c.err, `err-${i}`) })),
    ],
    requests: REQUESTS.map((r) => ({ action: r.action, params: r.input })),
  };
  const res = spawnSync(PYTHON, [FIXTURES + 'botocore-roundtrip.py'], { input: JSON.stringify(job), encoding: 'utf8' });
  assert.equal(
    res.status,
    0,
    `${PYTHON} failed (needs Debian python3-boto3: apt-get install -y python3-boto3): ${res.error ?? ''}${res.stderr}`,
  );
  return JSON.parse(res.stdout) as PyResult;
}

test('query-era botocore reads our XML, errors and request bodies round-trip', async (t) => {
  const py = runBotocore();
  t.diagnostic(`botocore ${py.botocore}`);

  await t.test('success responses parse back to the JSON-shaped outputs', () => {
    OUTPUTS.forEach((c, i) => {
      const r = py.responses[i];
      assert.equal(r.error, undefined, `${c.action} raised ${JSON.stringify(r)}`);
      assert.deepEqual(r.result, c.output, c.action);
      assert.equal(r.requestId, `req-${i}`);
    });
  });

  await t.test('error responses map to modeled exceptions with the Query code', () => {
    ERRORS.forEach((c, i) => {
      const r = py.responses[OUTPUTS.length + i];
      assert.equal(r.exception, c.exception, c.action);
      assert.equal(r.status, c.err.status);
      assert.equal(r.requestId, `err-${i}`);
      assert.equal(r.error?.Code, c.err.queryCode);
      assert.equal(r.error?.Type, 'Sender');
      assert.equal(r.error?.Message, c.message);
    });
  });

  await t.test('every request body botocore sends decodes to its parameters', () => {
    REQUESTS.forEach((r, i) => {
      const params = parseQueryParams(py.requests[i].body);
      assert.equal(params.Action, r.action);
      assert.deepEqual(sqsQueryInput(r.action, params), r.input, r.action);
    });
  });
});
