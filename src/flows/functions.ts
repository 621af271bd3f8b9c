/**
 * The functions a spec declares (function-spec.ts), observed, planned and applied: each code directory is
 * zipped the way `svl deploy` zips it (src/domain/zip-dir.ts) and its CodeSha256 compared with the
 * function's, and so are handler, runtime, timeout, memory, environment and (when the spec gives one) the
 * role; a function is created, updated (code and/or configuration, only what differs) or left alone, so a
 * second apply changes nothing. Functions are tagged `svl:flow=<flow>` like the rest of the flow, which is
 * how `svl destroy` finds them; an existing function not tagged with the flow is a conflict (--adopt takes
 * it over). Execution role: the spec's `role`; on the emulator svl's own; on AWS svl cannot create IAM
 * roles (it has no IAM client), so a function to be created there without `role` is refused before
 * anything changes. Applied before the mappings, permissions and integrations that invoke the functions.
 * It does not delete functions a spec stops declaring (destroy does, by tag).
 */
import type { FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import { mapLimit } from '../aws/pool.js';
import { codeSha256, zipDirectory } from '../domain/zip-dir.js';
import { UsageError } from '../errors.js';
import { resolveFunctionCode, type FunctionSpec } from './function-spec.js';
import type { PlanStep } from './plan.js';
import { FLOW_TAG, flowTags, type FlowSpec } from './spec.js';
import { lambdaSdk } from '../aws/sdk.js';

/** The role functions get on the emulator when the spec names none (the one `svl deploy --local` uses). */
export const LOCAL_ROLE = 'arn:aws:iam::000000000000:role/svl-lambda';
/** Lambda's limit for a package uploaded directly (ZipFile). */
const MAX_ZIP = 50 * 1024 * 1024;

export interface ObservedFunction {
  arn: string;
  config: FunctionConfiguration;
  tags: Record<string, string>;
}

export interface FunctionsState {
  /** False when the target has no Lambda service (an emulator without it): nothing is planned. */
  available: boolean;
  zips: Map<string, { dir: string; zip: Buffer; sha: string }>;
  existing: Map<string, ObservedFunction>;
}

/** Zips every declared function's code and reads the functions that exist. */
export async function observeFunctions(spec: FlowSpec, lambda: LambdaClient | undefined, specDir: string, source: string): Promise<FunctionsState> {
  const fns = spec.functions ?? [];
  const dirs = resolveFunctionCode(fns, specDir, source);
  const zips = new Map<string, FunctionsState['zips'] extends Map<string, infer V> ? V : never>();
  for (const f of fns) {
    const dir = dirs.get(f.name)!;
    const zip = zipDirectory(dir);
    if (zip.length > MAX_ZIP) {
      throw new UsageError(`The package of function ${f.name} (${dir}) is ${(zip.length / 1048576).toFixed(1)} MB; a direct upload may be at most 50 MB.`, {
        hint: 'Leave out what the handler does not need (dev dependencies, tests), or point functions[].code at a smaller directory.',
      });
    }
    zips.set(f.name, { dir, zip, sha: codeSha256(zip) });
  }
  const existing = new Map<string, ObservedFunction>();
  if (!lambda) return { available: false, zips, existing };
  const { GetFunctionCommand } = lambdaSdk();
  await mapLimit(fns, 8, async (f) => {
    try {
      const r = await lambda.send(new GetFunctionCommand({ FunctionName: f.name }));
      existing.set(f.name, { arn: r.Configuration?.FunctionArn ?? '', config: r.Configuration ?? {}, tags: r.Tags ?? {} });
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
  });
  return { available: true, zips, existing };
}

const sameEnv = (a: Record<string, string> | undefined, b: Record<string, string>) => {
  const x = Object.entries(a ?? {}).sort(([k], [l]) => (k < l ? -1 : 1));
  const y = Object.entries(b).sort(([k], [l]) => (k < l ? -1 : 1));
  return JSON.stringify(x) === JSON.stringify(y);
};

/** The configuration changes from what exists to the spec, as `Timeout: 3 -> 10`. */
export function configChanges(f: FunctionSpec, c: FunctionConfiguration): string[] {
  const out: string[] = [];
  const cmp = (key: string, from: unknown, to: unknown) => {
    if (from !== to) out.push(`${key}: ${from ?? '(unset)'} -> ${to}`);
  };
  cmp('Handler', c.Handler, f.handler);
  cmp('Runtime', c.Runtime, f.runtime);
  cmp('Timeout', c.Timeout, f.timeout);
  cmp('MemorySize', c.MemorySize, f.memory);
  if (!sameEnv(c.Environment?.Variables, f.environment)) out.push(`Environment: ${Object.keys(f.environment).sort().join(', ') || '(none)'}`);
  if (f.role) cmp('Role', c.Role, f.role);
  return out;
}

export function planFunctions(spec: FlowSpec, state: FunctionsState, c: { kind: 'aws' | 'local'; adopt?: boolean; roleHint?: string }): { steps: PlanStep[]; conflicts: string[]; warnings: string[] } {
  const steps: PlanStep[] = [];
  const conflicts: string[] = [];
  const warnings: string[] = [];
  const fns = spec.functions ?? [];
  if (!fns.length) return { steps, conflicts, warnings };
  if (!state.available) {
    warnings.push(`Functions ${fns.map((f) => f.name).join(', ')}: this target has no Lambda service yet; they are not deployed.`);
    return { steps, conflicts, warnings };
  }
  const roleless: string[] = [];
  for (const f of fns) {
    const z = state.zips.get(f.name)!;
    const o = state.existing.get(f.name);
    if (!o) {
      if (c.kind === 'aws' && !f.role) roleless.push(f.name);
      steps.push({ action: 'create', kind: 'function', name: f.name, changes: [`${f.runtime} ${f.handler}`, `${(z.zip.length / 1024).toFixed(1)} KB`] });
      continue;
    }
    const owner = o.tags[FLOW_TAG];
    if (owner !== spec.name && !c.adopt) {
      conflicts.push(owner ? `function ${f.name} belongs to flow "${owner}"` : `function ${f.name} exists and is not managed by svl`);
      continue;
    }
    const changes = [...(o.config.CodeSha256 !== z.sha ? ['code'] : []), ...configChanges(f, o.config)];
    if (owner !== spec.name) changes.push(`tags: ${FLOW_TAG}`);
    if (changes.length) steps.push({ action: 'update', kind: 'function', name: f.name, changes });
  }
  if (roleless.length) {
    throw new UsageError(`Functions ${roleless.join(', ')} need an execution role to be created on AWS, and the spec names none.`, {
      code: 'InvalidFlowSpec',
      hint: c.roleHint ?? 'Set "role": "arn:aws:iam::<account>:role/<name>" on each of them in the spec\'s functions (svl does not create IAM roles; `svl export` writes least-privilege roles for Terraform and CloudFormation).',
    });
  }
  return { steps, conflicts, warnings };
}

/** Creates and updates the declared functions as planned; `step` reports each one done. */
export async function applyFunctions(
  spec: FlowSpec,
  lambda: LambdaClient,
  state: FunctionsState,
  steps: readonly PlanStep[],
  kind: 'aws' | 'local',
  hooks: { step(s: PlanStep): void; cancelling(): boolean },
): Promise<void> {
  const L = lambdaSdk();
  const waiter = { client: lambda, maxWaitTime: 300, minDelay: 1, maxDelay: 5 };
  const tags = flowTags(spec);
  await mapLimit(spec.functions ?? [], 4, async (f) => {
    const s = steps.find((x) => x.kind === 'function' && x.name === f.name && (x.action === 'create' || x.action === 'update'));
    if (!s || hooks.cancelling()) return;
    const z = state.zips.get(f.name)!;
    const config = { Handler: f.handler, Runtime: f.runtime as never, Timeout: f.timeout, MemorySize: f.memory, Environment: { Variables: f.environment } };
    if (s.action === 'create') {
      await lambda.send(new L.CreateFunctionCommand({ FunctionName: f.name, Role: f.role ?? (kind === 'local' ? LOCAL_ROLE : undefined), Code: { ZipFile: z.zip }, ...config, Tags: tags }));
      await L.waitUntilFunctionActiveV2(waiter, { FunctionName: f.name });
    } else {
      const o = state.existing.get(f.name)!;
      if (s.changes.includes('code')) {
        await lambda.send(new L.UpdateFunctionCodeCommand({ FunctionName: f.name, ZipFile: z.zip }));
        await L.waitUntilFunctionUpdatedV2(waiter, { FunctionName: f.name });
      }
      if (configChanges(f, o.config).length) {
        await lambda.send(new L.UpdateFunctionConfigurationCommand({ FunctionName: f.name, ...config, ...(f.role && { Role: f.role }) }));
        await L.waitUntilFunctionUpdatedV2(waiter, { FunctionName: f.name });
      }
      if (Object.entries(tags).some(([k, v]) => o.tags[k] !== v)) await lambda.send(new L.TagResourceCommand({ Resource: o.arn, Tags: tags }));
    }
    hooks.step(s);
  });
}
