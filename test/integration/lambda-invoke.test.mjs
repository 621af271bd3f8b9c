// Invoke with the real @aws-sdk/client-lambda: handlers run unmodified through the Runtime API
// (Node CommonJS and ESM, async and callback, Python, a `provided` shell bootstrap), with AWS's context,
// environment, errors, timeouts, log tails, payload limits, warm reuse and bounded concurrency.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupLambda, fixtures } from '../helpers/lambda.mjs';
import { writeZip } from '../../dist/domain/zip.js';
import { rejectsWith } from '../helpers/emulator.mjs';

let t;
before(async () => {
  process.env.SVL_TEST_PARENT_SECRET = 'must-not-leak';
  t = await setupLambda({ lambdaProcessLimit: 2 });
});
after(async () => {
  delete process.env.SVL_TEST_PARENT_SECRET;
  await t.close();
});

const ARN = (name) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

test('Node CommonJS async handler: 200, the result, X-Amz-Executed-Version, request id = awsRequestId', async () => {
  await t.createFunction('cjs-echo');
  const r = await t.invoke('cjs-echo', { hello: 'world' });
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, undefined);
  assert.equal(r.ExecutedVersion, '$LATEST');
  assert.deepEqual(r.json, { echo: { hello: 'world' } });
  // No payload is an empty event object.
  assert.deepEqual((await t.invoke('cjs-echo')).json, { echo: {} });
  // A handler returning undefined answers null.
  await t.createFunction('cjs-nothing', { handler: 'index.nothing' });
  assert.equal((await t.invoke('cjs-nothing', {})).text, 'null');
});

test('callback-style handlers: result and error through the callback', async () => {
  await t.createFunction('cb-ok', { handler: 'index.callback' });
  assert.deepEqual((await t.invoke('cb-ok', [1, 2])).json, { viaCallback: true, got: [1, 2] });
  await t.createFunction('cb-err', { handler: 'index.callbackError' });
  const r = await t.invoke('cb-err', {});
  assert.equal(r.FunctionError, 'Unhandled');
  assert.equal(r.json.errorType, 'RangeError');
  assert.equal(r.json.errorMessage, 'callback failure');
});

test('ESM handlers: .mjs, .js in a "type": "module" package, a nested export path', async () => {
  await t.createFunction('esm1', { fixture: 'node-esm', handler: 'index.handler', runtime: 'nodejs22.x' });
  const r = await t.invoke('esm1', { n: 1 });
  assert.deepEqual({ ...r.json, platform: undefined }, { esm: true, platform: undefined, name: 'esm1', event: { n: 1 } });
  await t.createFunction('esm-pkg', { fixture: 'node-esm-pkg', handler: 'app.handler' });
  assert.deepEqual((await t.invoke('esm-pkg', '"x"')).json, { esmPackage: true, isModule: true, event: 'x' });
  await t.createFunction('esm-nested', { fixture: 'node-esm', handler: 'index.nested.deeper.handler' });
  assert.equal((await t.invoke('esm-nested', {})).json, 'nested export');
});

