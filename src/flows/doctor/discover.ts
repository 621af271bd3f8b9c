/**
 * What `svl doctor` reads, once for all the flows it checks: the inventory of `svl status` with every
 * attribute (topics, queues, subscriptions, event source mappings, buckets), the Lambda functions the
 * flows involve (configuration; event invoke config and resource policy only where a check needs them),
 * the flows' HTTP APIs, and on the emulator the journal's invocation events and peeks of bucket-fed
 * queues. Every call is counted per API, and none is made twice.
 *
 * What cannot be read (Lambda or API Gateway denied, a function's policy not readable) is recorded as a
 * reason, never thrown: the checks report it as "not checked". Read-only: nothing is received or changed.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { discoverInventory, flowNames, selectFlow, type Inventory, type Unreadable } from '../../aws/inventory.js';
import type { AutostartUi } from '../../aws/local-autostart.js';
import { mapLimit } from '../../aws/pool.js';
import { lambdaSdk, stsSdk } from '../../aws/sdk.js';
import type { Target } from '../../aws/target.js';
import { functionOfUri } from '../apis-plan.js';
import { FLOW_TAG } from '../../aws/inventory-model.js';
import { UNKNOWN_ACCOUNT, type DoctorApi, type DoctorFunction, type DoctorModel, type DoctorTarget, type JournalFacts, type NotChecked } from './model.js';

export interface CallCounter {
  /** `Service.Operation` -> calls made. */
  byApi: Record<string, number>;
  /** Calls made with the same operation and input more than once (should stay empty). */
  repeated: string[];
  total: number;
}

type Stack = { add: (mw: unknown, opts: { step: string; name: string }) => void };
type Sendable = { middlewareStack: unknown };

/** The counters counting now; every watched client's middleware counts into each of them. */
const active = new Set<{ counter: CallCounter; seen: Set<string> }>();
/** The stacks that have the counting middleware (added once, never removed: see countCalls). */
const counted = new WeakSet<object>();

/**
 * Counts every SDK call of the watched clients until `release`. The middleware is added to a client's
 * stack once and stays: a client made with cacheMiddleware (clients.ts `cached`) keeps the handlers it
 * resolved on first use, so a middleware removed later would still run, and one added later would not.
 * It counts into the counters active at the time of the call (none: it does nothing).
 */
