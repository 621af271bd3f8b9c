/**
 * The Lambda service: functions, invocation (sync, async, dry run), event invoke configs, event source
 * mappings. Protocol-agnostic: the REST-JSON table in operations.ts turns requests into inputs shaped
 * like the model's members and renders the outputs. Handlers run as local processes (runtime/).
 *
 * Fidelity ledger
 * - Supported: CreateFunction (ZipFile), GetFunction, GetFunctionConfiguration, ListFunctions,
 *   UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction, Add/RemovePermission, GetPolicy,
 *   Tag/Untag/ListTags; State Pending -> Active and LastUpdateStatus InProgress -> Successful (both flip
 *   as soon as the package is extracted, within the same event-loop turn); Invoke RequestResponse / Event
 *   / DryRun with AWS's statuses, headers, payload limits and error objects; the Runtime API for nodejs*,
 *   python3.* and provided.* runtimes; async invocation with retries, event age, destinations and DLQ;
 *   Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s); SQS event source mappings; SNS `lambda`
 *   subscriptions (the function's resource policy must allow sns.amazonaws.com, as on AWS); S3 bucket
 *   notifications (s3Target: the policy must allow s3.amazonaws.com for the bucket ARN and account); API
 *   Gateway integrations and authorizers (synchronous; the policy must allow apigateway.amazonaws.com).
 * - Deliberately different: handlers run on the local `node` / `python3` whatever minor version the
 *   Runtime names (nodejs22.x on a local Node 20 runs on Node 20), on the local CPU architecture, with
 *   LAMBDA_TASK_ROOT pointing at the extracted package (not /var/task); handler processes get the
 *   emulator's static test credentials and `AWS_ENDPOINT_URL` set to the emulator, so SDK calls from
 *   handler code reach the emulator; at most DEFAULT_PROCESS_LIMIT processes per function, further
 *   invocations wait for one instead of being throttled (no TooManyRequestsException); where AWS gives
 *   each concurrent invocation its own environment, svl starts one process per core and more only for
 *   handlers that wait on I/O (a function's first burst, before anything is known of it, and a
 *   compute-bound one wait for a busy process; one more starts whenever none finishes for 1 s or twice
 *   the recent invocation duration; a handler that timed out computing counts as compute-bound) —
 *   time spent waiting for a process, and a cold start's init, do not count against the function's
 *   timeout, which starts when the process receives the invocation, as on AWS; a process idle for
 *   IDLE_PROCESS_MS (5 min) is stopped, as AWS recycles idle environments; a handler process runs in its
 *   own process group, and what it starts is stopped with it (timeout, crash, update, emulator stop); the
 *   invocation timeout is real time (the Clock cannot stop a process); invocation logs (`svl logs`) are
 *   written in batches within LOG_FLUSH_MS (50 ms) of the invocation's end, and before any read of them
 *   or an Invoke with LogType Tail is answered: kill -9 of the emulator can lose the logs of
 *   invocations that ended in the last 50 ms and whose log nobody was shown; the IAM role is never assumed nor evaluated,
 *   so destinations and DLQs deliver as an ordinary caller of SQS/SNS (on AWS the execution role needs
 *   sqs:SendMessage / sns:Publish); `callbackWaitsForEmptyEventLoop` is not honoured (the result is sent
 *   when the callback is called); Code.Location in GetFunction is an emulator URL serving the zip.
 * - Not yet supported (AWS-shaped InvalidParameterValueException): versions and aliases (Publish, a
 *   Qualifier other than $LATEST), layers, container images, Code.S3Bucket, function URLs, concurrency
 *   settings, code signing, InvokeWithResponseStream, EventBridge destinations.
 * - Regions: functions live in the emulator's one region (us-east-1). Event source mappings, destinations
 *   and DLQs address a queue by its ARN through the SQS service (its region-aware QueueUrl), so a queue of
 *   another region works (ESM records carry the queue's region in awsRegion); AWS would refuse a
 *   cross-region event source or destination, svl does not check it.
 *
 * Event source mappings (esm/mappings.ts, esm/poller.ts) are imported by the first mapping operation on an
 * emulator started with `deferMappings` (`svl local start`, svl/testing) when none is stored; one that has
 * mappings stored loads them before it starts, to resume their pollers (`eventSourceMappings`). The
 * operations of functions, invocations and event invoke configs (functions.ts, invoke.ts,
 * event-invoke-config.ts) are imported by the first Lambda request: what starts with the emulator (stored
 * functions activated, pending async invocations resumed, SNS, S3 and API Gateway invoking) needs none of them.
 */
