/**
 * Event source mappings for SQS: Create/Get/List/Update/DeleteEventSourceMapping (202 with the
 * transitional State, then Enabled/Disabled), durable in SQLite, one set of pollers per enabled mapping
 * (ScalingConfig.MaximumConcurrency of them, else ESM_DEFAULT_POLLERS). Only SQS sources are supported.
 *
 * Like AWS, CreateEventSourceMapping refuses a queue whose VisibilityTimeout is shorter than the
 * function's Timeout (400 InvalidParameterValueException "Queue visibility timeout: 30 seconds is less
 * than Function timeout: 60 seconds", as recorded in terraform/CDK deploy logs against real AWS). AWS does
 * not re-check when the function's timeout is raised later (UpdateFunctionConfiguration) nor on
 * UpdateEventSourceMapping, so neither does svl: a later mismatch only shows as duplicate deliveries.
 *
 * `health()` is svl's own view (`GET /_svl/lambda/event-source-mappings`, read by `svl status`): per
 * mapping, the last batch (ok, records, failed records) and the last error (a function error, a timeout,
 * batch item failures, or a polling problem). In memory only: it describes this run of the emulator.
 * AWS's LastProcessingResult is not returned for SQS mappings (AWS fills it for stream sources).
 */
import { randomUUID } from 'node:crypto';
import * as E from '../errors.js';
import type { LambdaHandler, LambdaService } from '../service.js';
import type { Input, Output } from '../model.js';
import { optInt, parseFunctionName } from '../model.js';
import { compileFilterPolicy, type CompiledFilterPolicy } from '../../../domain/filter-policy.js';
import { SqsPoller, type PollerReport } from './poller.js';
import {
  ESM_DEFAULT_BATCH,
  ESM_DEFAULT_POLLERS,
  ESM_MAX_BATCH_FIFO,
  ESM_MAX_BATCH_STANDARD,
  ESM_MAX_CONCURRENCY,
  ESM_MAX_WINDOW,
  ESM_MIN_CONCURRENCY,
  type ESM_OPERATIONS,
} from '../constants.js';
import { realSetImmediate } from '../../timers.js';

interface MappingConfig {
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FunctionResponseTypes: string[];
  MaximumConcurrency?: number;
  Filters?: Array<{ Pattern: string }>;
  Enabled: boolean;
}

interface Mapping {
  uuid: string;
  functionName: string;
  sourceArn: string;
  config: MappingConfig;
  state: string;
  stateReason: string;
  modifiedMs: number;
}

interface Row {
  uuid: string;
  function: string;
  source_arn: string;
  config: string;
  state: string;
  state_reason: string;
  modified_ms: number;
}

/** What the emulator saw of one mapping's processing since it started. */
export interface MappingHealth {
  uuid: string;
  functionName: string;
  eventSourceArn: string;
  state: string;
  batches: number;
  lastBatch: { atMs: number; ok: boolean; records: number; failedRecords: number; requestId: string } | null;
  lastError: { atMs: number; type: string; message: string; requestId: string | null } | null;
}

export class EventSourceMappings {
  private readonly s;
  private readonly pollers = new Map<string, SqsPoller[]>();
  private readonly seen = new Map<string, Pick<MappingHealth, 'batches' | 'lastBatch' | 'lastError'>>();
  private started = false;
  private settling = 0;

