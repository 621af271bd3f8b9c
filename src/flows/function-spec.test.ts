import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError, validateSpec } from './spec.js';
import { resolveFunctionCode } from './function-spec.js';
import { specToJson } from './files.js';
import { UsageError } from '../errors.js';
import { exportCloudFormation, exportTerraform } from './export.js';
import { inferAccess } from './export-functions.js';
import { configChanges, planFunctions, type ObservedFunction } from './functions.js';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';

const base = { name: 'f', topic: { name: 'f' }, queues: [{ name: 'f-a', consumer: { function: 'f-worker' } }] };
const fn = { name: 'f-worker', handler: 'index.handler', code: './worker' };
const problems = (functions: unknown, extra: object = {}) => {
  try {
    validateSpec({ ...base, ...extra, functions });
  } catch (err) {
    assert.ok(err instanceof SpecError);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /^Invalid flow spec:/);
    assert.ok(err.hint);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
};

describe('spec functions section', () => {
  it('a declared function gets Lambda\'s defaults and the current Node.js runtime; specs without it are unchanged', () => {
    const s = validateSpec({ ...base, functions: [fn] });
    assert.deepEqual(s.functions, [{ name: 'f-worker', handler: 'index.handler', code: './worker', runtime: 'nodejs24.x', timeout: 3, memory: 128, environment: {} }]);
    assert.equal(validateSpec(base).functions, undefined);
    assert.deepEqual(validateSpec(JSON.parse(specToJson(s))), s, 'written and read back, the same spec');
    assert.ok(!specToJson(validateSpec(base)).includes('functions'));
  });

  it('each bad input: its path, what is wrong and how to fix it', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^functions: must be a list of functions, e\.g\./],
      [[1], /^functions\[0\]: must be an object with at least name, handler and code/],
      [[{ ...fn, name: 'a b' }], /^functions\[0\]\.name: must be a Lambda function name: 1-64 letters/],
      [[fn, fn], /^functions\[1\]\.name: "f-worker" is already declared by functions\[0\]/],
      [[{ ...fn, handler: undefined }], /^functions\[0\]\.handler: is required: the file and export Lambda calls, e\.g\. "index\.handler"/],
      [[{ ...fn, handler: 'index' }], /^functions\[0\]\.handler: "index" must be <file>\.<export>/],
      [[{ ...fn, code: '' }], /^functions\[0\]\.code: is required: the directory of the handler code, relative to the spec file/],
      [[{ ...fn, runtime: 'nodejs20' }], /^functions\[0\]\.runtime: "nodejs20" is not a runtime svl deploys; did you mean "nodejs20\.x"\?/],
      [[{ ...fn, timeout: 901 }], /^functions\[0\]\.timeout: must be an integer from 1 to 900 seconds \(got 901\)/],
      [[{ ...fn, memory: 64 }], /^functions\[0\]\.memory: must be an integer from 128 to 10240 MB \(got 64\)/],
      [[{ ...fn, environment: [] }], /^functions\[0\]\.environment: must be an object of string values/],
      [[{ ...fn, environment: { N: 1 } }], /^functions\[0\]\.environment\["N"\]: keys must start with a letter/],
      [[{ ...fn, environment: { PORT: 1 } }], /^functions\[0\]\.environment\["PORT"\]: must be a string \(got 1\); quote numbers/],
      [[{ ...fn, environment: { AWS_REGION: 'x' } }], /^functions\[0\]\.environment\["AWS_REGION"\]: is reserved by Lambda/],
      [[{ ...fn, environment: { BIG: 'x'.repeat(4100) } }], /^functions\[0\]\.environment: is 4103 bytes; Lambda allows 4096/],
      [[{ ...fn, role: 'admin' }], /^functions\[0\]\.role: must be an IAM role ARN, arn:aws:iam::<12-digit account>:role\/<name>/],
      [[{ ...fn, handlr: 'x' }], /^functions\[0\]\.handlr: unknown key; did you mean "handler"\?/],
      [[{ ...fn, timeout: 60 }], /^queues\[0\]\.visibilityTimeout: Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds \(functions\[0\]\.timeout\); raise visibilityTimeout to at least 60/],
    ];
    for (const [input, re] of cases) {
      const p = problems(input);
      assert.equal(p.length, 1, `${JSON.stringify(input).slice(0, 80)}: ${p.join(' | ')}`);
      assert.match(p[0]!, re);
    }
    assert.deepEqual(problems([{ ...fn, runtime: 'provided.al2023', handler: 'bootstrap' }]), []);
  });

  it('code directories are checked before anything is zipped: missing directory, missing handler file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svl-fnspec-'));
    mkdirSync(join(dir, 'worker'));
    const s = validateSpec({ ...base, functions: [fn, { ...fn, name: 'f-other', code: 'nowhere' }, { ...fn, name: 'f-py', runtime: 'python3.12', handler: 'app.handler', code: 'worker' }] });
    const err = (() => {
      try {
        resolveFunctionCode(s.functions!, dir, 'f.flow.json');
      } catch (e) {
        return e as UsageError;
      }
      assert.fail('no error');
    })();
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /functions\[0\]\.handler: "index\.handler" needs index\.mjs or index\.js or index\.cjs in .*worker, which has none/);
    assert.match(err.message, /functions\[1\]\.code: .*nowhere is not a directory \(the path is relative to the spec file\)/);
    assert.match(err.message, /functions\[2\]\.handler: "app\.handler" needs app\.py/);
    assert.match(err.hint!, /functions\[\]\.code/);
    writeFileSync(join(dir, 'worker', 'index.mjs'), 'export const handler = async () => {};');
    assert.equal(resolveFunctionCode([s.functions![0]!], dir, 'f.flow.json').get('f-worker'), join(dir, 'worker'));
  });
});

