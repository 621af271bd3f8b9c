/**
 * `svl/testing`: the emulator in-process for application tests (node:test, vitest, jest, anything).
 *
 *   await using svl = await startSvl({ flows: ['orders.flow.json'], functions: { ship: { handler } }, clock: 'fake' });
 *   const sns = new SNSClient(svl.clientConfig);
 *   await sns.send(new PublishCommand({ TopicArn: svl.arn.topic('orders'), Message: '{}' }));
 *   await svl.events.waitFor({ type: 'lambda.completed', function: 'ship' });
 *
 * What it gives: the endpoint, a ready SDK client config and an `env` for child processes; ARN/URL
 * helpers; `apply(spec)` with the engine of `svl apply`; functions from a directory (a real Runtime API
 * process) or inline (run in this process); the journal as `events` (waitFor / expectNone / trace); a
 * fake clock to jump over visibility timeouts, delays and retry backoffs; `peek`/`depth` that never
 * receive; `reset` between tests; `stop` / `await using`.
 *
 * Deliberately not here: SDK clients (the test builds its own from `clientConfig`, so svl does not pin
 * the test's SDK version) and test-runner specifics (the optional matchers are in ./matchers.ts).
 * Start-up cost: an in-memory SQLite store and a loopback listener; the AWS SDK (for `apply`/`flows`)
 * is loaded only when a flow is applied. The SNS signing key (RSA-1024, ~10 ms) is made by the first
 * signature, as in every emulator (src/local/sns/signing-key.ts); nothing is made at load or start.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { startEmulator, type Emulator } from '../local/server.js';
import { FakeClock, type Clock } from '../local/clock.js';
import { realSetImmediate, realSetTimeout, realNow } from '../local/timers.js';
import { ACCOUNT_ID, REGION } from '../local/sqs/constants.js';
import { systemAttributes } from '../local/sqs/receive.js';
import type { FlowSpec } from '../flows/spec.js';
import type { ApplyResult } from '../flows/apply.js';
import type { ApplyClients } from './apply.js';
import { SvlEvents, type Names } from './events.js';
import { toMs, type Duration } from './duration.js';
import { deployFunction, type FunctionDefinition } from './functions.js';

export type { EventFilter, WaitOptions, ExpectNoneOptions, JournalEvent } from './events.js';
export type { Duration } from './duration.js';
export type { FunctionDefinition, InlineFunction, DirectoryFunction } from './functions.js';
export type { InlineHandler } from '../local/lambda/runtime/inline.js';
export type { FlowSpec } from '../flows/spec.js';
export { FakeClock };


export interface StartSvlOptions {
  /** Default 0: a free port. */
  port?: number;
  host?: string;
  /** `'memory'` (default) or a state directory (durable, like `svl local start --state-dir`). */
  state?: 'memory' | string;
  /** Flow specs (objects as in a `.flow.json`, or paths to such files), applied after `functions` are deployed. */
  flows?: Array<Record<string, unknown> | FlowSpec | string>;
  /** Lambda functions by name: a code directory, `{ dir, handler?, runtime?, timeout? }`, or inline `{ handler, timeout? }`. */
  functions?: Record<string, FunctionDefinition>;
  /** `'real'` (default), `'fake'` (moves only with `clock.advance`), or a FakeClock of your own. */
  clock?: 'real' | 'fake' | FakeClock;
  /** The emulator's log lines (default: none). */
  log?: (line: string) => void;
  /** Events the journal keeps (default 100,000). */
  journalSize?: number;
}

export interface QueueMessage {
  seq: number;
  messageId: string;
  body: string;
  state: 'visible' | 'inflight' | 'delayed';
  receiveCount: number;
  attributes: Record<string, string>;
  messageAttributes?: Record<string, unknown>;
}

export interface SvlClock {
  readonly fake: boolean;
  /** The emulator's time (epoch ms). */
  now(): number;
  /** Fake clock only: moves time on, firing every timer that falls due (visibility, delays, retries), then waits until the emulator is idle. */
  advance(by: Duration): Promise<void>;
}

