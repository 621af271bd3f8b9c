// Signed tokens (JWT, HS256) for the login and authorizer functions. The key is the file .token-secret,
// written with random bytes by `svl init` into this directory (so it is deployed with the code) and kept
// when init runs again; .gitignore keeps it out of git. It ships in the package of every function built
// from this directory, so anyone allowed lambda:GetFunction on one of them can read it: for production,
// keep the key in AWS Secrets Manager or SSM Parameter Store and give only login and the authorizer's
// roles access to it. The demo accounts stand in for an identity provider (Cognito, your own user
// table). On the emulator their passwords are `<name>-demo`; on AWS `svl init` writes random ones into
// .demo-passwords.json (never printed: read the file) — replace login before exposing the API anyway.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const generated = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../.demo-passwords.json', import.meta.url), 'utf8'));
  } catch {
    return {};
  }
})();
const password = (name) => (typeof generated[name] === 'string' && generated[name].length >= 16 ? generated[name] : `${name}-demo`);

export const ACCOUNTS = {
  admin: { password: password('admin'), roles: ['admin', 'writer', 'reader'] },
  editor: { password: password('editor'), roles: ['writer', 'reader'] },
  viewer: { password: password('viewer'), roles: ['reader'] },
};
const TTL_SECONDS = 3600;

/** The shortest key accepted: HMAC-SHA256 with a short key is guessable, with an empty one anyone can sign. */
const MIN_KEY_BYTES = 32;

let secret;
function key() {
  if (secret === undefined) {
    const text = readFileSync(new URL('../.token-secret', import.meta.url), 'utf8').trim();
    // The original signed with whatever the file held, an empty one included: then every token anyone
    // computes with an empty key verifies. Refuse to sign or verify instead.
    if (Buffer.byteLength(text) < MIN_KEY_BYTES) throw new Error(`.token-secret must hold at least ${MIN_KEY_BYTES} bytes of random text (svl init writes one); it has ${Buffer.byteLength(text)}`);
    secret = text;
  }
  return secret;
}
const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const sign = (data) => createHmac('sha256', key()).update(data).digest('base64url');

export function issueToken(username, roles, now = Date.now()) {
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: username, roles, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + TTL_SECONDS })}`;
  return `${body}.${sign(body)}`;
}

/** The token's claims, or undefined when it is malformed, forged or expired. */
export function verifyToken(token, now = Date.now()) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return undefined;
  const expected = Buffer.from(sign(`${parts[0]}.${parts[1]}`));
  const got = Buffer.from(parts[2]);
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return undefined;
  try {
    // Only what issueToken writes is accepted: HS256 (never "none" or another algorithm named by the
    // token itself), a subject, roles, and an expiry that is still ahead.
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (header?.alg !== 'HS256' || typeof claims?.sub !== 'string' || !Array.isArray(claims.roles)) return undefined;
    return Number.isFinite(claims.exp) && claims.exp * 1000 > now ? claims : undefined;
  } catch {
    return undefined;
  }
}
