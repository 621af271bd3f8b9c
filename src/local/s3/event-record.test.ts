import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEventKey, eventMessage, eventRecord, testEventMessage, type RecordSource } from './event-record.js';

const base: RecordSource = {
  eventName: 'ObjectCreated:Put',
  bucket: 'uploads',
  region: 'us-east-1',
  key: 'in/my photo.jpg',
  size: 9,
  eTag: '"437b930db84b8079c2dd804a71936b5f"',
  sequencer: '0055AED6DCD90281E5',
  requestId: 'C3D13FE58DE4C810',
  hostId: 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
  sourceIp: '127.0.0.1',
  timeMs: Date.UTC(2026, 11, 4, 23, 30, 0, 7),
};

test('the record: AWS members in AWS order, eTag without quotes, key encoded', () => {
  const json = eventMessage(base, 'cfg-1', '000000000000');
  assert.equal(
    json,
    JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: '2026-12-04T23:30:00.007Z',
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: 'AWS:000000000000' },
          requestParameters: { sourceIPAddress: '127.0.0.1' },
          responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': base.hostId },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'cfg-1',
            bucket: { name: 'uploads', ownerIdentity: { principalId: '000000000000' }, arn: 'arn:aws:s3:::uploads' },
            object: { key: 'in/my+photo.jpg', size: 9, eTag: '437b930db84b8079c2dd804a71936b5f', sequencer: '0055AED6DCD90281E5' },
          },
        },
      ],
    }),
  );
});

test('removals: no size nor eTag on Delete; DeleteMarkerCreated has the empty-body eTag; versionId when there is one', () => {
  const del = eventRecord({ ...base, eventName: 'ObjectRemoved:Delete', size: undefined, eTag: undefined }, 'c', '000000000000') as { s3: { object: object } };
  assert.deepEqual(del.s3.object, { key: 'in/my+photo.jpg', sequencer: '0055AED6DCD90281E5' });
  const marker = eventRecord({ ...base, eventName: 'ObjectRemoved:DeleteMarkerCreated', versionId: 'v1', size: undefined }, 'c', '000000000000') as { s3: { object: object } };
  assert.deepEqual(marker.s3.object, { key: 'in/my+photo.jpg', eTag: 'd41d8cd98f00b204e9800998ecf8427e', versionId: 'v1', sequencer: '0055AED6DCD90281E5' });
  const nullVersion = eventRecord({ ...base, versionId: 'null' }, 'c', '000000000000') as { s3: { object: Record<string, unknown> } };
  assert.equal('versionId' in nullVersion.s3.object, false);
});

test('key encoding as AWS: spaces +, @ %40, slashes kept, UTF-8 percent-encoded, + itself %2B', () => {
  assert.equal(encodeEventKey('a@b'), 'a%40b');
  assert.equal(encodeEventKey('testupload/dir1/testfile.txt'), 'testupload/dir1/testfile.txt');
  assert.equal(encodeEventKey('red flower.jpg'), 'red+flower.jpg');
  assert.equal(encodeEventKey('a+b'), 'a%2Bb');
  assert.equal(encodeEventKey('photos/été 😀.png'), 'photos/%C3%A9t%C3%A9+%F0%9F%98%80.png');
  assert.equal(encodeEventKey('x=(1);y:2,z?&%'), 'x%3D%281%29%3By%3A2%2Cz%3F%26%25');
  assert.equal(encodeEventKey('keep-._*'), 'keep-._*');
});

test('the test event as AWS documents it', () => {
  assert.deepEqual(JSON.parse(testEventMessage('uploads', 'RID', 'HID', Date.UTC(2026, 0, 2, 3, 4, 5, 6))), {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: '2026-01-02T03:04:05.006Z',
    Bucket: 'uploads',
    RequestId: 'RID',
    HostId: 'HID',
  });
});

test('eventMessage writes exactly JSON.stringify of the record, for every event shape', () => {
  const shapes: RecordSource[] = [
    base,
    { ...base, eventName: 'ObjectRemoved:Delete', size: undefined, eTag: undefined },
    { ...base, eventName: 'ObjectRemoved:DeleteMarkerCreated', size: undefined, eTag: undefined, versionId: 'v"1' },
    { ...base, eventName: 'ObjectCreated:Copy', versionId: 'null', key: 'ü/"quoted"\\back\n', bucket: 'b-1' },
    { ...base, eventName: 'ObjectCreated:CompleteMultipartUpload', eTag: 'abc-3', size: 0, versionId: '3HL4kqtJlcpXroDTDmJ' },
  ];
  for (const e of shapes) assert.equal(eventMessage(e, 'id "x"', '123456789012'), JSON.stringify({ Records: [eventRecord(e, 'id "x"', '123456789012')] }));
});

test('messages of different buckets, configurations, regions and events each match their own record', () => {
  const variants: Array<[RecordSource, string, string]> = [
    [base, 'cfg-1', '000000000000'],
    [{ ...base, bucket: 'other' }, 'cfg-1', '000000000000'],
    [base, 'cfg-2', '000000000000'],
    [{ ...base, region: 'eu-west-1' }, 'cfg-1', '111111111111'],
    [{ ...base, eventName: 'ObjectRemoved:Delete', size: undefined, eTag: undefined }, 'cfg-1', '000000000000'],
    [base, 'cfg-1', '000000000000'],
  ];
  for (const [e, cfg, account] of variants) assert.equal(eventMessage(e, cfg, account), JSON.stringify({ Records: [eventRecord(e, cfg, account)] }));
});
