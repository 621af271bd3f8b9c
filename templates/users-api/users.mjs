// The users API (API Gateway HTTP API, payload 2.0): one function for its four routes, dispatching on
// event.routeKey. The store is in memory: it lives as long as the warm function process (enough to try
// the API; use a database for anything else). POST /users publishes a "user added" event to the topic
// named in TOPIC_NAME (new-user-added-topic), whose ARN comes from this function's own ARN. On AWS the
// Node.js runtime provides the AWS SDK; svl's emulator does not ship it to handlers, so there the event
// is published with one plain SNS Query request to AWS_ENDPOINT_URL (the emulator needs no signature).
const users = new Map();
let sns;

const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const can = (event, role) => (event.requestContext.authorizer?.lambda?.roles ?? []).includes(role);

function parse(event) {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  try {
    const v = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

async function publishUserAdded(user, context) {
  const [, , , region, account] = context.invokedFunctionArn.split(':');
  const TopicArn = `arn:aws:sns:${region}:${account}:${process.env.TOPIC_NAME ?? 'new-user-added-topic'}`;
  const Message = JSON.stringify({ type: 'user-added', user });
  if (sns === undefined) {
    try {
      const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
      const client = new SNSClient({ region });
      sns = (input) => client.send(new PublishCommand(input));
    } catch (err) {
      if (err.code !== 'ERR_MODULE_NOT_FOUND' || !process.env.AWS_ENDPOINT_URL) throw err;
      sns = async (input) => {
        const body = new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn: input.TopicArn, Message: input.Message });
        const res = await fetch(process.env.AWS_ENDPOINT_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        if (!res.ok) throw new Error(`SNS Publish failed: HTTP ${res.status} ${await res.text()}`);
      };
    }
  }
  await sns({ TopicArn, Message });
}

export const handler = async (event, context) => {
  const id = event.pathParameters?.userId;
  switch (event.routeKey) {
    case 'POST /users': {
      if (!can(event, 'writer')) return json(403, { message: 'writer role required' });
      const body = parse(event);
      if (!body || typeof body.name !== 'string' || !body.name) return json(400, { message: 'body must be JSON with a name' });
      const user = { userId: body.userId ?? `u-${users.size + 1}`, name: body.name, email: body.email ?? null, createdBy: event.requestContext.authorizer.lambda.user };
      if (users.has(user.userId)) return json(409, { message: `user ${user.userId} exists` });
      users.set(user.userId, user);
      await publishUserAdded(user, context);
      return json(201, user);
    }
    case 'GET /users':
      return json(200, { users: [...users.values()] });
    case 'GET /users/{userId}':
      return users.has(id) ? json(200, users.get(id)) : json(404, { message: `no user ${id}` });
    case 'PUT /users/{userId}': {
      if (!can(event, 'writer')) return json(403, { message: 'writer role required' });
      if (!users.has(id)) return json(404, { message: `no user ${id}` });
      const body = parse(event);
      if (!body) return json(400, { message: 'body must be a JSON object' });
      const user = { ...users.get(id), ...body, userId: id };
      users.set(id, user);
      return json(200, user);
    }
    default:
      return json(404, { message: `no handler for ${event.routeKey}` });
  }
};
