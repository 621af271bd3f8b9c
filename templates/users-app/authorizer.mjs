// REQUEST authorizer (payload 2.0, simple responses) of every route but /login. A request without an
// Authorization header never gets here (API Gateway answers 401 itself); a token that does not verify
// is `isAuthorized: false` (API Gateway answers 403). The context — the user and their roles, arrays kept
// as arrays — reaches the route's function as event.requestContext.authorizer.lambda.
import { verifyToken } from './lib/token.mjs';

export const handler = async (event) => {
  const header = event.headers?.authorization ?? '';
  const claims = verifyToken(header.replace(/^Bearer\s+/i, '').trim());
  if (!claims) return { isAuthorized: false };
  return { isAuthorized: true, context: { user: claims.sub, roles: claims.roles } };
};
