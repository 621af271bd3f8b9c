// Every template's flow, exported by the built CLI (`svl export --format cloudformation|terraform`), is
// checked with what can run here without AWS nor a Terraform binary:
// - CloudFormation: AWS's own linter, cfn-lint (the Python package on these machines, current resource
//   specification), reports nothing; the npm `cfn-lint` (a dev dependency) reports nothing either, except
//   what its bundled resource specification (2019) does not know yet, each such finding listed below
//   with why, so any other finding fails;
// - Terraform: the file parses (@cdktf/hcl2json, HashiCorp's HCL parser compiled to WebAssembly), every
//   reference (`${…}`, depends_on) names a declared resource, data source or local, and the attribute
//   it reads is one the AWS provider exports for that type.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { svl, root } from '../helpers/cli.mjs';
import { listTemplates, templateSpec } from '../../dist/flows/templates.js';
import { specToJson } from '../../dist/flows/files.js';
import { readZip } from '../../dist/domain/zip.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'svl-export-checks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const templates = listTemplates();

/** Exports every template's spec through the CLI once per format; resolves { id: { cfn, tf } } file paths. */
const exported = (async () => {
  const out = {};
  for (const t of templates) {
    const spec = join(dir, `${t.id}.flow.json`);
    writeFileSync(spec, specToJson(templateSpec(t)));
    out[t.id] = {};
    for (const [format, ext] of [['cloudformation', 'cfn.json'], ['terraform', 'tf']]) {
      const file = join(dir, `${t.id}.${ext}`);
      const r = await svl(['export', spec, '--format', format, '--out', file, '--yes']);
      assert.equal(r.code, 0, `${t.id} ${format}: ${r.stderr}`);
      out[t.id][ext === 'tf' ? 'tf' : 'cfn'] = file;
    }
  }
  // users-app as `svl init` writes it: its spec declares the six functions, code in ./functions (the
  // exports go to another directory, so the Terraform path and the CloudFormation packages are relative to it).
  const t = templates.find((x) => x.id === 'users-app');
  const project = join(dir, 'users-app-project');
  cpSync(join(root, 'templates', 'users-app'), join(project, 'functions'), { recursive: true });
  const base = templateSpec(t);
  const functions = Object.entries(t.code.handlers).map(([name, handler]) => ({ name, handler, code: './functions', runtime: 'nodejs24.x', timeout: t.code.timeout, memory: 128, environment: Object.fromEntries(Object.entries(t.code.env[name] ?? {}).map(([k, v]) => [k, v.replace('{{bucket}}', base.buckets[0].name).replace('{{topic}}', base.topic.name)])) }));
  const spec = join(project, 'users-app.flow.json');
  writeFileSync(spec, specToJson({ ...base, functions }));
  mkdirSync(join(dir, 'infra'));
  out['users-app-functions'] = {};
  for (const [format, ext] of [['cloudformation', 'cfn.json'], ['terraform', 'tf']]) {
    const file = join(dir, 'infra', `users-app-functions.${ext}`);
    const r = await svl(['export', spec, '--format', format, '--out', file, '--yes']);
    assert.equal(r.code, 0, `users-app with functions ${format}: ${r.stderr}`);
    out['users-app-functions'][ext === 'tf' ? 'tf' : 'cfn'] = file;
    out['users-app-functions'][`${format}Stderr`] = r.stderr;
  }
  return out;
})();

test('users-app with its functions: Terraform zips ../users-app-project/functions; CloudFormation gets the six packages next to it and the commands to use them', async () => {
  const { tf, cfn, cloudformationStderr } = (await exported)['users-app-functions'];
  const text = readFileSync(tf, 'utf8');
  assert.match(text, /source_dir\s+= "\$\{path\.module\}\/\.\.\/users-app-project\/functions"/);
  assert.equal((text.match(/resource "aws_lambda_function"/g) ?? []).length, 6);
  assert.ok(!text.includes('data "aws_lambda_function"'), 'no function is read as existing any more');
  const template = JSON.parse(readFileSync(cfn, 'utf8'));
  const fns = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  assert.equal(fns.length, 6);
  const packages = join(dir, 'infra', 'users-app-functions');
  const zips = readdirSync(packages).sort();
  assert.equal(zips.length, 6);
  for (const key of Object.keys(template.Parameters).filter((k) => k.endsWith('CodeKey'))) {
    const file = template.Parameters[key].Default.split('/').pop();
    assert.ok(existsSync(join(packages, file)), `${key}: ${file}`);
    assert.ok(readZip(readFileSync(join(packages, file))).some((e) => e.name === 'lib/store.mjs'));
  }
  assert.match(cloudformationStderr, /aws s3 cp .*users-app-functions\/ s3:\/\/<bucket>\/users-app\/ --recursive && aws cloudformation deploy --template-file .* --capabilities CAPABILITY_IAM --parameter-overrides CodeBucket=<bucket>/);
});

