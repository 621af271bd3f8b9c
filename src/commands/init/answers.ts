/**
 * The answers of `svl init`: flags first, then prompts (only on a terminal) for what they do not give,
 * template defaults otherwise. Each answer is checked as it is typed, with the same rules as its flag
 * and as the spec (names and their AWS lengths, numbers, filter JSON and SNS's filter-policy rules), so
 * a bad answer is asked again and no answer is lost to an error at the end. Makes no AWS call.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Ui } from '../../ui/index.js';
import { checkSpecFile, specFileName, specToJson } from '../../flows/files.js';
import { DEFAULT_RUNTIME, type FunctionSpec } from '../../flows/function-spec.js';
import { SPEC_LIMITS, filterPolicyProblem, validateSpec, type FlowSpec } from '../../flows/spec.js';
import { accountUniqueBuckets, loadTemplate, templateCodeDir, templateEnv, templateSpec, type FanoutParams } from '../../flows/templates.js';
import { checkWorkerDir, workerDirOf } from './code.js';
import type { InitFlags } from './index.js';

export interface InitOptions {
  spec: FlowSpec;
  template: string;
  file: string;
  dryRun: boolean;
  force: boolean;
  /** Handler code to write and deploy (templates with code): from, to, and the functions it backs. */
  code?: { from: string; dir: string; functions: string[]; timeout?: number; handlers?: Record<string, string>; env?: Record<string, Record<string, string>>; secretFile?: string };
  /** The project directory (`--dir`; templates that are whole projects default to `./<flow>`). */
  projectDir: string;
  role?: string;
}

type Check = true | string;

/** `<name>-<queue>-dlq.fifo` is the longest name a fan-out derives; SQS allows 80 characters. */
const longestQueueName = (flow: string, queue: string, fifo: boolean) => `${flow}-${queue}-dlq${fifo ? '.fifo' : ''}`.length;

export const checkFlowName = (v: string): Check =>
  /^[A-Za-z0-9_-]+$/.test(v) && v.length <= SPEC_LIMITS.flowName ? true : `must be 1-${SPEC_LIMITS.flowName} letters, digits, - and _`;

export const splitQueues = (v: string): string[] => v.split(',').map((q) => q.trim()).filter(Boolean);

export function checkQueues(v: string, flow: string, fifo: boolean): Check {
  const qs = splitQueues(v);
  if (qs.length === 0) return 'name at least one queue';
  for (const q of qs) {
    if (!/^[A-Za-z0-9_-]+$/.test(q)) return `"${q}" must be letters, digits, - and _ (one comma between queues)`;
    if (longestQueueName(flow, q, fifo) > SPEC_LIMITS.queueName) {
      return `"${q}" is too long: its DLQ would be named ${flow}-${q}-dlq${fifo ? '.fifo' : ''} (${longestQueueName(flow, q, fifo)} characters; SQS allows ${SPEC_LIMITS.queueName})`;
    }
  }
  const dupe = qs.find((q, i) => qs.indexOf(q) !== i);
  if (dupe) return `lists a queue twice ("${dupe}")`;
  return true;
}

export const checkMaxReceiveCount = (v: string): Check => {
  const [min, max] = SPEC_LIMITS.maxReceiveCount;
  return /^\d+$/.test(v) && +v >= min && +v <= max ? true : `must be an integer from ${min} to ${max} (got "${v}")`;
};

/** A filter policy as typed: JSON, an object, and valid for SNS (AWS's own message otherwise). */
export function checkFilter(v: string): Check {
  if (v.trim() === '') return true;
  let p: unknown;
  try {
    p = JSON.parse(v);
  } catch (err) {
    return `invalid JSON (${(err as Error).message})`;
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) return 'a filter policy is a JSON object, e.g. {"type":["invoice"]}';
  return filterPolicyProblem(p as Record<string, unknown>, 'MessageAttributes') ?? true;
}

/**
 * Flags first; prompts (only on a terminal) for what they do not give; template defaults otherwise.
 * `account` (on AWS) makes the template's bucket names unique: bucket names are global.
 */
