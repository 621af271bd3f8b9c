/**
 * svl's own endpoints under `/_svl/` (not AWS APIs):
 * - `GET /_svl/health`: 200 + JSON once the emulator accepts requests (pid, uptime, state dir, counts);
 * - `GET /_svl/sqs/peek?queue=<name>&limit=N`: every message of a queue with its state (visible,
 *   in flight, delayed), receive count and attributes, WITHOUT receiving it (no receive count change,
 *   no visibility change) — what `svl tail` and `svl dlq peek` use on the emulator.
 */
import type { WireResponse } from './protocol/json10.js';
import type { IncomingRequest } from './router.js';
import type { SqsService } from './sqs/service.js';
import type { SnsService } from './sns/service.js';
import { SIGNING_CERT_PATH, signingPublicKeyPem } from './sns/envelope.js';
import { systemAttributes } from './sqs/receive.js';

export interface ControlInfo {
  version: string;
  startedMs: number;
  stateDir?: string;
  inMemory: boolean;
  endpoint: () => string;
}

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
      services: ['sqs', 'sns'],
      counts: { queues: queues.length, messages, topics: this.sns.registry.topics.size, subscriptions: this.sns.registry.subs.size, pendingHttpDeliveries: this.sns.http.pendingCount() },
      sns: this.sns.stats(),
    };
  }

  handle(req: IncomingRequest): WireResponse {
    const url = new URL(`http://x${req.path}${req.search}`);
    if (req.method === 'GET' && url.pathname === '/_svl/health') return json(200, this.health(), req.requestId);
    if (req.method === 'GET' && url.pathname === SIGNING_CERT_PATH) {
      return { status: 200, headers: { 'content-type': 'application/x-pem-file', 'x-amzn-requestid': req.requestId }, body: signingPublicKeyPem() };
    }
    if (req.method === 'GET' && url.pathname === '/_svl/sqs/peek') {
      const q = this.sqs.queues.get(url.searchParams.get('queue') ?? '');
      if (!q) return json(404, { __type: 'QueueDoesNotExist', message: 'The specified queue does not exist.' }, req.requestId);
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 1000) || 1000, 1), 10_000);
      const now = this.sqs.clock.now();
      const all = new Set(['All']);
      const messages = this.sqs.messages.peek(q, limit).map((r) => ({
        MessageId: r.id,
        Body: r.body,
        MD5OfBody: r.md5_body,
        State: r.visible_ms <= now ? 'visible' : r.inflight ? 'inflight' : 'delayed',
        VisibleAt: r.visible_ms,
        Attributes: systemAttributes(r, all) ?? {},
        MessageAttributes: r.attrs ? (JSON.parse(r.attrs) as unknown) : undefined,
      }));
      return json(200, { QueueUrl: `${this.info.endpoint()}/${this.sqs.account}/${q.name}`, QueueArn: q.arn, Messages: messages }, req.requestId);
    }
    return json(404, { __type: 'NotFound', message: `No svl endpoint ${url.pathname}.` }, req.requestId);
  }
}