describe('export of declared functions', () => {
  const spec = validateSpec({
    name: 'shop',
    topic: { name: 'shop-events' },
    queues: [{ id: 'orders', name: 'shop-orders', consumer: { function: 'shop-worker' } }],
    buckets: [{ name: 'shop-files', notifications: [{ events: ['s3:ObjectCreated:*'], function: 'shop-thumbs' }] }],
    functions: [
      { name: 'shop-worker', handler: 'worker.handler', code: './fns', environment: { TOPIC: 'shop-events', BUCKET: 'shop-files' }, timeout: 20 },
      { name: 'shop-thumbs', handler: 'thumbs.handler', code: './fns', role: 'arn:aws:iam::123456789012:role/thumbs' },
    ],
    apis: [{ name: 'shop', routes: [{ route: 'GET /x', function: 'shop-existing' }] }],
  });

  it('the policy is inferred from the spec: the queue it consumes, the topic and bucket its environment names', () => {
    assert.deepEqual(inferAccess(spec, spec.functions![0]!), { queues: ['shop-orders'], topic: true, buckets: ['shop-files'] });
    assert.deepEqual(inferAccess(spec, spec.functions![1]!), { queues: [], topic: false, buckets: [] });
  });

  it('Terraform: archive_file, role and least-privilege policy, the function; mappings and notifications use the resource', () => {
    const tf = exportTerraform(spec, { codePath: () => '../app/fns' });
    assert.match(tf, /archive = \{\n\s+source\s+= "hashicorp\/archive"/);
    assert.match(tf, /data "archive_file" "shop_worker" \{\n\s+type\s+= "zip"\n\s+source_dir\s+= "\$\{path\.module\}\/\.\.\/app\/fns"/);
    assert.match(tf, /resource "aws_iam_role" "shop_worker"/);
    assert.ok(!tf.includes('resource "aws_iam_role" "shop_thumbs"'), 'a spec role: no role created');
    assert.match(tf, /role\s+= "arn:aws:iam::123456789012:role\/thumbs"/);
    assert.match(tf, /"sqs:ReceiveMessage",\s*"sqs:DeleteMessage",\s*"sqs:GetQueueAttributes"/);
    assert.match(tf, /Action\s+= "sns:Publish"\n\s+Resource = aws_sns_topic\.topic\.arn/);
    assert.match(tf, /"\$\{aws_s3_bucket\.shop_files\.arn\}\/\*"/);
    assert.match(tf, /resource "aws_lambda_function" "shop_worker" \{[^]*?source_code_hash = data\.archive_file\.shop_worker\.output_base64sha256[^]*?depends_on\s+= \[aws_iam_role_policy\.shop_worker\][^]*?environment \{\n\s+variables = \{\n\s+BUCKET = "shop-files"/);
    assert.match(tf, /function_name\s+= aws_lambda_function\.shop_worker\.arn/);
    assert.match(tf, /lambda_function_arn = aws_lambda_function\.shop_thumbs\.arn/);
    assert.ok(!tf.includes('data "aws_lambda_function" "shop_worker"'));
    assert.match(tf, /data "aws_lambda_function" "shop_existing"/, 'a function only named stays a data source');
  });

  it('CloudFormation: IAM role and function from CodeBucket and a key parameter; references use the function', () => {
    const cfn = JSON.parse(exportCloudFormation(spec, { codeKey: (f) => `shop/${f.name}-abc.zip` }));
    assert.deepEqual(Object.keys(cfn.Parameters).sort(), ['CodeBucket', 'ShopExistingFunctionName', 'ShopThumbsFunctionCodeKey', 'ShopWorkerFunctionCodeKey']);
    assert.equal(cfn.Parameters.ShopWorkerFunctionCodeKey.Default, 'shop/shop-worker-abc.zip');
    const f = cfn.Resources.ShopWorkerFunction;
    assert.equal(f.Type, 'AWS::Lambda::Function');
    assert.deepEqual(f.Properties.Code, { S3Bucket: { Ref: 'CodeBucket' }, S3Key: { Ref: 'ShopWorkerFunctionCodeKey' } });
    assert.deepEqual(f.Properties.Role, { 'Fn::GetAtt': ['ShopWorkerFunctionRole', 'Arn'] });
    assert.equal(f.Properties.Timeout, 20);
    const stmts = cfn.Resources.ShopWorkerFunctionRole.Properties.Policies[0].PolicyDocument.Statement;
    assert.deepEqual(stmts.map((s: { Sid: string }) => s.Sid), ['Logs', 'ConsumeQueues', 'PublishTopic', 'BucketObjects', 'BucketList']);
    assert.equal(cfn.Resources.ShopThumbsFunction.Properties.Role, 'arn:aws:iam::123456789012:role/thumbs');
    assert.equal(cfn.Resources.ShopThumbsFunctionRole, undefined);
    assert.deepEqual(cfn.Resources.OrdersEventSourceMapping.Properties.FunctionName, { Ref: 'ShopWorkerFunction' });
  });
});

describe('plan of declared functions', () => {
  const spec = validateSpec({ ...base, functions: [fn, { ...fn, name: 'f-b', environment: { AB: '1' } }] });
  const zip = Buffer.from('zip');
  const zips = new Map(spec.functions!.map((f) => [f.name, { dir: '/x', zip, sha: 'SHA' }]));
  const config = (over: object = {}) => ({ CodeSha256: 'SHA', Handler: 'index.handler', Runtime: 'nodejs24.x', Timeout: 3, MemorySize: 128, ...over }) as FunctionConfiguration;
  const tags: Record<string, string> = { 'svl:flow': 'f' };
  const observed = (entries: Array<[string, ObservedFunction]>) => new Map(entries);

  it('create what is missing, update only what differs (code by CodeSha256, each setting), nothing when equal', () => {
    const existing = observed([
      ['f-worker', { arn: 'arn:w', config: config({ CodeSha256: 'OLD', Timeout: 5 }), tags }],
      ['f-b', { arn: 'arn:b', config: config({ Environment: { Variables: { AB: '1' } } }), tags }],
    ]);
    assert.deepEqual(planFunctions(spec, { available: true, zips, existing }, { kind: 'local' }).steps, [{ action: 'update', kind: 'function', name: 'f-worker', changes: ['code', 'Timeout: 5 -> 3'] }]);
    const fresh = planFunctions(spec, { available: true, zips, existing: new Map() }, { kind: 'local' });
    assert.deepEqual(fresh.steps.map((s) => `${s.action} ${s.name} ${s.changes.join(',')}`), ['create f-worker nodejs24.x index.handler,0.0 KB', 'create f-b nodejs24.x index.handler,0.0 KB']);
    assert.deepEqual(configChanges(spec.functions![1]!, config()), ['Environment: AB']);
  });

  it('a function the flow does not own is a conflict (unless adopted); no Lambda service: a warning, nothing planned', () => {
    const existing = observed([['f-worker', { arn: 'arn:w', config: config(), tags: {} }], ['f-b', { arn: 'arn:b', config: config({ Environment: { Variables: { AB: '1' } } }), tags: { 'svl:flow': 'other' } }]]);
    const p = planFunctions(spec, { available: true, zips, existing }, { kind: 'local' });
    assert.deepEqual(p.conflicts, ['function f-worker exists and is not managed by svl', 'function f-b belongs to flow "other"']);
    const adopted = planFunctions(spec, { available: true, zips, existing }, { kind: 'local', adopt: true });
    assert.deepEqual(adopted.steps.map((s) => `${s.name} ${s.changes.join(',')}`), ['f-worker tags: svl:flow', 'f-b tags: svl:flow']);
    const none = planFunctions(spec, { available: false, zips, existing: new Map() }, { kind: 'local' });
    assert.deepEqual(none.steps, []);
    assert.match(none.warnings[0]!, /^Functions f-worker, f-b: this target has no Lambda service yet; they are not deployed\.$/);
  });

  it('on AWS a function to create needs a role: refused with how to give one (exit 2)', () => {
    assert.throws(() => planFunctions(spec, { available: true, zips, existing: new Map() }, { kind: 'aws' }), (err: UsageError) => {
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /^Functions f-worker, f-b need an execution role to be created on AWS, and the spec names none\.$/);
      assert.match(err.hint!, /Set "role": "arn:aws:iam::<account>:role\/<name>"/);
      return true;
    });
    assert.throws(() => planFunctions(spec, { available: true, zips, existing: new Map() }, { kind: 'aws', roleHint: 'use --role' }), { hint: 'use --role' });
    const withRole = validateSpec({ ...base, functions: [{ ...fn, role: 'arn:aws:iam::123456789012:role/r' }] });
    assert.equal(planFunctions(withRole, { available: true, zips, existing: new Map() }, { kind: 'aws' }).steps.length, 1);
  });
});
