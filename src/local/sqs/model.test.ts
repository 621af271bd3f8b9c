/**
 * Receipt handles and MD5OfMessageAttributes against their straightforward forms (what model.ts did before
 * it read handles in a shared buffer and digested ASCII attributes as one string): same answers, also for
 * malformed handles and attributes off the fast path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeReceiptHandle, encodeReceiptHandle, md5OfAttributes, type MessageAttributes, type ReceiptHandle } from './model.js';

function referenceDecode(rh: string): ReceiptHandle | undefined {
  if (typeof rh !== 'string' || rh.length < 8 || rh.length > 2048 || !/^[A-Za-z0-9+/]+={0,2}$/.test(rh)) return undefined;
  const parts = Buffer.from(rh, 'base64').toString('utf8').split('\u0000');
  if (parts.length !== 4 || parts[0] !== 'svl1') return undefined;
  const seq = Number(parts[2]);
  if (!Number.isSafeInteger(seq) || seq <= 0 || !/^[0-9a-f]{24}$/.test(parts[3]!)) return undefined;
  return { queue: parts[1]!, seq, nonce: parts[3]! };
}

function referenceMd5(attrs: MessageAttributes): string {
  const h = createHash('md5');
  const len = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    h.update(b);
  };
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    len(b.length);
    h.update(b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name]!;
    str(name);
    str(a.DataType);
    if (a.StringValue !== undefined) {
      h.update(Buffer.from([1]));
      str(a.StringValue);
    } else if (a.BinaryValue !== undefined) {
      h.update(Buffer.from([2]));
      const b = Buffer.from(a.BinaryValue, 'base64');
      len(b.length);
      h.update(b);
    }
  }
  return h.digest('hex');
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const NONCE = '0123456789abcdef01234567';

test('receipt handles decode as the split of their UTF-8 text did, well-formed or not', () => {
  const handles = [
    encodeReceiptHandle({ queue: 'orders', seq: 1, nonce: NONCE }),
    encodeReceiptHandle({ queue: 'orders.fifo', seq: 9007199254740991, nonce: NONCE }),
    encodeReceiptHandle({ queue: 'q'.repeat(80), seq: 42, nonce: NONCE }),
    b64(`svl1\u0000orders\u00000x10\u0000${NONCE}`),
    b64(`svl1\u0000orders\u0000 7 \u0000${NONCE}`),
    b64(`svl1\u0000orders\u00001e3\u0000${NONCE}`),
    b64(`svl1\u0000orders\u0000\u0000${NONCE}`),
    b64(`svl1\u0000orders\u00000\u0000${NONCE}`),
    b64(`svl1\u0000orders\u00001.5\u0000${NONCE}`),
    b64(`svl1\u0000orders\u00009007199254740992\u0000${NONCE}`),
    b64(`svl1\u0000orders\u00001\u0000${NONCE.toUpperCase()}`),
    b64(`svl1\u0000orders\u00001\u0000${NONCE}0`),
    b64(`svl1\u0000orders\u00001\u0000${NONCE.slice(1)}`),
    b64(`svl1\u0000orders\u00001\u0000${NONCE}\u0000`),
    b64(`svl1\u0000or\u0000ders\u00001\u0000${NONCE}`),
    b64(`svl1\u0000\u00001\u0000${NONCE}`),
    b64(`svl2\u0000orders\u00001\u0000${NONCE}`),
    b64(`svl1orders\u00001\u0000${NONCE}`),
    b64(`svl1\u0000ordérs\u00001\u0000${NONCE}`),
    b64('svl1\u0000'),
    Buffer.from([0x73, 0x76, 0x6c, 0x31, 0, 0xe2, 0, 0x31, 0, ...Buffer.from(NONCE)]).toString('base64'),
    Buffer.from([0x73, 0x76, 0x6c, 0x31, 0, 0x71, 0, 0x31, 0xa0, 0, ...Buffer.from(NONCE)]).toString('base64'),
    `${encodeReceiptHandle({ queue: 'orders', seq: 5, nonce: NONCE }).replace(/=+$/, '')}`,
    'AAAAAAAA',
    'not base64!',
    'short',
    'A'.repeat(2049),
    'QUFB'.repeat(512),
  ];
  for (const rh of handles) assert.deepEqual(decodeReceiptHandle(rh), referenceDecode(rh), rh);
  // A long handle first, then a short one: bytes left in the shared buffer are not read as the short one's.
  decodeReceiptHandle(b64(`svl1\u0000${'q'.repeat(500)}\u00001\u0000${NONCE}`));
  assert.equal(decodeReceiptHandle(b64(`svl1\u0000q\u00001\u0000${NONCE.slice(0, 20)}`)), undefined);
  assert.deepEqual(decodeReceiptHandle(encodeReceiptHandle({ queue: 'a-b_c', seq: 123, nonce: NONCE })), { queue: 'a-b_c', seq: 123, nonce: NONCE });
  assert.equal(encodeReceiptHandle({ queue: 'orders', seq: 77, nonce: NONCE }), b64(`svl1\u0000orders\u000077\u0000${NONCE}`));
});

test('MD5OfMessageAttributes is the same on and off the ASCII string path', () => {
  const cases: MessageAttributes[] = [
    { kind: { DataType: 'String', StringValue: 'bench' } },
    { b: { DataType: 'Number', StringValue: '12' }, a: { DataType: 'String.custom', StringValue: 'x' } },
    { long: { DataType: 'String', StringValue: 'v'.repeat(127) } },
    { long: { DataType: 'String', StringValue: 'v'.repeat(128) } },
    { long: { DataType: 'String', StringValue: 'v'.repeat(300) } },
    { long: { DataType: 'String', StringValue: 'v'.repeat(40_000) } },
    { accent: { DataType: 'String', StringValue: 'héllo' } },
    { 'nåme': { DataType: 'String', StringValue: 'x' } },
    { emoji: { DataType: 'String', StringValue: '\u{1F600}' } },
    { bin: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]).toString('base64') }, s: { DataType: 'String', StringValue: 'x' } },
  ];
  for (const attrs of cases) assert.equal(md5OfAttributes(attrs), referenceMd5(attrs), JSON.stringify(attrs).slice(0, 80));
  // No attribute, no digest (the SDKs' checks of real AWS answers run in the interop and integration suites).
  assert.equal(md5OfAttributes({}), undefined);
});
