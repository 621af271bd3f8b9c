// Start-up of a durable emulator (what `svl local start` does): S3 and API Gateway are imported by their
// first request when the state directory holds nothing of theirs, and at start when it holds a bucket
// (their start restores it). Real S3 client over HTTP against the in-process emulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { startEmulator } from '../../dist/local/server.js';
import { s3Client } from '../helpers/s3.mjs';

test('a durable emulator with loadOnFirstUse loads S3 on its first request when nothing is stored, at start once a bucket is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-lazy-'));
  try {
    let emu = await startEmulator({ port: 0, stateDir: dir, loadOnFirstUse: true });
    try {
      assert.throws(() => emu.s3, /loaded on first use/, 'not imported at start: nothing of S3 or API Gateway is stored');
      const s3 = await s3Client(emu.url);
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'k', Body: 'v' }));
      assert.ok(emu.s3, 'loaded by the first S3 request');
      s3.destroy();
    } finally {
      await emu.close();
    }
    emu = await startEmulator({ port: 0, stateDir: dir, loadOnFirstUse: true });
    try {
      assert.ok(emu.s3, 'a stored bucket: loaded at start, to restore it');
      const s3 = await s3Client(emu.url);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'k' }));
      assert.equal(await got.Body.transformToString(), 'v');
      s3.destroy();
    } finally {
      await emu.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
