/**
 * A small HCL writer for generated Terraform: literal values, references, string templates, function
 * calls and blocks, laid out the way `terraform fmt` lays them out (two-space indent, `=` aligned over
 * runs of single-line attributes), so exported files pass `terraform fmt -check` unchanged.
 */

/** A raw expression written as is, e.g. a reference `aws_sqs_queue.orders.arn`. Never user text. */
export class Ref {
  constructor(readonly expr: string) {}
}

/** A quoted template: literal text (escaped) and interpolated references, e.g. `"${aws_sqs_queue.x.arn}/svl"`. */
export class Tpl {
  constructor(readonly parts: ReadonlyArray<string | Ref>) {}
}

/** A function call, e.g. `jsonencode({...})`. */
export class Call {
  constructor(
    readonly fn: string,
    readonly args: readonly HclValue[],
  ) {}
}

export type HclValue = string | number | boolean | null | Ref | Tpl | Call | readonly HclValue[] | HclObject;
/** Object constructor; `undefined` entries are left out, so optional attributes can be written inline. */
export interface HclObject {
  readonly [key: string]: HclValue | undefined;
}

export interface Block {
  type: string;
  labels: readonly string[];
  attrs: HclObject;
  blocks?: readonly Block[];
}

const KEYWORDS = new Set(['true', 'false', 'null', 'for', 'in', 'if', 'else', 'endif', 'endfor']);

/** A Terraform identifier (resource, data source, output names): letters, digits, `_` and `-`, not starting with a digit or `-`. */
export function hclIdentifier(raw: string, fallback: string): string {
  let s = raw.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/[A-Za-z0-9]/.test(s)) s = fallback;
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

/**
 * The inside of a quoted HCL string: backslash escapes for `\` `"` and control characters, and the
 * template introducers `${` and `%{` doubled (`$${`, `%%{`) so user text is never interpolated.
 */
export function escapeHcl(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const code = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if ((ch === '$' || ch === '%') && s[i + 1] === '{') out += ch + ch;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

export const hclString = (s: string): string => `"${escapeHcl(s)}"`;

/** Object keys: a bare name when HCL reads it as that literal name, otherwise a quoted string. */
const objectKey = (k: string): string => (/^[A-Za-z][A-Za-z0-9_]*$/.test(k) && !KEYWORDS.has(k) ? k : hclString(k));

const pad = (indent: number) => '  '.repeat(indent);
/** Display columns as terraform fmt counts them (code points). */
const width = (s: string) => [...s].length;

const isScalar = (v: HclValue): boolean => v === null || typeof v !== 'object' || v instanceof Ref || v instanceof Tpl;

export function renderValue(v: HclValue, indent = 0): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`HCL cannot represent the number ${v}`);
    return JSON.stringify(v);
  }
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Ref) return v.expr;
  if (v instanceof Tpl) return `"${v.parts.map((p) => (typeof p === 'string' ? escapeHcl(p) : `\${${p.expr}}`)).join('')}"`;
  if (v instanceof Call) return `${v.fn}(${v.args.map((a) => renderValue(a, indent)).join(', ')})`;
  if (Array.isArray(v)) {
    const items = v as readonly HclValue[];
    if (items.length === 0) return '[]';
    if (items.every(isScalar)) return `[${items.map((x) => renderValue(x, indent)).join(', ')}]`;
    return `[\n${items.map((x) => `${pad(indent + 1)}${renderValue(x, indent + 1)},`).join('\n')}\n${pad(indent)}]`;
  }
  const body = renderAttributes(v as HclObject, indent + 1, objectKey);
  return body === '' ? '{}' : `{\n${body}\n${pad(indent)}}`;
}

/**
 * `key = value` lines. As terraform fmt does, the `=` of consecutive single-line attributes are aligned;
 * an attribute whose value spans lines ends the run.
 */
function renderAttributes(attrs: HclObject, indent: number, key: (k: string) => string): string {
  const lines: string[] = [];
  let run: Array<{ key: string; text: string }> = [];
  const flush = () => {
    const w = Math.max(0, ...run.map((r) => width(r.key)));
    for (const r of run) lines.push(`${pad(indent)}${r.key}${' '.repeat(w - width(r.key))} = ${r.text}`);
    run = [];
  };
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    const text = renderValue(v, indent);
    if (text.includes('\n')) {
      flush();
      lines.push(`${pad(indent)}${key(k)} = ${text}`);
    } else run.push({ key: key(k), text });
  }
  flush();
  return lines.join('\n');
}

export function renderBlock(b: Block, indent = 0): string {
  const head = [b.type, ...b.labels.map(hclString)].join(' ');
  const parts = [renderAttributes(b.attrs, indent + 1, (k) => k), ...(b.blocks ?? []).map((x) => renderBlock(x, indent + 1))].filter((p) => p !== '');
  return parts.length === 0 ? `${pad(indent)}${head} {}` : `${pad(indent)}${head} {\n${parts.join('\n')}\n${pad(indent)}}`;
}

/** Plain JSON data (a filter policy, tags) as an HCL value, e.g. for `jsonencode(...)`. */
export function fromJson(v: unknown): HclValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, fromJson(x)]));
  throw new Error(`not JSON data: ${typeof v}`);
}
