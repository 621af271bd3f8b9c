// The database stand-in: users and posts as JSON objects in the app's bucket (env BUCKET), under db/.
// Every function that needs them reads the same objects, on AWS and on svl's emulator alike (a Map in
// one function's memory would not be seen by the others, nor survive a cold start). The bucket notifies
// the image queue only for keys under uploads/, so writing here (or thumbnails/) triggers nothing.
// A real app uses a database (DynamoDB, RDS): S3 has no queries and no transactions. What S3 does have
// is conditional writes, and every write of a user here uses one: the original system checked "does it
// exist?" then wrote, and read-modified-wrote on update, so concurrent requests overwrote each other
// (five concurrent creates of one id answered 201 three times). Not done: posts are written once each,
// under a fresh or derived id, so they need no condition.
import { PreconditionFailed, listKeys, putObject, readObject } from './aws.mjs';

const bucket = () => {
  const b = process.env.BUCKET;
  if (!b) throw new Error('BUCKET is not set: the function needs the name of the app bucket');
  return b;
};

/** How many objects a list reads at once: enough to be quick, few enough not to exhaust sockets or memory. */
const READ_CONCURRENCY = 8;
/** How many times an update re-reads and re-applies itself after losing a race before giving up. */
const UPDATE_ATTEMPTS = 5;

const read = async (key) => {
  const object = await readObject(bucket(), key);
  return object && { value: JSON.parse(object.body.toString('utf8')), etag: object.etag };
};
const readJson = async (key) => (await read(key))?.value;
const writeJson = (key, value, condition) => putObject(bucket(), key, JSON.stringify(value), 'application/json', condition);
const safe = (id) => {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new RangeError(`invalid id ${JSON.stringify(id)}`);
  return id;
};
const userKey = (userId) => `db/users/${safe(userId)}.json`;

/** Another request kept winning the race for the same user: the caller answers 409 and the client retries. */
export class Conflict extends Error {
  constructor(userId) {
    super(`user ${userId} is being changed by another request`);
    this.name = 'Conflict';
  }
}

export const getUser = (userId) => readJson(userKey(userId));

/**
 * Creates the user unless one with its id exists (`If-None-Match: *`: S3 decides, atomically).
 * Answers `{ created: true, user }`, or `{ created: false, user: <the existing one> }`.
 */
export async function createUser(user) {
  for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
    try {
      await writeJson(userKey(user.userId), user, { ifNoneMatch: '*' });
      return { created: true, user };
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err;
    }
    const existing = await readJson(userKey(user.userId));
    if (existing) return { created: false, user: existing };
    // The key was taken, yet there is nothing to read: the other write failed or is still in flight
    // (AWS's 409 ConditionalRequestConflict). Try again.
  }
  throw new Conflict(user.userId);
}

/**
 * Read-modify-write of a user with `If-Match: <etag>`: `change(user)` answers the new user (it may run
 * more than once, so it must not have side effects). When another write landed in between, the
 * whole read-modify-write is done again, up to UPDATE_ATTEMPTS times, then Conflict is thrown.
 * Answers the user as written, or undefined when there is no such user.
 */
export async function updateUser(userId, change) {
  for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
    const current = await read(userKey(userId));
    if (!current) return undefined;
    const next = change(current.value);
    try {
      const etag = await writeJson(userKey(userId), next, { ifMatch: current.etag });
      return etag === undefined ? undefined : next;
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err;
    }
  }
  throw new Conflict(userId);
}

export async function listUsers() {
  return readAll(await listKeys(bucket(), 'db/users/'));
}

export const putPost = (post) => writeJson(`db/posts/${safe(post.userId)}/${safe(post.postId)}.json`, post);
export async function listPosts(userId) {
  const posts = await readAll(await listKeys(bucket(), `db/posts/${safe(userId)}/`));
  return posts.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/**
 * The objects of `keys`, READ_CONCURRENCY at a time, in key order. A key deleted between the list and
 * the read is skipped: the original read them all at once (one request per key, however many) and
 * returned null for those, which made the posts' sort throw.
 */
async function readAll(keys) {
  const values = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      values[i] = await readJson(keys[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, keys.length) }, worker));
  return values.filter((v) => v !== undefined);
}

export const imageBucket = bucket;
