/**
 * The shapes of `svl doctor`: what a check looks at (one flow's discovered resources, the functions they
 * involve, the flow's APIs and - on the emulator - facts read from the journal and peeks), and what it
 * says (a finding: a stable id, a severity, the resources, one sentence of why, the exact fix, and when the
 * fix is safe and local to the flow, the action `--fix` applies). Pure data and small helpers.
 *
 * Deliberately not here: discovery (src/flows/doctor/discover.ts) and applying fixes (fix-apply.ts).
 */
import type { Inventory } from '../../aws/inventory-model.js';

export type Severity = 'error' | 'warning' | 'note';

export type ResourceKind = 'topic' | 'queue' | 'subscription' | 'function' | 'event-source-mapping' | 'bucket' | 'api';

export interface ResourceRef {
  kind: ResourceKind;
  name: string;
  arn?: string;
}

/** What `--fix` can do by itself: only changes local to the flow that lose nothing. */
export type FixAction =
  | { kind: 'sqs-set-attributes'; queue: string; queueUrl: string; attributes: Record<string, string> }
  | { kind: 'sqs-add-policy-statement'; queue: string; queueUrl: string; queueArn: string; policy: string | null; statement: PolicyStatement }
  | { kind: 'sns-add-policy-statement'; topic: string; topicArn: string; policy: string | null; statement: PolicyStatement }
  | { kind: 'lambda-update-mapping'; uuid: string; function: string; functionResponseTypes: string[] }
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
  errorResults: Array<{ functionArn: string; statusCode: number; messages: number; requestId: string }>;
  /** SQS event-source invocations that failed (threw, timed out). */
  failures: Array<{ functionArn: string; error: string; messageIds: string[] }>;
  /** `s3:TestEvent` messages a consumer received without deleting them (in the queue or its DLQ). */
  testEvents: Array<{ queueArn: string; messageId: string; receiveCount: number; inDeadLetterQueue: boolean }>;
}

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

/** The policy document with `statement` added (replacing a statement of the same Sid). */
export function withStatement(policy: string | null | undefined, resourceArn: string, statement: PolicyStatement): string {
  let doc: { Version?: string; Id?: string; Statement?: unknown } = {};
  try {
    const parsed = policy ? (JSON.parse(policy) as unknown) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as typeof doc;
  } catch {
    doc = {};
  }
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const kept = list.filter((s) => (s as { Sid?: string })?.Sid !== statement.Sid);
  return JSON.stringify({ Version: doc.Version ?? '2012-10-17', Id: doc.Id ?? `${resourceArn}/svl-doctor`, Statement: [...kept, statement] });
}