export function countCalls(): { counter: CallCounter; watch(c: Sendable): void; release(): void } {
  const counter: CallCounter = { byApi: {}, repeated: [], total: 0 };
  const me = { counter, seen: new Set<string>() };
  active.add(me);
  return {
    counter,
    watch(c) {
      const stack = c.middlewareStack as Stack & object;
      if (counted.has(stack)) return;
      counted.add(stack);
      stack.add(
        (next: (a: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: { input?: unknown }) => {
          if (active.size) {
            const api = `${(context.clientName ?? '').replace(/Client$/, '')}.${(context.commandName ?? '').replace(/Command$/, '')}`;
            const key = `${api} ${JSON.stringify(args.input)}`;
            for (const { counter: n, seen } of active) {
              n.byApi[api] = (n.byApi[api] ?? 0) + 1;
              n.total++;
              if (seen.has(key)) n.repeated.push(key);
              seen.add(key);
            }
          }
          return next(args);
        },
        { step: 'initialize', name: 'svl-doctor-count' },
      );
    },
    release: () => void active.delete(me),
  };
}

export interface Discovery {
  target: DoctorTarget;
  flows: string[];
  /** Every flow of the target (for "flow not found" hints). */
  allFlows: string[];
  models: DoctorModel[];
  /** Checks that could not run for the whole target (no Lambda, no journal on AWS, …). */
  notChecked: NotChecked[];
  calls: CallCounter;
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` (or the emulator's) -> the queue's ARN. */
const queueArnOfUrl = (url: string, region: string): string => {
  const [account = '', name = ''] = url.replace(/\/+$/, '').split('/').slice(-2);
  return `arn:aws:sqs:${region}:${account}:${name}`;
};

const reasonOf = (operation: string, err: unknown): string => {
  const e = err as { name?: string; message?: string };
  return `${operation} failed: ${e.name ?? 'Error'}${e.message ? `: ${e.message.split('\n')[0]!.slice(0, 200)}` : ''}`;
};
const isNotFound = (err: unknown) => ['ResourceNotFoundException', 'NotFoundException'].includes((err as { name?: string }).name ?? '');

async function localServices(target: Target): Promise<string[] | undefined> {
  if (target.kind !== 'local') return undefined;
  const { emulatorServices } = await import('../../aws/local-autostart.js');
  const endpoint = target.endpoints.lambda ?? target.endpoints.sqs;
  return endpoint ? emulatorServices(endpoint) : [];
}

/** The caller's account (STS GetCallerIdentity, counted); UNKNOWN_ACCOUNT, reported as not checked, when that fails. */
async function callerAccount(target: Target, count: ReturnType<typeof countCalls>, notChecked: NotChecked[]): Promise<string> {
  try {
    const { getSts } = await import('../../aws/clients.js');
    const { GetCallerIdentityCommand } = stsSdk();
    const sts = await getSts(target);
    count.watch(sts);
    const id = await sts.send(new GetCallerIdentityCommand({}));
    if (id.Account) return id.Account;
  } catch (err) {
    notChecked.push({ check: 'account', flow: null, resources: [], reason: `sts:GetCallerIdentity failed: ${(err as Error).name}: ${(err as Error).message}` });
  }
  return UNKNOWN_ACCOUNT;
}

/** Reads everything the checks of `flows` (undefined: every flow) need. */
export async function discoverForDoctor(target: Target, ui: AutostartUi, o: { flow?: string; signal?: AbortSignal }): Promise<Discovery> {
  const { getSqs, getSns, getS3, getLambda, getApiGatewayV2 } = await import('../../aws/clients.js');
  const count = countCalls();
  try {
    const services = await localServices(target);
    const has = (s: string) => services === undefined || services.includes(s);
    // SQS and SNS answer hundreds of calls here: clients that resolve each command's middleware once.
    const [sqs, sns, s3, lambda] = await Promise.all([
      getSqs(target, ui, { cached: true }),
      getSns(target, ui, { cached: true }),
      has('s3') ? getS3(target, ui) : undefined,
      has('lambda') ? getLambda(target, ui) : undefined,
    ]);
    for (const c of [sqs, sns, s3, lambda]) if (c) count.watch(c);
    const notChecked: NotChecked[] = [];
    // A flow may be only an HTTP API (tagged like the rest): its APIs are read alongside the inventory.
    const apisP = readApis(target, ui, has('apigateway'), getApiGatewayV2, count, o.flow, notChecked);
    const denied: Unreadable[] = [];
    const inv = await discoverInventory({ target, sqs, sns, lambda, s3, signal: o.signal, allAttributes: true, onUnreadable: (u) => denied.push(u) });
    const region = target.region ?? (await sqs.config.region());
    // The account: from any ARN of the target (a flow may have only functions and an API), else from STS.
    const anyArn = inv.queues[0]?.arn ?? inv.topics[0]?.arn ?? inv.consumers[0]?.functionArn;
    const account = target.kind === 'local' ? (target.accountId ?? '000000000000') : (anyArn?.split(':')[4] || (await callerAccount(target, count, notChecked)));
    const where: DoctorTarget = { kind: target.kind, region, account };
    if (inv.s3 && !inv.s3.available) notChecked.push({ check: 's3', flow: null, resources: [], reason: `buckets not listed: ${inv.s3.reason ?? 's3:ListBuckets failed'}` });
    if (!lambda) notChecked.push({ check: 'lambda', flow: null, resources: [], reason: 'the emulator runs without Lambda' });
    else if (inv.lambda && !inv.lambda.available) notChecked.push({ check: 'lambda', flow: null, resources: [], reason: `event source mappings not listed: ${inv.lambda.reason ?? 'ListEventSourceMappings failed'}` });

    const apis = await apisP;
    const allFlows = [...new Set([...flowNames(inv), ...apis.map((a) => a.flow).filter((f): f is string => !!f)])].sort();
    const flows = o.flow !== undefined ? [o.flow] : allFlows;
    const closures = new Map<string, Inventory>();
    for (const f of flows) {
      const c = selectFlow(inv, f) ?? (apis.some((a) => a.flow === f) ? { topics: [], subscriptions: [], queues: [], consumers: [], lambda: inv.lambda } : null);
      if (c) closures.set(f, c);
    }
    const functions = lambda ? await readFunctions(lambda, closures, apis, o.signal) : new Map<string, DoctorFunction>();
    const journal = target.kind === 'local' ? await readJournal(target, closures, functions, o.signal).catch((err: unknown) => {
      if (o.signal?.aborted) throw err;
      notChecked.push({ check: 'journal', flow: null, resources: [], reason: `the emulator's journal could not be read (${(err as Error).message})` });
      return null;
    }) : null;
    if (target.kind === 'aws') {
      notChecked.push({ check: 'journal', flow: null, resources: [], reason: 'function-returns-error-to-sqs, handler-throws-on-s3-test-event and raw-delivery-mismatch read the emulator\'s journal; AWS keeps no such record' });
    }
    // What could not be read is reported, and still known to exist (so nothing pointing at it is "missing").
    const deniedQueues = denied.filter((d) => d.kind === 'queue').map((d) => queueArnOfUrl(d.id, region));
    for (const d of denied) {
      const name = d.kind === 'queue' ? d.id.split('/').pop()! : d.id.split(':').pop()!;
      const what = d.kind === 'bucket' ? 'its tags or notification configuration' : 'its attributes or tags';
      notChecked.push({ check: `${d.kind}-details`, flow: null, resources: [{ kind: d.kind, name }], reason: `${what} could not be read (${d.reason}); the checks involving it did not run` });
    }
    const known = { queues: new Set([...inv.queues.map((q) => q.arn), ...deniedQueues]), topics: new Set([...inv.topics.map((t) => t.arn), ...denied.filter((d) => d.kind === 'topic').map((d) => d.id)]) };
    const models = [...closures].map(([flow, closure]): DoctorModel => ({
      flow,
      target: where,
      inventory: closure,
      known,
      functions,
      apis: apis.filter((a) => a.flow === flow),
      journal,
    }));
    return { target: where, flows, allFlows, models, notChecked, calls: count.counter };
  } finally {
    count.release();
  }
}

