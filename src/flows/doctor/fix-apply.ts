/**
 * Applies `svl doctor --fix` steps (planFixes in index.ts), in order, stopping at a safe point between
 * steps when the command is cancelled (a call under way is never cut off, so each step is either done or
 * not started). A queue's attributes and a topic's policy are read again just before they are written
 * (GetQueueAttributes / GetTopicAttributes, then SetQueueAttributes / SetTopicAttributes) and the value
 * written is recomputed on what is there now (fix-refresh.ts): a change made since the discovery is kept.
 * Lambda permissions are added with AddPermission (additive by nature). Nothing is deleted.
 * Not here: deciding what to fix (pure, index.ts) or asking for confirmation (the command).
 */
import type { AutostartUi } from '../../aws/local-autostart.js';
import type { Target } from '../../aws/target.js';
import { mapAwsError } from '../../aws/errors.js';
import { cancelled } from '../../errors.js';
import { lambdaSdk, snsSdk, sqsSdk } from '../../aws/sdk.js';
import { refreshPolicy, refreshQueueAttributes } from './fix-refresh.js';
import { fixStepTitle, type FixStep } from './index.js';

export interface FixOutcome {
  step: FixStep;
  ok: boolean;
  error?: string;
}

type Clients = typeof import('../../aws/clients.js');

export async function applyFixes(
  steps: readonly FixStep[],
  target: Target,
  ui: AutostartUi,
  o: { signal?: AbortSignal; resume?: string; onStep?: (s: FixStep) => void; watch?: (client: { middlewareStack: unknown }) => void } = {},
): Promise<FixOutcome[]> {
  const clients = await import('../../aws/clients.js');
  const done: FixOutcome[] = [];
  const stop = () => {
    const applied = done.filter((x) => x.ok).map((x) => fixStepTitle(x.step));
    return cancelled({ done: `applied ${applied.length} of ${steps.length} fixes${applied.length ? ` (${applied.join('; ')})` : ''}`, resume: o.resume, partial: done });
  };
  for (const step of steps) {
    if (o.signal?.aborted) throw stop();
    o.onStep?.(step);
    try {
      const left = await applyOne(step, target, ui, clients, o.watch);
      done.push({ step, ok: left.length === 0, ...(left.length && { error: `${left.join(', ')} changed since it was read and was left as it is now; run svl doctor again` }) });
    } catch (err) {
      if (o.signal?.aborted) throw stop();
      const service = step.kind.startsWith('sqs') ? 'sqs' : step.kind.startsWith('sns') ? 'sns' : 'lambda';
      done.push({ step, ok: false, error: mapAwsError(err, { target, service, operation: step.kind }).message });
    }
  }
  return done;
}

/** Applies one step; returns the attributes it left alone because they changed since the discovery. */
async function applyOne(step: FixStep, target: Target, ui: AutostartUi, c: Clients, watch?: (client: { middlewareStack: unknown }) => void): Promise<string[]> {
  switch (step.kind) {
    case 'sqs-set-attributes': {
      const { GetQueueAttributesCommand, SetQueueAttributesCommand } = sqsSdk();
      const sqs = await c.getSqs(target, ui);
      watch?.(sqs);
      const names = [...new Set([...Object.keys(step.attributes), ...(step.statements.length ? ['Policy'] : [])])];
      const current = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: step.queueUrl, AttributeNames: names as never }))).Attributes ?? {};
      const { attributes, changed } = refreshQueueAttributes(step, current);
      if (Object.keys(attributes).length) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: step.queueUrl, Attributes: attributes }));
      return changed;
    }
    case 'sns-set-policy': {
      const { GetTopicAttributesCommand, SetTopicAttributesCommand } = snsSdk();
      const sns = await c.getSns(target, ui);
      watch?.(sns);
      const current = (await sns.send(new GetTopicAttributesCommand({ TopicArn: step.topicArn }))).Attributes?.Policy;
      const policy = refreshPolicy(current, step.topicArn, step.statements);
      if (policy !== current) await sns.send(new SetTopicAttributesCommand({ TopicArn: step.topicArn, AttributeName: 'Policy', AttributeValue: policy }));
      return [];
    }
    case 'lambda-add-permission': {
      const { AddPermissionCommand } = lambdaSdk();
      const lambda = await c.getLambda(target, ui);
      watch?.(lambda);
      await lambda.send(
        new AddPermissionCommand({
          FunctionName: step.function,
          StatementId: step.statementId,
          Action: 'lambda:InvokeFunction',
          Principal: step.principal,
          SourceArn: step.sourceArn,
          ...(step.sourceAccount && { SourceAccount: step.sourceAccount }),
        }),
      );
      return [];
    }
  }
}
