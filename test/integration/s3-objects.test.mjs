// S3 through the real JS SDK v3 against the in-process emulator: buckets, objects (Buffer and stream
// bodies, which the SDK sends aws-chunked with CRC32 trailers), ranges, conditional requests, copy,
// batch delete, listing, multipart, path-style and virtual-hosted addressing, and the event hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import * as S3 from '@aws-sdk/client-s3';
import { startTestEmulator } from '../helpers/emulator.mjs';
import { s3Client, bodyBytes } from '../helpers/s3.mjs';

const md5 = (b) => createHash('md5').update(b).digest('hex');

async function setup(t) {
  const { emu, url, clock } = await startTestEmulator();
  t.after(() => emu.close());
  const events = [];
  emu.s3.attachEventSink({ objectEvent: (e) => events.push(e) });
  return { emu, url, clock, events, s3: await s3Client(url) };
}

test('buckets: create, head, location, list, tagging, policy, delete', async (t) => {
  const { s3, url } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'photos' }));
  // us-east-1: creating a bucket you already own there answers 200 again.
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'photos' }));
  const head = await s3.send(new S3.HeadBucketCommand({ Bucket: 'photos' }));
  assert.equal(head.BucketRegion, 'us-east-1');
  assert.equal((await s3.send(new S3.GetBucketLocationCommand({ Bucket: 'photos' }))).LocationConstraint, undefined);

  const eu = await s3Client(url, { region: 'eu-west-1' });
  await eu.send(new S3.CreateBucketCommand({ Bucket: 'photos-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  assert.equal((await eu.send(new S3.GetBucketLocationCommand({ Bucket: 'photos-eu' }))).LocationConstraint, 'eu-west-1');
  const again = await eu
    .send(new S3.CreateBucketCommand({ Bucket: 'photos-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }))
    .catch((e) => e);
  assert.equal(again.name, 'BucketAlreadyOwnedByYou');
  assert.equal(again.$metadata.httpStatusCode, 409);

  const list = await s3.send(new S3.ListBucketsCommand({}));
  assert.deepEqual(list.Buckets.map((b) => [b.Name, b.BucketRegion]), [['photos', 'us-east-1'], ['photos-eu', 'eu-west-1']]);
  assert.ok(list.Owner?.ID);
  const page1 = await s3.send(new S3.ListBucketsCommand({ MaxBuckets: 1 }));
  assert.deepEqual(page1.Buckets.map((b) => b.Name), ['photos']);
  const page2 = await s3.send(new S3.ListBucketsCommand({ MaxBuckets: 1, ContinuationToken: page1.ContinuationToken }));
  assert.deepEqual(page2.Buckets.map((b) => b.Name), ['photos-eu']);
  assert.equal(page2.ContinuationToken, undefined);
  assert.deepEqual((await s3.send(new S3.ListBucketsCommand({ BucketRegion: 'eu-west-1' }))).Buckets.map((b) => b.Name), ['photos-eu']);
  assert.deepEqual((await s3.send(new S3.ListBucketsCommand({ Prefix: 'photos-' }))).Buckets.map((b) => b.Name), ['photos-eu']);

  await s3.send(new S3.PutBucketTaggingCommand({ Bucket: 'photos', Tagging: { TagSet: [{ Key: 'svl:flow', Value: 'upload' }] } }));
  assert.deepEqual((await s3.send(new S3.GetBucketTaggingCommand({ Bucket: 'photos' }))).TagSet, [{ Key: 'svl:flow', Value: 'upload' }]);
  await s3.send(new S3.DeleteBucketTaggingCommand({ Bucket: 'photos' }));
  assert.equal((await s3.send(new S3.GetBucketTaggingCommand({ Bucket: 'photos' })).catch((e) => e)).name, 'NoSuchTagSet');

  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' }] });
  await s3.send(new S3.PutBucketPolicyCommand({ Bucket: 'photos', Policy: policy }));
  assert.equal((await s3.send(new S3.GetBucketPolicyCommand({ Bucket: 'photos' }))).Policy, policy);
  await s3.send(new S3.DeleteBucketPolicyCommand({ Bucket: 'photos' }));
  assert.equal((await s3.send(new S3.GetBucketPolicyCommand({ Bucket: 'photos' })).catch((e) => e)).name, 'NoSuchBucketPolicy');

  assert.deepEqual((await s3.send(new S3.GetBucketAclCommand({ Bucket: 'photos' }))).Grants.map((g) => g.Permission), ['FULL_CONTROL']);
  assert.equal((await s3.send(new S3.GetBucketVersioningCommand({ Bucket: 'photos' }))).Status, undefined);

  await s3.send(new S3.DeleteBucketCommand({ Bucket: 'photos' }));
  const gone = await s3.send(new S3.HeadBucketCommand({ Bucket: 'photos' })).catch((e) => e);
  assert.equal(gone.$metadata.httpStatusCode, 404);
});

test('objects: Buffer and stream bodies, metadata, content headers, checksums returned', async (t) => {
  const { s3 } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'docs' }));
  const put = await s3.send(
    new S3.PutObjectCommand({
      Bucket: 'docs',
      Key: 'reports/2026 q1.txt',
      Body: Buffer.from('hello world'),
      ContentType: 'text/plain',
      ContentDisposition: 'attachment',
      CacheControl: 'no-cache',
      Metadata: { owner: 'ana' },
    }),
  );
  assert.equal(put.ETag, `"${md5('hello world')}"`);
  assert.ok(put.ChecksumCRC32, 'the SDK sends a CRC32 by default and S3 returns it');
  const get = await s3.send(new S3.GetObjectCommand({ Bucket: 'docs', Key: 'reports/2026 q1.txt' }));
  assert.equal((await bodyBytes(get)).toString(), 'hello world');
  assert.equal(get.ContentType, 'text/plain');
  assert.equal(get.ContentDisposition, 'attachment');
  assert.equal(get.CacheControl, 'no-cache');
  assert.deepEqual(get.Metadata, { owner: 'ana' });
  assert.equal(get.ContentLength, 11);
  assert.equal(get.ChecksumCRC32, put.ChecksumCRC32);
  assert.ok(get.LastModified instanceof Date);

  // A stream body of known length goes aws-chunked with the CRC32 in a trailer.
  const chunks = [Buffer.alloc(70_000, 'a'), Buffer.alloc(70_000, 'b'), Buffer.from('end')];
  const whole = Buffer.concat(chunks);
  const sput = await s3.send(new S3.PutObjectCommand({ Bucket: 'docs', Key: 'stream.bin', Body: Readable.from(chunks), ContentLength: whole.length }));
  assert.equal(sput.ETag, `"${md5(whole)}"`);
  const sget = await s3.send(new S3.GetObjectCommand({ Bucket: 'docs', Key: 'stream.bin' }));
  assert.ok((await bodyBytes(sget)).equals(whole));
  assert.equal(sget.ContentType, 'application/octet-stream', 'the SDK labels stream bodies');

  for (const ChecksumAlgorithm of ['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']) {
    const r = await s3.send(new S3.PutObjectCommand({ Bucket: 'docs', Key: `sum-${ChecksumAlgorithm}`, Body: 'abc', ChecksumAlgorithm }));
    assert.ok(r[`Checksum${ChecksumAlgorithm}`], `${ChecksumAlgorithm} returned`);
    const g = await s3.send(new S3.GetObjectCommand({ Bucket: 'docs', Key: `sum-${ChecksumAlgorithm}`, ChecksumMode: 'ENABLED' }));
    assert.equal(g[`Checksum${ChecksumAlgorithm}`], r[`Checksum${ChecksumAlgorithm}`]);
    assert.equal((await bodyBytes(g)).toString(), 'abc');
  }

  const empty = await s3.send(new S3.PutObjectCommand({ Bucket: 'docs', Key: 'empty', Body: '' }));
  assert.equal(empty.ETag, `"${md5('')}"`);
  assert.equal((await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'docs', Key: 'empty' })))).length, 0);

  const head = await s3.send(new S3.HeadObjectCommand({ Bucket: 'docs', Key: 'reports/2026 q1.txt' }));
  assert.equal(head.ContentLength, 11);
  assert.equal(head.ETag, put.ETag);
  assert.deepEqual(head.Metadata, { owner: 'ana' });

  // Overwrite replaces the body.
  await s3.send(new S3.PutObjectCommand({ Bucket: 'docs', Key: 'reports/2026 q1.txt', Body: 'v2' }));
  assert.equal((await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'docs', Key: 'reports/2026 q1.txt' })))).toString(), 'v2');
});

