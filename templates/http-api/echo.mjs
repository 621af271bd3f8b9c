// POST /echo: answers with what arrived — method, path, query, headers and body (decoded when API
// Gateway base64-encoded a binary body). A body that is not JSON is a 400, as a real API would answer.
export const handler = async (event) => {
  const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let body = null;
  if (raw) {
    try {
      body = JSON.parse(raw);
    } catch {
      return { statusCode: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'the body must be JSON' }) };
    }
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: event.requestContext.http.method, path: event.rawPath, query: event.queryStringParameters ?? {}, headers: event.headers, body }),
  };
};
