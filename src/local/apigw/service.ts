/**
 * API Gateway v2 (HTTP APIs), skeleton: the management API (REST-JSON, `/v2/...`) arrives buffered like
 * the other services' requests; invoke URLs (`<apiId>.execute-api.localhost`, `/_aws/execute-api/...`)
 * are handed over before their body is read, so binary bodies arrive as bytes.
 *
 * Fidelity ledger
 * - Supported: nothing yet; the management API answers `NotFoundException`, invoke URLs 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { LogFn } from '../log.js';
import type { SnsService } from '../sns/service.js';
import type { LambdaService } from '../lambda/service.js';
import type { IncomingRequest, StreamContext } from '../protocol/request.js';
import type { WireResponse } from '../protocol/json10.js';
import { ApiEventRecorder } from './recorder.js';

export interface ApiGatewayServiceOptions {
  db: Db;
  clock: Clock;
  sns: SnsService;
  lambda: LambdaService;
  log?: LogFn;
}

export class ApiGatewayService {
  /** The Lambda events of recent requests, for `svl http --event` (recorder.ts). */
  readonly events = new ApiEventRecorder();

  constructor(readonly opts: ApiGatewayServiceOptions) {}

  /** One management API request (`/v2/apis…`, `/v2/tags/…`). */
  async rest(req: IncomingRequest, ctx: { requestId: string; baseUrl: string; region?: string }): Promise<WireResponse> {
    return {
      status: 404,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': ctx.requestId, 'x-amzn-errortype': 'NotFoundException' },
      body: JSON.stringify({ message: `Invalid API identifier specified ${req.path}` }),
    };
  }

  /** One request to an invoke URL; the body is still unread on `req`. */
  async invoke(req: IncomingMessage, res: ServerResponse, ctx: StreamContext): Promise<void> {
    req.resume();
    const body = JSON.stringify({ message: 'Not Found' });
    res.writeHead(404, { 'content-type': 'application/json', 'apigw-requestid': ctx.requestId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  start(): void {}
  stop(): void {}

  /** Why API Gateway is not idle (empty when it is). */
  busy(): string[] {
    return [];
  }
}
