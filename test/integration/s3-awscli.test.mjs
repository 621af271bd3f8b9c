// S3 through the pip-installed AWS CLI (`aws s3 cp` of a 20 MiB file goes multipart, `aws s3 ls`,
// `aws s3 rm`, `aws s3api`) and through Debian's boto3 (put/get/list), both against the in-process
// emulator's IP endpoint (path-style addressing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import * as S3 from '@aws-sdk/client-s3';
import { startTestEmulator } from '../helpers/emulator.mjs';
import { aws, AWSCLI_INSTALL_HINT as INSTALL_HINT } from '../helpers/awscli.mjs';
import { s3Client, bodyBytes } from '../helpers/s3.mjs';
import { requireQueryClient, runPython } from '../helpers/boto.mjs';

/** `aws …` against the emulator at `url` (uploads of 20 MiB may take a while on a busy machine). */
const awsAt = (args, url) => aws(args, { url, timeoutMs: 120_000 });

async function ok(args, url) {
  const r = await awsAt(args, url);
  assert.equal(r.code, 0, `aws ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

test('AWS CLI: mb, cp (20 MiB multipart and small), ls, s3api, cp back, rm, rb', async (t) => {
  const { emu, url } = await startTestEmulator();
  t.after(() => emu.close());
  const dir = mkdtempSync(join(tmpdir(), 'svl-s3cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = randomBytes(20 * 1024 * 1024);
  writeFileSync(join(dir, 'big.bin'), big);
  writeFileSync(join(dir, 'small.txt'), 'small file\n');

  await ok(['s3', 'mb', 's3://cli-bucket'], url);
  await ok(['s3', 'cp', join(dir, 'big.bin'), 's3://cli-bucket/data/big.bin'], url);
  await ok(['s3', 'cp', join(dir, 'small.txt'), 's3://cli-bucket/data/small file.txt'], url);

  const head = JSON.parse(await ok(['s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'data/big.bin'], url));
  assert.equal(head.ContentLength, big.length);
  assert.match(head.ETag, /^"[0-9a-f]{32}-\d+"$/, 'a 20 MiB cp is a multipart upload');

  const ls = await ok(['s3', 'ls', 's3://cli-bucket/data/'], url);
  assert.match(ls, /20971520 big\.bin/);
  assert.match(ls, /11 small file\.txt/);
  const lsTop = await ok(['s3', 'ls', 's3://cli-bucket'], url);
  assert.match(lsTop, /PRE data\//);
  const buckets = await ok(['s3', 'ls'], url);
  assert.match(buckets, /cli-bucket/);

  await ok(['s3', 'cp', 's3://cli-bucket/data/big.bin', join(dir, 'back.bin')], url);
  assert.ok(readFileSync(join(dir, 'back.bin')).equals(big), 'downloaded bytes equal uploaded bytes');

  const listed = JSON.parse(await ok(['s3api', 'list-objects-v2', '--bucket', 'cli-bucket', '--prefix', 'data/'], url));
  assert.deepEqual(listed.Contents.map((c) => c.Key), ['data/big.bin', 'data/small file.txt']);
  await ok(['s3api', 'put-bucket-tagging', '--bucket', 'cli-bucket', '--tagging', 'TagSet=[{Key=team,Value=media}]'], url);
  assert.deepEqual(JSON.parse(await ok(['s3api', 'get-bucket-tagging', '--bucket', 'cli-bucket'], url)).TagSet, [{ Key: 'team', Value: 'media' }]);

  const missing = await awsAt(['s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'nope', join(dir, 'x')], url);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /NoSuchKey/);
  const notEmpty = await awsAt(['s3', 'rb', 's3://cli-bucket'], url);
  assert.notEqual(notEmpty.code, 0);
  assert.match(notEmpty.stderr, /BucketNotEmpty/);

  await ok(['s3', 'rm', 's3://cli-bucket/data/small file.txt'], url);
  await ok(['s3', 'rm', 's3://cli-bucket', '--recursive'], url);
  await ok(['s3', 'rb', 's3://cli-bucket'], url);
  assert.doesNotMatch(await ok(['s3', 'ls'], url), /cli-bucket/);
});

test("Debian's boto3: put, get, list, delete", async (t) => {
  requireQueryClient();
  const { emu, url } = await startTestEmulator();
  t.after(() => emu.close());
  const script = `
import boto3, json, sys
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test',
                  config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
s3.create_bucket(Bucket='boto-bucket')
put = s3.put_object(Bucket='boto-bucket', Key='dir/hello.txt', Body=b'hello from boto', Metadata={'who': 'boto'})
got = s3.get_object(Bucket='boto-bucket', Key='dir/hello.txt')
listed = s3.list_objects_v2(Bucket='boto-bucket', Prefix='dir/')
s3.upload_fileobj(__import__('io').BytesIO(b'x' * 100000), 'boto-bucket', 'up.bin')
try:
    s3.get_object(Bucket='boto-bucket', Key='missing')
    missing = None
except s3.exceptions.NoSuchKey as e:
    missing = e.response['Error']['Code']
s3.delete_object(Bucket='boto-bucket', Key='dir/hello.txt')
print(json.dumps({'etag': put['ETag'], 'body': got['Body'].read().decode(), 'meta': got['Metadata'],
                  'keys': [c['Key'] for c in listed['Contents']], 'missing': missing,
                  'left': [c['Key'] for c in s3.list_objects_v2(Bucket='boto-bucket').get('Contents', [])]}))
`;
  const r = await runPython(['-c', script, url]);
  assert.equal(r.code, 0, r.out);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.equal(out.etag, `"${createHash('md5').update('hello from boto').digest('hex')}"`);
  assert.equal(out.body, 'hello from boto');
  assert.deepEqual(out.meta, { who: 'boto' });
  assert.deepEqual(out.keys, ['dir/hello.txt']);
  assert.equal(out.missing, 'NoSuchKey');
  assert.deepEqual(out.left, ['up.bin']);
  const s3 = await s3Client(url);
  assert.equal((await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'boto-bucket', Key: 'up.bin' })))).length, 100000);
});
