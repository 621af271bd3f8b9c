/**
 * `--match path=value` (repeatable; every expression must hold): simple matching on a message's body
 * fields and attributes, for `svl tail` and `svl dlq peek|redrive`.
 *
 *   customer.tier=gold     a body field (dot path into the JSON body; array items by index), or else a
 *                          message attribute of that name
 *   body.customer.tier=gold  only the body field;  body=text  the whole body
 *   attr.type=invoice      only the message attribute (SNS envelope attributes count as attributes)
 *   type!=test             negation: the value differs, or the field is missing
 *   id=ord-*               `*` matches any run of characters
 *
 * Values compare as text: 42 matches the number 42, true the boolean; an array field matches when any
 * item does. SNS envelopes are unwrapped first, so paths address what was published.
 */
import { UsageError } from '../errors.js';
import type { DecodedMessage } from './decode.js';

export interface MatchExpr {
  /** As given, for messages and the journal. */
  text: string;
  scope: 'any' | 'body' | 'attr';
  path: string[];
  negate: boolean;
  value: string;
}

const SEGMENT = /^[^\s.=!]+$/;

export function parseMatch(text: string): MatchExpr {
  const bad = (why: string) =>
    new UsageError(`--match "${text}": ${why}`, { hint: 'Use path=value, e.g. --match customer.tier=gold, --match attr.type=invoice or --match status!=ok' });
  const m = /^([^=!]*)(!=|=)(.*)$/s.exec(text);
  if (!m) throw bad('expected path=value or path!=value');
  const [, rawPath, op, value] = m as unknown as [string, string, string, string];
  const pathText = rawPath.trim();
  if (pathText === '') throw bad('the path before the = is empty');
  const parts = pathText.split('.');
  let scope: MatchExpr['scope'] = 'any';
  if (parts[0] === 'body') {
    scope = 'body';
    parts.shift();
  } else if (parts[0] === 'attr' || parts[0] === 'attributes') {
    scope = 'attr';
    parts.shift();
    if (parts.length === 0) throw bad('name the attribute, e.g. attr.type=invoice');
    // Attribute names may contain dots (svl.original-message-id): the rest is one name.
    const name = parts.join('.');
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw bad(`"${name}" is not a valid attribute name`);
    return { text, scope, path: [name], negate: op === '!=', value };
  }
  if (parts.some((p) => !SEGMENT.test(p))) throw bad(`"${pathText}" has an empty or invalid segment`);
  return { text, scope, path: parts, negate: op === '!=', value };
}

export function parseMatches(list: readonly string[] | undefined): MatchExpr[] {
  return (list ?? []).map(parseMatch);
}

function glob(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return (s) => re.test(s);
}

/** Each expression's value test, compiled once (matches() runs per message in tail and redrive). */
const tests = new WeakMap<MatchExpr, (s: string) => boolean>();
function testOf(e: MatchExpr): (s: string) => boolean {
  let t = tests.get(e);
  if (!t) tests.set(e, (t = glob(e.value)));
  return t;
}

const MISSING = Symbol('missing');

function at(value: unknown, path: readonly string[]): unknown {
  let v: unknown = value;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return MISSING;
    if (!Object.prototype.hasOwnProperty.call(v, key)) return MISSING;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function texts(v: unknown): string[] {
  if (v === MISSING || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap((x) => (typeof x === 'object' && x !== null ? [JSON.stringify(x)] : texts(x)));
  if (typeof v === 'object' && v !== null) return [JSON.stringify(v)];
  return [v === null ? 'null' : String(v)];
}

/** The candidate values an expression looks at: body field and/or attribute. */
function candidates(e: MatchExpr, m: Pick<DecodedMessage, 'body' | 'bodyIsJson' | 'attributes'>): string[] {
  const fromAttr = () => {
    const name = e.path.join('.');
    return Object.prototype.hasOwnProperty.call(m.attributes, name) ? [m.attributes[name]!] : [];
  };
  if (e.scope === 'attr') return fromAttr();
  if (e.path.length === 0) return [m.bodyIsJson ? JSON.stringify(m.body) : String(m.body)];
  const field = m.bodyIsJson ? texts(at(m.body, e.path)) : [];
  if (e.scope === 'body') return field;
  return field.length > 0 ? field : fromAttr();
}

export function matches(exprs: readonly MatchExpr[], m: Pick<DecodedMessage, 'body' | 'bodyIsJson' | 'attributes'>): boolean {
  return exprs.every((e) => {
    const hit = candidates(e, m).some(testOf(e));
    return e.negate ? !hit : hit;
  });
}
