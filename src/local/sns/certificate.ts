/**
 * A minimal DER encoder for one thing: a self-signed X.509 v3 certificate (sha256WithRSAEncryption for an
 * RSA key, ecdsa-with-SHA256 for an EC key) for the emulator's SNS signing key and for its https listener
 * (signing-key.ts), so that SigningCertURL serves a certificate as on AWS and standard verifiers (which
 * call `crypto.verify` with the certificate, or check it as a TLS server certificate) accept it.
 * node:crypto parses certificates (X509Certificate) but cannot build them, hence this module.
 *
 * Deliberately does not: parse DER, build certificate chains, or support key types other than RSA and EC. The
 * certificate is its own CA (basicConstraints CA:TRUE) so that it can be trusted directly, e.g. through
 * NODE_EXTRA_CA_CERTS, and names the loopback hosts (localhost, 127.0.0.1, ::1) for the https listener.
 */
import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';

const tlv = (tag: number, body: Buffer): Buffer => {
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
const nul = (): Buffer => Buffer.from([0x05, 0x00]);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));

/** A non-negative INTEGER from big-endian bytes (a leading zero keeps it positive). */
const uint = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
};

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime (YYMMDDHHMMSSZ), valid for years 1950..2049 (RFC 5280 §4.1.2.5). */
function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

/**
 * 4 or 6 for an IP address, 0 for a host name. Not node:net's isIP: its first call on a name compiles the
 * IPv6 pattern, 15-60 ms of CPU that a fresh state directory's start paid for its https certificate
 * (whose names are svl's own: localhost, 127.0.0.1, ::1).
 */
const ipVersion = (name: string): 0 | 4 | 6 => (/^\d{1,3}(\.\d{1,3}){3}$/.test(name) ? 4 : name.includes(':') ? 6 : 0);

function ipBytes(ip: string): Buffer {
  if (ipVersion(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.concat(groups.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

const SHA256_WITH_RSA = seq(oid('1.2.840.113549.1.1.11'), nul());
const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2')); // no parameters (RFC 5758 §3.2)

export interface CertificateOptions {
  commonName: string;
  /** DNS names and IP addresses for subjectAltName. */
  altNames: string[];
  notBefore: Date;
  notAfter: Date;
}

/** A self-signed certificate for `privateKey` (RSA or EC), as PEM. */
export function selfSignedCertificate(privateKey: KeyObject, o: CertificateOptions): string {
  const ec = privateKey.asymmetricKeyType === 'ec';
  const algorithm = ec ? ECDSA_WITH_SHA256 : SHA256_WITH_RSA;
  const name = seq(set(seq(oid('2.5.4.3'), utf8(o.commonName))));
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const san = seq(
    ...o.altNames.map((n) => (ipVersion(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii')))),
  );
  const extensions = seq(
    seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true)))), // basicConstraints, critical: CA
    // keyUsage: digitalSignature, keyCertSign, and keyEncipherment for RSA (an EC key cannot encipher)
    seq(oid('2.5.29.15'), bool(true), octets(tlv(0x03, Buffer.from([0x02, ec ? 0x84 : 0xa4])))),
    seq(oid('2.5.29.17'), octets(san)), // subjectAltName
  );
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = seq(
    explicit(0, uint(Buffer.from([2]))), // v3
    uint(serial),
    algorithm,
    name,
    seq(utcTime(o.notBefore), utcTime(o.notAfter)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey); // ECDSA: DER-encoded (r, s), as X.509 wants
  const der = seq(tbs, algorithm, bits(signature));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}
