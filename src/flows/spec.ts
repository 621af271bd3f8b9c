/**
 * The flow spec: a declarative description of a fan-out (one SNS topic, subscriber queues, one DLQ per
 * queue, optional Lambda consumers), validated with every problem listed at once.
 */
import { FLOW_TAG } from '../aws/inventory-model.js';
import { UsageError } from '../errors.js';

/** The tag that marks what a flow owns: one definition, shared with the inventory. */
export { FLOW_TAG };

export const SPEC_VERSION = 1;

export interface DlqSpec {
  name: string;
  maxReceiveCount: number;
  retentionSeconds: number;
}

export interface ConsumerSpec {
  function: string;
  batchSize: number;
  batchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
}

export interface QueueSpec {
  /** Short name used in the flow (e.g. `billing`). */
  id: string;
  name: string;
  visibilityTimeout: number;
  retentionSeconds: number;
  delaySeconds: number;
  rawDelivery: boolean;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope: 'MessageAttributes' | 'MessageBody';
  dlq: DlqSpec | null;
  consumer?: ConsumerSpec;
}

export interface FlowSpec {
  version: number;
  name: string;
  topic: { name: string; fifo: boolean; contentBasedDeduplication: boolean };
  queues: QueueSpec[];
  tags: Record<string, string>;
}

const NAME_RE = /^[A-Za-z0-9_-]+$/;

