/**
 * The emulator: node:http on loopback, the durable store, and the services. `startEmulator` is what
 * `svl local start` runs and what integration tests start in-process (with a FakeClock and `inMemory`).
 *
 * The request path is as lean as node:http allows (a GetQueueUrl costs about what a do-nothing node:http
 * server does per request): one `Call` per request and nothing that another object keeps alive past it
 * unless asked for. A close listener, a WeakMap entry, a Set entry and getter-literal contexts per request
 * (the close listener most) together kept ~1.6 KB of each request alive across young-generation GCs: it
 * was promoted, and the scavenges and mark-compacts cost about as much as the rest of the request. It does not read bodies of the
 * streaming services (S3, invoke URLs): they get the request and response themselves.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { openStore, type Db, type Store } from './store/db.js';
import { SystemClock, type Clock } from './clock.js';
import { SqsService } from './sqs/service.js';
import { SnsService } from './sns/service.js';
import { LambdaService } from './lambda/service.js';
import { LAMBDA_PATH } from './lambda/operations.js';
import { MAX_REQUEST_BYTES as LAMBDA_MAX_REQUEST_BYTES, MAX_SYNC_PAYLOAD } from './lambda/constants.js';
import { restJsonError } from './protocol/rest-json.js';
import { requestTooLarge } from './lambda/errors.js';
import { httpsCredentials, releaseSigningKeyFile, useNoSigningKeyFile, useSigningKeyFile } from './sns/signing-key.js';
import { startCertServer, type CertServer } from './sns/cert-server.js';
import { join } from 'node:path';
import { ControlApi } from './control.js';
import { Journal, DEFAULT_JOURNAL_SIZE } from './journal/journal.js';
import { baseUrl, isApigwManagement, requestRegion, route, streamingService, type CredentialScope, type IncomingRequest } from './router.js';
import type { S3Service } from './s3/service.js';
import type { ApiGatewayService } from './apigw/service.js';
import { SILENT, type LogFn } from './log.js';
import { SvlError } from '../errors.js';
import { realClearTimeout, realSetImmediate, realSetTimeout } from './timers.js';
import { installFront, type FrontExchange } from './http-front.js';
import type { WireResponse } from './protocol/json10.js';

/** How long after it listens a durable emulator that has answered no request makes its https certificate. */
const HTTPS_CREDENTIALS_AFTER_MS = 50;

/** Largest request body accepted (SQS: 1 MiB payloads, JSON-escaped). Larger ones are refused while streaming. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface EmulatorOptions {
  port?: number;
  host?: string;
  stateDir?: string;
  inMemory?: boolean;
  clock?: Clock;
  log?: LogFn;
  version?: string;
  /** Handler processes one Lambda function may run at once. */
  lambdaProcessLimit?: number;
  /** How long a Lambda handler process may stay idle before it is stopped (default LAMBDA_IDLE_PROCESS_MS). */
  lambdaIdleProcessMs?: number;
  /** Events the journal keeps (a ring; default 100,000). */
  journalSize?: number;
  /**
   * Import S3 and API Gateway on their first request rather than at start (~40 ms of module loading that
   * most svl/testing processes and many emulators never use), when nothing of theirs is stored: in memory,
   * or a state directory without buckets or APIs (a durable emulator with either loads them at start, to
   * restore them). `s3`/`apigw` on the emulator then throw until `services()` has loaded them. Lambda's
   * event source mappings follow the same rule (none stored: loaded by their first operation, and
   * `lambda.esm` is undefined until then), and so does SNS's filter-policy engine (no stored subscription
   * with a FilterPolicy: loaded by the first request that sets one). svl/testing and `svl local start` set it.
   */
  loadOnFirstUse?: boolean;
}

