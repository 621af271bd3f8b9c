// REQUEST authorizer (payload 2.0, simple responses) of every route but /login. A request without an
// Authorization header never gets here (API Gateway answers 401 itself); a token that does not verify
// (forged, tampered with, expired) is `isAuthorized: false` (API Gateway answers 403). The context — the
// user and their roles, arrays kept as arrays — reaches the route's function as
// event.requestContext.authorizer.lambda. A missing or too short key (lib/token.mjs) denies every
// request and says why in the log: failing closed, not open.
import { verifyToken } from './lib/token.mjs';

export const handler = async (event) => {
  const header = event.headers?.authorization ?? '';
  let claims;
  try {
    claims = verifyToken(header.replace(/^Bearer\s+/i, '').trim());
  } catch (err) {
    console.error(`denied: the token key is unusable: ${err.message}`);
    return { isAuthorized: false };
  }
  if (!claims) return { isAuthorized: false };
  return { isAuthorized: true, context: { user: claims.sub, roles: claims.roles } };
};