async function readApis(
  target: Target,
  ui: AutostartUi,
  available: boolean,
  get: (t: Target, ui: AutostartUi) => Promise<ApiGatewayV2Client>,
  count: ReturnType<typeof countCalls>,
  flow: string | undefined,
  notChecked: NotChecked[],
): Promise<DoctorApi[]> {
  if (!available) return [];
  const { listApis, observeApi } = await import('../apis-plan.js');
  try {
    const apigw = await get(target, ui);
    count.watch(apigw);
    const listed = (await listApis(apigw)).filter((a) => (flow === undefined ? a.Tags?.[FLOW_TAG] !== undefined : a.Tags?.[FLOW_TAG] === flow));
    return await mapLimit(listed, 4, async (a): Promise<DoctorApi> => {
      const d = await observeApi(apigw, a);
      const integrations = new Map(d.integrations.map((i) => [i.id, i]));
      return {
        id: d.id,
        name: d.name,
        flow: d.tags[FLOW_TAG] ?? null,
        routes: d.routes.map((r) => {
          const integ = r.target?.startsWith('integrations/') ? integrations.get(r.target.slice('integrations/'.length)) : undefined;
          return { route: r.key, function: integ ? (functionOfUri(integ.uri) ?? null) : null, integrationTimeoutMs: integ?.timeoutMs ?? null };
        }),
      };
    });
  } catch (err) {
    notChecked.push({ check: 'api', flow: null, resources: [], reason: reasonOf('apigateway:GetApis', err) });
    return [];
  }
}

