/**
 * The shapes of `svl doctor`: what a check looks at (one flow's discovered resources, the functions they
 * involve, the flow's APIs and - on the emulator - facts read from the journal and peeks), and what it
 * says (a finding: a stable id, a severity, the resources, one sentence of why, the exact fix, and when the
 * fix is safe and local to the flow, the action `--fix` applies). Pure data and small helpers.
 *
 * Deliberately not here: discovery (src/flows/doctor/discover.ts) and applying fixes (fix-apply.ts).
 */
import { createHash } from 'node:crypto';
import type { ConsumerInfo, Inventory } from '../../aws/inventory-model.js';

export type Severity = 'error' | 'warning' | 'note';

export type ResourceKind = 'topic' | 'queue' | 'subscription' | 'function' | 'event-source-mapping' | 'bucket' | 'api';

export interface ResourceRef {
  kind: ResourceKind;
  name: string;
  arn?: string;
}

/** What `--fix` can do by itself: only changes local to the flow that lose nothing. */
export type FixAction =
  /** `was`: the value each attribute had when it was read; --fix leaves one that changed since (fix-refresh.ts). */
  | { kind: 'sqs-set-attributes'; queue: string; queueUrl: string; attributes: Record<string, string>; was?: Record<string, string | null> }
  | { kind: 'sqs-add-policy-statement'; queue: string; queueUrl: string; queueArn: string; policy: string | null; statement: PolicyStatement }
  | { kind: 'sns-add-policy-statement'; topic: string; topicArn: string; policy: string | null; statement: PolicyStatement }
  | { kind: 'lambda-add-permission'; function: string; statementId: string; principal: string; sourceArn: string; sourceAccount?: string };

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: { Service: string };
  Action: string;
  Resource: string;
  Condition: Record<string, Record<string, string>>;
}

export interface Fix {
  /** The change in words: "raise VisibilityTimeout of orders from 30 to 180 seconds". */
  summary: string;
  /** The exact command (aws CLI), or the spec change, that makes the finding go away. */
  command: string;
  /** True when `command` is code to put in the handler, not a shell command. */
  code?: boolean;
  /** Present when `svl doctor --fix` applies it. */
  action?: FixAction;
}

export interface Finding {
  /** Stable, e.g. `queue-policy-blocks-topic`: safe to grep for, to allow-list, to count in CI. */
  id: string;
  severity: Severity;
  flow: string;
  /** One line naming the problem and where: "queue billing does not let topic orders send". */
  title: string;
  resources: ResourceRef[];
  /** Why it matters, in one sentence. */
  why: string;
  fix: Fix;
}

/** A check that could not run, and why ("lambda:GetPolicy denied"): reported, never a crash. */
export interface NotChecked {
  check: string;
  flow: string | null;
  resources: ResourceRef[];
  reason: string;
}

/** What doctor knows of a Lambda function; a field left undefined could not be read (see `unreadable`). */
export interface DoctorFunction {
  name: string;
  arn: string;
  timeout?: number;
  role?: string | null;
  /** LastModified of its configuration or code (as AWS gives it). */
  lastModified?: string;
  /** DeadLetterConfig.TargetArn (asynchronous invocations). */
  deadLetterTarget?: string | null;
  /** The EventInvokeConfig's OnFailure destination; null when there is none. */
  onFailure?: string | null;
  /** The function's resource policy (GetPolicy); null when it has none. */
  policy?: string | null;
  /** Parts that could not be read: `configuration`, `event-invoke-config`, `policy` -> the reason. */
  unreadable: Partial<Record<'configuration' | 'event-invoke-config' | 'policy', string>>;
}

export interface DoctorRoute {
  route: string;
  function: string | null;
  integrationTimeoutMs: number | null;
}

export interface DoctorApi {
  id: string;
  name: string;
  flow: string | null;
  routes: DoctorRoute[];
}

/** Facts only the emulator can give (its journal and side-effect-free peeks). */
export interface JournalFacts {
  /** SQS event-source invocations that returned normally with an HTTP-error-looking result. */
  errorResults: Array<{ functionArn: string; statusCode: number; messages: number; requestId: string; at: string }>;
  /** SQS event-source invocations that failed (threw, timed out). */
  failures: Array<{ functionArn: string; error: string; messageIds: string[]; at: string; body?: string }>;
  /** `s3:TestEvent` messages a consumer received without deleting them (in the queue or its DLQ). */
  testEvents: Array<{ queueArn: string; messageId: string; receiveCount: number; inDeadLetterQueue: boolean }>;
}

