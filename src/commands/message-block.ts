/**
 * One readable block per message, for `svl tail`, `svl dlq peek` and a redrive's dry run: a header
 * line (time, where, message id), a line of facts (receive count, group, state, origin), the attributes,
 * then the body - pretty-printed when it is JSON.
 */
import type { Style } from '../ui/index.js';
import { arnName } from '../aws/inventory-model.js';
import type { DecodedMessage } from './decode.js';
import { describeS3Event } from './s3-event.js';

const MAX_BODY_LINES = 200;

/** `extra`: lines shown under the facts (a dead letter's reason), indented like them. */
export function renderMessageBlock(m: DecodedMessage, style: Style, extra: readonly string[] = []): string {
  const head = [style.dim(m.sentAt ?? 'time unknown'), style.bold(m.source), style.cyan(m.messageId)].join('  ');
  const facts: string[] = [];
  if (m.receiveCount !== null) facts.push(`received ${m.receiveCount}×`);
  if (m.groupId !== null) facts.push(`group ${m.groupId}`);
  if (m.sequenceNumber !== null) facts.push(`seq ${m.sequenceNumber}`);
  if (m.state !== null && m.state !== 'visible') facts.push(style.yellow(m.state === 'inflight' ? 'in flight' : 'delayed'));
  if (m.sns) facts.push(`topic ${m.sns.topic}${m.sns.subject ? ` · subject ${JSON.stringify(m.sns.subject)}` : ''}`);
  if (m.deadLetterSourceArn) facts.push(`dead-lettered from ${arnName(m.deadLetterSourceArn)}`);
  const lines = [head];
  if (facts.length > 0) lines.push(`  ${style.dim(facts.join(' · '))}`);
  lines.push(...extra.map((l) => `  ${l}`));
  const attrs = Object.entries(m.attributes);
  if (attrs.length > 0) lines.push(`  ${attrs.map(([k, v]) => `${style.dim(`${k}=`)}${v}`).join('  ')}`);
  if (m.s3) lines.push(...describeS3Event(m.s3).map((l) => `  ${m.s3!.test ? style.yellow(l) : style.bold(l)}`));
  lines.push(...bodyLines(m).map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}

function bodyLines(m: DecodedMessage): string[] {
  const text = m.bodyIsJson ? JSON.stringify(m.body, null, 2) : String(m.body);
  const lines = text.split('\n');
  if (lines.length <= MAX_BODY_LINES) return lines;
  return [...lines.slice(0, MAX_BODY_LINES), `… ${lines.length - MAX_BODY_LINES} more lines (--json prints everything)`];
}
