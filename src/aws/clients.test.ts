import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientConfig, getS3, getSns, getSqs, s3ClientConfig } from './clients.js';
import { resolveTarget } from './target.js';

const quiet = { info: () => undefined };

describe('clientConfig', () => {
  it('gives local clients endpoint, region and static credentials', () => {
    const c = clientConfig(resolveTarget({ local: true }, {}), 'sqs');
    assert.deepEqual(c, {
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4566',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  it('leaves AWS credentials to the default chain and passes the profile', () => {
    const c = clientConfig(resolveTarget({ profile: 'prod', region: 'eu-west-1' }, {}), 'sns');
    assert.deepEqual(c, { region: 'eu-west-1', profile: 'prod' });
  });
});

describe('S3 clients', () => {
  it('path-style on the emulator and on an endpoint meant for every service; the SDK\'s own otherwise', async () => {
    assert.deepEqual(s3ClientConfig(resolveTarget({ local: true }, {})), { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true });
    assert.deepEqual(s3ClientConfig(resolveTarget({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:9' }, {})), { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true });
    assert.deepEqual(s3ClientConfig(resolveTarget({ region: 'eu-west-1' }, { AWS_ENDPOINT_URL: 'http://h:1' })), { region: 'eu-west-1', endpoint: 'http://h:1', forcePathStyle: true });
    // an SQS-only endpoint is not S3's (the SDK reads AWS_ENDPOINT_URL_S3 itself)
    assert.deepEqual(s3ClientConfig(resolveTarget({ region: 'eu-west-1' }, { AWS_ENDPOINT_URL_SQS: 'http://h:1' })), { region: 'eu-west-1' });
    const t = resolveTarget({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:9' }, {});
    const a = await getS3(t, quiet);
    assert.equal(await getS3(t, quiet), a);
    assert.equal(a.constructor.name, 'S3Client');
    assert.equal(a.config.forcePathStyle, true);
  });
});

describe('getSqs / getSns', () => {
  it('memoises one client per target and service', async () => {
    const t = resolveTarget({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:9' }, {});
    const a = await getSqs(t, quiet);
    assert.equal(await getSqs(resolveTarget({ region: 'eu-west-1', endpointUrl: 'http://127.0.0.1:9' }, {}), quiet), a);
    assert.notEqual(await getSqs(resolveTarget({ region: 'us-west-2', endpointUrl: 'http://127.0.0.1:9' }, {}), quiet), a);
    const sns = await getSns(t, quiet);
    assert.notEqual(sns as unknown, a as unknown);
    assert.equal(await a.config.region(), 'eu-west-1');
    assert.equal(sns.constructor.name, 'SNSClient');
  });
});
