import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponseV1, parseResponseV2 } from './response.js';

const text = (r: ReturnType<typeof parseResponseV2>) => (r.ok ? { status: r.response.status, headers: r.response.headers, body: r.response.body.toString('utf8') } : r);

test('2.0: a bare string is 200 application/json with the string as the body', () => {
  assert.deepEqual(text(parseResponseV2('"Hello from Lambda!"')), { status: 200, headers: [['content-type', 'application/json']], body: 'Hello from Lambda!' });
});

test('2.0: an object without statusCode is 200 application/json with the object as the body', () => {
  assert.deepEqual(text(parseResponseV2('{"message":"hi"}')), { status: 200, headers: [['content-type', 'application/json']], body: '{"message":"hi"}' });
  assert.deepEqual(text(parseResponseV2('[1,2]')), { status: 200, headers: [['content-type', 'application/json']], body: '[1,2]' });
  assert.deepEqual(text(parseResponseV2('42')), { status: 200, headers: [['content-type', 'application/json']], body: '42' });
});

test('2.0: a structured response: status, headers, multiValueHeaders, cookies (before a set-cookie header), body', () => {
  const r = parseResponseV2(JSON.stringify({
    statusCode: 201,
    headers: { 'X-One': 'a', 'X-Num': 5, 'Set-Cookie': 'h=1' },
    multiValueHeaders: { 'X-Many': ['1', '2'], 'x-one': ['ignored'] },
    cookies: ['a=1; Path=/', 'b=2'],
    body: 'created',
  }));
  assert.deepEqual(text(r), {
    status: 201,
    headers: [['set-cookie', 'a=1; Path=/'], ['set-cookie', 'b=2'], ['x-one', 'a'], ['x-num', '5'], ['set-cookie', 'h=1'], ['x-many', '1'], ['x-many', '2']],
    body: 'created',
  });
});

test('2.0: isBase64Encoded bodies are decoded; no body is empty', () => {
  const r = parseResponseV2(JSON.stringify({ statusCode: 200, isBase64Encoded: true, body: Buffer.from([0, 255, 1]).toString('base64') }));
  assert.ok(r.ok);
  assert.deepEqual([...r.response.body], [0, 255, 1]);
  const empty = parseResponseV2('{"statusCode":204}');
  assert.ok(empty.ok);
  assert.equal(empty.response.body.length, 0);
});

test('2.0: wrong types are malformed (API Gateway answers 500)', () => {
  for (const bad of [{ statusCode: 200, body: { a: 1 } }, { statusCode: '200' }, { statusCode: 200, headers: 'x' }, { statusCode: 200, headers: { a: { b: 1 } } }, { statusCode: 200, cookies: 'a=1' }, { statusCode: 99 }]) {
    const r = parseResponseV2(JSON.stringify(bad));
    assert.equal(r.ok, false, JSON.stringify(bad));
    assert.match((r as { error: string }).error, /doesn't match the format that API Gateway expects/);
  }
  assert.match((parseResponseV2(JSON.stringify({ statusCode: 200, body: 5 })) as { error: string }).error, /wrong type for field "body"/);
});

test('1.0: statusCode is required; cookies are not a 1.0 field', () => {
  assert.equal(parseResponseV1('"hello"').ok, false);
  assert.equal(parseResponseV1('{"message":"hi"}').ok, false);
  assert.deepEqual(text(parseResponseV1(JSON.stringify({ statusCode: 200, headers: { a: 'b' }, multiValueHeaders: { c: ['d', 'e'] }, body: 'x', cookies: ['z=1'] }))), {
    status: 200,
    headers: [['a', 'b'], ['c', 'd'], ['c', 'e']],
    body: 'x',
  });
});
