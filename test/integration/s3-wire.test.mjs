// S3 on the wire, byte for byte: every upload encoding current SDKs and CLIs send (plain, Content-MD5,
// x-amz-checksum-* headers, signed aws-chunked, unsigned aws-chunked with a checksum trailer,
// Expect: 100-continue, signed payload SHA256) and AWS's error documents and statuses for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import * as S3 from '@aws-sdk/client-s3';
import http from 'node:http';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startTestEmulator, waitIdle } from '../helpers/emulator.mjs';
import { s3Client, rawRequest, xmlText, bodyBytes } from '../helpers/s3.mjs';
import { checksummer, crc32c } from '../../dist/local/s3/checksums.js';

const AUTH = 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64);
const b64 = (alg, data) => createHash(alg).update(data).digest('base64');
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString('base64');
};
const crc32 = (data) => u32(zlib.crc32(data));

async function setup(t, opts = {}) {
  const { emu, url } = await startTestEmulator(opts);
  t.after(() => emu.close());
  const s3 = await s3Client(url);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'wire' }));
  const put = (key, body, headers = {}, extra = {}) =>
    rawRequest(url, { method: 'PUT', path: `/wire/${key}`, headers: { authorization: AUTH, 'content-length': String(Buffer.byteLength(body)), ...headers }, body, ...extra });
  const get = async (key) => (await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'wire', Key: key })))).toString();
  return { emu, url, s3, put, get };
}

test('CRC32C is the Castagnoli CRC (check value of "123456789")', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234'))), 0xe3069283, 'incremental');
});

test('plain PUT: quoted MD5 ETag, request ids, binary/octet-stream by default; unsigned requests are S3 too', async (t) => {
  const { url, put } = await setup(t);
  const r = await put('plain.txt', 'plain body');
  assert.equal(r.status, 200);
  assert.equal(r.headers.etag, `"${createHash('md5').update('plain body').digest('hex')}"`);
  assert.match(r.headers['x-amz-request-id'], /^[0-9A-F]{16}$/);
  assert.ok(r.headers['x-amz-id-2']);
  assert.equal(r.headers['x-amz-server-side-encryption'], 'AES256');
  const got = await rawRequest(url, { path: '/wire/plain.txt' });
  assert.equal(got.status, 200);
  assert.equal(got.body, 'plain body');
  assert.equal(got.headers['content-type'], 'binary/octet-stream');
  assert.equal(got.headers['accept-ranges'], 'bytes');
  assert.ok(got.headers['last-modified'].endsWith('GMT'));
});

test('Content-MD5: matching accepted, mismatch BadDigest, malformed InvalidDigest', async (t) => {
  const { put } = await setup(t);
  assert.equal((await put('md5', 'data', { 'content-md5': b64('md5', 'data') })).status, 200);
  const bad = await put('md5', 'data', { 'content-md5': b64('md5', 'other') });
  assert.equal(bad.status, 400);
  assert.equal(xmlText(bad.body, 'Code'), 'BadDigest');
  assert.equal(xmlText(bad.body, 'Message'), 'The Content-MD5 you specified did not match what we received.');
  const invalid = await put('md5', 'data', { 'content-md5': 'not-base64' });
  assert.equal(invalid.status, 400);
  assert.equal(xmlText(invalid.body, 'Code'), 'InvalidDigest');
});

test('x-amz-checksum-* headers are verified and returned', async (t) => {
  const { put, get } = await setup(t);
  const data = 'checksummed';
  const nvme = checksummer('CRC64NVME');
  nvme.update(Buffer.from(data));
  const sums = { crc32: crc32(Buffer.from(data)), crc32c: u32(crc32c(Buffer.from(data))), sha1: b64('sha1', data), sha256: b64('sha256', data), crc64nvme: nvme.digest() };
  for (const [alg, value] of Object.entries(sums)) {
    const ok = await put(`sum-${alg}`, data, { [`x-amz-checksum-${alg}`]: value });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(ok.headers[`x-amz-checksum-${alg}`], value);
    assert.equal(await get(`sum-${alg}`), data);
    const wrong = await put(`sum-${alg}`, 'tampered!!!', { [`x-amz-checksum-${alg}`]: value });
    assert.equal(wrong.status, 400);
    assert.equal(xmlText(wrong.body, 'Code'), 'BadDigest');
    assert.equal(xmlText(wrong.body, 'Message'), `The ${alg.toUpperCase()} you specified did not match the calculated checksum.`);
    assert.equal(await get(`sum-${alg}`), data, 'a rejected upload leaves the object as it was');
  }
  const malformed = await put('sum-bad', data, { 'x-amz-checksum-crc32': 'zz' });
  assert.equal(malformed.status, 400);
  assert.equal(xmlText(malformed.body, 'Code'), 'InvalidRequest');
  assert.equal(xmlText(malformed.body, 'Message'), 'Value for x-amz-checksum-crc32 header is invalid.');
});

