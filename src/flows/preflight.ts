/**
 * Checks of a valid spec against what exists, before anything changes: what apply would be refused by
 * AWS because of a resource outside the spec. Today: an SQS event source mapping whose queue's
 * visibility timeout is shorter than the (existing) consumer function's timeout — Lambda refuses
 * CreateEventSourceMapping with "Queue visibility timeout: 30 seconds is less than Function timeout:
 * 60 seconds". Pure (reads the observation); conflicts of ownership stay in the plan (exit 1, --adopt).
 */
import type { Observed } from './observe.js';
import { SpecError, visibilityTimeoutMessage, type FlowSpec, type SpecProblem } from './spec.js';
import { apiPreflightProblems } from './apis.js';

/** `deploys`: functions the command deploys itself before applying (not missing, even if absent now). */
export function preflightProblems(spec: FlowSpec, observed: Pick<Observed, 'functionTimeouts' | 'apis'>, deploys: readonly string[] = []): SpecProblem[] {
  const problems: SpecProblem[] = [];
  // An API route or authorizer naming a function that does not exist: API Gateway would answer 500 on every call.
  const missing = new Set([...(observed.apis?.available ? observed.apis.missingFunctions : [])].filter((fn) => !deploys.includes(fn)));
  problems.push(...apiPreflightProblems(spec.apis, missing));
  spec.queues.forEach((q, i) => {
    if (!q.consumer) return;
    const timeout = observed.functionTimeouts?.get(q.consumer.function);
    if (timeout === undefined || timeout <= q.visibilityTimeout) return;
    problems.push({
      path: `queues[${i}].visibilityTimeout`,
      message: `${visibilityTimeoutMessage(q.visibilityTimeout, timeout)} (function ${q.consumer.function} exists with a ${timeout} s timeout); raise visibilityTimeout to at least ${timeout}, or lower the function's timeout`,
    });
  });
  return problems;
}

/** Throws the SpecError (exit 2) that lists what apply would be refused for; `source` names the spec. */
export function assertApplicable(spec: FlowSpec, observed: Pick<Observed, 'functionTimeouts' | 'apis'>, source: string, deploys: readonly string[] = []): void {
  const problems = preflightProblems(spec, observed, deploys);
  if (problems.length) throw new SpecError(problems, source);
}
