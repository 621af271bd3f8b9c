// Posts of a user: GET /users/{userId}/posts (reader) lists them, oldest first; POST /users/{userId}/posts
// (writer) adds one. The first post of every user is written by create-post, from the topic's event.
import { randomUUID } from 'node:crypto';
import { caller, can, json, jsonBody } from './lib/http.mjs';
import { getUser, listPosts, putPost } from './lib/store.mjs';

export const handler = async (event) => {
  const userId = event.pathParameters?.userId;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(userId ?? '')) return json(404, { message: `no user ${userId}` });
  if (event.routeKey === 'GET /users/{userId}/posts') {
    // The user is looked up only when there are no posts: one call less on the common path.
    const posts = await listPosts(userId);
    return posts.length || (await getUser(userId)) ? json(200, { posts }) : json(404, { message: `no user ${userId}` });
  }
  if (!(await getUser(userId))) return json(404, { message: `no user ${userId}` });
  if (event.routeKey === 'POST /users/{userId}/posts') {
    if (!can(event, 'writer')) return json(403, { message: 'the writer role is required' });
    const body = jsonBody(event);
    if (!body || typeof body.text !== 'string' || !body.text.trim()) return json(400, { message: 'body must be JSON with a text' });
    const post = { userId, postId: randomUUID(), text: body.text.trim(), author: caller(event).user, createdAt: new Date().toISOString() };
    await putPost(post);
    return json(201, post);
  }
  return json(404, { message: `no handler for ${event.routeKey}` });
};
