import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SvlError, UsageError } from '../errors.js';
import { mapAwsError } from './errors.js';
import { resolveTarget } from './target.js';

/** Builds an object shaped like an SDK v3 ServiceException (name, message, $metadata). */
function awsError(name: string, message: string, requestId = 'req-123', extra: object = {}) {
  return Object.assign(new Error(message), { name, $metadata: { requestId, httpStatusCode: 400 }, ...extra });
}

const local = resolveTarget({ local: true }, {});
const aws = resolveTarget({ region: 'eu-west-1', endpointUrl: 'http://10.0.0.5:9324' }, {});

describe('mapAwsError', () => {
  it('missing credentials → config error with the credentials hint', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const e = mapAwsError(err, { target: resolveTarget({ region: 'us-east-1' }, {}) });
    assert.equal(e.message, 'No AWS credentials found');
    assert.equal(e.hint, 'configure credentials: aws configure / --profile / AWS_PROFILE, or use --local');
    assert.equal(e.code, 'CredentialsProviderError');
    assert.equal(e.exitCode, 2);
    assert.equal(e.cause, err);
  });

  it('names the profile when credentials for it are missing', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    assert.match(mapAwsError(err, { target: resolveTarget({ profile: 'prod' }, {}) }).message, /for profile "prod"/);
  });

  it('missing region → hint to pass --region', () => {
    const e = mapAwsError(new Error('Region is missing'));
    assert.equal(e.message, 'No AWS region configured');
    assert.match(e.hint ?? '', /pass --region or set AWS_REGION/);
    assert.equal(e.exitCode, 2);
  });

  it('connection refused on the local endpoint → start it with svl local start', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } });
    const e = mapAwsError(err, { target: local, service: 'sqs' });
    assert.equal(e.message, 'The local emulator is not running on http://127.0.0.1:4566');
    assert.equal(e.hint, 'start it with `svl local start`');
    assert.equal(e.code, 'ECONNREFUSED');
    assert.equal(e.exitCode, 1);
  });

  it('connection refused elsewhere → names the endpoint', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const e = mapAwsError(err, { target: aws, service: 'sns' });
    assert.match(e.message, /Connection refused by http:\/\/10\.0\.0\.5:9324/);
    assert.doesNotMatch(e.hint ?? '', /svl local start/);
  });

  it('finds ECONNREFUSED inside an AggregateError (localhost resolving to ::1 and 127.0.0.1)', () => {
    const inner = [Object.assign(new Error('a'), { code: 'ECONNREFUSED' }), Object.assign(new Error('b'), { code: 'ECONNREFUSED' })];
    const e = mapAwsError(new AggregateError(inner, ''), { target: local });
    assert.match(e.message, /not running/);
  });

  it('DNS failures name the host problem', () => {
    const err = Object.assign(new Error('getaddrinfo ENOTFOUND sqs.nowhere-1.amazonaws.com'), { code: 'ENOTFOUND' });
    assert.match(mapAwsError(err, {}).message, /Could not resolve the host of AWS \(ENOTFOUND\)/);
  });

  for (const name of ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NotFound', 'ResourceNotFoundException']) {
    it(`${name} → not found, with code and request id`, () => {
      const e = mapAwsError(awsError(name, 'The specified resource does not exist.'), { target: aws });
      assert.match(e.message, /not found in eu-west-1/);
      assert.equal(e.code, name);
      assert.equal(e.requestId, 'req-123');
      assert.equal(e.exitCode, 1, 'not found is an operational failure (1) for every command');
      assert.match(e.hint ?? '', /Check the name/);
    });
  }

  it('names the resource when the caller says what it was', () => {
    const e = mapAwsError(awsError('QueueDoesNotExist', 'The specified queue does not exist.'), { target: local, resource: 'queue "orders"' });
    assert.equal(e.message, 'Queue "orders" not found (local emulator)');
  });

  it('access denied → IAM hint and operation name', () => {
    const e = mapAwsError(awsError('AccessDeniedException', 'User is not authorized'), { target: aws, operation: 'CreateQueue' });
    assert.match(e.message, /^Access denied to CreateQueue in eu-west-1: User is not authorized$/);
    assert.match(e.hint ?? '', /IAM/);
    assert.equal(e.code, 'AccessDeniedException');
  });

  it('throttling by name or by $retryable.throttling', () => {
    assert.match(mapAwsError(awsError('ThrottlingException', 'Rate exceeded')).message, /throttling/);
    const odd = awsError('SomethingNew', 'slow down', 'r', { $retryable: { throttling: true } });
    assert.match(mapAwsError(odd).hint ?? '', /retry/);
  });

  it('rejected credentials → refresh hint', () => {
    const e = mapAwsError(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    assert.match(e.message, /AWS rejected the credentials/);
    assert.match(e.hint ?? '', /sso login/);
  });

  it('other AWS errors keep their message, name and request id', () => {
    const e = mapAwsError(awsError('InvalidParameterValue', 'Value -1 for parameter DelaySeconds is invalid.', 'abc'));
    assert.equal(e.message, 'Value -1 for parameter DelaySeconds is invalid.');
    assert.equal(e.code, 'InvalidParameterValue');
    assert.equal(e.requestId, 'abc');
    assert.match(e.hint ?? '', /check the names and options/);
  });

  it('every mapped error has a hint, whatever AWS answered', () => {
    for (const err of [awsError('SomethingNew', 'odd'), awsError('InternalFailure', 'oops', 'r', { $metadata: { httpStatusCode: 500 } }), 'boom', {}]) {
      assert.ok(mapAwsError(err).hint, `hint for ${JSON.stringify(err)}`);
    }
    assert.match(mapAwsError(awsError('InternalFailure', 'oops', 'r', { $metadata: { httpStatusCode: 503 } })).hint ?? '', /retry/);
  });

  for (const name of ['QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently']) {
    it(`${name} → says to wait 60 s, exit 1`, () => {
      const text = 'You must wait 60 seconds after deleting a queue before you can create another with the same name.';
      const e = mapAwsError(awsError(name, text), { target: local, resource: 'queue "orders"' });
      assert.equal(e.message, `Queue "orders" was deleted less than 60 s ago (local emulator): ${text}`);
      assert.match(e.hint ?? '', /wait 60 s/);
      assert.equal(e.exitCode, 1);
    });
  }

  it('passes SvlErrors through untouched and copes with non-errors', () => {
    const usage = new UsageError('bad');
    assert.equal(mapAwsError(usage), usage);
    const e = mapAwsError('boom');
    assert.ok(e instanceof SvlError);
    assert.equal(e.message, 'boom');
  });
});