test('GetObject: ranges (206/416) and conditional requests (304/412)', async (t) => {
  const { s3 } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'ranges' }));
  const put = await s3.send(new S3.PutObjectCommand({ Bucket: 'ranges', Key: 'k', Body: '0123456789' }));
  const range = async (Range) => {
    const r = await s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', Range }));
    return [r.$metadata.httpStatusCode, r.ContentRange, (await bodyBytes(r)).toString()];
  };
  assert.deepEqual(await range('bytes=2-4'), [206, 'bytes 2-4/10', '234']);
  assert.deepEqual(await range('bytes=7-'), [206, 'bytes 7-9/10', '789']);
  assert.deepEqual(await range('bytes=-3'), [206, 'bytes 7-9/10', '789']);
  assert.deepEqual(await range('bytes=5-100'), [206, 'bytes 5-9/10', '56789']);
  const bad = await s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', Range: 'bytes=10-20' })).catch((e) => e);
  assert.equal(bad.name, 'InvalidRange');
  assert.equal(bad.$metadata.httpStatusCode, 416);

  const lastModified = (await s3.send(new S3.HeadObjectCommand({ Bucket: 'ranges', Key: 'k' }))).LastModified;
  const status = (p) => p.then((r) => r.$metadata.httpStatusCode, (e) => e.$metadata?.httpStatusCode ?? e);
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfMatch: put.ETag }))), 200);
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfMatch: '"nope"' }))), 412);
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfNoneMatch: put.ETag }))), 304);
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfNoneMatch: '"other"' }))), 200);
  const later = new Date(lastModified.getTime() + 60_000);
  const earlier = new Date(lastModified.getTime() - 60_000);
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfModifiedSince: later }))), 304);
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfModifiedSince: earlier }))), 200);
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfUnmodifiedSince: earlier }))), 412);
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfUnmodifiedSince: later }))), 200);
  // A true If-Match wins over a false If-Unmodified-Since (RFC 7232, as S3).
  assert.equal(await status(s3.send(new S3.GetObjectCommand({ Bucket: 'ranges', Key: 'k', IfMatch: put.ETag, IfUnmodifiedSince: earlier }))), 200);
  assert.equal(await status(s3.send(new S3.HeadObjectCommand({ Bucket: 'ranges', Key: 'k', IfNoneMatch: put.ETag }))), 304);
});

