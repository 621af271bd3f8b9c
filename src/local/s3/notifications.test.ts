import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNotificationConfiguration, ruleMatches, serializeNotificationConfiguration, destinationArnParses, generateNotificationId } from './notifications.js';
import { S3Error } from './errors.js';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:uploads';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:uploads';
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:resize';
const doc = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</NotificationConfiguration>`;
const queueCfg = (events: string[], filter = '', id = '', arn = QUEUE) =>
  `<QueueConfiguration>${id ? `<Id>${id}</Id>` : ''}<Queue>${arn}</Queue>${events.map((e) => `<Event>${e}</Event>`).join('')}${filter}</QueueConfiguration>`;
const filter = (rules: Array<[string, string]>) => `<Filter><S3Key>${rules.map(([n, v]) => `<FilterRule><Name>${n}</Name><Value>${v}</Value></FilterRule>`).join('')}</S3Key></Filter>`;
let n = 0;
const ids = () => `id-${++n}`;

function s3Error(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof S3Error, `expected an S3Error, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an S3Error');
}

test('reads the three destination kinds and EventBridge, generating missing ids', () => {
  const cfg = parseNotificationConfiguration(
    doc(
      queueCfg(['s3:ObjectCreated:*'], filter([['prefix', 'in/'], ['SUFFIX', '.jpg']]), 'q1') +
        `<TopicConfiguration><Topic>${TOPIC}</Topic><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>` +
        `<CloudFunctionConfiguration><Id>f</Id><CloudFunction>${FN}</CloudFunction><Event>s3:ObjectCreated:Put</Event>${filter([['Prefix', 'thumbs/']])}</CloudFunctionConfiguration>` +
        '<EventBridgeConfiguration></EventBridgeConfiguration>',
    ),
    ids,
  );
  assert.equal(cfg.eventBridge, true);
  assert.deepEqual(cfg.rules, [
    { Id: 'q1', kind: 'queue', Arn: QUEUE, Events: ['s3:ObjectCreated:*'], FilterRules: [{ Name: 'Prefix', Value: 'in/' }, { Name: 'Suffix', Value: '.jpg' }] },
    { Id: `id-${n}`, kind: 'topic', Arn: TOPIC, Events: ['s3:ObjectRemoved:*'] },
    { Id: 'f', kind: 'function', Arn: FN, Events: ['s3:ObjectCreated:Put'], FilterRules: [{ Name: 'Prefix', Value: 'thumbs/' }] },
  ]);
});

test('an empty configuration clears; generated ids look like AWS ones (base64 of a UUID)', () => {
  assert.deepEqual(parseNotificationConfiguration(doc('')), { rules: [], eventBridge: false });
  const id = generateNotificationId();
  assert.match(Buffer.from(id, 'base64').toString(), /^[0-9a-f]{8}-[0-9a-f]{4}-/);
});