import { NO_JOURNAL, type JournalSink } from '../journal/journal.js';
import { randomUUID } from 'node:crypto';
import { randomHex, traceRoot } from '../random.js';
import type { Clock } from '../clock.js';
import type { Db } from '../store/db.js';
import { isSilent, SILENT, type LogFn } from '../log.js';
import type { SqsService } from '../sqs/service.js';
import type { SnsLambdaTarget, SnsService } from '../sns/service.js';
import * as E from './errors.js';
import { ACCOUNT_ID, DEFAULT_PROCESS_LIMIT, ESM_OPERATIONS, IDLE_PROCESS_MS, REGION } from './constants.js';
import { FunctionStore } from './store.js';
import { InvocationLogs } from './logs.js';
import { CodeDirs } from './runtime/code.js';
import { LambdaRuntime } from './runtime/pool.js';
import type { Outcome } from './runtime/worker.js';
import { parseFunctionName, type FunctionRef, type Input, type LambdaFunction, type Output } from './model.js';
import { permissionOperations, serviceMayInvoke } from './permissions.js';
import { AsyncInvoker } from './async.js';
import type { EventSourceMappings } from './esm/mappings.js';
import { realSetImmediate } from '../timers.js';

export interface LambdaContext {
  requestId: string;
  /** Origin of the emulator as the client called it (for Code.Location). */
  baseUrl: string;
}

/** What S3 notifications use (see s3Target): undefined = fine, else why not. */
export interface S3LambdaTarget {
  check(functionArn: string, bucketArn: string): string | undefined;
  invoke(functionArn: string, event: string, bucketArn: string, cause?: number): string | undefined;
}

export type LambdaHandler = (input: Input, ctx: LambdaContext) => Output | Promise<Output>;

export interface LambdaServiceOptions {
  db: Db;
  clock: Clock;
  sqs: SqsService;
  sns: SnsService;
  /** Durable emulators keep extracted packages under `<stateDir>/lambda`; in-memory ones in a temp dir. */
  stateDir?: string;
  endpoint: () => string;
  region?: string;
  account?: string;
  processLimit?: number;
  /** How long a handler process may stay idle before it is stopped (default IDLE_PROCESS_MS). */
  idleProcessMs?: number;
  log?: LogFn;
}

export interface InvokeOptions {
  requestId?: string;
  clientContext?: string;
  /** What started the invocation, for the log line: `sync`, `async`, `esm`. */
  kind: string;
  /** The journal event that led to it (defaults to the latest event about its request id). */
  cause?: number;
  /** The SQS messages of an event source mapping's batch. */
  messageIds?: string[];
}

export class LambdaService {
  readonly store: FunctionStore;
  readonly logs: InvocationLogs;
  readonly code: CodeDirs;
  readonly runtime: LambdaRuntime;
  readonly async: AsyncInvoker;
  readonly clock: Clock;
  readonly log: LogFn;
  readonly region: string;
  readonly account: string;
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly db: Db;
  /** Where every invocation and its outcome is recorded (the emulator attaches its journal). */
  journal: JournalSink = NO_JOURNAL;
  private ops: Record<string, LambdaHandler> | undefined;
  private opsLoading: Promise<Record<string, LambdaHandler>> | undefined;
  private readonly activations = new Map<string, Promise<void>>();
  private mappings: EventSourceMappings | undefined;
  private mappingsLoading: Promise<EventSourceMappings> | undefined;
  private started = false;
  private stopped = false;

  constructor(opts: LambdaServiceOptions) {
    this.db = opts.db;
    this.clock = opts.clock;
    this.log = opts.log ?? SILENT;
    this.region = opts.region ?? REGION;
    this.account = opts.account ?? ACCOUNT_ID;
    this.sqs = opts.sqs;
    this.sns = opts.sns;
    this.store = new FunctionStore(opts.db, this.region, this.account);
    this.logs = new InvocationLogs(opts.db, this.log);
    this.code = new CodeDirs(opts.stateDir);
    this.runtime = new LambdaRuntime({ code: this.code, region: this.region, endpoint: opts.endpoint, processLimit: opts.processLimit ?? DEFAULT_PROCESS_LIMIT, idleProcessMs: opts.idleProcessMs ?? IDLE_PROCESS_MS });
    this.async = new AsyncInvoker(this);
  }

