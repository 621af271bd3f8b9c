/**
 * How `svl trace` prints a causal tree in an 80-column terminal: one line per hop (time since the hop that
 * caused it, what happened, short resource names), details (filter reasons, errors, log lines) under it.
 *
 * Layout: a hop about the same thing as its parent (same id, same resource: a message's next receive, an
 * invocation's completion) continues the parent's column, so a message's life reads top to bottom; every
 * other child (a delivery, the invocation a receive fed) is a branch (├─ / └─). Unknown event types print
 * their type, resource, id and data, so hops added later still read sensibly.
 *
 * Deliberately not here: building the tree (src/domain/trace.ts), fetching events.
 */
import type { Style } from '../../ui/index.js';
import { errorText, logLines, type JournalEvent, type TraceNode } from '../../domain/trace.js';

export const WIDTH = 80;
const MAX_DETAIL_LINES = 6;

type Tone = 'ok' | 'warn' | 'bad' | 'plain';

interface Hop {
  label: string;
  tone: Tone;
  rest: string;
  details: string[];
}

/** The short name of an ARN: a queue, topic or function name; a subscription as `<topic>/<id prefix>`. */
export function shortName(arn: string | undefined): string {
  if (!arn) return '';
  if (!arn.startsWith('arn:')) return arn;
  const parts = arn.split(':');
  if (parts[2] === 'lambda' && parts[5] === 'function') return parts[6] ?? arn;
  if (parts[2] === 'sns' && parts.length >= 7) return `${parts[5]}/${(parts[6] ?? '').slice(0, 8)}`;
  return parts.slice(5).join(':').replace(/^[a-z-]+\//, '') || arn;
}

/** `+3ms`, `+1.2s`, `+2m03s`. */
export function formatDelta(ms: number): string {
  if (ms < 1000) return `+${Math.round(ms)}ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const s = Math.round(ms / 1000);
  return `+${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const s = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const ordinal = (n: unknown) => (typeof n === 'number' ? `#${n}` : '');
const endpointName = (e: JournalEvent) => {
  const endpoint = s(e.data?.endpoint);
  const protocol = s(e.data?.protocol);
  const service = protocol || (endpoint.startsWith('arn:') ? (endpoint.split(':')[2] ?? '') : '');
  const kind = service === 'sqs' ? 'queue' : service === 'lambda' ? 'function' : service;
  return [kind, endpoint.startsWith('arn:') ? shortName(endpoint) : endpoint].filter(Boolean).join(' ');
};
/** Detail text with every ARN in it shortened to its name. */
const lines = (text: string) =>
  text
    .replace(/arn:aws[\w-]*:[\w-]+:[\w-]*:\d*:[^\s"',)]+/g, (arn) => shortName(arn))
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean);

/** What one event says, in words. */
export function describeHop(e: JournalEvent): Hop {
  const d = e.data ?? {};
  const res = shortName(e.resource);
  const hop = (label: string, tone: Tone, rest = '', details: string[] = []): Hop => ({ label, tone, rest, details });
  switch (e.type) {
    case 'sns.published':
      return hop(`published to ${res}`, 'plain', [`message ${e.id ?? ''}`, d.subject !== undefined ? `subject ${JSON.stringify(d.subject)}` : ''].filter(Boolean).join('  '));
    case 'sns.delivered':
      return hop(`delivered → ${endpointName(e)}`, 'ok', d.raw ? 'raw' : '');
    case 'sns.delivery-queued':
      return hop(`delivery queued → ${endpointName(e)}`, 'plain');
    case 'sns.filtered': {
      const reasons = Array.isArray(d.reasons) ? (d.reasons as Array<{ key?: unknown; reason?: unknown }>) : [];
      return hop(`filtered out → ${endpointName(e)}`, 'warn', '', reasons.map((r) => `${s(r.key)}: ${s(r.reason)}`));
    }
    case 'sns.blocked':
      return hop(`blocked → ${endpointName(e)}`, 'bad', '', lines(s(d.error)));
    case 'sns.delivery-failed':
      return hop(`delivery failed → ${endpointName(e)}`, 'bad', '', lines(s(d.error)));
    case 'sqs.sent':
      return hop(`sent to ${res}`, 'plain', [`message ${e.id ?? ''}`, d.delaySeconds ? `delay ${s(d.delaySeconds)}s` : '', d.groupId !== undefined ? `group ${s(d.groupId)}` : ''].filter(Boolean).join('  '));
    case 'sqs.received': {
      const consumer = s(d.consumer);
      const by = consumer.startsWith('esm:') ? `event source mapping ${consumer.slice(4, 12)}` : consumer || 'ReceiveMessage';
      return hop(`received ${ordinal(d.receiveCount)}`, 'plain', `by ${by}`);
    }
    case 'sqs.visibility-expired':
      return hop('visibility timeout expired', 'warn', 'not deleted: visible again');
    case 'sqs.visibility-changed':
      return hop('visibility changed', 'plain', d.visibilityTimeout !== undefined ? `to ${s(d.visibilityTimeout)}s` : '');
    case 'sqs.deleted':
      return hop(`deleted from ${res}`, 'ok');
    case 'sqs.dead-lettered':
      return hop(`dead-lettered → ${shortName(s(d.deadLetterQueue))}`, 'bad', typeof d.receiveCount === 'number' ? `after ${d.receiveCount} receive${d.receiveCount === 1 ? '' : 's'}` : '');
    case 'sqs.moved':
      return hop(`moved to ${res}`, 'plain', d.from ? `from ${shortName(s(d.from))}` : '');
    case 'sqs.purged':
      return hop(`purged from ${res}`, 'warn');
    case 'lambda.queued':
      return hop(`queued for ${res}`, 'plain', `async  request ${e.id ?? ''}`);
    case 'lambda.invoked': {
      const n = Array.isArray(d.messageIds) ? d.messageIds.length : 0;
      return hop(`invoked ${res}`, 'plain', [s(d.kind), n > 1 ? `batch of ${n}` : '', `request ${e.id ?? ''}`].filter(Boolean).join('  '));
    }
    case 'lambda.completed': {
      const took = typeof d.durationMs === 'number' ? ` in ${d.durationMs}ms` : '';
      if (d.outcome === 'ok') return hop(`ok${took}`, 'ok', d.result !== undefined ? `→ ${s(d.result).replace(/\s+/g, ' ')}` : '');
      const what = d.outcome === 'timeout' ? `timed out${took}` : `error${took}`;
      const err = errorText(s(d.error) || null);
      const details = [...(err ? lines(err).slice(0, 2).map((l) => `${s(d.errorType)}: ${l}`.replace(/^: /, '')) : []), ...logLines(s(d.logTail)).map((l) => `log │ ${l}`)];
      return hop(what, 'bad', err ? '' : s(d.errorType), details);
    }
    case 'lambda.retry-scheduled':
      return hop(`retry ${ordinal(d.attempt)} scheduled`, 'warn', typeof d.delayMs === 'number' ? `in ${formatDelta(d.delayMs).slice(1)}` : '');
    case 'lambda.destination':
      return hop(`sent to ${s(d.kind)} ${shortName(s(d.target))}`, 'ok');
    case 'lambda.destination-failed':
      return hop(`could not send to ${s(d.kind)} ${shortName(s(d.target))}`, 'bad', '', lines(s(d.error)));
    default: {
      const rest = [res, e.id ? `id ${e.id}` : '', ...Object.entries(d).map(([k, v]) => `${k}=${s(v)}`)].filter(Boolean).join('  ');
      const bad = /fail|error|denied|blocked/i.test(e.type);
      return hop(e.type, bad ? 'bad' : 'plain', rest);
    }
  }
}

const fit = (text: string, width: number): string => (text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`);

function paint(style: Style, tone: Tone, text: string): string {
  if (tone === 'ok') return style.green(text);
  if (tone === 'warn') return style.yellow(text);
  if (tone === 'bad') return style.red(text);
  return style.bold(text);
}

/** One hop as a line: `<prefix><+delta> <label>  <rest>`, at most `width` columns. */
export function hopLine(node: TraceNode, prefix: string, style: Style, width = WIDTH): { line: string; details: string[] } {
  const hop = describeHop(node.event);
  const delta = node.afterMs === null ? '' : `${formatDelta(node.afterMs)} `;
  const room = width - prefix.length - delta.length;
  const plain = fit(hop.rest ? `${hop.label}  ${hop.rest}` : hop.label, room);
  const label = plain.slice(0, hop.label.length);
  const line = `${style.dim(prefix)}${style.dim(delta)}${paint(style, hop.tone, label)}${plain.slice(label.length)}`;
  const shown = hop.details.slice(0, MAX_DETAIL_LINES);
  if (hop.details.length > shown.length) shown.push(`… ${hop.details.length - shown.length} more (--json has everything)`);
  return { line, details: shown };
}

/** A child that continues its parent's column: the same id on the same resource. */
const continues = (parent: TraceNode, child: TraceNode) =>
  child.event.id !== undefined && child.event.id === parent.event.id && child.event.resource === parent.event.resource;

function renderNode(node: TraceNode, ind: string, head: string, cont: string, style: Style, width: number, out: string[]): void {
  let at: TraceNode | undefined = node;
  let mark = head;
  while (at) {
    const { line, details } = hopLine(at, ind + mark, style, width);
    out.push(line);
    const next: TraceNode | undefined = [...at.children].reverse().find((c) => continues(at!, c));
    const branches = at.children.filter((c) => c !== next);
    for (const d of details) out.push(`${style.dim(ind + cont + '  ')}${fit(d, width - ind.length - cont.length - 2)}`);
    branches.forEach((b, i) => {
      const last = i === branches.length - 1;
      renderNode(b, ind + cont + ' ', last ? '└─ ' : '├─ ', last ? '   ' : '│  ', style, width, out);
    });
    at = next;
    mark = cont;
  }
}

/** The whole tree: a heading line with the first hop's time, then the hops. */
export function renderTrace(t: { id: string; roots: TraceNode[] }, style: Style, width = WIDTH): string {
  const out: string[] = [];
  const first = t.roots[0]?.event;
  const when = first ? new Date(first.timeMs).toISOString() : '';
  const title = fit(`Trace of ${t.id}`, width);
  out.push(`${style.bold(title)}${when && title.length + when.length + 2 <= width ? style.dim(`  ${when}`) : ''}`);
  for (const r of t.roots) renderNode(r, '', '', '', style, width, out);
  return out.join('\n');
}

/** A hop seen live (--follow): indented one step under the hop that caused it. */
export function renderFollowed(node: TraceNode, depth: number, style: Style, width = WIDTH): string {
  const ind = ' '.repeat(Math.min(depth, 12) * 2);
  const { line, details } = hopLine(node, `${ind}↳ `, style, width);
  return [line, ...details.map((d) => `${style.dim(`${ind}    `)}${fit(d, width - ind.length - 4)}`)].join('\n');
}