test('the templates include the whole seed system, so the checks cover every kind of resource svl exports', () => {
  assert.ok(templates.length >= 9);
  const kinds = JSON.stringify(templates.map((t) => templateSpec(t)));
  for (const k of ['"apis"', '"buckets"', '"consumer"', '"authorizers"', '"filterPolicy"', '"fifo":true']) assert.ok(kinds.includes(k), k);
});

test('CloudFormation: AWS\'s cfn-lint finds nothing in any template\'s export', async () => {
  const files = Object.values(await exported).map((f) => f.cfn);
  let result;
  try {
    // AWS's cfn-lint through Python, not `cfn-lint` on PATH: under npm, node_modules/.bin's npm cfn-lint comes first.
    const main = "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())";
    result = await run('python3', ['-c', main, '--format', 'parseable', '--', ...files], { maxBuffer: 16 << 20 });
  } catch (err) {
    const missing = err.code === 'ENOENT' || /No module named '?cfnlint/.test(err.stderr ?? '');
    if (missing) assert.fail('cfn-lint (AWS\'s, `pip install cfn-lint`) is not installed: .ci/run installs it');
    result = err;
  }
  assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'cfn-lint findings');
});

/**
 * What the npm cfn-lint (1.9.7, resource specification of 2019) reports about valid templates: properties
 * and attributes CloudFormation added later, requirements it dropped, and one bug of its own.
 */
const STALE = [
  // Added to CloudFormation after 2019 (see each resource's page in the CloudFormation user guide).
  /^(SqsManagedSseEnabled|RedriveAllowPolicy) is not a valid property of AWS::SQS::Queue$/,
  /^(Tags|FifoTopic|ContentBasedDeduplication) is not a valid property of AWS::SNS::Topic$/,
  /^Tags is not a valid property of AWS::IAM::Role$/,
  /^(FilterPolicyScope|RedrivePolicy) is not a valid property of AWS::SNS::Subscription$/,
  /^(MaximumBatchingWindowInSeconds|FunctionResponseTypes) is not a valid property of AWS::Lambda::EventSourceMapping$/,
  /^(Tags|CorsConfiguration) is not a valid property of AWS::ApiGatewayV2::Api$/,
  /^(Tags|AutoDeploy) is not a valid property of AWS::ApiGatewayV2::Stage$/,
  /^PayloadFormatVersion is not a valid property of AWS::ApiGatewayV2::Integration$/,
  /^(AuthorizerPayloadFormatVersion|EnableSimpleResponses) is not a valid property of AWS::ApiGatewayV2::Authorizer$/,
  /^No such attribute ApiEndpoint on AWS::ApiGatewayV2::Api$/,
  // Required only for WebSocket APIs / stages without AutoDeploy, since HTTP APIs exist (2020).
  /^Required property RouteSelectionExpression missing for type AWS::ApiGatewayV2::Api$/,
  /^Required property DeploymentId missing for type AWS::ApiGatewayV2::Stage$/,
  // Its Fn::Sub leaves `${…}` around each substituted value, so an ARN built with Fn::Sub never looks like one.
  /^Expecting an ARN, got 'arn:\$\{aws\}:[^']*'$/,
];

test('CloudFormation: the npm cfn-lint finds nothing but what its 2019 resource specification does not know', async () => {
  // Its bin script under this node, with the util.is* functions Node 23 removed put back (it calls them).
  const bin = join(root, 'node_modules', 'cfn-lint', 'lib', 'index.js');
  const shims = join(root, 'test', 'helpers', 'node-util-shims.cjs');
  for (const [id, { cfn }] of Object.entries(await exported)) {
    let out;
    try {
      out = (await run(process.execPath, ['--require', shims, bin, 'validate', cfn], { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } })).stdout;
    } catch (err) {
      out = `${err.stdout}${err.stderr}`;
    }
    const messages = out.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.startsWith('Message: ')).map((l) => l.slice(9).trim());
    assert.match(out.replace(/\x1b\[[0-9;]*m/g, ''), /\d+ crit|Template valid/, `${id}: the linter ran`);
    assert.deepEqual(messages.filter((m) => !STALE.some((re) => re.test(m))), [], `${id}: findings other than the stale specification's`);
  }
});

