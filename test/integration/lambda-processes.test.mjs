// Handler processes against the emulator, with the real @aws-sdk/client-lambda: a runtime that breaks
// svl's private channel, a result written just before the process exits, a burst of compute-bound
// invocations (waiting for a process is not counted against the timeout), processes a handler starts
// (killed with it, on emulator stop, Ctrl-C and kill -9), idle processes, and invocation logs that a Tail answer showed
// surviving kill -9 of the emulator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupLambda, eventually, lambdaClient, fixtureZip, ROLE } from '../helpers/lambda.mjs';
import { freePort, startEmulatorProcess, stopEmulatorProcess } from '../helpers/cli.mjs';

let t;
before(async () => {
  t = await setupLambda({ lambdaIdleProcessMs: 60_000 });
});
after(async () => {
  await t.close();
});

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const kind of ['huge', 'json']) {
  test(`a handler writing a bad frame (${kind === 'huge' ? '4 GB length' : 'header not JSON'}) to fd 3 ends as Runtime.ExitError; the emulator carries on`, async () => {
    const name = `garbage-${kind}`;
    await t.createFunction(name, { handler: 'index.garbage', Timeout: 30 });
    const r = await t.invoke(name, { kind }, { LogType: 'Tail' });
    assert.equal(r.FunctionError, 'Unhandled');
    assert.equal(r.json.errorType, 'Runtime.ExitError');
    assert.match(r.json.errorMessage, /^RequestId: \S+ Error: Runtime exited with error: signal: killed$/);
    assert.match(r.log, /svl: the runtime wrote a frame .* on its channel to the emulator \(fd 3\)/);
    // The same function runs again (a new process), and the emulator still answers.
    await t.send('UpdateFunctionConfiguration', { FunctionName: name, Handler: 'index.echo' });
    await t.emu.lambda.whenActive(name);
    const ok = await t.invoke(name, { again: 1 });
    assert.deepEqual(ok.json, { echo: { again: 1 } });
  });
}

test('a result returned just before the handler exits the process still arrives whole', async () => {
  await t.createFunction('exit-after-return', { handler: 'index.exitAfterReturn', MemorySize: 512 });
  const r = await t.invoke('exit-after-return');
  assert.equal(r.FunctionError, undefined, r.text.slice(0, 200));
  assert.equal(r.json.length, 1e6);
});

test('a burst of 20 compute-bound invocations (0.3 s of CPU each, 3 s timeout) all complete: 20 processes sharing the cores would each take 3 s', async () => {
  await t.createFunction('cpu-burst', { handler: 'index.spin', Timeout: 3 });
  const rs = await Promise.all(Array.from({ length: 20 }, () => t.invoke('cpu-burst', { ms: 300 })));
  const failed = rs.filter((r) => r.FunctionError);
  assert.deepEqual(failed.map((r) => r.json), []);
});

test('a compute-bound handler that times out is learnt as compute-bound (no invocation waited)', async () => {
  await t.createFunction('cpu-timeout', { handler: 'index.spin', Timeout: 1 });
  const first = await t.invoke('cpu-timeout', { ms: 60_000 });
  assert.equal(first.json.errorType, 'Sandbox.Timedout');
  // What the pool learnt from it: no invocation waited (before any result, nothing is known).
  assert.equal(t.emu.lambda.runtime.poolOf('cpu-timeout').waitedShare(), 0);
});

test('processes a handler starts die with it when it times out, and when the emulator stops', async () => {
  await t.createFunction('grandchild-timeout', { handler: 'index.grandchild', Timeout: 1 });
  const r = await t.invoke('grandchild-timeout', { hang: true }, { LogType: 'Tail' });
  assert.equal(r.json.errorType, 'Sandbox.Timedout');
  const pid = Number(/grandchild (\d+)/.exec(r.log)[1]);
  await eventually(() => !alive(pid), { what: `grandchild ${pid} to be killed with the timed-out handler` });

  const other = await setupLambda();
  await other.createFunction('grandchild-stop', { handler: 'index.grandchild' });
  const ok = await other.invoke('grandchild-stop', {});
  assert.ok(alive(ok.json.pid));
  await other.close();
  await eventually(() => !alive(ok.json.pid), { what: `grandchild ${ok.json.pid} to be killed when the emulator stops` });
});

