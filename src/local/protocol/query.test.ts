import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeEntryMap,
  decodeFlatList,
  decodeFlatMap,
  decodeFlatStructList,
  decodeMemberList,
  decodeStructure,
  indicesUnder,
  parseQueryParams,
  subParams,
  type QueryMembers,
} from './query.js';
import { element, escapeXml, renderQueryError, renderQueryResponse, renderStructure, textElement } from './xml.js';
import { AwsError } from '../../domain/aws-error.js';

const NS = 'http://example.com/doc/';

test('parseQueryParams decodes form bodies, GET query strings and URLSearchParams', () => {
  const body = 'Action=SendMessage&MessageBody=a+b%26c%3D%2B%0D%0A%C3%A9&Empty=&Dup=1&Dup=2';
  const p = parseQueryParams(body);
  assert.deepEqual(p, { Action: 'SendMessage', MessageBody: 'a b&c=+\r\né', Empty: '', Dup: '1' });
  assert.deepEqual(parseQueryParams('?Action=ListQueues&QueueNamePrefix=x'), { Action: 'ListQueues', QueueNamePrefix: 'x' });
  assert.deepEqual(parseQueryParams(new URLSearchParams({ Action: 'X' })), { Action: 'X' });
  assert.deepEqual(parseQueryParams(''), {});
});

test('parseQueryParams keeps __proto__ as an ordinary parameter', () => {
  const p = parseQueryParams('__proto__=x&a=1');
  assert.equal(Object.getPrototypeOf(p), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(p, '__proto__')?.value, 'x');
});

test('indicesUnder orders sparse, unsorted indices numerically and ignores other names', () => {
  const p = { 'A.10': 'j', 'A.2.X': 'b', 'A.1': 'a', 'A.2.Y': 'c', 'AB.3': 'no', 'A.x': 'no', A: 'bare' };
  assert.deepEqual(indicesUnder(p, 'A'), [1, 2, 10]);
  assert.deepEqual(subParams(p, 'A.2'), { X: 'b', Y: 'c' });
});

test('decodeFlatList: Prefix.N', () => {
  const p = parseQueryParams('AttributeName.3=c&AttributeName.1=a&AttributeName.20=z&Other.2=x');
  assert.deepEqual(decodeFlatList(p, 'AttributeName'), ['a', 'c', 'z']);
  assert.deepEqual(decodeFlatList(p, 'Missing'), []);
});

test('decodeFlatStructList: Prefix.N.Field', () => {
  const p = parseQueryParams('E.2.Id=b&E.2.ReceiptHandle=r2&E.1.Id=a&E.1.ReceiptHandle=r1&E.1.Extra.1=x');
  assert.deepEqual(decodeFlatStructList(p, 'E'), [
    { Id: 'a', ReceiptHandle: 'r1', 'Extra.1': 'x' },
    { Id: 'b', ReceiptHandle: 'r2' },
  ]);
});

test('decodeFlatMap: Name/Value by default, configurable names, missing value is ""', () => {
  const p = parseQueryParams(
    'Attribute.2.Name=DelaySeconds&Attribute.2.Value=5&Attribute.1.Name=Policy&Attribute.1.Value=' +
      '&Attribute.3.Value=orphan&Tag.1.Key=k&Tag.1.Value=v&Attribute.4.Name=NoValue',
  );
  assert.deepEqual(decodeFlatMap(p, 'Attribute'), { Policy: '', DelaySeconds: '5', NoValue: '' });
  assert.deepEqual(decodeFlatMap(p, 'Tag', 'Key', 'Value'), { k: 'v' });
});

test('decodeMemberList / decodeEntryMap: SNS-style non-flattened collections', () => {
  const p = parseQueryParams(
    'AttributeNames.member.2=b&AttributeNames.member.1=a' +
      '&Attributes.entry.2.key=RawMessageDelivery&Attributes.entry.2.value=true' +
      '&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=%7B%7D',
  );
  assert.deepEqual(decodeMemberList(p, 'AttributeNames'), ['a', 'b']);
  assert.deepEqual(decodeEntryMap(p, 'Attributes'), { FilterPolicy: '{}', RawMessageDelivery: 'true' });
});

