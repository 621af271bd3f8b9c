// REQUEST authorizer (payload 2.0, simple responses) for the users API. The Authorization header names
// the caller's roles, e.g. "Bearer admin" or "Bearer reader"; a real one would verify a token. Its
// context (arrays kept as arrays) arrives in the route's event as requestContext.authorizer.lambda.
const ROLES = { admin: ['admin', 'writer', 'reader'], writer: ['writer', 'reader'], reader: ['reader'] };

export const handler = async (event) => {
  const header = event.headers?.authorization ?? '';
  const user = header.replace(/^Bearer\s+/i, '').trim();
  const roles = ROLES[user];
  if (!roles) return { isAuthorized: false };
  return { isAuthorized: true, context: { user, roles } };
};