test('signed aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): chunk signatures stripped', async (t) => {
  const { put, get } = await setup(t);
  const parts = [Buffer.alloc(8192, 'q'), Buffer.from('last bit')];
  const sig = ';chunk-signature=' + 'a'.repeat(64);
  const body = Buffer.concat([
    ...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}${sig}\r\n`), p, Buffer.from('\r\n')]),
    Buffer.from(`0${sig}\r\n\r\n`),
  ]);
  const whole = Buffer.concat(parts);
  const r = await put('chunked', body, {
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': String(whole.length),
    'content-length': String(body.length),
  });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.headers.etag, `"${createHash('md5').update(whole).digest('hex')}"`);
  assert.equal(await get('chunked'), whole.toString());
});

test('unsigned aws-chunked with an x-amz-checksum-crc32 trailer: verified', async (t) => {
  const { put, get, url } = await setup(t);
  const data = Buffer.from('trailer checked body');
  const encode = (checksum) =>
    Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n`)]);
  const headers = {
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'content-encoding': 'aws-chunked',
    'x-amz-trailer': 'x-amz-checksum-crc32',
    'x-amz-decoded-content-length': String(data.length),
  };
  const good = encode(crc32(data));
  const r = await put('trailer', good, { ...headers, 'content-length': String(good.length) });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.headers['x-amz-checksum-crc32'], crc32(data));
  assert.equal(await get('trailer'), data.toString());
  const got = await rawRequest(url, { path: '/wire/trailer' });
  assert.equal(got.headers['content-encoding'], undefined, 'aws-chunked is not stored as the content encoding');
  const bad = encode(crc32(Buffer.from('something else')));
  const r2 = await put('trailer2', bad, { ...headers, 'content-length': String(bad.length) });
  assert.equal(r2.status, 400);
  assert.equal(xmlText(r2.body, 'Code'), 'BadDigest');
  assert.equal(xmlText(r2.body, 'Message'), 'The CRC32 you specified did not match the calculated checksum.');
});

test('large bodies (streamed, hashed off the main thread): MD5 ETag, Content-MD5, checksum and signed SHA256 verified, nothing left on refusal', async (t) => {
  const { emu, s3, put } = await setup(t);
  // Several 4 MiB hashing chunks and a partial last one, bytes that differ per position.
  const data = Buffer.alloc(9 * 1024 * 1024 + 123);
  for (let i = 0; i + 4 <= data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  const hex = (alg, d) => createHash(alg).update(d).digest('hex');
  const other = Buffer.from(data);
  other[data.length - 1] ^= 1;
  const ok = await put('large', data, { 'content-md5': b64('md5', data), 'x-amz-checksum-sha256': b64('sha256', data), 'x-amz-content-sha256': hex('sha256', data) });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.headers.etag, `"${hex('md5', data)}"`);
  assert.equal(ok.headers['x-amz-checksum-sha256'], b64('sha256', data));
  const got = await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'wire', Key: 'large' })));
  assert.equal(hex('md5', got), hex('md5', data));
  const refusals = [
    [{ 'content-md5': b64('md5', other) }, 'BadDigest'],
    [{ 'x-amz-checksum-crc32': crc32(other) }, 'BadDigest'],
    [{ 'x-amz-content-sha256': hex('sha256', other) }, 'XAmzContentSHA256Mismatch'],
  ];
  for (const [headers, code] of refusals) {
    const r = await put('large', data, headers);
    assert.equal(r.status, 400, JSON.stringify(headers));
    assert.equal(xmlText(r.body, 'Code'), code);
  }
  const crcOk = await put('large-crc', data, { 'x-amz-checksum-crc32': crc32(data) });
  assert.equal(crcOk.status, 200, crcOk.body);
  assert.equal(crcOk.headers.etag, `"${hex('md5', data)}"`);
  assert.equal(hex('md5', await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'wire', Key: 'large' })))), hex('md5', data), 'refused uploads left the object as it was');
  assert.deepEqual(readdirSync(join(emu.s3.files.root, 'tmp')), [], 'refused uploads leave no temp file');
});

