import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTarget } from '../../aws/target.js';
import { SvlError } from '../../errors.js';
import { createUi } from '../../ui/index.js';
import { fakeIo } from '../../ui/test-streams.js';
import { renderConfigShow, runConfigGet, runConfigShow } from './show.js';

describe('config show', () => {
  it('describes the local target without secrets', () => {
    const r = runConfigShow(resolveTarget({ local: true }, {}), {});
    assert.equal(r.kind, 'local');
    assert.equal(r.region, 'us-east-1');
    assert.equal(r.accountId, '000000000000');
    assert.deepEqual(r.endpoints, { sqs: 'http://127.0.0.1:4566', sns: 'http://127.0.0.1:4566', lambda: 'http://127.0.0.1:4566' });
    assert.doesNotMatch(JSON.stringify(r), /secret|"test"/i);
  });

  it('says where each AWS value came from and leaves unset endpoints null', () => {
    const env = { AWS_REGION: 'eu-west-1', SVL_PROFILE: 'ops', AWS_ENDPOINT_URL_SQS: 'http://q:1' };
    const r = runConfigShow(resolveTarget({}, env), env);
    assert.equal(r.sources.region, 'AWS_REGION');
    assert.equal(r.sources.profile, 'SVL_PROFILE');
    assert.deepEqual(r.endpoints, { sqs: 'http://q:1', sns: null, lambda: null });
    assert.equal(r.sources.endpoints.sqs, 'AWS_ENDPOINT_URL_SQS');
    assert.equal(r.accountId, null);
  });

  it('renders a table on stdout and hints about a missing region on stderr', () => {
    const io = fakeIo();
    const ui = createUi({ json: false, yes: false, color: false, debug: false, env: {}, io });
    const r = runConfigShow(resolveTarget({}, {}), {});
    ui.result(r, (d) => renderConfigShow(d, ui));
    assert.match(io.stdout.text, /│ target\s+│ AWS/);
    assert.match(io.stdout.text, /│ region\s+│ not set/);
    assert.match(io.stderr.text, /pass --region or set AWS_REGION/);
  });
});

describe('config get', () => {
  it('returns one value', () => {
    assert.deepEqual(runConfigGet('endpoint.lambda', resolveTarget({ local: true }, {})), { key: 'endpoint.lambda', value: 'http://127.0.0.1:4566' });
    assert.equal(runConfigGet('kind', resolveTarget({}, {})).value, 'aws');
  });

  it('fails with exit code 1 and a hint when the value is not set', () => {
    assert.throws(() => runConfigGet('region', resolveTarget({}, {})), (e: unknown) => {
      assert.ok(e instanceof SvlError);
      assert.equal(e.exitCode, 1);
      assert.equal(e.message, 'region is not set');
      assert.match(e.hint ?? '', /--region/);
      return true;
    });
  });
});
