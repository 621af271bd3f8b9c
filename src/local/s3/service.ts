/**
 * The S3 service (skeleton): streaming requests are handed over before their body is read, so uploads
 * of any size stream to disk instead of through the 4 MiB buffer the other services use.
 *
 * Fidelity ledger
 * - Supported: nothing yet; every operation answers AWS's `NotImplemented` (501, XML).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../store/db.js';
import type { Clock } from '../clock.js';
import type { LogFn } from '../log.js';
import type { SqsService } from '../sqs/service.js';
import type { SnsService } from '../sns/service.js';
import type { LambdaService } from '../lambda/service.js';
import type { StreamContext } from '../protocol/request.js';
import { escapeXml } from '../protocol/xml.js';

export interface S3ServiceOptions {
  db: Db;
  clock: Clock;
  sqs: SqsService;
  sns: SnsService;
  lambda: LambdaService;
  /** Durable emulators keep object bodies under `<stateDir>/s3`; in-memory ones in a temp dir. */
  stateDir?: string;
  log?: LogFn;
}

export class S3Service {
  constructor(readonly opts: S3ServiceOptions) {}

  /** Answers one S3 request; the body is still unread on `req`. */
  async handle(req: IncomingMessage, res: ServerResponse, ctx: StreamContext): Promise<void> {
    req.resume();
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message><RequestId>${escapeXml(ctx.requestId)}</RequestId></Error>`;
    res.writeHead(501, { 'content-type': 'application/xml', 'x-amz-request-id': ctx.requestId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  start(): void {}
  stop(): void {}

  /** Why S3 is not idle (empty when it is). */
  busy(): string[] {
    return [];
  }
}
