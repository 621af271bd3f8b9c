/**
 * The `functions` part of a flow spec: Lambda functions the flow deploys itself (name, handler, a code
 * directory relative to the spec file, runtime, timeout, memory, environment, optional execution role),
 * validated with Lambda's rules, every problem listed with its JSON path. A function that consumers,
 * routes, authorizers or bucket notifications name but that is not declared here stays an "existing
 * function", as before this section existed. Pure: no AWS call and no file read, except
 * `resolveFunctionCode`, which checks the code directories when a command is about to zip them.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { SUPPORTED_RUNTIMES } from '../domain/runtimes.js';
import { closest } from './suggest.js';

/**
 * The runtime a declared function gets by default: the current Node.js LTS runtime. Not nodejs20.x (what
 * `svl deploy` detects): Lambda stopped creating nodejs20.x functions on 2026-06-01 (AWS's cfn-lint E2533).
 */
export const DEFAULT_RUNTIME = 'nodejs24.x';

export interface FunctionSpec {
  name: string;
  /** `file.export` (Node, Python) or anything for provided runtimes (`bootstrap`). */
  handler: string;
  /** The code directory, as written in the spec: relative to the spec file (or absolute). */
  code: string;
  runtime: string;
  timeout: number;
  memory: number;
  environment: Record<string, string>;
  /** The execution role's ARN; absent: the emulator's role locally, required on AWS (see functions.ts). */
  role?: string;
}

export const FUNCTION_LIMITS = {
  name: 64,
  handler: 128,
  timeout: [1, 900],
  memory: [128, 10_240],
  /** Lambda: the environment variables' keys and values together, at most 4 KB. */
  environment: 4096,
} as const;

const KEYS = ['name', 'handler', 'code', 'runtime', 'timeout', 'memory', 'environment', 'role'] as const;
const NAME_RE = /^[A-Za-z0-9_-]+$/;
const ENV_KEY_RE = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
/** Lambda reserves these environment variables (Lambda developer guide, "Defined runtime environment variables"). */
const RESERVED_ENV = ['_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR'];
export const ROLE_ARN_RE = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Validates the spec's `functions` (absent: none); problems go to `bad` with their JSON path. */
export function validateFunctions(raw: unknown, bad: (path: string, message: string) => void): FunctionSpec[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    bad('functions', 'must be a list of functions, e.g. [{ "name": "orders-worker", "handler": "index.handler", "code": "./worker" }]');
    return [];
  }
  const out: FunctionSpec[] = [];
  const seen = new Map<string, string>();
  raw.forEach((f: unknown, i: number) => {
    const p = `functions[${i}]`;
    if (!isObj(f)) return bad(p, 'must be an object with at least name, handler and code');
    for (const k of Object.keys(f)) {
      if ((KEYS as readonly string[]).includes(k)) continue;
      const guess = closest(k, KEYS);
      bad(`${p}.${k}`, `unknown key${guess ? `; did you mean "${guess}"?` : ` (known here: ${KEYS.join(', ')})`}`);
    }
    let ok = true;
    const name = f.name;
    if (typeof name !== 'string' || !NAME_RE.test(name) || name.length > FUNCTION_LIMITS.name) {
      bad(`${p}.name`, `must be a Lambda function name: 1-${FUNCTION_LIMITS.name} letters, digits, - and _ (got ${JSON.stringify(name)})`);
      ok = false;
    } else if (seen.has(name)) {
      bad(`${p}.name`, `"${name}" is already declared by ${seen.get(name)}: declare each function once`);
      ok = false;
    } else seen.set(name, p);

    const runtime = f.runtime === undefined ? DEFAULT_RUNTIME : f.runtime;
    if (typeof runtime !== 'string' || !SUPPORTED_RUNTIMES.includes(runtime)) {
      const guess = typeof runtime === 'string' ? closest(runtime, SUPPORTED_RUNTIMES) : undefined;
      bad(`${p}.runtime`, `${JSON.stringify(runtime)} is not a runtime svl deploys${guess ? `; did you mean "${guess}"?` : ` (one of ${SUPPORTED_RUNTIMES.join(', ')})`}`);
      ok = false;
    }
    const handler = f.handler;
    const provided = typeof runtime === 'string' && runtime.startsWith('provided');
    if (typeof handler !== 'string' || handler.length === 0 || handler.length > FUNCTION_LIMITS.handler || /\s/.test(handler)) {
      bad(`${p}.handler`, `is required: the file and export Lambda calls, e.g. "index.handler" for index.mjs exporting handler${provided ? ' ("bootstrap" for a provided runtime)' : ''}`);
      ok = false;
    } else if (!provided && !/^[^.]+(\.[^.]+)*\.[A-Za-z_$][\w$]*$/.test(handler)) {
      bad(`${p}.handler`, `"${handler}" must be <file>.<export>, e.g. "index.handler" (the file without its extension, then the exported function)`);
      ok = false;
    }
    const code = f.code;
    if (typeof code !== 'string' || code.trim() === '') {
      bad(`${p}.code`, 'is required: the directory of the handler code, relative to the spec file (e.g. "./functions")');
      ok = false;
    }
    const int = (key: 'timeout' | 'memory', def: number, [min, max]: readonly [number, number], unit: string) => {
      const v = f[key];
      if (v === undefined) return def;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        bad(`${p}.${key}`, `must be an integer from ${min} to ${max} ${unit} (got ${JSON.stringify(v)})`);
        ok = false;
        return def;
      }
      return v;
    };
    const timeout = int('timeout', 3, FUNCTION_LIMITS.timeout, 'seconds');
    const memory = int('memory', 128, FUNCTION_LIMITS.memory, 'MB');
    const environment: Record<string, string> = {};
    if (f.environment !== undefined) {
      if (!isObj(f.environment)) {
        bad(`${p}.environment`, 'must be an object of string values, e.g. { "TABLE": "orders" }');
        ok = false;
      } else {
        let size = 0;
        for (const [k, v] of Object.entries(f.environment)) {
          const ep = `${p}.environment[${JSON.stringify(k)}]`;
          if (!ENV_KEY_RE.test(k)) bad(ep, 'keys must start with a letter, then letters, digits and _ (at least 2 characters)');
          else if (RESERVED_ENV.includes(k)) bad(ep, `is reserved by Lambda, which sets it itself; use another name`);
          else if (typeof v !== 'string') bad(ep, `must be a string (got ${JSON.stringify(v)}); quote numbers and booleans`);
          else {
            environment[k] = v;
            size += k.length + v.length;
            continue;
          }
          ok = false;
        }
        if (size > FUNCTION_LIMITS.environment) {
          bad(`${p}.environment`, `is ${size} bytes; Lambda allows ${FUNCTION_LIMITS.environment} bytes of keys and values in all`);
          ok = false;
        }
      }
    }
    let role: string | undefined;
    if (f.role !== undefined) {
      if (typeof f.role !== 'string' || !ROLE_ARN_RE.test(f.role)) {
        bad(`${p}.role`, `must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name> (got ${JSON.stringify(f.role)}); leave it out to use svl's role on the emulator`);
        ok = false;
      } else role = f.role;
    }
    if (ok) out.push({ name: name as string, handler: handler as string, code: code as string, runtime: runtime as string, timeout, memory, environment, ...(role && { role }) });
  });
  return out;
}

