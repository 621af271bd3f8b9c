/**
 * GET/PUT `?notification` (Get/PutBucketNotificationConfiguration). Stub: the notification module
 * replaces this file. GET answers an empty configuration; PUT answers NotImplemented.
 * The dispatcher has already checked that the bucket exists.
 */
import { s3Document } from '../protocol/rest-xml.js';
import { notImplemented } from './errors.js';
import type { S3Context, S3Reply } from './http.js';

export async function getNotificationConfiguration(_ctx: S3Context): Promise<S3Reply> {
  return { body: s3Document('NotificationConfiguration', '') };
}

export async function putNotificationConfiguration(ctx: S3Context): Promise<S3Reply> {
  await ctx.readBody();
  throw notImplemented();
}