test('a handler error: 200, X-Amz-Function-Error Unhandled, AWS error object, log tail with the error', async () => {
  await t.createFunction('fails', { handler: 'index.fail' });
  const r = await t.invoke('fails', { message: 'some_error_msg' }, { LogType: 'Tail' });
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, 'Unhandled');
  assert.equal(r.json.errorType, 'TypeError');
  assert.equal(r.json.errorMessage, 'some_error_msg');
  assert.ok(Array.isArray(r.json.trace) && r.json.trace[0] === 'TypeError: some_error_msg');
  assert.match(r.log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  assert.match(r.log, /\tINFO\tabout to fail\n/);
  assert.match(r.log, /\tERROR\tInvoke Error \t\{"errorType":"TypeError"/);
  assert.match(r.log, /\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t/);
});

test('missing handler export and missing module: Runtime.HandlerNotFound / Runtime.ImportModuleError', async () => {
  await t.createFunction('no-export', { handler: 'index.doesNotExist' });
  let r = await t.invoke('no-export', {});
  assert.equal(r.FunctionError, 'Unhandled');
  assert.equal(r.json.errorType, 'Runtime.HandlerNotFound');
  assert.equal(r.json.errorMessage, 'index.doesNotExist is undefined or not exported');
  await t.createFunction('no-module', { handler: 'missing.handler' });
  r = await t.invoke('no-module', {});
  assert.equal(r.json.errorType, 'Runtime.ImportModuleError');
  assert.match(r.json.errorMessage, /Cannot find module 'missing'/);
});

test('the context object and the environment are AWS\'s; nothing of the parent environment leaks', async () => {
  await t.createFunction('ctx', { handler: 'index.context', MemorySize: 256, Timeout: 7 });
  const clientContext = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString('base64');
  const r = await t.invoke('ctx', {}, { ClientContext: clientContext });
  const c = r.json;
  assert.equal(c.functionName, 'ctx');
  assert.equal(c.functionVersion, '$LATEST');
  assert.equal(c.invokedFunctionArn, ARN('ctx'));
  assert.equal(c.memoryLimitInMB, '256');
  assert.equal(c.awsRequestId, r.$metadata.requestId);
  assert.equal(c.logGroupName, '/aws/lambda/ctx');
  assert.match(c.logStreamName, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.ok(c.remaining > 5000 && c.remaining <= 7000, `remaining ${c.remaining}`);
  assert.deepEqual(c.clientContext, { custom: { a: 1 } });
  assert.equal(c.callbackWaitsForEmptyEventLoop, true);

  await t.createFunction('env', { handler: 'index.env', Environment: { Variables: { MY_SETTING: 'on' } } });
  const env = (await t.invoke('env', {})).json;
  assert.equal(env.MY_SETTING, 'on');
  assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'env');
  assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
  assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
  assert.equal(env.AWS_REGION, 'us-east-1');
  assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
  assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
  assert.equal(env._HANDLER, 'index.env');
  assert.equal(env.TZ, ':UTC');
  assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env');
  assert.match(env._X_AMZN_TRACE_ID, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  assert.equal(env.AWS_ENDPOINT_URL, t.url);
  assert.equal(env.AWS_ACCESS_KEY_ID, 'test');
  assert.ok(env.LAMBDA_TASK_ROOT && env.AWS_LAMBDA_RUNTIME_API.startsWith('127.0.0.1:'));
  assert.equal(env.SVL_TEST_PARENT_SECRET, undefined, 'the emulator environment must not leak into handlers');
  assert.equal(env._SVL_RUNTIME_CHANNEL_FD, undefined, 'the runtime client keeps its private channel to itself');
  assert.equal(env.HOME, undefined);
});

test('Python handler: result, context attribute names, and the Python error object', async () => {
  await t.createFunction('py1', { fixture: 'python', handler: 'app.handler', runtime: 'python3.12' });
  const r = await t.invoke('py1', { x: 1 }, { LogType: 'Tail' });
  assert.equal(r.StatusCode, 200);
  assert.equal(r.json.python, true);
  assert.deepEqual(r.json.event, { x: 1 });
  assert.equal(r.json.function_name, 'py1');
  assert.equal(r.json.memory_limit_in_mb, '128');
  assert.equal(r.json.aws_request_id, r.$metadata.requestId);
  assert.equal(r.json.remaining_ok, true);
  assert.equal(r.json.handler_env, 'app.handler');
  assert.match(r.log, /python got \{'x': 1\}\n/);
  await t.createFunction('py-fail', { fixture: 'python', handler: 'app.fail', runtime: 'python3.11' });
  const f = await t.invoke('py-fail', {});
  assert.equal(f.FunctionError, 'Unhandled');
  assert.equal(f.json.errorType, 'ValueError');
  assert.equal(f.json.errorMessage, 'python says no');
  assert.equal(f.json.requestId, f.$metadata.requestId);
  assert.ok(Array.isArray(f.json.stackTrace) && f.json.stackTrace.length > 0);
  await t.createFunction('py-missing', { fixture: 'python', handler: 'nomodule.handler', runtime: 'python3.12' });
  const m = await t.invoke('py-missing', {});
  assert.equal(m.json.errorType, 'Runtime.ImportModuleError');
});

test('provided.al2023: the zip\'s bootstrap (a shell script) is the runtime', async () => {
  await t.createFunction('shell', { fixture: 'provided', handler: 'function.handler', runtime: 'provided.al2023' });
  const r = await t.invoke('shell', { a: 1 }, { LogType: 'Tail' });
  assert.deepEqual(r.json, { shell: true, event: { a: 1 } });
  assert.match(r.log, /handling [0-9a-f-]{36}/);
  const f = await t.invoke('shell', { fail: true });
  assert.equal(f.FunctionError, 'Unhandled');
  assert.deepEqual(f.json, { errorType: 'Custom.Failure', errorMessage: 'shell handler failed' });
  // A provided runtime without a bootstrap is Runtime.InvalidEntrypoint.
  await t.createFunction('no-bootstrap', { fixture: 'node-cjs', handler: 'x', runtime: 'provided.al2' });
  const n = await t.invoke('no-bootstrap', {});
  assert.equal(n.FunctionError, 'Unhandled');
  assert.equal(n.json.errorType, 'Runtime.InvalidEntrypoint');
  assert.match(n.json.errorMessage, /Couldn't find valid bootstrap/);
});

test('svl\'s Node runtime client also speaks the public HTTP Runtime API (a provided.al2023 bootstrap that runs it)', async () => {
  // svl starts it for nodejs* over a private channel; given only AWS_LAMBDA_RUNTIME_API it is a plain runtime client.
  const client = fileURLToPath(new URL('../../dist/local/lambda/runtime/node-bootstrap.js', import.meta.url));
  const zip = writeZip([
    { name: 'bootstrap', data: `#!/bin/sh\nexec '${process.execPath}' '${client}'\n`, mode: 0o755 },
    { name: 'index.js', data: readFileSync(join(fixtures, 'node-cjs', 'index.js')) },
  ]);
  await t.send('CreateFunction', { FunctionName: 'http-client', Role: 'arn:aws:iam::000000000000:role/r', Runtime: 'provided.al2023', Handler: 'index.echo', Code: { ZipFile: zip } });
  await t.emu.lambda.whenActive('http-client');
  const a = await t.invoke('http-client', { over: 'http' }, { LogType: 'Tail' });
  assert.deepEqual(a.json, { echo: { over: 'http' } });
  assert.match(a.log, /REPORT RequestId: [0-9a-f-]{36}\tDuration: .*Max Memory Used: [1-9]\d* MB/);
  // Warm, the next invocation goes through the same process; a function error is still an error.
  assert.deepEqual((await t.invoke('http-client', [2])).json, { echo: [2] });
  await t.send('UpdateFunctionConfiguration', { FunctionName: 'http-client', Handler: 'index.fail' });
  await t.emu.lambda.whenActive('http-client');
  const f = await t.invoke('http-client', {});
  assert.equal(f.FunctionError, 'Unhandled');
});

test('warm processes are reused: module state survives, the same pid answers, one cold start', async () => {
  await t.createFunction('warm', { handler: 'index.counter' });
  const a = await t.invoke('warm', {}, { LogType: 'Tail' });
  const b = await t.invoke('warm', {}, { LogType: 'Tail' });
  assert.equal(a.json.calls, 1);
  assert.equal(b.json.calls, 2);
  assert.equal(a.json.pid, b.json.pid);
  assert.match(a.log, /Init Duration: [\d.]+ ms/);
  assert.doesNotMatch(b.log, /Init Duration/);
  // A configuration change starts a fresh process.
  await t.send('UpdateFunctionConfiguration', { FunctionName: 'warm', Description: 'changed' });
  await t.emu.lambda.whenActive('warm');
  const c = await t.invoke('warm', {});
  assert.equal(c.json.calls, 1);
  assert.notEqual(c.json.pid, a.json.pid);
});

test('Timeout kills the process and reports Task timed out after N seconds; the next invoke starts fresh', async () => {
  await t.createFunction('slow', { handler: 'index.sleep', Timeout: 1 });
  const started = Date.now();
  const r = await t.invoke('slow', { ms: 5000 }, { LogType: 'Tail' });
  assert.ok(Date.now() - started < 3000, 'killed after about one second');
  assert.equal(r.FunctionError, 'Unhandled');
  assert.equal(r.json.errorType, 'Sandbox.Timedout');
  assert.equal(r.json.errorMessage, `RequestId: ${r.$metadata.requestId} Error: Task timed out after 1.00 seconds`);
  assert.match(r.log, /sleeping 5000 ms\n/);
  assert.match(r.log, /Task timed out after 1\.00 seconds\nEND RequestId/);
  const ok = await t.invoke('slow', { ms: 10 });
  assert.deepEqual(ok.json, { slept: 10 });
});

test('a process that exits mid-invocation is Runtime.ExitError', async () => {
  await t.createFunction('exits', { handler: 'index.exit' });
  const r = await t.invoke('exits', {});
  assert.equal(r.FunctionError, 'Unhandled');
  assert.equal(r.json.errorType, 'Runtime.ExitError');
  assert.equal(r.json.errorMessage, `RequestId: ${r.$metadata.requestId} Error: Runtime exited with error: exit status 3`);
});

test('MemorySize limits the Node heap: 200 MB of arrays fail at 128 MB and pass at 512 MB', async () => {
  await t.createFunction('heap-small', { handler: 'index.heap', MemorySize: 128, Timeout: 30 });
  const small = await t.invoke('heap-small', { mb: 200 });
  assert.equal(small.FunctionError, 'Unhandled');
  assert.equal(small.json.errorType, 'Runtime.ExitError');
  await t.createFunction('heap-big', { handler: 'index.heap', MemorySize: 512, Timeout: 30 });
  const big = await t.invoke('heap-big', { mb: 200 });
  assert.equal(big.FunctionError, undefined);
  assert.equal(big.json, 200);
});

test('concurrency per function is bounded (2 processes here): a third invocation waits for a free one', async () => {
  await t.createFunction('bounded', { handler: 'index.sleep', Timeout: 10 });
  const started = Date.now();
  const rs = await Promise.all([1, 2, 3].map(() => t.invoke('bounded', { ms: 400 })));
  const elapsed = Date.now() - started;
  for (const r of rs) assert.deepEqual(r.json, { slept: 400 });
  assert.ok(elapsed >= 780, `three 400 ms invocations on two processes take two rounds (took ${elapsed} ms)`);
  assert.equal(t.emu.lambda.runtime.processCount('bounded'), 2);
});

test('X-Amz-Log-Result is the last 4 KB of the log and ends with the REPORT line', async () => {
  await t.createFunction('chatty', { handler: 'index.log' });
  const r = await t.invoke('chatty', { lines: 200, width: 60 }, { LogType: 'Tail' });
  assert.ok(Buffer.from(r.LogResult, 'base64').length <= 4096);
  assert.ok(Buffer.from(r.LogResult, 'base64').length > 4000);
  assert.match(r.log, /REPORT RequestId: [0-9a-f-]{36}\tDuration: .*\t\n$/);
  assert.doesNotMatch(r.log, /^START/);
  // Without LogType=Tail there is no log header.
  assert.equal((await t.invoke('chatty', { lines: 1 })).LogResult, undefined);
  // The full log is kept for `svl logs`.
  const logs = await t.logs('chatty');
  assert.equal(logs.length, 2);
  assert.match(logs[0].text, /^START RequestId/);
  assert.match(logs[0].text, /line 199 /);
  assert.equal((await fetch(`${t.url}/_svl/lambda/logs?function=ghost`)).status, 404);
});

test('Event answers 202 and DryRun 204 without running the handler synchronously', async () => {
  await t.createFunction('modes');
  const e = await t.send('Invoke', { FunctionName: 'modes', InvocationType: 'Event', Payload: Buffer.from('{"a":1}') });
  assert.equal(e.StatusCode, 202);
  assert.equal(e.$metadata.httpStatusCode, 202);
  const d = await t.send('Invoke', { FunctionName: 'modes', InvocationType: 'DryRun', Payload: Buffer.from('{"a":1}') });
  assert.equal(d.StatusCode, 204);
  await rejectsWith(assert, t.send('Invoke', { FunctionName: 'ghost', InvocationType: 'DryRun' }), 'ResourceNotFoundException');
});

test('Invoke bad input: payload that is not JSON, oversize payloads, bad invocation/log types, bad client context', async () => {
  await t.createFunction('strict');
  const p = (s) => Buffer.from(s);
  const e = await rejectsWith(assert, t.send('Invoke', { FunctionName: 'strict', Payload: p('{not json') }), 'InvalidRequestContentException', 'Could not parse request body into json: Could not parse payload into json');
  assert.equal(e.$metadata.httpStatusCode, 400);
  const big = await rejectsWith(assert, t.send('Invoke', { FunctionName: 'strict', Payload: p(JSON.stringify('x'.repeat(6 * 1024 * 1024))) }), 'RequestTooLargeException', 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
  assert.equal(big.$metadata.httpStatusCode, 413);
  await rejectsWith(assert, t.send('Invoke', { FunctionName: 'strict', InvocationType: 'Event', Payload: p(JSON.stringify('x'.repeat(1024 * 1024))) }), 'RequestTooLargeException', 'Request must be smaller than 1048576 bytes');
  await rejectsWith(assert, t.send('Invoke', { FunctionName: 'strict', InvocationType: 'Later' }), 'ValidationException', "at 'invocationType'");
  await rejectsWith(assert, t.send('Invoke', { FunctionName: 'strict', LogType: 'All' }), 'ValidationException', "at 'logType'");
  await rejectsWith(assert, t.send('Invoke', { FunctionName: 'strict', ClientContext: 'not base64 json!' }), 'InvalidRequestContentException', 'Client context');
  await rejectsWith(assert, t.send('Invoke', { FunctionName: 'strict', Qualifier: '3' }), 'ResourceNotFoundException', `${ARN('strict')}:3`);
  await rejectsWith(assert, t.send('Invoke', { FunctionName: 'bad name!' }), 'ValidationException', 'functionName');
});

test('a response larger than 6 MB is Function.ResponseSizeTooLarge', async () => {
  await t.createFunction('huge', { handler: 'index.big', MemorySize: 512 });
  const r = await t.invoke('huge', { bytes: 6_300_000 });
  assert.equal(r.FunctionError, 'Unhandled');
  assert.deepEqual(r.json, { errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).', errorType: 'Function.ResponseSizeTooLarge' });
  // The process survives: the next invocation is fine.
  assert.equal((await t.invoke('huge', { bytes: 3 })).json, 'xxx');
});
