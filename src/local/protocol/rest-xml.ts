/**
 * REST-XML (S3) request bodies: a small, strict XML reader for the documents S3 accepts (DeleteObjects,
 * CompleteMultipartUpload, Tagging, CreateBucketConfiguration, NotificationConfiguration), and the
 * response envelope helpers. It reads elements, text, CDATA and the five predefined plus numeric
 * entities; it deliberately does not handle DTDs, processing instructions other than the declaration,
 * or namespaces beyond dropping their prefixes (S3 ignores them too). Malformed input throws
 * `XmlSyntaxError`, which services map to their own error (S3: MalformedXML).
 */
import { escapeXml } from './xml.js';

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Concatenated text directly inside this element (not trimmed). */
  text: string;
}

export class XmlSyntaxError extends Error {}

/** The S3 namespace every response document carries. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;\s&]{1,10});/g, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (!Number.isFinite(code) || code < 0 || code > 0x10ffff) throw new XmlSyntaxError(`bad character reference ${m}`);
      return String.fromCodePoint(code);
    }
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlSyntaxError(`unknown entity ${m}`);
    return v;
  });
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** Parses one XML document; its root element is returned. */
export function parseXml(input: string): XmlNode {
  let i = 0;
  const n = input.length;
  if (input.charCodeAt(0) === 0xfeff) i = 1;
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  while (i < n) {
    const lt = input.indexOf('<', i);
    const text = lt < 0 ? input.slice(i) : input.slice(i, lt);
    if (text) {
      if (stack.length) stack[stack.length - 1].text += decodeEntities(text);
      else if (text.trim()) throw new XmlSyntaxError('text outside the root element');
    }
    if (lt < 0) break;
    if (input.startsWith('<?', lt)) {
      const end = input.indexOf('?>', lt);
      if (end < 0) throw new XmlSyntaxError('unterminated declaration');
      i = end + 2;
    } else if (input.startsWith('<!--', lt)) {
      const end = input.indexOf('-->', lt);
      if (end < 0) throw new XmlSyntaxError('unterminated comment');
      i = end + 3;
    } else if (input.startsWith('<![CDATA[', lt)) {
      const end = input.indexOf(']]>', lt);
      if (end < 0 || !stack.length) throw new XmlSyntaxError('bad CDATA section');
      stack[stack.length - 1].text += input.slice(lt + 9, end);
      i = end + 3;
    } else if (input.startsWith('<!', lt)) {
      throw new XmlSyntaxError('DTDs are not accepted');
    } else if (input[lt + 1] === '/') {
      const end = input.indexOf('>', lt);
      if (end < 0) throw new XmlSyntaxError('unterminated end tag');
      const name = localName(input.slice(lt + 2, end).trim());
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlSyntaxError(`unexpected </${name}>`);
      if (!stack.length) root = open;
      i = end + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(input.slice(lt, lt + 4096));
      if (!m) throw new XmlSyntaxError('bad start tag');
      if (root) throw new XmlSyntaxError('more than one root element');
      const attrs: Record<string, string> = {};
      for (const a of m[2].matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]] = decodeEntities(a[2] ?? a[3] ?? '');
      const node: XmlNode = { name: localName(m[1]), attrs, children: [], text: '' };
      if (stack.length) stack[stack.length - 1].children.push(node);
      if (m[3]) {
        if (!stack.length) root = node;
      } else stack.push(node);
      i = lt + m[0].length;
    }
  }
  if (stack.length || !root) throw new XmlSyntaxError('unterminated document');
  return root;
}

/** The direct children named `name`. */
export const childrenNamed = (node: XmlNode, name: string): XmlNode[] => node.children.filter((c) => c.name === name);
/** The first direct child named `name`. */
export const child = (node: XmlNode, name: string): XmlNode | undefined => node.children.find((c) => c.name === name);
/** The text of the first direct child named `name`. */
export const childText = (node: XmlNode, name: string): string | undefined => child(node, name)?.text;

/** `<name>escaped</name>`, omitted when value is undefined. */
export function tag(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A complete S3 response document: `<?xml …?>\n<Root xmlns="…">inner</Root>`. */
export function s3Document(root: string, inner: string): string {
  return `${XML_DECL}<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`;
}