/** The account of a target svl could not identify (no ARN to read it from, STS failed). */
export const UNKNOWN_ACCOUNT = '<account>';

export interface DoctorTarget {
  kind: 'local' | 'aws';
  region: string;
  account: string;
}

export interface DoctorModel {
  flow: string;
  target: DoctorTarget;
  /** The flow's closure (selectFlow), discovered with every attribute. */
  inventory: Inventory;
  /** Every queue and topic ARN of the target, to tell "missing" from "outside the flow". */
  known: { queues: ReadonlySet<string>; topics: ReadonlySet<string> };
  functions: ReadonlyMap<string, DoctorFunction>;
  apis: DoctorApi[];
  /** Null on AWS (no journal), or when the emulator's journal could not be read. */
  journal: JournalFacts | null;
}

/**
 * Journal facts about a consumer that still hold: those after the last change of its function
 * (configuration or code) and of its mapping. A fixed handler or mapping makes older ones irrelevant.
 */
export function sinceLastChange<T extends { functionArn: string; at: string }>(m: DoctorModel, c: ConsumerInfo, facts: readonly T[]): T[] {
  const fn = m.functions.get(c.functionName);
  const changed = Math.max(Date.parse(fn?.lastModified ?? '') || 0, Date.parse(c.lastModified ?? '') || 0);
  return facts.filter((f) => f.functionArn === c.functionArn && (Date.parse(f.at) || 0) >= changed);
}

export interface CheckResult {
  findings: Finding[];
  notChecked: NotChecked[];
}

export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** `arn:aws:sqs:us-east-1:123:orders` -> `{ region: 'us-east-1', account: '123' }`. */
export const arnParts = (arn: string) => {
  const p = arn.split(':');
  return { service: p[2] ?? '', region: p[3] ?? '', account: p[4] ?? '' };
};

export const seconds = (v: string | undefined): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Shell-quotes one argument (single quotes, as the aws CLI examples do). */
export const sh = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The `aws sqs set-queue-attributes` command that sets `attributes` on a queue. */
export const setQueueAttributesCommand = (queueUrl: string, attributes: Record<string, string>): string =>
  `aws sqs set-queue-attributes --queue-url ${sh(queueUrl)} --attributes ${sh(JSON.stringify(attributes))}`;

/** A short, stable hash of a source ARN: makes a Sid unique per source whatever its name looks like. */
export const shortHash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** `AllowTopic` + the name's letters and digits + a hash of the source ARN (two names alike never share a Sid). */
export const statementSid = (prefix: string, name: string, sourceArn: string): string =>
  `${prefix}${name.replace(/[^A-Za-z0-9]/g, '').slice(0, 60)}${shortHash(sourceArn)}`;

/** The Sids (Lambda: statement ids) of a policy document; empty when it has none or is not JSON. */
export function policySids(policy: string | null | undefined): Set<string> {
  try {
    const doc = policy ? (JSON.parse(policy) as { Statement?: unknown }) : undefined;
    const list = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
    return new Set(list.map((s) => (s as { Sid?: unknown })?.Sid).filter((x): x is string => typeof x === 'string'));
  } catch {
    return new Set();
  }
}

/** `base`, or `base` + 2, 3... : the first one not in `taken`. */
export function freeSid(base: string, taken: ReadonlySet<string>, sep = ''): string {
  let sid = base;
  for (let n = 2; taken.has(sid); n++) sid = `${base}${sep}${n}`;
  return sid;
}

const canonical = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonical).join(',')}]` : v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}` : JSON.stringify(v);

/**
 * The policy document with `statement` added. No existing statement is ever removed or changed: a
 * statement already there (the same but for its Sid) is not added again, and a Sid another statement
 * already uses gets a numeric suffix.
 */
export function withStatement(policy: string | null | undefined, resourceArn: string, statement: PolicyStatement): string {
  let doc: { Version?: string; Id?: string; Statement?: unknown } = {};
  try {
    const parsed = policy ? (JSON.parse(policy) as unknown) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as typeof doc;
  } catch {
    doc = {};
  }
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const { Sid, ...rest } = statement;
  const same = list.some((s) => {
    if (!s || typeof s !== 'object') return false;
    const { Sid: _sid, ...other } = s as Record<string, unknown>;
    return canonical(other) === canonical(rest);
  });
  const added = same ? [] : [{ ...statement, Sid: freeSid(Sid, policySids(JSON.stringify({ Statement: list }))) }];
  return JSON.stringify({ ...doc, Version: doc.Version ?? '2012-10-17', Id: doc.Id ?? `${resourceArn}/svl-doctor`, Statement: [...list, ...added] });
}
