import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientConfig, getSns, getSqs } from './clients.js';
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
