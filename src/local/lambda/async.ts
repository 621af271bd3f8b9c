/**
 * Asynchronous invocation (InvocationType Event, SNS, destinations of type Lambda): a durable queue in
 * SQLite. An event is acknowledged (202) only once its row is committed; it is deleted only after its
 * outcome was handed to the destinations. On a function error it is retried MaximumRetryAttempts times
 * (default 2) after ~1 min and ~2 min (RETRY_DELAYS_MS, on the Clock); an event older than
 * MaximumEventAgeInSeconds is discarded with condition EventAgeExceeded. Rows survive a restart; an event
 * that was running when the emulator died runs again (at-least-once, like AWS).
 *
 * `status(requestId)` answers svl's `GET /_svl/lambda/invocations/<requestId>` (what `svl invoke --async
 * --wait` follows): queued / running / retrying from the durable row, succeeded / failed / expired from
 * an in-memory record of the last FINISHED_KEPT outcomes. Those records are deliberately not durable
 * (they are an observation aid, not acknowledged state): after a restart a finished invocation is
 * unknown (404) rather than replayed.
 */
import type { TimerHandle } from '../clock.js';
import type { LambdaService } from './service.js';
import type { LambdaFunction } from './model.js';
import { DEFAULT_MAX_EVENT_AGE, DEFAULT_MAX_RETRIES, RETRY_DELAYS_MS } from './constants.js';
import { errorMessageOf, invocationRecord, sendToDeadLetter, sendToDestination, type AttemptResult, type Condition } from './destinations.js';
import { realSetImmediate } from '../timers.js';

/** Finished outcomes kept in memory for `status()`; the oldest are forgotten first. */
const FINISHED_KEPT = 1000;

export type InvocationState = 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'expired';

/** One asynchronous invocation as `GET /_svl/lambda/invocations/<requestId>` reports it. */
export interface InvocationStatus {
  requestId: string;
  function: string;
  state: InvocationState;
  /** Attempts started so far (a running attempt counts). */
  attempts: number;
  enqueuedMs: number;
  /** When the next attempt is due (queued / retrying), else null. */
  nextAttemptMs: number | null;
  finishedMs: number | null;
  /** AWS's condition once finished: Success, RetriesExhausted or EventAgeExceeded. */
  condition: Condition | null;
  lastError: { type: string; message: string } | null;
  /** Where the outcome was handed: OnSuccess / OnFailure destinations and the DLQ, with a delivery error if any. */
  deliveries: Array<{ kind: 'OnSuccess' | 'OnFailure' | 'DeadLetterConfig'; target: string; error: string | null }>;
  /** The invocation record sent to an OnSuccess / OnFailure destination, when there was one. */
  record: unknown;
}

interface Row {
  id: number;
  request_id: string;
  function: string;
  payload: string;
  attempts: number;
  enqueued_ms: number;
  next_ms: number;
  last_result: string | null;
}

export class AsyncInvoker {
  private readonly s;
  private timer?: TimerHandle;
  private timerAt?: number;
  private readonly running = new Set<number>();
  private kicked = false;
  private stopped = false;
  private readonly finished = new Map<string, InvocationStatus>();

  constructor(private readonly svc: LambdaService) {
    const db = svc.db;
    this.s = {
      insert: db.prepare(`INSERT INTO lambda_async (request_id, function, payload, attempts, enqueued_ms, next_ms) VALUES (?, ?, ?, 0, ?, ?)`),
      due: db.prepare(`SELECT * FROM lambda_async WHERE next_ms <= ? ORDER BY next_ms, id`),
      next: db.prepare(`SELECT MIN(next_ms) AS t FROM lambda_async WHERE next_ms > ?`),
      retry: db.prepare(`UPDATE lambda_async SET attempts = ?, next_ms = ?, last_result = ? WHERE id = ?`),
      delete: db.prepare(`DELETE FROM lambda_async WHERE id = ?`),
      forget: db.prepare(`DELETE FROM lambda_async WHERE function = ?`),
      count: db.prepare(`SELECT COUNT(*) AS n FROM lambda_async`),
      list: db.prepare(`SELECT * FROM lambda_async ORDER BY id`),
      dueCount: db.prepare(`SELECT COUNT(*) AS n FROM lambda_async WHERE next_ms <= ?`),
      byRequest: db.prepare(`SELECT * FROM lambda_async WHERE request_id = ? ORDER BY id DESC LIMIT 1`),
    };
  }