const MEMBERS: QueryMembers = {
  Name: { shape: 'string' },
  Count: { shape: 'integer' },
  Big: { shape: 'long' },
  Flag: { shape: 'boolean' },
  Names: { shape: { type: 'list', member: 'string', memberName: 'Name', flattened: true } },
  Tags: { shape: { type: 'map', keyName: 'Key', valueName: 'Value', value: 'string', flattened: true }, name: 'Tag' },
  Items: {
    shape: {
      type: 'list',
      flattened: true,
      memberName: 'Item',
      member: { type: 'structure', members: { Id: { shape: 'string' }, N: { shape: 'integer' } } },
    },
  },
  Members: { shape: { type: 'list', member: 'string' } },
  Entries: { shape: { type: 'map', value: 'string' } },
};

test('decodeStructure maps wire names to JSON members and converts integer strings only', () => {
  const p = parseQueryParams(
    'Name=x&Count=12&Big=1700000000000&Flag=true&Name.2=b&Name.1=a&Tag.1.Key=k&Tag.1.Value=v' +
      '&Item.2.Id=second&Item.1.Id=first&Item.1.N=-3&Members.member.1=m&Entries.entry.1.key=ek&Entries.entry.1.value=ev',
  );
  assert.deepEqual(decodeStructure(p, MEMBERS), {
    Name: 'x',
    Count: 12,
    Big: 1700000000000,
    Flag: true,
    Names: ['a', 'b'],
    Tags: { k: 'v' },
    Items: [{ Id: 'first', N: -3 }, { Id: 'second' }],
    Members: ['m'],
    Entries: { ek: 'ev' },
  });
  // Non-integers stay strings so the service can report InvalidParameterValue with the original text.
  assert.deepEqual(decodeStructure(parseQueryParams('Count=1.5&Flag=yes&Big=99999999999999999999'), MEMBERS), {
    Count: '1.5',
    Flag: 'yes',
    Big: '99999999999999999999',
  });
  assert.deepEqual(decodeStructure(parseQueryParams('Count=&Item.1.N=abc&Item.1.Id=i'), MEMBERS), {
    Count: '',
    Items: [{ Id: 'i', N: 'abc' }],
  });
});

test('decodeStructure: empty-list marker, absent members, unindexed legacy forms', () => {
  // botocore serializes an empty list as the bare member name with an empty value.
  assert.deepEqual(decodeStructure(parseQueryParams('Names=&Members='), MEMBERS), { Names: [], Members: [] });
  assert.deepEqual(decodeStructure({}, MEMBERS), {});
  // boto 2 / very old docs: `AttributeName=All`, `Attribute.Name=…&Attribute.Value=…`.
  assert.deepEqual(decodeStructure(parseQueryParams('Name=All&Tag.Key=k&Tag.Value=v'), { ...MEMBERS, Name: { shape: 'string', name: 'Nom' } }), {
    Names: ['All'],
    Tags: { k: 'v' },
  });
});

test('decodeStructure: map keys such as __proto__ become own properties', () => {
  const out = decodeStructure(parseQueryParams('Tag.1.Key=__proto__&Tag.1.Value=x'), MEMBERS);
  const tags = out.Tags as Record<string, string>;
  assert.equal(Object.getPrototypeOf(tags), Object.prototype);
  assert.deepEqual(Object.keys(tags), ['__proto__']);
});

test('escapeXml imitates SQS: & < > plus " as &quot; and CR as &#xD;, apostrophe untouched', () => {
  assert.equal(escapeXml(`a&b<c>d"e'f\r\ng`), "a&amp;b&lt;c&gt;d&quot;e'f&#xD;\ng");
  assert.equal(textElement('Body', 'x<y'), '<Body>x&lt;y</Body>');
  assert.equal(textElement('Body', undefined), '');
  assert.equal(textElement('N', 0), '<N>0</N>');
  assert.equal(element('E', ''), '<E/>');
  assert.equal(element('E', '<a/>', { xmlns: 'u"v' }), '<E xmlns="u&quot;v"><a/></E>');
});