  /** The operations, imported and made by the first request (see the header). */
  private operations(): Promise<Record<string, LambdaHandler>> {
    return (this.opsLoading ??= Promise.all([import('./functions.js'), import('./invoke.js'), import('./event-invoke-config.js')]).then(
      ([{ functionOperations }, { invokeOperations }, { eventInvokeConfigOperations }]) =>
        (this.ops = {
          ...functionOperations(this),
          ...permissionOperations(this),
          ...invokeOperations(this),
          ...eventInvokeConfigOperations(this),
          ...Object.fromEntries(
            ESM_OPERATIONS.map((op): [string, LambdaHandler] => [op, async (i, c) => (await this.eventSourceMappings()).operations()[op](i, c)]),
          ),
        }),
    ));
  }

  /** The event source mappings, or undefined while they are not loaded (there are none then). */
  get esm(): EventSourceMappings | undefined {
    return this.mappings;
  }

  /** The event source mappings, imported and made by the first call; started if the service is. */
  eventSourceMappings(): Promise<EventSourceMappings> {
    return (this.mappingsLoading ??= import('./esm/mappings.js').then(({ EventSourceMappings }) => {
      const m = new EventSourceMappings(this);
      this.mappings = m;
      if (this.started && !this.stopped) m.start();
      return m;
    }));
  }

  /**
   * Loads what start() must resume before it runs: the event source mappings, unless `deferMappings` and
   * none is stored (then their first operation loads them).
   */
  async prepare(deferMappings: boolean): Promise<void> {
    if (!deferMappings || this.db.prepare('SELECT EXISTS (SELECT 1 FROM lambda_esm)').pluck().get() === 1) await this.eventSourceMappings();
  }

  async hasOperation(op: string): Promise<boolean> {
    return Object.hasOwn(this.ops ?? (await this.operations()), op);
  }

  async call(op: string, input: Input, ctx: LambdaContext): Promise<Output> {
    const h = (this.ops ?? (await this.operations()))[op];
    if (!h) throw E.notImplemented(op);
    return h(input, ctx);
  }

  /** After a restart: functions become Active again, pending async invocations and mappings resume. */
  start(): void {
    // Task directories of packages no function uses any more (replaced or deleted before the restart).
    this.code.prune(this.store.all().map((f) => f.codeSha256));
    for (const fn of this.store.all()) if (fn.state.State !== 'Active' || fn.state.LastUpdateStatus !== 'Successful') void this.activate(fn.name);
    this.async.start();
    this.mappings?.start();
    this.started = true;
  }

