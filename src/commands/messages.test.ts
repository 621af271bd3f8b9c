import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { checkId, fifoProblem, parseAttributeFlags, parseDelay, parseNdjsonLine, payloadBytes, resolveBody, type LineFailure, type OutgoingMessage } from './messages.js';

const defaults: OutgoingMessage = { body: '', attributes: { team: { DataType: 'String', StringValue: 'a' } }, group: 'g0' };
const never = () => assert.fail('stdin must not be read');

describe('resolveBody', () => {
  it('takes the argument, else piped stdin; a terminal or an empty stdin is a usage error', () => {
    assert.equal(resolveBody('hello', { isTTY: true }, never, 'body'), 'hello');
    assert.equal(resolveBody(undefined, { isTTY: false }, () => 'piped', 'body'), 'piped');
    assert.throws(() => resolveBody(undefined, { isTTY: true }, never, 'body'), (e: unknown) => e instanceof UsageError && /Missing the body/.test(e.message));
    assert.throws(() => resolveBody(undefined, { isTTY: false }, () => '', 'body'), (e: unknown) => e instanceof UsageError && /stdin is empty/.test(e.message));
    assert.throws(() => resolveBody('', { isTTY: true }, never, 'body'), /The body is empty/);
  });
});

describe('flag checks', () => {
  it('--delay is a whole number 0-900', () => {
    assert.equal(parseDelay('0'), 0);
    assert.equal(parseDelay('900'), 900);
    for (const bad of ['901', '-1', '1.5', 'ten', ''])
      assert.throws(() => parseDelay(bad), (e: unknown) => e instanceof UsageError && e.exitCode === 2, bad);
  });

  it('group and dedup ids are 1-128 printable ASCII characters', () => {
    assert.equal(checkId('order-1', '--group'), 'order-1');
    assert.throws(() => checkId('has space', '--group'), /--group/);
    assert.throws(() => checkId('x'.repeat(129), '--dedup'), /--dedup/);
  });

  it('at most 10 attributes', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `a${i}=v`);
    assert.throws(() => parseAttributeFlags(eleven), /At most 10/);
  });
});

describe('parseNdjsonLine', () => {
  it('a JSON string is the body; other JSON without "body" is sent as the line itself', () => {
    assert.deepEqual(parseNdjsonLine('"hi"', 1, 'send', defaults), { ...defaults, body: 'hi' });
    assert.deepEqual(parseNdjsonLine('  {"id": 1}  ', 2, 'send', defaults), { ...defaults, body: '{"id": 1}' });
    assert.deepEqual(parseNdjsonLine('[1,2]', 3, 'send', defaults), { ...defaults, body: '[1,2]' });
    assert.equal(parseNdjsonLine('   ', 4, 'send', defaults), null);
  });

  it('an envelope merges with the flag defaults, the line winning', () => {
    const m = parseNdjsonLine('{"body":{"id":7},"attributes":{"type":"invoice","amount":120,"tags":["a"]},"group":"g1","delay":5}', 1, 'send', defaults);
    assert.deepEqual(m, {
      body: '{"id":7}',
      group: 'g1',
      delay: 5,
      attributes: {
        team: { DataType: 'String', StringValue: 'a' },
        type: { DataType: 'String', StringValue: 'invoice' },
        amount: { DataType: 'Number', StringValue: '120' },
        tags: { DataType: 'String.Array', StringValue: '["a"]' },
      },
    });
  });

  it('reports malformed and invalid lines with their number', () => {
    const malformed = parseNdjsonLine('{"body": ', 7, 'send', defaults) as LineFailure;
    assert.equal(malformed.line, 7);
    assert.equal(malformed.code, 'MalformedLine');
    assert.match(malformed.message, /^not valid JSON/);
    assert.match((parseNdjsonLine('{"body":"x","attrs":{}}', 3, 'send', defaults) as { message: string }).message, /unknown key attrs/);
    assert.match((parseNdjsonLine('{"body":"x","subject":"s"}', 3, 'send', defaults) as { message: string }).message, /unknown key subject/);
    assert.equal((parseNdjsonLine('{"body":"x","subject":"s"}', 3, 'publish', defaults) as OutgoingMessage).subject, 's');
    assert.match((parseNdjsonLine('{"body":"x","delay":901}', 3, 'send', defaults) as { message: string }).message, /"delay"/);
    assert.match((parseNdjsonLine('{"body":"x","attributes":{"a":true}}', 3, 'send', defaults) as { message: string }).message, /attribute "a"/);
    assert.match((parseNdjsonLine('""', 3, 'send', defaults) as { message: string }).message, /empty/);
  });
});

describe('fifoProblem', () => {
  const fifo = { fifo: true, contentBasedDeduplication: false, kind: 'queue' as const };
  it('FIFO needs a group, and a dedup id unless content-based deduplication is on', () => {
    assert.equal(fifoProblem({ body: 'x', attributes: {} }, fifo)?.code, 'MissingGroupId');
    assert.equal(fifoProblem({ body: 'x', attributes: {}, group: 'g' }, fifo)?.code, 'MissingDeduplicationId');
    assert.equal(fifoProblem({ body: 'x', attributes: {}, group: 'g' }, { ...fifo, contentBasedDeduplication: true }), undefined);
    assert.equal(fifoProblem({ body: 'x', attributes: {}, group: 'g', dedup: 'd', delay: 3 }, fifo)?.code, 'InvalidDelay');
  });
  it('standard destinations refuse a dedup id but accept a group (fair queues)', () => {
    const std = { fifo: false, contentBasedDeduplication: false, kind: 'topic' as const };
    assert.equal(fifoProblem({ body: 'x', attributes: {}, dedup: 'd' }, std)?.code, 'InvalidDeduplicationId');
    assert.equal(fifoProblem({ body: 'x', attributes: {}, group: 'g' }, std), undefined);
  });
});

describe('payloadBytes', () => {
  it('counts UTF-8 body bytes plus attribute names, types and values', () => {
    assert.equal(payloadBytes({ body: 'é', attributes: {} }), 2);
    assert.equal(payloadBytes({ body: 'ab', attributes: { k: { DataType: 'String', StringValue: 'vv' } } }), 2 + 1 + 6 + 2);
  });
});