/** Validates untrusted JSON into a FlowSpec; throws one UsageError listing every bad field. */
export function validateSpec(raw: unknown, source = 'flow spec'): FlowSpec {
  const errors: string[] = [];
  const bad = (path: string, msg: string) => errors.push(`${path}: ${msg}`);
  const obj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (!obj(raw)) throw new UsageError(`${source} must be a JSON object.`, { hint: 'a flow spec is a JSON object like the ones `svl init` writes; see `svl init --list`' });

  const name = raw.name;
  if (typeof name !== 'string' || !NAME_RE.test(name) || name.length > 64) bad('name', 'must be 1-64 characters of letters, digits, - and _');

  const t = raw.topic;
  let topic: FlowSpec['topic'] = { name: '', fifo: false, contentBasedDeduplication: false };
  if (!obj(t)) bad('topic', 'must be an object with at least a name');
  else {
    const fifo = t.fifo === undefined ? false : t.fifo;
    if (typeof fifo !== 'boolean') bad('topic.fifo', 'must be true or false');
    const cbd = t.contentBasedDeduplication === undefined ? false : t.contentBasedDeduplication;
    if (typeof cbd !== 'boolean') bad('topic.contentBasedDeduplication', 'must be true or false');
    if (cbd === true && fifo !== true) bad('topic.contentBasedDeduplication', 'only FIFO topics support content-based deduplication');
    const tn = t.name;
    if (typeof tn !== 'string') bad('topic.name', 'is required');
    else checkName(tn, fifo === true, 256, 'topic.name', bad);
    topic = { name: String(tn ?? ''), fifo: fifo === true, contentBasedDeduplication: cbd === true };
  }

  const queues: QueueSpec[] = [];
  if (!Array.isArray(raw.queues) || raw.queues.length === 0) bad('queues', 'must list at least one queue');
  else {
    const seen = new Set<string>();
    raw.queues.forEach((q, i) => {
      const p = `queues[${i}]`;
      if (!obj(q)) return bad(p, 'must be an object');
      const id = typeof q.id === 'string' ? q.id : typeof q.name === 'string' ? q.name : '';
      const qn = q.name;
      if (typeof qn !== 'string') return bad(`${p}.name`, 'is required');
      checkName(qn, topic.fifo, 80, `${p}.name`, bad);
      if (seen.has(qn)) bad(`${p}.name`, `"${qn}" appears twice`);
      seen.add(qn);
      const int = (key: string, def: number, min: number, max: number): number => {
        const v = q[key];
        if (v === undefined) return def;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`${p}.${key}`, `must be an integer from ${min} to ${max}`);
        return typeof v === 'number' ? v : def;
      };
      const scope = q.filterPolicyScope ?? 'MessageAttributes';
      if (scope !== 'MessageAttributes' && scope !== 'MessageBody') bad(`${p}.filterPolicyScope`, 'must be MessageAttributes or MessageBody');
      if (q.filterPolicy !== undefined && !obj(q.filterPolicy)) bad(`${p}.filterPolicy`, 'must be a JSON object (an SNS filter policy)');
      if (q.rawDelivery !== undefined && typeof q.rawDelivery !== 'boolean') bad(`${p}.rawDelivery`, 'must be true or false');
      let dlq: DlqSpec | null = null;
      if (q.dlq !== false && q.dlq !== null) {
        const d = q.dlq === undefined ? {} : q.dlq;
        if (!obj(d)) bad(`${p}.dlq`, 'must be an object, or false for no DLQ');
        else {
          const base = qn.endsWith('.fifo') ? qn.slice(0, -5) : qn;
          const dn = typeof d.name === 'string' ? d.name : `${base}-dlq${topic.fifo ? '.fifo' : ''}`;
          checkName(dn, topic.fifo, 80, `${p}.dlq.name`, bad);
          const mrc = d.maxReceiveCount ?? 5;
          if (typeof mrc !== 'number' || !Number.isInteger(mrc) || mrc < 1 || mrc > 1000) bad(`${p}.dlq.maxReceiveCount`, 'must be an integer from 1 to 1000');
          const ret = d.retentionSeconds ?? 1_209_600;
          if (typeof ret !== 'number' || !Number.isInteger(ret) || ret < 60 || ret > 1_209_600) bad(`${p}.dlq.retentionSeconds`, 'must be an integer from 60 to 1209600');
          if (seen.has(dn)) bad(`${p}.dlq.name`, `"${dn}" is used twice`);
          seen.add(dn);
          dlq = { name: dn, maxReceiveCount: Number(mrc), retentionSeconds: Number(ret) };
        }
      }
      let consumer: ConsumerSpec | undefined;
      if (q.consumer !== undefined) {
        const c = q.consumer;
        if (!obj(c) || typeof c.function !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(c.function)) {
          bad(`${p}.consumer.function`, 'must name a Lambda function (1-64 letters, digits, - and _)');
        } else {
          const bs = c.batchSize ?? 10;
          if (typeof bs !== 'number' || !Number.isInteger(bs) || bs < 1 || bs > (topic.fifo ? 10 : 10_000)) bad(`${p}.consumer.batchSize`, `must be an integer from 1 to ${topic.fifo ? 10 : 10000}`);
          const w = c.batchingWindowSeconds ?? 0;
          if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 300) bad(`${p}.consumer.batchingWindowSeconds`, 'must be an integer from 0 to 300');
          consumer = { function: c.function, batchSize: Number(bs), batchingWindowSeconds: Number(w), reportBatchItemFailures: c.reportBatchItemFailures !== false };
        }
      }
      queues.push({
        id,
        name: qn,
        visibilityTimeout: int('visibilityTimeout', 30, 0, 43_200),
        retentionSeconds: int('retentionSeconds', 345_600, 60, 1_209_600),
        delaySeconds: int('delaySeconds', 0, 0, 900),
        rawDelivery: q.rawDelivery === true,
        filterPolicy: obj(q.filterPolicy) ? q.filterPolicy : undefined,
        filterPolicyScope: scope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes',
        dlq,
        consumer,
      });
      if (topic.fifo && int('delaySeconds', 0, 0, 900) !== 0) bad(`${p}.delaySeconds`, 'FIFO queues take no per-queue delay in a fan-out (use 0)');
    });
  }

  const tags: Record<string, string> = {};
  if (raw.tags !== undefined) {
    if (!obj(raw.tags)) bad('tags', 'must be an object of string values');
    else for (const [k, v] of Object.entries(raw.tags)) {
      if (typeof v !== 'string') bad(`tags.${k}`, 'must be a string');
      else if (k === FLOW_TAG) bad(`tags.${k}`, 'is set by svl');
      else tags[k] = v;
    }
  }
  if (errors.length) {
    throw new UsageError(`Invalid ${source}:\n  - ${errors.join('\n  - ')}`, { hint: 'Fix the listed fields; `svl init --list` shows working templates.' });
  }
  return { version: SPEC_VERSION, name: name as string, topic, queues, tags };
}

function checkName(n: string, fifo: boolean, max: number, path: string, bad: (p: string, m: string) => void): void {
  const base = n.endsWith('.fifo') ? n.slice(0, -5) : n;
  if (!NAME_RE.test(base) || n.length > max) bad(path, `"${n}" must be 1-${max} characters of letters, digits, - and _${fifo ? ', ending in .fifo' : ''}`);
  else if (fifo && !n.endsWith('.fifo')) bad(path, `"${n}" must end in .fifo: the topic is FIFO, and FIFO topics deliver only to FIFO queues`);
  else if (!fifo && n.endsWith('.fifo')) bad(path, `"${n}" ends in .fifo but the topic is standard: a standard topic cannot deliver to FIFO queues`);
}

/** Fixed attribute values svl sets on every flow queue, besides the spec's. */
export const flowTags = (spec: FlowSpec): Record<string, string> => ({ ...spec.tags, [FLOW_TAG]: spec.name });
