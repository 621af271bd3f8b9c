/**
 * svl's own endpoints under `/_svl/` (not AWS APIs):
 * - `GET /_svl/health`: 200 + JSON once the emulator accepts requests (pid, uptime, state dir, counts,
 *   memory: the process's RSS, V8 heap and the SQLite database's size, in MB, for the scale benchmarks);
 * - `GET /_svl/sqs/peek?queue=<name>&limit=N[&after=<seq>]`: every message of a queue with its state
 *   (visible, in flight, delayed), receive count and attributes, WITHOUT receiving it (no receive count
 *   change, no visibility change) — what `svl tail` and `svl dlq peek` use on the emulator. Messages come
 *   in arrival order with a `Seq` cursor: `after=<last Seq>` returns only what arrived since, so a
 *   follower polls cheaply. `Now` is the emulator's clock, for "since" arithmetic against SentTimestamp.
 * - `GET /_svl/lambda/logs?function=<name>&after=<seq>&since=<epoch ms>|ago=<ms>`: kept invocation logs (`svl logs`);
 * - `GET /_svl/apigw/events/<requestId>`: the Lambda events one invoke-URL request produced (`svl http --event`);
 * - `GET /_svl/lambda/code/<name>`: the function's deployment package (GetFunction's Code.Location);
 * - `GET /_svl/lambda/invocations/<requestId>`: one asynchronous invocation (`svl invoke --async --wait`):
 *   state queued|running|retrying|succeeded|failed|expired, attempts, last error, deliveries, and the
 *   tail (LOG_TAIL_BYTES) of its attempts' logs; 404 when the emulator does not know the request id;
 * - `GET /_svl/idle`: `{ idle, busy: [reasons] }` - idle when nothing would happen without the clock
 *   moving on (no Lambda attempt running or due, no batch in a poller, no visible message a mapping is
 *   about to take, no state change settling, no SNS HTTP delivery in flight or due). Tests await it instead of sleeping to prove that
 *   nothing happened; with a fake clock, "idle" means "settled until the next advance()".
 * - `GET /_svl/lambda/event-source-mappings`: every mapping with its last batch and last error as this
 *   emulator saw them (`svl status` shows them next to the queue).
 */
import { getHeapSpaceStatistics } from 'node:v8';
import type { WireResponse } from './protocol/json10.js';
import type { IncomingRequest } from './router.js';
import type { SqsService } from './sqs/service.js';
import type { SnsService } from './sns/service.js';
import { HTTPS_CERT_PATH, SIGNING_CERT_PATH, httpsCredentials, signingCertificatePem } from './sns/signing-key.js';
import { systemAttributes } from './sqs/receive.js';
import { logTailBytes } from './lambda/logs.js';
import type { LambdaService } from './lambda/service.js';
import type { Journal } from './journal/journal.js';
import { journalEndpoint } from './journal/endpoints.js';

export interface ControlInfo {
  version: string;
  startedMs: number;
  stateDir?: string;
  inMemory: boolean;
  endpoint: () => string;
  /** Why the services the control API does not know directly (S3, API Gateway) are busy. */
  busy?: () => string[];
  journal?: Journal;
  /** The Lambda events one API Gateway request produced (`GET /_svl/apigw/events/<requestId>`). */
  apigwEvents?: (requestId: string) => unknown[] | undefined;
  /** The SQLite database's size in bytes (pages in use; held in memory whole with --in-memory). */
  storeBytes?: () => number;
}

const mb = (bytes: number) => Math.round(bytes / 104857.6) / 10;

const json = (status: number, body: unknown, requestId: string): WireResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
  body: JSON.stringify(body),
});

export class ControlApi {
  constructor(
    private readonly sqs: SqsService,
    private readonly sns: SnsService,
    private readonly info: ControlInfo,
    private readonly lambda?: LambdaService,
  ) {}

