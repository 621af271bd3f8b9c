/**
 * Templates (templates/*.json) turned into flow specs. A template either has `defaults` for the fan-out
 * generator (name, queues, fifo, maxReceiveCount, raw, filters) or a fixed `spec`; a template with a
 * `consumer` also comes with handler code (templates/<handlerDir>/) that `svl init` writes and deploys.
 * Also: bucket names made unique per account for AWS, and `{{bucket}}`/`{{topic}}` in function environments.
 * Nothing here calls AWS or writes files.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { validateSpec, type FlowSpec } from './spec.js';

export const templatesDir = (): string => fileURLToPath(new URL('../../templates/', import.meta.url));

export interface FanoutParams {
  name: string;
  queues: string[];
  fifo: boolean;
  contentBasedDeduplication?: boolean;
  maxReceiveCount: number;
  raw: boolean;
  filters: Record<string, Record<string, unknown>>;
}

export interface Template {
  id: string;
  description: string;
  defaults?: FanoutParams;
  spec?: unknown;
  /** Lambda consumers of every queue; `handlerDir` (under templates/) is the code `svl init` writes and deploys. */
  consumer?: { handlerDir: string; batchSize: number; batchingWindowSeconds: number; reportBatchItemFailures: boolean; timeout?: number };
  /**
   * Handler code for the functions of a fixed spec's APIs (http-api, users-api): one directory, deployed
   * once per function with that function's handler (`file.export`).
   */
  code?: {
    handlerDir: string;
    handlers: Record<string, string>;
    timeout?: number;
    /** Environment per function; `{{bucket}}` and `{{topic}}` stand for the spec's first bucket and its topic (templateEnv). */
    env?: Record<string, Record<string, string>>;
    /** The name of the code directory in the project (default `<flow>-worker`). */
    dirName?: string;
    /** A file of random bytes written into the code directory once (kept when init runs again), e.g. a token key. */
    secretFile?: string;
  };
  /** A whole project: written into its own directory (`--dir`, default `./<flow>`), spec and code. */
  project?: boolean;
  /** The first commands to try after `svl init` (without the leading `svl`), when the template knows better than the generic ones. */
  next?: string[];
  /** A bucket `<name><suffix>` (lowercased) notifying the first queue of these events (upload-pipeline). */
  bucket?: { suffix: string; events: string[] };
}

/** The handler code a template comes with (a directory under templates/), or undefined. */
export const templateCodeDir = (t: Template): string | undefined => {
  const dir = t.consumer?.handlerDir ?? t.code?.handlerDir;
  return dir ? `${templatesDir()}${dir}` : undefined;
};

export function listTemplates(): Template[] {
  return readdirSync(templatesDir())
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadTemplate(f.slice(0, -5)));
}

export function loadTemplate(id: string): Template {
  if (!/^[a-z0-9-]+$/.test(id)) throw unknownTemplate(id);
  let raw: string;
  try {
    raw = readFileSync(`${templatesDir()}${id}.json`, 'utf8');
  } catch {
    throw unknownTemplate(id);
  }
  return { id, ...(JSON.parse(raw) as Omit<Template, 'id'>) };
}

function unknownTemplate(id: string): UsageError {
  const known = readdirSync(templatesDir()).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  return new UsageError(`Unknown template "${id}".`, { hint: `Templates: ${known.join(', ')} (svl init --list).` });
}

/** Builds the spec of a fan-out: topic `<name>`, queues `<name>-<q>`, DLQs `<name>-<q>-dlq` (`.fifo` when FIFO). */
export function fanoutSpec(p: FanoutParams, consumer?: Template['consumer'], bucket?: Template['bucket']): FlowSpec {
  const sfx = p.fifo ? '.fifo' : '';
  for (const q of Object.keys(p.filters)) {
    if (!p.queues.includes(q)) throw new UsageError(`--filter ${q}=…: there is no queue "${q}" (queues: ${p.queues.join(', ')}).`, { hint: 'name one of those queues before the =, e.g. --filter <queue>=<policy>' });
  }
  const raw = {
    version: 1,
    name: p.name,
    topic: { name: `${p.name}${sfx}`, fifo: p.fifo, contentBasedDeduplication: p.fifo && (p.contentBasedDeduplication ?? false) },
    queues: p.queues.map((q) => ({
      id: q,
      name: `${p.name}-${q}${sfx}`,
      rawDelivery: p.raw,
      // AWS's advice for a queue Lambda reads (and what `svl doctor` checks): >= 6 x timeout + batching window.
      ...(consumer?.timeout !== undefined && { visibilityTimeout: Math.max(30, 6 * consumer.timeout + consumer.batchingWindowSeconds) }),
      ...(p.filters[q] ? { filterPolicy: p.filters[q] } : {}),
      dlq: { name: `${p.name}-${q}-dlq${sfx}`, maxReceiveCount: p.maxReceiveCount },
      ...(consumer
        ? {
            consumer: {
              function: `${p.name}-${q}-worker`,
              batchSize: consumer.batchSize,
              batchingWindowSeconds: consumer.batchingWindowSeconds,
              reportBatchItemFailures: consumer.reportBatchItemFailures,
              ...(consumer.timeout !== undefined && { timeout: consumer.timeout }),
            },
          }
        : {}),
    })),
    // Bucket names are lowercase (S3); `_` is not allowed in them either.
    ...(bucket && { buckets: [{ name: `${p.name.toLowerCase().replace(/_/g, '-')}${bucket.suffix}`, notifications: [{ events: bucket.events, queue: p.queues[0] }] }] }),
  };
  return validateSpec(raw, `template flow "${p.name}"`);
}

/**
 * Bucket names are global across AWS accounts: a template's fixed name (users-app-images) would be taken
 * by the first account that creates it. On AWS the names get `-<account id>`; on the emulator they stay
 * as written, readable. A name that would outgrow S3's 63 characters is refused with the way out.
 */
export function accountUniqueBuckets(spec: FlowSpec, account: string): FlowSpec {
  if (!spec.buckets?.length) return spec;
  const buckets = spec.buckets.map((b) => {
    const name = b.name.endsWith(`-${account}`) ? b.name : `${b.name}-${account}`;
    if (name.length > 63) {
      throw new UsageError(`The bucket name ${name} (the template's name plus the account id, as bucket names are global) is ${name.length} characters; S3 allows 63.`, {
        hint: 'Choose a shorter flow name.',
      });
    }
    return { ...b, name };
  });
  return { ...spec, buckets };
}

/** A template's function environment with `{{bucket}}` and `{{topic}}` filled in from the spec. */
export function templateEnv(env: Record<string, string> | undefined, spec: FlowSpec): Record<string, string> | undefined {
  if (!env) return undefined;
  const vars: Record<string, string> = { bucket: spec.buckets?.[0]?.name ?? '', topic: spec.topic.name };
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\{\{(\w+)\}\}/g, (m, name: string) => vars[name] ?? m)]));
}

export function templateSpec(t: Template, p?: FanoutParams): FlowSpec {
  if (t.spec) return validateSpec(t.spec, `template ${t.id}`);
  return fanoutSpec(p ?? t.defaults!, t.consumer, t.bucket);
}
