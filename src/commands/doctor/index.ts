/** `svl doctor [flow | --all] [--fix]`: find the classic misconfigurations of live flows, say why and how to fix them. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export const name = 'doctor';
export const description = 'Find the misconfigurations that silently lose messages (queue policies, timeouts, DLQs, retries), with the fix for each';
export const examples = [
  'svl doctor orders --local',
  'svl doctor --all',
  'svl doctor orders --fix',
  'svl doctor --all --json | jq ".flows[].findings[] | {id, severity, title}"',
];

export interface DoctorFlags {
  all?: boolean;
  fix?: boolean;
}

const CHECKS_HELP = `
Checks (id, severity):
  queue-policy-blocks-topic          error    a queue's policy keeps its SNS topic out
  queue-policy-blocks-bucket         error    a queue's policy keeps its S3 bucket out
  topic-policy-blocks-bucket         error    a topic's policy keeps its S3 bucket out
  subscription-dlq-blocks-topic      error    a subscription's DLQ does not let the topic send
  visibility-below-function-timeout  error    visibility timeout < the Lambda consumer's timeout
  visibility-below-six-times-timeout warning  visibility timeout < 6 x function timeout + batching window
  dlq-missing                        error    a RedrivePolicy names a queue that does not exist
  dlq-type-mismatch                  error    FIFO queue with a standard DLQ, or the reverse
  dlq-redrive-not-allowed            error    the DLQ's RedriveAllowPolicy refuses its source queue
  dlq-retention-not-longer           warning  the DLQ keeps messages no longer than its source
  max-receive-count-one              warning  one failed receive dead-letters a message
  lambda-queue-without-dlq           warning  a queue read by Lambda has no DLQ
  batch-without-partial-failures     warning  batch size > 1 without ReportBatchItemFailures
  topic-queue-fifo-mismatch          error/warning  standard topic -> FIFO queue / FIFO topic -> standard queue
  subscription-pending-confirmation  warning  SNS delivers nothing until it is confirmed
  subscription-without-dlq           warning (note for SQS)  failed deliveries are dropped
  async-without-failure-destination  warning  async-invoked function without on-failure destination or DLQ
  async-failure-target-missing       error    that destination or DLQ does not exist
  lambda-permission-blocks-topic|bucket|api  error  the function policy keeps its invoker out
  api-timeout-below-function         warning  the API gives up before the function does
  function-returns-error-to-sqs      error    (emulator journal) statusCode >= 400 returned to SQS
  handler-throws-on-s3-test-event    warning  (emulator) the consumer fails on s3:TestEvent
  raw-delivery-mismatch              warning  (emulator journal) parse errors on SNS-fed messages

--fix applies only the safe fixes local to the flow (policy statements, queue attributes, Lambda
permissions), after showing them and asking (--yes to skip the question); each resource is read again
just before it is written. On AWS the fixes are then pending propagation (check again in a minute).
Exit code 1 when an error-level finding remains, so \`svl doctor --all\` fits in CI.`;

export function register(program: Command, ctx: CommandContext): Command {
  return program
    .command(name)
    .argument('[flow]', 'a flow name (the svl:flow tag); default: the flow of the *.flow.json here')
    .option('--all', 'check every flow')
    .option('--fix', 'apply the safe fixes (shows them and asks first; --yes skips the question)')
    .addHelpText('after', CHECKS_HELP)
    .action(async (flow: string | undefined, opts: DoctorFlags, cmd: Command) => {
      const [{ parseDoctor, runDoctor, doctorOutcome }, { renderDoctor }, { commandLine, invocationArgs }] = await Promise.all([
        import('./run.js'),
        import('./render.js'),
        import('../resume.js'),
      ]);
      const options = parseDoctor(flow, opts);
      const ui = ctx.ui(cmd);
      const target = ctx.target(cmd);
      const result = await runDoctor(options, target, ui, { signal: ctx.signal, resume: commandLine(invocationArgs(cmd)) });
      ui.result(result, (r) => renderDoctor(r, ui.style, options));
      const outcome = doctorOutcome(result, options, target);
      if (outcome.hint) ui.hint(outcome.hint);
      if (outcome.error) throw outcome.error;
    });
}