export interface Emulator {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly clock: Clock;
  readonly store: Store;
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly lambda: LambdaService;
  readonly journal: Journal;
  /** S3 and API Gateway (see `loadOnFirstUse`: on such an emulator, only once `services()` has loaded them). */
  readonly s3: S3Service;
  readonly apigw: ApiGatewayService;
  /** S3 and API Gateway, loaded if not yet. */
  services(): Promise<{ s3: S3Service; apigw: ApiGatewayService }>;
  /** Whether API Gateway has any API (false while it is not loaded: it then has none). */
  hasHttpApis(): boolean;
  /** svl's own endpoints; `control.busy()` is the idle signal (`GET /_svl/idle`). */
  readonly control: ControlApi;
  /** Connections http-front.ts serves now, and those it has handed to node:http (S3, Lambda, `/_svl/`, unusual heads). */
  httpConnections(): { front: number; handedOver: number };
  /** Graceful stop: no new connections, in-flight requests finish (long polls end empty), database closed. */
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const clock = opts.clock ?? new SystemClock();
  const log = opts.log ?? SILENT;
  // The durable state directory; undefined for an in-memory emulator (inMemory, or no directory given).
  const stateDir = opts.inMemory ? undefined : opts.stateDir || undefined;
  const signing = stateDir ? { key: join(stateDir, 'sns-signing-key.pem'), cert: join(stateDir, 'sns-signing-cert.pem') } : undefined;
  const store = openStore({ stateDir: opts.stateDir, inMemory: opts.inMemory });
  let url = '';
  try {
    const sqs = new SqsService({ db: store.db, clock, log });
    const sns = new SnsService({ db: store.db, clock, sqs, log });
    if (signing) useSigningKeyFile(signing.key, signing.cert);
    else useNoSigningKeyFile();
    const lambda = new LambdaService({
      db: store.db,
      clock,
      sqs,
      sns,
      stateDir,
      endpoint: () => url,
      processLimit: opts.lambdaProcessLimit,
      idleProcessMs: opts.lambdaIdleProcessMs,
      log,
    });
    sns.attachLambda(lambda.snsTarget());
    const journal = new Journal(store.db, clock, opts.journalSize ?? DEFAULT_JOURNAL_SIZE);
    if (journal.size > 0) {
      sqs.messages.journal = journal;
      sns.journal = journal;
      lambda.journal = journal;
      // Its pending events ride on the store's group commit (SQS, SNS Publish, S3 object writes) instead of a commit of their own.
      sqs.commits.addHook(journal);
    }
    // S3 and API Gateway: made at start, or (loadOnFirstUse, in memory: nothing stored yet for them) by the
    // first request for either. Both together: one await, and S3 notifications and APIs share nothing else.
    let s3: S3Service | undefined;
    let apigw: ApiGatewayService | undefined;
    let started = false;
    let stopping = false;
    let credentialsTimer: ReturnType<typeof realSetTimeout> | undefined;
    const makeServices = async () => {
      const [{ S3Service }, { S3Notifier }, { attachNotifications }, { ApiGatewayService }] = await Promise.all([
        import('./s3/service.js'),
        import('./s3/delivery.js'),
        import('./s3/notification-ops.js'),
        import('./apigw/service.js'),
      ]);
      // One group commit for the store: S3's object writes share SQS's (and so SNS Publish's), journal hook included.
      const s = new S3Service({ db: store.db, clock, stateDir, log, commits: sqs.commits });
      attachNotifications(s, new S3Notifier({ db: store.db, sqs, sns, lambda: lambda.s3Target(), account: sqs.account, endpoint: () => url, now: () => clock.now(), log, journal: journal.size > 0 ? journal : undefined }));
      const a = new ApiGatewayService({ db: store.db, clock, sns, lambda, log });
      s3 = s;
      apigw = a;
      // Loaded after start: started as the emulator's start would have (S3's sweep finds nothing in memory).
      if (started) {
        s.start();
        a.start();
      }
      if (stopping) {
        a.stop();
        s.stop();
      }
      return { s3: s, apigw: a };
    };
    let loading: Promise<{ s3: S3Service; apigw: ApiGatewayService }> | undefined;
    const services = () => (loading ??= makeServices());
    const lazy = !!opts.loadOnFirstUse && (!stateDir || !storesS3OrApis(store.db));
    if (!lazy) await services();
    // Lambda's event source mappings and SNS's filter-policy engine: by the same rule, on their first request
    // unless some are stored.
    await lambda.prepare(!!opts.loadOnFirstUse);
    await sns.prepare(!!opts.loadOnFirstUse);
    const control = new ControlApi(sqs, sns, {
      version: opts.version ?? '0.0.0',
      startedMs: Date.now(),
      stateDir,
      inMemory: !stateDir,
      endpoint: () => url,
      journal,
      busy: () => (s3 && apigw ? [...s3.busy(), ...apigw.busy()] : loading ? ['S3 and API Gateway loading'] : []),
      apigwEvents: (id) => apigw?.events.get(id),
      storeBytes: () => (store.db.pragma('page_count', { simple: true }) as number) * (store.db.pragma('page_size', { simple: true }) as number),
    }, lambda);
    const calls = new Calls();
    let pending = 0;
    let drained: (() => void) | undefined;

    const server = createServer(handle);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 70_000;
    server.requestTimeout = 0; // long polls and slow uploads are bounded by the services, not here

    async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      pending++;
      const call = new Call(req.method ?? 'GET', req.url ?? '/', req.headers, calls);
      call.source = responseAbortSource(res);
      try {
        const streaming = streamingService(call);
        if (streaming) {
          // Worked out when asked for: an invoke URL request reads none of these.
          const ctx = {
            requestId: call.requestId,
            get signal() {
              return call.signal;
            },
            path: call.path,
            search: call.search,
            get baseUrl() {
              return baseUrl(call, url);
            },
            get region() {
              return requestRegion(call);
            },
          };
          const svc = s3 && apigw ? { s3, apigw } : await services();
          return await (streaming === 's3' ? svc.s3.handle(req, res, ctx) : svc.apigw.invoke(req, res, ctx));
        }
        const { path, requestId } = call;
        // Lambda takes bigger requests (a 50 MB zip, base64 in JSON); its invoke payloads stop at 6 MB.
        const isLambda = LAMBDA_PATH.test(path);
        const isInvoke = isLambda && path.endsWith('/invocations');
        const limit = isInvoke ? MAX_SYNC_PAYLOAD : isLambda ? LAMBDA_MAX_REQUEST_BYTES : MAX_REQUEST_BYTES;
        const body = await readBody(req, limit);
        if (body === undefined) {
          if (isLambda) {
            const out = restJsonError(requestTooLarge(`Request must be smaller than ${limit} bytes for the ${isInvoke ? 'InvokeFunction' : 'CreateFunction'} operation`), requestId);
            return send(res, out.status, { ...out.headers, connection: 'close' }, out.body);
          }
          return send(res, 413, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, connection: 'close' },
            JSON.stringify({ __type: 'RequestEntityTooLarge', message: `Request body is larger than ${MAX_REQUEST_BYTES} bytes.` }));
        }
        call.body = body;
        if (!apigw && isApigwManagement(call)) await services();
        const out = await route(call, { sqs, sns, control, lambda, apigw, defaultBaseUrl: url });
        // Answered while the emulator stops (a long poll it aborted): `Connection: close`, or the idle
        // keep-alive connection would hold server.close() (and close()) for its 65 s keep-alive timeout.
        if (calls.stopping) res.shouldKeepAlive = false;
        send(res, out.status, out.headers, out.bodyBytes ?? out.body);
      } catch (err) {
        const out = internalFailure(call, err);
        if (res.headersSent) return void res.destroy();
        send(res, out.status, out.headers, out.body);
      } finally {
        finished(call);
      }
    }

    /** The answer to a request whose handling threw: a 500, and the error in the log. */
    function internalFailure(call: Call, err: unknown): WireResponse {
      log(`ERROR ${call.method} ${call.path}${call.search}: ${(err as Error).stack ?? String(err)}`);
      return {
        status: 500,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': call.requestId },
        body: JSON.stringify({ __type: 'InternalFailure', message: 'The request processing has failed because of an unknown error.' }),
      };
    }

    /** A request answered (either way in): no longer in flight nor abortable; the first one lets the https credentials be made. */
    function finished(call: Call): void {
      calls.done(call);
      pending--;
      if (pending === 0) drained?.();
      firstAnswer?.();
    }

    // SQS and SNS requests (a POST with a Content-Length body, for a buffered service) are read and answered
    // by http-front.ts; the first request of a connection it does not take gives the connection to `handle`.
    // SVL_HTTP_FRONT=0: node:http for every request (bench/cpu.mjs's `svl-nofront`, what the front saves).
    const front = process.env.SVL_HTTP_FRONT === '0' ? { closeIdle() {}, stats: () => ({ open: 0, handedOver: 0 }) } : installFront(server, {
      takes(head) {
        if (head.method !== 'POST' || head.contentLength > MAX_REQUEST_BYTES) return false;
        const call = new Call(head.method, head.url, head.headers, calls);
        if (call.path.startsWith('/_svl/') || LAMBDA_PATH.test(call.path) || streamingService(call) || isApigwManagement(call)) return false;
        head.tag = call;
        return true;
      },
      serve: (head, body, exchange) => void serveFront(head.tag as Call, body, exchange),
      closing: () => calls.stopping,
    });

    /** `handle` for a request http-front.ts took: read whole, routed, answered. */
    async function serveFront(call: Call, body: string, exchange: FrontExchange): Promise<void> {
      pending++;
      call.source = exchange;
      call.body = body;
      try {
        const out = await route(call, { sqs, sns, control, lambda, apigw, defaultBaseUrl: url });
        exchange.respond(out.status, out.headers, out.bodyBytes ?? out.body);
      } catch (err) {
        const out = internalFailure(call, err);
        exchange.respond(out.status, out.headers, out.body);
      } finally {
        finished(call);
      }
    }
    /** Set while a durable emulator waits for its first answer to make its https credentials. */
    let firstAnswer: (() => void) | undefined;

    // S3's start-up sweep (temp files of a killed process, unreferenced bodies) runs before the first
    // request can be accepted: an upload in progress never loses its temp file to it.
    s3?.start();
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(bindError(err, host, opts.port ?? 4566));
      server.once('error', onError);
      server.listen(opts.port ?? 4566, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    let certServer: CertServer;
    try {
      certServer = await startCertServer(host);
    } catch (err) {
      server.close();
      throw err;
    }
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    url = `http://${shownHost}:${addr.port}`;
    sqs.start();
    sns.start();
    lambda.start();
    apigw?.start();
    started = true;
    // A durable emulator's https certificate (sns-https-cert.pem, the file a client trusts) exists from its
    // start: an ECDSA P-256 key and certificate, made (or read back) once the emulator has answered its first
    // request, or HTTPS_CREDENTIALS_AFTER_MS after it listens if none comes: 1-4 ms that the client waiting for
    // that first answer (a health poll, `svl local start --detach`) would otherwise wait for, had it come during
    // them. GET of the certificate makes it at once anyway. The RSA signing key waits for the first signature.
    if (stateDir) {
      const make = () => {
        if (credentialsTimer === undefined) return;
        realClearTimeout(credentialsTimer);
        credentialsTimer = undefined;
        if (!stopping) httpsCredentials();
      };
      credentialsTimer = realSetTimeout(make, HTTPS_CREDENTIALS_AFTER_MS);
      credentialsTimer.unref();
      firstAnswer = () => {
        firstAnswer = undefined;
        realSetImmediate(make);
      };
    }
    log(`svl emulator listening on ${url} (${stateDir ? `state in ${stateDir}` : 'in memory'})`);

    let closing: Promise<void> | undefined;
    return {
      url,
      port: addr.port,
      host,
      clock,
      store,
      sqs,
      sns,
      lambda,
      journal,
      get s3() {
        if (!s3) throw new Error('S3 is loaded on first use on this emulator (loadOnFirstUse): await emulator.services() first');
        return s3;
      },
      get apigw() {
        if (!apigw) throw new Error('API Gateway is loaded on first use on this emulator (loadOnFirstUse): await emulator.services() first');
        return apigw;
      },
      services,
      hasHttpApis: () => (apigw ? apigw.store.apis().length > 0 : false),
      control,
      httpConnections: () => {
        const { open, handedOver } = front.stats();
        return { front: open, handedOver };
      },
      close() {
        closing ??= (async () => {
          stopping = true;
          if (credentialsTimer !== undefined) realClearTimeout(credentialsTimer);
          credentialsTimer = undefined;
          apigw?.stop();
          s3?.stop();
          lambda.stop();
          sqs.stop();
          sns.stop();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            calls.abortAll();
            server.closeIdleConnections();
            front.closeIdle();
          });
          if (pending > 0) await new Promise<void>((r) => (drained = r));
          journal.flush();
          await certServer.close();
          if (signing) releaseSigningKeyFile(signing.key);
          store.close();
          log('svl emulator stopped');
        })();
        return closing;
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Whether a state directory holds anything of S3 or API Gateway (a bucket or an API), which their start restores. */
function storesS3OrApis(db: Db): boolean {
  return db.prepare('SELECT EXISTS (SELECT 1 FROM s3_buckets) OR EXISTS (SELECT 1 FROM apigw_apis) AS found').pluck().get() === 1;
}

/**
 * Why the address cannot be bound, as a typed error (exit 2) with the fix: another --port, another
 * --host. Anything else is passed through unchanged.
 */
export function bindError(err: NodeJS.ErrnoException, host: string, port: number): unknown {
  const at = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const make = (message: string, code: string, hint: string) => new SvlError(message, 2, { code, hint, cause: err });
  switch (err.code) {
    case 'EADDRINUSE':
      return make(`Port ${port} on ${host} is already in use.`, 'PortInUse', 'is an emulator already running? Check with `svl local status`, or pick another --port');
    case 'EADDRNOTAVAIL':
      return make(`Cannot listen on ${at}: ${host} is not an address of this machine.`, 'AddressNotAvailable',
        'bind a local address with --host (the default 127.0.0.1, or ::1), or pick the address of one of this machine\'s interfaces');
    case 'EACCES':
    case 'EPERM':
      return make(`Not allowed to listen on ${at}${port < 1024 ? ': ports below 1024 need privileges' : ''}.`, 'PortNotPermitted',
        'pick another --port, e.g. --port 4566 (ports from 1024 up need no privileges)');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return make(`Cannot listen on ${at}: the host name ${host} does not resolve.`, 'AddressNotAvailable', 'pass an IP address with --host, e.g. --host 127.0.0.1');
    case 'EAFNOSUPPORT':
      return make(`Cannot listen on ${at}: this machine has no ${host.includes(':') ? 'IPv6' : 'IPv4'} support.`, 'AddressNotAvailable', 'bind another --host, e.g. 127.0.0.1');
    default:
      return err;
  }
}

/**
 * One request as the router sees it (an IncomingRequest), made when its head arrives; its body is set once
 * read. Its AbortSignal (aborted when the client goes away or the emulator stops) is made only when
 * something asks for it (a long poll, the journal's stream): an AbortController and a close listener cost
 * ~4 µs, and most requests never look. Asked for after the client went away or the emulator began to
 * stop, it comes already aborted.
 */
class Call implements IncomingRequest {
  readonly path: string;
  readonly search: string;
  readonly requestId = randomUUID();
  body = '';
  credentialScope?: CredentialScope = undefined;
  /** Made on first use (`signal`). */
  ac?: AbortController = undefined;
  /** The emulator is done with it (a signal asked for later is not watched: nothing would unwatch it). */
  ended = false;
  /** Where the client going away is seen (node:http's response, or http-front.ts's exchange); set before routing. */
  source: AbortSource = NEVER_ABORTED;

  constructor(
    readonly method: string,
    url: string,
    readonly headers: IncomingHttpHeaders,
    private readonly calls: Calls,
  ) {
    const i = url.indexOf('?');
    this.path = i >= 0 ? url.slice(0, i) : url;
    this.search = i >= 0 ? url.slice(i) : '';
  }

  get signal(): AbortSignal {
    if (this.ac) return this.ac.signal;
    const ac = (this.ac = new AbortController());
    if (this.calls.stopping || this.source.aborted) ac.abort();
    else if (!this.ended) {
      this.calls.watch(this);
      // The client going away ends a long poll without receiving anything.
      this.source.onAbort(() => ac.abort());
    }
    return ac.signal;
  }
}

/** What tells a request that its client went away before the answer. */
interface AbortSource {
  readonly aborted: boolean;
  onAbort(fn: () => void): void;
}

const NEVER_ABORTED: AbortSource = { aborted: false, onAbort() {} };

/** node:http's response as an AbortSource: closed before it finished. */
function responseAbortSource(res: ServerResponse): AbortSource {
  return {
    get aborted() {
      return res.destroyed && !res.writableFinished;
    },
    onAbort(fn) {
      res.once('close', () => {
        if (!res.writableFinished) fn();
      });
    },
  };
}

/** The requests whose signal was made (what stopping the emulator aborts). */
class Calls {
  stopping = false;
  private readonly watched = new Set<Call>();

  watch(call: Call): void {
    this.watched.add(call);
  }

  /** A request ends: no longer one to abort. */
  done(call: Call): void {
    call.ended = true;
    if (call.ac) this.watched.delete(call);
  }

  /** Aborts every watched request, and makes the signals of later ones aborted. */
  abortAll(): void {
    this.stopping = true;
    for (const call of this.watched) call.ac?.abort();
  }
}

/**
 * A string body is never copied into a Buffer here: node:http joins it to the pending header and the
 * socket writes both as one chunk (a Buffer body goes as a second chunk after the header).
 */
function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  if (res.destroyed) return;
  const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  // One flat array for writeHead: no copy of the headers object to add Content-Length to.
  const flat: string[] = [];
  for (const name in headers) flat.push(name, headers[name]!);
  flat.push('content-length', String(length));
  res.writeHead(status, flat);
  res.end(body);
}

/** Reads the body as UTF-8, or returns undefined as soon as it exceeds `limit` (never buffering more). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    // One chunk (most requests): decoded as is, not first copied by Buffer.concat.
    req.on('end', () => resolve(over ? undefined : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
    req.on('error', reject);
  });
}

export type { Server };
