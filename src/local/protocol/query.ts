/**
 * Request side of the legacy AWS Query protocol (SQS before JSON, SNS today):
 * `application/x-www-form-urlencoded` bodies (or a GET query string) of flat `Name=value` pairs.
 *
 * Lists and maps are spelled out with 1-based indices, as botocore's `QuerySerializer` does:
 * - flattened list  (SQS):  `AttributeName.1=All`, `SendMessageBatchRequestEntry.2.Id=x`
 * - flattened map   (SQS):  `Attribute.1.Name=DelaySeconds&Attribute.1.Value=5`
 * - member list     (SNS):  `AttributeNames.member.1=...`
 * - entry map       (SNS):  `Attributes.entry.1.key=...&Attributes.entry.1.value=...`
 * Indices may be sparse or out of order; elements are ordered by index number.
 * An empty list is sent as the bare member name with an empty value (`MessageAttributeNames=`).
 */

export type QueryParams = Record<string, string>;

/**
 * Scalar types; `blob` stays a base64 string, as in the JSON protocol. `timestamp` is epoch seconds
 * in JSON-shaped outputs (rendered as ISO 8601 in XML); on input it is kept as the text sent.
 */
export type QueryScalar = 'string' | 'integer' | 'long' | 'boolean' | 'blob' | 'timestamp';

export interface QueryList {
  type: 'list';
  member: QueryShape;
  /** locationName of the list member (`AttributeName`); default `member` when not flattened. */
  memberName?: string;
  flattened?: boolean;
}

export interface QueryMap {
  type: 'map';
  value: QueryShape;
  /** Wire names of key/value; default `key`/`value` (SQS uses `Name`/`Value` or `Key`/`Value`). */
  keyName?: string;
  valueName?: string;
  flattened?: boolean;
}

export interface QueryStructure {
  type: 'structure';
  members: QueryMembers;
}

export type QueryShape = QueryScalar | QueryList | QueryMap | QueryStructure;

export interface QueryMember {
  shape: QueryShape;
  /** Wire name (model `locationName`); defaults to the JSON member name. */
  name?: string;
  /** Extra wire names accepted on input when `name` yields nothing (tolerance for odd clients). */
  aliases?: string[];
}

/** JSON member name → member; object key order is the model's (and the XML output's) order. */
export type QueryMembers = Record<string, QueryMember>;

/** Parse a form body or query string into a flat map. A repeated name keeps its first value. */
export function parseQueryParams(body: string | URLSearchParams): QueryParams {
  const search = typeof body === 'string' ? new URLSearchParams(body.startsWith('?') ? body.slice(1) : body) : body;
  const out: QueryParams = {};
  for (const [k, v] of search) {
    if (!Object.prototype.hasOwnProperty.call(out, k)) setOwn(out, k, v);
  }
  return out;
}

const INDEX = /^\d+$/;

/** Assign an own property even for names like `__proto__` (map keys and param names are user data). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The distinct indices N used under `prefix` (`prefix.N` or `prefix.N.*`), ascending numerically.
 */
export function indicesUnder(params: QueryParams, prefix: string): number[] {
  const head = prefix + '.';
  const seen = new Set<number>();
  for (const key of Object.keys(params)) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    const dot = rest.indexOf('.');
    const seg = dot < 0 ? rest : rest.slice(0, dot);
    if (INDEX.test(seg)) seen.add(Number(seg));
  }
  return [...seen].sort((a, b) => a - b);
}

/** The params under `prefix.` with that prefix removed (`P.1.Name` → `Name` for prefix `P.1`). */
export function subParams(params: QueryParams, prefix: string): QueryParams {
  const head = prefix + '.';
  const out: QueryParams = {};
  for (const [k, v] of Object.entries(params)) {
    if (k.startsWith(head)) setOwn(out, k.slice(head.length), v);
  }
  return out;
}

/** Flattened list of scalars: `Prefix.1=a&Prefix.2=b` → `['a','b']`. */
export function decodeFlatList(params: QueryParams, prefix: string): string[] {
  return indicesUnder(params, prefix)
    .map((i) => params[`${prefix}.${i}`])
    .filter((v): v is string => v !== undefined);
}

/** Flattened list of structures: `Prefix.N.Field=v` → `[{Field: v}, …]` (fields kept as strings). */
export function decodeFlatStructList(params: QueryParams, prefix: string): QueryParams[] {
  return indicesUnder(params, prefix).map((i) => subParams(params, `${prefix}.${i}`));
}

/** Flattened map: `Prefix.N.Name=k&Prefix.N.Value=v` → `{k: v}` (key/value names configurable). */
export function decodeFlatMap(
  params: QueryParams,
  prefix: string,
  keyName = 'Name',
  valueName = 'Value',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of indicesUnder(params, prefix)) {
    const key = params[`${prefix}.${i}.${keyName}`];
    if (key !== undefined) setOwn(out, key, params[`${prefix}.${i}.${valueName}`] ?? '');
  }
  return out;
}

