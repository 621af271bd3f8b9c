// The database stand-in: users and posts as JSON objects in the app's bucket (env BUCKET), under db/.
// Every function that needs them reads the same objects, on AWS and on svl's emulator alike (a Map in
// one function's memory would not be seen by the others, nor survive a cold start). The bucket notifies
// the image queue only for keys under uploads/, so writing here (or thumbnails/) triggers nothing.
// A real app uses a database (DynamoDB, RDS): S3 has no queries and no transactions.
import { getObject, listKeys, putObject } from './aws.mjs';

const bucket = () => {
  const b = process.env.BUCKET;
  if (!b) throw new Error('BUCKET is not set: the function needs the name of the app bucket');
  return b;
};

const readJson = async (key) => {
  const bytes = await getObject(bucket(), key);
  return bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8'));
};
const writeJson = (key, value) => putObject(bucket(), key, JSON.stringify(value), 'application/json');
const safe = (id) => {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new RangeError(`invalid id ${JSON.stringify(id)}`);
  return id;
};

export const getUser = (userId) => readJson(`db/users/${safe(userId)}.json`);
export const putUser = (user) => writeJson(`db/users/${safe(user.userId)}.json`, user);
export async function listUsers() {
  const keys = await listKeys(bucket(), 'db/users/');
  return Promise.all(keys.map(readJson));
}

export const putPost = (post) => writeJson(`db/posts/${safe(post.userId)}/${safe(post.postId)}.json`, post);
export async function listPosts(userId) {
  const keys = await listKeys(bucket(), `db/posts/${safe(userId)}/`);
  const posts = await Promise.all(keys.map(readJson));
  return posts.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

export const imageBucket = bucket;