test('CopyObject (COPY and REPLACE directives), DeleteObject, DeleteObjects (verbose and quiet)', async (t) => {
  const { s3 } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'src-bucket' }));
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'dst-bucket' }));
  const put = await s3.send(new S3.PutObjectCommand({ Bucket: 'src-bucket', Key: 'a b/ü.txt', Body: 'copy me', ContentType: 'text/plain', Metadata: { m: '1' } }));
  const copy = await s3.send(new S3.CopyObjectCommand({ Bucket: 'dst-bucket', Key: 'copied', CopySource: `src-bucket/${encodeURIComponent('a b/ü.txt')}` }));
  assert.equal(copy.CopyObjectResult.ETag, put.ETag);
  const got = await s3.send(new S3.GetObjectCommand({ Bucket: 'dst-bucket', Key: 'copied' }));
  assert.equal((await bodyBytes(got)).toString(), 'copy me');
  assert.deepEqual(got.Metadata, { m: '1' });
  assert.equal(got.ContentType, 'text/plain');

  await s3.send(
    new S3.CopyObjectCommand({ Bucket: 'dst-bucket', Key: 'copied', CopySource: 'dst-bucket/copied', MetadataDirective: 'REPLACE', Metadata: { m: '2' }, ContentType: 'text/markdown' }),
  );
  const replaced = await s3.send(new S3.HeadObjectCommand({ Bucket: 'dst-bucket', Key: 'copied' }));
  assert.deepEqual(replaced.Metadata, { m: '2' });
  assert.equal(replaced.ContentType, 'text/markdown');
  const self = await s3.send(new S3.CopyObjectCommand({ Bucket: 'dst-bucket', Key: 'copied', CopySource: 'dst-bucket/copied' })).catch((e) => e);
  assert.equal(self.name, 'InvalidRequest');
  const cond = await s3.send(new S3.CopyObjectCommand({ Bucket: 'dst-bucket', Key: 'c2', CopySource: 'dst-bucket/copied', CopySourceIfMatch: '"x"' })).catch((e) => e);
  assert.equal(cond.name, 'PreconditionFailed');
  const missing = await s3.send(new S3.CopyObjectCommand({ Bucket: 'dst-bucket', Key: 'c3', CopySource: 'dst-bucket/nope' })).catch((e) => e);
  assert.equal(missing.name, 'NoSuchKey');

  // DeleteObject of a missing key is a 204 too.
  assert.equal((await s3.send(new S3.DeleteObjectCommand({ Bucket: 'dst-bucket', Key: 'never' }))).$metadata.httpStatusCode, 204);

  for (const k of ['x1', 'x2', 'x3']) await s3.send(new S3.PutObjectCommand({ Bucket: 'dst-bucket', Key: k, Body: k }));
  const verbose = await s3.send(new S3.DeleteObjectsCommand({ Bucket: 'dst-bucket', Delete: { Objects: [{ Key: 'x1' }, { Key: 'absent' }] } }));
  assert.deepEqual(verbose.Deleted.map((d) => d.Key), ['x1', 'absent']);
  const quiet = await s3.send(new S3.DeleteObjectsCommand({ Bucket: 'dst-bucket', Delete: { Quiet: true, Objects: [{ Key: 'x2' }, { Key: 'x3' }] } }));
  assert.equal(quiet.Deleted, undefined);
  const left = await s3.send(new S3.ListObjectsV2Command({ Bucket: 'dst-bucket' }));
  assert.deepEqual(left.Contents.map((c) => c.Key), ['copied']);
});

