// Helpers for API Gateway HTTP API (payload 2.0) handlers.

/**
 * A response. The body is a string (JSON.stringify): API Gateway passes `body` through as the response
 * text, and an object there is not JSON (a REST API answers 502, an HTTP API guesses).
 */
export const json = (statusCode, value) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/** The request body as a JSON object (decoded when API Gateway base64-encoded it), or undefined. */
export function jsonBody(event) {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  try {
    const v = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** What the authorizer put in its context: the caller and their roles. */
export const caller = (event) => event.requestContext.authorizer?.lambda ?? { user: undefined, roles: [] };
export const can = (event, role) => (caller(event).roles ?? []).includes(role);
