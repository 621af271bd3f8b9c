import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mapAwsError } from './errors.js';
import { resolveTarget } from './target.js';
import { backoffMs, checkReceivedMd5, checkSentMd5, receivedMessages, retryClass, sendBatchBody, wireError } from './sqs-wire.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const aws = resolveTarget({ region: 'eu-west-1' }, {});

const modelled = (n: string) => ['QueueDoesNotExist', 'RequestThrottled', 'TooManyEntriesInBatchRequest'].includes(n);

describe('sqs-wire: errors as the SDK shapes them', () => {
  it('an AWS JSON error: the shape name as name, the query code from x-amzn-query-error as Code', () => {
    const e = wireError(
      400,
      { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender', 'x-amzn-requestid': 'req-1' },
      '{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}',
      modelled,
    );
    assert.equal(e.name, 'QueueDoesNotExist');
    assert.equal(e.Code, 'AWS.SimpleQueueService.NonExistentQueue');
    assert.equal(e.message, 'The specified queue does not exist.');
    assert.equal(e.$fault, 'client');
    assert.deepEqual(e.$metadata, { httpStatusCode: 400, requestId: 'req-1' });
    // ... so the CLI maps it exactly as an SDK error
    const mapped = mapAwsError(e, { target: aws, service: 'sqs', operation: 'SendMessageBatch', resource: 'queue "orders"' });
    assert.equal(mapped.code, 'QueueDoesNotExist');
    assert.equal(mapped.requestId, 'req-1');
    assert.match(mapped.message, /orders/);
  });

  it('an error SQS does not model is named after its query code, as the SDK names it', () => {
    const e = wireError(400, { 'x-amzn-query-error': 'InvalidParameterValue;Sender' }, '{"__type":"com.amazonaws.sqs#InvalidParameterValueException","message":"Value 11 …"}', modelled);
    assert.equal(e.name, 'InvalidParameterValue');
    assert.equal(e.Code, 'InvalidParameterValue');
  });

  it('a __type without a namespace or query header, and Message spelt with a capital', () => {
    const e = wireError(400, {}, '{"__type":"AccessDenied","Message":"no"}', modelled);
    assert.equal(e.name, 'AccessDenied');
    assert.equal(e.Code, 'AccessDenied');
    assert.equal(e.message, 'no');
  });

  it('a body that is not JSON (a proxy page): UnknownError with the status, server fault on 5xx', () => {
    const e = wireError(502, {}, '<html>Bad Gateway</html>', modelled);
    assert.equal(e.name, 'UnknownError');
    assert.equal(e.$fault, 'server');
    assert.match(e.message, /^HTTP 502: <html>Bad Gateway/);
    assert.equal(wireError(429, {}, '', modelled).name, 'TooManyRequestsException');
  });
});

describe('sqs-wire: standard-mode retries', () => {
  const err = (name: string, status = 400, extra: object = {}) => Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: status }, ...extra });

  it('classifies throttling, transient and network errors as the SDK does', () => {
    assert.equal(retryClass(err('RequestThrottled')), 'throttling');
    assert.equal(retryClass(err('Whatever', 400, { Code: 'AWS.SimpleQueueService.RequestThrottled' })), 'throttling');
    assert.equal(retryClass(err('UnknownError', 429)), 'throttling');
    // a clock-skew error is retried once the clock was corrected from the response's Date
    assert.equal(retryClass(err('RequestTimeTooSkewed', 403)), undefined);
    assert.equal(retryClass(err('RequestTimeTooSkewed', 403, { $metadata: { httpStatusCode: 403, clockSkewCorrected: true } })), 'transient');
    assert.equal(retryClass(err('InvalidSignatureException', 400, { message: 'Signature expired: 20260101T000000Z is now earlier than …' })), 'transient');
    assert.equal(retryClass(Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' })), 'transient');
    assert.equal(retryClass(Object.assign(new Error('wrapped'), { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) })), 'transient');
    assert.equal(retryClass(err('InternalError', 500)), 'transient');
    assert.equal(retryClass(err('ServiceUnavailable', 503)), 'transient');
    assert.equal(retryClass(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 'transient');
    assert.equal(retryClass(Object.assign(new Error('t'), { name: 'TimeoutError' })), 'transient');
  });

  it('does not retry what retrying cannot fix, nor an aborted call', () => {
    assert.equal(retryClass(err('QueueDoesNotExist')), undefined);
    assert.equal(retryClass(err('InvalidParameterValue')), undefined);
    assert.equal(retryClass(err('BatchEntryIdsNotDistinct')), undefined);
    assert.equal(retryClass(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ECONNRESET' })), undefined);
    assert.equal(retryClass(err('InternalFailure', 501)), undefined);
  });

  it('backs off with full jitter: 100 ms doubling (500 ms when throttled), capped at 20 s', () => {
    const top = () => 0.999999;
    assert.deepEqual([1, 2, 3, 4].map((a) => backoffMs(a, 'transient', top)), [99, 199, 399, 799]);
    assert.deepEqual([1, 2, 3].map((a) => backoffMs(a, 'throttling', top)), [499, 999, 1999]);
    assert.equal(backoffMs(20, 'transient', top), 19_999);
    assert.equal(backoffMs(3, 'transient', () => 0), 0);
  });
});

describe('sqs-wire: JSON in and out', () => {
  it('sends binary attribute values as base64 and keeps every other field', () => {
    const QueueUrl = 'https://sqs.eu-west-1.amazonaws.com/1/q.fifo';
    const text = { s: { DataType: 'String', StringValue: 'v' }, n: { DataType: 'Number.int', StringValue: '7' } };
    const entry = { Id: 'm0', MessageBody: 'hi', DelaySeconds: 0, MessageGroupId: 'g', MessageDeduplicationId: 'd', MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc' } } };
    const body = sendBatchBody({ QueueUrl, Entries: [{ ...entry, MessageAttributes: { ...text, b: { DataType: 'Binary.png', BinaryValue: Uint8Array.from([0, 1, 254, 255]) } } }] });
    assert.deepEqual(JSON.parse(JSON.stringify(body)), { QueueUrl, Entries: [{ ...entry, MessageAttributes: { ...text, b: { DataType: 'Binary.png', BinaryValue: 'AAH+/w==' } } }] });
  });

  it('hands received binary values back as bytes, as the SDK does', () => {
    const [m] = receivedMessages({
      Messages: [{ MessageId: 'a', Body: 'x', MessageAttributes: { b: { DataType: 'Binary', BinaryValue: 'AAH+/w==' }, s: { DataType: 'String', StringValue: 'v' } } }],
    })!;
    assert.ok(m!.MessageAttributes!.b!.BinaryValue instanceof Uint8Array);
    assert.deepEqual([...m!.MessageAttributes!.b!.BinaryValue!], [0, 1, 254, 255]);
    assert.deepEqual(m!.MessageAttributes!.s, { DataType: 'String', StringValue: 'v' });
    assert.equal(receivedMessages({}), undefined);
  });
});

describe('sqs-wire: body MD5 checks (as middleware-sdk-sqs)', () => {
  it('a received body whose MD5 does not match fails the call, naming the message', () => {
    checkReceivedMd5([{ MessageId: 'a', Body: 'héllo', MD5OfBody: md5('héllo') }]);
    assert.throws(() => checkReceivedMd5([{ MessageId: 'a', Body: 'ok', MD5OfBody: md5('ok') }, { MessageId: 'b', Body: 'changed', MD5OfBody: md5('original') }]), /Invalid MD5 checksum on messages: b$/);
  });

  it('a sent body SQS stored differently fails the call', () => {
    const input = { QueueUrl: 'q', Entries: [{ Id: 'm0', MessageBody: 'one' }, { Id: 'm1', MessageBody: 'two' }] };
    checkSentMd5(input, { Successful: [{ Id: 'm0', MessageId: 'x0', MD5OfMessageBody: md5('one') }, { Id: 'm1', MessageId: 'x1', MD5OfMessageBody: md5('two') }], Failed: [] });
    assert.throws(() => checkSentMd5(input, { Successful: [{ Id: 'm1', MessageId: 'x1', MD5OfMessageBody: md5('one') }], Failed: [] }), /Invalid MD5 checksum on messages: x1$/);
  });
});
