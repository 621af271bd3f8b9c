/** The work of `svl publish`: validate everything, find the topic (FIFO or not), publish one message or a stream. */
import { getSns } from '../../aws/clients.js';
import { mapAwsError } from '../../aws/errors.js';
import { arnName } from '../../aws/inventory-model.js';
import { locateTopic } from '../../aws/locate.js';
import type { Target } from '../../aws/target.js';
import { cancelled, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { batchFailures, entryId, renderBulk, runBulk, type BulkResult } from '../bulk.js';
import { checkNdjsonSource, parseSkip } from '../ndjson-input.js';
import { readStdinText } from '../input.js';
import { checkId, checkSubject, fifoProblem, parseAttributeFlags, problemError, resolveBody, sdkAttributes, type OutgoingMessage } from '../messages.js';
import type { PublishFlags } from './index.js';
import { snsSdk } from '../../aws/sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { PublishBatchCommand, PublishCommand } = snsSdk();

/** PublishBatch: at most 256 KiB for the whole batch (AWS). */
const MAX_BATCH_BYTES = 262_144;

/** The SDK fields of one message; Publish and PublishBatch entries share them. */
const snsFields = (m: OutgoingMessage) => ({
  Message: m.body,
  Subject: m.subject,
  MessageAttributes: sdkAttributes(m.attributes),
  MessageGroupId: m.group,
  MessageDeduplicationId: m.dedup,
});

export interface PublishOptions {
  topic: string;
  /** The single message (with --ndjson: the flag defaults for every line). */
  message: OutgoingMessage;
  ndjson?: string;
  /** --ndjson: input lines to pass over (--skip). */
  skip: number;
}

export interface PublishResult {
  topic: { name: string; arn: string };
  messageId: string;
  sequenceNumber: string | null;
}

export type PublishBulkResult = BulkResult & { topic: { name: string; arn: string } };

export function parsePublish(topic: string, message: string | undefined, f: PublishFlags): PublishOptions {
  const defaults: OutgoingMessage = {
    body: '',
    attributes: parseAttributeFlags(f.attr),
    group: checkId(f.group, '--group'),
    dedup: checkId(f.dedup, '--dedup'),
    subject: checkSubject(f.subject),
  };
  const skip = parseSkip(f.skip, f.ndjson !== undefined);
  if (f.ndjson !== undefined) {
    if (message !== undefined) throw new UsageError('Give a message or --ndjson, not both', { hint: 'drop the message argument to publish the lines of --ndjson' });
    if (f.dedup !== undefined) throw new UsageError('--dedup with --ndjson would give every line the same deduplication id', { hint: 'Put "dedup" on each line instead' });
    return { topic, message: defaults, ndjson: checkNdjsonSource(f.ndjson), skip };
  }
  const out = { ...defaults, body: resolveBody(message, process.stdin, () => readStdinText('message'), 'message') };
  const name = topic.startsWith('arn:') ? arnName(topic) : topic;
  const early = name.endsWith('.fifo') ? fifoProblem(out, { fifo: true, contentBasedDeduplication: true, kind: 'topic' }) : undefined;
  if (early) throw problemError(early, name);
  return { topic, message: out, skip };
}

export async function runPublish(o: PublishOptions, target: Target, ui: Pick<Ui, 'info' | 'spinner'>, signal?: AbortSignal, resume: (lines: number) => string = (n) => `svl publish … --skip ${n}`): Promise<PublishResult | PublishBulkResult> {
  const sns = await getSns(target, ui);
  const t = await locateTopic(sns, o.topic, target, signal).catch((err: unknown) => {
    throw signal?.aborted ? cancelled({ done: 'nothing published (stopped while looking up the topic)' }) : err;
  });
  const topic = { name: t.name, arn: t.arn };

  if (o.ndjson === undefined) {
    const problem = fifoProblem(o.message, { ...t, kind: 'topic' });
    if (problem) throw problemError(problem, t.name);
    const m = o.message;
    try {
      const out = await sns.send(
        new PublishCommand({
          TopicArn: t.arn,
          ...snsFields(m),
        }),
        { abortSignal: signal },
      );
      return { topic, messageId: out.MessageId ?? '', sequenceNumber: out.SequenceNumber ?? null };
    } catch (err) {
      throw mapAwsError(err, { target, service: 'sns', operation: 'Publish', resource: `topic "${t.name}"` });
    }
  }

  // Batch calls are not given the signal: Ctrl-C lets the batches in flight be acknowledged, so counts stay exact.
  return runBulk(
    {
      kind: 'publish',
      source: o.ndjson,
      skip: o.skip,
      defaults: o.message,
      destination: { ...t, kind: 'topic' },
      maxBatchBytes: MAX_BATCH_BYTES,
      target,
      signal,
      ui,
      resume,
      sendBatch: async (entries) => {
        const out = await sns.send(
          new PublishBatchCommand({
            TopicArn: t.arn,
            PublishBatchRequestEntries: entries.map(({ line, message: m }) => ({ Id: entryId(line), ...snsFields(m) })),
          }),
        );
        return batchFailures(out.Failed);
      },
    },
    { topic },
  );
}

export function renderPublish(r: PublishResult | PublishBulkResult, ui: Ui): string {
  if ('failed' in r) return renderBulk({ ...r, destination: r.topic.name }, ui);
  const lines = [`${ui.style.dim('MessageId')}       ${r.messageId}`];
  if (r.sequenceNumber) lines.push(`${ui.style.dim('SequenceNumber')}  ${r.sequenceNumber}`);
  return lines.join('\n');
}
