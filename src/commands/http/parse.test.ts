import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseHttp } from './parse.js';
import { httpFailure, invokeUrl, type HttpResult } from './run.js';

test('parseHttp: method upper-cased, headers split at the first colon, JSON bodies typed, defaults', () => {
  const o = parseHttp('users', 'post', '/users?x=1', { header: ['Authorization: Bearer a:b', 'X-Empty:'], data: '{"a":1}' });
  assert.equal(o.method, 'POST');
  assert.equal(o.path, '/users?x=1');
  assert.equal(o.stage, '$default');
  assert.deepEqual(o.headers, [['Authorization', 'Bearer a:b'], ['X-Empty', ''], ['content-type', 'application/json']]);
  assert.equal(o.body?.toString(), '{"a":1}');
  assert.equal(o.fail, true);
  assert.equal(o.event, false);
  assert.deepEqual(parseHttp('a', 'PUT', '/', { data: 'plain', header: ['Content-Type: text/csv'] }).headers, [['Content-Type', 'text/csv']]);
  assert.deepEqual(parseHttp('a', 'PUT', '/', { data: 'plain' }).headers, [['content-type', 'text/plain; charset=utf-8']]);
  // Latin-1 (obs-text) and tabs are valid header bytes.
  assert.deepEqual(parseHttp('a', 'GET', '/', { header: ['x-name: Jos\u00e9\tX'] }).headers, [['x-name', 'Jos\u00e9\tX']]);
  assert.equal(parseHttp('a', 'GET', '/', { fail: false, event: true, stage: 'prod' }).fail, false);
});

test('parseHttp: -d @file sends the bytes as they are; - reads stdin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svl-http-'));
  writeFileSync(join(dir, 'b.bin'), Buffer.from([0, 255, 1]));
  assert.deepEqual([...parseHttp('a', 'POST', '/', { data: `@${join(dir, 'b.bin')}` }).body!], [0, 255, 1]);
  assert.equal(parseHttp('a', 'POST', '/', { data: '-' }, () => Buffer.from('from stdin')).body?.toString(), 'from stdin');
});

test('parseHttp: every bad input is a UsageError with a hint', () => {
  const bad: Array<[string, string, Parameters<typeof parseHttp>[3], RegExp]> = [
    ['GRAB', '/', {}, /Unknown HTTP method "GRAB"/],
    ['GET', 'x', {}, /must start with \//],
    ['GET', '/a b', {}, /contains whitespace/],
    ['GET', 'https://h/p', {}, /is a URL/],
    ['GET', '/', { header: ['nocolon'] }, /Bad header "nocolon"/],
    ['GET', '/', { header: [': v'] }, /Bad header ": v"/],
    ['GET', '/', { header: ['x-name: Jose\u0301'] }, /Bad header "x-name": its value contains U\+0301, which an HTTP header cannot carry/],
    ['GET', '/', { header: ['x-city: 東京'] }, /contains U\+6771/],
    ['GET', '/', { header: ['x-a: a\u0007b'] }, /contains U\+0007/],
    ['POST', '/', { data: '@/definitely/missing' }, /cannot read \/definitely\/missing \(ENOENT\)/],
    ['HEAD', '/', { data: 'x' }, /a HEAD request has no body/],
    ['GET', '/', { stage: '' }, /Invalid stage name ""/],
  ];
  for (const [m, p, f, re] of bad) {
    assert.throws(() => parseHttp('api', m, p, f), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && re.test(err.message) && !!err.hint, `${m} ${p}`);
  }
});

test('invoke URLs: the path form on the emulator, the API endpoint (and stage) on AWS', () => {
  const api = { id: 'a1', name: 'users', endpoint: 'https://a1.execute-api.eu-west-1.amazonaws.com' };
  const local = { kind: 'local', endpoints: { sqs: 'http://127.0.0.1:4566' }, sources: { kind: '', endpoints: {} } } as const;
  const aws = { kind: 'aws', endpoints: {}, sources: { kind: '', endpoints: {} } } as const;
  assert.equal(invokeUrl(local, api, '$default', '/users?x=1'), 'http://127.0.0.1:4566/_aws/execute-api/a1/$default/users?x=1');
  assert.equal(invokeUrl(aws, api, '$default', '/users'), 'https://a1.execute-api.eu-west-1.amazonaws.com/users');
  assert.equal(invokeUrl(aws, api, 'prod', '/users'), 'https://a1.execute-api.eu-west-1.amazonaws.com/prod/users');
});

test('exit policy: 4xx/5xx fail with a hint that fits the status; --no-fail and 2xx/3xx do not', () => {
  const o = parseHttp('users', 'GET', '/x', {});
  const r = (status: number, json?: unknown): HttpResult => ({ api: { id: 'a1', name: 'users' }, method: 'GET', url: '', status, statusText: '', headers: {}, cookies: [], body: '', bodyEncoding: 'utf8', json, requestId: 'r1', elapsedMs: 1 });
  assert.equal(httpFailure(r(200), o), undefined);
  assert.equal(httpFailure(r(302), o), undefined);
  assert.equal(httpFailure(r(500), { ...o, fail: false }), undefined);
  assert.match(httpFailure(r(404, { message: 'Not Found' }), o)!.hint!, /No route of users matches GET \/x/);
  assert.match(httpFailure(r(401, { message: 'Unauthorized' }), o)!.hint!, /authorizer refused/);
  assert.match(httpFailure(r(403, { message: 'writer role required' }), o)!.hint!, /--no-fail/);
  const e = httpFailure(r(503, { message: 'Service Unavailable' }), o)!;
  assert.equal(e.exitCode, 1);
  assert.equal(e.message, 'HTTP 503 from GET /x: Service Unavailable');
  assert.match(e.hint!, /svl logs <function>/);
  assert.equal(e.requestId, 'r1');
});
