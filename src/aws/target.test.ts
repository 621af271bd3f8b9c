import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { describeCredentials, LOCAL_ENDPOINT, resolveTarget } from './target.js';

describe('resolveTarget: AWS', () => {
  it('uses flags when given', () => {
    const t = resolveTarget({ region: 'eu-west-1', profile: 'prod', endpointUrl: 'https://sqs.example.com/' }, {});
    assert.equal(t.kind, 'aws');
    assert.equal(t.region, 'eu-west-1');
    assert.equal(t.profile, 'prod');
    // trailing slash trimmed, one endpoint for every service
    assert.deepEqual(t.endpoints, {
      sqs: 'https://sqs.example.com',
      sns: 'https://sqs.example.com',
      lambda: 'https://sqs.example.com',
    });
    assert.equal(t.credentials, undefined, 'AWS targets use the SDK default chain');
    assert.equal(t.sources.region, '--region');
  });

  it('falls back to AWS_* variables', () => {
    const t = resolveTarget({}, { AWS_PROFILE: 'dev', AWS_DEFAULT_REGION: 'ap-south-1', AWS_ENDPOINT_URL: 'http://h:1' });
    assert.equal(t.profile, 'dev');
    assert.equal(t.region, 'ap-south-1');
    assert.equal(t.sources.region, 'AWS_DEFAULT_REGION');
    assert.equal(t.endpoints.sns, 'http://h:1');
  });

  it('prefers AWS_REGION over AWS_DEFAULT_REGION', () => {
    const t = resolveTarget({}, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' });
    assert.equal(t.region, 'us-west-2');
  });

  it('precedence is flag > SVL_* > AWS_*', () => {
    const env = { SVL_REGION: 'eu-north-1', AWS_REGION: 'us-west-2', SVL_PROFILE: 'svl', AWS_PROFILE: 'aws' };
    assert.equal(resolveTarget({}, env).region, 'eu-north-1');
    assert.equal(resolveTarget({}, env).profile, 'svl');
    assert.equal(resolveTarget({ region: 'sa-east-1', profile: 'flag' }, env).region, 'sa-east-1');
    assert.equal(resolveTarget({ region: 'sa-east-1', profile: 'flag' }, env).profile, 'flag');
  });

  it('per-service AWS endpoints beat the generic one; SVL_ENDPOINT_URL beats both', () => {
    const env = { AWS_ENDPOINT_URL: 'http://generic:1', AWS_ENDPOINT_URL_SQS: 'http://sqs:2' };
    const t = resolveTarget({}, env);
    assert.equal(t.endpoints.sqs, 'http://sqs:2');
    assert.equal(t.endpoints.sns, 'http://generic:1');
    assert.equal(t.sources.endpoints.sqs, 'AWS_ENDPOINT_URL_SQS');
    const s = resolveTarget({}, { ...env, SVL_ENDPOINT_URL: 'http://svl:3' });
    assert.equal(s.endpoints.sqs, 'http://svl:3');
    assert.equal(resolveTarget({ endpointUrl: 'http://flag:4' }, { ...env, SVL_ENDPOINT_URL: 'http://svl:3' }).endpoints.lambda, 'http://flag:4');
  });

  it('honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
    const t = resolveTarget({}, { AWS_ENDPOINT_URL: 'http://generic:1', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' });
    assert.deepEqual(t.endpoints, {});
  });

  it('allows a missing region at resolve time (the SDK error is mapped later)', () => {
    const t = resolveTarget({}, {});
    assert.equal(t.kind, 'aws');
    assert.equal(t.region, undefined);
    assert.deepEqual(t.endpoints, {});
  });

  it('treats empty variables as unset', () => {
    assert.equal(resolveTarget({}, { SVL_REGION: '', AWS_REGION: 'us-west-1' }).region, 'us-west-1');
  });

  it('rejects an invalid endpoint URL with a UsageError naming its source', () => {
    assert.throws(() => resolveTarget({ endpointUrl: 'localhost:4566' }, {}), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /Invalid endpoint URL "localhost:4566" \(from --endpoint-url\)/);
      return true;
    });
    assert.throws(() => resolveTarget({}, { AWS_ENDPOINT_URL_SNS: 'ftp://x' }), /from AWS_ENDPOINT_URL_SNS/);
    assert.throws(() => resolveTarget({ endpointUrl: 'not a url' }, {}), UsageError);
  });

  it('rejects a malformed region', () => {
    assert.throws(() => resolveTarget({ region: 'US East' }, {}), /Invalid region "US East" \(from --region\)/);
  });
});