test('ListObjectsV2 and ListObjects: prefix, delimiter, pagination, start-after, encoding-type=url', async (t) => {
  const { s3 } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'listing' }));
  const keys = ['a.txt', 'dir/one', 'dir/sub/two', 'dir/three', 'other/x', 'z z+z', 'é'];
  for (const Key of keys) await s3.send(new S3.PutObjectCommand({ Bucket: 'listing', Key, Body: Key }));

  const all = await s3.send(new S3.ListObjectsV2Command({ Bucket: 'listing' }));
  assert.deepEqual(all.Contents.map((c) => c.Key), [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
  assert.equal(all.KeyCount, keys.length);
  assert.equal(all.IsTruncated, false);

  const top = await s3.send(new S3.ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
  assert.deepEqual(top.Contents.map((c) => c.Key), ['a.txt', 'z z+z', 'é']);
  assert.deepEqual(top.CommonPrefixes.map((p) => p.Prefix), ['dir/', 'other/']);

  const dir = await s3.send(new S3.ListObjectsV2Command({ Bucket: 'listing', Prefix: 'dir/', Delimiter: '/' }));
  assert.deepEqual(dir.Contents.map((c) => c.Key), ['dir/one', 'dir/three']);
  assert.deepEqual(dir.CommonPrefixes.map((p) => p.Prefix), ['dir/sub/']);

  // Pages of 2 with a delimiter: common prefixes count as entries and are never repeated.
  const seen = [];
  let token;
  let pages = 0;
  do {
    const r = await s3.send(new S3.ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/', MaxKeys: 2, ContinuationToken: token }));
    seen.push(...(r.Contents ?? []).map((c) => c.Key), ...(r.CommonPrefixes ?? []).map((p) => p.Prefix));
    token = r.NextContinuationToken;
    pages++;
    assert.equal(r.IsTruncated, token !== undefined);
  } while (token);
  assert.equal(pages, 3);
  assert.deepEqual(seen.sort(), ['a.txt', 'dir/', 'other/', 'z z+z', 'é'].sort());

  const after = await s3.send(new S3.ListObjectsV2Command({ Bucket: 'listing', StartAfter: 'dir/three' }));
  assert.deepEqual(after.Contents.map((c) => c.Key), ['other/x', 'z z+z', 'é']);

  const encoded = await s3.send(new S3.ListObjectsV2Command({ Bucket: 'listing', Prefix: 'z', EncodingType: 'url' }));
  assert.equal(encoded.EncodingType, 'url');
  assert.equal(decodeURIComponent(encoded.Contents[0].Key), 'z z+z');

  const v1 = await s3.send(new S3.ListObjectsCommand({ Bucket: 'listing', MaxKeys: 3 }));
  assert.equal(v1.IsTruncated, true);
  assert.equal(v1.Contents.length, 3);
  const v1next = await s3.send(new S3.ListObjectsCommand({ Bucket: 'listing', Marker: v1.Contents[2].Key }));
  assert.deepEqual(v1next.Contents.map((c) => c.Key), ['dir/three', 'other/x', 'z z+z', 'é']);
  const v1delim = await s3.send(new S3.ListObjectsCommand({ Bucket: 'listing', Delimiter: '/', MaxKeys: 1 }));
  assert.equal(v1delim.NextMarker, 'a.txt');
  assert.equal((await s3.send(new S3.ListObjectsV2Command({ Bucket: 'listing', MaxKeys: 0 }))).KeyCount, 0);
});

test('multipart: ETag md5-of-md5s-N, ListParts, EntityTooSmall, InvalidPart, InvalidPartOrder, abort', async (t) => {
  const { s3, events } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'multi' }));
  const part1 = Buffer.alloc(5 * 1024 * 1024, 'x');
  const part2 = Buffer.from('tail');
  const { UploadId } = await s3.send(new S3.CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'big.bin', ContentType: 'application/zip', Metadata: { k: 'v' } }));
  const p1 = await s3.send(new S3.UploadPartCommand({ Bucket: 'multi', Key: 'big.bin', UploadId, PartNumber: 1, Body: part1 }));
  const p2 = await s3.send(new S3.UploadPartCommand({ Bucket: 'multi', Key: 'big.bin', UploadId, PartNumber: 2, Body: part2 }));
  const parts = await s3.send(new S3.ListPartsCommand({ Bucket: 'multi', Key: 'big.bin', UploadId }));
  assert.deepEqual(parts.Parts.map((p) => [p.PartNumber, p.Size, p.ETag]), [[1, part1.length, p1.ETag], [2, 4, p2.ETag]]);
  const uploads = await s3.send(new S3.ListMultipartUploadsCommand({ Bucket: 'multi' }));
  assert.deepEqual(uploads.Uploads.map((u) => u.UploadId), [UploadId]);

  const order = await s3
    .send(new S3.CompleteMultipartUploadCommand({ Bucket: 'multi', Key: 'big.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }] } }))
    .catch((e) => e);
  assert.equal(order.name, 'InvalidPartOrder');
  const wrong = await s3
    .send(new S3.CompleteMultipartUploadCommand({ Bucket: 'multi', Key: 'big.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0000"' }] } }))
    .catch((e) => e);
  assert.equal(wrong.name, 'InvalidPart');

  const done = await s3.send(
    new S3.CompleteMultipartUploadCommand({ Bucket: 'multi', Key: 'big.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }),
  );
  const expected = createHash('md5').update(Buffer.concat([Buffer.from(md5(part1), 'hex'), Buffer.from(md5(part2), 'hex')])).digest('hex');
  assert.equal(done.ETag, `"${expected}-2"`);
  const got = await s3.send(new S3.GetObjectCommand({ Bucket: 'multi', Key: 'big.bin' }));
  assert.ok((await bodyBytes(got)).equals(Buffer.concat([part1, part2])));
  assert.equal(got.ContentType, 'application/zip');
  assert.deepEqual(got.Metadata, { k: 'v' });
  assert.equal((await s3.send(new S3.ListPartsCommand({ Bucket: 'multi', Key: 'big.bin', UploadId })).catch((e) => e)).name, 'NoSuchUpload');
  assert.equal(events.at(-1).eventName, 'ObjectCreated:CompleteMultipartUpload');
  // Large (file-backed) bodies: ranges across the part boundary and copies.
  const across = await s3.send(new S3.GetObjectCommand({ Bucket: 'multi', Key: 'big.bin', Range: `bytes=${part1.length - 2}-${part1.length + 1}` }));
  assert.equal((await bodyBytes(across)).toString(), 'xxta');
  const copied = await s3.send(new S3.CopyObjectCommand({ Bucket: 'multi', Key: 'big-copy.bin', CopySource: 'multi/big.bin' }));
  assert.equal(copied.CopyObjectResult.ETag, done.ETag);
  assert.ok((await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'multi', Key: 'big-copy.bin' })))).equals(Buffer.concat([part1, part2])));

  // With a checksum algorithm, the result carries AWS's COMPOSITE checksum: CRC32 of the parts' CRC32s, "-N".
  const withSum = await s3.send(new S3.CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'summed', ChecksumAlgorithm: 'CRC32' }));
  const c1 = await s3.send(new S3.UploadPartCommand({ Bucket: 'multi', Key: 'summed', UploadId: withSum.UploadId, PartNumber: 1, Body: part1, ChecksumAlgorithm: 'CRC32' }));
  const c2 = await s3.send(new S3.UploadPartCommand({ Bucket: 'multi', Key: 'summed', UploadId: withSum.UploadId, PartNumber: 2, Body: part2, ChecksumAlgorithm: 'CRC32' }));
  const summed = await s3.send(
    new S3.CompleteMultipartUploadCommand({
      Bucket: 'multi',
      Key: 'summed',
      UploadId: withSum.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: c1.ETag, ChecksumCRC32: c1.ChecksumCRC32 }, { PartNumber: 2, ETag: c2.ETag, ChecksumCRC32: c2.ChecksumCRC32 }] },
    }),
  );
  const crcOfCrcs = Buffer.alloc(4);
  crcOfCrcs.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(c1.ChecksumCRC32, 'base64'), Buffer.from(c2.ChecksumCRC32, 'base64')])));
  assert.equal(summed.ChecksumCRC32, `${crcOfCrcs.toString('base64')}-2`);
  assert.equal(summed.ChecksumType, 'COMPOSITE');
  const summedGet = await s3.send(new S3.GetObjectCommand({ Bucket: 'multi', Key: 'summed', ChecksumMode: 'ENABLED' }));
  assert.equal(summedGet.ChecksumCRC32, summed.ChecksumCRC32);
  assert.equal(summedGet.ChecksumType, 'COMPOSITE');
  assert.equal((await bodyBytes(summedGet)).length, part1.length + part2.length);

  const small = await s3.send(new S3.CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'small' }));
  const s1 = await s3.send(new S3.UploadPartCommand({ Bucket: 'multi', Key: 'small', UploadId: small.UploadId, PartNumber: 1, Body: 'a' }));
  const s2 = await s3.send(new S3.UploadPartCommand({ Bucket: 'multi', Key: 'small', UploadId: small.UploadId, PartNumber: 2, Body: 'b' }));
  const tooSmall = await s3
    .send(new S3.CompleteMultipartUploadCommand({ Bucket: 'multi', Key: 'small', UploadId: small.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: s1.ETag }, { PartNumber: 2, ETag: s2.ETag }] } }))
    .catch((e) => e);
  assert.equal(tooSmall.name, 'EntityTooSmall');
  await s3.send(new S3.AbortMultipartUploadCommand({ Bucket: 'multi', Key: 'small', UploadId: small.UploadId }));
  const aborted = await s3.send(new S3.UploadPartCommand({ Bucket: 'multi', Key: 'small', UploadId: small.UploadId, PartNumber: 3, Body: 'c' })).catch((e) => e);
  assert.equal(aborted.name, 'NoSuchUpload');
  assert.equal(aborted.$metadata.httpStatusCode, 404);
});

