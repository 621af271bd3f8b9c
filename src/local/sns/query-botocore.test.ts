/**
 * Cross-checks the SNS Query codec against botocore's own SNS model and Query codec (any botocore:
 * SNS has always been Query-only). Driven by test/fixtures/sns-query/botocore-roundtrip.py:
 * - "samples": botocore lists its SNS operations and, for each, a request with every member filled
 *   in (serialized by its QuerySerializer) plus a full output; the operation set must equal
 *   SNS_QUERY_ACTIONS, every body must decode to its input and every output must survive
 *   render → botocore `QueryParser` unchanged — so every descriptor in ./query.ts matches the model;
 * - "parse": hand-picked outputs and errors rendered by us must parse into exactly the expected dict
 *   and map to botocore's modeled exceptions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseQueryParams } from '../protocol/query.js';
import { AwsError } from '../../domain/aws-error.js';
import { SNS_QUERY_ACTIONS, snsQueryError, snsQueryInput, snsQueryOutput } from './query.js';

const HELPER = fileURLToPath(new URL('../../../test/fixtures/sns-query/botocore-roundtrip.py', import.meta.url));
const PYTHON = 'python3';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders';
const SUB = `${TOPIC}:0c4b8e32-6d2c-4a4f-9f5e-2b1c3d4e5f60`;

interface Sample {
  action: string;
  input: Record<string, unknown>;
  body: string;
  output: Record<string, unknown> | null;
}

interface Parsed {
  requestId?: string;
  status?: number;
  result: Record<string, unknown>;
  error?: Record<string, unknown>;
  exception?: string;
}

function python<T>(job: unknown): T & { botocore: string } {
  const res = spawnSync(PYTHON, [HELPER], { input: JSON.stringify(job), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(res.status, 0, `${PYTHON} ${HELPER} failed (needs botocore: pip install botocore): ${res.error ?? ''}${res.stderr}`);
  return JSON.parse(res.stdout) as T & { botocore: string };
}

/** Outputs in canonical form: what botocore parses must equal them exactly. */
const OUTPUTS: Array<{ action: string; output: Record<string, unknown> }> = [
  { action: 'CreateTopic', output: { TopicArn: TOPIC } },
  { action: 'ListTopics', output: { Topics: [{ TopicArn: TOPIC }, { TopicArn: `${TOPIC}.fifo` }], NextToken: 'tok+/=' } },
  { action: 'ListTopics', output: { Topics: [{ TopicArn: TOPIC }] } },
  { action: 'ListTopics', output: { Topics: [] } },
  {
    action: 'GetTopicAttributes',
    output: {
      Attributes: {
        TopicArn: TOPIC,
        Policy: '{"Version":"2008-10-17","Statement":[{"Sid":"__default_statement_ID"}]}',
        DisplayName: 'x & <y> "z" \'a\'\r\nnext\ttab é€😀',
        Owner: '000000000000',
        Empty: '',
      },
    },
  },
  { action: 'GetTopicAttributes', output: { Attributes: {} } },
  { action: 'GetSubscriptionAttributes', output: { Attributes: { RawMessageDelivery: 'false', FilterPolicy: '{"a":["b"]}' } } },
  { action: 'Subscribe', output: { SubscriptionArn: 'pending confirmation' } },
  { action: 'ConfirmSubscription', output: { SubscriptionArn: SUB } },
  {
    action: 'ListSubscriptionsByTopic',
    output: {
      Subscriptions: [
        { SubscriptionArn: SUB, Owner: '000000000000', Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q', TopicArn: TOPIC },
        { SubscriptionArn: 'PendingConfirmation', Owner: '000000000000', Protocol: 'https', Endpoint: 'https://h/?a=1&b=2', TopicArn: TOPIC },
      ],
      NextToken: 'n',
    },
  },
  { action: 'ListSubscriptions', output: { Subscriptions: [] } },
  { action: 'Publish', output: { MessageId: '94f20ce6-13c5-43a0-9a9e-ca52d816e90b' } },
  { action: 'Publish', output: { MessageId: 'm', SequenceNumber: '10000000000000000001' } },
  {
    action: 'PublishBatch',
    output: {
      Successful: [{ Id: 'a', MessageId: 'm1', SequenceNumber: '1' }, { Id: 'b', MessageId: 'm2' }],
      Failed: [
        { Id: 'c', Code: 'InvalidParameter', Message: 'Invalid parameter: Message too long', SenderFault: true },
        { Id: 'd', Code: 'InternalError', SenderFault: false },
      ],
    },
  },
  { action: 'PublishBatch', output: { Successful: [], Failed: [{ Id: 'x', Code: 'InvalidParameter', SenderFault: true }] } },
  { action: 'ListTagsForResource', output: { Tags: [{ Key: 'team', Value: 'payments' }, { Key: 'empty', Value: '' }] } },
  { action: 'ListTagsForResource', output: { Tags: [] } },
  { action: 'TagResource', output: {} },
  { action: 'GetDataProtectionPolicy', output: { DataProtectionPolicy: '{"Name":"p"}' } },
  { action: 'GetSMSSandboxAccountStatus', output: { IsInSandbox: false } },
  { action: 'DeleteTopic', output: {} },
  { action: 'SetSubscriptionAttributes', output: {} },
];

/** Errors: the AwsError the service throws → botocore's exception class. */
const ERRORS: Array<{ action: string; err: AwsError; exception: string }> = [
  {
    action: 'GetTopicAttributes',
    err: new AwsError('NotFoundException', 'Topic does not exist', { status: 404, queryCode: 'NotFound' }),
    exception: 'NotFoundException',
  },
  {
    action: 'Subscribe',
    err: new AwsError('InvalidParameterException', 'Invalid parameter: Amazon SNS does not support this protocol string: x', {
      queryCode: 'InvalidParameter',
    }),
    exception: 'InvalidParameterException',
  },
  {
    action: 'Publish',
    err: new AwsError('InvalidParameterValueException', 'Invalid parameter: Message too long', {
      queryCode: 'ParameterValueInvalid',
    }),
    exception: 'InvalidParameterValueException',
  },
  {
    action: 'TagResource',
    err: new AwsError('ResourceNotFoundException', 'Resource does not exist', { status: 404, queryCode: 'ResourceNotFound' }),
    exception: 'ResourceNotFoundException',
  },
  {
    action: 'CreatePlatformApplication',
    err: new AwsError('InternalErrorException', 'svl does not emulate mobile push', { status: 500, fault: 'Receiver', queryCode: 'InternalError' }),
    exception: 'InternalErrorException',
  },
  {
    action: 'ListTopics',
    err: new AwsError('InvalidAction', 'The action X is not valid for this endpoint.'),
    exception: 'ClientError',
  },
];

test('botocore agrees with the SNS Query codec', async (t) => {
  const { botocore, operations, samples } = python<{ operations: string[]; samples: Sample[] }>({ mode: 'samples' });
  t.diagnostic(`botocore ${botocore}`);

  await t.test('SNS_QUERY_ACTIONS is exactly the operation set of botocore\'s SNS model', () => {
    assert.deepEqual([...SNS_QUERY_ACTIONS].sort(), [...operations].sort());
  });

  await t.test('a fully populated request of every operation decodes to its input', () => {
    for (const s of samples) {
      const params = parseQueryParams(s.body);
      assert.equal(params.Action, s.action);
      assert.deepEqual(snsQueryInput(s.action, params), s.input, s.action);
    }
  });

  const cases = [
    ...samples.map((s) => ({ action: s.action, output: s.output ?? {}, hasOutput: s.output !== null })),
    ...OUTPUTS.map((c) => ({ ...c, hasOutput: true })),
  ];
  const parsed = python<{ responses: Parsed[] }>({
    mode: 'parse',
    responses: [
      ...cases.map((c, i) => ({ action: c.action, status: 200, xml: snsQueryOutput(c.action, c.output, `req-${i}`) })),
      ...ERRORS.map((c, i) => ({ action: c.action, status: c.err.status, xml: snsQueryError(c.err, `err-${i}`) })),
    ],
  }).responses;

  await t.test('botocore parses every rendered output (all operations + edge cases) back unchanged', () => {
    cases.forEach((c, i) => {
      const r = parsed[i];
      assert.equal(r.error, undefined, `${c.action} parsed as an error: ${JSON.stringify(r)}`);
      assert.deepEqual(r.result, c.hasOutput ? c.output : {}, `${c.action} #${i}`);
      assert.equal(r.requestId, `req-${i}`);
    });
  });

  await t.test('error XML maps to botocore\'s modeled exceptions with code, message and status', () => {
    ERRORS.forEach((c, i) => {
      const r = parsed[cases.length + i];
      assert.equal(r.exception, c.exception, c.action);
      assert.equal(r.status, c.err.status);
      assert.equal(r.requestId, `err-${i}`);
      assert.deepEqual(r.error, { Type: c.err.fault, Code: c.err.queryCode, Message: c.err.message });
    });
  });
});
