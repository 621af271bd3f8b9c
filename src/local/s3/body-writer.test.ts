import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BodyWriter } from './body-writer.js';
import { checksummer } from './checksums.js';

function setup(sync = false) {
  const dir = mkdtempSync(join(tmpdir(), 'svl-body-writer-'));
  const writer = new BodyWriter(sync);
  return { dir, writer, done: () => (writer.stop(), rmSync(dir, { recursive: true, force: true })) };
}

test('owned chunks are transferred (detached here), views are copied; the file and every digest match the bytes', async () => {
  for (const sync of [false, true]) {
    const { dir, writer, done } = setup(sync);
    try {
      const body = randomBytes(3 * 1024 * 1024 + 17);
      const path = join(dir, 'a');
      const upload = writer.open(path, { sha256: true, algorithm: 'CRC32' });
      // An owned chunk spanning its own ArrayBuffer (as node's HTTP parser hands them over), then slices of one buffer.
      const owned = Buffer.from(body.subarray(0, 65536));
      upload.write(owned, true);
      const shared = Buffer.from(body.subarray(65536));
      for (let at = 0; at < shared.length; at += 100_000) upload.write(shared.subarray(at, at + 100_000), false);
      assert.equal(shared.buffer.byteLength, shared.length, 'a slice is copied, its buffer left alone');
      const d = await upload.finish();
      assert.equal(owned.buffer.byteLength, 0, 'transferred, not copied');
      const crc = checksummer('CRC32')!;
      crc.update(body);
      assert.deepEqual(d, {
        md5: createHash('md5').update(body).digest('hex'),
        sha256: createHash('sha256').update(body).digest('hex'),
        checksum: crc.digest(),
      });
      assert.ok(readFileSync(path).equals(body));
    } finally {
      done();
    }
  }
});

test('write answers false past 16 MiB not yet written, and drained() resolves once the worker caught up', async () => {
  const { dir, writer, done } = setup();
  try {
    const upload = writer.open(join(dir, 'b'), { sha256: false });
    let more = true;
    let chunks = 0;
    while (more) {
      more = upload.write(Buffer.alloc(1024 * 1024, chunks), true);
      chunks++;
    }
    assert.equal(chunks, 16);
    await upload.drained();
    assert.equal(upload.write(Buffer.alloc(1024 * 1024), true), true);
    const d = await upload.finish();
    assert.match(d.md5, /^[0-9a-f]{32}$/);
  } finally {
    done();
  }
});

test('abort closes the file without answering digests; the caller removes it', async () => {
  const { dir, writer, done } = setup();
  try {
    const path = join(dir, 'c');
    const upload = writer.open(path, { sha256: false });
    upload.write(Buffer.alloc(2 * 1024 * 1024, 1), true);
    await upload.abort();
    rmSync(path);
    assert.equal(existsSync(path), false);
  } finally {
    done();
  }
});

test('a file that cannot be created fails the upload at finish with the error code; the next upload still works', async () => {
  const { dir, writer, done } = setup();
  try {
    const bad = writer.open(join(dir, 'missing-dir', 'd'), { sha256: false });
    bad.write(Buffer.alloc(2 * 1024 * 1024), true);
    await assert.rejects(bad.finish(), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    const good = writer.open(join(dir, 'e'), { sha256: false });
    good.write(Buffer.from('hello'), false);
    assert.equal((await good.finish()).md5, createHash('md5').update('hello').digest('hex'));
  } finally {
    done();
  }
});

test('stop fails the uploads in progress', async () => {
  const { dir, writer, done } = setup();
  try {
    const upload = writer.open(join(dir, 'f'), { sha256: false });
    upload.write(Buffer.alloc(1024 * 1024), true);
    writer.stop();
    await assert.rejects(upload.finish());
  } finally {
    done();
  }
});

test('writeViews: slices of one owned chunk go with its buffer, transferred once; slices of a chunk that is not whole are copied', async () => {
  const { dir, writer, done } = setup();
  try {
    const path = join(dir, 'g');
    const upload = writer.open(path, { sha256: false });
    // Like an aws-chunked socket chunk: data, a chunk-size line, data.
    const text = 'hello\r\n5;chunk-signature=x\r\nworld';
    const owner = Buffer.alloc(text.length); // its own ArrayBuffer, as the parser's chunks
    owner.write(text, 'latin1');
    upload.writeViews([owner.subarray(0, 5), owner.subarray(owner.length - 5)], owner);
    const shared = Buffer.from('..(!)..'); // a slice of node's shared pool
    const part = shared.subarray(2, 5);
    upload.writeViews([part], part);
    const d = await upload.finish();
    assert.equal(owner.buffer.byteLength, 0, 'the owned chunk was transferred');
    assert.equal(shared.buffer.byteLength > 0, true, 'a slice of a larger buffer was copied');
    assert.equal(readFileSync(path, 'latin1'), 'helloworld(!)');
    assert.equal(d.md5, createHash('md5').update('helloworld(!)').digest('hex'));
  } finally {
    done();
  }
});
