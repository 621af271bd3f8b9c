/**
 * JSON layer for SNS filter policies: a small JSON parser that reports syntax errors the way
 * Amazon SNS does, and the compact re-serialisation SNS feeds to its rule compiler.
 *
 * Imitated behaviour (AWS-recorded, LocalStack snapshot tests of `test_sns_filter_policy.py` and
 * `test_sns.py`):
 *  - a policy that is not JSON is rejected with `FilterPolicy: failed to parse JSON. <Jackson message>`,
 *    e.g. `Unexpected character ('i' (code 105)): was expecting double-quote to start field name` and
 *    `Unrecognized token 'invalid': was expecting (JSON String, Number, Array, Object or token 'null',
 *    'true' or 'false')`. SNS parses with Jackson, so the other messages here follow Jackson's texts.
 *    followed by the location as Jackson 2.16+ writes it with source inclusion off (AWS-recorded, 2026:
 *    test_sns.py test_validate_set_sub_attributes, test_subscribe_invalid_filter_policy):
 *    `\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: N]`.
 *    SubscriptionAttributes' RedrivePolicy parse errors read the same.
 *  - errors found while compiling the policy carry Jackson's location suffix
 *    `\n at [Source: (String)"<policy>"; line: 1, column: N]`, where `<policy>` is the policy
 *    re-serialised compactly (`{"key":[["value"]]}` although the caller sent `{"key": [["value"]]}`).
 *    `toCompact` reproduces that string and records where each node sits in it, so the compiler
 *    (filter-policy-validate.ts) can compute the same column Jackson reports.
 *
 * Like Jackson's ObjectMapper.readTree, content after the first complete JSON value is ignored.
 */

export type PNode = PObject | PArray | PString | PNumber | PBoolean | PNull;

interface PBase {
  /** Offset of the node's first character in the compact serialisation (set by `toCompact`). */
  start: number;
  /** Offset just past the node's last character in the compact serialisation. */
  end: number;
}
export interface PEntry {
  key: string;
  value: PNode;
}
export interface PObject extends PBase {
  kind: 'object';
  entries: PEntry[];
}
export interface PArray extends PBase {
  kind: 'array';
  items: PNode[];
}
export interface PString extends PBase {
  kind: 'string';
  value: string;
}
export interface PNumber extends PBase {
  kind: 'number';
  value: number;
  /** Text as Jackson re-serialises it (`100`, `1.5`, `100.0` for `1e2`, `1.0E-7`). */
  text: string;
}
export interface PBoolean extends PBase {
  kind: 'boolean';
  value: boolean;
}
export interface PNull extends PBase {
  kind: 'null';
}

/** A JSON syntax error, with Jackson's message and the (0-based) offset Jackson reports. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
/** Jackson's MAX_ERROR_TOKEN_LENGTH. */
const MAX_ERROR_TOKEN_LENGTH = 256;
/** Jackson's JsonLocation.MAX_CONTENT_SNIPPET. */
const MAX_CONTENT_SNIPPET = 500;

/** Jackson's `_getCharDesc`. */
function charDesc(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `(CTRL-CHAR, code ${code})`;
  if (code > 255) return `'${ch}' (code ${code} / 0x${code.toString(16)})`;
  return `'${ch}' (code ${code})`;
}

const ID_START = /[\p{L}\p{Nl}\p{Sc}_]/u;
const ID_PART = /[\p{L}\p{Nl}\p{Sc}\p{Nd}\p{Mn}\p{Mc}\p{Pc}]/u;

/**
 * Jackson's `[Source: (String)"..."; line: L, column: C]` description. Jackson quotes the first
 * 500 characters of the source and appends `[truncated N chars]` when it cut some.
 */
export function jacksonLocation(source: string, line: number, column: number): string {
  let snippet = `"${source.slice(0, MAX_CONTENT_SNIPPET)}"`;
  if (source.length > MAX_CONTENT_SNIPPET) snippet += `[truncated ${source.length - MAX_CONTENT_SNIPPET} chars]`;
  return `[Source: (String)${snippet}; line: ${line}, column: ${column}]`;
}

/**
 * Jackson's location for syntax errors as AWS now reports them: the source itself redacted (Jackson 2.16+
 * with `StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled), only line and column.
 */
export function jacksonRedactedLocation(line: number, column: number): string {
  return `[Source: REDACTED (\`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION\` disabled); line: ${line}, column: ${column}]`;
}

