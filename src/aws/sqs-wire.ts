/**
 * SQS's three bulk operations — ReceiveMessage, SendMessageBatch, DeleteMessageBatch — as direct AWS
 * JSON 1.0 requests, for the one hot path where the SDK's per-call machinery is the bottleneck: the
 * client-side mover of `svl dlq redrive`. Measured on this project's 2-core benchmark machine against
 * the emulator, a SendMessageBatch of 10 costs ~1.1 ms of client CPU through `SQSClient.send`
 * (middleware stack resolution, schema serde, async hash APIs) and ~0.3 ms here; that difference is
 * most of what lets a redrive outrun a naive loop by an order of magnitude.
 *
 * It reaches AWS as the SDK client it is made from would, using that client's own parts: its credential
 * provider chain (profiles, SSO, roles; refreshed by the SDK), its region, its endpoint resolution
 * (custom endpoint, AWS_ENDPOINT_URL_SQS, the FIPS/dual-stack rules, and the queue URL's host as the
 * SDK's `useQueueUrlAsEndpoint` does), its clock offset and max attempts, and the SDK's SigV4 signer
 * (`@smithy/signature-v4`). Transport is Node's http/https with keep-alive agents, as the SDK's default
 * NodeHttpHandler (svl never configures another). What is ours: the JSON of three operations, the body
 * MD5 checks the SDK makes (`middleware-sdk-sqs`), standard-mode retries (the SDK's error classes and
 * backoff) and errors shaped like the SDK's (`name`, `Code`, `$fault`, `$metadata`), so `mapAwsError`
 * and every caller treat them alike. Tests check the signature with botocore's signer.
 *
 * Everything else in svl goes through `SQSClient.send`; so do these three with `SVL_SQS_WIRE=0`.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SdkError } from '@smithy/types';
import * as Sqs from '@aws-sdk/client-sqs';
import type {
  DeleteMessageBatchRequest,
  DeleteMessageBatchResult,
  Message,
  ReceiveMessageRequest,
  SendMessageBatchRequest,
  SendMessageBatchResult,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { readVersion } from '../version.js';
import { sleep } from './pool.js';

export interface SqsWire {
  receiveMessage(input: ReceiveMessageRequest, options?: { abortSignal?: AbortSignal }): Promise<{ Messages?: Message[] }>;
  sendMessageBatch(input: SendMessageBatchRequest): Promise<SendMessageBatchResult>;
  deleteMessageBatch(input: DeleteMessageBatchRequest): Promise<DeleteMessageBatchResult>;
}

/** The parts of an SQSClient's resolved config used here (all public fields of `client.config`). */
interface WireConfig {
  region: () => Promise<string>;
  credentials: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'];
  isCustomEndpoint?: boolean;
  endpoint?: () => Promise<EndpointV1>;
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  endpointProvider: (params: Record<string, unknown>, context?: object) => { url: URL; properties?: { authSchemes?: Array<{ signingRegion?: string }> } };
  useFipsEndpoint: () => Promise<boolean>;
  useDualstackEndpoint: () => Promise<boolean>;
  useQueueUrlAsEndpoint?: boolean;
  maxAttempts: () => Promise<number>;
  systemClockOffset?: number;
  signingEscapePath?: boolean;
}

interface EndpointV1 {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
}

/** What the SDK's signer takes (the shape of @smithy's HttpRequest). */
interface WireRequest extends EndpointV1 {
  method: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

interface WireResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  text: string;
}

/** A socket silent this long (beyond a long poll's wait) fails the attempt with ETIMEDOUT, which is retried. */
const IDLE_TIMEOUT_MS = 60_000;

