#!/usr/bin/env node
// HTTP APIs in front of Lambda: requests through an API Gateway HTTP API route to a warm Node handler on
// svl's emulator (separate process, durable state), the same handler behind serverless-offline (npm; the
// serverless framework v3 + serverless-offline 13 are installed on first use into a cache directory, not
// into svl's dependencies — they weigh ~280 MB), and the same handler invoked directly through the Lambda
// API on svl. Requests/s and p50/p99 at 1 and 32 keep-alive connections, after a warm-up at the same
// concurrency. Every target is driven by the same lean client (bench/http-load.mjs: node:http, keep-alive,
// its own process), and CPU per request is reported for each side: the server process, its handler
// processes (svl; serverless-offline runs handlers in its own process) and the client. Writes Markdown to
// stdout and bench/results/http.{json,md}; the last lines state each target and whether it is met.
//
//   node bench/http.mjs [--requests 3000] [--only svl|offline|invoke] [--connections 1,32] [--no-offline-install]
//                       [--profile DIR]   (--cpu-prof the emulator and its handler processes into DIR)
import { parseArgs } from 'node:util';
import { fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient, CreateFunctionCommand, AddPermissionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { writeZip } from '../dist/domain/zip.js';
import { startSvl, freePort, waitForHttp, clientConfig, writeReport, fmt, quantile, cpuSeconds, treeCpuSeconds } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    only: { type: 'string' },
    connections: { type: 'string', default: '1,32' },
    profile: { type: 'string' },
    'no-offline-install': { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(args.requests);
const CONNECTIONS = args.connections.split(',').map(Number);
const PROFILE = args.profile && resolve(args.profile);
const LOADER = fileURLToPath(new URL('./http-load.mjs', import.meta.url));
const PROFILER = fileURLToPath(new URL('./http-profile.cjs', import.meta.url));
// The same handler everywhere. `?exit=1` ends its process once answered (--profile: a handler process
// writes its CPU profile only when it exits normally).
const HANDLER = `exports.handler = async (event) => {
  if (event.queryStringParameters && event.queryStringParameters.exit) setTimeout(() => process.exit(0), 20);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ok: true, path: event.rawPath || event.path, id: event.pathParameters && event.pathParameters.id }),
  };
};
`;
const TARGETS = { p50Ms: 3, requestsPerSecond32: 2000 };

/**
 * One measured run: the client process warms up, then (server CPU sampled around it) sends `requests`
 * requests over `connections` keep-alive sockets. `cpu()` reads { server, handlers } CPU seconds.
 */
async function load(job, cpu) {
  const requests = job.connections === 1 ? Math.min(REQUESTS, 2000) : REQUESTS;
  const child = fork(LOADER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      child.once('exit', (code) => code && reject(new Error(`the load client exited with ${code}`)));
    });
  child.send({ ...job, requests, warm: Math.max(200, job.connections * 20) });
  await next();
  const before = cpu();
  child.send({ go: true });
  const r = await next();
  const after = cpu();
  const perRequest = (s) => (s * 1000) / requests;
  return {
    connections: job.connections,
    requests,
    requestsPerSecond: requests / r.seconds,
    p50Ms: quantile(r.samples, 0.5),
    p99Ms: quantile(r.samples, 0.99),
    serverCpuMsPerRequest: perRequest(after.server - before.server),
    handlerCpuMsPerRequest: perRequest(after.handlers - before.handlers),
    clientCpuMsPerRequest: r.cpuMs / requests,
    handlerProcesses: after.processes,
  };
}

/** CPU seconds of a server process (`server`) and of its descendants (`handlers`), and how many children it has. */
const cpuOf = (pid) => () => {
  const server = cpuSeconds(pid) ?? 0;
  return { server, handlers: treeCpuSeconds(pid) - server, processes: childCount(pid) };
};

function childCount(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).length;
  } catch {
    return undefined;
  }
}

