/** The work of `svl send`: validate everything, find the queue (FIFO or not), send one message or a stream. */
import { getSqs } from '../../aws/clients.js';
import { mapAwsError } from '../../aws/errors.js';
import { locateQueue, queueRefName } from '../../aws/locate.js';
import type { Target } from '../../aws/target.js';
import { cancelled, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { batchFailures, entryId, renderBulk, runBulk, type BulkResult } from '../bulk.js';
import { checkNdjsonSource, parseSkip } from '../ndjson-input.js';
import { readStdinText } from '../input.js';
import { checkId, fifoProblem, parseAttributeFlags, parseDelay, problemError, resolveBody, sdkAttributes, type OutgoingMessage } from '../messages.js';
import type { SendFlags } from './index.js';
import { sqsSdk } from '../../aws/sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { SendMessageBatchCommand, SendMessageCommand } = sqsSdk();

/** SendMessageBatch: at most 1 MiB for the whole batch (AWS, since August 2025). */
const MAX_BATCH_BYTES = 1_048_576;

/** The SDK fields of one message; SendMessage and SendMessageBatch entries share them. */
const sqsFields = (m: OutgoingMessage) => ({
  MessageBody: m.body,
  MessageAttributes: sdkAttributes(m.attributes),
  MessageGroupId: m.group,
  MessageDeduplicationId: m.dedup,
  DelaySeconds: m.delay,
});

export interface SendOptions {
  queue: string;
  /** The single message (absent with --ndjson, where it holds the flag defaults instead). */
  message: OutgoingMessage;
  ndjson?: string;
  /** --ndjson: input lines to pass over (--skip). */
  skip: number;
}

export interface SendResult {
  queue: { name: string; url: string };
  messageId: string;
  sequenceNumber: string | null;
  md5OfBody: string | null;
}

export type SendBulkResult = BulkResult & { queue: { name: string; url: string } };

export function parseSend(queue: string, body: string | undefined, f: SendFlags): SendOptions {
  const defaults: OutgoingMessage = {
    body: '',
    attributes: parseAttributeFlags(f.attr),
    group: checkId(f.group, '--group'),
    dedup: checkId(f.dedup, '--dedup'),
    delay: parseDelay(f.delay),
  };
  const skip = parseSkip(f.skip, f.ndjson !== undefined);
  if (f.ndjson !== undefined) {
    if (body !== undefined) throw new UsageError('Give a message body or --ndjson, not both', { hint: 'drop the message argument to send the lines of --ndjson' });
    if (f.dedup !== undefined) throw new UsageError('--dedup with --ndjson would give every line the same deduplication id', { hint: 'Put "dedup" on each line instead' });
    return { queue, message: defaults, ndjson: checkNdjsonSource(f.ndjson), skip };
  }
  const message = { ...defaults, body: resolveBody(body, process.stdin, () => readStdinText('message body'), 'message body') };
  // A .fifo name is FIFO whatever its attributes say: no need to ask AWS to know --group is missing.
  const name = queueRefName(queue);
  const early = name.endsWith('.fifo') ? fifoProblem(message, { fifo: true, contentBasedDeduplication: true, kind: 'queue' }) : undefined;
  if (early) throw problemError(early, name);
  return { queue, message, skip };
}

export async function runSend(o: SendOptions, target: Target, ui: Pick<Ui, 'info' | 'spinner'>, signal?: AbortSignal, resume: (lines: number) => string = (n) => `svl send … --skip ${n}`): Promise<SendResult | SendBulkResult> {
  const sqs = await getSqs(target, ui);
  const q = await locateQueue(sqs, o.queue, target, signal).catch((err: unknown) => {
    throw signal?.aborted ? cancelled({ done: 'nothing sent (stopped while looking up the queue)' }) : err;
  });
  const queue = { name: q.name, url: q.url };
  const fail = (err: unknown, operation: string) => mapAwsError(err, { target, service: 'sqs', operation, resource: `queue "${q.name}"` });

  if (o.ndjson === undefined) {
    const problem = fifoProblem(o.message, { ...q, kind: 'queue' });
    if (problem) throw problemError(problem, q.name);
    const m = o.message;
    try {
      const out = await sqs.send(
        new SendMessageCommand({
          QueueUrl: q.url,
          ...sqsFields(m),
        }),
        { abortSignal: signal },
      );
      return { queue, messageId: out.MessageId ?? '', sequenceNumber: out.SequenceNumber ?? null, md5OfBody: out.MD5OfMessageBody ?? null };
    } catch (err) {
      throw fail(err, 'SendMessage');
    }
  }

  // Batch calls are not given the signal: Ctrl-C lets the batches in flight be acknowledged, so counts stay exact.
  return runBulk(
    {
      kind: 'send',
      source: o.ndjson,
      skip: o.skip,
      defaults: o.message,
      destination: { ...q, kind: 'queue' },
      maxBatchBytes: MAX_BATCH_BYTES,
      target,
      signal,
      ui,
      resume,
      sendBatch: async (entries) => {
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: q.url,
            Entries: entries.map(({ line, message: m }) => ({ Id: entryId(line), ...sqsFields(m) })),
          }),
        );
        return batchFailures(out.Failed);
      },
    },
    { queue },
  );
}

export function renderSend(r: SendResult | SendBulkResult, ui: Ui): string {
  if ('failed' in r) return renderBulk({ ...r, destination: r.queue.name }, ui);
  const lines = [`${ui.style.dim('MessageId')}       ${r.messageId}`];
  if (r.sequenceNumber) lines.push(`${ui.style.dim('SequenceNumber')}  ${r.sequenceNumber}`);
  return lines.join('\n');
}