  health() {
    let messages = 0;
    const queues = this.sqs.queues.all();
    for (const q of queues) {
      const c = this.sqs.messages.counts(q);
      messages += c.visible + c.inflight + c.delayed;
    }
    return {
      status: 'ok',
      service: 'svl-emulator',
      version: this.info.version,
      pid: process.pid,
      endpoint: this.info.endpoint(),
      startedAt: new Date(this.info.startedMs).toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.info.startedMs) / 1000),
      stateDir: this.info.stateDir ?? null,
      inMemory: this.info.inMemory,
      services: this.lambda ? ['sqs', 'sns', 'lambda', 's3', 'apigateway'] : ['sqs', 'sns'],
      counts: { queues: queues.length, messages, topics: this.sns.registry.topics.size, subscriptions: this.sns.registry.subs.size, pendingHttpDeliveries: this.sns.http.pendingCount() },
      sns: this.sns.stats(),
      memory: this.memory(),
      ...(this.lambda && {
        lambda: {
          functions: this.lambda.store.all().length,
          processes: this.lambda.runtime.processCount(),
          pendingAsyncInvocations: this.lambda.async.pendingCount(),
          eventSourceMappings: this.lambda.esm?.count() ?? 0,
        },
      }),
    };
  }

  /**
   * Where the emulator's memory is, in MB: what a queue's depth grows (bench/cpu.mjs --queued). V8's heap
   * split into its young generation (`newSpaceMb`: V8 grows it to 32 MB under a steady allocation rate,
   * whatever the depth) and the rest (`oldSpaceMb`: live objects plus garbage not yet collected).
   */
  private memory() {
    const m = process.memoryUsage();
    const store = this.info.storeBytes?.();
    let newSpace = 0;
    for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') newSpace = s.space_size;
    return {
      rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), newSpaceMb: mb(newSpace), oldSpaceMb: mb(m.heapTotal - newSpace),
      externalMb: mb(m.external), ...(store !== undefined && { storeMb: mb(store) }),
    };
  }

  /** What keeps the emulator busy right now (see `GET /_svl/idle`). */
  busy(): string[] {
    const out = this.sns.http.busy().concat(this.info.busy?.() ?? []);
    return this.lambda ? out.concat(this.lambda.busy()) : out;
  }

  async handle(req: IncomingRequest): Promise<WireResponse> {
    const url = new URL(`http://x${req.path}${req.search}`);
    if (req.method === 'GET' && this.info.journal && url.pathname.startsWith('/_svl/')) {
      const out = await journalEndpoint(this.info.journal, url, req.requestId, req.signal);
      if (out) return out;
    }
    if (req.method === 'GET' && url.pathname === '/_svl/idle') {
      const busy = this.busy();
      return json(200, { idle: busy.length === 0, busy }, req.requestId);
    }
    if (req.method === 'GET' && url.pathname === '/_svl/health') return json(200, this.health(), req.requestId);
    if (req.method === 'GET' && url.pathname === SIGNING_CERT_PATH) {
      return { status: 200, headers: { 'content-type': 'application/x-pem-file', 'x-amzn-requestid': req.requestId }, body: signingCertificatePem() };
    }
    if (req.method === 'GET' && url.pathname === HTTPS_CERT_PATH) {
      // The certificate of the https listener SigningCertURL names, for a client to trust (NODE_EXTRA_CA_CERTS).
      return { status: 200, headers: { 'content-type': 'application/x-pem-file', 'x-amzn-requestid': req.requestId }, body: httpsCredentials().cert };
    }
    if (req.method === 'GET' && url.pathname === '/_svl/sqs/peek') {
      // `queue` is the queue's name, in `region` (default us-east-1, the region of `svl --local`).
      const q = this.sqs.queues.find(url.searchParams.get('region') ?? this.sqs.defaultRegion, url.searchParams.get('queue') ?? '');
      if (!q) return json(404, { __type: 'QueueDoesNotExist', message: 'The specified queue does not exist.' }, req.requestId);
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 1000) || 1000, 1), 10_000);
      const after = Math.max(Number(url.searchParams.get('after') ?? 0) || 0, 0);
      const now = this.sqs.clock.now();
      const all = new Set(['All']);
      const messages = this.sqs.messages.peek(q, limit, after).map((r) => ({
        Seq: r.seq,
        MessageId: r.id,
        Body: r.body,
        MD5OfBody: r.md5_body,
        State: r.visible_ms <= now ? 'visible' : r.inflight ? 'inflight' : 'delayed',
        VisibleAt: r.visible_ms,
        Attributes: systemAttributes(r, all) ?? {},
        MessageAttributes: r.attrs ? (JSON.parse(r.attrs) as unknown) : undefined,
      }));
      return json(200, { QueueUrl: this.sqs.queueUrl(q, { baseUrl: this.info.endpoint() }), QueueArn: q.arn, Now: now, Messages: messages }, req.requestId);
    }
    if (req.method === 'GET' && this.lambda && url.pathname === '/_svl/lambda/logs') return this.lambdaLogs(url, req.requestId);
    if (req.method === 'GET' && this.lambda && url.pathname === '/_svl/lambda/event-source-mappings') {
      return json(200, { now: this.lambda.clock.now(), mappings: this.lambda.esm?.health() ?? [] }, req.requestId);
    }
    // A malformed percent-encoding in a path id (`%E0`) is the client's mistake: 400, not a 500.
    const decoded = (part: string): string | undefined => {
      try {
        return decodeURIComponent(part);
      } catch {
        return undefined;
      }
    };
    const badPath = () => json(400, { __type: 'InvalidParameterValue', message: `The path ${url.pathname} is not valid percent-encoding.` }, req.requestId);
    const invocation = /^\/_svl\/lambda\/invocations\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && this.lambda && invocation) {
      const id = decoded(invocation[1]!);
      return id === undefined ? badPath() : this.lambdaInvocation(id, req.requestId);
    }
    const apigwEvents = /^\/_svl\/apigw\/events\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && this.info.apigwEvents && apigwEvents) {
      const id = decoded(apigwEvents[1]!);
      if (id === undefined) return badPath();
      const events = this.info.apigwEvents(id);
      if (!events) return json(404, { __type: 'NotFound', message: `No API Gateway request ${id} is known to this emulator (the last 200 are kept, in memory), or it never reached a function.` }, req.requestId);
      return json(200, { requestId: id, events }, req.requestId);
    }
    const code = /^\/_svl\/lambda\/code\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && this.lambda && code) {
      const name = decoded(code[1]!);
      if (name === undefined) return badPath();
      const fn = this.lambda.store.get(name);
      const zip = fn && this.lambda.store.code(fn.codeSha256);
      if (!fn || !zip) return json(404, { __type: 'ResourceNotFoundException', message: 'Function not found.' }, req.requestId);
      return { status: 200, headers: { 'content-type': 'application/zip', 'x-amzn-requestid': req.requestId }, body: '', bodyBytes: zip };
    }
    return json(404, { __type: 'NotFound', message: `No svl endpoint ${url.pathname}.` }, req.requestId);
  }

  /** One async invocation's state with the tail of its log (every attempt, oldest first). */
  private lambdaInvocation(id: string, requestId: string): WireResponse {
    const lambda = this.lambda!;
    const status = lambda.async.status(id);
    if (!status) return json(404, { __type: 'ResourceNotFoundException', message: `No asynchronous invocation ${id} is known to this emulator (finished ones are kept in memory only).` }, requestId);
    const text = lambda.logs.forRequest(status.function, id).map((r) => r.text).join('');
    const log = logTailBytes(text).toString('utf8');
    return json(200, { ...status, now: lambda.clock.now(), log }, requestId);
  }

  /** Kept invocation logs of a function, oldest first, after a cursor (`svl logs --follow` polls with it). */
  private lambdaLogs(url: URL, requestId: string): WireResponse {
    const lambda = this.lambda!;
    const name = url.searchParams.get('function') ?? '';
    if (!lambda.store.get(name) && lambda.logs.list(name, { limit: 1 }).length === 0) {
      return json(404, { __type: 'ResourceNotFoundException', message: `Function not found: ${lambda.functionArn(name)}` }, requestId);
    }
    const events = lambda.logs.list(name, {
      afterSeq: Number(url.searchParams.get('after') ?? 0) || 0,
      // `ago` is relative to the emulator's clock (the CLI's clock may differ from a test's fake one).
      sinceMs: url.searchParams.has('ago') ? lambda.clock.now() - (Number(url.searchParams.get('ago')) || 0) : Number(url.searchParams.get('since') ?? 0) || 0,
      limit: Math.min(Math.max(Number(url.searchParams.get('limit') ?? 1000) || 1000, 1), 10_000),
    });
    return json(200, { function: name, now: lambda.clock.now(), events }, requestId);
  }
}
