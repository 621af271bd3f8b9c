/**
 * The `buckets` part of a flow spec: S3 buckets and their event notifications to the flow's queues, its
 * topic, or a Lambda function. Validated with AWS's rules (bucket names as the S3 user guide states them,
 * the S3 event type set, filter rules, overlapping configurations as PutBucketNotificationConfiguration
 * refuses them), every problem listed with its JSON path. Pure: no AWS call, no look at what exists.
 * It does not derive policies or permissions (buckets.ts does).
 */
import { closest } from './suggest.js';

export type DestinationKind = 'queue' | 'topic' | 'function';

export interface NotificationSpec {
  /** The configuration Id S3 stores (svl derives `<bucket>-<kind>-<target>`, `-2`, `-3`… when the spec gives none). */
  id: string;
  events: string[];
  prefix?: string;
  suffix?: string;
  kind: DestinationKind;
  /** The queue's name (resolved from a queue id or name of the flow), the topic's name, or the function's name. */
  target: string;
}

export interface BucketSpec {
  name: string;
  notifications: NotificationSpec[];
}

/** The event types S3 can notify (S3 user guide, "Supported event types"); s3:TestEvent is S3's own. */
export const S3_EVENTS = [
  's3:ObjectCreated:*', 's3:ObjectCreated:Put', 's3:ObjectCreated:Post', 's3:ObjectCreated:Copy', 's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*', 's3:ObjectRemoved:Delete', 's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*', 's3:ObjectRestore:Post', 's3:ObjectRestore:Completed', 's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject',
  's3:Replication:*', 's3:Replication:OperationFailedReplication', 's3:Replication:OperationMissedThreshold', 's3:Replication:OperationReplicatedAfterThreshold', 's3:Replication:OperationNotTracked',
  's3:LifecycleExpiration:*', 's3:LifecycleExpiration:Delete', 's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition', 's3:IntelligentTiering',
  's3:ObjectTagging:*', 's3:ObjectTagging:Put', 's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
] as const;

const KEYS = {
  bucket: ['name', 'notifications'],
  notification: ['id', 'events', 'prefix', 'suffix', 'queue', 'topic', 'function'],
} as const;

/** S3 object keys are at most 1024 bytes; so are filter rule values. */
const MAX_FILTER = 1024;
const FUNCTION_RE = /^[A-Za-z0-9_-]{1,64}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Why a bucket name is invalid (S3 user guide, "General purpose bucket naming rules"), or undefined.
 * The rules for names created today: 3-63 characters of a-z, 0-9, `.` and `-`, starting and ending with a
 * letter or digit, no `..`, not an IP address, none of the reserved prefixes and suffixes.
 */