  /** Queues an event (inside the caller's transaction when there is one) and wakes the dispatcher. */
  enqueue(fn: LambdaFunction, payload: string, requestId: string, cause?: number): void {
    const now = this.svc.clock.now();
    this.s.insert.run(requestId, fn.name, payload, now, now);
    this.svc.journal.record({ type: 'lambda.queued', resource: fn.arn, id: requestId, cause });
    this.kick();
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.svc.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  forgetFunction(name: string): void {
    this.s.forget.run(name);
  }

  pendingCount(): number {
    return (this.s.count.get() as { n: number }).n;
  }

  /** Queued events with their attempt counts (svl's control API and tests). */
  pending(): Array<{ requestId: string; function: string; attempts: number; enqueuedMs: number; nextMs: number }> {
    return (this.s.list.all() as Row[]).map((r) => ({ requestId: r.request_id, function: r.function, attempts: r.attempts, enqueuedMs: r.enqueued_ms, nextMs: r.next_ms }));
  }

  /** Why async delivery is not idle: attempts running, or events due now. Retries waiting on the clock are idle. */
  busy(): string[] {
    const out: string[] = [];
    if (this.running.size > 0) out.push(`${this.running.size} async invocation(s) running`);
    const due = (this.s.dueCount.get(this.svc.clock.now()) as { n: number }).n - this.running.size;
    if (!this.stopped && (due > 0 || this.kicked)) out.push(`${Math.max(due, 0)} async invocation(s) due`);
    return out;
  }

  /** Where an invocation stands, or undefined when the emulator knows nothing of it. */
  status(requestId: string): InvocationStatus | undefined {
    const row = this.s.byRequest.get(requestId) as Row | undefined;
    if (row) {
      const running = this.running.has(row.id);
      return {
        requestId,
        function: row.function,
        state: running ? 'running' : row.attempts === 0 ? 'queued' : 'retrying',
        attempts: row.attempts + (running ? 1 : 0),
        enqueuedMs: row.enqueued_ms,
        nextAttemptMs: running ? null : row.next_ms,
        finishedMs: null,
        condition: null,
        lastError: lastError(row.last_result ? (JSON.parse(row.last_result) as AttemptResult) : undefined),
        deliveries: [],
        record: null,
      };
    }
    return this.finished.get(requestId);
  }

  private finish(fn: LambdaFunction, row: Row, condition: Condition, attempts: number, last: AttemptResult | undefined, deliveries: InvocationStatus['deliveries'], record: string | undefined): void {
    this.finished.delete(row.request_id);
    this.finished.set(row.request_id, {
      requestId: row.request_id,
      function: fn.name,
      state: condition === 'Success' ? 'succeeded' : condition === 'EventAgeExceeded' ? 'expired' : 'failed',
      attempts,
      enqueuedMs: row.enqueued_ms,
      nextAttemptMs: null,
      finishedMs: this.svc.clock.now(),
      condition,
      lastError: lastError(last),
      deliveries,
      record: record === undefined ? null : (JSON.parse(record) as unknown),
    });
    for (const key of this.finished.keys()) {
      if (this.finished.size <= FINISHED_KEPT) break;
      this.finished.delete(key);
    }
  }

  private kick(): void {
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    realSetImmediate(() => {
      this.kicked = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.stopped) return;
    const now = this.svc.clock.now();
    for (const row of this.s.due.all(now) as Row[]) {
      if (this.running.has(row.id)) continue;
      this.running.add(row.id);
      this.attempt(row)
        .catch((err: unknown) => this.svc.log(`λ async ${row.function} ${row.request_id}: ${(err as Error).message}`))
        .finally(() => {
          this.running.delete(row.id);
          this.kick();
        });
    }
    const next = (this.s.next.get(now) as { t: number | null }).t;
    if (next !== null && next !== this.timerAt) {
      this.svc.clock.clearTimeout(this.timer);
      this.timerAt = next;
      this.timer = this.svc.clock.setTimeout(() => {
        this.timer = undefined;
        this.timerAt = undefined;
        this.drain();
      }, Math.max(0, next - now));
    }
  }

  private async attempt(row: Row): Promise<void> {
    await this.svc.whenActive(row.function);
    const fn = this.svc.store.get(row.function);
    if (!fn) {
      this.s.delete.run(row.id);
      this.svc.log(`λ async event ${row.request_id} dropped: function ${row.function} no longer exists`);
      return;
    }
    const cfg = fn.eventInvokeConfig;
    const maxAgeMs = (cfg?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE) * 1000;
    const maxRetries = cfg?.MaximumRetryAttempts ?? DEFAULT_MAX_RETRIES;
    const last = row.last_result ? (JSON.parse(row.last_result) as AttemptResult) : undefined;
    if (this.svc.clock.now() - row.enqueued_ms >= maxAgeMs) {
      await this.failed(fn, row, 'EventAgeExceeded', row.attempts, last);
      return;
    }
    if (fn.state.State !== 'Active') {
      // A failed function cannot run: treated like a system error, retried until the event is too old.
      this.s.retry.run(row.attempts, this.svc.clock.now() + RETRY_DELAYS_MS[0]!, row.last_result, row.id);
      return;
    }
    const out = await this.svc.invokeNow(fn, row.payload, { requestId: row.request_id, kind: 'async' });
    const result: AttemptResult = { ok: out.ok, payload: out.payload, errorType: out.errorType };
    const attempts = row.attempts + 1;
    if (out.ok) {
      await this.succeeded(fn, row, attempts, result);
      return;
    }
    if (attempts > maxRetries) {
      await this.failed(fn, row, 'RetriesExhausted', attempts, result);
      return;
    }
    const delay = RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)]!;
    this.s.retry.run(attempts, this.svc.clock.now() + delay, JSON.stringify(result), row.id);
    this.svc.journal.record({ type: 'lambda.retry-scheduled', resource: fn.arn, id: row.request_id, cause: this.svc.journal.lastOf(row.request_id), data: { attempt: attempts, delayMs: delay } });
    this.svc.log(`λ ${fn.name} async ${row.request_id}: attempt ${attempts} failed, retry in ${delay / 1000}s`);
  }

