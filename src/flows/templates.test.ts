import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accountUniqueBuckets, listTemplates, loadTemplate, templateEnv, templateSpec } from './templates.js';

describe('templates: bucket names unique per account on AWS, function environments from the spec', () => {
  it('every bucket of a template gets -<account>, once; a name past 63 characters is refused with the way out', () => {
    const spec = templateSpec(loadTemplate('users-app'));
    const aws = accountUniqueBuckets(spec, '123456789012');
    assert.deepEqual(aws.buckets!.map((b) => b.name), ['users-app-images-123456789012']);
    assert.deepEqual(aws.buckets![0]!.notifications, spec.buckets![0]!.notifications);
    assert.equal(spec.buckets![0]!.name, 'users-app-images', 'the spec given is not changed');
    assert.deepEqual(accountUniqueBuckets(aws, '123456789012').buckets!.map((b) => b.name), ['users-app-images-123456789012']);
    const noBuckets = templateSpec(loadTemplate('fanout'));
    assert.equal(accountUniqueBuckets(noBuckets, '123456789012'), noBuckets);
    const long = { ...spec, buckets: [{ ...spec.buckets![0]!, name: 'b'.repeat(51) }] };
    assert.throws(() => accountUniqueBuckets(long, '123456789012'), /is 64 characters; S3 allows 63[\s\S]*/);
    for (const id of ['users-demo', 'upload-pipeline', 'users-app']) {
      for (const b of accountUniqueBuckets(templateSpec(loadTemplate(id)), '123456789012').buckets!) assert.match(b.name, /-123456789012$/, id);
    }
  });

  it('{{bucket}} and {{topic}} are filled in from the spec; other text is kept', () => {
    const spec = accountUniqueBuckets(templateSpec(loadTemplate('users-app')), '123456789012');
    assert.deepEqual(templateEnv({ BUCKET: '{{bucket}}', TOPIC_NAME: '{{topic}}', OTHER: 'x {{nope}}' }, spec), {
      BUCKET: 'users-app-images-123456789012',
      TOPIC_NAME: 'users-app-new-user-added',
      OTHER: 'x {{nope}}',
    });
    assert.equal(templateEnv(undefined, spec), undefined);
  });

  it('every template builds a valid spec; users-app deploys one handler per function it names', () => {
    for (const t of listTemplates()) assert.ok(templateSpec(t).name, t.id);
    const t = loadTemplate('users-app');
    const spec = templateSpec(t);
    const named = new Set([...spec.queues.map((q) => q.consumer?.function), ...spec.apis.flatMap((a) => [...a.routes.map((r) => r.function), ...a.authorizers.map((z) => z.function)])]);
    named.delete(undefined);
    assert.deepEqual([...named].sort(), Object.keys(t.code!.handlers).sort());
  });
});