/** Non-flattened (SNS-style) list: `Prefix.member.1=a` → `['a']`. */
export function decodeMemberList(params: QueryParams, prefix: string, memberName = 'member'): string[] {
  return decodeFlatList(params, `${prefix}.${memberName}`);
}

/** Non-flattened (SNS-style) map: `Prefix.entry.1.key=k&Prefix.entry.1.value=v` → `{k: v}`. */
export function decodeEntryMap(
  params: QueryParams,
  prefix: string,
  keyName = 'key',
  valueName = 'value',
): Record<string, string> {
  return decodeFlatMap(params, `${prefix}.entry`, keyName, valueName);
}

/**
 * Integers become JSON numbers when they are integer strings; anything else stays a string so the
 * service reports InvalidParameterValue with the original text (as AWS does for `MaxNumberOfMessages=abc`).
 */
function decodeScalar(type: QueryScalar, raw: string): unknown {
  if ((type === 'integer' || type === 'long') && /^[-+]?\d+$/.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n + 0 : raw; // + 0 turns -0 into 0
  }
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/** The wire name of a struct member; a flattened list's member name replaces it (botocore rule). */
export function wireName(jsonName: string, member: QueryMember): string {
  const s = member.shape;
  if (typeof s === 'object' && s.type === 'list' && s.flattened && s.memberName) return s.memberName;
  return member.name ?? jsonName;
}

function decodeValue(params: QueryParams, path: string, shape: QueryShape): unknown {
  if (typeof shape === 'string') {
    const raw = params[path];
    return raw === undefined ? undefined : decodeScalar(shape, raw);
  }
  if (shape.type === 'structure') {
    const head = path + '.';
    if (!Object.keys(params).some((k) => k.startsWith(head))) return undefined;
    return decodeStructure(params, shape.members, path);
  }
  // Nested list/map values (not used by SQS/SNS) are read as non-member values at `path`.
  return decodeCollection(params, path, path, shape);
}

function decodeCollection(params: QueryParams, path: string, bare: string, shape: QueryList | QueryMap): unknown {
  if (shape.type === 'list') {
    const base = shape.flattened ? path : `${path}.${shape.memberName ?? 'member'}`;
    const idx = indicesUnder(params, base);
    if (idx.length > 0) return idx.map((i) => decodeValue(params, `${base}.${i}`, shape.member));
    if (params[bare] === '') return []; // botocore: empty list → `Name=`
    // Tolerance: very old SDK examples send a single unindexed value (`AttributeName=All`).
    if (shape.flattened && typeof shape.member === 'string' && params[path] !== undefined) {
      return [decodeScalar(shape.member, params[path])];
    }
    return undefined;
  }
  const base = shape.flattened ? path : `${path}.entry`;
  const keyName = shape.keyName ?? 'key';
  const valueName = shape.valueName ?? 'value';
  // Tolerance: boto 2 sent a single unindexed entry (`Attribute.Name=…&Attribute.Value=…`).
  const entries = indicesUnder(params, base).map((i) => `${base}.${i}`);
  if (entries.length === 0 && shape.flattened && params[`${base}.${keyName}`] !== undefined) entries.push(base);
  if (entries.length === 0) return undefined; // botocore sends nothing at all for an empty map
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const key = params[`${entry}.${keyName}`];
    if (key === undefined) continue;
    const v = decodeValue(params, `${entry}.${valueName}`, shape.value);
    // A key without a value: '' for strings (the service validates), {} for structures.
    setOwn(out, key, v ?? (typeof shape.value === 'string' ? '' : {}));
  }
  return out;
}

function decodeMember(params: QueryParams, prefix: string, jsonName: string, member: QueryMember): unknown {
  const join = (n: string) => (prefix ? `${prefix}.${n}` : n);
  const names = [wireName(jsonName, member), ...(member.aliases ?? [])];
  for (const n of names) {
    const s = member.shape;
    const v =
      typeof s === 'object' && s.type !== 'structure'
        ? decodeCollection(params, join(n), join(member.name ?? jsonName), s)
        : decodeValue(params, join(n), s);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Decode a structure from Query params by its member descriptors, producing the JSON 1.0-shaped
 * object (JSON member names). Absent members are omitted. `prefix` '' means top level.
 */
export function decodeStructure(params: QueryParams, members: QueryMembers, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [jsonName, member] of Object.entries(members)) {
    const v = decodeMember(params, prefix, jsonName, member);
    if (v !== undefined) out[jsonName] = v;
  }
  return out;
}
