// POST /login {"username","password"} -> {"token"}: a signed token (lib/token.mjs) carrying the account's
// roles, sent back as `authorization: Bearer <token>`. No authorizer on this route, of course.
import { json, jsonBody } from './lib/http.mjs';
import { ACCOUNTS, issueToken } from './lib/token.mjs';

export const handler = async (event) => {
  const body = jsonBody(event);
  if (!body || typeof body.username !== 'string' || typeof body.password !== 'string') return json(400, { message: 'body must be JSON with username and password' });
  const account = ACCOUNTS[body.username];
  if (!account || account.password !== body.password) return json(401, { message: 'wrong username or password' });
  return json(200, { token: issueToken(body.username, account.roles), roles: account.roles });
};
