// Lambda test helpers: zip a fixture directory (svl's own zip writer), a real LambdaClient against an
// in-process emulator, and a function factory that waits until the function is Active.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeZip } from '../../dist/domain/zip.js';
import { credentials, startTestEmulator, sqsClient, snsClient } from './emulator.mjs';
import { localEnv } from './cli.mjs';

export const fixtures = fileURLToPath(new URL('../fixtures/lambda/', import.meta.url));
export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

/** Zips every file under `dir` (keeping Unix modes: a `bootstrap` stays executable). */
export function zipDir(dir) {
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else files.push({ name: relative(dir, p).split('\\').join('/'), data: readFileSync(p), mode: st.mode & 0o777 });
    }
  };
  walk(dir);
  return writeZip(files);
}

export const fixtureZip = (name) => zipDir(join(fixtures, name));

export async function lambdaClient(url, extra = {}) {
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  return new LambdaClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1, ...extra });
}

/** An emulator plus Lambda/SQS/SNS clients and helpers; `close()` stops it. */
export async function setupLambda(opts = {}) {
  const t = await startTestEmulator(opts);
  const L = await import('@aws-sdk/client-lambda');
  const lambda = await lambdaClient(t.url);
  const sqs = await sqsClient(t.url);
  const sns = await snsClient(t.url);
  const send = (Command, input) => lambda.send(new L[`${Command}Command`](input));
  return {
    ...t,
    L,
    lambda,
    sqs,
    sns,
    send,
    /** Creates a function from a fixture directory and waits until it is Active. */
    async createFunction(name, { fixture = 'node-cjs', handler = 'index.echo', runtime = 'nodejs20.x', ...rest } = {}) {
      const out = await send('CreateFunction', { FunctionName: name, Role: ROLE, Runtime: runtime, Handler: handler, Code: { ZipFile: fixtureZip(fixture) }, ...rest });
      await t.emu.lambda.whenActive(name);
      return out;
    },
    /** Invokes synchronously; returns the SDK output plus the decoded payload and log tail. */
    async invoke(name, payload, extra = {}) {
      const out = await send('Invoke', { FunctionName: name, Payload: payload === undefined ? undefined : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), ...extra });
      const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
      let json;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { ...out, text, json, log: out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : undefined };
    },
    /** The invocation logs the emulator keeps for function `name` (what `svl logs` prints), oldest first. */
    async logs(name) {
      return (await (await fetch(`${t.url}/_svl/lambda/logs?function=${name}`)).json()).events;
    },
    close: () => t.emu.close(),
  };
}

/** Polls `fn` (async) until it returns a truthy value, in real time (handler processes run in real time). */
export async function eventually(fn, { timeoutMs = 10_000, intervalMs = 20, what = 'the condition' } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * An e2e file's emulator with Lambda, the CLI environment pointing at it and a scratch directory: started
 * before the file's tests, closed and removed after. `use` receives them once they exist.
 */
export function lambdaE2eSuite(prefix, use) {
  let s;
  before(async () => {
    const t = await setupLambda();
    s = { t, env: localEnv(t.url), work: mkdtempSync(join(tmpdir(), prefix)) };
    use(s);
  });
  after(async () => {
    await s?.t.close();
    if (s) rmSync(s.work, { recursive: true, force: true });
  });
}