  private async succeeded(fn: LambdaFunction, row: Row, attempts: number, result: AttemptResult): Promise<void> {
    const target = fn.eventInvokeConfig?.OnSuccess;
    const deliveries: InvocationStatus['deliveries'] = [];
    let record: string | undefined;
    if (target) {
      record = invocationRecord(this.svc, fn, { requestId: row.request_id, payload: row.payload, condition: 'Success', attempts, last: result });
      const hop = this.svc.journal.reserve();
      const err = await sendToDestination(this.svc, target, record, hop);
      this.report(fn, deliveries, 'OnSuccess', target, err, row.request_id, hop);
    }
    this.s.delete.run(row.id);
    this.finish(fn, row, 'Success', attempts, result, deliveries, record);
  }

  private async failed(fn: LambdaFunction, row: Row, condition: Condition, attempts: number, last: AttemptResult | undefined): Promise<void> {
    const target = fn.eventInvokeConfig?.OnFailure;
    const deliveries: InvocationStatus['deliveries'] = [];
    let record: string | undefined;
    if (target) {
      record = invocationRecord(this.svc, fn, { requestId: row.request_id, payload: row.payload, condition, attempts, last });
      const hop = this.svc.journal.reserve();
      const err = await sendToDestination(this.svc, target, record, hop);
      this.report(fn, deliveries, 'OnFailure', target, err, row.request_id, hop);
    }
    const dlq = fn.config.DeadLetterTargetArn;
    if (dlq) {
      const message = last ? errorMessageOf(last.payload) : `Event age exceeded (${condition})`;
      const hop = this.svc.journal.reserve();
      const err = await sendToDeadLetter(this.svc, dlq, row.payload, row.request_id, message, hop);
      this.report(fn, deliveries, 'DeadLetterConfig', dlq, err, row.request_id, hop);
    }
    if (!target && !dlq) this.svc.log(`λ ${fn.name} async ${row.request_id}: ${condition} after ${attempts} attempt(s); the event is discarded (no OnFailure destination or DLQ)`);
    this.s.delete.run(row.id);
    this.finish(fn, row, condition, attempts, last, deliveries, record);
  }

  /**
   * Logs a destination delivery and records it for the invocation's status; `seq` is the hop reserved
   * before the send (the cause of what the send made), as SNS deliveries do.
   */
  private report(fn: LambdaFunction, deliveries: InvocationStatus['deliveries'], kind: InvocationStatus['deliveries'][number]['kind'], target: string, err: string | undefined, requestId: string, seq: number): void {
    deliveries.push({ kind, target, error: err ?? null });
    this.svc.journal.record({
      seq,
      type: err ? 'lambda.destination-failed' : 'lambda.destination',
      resource: fn.arn,
      id: requestId,
      cause: this.svc.journal.lastOf(requestId),
      data: { kind, target, ...(err && { error: err }) },
    });
    if (err) this.svc.log(`λ ${fn.name} ${kind} DELIVERY FAILED -> ${target}: ${err}`);
    else this.svc.log(`λ ${fn.name} ${kind} -> ${target}`);
  }
}

/** The error of a failed attempt as AWS's error object names it: errorType and errorMessage. */
function lastError(r: AttemptResult | undefined): InvocationStatus['lastError'] {
  if (!r || r.ok) return null;
  return { type: r.errorType ?? 'Unhandled', message: errorMessageOf(r.payload) };
}