test('virtual-hosted addressing (bucket.localhost) reaches the same buckets', async (t) => {
  const { s3, url } = await setup(t);
  const vh = await s3Client(url, { virtualHosted: true });
  await vh.send(new S3.CreateBucketCommand({ Bucket: 'vhosted' }));
  await vh.send(new S3.PutObjectCommand({ Bucket: 'vhosted', Key: 'dir/file.txt', Body: 'via host' }));
  const got = await s3.send(new S3.GetObjectCommand({ Bucket: 'vhosted', Key: 'dir/file.txt' }));
  assert.equal((await bodyBytes(got)).toString(), 'via host');
  const listed = await vh.send(new S3.ListObjectsV2Command({ Bucket: 'vhosted' }));
  assert.deepEqual(listed.Contents.map((c) => c.Key), ['dir/file.txt']);
  await vh.send(new S3.DeleteObjectCommand({ Bucket: 'vhosted', Key: 'dir/file.txt' }));
  await vh.send(new S3.DeleteBucketCommand({ Bucket: 'vhosted' }));
  assert.deepEqual((await s3.send(new S3.ListBucketsCommand({}))).Buckets, []);
});

test('routing: a path-style PUT to bucket 2015-03-31 signed for s3 is S3, not Lambda', async (t) => {
  const { s3, url } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: '2015-03-31' }));
  await s3.send(new S3.PutObjectCommand({ Bucket: '2015-03-31', Key: 'functions', Body: 'not a lambda' }));
  const got = await s3.send(new S3.GetObjectCommand({ Bucket: '2015-03-31', Key: 'functions' }));
  assert.equal((await bodyBytes(got)).toString(), 'not a lambda');
  // A presigned URL (the scope in X-Amz-Credential, no Authorization header) is S3's as well.
  const presigned = `${url}/2015-03-31/functions?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent('test/20260101/us-east-1/s3/aws4_request')}&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`;
  const viaUrl = await fetch(presigned);
  assert.equal(viaUrl.status, 200);
  assert.equal(await viaUrl.text(), 'not a lambda');
  // The same path unsigned is still Lambda's ListFunctions.
  const lambda = await fetch(`${url}/2015-03-31/functions`);
  assert.equal(lambda.status, 200);
  assert.ok(Array.isArray((await lambda.json()).Functions));
});