/** Attributes the AWS provider (>= 5) exports, for the types and data sources the exports reference. */
const ATTRIBUTES = {
  aws_sns_topic: ['arn', 'id', 'name'],
  aws_sqs_queue: ['arn', 'id', 'url', 'name'],
  aws_sqs_queue_policy: ['id'],
  aws_sqs_queue_redrive_allow_policy: ['id'],
  aws_sns_topic_subscription: ['arn', 'id'],
  aws_sns_topic_policy: ['id', 'owner'],
  aws_lambda_event_source_mapping: ['id', 'uuid', 'function_arn'],
  aws_lambda_permission: ['id'],
  aws_s3_bucket: ['arn', 'id', 'bucket'],
  aws_s3_bucket_notification: ['id'],
  aws_apigatewayv2_api: ['id', 'arn', 'api_endpoint', 'execution_arn'],
  aws_apigatewayv2_stage: ['id', 'arn', 'invoke_url'],
  aws_apigatewayv2_integration: ['id'],
  aws_apigatewayv2_authorizer: ['id'],
  aws_apigatewayv2_route: ['id'],
  'data.aws_lambda_function': ['arn', 'invoke_arn', 'function_name', 'qualified_arn'],
  aws_lambda_function: ['arn', 'id', 'invoke_arn', 'function_name', 'qualified_arn'],
  aws_iam_role: ['arn', 'id', 'name', 'unique_id'],
  aws_iam_role_policy: ['id'],
  'data.archive_file': ['id', 'output_path', 'output_base64sha256', 'output_sha', 'output_size'],
  'data.aws_caller_identity': ['account_id', 'arn', 'id'],
};

/** Every `${…}` expression in the parsed file, with where it is. */
function expressions(v, path = '', out = []) {
  if (typeof v === 'string') for (const m of v.matchAll(/\$\{((?:[^{}]|\{[^{}]*\}|\{(?:[^{}]|\{[^{}]*\})*\})*)\}/g)) out.push({ path, expr: m[1] });
  else if (Array.isArray(v)) v.forEach((x, i) => expressions(x, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) expressions(x, path ? `${path}.${k}` : k, out);
  return out;
}

test('Terraform: every export parses, and every reference names something declared, with an attribute it has', async () => {
  const { parse } = require('@cdktf/hcl2json');
  for (const [id, { tf }] of Object.entries(await exported)) {
    const parsed = await parse(`${id}.tf`, readFileSync(tf, 'utf8'));
    const declared = new Set();
    for (const [type, byName] of Object.entries(parsed.resource ?? {})) for (const name of Object.keys(byName)) declared.add(`${type}.${name}`);
    for (const [type, byName] of Object.entries(parsed.data ?? {})) for (const name of Object.keys(byName)) declared.add(`data.${type}.${name}`);
    const locals = new Set((parsed.locals ?? []).flatMap((l) => Object.keys(l)));
    assert.ok(declared.has('aws_sns_topic.topic'), `${id}: the topic`);
    const refs = expressions(parsed);
    assert.ok(refs.length > 0, `${id}: references found`);
    for (const { path, expr } of refs) {
      // Identifiers outside string literals: strip "…" first (policy texts such as "aws:SourceArn").
      const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
      for (const m of code.matchAll(/(?<![\w.])(data\.[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*|local\.[A-Za-z_][\w-]*|var\.[A-Za-z_][\w-]*|aws_[a-z0-9_]+\.[A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g)) {
        const [, ref, attr] = m;
        if (ref.startsWith('var.')) assert.fail(`${id}: ${path} reads ${ref}, but the export declares no variables`);
        if (ref.startsWith('local.')) {
          assert.ok(locals.has(ref.slice(6)), `${id}: ${path} reads ${ref}, not declared in locals`);
          continue;
        }
        assert.ok(declared.has(ref), `${id}: ${path} references ${ref}, which the file does not declare`);
        if (attr !== undefined) {
          const type = ref.startsWith('data.') ? ref.split('.').slice(0, 2).join('.') : ref.split('.')[0];
          assert.ok(ATTRIBUTES[type]?.includes(attr), `${id}: ${path} reads ${ref}.${attr}; ${type} exports ${ATTRIBUTES[type]?.join(', ') ?? '(unknown type)'}`);
        } else assert.match(path, /depends_on\[\d+\]$/, `${id}: ${path} references the whole of ${ref} outside depends_on`);
      }
    }
  }
});