/** The spec's functions as written to disk: defaults spelled out, no empty environment. */
export function functionsToJson(fns: readonly FunctionSpec[]): unknown[] {
  return fns.map((f) => ({
    name: f.name,
    handler: f.handler,
    code: f.code,
    runtime: f.runtime,
    timeout: f.timeout,
    memory: f.memory,
    ...(Object.keys(f.environment).length && { environment: f.environment }),
    ...(f.role && { role: f.role }),
  }));
}

/** The absolute code directory of a declared function. */
export const codeDirOf = (f: FunctionSpec, specDir: string): string => (isAbsolute(f.code) ? f.code : resolve(specDir, f.code));

/** The handler's source file candidates (`index.handler` -> index.mjs, index.js, index.cjs / index.py). */
function handlerFiles(f: FunctionSpec): string[] | undefined {
  if (f.runtime.startsWith('provided')) return ['bootstrap'];
  const file = f.handler.slice(0, f.handler.lastIndexOf('.'));
  return f.runtime.startsWith('python') ? [`${file.replace(/\./g, '/')}.py`] : ['.mjs', '.js', '.cjs'].map((x) => `${file}${x}`);
}

/**
 * Checks, before anything is zipped or changed, that each declared function's code directory exists
 * and holds its handler file; returns the absolute directories by function name. UsageError (exit 2).
 */
export function resolveFunctionCode(fns: readonly FunctionSpec[], specDir: string, source: string): Map<string, string> {
  const dirs = new Map<string, string>();
  const problems: string[] = [];
  fns.forEach((f, i) => {
    const dir = codeDirOf(f, specDir);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push(`functions[${i}].code: ${dir} is not a directory (the path is relative to the spec file)`);
      return;
    }
    const files = handlerFiles(f)!;
    if (!files.some((x) => existsSync(join(dir, x)))) problems.push(`functions[${i}].handler: "${f.handler}" needs ${files.join(' or ')} in ${dir}, which has none`);
    dirs.set(f.name, dir);
  });
  if (problems.length) {
    throw new UsageError(`The code of the functions in ${source} is not where the spec says:\n  - ${problems.join('\n  - ')}`, {
      code: 'InvalidFlowSpec',
      hint: 'Fix functions[].code (a directory relative to the spec file) or functions[].handler (<file>.<export>), then run the command again.',
    });
  }
  return dirs;
}
