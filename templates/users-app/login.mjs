// POST /login {"username","password"} -> {"token"}: a signed token (lib/token.mjs) carrying the account's
// roles, sent back as `authorization: Bearer <token>`. No authorizer on this route, of course.
import { createHash, timingSafeEqual } from 'node:crypto';
import { json, jsonBody } from './lib/http.mjs';
import { ACCOUNTS, issueToken } from './lib/token.mjs';

const digest = (s) => createHash('sha256').update(s, 'utf8').digest();
// Compared when there is no such account, so an unknown name takes as long as a wrong password.
const NO_ACCOUNT = digest('no account: this never matches a password that is checked');

export const handler = async (event) => {
  const body = jsonBody(event);
  if (!body || typeof body.username !== 'string' || typeof body.password !== 'string') return json(400, { message: 'body must be JSON with username and password' });
  // Object.hasOwn: the original's ACCOUNTS[username] also found "constructor", "__proto__" and the rest
  // of Object.prototype. The passwords are compared as SHA-256 digests with timingSafeEqual: `!==` stops
  // at the first differing character, which leaks how much of a guess is right; the digests have one
  // length whatever the password, which timingSafeEqual requires.
  const account = Object.hasOwn(ACCOUNTS, body.username) ? ACCOUNTS[body.username] : undefined;
  const matches = timingSafeEqual(digest(body.password), account ? digest(account.password) : NO_ACCOUNT);
  if (!account || !matches) return json(401, { message: 'wrong username or password' });
  return json(200, { token: issueToken(body.username, account.roles), roles: account.roles });
};