test('idle handler processes are retired after the idle period; the next invocation starts a new one', async () => {
  const short = await setupLambda({ lambdaIdleProcessMs: 100 });
  try {
    await short.createFunction('idle', { handler: 'index.counter' });
    const a = await short.invoke('idle');
    await eventually(() => short.emu.lambda.runtime.processCount('idle') === 0, { what: 'the idle process to be retired' });
    const b = await short.invoke('idle');
    assert.notEqual(b.json.pid, a.json.pid);
    assert.equal(b.json.calls, 1);
  } finally {
    await short.close();
  }
});

test('the log of a Tail invocation that was answered survives kill -9 of the emulator', async (tt) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'svl-lambda-logs-'));
  const port = await freePort();
  let { child, url } = await startEmulatorProcess(stateDir, port);
  tt.after(async () => {
    await stopEmulatorProcess(child);
    rmSync(stateDir, { recursive: true, force: true });
  });
  const L = await import('@aws-sdk/client-lambda');
  const lambda = await lambdaClient(url);
  await lambda.send(new L.CreateFunctionCommand({ FunctionName: 'durable-log', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.log', Code: { ZipFile: fixtureZip('node-cjs') } }));
  await eventually(async () => (await lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: 'durable-log' }))).State === 'Active', { what: 'Active' });
  const out = await lambda.send(new L.InvokeCommand({ FunctionName: 'durable-log', Payload: Buffer.from('{"lines":1}'), LogType: 'Tail' }));
  assert.match(Buffer.from(out.LogResult, 'base64').toString('utf8'), /line 0/);
  const requestId = out.$metadata.requestId;
  await stopEmulatorProcess(child);
  ({ child, url } = await startEmulatorProcess(stateDir, port));
  const events = (await (await fetch(`${url}/_svl/lambda/logs?function=durable-log`)).json()).events;
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.match(JSON.stringify(events[0]), new RegExp(requestId));
});

test('time spent waiting for a free process does not count against the function timeout', async () => {
  const one = await setupLambda({ lambdaProcessLimit: 1 });
  try {
    await one.createFunction('one-at-a-time', { handler: 'index.sleep', Timeout: 1 });
    // Four 400 ms invocations on one process: the last waits well over the 1 s timeout, then runs in time.
    const rs = await Promise.all([1, 2, 3, 4].map(() => one.invoke('one-at-a-time', { ms: 400 })));
    assert.deepEqual(rs.map((r) => r.json), Array(4).fill({ slept: 400 }));
  } finally {
    await one.close();
  }
});

for (const [how, signal] of [['Ctrl-C (SIGINT)', 'SIGINT'], ['kill -9', 'SIGKILL']]) {
  test(`processes a handler started do not outlive the emulator process stopped by ${how}`, async (tt) => {
    const stateDir = mkdtempSync(join(tmpdir(), 'svl-lambda-group-'));
    const { child, url } = await startEmulatorProcess(stateDir, await freePort());
    tt.after(async () => {
      await stopEmulatorProcess(child);
      rmSync(stateDir, { recursive: true, force: true });
    });
    const L = await import('@aws-sdk/client-lambda');
    const lambda = await lambdaClient(url);
    await lambda.send(new L.CreateFunctionCommand({ FunctionName: 'starter', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.grandchild', Code: { ZipFile: fixtureZip('node-cjs') } }));
    await eventually(async () => (await lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: 'starter' }))).State === 'Active', { what: 'Active' });
    const out = await lambda.send(new L.InvokeCommand({ FunctionName: 'starter', Payload: Buffer.from('{}') }));
    const { pid } = JSON.parse(Buffer.from(out.Payload).toString('utf8'));
    assert.ok(alive(pid));
    child.kill(signal);
    await new Promise((r) => child.once('exit', r));
    await eventually(() => !alive(pid), { what: `grandchild ${pid} to stop with the emulator` });
  });
}