  stop(): void {
    this.stopped = true;
    this.mappings?.stop();
    this.async.stop();
    this.runtime.stopAll();
    this.logs.stop();
    this.code.close();
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.account}:function:${name}`;
  }

  /** The function a FunctionName parameter names ($LATEST only), or ResourceNotFoundException. */
  requireFunction(value: unknown, qualifier?: unknown, field = 'functionName'): LambdaFunction {
    const ref: FunctionRef = parseFunctionName(value, field);
    const q = qualifier === undefined || qualifier === null || qualifier === '' ? ref.qualifier : String(qualifier);
    const fn = this.store.get(ref.name);
    const arn = this.functionArn(ref.name);
    if (q !== undefined && q !== '$LATEST') {
      if (!/^(|[a-zA-Z0-9$_-]+)$/.test(q)) throw E.constraint(q, 'qualifier', 'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)');
      throw E.functionNotFound(`${arn}:${q}`);
    }
    if (!fn) throw E.functionNotFound(q ? `${arn}:${q}` : arn);
    return fn;
  }

  /**
   * Pending -> Active (and LastUpdateStatus InProgress -> Successful): extracts the package to its task
   * directory right after the call that stored it; a package that cannot be extracted fails the function.
   */
  activate(name: string): Promise<void> {
    const p = new Promise<void>((resolve) => {
      realSetImmediate(() => {
        const fn = this.store.get(name);
        if (fn) {
          let failure: string | undefined;
          try {
            this.taskDir(fn);
          } catch (err) {
            failure = (err as Error).message;
          }
          const state = failure
            ? { State: 'Failed' as const, StateReason: `svl could not extract the deployment package: ${failure}`, StateReasonCode: 'InvalidZipFileException', LastUpdateStatus: 'Failed' as const, LastUpdateStatusReason: failure, LastUpdateStatusReasonCode: 'InvalidZipFileException' }
            : { State: 'Active' as const, LastUpdateStatus: 'Successful' as const };
          this.store.save({ ...fn, state });
        }
        this.activations.delete(name);
        resolve();
      });
    });
    this.activations.set(name, p);
    return p;
  }

  taskDir(fn: LambdaFunction): string {
    return this.code.taskDir(fn.codeSha256, () => this.store.code(fn.codeSha256));
  }

  /**
   * Runs one invocation to completion (used by Invoke, async delivery and event source mappings): the
   * function must be Active; the outcome is logged in one line and its log kept for `svl logs`.
   */
  async invokeNow(fn: LambdaFunction, payload: string, opts: InvokeOptions): Promise<Outcome> {
    const requestId = opts.requestId ?? randomUUID();
    const started = this.clock.now();
    const invoked = this.journal.record({
      type: 'lambda.invoked',
      resource: fn.arn,
      id: requestId,
      cause: opts.cause ?? this.journal.lastOf(requestId),
      data: { kind: opts.kind, ...(opts.messageIds && { messageIds: opts.messageIds }) },
    });
    // The task directory is needed (and checked) only when a process is started.
    const out = await this.runtime.invoke(fn, () => this.taskDir(fn), { requestId, payload, clientContext: opts.clientContext, traceId: traceId() });
    this.logs.add(fn.name, requestId, started, out.durationMs, out.ok ? 'ok' : out.timedOut ? 'timeout' : 'error', out.log);
    this.journal.record({
      type: 'lambda.completed',
      resource: fn.arn,
      id: requestId,
      cause: invoked,
      data: completion(out),
    });
    if (!isSilent(this.log)) this.log(
      `λ ${fn.name} ${out.ok ? '200' : out.timedOut ? 'timeout' : `error ${out.errorType ?? ''}`.trim()} ${out.durationMs.toFixed(out.durationMs < 10 ? 1 : 0)}ms` +
        `${out.cold ? ` (cold start ${out.initMs!.toFixed(0)}ms)` : ''} [${opts.kind}]`,
    );
    return out;
  }

  /** Throws what AWS answers when a function cannot be invoked in its current state. */
  checkInvokable(fn: LambdaFunction): void {
    if (fn.state.State === 'Pending') {
      throw E.resourceConflict(`The operation cannot be performed at this time. The function is currently in the following state: Pending`);
    }
    if (fn.state.State === 'Failed') {
      throw E.resourceConflict(`The operation cannot be performed at this time. The function is currently in the following state: Failed`);
    }
  }

  /** How SNS `lambda` subscriptions deliver: an async invoke, if the function policy allows the topic. */
  snsTarget(): SnsLambdaTarget {
    return {
      invokeFromSns: (functionArn, event, topicArn, cause) => {
        let fn: LambdaFunction | undefined;
        try {
          fn = this.store.get(parseFunctionName(functionArn).name);
        } catch {
          fn = undefined;
        }
        if (!fn) return `Function not found: ${functionArn}`;
        if (!serviceMayInvoke(this, fn, 'sns.amazonaws.com', topicArn)) {
          return `the resource policy of function ${fn.name} does not allow sns.amazonaws.com to invoke it for ${topicArn} (add one: aws lambda add-permission --function-name ${fn.name} --statement-id sns --action lambda:InvokeFunction --principal sns.amazonaws.com --source-arn ${topicArn})`;
        }
        this.async.enqueue(fn, event, randomUUID(), cause);
        return undefined;
      },
    };
  }

  /**
   * How S3 bucket notifications reach a function: `check` is PutBucketNotificationConfiguration's validation
   * (the function exists and its resource policy lets s3.amazonaws.com invoke it for the bucket ARN and the
   * bucket owner's account, as AWS checks); `invoke` queues an asynchronous invocation (retries,
   * destinations and DLQ as for any Event invoke) or answers why it cannot.
   */
  s3Target(): S3LambdaTarget {
    const resolve = (functionArn: string, bucketArn: string): LambdaFunction | string => {
      let fn: LambdaFunction | undefined;
      try {
        fn = this.store.get(parseFunctionName(functionArn).name);
      } catch {
        fn = undefined;
      }
      if (!fn || fn.arn !== functionArn.replace(/:\$LATEST$/, '')) return `Function not found: ${functionArn}`;
      if (!serviceMayInvoke(this, fn, 's3.amazonaws.com', bucketArn)) {
        return `the resource policy of function ${fn.name} does not allow s3.amazonaws.com to invoke it for ${bucketArn} (add one: aws lambda add-permission --function-name ${fn.name} --statement-id s3 --action lambda:InvokeFunction --principal s3.amazonaws.com --source-arn ${bucketArn} --source-account ${this.account})`;
      }
      return fn;
    };
    return {
      check: (functionArn, bucketArn) => {
        const r = resolve(functionArn, bucketArn);
        return typeof r === 'string' ? r : undefined;
      },
      invoke: (functionArn, event, bucketArn, cause) => {
        const r = resolve(functionArn, bucketArn);
        if (typeof r === 'string') return r;
        this.async.enqueue(r, event, randomUUID(), cause);
        return undefined;
      },
    };
  }

  /**
   * How API Gateway integrations and authorizers invoke a function: synchronously, if the function's
   * resource policy allows apigateway.amazonaws.com for `sourceArn` (an execute-api ARN), as on AWS.
   * Refusals come back synchronously with the `aws lambda add-permission` command that fixes them.
   */
  invokeForApiGateway(functionArn: string, sourceArn: string, payload: string, requestId: string): { refused: string } | { pending: Promise<Outcome> } {
    const fn = this.functionOfArn(functionArn);
    if (!fn) return { refused: `Function not found: ${functionArn}` };
    if (!serviceMayInvoke(this, fn, 'apigateway.amazonaws.com', sourceArn)) {
      return {
        refused:
          `the resource policy of function ${fn.name} does not allow apigateway.amazonaws.com to invoke it for ${sourceArn} ` +
          `(add one: aws lambda add-permission --function-name ${fn.name} --statement-id apigateway --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn '${sourceArn}')`,
      };
    }
    const name = fn.name;
    const activation = this.activations.get(name);
    if (!activation) return { pending: this.invokeNow(fn, payload, { requestId, kind: 'apigw' }) };
    const pending = activation.then(() => this.invokeNow(this.store.get(name) ?? fn, payload, { requestId, kind: 'apigw' }));
    return { pending };
  }

  /** Function names by the ARNs integrations name (parsed once each; bounded). */
  private readonly namesOfArns = new Map<string, string | null>();

  /** The function an integration's ARN names, or undefined. */
  private functionOfArn(functionArn: string): LambdaFunction | undefined {
    let name = this.namesOfArns.get(functionArn);
    if (name === undefined) {
      try {
        name = parseFunctionName(functionArn).name;
      } catch {
        name = null;
      }
      if (this.namesOfArns.size >= 1000) this.namesOfArns.clear();
      this.namesOfArns.set(functionArn, name);
    }
    return name === null ? undefined : this.store.get(name);
  }

  /** Why Lambda is not idle (empty when it is): activations, async attempts, event source mappings. */
  busy(): string[] {
    const out: string[] = [];
    if (this.activations.size > 0) out.push(`${this.activations.size} function(s) activating`);
    if (this.mappingsLoading && !this.mappings) out.push('event source mappings loading');
    return out.concat(this.async.busy(), this.mappings?.busy() ?? []);
  }

  /** Waits for a pending activation (async deliveries and pollers invoke only Active functions). */
  async whenActive(name: string): Promise<void> {
    await this.activations.get(name);
  }
}

/** An X-Ray style trace header for `Lambda-Runtime-Trace-Id` / `_X_AMZN_TRACE_ID`. */
function traceId(): string {
  return `${traceRoot()};Parent=${randomHex(8)};Sampled=0`;
}

/** What the journal keeps of an invocation's outcome: duration, result or error (with a log excerpt). */
function completion(out: Outcome): Record<string, unknown> {
  const data: Record<string, unknown> = {
    outcome: out.ok ? 'ok' : out.timedOut ? 'timeout' : 'error',
    durationMs: Math.round(out.durationMs * 100) / 100,
  };
  if (out.initMs !== undefined) data.initMs = Math.round(out.initMs * 100) / 100;
  const payload = out.payload ?? '';
  if (!out.ok) {
    data.errorType = out.timedOut ? 'Sandbox.Timedout' : (out.errorType ?? 'Unhandled');
    data.error = payload.slice(0, 2048);
    if (out.log) data.logTail = out.log.split('\n').filter(Boolean).slice(-5).join('\n');
  } else if (payload.length <= 2048) data.result = payload;
  else data.result = `${payload.slice(0, 2048)}…`;
  return data;
}
