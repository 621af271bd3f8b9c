// Users: POST /users (writer) creates a user and publishes "user added" to the topic (TOPIC_NAME), which
// fans out to the posts queue; GET /users and GET /users/{userId} (reader); PUT /users/{userId} (writer)
// updates it, and with {"image": "<base64>", "imageType": "image/png"} stores the profile image under
// uploads/, whose notification makes the image worker write thumbnails.
import { randomUUID } from 'node:crypto';
import { putObject, publish } from './lib/aws.mjs';
import { caller, can, json, jsonBody } from './lib/http.mjs';
import { getUser, imageBucket, listUsers, putUser } from './lib/store.mjs';

const IMAGE_TYPES = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

const topicArn = (context) => {
  const [, , , region, account] = context.invokedFunctionArn.split(':');
  return `arn:aws:sns:${region}:${account}:${process.env.TOPIC_NAME}`;
};

export const handler = async (event, context) => {
  const id = event.pathParameters?.userId;
  if (id !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(id)) return json(404, { message: `no user ${id}` });
  switch (event.routeKey) {
    case 'POST /users': {
      if (!can(event, 'writer')) return json(403, { message: 'the writer role is required' });
      const body = jsonBody(event);
      if (!body || typeof body.name !== 'string' || !body.name.trim()) return json(400, { message: 'body must be JSON with a name' });
      const userId = body.userId ?? randomUUID();
      if (typeof userId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(userId)) return json(400, { message: 'userId must be 1-64 letters, digits, - and _' });
      if (await getUser(userId)) return json(409, { message: `user ${userId} exists` });
      const user = { userId, name: body.name.trim(), email: typeof body.email === 'string' ? body.email : null, createdBy: caller(event).user, createdAt: new Date().toISOString() };
      await putUser(user);
      // The message is a string; the attribute lets subscribers filter (the image queue does not want it).
      await publish(topicArn(context), JSON.stringify({ type: 'user-added', user }), { type: 'user-added' });
      return json(201, user);
    }
    case 'GET /users':
      return json(200, { users: await listUsers() });
    case 'GET /users/{userId}': {
      const user = await getUser(id);
      return user ? json(200, user) : json(404, { message: `no user ${id}` });
    }
    case 'PUT /users/{userId}': {
      if (!can(event, 'writer')) return json(403, { message: 'the writer role is required' });
      const user = await getUser(id);
      if (!user) return json(404, { message: `no user ${id}` });
      const body = jsonBody(event);
      if (!body) return json(400, { message: 'body must be a JSON object' });
      const { image, imageType = 'image/png', ...fields } = body;
      const updated = { ...user, ...(typeof fields.name === 'string' && { name: fields.name }), ...(typeof fields.email === 'string' && { email: fields.email }), updatedAt: new Date().toISOString() };
      if (image !== undefined) {
        const ext = IMAGE_TYPES[imageType];
        if (!ext || typeof image !== 'string') return json(400, { message: `image is base64 text and imageType one of ${Object.keys(IMAGE_TYPES).join(', ')}` });
        const bytes = Buffer.from(image, 'base64');
        if (bytes.length === 0 || bytes.length > MAX_IMAGE_BYTES) return json(400, { message: `the image must be 1 byte to ${MAX_IMAGE_BYTES} bytes` });
        updated.image = `uploads/${id}/profile.${ext}`;
        await putObject(imageBucket(), updated.image, bytes, imageType);
      }
      await putUser(updated);
      return json(200, updated);
    }
    default:
      return json(404, { message: `no handler for ${event.routeKey}` });
  }
};
