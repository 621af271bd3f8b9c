// Smoke run of the pip-installed AWS CLI v1 (botocore >= 1.34.90, so SQS over AWS JSON 1.0 with the
// query-compatibility header) against an in-process emulator: the commands a user types first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestEmulator } from '../helpers/emulator.mjs';
import { aws, AWSCLI_INSTALL_HINT as INSTALL_HINT } from '../helpers/awscli.mjs';


const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');

async function awsJson(args, url) {
  const r = await aws(args, { url });
  assert.equal(r.code, 0, `aws ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

test('AWS CLI (JSON protocol) smoke: queue lifecycle, messages with attributes, errors', async () => {
  const version = await aws(['--version']);
  assert.equal(version.code, 0, `aws --version failed (${version.code}): ${version.stderr}\n${INSTALL_HINT}`);
  const bc = /botocore\/(\d+)\.(\d+)\.(\d+)/.exec(version.stdout + version.stderr);
  assert.ok(bc, `cannot read the botocore version from: ${version.stdout}${version.stderr}`);
  const [maj, min, patch] = bc.slice(1).map(Number);
  // JSON for SQS since botocore 1.34.90; an older CLI would test the Query path twice and JSON not at all.
  assert.ok(maj > 1 || min > 34 || (min === 34 && patch >= 90), `aws uses botocore ${bc[0]}, which speaks Query for SQS`);

  const { emu, url } = await startTestEmulator({ fake: false });
  try {
    const created = await awsJson(['sqs', 'create-queue', '--queue-name', 'cli-q', '--attributes', 'VisibilityTimeout=40'], url);
    assert.equal(created.QueueUrl, `${url}/000000000000/cli-q`);
    const q = created.QueueUrl;

    const listed = await awsJson(['sqs', 'list-queues', '--queue-name-prefix', 'cli-'], url);
    assert.deepEqual(listed.QueueUrls, [q]);

    const sent = await awsJson([
      'sqs', 'send-message', '--queue-url', q, '--message-body', 'hello "cli" <&>',
      '--message-attributes', JSON.stringify({ Foo: { DataType: 'String', StringValue: 'Bar' } }),
    ], url);
    assert.equal(sent.MD5OfMessageBody, md5('hello "cli" <&>'));
    assert.equal(sent.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c'); // AWS-recorded vector
    assert.match(sent.MessageId, /^[0-9a-f-]{36}$/);

    const got = await awsJson([
      'sqs', 'receive-message', '--queue-url', q, '--message-attribute-names', 'All', '--attribute-names', 'All',
      '--max-number-of-messages', '10',
    ], url);
    assert.equal(got.Messages.length, 1);
    const [m] = got.Messages;
    assert.equal(m.Body, 'hello "cli" <&>');
    assert.equal(m.MD5OfBody, sent.MD5OfMessageBody);
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.MD5OfMessageAttributes, 'ae7155c6026991b6d54b11589678bf9c');
    assert.deepEqual(m.MessageAttributes, { Foo: { DataType: 'String', StringValue: 'Bar' } });
    assert.equal(m.Attributes.ApproximateReceiveCount, '1');

    const attrs = await awsJson(['sqs', 'get-queue-attributes', '--queue-url', q, '--attribute-names', 'All'], url);
    assert.equal(attrs.Attributes.VisibilityTimeout, '40');
    assert.equal(attrs.Attributes.QueueArn, 'arn:aws:sqs:us-east-1:000000000000:cli-q');
    assert.equal(attrs.Attributes.ApproximateNumberOfMessagesNotVisible, '1');
    assert.equal(attrs.Attributes.MaximumMessageSize, '1048576');

    const del = await aws(['sqs', 'delete-message', '--queue-url', q, '--receipt-handle', m.ReceiptHandle], { url });
    assert.equal(del.code, 0, del.stderr);
    const after = await awsJson(['sqs', 'get-queue-attributes', '--queue-url', q, '--attribute-names',
      'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'], url);
    assert.deepEqual(after.Attributes, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });

    // A service error: CLI v1 exits 254 (v2 uses 254/255), names the legacy code from x-amzn-query-error.
    const missing = await aws(['sqs', 'get-queue-url', '--queue-name', 'cli-missing'], { url });
    assert.ok([254, 255].includes(missing.code), `exit ${missing.code}: ${missing.stderr}`);
    assert.match(missing.stderr, /AWS\.SimpleQueueService\.NonExistentQueue|QueueDoesNotExist/);
    assert.match(missing.stderr, /GetQueueUrl/);
    assert.equal(missing.stdout, '');

    const gone = await aws(['sqs', 'delete-queue', '--queue-url', q], { url });
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(emu.sqs.queues.all().length, 0);
    const relisted = await awsJson(['sqs', 'list-queues', '--queue-name-prefix', 'cli-'], url);
    assert.equal(relisted.QueueUrls, undefined);
  } finally {
    await emu.close();
  }
});