/** Each function the flows involve, read once: configuration always; invoke config and policy where needed. */
async function readFunctions(lambda: LambdaClient, closures: ReadonlyMap<string, Inventory>, apis: DoctorApi[], signal?: AbortSignal): Promise<Map<string, DoctorFunction>> {
  const m = lambdaSdk();
  const need = new Map<string, { async: boolean; policy: boolean }>();
  const want = (arnOrName: string, o: { async?: boolean; policy?: boolean }) => {
    const name = arnOrName.startsWith('arn:') ? (arnOrName.split(':')[6] ?? arnOrName) : arnOrName;
    const n = need.get(name) ?? { async: false, policy: false };
    need.set(name, { async: n.async || !!o.async, policy: n.policy || !!o.policy });
  };
  for (const inv of closures.values()) {
    for (const c of inv.consumers) want(c.functionName, {});
    for (const s of inv.subscriptions) if (s.protocol === 'lambda') want(s.endpoint, { async: true, policy: true });
    for (const b of inv.buckets ?? []) for (const n of b.notifications) if (n.kind === 'function') want(n.arn, { async: true, policy: true });
  }
  for (const a of apis) for (const r of a.routes) if (r.function) want(r.function, { policy: true });
  const out = new Map<string, DoctorFunction>();
  await mapLimit([...need], 8, async ([name, n]) => {
    const f: DoctorFunction = { name, arn: '', unreadable: {} };
    const opts = { abortSignal: signal };
    const config = lambda.send(new m.GetFunctionConfigurationCommand({ FunctionName: name }), opts).then(
      (c) => {
        f.arn = c.FunctionArn ?? '';
        f.timeout = c.Timeout ?? 3;
        f.role = c.Role ?? null;
        f.deadLetterTarget = c.DeadLetterConfig?.TargetArn ?? null;
        if (c.LastModified) f.lastModified = c.LastModified;
      },
      (err: unknown) => void (f.unreadable.configuration = isNotFound(err) ? `function ${name} does not exist` : reasonOf('lambda:GetFunctionConfiguration', err)),
    );
    const invoke = n.async
      ? lambda.send(new m.GetFunctionEventInvokeConfigCommand({ FunctionName: name }), opts).then(
          (c) => void (f.onFailure = c.DestinationConfig?.OnFailure?.Destination ?? null),
          (err: unknown) => {
            if (isNotFound(err)) f.onFailure = null;
            else f.unreadable['event-invoke-config'] = reasonOf('lambda:GetFunctionEventInvokeConfig', err);
          },
        )
      : undefined;
    const policy = n.policy
      ? lambda.send(new m.GetPolicyCommand({ FunctionName: name }), opts).then(
          (p) => void (f.policy = p.Policy ?? null),
          (err: unknown) => {
            if (isNotFound(err)) f.policy = null;
            else f.unreadable.policy = reasonOf('lambda:GetPolicy', err);
          },
        )
      : undefined;
    await Promise.all([config, invoke, policy]);
    if (signal?.aborted) throw signal.reason;
    if (!f.arn) f.arn = `function:${name}`;
    out.set(name, f);
  });
  return out;
}

type JEvent = { seq: number; type: string; time?: string; timeMs?: number; resource?: string; cause?: number; id?: string; data?: Record<string, unknown> };