test('event hook: one event per committed create and delete, sequencer increasing per key', async (t) => {
  const { s3, events } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'evented' }));
  const put = await s3.send(new S3.PutObjectCommand({ Bucket: 'evented', Key: 'a b.txt', Body: 'one' }));
  await s3.send(new S3.CopyObjectCommand({ Bucket: 'evented', Key: 'copy', CopySource: 'evented/a%20b.txt' }));
  await s3.send(new S3.DeleteObjectCommand({ Bucket: 'evented', Key: 'a b.txt' }));
  await s3.send(new S3.DeleteObjectCommand({ Bucket: 'evented', Key: 'never-existed' }));
  await s3.send(new S3.DeleteObjectsCommand({ Bucket: 'evented', Delete: { Objects: [{ Key: 'copy' }, { Key: 'ghost' }] } }));
  assert.deepEqual(
    events.map((e) => [e.eventName, e.key]),
    [
      ['ObjectCreated:Put', 'a b.txt'],
      ['ObjectCreated:Copy', 'copy'],
      ['ObjectRemoved:Delete', 'a b.txt'],
      ['ObjectRemoved:Delete', 'never-existed'],
      ['ObjectRemoved:Delete', 'copy'],
      ['ObjectRemoved:Delete', 'ghost'],
    ],
  );
  const [created] = events;
  assert.equal(created.bucket, 'evented');
  assert.equal(created.region, 'us-east-1');
  assert.equal(created.size, 3);
  assert.equal(`"${created.eTag}"`, put.ETag);
  assert.equal(created.requestId, put.$metadata.requestId);
  assert.match(created.sequencer, /^[0-9A-F]{16}$/);
  assert.equal(created.sourceIp, '127.0.0.1');
  assert.ok(events[2].sequencer > created.sequencer, 'the delete of a b.txt sorts after its creation');
  assert.equal(events[2].size, undefined);
});

