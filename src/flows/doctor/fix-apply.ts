/**
 * Applies `svl doctor --fix` steps (planFixes in index.ts): SetQueueAttributes, SetTopicAttributes(Policy),
 * UpdateEventSourceMapping(FunctionResponseTypes), AddPermission - one call per step, in order, stopping
 * at a safe point between steps when the command is cancelled. Nothing else is changed; nothing is
 * deleted. Not here: deciding what to fix (pure, index.ts) or asking for confirmation (the command).
 */
import type { AutostartUi } from '../../aws/local-autostart.js';
import type { Target } from '../../aws/target.js';
import { mapAwsError } from '../../aws/errors.js';
import { cancelled } from '../../errors.js';
import { lambdaSdk, snsSdk, sqsSdk } from '../../aws/sdk.js';
import type { FixStep } from './index.js';

export interface FixOutcome {
  step: FixStep;
  ok: boolean;
  error?: string;
}

export async function applyFixes(steps: readonly FixStep[], target: Target, ui: AutostartUi, o: { signal?: AbortSignal; resume?: string; onStep?: (s: FixStep) => void } = {}): Promise<FixOutcome[]> {
  const clients = await import('../../aws/clients.js');
  const done: FixOutcome[] = [];
  for (const step of steps) {
    if (o.signal?.aborted) throw cancelled({ done: `applied ${done.length} of ${steps.length} fixes`, resume: o.resume, partial: done });
    o.onStep?.(step);
    try {
      await applyOne(step, target, ui, clients);
      done.push({ step, ok: true });
    } catch (err) {
      if (o.signal?.aborted) throw cancelled({ done: `applied ${done.length} of ${steps.length} fixes`, resume: o.resume, partial: done });
      const service = step.kind.startsWith('sqs') ? 'sqs' : step.kind.startsWith('sns') ? 'sns' : 'lambda';
      done.push({ step, ok: false, error: mapAwsError(err, { target, service, operation: step.kind }).message });
    }
  }
  return done;
}

async function applyOne(step: FixStep, target: Target, ui: AutostartUi, c: typeof import('../../aws/clients.js')): Promise<void> {
  switch (step.kind) {
    case 'sqs-set-attributes': {
      const { SetQueueAttributesCommand } = sqsSdk();
      await (await c.getSqs(target, ui)).send(new SetQueueAttributesCommand({ QueueUrl: step.queueUrl, Attributes: step.attributes }));
      return;
    }
    case 'sns-set-policy': {
      const { SetTopicAttributesCommand } = snsSdk();
      await (await c.getSns(target, ui)).send(new SetTopicAttributesCommand({ TopicArn: step.topicArn, AttributeName: 'Policy', AttributeValue: step.policy }));
      return;
    }
    case 'lambda-update-mapping': {
      const { UpdateEventSourceMappingCommand } = lambdaSdk();
      await (await c.getLambda(target, ui)).send(new UpdateEventSourceMappingCommand({ UUID: step.uuid, FunctionResponseTypes: step.functionResponseTypes as ['ReportBatchItemFailures'] }));
      return;
    }
    case 'lambda-add-permission': {
      const { AddPermissionCommand } = lambdaSdk();
      await (await c.getLambda(target, ui)).send(
        new AddPermissionCommand({
          FunctionName: step.function,
          StatementId: step.statementId,
          Action: 'lambda:InvokeFunction',
          Principal: step.principal,
          SourceArn: step.sourceArn,
          ...(step.sourceAccount && { SourceAccount: step.sourceAccount }),
        }),
      );
      return;
    }
  }
}
