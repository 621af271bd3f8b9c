/**
 * Messages svl received but must not keep: a guarded tail, or a redrive skipping what does not match.
 * They are held invisible (so the same message is not received - and counted - again) with a
 * heartbeat that extends their visibility while svl runs, and released (visibility 0) when it stops.
 * If svl is killed, they come back on their own when the last extension runs out (HOLD_SECONDS).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createLimiter } from './pool.js';
import { sqsSdk } from './sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { ChangeMessageVisibilityBatchCommand } = sqsSdk();

export const HOLD_SECONDS = 60;
const BATCH = 10;

export class Holder {
  private readonly handles = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly limit = createLimiter(4);

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly holdSeconds = HOLD_SECONDS,
  ) {}

  get size(): number {
    return this.handles.size;
  }

  /** Holds a message (by id; a newer receipt handle replaces an older one). */
  add(messageId: string, receiptHandle: string): void {
    this.handles.set(messageId, receiptHandle);
    if (!this.timer) {
      this.timer = setInterval(() => void this.extend().catch(() => undefined), (this.holdSeconds * 1000) / 2);
      this.timer.unref();
    }
  }

  /** The latest receipt handle of a held message. */
  handle(messageId: string): string | undefined {
    return this.handles.get(messageId);
  }

  /** Stops holding a message (it was deleted, or handed on). */
  forget(messageId: string): void {
    this.handles.delete(messageId);
  }

  private async change(seconds: number, entries: Array<[string, string]>): Promise<void> {
    const chunks: Array<Array<[string, string]>> = [];
    for (let i = 0; i < entries.length; i += BATCH) chunks.push(entries.slice(i, i + BATCH));
    await Promise.all(
      chunks.map((chunk) =>
        this.limit(() =>
          this.sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: chunk.map(([, handle], i) => ({ Id: `h${i}`, ReceiptHandle: handle, VisibilityTimeout: seconds })),
            }),
          ),
        ).catch(() => undefined),
      ),
    );
  }

  private extend(): Promise<void> {
    return this.change(this.holdSeconds, [...this.handles]);
  }

  /** Makes every held message visible again; returns how many were released. */
  async release(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const entries = [...this.handles];
    this.handles.clear();
    // A handle that expired (svl was too slow) fails quietly: the message is visible already.
    await this.change(0, entries);
    return entries.length;
  }
}