test('conditional writes: If-None-Match * and If-Match on PutObject, CopyObject and CompleteMultipartUpload', async (t) => {
  const { s3, events } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'cond' }));
  const put = (Key, Body, extra = {}) => s3.send(new S3.PutObjectCommand({ Bucket: 'cond', Key, Body, ...extra }));
  const created = await put('once', 'first', { IfNoneMatch: '*' });
  const again = await put('once', 'second', { IfNoneMatch: '*' }).catch((e) => e);
  assert.equal(again.name, 'PreconditionFailed');
  assert.equal(again.$metadata.httpStatusCode, 412);
  assert.equal(again.Condition, 'If-None-Match');
  const read = async (Key) => (await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'cond', Key })))).toString();
  assert.equal(await read('once'), 'first');

  // Two racing create-only PUTs (streamed bodies, both received before either commits): exactly one wins.
  const big = (fill) => Buffer.alloc(2 * 1024 * 1024, fill);
  const race = await Promise.allSettled([put('race', big(1), { IfNoneMatch: '*' }), put('race', big(2), { IfNoneMatch: '*' })]);
  assert.deepEqual(race.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.equal(race.find((r) => r.status === 'rejected').reason.name, 'PreconditionFailed');

  const swapped = await put('once', 'second', { IfMatch: created.ETag });
  const stale = await put('once', 'third', { IfMatch: created.ETag }).catch((e) => e);
  assert.equal(stale.name, 'PreconditionFailed');
  assert.equal(stale.Condition, 'If-Match');
  assert.equal(await read('once'), 'second');
  const missing = await put('nobody', 'x', { IfMatch: swapped.ETag }).catch((e) => e);
  assert.equal(missing.name, 'NoSuchKey');
  assert.equal(missing.$metadata.httpStatusCode, 404);

  const copy = (Key, extra) => s3.send(new S3.CopyObjectCommand({ Bucket: 'cond', Key, CopySource: 'cond/once', ...extra }));
  await copy('copied', { IfNoneMatch: '*' });
  assert.equal((await copy('copied', { IfNoneMatch: '*' }).catch((e) => e)).name, 'PreconditionFailed');
  assert.equal((await copy('copied', { IfMatch: '"0123"' }).catch((e) => e)).name, 'PreconditionFailed');
  await copy('copied', { IfMatch: swapped.ETag });

  const { UploadId } = await s3.send(new S3.CreateMultipartUploadCommand({ Bucket: 'cond', Key: 'once' }));
  const part = await s3.send(new S3.UploadPartCommand({ Bucket: 'cond', Key: 'once', UploadId, PartNumber: 1, Body: 'multi' }));
  const complete = (extra) =>
    s3.send(new S3.CompleteMultipartUploadCommand({ Bucket: 'cond', Key: 'once', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] }, ...extra }));
  assert.equal((await complete({ IfNoneMatch: '*' }).catch((e) => e)).name, 'PreconditionFailed');
  // The refused Complete leaves the upload in place: it can complete under the right condition.
  await complete({ IfMatch: swapped.ETag });
  assert.equal(await read('once'), 'multi');

  // Refused writes report no event.
  const writes = events.filter((e) => e.eventName.startsWith('ObjectCreated')).map((e) => `${e.eventName} ${e.key}`);
  assert.deepEqual(writes, [
    'ObjectCreated:Put once',
    'ObjectCreated:Put race',
    'ObjectCreated:Put once',
    'ObjectCreated:Copy copied',
    'ObjectCreated:Copy copied',
    'ObjectCreated:CompleteMultipartUpload once',
  ]);
});

test('If-None-Match on a write accepts only *', async (t) => {
  const { s3 } = await setup(t);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'cond' }));
  const err = await s3.send(new S3.PutObjectCommand({ Bucket: 'cond', Key: 'k', Body: 'x', IfNoneMatch: '"abc"' })).catch((e) => e);
  assert.equal(err.name, 'NotImplemented');
  assert.equal(err.$metadata.httpStatusCode, 501);
});
