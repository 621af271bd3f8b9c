import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lambdaArnOfUri, targetIntegrationId } from './model.js';
import { parseRouteKey } from './routes.js';
import { page } from './input.js';
import { AwsError } from '../../domain/aws-error.js';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:users';

test('targetIntegrationId reads integrations/<id> and nothing else', () => {
  assert.equal(targetIntegrationId('integrations/abc1234'), 'abc1234');
  assert.equal(targetIntegrationId('integrations/'), undefined);
  assert.equal(targetIntegrationId('lambda/abc'), undefined);
  assert.equal(targetIntegrationId(undefined), undefined);
});

test('lambdaArnOfUri: a plain function ARN or the apigateway invocation URI', () => {
  assert.equal(lambdaArnOfUri(FN), FN);
  assert.equal(lambdaArnOfUri(`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}/invocations`), FN);
  assert.equal(lambdaArnOfUri('https://example.com'), undefined);
  assert.equal(lambdaArnOfUri(undefined), undefined);
});

test('parseRouteKey accepts AWS route keys and refuses the rest with BadRequestException', () => {
  assert.deepEqual(parseRouteKey('$default'), { method: '$default', segments: [] });
  assert.deepEqual(parseRouteKey('GET /'), { method: 'GET', segments: [] });
  assert.deepEqual(parseRouteKey('ANY /a/{id}/{proxy+}'), { method: 'ANY', segments: ['a', '{id}', '{proxy+}'] });
  for (const bad of ['GET', 'get /a', 'GET a', 'FETCH /a', 'GET /a/{p+}/b', 'GET /a//b', 'GET /a/', 'GET /{a}/{a}', 'GET /a{b}']) {
    assert.throws(() => parseRouteKey(bad), (e: unknown) => e instanceof AwsError && e.code === 'BadRequestException', bad);
  }
});

test('page: maxResults and an opaque nextToken walk the list once', () => {
  const items = [1, 2, 3, 4, 5];
  const first = page(items, { maxResults: '2' });
  assert.deepEqual(first.items, [1, 2]);
  const second = page(items, { maxResults: '2', nextToken: first.nextToken });
  assert.deepEqual(second.items, [3, 4]);
  const last = page(items, { maxResults: '2', nextToken: second.nextToken });
  assert.deepEqual(last, { items: [5] });
  assert.throws(() => page(items, { maxResults: 'x' }), AwsError);
  assert.throws(() => page(items, { nextToken: '???' }), AwsError);
});
