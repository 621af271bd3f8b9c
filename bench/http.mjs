#!/usr/bin/env node
// HTTP APIs in front of Lambda: requests through an API Gateway HTTP API route to a warm Node handler on
// svl's emulator (separate process, durable state), the same handler behind serverless-offline (npm; the
// serverless framework v3 + serverless-offline 13 are installed on first use into a cache directory, not
// into svl's dependencies — they weigh ~280 MB), and the same handler invoked directly through the Lambda
// API on svl. Requests/s and p50/p99 at 1 and 32 keep-alive connections; server CPU per request (the
// emulator with its handler processes). Writes Markdown to stdout and bench/results/http.{json,md}.
//
//   node bench/http.mjs [--requests 3000] [--only svl|offline|invoke] [--no-offline-install]
import { parseArgs } from 'node:util';
import { spawn, spawnSync } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient, CreateFunctionCommand, AddPermissionCommand, InvokeCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { writeZip } from '../dist/domain/zip.js';
import { startSvl, freePort, waitForHttp, clientConfig, writeReport, fmt, quantile, treeCpuSeconds } from './report.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    only: { type: 'string' },
    'no-offline-install': { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(args.requests);
const CONNECTIONS = [1, 32];
const HANDLER = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ok: true, path: event.rawPath || event.path, id: event.pathParameters && event.pathParameters.id }),
});
`;

/** `requests` GETs over `connections` keep-alive sockets; latencies in ms, sorted. */
async function load({ port, host, path, connections, requests }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const once = () =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: { host } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode} for ${path}`))));
      });
      req.on('error', reject);
      req.end();
    });
  // Warm at the measured concurrency: every handler process the pool starts for it, and the sockets.
  let warm = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (warm++ < Math.max(50, connections * 10)) await once();
  }));
  const samples = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next++ < requests) samples.push(await once());
  }));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  samples.sort((a, b) => a - b);
  return { connections, requests, requestsPerSecond: requests / seconds, p50Ms: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99) };
}

async function measure(pid, run) {
  const out = [];
  for (const connections of CONNECTIONS) {
    const cpu0 = treeCpuSeconds(pid);
    const r = await run(connections);
    r.serverCpuMsPerRequest = ((treeCpuSeconds(pid) - cpu0) * 1000) / r.requests;
    out.push(r);
  }
  return out;
}

async function svlTargets() {
  const emulator = await startSvl({ prefix: 'svl-bench-http-', waitForExit: true });
  try {
    const cfg = clientConfig(emulator.url, 64);
    const lambda = new LambdaClient(cfg);
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'bench-http', Role: 'arn:aws:iam::000000000000:role/bench', Runtime: 'nodejs20.x', Handler: 'index.handler',
      Code: { ZipFile: writeZip([{ name: 'index.js', data: HANDLER }]) }, MemorySize: 256,
    }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'bench-http' });
    const functionArn = 'arn:aws:lambda:us-east-1:000000000000:function:bench-http';
    const api = await new ApiGatewayV2Client(cfg).send(new CreateApiCommand({ Name: 'bench', ProtocolType: 'HTTP', Target: functionArn, RouteKey: 'GET /items/{id}' }));
    await lambda.send(new AddPermissionCommand({
      FunctionName: 'bench-http', StatementId: 'apigw', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:us-east-1:000000000000:${api.ApiId}/*/*`,
    }));
    const port = Number(new URL(emulator.url).port);
    const results = {};
    if (!args.only || args.only === 'svl') {
      results.svl = await measure(emulator.pid, (connections) =>
        load({ port, host: `${api.ApiId}.execute-api.localhost:${port}`, path: '/items/42', connections, requests: connections === 1 ? Math.min(REQUESTS, 2000) : REQUESTS }));
    }
    if (!args.only || args.only === 'invoke') {
      // The same handler through the Lambda API (the SDK's Invoke), with the event the route produces.
      const event = JSON.stringify({ version: '2.0', routeKey: 'GET /items/{id}', rawPath: '/items/42', rawQueryString: '', headers: { host: 'x' }, pathParameters: { id: '42' }, requestContext: { http: { method: 'GET', path: '/items/42' } }, isBase64Encoded: false });
      const invoker = new LambdaClient(cfg);
      results.invoke = await measure(emulator.pid, async (connections) => {
        const requests = connections === 1 ? Math.min(REQUESTS, 2000) : REQUESTS;
        const call = async () => {
          const t0 = performance.now();
          const out = await invoker.send(new InvokeCommand({ FunctionName: 'bench-http', Payload: Buffer.from(event) }));
          if (out.FunctionError) throw new Error(`invoke failed: ${Buffer.from(out.Payload).toString()}`);
          return performance.now() - t0;
        };
        let warm = 0;
        await Promise.all(Array.from({ length: connections }, async () => {
          while (warm++ < Math.max(50, connections * 10)) await call();
        }));
        const samples = [];
        let next = 0;
        const t0 = performance.now();
        await Promise.all(Array.from({ length: connections }, async () => {
          while (next++ < requests) samples.push(await call());
        }));
        const seconds = (performance.now() - t0) / 1000;
        samples.sort((a, b) => a - b);
        return { connections, requests, requestsPerSecond: requests / seconds, p50Ms: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99) };
      });
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
    return await measure(child.pid, (connections) =>
      load({ port, host: `127.0.0.1:${port}`, path: '/items/42', connections, requests: connections === 1 ? Math.min(REQUESTS, 2000) : REQUESTS }));
  } finally {
    child.kill('SIGTERM');
  }
}

const results = { requests: REQUESTS, ...(await svlTargets()) };
if (!args.only || args.only === 'offline') results.offline = await offlineTarget();

const rows = (label, runs) => {
  if (!runs) return [];
  if (runs.skipped) return [`| ${label} | skipped: ${runs.skipped} | | | |`];
  return runs.map((r) => `| ${label}, ${r.connections} conn | ${fmt(r.requestsPerSecond)} | ${fmt(r.p50Ms)} ms | ${fmt(r.p99Ms)} ms | ${fmt(r.serverCpuMsPerRequest)} ms |`);
};
const at32 = (runs) => (Array.isArray(runs) ? runs.find((r) => r.connections === 32) : undefined);
const ratio = at32(results.svl) && at32(results.offline) ? `${fmt(at32(results.svl).requestsPerSecond / at32(results.offline).requestsPerSecond)}×` : 'n/a';
writeReport('http', results, [
  `HTTP API route -> warm Node handler (GET /items/{id}, payload 2.0, ${REQUESTS} requests at 32 keep-alive connections, up to 2,000 at 1), node ${process.versions.node}. Server CPU: the server process and its handler processes.`,
  '',
  '| target | requests/s | p50 | p99 | server CPU per request |',
  '|---|---:|---:|---:|---:|',
  ...rows('svl HTTP API', results.svl),
  ...rows('svl Lambda Invoke (same handler, SDK)', results.invoke),
  ...rows('serverless-offline 13 (serverless v3)', results.offline),
  '',
  `svl vs serverless-offline at 32 connections: ${ratio}. Targets: p50 < 3 ms, ≥ 2,000 requests/s at 32 connections, ahead of serverless-offline.`,
]);
