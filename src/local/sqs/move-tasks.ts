/**
 * Message move tasks (DLQ redrive): StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask.
 * A task moves the DLQ's visible messages at MaxNumberOfMessagesPerSecond (each tick of one second),
 * to DestinationArn or back to each message's DeadLetterQueueSourceArn, one active task per source.
 * Tasks are durable: a RUNNING task resumes after an emulator restart.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Queue, QueueRegistry } from './queues.js';
import type { MessageEngine } from './messages.js';
import type { MessageRow } from './rows.js';
import * as E from './errors.js';
import { optInt, optString, reqString, type Input } from './input.js';
import { DEFAULT_MOVE_RATE, MAX_MOVE_RATE } from './constants.js';

interface TaskRow {
  handle: string;
  task_id: string;
  source_arn: string;
  destination_arn: string | null;
  rate: number | null;
  status: string;
  moved: number;
  to_move: number;
  failure_reason: string | null;
  started_ms: number;
}

const TICK_MS = 1000;

export class MoveTasks {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly s;
  private readonly moveOne: (m: MessageRow, dest: Queue, now: number, handle: string) => void;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly queues: QueueRegistry,
    private readonly messages: MessageEngine,
    private readonly log: (line: string) => void,
  ) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO sqs_move_tasks (handle, task_id, source_arn, destination_arn, rate, status, moved, to_move, started_ms)
         VALUES (?, ?, ?, ?, ?, 'RUNNING', 0, ?, ?)`,
      ),
      running: db.prepare(`SELECT * FROM sqs_move_tasks WHERE status = 'RUNNING'`),
      runningFor: db.prepare(`SELECT * FROM sqs_move_tasks WHERE source_arn = ? AND status = 'RUNNING'`),
      bySource: db.prepare(`SELECT * FROM sqs_move_tasks WHERE source_arn = ? ORDER BY started_ms DESC, rowid DESC LIMIT ?`),
      byHandle: db.prepare(`SELECT * FROM sqs_move_tasks WHERE handle = ?`),
      progress: db.prepare(`UPDATE sqs_move_tasks SET moved = moved + ? WHERE handle = ?`),
      finish: db.prepare(`UPDATE sqs_move_tasks SET status = ?, failure_reason = ? WHERE handle = ?`),
    };
    // Made once: one message's move and its progress count commit together (never lost, never doubled).
    this.moveOne = db.transaction((m: MessageRow, dest: Queue, now: number, handle: string) => {
      this.messages.transfer(m, dest, now);
      this.s.progress.run(1, handle);
    });
  }

  start(input: Input): Record<string, unknown> {
    const sourceArn = reqString(input, 'SourceArn');
    const destArn = optString(input, 'DestinationArn');
    const rate = optInt(input, 'MaxNumberOfMessagesPerSecond', 1, MAX_MOVE_RATE, `Must be between 1 and ${MAX_MOVE_RATE}, if provided.`);
    const source = this.queues.byArn(sourceArn);
    if (!source) throw E.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.");
    if (this.queues.sourcesOf(source).length === 0) throw E.invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    if (destArn !== undefined) {
      const dest = this.queues.byArn(destArn);
      if (!dest) throw E.resourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.");
      if (dest.fifo !== source.fifo) throw E.invalidParameterValue('The source queue and destination queue must be of the same queue type.');
      if (dest === source) throw E.invalidParameterValue('The source queue and destination queue must be different.');
    }
    if (this.s.runningFor.get(sourceArn)) {
      throw E.invalidParameterValue('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    }
    const taskId = randomUUID();
    const handle = Buffer.from(JSON.stringify({ taskId, sourceArn })).toString('base64');
    const toMove = this.messages.counts(source).visible;
    this.s.insert.run(handle, taskId, sourceArn, destArn ?? null, rate ?? null, toMove, this.clock.now());
    this.log(`SQS move task ${source.name} -> ${destArn ?? 'original sources'} (${toMove} msgs)`);
    this.schedule(handle, 0);
    return { TaskHandle: handle };
  }

  list(input: Input): Record<string, unknown> {
    const sourceArn = reqString(input, 'SourceArn');
    const max = optInt(input, 'MaxResults', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
    if (!this.queues.byArn(sourceArn)) throw E.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.");
    const rows = this.s.bySource.all(sourceArn, max) as TaskRow[];
    return {
      Results: rows.map((r) => {
        const out: Record<string, unknown> = {};
        if (r.status === 'RUNNING') out.TaskHandle = r.handle;
        out.Status = r.status;
        out.SourceArn = r.source_arn;
        if (r.destination_arn) out.DestinationArn = r.destination_arn;
        if (r.rate !== null) out.MaxNumberOfMessagesPerSecond = r.rate;
        out.ApproximateNumberOfMessagesMoved = r.moved;
        out.ApproximateNumberOfMessagesToMove = r.to_move;
        if (r.failure_reason) out.FailureReason = r.failure_reason;
        out.StartedTimestamp = r.started_ms;
        return out;
      }),
    };
  }

  cancel(input: Input): Record<string, unknown> {
    const handle = reqString(input, 'TaskHandle');
    let decoded: { taskId?: unknown; sourceArn?: unknown } | undefined;
    try {
      decoded = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as typeof decoded;
    } catch {
      decoded = undefined;
    }
    if (!decoded || typeof decoded.taskId !== 'string' || typeof decoded.sourceArn !== 'string') {
      throw E.invalidParameterValue('Value for parameter TaskHandle is invalid.');
    }
    // AWS-recorded order: a handle naming a queue that does not exist is about the SourceArn, a known
    // queue with an unknown task id is "Task does not exist." (both 404).
    if (!this.queues.byArn(decoded.sourceArn)) {
      throw E.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.");
    }
    const row = this.s.byHandle.get(handle) as TaskRow | undefined;
    if (!row || row.status !== 'RUNNING') throw E.resourceNotFound('Task does not exist.');
    this.s.finish.run('CANCELLED', null, handle);
    this.stopTimer(handle);
    return { ApproximateNumberOfMessagesMoved: row.moved };
  }

  resume(): void {
    for (const r of this.s.running.all() as TaskRow[]) this.schedule(r.handle, 0);
  }

  stopAll(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  /** A deleted source queue fails its running task, as AWS reports it. */
  forgetQueue(q: Queue): void {
    for (const r of this.s.runningFor.all(q.arn) as TaskRow[]) this.fail(r.handle, 'AWS.SimpleQueueService.NonExistentQueue');
  }

  private schedule(handle: string, ms: number): void {
    this.timers.set(
      handle,
      this.clock.setTimeout(() => this.tick(handle), ms),
    );
  }

  private stopTimer(handle: string): void {
    this.clock.clearTimeout(this.timers.get(handle));
    this.timers.delete(handle);
  }

  private fail(handle: string, reason: string): void {
    this.s.finish.run('FAILED', reason, handle);
    this.stopTimer(handle);
  }

  /** Moves up to `rate` messages, each in its own transaction with its delete (never lost, never doubled). */
  private tick(handle: string): void {
    this.timers.delete(handle);
    const row = this.s.byHandle.get(handle) as TaskRow | undefined;
    if (!row || row.status !== 'RUNNING') return;
    const source = this.queues.byArn(row.source_arn);
    if (!source) return this.fail(handle, 'AWS.SimpleQueueService.NonExistentQueue');
    const rate = row.rate ?? DEFAULT_MOVE_RATE;
    const batch = this.messages.visibleRows(source, rate);
    const now = this.clock.now();
    for (const m of batch) {
      const destArn = row.destination_arn ?? m.dlq_source;
      const dest = destArn ? this.queues.byArn(destArn) : undefined;
      // Each message moved so far was counted in its own transaction.
      if (!dest) return this.fail(handle, 'AWS.SimpleQueueService.NonExistentQueue');
      this.moveOne(m, dest, now, handle);
      this.messages.notify(dest.name);
    }
    // Done as soon as the source has nothing left to move: the task ends right after its last message
    // (AWS: 4 messages at 1/s take about 3 s, LocalStack test_move_task_with_throughput_limit).
    if (this.messages.visibleRows(source, 1).length === 0) {
      this.s.finish.run('COMPLETED', null, handle);
      this.log(`SQS move task ${source.name} completed`);
      return;
    }
    this.schedule(handle, TICK_MS);
  }
}