  constructor(private readonly svc: LambdaService) {
    const db = svc.db;
    this.s = {
      all: db.prepare(`SELECT * FROM lambda_esm ORDER BY modified_ms, uuid`),
      get: db.prepare(`SELECT * FROM lambda_esm WHERE uuid = ?`),
      put: db.prepare(`INSERT OR REPLACE INTO lambda_esm (uuid, function, source_arn, config, state, state_reason, modified_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      delete: db.prepare(`DELETE FROM lambda_esm WHERE uuid = ?`),
      count: db.prepare(`SELECT COUNT(*) AS n FROM lambda_esm`),
    };
  }

  count(): number {
    return (this.s.count.get() as { n: number }).n;
  }

  start(): void {
    this.started = true;
    for (const m of this.all()) this.settle(m);
  }

  stop(): void {
    this.started = false;
    for (const uuid of [...this.pollers.keys()]) this.stopPollers(uuid);
  }

  /**
   * Why the mappings are not idle: a state change not yet settled, a batch being invoked or deleted, or
   * visible messages in a queue an enabled mapping of an Active function reads (a poller is about to
   * take them). Empty when only the clock (visibility timeouts, batching windows) can move things on.
   */
  busy(): string[] {
    const out: string[] = [];
    if (this.settling > 0) out.push(`${this.settling} event source mapping state change(s) settling`);
    for (const [uuid, list] of this.pollers) {
      const p = list[0];
      if (!p) continue;
      if (list.some((x) => x.busy)) {
        out.push(`event source mapping ${uuid}: a batch is being processed`);
        continue;
      }
      const q = this.svc.sqs.queues.byArn(p.config.queueArn);
      const fn = this.svc.store.get(p.config.functionName);
      if (q && fn?.state.State === 'Active' && this.svc.sqs.messages.counts(q).visible > 0) out.push(`event source mapping ${uuid}: visible messages in ${q.name}`);
    }
    return out;
  }

  /** Every mapping with what this emulator saw of its processing. */
  health(): MappingHealth[] {
    return this.all().map((m) => ({ uuid: m.uuid, functionName: m.functionName, eventSourceArn: m.sourceArn, state: m.state, batches: 0, lastBatch: null, lastError: null, ...this.seen.get(m.uuid) }));
  }

  private record(uuid: string, r: PollerReport): void {
    const cur = this.seen.get(uuid) ?? { batches: 0, lastBatch: null, lastError: null };
    const atMs = this.svc.clock.now();
    if (r.kind === 'problem') cur.lastError = { atMs, type: 'PollingError', message: r.message, requestId: null };
    else {
      cur.batches++;
      cur.lastBatch = { atMs, ok: r.ok, records: r.records, failedRecords: r.failedRecords, requestId: r.requestId };
      if (r.error) cur.lastError = { atMs, ...r.error, requestId: r.requestId };
    }
    this.seen.set(uuid, cur);
  }

  operations(): Record<(typeof ESM_OPERATIONS)[number], LambdaHandler> {
    return {
      CreateEventSourceMapping: (i) => this.create(i),
      GetEventSourceMapping: (i) => this.render(this.require(i.UUID)),
      ListEventSourceMappings: (i) => this.list(i),
      UpdateEventSourceMapping: (i) => this.update(i),
      DeleteEventSourceMapping: (i) => {
        const m = this.require(i.UUID);
        this.stopPollers(m.uuid);
        this.s.delete.run(m.uuid);
        this.seen.delete(m.uuid);
        this.svc.log(`λ mapping ${m.uuid} deleted (${m.sourceArn} -> ${m.functionName})`);
        return this.render({ ...m, state: 'Deleting' });
      },
    };
  }

  private all(): Mapping[] {
    return (this.s.all.all() as Row[]).map(fromRow);
  }

  private require(uuid: unknown): Mapping {
    const row = typeof uuid === 'string' ? (this.s.get.get(uuid) as Row | undefined) : undefined;
    if (!row) throw E.resourceNotFound('The resource you requested does not exist.');
    return fromRow(row);
  }

  private save(m: Mapping): void {
    this.s.put.run(m.uuid, m.functionName, m.sourceArn, JSON.stringify(m.config), m.state, m.stateReason, m.modifiedMs);
  }

  /** The transitional state settles within the same event-loop turn; pollers follow Enabled. */
  private settle(m: Mapping): void {
    this.settling++;
    realSetImmediate(() => {
      this.settling--;
      const row = this.s.get.get(m.uuid) as Row | undefined;
      if (!row) return;
      const cur = fromRow(row);
      const state = cur.config.Enabled ? 'Enabled' : 'Disabled';
      if (cur.state !== state) this.save({ ...cur, state });
      this.stopPollers(cur.uuid);
      if (cur.config.Enabled && this.started) this.startPollers(cur);
    });
  }

  private startPollers(m: Mapping): void {
    const filters: CompiledFilterPolicy[] = (m.config.Filters ?? []).map((f) => compileFilterPolicy(f.Pattern, 'MessageBody'));
    const n = m.config.MaximumConcurrency ?? ESM_DEFAULT_POLLERS;
    const list: SqsPoller[] = [];
    for (let i = 0; i < n; i++) {
      const p = new SqsPoller(this.svc, {
        uuid: m.uuid,
        functionName: m.functionName,
        queueArn: m.sourceArn,
        batchSize: m.config.BatchSize,
        windowSeconds: m.config.MaximumBatchingWindowInSeconds,
        reportBatchItemFailures: m.config.FunctionResponseTypes.includes('ReportBatchItemFailures'),
        filters,
        report: (r) => this.record(m.uuid, r),
      });
      list.push(p);
      void p.run();
    }
    this.pollers.set(m.uuid, list);
  }

  private stopPollers(uuid: string): void {
    for (const p of this.pollers.get(uuid) ?? []) p.stop();
    this.pollers.delete(uuid);
  }

  private create(input: Input): Output {
    const fn = this.svc.requireFunction(input.FunctionName);
    const source = input.EventSourceArn;
    if (source === undefined || source === null || source === '') throw E.invalidParameterValue('Unrecognized event source, must be kinesis, dynamodb stream, sqs, kafka or mq.');
    if (typeof source !== 'string' || !/^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(source)) {
      throw E.invalidParameterValue(`svl emulator: only SQS event sources are supported (got ${String(source)}).`);
    }
    const queue = this.svc.sqs.queues.byArn(source);
    if (!queue) {
      throw E.invalidParameterValue('Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.');
    }
    const config = this.validate(input, undefined, queue.fifo);
    const visibility = this.svc.sqs.visibilityTimeout(queue);
    if (visibility < fn.config.Timeout) {
      throw E.invalidParameterValue(`Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${fn.config.Timeout} seconds`);
    }
    const existing = this.all().find((m) => m.sourceArn === source && m.functionName === fn.name);
    if (existing) {
      throw E.resourceConflict(`An event source mapping with SQS arn (" ${source} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${existing.uuid}`);
    }
    const m: Mapping = { uuid: randomUUID(), functionName: fn.name, sourceArn: source, config, state: 'Creating', stateReason: 'USER_INITIATED', modifiedMs: this.svc.clock.now() };
    this.save(m);
    this.settle(m);
    this.svc.log(`λ mapping ${m.uuid}: ${source} -> ${fn.name} (batch ${config.BatchSize})`);
    return this.render(m);
  }

  private update(input: Input): Output {
    const m = this.require(input.UUID);
    let functionName = m.functionName;
    if (input.FunctionName !== undefined && input.FunctionName !== null) functionName = this.svc.requireFunction(input.FunctionName).name;
    const fifo = m.sourceArn.endsWith('.fifo');
    const config = this.validate(input, m.config, fifo);
    const state = config.Enabled !== m.config.Enabled ? (config.Enabled ? 'Enabling' : 'Disabling') : 'Updating';
    const next: Mapping = { ...m, functionName, config, state, stateReason: 'USER_INITIATED', modifiedMs: this.svc.clock.now() };
    this.save(next);
    this.settle(next);
    return this.render(next);
  }

  private validate(input: Input, base: MappingConfig | undefined, fifo: boolean): MappingConfig {
    const int = (name: string, field: string, min: number, max: number) => optInt(input, name, field, min, max);
    const batch = int('BatchSize', 'batchSize', 1, ESM_MAX_BATCH_STANDARD) ?? base?.BatchSize ?? ESM_DEFAULT_BATCH;
    const window = int('MaximumBatchingWindowInSeconds', 'maximumBatchingWindowInSeconds', 0, ESM_MAX_WINDOW) ?? base?.MaximumBatchingWindowInSeconds ?? 0;
    if (fifo && batch > ESM_MAX_BATCH_FIFO) throw E.invalidParameterValue(`BatchSize must be less than or equal to ${ESM_MAX_BATCH_FIFO} for FIFO queues.`);
    if (fifo && window > 0) throw E.invalidParameterValue('Batching window is not supported for FIFO queues.');
    if (batch > 10 && window < 1) throw E.invalidParameterValue('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    let types = base?.FunctionResponseTypes ?? [];
    if (input.FunctionResponseTypes !== undefined && input.FunctionResponseTypes !== null) {
      const t = input.FunctionResponseTypes;
      if (!Array.isArray(t) || t.some((x) => x !== 'ReportBatchItemFailures')) {
        throw E.constraint(JSON.stringify(t), 'functionResponseTypes', 'Member must satisfy enum value set: [ReportBatchItemFailures]');
      }
      types = [...new Set(t as string[])];
    }
    let concurrency = base?.MaximumConcurrency;
    const scaling = input.ScalingConfig;
    if (scaling !== undefined && scaling !== null) {
      if (typeof scaling !== 'object' || Array.isArray(scaling)) throw E.invalidParameterValue('ScalingConfig must be an object.');
      const mc = (scaling as Input).MaximumConcurrency;
      if (mc === undefined || mc === null) concurrency = undefined;
      else if (typeof mc !== 'number' || !Number.isInteger(mc) || mc < ESM_MIN_CONCURRENCY || mc > ESM_MAX_CONCURRENCY) {
        throw E.constraint(String(mc), 'scalingConfig.maximumConcurrency', `Member must have value between ${ESM_MIN_CONCURRENCY} and ${ESM_MAX_CONCURRENCY}`);
      } else concurrency = mc;
    }
    let filters = base?.Filters;
    const fc = input.FilterCriteria;
    if (fc !== undefined && fc !== null) {
      const list = (fc as Input).Filters;
      if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) filters = undefined;
      else {
        if (!Array.isArray(list) || list.length > 5) throw E.invalidParameterValue('Invalid filter pattern definition.');
        filters = list.map((f) => {
          const pattern = f && typeof f === 'object' ? (f as Input).Pattern : undefined;
          try {
            if (typeof pattern !== 'string') throw new Error('no pattern');
            compileFilterPolicy(pattern, 'MessageBody');
          } catch {
            throw E.invalidParameterValue('Invalid filter pattern definition.');
          }
          return { Pattern: pattern };
        });
      }
    }
    const enabled = input.Enabled === undefined || input.Enabled === null ? (base?.Enabled ?? true) : input.Enabled;
    if (typeof enabled !== 'boolean') throw E.invalidParameterValue('Enabled must be a boolean.');
    return { BatchSize: batch, MaximumBatchingWindowInSeconds: window, FunctionResponseTypes: types, MaximumConcurrency: concurrency, Filters: filters, Enabled: enabled };
  }

  private list(input: Input): Output {
    const max = input.MaxItems === undefined || input.MaxItems === null ? undefined : Number(input.MaxItems);
    if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 10_000)) throw E.constraint(String(input.MaxItems), 'maxItems', 'Member must have value between 1 and 10000');
    let all = this.all();
    if (typeof input.EventSourceArn === 'string' && input.EventSourceArn) all = all.filter((m) => m.sourceArn === input.EventSourceArn);
    if (typeof input.FunctionName === 'string' && input.FunctionName) {
      const name = parseFunctionName(input.FunctionName).name;
      all = all.filter((m) => m.functionName === name);
    }
    let start = 0;
    if (typeof input.Marker === 'string' && input.Marker) {
      start = all.findIndex((m) => m.uuid === input.Marker) + 1;
      if (start === 0) throw E.invalidParameterValue('Invalid marker.');
    }
    const limit = Math.min(max ?? 100, 100);
    const page = all.slice(start, start + limit);
    const out: Output = { EventSourceMappings: page.map((m) => this.render(m)) };
    if (start + limit < all.length) out.NextMarker = page[page.length - 1]!.uuid;
    return out;
  }

  private render(m: Mapping): Output {
    const out: Output = {
      UUID: m.uuid,
      BatchSize: m.config.BatchSize,
      MaximumBatchingWindowInSeconds: m.config.MaximumBatchingWindowInSeconds,
      EventSourceArn: m.sourceArn,
      FunctionArn: this.svc.functionArn(m.functionName),
      LastModified: m.modifiedMs / 1000,
      State: m.state,
      StateTransitionReason: m.stateReason,
      FunctionResponseTypes: [...m.config.FunctionResponseTypes],
      EventSourceMappingArn: `arn:aws:lambda:${this.svc.region}:${this.svc.account}:event-source-mapping:${m.uuid}`,
    };
    if (m.config.MaximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: m.config.MaximumConcurrency };
    if (m.config.Filters) out.FilterCriteria = { Filters: m.config.Filters.map((f) => ({ ...f })) };
    return out;
  }
}

function fromRow(r: Row): Mapping {
  return { uuid: r.uuid, functionName: r.function, sourceArn: r.source_arn, config: JSON.parse(r.config) as MappingConfig, state: r.state, stateReason: r.state_reason, modifiedMs: r.modified_ms };
}
