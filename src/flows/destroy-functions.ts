/**
 * The Lambda functions of a flow for `svl destroy`: those tagged `svl:flow=<flow>` (what `svl apply`
 * deploys from the spec's `functions`, and what `svl init` deployed before it had them). Candidates are the spec's functions (consumers, API routes and
 * authorizers, bucket destinations), the consumers found on the flow's queues, and functions named
 * `<flow>-…`; each is kept unless its tag says it belongs to this flow. Functions deployed by hand
 * (`svl deploy`, untagged) are never deleted. Deleted last, after the mappings and APIs that invoke them.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { mapLimit } from '../aws/pool.js';
import { apiFunctions } from './apis.js';
import type { PlanStep } from './plan.js';
import { FLOW_TAG, type FlowSpec } from './spec.js';
import { lambdaSdk } from '../aws/sdk.js';

export const specFunctions = (spec: FlowSpec): string[] => [
  ...new Set([
    ...spec.queues.flatMap((q) => (q.consumer ? [q.consumer.function] : [])),
    ...spec.apis.flatMap(apiFunctions),
    ...(spec.buckets ?? []).flatMap((b) => b.notifications.filter((n) => n.kind === 'function').map((n) => n.target)),
    ...(spec.functions ?? []).map((f) => f.name),
  ]),
];

export async function planDestroyFunctions(flow: string, spec: FlowSpec | undefined, lambda: LambdaClient | undefined, consumers: string[]): Promise<{ names: string[]; steps: PlanStep[] }> {
  if (!lambda) return { names: [], steps: [] };
  const L = lambdaSdk();
  const candidates = new Set([...(spec ? specFunctions(spec) : []), ...consumers.filter(Boolean)]);
  let marker: string | undefined;
  do {
    const page = await lambda.send(new L.ListFunctionsCommand({ Marker: marker }));
    for (const f of page.Functions ?? []) if (f.FunctionName?.startsWith(`${flow}-`)) candidates.add(f.FunctionName);
    marker = page.NextMarker;
  } while (marker);
  const owned = await mapLimit([...candidates], 8, async (name) => {
    try {
      const f = await lambda.send(new L.GetFunctionCommand({ FunctionName: name }));
      return f.Tags?.[FLOW_TAG] === flow ? name : undefined;
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  });
  const names = owned.filter((n): n is string => n !== undefined).sort();
  return { names, steps: names.map((name): PlanStep => ({ action: 'delete', kind: 'function', name, changes: [] })) };
}

export async function deleteFunction(lambda: LambdaClient, name: string): Promise<void> {
  const { DeleteFunctionCommand } = lambdaSdk();
  try {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
}