/** Jackson 2.15+ StreamReadConstraints default maximum nesting depth. */
const MAX_NESTING_DEPTH = 1000;

function nestingError(depth: number): string {
  return `Document nesting depth (${depth}) exceeds the maximum allowed (${MAX_NESTING_DEPTH}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  parseRoot(): PNode {
    this.skipWs();
    if (this.pos >= this.src.length) this.fail('No content to map due to end-of-input', this.pos);
    return this.parseValue();
  }

  private fail(message: string, offset: number): never {
    // Jackson reports the position after the offending input; count lines up to there.
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < this.src.length; i++) {
      const c = this.src[i];
      if (c === '\n' || (c === '\r' && this.src[i + 1] !== '\n')) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = offset - lineStart + 1;
    throw new JsonSyntaxError(message, offset, line, column);
  }

  private unexpected(offset: number, msg: string): never {
    const ch = String.fromCodePoint(this.src.codePointAt(offset) ?? 0);
    if (ch === '/') {
      this.fail(
        `Unexpected character (${charDesc(ch)}): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)`,
        offset + 1,
      );
    }
    // Jackson 2.16+ places an unexpected character at its own column (AWS-recorded 2026: `{invalidjson}` ->
    // column 2), while an unrecognized token is placed after it (`invalid` -> column 8).
    this.fail(`Unexpected character (${charDesc(ch)}): ${msg}`, offset);
  }

  private skipWs(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else break;
    }
  }

  private eof(what: string): never {
    this.fail(`Unexpected end-of-input: ${what}`, this.src.length);
  }

  private parseValue(): PNode {
    const s = this.src;
    if (this.pos >= s.length) this.eof(`expected a valid value ${VALID_VALUES}`);
    const c = s[this.pos];
    if (c === '{') return this.parseObject();
    if (c === '[') return this.parseArray();
    if (c === '"') return { kind: 'string', value: this.parseString(), start: 0, end: 0 };
    if (c === '-' || (c >= '0' && c <= '9')) return this.parseNumber();
    if (c === ']' || c === '}') this.unexpected(this.pos, `expected a valid value ${VALID_VALUES}`);
    const cp = String.fromCodePoint(s.codePointAt(this.pos) ?? 0);
    if (ID_START.test(cp)) {
      let tok = '';
      while (this.pos < s.length) {
        const ch = String.fromCodePoint(s.codePointAt(this.pos) ?? 0);
        if (!(ID_START.test(ch) || ID_PART.test(ch))) break;
        tok += ch;
        this.pos += ch.length;
        if (tok.length >= MAX_ERROR_TOKEN_LENGTH) {
          tok += '...';
          break;
        }
      }
      if (tok === 'true' || tok === 'false') return { kind: 'boolean', value: tok === 'true', start: 0, end: 0 };
      if (tok === 'null') return { kind: 'null', start: 0, end: 0 };
      this.fail(`Unrecognized token '${tok}': was expecting ${VALID_VALUES}`, this.pos);
    }
    this.unexpected(this.pos, `expected a valid value ${VALID_VALUES}`);
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING_DEPTH) this.fail(nestingError(this.depth), this.pos + 1);
  }

  private parseObject(): PObject {
    const s = this.src;
    this.enter();
    this.pos++; // '{'
    const entries: PEntry[] = [];
    this.skipWs();
    if (s[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return { kind: 'object', entries, start: 0, end: 0 };
    }
    for (;;) {
      this.skipWs();
      if (this.pos >= s.length) this.eof('expected close marker for Object');
      if (s[this.pos] !== '"') this.unexpected(this.pos, 'was expecting double-quote to start field name');
      const key = this.parseString();
      this.skipWs();
      if (this.pos >= s.length) this.eof('expected close marker for Object');
      if (s[this.pos] !== ':') this.unexpected(this.pos, 'was expecting a colon to separate field name and value');
      this.pos++;
      this.skipWs();
      const value = this.parseValue();
      entries.push({ key, value });
      this.skipWs();
      if (this.pos >= s.length) this.eof('expected close marker for Object');
      const c = s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        this.depth--;
        return { kind: 'object', entries, start: 0, end: 0 };
      }
      if (c === ']') this.fail("Unexpected close marker ']': expected '}'", this.pos + 1);
      this.unexpected(this.pos, 'was expecting comma to separate Object entries');
    }
  }

  private parseArray(): PArray {
    const s = this.src;
    this.enter();
    this.pos++; // '['
    const items: PNode[] = [];
    this.skipWs();
    if (s[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return { kind: 'array', items, start: 0, end: 0 };
    }
    for (;;) {
      this.skipWs();
      if (this.pos >= s.length) this.eof('expected close marker for Array');
      items.push(this.parseValue());
      this.skipWs();
      if (this.pos >= s.length) this.eof('expected close marker for Array');
      const c = s[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        this.depth--;
        return { kind: 'array', items, start: 0, end: 0 };
      }
      if (c === '}') this.fail("Unexpected close marker '}': expected ']'", this.pos + 1);
      this.unexpected(this.pos, 'was expecting comma to separate Array entries');
    }
  }

  private parseString(): string {
    const s = this.src;
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      if (this.pos >= s.length) this.eof('was expecting closing quote for a String value');
      const c = s[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const e = s[this.pos + 1];
        if (e === undefined) this.eof('was expecting closing quote for a String value');
        this.pos += 2;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = s.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              const bad = hex.split('').find((h) => !/[0-9a-fA-F]/.test(h));
              if (bad === undefined) this.eof('was expecting closing quote for a String value');
              this.fail(
                `Unexpected character (${charDesc(bad)}): expected a hex-digit for character escape sequence`,
                this.pos + hex.indexOf(bad) + 1,
              );
            }
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          default:
            this.fail(`Unrecognized character escape ${charDesc(e)}`, this.pos);
        }
        continue;
      }
      if (c.charCodeAt(0) < 0x20) {
        this.fail(
          `Illegal unquoted character (${charDesc(c)}): has to be escaped using backslash to be included in string value`,
          this.pos + 1,
        );
      }
      out += c;
      this.pos++;
    }
  }

  private parseNumber(): PNumber {
    const s = this.src;
    const start = this.pos;
    let isInt = true;
    if (s[this.pos] === '-') {
      this.pos++;
      const d = s[this.pos];
      if (d === undefined || d < '0' || d > '9') {
        if (d === undefined) this.eof('in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value');
        this.fail(
          `Unexpected character (${charDesc(d)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`,
          this.pos + 1,
        );
      }
    }
    if (s[this.pos] === '0' && s[this.pos + 1] !== undefined && s[this.pos + 1] >= '0' && s[this.pos + 1] <= '9') {
      this.fail('Invalid numeric value: Leading zeroes not allowed', this.pos + 1);
    }
    while (this.pos < s.length && s[this.pos] >= '0' && s[this.pos] <= '9') this.pos++;
    if (s[this.pos] === '.') {
      isInt = false;
      this.pos++;
      const d = s[this.pos];
      if (d === undefined || d < '0' || d > '9') {
        if (d === undefined) this.eof('in numeric value: Decimal point not followed by a digit');
        this.fail(`Unexpected character (${charDesc(d)}) in numeric value: Decimal point not followed by a digit`, this.pos + 1);
      }
      while (this.pos < s.length && s[this.pos] >= '0' && s[this.pos] <= '9') this.pos++;
    }
    if (s[this.pos] === 'e' || s[this.pos] === 'E') {
      isInt = false;
      this.pos++;
      if (s[this.pos] === '+' || s[this.pos] === '-') this.pos++;
      const d = s[this.pos];
      if (d === undefined || d < '0' || d > '9') {
        if (d === undefined) this.eof('in numeric value: Exponent indicator not followed by a digit');
        this.fail(`Unexpected character (${charDesc(d)}) in numeric value: Exponent indicator not followed by a digit`, this.pos + 1);
      }
      while (this.pos < s.length && s[this.pos] >= '0' && s[this.pos] <= '9') this.pos++;
    }
    const raw = s.slice(start, this.pos);
    const value = Number(raw);
    return { kind: 'number', value, text: isInt ? integerText(raw) : javaDoubleText(value), start: 0, end: 0 };
  }
}

/** Jackson re-serialises integer nodes without sign noise: `-0` becomes `0`. */
function integerText(raw: string): string {
  const neg = raw.startsWith('-');
  const digits = (neg ? raw.slice(1) : raw).replace(/^0+(?=\d)/, '');
  if (digits === '0') return '0';
  return neg ? `-${digits}` : digits;
}

/** Java's `Double.toString` (what Jackson writes for a DoubleNode): `100.0`, `1.5`, `1.0E-7`, `1.0E10`. */
function javaDoubleText(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const t = String(d);
    return t.includes('.') ? t : `${t}.0`;
  }
  const [mant, exp] = d.toExponential().split('e') as [string, string];
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/** Parses a policy string; throws JsonSyntaxError with Jackson's message on bad input. */
export function parseJson(text: string): PNode {
  return new Parser(text).parseRoot();
}

/**
 * Converts an already-parsed JS value (a policy given as an object) into the node form.
 * Throws JsonSyntaxError when it nests deeper than a parsed policy may.
 */
export function fromValue(value: unknown, depth = 0): PNode {
  if (value === null || value === undefined) return { kind: 'null', start: 0, end: 0 };
  if (typeof value === 'string') return { kind: 'string', value, start: 0, end: 0 };
  if (typeof value === 'boolean') return { kind: 'boolean', value, start: 0, end: 0 };
  if (typeof value === 'number') {
    const text = Number.isInteger(value) && Math.abs(value) < 1e21 ? String(value) : javaDoubleText(value);
    return { kind: 'number', value, text, start: 0, end: 0 };
  }
  if (typeof value === 'object' && depth >= MAX_NESTING_DEPTH) {
    throw new JsonSyntaxError(nestingError(depth + 1), 0, 1, 1);
  }
  if (Array.isArray(value)) return { kind: 'array', items: value.map((v) => fromValue(v, depth + 1)), start: 0, end: 0 };
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([key, v]) => ({
      key,
      value: fromValue(v, depth + 1),
    }));
    return { kind: 'object', entries, start: 0, end: 0 };
  }
  // functions, symbols, bigints: not JSON
  return { kind: 'string', value: String(value), start: 0, end: 0 };
}

/** Jackson's string escaping: `"`, `\` and control characters; everything else verbatim. */
function jsonQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const code = c.charCodeAt(0);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (code < 0x20) {
      if (c === '\n') out += '\\n';
      else if (c === '\r') out += '\\r';
      else if (c === '\t') out += '\\t';
      else if (c === '\b') out += '\\b';
      else if (c === '\f') out += '\\f';
      else out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += c;
  }
  return out + '"';
}

/**
 * Serialises the tree compactly (as SNS does before compiling) and records every node's
 * start/end offsets in that string.
 */
export function toCompact(root: PNode): string {
  const parts: string[] = [];
  let len = 0;
  const emit = (s: string): void => {
    parts.push(s);
    len += s.length;
  };
  // Iterative walk: policies can nest deeply and must not blow the stack.
  type Frame = { node: PNode; phase: number };
  const stack: Frame[] = [{ node: root, phase: 0 }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame;
    const n = f.node;
    if (n.kind === 'object') {
      if (f.phase === 0) {
        n.start = len;
        emit('{');
      } else if (f.phase > n.entries.length) {
        emit('}');
        n.end = len;
        stack.pop();
        continue;
      }
      const idx = f.phase;
      f.phase++;
      if (idx < n.entries.length) {
        const e = n.entries[idx] as PEntry;
        emit(`${idx > 0 ? ',' : ''}${jsonQuote(e.key)}:`);
        stack.push({ node: e.value, phase: 0 });
      } else {
        emit('}');
        n.end = len;
        stack.pop();
      }
      continue;
    }
    if (n.kind === 'array') {
      if (f.phase === 0) {
        n.start = len;
        emit('[');
      }
      const idx = f.phase;
      f.phase++;
      if (idx < n.items.length) {
        if (idx > 0) emit(',');
        stack.push({ node: n.items[idx] as PNode, phase: 0 });
      } else {
        emit(']');
        n.end = len;
        stack.pop();
      }
      continue;
    }
    n.start = len;
    if (n.kind === 'string') emit(jsonQuote(n.value));
    else if (n.kind === 'number') emit(n.text);
    else if (n.kind === 'boolean') emit(n.value ? 'true' : 'false');
    else emit('null');
    n.end = len;
    stack.pop();
  }
  return parts.join('');
}

/** Renders a node back to compact JSON (for explanations). Requires `toCompact` offsets. */
export function nodeText(compact: string, node: PNode): string {
  return compact.slice(node.start, node.end);
}
