/**
 * Looking at what a DLQ holds without moving anything (`svl dlq peek`, a redrive's --dry-run): the
 * emulator's side-effect-free peek, or on AWS a receive that holds what it read invisible (so nothing is
 * read twice) and releases it at the end. A DLQ that itself has a redrive policy gets the same guard as
 * `svl tail`: svl stops before its receives could push a message further down the chain.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { QueueDetails } from '../../aws/dlq.js';
import { mapAwsError } from '../../aws/errors.js';
import { Holder } from '../../aws/holder.js';
import { arnName } from '../../aws/inventory-model.js';
import { canPeek, peekAll } from '../../aws/peek.js';
import type { Target } from '../../aws/target.js';
import { decodePeeked, decodeReceived, type DecodedMessage, type ReadVia } from '../decode.js';
import { matches, type MatchExpr } from '../match.js';
import { sqsSdk } from '../../aws/sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { ReceiveMessageCommand } = sqsSdk();

/** At most this many messages are looked at (a dry run counts within it). */
export const SCAN_LIMIT = 10_000;

export interface Snapshot {
  via: ReadVia;
  /** Matching messages, up to `max`. */
  messages: DecodedMessage[];
  /** Matching messages seen (may exceed `max`). */
  matched: number;
  scanned: number;
  /** Why reading stopped early (the guard), or null. */
  stoppedEarly: string | null;
}

/** `pick`: only messages it accepts count (svl trace on AWS looks for one message id, and stops when found). */
export async function readSnapshot(
  sqs: SQSClient,
  target: Target,
  q: QueueDetails,
  o: { max: number; match: readonly MatchExpr[]; pick?: (m: DecodedMessage) => boolean; signal?: AbortSignal },
): Promise<Snapshot> {
  const out: DecodedMessage[] = [];
  let matched = 0;
  const take = (m: DecodedMessage) => {
    if (!matches(o.match, m) || (o.pick && !o.pick(m))) return;
    matched++;
    if (out.length < o.max) out.push(m);
  };
  if (canPeek(target)) {
    const page = await peekAll(target, q.name, SCAN_LIMIT, o.signal);
    for (const m of page.messages) if (m.State === 'visible') take(decodePeeked(m, q.name));
    return { via: 'peek', messages: out, matched, scanned: page.messages.length, stoppedEarly: null };
  }

  const limit = q.redrive?.maxReceiveCount ?? null;
  const threshold = limit === null ? Infinity : Math.max(2, limit - 1);
  const holder = new Holder(sqs, q.url);
  let scanned = 0;
  let empty = 0;
  let stoppedEarly: string | null = null;
  if (limit !== null && limit <= 1) {
    return { via: 'receive', messages: [], matched: 0, scanned: 0, stoppedEarly: `${q.name} itself redrives to ${arnName(q.redrive!.deadLetterTargetArn)} after 1 receive: reading it would move its messages on` };
  }
  try {
    while (scanned < SCAN_LIMIT && out.length < o.max && empty < 2 && !stoppedEarly) {
      let got;
      try {
        got = (await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
          { abortSignal: o.signal },
        )).Messages ?? [];
      } catch (err) {
        throw mapAwsError(err, { target, service: 'sqs', operation: 'ReceiveMessage', resource: `queue "${q.name}"` });
      }
      empty = got.length === 0 ? empty + 1 : 0;
      for (const m of got) {
        if (!m.MessageId || !m.ReceiptHandle) continue;
        holder.add(m.MessageId, m.ReceiptHandle);
        scanned++;
        const d = decodeReceived(m, q.name, 'receive');
        take(d);
        if ((d.receiveCount ?? 0) >= threshold) stoppedEarly = `message ${d.messageId} has been received ${d.receiveCount} times and ${q.name} redrives after ${limit}: reading on could move messages further`;
      }
    }
  } finally {
    await holder.release();
  }
  return { via: 'receive', messages: out, matched, scanned, stoppedEarly };
}