export interface Svl extends AsyncDisposable {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** For any AWS SDK v3 client: `new SQSClient(svl.clientConfig)` (a fresh object on every read). */
  readonly clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** For child processes: `spawn('node', ['worker.js'], { env: { ...process.env, ...svl.env } })`. */
  readonly env: Record<'AWS_ENDPOINT_URL' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY', string>;
  readonly arn: { queue(name: string): string; topic(name: string): string; function(name: string): string };
  readonly url: { queue(name: string): string };
  readonly events: SvlEvents;
  readonly clock: SvlClock;
  /** The emulator itself (services, journal, store), for what this API does not cover. */
  readonly emulator: Emulator;
  /** Applies a flow spec (object or `.flow.json` path) with the engine of `svl apply`. */
  apply(spec: Record<string, unknown> | FlowSpec | string): Promise<ApplyResult>;
  /** Deploys (or redeploys) a function. */
  deploy(name: string, def: FunctionDefinition): Promise<void>;
  /** Every message of a queue with its state and system attributes (SentTimestamp, ApproximateReceiveCount, …), without receiving it. */
  peek(queue: string): QueueMessage[];
  /** Messages in a queue (visible + in flight + delayed), without receiving any. */
  depth(queue: string): number;
  /** Waits until the emulator is idle: no delivery, receive, invocation or due timer pending. */
  runUntilIdle(opts?: { timeout?: Duration }): Promise<void>;
  /** Clears messages, pending async invocations and the journal; with `resources: true` also deletes queues, topics, functions and mappings. */
  reset(opts?: { resources?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const ALL_ATTRIBUTES = new Set(['All']);

export async function startSvl(opts: StartSvlOptions = {}): Promise<Svl> {
  const clock = clockOf(opts.clock);
  const memory = opts.state === undefined || opts.state === 'memory';
  if (!memory) mkdirSync(opts.state!, { recursive: true });
  const emu = await startEmulator({
    port: opts.port ?? 0,
    host: opts.host,
    inMemory: memory,
    stateDir: memory ? undefined : opts.state,
    clock,
    log: opts.log,
    journalSize: opts.journalSize,
    version: 'svl/testing',
    // S3 and API Gateway are imported by the first request for them (most test files use neither).
    loadOnFirstUse: memory,
  });
  try {
    const svl = build(emu);
    for (const [name, def] of Object.entries(opts.functions ?? {})) await svl.deploy(name, def);
    for (const f of opts.flows ?? []) await svl.apply(f);
    if (opts.flows?.length || opts.functions) await svl.runUntilIdle();
    return svl;
  } catch (err) {
    await emu.close();
    throw err;
  }
}

function clockOf(c: StartSvlOptions['clock']): Clock | undefined {
  if (c === undefined || c === 'real') return undefined;
  if (c === 'fake') return new FakeClock(realNow());
  if (c instanceof FakeClock) return c;
  throw new TypeError(`svl/testing: clock must be 'real', 'fake' or a FakeClock (got ${JSON.stringify(c)}).`);
}

function build(emu: Emulator): Svl {
  const endpoint = emu.url;
  const region = REGION;
  const account = ACCOUNT_ID;
  const isArn = (s: string) => s.startsWith('arn:');
  const names: Names = {
    queueArn: (n) => (isArn(n) ? n : n.startsWith('http') ? `arn:aws:sqs:${region}:${account}:${n.split('/').pop()}` : `arn:aws:sqs:${region}:${account}:${n}`),
    topicArn: (n) => (isArn(n) ? n : `arn:aws:sns:${region}:${account}:${n}`),
    functionArn: (n) => (isArn(n) ? n : `arn:aws:lambda:${region}:${account}:function:${n}`),
  };
  const fake = emu.clock instanceof FakeClock ? emu.clock : undefined;

  const idleOnce = () => emu.control.busy().length === 0;
  async function settled(timeout: Duration = 10_000): Promise<void> {
    const deadline = realNow() + toMs(timeout, 'timeout');
    let quiet = 0;
    // Idle on several consecutive turns of the event loop: work that is scheduled (setImmediate, I/O of a
    // handler process answering) shows up as busy or as new journal events between two checks.
    for (let turn = 0; ; turn++) {
      const head = emu.journal.head;
      // Fake clock: timers already due (scheduled for "now" by work that ran since the last advance) fire.
      fake?.advance(0);
      await new Promise<void>((r) => (turn < 50 ? realSetImmediate(r) : realSetTimeout(r, 2)));
      emu.journal.flush();
      if (idleOnce() && emu.journal.head === head) {
        if (++quiet >= 3) return;
      } else quiet = 0;
      if (realNow() > deadline) {
        throw new Error(`svl/testing: the emulator did not become idle within ${toMs(timeout)} ms; busy: ${emu.control.busy().join('; ') || 'events still being recorded'}.`);
      }
    }
  }

  const queueOf = (name: string) => {
    const arn = names.queueArn(name);
    const q = emu.sqs.queues.byArn(arn);
    if (!q) {
      const known = emu.sqs.queues.all().map((x) => x.name);
      throw new Error(`svl/testing: no queue ${name} in the emulator${known.length ? ` (queues: ${known.join(', ')})` : ' (it has no queues yet: apply a flow or create one)'}.`);
    }
    return q;
  };

  let stopped: Promise<void> | undefined;
  let applyClients: ApplyClients | undefined;
  const svl: Svl = {
    endpoint,
    region,
    accountId: account,
    // A fresh object each time: SDK clients annotate the credentials object they are given.
    get clientConfig() {
      return { endpoint, region, credentials: { ...CREDENTIALS } };
    },
    env: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: region, AWS_DEFAULT_REGION: region, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey },
    arn: { queue: names.queueArn, topic: names.topicArn, function: names.functionArn },
    url: { queue: (n) => `${endpoint}/${account}/${n}` },
    events: new SvlEvents(emu.journal, names, () => settled()),
    clock: {
      fake: !!fake,
      now: () => emu.clock.now(),
      async advance(by) {
        if (!fake) throw new Error("svl/testing: clock.advance needs a fake clock: startSvl({ clock: 'fake' }).");
        await settled();
        fake.advance(toMs(by, 'advance'));
        await settled();
      },
    },
    emulator: emu,
    async apply(spec) {
      const { applySpec, ApplyClients } = await import('./apply.js');
      applyClients ??= new ApplyClients(svl.clientConfig, { hasHttpApis: () => emu.hasHttpApis() });
      return applySpec(spec, applyClients);
    },
    async deploy(name, def) {
      await deployFunction(emu.lambda, endpoint, name, def);
    },
    peek(queue) {
      const q = queueOf(queue);
      const now = emu.sqs.clock.now();
      return emu.sqs.messages.peek(q, 100_000).map((r) => ({
        seq: r.seq,
        messageId: r.id,
        body: r.body,
        state: r.visible_ms <= now ? 'visible' : r.inflight ? 'inflight' : 'delayed',
        receiveCount: r.receive_count,
        attributes: systemAttributes(r, ALL_ATTRIBUTES) ?? {},
        ...(r.attrs && { messageAttributes: JSON.parse(r.attrs) as Record<string, unknown> }),
      }));
    },
    depth(queue) {
      const c = emu.sqs.messages.counts(queueOf(queue));
      return c.visible + c.inflight + c.delayed;
    },
    runUntilIdle: (o) => settled(o?.timeout),
    async reset(o = {}) {
      await settled();
      const ctx = { requestId: randomUUID(), baseUrl: endpoint };
      if (o.resources) {
        for (const m of emu.lambda.esm?.health() ?? []) await emu.lambda.call('DeleteEventSourceMapping', { UUID: m.uuid }, ctx);
        for (const fn of emu.lambda.store.all()) {
          emu.lambda.runtime.setInline(fn.name, undefined);
          await emu.lambda.call('DeleteFunction', { FunctionName: fn.name }, ctx);
        }
        for (const arn of [...emu.sns.registry.topics.keys()]) await emu.sns.call('DeleteTopic', { TopicArn: arn }, ctx);
        for (const q of emu.sqs.queues.all()) emu.sqs.queues.delete(q);
        // A test suite recreates what it deleted: AWS's 60-second "deleted recently" rule is not for resets.
        emu.store.db.prepare('DELETE FROM sqs_deleted_queues').run();
      } else {
        for (const q of emu.sqs.queues.all()) emu.sqs.messages.purge(q);
      }
      emu.store.db.prepare('DELETE FROM lambda_async').run();
      await settled();
      emu.journal.clear();
    },
    stop() {
      stopped ??= (async () => {
        applyClients?.destroy();
        for (const fn of emu.lambda.store.all()) emu.lambda.runtime.setInline(fn.name, undefined);
        await emu.close();
      })();
      return stopped;
    },
    [Symbol.asyncDispose]() {
      return svl.stop();
    },
  };
  return svl;
}
