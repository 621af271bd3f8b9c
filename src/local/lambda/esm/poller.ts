/**
 * The SQS poller of an event source mapping. It is an ordinary consumer of the SQS service's API: it
 * long-polls ReceiveMessage, invokes the function synchronously with AWS's SQS event, and deletes what
 * succeeded with DeleteMessageBatch. A function error leaves the whole batch to the visibility timeout
 * (SQS then redrives to the DLQ after maxReceiveCount, exactly as on AWS); with ReportBatchItemFailures
 * only the listed messages stay. Messages that match no FilterCriteria pattern are deleted unprocessed.
 * FIFO order needs nothing extra: SQS never hands out a group's next message while one is in flight.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../../domain/aws-error.js';
import { evaluateFilterPolicy, type CompiledFilterPolicy, type FilterMessage } from '../../../domain/filter-policy.js';
import type { LambdaService } from '../service.js';
import { errorMessageOf } from '../destinations.js';

/** What a poller reports after each batch or polling problem (kept by EventSourceMappings for `/_svl`). */
export type PollerReport =
  | { kind: 'batch'; ok: boolean; records: number; failedRecords: number; requestId: string; error: { type: string; message: string } | null }
  | { kind: 'problem'; message: string };

export interface PollerConfig {
  uuid: string;
  functionName: string;
  queueArn: string;
  batchSize: number;
  windowSeconds: number;
  reportBatchItemFailures: boolean;
  filters: CompiledFilterPolicy[];
  report?: (r: PollerReport) => void;
}

type Message = {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  MD5OfMessageAttributes?: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
};

export class SqsPoller {
  private readonly ac = new AbortController();
  private readonly url: string;
  private problem?: string;
  /** True from a received batch until it is invoked and deleted (not while waiting on a long poll or the clock). */
  busy = false;

  constructor(
    private readonly svc: LambdaService,
    readonly config: PollerConfig,
  ) {
    this.url = svc.sqs.queueUrlOfArn(config.queueArn);
  }

  stop(): void {
    this.ac.abort();
  }

