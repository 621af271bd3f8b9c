// GET /hello and GET /hello/{name} (API Gateway HTTP API, payload format 2.0). Returning an object with
// statusCode/headers/body is the full response; a plain object would be sent as 200 JSON.
export const handler = async (event) => {
  const name = event.pathParameters?.name ?? event.queryStringParameters?.name ?? 'world';
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: `Hello, ${name}!`, route: event.routeKey, requestId: event.requestContext.requestId }),
  };
};