/** One HTTP exchange on keep-alive agents (the SDK's NodeHttpHandler defaults: keep-alive, 50 sockets). */
function exchange(request: WireRequest, agents: { http: http.Agent; https: https.Agent }, idleMs: number, signal?: AbortSignal): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const secure = request.protocol === 'https:';
    const req = (secure ? https : http).request(
      {
        protocol: request.protocol,
        host: request.hostname,
        ...(request.port !== undefined && { port: request.port }),
        path: request.path,
        method: request.method,
        headers: request.headers,
        agent: secure ? agents.https : agents.http,
        ...(signal && { signal }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers as Record<string, string | undefined>, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(idleMs, () => req.destroy(Object.assign(new Error(`No response from ${request.hostname} in ${idleMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** An AWS error answered over the wire, shaped like the SDK's service exceptions. */
class SqsWireError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string; attempts?: number; clockSkewCorrected?: boolean };
  readonly Code: string;

  constructor(name: string, code: string, message: string, status: number, requestId: string | undefined) {
    super(message);
    this.name = name;
    this.Code = code;
    this.$fault = status >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode: status, ...(requestId && { requestId }) };
  }
}

/** The error names a clock-skew correction applies to (the SDK's signer corrects on these). */
const CLOCK_SKEW = new Set(['AuthFailure', 'InvalidSignatureException', 'RequestExpired', 'RequestInTheFuture', 'RequestTimeTooSkewed', 'SignatureDoesNotMatch']);
const MAX_BACKOFF_MS = 20_000;
/** The SDK corrects its clock when a response's Date is this far from its own. */
const CLOCK_SKEW_MS = 300_000;

type RetryClass = 'throttling' | 'transient' | undefined;

type ErrorLike = SdkError & { Code?: string };

/**
 * How the SDK's standard retry mode classifies an error (undefined: not retried), with the SDK's own
 * classifiers: throttling, or transient (timeouts, connection errors, 500/502/503/504, a request signed
 * with a clock just corrected). SQS's query codes count too (`AWS.SimpleQueueService.RequestThrottled`).
 */
export function retryClass(err: unknown): RetryClass {
  const e = err as ErrorLike | undefined;
  if (!e || e.name === 'AbortError') return undefined;
  const names = [e.name, e.Code].filter((x): x is string => typeof x === 'string').map((n) => n.replace(/^AWS\.SimpleQueueService\./, ''));
  if (names.some((name) => isThrottlingError({ ...e, name }))) return 'throttling';
  return isTransientError(e) ? 'transient' : undefined;
}

/** The standard mode's delay before retry `attempt` (1-based): full jitter, 100 ms base (500 ms when throttled), 20 s cap. */
export function backoffMs(attempt: number, cls: RetryClass, random: () => number = Math.random): number {
  const base = cls === 'throttling' ? 500 : 100;
  return Math.floor(random() * Math.min(MAX_BACKOFF_MS, base * 2 ** (attempt - 1)));
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

type WireAttribute = { DataType?: string; StringValue?: string; BinaryValue?: string; StringListValues?: string[]; BinaryListValues?: string[] };

/**
 * Attribute values between the SDK's shape and the wire's: binaries are Uint8Arrays in the SDK and
 * base64 on the wire; everything else passes as it is.
 */
function convertBinaries(attrs: Record<string, object> | undefined, binary: (v: never) => unknown): Record<string, object> | undefined {
  if (!attrs) return undefined;
  const out: Record<string, object> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const { BinaryValue: b, BinaryListValues: list } = v as { BinaryValue?: never; BinaryListValues?: never[] };
    out[k] = b === undefined && list === undefined ? v : { ...v, ...(b !== undefined && { BinaryValue: binary(b) }), ...(list !== undefined && { BinaryListValues: list.map(binary) }) };
  }
  return out;
}

const toBase64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const fromBase64 = (s: string) => Buffer.from(s, 'base64');

/** The request body of SendMessageBatch (exported for tests). */
export function sendBatchBody(input: SendMessageBatchRequest): object {
  return {
    QueueUrl: input.QueueUrl,
    Entries: (input.Entries ?? []).map((e) => ({
      ...e,
      MessageAttributes: convertBinaries(e.MessageAttributes, toBase64),
      MessageSystemAttributes: convertBinaries(e.MessageSystemAttributes, toBase64),
    })),
  };
}

/** A ReceiveMessage response as the SDK returns it (exported for tests). */
export function receivedMessages(body: { Messages?: Array<Omit<Message, 'MessageAttributes'> & { MessageAttributes?: Record<string, WireAttribute> }> }): Message[] | undefined {
  return body.Messages?.map((m) => ({ ...m, MessageAttributes: convertBinaries(m.MessageAttributes, fromBase64) as Message['MessageAttributes'] }));
}

/** The SDK's body checks: an MD5 that does not match what was sent or received fails the call. */
export function checkReceivedMd5(messages: readonly Message[]): void {
  const bad = messages.filter((m) => m.MD5OfBody !== md5(m.Body ?? '')).map((m) => m.MessageId);
  if (bad.length > 0) throw new Error(`Invalid MD5 checksum on messages: ${bad.join(', ')}`);
}

export function checkSentMd5(input: SendMessageBatchRequest, out: SendMessageBatchResult): void {
  const sent = new Map((input.Entries ?? []).map((e) => [e.Id, e.MessageBody ?? '']));
  const bad = (out.Successful ?? []).filter((s) => s.MD5OfMessageBody !== md5(sent.get(s.Id) ?? '')).map((s) => s.MessageId);
  if (bad.length > 0) throw new Error(`Invalid MD5 checksum on messages: ${bad.join(', ')}`);
}

/**
 * An AWS JSON 1.0 error response named as the SDK names it. SQS is awsQueryCompatible: the SDK takes the
 * query code (x-amzn-query-error) as the error's identity and `Code`, and names the error after the
 * modelled exception when there is one (`QueueDoesNotExist` for AWS.SimpleQueueService.NonExistentQueue),
 * else after the query code itself (`InvalidParameterValue`, not the shape `InvalidParameterValueException`).
 */
export function wireError(status: number, headers: Record<string, string | undefined>, text: string, isModelled: (name: string) => boolean): SqsWireError {
  let body: { __type?: string; message?: string; Message?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON (a proxy's HTML page): the status is all there is
  }
  const type = body.__type?.split('#').pop()?.split(':')[0] || undefined;
  const queryCode = headers['x-amzn-query-error']?.split(';')[0] || undefined;
  const identity = queryCode ?? type ?? (status === 429 ? 'TooManyRequestsException' : 'UnknownError');
  const name = type && isModelled(type) ? type : identity;
  const message = body.message ?? body.Message ?? (type || queryCode ? identity : `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  return new SqsWireError(name, identity, message, status, headers['x-amzn-requestid'] ?? headers['x-amz-request-id']);
}

const wires = new WeakMap<SQSClient, SqsWire>();

function viaSdk(sqs: SQSClient): SqsWire {
  return {
    receiveMessage: (input, options) => sqs.send(new Sqs.ReceiveMessageCommand(input), options),
    sendMessageBatch: (input) => sqs.send(new Sqs.SendMessageBatchCommand(input)),
    deleteMessageBatch: (input) => sqs.send(new Sqs.DeleteMessageBatchCommand(input)),
  };
}

/** The SQS errors the installed SDK models (its exception classes), by name. */
function modelledErrors(): (name: string) => boolean {
  const names = new Set(Object.entries(Sqs).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Sqs.SQSServiceException).map(([k]) => k));
  return (name) => names.has(name);
}

/**
 * The wire client of an SQS client (one per client). `SVL_SQS_WIRE=0` puts the SDK client itself behind
 * the same interface: a fallback should some network set-up need the SDK's transport, and the
 * benchmark's measure of what the wire saves.
 */
export function sqsWire(sqs: SQSClient, env: NodeJS.ProcessEnv = process.env): SqsWire {
  if (['0', 'off', 'false'].includes(env.SVL_SQS_WIRE ?? '')) return viaSdk(sqs);
  let w = wires.get(sqs);
  if (!w) {
    w = createWire(sqs.config as unknown as WireConfig, modelledErrors());
    wires.set(sqs, w);
  }
  return w;
}

interface ResolvedEndpoint {
  url: URL;
  custom: boolean;
  signingRegion: string;
}

/**
 * The client's endpoint as the SDK resolves it: its endpoint rules, given the configured endpoint (flag,
 * AWS_ENDPOINT_URL_SQS) when there is one, as the SDK's endpoint middleware does.
 */
async function resolveEndpoint(cfg: WireConfig): Promise<ResolvedEndpoint> {
  const region = await cfg.region();
  let endpoint: string | undefined;
  // An endpoint given to the client (svl passes --endpoint-url and AWS_ENDPOINT_URL_SQS this way) beats
  // the queue URL's host; one the SDK finds in the environment by itself does not (its queue URL
  // middleware only knows the constructor's endpoint).
  const custom = !!(cfg.isCustomEndpoint && cfg.endpoint);
  if (custom) {
    const e = await cfg.endpoint!();
    endpoint = `${e.protocol}//${e.hostname}${e.port !== undefined ? `:${e.port}` : ''}${e.path}`;
  } else endpoint = await cfg.serviceConfiguredEndpoint?.();
  const resolved = cfg.endpointProvider({ Region: region, UseFIPS: await cfg.useFipsEndpoint(), UseDualStack: await cfg.useDualstackEndpoint(), ...(endpoint && { Endpoint: endpoint }) });
  return { url: resolved.url, custom, signingRegion: resolved.properties?.authSchemes?.[0]?.signingRegion ?? region };
}

/** Where a request for this queue goes: the SDK sends to the queue URL's host unless the endpoint is custom. */
function requestTarget(cfg: WireConfig, r: ResolvedEndpoint, queueUrl: string | undefined): EndpointV1 {
  let url = r.url;
  if (!r.custom && cfg.useQueueUrlAsEndpoint !== false && queueUrl) {
    try {
      const origin = new URL(new URL(queueUrl).origin);
      if (origin.origin !== url.origin) url = origin;
    } catch {
      // not a URL: SQS answers it with its own error
    }
  }
  // The SDK posts JSON-RPC operations to the endpoint's path with a trailing slash.
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return { protocol: url.protocol, hostname: url.hostname, ...(url.port && { port: Number(url.port) }), path };
}

/** Where the wire sends a request about `queueUrl`, and the region it signs for. */
export async function wireEndpoint(sqs: SQSClient, queueUrl?: string): Promise<EndpointV1 & { signingRegion: string }> {
  const cfg = sqs.config as unknown as WireConfig;
  const r = await resolveEndpoint(cfg);
  return { ...requestTarget(cfg, r, queueUrl), signingRegion: r.signingRegion };
}

function createWire(cfg: WireConfig, isModelled: (name: string) => boolean): SqsWire {
  const userAgent = `svl/${readVersion()} lang/js md/nodejs#${process.versions.node} api/sqs`;
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 50 }), https: new https.Agent({ keepAlive: true, maxSockets: 50 }) };
  interface Base {
    signer: SignatureV4;
    maxAttempts: number;
    /** Where requests about a queue URL go, with their Host header (a redrive touches a few queues). */
    target(queueUrl: string | undefined): EndpointV1 & { host: string };
  }
  let base: Promise<Base> | undefined;

  const resolveBase = () =>
    (base ??= (async (): Promise<Base> => {
      const resolved = await resolveEndpoint(cfg);
      const targets = new Map<string | undefined, EndpointV1 & { host: string }>();
      return {
        signer: new SignatureV4({ credentials: cfg.credentials, region: resolved.signingRegion, service: 'sqs', sha256: cfg.sha256, uriEscapePath: cfg.signingEscapePath ?? true }),
        maxAttempts: Math.max(1, await cfg.maxAttempts()),
        target(queueUrl) {
          let t = targets.get(queueUrl);
          if (!t) {
            const at = requestTarget(cfg, resolved, queueUrl);
            targets.set(queueUrl, (t = { ...at, host: at.port !== undefined ? `${at.hostname}:${at.port}` : at.hostname }));
          }
          return t;
        },
      };
    })()).catch((err: unknown) => {
      base = undefined;
      throw err;
    });

  const once = async (b: Base, operation: string, body: string, queueUrl: string | undefined, attempt: number, idleMs: number, abortSignal?: AbortSignal): Promise<unknown> => {
    const { host, ...at } = b.target(queueUrl);
    const request: WireRequest = {
      ...at,
      method: 'POST',
      query: {},
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${operation}`,
        'x-amzn-query-mode': 'true',
        'content-length': String(Buffer.byteLength(body)),
        host,
        'amz-sdk-request': `attempt=${attempt}; max=${b.maxAttempts}`,
      },
      body,
    };
    const signed = (await b.signer.sign(request, { signingDate: new Date(Date.now() + (cfg.systemClockOffset ?? 0)) })) as WireRequest;
    signed.headers['user-agent'] = userAgent;
    const response = await exchange(signed, agents, idleMs, abortSignal);
    const text = response.text;
    if (response.statusCode >= 300) {
      const err = wireError(response.statusCode, response.headers, text, isModelled);
      // As the SDK does: when the server's clock is far from ours, sign the next attempt with its clock.
      const server = Date.parse(response.headers.date ?? '');
      if (Number.isFinite(server) && Math.abs(server - (Date.now() + (cfg.systemClockOffset ?? 0))) >= CLOCK_SKEW_MS) {
        cfg.systemClockOffset = server - Date.now();
        if (CLOCK_SKEW.has(err.name)) err.$metadata.clockSkewCorrected = true;
      }
      throw err;
    }
    if (!text) return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SqsWireError('UnknownError', 'UnknownError', `Not an SQS response (HTTP ${response.statusCode}): ${text.slice(0, 200)}`, response.statusCode, response.headers['x-amzn-requestid']);
    }
  };

  const call = async (operation: string, input: object, queueUrl: string | undefined, abortSignal?: AbortSignal, idleMs = IDLE_TIMEOUT_MS): Promise<unknown> => {
    const body = JSON.stringify(input);
    const b = await resolveBase();
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(b, operation, body, queueUrl, attempt, idleMs, abortSignal);
      } catch (err) {
        const cls = abortSignal?.aborted ? undefined : retryClass(err);
        if (cls === undefined || attempt >= b.maxAttempts) {
          if (err && typeof err === 'object' && '$metadata' in err) Object.assign((err as SqsWireError).$metadata, { attempts: attempt });
          throw err;
        }
        await sleep(backoffMs(attempt, cls), abortSignal);
      }
    }
  };

  return {
    async receiveMessage(input, options) {
      const out = (await call('ReceiveMessage', input, input.QueueUrl, options?.abortSignal, IDLE_TIMEOUT_MS + (input.WaitTimeSeconds ?? 20) * 1000)) as Parameters<typeof receivedMessages>[0];
      const messages = receivedMessages(out);
      if (messages) checkReceivedMd5(messages);
      return messages ? { Messages: messages } : {};
    },
    async sendMessageBatch(input) {
      const out = (await call('SendMessageBatch', sendBatchBody(input), input.QueueUrl)) as SendMessageBatchResult;
      checkSentMd5(input, out);
      return out;
    },
    async deleteMessageBatch(input) {
      return (await call('DeleteMessageBatch', input, input.QueueUrl)) as DeleteMessageBatchResult;
    },
  };
}
