import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, requestRegion, streamingService, type RequestHead } from './router.js';

const head = (headers: Record<string, string>, search = '', path = '/'): RequestHead => ({ method: 'POST', path, search, headers });
const auth = (credential: string) => `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host;x-amz-date, Signature=abc`;

test('credential scope: region and service from the Authorization header, each request its own (the last credential reused only when equal)', () => {
  assert.equal(requestRegion(head({ authorization: auth('test/20260101/eu-west-1/sqs/aws4_request') })), 'eu-west-1');
  assert.equal(requestRegion(head({ authorization: auth('test/20260101/eu-west-1/sqs/aws4_request') })), 'eu-west-1');
  assert.equal(requestRegion(head({ authorization: auth('test/20260101/us-west-2/s3/aws4_request') })), 'us-west-2');
  assert.equal(streamingService(head({ authorization: auth('test/20260101/us-west-2/s3/aws4_request') })), 's3');
  assert.equal(streamingService(head({ authorization: auth('test/20260101/us-west-2/sqs/aws4_request') })), undefined);
  // The credential ends at a comma or white space; an empty one is no credential (unsigned: no region).
  assert.equal(requestRegion(head({ authorization: 'AWS4-HMAC-SHA256 Credential=k/d/ap-south-1/sqs/aws4_request\tSignedHeaders=host' })), 'ap-south-1');
  assert.equal(requestRegion(head({ authorization: 'AWS4-HMAC-SHA256 Credential=, SignedHeaders=host' })), undefined);
  assert.equal(requestRegion(head({})), undefined);
  // A region that is not one is ignored; a presigned URL's X-Amz-Credential counts too.
  assert.equal(requestRegion(head({ authorization: auth('test/20260101/EU_WEST/sqs/aws4_request') })), undefined);
  assert.equal(requestRegion(head({}, '?X-Amz-Credential=test%2F20260101%2Feu-central-1%2Fs3%2Faws4_request')), 'eu-central-1');
});

test('baseUrl: the Host header as an origin, or the fallback when it is missing or not a host', () => {
  assert.equal(baseUrl(head({ host: '127.0.0.1:4566' }), 'http://fallback'), 'http://127.0.0.1:4566');
  assert.equal(baseUrl(head({ host: '127.0.0.1:4566' }), 'http://fallback'), 'http://127.0.0.1:4566');
  assert.equal(baseUrl(head({ host: 'localhost:9' }), 'http://fallback'), 'http://localhost:9');
  assert.equal(baseUrl(head({ host: 'evil.example/x' }), 'http://fallback'), 'http://fallback');
  assert.equal(baseUrl(head({ host: '' }), 'http://fallback'), 'http://fallback');
  assert.equal(baseUrl(head({}), 'http://fallback'), 'http://fallback');
});