export function bucketNameProblem(n: string): string | undefined {
  if (n.length < 3 || n.length > 63) return `must be 3-63 characters (got ${n.length})`;
  if (!/^[a-z0-9.-]+$/.test(n)) return 'may contain only lowercase letters, digits, dots (.) and hyphens (-)';
  if (!/^[a-z0-9]/.test(n) || !/[a-z0-9]$/.test(n)) return 'must begin and end with a letter or digit';
  if (n.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(n)) return 'must not be formatted as an IP address';
  for (const p of ['xn--', 'sthree-', 'amzn-s3-demo-']) if (n.startsWith(p)) return `must not start with the reserved prefix ${p}`;
  for (const s of ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']) if (n.endsWith(s)) return `must not end with the reserved suffix ${s}`;
  return undefined;
}

/** The concrete event types an event pattern stands for (`s3:ObjectCreated:*` -> its members). */
export function expandEvent(e: string): string[] {
  if (!e.endsWith(':*')) return [e];
  const base = e.slice(0, -1);
  return S3_EVENTS.filter((x) => x.startsWith(base) && !x.endsWith('*'));
}

/** The flow's queues as bucket notifications may name them: by id or by name. */
export interface QueueRef {
  id: string;
  name: string;
}

/**
 * Validates `raw.buckets` (undefined means none). Queues are named by the flow's queue id or name (the
 * flow manages their policies); the topic only by the flow's topic name; functions by name.
 */
export function validateBuckets(raw: unknown, queues: readonly QueueRef[], topicName: string, bad: (path: string, message: string) => void): BucketSpec[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    bad('buckets', 'must be a list of buckets, e.g. [{ "name": "uploads", "notifications": [...] }]');
    return [];
  }
  const out: BucketSpec[] = [];
  const seen = new Map<string, string>();
  raw.forEach((b: unknown, i: number) => {
    const p = `buckets[${i}]`;
    if (!isObj(b)) return bad(p, 'must be an object with a name');
    unknownKeys(b, KEYS.bucket, p, bad);
    if (typeof b.name !== 'string') return bad(`${p}.name`, 'is required (a string)');
    const problem = bucketNameProblem(b.name);
    if (problem) bad(`${p}.name`, `"${b.name}" ${problem} (S3 bucket naming rules)`);
    const first = seen.get(b.name);
    if (first !== undefined) bad(`${p}.name`, `"${b.name}" is already used by ${first}`);
    else seen.set(b.name, p);
    const notifications: NotificationSpec[] = [];
    if (b.notifications !== undefined && !Array.isArray(b.notifications)) bad(`${p}.notifications`, 'must be a list of notifications');
    else {
      (b.notifications ?? []).forEach((n: unknown, j: number) => {
        const np = `${p}.notifications[${j}]`;
        const spec = validateNotification(n, np, queues, topicName, bad);
        if (spec) notifications.push(spec);
      });
    }
    checkOverlaps(notifications, `${p}.notifications`, bad);
    const ids = new Set<string>();
    notifications.forEach((n, j) => {
      if (!n.id) return;
      if (ids.has(n.id)) bad(`${p}.notifications[${j}].id`, `"${n.id}" is already the id of another notification of this bucket`);
      ids.add(n.id);
    });
    // Derived ids (`<bucket>-<kind>-<target>`, then -2, -3… when taken) never collide with written ones or each other.
    for (const n of notifications) {
      if (n.id) continue;
      const base = `${b.name}-${n.kind}-${n.target}`;
      let id = base;
      for (let k = 2; ids.has(id); k++) id = `${base}-${k}`;
      n.id = id;
      ids.add(id);
    }
    out.push({ name: b.name, notifications });
  });
  return out;
}