test('renderStructure: flattened (SQS) and member/entry (SNS) collections, scalars', () => {
  const xml = renderStructure(
    {
      Name: 'n',
      Count: 3,
      Flag: false,
      Names: ['a', 'b'],
      Tags: { k: 'v' },
      Items: [{ Id: 'i', N: 1 }],
      Members: ['m1', 'm2'],
      Entries: { ek: 'ev' },
      Unknown: 'ignored',
      Big: null,
    },
    MEMBERS,
  );
  assert.equal(
    xml,
    '<Name>n</Name><Count>3</Count><Flag>false</Flag><Name>a</Name><Name>b</Name>' +
      '<Tag><Key>k</Key><Value>v</Value></Tag><Item><Id>i</Id><N>1</N></Item>' +
      '<Members><member>m1</member><member>m2</member></Members>' +
      '<Entries><entry><key>ek</key><value>ev</value></entry></Entries>',
  );
  assert.equal(renderStructure({ Members: [], Entries: {} }, MEMBERS), '<Members/><Entries/>');
});

test('renderQueryResponse: Result element only for operations with output', () => {
  assert.equal(
    renderQueryResponse('GetQueueUrl', '<QueueUrl>u</QueueUrl>', 'rid-1', NS),
    '<?xml version="1.0"?><GetQueueUrlResponse xmlns="http://example.com/doc/"><GetQueueUrlResult><QueueUrl>u</QueueUrl>' +
      '</GetQueueUrlResult><ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></GetQueueUrlResponse>',
  );
  assert.equal(
    renderQueryResponse('DeleteQueue', null, 'rid-2', NS),
    '<?xml version="1.0"?><DeleteQueueResponse xmlns="http://example.com/doc/"><ResponseMetadata>' +
      '<RequestId>rid-2</RequestId></ResponseMetadata></DeleteQueueResponse>',
  );
  // Empty output still gets the wrapper (botocore looks it up unconditionally).
  assert.match(renderQueryResponse('ReceiveMessage', '', 'r', NS), /<ReceiveMessageResult\/><ResponseMetadata>/);
});

test('renderQueryError: Type from fault, Code = queryCode, escaped Message, empty Detail', () => {
  const err = new AwsError('QueueDoesNotExist', 'Queue "q" <missing>', {
    queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
  });
  assert.equal(
    renderQueryError(err, 'rid', NS),
    '<?xml version="1.0"?><ErrorResponse xmlns="http://example.com/doc/"><Error><Type>Sender</Type>' +
      '<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>Queue &quot;q&quot; &lt;missing&gt;</Message>' +
      '<Detail/></Error><RequestId>rid</RequestId></ErrorResponse>',
  );
  const internal = new AwsError('InternalFailure', 'boom', { status: 500, fault: 'Receiver' });
  assert.match(renderQueryError(internal, 'r', NS), /<Type>Receiver<\/Type><Code>InternalFailure<\/Code>/);
});

test('renderQueryError: message override and the Detail-less (SNS) form', () => {
  const err = new AwsError('NotFound', 'Topic does not exist', { status: 404 });
  assert.equal(
    renderQueryError(err, 'rid', NS, 'other', { detail: false }),
    '<?xml version="1.0"?><ErrorResponse xmlns="http://example.com/doc/"><Error><Type>Sender</Type>' +
      '<Code>NotFound</Code><Message>other</Message></Error><RequestId>rid</RequestId></ErrorResponse>',
  );
  assert.match(renderQueryError(err, 'rid', NS, undefined, { detail: true }), /<Message>Topic does not exist<\/Message><Detail\/>/);
});

test('timestamp scalars: rendered as ISO 8601 from epoch seconds or Date, kept as text on input', () => {
  const members: QueryMembers = {
    CreatedAt: { shape: 'timestamp' },
    Items: { shape: { type: 'list', member: { type: 'structure', members: { At: { shape: 'timestamp' } } } } },
  };
  assert.equal(
    renderStructure({ CreatedAt: 1704067200, Items: [{ At: 1704067200.25 }, { At: new Date(0) }, { At: '2024-01-01T00:00:00Z' }] }, members),
    '<CreatedAt>2024-01-01T00:00:00.000Z</CreatedAt><Items><member><At>2024-01-01T00:00:00.250Z</At></member>' +
      '<member><At>1970-01-01T00:00:00.000Z</At></member><member><At>2024-01-01T00:00:00Z</At></member></Items>',
  );
  assert.deepEqual(decodeStructure(parseQueryParams('CreatedAt=2024-01-01T00%3A00%3A00Z'), members), {
    CreatedAt: '2024-01-01T00:00:00Z',
  });
});
