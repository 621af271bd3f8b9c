import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XmlSyntaxError, child, childText, childrenNamed, parseXml, s3Document, tag } from './rest-xml.js';

test('parseXml reads elements, text, entities, CDATA, self-closing tags and drops namespace prefixes', () => {
  const doc = parseXml(
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><s3:Delete xmlns:s3="x"><Quiet>true</Quiet><Object><Key>a &amp; b &#x41;&#66;</Key></Object>' +
      '<Object><Key><![CDATA[<raw>]]></Key></Object><Empty/></s3:Delete>',
  );
  assert.equal(doc.name, 'Delete');
  assert.equal(childText(doc, 'Quiet'), 'true');
  assert.deepEqual(childrenNamed(doc, 'Object').map((o) => childText(o, 'Key')), ['a & b AB', '<raw>']);
  assert.equal(child(doc, 'Empty')?.text, '');
  assert.equal(doc.attrs['xmlns:s3'], 'x');
});

test('parseXml rejects what is not one well-formed document', () => {
  for (const bad of ['', 'text', '<a>', '<a></b>', '<a/><b/>', '<a>&bogus;</a>', '<!DOCTYPE a><a/>', '<a><![CDATA[x</a>', '<a', 'x<a/>']) {
    assert.throws(() => parseXml(bad), XmlSyntaxError, bad);
  }
});

test('s3Document and tag render escaped S3 response documents', () => {
  assert.equal(tag('ETag', '"abc"'), '<ETag>&quot;abc&quot;</ETag>');
  assert.equal(tag('Missing', undefined), '');
  assert.equal(
    s3Document('LocationConstraint', ''),
    '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>',
  );
});
