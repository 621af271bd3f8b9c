/**
 * The work of `svl status`: discover, narrow to a flow (or group everything), render one table per view,
 * plus the Lambda consumers (event source mappings) of the queues shown, with their last error.
 */
import { getLambda, getS3, getSns, getSqs } from '../../aws/clients.js';
import { describeNotification } from '../../flows/buckets.js';
import {
  discoverInventory,
  flowNotFound,
  groupByFlow,
  flowNames,
  isDeadLetterQueue,
  selectFlow,
  totalDepth,
  arnName,
  type ConsumerInfo,
  type FlowSummary,
  type Inventory,
  type QueueDepth,
  type QueueInfo,
} from '../../aws/inventory.js';
import { sleep } from '../../aws/pool.js';
import type { Target } from '../../aws/target.js';
import { UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { renderStatus } from './render.js';
import type { ApiInfo } from '../../aws/apis-inventory.js';
import { statusApis } from './apis.js';
import type { StatusFlags } from './index.js';

export { renderStatus };

export interface StatusOptions {
  flow?: string;
  /** Set with --watch: seconds between refreshes. */
  watchSeconds?: number;
}

export const DEFAULT_WATCH_SECONDS = 2;
const MIN_WATCH_SECONDS = 0.5;
const MAX_WATCH_SECONDS = 3600;

export interface QueueStatus {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  depth: QueueDepth;
  oldestMessageAgeSeconds: number | null;
  deadLetterQueue: string | null;
  /** The DLQ's depth, so a row can show it without looking the DLQ up. */
  deadLetterDepth: QueueDepth | null;
  maxReceiveCount: number | null;
  isDeadLetterQueue: boolean;
}

export interface SubscriptionStatus {
  arn: string | null;
  protocol: string;
  endpoint: string;
  /** The queue name for sqs subscriptions. */
  queue: string | null;
  confirmed: boolean;
  filter: string | null;
  filterPolicy: string | null;
  filterPolicyScope: string;
  rawMessageDelivery: boolean;
  deadLetterQueue: string | null;
  deadLetterDepth: QueueDepth | null;
}

/** A Lambda event source mapping reading one of the queues shown. */
export interface ConsumerStatus {
  queue: string;
  function: string;
  uuid: string;
  state: string;
  batchSize: number | null;
  stateTransitionReason: string | null;
  lastProcessingResult: string | null;
  lastError: { type: string; message: string; at: string | null } | null;
}

/** Whether consumers could be listed; when not, `reason` says why (e.g. lambda:ListEventSourceMappings denied). */
export type LambdaAvailability = { available: boolean; reason?: string } | null;

interface Where {
  kind: 'local' | 'aws';
  region: string | null;
}

export interface FlowStatus {
  kind: 'flow';
  flow: string;
  target: Where;
  generatedAt: string;
  topics: Array<{ name: string; arn: string; fifo: boolean; subscriptions: SubscriptionStatus[] }>;
  queues: QueueStatus[];
  consumers: ConsumerStatus[];
  lambda: LambdaAvailability;
  /** The flow's HTTP APIs with their invoke URLs (absent when it has none). */
  apis?: ApiInfo[];
  /** The flow's buckets and their notifications (only when it has buckets). */
  buckets?: BucketStatus[];
}

/** A bucket of a flow: where its events go. */
export interface BucketStatus {
  name: string;
  notifications: Array<{ id: string; events: string[]; prefix: string | null; suffix: string | null; destination: { kind: 'queue' | 'topic' | 'function'; name: string; arn: string }; summary: string }>;
}

export interface OverviewStatus {
  kind: 'overview';
  target: Where;
  generatedAt: string;
  flows: FlowSummary[];
  untagged: { topics: Array<{ name: string; arn: string; fifo: boolean; subscriptions: number }>; queues: QueueStatus[] };
  /** The consumers of every queue (flows' and untagged). */
  consumers: ConsumerStatus[];
  lambda: LambdaAvailability;
  /** Every HTTP API (absent when there are none). */
  apis?: ApiInfo[];
}

export type StatusResult = FlowStatus | OverviewStatus;

/**
 * `--watch` takes an optional number, so `svl status --watch orders` hands "orders" to --watch: when
 * no flow was given, a non-numeric --watch value is taken as the flow (watching every 2 s).
 */
export function parseStatus(flow: string | undefined, f: StatusFlags): StatusOptions {
  if (f.watch === undefined || f.watch === false) return { flow };
  if (f.watch === true) return { flow, watchSeconds: DEFAULT_WATCH_SECONDS };
  const n = Number(f.watch);
  if (f.watch.trim() !== '' && Number.isFinite(n)) {
    if (n < MIN_WATCH_SECONDS || n > MAX_WATCH_SECONDS) throw new UsageError(`--watch must be between ${MIN_WATCH_SECONDS} and ${MAX_WATCH_SECONDS} seconds (got ${f.watch})`, { hint: 'e.g. --watch 5' });
    return { flow, watchSeconds: n };
  }
  if (flow === undefined) return { flow: f.watch, watchSeconds: DEFAULT_WATCH_SECONDS };
  throw new UsageError(`--watch takes a number of seconds (got "${f.watch}")`, { hint: 'e.g. svl status orders --watch 5' });
}

export async function runStatus(o: StatusOptions, target: Target, ui: Pick<Ui, 'info'>, signal?: AbortSignal): Promise<StatusResult> {
  const [sqs, sns, lambda, s3] = await Promise.all([getSqs(target, ui), getSns(target, ui), getLambda(target, ui), getS3(target, ui)]);
  const [inv, apis] = await Promise.all([discoverInventory({ target, sqs, sns, lambda, s3, signal }), statusApis(target, ui, o.flow)]);
  const where: Where = { kind: target.kind, region: target.region ?? null };
  const generatedAt = new Date().toISOString();
  const withApis = apis.length ? { apis } : {};
  if (o.flow === undefined) return { ...overview(inv, where, generatedAt), ...withApis };
  const f = selectFlow(inv, o.flow);
  if (!f) throw flowNotFound(o.flow, flowNames(inv), target);
  const { nameOf, depthOf } = lookups(inv);
  return {
    kind: 'flow',
    flow: o.flow,
    target: where,
    generatedAt,
    topics: f.topics.map((t) => ({
      name: t.name,
      arn: t.arn,
      fifo: t.fifo,
      subscriptions: f.subscriptions
        .filter((s) => s.topicArn === t.arn)
        .map((s) => ({
          arn: s.arn,
          protocol: s.protocol,
          endpoint: s.endpoint,
          queue: s.protocol === 'sqs' ? nameOf(s.endpoint) : null,
          confirmed: s.confirmed,
          filter: s.filter,
          filterPolicy: s.filterPolicy,
          filterPolicyScope: s.filterPolicyScope,
          rawMessageDelivery: s.rawMessageDelivery,
          deadLetterQueue: s.deadLetterTargetArn ? nameOf(s.deadLetterTargetArn) : null,
          deadLetterDepth: s.deadLetterTargetArn ? depthOf(s.deadLetterTargetArn) : null,
        }))
        .sort((a, b) => cmp(a.queue ?? a.endpoint, b.queue ?? b.endpoint)),
    })),
    queues: f.queues.map((q) => queueStatus(q, nameOf, depthOf)),
    consumers: consumerStatuses(f.consumers, nameOf),
    lambda: inv.lambda,
    ...withApis,
    ...(f.buckets?.length && {
      buckets: f.buckets.map((b) => ({
        name: b.name,
        notifications: b.notifications.map((n) => ({
          id: n.id,
          events: n.events,
          prefix: n.prefix ?? null,
          suffix: n.suffix ?? null,
          destination: { kind: n.kind, name: n.kind === 'queue' ? nameOf(n.arn) : n.kind === 'function' ? (n.arn.split(':')[6] ?? arnName(n.arn)) : arnName(n.arn), arn: n.arn },
          summary: describeNotification(n),
        })),
      })),
    }),
  };
}

const consumerStatuses = (consumers: ConsumerInfo[], nameOf: (arn: string) => string): ConsumerStatus[] =>
  consumers
    .map((c) => ({
      queue: nameOf(c.eventSourceArn),
      function: c.functionName,
      uuid: c.uuid,
      state: c.state,
      batchSize: c.batchSize,
      stateTransitionReason: c.stateTransitionReason ?? null,
      lastProcessingResult: c.lastProcessingResult ?? null,
      lastError: c.lastError ?? null,
    }))
    .sort((a, b) => cmp(a.queue, b.queue) || cmp(a.function, b.function));

function overview(inv: Inventory, target: Where, generatedAt: string): OverviewStatus {
  const { flows, untagged } = groupByFlow(inv);
  const { nameOf, depthOf } = lookups(inv);
  return {
    kind: 'overview',
    target,
    generatedAt,
    flows,
    untagged: {
      topics: untagged.topics.map((t) => ({ name: t.name, arn: t.arn, fifo: t.fifo, subscriptions: inv.subscriptions.filter((s) => s.topicArn === t.arn).length })),
      queues: untagged.queues.map((q) => queueStatus(q, nameOf, depthOf)),
    },
    consumers: consumerStatuses(inv.consumers, nameOf),
    lambda: inv.lambda,
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function lookups(inv: Inventory) {
  const byArn = new Map(inv.queues.map((q) => [q.arn, q]));
  return {
    nameOf: (arn: string) => byArn.get(arn)?.name ?? arnName(arn),
    depthOf: (arn: string) => byArn.get(arn)?.depth ?? null,
  };
}

const queueStatus = (q: QueueInfo, nameOf: (arn: string) => string, depthOf: (arn: string) => QueueDepth | null): QueueStatus => ({
  name: q.name,
  url: q.url,
  arn: q.arn,
  fifo: q.fifo,
  depth: q.depth,
  oldestMessageAgeSeconds: q.oldestMessageAgeSeconds,
  deadLetterQueue: q.redrive ? nameOf(q.redrive.deadLetterTargetArn) : null,
  deadLetterDepth: q.redrive ? depthOf(q.redrive.deadLetterTargetArn) : null,
  maxReceiveCount: q.redrive?.maxReceiveCount ?? null,
  isDeadLetterQueue: isDeadLetterQueue(q),
});

/** Stderr notes that go with a result: messages waiting in dead-letter queues. */
export function statusWarnings(r: StatusResult): string[] {
  const dlqMessages = r.kind === 'flow'
    ? r.queues.filter((q) => q.isDeadLetterQueue).reduce((n, q) => n + totalDepth(q.depth), 0)
    : r.flows.reduce((n, f) => n + f.deadLetterMessages, 0) + r.untagged.queues.filter((q) => q.isDeadLetterQueue).reduce((n, q) => n + totalDepth(q.depth), 0);
  const out = dlqMessages > 0 ? [`${dlqMessages} message${dlqMessages === 1 ? '' : 's'} in dead-letter queues`] : [];
  if (r.lambda && !r.lambda.available) out.push(`Lambda consumers not shown: ${r.lambda.reason ?? 'ListEventSourceMappings failed'}`);
  return out;
}

/**
 * Re-runs the status until Ctrl-C: a redraw on a terminal, appended renderings when piped, NDJSON with
 * --json. Returns how many refreshes were shown once the signal aborted (the caller reports the cancel).
 */
export async function watchStatus(o: StatusOptions, target: Target, ui: Ui, signal: AbortSignal): Promise<number> {
  let shown = 0;
  for (let n = 0; !signal.aborted; n++) {
    try {
      const r = await runStatus(o, target, ui, signal);
      ui.clear();
      ui.record(r, (x) => `${n > 0 ? '\n' : ''}${renderStatus(x, ui)}`);
      shown++;
      if (!ui.json) ui.hint(`${new Date().toLocaleTimeString()} · every ${o.watchSeconds}s · Ctrl-C to stop`);
    } catch (err) {
      if (signal.aborted) break;
      if (n === 0) throw err; // a bad flow name or no access: say so instead of retrying forever
      ui.warn(`refresh failed: ${(err as Error).message}`);
    }
    try {
      await sleep(o.watchSeconds! * 1000, signal);
    } catch {
      break; // Ctrl-C
    }
  }
  return shown;
}