test('serializes what it read (capitalised rule names, empty values kept, EventBridge)', () => {
  const body = doc(queueCfg(['s3:ObjectCreated:*'], filter([['suffix', '']]), 'a&b') + '<EventBridgeConfiguration/>');
  const xml = serializeNotificationConfiguration(parseNotificationConfiguration(body));
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<QueueConfiguration><Id>a&amp;b</Id><Queue>${QUEUE}</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>Suffix</Name><Value></Value></FilterRule></S3Key></Filter></QueueConfiguration>` +
      '<EventBridgeConfiguration/></NotificationConfiguration>',
  );
});

test('an unparsable ARN names its element (Queue / Topic / CloudFunction) and value', () => {
  for (const [el, cfg] of [
    ['Queue', queueCfg(['s3:ObjectCreated:*'], '', '', 'invalid-queue')],
    ['Topic', `<TopicConfiguration><Topic>invalid-topic</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>`],
    ['CloudFunction', `<CloudFunctionConfiguration><CloudFunction>${QUEUE}</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>`],
  ] as const) {
    const err = s3Error(() => parseNotificationConfiguration(doc(cfg)));
    assert.equal(err.code, 'InvalidArgument');
    assert.equal(err.message, 'The ARN could not be parsed');
    assert.equal(err.fields.ArgumentName, el);
  }
  // The form error wins even when it is in the second configuration (AWS-recorded).
  const err = s3Error(() => parseNotificationConfiguration(doc(queueCfg(['s3:ObjectCreated:*'], '', 'a', 'arn:aws:sqs:us-east-1:000000000000:missing') + queueCfg(['s3:ObjectRemoved:*'], '', 'b', 'invalid_arn_2'))));
  assert.equal(err.fields.ArgumentValue, 'invalid_arn_2');
});

test('ARN syntax per service', () => {
  assert.equal(destinationArnParses(QUEUE, 'sqs'), true);
  assert.equal(destinationArnParses(QUEUE, 'sns'), false);
  assert.equal(destinationArnParses('arn:aws:sqs:us-east-1:123:q', 'sqs'), false);
  assert.equal(destinationArnParses(`${FN}:live`, 'lambda'), true);
  assert.equal(destinationArnParses('arn:aws:lambda:us-east-1:000000000000:resize', 'lambda'), false);
});

test('unknown event names are refused; every event of the S3 model is accepted', () => {
  const err = s3Error(() => parseNotificationConfiguration(doc(queueCfg(['s3:ObjectCreated:Get']))));
  assert.equal(err.code, 'InvalidArgument');
  assert.equal(err.message, 'The event is not supported for notifications');
  assert.equal(parseNotificationConfiguration(doc(queueCfg(['s3:ObjectTagging:*', 's3:ObjectRestore:Completed']))).rules.length, 1);
});

test('filter rules: bad name, missing Name/Value (MalformedXML), duplicates, oversize values', () => {
  let err = s3Error(() => parseNotificationConfiguration(doc(queueCfg(['s3:ObjectCreated:*'], filter([['INVALID', 'does not matter']])))));
  assert.deepEqual([err.code, err.message, err.fields], ['InvalidArgument', 'filter rule name must be either prefix or suffix', { ArgumentName: 'FilterRule.Name', ArgumentValue: 'INVALID' }]);
  err = s3Error(() => parseNotificationConfiguration(doc(queueCfg(['s3:ObjectCreated:*'], '<Filter><S3Key><FilterRule><Name>prefix</Name></FilterRule></S3Key></Filter>'))));
  assert.equal(err.code, 'MalformedXML');
  err = s3Error(() => parseNotificationConfiguration(doc(queueCfg(['s3:ObjectCreated:*'], filter([['prefix', 'a'], ['Prefix', 'b']])))));
  assert.equal(err.message, 'Cannot specify more than one prefix rule in a filter.');
  err = s3Error(() => parseNotificationConfiguration(doc(queueCfg(['s3:ObjectCreated:*'], filter([['suffix', 'x'.repeat(1025)]])))));
  assert.match(err.message, /cannot exceed 1024 bytes/);
});

test('malformed documents are MalformedXML', () => {
  for (const body of ['<NotificationConfiguration>', 'not xml', '<Other/>', doc('<QueueConfiguration><Event>s3:ObjectCreated:*</Event></QueueConfiguration>'), doc(`<QueueConfiguration><Queue>${QUEUE}</Queue></QueueConfiguration>`)]) {
    assert.equal(s3Error(() => parseNotificationConfiguration(body)).code, 'MalformedXML', body);
  }
});

test('overlapping configurations: a common event type and filters that can match one key', () => {
  const overlap = (a: string, b: string) => {
    try {
      parseNotificationConfiguration(doc(a + b));
      return false;
    } catch (err) {
      assert.equal((err as S3Error).message, 'Configurations overlap. Configurations on the same bucket cannot share a common event type.');
      return true;
    }
  };
  const q = (events: string[], rules: Array<[string, string]> = []) => queueCfg(events, rules.length ? filter(rules) : '');
  assert.equal(overlap(q(['s3:ObjectCreated:*']), q(['s3:ObjectCreated:Put'])), true, 'wildcard covers Put');
  assert.equal(overlap(q(['s3:ObjectCreated:*']), `<TopicConfiguration><Topic>${TOPIC}</Topic><Event>s3:ObjectCreated:Copy</Event></TopicConfiguration>`), true, 'across destination kinds');
  assert.equal(overlap(q(['s3:ObjectCreated:*']), q(['s3:ObjectRemoved:*'])), false, 'different event types');
  assert.equal(overlap(q(['s3:ObjectCreated:*'], [['prefix', 'images/']]), q(['s3:ObjectCreated:*'], [['prefix', 'docs/']])), false, 'disjoint prefixes');
  assert.equal(overlap(q(['s3:ObjectCreated:*'], [['prefix', 'images/']]), q(['s3:ObjectCreated:*'], [['prefix', 'images/raw/']])), true, 'nested prefixes');
  assert.equal(overlap(q(['s3:ObjectCreated:*'], [['suffix', '.jpg']]), q(['s3:ObjectCreated:*'], [['suffix', '.png']])), false, 'disjoint suffixes');
  assert.equal(overlap(q(['s3:ObjectCreated:*'], [['prefix', 'a/']]), q(['s3:ObjectCreated:*'], [['suffix', '.png']])), true, 'prefix-only vs suffix-only');
  assert.equal(overlap(q(['s3:ObjectCreated:Put']), q(['s3:ObjectCreated:Copy'])), false, 'different exact events');
});

test('matching: exact and wildcard events, prefix and suffix on the encoded key', () => {
  const [rule] = parseNotificationConfiguration(doc(queueCfg(['s3:ObjectCreated:*', 's3:ObjectRemoved:Delete'], filter([['prefix', 'in/my+'], ['suffix', '.jpg']])))).rules;
  assert.equal(ruleMatches(rule!, 'ObjectCreated:Put', 'in/my+photo.jpg'), true);
  assert.equal(ruleMatches(rule!, 'ObjectCreated:CompleteMultipartUpload', 'in/my+photo.jpg'), true);
  assert.equal(ruleMatches(rule!, 'ObjectRemoved:Delete', 'in/my+photo.jpg'), true);
  assert.equal(ruleMatches(rule!, 'ObjectRemoved:DeleteMarkerCreated', 'in/my+photo.jpg'), false);
  assert.equal(ruleMatches(rule!, 'ObjectCreated:Put', 'in/my+photo.png'), false);
  assert.equal(ruleMatches(rule!, 'ObjectCreated:Put', 'out/my+photo.jpg'), false);
});