export async function gatherInit(template: string, flowName: string | undefined, f: InitFlags, ui: Ui, account?: string): Promise<InitOptions> {
  const t = loadTemplate(template);
  const problems: string[] = [];
  const flag = (check: Check, what: string) => check === true || problems.push(`${what}${check.startsWith('must') ? ' ' : ': '}${check}`);
  if (flowName !== undefined) flag(checkFlowName(flowName), `name "${flowName}"`);
  if (f.maxReceiveCount !== undefined) flag(checkMaxReceiveCount(f.maxReceiveCount), '--max-receive-count');
  if (f.queues !== undefined) flag(checkQueues(f.queues, flowName ?? t.defaults?.name ?? '', Boolean(f.fifo)), '--queues');
  const filters: Record<string, Record<string, unknown>> = {};
  for (const item of f.filter ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      problems.push(`--filter must look like queue='{"key":["value"]}' (got ${item})`);
      continue;
    }
    const ok = checkFilter(item.slice(eq + 1));
    if (ok !== true) problems.push(`--filter ${item.slice(0, eq)}: ${ok}`);
    else filters[item.slice(0, eq)] = JSON.parse(item.slice(eq + 1)) as Record<string, unknown>;
  }
  if (f.role !== undefined && !/^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(f.role)) problems.push(`--role "${f.role}" is not an IAM role ARN`);
  if (f.role !== undefined && !t.consumer && !t.code) problems.push(`--role: the ${t.id} template deploys no function`);
  if (f.fifo && t.bucket) problems.push(`--fifo: the ${t.id} template's queue is notified by S3, and S3 event notifications cannot go to FIFO queues`);
  if (problems.length) throw new UsageError(`Invalid options:\n  - ${problems.join('\n  - ')}`, { hint: 'Fix the listed options; `svl init --help` shows examples.' });
  if (t.spec && (f.queues || f.fifo || f.filter || f.maxReceiveCount || f.raw)) {
    throw new UsageError(`The ${t.id} template is fixed: --queues, --fifo, --filter, --max-receive-count and --raw do not apply.`);
  }

  let spec: FlowSpec;
  if (t.spec) spec = templateSpec(t);
  else {
    const d = t.defaults!;
    const ask = ui.ask;
    // The files a name leads to are checked with the name, so the later answers are not typed in vain.
    const nameFree = (v: string): Check => {
      const ok = checkFlowName(v);
      if (ok !== true || f.force || f.dryRun) return ok;
      const base = resolve(f.dir ?? '.');
      if (f.out === undefined && existsSync(join(base, specFileName(v)))) return `${specFileName(v)} exists here: choose another name (or apply that file with \`svl apply\`)`;
      const from = templateCodeDir(t);
      if (from && existsSync(workerDirOf(v, base))) {
        try {
          checkWorkerDir(from, workerDirOf(v, base));
        } catch {
          return `./${v}-worker exists here and svl init does not overwrite it: choose another name`;
        }
      }
      return true;
    };
    const name = flowName ?? (await ask.input({ message: 'Flow name (names the topic, prefixes the queues)', flag: '<name>', default: d.name, validate: nameFree }));
    const fifo = f.fifo ?? (f.queues === undefined && ask.interactive ? await ask.confirm({ message: 'FIFO (ordered, deduplicated)?', flag: '--fifo', default: d.fifo }) : d.fifo);
    if (f.queues !== undefined && flowName === undefined) {
      const ok = checkQueues(f.queues, name, fifo);
      if (ok !== true) throw new UsageError(`Invalid options:\n  - --queues: ${ok}`);
    }
    const qs = splitQueues(f.queues ?? (await ask.input({ message: 'Subscriber queues (comma-separated)', flag: '--queues', default: d.queues.join(','), validate: (v) => checkQueues(v, name, fifo) })));
    const maxReceiveCount = Number(
      f.maxReceiveCount ?? (await ask.input({ message: 'Receives before a message goes to its DLQ', flag: '--max-receive-count', default: String(d.maxReceiveCount), validate: checkMaxReceiveCount })),
    );
    const chosenFilters = { ...(f.filter ? {} : d.filters), ...filters };
    if (!f.filter && ask.interactive) {
      for (const q of qs) {
        const answer = await ask.input({
          message: `Filter policy for ${q} (JSON, empty for everything)`,
          flag: '--filter',
          required: false,
          default: chosenFilters[q] ? JSON.stringify(chosenFilters[q]) : '',
          validate: checkFilter,
        });
        if (answer.trim()) chosenFilters[q] = JSON.parse(answer) as Record<string, unknown>;
        else delete chosenFilters[q];
      }
    }
    for (const q of Object.keys(filters)) {
      if (!qs.includes(q)) throw new UsageError(`--filter ${q}=…: there is no queue "${q}" (queues: ${qs.join(', ')}).`);
    }
    // Template defaults for queues the user did not keep are dropped.
    for (const q of Object.keys(chosenFilters)) if (!qs.includes(q)) delete chosenFilters[q];
    const params: FanoutParams = { name, queues: qs, fifo, contentBasedDeduplication: d.contentBasedDeduplication, maxReceiveCount, raw: f.raw ?? d.raw, filters: chosenFilters };
    spec = templateSpec(t, params);
  }
  if (account) spec = accountUniqueBuckets(spec, account);
  if (f.dir !== undefined && existsSync(f.dir) && !statSync(f.dir).isDirectory()) {
    throw new UsageError(`--dir ${f.dir} is a file, not a directory.`, { hint: 'Name a directory (it is created when missing).' });
  }
  const projectDir = resolve(f.dir ?? (t.project ? spec.name : '.'));
  const file = f.out !== undefined ? resolve(f.out) : join(projectDir, specFileName(spec.name));
  const from = templateCodeDir(t);
  let code: InitOptions['code'];
  if (from) {
    const functions = [...new Set([...spec.queues.flatMap((q) => (q.consumer ? [q.consumer.function] : [])), ...Object.keys(t.code?.handlers ?? {})])];
    const env = t.code?.env && Object.fromEntries(Object.entries(t.code.env).map(([fn, e]) => [fn, templateEnv(e, spec)!]));
    const dir = t.code?.dirName ? join(projectDir, t.code.dirName) : workerDirOf(spec.name, projectDir);
    code = { from, dir, functions, timeout: t.consumer?.timeout ?? t.code?.timeout, ...(t.code && { handlers: t.code.handlers, env, secretFile: t.code.secretFile }) };
    // A whole project's spec declares its functions (code relative to the spec file): `svl apply` deploys them.
    if (t.project && t.code) spec = withTemplateFunctions(spec, code, relative(dirname(file), dir), f.role);
  }
  if (!f.dryRun && !f.force) {
    checkSpecFile(file, spec, 'Use another flow name or --out, apply that file with `svl apply`, or pass --force.');
    if (code) checkWorkerDir(code.from, code.dir);
  }
  return { spec, template: t.id, file, dryRun: Boolean(f.dryRun), force: Boolean(f.force), code, role: f.role, projectDir };
}

/** The spec with a `functions` section for the template's code: one function per handler, the code directory relative to the spec. */
export function withTemplateFunctions(spec: FlowSpec, code: NonNullable<InitOptions['code']>, rel: string, role?: string): FlowSpec {
  const dir = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? rel : `./${rel}`;
  const functions: FunctionSpec[] = code.functions.map((fn) => ({
    name: fn,
    handler: code.handlers?.[fn] ?? 'index.handler',
    code: dir,
    runtime: DEFAULT_RUNTIME,
    timeout: code.timeout ?? 3,
    memory: 128,
    environment: code.env?.[fn] ?? {},
    ...(role && { role }),
  }));
  return validateSpec(JSON.parse(specToJson({ ...spec, functions })), `template flow "${spec.name}"`);
}