/** The emulator's facts: SQS event-source invocation outcomes (journal) and unprocessed s3:TestEvents (peek). */
async function readJournal(target: Target, closures: ReadonlyMap<string, Inventory>, functions: ReadonlyMap<string, DoctorFunction>, signal?: AbortSignal): Promise<JournalFacts> {
  const endpoint = target.endpoints.sqs ?? target.endpoints.sns!;
  const facts: JournalFacts = { errorResults: [], failures: [], testEvents: [] };
  const consumers = new Set([...closures.values()].flatMap((c) => c.consumers.map((x) => x.functionArn)));
  for (const f of functions.values()) if (consumers.has(f.arn)) consumers.add(f.arn);
  if (consumers.size) {
    const invoked = new Map<number, JEvent>();
    let since = 0;
    for (;;) {
      const res = await fetch(`${endpoint}/_svl/events?type=lambda.invoked,lambda.completed&since=${since}&limit=10000`, { signal });
      if (!res.ok) throw new Error(`GET /_svl/events answered ${res.status}`);
      const events = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as JEvent);
      for (const e of events) {
        if (!e.resource || !consumers.has(e.resource)) continue;
        if (e.type === 'lambda.invoked') {
          if (String(e.data?.kind ?? '').startsWith('sqs')) invoked.set(e.seq, e);
          continue;
        }
        const cause = e.cause !== undefined ? invoked.get(e.cause) : undefined;
        if (!cause) continue;
        const messageIds = Array.isArray(cause.data?.messageIds) ? (cause.data.messageIds as string[]) : [];
        if (e.data?.outcome === 'ok') {
          const status = statusCodeOf(e.data.result);
          if (status !== undefined && status >= 400) facts.errorResults.push({ functionArn: e.resource, statusCode: status, messages: messageIds.length, requestId: e.id ?? '', at: timeOf(e) });
        } else facts.failures.push({ functionArn: e.resource, error: errorText(e.data), messageIds, at: timeOf(e) });
      }
      const next = Number(res.headers.get('x-svl-next') ?? since);
      if (events.length < 10_000 || next <= since) break;
      since = next;
    }
  }
  // Queues S3 notifies directly and a function reads: their test events (and their DLQs') are peeked.
  const peeks = new Set<string>();
  for (const inv of closures.values()) {
    const byArn = new Map(inv.queues.map((q) => [q.arn, q]));
    for (const b of inv.buckets ?? []) {
      for (const n of b.notifications) {
        const q = n.kind === 'queue' ? byArn.get(n.arn) : undefined;
        if (!q || !inv.consumers.some((c) => c.eventSourceArn === q.arn)) continue;
        peeks.add(q.name);
        if (q.redrive) peeks.add(q.redrive.deadLetterTargetArn.split(':').pop()!);
      }
    }
  }
  const dlqs = new Set([...closures.values()].flatMap((c) => c.queues.filter((q) => q.deadLetterSources.length).map((q) => q.name)));
  // The bodies of failed messages still in their queue or its DLQ (raw-delivery-mismatch checks their form).
  const failed = new Map(facts.failures.flatMap((f) => f.messageIds.map((id) => [id, f] as const)));
  const bodyPeeks = new Set<string>();
  for (const inv of closures.values()) {
    for (const q of inv.queues) {
      if (!inv.consumers.some((c) => c.eventSourceArn === q.arn && facts.failures.some((f) => f.functionArn === c.functionArn))) continue;
      bodyPeeks.add(q.name);
      if (q.redrive) bodyPeeks.add(q.redrive.deadLetterTargetArn.split(':').pop()!);
    }
  }
  await mapLimit([...new Set([...peeks, ...bodyPeeks])], 4, async (queue) => {
    const res = await fetch(`${endpoint}/_svl/sqs/peek?queue=${encodeURIComponent(queue)}&limit=1000&region=${encodeURIComponent(target.region ?? 'us-east-1')}`, { signal });
    if (!res.ok) return;
    const body = (await res.json()) as { QueueArn?: string; Messages?: Array<{ MessageId: string; Body: string; Attributes?: Record<string, string> }> };
    for (const msg of body.Messages ?? []) {
      const f = failed.get(msg.MessageId);
      if (f && f.body === undefined) f.body = msg.Body;
      if (!peeks.has(queue) || !msg.Body.includes('s3:TestEvent')) continue;
      const receives = Number(msg.Attributes?.ApproximateReceiveCount ?? 0);
      const inDlq = dlqs.has(queue);
      if (inDlq || receives >= 2) facts.testEvents.push({ queueArn: body.QueueArn ?? queue, messageId: msg.MessageId, receiveCount: receives, inDeadLetterQueue: inDlq });
    }
  });
  return facts;
}

const timeOf = (e: JEvent): string => e.time ?? new Date(e.timeMs ?? 0).toISOString();

const statusCodeOf = (result: unknown): number | undefined => {
  if (typeof result !== 'string') return undefined;
  try {
    const v = JSON.parse(result) as { statusCode?: unknown };
    return v && typeof v === 'object' && typeof v.statusCode === 'number' ? v.statusCode : undefined;
  } catch {
    return undefined;
  }
};

const errorText = (data: Record<string, unknown> | undefined): string => {
  const raw = typeof data?.error === 'string' ? data.error : '';
  try {
    const e = JSON.parse(raw) as { errorType?: string; errorMessage?: string };
    return `${e.errorType ?? data?.errorType ?? 'Error'}: ${e.errorMessage ?? ''}`;
  } catch {
    return `${String(data?.errorType ?? 'Error')}: ${raw}`;
  }
};
