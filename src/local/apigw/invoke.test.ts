import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withStageVariables } from './resolve.js';

test('withStageVariables fills ${stageVariables.x} in integration URIs; unknown names stay', () => {
  assert.equal(withStageVariables('http://example.com/${stageVariables.env}/bar?q=${stageVariables.q}', { env: 'prod', q: '1' }), 'http://example.com/prod/bar?q=1');
  assert.equal(
    withStageVariables('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations', { fn: 'users' }),
    'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:users/invocations',
  );
  assert.equal(withStageVariables('http://x/${stageVariables.nope}', {}), 'http://x/${stageVariables.nope}');
  assert.equal(withStageVariables(undefined, {}), undefined);
});