test('Expect: 100-continue gets its 100 before the body is sent', async (t) => {
  const { put, get } = await setup(t);
  const r = await put('continued', 'after continue', {}, { expectContinue: true });
  assert.equal(r.continued, true);
  assert.equal(r.status, 200);
  assert.equal(await get('continued'), 'after continue');
});

test('a signed payload SHA256 that does not match: XAmzContentSHA256Mismatch', async (t) => {
  const { put } = await setup(t);
  const r = await put('sha', 'payload', { 'x-amz-content-sha256': createHash('sha256').update('other').digest('hex') });
  assert.equal(r.status, 400);
  assert.equal(xmlText(r.body, 'Code'), 'XAmzContentSHA256Mismatch');
  const ok = await put('sha', 'payload', { 'x-amz-content-sha256': createHash('sha256').update('payload').digest('hex') });
  assert.equal(ok.status, 200);
});

test('errors: AWS codes, statuses and <Error> documents; HEAD 404 without a body; never a 500', async (t) => {
  const { url, s3, put } = await setup(t);
  const req = (method, path, extra = {}) => rawRequest(url, { method, path, ...extra, headers: { authorization: AUTH, ...extra.headers } });
  const expectError = async (r, status, code, fields = {}) => {
    assert.equal(r.status, status, `${code}: ${r.body}`);
    assert.equal(xmlText(r.body, 'Code'), code, r.body);
    assert.match(r.body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>/);
    assert.ok(xmlText(r.body, 'RequestId') && xmlText(r.body, 'HostId') !== undefined);
    for (const [k, v] of Object.entries(fields)) assert.equal(xmlText(r.body, k), v, `${code} ${k}`);
    return r;
  };
  const nb = await expectError(await req('GET', '/missing-bucket/key'), 404, 'NoSuchBucket', { BucketName: 'missing-bucket', Message: 'The specified bucket does not exist' });
  assert.equal(nb.headers['content-type'], 'application/xml');
  await expectError(await req('GET', '/wire/missing-key'), 404, 'NoSuchKey', { Key: 'missing-key', Message: 'The specified key does not exist.' });
  const head = await req('HEAD', '/wire/missing-key');
  assert.equal(head.status, 404);
  assert.equal(head.body, '');
  await expectError(await req('PUT', '/Bad_Name'), 400, 'InvalidBucketName', { BucketName: 'Bad_Name' });
  await expectError(await req('PUT', '/ab'), 400, 'InvalidBucketName');
  await expectError(await req('PUT', '/192.168.1.1'), 400, 'InvalidBucketName');
  await expectError(await req('PUT', '/new-bucket', { body: '<CreateBucketConfiguration><LocationConstraint>eu-west-1' }), 400, 'MalformedXML');
  await expectError(
    await req('PUT', '/new-bucket', { body: '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>' }),
    400,
    'InvalidLocationConstraint',
  );
  const euAuth = AUTH.replace('us-east-1', 'eu-central-1');
  await expectError(await req('PUT', '/new-bucket', { headers: { authorization: euAuth } }), 400, 'IllegalLocationConstraintException', {
    Message: 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
  });
  await expectError(await req('PUT', '/new-bucket', { headers: { 'x-amz-acl': 'public-read' } }), 400, 'InvalidBucketAclWithObjectOwnership');

  await put('obj', 'x');
  await expectError(await req('DELETE', '/wire'), 409, 'BucketNotEmpty', { BucketName: 'wire' });
  await expectError(await put('acl', 'x', { 'x-amz-acl': 'public-read' }), 400, 'AccessControlListNotSupported', { Message: 'The bucket does not allow ACLs' });
  assert.equal((await put('acl', 'x', { 'x-amz-acl': 'bucket-owner-full-control' })).status, 200);
  assert.equal((await put('acl', 'x', { 'x-amz-acl': 'private' })).status, 200);
  await expectError(await put('k'.repeat(1025), 'x'), 400, 'KeyTooLongError');

  const tooLarge = await req('PUT', '/wire/huge', { headers: { 'content-length': String(5 * 1024 ** 3 + 1) } });
  await expectError(tooLarge, 400, 'EntityTooLarge', { MaxSizeAllowed: String(5 * 1024 ** 3) });
  const noLength = await rawRequest(url, { method: 'PUT', path: '/wire/nolen', headers: { authorization: AUTH, 'transfer-encoding': 'chunked' }, body: 'abc' });
  await expectError(noLength, 411, 'MissingContentLength');

  await expectError(await req('GET', '/wire?list-type=2&max-keys=abc'), 400, 'InvalidArgument', { ArgumentName: 'max-keys' });
  await expectError(await req('GET', '/wire?list-type=2&encoding-type=base64'), 400, 'InvalidArgument');
  await expectError(await req('GET', '/wire?list-type=2&continuation-token=bogus'), 400, 'InvalidArgument');
  await expectError(await req('POST', '/wire?delete', { body: '<Delete><Object>', headers: { 'content-md5': b64('md5', '<Delete><Object>') } }), 400, 'MalformedXML');
  await expectError(await req('POST', '/wire?delete', { body: '<Delete><Object><Key>a</Key></Object></Delete>' }), 400, 'InvalidRequest');
  await expectError(await req('PUT', '/wire?tagging', { body: 'not xml' }), 400, 'MalformedXML');
  await expectError(
    await req('PUT', '/wire?tagging', { body: '<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>' }),
    400,
    'InvalidTag',
  );
  await expectError(await req('PUT', '/wire?policy', { body: 'nope' }), 400, 'MalformedPolicy');
  await expectError(await req('GET', '/wire?cors'), 501, 'NotImplemented');
  await expectError(await req('PUT', '/wire/obj?tagging', { body: '' }), 501, 'NotImplemented');
  await expectError(await req('PATCH', '/wire/obj'), 405, 'MethodNotAllowed', { Method: 'PATCH', ResourceType: 'OBJECT' });
  await expectError(await req('GET', '/wire/obj', { headers: { range: 'bytes=5-9' } }), 416, 'InvalidRange', { ActualObjectSize: '1' });
  await expectError(await req('GET', '/wire/obj', { headers: { 'if-match': '"nope"' } }), 412, 'PreconditionFailed', { Condition: 'If-Match' });
  await expectError(await req('GET', '/wire/obj?uploadId=nope'), 404, 'NoSuchUpload', { UploadId: 'nope' });
  await expectError(await req('PUT', '/wire/obj?partNumber=0&uploadId=nope', { body: 'x' }), 400, 'InvalidArgument', { ArgumentName: 'partNumber' });
  await expectError(await req('POST', '/wire/obj?uploadId=nope', { body: '<CompleteMultipartUpload/>' }), 404, 'NoSuchUpload');
  await expectError(await req('PUT', '/wire/copy', { headers: { 'x-amz-copy-source': 'wire' } }), 400, 'InvalidArgument');
  await expectError(await req('PUT', '/wire/copy', { headers: { 'x-amz-copy-source': 'wire/obj', 'x-amz-metadata-directive': 'MERGE' } }), 400, 'InvalidArgument');
  const aborted = await s3.send(new S3.CreateMultipartUploadCommand({ Bucket: 'wire', Key: 'mp' }));
  await expectError(await req('POST', `/wire/mp?uploadId=${aborted.UploadId}`, { body: '<CompleteMultipartUpload></CompleteMultipartUpload>' }), 400, 'MalformedXML');
  await expectError(
    await req('PUT', '/wire/bad-chunks', {
      headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '3', 'content-length': '9' },
      body: 'zz\r\nabc\r\n',
    }),
    400,
    'IncompleteBody',
  );
  // Still serving after all of that.
  assert.equal((await s3.send(new S3.ListObjectsV2Command({ Bucket: 'wire' }))).KeyCount >= 1, true);
});

