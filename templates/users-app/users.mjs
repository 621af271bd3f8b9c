// Users: POST /users (writer) creates a user and publishes "user added" to the topic (TOPIC_NAME), which
// fans out to the posts queue; GET /users and GET /users/{userId} (reader); PUT /users/{userId} (writer)
// updates it, and with {"image": "<base64>", "imageType": "image/png"} stores the profile image under
// uploads/, whose notification makes the image worker write thumbnails.
//
// Storing the user and publishing its event are two writes to two services, with no transaction between
// them. The original system wrote the user, then published: when the publish failed the request
// answered 500, and its retry 409 "exists", so that user never got a welcome post. Here the user is
// stored with `published: false`, published, then marked `published: true`. A failed publish answers
// 503 (the user is kept), and a retry of the same POST (same name and email) finds the user unpublished,
// publishes again and answers 200. Publishing twice is harmless: create-post derives the post id from
// the user, so a second event rewrites the same post. A different body for an existing id is 409.
import { randomUUID } from 'node:crypto';
import { putObject, publish } from './lib/aws.mjs';
import { caller, can, json, jsonBody } from './lib/http.mjs';
import { Conflict, createUser, getUser, imageBucket, listUsers, updateUser } from './lib/store.mjs';

const IMAGE_TYPES = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

// The partition comes from the function's own ARN (arn:<partition>:lambda:<region>:<account>:...): the
// original hardcoded `arn:aws:`, which names no topic in China (aws-cn) or GovCloud (aws-us-gov).
const topicArn = (context) => {
  const [, partition, , region, account] = context.invokedFunctionArn.split(':');
  return `arn:${partition}:sns:${region}:${account}:${process.env.TOPIC_NAME}`;
};

export const handler = async (event, context) => {
  const id = event.pathParameters?.userId;
  if (id !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(id)) return json(404, { message: `no user ${id}` });
  try {
    return await route(event, context, id);
  } catch (err) {
    if (err instanceof Conflict) return json(409, { message: `${err.message}: try again` });
    throw err;
  }
};

async function route(event, context, id) {
  switch (event.routeKey) {
    case 'POST /users': {
      if (!can(event, 'writer')) return json(403, { message: 'the writer role is required' });
      const body = jsonBody(event);
      if (!body || typeof body.name !== 'string' || !body.name.trim()) return json(400, { message: 'body must be JSON with a name' });
      const userId = body.userId ?? randomUUID();
      if (typeof userId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(userId)) return json(400, { message: 'userId must be 1-64 letters, digits, - and _' });
      const user = { userId, name: body.name.trim(), email: typeof body.email === 'string' ? body.email : null, createdBy: caller(event).user, createdAt: new Date().toISOString(), published: false };
      // One conditional write decides who creates the user: the original checked getUser() and then
      // wrote, and every request that checked before the first write landed "created" it (201 each).
      const { created, user: stored } = await createUser(user);
      if (!created && (stored.published !== false || stored.name !== user.name || stored.email !== user.email)) return json(409, { message: `user ${userId} exists` });
      return announce(context, stored, created ? 201 : 200);
    }
    case 'GET /users':
      return json(200, { users: await listUsers() });
    case 'GET /users/{userId}': {
      const user = await getUser(id);
      return user ? json(200, user) : json(404, { message: `no user ${id}` });
    }
    case 'PUT /users/{userId}': {
      if (!can(event, 'writer')) return json(403, { message: 'the writer role is required' });
      const body = jsonBody(event);
      if (!body) return json(400, { message: 'body must be a JSON object' });
      const { image, imageType = 'image/png', ...fields } = body;
      let bytes;
      if (image !== undefined) {
        const ext = IMAGE_TYPES[imageType];
        if (!ext || typeof image !== 'string') return json(400, { message: `image is base64 text and imageType one of ${Object.keys(IMAGE_TYPES).join(', ')}` });
        bytes = Buffer.from(image, 'base64');
        if (bytes.length === 0 || bytes.length > MAX_IMAGE_BYTES) return json(400, { message: `the image must be 1 byte to ${MAX_IMAGE_BYTES} bytes` });
      }
      if (!(await getUser(id))) return json(404, { message: `no user ${id}` });
      const imageKey = bytes && `uploads/${id}/profile.${IMAGE_TYPES[imageType]}`;
      if (bytes) await putObject(imageBucket(), imageKey, bytes, imageType);
      // Read-modify-write with If-Match (store.updateUser): the original read the user, changed it and
      // wrote it back, so of two concurrent PUTs (a name and an email) the last one erased the other.
      const updated = await updateUser(id, (user) => ({
        ...user,
        ...(typeof fields.name === 'string' && { name: fields.name }),
        ...(typeof fields.email === 'string' && { email: fields.email }),
        ...(imageKey && { image: imageKey }),
        updatedAt: new Date().toISOString(),
      }));
      return updated ? json(200, updated) : json(404, { message: `no user ${id}` });
    }
    default:
      return json(404, { message: `no handler for ${event.routeKey}` });
  }
}

/** Publishes "user added", then marks the user published: answers `status` with the user, or 503. */
async function announce(context, user, status) {
  try {
    // The message is a string; the attribute lets subscribers filter (the image queue does not want it).
    const { published: _, ...added } = user;
    await publish(topicArn(context), JSON.stringify({ type: 'user-added', user: added }), { type: 'user-added' });
  } catch (err) {
    console.error(`user ${user.userId} is stored but "user added" was not published: ${err.message}`);
    return json(503, { message: `user ${user.userId} is stored but its announcement failed: send the same request again` });
  }
  // Lost races to a PUT are retried by updateUser. If the mark still cannot be written the event is out
  // anyway: the request succeeded, and the worst case is that a retry publishes it again (harmless).
  try {
    const marked = await updateUser(user.userId, (u) => ({ ...u, published: true }));
    return json(status, marked ?? { ...user, published: true });
  } catch (err) {
    if (!(err instanceof Conflict)) throw err;
    console.error(`user ${user.userId} was published but could not be marked so: ${err.message}`);
    return json(status, { ...user, published: true });
  }
}
