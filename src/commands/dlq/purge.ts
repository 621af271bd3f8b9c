/** `svl dlq purge <dlq>` (typed confirmation) and `svl dlq cancel <dlq>` (stop a running move task). */
import { getSns, getSqs } from '../../aws/clients.js';
import { cancelMoveTask, latestMoveTask, resolveDeadLetterQueue } from '../../aws/dlq.js';
import { totalDepth } from '../../aws/inventory-model.js';
import { mapAwsError } from '../../aws/errors.js';
import type { Target } from '../../aws/target.js';
import { CancelledError, SvlError, UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { sqsSdk } from '../../aws/sdk.js';

// Loaded with require (sdk.ts says why), when this module is.
const { PurgeQueueCommand } = sqsSdk();

export interface PurgeResult {
  dlq: string;
  /** Messages in the DLQ just before the purge (approximate, as SQS counts them). */
  purged: number;
}

export async function runDlqPurge(ref: string, target: Target, ui: Pick<Ui, 'info' | 'ask'>, yes: boolean, signal?: AbortSignal): Promise<PurgeResult> {
  const [sqs, sns] = await Promise.all([getSqs(target, ui), getSns(target, ui)]);
  const { dlq } = await resolveDeadLetterQueue(sqs, sns, ref, target, 'purge', signal);
  const count = totalDepth(dlq.depth);
  if (!yes) {
    if (!ui.ask.interactive) throw new UsageError(`Refusing to purge ${dlq.name} without --yes when not interactive`, { hint: 'Add --yes to confirm' });
    // Typing the name, not y/N: purging is final and a DLQ is often the only copy of a failed message.
    const typed = await ui.ask.input({ message: `This deletes ${count} message(s) for good. Type the queue name (${dlq.name}) to purge it:`, flag: '--yes', required: false });
    if (typed.trim() !== dlq.name) throw new CancelledError(`"${typed.trim()}" is not ${dlq.name}; nothing purged.`, { hint: `type the queue name exactly (${dlq.name}) to confirm, or pass --yes` });
  }
  try {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: dlq.url }));
  } catch (err) {
    const e = mapAwsError(err, { target, service: 'sqs', operation: 'PurgeQueue', resource: `queue "${dlq.name}"` });
    if (e.code === 'AWS.SimpleQueueService.PurgeQueueInProgress' || e.code === 'PurgeQueueInProgress') {
      throw new SvlError(`${dlq.name} was purged less than 60 seconds ago`, 1, { code: e.code, requestId: e.requestId, hint: 'SQS allows one purge per queue every 60 seconds; try again in a minute' });
    }
    throw e;
  }
  return { dlq: dlq.name, purged: count };
}

export interface CancelResult {
  dlq: string;
  moved: number;
}

export async function runDlqCancel(ref: string, target: Target, ui: Pick<Ui, 'info'>, signal?: AbortSignal): Promise<CancelResult> {
  const [sqs, sns] = await Promise.all([getSqs(target, ui), getSns(target, ui)]);
  const { dlq } = await resolveDeadLetterQueue(sqs, sns, ref, target, 'cancel', signal);
  const task = await latestMoveTask(sqs, dlq.arn, target, signal);
  if (task?.Status !== 'RUNNING' || !task.TaskHandle) {
    throw new SvlError(`No move task is running on ${dlq.name}${task?.Status ? ` (the last one is ${task.Status})` : ''}`, 1, { code: 'NoMoveTask', hint: 'Client-side redrives stop with Ctrl-C in their own terminal' });
  }
  return { dlq: dlq.name, moved: await cancelMoveTask(sqs, task.TaskHandle, target) };
}