test('a client that goes away mid-upload leaves no object and no temp file, and no error in the log', async (t) => {
  const logs = [];
  const { emu, url, s3 } = await setup(t, { log: (l) => logs.push(l) });
  const { port } = new URL(url);
  const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/wire/cut', headers: { authorization: AUTH, 'content-length': String(4 * 1024 * 1024) } });
  req.on('error', () => {});
  const tmpDir = join(emu.s3.files.root, 'tmp');
  await new Promise((resolve) => req.write(Buffer.alloc(2 * 1024 * 1024, 1), resolve));
  // The server has the request once the upload is in flight; then the client disappears.
  while (emu.s3.busy().length === 0) await new Promise((r) => setImmediate(r));
  req.destroy();
  await waitIdle(url);
  assert.deepEqual(readdirSync(tmpDir), []);
  const head = await s3.send(new S3.HeadObjectCommand({ Bucket: 'wire', Key: 'cut' })).catch((e) => e);
  assert.equal(head.$metadata.httpStatusCode, 404);
  assert.deepEqual(logs.filter((l) => /ERROR/.test(l)), []);
});

test('a client that goes away mid-download: the object file is closed and the emulator keeps serving', async (t) => {
  const { emu, url, s3 } = await setup(t);
  const big = Buffer.alloc(8 * 1024 * 1024, 7);
  await s3.send(new S3.PutObjectCommand({ Bucket: 'wire', Key: 'big', Body: big }));
  const objectsDir = join(emu.s3.files.root, 'objects');
  const openObjectFiles = () =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(join('/proc/self/fd', fd)).startsWith(objectsDir);
      } catch {
        return false;
      }
    });
  const { port } = new URL(url);
  await new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/wire/big', headers: { authorization: AUTH } }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => {});
    req.on('close', resolve);
    req.end();
  });
  await waitIdle(url);
  assert.deepEqual(openObjectFiles(), []);
  const again = await bodyBytes(await s3.send(new S3.GetObjectCommand({ Bucket: 'wire', Key: 'big' })));
  assert.equal(again.length, big.length);
});

