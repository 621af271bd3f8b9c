/** Flow spec files: `<name>.flow.json` in the working directory. */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { validateSpec, type FlowSpec } from './spec.js';
import { apisToJson } from './apis.js';
import { bucketsToJson } from './bucket-spec.js';
import { functionsToJson } from './function-spec.js';

export const specFileName = (flow: string) => `${flow}.flow.json`;

/** The spec file to use: the one given, or the only `*.flow.json` in `cwd`. */
export function resolveSpecFile(file: string | undefined, cwd = process.cwd()): string {
  if (file !== undefined) return resolve(cwd, file);
  const found = readdirSync(cwd).filter((f) => f.endsWith('.flow.json')).sort();
  if (found.length === 1) return join(cwd, found[0]!);
  if (found.length === 0) {
    throw new UsageError('No flow spec file (*.flow.json) in this directory.', { hint: 'Pass the file, or create one with `svl init fanout <name>`.' });
  }
  throw new UsageError(`Several flow spec files here: ${found.join(', ')}.`, { hint: 'Name the one to use, e.g. `svl apply ' + found[0] + '`.' });
}

export function readSpecFile(path: string): FlowSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: 'check the path (flow specs are *.flow.json files)' });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`, { hint: 'fix the JSON at the position named, or recreate it with `svl init`' });
  }
  return validateSpec(raw, path);
}

/** A spec as written to disk: stable key order, two-space indent, trailing newline. */
export function specToJson(spec: FlowSpec): string {
  const queues = spec.queues.map((q) => {
    const out: Record<string, unknown> = {
      id: q.id,
      name: q.name,
      visibilityTimeout: q.visibilityTimeout,
      retentionSeconds: q.retentionSeconds,
      delaySeconds: q.delaySeconds,
      rawDelivery: q.rawDelivery,
    };
    if (q.filterPolicy) {
      out.filterPolicy = q.filterPolicy;
      out.filterPolicyScope = q.filterPolicyScope;
    }
    out.dlq = q.dlq ?? false;
    if (q.subscriptionDlq) out.subscriptionDlq = q.subscriptionDlq;
    if (q.consumer) out.consumer = q.consumer;
    return out;
  });
  return JSON.stringify({ version: spec.version, name: spec.name, topic: spec.topic, queues, tags: spec.tags, ...(spec.apis.length && { apis: apisToJson(spec.apis) }), ...(spec.buckets?.length && { buckets: bucketsToJson(spec.buckets) }), ...(spec.functions?.length && { functions: functionsToJson(spec.functions) }) }, null, 2) + '\n';
}

/**
 * Writes the spec unless a different file of that name exists (then `force` is needed). Returns whether
 * the file was (re)written.
 */
export function writeSpecFile(path: string, spec: FlowSpec, force: boolean): boolean {
  const text = specToJson(spec);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  if (!force) checkSpecFile(path, spec);
  writeFileSync(path, text);
  return true;
}

/** Refuses (UsageError) a spec file of that name that exists and describes a different flow. */
export function checkSpecFile(path: string, spec: FlowSpec, hint = 'Use a different flow name, apply that file with `svl apply`, or pass --force to overwrite it.'): void {
  if (existsSync(path) && readFileSync(path, 'utf8') !== specToJson(spec)) throw new UsageError(`${path} exists and describes a different flow.`, { hint });
}