describe('resolveTarget: --local', () => {
  it('targets the emulator with static credentials, us-east-1 and account 000000000000', () => {
    const t = resolveTarget({ local: true }, {});
    assert.equal(t.kind, 'local');
    assert.equal(t.region, 'us-east-1');
    assert.deepEqual(t.endpoints, { sqs: LOCAL_ENDPOINT, sns: LOCAL_ENDPOINT, lambda: LOCAL_ENDPOINT });
    assert.deepEqual(t.credentials, { accessKeyId: 'test', secretAccessKey: 'test' });
    assert.equal(t.accountId, '000000000000');
    assert.equal(t.profile, undefined);
  });

  it('SVL_LOCAL=1 enables it and SVL_LOCAL_ENDPOINT moves it', () => {
    const t = resolveTarget({}, { SVL_LOCAL: '1', SVL_LOCAL_ENDPOINT: 'http://127.0.0.1:5000/' });
    assert.equal(t.kind, 'local');
    assert.equal(t.endpoints.sqs, 'http://127.0.0.1:5000');
    assert.equal(t.sources.kind, 'SVL_LOCAL');
    assert.equal(resolveTarget({}, { SVL_LOCAL: '0' }).kind, 'aws');
  });

  it('ignores AWS region/profile/endpoint variables from the shell', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_PROFILE: 'prod', AWS_ENDPOINT_URL: 'http://elsewhere:1' };
    const t = resolveTarget({ local: true }, env);
    assert.equal(t.region, 'us-east-1');
    assert.equal(t.profile, undefined);
    assert.equal(t.endpoints.sqs, LOCAL_ENDPOINT);
  });

  it('honours an explicit --region', () => {
    assert.equal(resolveTarget({ local: true, region: 'eu-west-1' }, {}).region, 'eu-west-1');
  });

  it('is a usage error together with --endpoint-url or --profile', () => {
    assert.throws(() => resolveTarget({ local: true, endpointUrl: 'http://x:1' }, {}), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /--local cannot be combined with --endpoint-url/);
      return true;
    });
    assert.throws(() => resolveTarget({ local: true, profile: 'p' }, {}), /--local cannot be combined with --profile/);
  });

  it('an explicit --profile wins over SVL_LOCAL from the environment', () => {
    const t = resolveTarget({ profile: 'prod' }, { SVL_LOCAL: '1' });
    assert.equal(t.kind, 'aws');
    assert.equal(t.profile, 'prod');
  });

  it('rejects an invalid SVL_LOCAL_ENDPOINT', () => {
    assert.throws(() => resolveTarget({ local: true }, { SVL_LOCAL_ENDPOINT: '4566' }), /from SVL_LOCAL_ENDPOINT/);
  });
});

describe('describeCredentials', () => {
  it('never contains secrets', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'shh' };
    const aws = describeCredentials(resolveTarget({}, env), env);
    assert.match(aws, /environment variables/);
    assert.doesNotMatch(aws, /AKIAEXAMPLE|shh/);
    const local = describeCredentials(resolveTarget({ local: true }, {}), {});
    assert.match(local, /static emulator credentials/);
    assert.doesNotMatch(local, /\btest\b/);
    assert.match(describeCredentials(resolveTarget({ profile: 'prod' }, {}), {}), /profile "prod" \(from --profile\)/);
  });
});