  get stopped(): boolean {
    return this.ac.signal.aborted;
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.once();
      } catch (err) {
        if (this.stopped) return;
        const text = err instanceof AwsError ? `${err.code}: ${err.message}` : (err as Error).message;
        if (text !== this.problem) this.svc.log(`λ ${this.config.functionName} <- ${this.config.queueArn}: ${text} (retrying every 10s)`);
        this.config.report?.({ kind: 'problem', message: text });
        this.problem = text;
        await this.sleep(10_000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const h = this.svc.clock.setTimeout(resolve, ms);
      this.ac.signal.addEventListener('abort', () => {
        this.svc.clock.clearTimeout(h);
        resolve();
      }, { once: true });
    });
  }

  /** `requestId` is the invocation's to come: the journal links each received message to it. */
  private async receive(max: number, waitSeconds: number, requestId: string): Promise<Message[]> {
    const out = await this.svc.sqs.call(
      'ReceiveMessage',
      { QueueUrl: this.url, MaxNumberOfMessages: max, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] },
      { requestId, baseUrl: 'http://localhost', signal: this.ac.signal, consumer: `esm:${this.config.uuid}` },
    );
    return (out.Messages as Message[] | undefined) ?? [];
  }

  /** One batch: gather (within the batching window), filter, invoke, delete. */
  private async once(): Promise<void> {
    try {
      await this.batch();
    } finally {
      this.busy = false;
    }
  }

  private async batch(): Promise<void> {
    const c = this.config;
    const fn = this.svc.store.get(c.functionName);
    if (!fn || fn.state.State !== 'Active') {
      if (fn) await this.svc.whenActive(fn.name);
      else await this.sleep(10_000);
      return;
    }
    const requestId = randomUUID();
    let batch = await this.receive(Math.min(10, c.batchSize), 20, requestId);
    if (batch.length === 0 || this.stopped) return;
    this.busy = true;
    this.problem = undefined;
    if (c.windowSeconds > 0) {
      const deadline = this.svc.clock.now() + c.windowSeconds * 1000;
      while (batch.length < c.batchSize && !this.stopped) {
        const left = deadline - this.svc.clock.now();
        if (left <= 0) break;
        this.busy = false; // waiting for more messages or the end of the window: only the clock moves it on
        const more = await this.receive(Math.min(10, c.batchSize - batch.length), Math.min(20, Math.ceil(left / 1000)), requestId);
        this.busy = true;
        batch = batch.concat(more);
      }
    }
    // awsRegion is the queue's region (its ARN's), as on AWS.
    const region = c.queueArn.split(':')[3] || this.svc.region;
    const records = batch.map((m) => sqsRecord(m, c.queueArn, region));
    let keep = records;
    let inBatch = batch;
    if (c.filters.length) {
      const pass = records.map((r) => {
        const message = filterMessage(r);
        return c.filters.some((f) => evaluateFilterPolicy(f, 'MessageBody', message));
      });
      keep = records.filter((_, i) => pass[i]);
      inBatch = batch.filter((_, i) => pass[i]);
      const dropped = batch.filter((_, i) => !pass[i]);
      if (dropped.length) await this.delete(dropped);
    }
    if (keep.length === 0) return;
    const out = await this.svc.invokeNow(fn, JSON.stringify({ Records: keep }), {
      requestId,
      kind: `sqs ${keep.length}`,
      cause: this.svc.journal.lastOf(inBatch[0]!.MessageId),
      messageIds: inBatch.map((m) => m.MessageId),
    });
    const report = (ok: boolean, failedRecords: number, error: { type: string; message: string } | null) =>
      c.report?.({ kind: 'batch', ok, records: keep.length, failedRecords, requestId: out.requestId, error });
    if (!out.ok) {
      report(false, keep.length, { type: out.timedOut ? 'Sandbox.Timedout' : (out.errorType ?? 'Unhandled'), message: errorMessageOf(out.payload) });
      return; // the whole batch returns to the queue after its visibility timeout
    }
    if (!c.reportBatchItemFailures) {
      report(true, 0, null);
      await this.delete(inBatch);
      return;
    }
    const failed = batchItemFailures(out.payload, new Set(inBatch.map((m) => m.MessageId)));
    if (failed === undefined) {
      report(false, keep.length, { type: 'InvalidBatchItemFailures', message: 'the batchItemFailures response was invalid: the whole batch failed' });
      return; // an invalid response fails the whole batch (AWS-recorded)
    }
    report(failed.size === 0, failed.size, failed.size === 0 ? null : { type: 'BatchItemFailures', message: `${failed.size} of ${keep.length} records reported as failed` });
    await this.delete(inBatch.filter((m) => !failed.has(m.MessageId)));
  }

  private async delete(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle }));
      await this.svc.sqs.call('DeleteMessageBatch', { QueueUrl: this.url, Entries: entries }, { requestId: randomUUID(), baseUrl: 'http://localhost' });
    }
  }
}

/**
 * `{"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}`: the ids to retry. `null`, `{}` and an empty
 * list mean all succeeded; a malformed entry or an unknown id makes the whole batch fail (undefined).
 */
export function batchItemFailures(payload: string, ids: Set<string>): Set<string> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (v === null || v === undefined) return new Set();
  if (typeof v !== 'object' || Array.isArray(v)) return undefined;
  const list = (v as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return undefined;
  const out = new Set<string>();
  for (const e of list) {
    const id = e && typeof e === 'object' ? (e as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !ids.has(id)) return undefined;
    out.add(id);
  }
  return out;
}

/** AWS's SQS event record (aws-wire.md §5.4). */
function sqsRecord(m: Message, queueArn: string, region: string): Record<string, unknown> {
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.Attributes ?? {})) if (k !== 'DeadLetterQueueSourceArn') attributes[k] = v;
  const messageAttributes: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[k] = {
      ...(a.StringValue !== undefined && { stringValue: a.StringValue }),
      ...(a.BinaryValue !== undefined && { binaryValue: a.BinaryValue }),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.DataType,
    };
  }
  return {
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: m.Body,
    attributes,
    messageAttributes,
    md5OfMessageAttributes: m.MD5OfMessageAttributes ?? null,
    md5OfBody: m.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * What FilterCriteria patterns see: the record with its body parsed when it is JSON. Built once per
 * record; the matcher reads one message object once, however many patterns it is matched against.
 */
function filterMessage(record: Record<string, unknown>): FilterMessage {
  let body: unknown = record.body;
  try {
    body = JSON.parse(String(record.body));
  } catch {
    /* a plain-text body is matched as a string */
  }
  return { body: JSON.stringify({ ...record, body }) };
}
