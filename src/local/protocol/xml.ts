/**
 * Response side of the legacy AWS Query protocol: a tiny XML writer plus the
 * `<{Action}Response>` / `<ErrorResponse>` envelopes used by SQS (query era) and SNS.
 *
 * Output shapes are described with the same descriptors as the request decoder
 * (`QueryShape` in ./query.ts) and rendered with botocore's `QueryParser` naming rules:
 * - a structure member is `<{locationName ?? MemberName}>`;
 * - a flattened list repeats `<{member locationName}>` directly in the parent (SQS: `<QueueUrl>…</QueueUrl><QueueUrl>…`);
 *   a non-flattened list wraps items: `<Name><member>…</member></Name>` (SNS);
 * - a flattened map repeats `<{Name}><{keyName}>k</…><{valueName}>v</…></{Name}>` (SQS: `<Attribute><Name/><Value/></Attribute>`);
 *   a non-flattened map is `<Name><entry><key>k</key><value>v</value></entry></Name>` (SNS);
 * - booleans are `true`/`false`, integers/longs decimal, blobs base64 (already base64 in JSON shapes),
 *   timestamps ISO 8601 (from epoch seconds).
 */
import type { AwsError } from '../../domain/aws-error.js';
import type { QueryMember, QueryMembers, QueryShape } from './query.js';
import { wireName } from './query.js';

export const XML_DECLARATION = '<?xml version="1.0"?>';
/** Content type AWS uses for Query-protocol responses. */
export const QUERY_RESPONSE_CONTENT_TYPE = 'text/xml';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#xD;',
};

/**
 * Escape text content the way AWS SQS does: besides `& < >` it writes `"` as `&quot;` and a
 * carriage return as `&#xD;` (a raw CR would be normalized to LF by every XML parser, changing
 * message bodies). `'` is left alone. Also used for attribute values (always double-quoted).
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"\r]/g, (c) => ESCAPES[c]);
}

/** `<name>escaped text</name>`; undefined/null yields '' (absent members are omitted). */
export function textElement(name: string, value: string | number | boolean | null | undefined): string {
  if (value === undefined || value === null) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>inner</name>` around already-rendered XML; `<name/>` when inner is empty. */
export function element(name: string, inner: string, attrs?: Record<string, string>): string {
  const a = attrs
    ? Object.entries(attrs)
        .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
        .join('')
    : '';
  return inner === '' ? `<${name}${a}/>` : `<${name}${a}>${inner}</${name}>`;
}

/**
 * Query-protocol timestamps are ISO 8601 (botocore's default `timestampFormat` for query/XML
 * responses; the JS SDK requires RFC 3339). JSON-shaped outputs hold epoch seconds (fractions
 * allowed) or a Date; a string is assumed to be already formatted.
 */
export function formatTimestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(Math.round(value * 1000)).toISOString();
  return String(value);
}

function scalarText(shape: string, value: unknown): string {
  if (shape === 'boolean') return value === true || value === 'true' ? 'true' : 'false';
  if (shape === 'timestamp') return escapeXml(formatTimestamp(value));
  return escapeXml(String(value));
}

/** Render one value of `shape` as element `name` (structures/scalars; collections via renderMember). */
export function renderValue(name: string, shape: QueryShape, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof shape === 'string') return `<${name}>${scalarText(shape, value)}</${name}>`;
  if (shape.type === 'structure') {
    return element(name, renderStructure(value as Record<string, unknown>, shape.members));
  }
  // A list/map nested directly in a list/map (unused by SQS/SNS): render as a non-flattened member.
  return renderMember(name, { shape: { ...shape, flattened: false } }, value);
}

/** Render a structure member (named by its JSON member name) following the naming rules above. */
export function renderMember(jsonName: string, member: QueryMember, value: unknown): string {
  if (value === undefined || value === null) return '';
  const shape = member.shape;
  if (typeof shape === 'string' || shape.type === 'structure') {
    return renderValue(member.name ?? jsonName, shape, value);
  }
  if (shape.type === 'list') {
    const items = Array.isArray(value) ? value : [];
    if (shape.flattened) {
      const itemName = wireName(jsonName, member);
      return items.map((v) => renderValue(itemName, shape.member, v)).join('');
    }
    const itemName = shape.memberName ?? 'member';
    return element(member.name ?? jsonName, items.map((v) => renderValue(itemName, shape.member, v)).join(''));
  }
  const keyName = shape.keyName ?? 'key';
  const valueName = shape.valueName ?? 'value';
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => textElement(keyName, k) + renderValue(valueName, shape.value, v),
  );
  const name = member.name ?? jsonName;
  if (shape.flattened) return entries.map((e) => `<${name}>${e}</${name}>`).join('');
  return element(name, entries.map((e) => `<entry>${e}</entry>`).join(''));
}

/** Render the members of a JSON-shaped object in descriptor (model) order; unknown keys are ignored. */
export function renderStructure(value: Record<string, unknown>, members: QueryMembers): string {
  let out = '';
  for (const [jsonName, member] of Object.entries(members)) {
    out += renderMember(jsonName, member, value[jsonName]);
  }
  return out;
}

/**
 * The success envelope:
 * `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></{Action}Response>`.
 * `resultInner` null ⇒ no Result element (operations without output, e.g. DeleteMessage).
 * An operation with output always gets a Result element, even if empty: botocore's QueryParser
 * looks the `resultWrapper` element up unconditionally and fails without it.
 */
export function renderQueryResponse(
  action: string,
  resultInner: string | null,
  requestId: string,
  xmlns: string,
): string {
  const result = resultInner === null ? '' : element(`${action}Result`, resultInner);
  const meta = element('ResponseMetadata', textElement('RequestId', requestId));
  return XML_DECLARATION + element(`${action}Response`, result + meta, { xmlns });
}

/**
 * The error envelope AWS Query services return (HTTP status from `err.status`):
 * `<ErrorResponse xmlns=…><Error><Type>Sender</Type><Code>{queryCode}</Code><Message>…</Message><Detail/></Error><RequestId>…</RequestId></ErrorResponse>`.
 * SQS sends the empty `<Detail/>`; SNS does not (`detail: false`) — botocore would otherwise
 * surface `'Detail': None` in `e.response['Error']`.
 */
export function renderQueryError(
  err: AwsError,
  requestId: string,
  xmlns: string,
  message = err.message,
  opts: { detail?: boolean } = {},
): string {
  const error =
    textElement('Type', err.fault) +
    textElement('Code', err.queryCode) +
    textElement('Message', message) +
    (opts.detail === false ? '' : '<Detail/>');
  return XML_DECLARATION + element('ErrorResponse', element('Error', error) + textElement('RequestId', requestId), { xmlns });
}
