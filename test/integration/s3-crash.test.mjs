// Crash safety of S3 uploads: objects acknowledged before a SIGKILL are there byte for byte after a
// restart on the same state directory; an upload cut off mid-body leaves nothing (no object, no temp
// file, no orphan body file); acknowledged multipart parts survive too. Small (inline) and large (file)
// bodies are both covered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as S3 from '@aws-sdk/client-s3';
import { s3Client, bodyBytes } from '../helpers/s3.mjs';
import { freePort, startEmulatorProcess as startProcess, stopEmulatorProcess } from '../helpers/cli.mjs';

/** Resolves once `check()` is true, polling the file system (what the server has received so far). */
async function until(check, what) {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('SIGKILL mid-upload: acknowledged objects intact byte for byte, the partial one absent, no leftovers', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-s3crash-'));
  const port = await freePort();
  let { child, url } = await startProcess(stateDir, port);
  t.after(async () => {
    await stopEmulatorProcess(child);
    rmSync(stateDir, { recursive: true, force: true });
  });

  let s3 = await s3Client(url);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'crash' }));
  const acked = new Map();
  for (let i = 0; i < 20; i++) {
    const body = randomBytes(i % 5 === 0 ? 1024 * 1024 : 1000 + i);
    await s3.send(new S3.PutObjectCommand({ Bucket: 'crash', Key: `obj-${i}`, Body: body }));
    acked.set(`obj-${i}`, body);
  }
  // Overwritten before the crash: the second version is the acknowledged one.
  const v2 = randomBytes(5000);
  await s3.send(new S3.PutObjectCommand({ Bucket: 'crash', Key: 'obj-0', Body: v2 }));
  acked.set('obj-0', v2);
  const { UploadId } = await s3.send(new S3.CreateMultipartUploadCommand({ Bucket: 'crash', Key: 'multi' }));
  const part = randomBytes(5 * 1024 * 1024);
  const p1 = await s3.send(new S3.UploadPartCommand({ Bucket: 'crash', Key: 'multi', UploadId, PartNumber: 1, Body: part }));

  // A 64 MiB upload of which only 8 MiB are sent: kill the emulator once its temp file holds bytes.
  const tmpDir = join(stateDir, 's3', 'tmp');
  const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/crash/partial', headers: { 'content-length': String(64 * 1024 * 1024) } });
  req.on('error', () => {});
  req.write(randomBytes(8 * 1024 * 1024));
  await until(() => readdirSync(tmpDir).some((f) => statSync(join(tmpDir, f)).size > 0), 'the partial upload to reach the disk');
  await stopEmulatorProcess(child);
  req.destroy();

  ({ child, url } = await startProcess(stateDir, port));
  s3 = await s3Client(url);
  for (const [key, body] of acked) {
    const got = await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'crash', Key: key })));
    assert.ok(got.equals(body), `${key} intact after kill -9`);
  }
  const partial = await s3.send(new S3.HeadObjectCommand({ Bucket: 'crash', Key: 'partial' })).catch((e) => e);
  assert.equal(partial.$metadata.httpStatusCode, 404, 'the half-received upload left no object');
  assert.deepEqual(readdirSync(tmpDir), [], 'temp files are cleaned at start');
  const listed = await s3.send(new S3.ListObjectsV2Command({ Bucket: 'crash' }));
  assert.equal(listed.KeyCount, acked.size);
  const parts = await s3.send(new S3.ListPartsCommand({ Bucket: 'crash', Key: 'multi', UploadId }));
  assert.deepEqual(parts.Parts.map((p) => [p.PartNumber, p.ETag]), [[1, p1.ETag]]);
  // Bodies up to 64 KiB live inline in SQLite; larger ones and parts are one file each, and nothing else is left.
  const fileBacked = [...acked.values()].filter((b) => b.length > 64 * 1024).length;
  assert.ok(fileBacked >= 3);
  assert.equal(readdirSync(join(stateDir, 's3', 'objects')).length, fileBacked + 1, 'one body file per large object and part, no orphans');
  const done = await s3.send(
    new S3.CompleteMultipartUploadCommand({ Bucket: 'crash', Key: 'multi', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } }),
  );
  assert.match(done.ETag, /-1"$/);
  assert.ok((await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'crash', Key: 'multi' })))).equals(part));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
});
