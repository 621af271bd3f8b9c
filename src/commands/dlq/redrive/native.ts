/**
 * Redrive with SQS's own message move task (StartMessageMoveTask): the messages never leave AWS, move
 * back to their source queues (or --to), and progress comes from ListMessageMoveTasks. The task runs on
 * the server: Ctrl-C stops following it and asks whether to cancel it too (no prompt possible: it keeps
 * running, and the hint says how to follow or cancel it).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { cancelMoveTask, latestMoveTask, type QueueDetails } from '../../../aws/dlq.js';
import { mapAwsError } from '../../../aws/errors.js';
import { sleep } from '../../../aws/pool.js';
import type { Target } from '../../../aws/target.js';
import { SvlError } from '../../../errors.js';
import type { Ui } from '../../../ui/index.js';
import type { StopControl } from '../../stop.js';
import type { Destination } from './mover.js';
import { sqsSdk } from '../../../aws/sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { StartMessageMoveTaskCommand } = sqsSdk();

export interface NativeResult {
  mode: 'native';
  dlq: string;
  /** The --to queue, or null: each message back to its source queue. */
  destination: string | null;
  /** Where the messages go, for people: the --to queue, the one source queue, or "their source queues". */
  to: string;
  taskHandle: string;
  status: string;
  moved: number;
  toMove: number;
  failureReason: string | null;
  seconds: number;
  /** What happened when svl stopped following a running task. */
  outcome: 'finished' | 'not-waited' | 'left-running' | 'cancelled';
}

export interface NativeDeps {
  sqs: SQSClient;
  target: Target;
  dlq: QueueDetails;
  dest?: Destination;
  /** Where the messages go, for people. */
  to: string;
  rate?: number;
  wait: boolean;
  ui: Pick<Ui, 'spinner' | 'ask' | 'info'>;
  stop: StopControl;
  onCancel(fn: () => void | Promise<void>): void;
}

const POLL_MS = 1000;

export async function runNative(d: NativeDeps): Promise<NativeResult> {
  const started = Date.now();
  let taskHandle: string;
  try {
    // Not abortable: a Ctrl-C right now must not leave a task started on the server that svl never saw.
    const out = await d.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: d.dlq.arn, DestinationArn: d.dest?.arn, MaxNumberOfMessagesPerSecond: d.rate }));
    taskHandle = out.TaskHandle ?? '';
  } catch (err) {
    const e = mapAwsError(err, { target: d.target, service: 'sqs', operation: 'StartMessageMoveTask', resource: `queue "${d.dlq.name}"` });
    throw new SvlError(`Could not start a move task on ${d.dlq.name}: ${e.message}`, 1, {
      code: e.code,
      requestId: e.requestId,
      hint: e.hint ?? 'Add --client-side to move the messages from this machine instead',
      cause: err,
    });
  }
  const result: NativeResult = {
    mode: 'native',
    dlq: d.dlq.name,
    destination: d.dest?.name ?? null,
    to: d.to,
    taskHandle,
    status: 'RUNNING',
    moved: 0,
    toMove: d.dlq.depth.visible,
    failureReason: null,
    seconds: 0,
    outcome: 'not-waited',
  };
  if (!d.wait) return result;

  const spinner = await d.ui.spinner(`Moving ${d.dlq.name} → ${d.to} (native move task)…`);
  let decision: Promise<void> | undefined;
  /** Ctrl-C: cancel the task too? Only a person can say yes; otherwise it keeps running. */
  const decide = () =>
    (decision ??= (async () => {
      spinner.stop();
      const cancel = d.stop.reason() === 'cancel'
        ? await d.ui.ask.confirm({ message: `Cancel the move task too? (No leaves it running on the server)`, flag: '--yes', default: false }).catch(() => false)
        : false;
      if (cancel) {
        result.moved = await cancelMoveTask(d.sqs, taskHandle, d.target);
        result.status = 'CANCELLED';
        result.outcome = 'cancelled';
      } else {
        result.outcome = 'left-running';
      }
    })());
  d.onCancel(() => decide().catch(() => undefined));

  for (;;) {
    const task = await latestMoveTask(d.sqs, d.dlq.arn, d.target).catch(() => null);
    if (task) {
      result.status = task.Status ?? 'RUNNING';
      result.moved = task.ApproximateNumberOfMessagesMoved ?? result.moved;
      result.toMove = task.ApproximateNumberOfMessagesToMove ?? result.toMove;
      result.failureReason = task.FailureReason ?? null;
    }
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? result.moved / secs : 0;
    const eta = rate > 0 ? Math.ceil((result.toMove - result.moved) / rate) : null;
    spinner.update(`Moving ${d.dlq.name}: ${result.moved}/${result.toMove} (${result.toMove ? Math.floor((result.moved / result.toMove) * 100) : 100}%) · ${Math.round(rate)}/s${eta !== null ? ` · ETA ${eta}s` : ''}`);
    if (result.status !== 'RUNNING') break;
    try {
      await sleep(POLL_MS, d.stop.signal);
    } catch {
      await decide();
      break;
    }
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  if (result.outcome === 'not-waited') result.outcome = 'finished';
  if (result.status === 'FAILED') spinner.fail(`The move task failed after ${result.moved} messages: ${result.failureReason ?? 'unknown reason'}`);
  else spinner.stop();
  return result;
}