async function measure(run) {
  const out = [];
  for (const connections of CONNECTIONS) out.push(await run(connections));
  return out;
}

async function svlTargets() {
  // --profile: the emulator process preloads the profiler (through its environment; handler processes get a
  // fresh environment, so the function's own NODE_OPTIONS profiles them).
  const profileEnv = (name) => ({ NODE_OPTIONS: `--require ${PROFILER}`, SVL_BENCH_PROFILE_DIR: PROFILE, SVL_BENCH_PROFILE_NAME: name });
  if (PROFILE) Object.assign(process.env, profileEnv('emulator'));
  const emulator = await startSvl({ prefix: 'svl-bench-http-', waitForExit: true }).finally(() => {
    for (const k of Object.keys(profileEnv(''))) delete process.env[k];
  });
  try {
    const cfg = clientConfig(emulator.url, 64);
    const lambda = new LambdaClient(cfg);
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'bench-http', Role: 'arn:aws:iam::000000000000:role/bench', Runtime: 'nodejs20.x', Handler: 'index.handler',
      Code: { ZipFile: writeZip([{ name: 'index.js', data: HANDLER }]) }, MemorySize: 256,
      ...(PROFILE && { Environment: { Variables: profileEnv('handler') } }),
    }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'bench-http' });
    const functionArn = 'arn:aws:lambda:us-east-1:000000000000:function:bench-http';
    const api = await new ApiGatewayV2Client(cfg).send(new CreateApiCommand({ Name: 'bench', ProtocolType: 'HTTP', Target: functionArn, RouteKey: 'GET /items/{id}' }));
    await lambda.send(new AddPermissionCommand({
      FunctionName: 'bench-http', StatementId: 'apigw', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:us-east-1:000000000000:${api.ApiId}/*/*`,
    }));
    const port = Number(new URL(emulator.url).port);
    const host = `${api.ApiId}.execute-api.localhost:${port}`;
    const cpu = cpuOf(emulator.pid);
    const results = {};
    if (!args.only || args.only === 'svl') {
      results.svl = await measure((connections) => load({ port, host, method: 'GET', path: '/items/42', connections }, cpu));
    }
    if (!args.only || args.only === 'invoke') {
      // The same handler through the Lambda API (Invoke, RequestResponse), with the event the route produces,
      // from the same client (unsigned: the emulator does not check signatures).
      const event = JSON.stringify({ version: '2.0', routeKey: 'GET /items/{id}', rawPath: '/items/42', rawQueryString: '', headers: { host: 'x' }, pathParameters: { id: '42' }, requestContext: { http: { method: 'GET', path: '/items/42' } }, isBase64Encoded: false });
      results.invoke = await measure((connections) =>
        load({ port, host: `127.0.0.1:${port}`, method: 'POST', path: '/2015-03-31/functions/bench-http/invocations', body: event, headers: { 'content-type': 'application/json' }, connections }, cpu));
    }
    if (PROFILE) {
      // Let one warm handler process exit normally so that it writes its profile.
      await fetch(`http://127.0.0.1:${port}/_aws/execute-api/${api.ApiId}/items/0?exit=1`).catch(() => {});
      await new Promise((r) => setTimeout(r, 500));
    }
    return results;
  } finally {
    await emulator.stop();
  }
}

/** serverless-offline 13 on the serverless framework v3, installed once into a cache directory. */
async function offlineTarget() {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'svl-bench', 'serverless-offline');
  const bin = join(dir, 'node_modules', 'serverless', 'bin', 'serverless.js');
  if (!existsSync(bin)) {
    if (args['no-offline-install']) return { skipped: 'not installed (--no-offline-install)' };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'svl-bench-offline', private: true }));
    console.error('installing serverless@3 and serverless-offline@13 into', dir, '(first run only)…');
    const r = spawnSync('npm', ['i', '--no-audit', '--no-fund', 'serverless@3', 'serverless-offline@13'], { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(bin)) return { skipped: 'serverless-offline did not install from npm' };
  }
  const port = await freePort();
  const lambdaPort = await freePort();
  writeFileSync(join(dir, 'handler.js'), HANDLER);
  writeFileSync(join(dir, 'serverless.yml'), [
    'service: svl-bench', "frameworkVersion: '3'",
    'provider: { name: aws, runtime: nodejs20.x, region: us-east-1 }',
    'plugins: [serverless-offline]',
    'functions:', '  items:', '    handler: handler.handler', '    events:', "      - httpApi: 'GET /items/{id}'",
    'custom:', '  serverless-offline:', `    httpPort: ${port}`, `    lambdaPort: ${lambdaPort}`, '    noPrependStageInUrl: true', '',
  ].join('\n'));
  const child = spawn(process.execPath, [bin, 'offline', 'start'], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/items/1`, 60_000);
    const cpu = cpuOf(child.pid);
    return await measure((connections) => load({ port, host: `127.0.0.1:${port}`, method: 'GET', path: '/items/42', connections }, cpu));
  } finally {
    child.kill('SIGTERM');
  }
}

const results = { requests: REQUESTS, targets: TARGETS, ...(await svlTargets()) };
if (!args.only || args.only === 'offline') results.offline = await offlineTarget();

const ms = (n) => `${fmt(n)} ms`;
const rows = (label, runs) => {
  if (!runs) return [];
  if (runs.skipped) return [`| ${label} | skipped: ${runs.skipped} | | | | | | |`];
  return runs.map((r) => `| ${label}, ${r.connections} conn | ${fmt(r.requestsPerSecond)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${ms(r.serverCpuMsPerRequest)} | ${ms(r.handlerCpuMsPerRequest)} | ${ms(r.clientCpuMsPerRequest)} | ${r.handlerProcesses ?? ''} |`);
};
const at = (runs, c) => (Array.isArray(runs) ? runs.find((r) => r.connections === c) : undefined);
const verdict = (ok) => (ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met');
const svl1 = at(results.svl, 1);
const svl32 = at(results.svl, 32);
const off32 = at(results.offline, 32);
results.verdict = {
  p50: svl1 && svl1.p50Ms < TARGETS.p50Ms,
  requestsPerSecond32: svl32 && svl32.requestsPerSecond >= TARGETS.requestsPerSecond32,
  aheadOfOffline: svl32 && off32 ? svl32.requestsPerSecond > off32.requestsPerSecond : undefined,
};
writeReport('http', results, [
  `HTTP API route -> warm Node handler (GET /items/{id}, payload 2.0, ${REQUESTS} requests at 32 keep-alive connections, up to 2,000 at 1, after a warm-up at the same concurrency), node ${process.versions.node}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} at the end.`,
  'One client for every target: bench/http-load.mjs (node:http, keep-alive, its own process). CPU per request: the server process; its handler processes (svl only: serverless-offline runs handlers inside its own process); the client.',
  '',
  '| target | requests/s | p50 | p99 | server CPU/req | handler processes CPU/req | client CPU/req | child processes |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows('svl HTTP API', results.svl),
  ...rows('svl Lambda Invoke (same handler)', results.invoke),
  ...rows('serverless-offline 13 (serverless v3)', results.offline),
  '',
  `Targets (svl HTTP API): p50 < ${TARGETS.p50Ms} ms at 1 connection: ${verdict(results.verdict.p50)}${svl1 ? ` (${ms(svl1.p50Ms)})` : ''}; ` +
    `>= ${fmt(TARGETS.requestsPerSecond32)} requests/s at 32 connections: ${verdict(results.verdict.requestsPerSecond32)}${svl32 ? ` (${fmt(svl32.requestsPerSecond)})` : ''}; ` +
    `ahead of serverless-offline at 32 connections: ${verdict(results.verdict.aheadOfOffline)}${svl32 && off32 ? ` (${fmt(svl32.requestsPerSecond / off32.requestsPerSecond)}×)` : ''}.`,
]);
