/**
 * The emulator's side-effect-free view of a queue (`GET /_svl/sqs/peek`, src/local/control.ts): every
 * message with its state and receive count, read without receiving - so nothing's receive count or
 * visibility changes. Only the emulator has it; on AWS every read is a receive.
 */
import { SvlError } from '../errors.js';
import type { Target } from './target.js';

export type PeekState = 'visible' | 'inflight' | 'delayed';

export interface PeekedMessage {
  Seq: number;
  MessageId: string;
  Body: string;
  MD5OfBody: string;
  State: PeekState;
  VisibleAt: number;
  Attributes: Record<string, string>;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
}

export interface PeekPage {
  queueArn: string;
  /** The emulator's clock (epoch ms): "since" arithmetic must use its time, which tests fake. */
  now: number;
  messages: PeekedMessage[];
}

/** The largest page the endpoint returns. */
export const PEEK_PAGE = 1000;

export const canPeek = (target: Target): boolean => target.kind === 'local' && target.endpoints.sqs !== undefined;

/** One page of messages that arrived after `after` (a `Seq` cursor), oldest first. */
export async function peekPage(target: Target, queue: string, o: { after?: number; limit?: number; signal?: AbortSignal } = {}): Promise<PeekPage> {
  const endpoint = target.endpoints.sqs;
  if (target.kind !== 'local' || !endpoint) throw new SvlError('Peeking needs the local emulator', 2, { code: 'UsageError', hint: 'Use --local' });
  const url = `${endpoint}/_svl/sqs/peek?queue=${encodeURIComponent(queue)}&limit=${o.limit ?? PEEK_PAGE}&after=${o.after ?? 0}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: o.signal });
  } catch (err) {
    if (o.signal?.aborted) throw err;
    throw new SvlError(`Could not reach the local emulator on ${endpoint} (${(err as Error).message})`, 1, { code: 'EmulatorUnreachable', hint: 'check it with `svl local status`', cause: err });
  }
  const body = (await res.json().catch(() => ({}))) as { QueueArn?: string; Now?: number; Messages?: PeekedMessage[]; message?: string; __type?: string };
  if (res.status === 404 && body.__type === 'QueueDoesNotExist') {
    throw new SvlError(`Queue "${queue}" not found (local emulator)`, 1, { code: 'QueueDoesNotExist', hint: 'List what exists with `svl status --local`' });
  }
  if (!res.ok) {
    throw new SvlError(`The emulator's peek endpoint answered ${res.status}${body.message ? `: ${body.message}` : ''}`, 1, {
      code: body.__type ?? 'PeekFailed',
      hint: 'An older emulator may lack it: restart it with `svl local stop && svl local start`',
    });
  }
  return { queueArn: body.QueueArn ?? '', now: body.Now ?? Date.now(), messages: body.Messages ?? [] };
}

/** Every message of a queue (up to `max`), paging through the cursor. */
export async function peekAll(target: Target, queue: string, max: number, signal?: AbortSignal): Promise<PeekPage> {
  const out: PeekedMessage[] = [];
  let after = 0;
  let page: PeekPage;
  do {
    page = await peekPage(target, queue, { after, limit: Math.min(PEEK_PAGE, max - out.length), signal });
    out.push(...page.messages);
    after = page.messages.at(-1)?.Seq ?? after;
  } while (page.messages.length === PEEK_PAGE && out.length < max);
  return { ...page, messages: out };
}