function validateNotification(n: unknown, p: string, queues: readonly QueueRef[], topicName: string, bad: (path: string, message: string) => void): NotificationSpec | undefined {
  if (!isObj(n)) {
    bad(p, 'must be an object: { "events": [...], "queue" | "topic" | "function": ... }');
    return undefined;
  }
  unknownKeys(n, KEYS.notification, p, bad);
  let ok = true;
  const events: string[] = [];
  if (!Array.isArray(n.events) || n.events.length === 0) {
    bad(`${p}.events`, 'must list at least one S3 event type, e.g. ["s3:ObjectCreated:*"]');
    ok = false;
  } else {
    n.events.forEach((e: unknown, k: number) => {
      if (typeof e === 'string' && (S3_EVENTS as readonly string[]).includes(e)) {
        if (events.includes(e)) bad(`${p}.events[${k}]`, `lists ${e} twice`);
        else events.push(e);
        return;
      }
      ok = false;
      const guess = typeof e === 'string' ? closest(e, S3_EVENTS) : undefined;
      bad(`${p}.events[${k}]`, `${JSON.stringify(e)} is not an S3 event type${guess ? `; did you mean "${guess}"?` : ' (e.g. s3:ObjectCreated:*, s3:ObjectRemoved:Delete)'}`);
    });
  }
  const filter = (key: 'prefix' | 'suffix'): string | undefined => {
    const v = n[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0 || Buffer.byteLength(v) > MAX_FILTER) {
      bad(`${p}.${key}`, `must be a non-empty string of at most ${MAX_FILTER} bytes (an object key ${key})`);
      ok = false;
      return undefined;
    }
    return v;
  };
  const prefix = filter('prefix');
  const suffix = filter('suffix');
  const given = (['queue', 'topic', 'function'] as const).filter((k) => n[k] !== undefined);
  if (given.length !== 1) {
    bad(p, given.length ? `names ${given.join(' and ')}: a notification has exactly one destination` : 'needs a destination: "queue", "topic" or "function"');
    return undefined;
  }
  const kind = given[0]!;
  const value = n[kind];
  let target = '';
  if (typeof value !== 'string' || value === '') {
    bad(`${p}.${kind}`, `must be a string (the ${kind}'s name)`);
    return undefined;
  }
  if (kind === 'queue') {
    const q = queues.find((x) => x.id === value) ?? queues.find((x) => x.name === value);
    if (!q) {
      const guess = closest(value, queues.flatMap((x) => [x.id, x.name]));
      bad(`${p}.queue`, `"${value}" is not a queue of this flow${guess ? `; did you mean "${guess}"?` : ` (queues: ${queues.map((x) => x.id).join(', ') || 'none'})`}: svl manages the policy that lets the bucket send`);
      return undefined;
    }
    target = q.name;
  } else if (kind === 'topic') {
    if (value !== topicName) {
      bad(`${p}.topic`, `"${value}" is not this flow's topic ("${topicName}"): svl manages the policy that lets the bucket publish`);
      return undefined;
    }
    if (topicName.endsWith('.fifo')) {
      bad(`${p}.topic`, `"${value}" is a FIFO topic: S3 event notifications cannot go to FIFO topics`);
      return undefined;
    }
    target = value;
  } else {
    if (!FUNCTION_RE.test(value)) {
      bad(`${p}.function`, '"' + value + '" must name a Lambda function (1-64 letters, digits, - and _)');
      return undefined;
    }
    target = value;
  }
  if (kind === 'queue' && target.endsWith('.fifo')) {
    bad(`${p}.queue`, `"${target}" is a FIFO queue: S3 event notifications cannot go to FIFO queues`);
    return undefined;
  }
  let id: string | undefined;
  if (n.id !== undefined) {
    if (typeof n.id !== 'string' || n.id.length === 0 || n.id.length > 1024) bad(`${p}.id`, 'must be a non-empty string of at most 1024 characters');
    else id = n.id;
  }
  if (!ok) return undefined;
  // An empty id: none written; validateBuckets derives one once it knows the bucket's other ids.
  return { id: id ?? '', events, ...(prefix !== undefined && { prefix }), ...(suffix !== undefined && { suffix }), kind, target };
}

/**
 * AWS refuses two configurations of one bucket that share an event type and whose filters can match the
 * same key ("Configurations overlap. Configurations on the same bucket cannot share a common event type.").
 * Filters overlap when one prefix starts the other (or either is absent), and likewise for suffixes.
 */
function checkOverlaps(ns: readonly NotificationSpec[], p: string, bad: (path: string, message: string) => void): void {
  const meet = (a: string | undefined, b: string | undefined, f: (x: string, y: string) => boolean) => !a || !b || f(a, b) || f(b, a);
  for (let i = 0; i < ns.length; i++) {
    for (let j = i + 1; j < ns.length; j++) {
      const a = ns[i]!;
      const b = ns[j]!;
      const shared = a.events.flatMap(expandEvent).filter((e) => b.events.flatMap(expandEvent).includes(e));
      if (!shared.length) continue;
      if (!meet(a.prefix, b.prefix, (x, y) => x.startsWith(y)) || !meet(a.suffix, b.suffix, (x, y) => x.endsWith(y))) continue;
      bad(`${p}[${j}]`, `overlaps ${p}[${i}] (both get ${shared[0]} for the same keys): S3 refuses overlapping configurations; give them disjoint prefixes or suffixes, or different events`);
    }
  }
}

function unknownKeys(o: Obj, known: readonly string[], at: string, bad: (path: string, message: string) => void): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const guess = closest(k, known);
    bad(`${at}.${k}`, `unknown key${guess ? `; did you mean "${guess}"?` : ` (known here: ${known.join(', ')})`}`);
  }
}

/** Buckets as written to a spec file: the form validateBuckets reads back to the same specs. */
export function bucketsToJson(buckets: readonly BucketSpec[]): unknown[] {
  return buckets.map((b) => ({
    name: b.name,
    notifications: b.notifications.map((n) => ({
      id: n.id,
      events: n.events,
      ...(n.prefix !== undefined && { prefix: n.prefix }),
      ...(n.suffix !== undefined && { suffix: n.suffix }),
      [n.kind]: n.target,
    })),
  }));
}