test('response-* overrides that cannot be a header value: 400 InvalidArgument, never a 500', async (t) => {
  const { url, put } = await setup(t);
  await put('doc.txt', 'doc');
  const get = (query) => rawRequest(url, { path: `/wire/doc.txt?${query}`, headers: { authorization: AUTH } });
  const newline = await get('response-content-disposition=attachment%0AX-Injected%3A%201');
  assert.equal(newline.status, 400);
  assert.equal(xmlText(newline.body, 'Code'), 'InvalidArgument');
  assert.equal(xmlText(newline.body, 'ArgumentName'), 'response-content-disposition');
  assert.equal(newline.headers['x-injected'], undefined);
  // An en dash is not ISO-8859-1 (AWS: "Header value cannot be represented using ISO-8859-1.").
  const dash = await get(`response-content-disposition=${encodeURIComponent('attachment; filename="1976–2016.md"')}`);
  assert.equal(dash.status, 400);
  assert.equal(xmlText(dash.body, 'Code'), 'InvalidArgument');
  assert.equal(xmlText(dash.body, 'Message'), 'Header value cannot be represented using ISO-8859-1.');
  const header = await get('response-content-type=text%2Fplain%0D');
  assert.equal(header.status, 400);
  // Latin-1 is fine, and the emulator keeps serving.
  const ok = await get(`response-content-disposition=${encodeURIComponent('attachment; filename="café.txt"')}`);
  assert.equal(ok.status, 200);
  assert.equal(Buffer.from(ok.headers['content-disposition'], 'latin1').toString('latin1'), 'attachment; filename="café.txt"');
  assert.equal(ok.body, 'doc');
});

test('close() ends a stalled upload instead of waiting for it, and logs no error', async () => {
  const logs = [];
  const { emu, url } = await startTestEmulator({ log: (l) => logs.push(l) });
  const s3 = await s3Client(url);
  await s3.send(new S3.CreateBucketCommand({ Bucket: 'wire' }));
  const { port } = new URL(url);
  const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path: '/wire/stalled', headers: { authorization: AUTH, 'content-length': String(4 * 1024 * 1024) } });
  req.on('error', () => {});
  await new Promise((resolve) => req.write(Buffer.alloc(2 * 1024 * 1024, 1), resolve));
  while (emu.s3.busy().length === 0) await new Promise((r) => setImmediate(r));
  // The client never sends the rest; close() resolves anyway.
  await emu.close();
  assert.deepEqual(logs.filter((l) => /ERROR/.test(l)), []);
  req.destroy();
});
