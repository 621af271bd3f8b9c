import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeS3Event, decodeS3Key, describeS3Event } from './s3-event.js';
import { decodeReceived } from './decode.js';
import { renderMessageBlock } from './message-block.js';

const record = (key: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'us-east-1',
  eventTime: '2026-12-04T23:00:00.000Z',
  eventName: 'ObjectCreated:Put',
  s3: { s3SchemaVersion: '1.0', configurationId: 'c1', bucket: { name: 'up-bucket', arn: 'arn:aws:s3:::up-bucket' }, object: { key, size: 1234, eTag: 'abc', sequencer: '00' } },
  ...extra,
});
const plain = { noStyle: (s: string) => s };
const style = new Proxy({}, { get: () => plain.noStyle }) as never;

describe('S3 events in tail', () => {
  it('decodes keys as S3 encodes them: + is a space, then percent-decoding', () => {
    assert.equal(decodeS3Key('my+photo%2B1.jpg'), 'my photo+1.jpg');
    assert.equal(decodeS3Key('caf%C3%A9%2Fa'), 'café/a');
    assert.equal(decodeS3Key('bad%zz+x'), 'bad%zz x');
  });

  it('an S3 event: one line per record with event, bucket, decoded key and size; removals have no size', () => {
    const e = decodeS3Event({ Records: [record('in/my+photo.jpg'), record('old.txt', { eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'up-bucket' }, object: { key: 'old.txt', sequencer: '01' } } })] });
    assert.ok(e && !e.test);
    assert.deepEqual(e.records[0], { event: 's3:ObjectCreated:Put', bucket: 'up-bucket', key: 'in/my photo.jpg', rawKey: 'in/my+photo.jpg', size: 1234, eTag: 'abc', time: '2026-12-04T23:00:00.000Z' });
    assert.deepEqual(describeS3Event(e), ['s3:ObjectCreated:Put s3://up-bucket/in/my photo.jpg (1,234 bytes)', 's3:ObjectRemoved:Delete s3://up-bucket/old.txt']);
  });

  it('the test event is named for what it is; other JSON is not an S3 event', () => {
    const t = decodeS3Event({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-12-04T23:00:00.000Z', Bucket: 'up-bucket', RequestId: 'r', HostId: 'h' });
    assert.deepEqual(t, { test: true, bucket: 'up-bucket', time: '2026-12-04T23:00:00.000Z' });
    assert.match(describeS3Event(t!)[0]!, /^S3 test event: bucket up-bucket/);
    assert.equal(decodeS3Event({ Records: [{ eventSource: 'aws:sqs' }] }), null);
    assert.equal(decodeS3Event({ Records: [] }), null);
    assert.equal(decodeS3Event('text'), null);
  });

  it('a received message carries the decoded event (direct from S3, or through an SNS envelope) and the block shows it', () => {
    const direct = decodeReceived({ MessageId: 'm1', Body: JSON.stringify({ Records: [record('a+b.txt')] }) }, 'up-work', 'receive');
    assert.equal(direct.s3 && !direct.s3.test && direct.s3.records[0]!.key, 'a b.txt');
    const viaSns = decodeReceived(
      { MessageId: 'm2', Body: JSON.stringify({ Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Subject: 'Amazon S3 Notification', Message: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'up-bucket' }) }) },
      'up-work',
      'receive',
    );
    assert.deepEqual(viaSns.s3, { test: true, bucket: 'up-bucket', time: null });
    assert.match(renderMessageBlock(direct, style), /\n {2}s3:ObjectCreated:Put s3:\/\/up-bucket\/a b\.txt \(1,234 bytes\)\n/);
    assert.match(renderMessageBlock(viaSns, style), /S3 test event: bucket up-bucket/);
    assert.equal(decodeReceived({ MessageId: 'm3', Body: 'hello' }, 'q', 'receive').s3, null);
  });
});
